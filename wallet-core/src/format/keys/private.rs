//! [`PrivateKey`]: a private key of any supported algorithm — Ed25519 (RFC 8032), P-256 ECDSA
//! (RFC 7518 §3.4, deterministic nonces per RFC 6979) or SM2 with SM3 (GM/T 0003.2) — with
//! generation, private JWKs (RFC 8037 §2, RFC 7518 §6.2.2) and PKCS#8 PEM (RFC 5958, RFC 8410,
//! RFC 5915) in the forms OpenSSL 3.0 reads and writes. Secrets are zeroized on drop and never
//! shown by `Debug`.

use super::algorithm::Algorithm;
use super::ec::{EcPublic, sec1_coordinates, sm2_public};
use super::ed25519::{Signer, SigningKey};
use super::error::KeyError;
use super::jwk::{ec_curve, ec_xy};
use super::public::{PublicInner, PublicKey};
use super::sm2_sign::{Sm2Private, Sm2Signing};
use crate::encoding::{b64_decode_array, b64_encode};
use p256::elliptic_curve;
use rand_core::CryptoRngCore;
use serde_json::Value;
use std::fmt;
use zeroize::Zeroizing;

// A program holds a handful of private keys, long-lived: the 240 bytes an EC key leaves unused
// matter less than an allocation and an indirection on the default (Ed25519) signing path.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub(super) enum PrivateInner {
    Ed25519(SigningKey),
    // ecdsa's SigningKey wipes its scalar on drop (and carries its public key; the coordinates
    // are kept beside it for JWK output).
    P256(p256::ecdsa::SigningKey, EcPublic<p256::ecdsa::VerifyingKey>),
    Sm2(Sm2Private),
}

/// A private key of any supported algorithm. Secrets are zeroized on drop and never shown by
/// `Debug`.
#[derive(Clone)]
pub struct PrivateKey(pub(super) PrivateInner);

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

    /// Builds a key of `algorithm` from its 32-byte secret: the RFC 8032 seed for Ed25519, the
    /// big-endian scalar `d` for P-256 and SM2 (refused when 0 or ≥ n). The compact form the
    /// holder store keeps.
    pub(crate) fn from_secret_bytes(
        algorithm: Algorithm,
        secret: &[u8; 32],
    ) -> Result<Self, KeyError> {
        match algorithm {
            Algorithm::EdDsa => Ok(Self(PrivateInner::Ed25519(SigningKey::from_seed(secret)))),
            Algorithm::Es256 => p256_private(
                p256::ecdsa::SigningKey::from_slice(secret).map_err(|_| KeyError::Encoding("d"))?,
            ),
            Algorithm::Sm2 => sm2_private(
                sm2::SecretKey::from_slice(secret).map_err(|_| KeyError::Encoding("d"))?,
            ),
        }
    }

    /// The 32-byte secret [`Self::from_secret_bytes`] reads back, in a buffer zeroized on drop.
    pub(crate) fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        match &self.0 {
            PrivateInner::Ed25519(key) => key.seed(),
            PrivateInner::P256(key, _) => Zeroizing::new(<[u8; 32]>::from(key.to_bytes())),
            PrivateInner::Sm2(key) => Zeroizing::new(<[u8; 32]>::from(key.secret.to_bytes())),
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
            PrivateInner::P256(key, _) => super::p256_sign::sign(key, message),
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
