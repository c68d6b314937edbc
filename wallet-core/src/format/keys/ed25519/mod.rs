//! Ed25519 (RFC 8032), the default algorithm, with its own types: [`SigningKey`],
//! [`VerifyingKey`], and the [`Signer`] trait through which holder keys kept in secure hardware
//! sign key-binding JWTs. Generation from a caller-supplied CSPRNG, JWK import/export (RFC 8037
//! §2, `kty: OKP`, `crv: Ed25519`), PKCS#8 PEM (RFC 8410 / RFC 5958 v1, the form OpenSSL 3.0
//! reads), RFC 7638 thumbprints (used as `kid`).
//!
//! Verification is `verify_strict`'s decision (RFC 8032 §5.1.7 without malleability) reached
//! with precomputed `-A` and a byte list of small-order encodings instead of a second
//! decompression; [`verify_batch`] checks many signatures in one randomised multi-scalar
//! multiplication (the verifier's bulk path). Signing keeps the expanded secret key (§5.1.6 steps
//! 1–2) so that it is not recomputed per signature.

use super::error::KeyError;
use super::jwk::okp_x;
use crate::encoding::{b64_decode_array, b64_encode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::DecodePrivateKey as _;
use rand_core::CryptoRngCore;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};
use std::fmt;
use zeroize::Zeroizing;

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
        self.candidate_r(message, signature)
            .is_some_and(|(computed, r)| computed.compress().as_bytes() == r)
    }

    /// `R' = [S]B − [k]A` and `R`'s bytes, or `None` when the signature fails before the
    /// equation (small-order `R`, non-canonical `S`). The signature verifies iff `R'` encodes to
    /// `R`'s bytes.
    fn candidate_r<'s>(
        &self,
        message: &[u8],
        signature: &'s [u8; 64],
    ) -> Option<(curve25519_dalek::EdwardsPoint, &'s [u8; 32])> {
        use curve25519_dalek::{EdwardsPoint, Scalar};
        let (r, s) = signature.split_at(32);
        let (Ok(r), Ok(s)) = (<&[u8; 32]>::try_from(r), <[u8; 32]>::try_from(s)) else {
            return None;
        };
        if small_order_encodings().contains(r) {
            return None;
        }
        let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s))?;
        let mut h = sha2::Sha512::new();
        h.update(r);
        h.update(self.bytes);
        h.update(message);
        let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
        Some((
            EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &self.minus_a, &s),
            r,
        ))
    }
}

/// Both signatures verify, each by [`VerifyingKey::verify_strict`]'s decision, in less time than
/// two calls: encoding a point costs a field inversion (~3 µs), and the two `R'` are encoded
/// with one (curve25519-dalek's `compress_batch`, Montgomery's trick). A presentation's issuer
/// signature and KB-JWT are checked together this way.
pub fn verify_strict_both(
    first: (&VerifyingKey, &[u8], &[u8; 64]),
    second: (&VerifyingKey, &[u8], &[u8; 64]),
) -> bool {
    let Some((r1, bytes1)) = first.0.candidate_r(first.1, first.2) else {
        return false;
    };
    let Some((r2, bytes2)) = second.0.candidate_r(second.1, second.2) else {
        return false;
    };
    let [c1, c2] = curve25519_dalek::EdwardsPoint::compress_batch(&[r1, r2]);
    c1.as_bytes() == bytes1 && c2.as_bytes() == bytes2
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

    /// The 32-byte RFC 8032 seed, in a buffer zeroized on drop (the holder store keeps keys
    /// as seeds).
    pub(crate) fn seed(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.inner.to_bytes())
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

#[cfg(test)]
// clippy.toml exempts tests from the panic lints; these have no test setting.
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
mod tests;
