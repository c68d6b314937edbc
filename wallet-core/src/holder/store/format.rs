//! The store file's container: a fixed 99-byte header (magic, format version, how the key is
//! derived, key-check value, nonce, ciphertext length) followed by the XChaCha20-Poly1305
//! ciphertext of the JSON body, with the whole header bound as associated data. Also the key
//! schedule: Argon2id (passphrase) or the app's raw key, then HKDF-SHA-256 into an encryption key
//! and a key-check value. See docs/store.md for the byte layout and the reasons.

use super::error::StoreError;
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::AeadInPlace as _;
use chacha20poly1305::{KeyInit as _, XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use rand_core::CryptoRngCore;
use sha2::Sha256;
use std::fmt;
use zeroize::Zeroizing;

/// First eight bytes of every store file.
pub(crate) const MAGIC: [u8; 8] = *b"CWSTORE\0";
/// The container format this library writes and the newest it reads.
pub(crate) const FORMAT_VERSION: u16 = 1;
/// Bytes of the fixed header.
pub(crate) const HEADER_LEN: usize = 99;
const SALT_LEN: usize = 16;
const CHECK_LEN: usize = 32;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const KIND_PASSPHRASE: u8 = 1;
const KIND_RAW_KEY: u8 = 2;
// HKDF `info` strings: domain separation between the two outputs and from any other use of the
// same passphrase or app key.
const INFO_ENCRYPTION: &[u8] = b"cert-wallet store v1 encryption key";
const INFO_KEY_CHECK: &[u8] = b"cert-wallet store v1 key check";

/// What unlocks a store: a passphrase the holder types (stretched with Argon2id) or a raw 32-byte
/// key the app keeps in the iOS Keychain / Android Keystore. `Debug` never shows the secret.
#[derive(Clone, Copy)]
pub enum StoreSecret<'a> {
    /// A passphrase, used as its UTF-8 bytes (apps accepting non-ASCII input should normalise it
    /// to NFC first, so the same passphrase typed on another keyboard unlocks the store).
    Passphrase(&'a str),
    /// A uniformly random 32-byte key held by the app.
    RawKey(&'a [u8; 32]),
}

impl fmt::Debug for StoreSecret<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Passphrase(_) => f.write_str("Passphrase(<redacted>)"),
            Self::RawKey(_) => f.write_str("RawKey(<redacted>)"),
        }
    }
}

/// Argon2id cost parameters (RFC 9106), as written in the store header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
}

impl KdfParams {
    /// The production default, RFC 9106 §4's second recommended option: 64 MiB, 3 passes,
    /// 4 lanes. About 0.2 s on a 2-core x86 server core (measured with the `argon2` crate in
    /// release mode), about 0.4–0.8 s on a mid-range phone: slow for an attacker guessing
    /// offline, tolerable once per app unlock. Phones that cannot spare 64 MiB should use a raw
    /// app key from the platform keystore instead of lowering this.
    pub const RECOMMENDED: Self = Self {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 4,
    };

    /// Validated parameters: Argon2's own minimums (at least 8 KiB of memory per lane, one pass,
    /// one lane) and at most [`KdfLimits::default`], so any store this library creates opens with
    /// default options. Tests use small values (e.g. `KdfParams::new(64, 1, 1)`); production uses
    /// [`KdfParams::RECOMMENDED`].
    pub fn new(memory_kib: u32, iterations: u32, parallelism: u32) -> Result<Self, StoreError> {
        let params = Self {
            memory_kib,
            iterations,
            parallelism,
        };
        if parallelism == 0 {
            return Err(StoreError::InvalidKdfParams(
                "parallelism must be at least 1",
            ));
        }
        if iterations == 0 {
            return Err(StoreError::InvalidKdfParams(
                "iterations must be at least 1",
            ));
        }
        if u64::from(memory_kib) < u64::from(parallelism).saturating_mul(8) {
            return Err(StoreError::InvalidKdfParams(
                "memory must be at least 8 KiB per lane",
            ));
        }
        if KdfLimits::default().check(&params).is_err() {
            return Err(StoreError::InvalidKdfParams(
                "parameters exceed the default open limits",
            ));
        }
        Ok(params)
    }

    /// Memory cost, KiB.
    pub fn memory_kib(&self) -> u32 {
        self.memory_kib
    }

    /// Number of passes.
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// Number of lanes.
    pub fn parallelism(&self) -> u32 {
        self.parallelism
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::RECOMMENDED
    }
}

/// The most key-derivation work `open` accepts from a store header, checked before Argon2 runs.
/// The header is untrusted until the key is known, so without this bound a hostile file could ask
/// for 4 GiB of memory or a billion passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfLimits {
    /// Largest memory cost, KiB.
    pub max_memory_kib: u32,
    /// Largest number of passes.
    pub max_iterations: u32,
    /// Largest number of lanes.
    pub max_parallelism: u32,
    /// Largest memory × passes, KiB: bounds the time, whatever the mix.
    pub max_work_kib: u64,
}

impl Default for KdfLimits {
    /// 256 MiB, 10 passes, 16 lanes and four times the work of [`KdfParams::RECOMMENDED`] (about
    /// 0.9 s here): room to raise the default later, never a denial of service.
    fn default() -> Self {
        Self {
            max_memory_kib: 256 * 1024,
            max_iterations: 10,
            max_parallelism: 16,
            max_work_kib: 4 * 64 * 1024 * 3,
        }
    }
}

impl KdfLimits {
    pub(crate) fn check(&self, params: &KdfParams) -> Result<(), StoreError> {
        let work = u64::from(params.memory_kib).saturating_mul(u64::from(params.iterations));
        if params.memory_kib > self.max_memory_kib
            || params.iterations > self.max_iterations
            || params.parallelism > self.max_parallelism
            || work > self.max_work_kib
        {
            return Err(StoreError::KdfLimitsExceeded);
        }
        Ok(())
    }
}

/// How a store's key is derived and how to recognise it: everything in the header that
/// changes only when the passphrase or key changes.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct KeySlot {
    /// `Some` for a passphrase store, `None` for a raw-key store.
    pub kdf: Option<KdfParams>,
    pub salt: [u8; SALT_LEN],
    pub key_check: [u8; CHECK_LEN],
}

/// The key material a handle keeps while open (the passphrase itself is never kept).
pub(crate) struct DerivedKey {
    encryption: Zeroizing<[u8; 32]>,
    check: [u8; CHECK_LEN],
}

impl fmt::Debug for DerivedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DerivedKey(<redacted>)")
    }
}

/// Stretches `secret` according to `kdf` (`None`: raw key) and `salt`, then splits it with HKDF.
/// A secret of the other kind than the slot's is a wrong key.
pub(crate) fn derive(
    secret: StoreSecret<'_>,
    kdf: Option<&KdfParams>,
    salt: &[u8; SALT_LEN],
) -> Result<DerivedKey, StoreError> {
    let mut ikm = Zeroizing::new([0u8; 32]);
    match (secret, kdf) {
        (StoreSecret::Passphrase(pass), Some(params)) => {
            let argon_params = Params::new(
                params.memory_kib,
                params.iterations,
                params.parallelism,
                Some(32),
            )
            .map_err(|_| StoreError::Malformed("argon2 parameters"))?;
            Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params)
                .hash_password_into(pass.as_bytes(), salt, ikm.as_mut())
                .map_err(|_| StoreError::Malformed("argon2 parameters"))?;
        }
        (StoreSecret::RawKey(key), None) => ikm.copy_from_slice(key),
        _ => return Err(StoreError::WrongKey),
    }
    let hkdf = Hkdf::<Sha256>::new(Some(salt), ikm.as_ref());
    let mut encryption = Zeroizing::new([0u8; 32]);
    let mut check = [0u8; CHECK_LEN];
    // Expanding 32 bytes from SHA-256 HKDF cannot exceed its 255-block limit.
    hkdf.expand(INFO_ENCRYPTION, encryption.as_mut())
        .map_err(|_| StoreError::Malformed("key schedule"))?;
    hkdf.expand(INFO_KEY_CHECK, &mut check)
        .map_err(|_| StoreError::Malformed("key schedule"))?;
    Ok(DerivedKey { encryption, check })
}

/// A fresh slot (new random salt) and its key, for `create`, `change_key` and backups.
pub(crate) fn new_slot(
    secret: StoreSecret<'_>,
    kdf: &KdfParams,
    rng: &mut dyn CryptoRngCore,
) -> Result<(KeySlot, DerivedKey), StoreError> {
    let kdf = match secret {
        StoreSecret::Passphrase("") => return Err(StoreError::EmptyPassphrase),
        StoreSecret::Passphrase(_) => {
            // Re-validate: the fields are private, but a future constructor must not bypass this.
            Some(KdfParams::new(
                kdf.memory_kib,
                kdf.iterations,
                kdf.parallelism,
            )?)
        }
        StoreSecret::RawKey(_) => None,
    };
    let mut salt = [0u8; SALT_LEN];
    rng.fill_bytes(&mut salt);
    let key = derive(secret, kdf.as_ref(), &salt)?;
    let slot = KeySlot {
        kdf,
        salt,
        key_check: key.check,
    };
    Ok((slot, key))
}

/// Derives the key for an existing slot and checks it against the slot's key-check value, so a
/// wrong key is reported as such rather than as tampering.
pub(crate) fn unlock(secret: StoreSecret<'_>, slot: &KeySlot) -> Result<DerivedKey, StoreError> {
    let key = derive(secret, slot.kdf.as_ref(), &slot.salt)?;
    // Not secret-dependent timing in any useful sense (an attacker holding the file computes the
    // check value offline anyway), but compare without early exit all the same.
    let diff = key
        .check
        .iter()
        .zip(slot.key_check.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if diff != 0 {
        return Err(StoreError::WrongKey);
    }
    Ok(key)
}

/// A parsed header plus the borrowed header bytes (the associated data) and ciphertext.
pub(crate) struct Sealed<'a> {
    pub slot: KeySlot,
    nonce: [u8; NONCE_LEN],
    header: &'a [u8],
    ciphertext: &'a [u8],
}

fn take<'a, const N: usize>(rest: &mut &'a [u8]) -> Result<&'a [u8; N], StoreError> {
    let (head, tail) = rest.split_first_chunk::<N>().ok_or(StoreError::Truncated)?;
    *rest = tail;
    Ok(head)
}

fn take_u32(rest: &mut &[u8]) -> Result<u32, StoreError> {
    Ok(u32::from_be_bytes(*take::<4>(rest)?))
}

/// Parses and bounds-checks the container. No secret is needed; nothing here is trusted until
/// [`open_sealed`] has authenticated it.
pub(crate) fn parse(bytes: &[u8]) -> Result<Sealed<'_>, StoreError> {
    // A file cut inside the magic is a truncated store; anything else there is not a store.
    let magic_len = bytes.len().min(MAGIC.len());
    if bytes.get(..magic_len) != MAGIC.get(..magic_len) {
        return Err(StoreError::NotAStore);
    }
    let (header, ciphertext) = bytes
        .split_at_checked(HEADER_LEN)
        .ok_or(StoreError::Truncated)?;
    let mut rest = header;
    let _magic = take::<8>(&mut rest)?;
    let version = u16::from_be_bytes(*take::<2>(&mut rest)?);
    if version > FORMAT_VERSION {
        return Err(StoreError::NewerVersion {
            what: "format",
            found: u32::from(version),
            supported: u32::from(FORMAT_VERSION),
        });
    }
    if version == 0 {
        return Err(StoreError::Malformed("format version 0"));
    }
    let [kind] = *take::<1>(&mut rest)?;
    let memory_kib = take_u32(&mut rest)?;
    let iterations = take_u32(&mut rest)?;
    let parallelism = take_u32(&mut rest)?;
    let kdf = match kind {
        KIND_PASSPHRASE => {
            if parallelism == 0
                || iterations == 0
                || u64::from(memory_kib) < u64::from(parallelism).saturating_mul(8)
            {
                return Err(StoreError::Malformed("argon2 parameters"));
            }
            Some(KdfParams {
                memory_kib,
                iterations,
                parallelism,
            })
        }
        KIND_RAW_KEY => {
            if (memory_kib, iterations, parallelism) != (0, 0, 0) {
                return Err(StoreError::Malformed("raw-key store with kdf parameters"));
            }
            None
        }
        _ => return Err(StoreError::Malformed("unknown key kind")),
    };
    let salt = *take::<SALT_LEN>(&mut rest)?;
    let key_check = *take::<CHECK_LEN>(&mut rest)?;
    let nonce = *take::<NONCE_LEN>(&mut rest)?;
    let ct_len = take_u32(&mut rest)?;
    if usize::try_from(ct_len).ok() != Some(ciphertext.len()) {
        return Err(StoreError::Truncated);
    }
    if ciphertext.len() < TAG_LEN {
        return Err(StoreError::Malformed("ciphertext shorter than its tag"));
    }
    Ok(Sealed {
        slot: KeySlot {
            kdf,
            salt,
            key_check,
        },
        nonce,
        header,
        ciphertext,
    })
}

/// Authenticates and decrypts. The plaintext buffer is zeroized on drop.
pub(crate) fn open_sealed(
    sealed: &Sealed<'_>,
    key: &DerivedKey,
) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    let cipher = XChaCha20Poly1305::new(key.encryption.as_ref().into());
    let mut buffer = Zeroizing::new(Vec::with_capacity(sealed.ciphertext.len()));
    buffer.extend_from_slice(sealed.ciphertext);
    cipher
        .decrypt_in_place(
            XNonce::from_slice(&sealed.nonce),
            sealed.header,
            &mut *buffer,
        )
        .map_err(|_| StoreError::Tampered)?;
    Ok(buffer)
}

fn encode_header(slot: &KeySlot, nonce: &[u8; NONCE_LEN], ct_len: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_be_bytes());
    let (kind, m, t, p) = match &slot.kdf {
        Some(k) => (KIND_PASSPHRASE, k.memory_kib, k.iterations, k.parallelism),
        None => (KIND_RAW_KEY, 0, 0, 0),
    };
    out.push(kind);
    out.extend_from_slice(&m.to_be_bytes());
    out.extend_from_slice(&t.to_be_bytes());
    out.extend_from_slice(&p.to_be_bytes());
    out.extend_from_slice(&slot.salt);
    out.extend_from_slice(&slot.key_check);
    out.extend_from_slice(nonce);
    out.extend_from_slice(&ct_len.to_be_bytes());
    out
}

/// Encrypts `plaintext` (consumed; its buffer is zeroized) under a fresh random nonce and
/// returns the complete file.
pub(crate) fn seal(
    slot: &KeySlot,
    key: &DerivedKey,
    mut plaintext: Zeroizing<Vec<u8>>,
    rng: &mut dyn CryptoRngCore,
) -> Result<Vec<u8>, StoreError> {
    let mut nonce = [0u8; NONCE_LEN];
    // 192-bit random nonces: collisions are negligible however many times the store is rewritten,
    // which is why XChaCha20 rather than ChaCha20's 96-bit nonce.
    rng.fill_bytes(&mut nonce);
    let ct_len = plaintext
        .len()
        .checked_add(TAG_LEN)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or(StoreError::TooLarge {
            max: u64::from(u32::MAX),
        })?;
    let header = encode_header(slot, &nonce, ct_len);
    // Reserve the tag's room so appending it does not reallocate and leave a plaintext copy in
    // freed memory.
    plaintext.reserve_exact(TAG_LEN);
    let cipher = XChaCha20Poly1305::new(key.encryption.as_ref().into());
    cipher
        .encrypt_in_place(XNonce::from_slice(&nonce), &header, &mut *plaintext)
        .map_err(|_| StoreError::Corrupt("encryption failed"))?;
    let mut out = header;
    out.extend_from_slice(&plaintext);
    Ok(out)
}
