//! Errors of the SD-JWT layer (RFC 9901, including key binding, §7) and its default `_sd_alg`.

use crate::encoding::limits;
use crate::error::{ErrorCode, ErrorInfo, codes};
use crate::format::jws::JwsError;

/// The default `_sd_alg`: RFC 9901 §4.1.1's default, from the IANA hash registry
/// (`SdAlg::Sha256.name()`; the GM profile's `sm3` is `SdAlg::Sm3`).
pub const SD_ALG: &str = "sha-256";

/// Errors of the SD-JWT layer, including key binding (RFC 9901 §7).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SdJwtError {
    /// Not `<jwt>~<disclosure>~…~[<kb-jwt>]`: missing separator, empty disclosure, etc.
    #[error("malformed SD-JWT: {0}")]
    Malformed(&'static str),
    /// The string is longer than the accepted maximum.
    #[error("SD-JWT is longer than {} bytes", limits::MAX_TOKEN_LEN)]
    TooLarge,
    /// More disclosures than the accepted maximum.
    #[error("SD-JWT carries more than {} disclosures", limits::MAX_DISCLOSURES)]
    TooManyDisclosures,
    /// A disclosure is not canonical base64url of a JSON array `[salt, name, value]` or
    /// `[salt, value]` with a string salt.
    #[error("malformed disclosure: {0}")]
    MalformedDisclosure(&'static str),
    /// A disclosure uses the reserved claim name `_sd` or `...` (RFC 9901 §4.2.1).
    #[error("a disclosure uses a reserved claim name (\"_sd\" or \"...\")")]
    ReservedClaimName,
    /// `_sd_alg` names a hash algorithm other than sha-256 and sm3 (or is not a string).
    #[error("unsupported _sd_alg: only sha-256 and sm3 are accepted")]
    UnsupportedSdAlg,
    /// An `_sd` member is not an array of strings, or a `...` array element is misused (RFC 9901 §4.2.4).
    #[error("invalid digest structure: {0}")]
    InvalidDigests(&'static str),
    /// The same digest appears more than once in the payload and disclosures (RFC 9901 §7.1 step 4).
    #[error("a digest appears more than once")]
    DuplicateDigest,
    /// The same disclosure is presented twice.
    #[error("the same disclosure is presented more than once")]
    DuplicateDisclosure,
    /// A disclosure's digest is not referenced anywhere in the payload or other disclosures (§7.1 step 5).
    #[error("a disclosure is not referenced by any digest")]
    UnreferencedDisclosure,
    /// An object-property disclosure is referenced from an array, or an array-element disclosure from `_sd`.
    #[error("a disclosure of one kind is referenced where the other kind belongs")]
    DisclosureKindMismatch,
    /// A disclosed claim name already exists at its level (§7.1 step 3.c.ii.3).
    #[error("a disclosed claim name collides with an existing claim")]
    ClaimCollision,
    /// Issuance was asked to make a claim path disclosable that does not exist, or presentation
    /// to disclose one that is not in the credential.
    #[error("claim path {0} does not exist in the credential")]
    UnknownClaimPath(String),
    /// The issuer JWT is invalid.
    #[error("issuer-signed JWT: {0}")]
    IssuerJwt(JwsError),
    /// Key binding is required but no KB-JWT was presented.
    #[error("key binding JWT is required but missing")]
    KbMissing,
    /// The KB-JWT is structurally invalid (not a JWS, wrong alg, bad JSON, missing claims).
    #[error("key binding JWT is malformed: {0}")]
    KbMalformed(String),
    /// The KB-JWT's `typ` is not `kb+jwt`.
    #[error("key binding JWT typ is not kb+jwt")]
    KbWrongTyp,
    /// The KB-JWT signature does not verify under the holder key in `cnf`.
    #[error("key binding JWT signature does not verify under the holder key")]
    KbBadSignature,
    /// The KB-JWT's `sd_hash` does not match the presented SD-JWT.
    #[error("key binding JWT sd_hash does not match the presentation")]
    KbSdHashMismatch,
    /// The KB-JWT's `nonce` is not the expected one.
    #[error("key binding JWT nonce does not match")]
    KbWrongNonce,
    /// The KB-JWT's `aud` is not the expected verifier.
    #[error("key binding JWT audience does not match")]
    KbWrongAud,
    /// The KB-JWT was issued too long ago: the code is `age` seconds old, the verifier accepts
    /// `window` seconds (plus clock skew). The message says both, and what to do.
    #[error(
        "the code was made {age} s ago, older than the accepted window of {window} s: ask for a fresh code"
    )]
    KbStale {
        /// Seconds between the KB-JWT's `iat` and the verifier's `now`.
        age: u64,
        /// The accepted window, seconds (`max_age`).
        window: u64,
    },
    /// The KB-JWT's `iat` is in the future beyond the allowed clock skew.
    #[error("key binding JWT iat is in the future")]
    KbIatInFuture,
    /// Signing the KB-JWT failed.
    #[error("signing the key binding JWT failed: {0}")]
    KbSigning(JwsError),
    /// The KB-JWT header's `alg` is not the algorithm of the holder key (`cnf.jwk`); the code is
    /// the JWS layer's `jws.alg_mismatch`.
    #[error("KB-JWT: {0}")]
    KbAlgorithm(JwsError),
}

impl SdJwtError {
    /// This error's row of the error table ([`crate::error`]): its stable code, kind and class.
    pub fn info(&self) -> &'static ErrorInfo {
        match self {
            Self::Malformed(_) => &codes::SDJWT_MALFORMED,
            Self::TooLarge => &codes::SDJWT_TOO_LARGE,
            Self::TooManyDisclosures => &codes::SDJWT_TOO_MANY_DISCLOSURES,
            Self::MalformedDisclosure(_) => &codes::SDJWT_MALFORMED_DISCLOSURE,
            Self::ReservedClaimName => &codes::SDJWT_RESERVED_CLAIM_NAME,
            Self::UnsupportedSdAlg => &codes::SDJWT_UNSUPPORTED_SD_ALG,
            Self::InvalidDigests(_) => &codes::SDJWT_INVALID_DIGESTS,
            Self::DuplicateDigest => &codes::SDJWT_DUPLICATE_DIGEST,
            Self::DuplicateDisclosure => &codes::SDJWT_DUPLICATE_DISCLOSURE,
            Self::UnreferencedDisclosure => &codes::SDJWT_UNREFERENCED_DISCLOSURE,
            Self::DisclosureKindMismatch => &codes::SDJWT_DISCLOSURE_KIND_MISMATCH,
            Self::ClaimCollision => &codes::SDJWT_CLAIM_COLLISION,
            Self::UnknownClaimPath(_) => &codes::SDJWT_UNKNOWN_CLAIM_PATH,
            Self::IssuerJwt(e) => e.info(),
            Self::KbMissing => &codes::SDJWT_KB_MISSING,
            Self::KbMalformed(_) => &codes::SDJWT_KB_MALFORMED,
            Self::KbWrongTyp => &codes::SDJWT_KB_WRONG_TYP,
            Self::KbBadSignature => &codes::SDJWT_KB_BAD_SIGNATURE,
            Self::KbSdHashMismatch => &codes::SDJWT_KB_SD_HASH_MISMATCH,
            Self::KbWrongNonce => &codes::SDJWT_KB_WRONG_NONCE,
            Self::KbWrongAud => &codes::SDJWT_KB_WRONG_AUD,
            Self::KbStale { .. } => &codes::SDJWT_KB_STALE,
            Self::KbIatInFuture => &codes::SDJWT_KB_IAT_IN_FUTURE,
            Self::KbSigning(e) => e.info(),
            Self::KbAlgorithm(e) => e.info(),
        }
    }

    /// Stable machine-readable code (lower layers' codes pass through unchanged).
    pub fn code(&self) -> &'static str {
        self.info().code
    }
}

impl ErrorCode for SdJwtError {
    fn info(&self) -> &'static ErrorInfo {
        SdJwtError::info(self)
    }
}
