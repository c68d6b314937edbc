//! The key layer's error type and its stable machine-readable codes (`key.*`, listed in
//! docs/errors.md; wallet-ffi and the test vectors match on them). Every child of `keys` reports
//! through this one enum, so it sits at the bottom of the module and imports nothing from its
//! siblings.

use crate::error::{ErrorCode, ErrorInfo, codes};

/// Errors of the key layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The JWK is not a JSON object or lacks a required member.
    #[error("invalid JWK: {0}")]
    InvalidJwk(&'static str),
    /// The JWK is not a key type this place accepts: the Ed25519-only types take OKP keys on
    /// Ed25519; [`PublicKey`](super::PublicKey)/[`PrivateKey`](super::PrivateKey) also take EC keys on P-256 and SM2 (not RSA, not
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
    /// [`SigningKey`](super::SigningKey) reads Ed25519 only).
    #[error("invalid PEM: expected a PKCS#8 \"PRIVATE KEY\" for Ed25519, P-256 or SM2")]
    InvalidPem,
    /// An external signer failed to produce a signature.
    #[error("signer failed: {0}")]
    SignerFailed(String),
}

impl KeyError {
    /// This error's row of the error table ([`crate::error`]): its stable code, kind and class.
    pub fn info(&self) -> &'static ErrorInfo {
        match self {
            Self::InvalidJwk(_) => &codes::KEY_INVALID_JWK,
            Self::UnsupportedKeyType => &codes::KEY_UNSUPPORTED_KEY_TYPE,
            Self::AlgorithmMismatch => &codes::KEY_ALGORITHM_MISMATCH,
            Self::Encoding(_) => &codes::KEY_ENCODING,
            Self::WeakKey => &codes::KEY_WEAK_KEY,
            Self::InvalidPoint => &codes::KEY_INVALID_POINT,
            Self::SignatureDer => &codes::KEY_SIGNATURE_DER,
            Self::PrivateKeyInPublicJwk => &codes::KEY_PRIVATE_IN_PUBLIC,
            Self::KeyMismatch => &codes::KEY_MISMATCH,
            Self::InvalidPem => &codes::KEY_INVALID_PEM,
            Self::SignerFailed(_) => &codes::KEY_SIGNER_FAILED,
        }
    }

    /// Stable machine-readable code (lower layers' codes pass through unchanged).
    pub fn code(&self) -> &'static str {
        self.info().code
    }
}

impl ErrorCode for KeyError {
    fn info(&self) -> &'static ErrorInfo {
        KeyError::info(self)
    }
}
