//! [`PublicKey`]: a validated public key of any supported algorithm (Ed25519, P-256, SM2) that
//! knows its [`Algorithm`], so that a verifier never takes the algorithm from a token
//! (docs/format.md, "Algorithms"). JWK import/export (RFC 8037 §2, RFC 7518 §6.2), RFC 7638
//! thumbprints, and signature checks with each algorithm's range rules.

use super::algorithm::Algorithm;
use super::ec::{EcPublic, p256_public, p256_verify, sm2_public};
use super::ed25519::VerifyingKey;
use super::error::KeyError;
use super::jwk::{ec_curve, ec_xy};
use super::sm2_verify::sm2_verify;
use crate::encoding::b64_encode;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};
use std::fmt;

#[derive(Clone)]
pub(super) enum PublicInner {
    Ed25519(VerifyingKey),
    P256(EcPublic<p256::ecdsa::VerifyingKey>),
    // Boxed: sm2's key caches the 32-byte `Z_A` hash beside the point.
    Sm2(Box<EcPublic<sm2::dsa::VerifyingKey>>),
}

/// A public key of any supported algorithm; it knows its [`Algorithm`]. Built only from
/// validated material: an EC point is on its curve, not the identity, with coordinates below `p`;
/// an Ed25519 key is not of small order.
#[derive(Clone)]
pub struct PublicKey(pub(super) PublicInner);

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

    /// Builds a key of `algorithm` from its raw public bytes: the 32-byte Ed25519 key, or the
    /// 64-byte x‖y of an EC point (each coordinate big-endian), validated as [`Self::from_jwk`]
    /// does. The compact form the holder store keeps; tokens carry JWKs instead.
    pub(crate) fn from_raw(algorithm: Algorithm, bytes: &[u8]) -> Result<Self, KeyError> {
        match algorithm {
            Algorithm::EdDsa => {
                let bytes = <&[u8; 32]>::try_from(bytes).map_err(|_| KeyError::Encoding("x"))?;
                Ok(Self(PublicInner::Ed25519(VerifyingKey::from_bytes(bytes)?)))
            }
            Algorithm::Es256 | Algorithm::Sm2 => {
                let (x, y) = bytes.split_at_checked(32).ok_or(KeyError::Encoding("x"))?;
                let x = <&[u8; 32]>::try_from(x).map_err(|_| KeyError::Encoding("x"))?;
                let y = <&[u8; 32]>::try_from(y).map_err(|_| KeyError::Encoding("y"))?;
                if algorithm == Algorithm::Es256 {
                    Ok(Self(PublicInner::P256(p256_public(x, y)?)))
                } else {
                    Ok(Self(PublicInner::Sm2(Box::new(sm2_public(x, y)?))))
                }
            }
        }
    }

    /// The raw public bytes [`Self::from_raw`] reads back.
    pub(crate) fn to_raw(&self) -> Vec<u8> {
        match &self.0 {
            PublicInner::Ed25519(key) => key.as_bytes().to_vec(),
            PublicInner::P256(key) => [key.x, key.y].concat(),
            PublicInner::Sm2(key) => [key.x, key.y].concat(),
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
        let (crv, x, y) = match &self.0 {
            PublicInner::Ed25519(key) => return key.thumbprint(),
            PublicInner::P256(key) => ("P-256", &key.x, &key.y),
            PublicInner::Sm2(key) => ("SM2", &key.x, &key.y),
        };
        // RFC 7638 §3.2's canonical form — the required members in lexicographic order, no
        // whitespace — written directly: every member but `x` and `y` is fixed and those are
        // base64url, which needs no escaping. (It is computed for every issuance and twice per
        // verification; a test checks it equals serde_json's serialization of `to_jwk`.)
        let mut hasher = Sha256::new();
        hasher.update(br#"{"crv":""#);
        hasher.update(crv.as_bytes());
        hasher.update(br#"","kty":"EC","x":""#);
        hasher.update(b64_encode(x).as_bytes());
        hasher.update(br#"","y":""#);
        hasher.update(b64_encode(y).as_bytes());
        hasher.update(br#""}"#);
        b64_encode(hasher.finalize())
    }

    /// Checks `signature` over `message` with this key's algorithm: Ed25519 as
    /// [`VerifyingKey::verify_strict`]; P-256 ECDSA/SHA-256 and SM2/SM3 with r‖s refused unless
    /// both r and s lie in [1, n−1] (high S is accepted: other ES256 signers produce it).
    pub fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        match &self.0 {
            PublicInner::Ed25519(key) => key.verify_strict(message, signature),
            PublicInner::P256(key) => p256_verify(key, message, signature),
            // r, s in [1, n − 1], (r + s) mod n ≠ 0 (GM/T 0003.2 §7.1 B5), Z_A with the fixed ID
            // hashed before the message.
            PublicInner::Sm2(key) => {
                sm2_verify(key.key.as_affine(), &key.x, &key.y, message, signature)
            }
        }
    }

    /// Both checks of [`PublicKey::verify`] hold. Two Ed25519 checks share their last field
    /// inversion ([`super::ed25519::verify_strict_both`]); other pairs are checked one by one.
    pub(crate) fn verify_both(
        first: (&PublicKey, &[u8], &[u8; 64]),
        second: (&PublicKey, &[u8], &[u8; 64]),
    ) -> bool {
        match (&first.0.0, &second.0.0) {
            (PublicInner::Ed25519(a), PublicInner::Ed25519(b)) => {
                super::ed25519::verify_strict_both((a, first.1, first.2), (b, second.1, second.2))
            }
            _ => first.0.verify(first.1, first.2) && second.0.verify(second.1, second.2),
        }
    }
}
