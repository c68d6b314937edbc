//! Keys for issuers, holders and trust-list roots. Ed25519 (RFC 8032) is the default and has its
//! own types ([`SigningKey`], [`VerifyingKey`], the [`Signer`] trait through which holder keys
//! kept in secure hardware sign key-binding JWTs): generation from a caller-supplied CSPRNG, JWK
//! import/export (RFC 8037 §2, `kty: OKP`, `crv: Ed25519`), PKCS#8 PEM (RFC 8410 / RFC 5958 v1,
//! the form OpenSSL 3.0 reads), RFC 7638 thumbprints (used as `kid`).
//!
//! [`PrivateKey`] and [`PublicKey`] hold a key of any supported [`Algorithm`] — Ed25519, P-256
//! ECDSA (JWS `ES256`, what phone secure hardware and the OpenID4VC high-assurance profile use) or
//! SM2 with SM3 (JWS `SM2`, what Chinese government systems are assessed against) — and each key
//! knows its algorithm, so that a verifier never takes it from a token (docs/format.md,
//! "Algorithms").

use crate::encoding::{b64_decode_array, b64_encode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::DecodePrivateKey as _;
use p256::elliptic_curve;
use rand_core::CryptoRngCore;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};
use std::fmt;
use zeroize::Zeroizing;

/// Errors of the key layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The JWK is not a JSON object or lacks a required member.
    #[error("invalid JWK: {0}")]
    InvalidJwk(&'static str),
    /// The JWK is not a key type this place accepts: the Ed25519-only types take OKP keys on
    /// Ed25519; [`PublicKey`]/[`PrivateKey`] also take EC keys on P-256 and SM2 (not RSA, not
    /// `crv: X25519`, not other curves).
    #[error("unsupported key type: only Ed25519 (OKP), P-256 and SM2 (EC) keys are accepted here")]
    UnsupportedKeyType,
    /// The JWK's `alg` member names another algorithm than the key's own.
    #[error("key is restricted to another algorithm than its own")]
    AlgorithmMismatch,
    /// A key member is not canonical unpadded base64url of the right length.
    #[error("key member {0:?} is not canonical base64url of the expected length")]
    Encoding(&'static str),
    /// The public key is not a valid curve point, or is of small order (a key any signature
    /// could verify under, rejected as `verify_strict` does).
    #[error("public key is invalid or of small order")]
    WeakKey,
    /// An EC public key is not a point of its curve: a coordinate is not below the field prime,
    /// the point does not satisfy the curve equation, or it is the identity.
    #[error("EC public key is not a valid point of its curve")]
    InvalidPoint,
    /// A DER-encoded ECDSA/SM2 signature is not a minimal `SEQUENCE` of two 32-byte `INTEGER`s.
    #[error("signature is not a minimal DER ECDSA-Sig-Value with 32-byte integers")]
    SignatureDer,
    /// A private member (`d`) appeared where only a public key belongs.
    #[error("a private key was given where a public key is expected")]
    PrivateKeyInPublicJwk,
    /// The private JWK's `x` does not belong to its `d`.
    #[error("the JWK's public part does not match its private part")]
    KeyMismatch,
    /// The text is not a PKCS#8 PEM private key of a supported algorithm (the Ed25519-only
    /// [`SigningKey`] reads Ed25519 only).
    #[error("invalid PEM: expected a PKCS#8 \"PRIVATE KEY\" for Ed25519, P-256 or SM2")]
    InvalidPem,
    /// An external signer failed to produce a signature.
    #[error("signer failed: {0}")]
    SignerFailed(String),
}

impl KeyError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidJwk(_) => "key.invalid_jwk",
            Self::UnsupportedKeyType => "key.unsupported_key_type",
            Self::AlgorithmMismatch => "key.algorithm_mismatch",
            Self::Encoding(_) => "key.encoding",
            Self::WeakKey => "key.weak_key",
            Self::InvalidPoint => "key.invalid_point",
            Self::SignatureDer => "key.signature_der",
            Self::PrivateKeyInPublicJwk => "key.private_in_public",
            Self::KeyMismatch => "key.mismatch",
            Self::InvalidPem => "key.invalid_pem",
            Self::SignerFailed(_) => "key.signer_failed",
        }
    }
}

/// Anything that can sign with an Ed25519 key: the software [`SigningKey`], or a callback into a
/// phone's Secure Enclave / StrongBox through which the private key never leaves the hardware.
pub trait Signer {
    /// The public key signatures verify under.
    fn public_key(&self) -> VerifyingKey;
    /// Signs `message` (the JWS signing input) with Ed25519.
    fn sign(&self, message: &[u8]) -> Result<[u8; 64], KeyError>;
}

/// An Ed25519 public key that has passed the small-order check.
#[derive(Clone, Copy)]
pub struct VerifyingKey {
    // The encoding as received: RFC 8032 §5.1.7 hashes these bytes, not a re-encoding.
    bytes: [u8; 32],
    // -A, decompressed once when the key is read, in curve25519-dalek 5's representation:
    // its AVX-512 IFMA backend (selected at run time, see .cargo/config.toml) does the
    // verification equation's double scalar multiplication in ~60% of the AVX2 backend's time.
    minus_a: curve25519_dalek::EdwardsPoint,
}

impl PartialEq for VerifyingKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for VerifyingKey {}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("x", &b64_encode(self.bytes))
            .finish()
    }
}

impl VerifyingKey {
    /// Reads a 32-byte compressed Edwards point, refusing invalid and small-order points.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, KeyError> {
        let point = curve25519_dalek::edwards::CompressedEdwardsY(*bytes)
            .decompress()
            .ok_or(KeyError::WeakKey)?;
        if point.is_small_order() {
            return Err(KeyError::WeakKey);
        }
        Ok(Self {
            bytes: *bytes,
            minus_a: negate(point),
        })
    }

    /// Reads a public JWK (RFC 8037 §2). Extra members such as `kid` and `use` are allowed; a
    /// `d` member is refused so that a private key is never mistaken for a public one.
    pub fn from_jwk(jwk: &Value) -> Result<Self, KeyError> {
        let obj = jwk
            .as_object()
            .ok_or(KeyError::InvalidJwk("not a JSON object"))?;
        if obj.contains_key("d") {
            return Err(KeyError::PrivateKeyInPublicJwk);
        }
        Self::from_bytes(&okp_x(obj)?)
    }

    /// Parses a public JWK from JSON text.
    pub fn from_jwk_str(text: &str) -> Result<Self, KeyError> {
        let value = crate::encoding::parse_json(text.as_bytes())
            .map_err(|_| KeyError::InvalidJwk("not valid JSON"))?;
        Self::from_jwk(&value)
    }

    /// The public JWK: exactly `crv`, `kty`, `x` (lexicographic order, as RFC 7638 hashes it).
    pub fn to_jwk(&self) -> Value {
        let mut map = Map::new();
        map.insert("crv".into(), Value::from("Ed25519"));
        map.insert("kty".into(), Value::from("OKP"));
        map.insert("x".into(), Value::from(b64_encode(self.bytes)));
        Value::Object(map)
    }

    /// RFC 7638 JWK thumbprint (SHA-256, base64url): the `kid` of issuer keys.
    pub fn thumbprint(&self) -> String {
        // RFC 7638 §3.2: required members only (for OKP: crv, kty, x), sorted, no whitespace.
        // Every member but `x` is fixed and `x` is base64url (no character needs escaping), so
        // the canonical text is assembled directly; a test checks it equals serde_json's
        // serialization of `to_jwk`.
        let mut x = [0u8; 43];
        let written = URL_SAFE_NO_PAD
            .encode_slice(self.bytes, &mut x)
            .unwrap_or_default();
        let mut hasher = Sha256::new();
        hasher.update(br#"{"crv":"Ed25519","kty":"OKP","x":""#);
        hasher.update(x.get(..written).unwrap_or_default());
        hasher.update(br#""}"#);
        b64_encode(hasher.finalize())
    }

    /// The raw 32-byte public key.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// Verifies with `verify_strict`'s rules: rejects non-canonical `S`, small-order `R` and
    /// keys, so a signature cannot be re-spelled (malleated) into another valid one.
    ///
    /// The decision is exactly ed25519-dalek's `verify_strict` on every input (a test compares
    /// the two), reached with one point decompression fewer. `verify_strict` decompresses `R`
    /// only to ask whether it has small order, then recomputes `R' = [S]B - [k]A` and accepts
    /// iff `R'`'s canonical encoding equals `R`'s bytes. When it does, `R` is that canonical
    /// encoding, so "`R` has small order" is "`R`'s bytes are one of the small-order
    /// encodings" — a byte comparison. When it does not, both refuse. The key side
    /// (`A` not of small order) holds by construction: [`VerifyingKey`] refuses weak keys.
    ///
    /// The rest is RFC 8032 §5.1.7 as ed25519-dalek's cofactorless `verify` does it: `S` must be
    /// canonical (`S < l`), `k = SHA-512(R || A || M) mod l`, and `[S]B - [k]A` must encode to
    /// `R`'s bytes.
    pub fn verify_strict(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        use curve25519_dalek::{EdwardsPoint, Scalar};
        let (r, s) = signature.split_at(32);
        let (Ok(r), Ok(s)) = (<&[u8; 32]>::try_from(r), <[u8; 32]>::try_from(s)) else {
            return false;
        };
        if small_order_encodings().contains(r) {
            return false;
        }
        let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s)) else {
            return false;
        };
        let mut h = sha2::Sha512::new();
        h.update(r);
        h.update(self.bytes);
        h.update(message);
        let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
        EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &self.minus_a, &s)
            .compress()
            .as_bytes()
            == r
    }
}

/// `-P`: the verification equation adds `[k](-A)`, so keys keep `-A` ready.
// Point negation flips a coordinate modulo p; there is no integer overflow to guard against.
#[allow(clippy::arithmetic_side_effects)]
fn negate(point: curve25519_dalek::EdwardsPoint) -> curve25519_dalek::EdwardsPoint {
    -point
}

/// Every 32-byte string that decodes to a point of small order (the eight torsion points, plus
/// the non-canonical spellings the decoder also accepts). `verify_strict` refuses a signature
/// whose `R` is one of them; [`verify_batch`] checks `R` against this list, a byte comparison,
/// instead of decompressing every `R` a second time.
fn small_order_encodings() -> &'static [[u8; 32]] {
    static LIST: std::sync::OnceLock<Vec<[u8; 32]>> = std::sync::OnceLock::new();
    LIST.get_or_init(|| {
        // p = 2^255 - 19, little-endian: y + p still fits in 255 bits only when y < 19.
        let mut p = [0xffu8; 32];
        if let Some(first) = p.first_mut() {
            *first = 0xed;
        }
        if let Some(last) = p.last_mut() {
            *last = 0x7f;
        }
        let mut out: Vec<[u8; 32]> = Vec::new();
        for point in curve25519_dalek::constants::EIGHT_TORSION {
            let canonical = point.compress().to_bytes();
            let mut spellings = vec![canonical];
            let y_small = canonical
                .get(1..31)
                .is_some_and(|m| m.iter().all(|&b| b == 0))
                && canonical.get(31).is_some_and(|&b| b & 0x7f == 0)
                && canonical.first().is_some_and(|&b| b < 19);
            if y_small {
                // y + p: add p's bytes with carry (y < 19, so only the low byte carries).
                let mut plus_p = p;
                if let (Some(lo), Some(&y)) = (plus_p.first_mut(), canonical.first()) {
                    *lo = lo.wrapping_add(y);
                }
                if let (Some(hi), Some(&sign)) = (plus_p.last_mut(), canonical.last()) {
                    *hi |= sign & 0x80;
                }
                spellings.push(plus_p);
            }
            for spelling in spellings {
                let mut flipped = spelling;
                if let Some(hi) = flipped.last_mut() {
                    *hi ^= 0x80;
                }
                for candidate in [spelling, flipped] {
                    let small = curve25519_dalek::edwards::CompressedEdwardsY(candidate)
                        .decompress()
                        .is_some_and(|q| q.is_small_order());
                    if small && !out.contains(&candidate) {
                        out.push(candidate);
                    }
                }
            }
        }
        out
    })
}

/// Checks many Ed25519 signatures at once with a randomised batch equation, much cheaper per
/// signature than one check each. `true` means every signature verifies; `false` means at least
/// one does not (or one has a small-order `R` or a non-canonical `S`, which `verify_strict`
/// refuses), or the OS gave no randomness, and the caller must find which with
/// [`VerifyingKey::verify_strict`]. Keys are already known not to be weak: [`VerifyingKey`]
/// refuses small-order keys when it is built.
///
/// The equation is the sum of each signature's cofactorless check, `[S]B - R - [k]A = 0`, each
/// weighted by a fresh random 128-bit `z`: `[sum z*S]B + sum [-z]R + sum [z*k](-A) = 0`. A
/// signature that fails its own check makes the sum non-zero except with probability about
/// 2^-128, since whoever made it cannot know `z`. Terms for the same key are merged into one
/// point, so a batch of presentations from one issuer costs one point for all issuer
/// signatures. The multi-scalar multiplication is curve25519-dalek's (Straus or Pippenger, on
/// the same run-time-selected backend as single checks).
// Scalar arithmetic is modulo l and point negation modulo p: nothing can overflow.
#[allow(clippy::arithmetic_side_effects)]
pub fn verify_batch(items: &[(&VerifyingKey, &[u8], &[u8; 64])]) -> bool {
    use curve25519_dalek::traits::{IsIdentity as _, VartimeMultiscalarMul as _};
    use curve25519_dalek::{EdwardsPoint, Scalar, constants::ED25519_BASEPOINT_POINT};
    use rand_core::RngCore as _;
    use std::collections::hash_map::{Entry, HashMap};
    let small = small_order_encodings();
    let mut weights = vec![0u8; items.len().saturating_mul(16)];
    if rand_core::OsRng.try_fill_bytes(&mut weights).is_err() {
        return false;
    }
    let mut b_coefficient = Scalar::ZERO;
    let mut scalars: Vec<Scalar> = Vec::with_capacity(items.len().saturating_mul(2));
    let mut points: Vec<EdwardsPoint> = Vec::with_capacity(items.len().saturating_mul(2));
    let mut key_slot: HashMap<[u8; 32], usize> = HashMap::new();
    for ((key, message, signature), z) in items.iter().zip(weights.chunks_exact(16)) {
        let (r, s) = signature.split_at(32);
        let (Ok(r), Ok(s)) = (<&[u8; 32]>::try_from(r), <[u8; 32]>::try_from(s)) else {
            return false;
        };
        if small.contains(r) {
            return false;
        }
        let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s)) else {
            return false;
        };
        let Some(r_point) = curve25519_dalek::edwards::CompressedEdwardsY(*r).decompress() else {
            return false;
        };
        let mut wide = [0u8; 32];
        if let Some(low) = wide.get_mut(..16) {
            low.copy_from_slice(z);
        }
        let z = Scalar::from_bytes_mod_order(wide);
        let mut h = sha2::Sha512::new();
        h.update(r);
        h.update(key.bytes);
        h.update(message);
        let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
        b_coefficient += z * s;
        scalars.push(-z);
        points.push(r_point);
        match key_slot.entry(key.bytes) {
            Entry::Occupied(slot) => {
                if let Some(c) = scalars.get_mut(*slot.get()) {
                    *c += z * k;
                }
            }
            Entry::Vacant(slot) => {
                slot.insert(scalars.len());
                scalars.push(z * k);
                points.push(key.minus_a);
            }
        }
    }
    scalars.push(b_coefficient);
    points.push(ED25519_BASEPOINT_POINT);
    EdwardsPoint::vartime_multiscalar_mul(&scalars, &points).is_identity()
}

/// The `kty` and `crv` members of a JWK, both required.
fn kty_crv(obj: &Map<String, Value>) -> Result<(&str, &str), KeyError> {
    let kty = obj
        .get("kty")
        .and_then(Value::as_str)
        .ok_or(KeyError::InvalidJwk("missing kty"))?;
    let crv = obj
        .get("crv")
        .and_then(Value::as_str)
        .ok_or(KeyError::InvalidJwk("missing crv"))?;
    Ok((kty, crv))
}

fn okp_x(obj: &Map<String, Value>) -> Result<[u8; 32], KeyError> {
    let (kty, crv) = kty_crv(obj)?;
    if kty != "OKP" || crv != "Ed25519" {
        return Err(KeyError::UnsupportedKeyType);
    }
    if let Some(alg) = obj.get("alg")
        && alg != "EdDSA"
        && alg != "Ed25519"
    {
        return Err(KeyError::AlgorithmMismatch);
    }
    let x = obj
        .get("x")
        .and_then(Value::as_str)
        .ok_or(KeyError::InvalidJwk("missing x"))?;
    b64_decode_array::<32>(x).map_err(|_| KeyError::Encoding("x"))
}

/// An Ed25519 private key. Its bytes are zeroized on drop and never shown by `Debug`.
pub struct SigningKey {
    inner: ed25519_dalek::SigningKey,
    // RFC 8032 §5.1.6 steps 1–2 (SHA-512 of the seed, clamped scalar and prefix) depend only on
    // the key: computing them once instead of per signature makes issuance ~10% faster.
    // Zeroized on drop like the seed.
    expanded: ed25519_dalek::hazmat::ExpandedSecretKey,
    public: VerifyingKey,
}

impl Clone for SigningKey {
    fn clone(&self) -> Self {
        Self::wrap(self.inner.clone())
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.verifying_key().thumbprint())
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// DER prefix of a PKCS#8 v1 `OneAsymmetricKey` for Ed25519 (RFC 8410 §7): SEQUENCE, version 0,
/// AlgorithmIdentifier id-Ed25519 (1.3.101.112), OCTET STRING wrapping the 32-byte CurvePrivateKey.
const PKCS8_V1_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

impl SigningKey {
    /// Generates a key from the given CSPRNG (pass `rand_core::OsRng` in production).
    pub fn generate<R: CryptoRngCore + ?Sized>(rng: &mut R) -> Self {
        let mut seed = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(seed.as_mut());
        Self::from_seed(&seed)
    }

    /// Builds a key from its 32-byte RFC 8032 seed.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self::wrap(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    fn wrap(inner: ed25519_dalek::SigningKey) -> Self {
        let expanded = ed25519_dalek::hazmat::ExpandedSecretKey::from(inner.as_bytes());
        // The public point again, in curve25519-dalek 5's type, from the secret scalar (no
        // decompression that could fail); the copies of the scalar are wiped.
        let secret = Zeroizing::new(expanded.scalar.to_bytes());
        let mut scalar = curve25519_dalek::Scalar::from_bytes_mod_order(*secret);
        let a = curve25519_dalek::EdwardsPoint::mul_base(&scalar);
        zeroize::Zeroize::zeroize(&mut scalar);
        let public = VerifyingKey {
            bytes: inner.verifying_key().to_bytes(),
            minus_a: negate(a),
        };
        Self {
            inner,
            expanded,
            public,
        }
    }

    /// The public half.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.public
    }

    /// Reads a private JWK (RFC 8037 §2 with `d`); `x` must match `d`.
    pub fn from_jwk(jwk: &Value) -> Result<Self, KeyError> {
        let obj = jwk
            .as_object()
            .ok_or(KeyError::InvalidJwk("not a JSON object"))?;
        let x = okp_x(obj)?;
        let d = obj
            .get("d")
            .and_then(Value::as_str)
            .ok_or(KeyError::InvalidJwk("missing d"))?;
        let seed = Zeroizing::new(b64_decode_array::<32>(d).map_err(|_| KeyError::Encoding("d"))?);
        let key = Self::from_seed(&seed);
        if key.inner.verifying_key().as_bytes() != &x {
            return Err(KeyError::KeyMismatch);
        }
        Ok(key)
    }

    /// Parses a private JWK from JSON text.
    pub fn from_jwk_str(text: &str) -> Result<Self, KeyError> {
        let value = crate::encoding::parse_json(text.as_bytes())
            .map_err(|_| KeyError::InvalidJwk("not valid JSON"))?;
        Self::from_jwk(&value)
    }

    /// The private JWK as JSON text (`crv`, `d`, `kty`, `x`), in a buffer zeroized on drop.
    pub fn to_jwk_string(&self) -> Zeroizing<String> {
        let mut jwk = self.verifying_key().to_jwk();
        if let Value::Object(map) = &mut jwk {
            map.insert("d".into(), Value::from(b64_encode(self.inner.as_bytes())));
        }
        let text = Zeroizing::new(serde_json::to_string(&jwk).unwrap_or_default());
        // The temporary Value held the secret too; wipe its string before dropping it.
        if let Some(Value::String(d)) = jwk.get_mut("d") {
            zeroize::Zeroize::zeroize(d);
        }
        text
    }

    /// PKCS#8 v1 PEM (48-byte DER), the form OpenSSL 3.0's `openssl pkey` reads; the v2 form
    /// with an embedded public key is refused by OpenSSL 3.0.
    pub fn to_pkcs8_pem(&self) -> Zeroizing<String> {
        let mut der = Zeroizing::new([0u8; 48]);
        let (prefix, seed) = der.split_at_mut(PKCS8_V1_PREFIX.len());
        prefix.copy_from_slice(&PKCS8_V1_PREFIX);
        seed.copy_from_slice(self.inner.as_bytes());
        // Encoding 48 bytes into a String cannot fail; an empty string would surface as a
        // parse error on read rather than a panic here.
        Zeroizing::new(
            pem_rfc7468::encode_string("PRIVATE KEY", pem_rfc7468::LineEnding::LF, der.as_ref())
                .unwrap_or_default(),
        )
    }

    /// Reads a PKCS#8 PEM private key (v1, or v2 with a matching public key).
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, KeyError> {
        let inner =
            ed25519_dalek::SigningKey::from_pkcs8_pem(pem).map_err(|_| KeyError::InvalidPem)?;
        Ok(Self::wrap(inner))
    }

    /// Reads a private key from either a PEM or a JWK text, told apart by the first character.
    pub fn from_text(text: &str) -> Result<Self, KeyError> {
        if text.trim_start().starts_with('{') {
            Self::from_jwk_str(text)
        } else {
            Self::from_pkcs8_pem(text)
        }
    }

    /// RFC 7638 thumbprint of the public key.
    pub fn thumbprint(&self) -> String {
        self.verifying_key().thumbprint()
    }
}

impl Signer for SigningKey {
    fn public_key(&self) -> VerifyingKey {
        self.verifying_key()
    }
    fn sign(&self, message: &[u8]) -> Result<[u8; 64], KeyError> {
        let signature = ed25519_dalek::hazmat::raw_sign::<sha2::Sha512>(
            &self.expanded,
            message,
            &self.inner.verifying_key(),
        );
        Ok(signature.to_bytes())
    }
}

// ---------------------------------------------------------------------------------------------
// Algorithm agility: Ed25519, P-256 (ES256) and SM2 behind one public-key and one private-key
// type. The algorithm is a property of the key; a token header is only ever checked against it
// (crate::jws), never used to choose how to verify.
// ---------------------------------------------------------------------------------------------

/// The signature algorithms a key can be for, with their JWS `alg` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// Ed25519 (RFC 8032), written `EdDSA` (RFC 8037); `Ed25519` (RFC 9864) is accepted on read.
    EdDsa,
    /// ECDSA on P-256 with SHA-256 (RFC 7518 §3.4), signature r‖s.
    Es256,
    /// SM2 with SM3 (GM/T 0003.2, GB/T 32918.2), distinguishing identifier
    /// [`SM2_DISTINGUISHING_ID`], signature r‖s. `SM2` is not an IANA-registered JWS name
    /// (docs/format.md says why it was chosen).
    Sm2,
}

impl Algorithm {
    /// Every algorithm, in the order they were added.
    pub const ALL: [Algorithm; 3] = [Algorithm::EdDsa, Algorithm::Es256, Algorithm::Sm2];

    /// The JWS `alg` value written for this algorithm.
    pub fn jws_name(self) -> &'static str {
        match self {
            Self::EdDsa => "EdDSA",
            Self::Es256 => "ES256",
            Self::Sm2 => "SM2",
        }
    }

    /// The algorithm a JWS `alg` value names, if it is one of ours. Both `EdDSA` and the fully
    /// specified `Ed25519` (RFC 9864) name Ed25519; names are case-sensitive (RFC 7515 §4.1.1).
    pub fn from_jws_name(name: &str) -> Option<Self> {
        match name {
            "EdDSA" | "Ed25519" => Some(Self::EdDsa),
            "ES256" => Some(Self::Es256),
            "SM2" => Some(Self::Sm2),
            _ => None,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.jws_name())
    }
}

/// The SM2 distinguishing identifier hashed into `Z_A` (GM/T 0003.2 §5.5): GM/T 0009's default,
/// which OpenSSL uses with `-pkeyopt distid:1234567812345678`. Verifiers and signers must agree on
/// it, so it is fixed rather than configurable.
pub const SM2_DISTINGUISHING_ID: &str = "1234567812345678";

/// An ECDSA P-256 or SM2 public key: the validated point and its coordinates as received.
#[derive(Clone)]
struct EcPublic<K> {
    x: [u8; 32],
    y: [u8; 32],
    key: K,
}

#[derive(Clone)]
enum PublicInner {
    Ed25519(VerifyingKey),
    P256(EcPublic<p256::ecdsa::VerifyingKey>),
    // Boxed: sm2's key caches the 32-byte `Z_A` hash beside the point.
    Sm2(Box<EcPublic<sm2::dsa::VerifyingKey>>),
}

/// A public key of any supported algorithm; it knows its [`Algorithm`]. Built only from
/// validated material: an EC point is on its curve, not the identity, with coordinates below `p`;
/// an Ed25519 key is not of small order.
#[derive(Clone)]
pub struct PublicKey(PublicInner);

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (PublicInner::Ed25519(a), PublicInner::Ed25519(b)) => a == b,
            (PublicInner::P256(a), PublicInner::P256(b)) => a.x == b.x && a.y == b.y,
            (PublicInner::Sm2(a), PublicInner::Sm2(b)) => a.x == b.x && a.y == b.y,
            _ => false,
        }
    }
}

impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("alg", &self.algorithm().jws_name())
            .field("kid", &self.thumbprint())
            .finish()
    }
}

impl From<VerifyingKey> for PublicKey {
    fn from(key: VerifyingKey) -> Self {
        Self(PublicInner::Ed25519(key))
    }
}

impl From<&VerifyingKey> for PublicKey {
    fn from(key: &VerifyingKey) -> Self {
        Self(PublicInner::Ed25519(*key))
    }
}

impl From<&PublicKey> for PublicKey {
    fn from(key: &PublicKey) -> Self {
        key.clone()
    }
}

/// The two 32-byte coordinates of an uncompressed SEC1 point.
fn sec1_coordinates<C>(
    point: &elliptic_curve::sec1::EncodedPoint<C>,
) -> Result<([u8; 32], [u8; 32]), KeyError>
where
    C: elliptic_curve::Curve,
    elliptic_curve::FieldBytesSize<C>: elliptic_curve::sec1::ModulusSize,
{
    let x = point.x().ok_or(KeyError::InvalidPoint)?;
    let y = point.y().ok_or(KeyError::InvalidPoint)?;
    let x = <[u8; 32]>::try_from(x.as_slice()).map_err(|_| KeyError::InvalidPoint)?;
    let y = <[u8; 32]>::try_from(y.as_slice()).map_err(|_| KeyError::InvalidPoint)?;
    Ok((x, y))
}

fn p256_public(
    x: &[u8; 32],
    y: &[u8; 32],
) -> Result<EcPublic<p256::ecdsa::VerifyingKey>, KeyError> {
    use elliptic_curve::sec1::FromEncodedPoint as _;
    let point = p256::EncodedPoint::from_affine_coordinates(&(*x).into(), &(*y).into(), false);
    // Decoding each coordinate refuses values >= p; the point must satisfy the curve equation;
    // an affine pair can never be the identity, which `PublicKey` refuses besides.
    let public = Option::<p256::PublicKey>::from(p256::PublicKey::from_encoded_point(&point))
        .ok_or(KeyError::InvalidPoint)?;
    Ok(EcPublic {
        x: *x,
        y: *y,
        key: p256::ecdsa::VerifyingKey::from(public),
    })
}

fn sm2_public(x: &[u8; 32], y: &[u8; 32]) -> Result<EcPublic<sm2::dsa::VerifyingKey>, KeyError> {
    use elliptic_curve::sec1::FromEncodedPoint as _;
    let point = sm2::EncodedPoint::from_affine_coordinates(&(*x).into(), &(*y).into(), false);
    let public = Option::<sm2::PublicKey>::from(sm2::PublicKey::from_encoded_point(&point))
        .ok_or(KeyError::InvalidPoint)?;
    let key = sm2::dsa::VerifyingKey::new(SM2_DISTINGUISHING_ID, public)
        .map_err(|_| KeyError::InvalidPoint)?;
    Ok(EcPublic { x: *x, y: *y, key })
}

/// The curve of an EC JWK, after the `kty`/`crv`/`alg` checks.
fn ec_curve(obj: &Map<String, Value>) -> Result<Algorithm, KeyError> {
    let (kty, crv) = kty_crv(obj)?;
    let algorithm = match (kty, crv) {
        ("OKP", "Ed25519") => Algorithm::EdDsa,
        ("EC", "P-256") => Algorithm::Es256,
        ("EC", "SM2") => Algorithm::Sm2,
        _ => return Err(KeyError::UnsupportedKeyType),
    };
    // A JWK may restrict its key to one algorithm (RFC 7517 §4.4); it must be the key's own.
    if let Some(alg) = obj.get("alg")
        && alg.as_str().and_then(Algorithm::from_jws_name) != Some(algorithm)
    {
        return Err(KeyError::AlgorithmMismatch);
    }
    Ok(algorithm)
}

fn ec_xy(obj: &Map<String, Value>) -> Result<([u8; 32], [u8; 32]), KeyError> {
    let member = |name: &'static str| {
        let text = obj
            .get(name)
            .and_then(Value::as_str)
            .ok_or(KeyError::InvalidJwk(if name == "x" {
                "missing x"
            } else {
                "missing y"
            }))?;
        // RFC 7518 §6.2.1.2: exactly the field's 32 bytes, leading zeros kept.
        b64_decode_array::<32>(text).map_err(|_| KeyError::Encoding(name))
    };
    Ok((member("x")?, member("y")?))
}

impl PublicKey {
    /// The algorithm signatures under this key use.
    pub fn algorithm(&self) -> Algorithm {
        match &self.0 {
            PublicInner::Ed25519(_) => Algorithm::EdDsa,
            PublicInner::P256(_) => Algorithm::Es256,
            PublicInner::Sm2(_) => Algorithm::Sm2,
        }
    }

    /// The Ed25519 key, if this is one.
    pub fn as_ed25519(&self) -> Option<&VerifyingKey> {
        match &self.0 {
            PublicInner::Ed25519(key) => Some(key),
            _ => None,
        }
    }

    /// Reads a public JWK: OKP/Ed25519 (RFC 8037), EC/P-256 (RFC 7518 §6.2) or EC/SM2 (the same
    /// members, `crv: "SM2"`). Extra members such as `kid` and `use` are allowed; `d` is refused;
    /// an `alg` member must name the key's own algorithm.
    pub fn from_jwk(jwk: &Value) -> Result<Self, KeyError> {
        let obj = jwk
            .as_object()
            .ok_or(KeyError::InvalidJwk("not a JSON object"))?;
        if obj.contains_key("d") {
            return Err(KeyError::PrivateKeyInPublicJwk);
        }
        match ec_curve(obj)? {
            Algorithm::EdDsa => Ok(Self(PublicInner::Ed25519(VerifyingKey::from_jwk(jwk)?))),
            Algorithm::Es256 => {
                let (x, y) = ec_xy(obj)?;
                Ok(Self(PublicInner::P256(p256_public(&x, &y)?)))
            }
            Algorithm::Sm2 => {
                let (x, y) = ec_xy(obj)?;
                Ok(Self(PublicInner::Sm2(Box::new(sm2_public(&x, &y)?))))
            }
        }
    }

    /// Parses a public JWK from JSON text.
    pub fn from_jwk_str(text: &str) -> Result<Self, KeyError> {
        let value = crate::encoding::parse_json(text.as_bytes())
            .map_err(|_| KeyError::InvalidJwk("not valid JSON"))?;
        Self::from_jwk(&value)
    }

    /// The public JWK with exactly the RFC 7638 required members, in lexicographic order:
    /// `crv`, `kty`, `x` for Ed25519; `crv`, `kty`, `x`, `y` for EC keys.
    pub fn to_jwk(&self) -> Value {
        let (crv, x, y) = match &self.0 {
            PublicInner::Ed25519(key) => return key.to_jwk(),
            PublicInner::P256(key) => ("P-256", &key.x, &key.y),
            PublicInner::Sm2(key) => ("SM2", &key.x, &key.y),
        };
        let mut map = Map::new();
        map.insert("crv".into(), Value::from(crv));
        map.insert("kty".into(), Value::from("EC"));
        map.insert("x".into(), Value::from(b64_encode(x)));
        map.insert("y".into(), Value::from(b64_encode(y)));
        Value::Object(map)
    }

    /// RFC 7638 JWK thumbprint (SHA-256, base64url) over the required members.
    pub fn thumbprint(&self) -> String {
        match &self.0 {
            PublicInner::Ed25519(key) => key.thumbprint(),
            // serde_json writes the members in `to_jwk`'s (sorted) order with no whitespace, and
            // no member needs escaping: exactly RFC 7638 §3's canonical form.
            _ => b64_encode(Sha256::digest(
                serde_json::to_vec(&self.to_jwk()).unwrap_or_default(),
            )),
        }
    }

    /// Checks `signature` over `message` with this key's algorithm: Ed25519 as
    /// [`VerifyingKey::verify_strict`]; P-256 ECDSA/SHA-256 and SM2/SM3 with r‖s refused unless
    /// both r and s lie in [1, n−1] (high S is accepted: other ES256 signers produce it).
    pub fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        match &self.0 {
            PublicInner::Ed25519(key) => key.verify_strict(message, signature),
            PublicInner::P256(key) => {
                // from_slice refuses r or s equal to 0 or >= n.
                p256::ecdsa::Signature::from_slice(signature).is_ok_and(|sig| {
                    p256::ecdsa::signature::Verifier::verify(&key.key, message, &sig).is_ok()
                })
            }
            PublicInner::Sm2(key) => {
                // from_slice refuses r or s equal to 0 or >= n; verify refuses (r + s) mod n = 0
                // (GM/T 0003.2 §7.1 B5) and hashes Z_A (with the fixed ID) before the message.
                sm2::dsa::Signature::from_slice(signature).is_ok_and(|sig| {
                    sm2::dsa::signature::Verifier::verify(&key.key, message, &sig).is_ok()
                })
            }
        }
    }
}

/// A signature check that knows its algorithm: what [`crate::jws::Jws::verify`] takes, so that a
/// header's `alg` is compared with the key's and never selects the algorithm.
pub trait KeyVerifier {
    /// The algorithm of the key.
    fn key_algorithm(&self) -> Algorithm;
    /// `true` iff `signature` is valid over `message` under the key.
    fn verify_signature(&self, message: &[u8], signature: &[u8; 64]) -> bool;
    /// The key's RFC 7638 thumbprint.
    fn key_thumbprint(&self) -> String;
}

impl KeyVerifier for VerifyingKey {
    fn key_algorithm(&self) -> Algorithm {
        Algorithm::EdDsa
    }
    fn verify_signature(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        self.verify_strict(message, signature)
    }
    fn key_thumbprint(&self) -> String {
        self.thumbprint()
    }
}

impl KeyVerifier for PublicKey {
    fn key_algorithm(&self) -> Algorithm {
        self.algorithm()
    }
    fn verify_signature(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        self.verify(message, signature)
    }
    fn key_thumbprint(&self) -> String {
        self.thumbprint()
    }
}

/// A signer that knows its algorithm: what [`crate::jws::sign`] takes. Every Ed25519
/// [`Signer`] (software key, secure-hardware callback) is one, and so is [`PrivateKey`].
pub trait KeySigner {
    /// The algorithm the signatures are made with (the JWS `alg` written).
    fn key_algorithm(&self) -> Algorithm;
    /// The public key the signatures verify under.
    fn public(&self) -> PublicKey;
    /// Signs `message` (the JWS signing input); 64 bytes for every supported algorithm (r‖s for
    /// the EC ones).
    fn sign_message(&self, message: &[u8]) -> Result<[u8; 64], KeyError>;
}

impl<T: Signer + ?Sized> KeySigner for T {
    fn key_algorithm(&self) -> Algorithm {
        Algorithm::EdDsa
    }
    fn public(&self) -> PublicKey {
        PublicKey::from(self.public_key())
    }
    fn sign_message(&self, message: &[u8]) -> Result<[u8; 64], KeyError> {
        self.sign(message)
    }
}

/// An SM2 private key. sm2 0.13's own signing key does not wipe its scalar on drop, so signing
/// uses [`Sm2Signing`], ours, which does; `secret` (zeroizing) is kept for PEM and JWK output.
#[derive(Clone)]
struct Sm2Private {
    secret: sm2::SecretKey,
    signing: Sm2Signing,
    public: EcPublic<sm2::dsa::VerifyingKey>,
}

/// What SM2 signing (GM/T 0003.2 §6.1) needs per key, computed once: the secret scalar d,
/// (1 + d)⁻¹ (step A6 uses it in every signature; one inversion saved each time) and Z_A (§5.5,
/// which depends only on the ID and the public key). The scalars are wiped on drop.
#[derive(Clone)]
struct Sm2Signing {
    d: sm2::Scalar,
    inv_one_plus_d: sm2::Scalar,
    z: [u8; 32],
}

impl Drop for Sm2Signing {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.d);
        zeroize::Zeroize::zeroize(&mut self.inv_one_plus_d);
    }
}

/// Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) (GM/T 0003.2 §5.5), with the fixed
/// distinguishing ID; ENTL_A is the ID's length in bits, two bytes big-endian.
fn sm2_z(x: &[u8; 32], y: &[u8; 32]) -> Result<[u8; 32], KeyError> {
    use primeorder::PrimeCurveParams as _;
    use primeorder::elliptic_curve::ff::PrimeField as _;
    use sm3::Digest as _;
    let bits = SM2_DISTINGUISHING_ID
        .len()
        .checked_mul(8)
        .and_then(|b| u16::try_from(b).ok())
        .ok_or(KeyError::InvalidPoint)?;
    let mut h = sm3::Sm3::new();
    h.update(bits.to_be_bytes());
    h.update(SM2_DISTINGUISHING_ID.as_bytes());
    h.update(sm2::Sm2::EQUATION_A.to_repr());
    h.update(sm2::Sm2::EQUATION_B.to_repr());
    h.update(sm2::Sm2::GENERATOR.0.to_repr());
    h.update(sm2::Sm2::GENERATOR.1.to_repr());
    h.update(x);
    h.update(y);
    Ok(h.finalize().into())
}

// Scalar arithmetic is modulo n: nothing can overflow.
#[allow(clippy::arithmetic_side_effects)]
impl Sm2Signing {
    fn new(secret: &sm2::SecretKey, x: &[u8; 32], y: &[u8; 32]) -> Result<Self, KeyError> {
        let d = *secret.to_nonzero_scalar();
        // d = n − 1 makes 1 + d = 0: GM/T 0003.1 requires d in [1, n − 2].
        let inv = Option::<sm2::Scalar>::from((d + sm2::Scalar::ONE).invert())
            .ok_or(KeyError::Encoding("d"))?;
        Ok(Self {
            d,
            inv_one_plus_d: inv,
            z: sm2_z(x, y)?,
        })
    }

    /// A1–A2: e = SM3(Z_A ‖ M), as an integer mod n.
    fn e(&self, message: &[u8]) -> sm2::Scalar {
        use sm3::Digest as _;
        let digest = sm3::Sm3::new()
            .chain_update(self.z)
            .chain_update(message)
            .finalize();
        sm2_reduce(&digest)
    }

    /// GM/T 0003.2 §6.1, steps A1–A7, with k from RFC 6979 (HMAC-SM3) over d and e.
    fn sign(&self, message: &[u8]) -> Result<[u8; 64], KeyError> {
        use primeorder::elliptic_curve::bigint::Encoding as _;
        use primeorder::elliptic_curve::ff::PrimeField as _;
        let e = self.e(message);
        // A3: k in [1, n − 1], deterministic (RFC 6979 §3.2): no signature depends on the quality
        // of a random source, and one message always gets the same signature.
        let order = <sm2::Sm2 as primeorder::elliptic_curve::Curve>::ORDER.to_be_bytes();
        let d_bytes = Zeroizing::new(<[u8; 32]>::from(self.d.to_repr()));
        let k_bytes = Zeroizing::new(<[u8; 32]>::from(rfc6979::generate_k::<sm3::Sm3, _>(
            &(*d_bytes).into(),
            &order.into(),
            &e.to_repr(),
            &[],
        )));
        let k = Option::<sm2::Scalar>::from(sm2::Scalar::from_repr((*k_bytes).into()))
            .ok_or_else(|| KeyError::SignerFailed("SM2 signing failed".into()))?;
        self.sign_with(e, k)
    }

    /// Steps A4–A7 for a given e and k (k is wiped here).
    fn sign_with(&self, e: sm2::Scalar, mut k: sm2::Scalar) -> Result<[u8; 64], KeyError> {
        use primeorder::elliptic_curve::ff::PrimeField as _;
        use primeorder::elliptic_curve::point::AffineCoordinates as _;
        // A4: (x1, y1) = [k]G.
        let x1 = (sm2::ProjectivePoint::GENERATOR * k).to_affine().x();
        // A5: r = (e + x1) mod n; r = 0 or r + k = n would leak k: give up (probability ~2^-256;
        // the deterministic k would repeat on a retry).
        let r = e + sm2_reduce(&x1);
        let degenerate = bool::from(r.is_zero() | (r + k).is_zero());
        // A6: s = ((1 + d)⁻¹ · (k − r·d)) mod n.
        let s = self.inv_one_plus_d * (k - r * self.d);
        zeroize::Zeroize::zeroize(&mut k);
        if degenerate || bool::from(s.is_zero()) {
            return Err(KeyError::SignerFailed("SM2 signing failed".into()));
        }
        // A7: (r, s), written r ‖ s.
        let mut out = [0u8; 64];
        let (r_out, s_out) = out.split_at_mut(32);
        r_out.copy_from_slice(&r.to_repr());
        s_out.copy_from_slice(&s.to_repr());
        Ok(out)
    }
}

/// 32 big-endian bytes as an integer modulo SM2's n.
fn sm2_reduce(bytes: &sm2::FieldBytes) -> sm2::Scalar {
    <sm2::Scalar as primeorder::elliptic_curve::ops::Reduce<sm2::U256>>::reduce_bytes(bytes)
}

// A program holds a handful of private keys, long-lived: the 240 bytes an EC key leaves unused
// matter less than an allocation and an indirection on the default (Ed25519) signing path.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
enum PrivateInner {
    Ed25519(SigningKey),
    // ecdsa's SigningKey wipes its scalar on drop (and carries its public key; the coordinates
    // are kept beside it for JWK output).
    P256(p256::ecdsa::SigningKey, EcPublic<p256::ecdsa::VerifyingKey>),
    Sm2(Sm2Private),
}

/// A private key of any supported algorithm. Secrets are zeroized on drop and never shown by
/// `Debug`.
#[derive(Clone)]
pub struct PrivateKey(PrivateInner);

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("alg", &self.algorithm().jws_name())
            .field("kid", &self.thumbprint())
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl From<SigningKey> for PrivateKey {
    fn from(key: SigningKey) -> Self {
        Self(PrivateInner::Ed25519(key))
    }
}

fn p256_private(key: p256::ecdsa::SigningKey) -> Result<PrivateKey, KeyError> {
    let (x, y) = sec1_coordinates::<p256::NistP256>(&key.verifying_key().to_encoded_point(false))?;
    let public = EcPublic {
        x,
        y,
        key: *key.verifying_key(),
    };
    Ok(PrivateKey(PrivateInner::P256(key, public)))
}

fn sm2_private(secret: sm2::SecretKey) -> Result<PrivateKey, KeyError> {
    use elliptic_curve::sec1::ToEncodedPoint as _;
    let (x, y) = sec1_coordinates::<sm2::Sm2>(&secret.public_key().to_encoded_point(false))?;
    let public = sm2_public(&x, &y)?;
    let signing = Sm2Signing::new(&secret, &x, &y)?;
    Ok(PrivateKey(PrivateInner::Sm2(Sm2Private {
        secret,
        signing,
        public,
    })))
}

impl PrivateKey {
    /// Generates a key for `algorithm` from the given CSPRNG (pass `rand_core::OsRng` in
    /// production).
    pub fn generate<R: CryptoRngCore + ?Sized>(
        algorithm: Algorithm,
        rng: &mut R,
    ) -> Result<Self, KeyError> {
        // The EC scalars are drawn by rejection sampling in [1, n−1] from the caller's source.
        let mut rng = rng;
        match algorithm {
            Algorithm::EdDsa => Ok(Self(PrivateInner::Ed25519(SigningKey::generate(rng)))),
            Algorithm::Es256 => p256_private(p256::ecdsa::SigningKey::random(&mut rng)),
            Algorithm::Sm2 => sm2_private(sm2::SecretKey::random(&mut rng)),
        }
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        match &self.0 {
            PrivateInner::Ed25519(_) => Algorithm::EdDsa,
            PrivateInner::P256(..) => Algorithm::Es256,
            PrivateInner::Sm2(_) => Algorithm::Sm2,
        }
    }

    /// The Ed25519 key, if this is one.
    pub fn as_ed25519(&self) -> Option<&SigningKey> {
        match &self.0 {
            PrivateInner::Ed25519(key) => Some(key),
            _ => None,
        }
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        match &self.0 {
            PrivateInner::Ed25519(key) => PublicKey::from(key.verifying_key()),
            PrivateInner::P256(_, public) => PublicKey(PublicInner::P256(public.clone())),
            PrivateInner::Sm2(key) => PublicKey(PublicInner::Sm2(Box::new(key.public.clone()))),
        }
    }

    /// RFC 7638 thumbprint of the public key.
    pub fn thumbprint(&self) -> String {
        self.public_key().thumbprint()
    }

    /// Signs `message`: Ed25519 (RFC 8032), or P-256 ECDSA/SHA-256 and SM2/SM3 with a
    /// deterministic nonce (RFC 6979, so no signature depends on a random source's quality) and
    /// the signature as r‖s.
    pub fn sign(&self, message: &[u8]) -> Result<[u8; 64], KeyError> {
        match &self.0 {
            PrivateInner::Ed25519(key) => Signer::sign(key, message),
            PrivateInner::P256(key, _) => {
                let sig: p256::ecdsa::Signature =
                    p256::ecdsa::signature::Signer::try_sign(key, message)
                        .map_err(|_| KeyError::SignerFailed("P-256 signing failed".into()))?;
                <[u8; 64]>::try_from(sig.to_bytes().as_slice())
                    .map_err(|_| KeyError::SignerFailed("P-256 signature size".into()))
            }
            PrivateInner::Sm2(key) => key.signing.sign(message),
        }
    }

    /// Reads a private JWK (`d` beside the public members); the public members must match `d`.
    pub fn from_jwk(jwk: &Value) -> Result<Self, KeyError> {
        let obj = jwk
            .as_object()
            .ok_or(KeyError::InvalidJwk("not a JSON object"))?;
        let algorithm = ec_curve(obj)?;
        if algorithm == Algorithm::EdDsa {
            return Ok(Self(PrivateInner::Ed25519(SigningKey::from_jwk(jwk)?)));
        }
        let (x, y) = ec_xy(obj)?;
        let d = obj
            .get("d")
            .and_then(Value::as_str)
            .ok_or(KeyError::InvalidJwk("missing d"))?;
        let d = Zeroizing::new(b64_decode_array::<32>(d).map_err(|_| KeyError::Encoding("d"))?);
        // A scalar of 0 or >= n is not a private key.
        let key = match algorithm {
            Algorithm::Es256 => p256_private(
                p256::ecdsa::SigningKey::from_slice(d.as_ref())
                    .map_err(|_| KeyError::Encoding("d"))?,
            )?,
            _ => sm2_private(
                sm2::SecretKey::from_slice(d.as_ref()).map_err(|_| KeyError::Encoding("d"))?,
            )?,
        };
        let matches = match &key.0 {
            PrivateInner::P256(_, public) => public.x == x && public.y == y,
            PrivateInner::Sm2(sm) => sm.public.x == x && sm.public.y == y,
            PrivateInner::Ed25519(_) => false,
        };
        if matches {
            Ok(key)
        } else {
            Err(KeyError::KeyMismatch)
        }
    }

    /// Parses a private JWK from JSON text.
    pub fn from_jwk_str(text: &str) -> Result<Self, KeyError> {
        let value = crate::encoding::parse_json(text.as_bytes())
            .map_err(|_| KeyError::InvalidJwk("not valid JSON"))?;
        Self::from_jwk(&value)
    }

    /// The private JWK as JSON text (public members and `d`), in a buffer zeroized on drop.
    pub fn to_jwk_string(&self) -> Zeroizing<String> {
        let d = match &self.0 {
            PrivateInner::Ed25519(key) => return key.to_jwk_string(),
            PrivateInner::P256(key, _) => Zeroizing::new(<[u8; 32]>::from(key.to_bytes())),
            PrivateInner::Sm2(key) => Zeroizing::new(<[u8; 32]>::from(key.secret.to_bytes())),
        };
        let mut jwk = self.public_key().to_jwk();
        if let Value::Object(map) = &mut jwk {
            map.insert("d".into(), Value::from(b64_encode(d.as_ref())));
        }
        let text = Zeroizing::new(serde_json::to_string(&jwk).unwrap_or_default());
        // The temporary Value held the secret too; wipe its string before dropping it.
        if let Some(Value::String(d)) = jwk.get_mut("d") {
            zeroize::Zeroize::zeroize(d);
        }
        text
    }

    /// PKCS#8 PEM that OpenSSL 3.0 reads: Ed25519 in the v1 form (RFC 8410); P-256 and SM2 as
    /// RFC 5915 `ECPrivateKey` under id-ecPublicKey with the curve's OID (prime256v1, or SM2's
    /// 1.2.156.10197.1.301), which is also what `openssl genpkey` writes for both.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, KeyError> {
        use p256::pkcs8::EncodePrivateKey as _;
        let ending = p256::pkcs8::LineEnding::LF;
        match &self.0 {
            PrivateInner::Ed25519(key) => Ok(key.to_pkcs8_pem()),
            PrivateInner::P256(key, _) => key.to_pkcs8_pem(ending),
            PrivateInner::Sm2(key) => key.secret.to_pkcs8_pem(ending),
        }
        .map_err(|_| KeyError::InvalidPem)
    }

    /// Reads a PKCS#8 PEM private key of any supported algorithm, told apart by its algorithm
    /// identifier (and, for EC keys, the curve OID).
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, KeyError> {
        use p256::pkcs8::DecodePrivateKey as _;
        if let Ok(key) = SigningKey::from_pkcs8_pem(pem) {
            return Ok(Self(PrivateInner::Ed25519(key)));
        }
        if let Ok(key) = p256::SecretKey::from_pkcs8_pem(pem) {
            return p256_private(p256::ecdsa::SigningKey::from(key));
        }
        if let Ok(key) = sm2::SecretKey::from_pkcs8_pem(pem) {
            return sm2_private(key);
        }
        Err(KeyError::InvalidPem)
    }

    /// Reads a private key from either a PEM or a JWK text, told apart by the first character.
    pub fn from_text(text: &str) -> Result<Self, KeyError> {
        if text.trim_start().starts_with('{') {
            Self::from_jwk_str(text)
        } else {
            Self::from_pkcs8_pem(text)
        }
    }
}

impl KeySigner for PrivateKey {
    fn key_algorithm(&self) -> Algorithm {
        self.algorithm()
    }
    fn public(&self) -> PublicKey {
        self.public_key()
    }
    fn sign_message(&self, message: &[u8]) -> Result<[u8; 64], KeyError> {
        self.sign(message)
    }
}

/// Converts an ECDSA/SM2 signature from DER (`ECDSA-Sig-Value`, SEQUENCE of two INTEGERs: what
/// OpenSSL, iOS and Android produce) to JOSE's r‖s. Only minimal DER is accepted, and r and s
/// must fit 32 bytes; their range is checked when the signature is verified.
pub fn signature_from_der(der: &[u8]) -> Result<[u8; 64], KeyError> {
    fn integer(input: &[u8]) -> Option<(&[u8], &[u8])> {
        let (&tag, rest) = input.split_first()?;
        let (&len, rest) = rest.split_first()?;
        let len = usize::from(len);
        if tag != 0x02 || len == 0 || len > 33 || rest.len() < len {
            return None;
        }
        let (value, rest) = rest.split_at(len);
        let first = *value.first()?;
        // Negative numbers, and a leading zero byte that is not needed, are not minimal DER.
        if first & 0x80 != 0 {
            return None;
        }
        let value = match value {
            [0, next, ..] if next & 0x80 == 0 => return None,
            [0, tail @ ..] if !tail.is_empty() => tail,
            _ => value,
        };
        (value.len() <= 32).then_some((value, rest))
    }
    let bad = KeyError::SignatureDer;
    let (&tag, rest) = der.split_first().ok_or(bad.clone())?;
    let (&len, body) = rest.split_first().ok_or(bad.clone())?;
    // Two INTEGERs of at most 33 content bytes: the length always fits the short form.
    if tag != 0x30 || len >= 0x80 || usize::from(len) != body.len() {
        return Err(bad);
    }
    let (r, rest) = integer(body).ok_or(bad.clone())?;
    let (s, rest) = integer(rest).ok_or(bad.clone())?;
    if !rest.is_empty() {
        return Err(bad);
    }
    let mut out = [0u8; 64];
    let (r_out, s_out) = out.split_at_mut(32);
    r_out
        .get_mut(32usize.saturating_sub(r.len())..)
        .ok_or(bad.clone())?
        .copy_from_slice(r);
    s_out
        .get_mut(32usize.saturating_sub(s.len())..)
        .ok_or(bad)?
        .copy_from_slice(s);
    Ok(out)
}

/// Converts a JOSE r‖s signature to minimal DER (`ECDSA-Sig-Value`), the form OpenSSL's
/// `pkeyutl -verify` reads for ECDSA and SM2.
pub fn signature_to_der(raw: &[u8; 64]) -> Vec<u8> {
    fn integer(out: &mut Vec<u8>, value: &[u8]) {
        let trimmed: &[u8] = match value.iter().position(|&b| b != 0) {
            Some(i) => value.get(i..).unwrap_or_default(),
            None => &[0],
        };
        let pad = trimmed.first().is_some_and(|&b| b & 0x80 != 0);
        out.push(0x02);
        // At most 33 content bytes.
        out.push(u8::try_from(trimmed.len().saturating_add(usize::from(pad))).unwrap_or(0));
        if pad {
            out.push(0);
        }
        out.extend_from_slice(trimmed);
    }
    let (r, s) = raw.split_at(32);
    let mut body = Vec::with_capacity(70);
    integer(&mut body, r);
    integer(&mut body, s);
    let mut out = Vec::with_capacity(72);
    out.push(0x30);
    out.push(u8::try_from(body.len()).unwrap_or(0));
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::panic
)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The same key as ed25519-dalek's type, the reference the tests compare with.
    fn dalek(key: &VerifyingKey) -> ed25519_dalek::VerifyingKey {
        ed25519_dalek::VerifyingKey::from_bytes(key.as_bytes()).unwrap()
    }

    /// The clamped secret scalar `a` (RFC 8032 §5.1.5), for forging test signatures.
    fn secret_scalar(key: &SigningKey) -> curve25519_dalek::Scalar {
        curve25519_dalek::Scalar::from_bytes_mod_order(key.expanded.scalar.to_bytes())
    }

    #[test]
    fn small_order_list_and_batch_refuse_what_verify_strict_refuses() {
        let list = small_order_encodings();
        // The eight torsion points, the two x = 0 points with the sign bit set, and y = 0 and
        // y = 1 written as y + p (each with both sign bits).
        assert_eq!(list.len(), 14, "{list:?}");
        assert!(list.contains(&{
            let mut id = [0u8; 32];
            id[0] = 1;
            id
        }));

        // A signature with R = identity and S = k·a satisfies the cofactorless equation
        // [S]B = R + [k]A, so plain `verify` (and an unfiltered batch) accepts it; verify_strict
        // refuses it for its small-order R, and the batch must too.
        use curve25519_dalek::scalar::Scalar;
        let key = SigningKey::from_seed(&[5; 32]);
        let public = key.verifying_key();
        let message = b"small-order R";
        let r = {
            let mut id = [0u8; 32];
            id[0] = 1;
            id
        };
        let mut h = sha2::Sha512::new();
        h.update(r);
        h.update(public.as_bytes());
        h.update(message);
        let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
        let s_scalar = k * secret_scalar(&key);
        let mut forged = [0u8; 64];
        forged[..32].copy_from_slice(&r);
        forged[32..].copy_from_slice(s_scalar.as_bytes());
        let sig = ed25519_dalek::Signature::from_bytes(&forged);
        use ed25519_dalek::Verifier as _;
        assert!(
            dalek(&public).verify(message, &sig).is_ok(),
            "cofactorless equation holds"
        );
        assert!(!public.verify_strict(message, &forged));
        let good = Signer::sign(&key, b"fine").unwrap();
        assert!(verify_batch(&[
            (&public, b"fine", &good),
            (&public, b"fine", &good)
        ]));
        assert!(!verify_batch(&[
            (&public, b"fine", &good),
            (&public, message, &forged)
        ]));
    }

    #[test]
    fn batch_accepts_exactly_when_every_single_check_does() {
        use rand_chacha::ChaCha20Rng;
        use rand_core::{RngCore as _, SeedableRng as _};
        let mut rng = ChaCha20Rng::seed_from_u64(1_024);
        // Few keys, so most batches repeat keys and exercise the merged terms.
        let keys: Vec<SigningKey> = (0..5).map(|_| SigningKey::generate(&mut rng)).collect();
        let publics: Vec<VerifyingKey> = keys.iter().map(SigningKey::verifying_key).collect();
        let (mut accepted, mut refused) = (0, 0);
        for round in 0..60 {
            let n = 1 + round % 40;
            let mut messages = Vec::new();
            let mut signatures = Vec::new();
            let mut who = Vec::new();
            for _ in 0..n {
                let k = rng.next_u32() as usize % keys.len();
                let mut m = vec![0u8; 1 + rng.next_u32() as usize % 200];
                rng.fill_bytes(&mut m);
                signatures.push(Signer::sign(&keys[k], &m).unwrap());
                messages.push(m);
                who.push(k);
            }
            // Every third round, spoil one signature, message or key binding.
            if round % 3 == 1 {
                let i = rng.next_u32() as usize % n;
                match round % 4 {
                    0 => signatures[i][rng.next_u32() as usize % 64] ^= 1,
                    1 => messages[i][0] ^= 0x80,
                    2 => who[i] = (who[i] + 1) % keys.len(),
                    _ => signatures[i][63] |= 0x10, // S >= l: non-canonical
                }
            }
            let items: Vec<(&VerifyingKey, &[u8], &[u8; 64])> = (0..n)
                .map(|i| (&publics[who[i]], messages[i].as_slice(), &signatures[i]))
                .collect();
            let singles = items.iter().all(|(k, m, s)| k.verify_strict(m, s));
            assert_eq!(verify_batch(&items), singles, "round {round}");
            if singles {
                accepted += 1;
            } else {
                refused += 1;
            }
        }
        assert!(accepted >= 30 && refused >= 15, "{accepted} {refused}");
        assert!(verify_batch(&[]), "an empty batch has nothing wrong in it");
    }

    /// Our `verify_strict` against ed25519-dalek's on the same key, message and signature.
    fn same_decision(key: &VerifyingKey, message: &[u8], signature: &[u8; 64]) -> bool {
        let ours = key.verify_strict(message, signature);
        let theirs = dalek(key)
            .verify_strict(message, &ed25519_dalek::Signature::from_bytes(signature))
            .is_ok();
        assert_eq!(ours, theirs, "key {key:?} signature {signature:?}");
        ours
    }

    #[test]
    fn verify_strict_decides_exactly_as_ed25519_dalek() {
        use curve25519_dalek::constants::EIGHT_TORSION;
        use curve25519_dalek::scalar::Scalar;
        use rand_chacha::ChaCha20Rng;
        use rand_core::{RngCore as _, SeedableRng as _};
        let mut rng = ChaCha20Rng::seed_from_u64(9_901);
        let (mut accepted, mut refused) = (0u32, 0u32);
        let mut count = |ok: bool| {
            if ok {
                accepted += 1;
            } else {
                refused += 1;
            }
        };
        // The group order l (RFC 8032 §5.1), little-endian, to make the non-canonical S + l.
        let l: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        for round in 0..300 {
            let key = SigningKey::generate(&mut rng);
            let public = key.verifying_key();
            let mut message = vec![0u8; (round % 97) + 1];
            rng.fill_bytes(&mut message);
            let good = Signer::sign(&key, &message).unwrap();
            count(same_decision(&public, &message, &good));
            // One flipped bit anywhere in the signature, and in the message.
            let mut bad = good;
            let bit = rng.next_u32() as usize % 512;
            bad[bit / 8] ^= 1 << (bit % 8);
            count(same_decision(&public, &message, &bad));
            let mut other = message.clone();
            other[0] ^= 1;
            count(same_decision(&public, &other, &good));
            // S + l: the same scalar, non-canonically encoded (malleability).
            let mut malleated = good;
            let mut carry = 0u16;
            for i in 0..32 {
                let sum = u16::from(malleated[32 + i]) + u16::from(l[i]) + carry;
                malleated[32 + i] = sum.to_le_bytes()[0];
                carry = sum >> 8;
            }
            count(same_decision(&public, &message, &malleated));
            // Random R, and every small-order R with a random and with the forging S = k·a.
            let mut random_r = good;
            rng.fill_bytes(&mut random_r[..32]);
            count(same_decision(&public, &message, &random_r));
            for r in small_order_encodings() {
                let mut sig = good;
                sig[..32].copy_from_slice(r);
                count(same_decision(&public, &message, &sig));
                let mut h = sha2::Sha512::new();
                h.update(r);
                h.update(public.as_bytes());
                h.update(&message);
                let s =
                    Scalar::from_bytes_mod_order_wide(&h.finalize().into()) * secret_scalar(&key);
                sig[32..].copy_from_slice(s.as_bytes());
                count(same_decision(&public, &message, &sig));
            }
        }
        // A mixed-order key A + T (T of order 8) with a signature whose R = [r]B + T' carries the
        // matching torsion: the cofactorless equation holds, so both accept.
        let key = SigningKey::from_seed(&[6; 32]);
        let a_point = -key.verifying_key().minus_a;
        let torsion = EIGHT_TORSION[1];
        let mixed = VerifyingKey::from_bytes(&(a_point + torsion).compress().to_bytes()).unwrap();
        let message = b"mixed-order key";
        let mut crafted_ok = false;
        for i in 0u64..400 {
            let r = Scalar::from(i + 1_000);
            let t = EIGHT_TORSION[(i % 8) as usize];
            let big_r = (curve25519_dalek::EdwardsPoint::mul_base(&r) + t).compress();
            let mut h = sha2::Sha512::new();
            h.update(big_r.as_bytes());
            h.update(mixed.as_bytes());
            h.update(message);
            let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
            if k * torsion != -t {
                continue;
            }
            let s = r + k * secret_scalar(&key);
            let mut sig = [0u8; 64];
            sig[..32].copy_from_slice(big_r.as_bytes());
            sig[32..].copy_from_slice(s.as_bytes());
            crafted_ok |= same_decision(&mixed, message, &sig);
        }
        assert!(crafted_ok, "no crafted mixed-order signature was accepted");
        assert!(
            accepted >= 300 && refused >= 300 * 32,
            "{accepted} {refused}"
        );
    }

    // RFC 8037 Appendix A.1–A.3.
    const D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    const X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    #[test]
    fn rfc8037_appendix_a_key_and_thumbprint() {
        let key = SigningKey::from_jwk(&json!({"kty":"OKP","crv":"Ed25519","d":D,"x":X})).unwrap();
        assert_eq!(
            key.verifying_key().to_jwk(),
            json!({"kty":"OKP","crv":"Ed25519","x":X})
        );
        assert_eq!(
            key.thumbprint(),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
    }

    #[test]
    fn jwk_roundtrip_and_rejections() {
        let key = SigningKey::generate(&mut rand_core::OsRng);
        let text = key.to_jwk_string();
        let back = SigningKey::from_jwk_str(&text).unwrap();
        assert_eq!(back.verifying_key(), key.verifying_key());
        let err = VerifyingKey::from_jwk_str(&text).unwrap_err();
        assert_eq!(err.code(), "key.private_in_public");
        let other = SigningKey::generate(&mut rand_core::OsRng).verifying_key();
        let mut mixed: Value = serde_json::from_str(&text).unwrap();
        mixed["x"] = other.to_jwk()["x"].clone();
        assert_eq!(
            SigningKey::from_jwk(&mixed).unwrap_err().code(),
            "key.mismatch"
        );
        assert_eq!(
            VerifyingKey::from_jwk(&json!({"kty":"EC","crv":"P-256","x":X}))
                .unwrap_err()
                .code(),
            "key.unsupported_key_type"
        );
        assert_eq!(
            VerifyingKey::from_jwk(&json!({"kty":"OKP","crv":"Ed25519","x":format!("{X}=")}))
                .unwrap_err()
                .code(),
            "key.encoding"
        );
        // The identity point (small order) must be refused.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(
            VerifyingKey::from_bytes(&identity).unwrap_err(),
            KeyError::WeakKey
        );
    }

    #[test]
    fn pem_is_v1_and_roundtrips() {
        let key = SigningKey::from_jwk(&json!({"kty":"OKP","crv":"Ed25519","d":D,"x":X})).unwrap();
        let pem = key.to_pkcs8_pem();
        assert!(
            pem.starts_with("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI"),
            "{}",
            pem.as_str()
        );
        let back = SigningKey::from_pkcs8_pem(&pem).unwrap();
        assert_eq!(back.thumbprint(), key.thumbprint());
        // The directly assembled canonical JWK equals serde_json's serialization of `to_jwk`.
        for seed in 0u8..32 {
            let public = SigningKey::from_seed(&[seed; 32]).verifying_key();
            let canonical = serde_json::to_vec(&public.to_jwk()).unwrap();
            assert_eq!(public.thumbprint(), b64_encode(Sha256::digest(&canonical)));
        }
        assert_eq!(
            SigningKey::from_pkcs8_pem("garbage").unwrap_err().code(),
            "key.invalid_pem"
        );
    }

    #[test]
    fn debug_redacts_secret() {
        let key = SigningKey::from_jwk(&json!({"kty":"OKP","crv":"Ed25519","d":D,"x":X})).unwrap();
        let shown = format!("{key:?}");
        assert!(!shown.contains(D));
        assert!(shown.contains("redacted"));
    }
    // ----- Algorithm agility: P-256 and SM2 -----

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    fn ec_jwk(crv: &str, x: &[u8], y: &[u8]) -> Value {
        json!({"kty":"EC","crv":crv,"x":b64_encode(x),"y":b64_encode(y)})
    }

    /// P-256 order n, big-endian.
    const P256_N: &str = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";
    /// P-256 field prime p, big-endian.
    const P256_P: &str = "FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF";
    /// SM2 order n, big-endian (GM/T 0003.5).
    const SM2_N: &str = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123";

    /// RFC 6979 §A.2.5: the P-256 key, and its deterministic SHA-256 signature over "sample".
    #[test]
    fn p256_rfc6979_known_answer() {
        let d = "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";
        let ux = "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6";
        let uy = "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";
        let mut jwk = ec_jwk("P-256", &hex(ux), &hex(uy));
        jwk["d"] = json!(b64_encode(hex(d)));
        let key = PrivateKey::from_jwk(&jwk).unwrap();
        assert_eq!(key.algorithm(), Algorithm::Es256);
        let sig = key.sign(b"sample").unwrap();
        let expected = hex(concat!(
            "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
            "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"
        ));
        assert_eq!(sig.to_vec(), expected);
        let public = PublicKey::from_jwk(&ec_jwk("P-256", &hex(ux), &hex(uy))).unwrap();
        assert_eq!(public, key.public_key());
        assert!(public.verify(b"sample", &sig));
        assert!(!public.verify(b"samplf", &sig));
    }

    /// GM/T 0003.5 (GB/T 32918.5) Annex A: the SM2 signature example on the recommended curve
    /// with ID 1234567812345678 over "message digest" (made with a fixed k, so it is checked
    /// by verification, not reproduced).
    #[test]
    fn sm2_standard_example_verifies() {
        let xa = "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020";
        let ya = "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13";
        let public = PublicKey::from_jwk(&ec_jwk("SM2", &hex(xa), &hex(ya))).unwrap();
        assert_eq!(public.algorithm(), Algorithm::Sm2);
        let sig: [u8; 64] = hex(concat!(
            "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3",
            "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"
        ))
        .try_into()
        .unwrap();
        assert!(public.verify(b"message digest", &sig));
        assert!(!public.verify(b"message digesu", &sig));
        // The example's own k reproduces its r and s exactly (our signing steps A4–A7).
        let d = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8";
        let mut jwk = ec_jwk("SM2", &hex(xa), &hex(ya));
        jwk["d"] = json!(b64_encode(hex(d)));
        let PrivateInner::Sm2(sm) = PrivateKey::from_jwk(&jwk).unwrap().0 else {
            panic!("not SM2")
        };
        let k: [u8; 32] = hex("59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21")
            .try_into()
            .unwrap();
        let k = {
            use primeorder::elliptic_curve::ff::PrimeField as _;
            sm2::Scalar::from_repr(k.into()).unwrap()
        };
        let e = sm.signing.e(b"message digest");
        assert_eq!(sm.signing.sign_with(e, k).unwrap(), sig);
        // The private key of the example signs, and its signature verifies.
        let d = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8";
        let mut jwk = ec_jwk("SM2", &hex(xa), &hex(ya));
        jwk["d"] = json!(b64_encode(hex(d)));
        let key = PrivateKey::from_jwk(&jwk).unwrap();
        assert_eq!(key.public_key(), public);
        let ours = key.sign(b"message digest").unwrap();
        assert!(public.verify(b"message digest", &ours));
    }

    fn seeded(alg: Algorithm, seed: u64) -> PrivateKey {
        use rand_core::SeedableRng as _;
        PrivateKey::generate(alg, &mut rand_chacha::ChaCha20Rng::seed_from_u64(seed)).unwrap()
    }

    #[test]
    fn every_algorithm_roundtrips_jwk_pem_and_signs() {
        for alg in Algorithm::ALL {
            let key = seeded(alg, 17);
            assert_eq!(key.algorithm(), alg);
            let public = key.public_key();
            assert_eq!(public.algorithm(), alg);
            // Private JWK, public JWK, PEM.
            let back = PrivateKey::from_jwk_str(&key.to_jwk_string()).unwrap();
            assert_eq!(back.public_key(), public);
            assert_eq!(
                PublicKey::from_jwk(&public.to_jwk()).unwrap(),
                public,
                "{alg}"
            );
            let pem = key.to_pkcs8_pem().unwrap();
            assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
            let from_pem = PrivateKey::from_text(&pem).unwrap();
            assert_eq!(from_pem.public_key(), public);
            assert_eq!(from_pem.algorithm(), alg);
            // A private JWK is not a public one.
            assert_eq!(
                PublicKey::from_jwk_str(&key.to_jwk_string())
                    .unwrap_err()
                    .code(),
                "key.private_in_public"
            );
            // Signatures verify under the key only.
            let sig = key.sign(b"message").unwrap();
            assert!(public.verify(b"message", &sig));
            assert!(!seeded(alg, 18).public_key().verify(b"message", &sig));
            // Thumbprint: SHA-256 of the members RFC 7638 requires, sorted, no whitespace.
            let canonical = serde_json::to_string(&public.to_jwk()).unwrap();
            let expected_prefix = match alg {
                Algorithm::EdDsa => r#"{"crv":"Ed25519","kty":"OKP","x":""#,
                Algorithm::Es256 => r#"{"crv":"P-256","kty":"EC","x":""#,
                Algorithm::Sm2 => r#"{"crv":"SM2","kty":"EC","x":""#,
            };
            assert!(canonical.starts_with(expected_prefix), "{canonical}");
            assert_eq!(
                public.thumbprint(),
                b64_encode(Sha256::digest(canonical.as_bytes()))
            );
            // Debug shows no secret.
            let shown = format!("{key:?}");
            let d = serde_json::from_str::<Value>(&key.to_jwk_string()).unwrap()["d"]
                .as_str()
                .unwrap()
                .to_owned();
            assert!(!shown.contains(&d) && shown.contains("redacted"), "{shown}");
        }
        // The Ed25519 key's PEM is byte-for-byte the v1 form `SigningKey` writes.
        let ed = SigningKey::from_seed(&[3; 32]);
        assert_eq!(
            PrivateKey::from(ed.clone())
                .to_pkcs8_pem()
                .unwrap()
                .as_str(),
            ed.to_pkcs8_pem().as_str()
        );
    }

    /// Keys written by `openssl genpkey` (OpenSSL 3.0): id-ecPublicKey with prime256v1, and
    /// with the SM2 curve OID.
    #[test]
    fn openssl_pems_are_read() {
        const P256_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgCqaKfXcbdnF8M2pk
NM0gk0Qw7dN38aYbj6EuA3ncUtqhRANCAAQO1+xo0cWtZVzvNk+7cVgLgVLAObZH
8nZLVwJh9MbFbkEzweDhJ2j5Nvu1eMxT92IALEahpu+TwNFxQzo2iGaj
-----END PRIVATE KEY-----
";
        const SM2_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQgAAne8jLrhGSXstIZ
b55BUv5vrr5tSG8MuFEpg8mn7AmhRANCAATtkGk3eG7dMs0g7swEUje0dcFnOvVw
DzBRqsgwPqJ0sQWzWQVeP9fljDR+LHqbHEOj16PgJ/7REoQOcqc5o41O
-----END PRIVATE KEY-----
";
        let p256 = PrivateKey::from_pkcs8_pem(P256_PEM).unwrap();
        assert_eq!(p256.algorithm(), Algorithm::Es256);
        // The public point embedded by OpenSSL is the one derived from d.
        assert_eq!(
            p256.public_key().to_jwk()["x"],
            json!(b64_encode(hex(
                "0ED7EC68D1C5AD655CEF364FBB71580B8152C039B647F2764B570261F4C6C56E"
            )))
        );
        let sm2 = PrivateKey::from_pkcs8_pem(SM2_PEM).unwrap();
        assert_eq!(sm2.algorithm(), Algorithm::Sm2);
        assert_eq!(
            sm2.public_key().to_jwk()["x"],
            json!(b64_encode(hex(
                "ED906937786EDD32CD20EECC045237B475C1673AF5700F3051AAC8303EA274B1"
            )))
        );
        assert_eq!(
            PrivateKey::from_pkcs8_pem("garbage").unwrap_err().code(),
            "key.invalid_pem"
        );
    }

    #[test]
    fn ec_public_keys_are_validated() {
        for (crv, alg) in [("P-256", Algorithm::Es256), ("SM2", Algorithm::Sm2)] {
            let jwk = seeded(alg, 5).public_key().to_jwk();
            let x = b64_decode_array::<32>(jwk["x"].as_str().unwrap()).unwrap();
            let y = b64_decode_array::<32>(jwk["y"].as_str().unwrap()).unwrap();
            // Coordinates of 31 and 33 bytes.
            for bad in [&x[..31], &[&[0u8][..], &x[..]].concat()[..]] {
                assert_eq!(
                    PublicKey::from_jwk(&ec_jwk(crv, bad, &y)).unwrap_err(),
                    KeyError::Encoding("x")
                );
                assert_eq!(
                    PublicKey::from_jwk(&ec_jwk(crv, &x, bad)).unwrap_err(),
                    KeyError::Encoding("y")
                );
            }
            // Off the curve.
            let mut y1 = y;
            y1[31] ^= 1;
            assert_eq!(
                PublicKey::from_jwk(&ec_jwk(crv, &x, &y1)).unwrap_err(),
                KeyError::InvalidPoint
            );
            // The identity has no affine coordinates; (0, 0) is not on either curve.
            assert_eq!(
                PublicKey::from_jwk(&ec_jwk(crv, &[0; 32], &[0; 32])).unwrap_err(),
                KeyError::InvalidPoint
            );
            // Missing y, wrong alg member, wrong kty.
            let mut no_y = jwk.clone();
            no_y.as_object_mut().unwrap().remove("y");
            assert_eq!(
                PublicKey::from_jwk(&no_y).unwrap_err().code(),
                "key.invalid_jwk"
            );
            let mut wrong_alg = jwk.clone();
            wrong_alg["alg"] = json!(if alg == Algorithm::Sm2 {
                "ES256"
            } else {
                "SM2"
            });
            assert_eq!(
                PublicKey::from_jwk(&wrong_alg).unwrap_err().code(),
                "key.algorithm_mismatch"
            );
            let mut right_alg = jwk.clone();
            right_alg["alg"] = json!(alg.jws_name());
            assert!(PublicKey::from_jwk(&right_alg).is_ok());
            // The Ed25519-only type keeps refusing EC keys.
            assert_eq!(
                VerifyingKey::from_jwk(&jwk).unwrap_err().code(),
                "key.unsupported_key_type"
            );
        }
        // A P-256 coordinate equal to p (not reduced) is refused even though p mod p = 0.
        let p: [u8; 32] = hex(P256_P).try_into().unwrap();
        assert_eq!(
            PublicKey::from_jwk(&ec_jwk("P-256", &p, &[1; 32])).unwrap_err(),
            KeyError::InvalidPoint
        );
        assert_eq!(
            PublicKey::from_jwk(&json!({"kty":"EC","crv":"P-384","x":"AA","y":"AA"}))
                .unwrap_err()
                .code(),
            "key.unsupported_key_type"
        );
        // A private EC JWK whose public part belongs to another key.
        let key = seeded(Algorithm::Es256, 1);
        let mut mixed: Value = serde_json::from_str(&key.to_jwk_string()).unwrap();
        mixed["x"] = seeded(Algorithm::Es256, 2).public_key().to_jwk()["x"].clone();
        mixed["y"] = seeded(Algorithm::Es256, 2).public_key().to_jwk()["y"].clone();
        assert_eq!(
            PrivateKey::from_jwk(&mixed).unwrap_err().code(),
            "key.mismatch"
        );
    }

    /// (a - b) mod m on 32-byte big-endian numbers, a < m, b <= m.
    fn sub_mod(a: &[u8], b: &[u8], m: &[u8]) -> [u8; 32] {
        let (mut out, mut borrow) = ([0u8; 32], 0i16);
        // a + m - b, then reduce once if >= m.
        let mut sum = [0u16; 33];
        let mut carry = 0u16;
        for i in (0..32).rev() {
            let v = u16::from(a[i]) + u16::from(m[i]) + carry;
            sum[i + 1] = v & 0xff;
            carry = v >> 8;
        }
        sum[0] = carry;
        let mut diff = [0i16; 33];
        for i in (0..33).rev() {
            let bi = if i == 0 { 0 } else { i16::from(b[i - 1]) };
            let mut v = sum[i] as i16 - bi - borrow;
            borrow = 0;
            if v < 0 {
                v += 256;
                borrow = 1;
            }
            diff[i] = v;
        }
        for i in 0..32 {
            out[i] = diff[i + 1] as u8;
        }
        if diff[0] > 0 || out.as_slice() >= m {
            let mut borrow = 0i16;
            for i in (0..32).rev() {
                let mut v = i16::from(out[i]) - i16::from(m[i]) - borrow;
                borrow = 0;
                if v < 0 {
                    v += 256;
                    borrow = 1;
                }
                out[i] = v as u8;
            }
        }
        out
    }

    #[test]
    fn ec_signature_ranges() {
        for (alg, n) in [
            (Algorithm::Es256, hex(P256_N)),
            (Algorithm::Sm2, hex(SM2_N)),
        ] {
            let key = seeded(alg, 9);
            let public = key.public_key();
            let sig = key.sign(b"range").unwrap();
            assert!(public.verify(b"range", &sig));
            // r = 0, s = 0, r = n, s = n: outside [1, n-1].
            for (offset, value) in [(0, [0u8; 32]), (32, [0u8; 32])] {
                let mut bad = sig;
                bad[offset..offset + 32].copy_from_slice(&value);
                assert!(!public.verify(b"range", &bad), "{alg} zero at {offset}");
            }
            for offset in [0, 32] {
                let mut bad = sig;
                bad[offset..offset + 32].copy_from_slice(&n);
                assert!(!public.verify(b"range", &bad), "{alg} n at {offset}");
            }
            // s + n does not fit: s' = n - s is the other S.
            let other_s = sub_mod(&[0u8; 32], &sig[32..], &n);
            let mut flipped = sig;
            flipped[32..].copy_from_slice(&other_s);
            match alg {
                // ECDSA: (r, n - s) is valid too; high S is accepted (RFC 7518 does not
                // require low S, and other ES256 signers produce it).
                Algorithm::Es256 => assert!(public.verify(b"range", &flipped)),
                // SM2 has no such symmetry.
                _ => assert!(!public.verify(b"range", &flipped)),
            }
            // Truncated: the JWS layer refuses anything but 64 bytes; DER where r||s is
            // expected does not parse as two scalars below n.
            let der = signature_to_der(&sig);
            assert_eq!(signature_from_der(&der).unwrap(), sig);
            if let Ok(as_raw) = <[u8; 64]>::try_from(&der[..64]) {
                assert!(!public.verify(b"range", &as_raw));
            }
        }
        // SM2: (r + s) mod n = 0 is refused (GM/T 0003.2 B5), with r valid.
        let key = seeded(Algorithm::Sm2, 9);
        let sig = key.sign(b"range").unwrap();
        let n = hex(SM2_N);
        let mut bad = sig;
        bad[32..].copy_from_slice(&sub_mod(&[0u8; 32], &sig[..32], &n));
        assert!(!key.public_key().verify(b"range", &bad));
        // SM2 signed under another distinguishing ID does not verify under the fixed one.
        let d: [u8; 32] = b64_decode_array(
            serde_json::from_str::<Value>(&key.to_jwk_string()).unwrap()["d"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        let secret = sm2::SecretKey::from_slice(&d).unwrap();
        let other_id = sm2::dsa::SigningKey::new("ALICE123@YAHOO.COM", &secret).unwrap();
        let sig: sm2::dsa::Signature = sm2::dsa::signature::Signer::sign(&other_id, b"range");
        assert!(!key.public_key().verify(b"range", &sig.to_bytes()));
        let same_id = sm2::dsa::SigningKey::new(SM2_DISTINGUISHING_ID, &secret).unwrap();
        let sig: sm2::dsa::Signature = sm2::dsa::signature::Signer::sign(&same_id, b"range");
        assert!(key.public_key().verify(b"range", &sig.to_bytes()));
    }

    #[test]
    fn der_signatures_are_strict() {
        let mut raw = [0u8; 64];
        raw[0] = 0x80; // r needs a leading zero byte
        raw[63] = 1; // s = 1
        let der = signature_to_der(&raw);
        assert_eq!(der[..5], [0x30, 0x26, 0x02, 0x21, 0x00]);
        assert_eq!(&der[der.len() - 3..], &[0x02, 0x01, 0x01]);
        assert_eq!(signature_from_der(&der).unwrap(), raw);
        let refused = |bytes: &[u8]| {
            assert_eq!(
                signature_from_der(bytes).unwrap_err().code(),
                "key.signature_der",
                "{bytes:?}"
            )
        };
        refused(&[]);
        refused(&der[..der.len() - 1]);
        refused(&[der.as_slice(), &[0]].concat());
        // A superfluous leading zero, a negative integer, an empty integer.
        refused(&[0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01]);
        refused(&[0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01]);
        refused(&[0x30, 0x05, 0x02, 0x00, 0x02, 0x01, 0x01]);
        // An integer of 33 significant bytes.
        let mut long = vec![0x30, 0x26, 0x02, 0x21, 0x01];
        long.extend_from_slice(&[0u8; 32]);
        long.extend_from_slice(&[0x02, 0x01, 0x01]);
        refused(&long);
    }
}
