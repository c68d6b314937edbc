//! The holder wallet store: the resident's credentials and holder keys in one file, encrypted
//! at rest and replaced atomically on every change. It sits beside [the presentation
//! step](crate::holder::present): credentials come in through [`Store::import`] (verified, bound to a
//! key the store holds) and go out as presentations through [`Store::present`], whose KB-JWT is
//! signed by the store's software key or, for keys kept in secure hardware, by the app's
//! [`ExternalKeys`] callback.
//!
//! File: a fixed header (magic, format version, Argon2id parameters and salt or a raw-key
//! marker, key-check value, nonce) and the XChaCha20-Poly1305 ciphertext of a JSON body, the
//! header bound as associated data. Every change is a locked read-modify-write: take the
//! advisory lock beside the store, re-read and authenticate the file, change the body, write
//! the whole file through [`fsutil::write_atomic`](crate::fsutil::write_atomic). A handle keeps
//! only the derived key, never the passphrase, and reads the file afresh for every operation,
//! so several handles and processes see each other's changes. docs/store.md has the byte
//! layout, the crypto choices and the threat model.
//!
//! Holder keys: [`Store::new_holder_key`] makes a fresh key for every credential request, so
//! that two verifiers cannot link two credentials through a shared `cnf` key. A key is Ed25519,
//! P-256 or SM2 ([`Store::new_holder_key_with`], issue 17 point 5: phone secure hardware holds
//! P-256 only), and a KB-JWT is signed with the algorithm of the credential's key.

mod body;
mod error;
mod format;
mod lock;
mod signer;

pub use body::{MAX_CREDENTIALS, MAX_HANDLE_LEN, MAX_HOLDER_KEYS};
pub use error::StoreError;
pub use format::{KdfLimits, KdfParams, StoreSecret};
pub use signer::{ExternalKeys, ExternalSignature, HolderKeyInfo, HolderKeyKind, HolderSigner};

use crate::format::credential::{StatusRef, VcError};
use crate::format::keys::{Algorithm, PrivateKey, PublicKey};
use crate::format::sdjwt::KeyBindingRequest;
use crate::format::sdjwt::{ClaimPath, SdJwtParts};
use crate::fsutil::{create_atomic, write_atomic};
use crate::holder::present;
use crate::trust::IssuerKeyResolver;
use crate::verifier::verify::{KeyBindingPolicy, VerifyPolicy, verify_presentation};
use body::{Body, CredentialRecord, ExternalKeyRecord, KeyRecord, Seed, SoftwareKeyRecord};
use format::{DerivedKey, KeySlot};
use rand_core::CryptoRngCore;
use serde::Serialize;
use signer::SignerInner;
use std::fmt;
use std::fs::File;
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};
use std::time::Duration;
use zeroize::Zeroizing;

/// Largest store file read (256 credentials of the 64 KiB maximum size, plus keys and header).
pub const MAX_FILE_LEN: u64 = 24 * 1024 * 1024;
/// Clock difference tolerated when verifying a credential on import, seconds: a phone's clock
/// may be a few minutes off, and refusing a just-issued credential for that helps nobody.
pub const IMPORT_CLOCK_SKEW: u64 = 300;
/// Store files are readable by their owner only.
const FILE_MODE: u32 = 0o600;

/// How a store is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOptions {
    /// The most key-derivation work accepted from the header (checked before Argon2 runs).
    pub kdf_limits: KdfLimits,
    /// How long a change waits for another process's lock before failing with
    /// [`StoreError::Locked`]; zero fails at once.
    pub lock_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            kdf_limits: KdfLimits::default(),
            lock_timeout: Duration::from_secs(5),
        }
    }
}

/// What the wallet shows about a stored credential without opening it (no claim values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CredentialInfo {
    /// Stable id ([`credential_id`](crate::format::credential::credential_id)).
    pub id: String,
    /// `vct`.
    pub vct: String,
    /// Catalogue short name (e.g. `resident-id`), if the type is in the catalogue.
    pub type_name: Option<String>,
    /// Document name in Chinese (e.g. 居民身份证), if the type is in the catalogue.
    pub name_zh: Option<String>,
    /// Document name in English, if the type is in the catalogue.
    pub name_en: Option<String>,
    /// `iss`.
    pub issuer: String,
    /// `iat`, unix seconds.
    pub issued_at: i64,
    /// `nbf`, unix seconds, if present.
    pub not_before: Option<i64>,
    /// `exp`, unix seconds.
    pub expires_at: i64,
    /// Where the credential's revocation status is published, if anywhere.
    pub status: Option<StatusRef>,
    /// Id of the holder key the credential is bound to.
    pub holder_key_id: String,
    /// When it was imported (the `now` passed to [`Store::import`]), unix seconds.
    pub imported_at: i64,
}

/// A stored credential with its full SD-JWT (as issued, all disclosures).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCredential {
    /// Its metadata.
    pub info: CredentialInfo,
    /// The SD-JWT as issued: `<issuer-jwt>~<disclosure>~…~`.
    pub credential: String,
}

/// What [`Store::remove`] deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// The removed credential.
    pub credential: CredentialInfo,
    /// Its holder key, deleted with it when no other credential used it. For an external key
    /// the app should now delete the hardware key named by the handle.
    pub deleted_key: Option<HolderKeyInfo>,
}

/// An open holder store. Cheap to keep open: it holds the path and the derived key (zeroized on
/// drop), and reads the file for each operation. Changes take `&self` because the file lock,
/// not the borrow checker, is what serialises writers (across threads and processes alike).
pub struct Store {
    path: PathBuf,
    lock_path: PathBuf,
    slot: KeySlot,
    key: DerivedKey,
    lock_timeout: Duration,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

fn read_store_file(path: &Path) -> Result<Vec<u8>, StoreError> {
    let file = File::open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => StoreError::NotFound,
        _ => StoreError::Io {
            op: "read",
            error: e,
        },
    })?;
    let len = file.metadata().map_err(StoreError::io("read"))?.len();
    if len > MAX_FILE_LEN {
        return Err(StoreError::TooLarge { max: MAX_FILE_LEN });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    // The length can change between stat and read (another writer renames a new file in, but we
    // hold the old inode) — still bound the read itself.
    file.take(MAX_FILE_LEN.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(StoreError::io("read"))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_FILE_LEN {
        return Err(StoreError::TooLarge { max: MAX_FILE_LEN });
    }
    Ok(bytes)
}

/// The checks that let a creation fail before any key derivation or file work: nothing may
/// exist at `path`, and its directory must.
fn check_new_path(path: &Path) -> Result<(), StoreError> {
    if path.try_exists().map_err(StoreError::io("read"))? {
        return Err(StoreError::AlreadyExists);
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(StoreError::Io {
            op: "write",
            error: io::Error::new(
                io::ErrorKind::NotFound,
                "the directory for the store does not exist",
            ),
        });
    }
    Ok(())
}

fn seal_body(
    slot: &KeySlot,
    key: &DerivedKey,
    body: &Body,
    rng: &mut dyn CryptoRngCore,
) -> Result<Vec<u8>, StoreError> {
    body.validate()?;
    let plaintext = body.encode()?;
    let bytes = format::seal(slot, key, plaintext, rng)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_FILE_LEN {
        return Err(StoreError::TooLarge { max: MAX_FILE_LEN });
    }
    Ok(bytes)
}

fn credential_info(record: &CredentialRecord) -> CredentialInfo {
    CredentialInfo {
        id: record.id.clone(),
        vct: record.vct.clone(),
        type_name: record.type_name.clone(),
        name_zh: record.name_zh.clone(),
        name_en: record.name_en.clone(),
        issuer: record.issuer.clone(),
        issued_at: record.issued_at,
        not_before: record.not_before,
        expires_at: record.expires_at,
        status: record.status.as_ref().map(StatusRef::from),
        holder_key_id: record.holder_key_id.clone(),
        imported_at: record.imported_at,
    }
}

fn key_info(body: &Body, key: &KeyRecord) -> HolderKeyInfo {
    HolderKeyInfo {
        id: key.id().to_owned(),
        public_key: key.public_key().clone(),
        kind: match key {
            KeyRecord::Software(_) => HolderKeyKind::Software,
            KeyRecord::External(k) => HolderKeyKind::External {
                handle: k.handle.clone(),
            },
        },
        credentials: body.credentials_of(key.id()),
    }
}

/// A software key's private key. The secret was checked only for its length when read (a
/// scalar multiplication per key and read would be wasted work), so an EC scalar of 0 or ≥ n,
/// which no store this library wrote can hold, surfaces here.
fn software_key(key: &SoftwareKeyRecord) -> Result<PrivateKey, StoreError> {
    PrivateKey::from_secret_bytes(key.public.algorithm(), &key.seed.0)
        .map_err(|_| StoreError::Corrupt("a holder key's secret is invalid"))
}

fn signer_for<'a>(
    key: &KeyRecord,
    external: Option<&'a dyn ExternalKeys>,
) -> Result<HolderSigner<'a>, StoreError> {
    let inner = match key {
        KeyRecord::Software(k) => SignerInner::Software(software_key(k)?),
        KeyRecord::External(k) => SignerInner::External {
            handle: k.handle.clone(),
            public: k.public.clone(),
            keys: external,
        },
    };
    Ok(HolderSigner { inner })
}

/// The stored credential `id` and its holder key.
fn find<'b>(body: &'b Body, id: &str) -> Result<(&'b CredentialRecord, &'b KeyRecord), StoreError> {
    let credential = body.credential(id).ok_or(StoreError::UnknownCredential)?;
    // `validate` guarantees the key exists; a missing one is corruption, not a panic.
    let key = body
        .key(&credential.holder_key_id)
        .ok_or(StoreError::Corrupt("a credential's holder key is missing"))?;
    Ok((credential, key))
}

impl Store {
    /// Creates an empty store at `path` (which must not exist), locked by `secret`. `kdf` is
    /// used for a passphrase (production: [`KdfParams::RECOMMENDED`]) and ignored for a raw key.
    pub fn create(
        path: &Path,
        secret: StoreSecret<'_>,
        kdf: &KdfParams,
        options: &StoreOptions,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<Self, StoreError> {
        check_new_path(path)?;
        let (slot, key) = format::new_slot(secret, kdf, rng)?;
        let store = Self::with_key(path, slot, key, options);
        let bytes = seal_body(&store.slot, &store.key, &Body::empty(), rng)?;
        store.write_new(&bytes)?;
        Ok(store)
    }

    /// Opens the store at `path`. Checks, in order: size, header, the header's key-derivation
    /// cost against `options.kdf_limits` (before any Argon2 work), the key (wrong →
    /// [`StoreError::WrongKey`]), the ciphertext (altered → [`StoreError::Tampered`]) and the
    /// schema version. Failures never write. A store of an older schema is migrated and written
    /// back at once (atomically, under the lock), which is what `rng` is for. Once the key is
    /// proven, temporary files a killed writer left beside the store are deleted (only this
    /// store's, `.<name>.tmp-XXXXXX`, and only if no other process holds the lock right now).
    pub fn open(
        path: &Path,
        secret: StoreSecret<'_>,
        options: &StoreOptions,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<Self, StoreError> {
        let bytes = read_store_file(path)?;
        let (store, migrated) = Self::unlock_bytes(path, &bytes, secret, options)?;
        store.remove_orphaned_temp_files();
        if migrated {
            // `load` migrates again under the lock, in case another process got there first.
            store.mutate(rng, |_| Ok(()))?;
        }
        Ok(store)
    }

    /// Writes `backup` (from [`Store::export_backup`]) as a new store at `path` and opens it,
    /// after checking that `secret` unlocks it and its contents are valid. Refuses to replace
    /// an existing file.
    pub fn restore_backup(
        path: &Path,
        backup: &[u8],
        secret: StoreSecret<'_>,
        options: &StoreOptions,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<Self, StoreError> {
        if u64::try_from(backup.len()).unwrap_or(u64::MAX) > MAX_FILE_LEN {
            return Err(StoreError::TooLarge { max: MAX_FILE_LEN });
        }
        check_new_path(path)?;
        let (store, migrated) = Self::unlock_bytes(path, backup, secret, options)?;
        store.write_new(backup)?;
        if migrated {
            store.mutate(rng, |_| Ok(()))?;
        }
        Ok(store)
    }

    fn with_key(path: &Path, slot: KeySlot, key: DerivedKey, options: &StoreOptions) -> Self {
        Self {
            path: path.to_owned(),
            lock_path: lock::lock_path(path),
            slot,
            key,
            lock_timeout: options.lock_timeout,
        }
    }

    fn unlock_bytes(
        path: &Path,
        bytes: &[u8],
        secret: StoreSecret<'_>,
        options: &StoreOptions,
    ) -> Result<(Self, bool), StoreError> {
        let sealed = format::parse(bytes)?;
        if let Some(kdf) = &sealed.slot.kdf {
            options.kdf_limits.check(kdf)?;
        }
        let key = format::unlock(secret, &sealed.slot)?;
        let plaintext = format::open_sealed(&sealed, &key)?;
        let (_, migrated) = Body::decode(&plaintext)?;
        Ok((Self::with_key(path, sealed.slot, key, options), migrated))
    }

    /// Deletes temporary files of this store that a writer killed before its rename left
    /// behind ([`fsutil::remove_orphaned_temp_files`](crate::fsutil::remove_orphaned_temp_files)),
    /// under the writer lock: every write of the store holds it, so while we do no temporary
    /// file of ours is in use. One attempt only: a holder is a live writer whose temporary file
    /// must stay, opening must not wait or fail for housekeeping, and the next open sweeps.
    fn remove_orphaned_temp_files(&self) {
        if let Ok(_lock) = lock::acquire(&self.lock_path, Duration::ZERO) {
            crate::fsutil::remove_orphaned_temp_files(&self.path);
        }
    }

    /// Creates the file, refusing to replace anything at its name. No lock is needed: the
    /// no-replace rename is the one step that both checks and creates, and no other writer can
    /// touch a store that does not exist yet. So a creation that fails leaves nothing behind —
    /// no store, no temporary file, no lock file (that appears with the first change).
    fn write_new(&self, bytes: &[u8]) -> Result<(), StoreError> {
        create_atomic(&self.path, bytes, FILE_MODE).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => StoreError::AlreadyExists,
            _ => StoreError::Io {
                op: "write",
                error: e,
            },
        })
    }

    /// Reads and authenticates the current file with this handle's key.
    fn load(&self) -> Result<Body, StoreError> {
        let bytes = read_store_file(&self.path)?;
        let sealed = format::parse(&bytes)?;
        if sealed.slot != self.slot {
            return Err(StoreError::Rekeyed);
        }
        let plaintext = format::open_sealed(&sealed, &self.key)?;
        Ok(Body::decode(&plaintext)?.0)
    }

    /// A locked read-modify-write: nothing is written unless `change` succeeds, and the write
    /// is atomic, so every other reader sees the state before or after, never between.
    fn mutate<T>(
        &self,
        rng: &mut dyn CryptoRngCore,
        change: impl FnOnce(&mut Body) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        lock::with_lock(&self.lock_path, self.lock_timeout, || {
            let mut body = self.load()?;
            let out = change(&mut body)?;
            let bytes = seal_body(&self.slot, &self.key, &body, rng)?;
            write_atomic(&self.path, &bytes, FILE_MODE).map_err(StoreError::io("write"))?;
            Ok(out)
        })
    }

    /// The store file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Changes how long changes wait for another process's lock.
    pub fn set_lock_timeout(&mut self, timeout: Duration) {
        self.lock_timeout = timeout;
    }

    /// Generates a fresh software Ed25519 holder key (from `rng`) and stores it. Give its
    /// [`jwk`](HolderKeyInfo::jwk) to the issuing agency with the credential request; use a new
    /// key for every credential so verifiers cannot link credentials by key.
    pub fn new_holder_key(&self, rng: &mut dyn CryptoRngCore) -> Result<HolderKeyInfo, StoreError> {
        self.new_holder_key_with(Algorithm::EdDsa, rng)
    }

    /// [`Store::new_holder_key`] for a key of `algorithm`: Ed25519, P-256 (`ES256`, what an
    /// OpenID4VC high-assurance verifier asks for) or SM2. A store holding a P-256 or SM2 key is
    /// written as body schema 3, which apps older than this library refuse with
    /// [`StoreError::NewerVersion`] (docs/store.md).
    pub fn new_holder_key_with(
        &self,
        algorithm: Algorithm,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<HolderKeyInfo, StoreError> {
        let key = PrivateKey::generate(algorithm, rng).map_err(StoreError::Signer)?;
        let seed = key.secret_bytes();
        let public = key.public_key();
        drop(key);
        let id = public.thumbprint();
        self.mutate(rng, move |body| {
            if body.keys.len() >= MAX_HOLDER_KEYS {
                return Err(StoreError::Full {
                    what: "holder keys",
                    max: MAX_HOLDER_KEYS,
                });
            }
            if body.key(&id).is_some() {
                return Err(StoreError::DuplicateKey { id });
            }
            body.keys.push(KeyRecord::Software(SoftwareKeyRecord {
                id: id.clone(),
                public,
                seed: Seed(seed),
            }));
            let key = body.key(&id).ok_or(StoreError::UnknownHolderKey)?;
            Ok(key_info(body, key))
        })
    }

    /// Records a holder key kept by the app in secure hardware: its public key, of any
    /// algorithm ([`PublicKey::from_jwk`] reads the JWK a phone exports; an Ed25519
    /// [`VerifyingKey`](crate::format::keys::VerifyingKey) converts), and the handle the app will
    /// be called back with ([`ExternalKeys::sign`]) to sign with it.
    pub fn register_external_key(
        &self,
        handle: &str,
        public_key: impl Into<PublicKey>,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<HolderKeyInfo, StoreError> {
        let public_key: PublicKey = public_key.into();
        if handle.is_empty() {
            return Err(StoreError::InvalidHandle("the handle is empty"));
        }
        if handle.len() > MAX_HANDLE_LEN {
            return Err(StoreError::InvalidHandle(
                "the handle is longer than 256 bytes",
            ));
        }
        let id = public_key.thumbprint();
        self.mutate(rng, |body| {
            if body.keys.len() >= MAX_HOLDER_KEYS {
                return Err(StoreError::Full {
                    what: "holder keys",
                    max: MAX_HOLDER_KEYS,
                });
            }
            if body.key(&id).is_some() {
                return Err(StoreError::DuplicateKey { id });
            }
            body.keys.push(KeyRecord::External(ExternalKeyRecord {
                id: id.clone(),
                public: public_key,
                handle: handle.to_owned(),
            }));
            let key = body.key(&id).ok_or(StoreError::UnknownHolderKey)?;
            Ok(key_info(body, key))
        })
    }

    /// All holder keys (public parts), in creation order.
    pub fn holder_keys(&self) -> Result<Vec<HolderKeyInfo>, StoreError> {
        let body = self.load()?;
        Ok(body.keys.iter().map(|k| key_info(&body, k)).collect())
    }

    /// Deletes a holder key no stored credential uses (e.g. one requested for a credential that
    /// never came). A software key's private part is gone for good.
    pub fn remove_holder_key(
        &self,
        key_id: &str,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<HolderKeyInfo, StoreError> {
        self.mutate(rng, |body| {
            let index = body
                .keys
                .iter()
                .position(|k| k.id() == key_id)
                .ok_or(StoreError::UnknownHolderKey)?;
            if !body.credentials_of(key_id).is_empty() {
                return Err(StoreError::HolderKeyInUse);
            }
            let key = body.keys.remove(index);
            Ok(key_info(body, &key))
        })
    }

    /// Imports a credential as issued (`<jwt>~<d>~…~`): verifies it fully at `now` (issuer
    /// signature through `resolver`, validity with [`IMPORT_CLOCK_SKEW`], structure and every
    /// disclosure), checks that its `cnf.jwk` is a holder key this store holds, refuses
    /// duplicates, and stores it with its metadata.
    pub fn import(
        &self,
        credential: &str,
        resolver: &dyn IssuerKeyResolver,
        now: i64,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<CredentialInfo, StoreError> {
        let parts =
            SdJwtParts::split(credential).map_err(|e| StoreError::Credential(VcError::from(e)))?;
        if parts.kb_jwt.is_some() {
            return Err(StoreError::NotIssuedForm(
                "it carries a key-binding JWT; import the credential as the issuer sent it",
            ));
        }
        let policy = VerifyPolicy {
            now,
            clock_skew: IMPORT_CLOCK_SKEW,
            key_binding: KeyBindingPolicy::IfPresent,
        };
        let report =
            verify_presentation(credential, resolver, &policy).map_err(StoreError::Credential)?;
        let record = body::describe(credential, report.holder_kid, now)?;
        self.mutate(rng, |body| {
            if body.credential(&record.id).is_some() {
                return Err(StoreError::Duplicate { id: record.id });
            }
            if body.key(&record.holder_key_id).is_none() {
                return Err(StoreError::HolderKeyNotHeld);
            }
            if body.credentials.len() >= MAX_CREDENTIALS {
                return Err(StoreError::Full {
                    what: "credentials",
                    max: MAX_CREDENTIALS,
                });
            }
            let info = credential_info(&record);
            body.credentials.push(record);
            Ok(info)
        })
    }

    /// The stored credentials' metadata, in import order.
    pub fn list(&self) -> Result<Vec<CredentialInfo>, StoreError> {
        Ok(self
            .load()?
            .credentials
            .iter()
            .map(credential_info)
            .collect())
    }

    /// One stored credential with its SD-JWT.
    pub fn get(&self, id: &str) -> Result<StoredCredential, StoreError> {
        let body = self.load()?;
        let record = body.credential(id).ok_or(StoreError::UnknownCredential)?;
        Ok(StoredCredential {
            info: credential_info(record),
            credential: record.sd_jwt.clone(),
        })
    }

    /// Removes a credential, and its holder key when no other credential uses it (the key was
    /// made for that credential; keeping it would only keep a secret around).
    pub fn remove(&self, id: &str, rng: &mut dyn CryptoRngCore) -> Result<Removed, StoreError> {
        self.mutate(rng, |body| {
            let index = body
                .credentials
                .iter()
                .position(|c| c.id == id)
                .ok_or(StoreError::UnknownCredential)?;
            let record = body.credentials.remove(index);
            let deleted_key = if body.credentials_of(&record.holder_key_id).is_empty() {
                body.keys
                    .iter()
                    .position(|k| k.id() == record.holder_key_id)
                    .map(|i| body.keys.remove(i))
                    .map(|k| key_info(body, &k))
            } else {
                None
            };
            Ok(Removed {
                credential: credential_info(&record),
                deleted_key,
            })
        })
    }

    /// A signer for credential `id`'s holder key. For a hardware key, `external` must be given;
    /// the signer calls it with the key's handle.
    pub fn holder_signer<'a>(
        &self,
        id: &str,
        external: Option<&'a dyn ExternalKeys>,
    ) -> Result<HolderSigner<'a>, StoreError> {
        let body = self.load()?;
        let (_, key) = find(&body, id)?;
        if matches!(key, KeyRecord::External(_)) && external.is_none() {
            return Err(StoreError::ExternalSignerRequired);
        }
        signer_for(key, external)
    }

    /// Builds a presentation of credential `id` disclosing `disclose`, with a KB-JWT signed by its
    /// holder key when `key_binding` is given (see [`present::present`]).
    pub fn present(
        &self,
        id: &str,
        disclose: &[ClaimPath],
        key_binding: Option<&KeyBindingRequest>,
        external: Option<&dyn ExternalKeys>,
    ) -> Result<String, StoreError> {
        let body = self.load()?;
        let (credential, key) = find(&body, id)?;
        if key_binding.is_some() && matches!(key, KeyRecord::External(_)) && external.is_none() {
            return Err(StoreError::ExternalSignerRequired);
        }
        let signer = signer_for(key, external)?;
        present::present(&credential.sd_jwt, disclose, key_binding, &signer)
            .map_err(StoreError::Present)
    }

    /// Exports a software holder key's private JWK, in clear — the one way a holder key leaves
    /// the store unencrypted. For moving a key to another wallet; prefer [`Store::export_backup`].
    pub fn export_holder_key(&self, key_id: &str) -> Result<Zeroizing<String>, StoreError> {
        let body = self.load()?;
        match body.key(key_id).ok_or(StoreError::UnknownHolderKey)? {
            KeyRecord::Software(k) => Ok(software_key(k)?.to_jwk_string()),
            KeyRecord::External(_) => Err(StoreError::KeyNotExportable),
        }
    }

    /// The whole store as a backup file, encrypted under `secret` (a backup passphrase, or the
    /// same one) with a fresh salt and nonce: the same format as the store file, so it can be
    /// restored with [`Store::restore_backup`] or copied in place and opened. External keys are
    /// included as references only; their hardware keys do not move.
    pub fn export_backup(
        &self,
        secret: StoreSecret<'_>,
        kdf: &KdfParams,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<Vec<u8>, StoreError> {
        let body = self.load()?;
        let (slot, key) = format::new_slot(secret, kdf, rng)?;
        seal_body(&slot, &key, &body, rng)
    }

    /// Re-encrypts the store under a new passphrase or raw key (switching between the two is
    /// allowed), with a fresh salt. Other open handles then get [`StoreError::Rekeyed`].
    pub fn change_key(
        &mut self,
        new_secret: StoreSecret<'_>,
        kdf: &KdfParams,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<(), StoreError> {
        // Argon2 runs before the lock is taken, so other writers wait only for the rewrite.
        let (slot, key) = format::new_slot(new_secret, kdf, rng)?;
        lock::with_lock(&self.lock_path, self.lock_timeout, || {
            let body = self.load()?;
            let bytes = seal_body(&slot, &key, &body, rng)?;
            write_atomic(&self.path, &bytes, FILE_MODE).map_err(StoreError::io("write"))
        })?;
        self.slot = slot;
        self.key = key;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
