//! Selective Disclosure for JWTs, IETF RFC 9901: disclosures (§4.2), issuance with digests and
//! decoys (§4.1, §4.2.5), holder presentation with a Key Binding JWT (§4.3, §6), and the
//! verifier's processing (§7.1–§7.3). The format layer only: which claims exist, which may be
//! hidden and what the validity rules are belong to the SD-JWT VC layer in `credential`.

mod disclosure;
mod issue;
mod kb;
mod path;
mod present;
mod process;

pub use disclosure::Disclosure;
pub use issue::{DecoyPolicy, IssueOptions, issue};
pub use kb::{KbClaims, KbExpectation, create_kb_jwt, sd_hash, verify_kb_jwt};
pub(crate) use kb::{check_kb_claims, parse_kb_jwt};
pub use path::{ClaimPath, PathSegment};
pub use present::select_disclosures;
pub use process::{DisclosedClaim, Processed, process};

use crate::encoding::limits;
use crate::jws::JwsError;

/// The only `_sd_alg` supported: RFC 9901 §4.1.1's default, from the IANA hash registry.
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
    /// `_sd_alg` names a hash algorithm other than sha-256.
    #[error("unsupported _sd_alg: only sha-256 is accepted")]
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
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "sdjwt.malformed",
            Self::TooLarge => "sdjwt.too_large",
            Self::TooManyDisclosures => "sdjwt.too_many_disclosures",
            Self::MalformedDisclosure(_) => "sdjwt.malformed_disclosure",
            Self::ReservedClaimName => "sdjwt.reserved_claim_name",
            Self::UnsupportedSdAlg => "sdjwt.unsupported_sd_alg",
            Self::InvalidDigests(_) => "sdjwt.invalid_digests",
            Self::DuplicateDigest => "sdjwt.duplicate_digest",
            Self::DuplicateDisclosure => "sdjwt.duplicate_disclosure",
            Self::UnreferencedDisclosure => "sdjwt.unreferenced_disclosure",
            Self::DisclosureKindMismatch => "sdjwt.disclosure_kind_mismatch",
            Self::ClaimCollision => "sdjwt.claim_collision",
            Self::UnknownClaimPath(_) => "sdjwt.unknown_claim_path",
            Self::IssuerJwt(e) => e.code(),
            Self::KbMissing => "sdjwt.kb_missing",
            Self::KbMalformed(_) => "sdjwt.kb_malformed",
            Self::KbWrongTyp => "sdjwt.kb_wrong_typ",
            Self::KbBadSignature => "sdjwt.kb_bad_signature",
            Self::KbSdHashMismatch => "sdjwt.kb_sd_hash_mismatch",
            Self::KbWrongNonce => "sdjwt.kb_wrong_nonce",
            Self::KbWrongAud => "sdjwt.kb_wrong_aud",
            Self::KbStale { .. } => "sdjwt.kb_stale",
            Self::KbIatInFuture => "sdjwt.kb_iat_in_future",
            Self::KbSigning(e) => e.code(),
            Self::KbAlgorithm(e) => e.code(),
        }
    }
}

/// An SD-JWT split into its parts (RFC 9901 §4): the issuer-signed JWT, the disclosures in
/// presented order, and the optional KB-JWT. Borrowed from the input string.
#[derive(Debug, Clone)]
pub struct SdJwtParts<'a> {
    /// The issuer-signed JWT (compact JWS).
    pub jwt: &'a str,
    /// The encoded disclosures, in order.
    pub disclosures: Vec<&'a str>,
    /// The KB-JWT, if present.
    pub kb_jwt: Option<&'a str>,
    /// `<jwt>~<d1>~…~<dn>~`: the string `sd_hash` covers.
    pub without_kb: &'a str,
}

impl<'a> SdJwtParts<'a> {
    /// Splits an SD-JWT or SD-JWT+KB string, bounding its size and disclosure count first.
    pub fn split(text: &'a str) -> Result<Self, SdJwtError> {
        if text.len() > limits::MAX_TOKEN_LEN {
            return Err(SdJwtError::TooLarge);
        }
        let last_tilde = text
            .rfind('~')
            .ok_or(SdJwtError::Malformed("no '~' separator"))?;
        let without_kb = text
            .get(..=last_tilde)
            .ok_or(SdJwtError::Malformed("no '~' separator"))?;
        let kb = text.get(last_tilde.saturating_add(1)..).unwrap_or_default();
        let mut pieces = without_kb.split('~');
        let jwt = pieces.next().unwrap_or_default();
        if jwt.is_empty() {
            return Err(SdJwtError::Malformed("empty issuer JWT"));
        }
        let mut disclosures: Vec<&str> = pieces.collect();
        // `without_kb` ends with '~', so split yields a final empty piece.
        if disclosures.pop() != Some("") {
            return Err(SdJwtError::Malformed("missing trailing '~'"));
        }
        if disclosures.len() > limits::MAX_DISCLOSURES {
            return Err(SdJwtError::TooManyDisclosures);
        }
        if disclosures.iter().any(|d| d.is_empty()) {
            return Err(SdJwtError::Malformed("empty disclosure"));
        }
        Ok(Self {
            jwt,
            disclosures,
            kb_jwt: (!kb.is_empty()).then_some(kb),
            without_kb,
        })
    }
}

/// Joins an issuer JWT and disclosures into `<jwt>~<d1>~…~<dn>~`.
pub fn serialize<'d>(jwt: &str, disclosures: impl IntoIterator<Item = &'d str>) -> String {
    let mut out = String::from(jwt);
    out.push('~');
    for d in disclosures {
        out.push_str(d);
        out.push('~');
    }
    out
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests {
    use super::*;

    #[test]
    fn split_forms() {
        let p = SdJwtParts::split("a.b.c~d1~d2~").unwrap();
        assert_eq!(
            (p.jwt, p.disclosures.clone(), p.kb_jwt),
            ("a.b.c", vec!["d1", "d2"], None)
        );
        let p = SdJwtParts::split("a.b.c~d1~k.b.j").unwrap();
        assert_eq!((p.without_kb, p.kb_jwt), ("a.b.c~d1~", Some("k.b.j")));
        let p = SdJwtParts::split("a.b.c~").unwrap();
        assert!(p.disclosures.is_empty());
        assert_eq!(
            SdJwtParts::split("a.b.c").unwrap_err().code(),
            "sdjwt.malformed"
        );
        assert_eq!(
            SdJwtParts::split("a.b.c~~").unwrap_err().code(),
            "sdjwt.malformed"
        );
        assert_eq!(
            SdJwtParts::split("~d~").unwrap_err().code(),
            "sdjwt.malformed"
        );
        let many = format!("a.b.c~{}", "d~".repeat(300));
        assert_eq!(
            SdJwtParts::split(&many).unwrap_err().code(),
            "sdjwt.too_many_disclosures"
        );
    }
}
