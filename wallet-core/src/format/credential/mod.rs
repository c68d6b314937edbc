//! SD-JWT VC (draft-ietf-oauth-sd-jwt-vc) on top of RFC 9901: the `dc+sd-jwt` media type, the
//! registered claims every credential carries (`iss`, `iat`, `nbf`, `exp`, `vct`, `cnf`,
//! `status`) and which of them may never be selectively disclosed, plus the catalogue of the
//! credential types this product issues and the reading of claims documents.

pub(crate) mod catalogue;
pub(crate) mod input;

use crate::error::{ErrorCode, ErrorInfo, codes};
use crate::format::jws::JwsError;
use crate::format::keys::{Algorithm, KeyError, PublicKey};
use crate::format::sdjwt::SdJwtError;
use catalogue::CatalogueError;
use serde::Serialize;
use serde_json::{Map, Value};

/// The JOSE `typ` of an SD-JWT VC.
pub const VC_TYP: &str = "dc+sd-jwt";

/// Claims that are never selectively disclosable: a verifier must see who issued the credential,
/// for which type, when it is valid, the holder key and where its status is published before it
/// can trust anything else. (`iat` is added to the draft's list: the trust list checks the
/// signing key's validity at `iat`, so it must always be visible.)
pub const NEVER_DISCLOSABLE: &[&str] = &["iss", "iat", "nbf", "exp", "cnf", "vct", "status"];

/// Errors of the SD-JWT VC layer: the credential's own rules, checked when it is issued,
/// presented and verified, and the issuer-key resolver's answers (`crate::trust`). Errors of the
/// layers below (keys, JWS, SD-JWT, the type catalogue) are wrapped and keep their own codes;
/// the verifier's pipeline wraps this one in `crate::verifier::VerifyError`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VcError {
    /// The issuer JWT's `typ` is not `dc+sd-jwt`.
    #[error("credential typ is not dc+sd-jwt")]
    WrongTyp,
    /// A required registered claim is missing.
    #[error("credential lacks the required claim {0:?}")]
    MissingClaim(&'static str),
    /// A registered claim has the wrong JSON type or value.
    #[error("credential claim {0:?} is invalid: {1}")]
    InvalidClaim(&'static str, &'static str),
    /// A claim that must always be visible (`iss`, `iat`, `nbf`, `exp`, `cnf`, `vct`, `status`)
    /// was made selectively disclosable (refused at issuance, rejected at verification).
    #[error("claim {0:?} may never be selectively disclosable")]
    ReservedClaimDisclosable(String),
    /// The issuer's claims contain a registered claim name that the issuance step sets itself.
    #[error("claim {0:?} is set by the issuer step and may not appear in the claims")]
    ReservedClaimSupplied(String),
    /// `exp` is not after `iat`, or `nbf` is after `exp`.
    #[error("validity window is empty: exp must be after iat and nbf")]
    InvalidValidity,
    /// `exp` has passed (beyond the allowed clock skew).
    #[error("credential has expired")]
    Expired,
    /// A disclosed claim that ends the document's own validity (e.g. a driving licence's
    /// `valid_until`) has passed at the verifier's `now` (beyond the allowed clock skew): the
    /// document itself has expired, whatever the credential's `exp` says.
    #[error("the document has expired: its {0} date has passed")]
    DocumentExpired(String),
    /// Issuance in strict mode: the requested `exp` is later than the end of the document's own
    /// validity (the named claim); by default `exp` is capped to it instead.
    #[error(
        "the requested expiry is later than the end of the document's validity (claim {0:?}); strict mode refuses to cap it"
    )]
    ExpiryAfterDocument(String),
    /// Issuance: the credential type must be revocable but the request has no `status`, and
    /// the issuer did not opt out.
    #[error("this credential type must be revocable: the credential needs a status list entry")]
    StatusRequired,
    /// `nbf` is still in the future (beyond the allowed clock skew).
    #[error("credential is not yet valid")]
    NotYetValid,
    /// `iat` is in the future (beyond the allowed clock skew).
    #[error("credential was issued in the future")]
    IssuedInFuture,
    /// `cnf.jwk` is missing or not a usable Ed25519 public key.
    #[error("holder key (cnf.jwk) is invalid: {0}")]
    InvalidHolderKey(KeyError),
    /// The signer offered for key binding is not the credential's holder key.
    #[error("the holder key does not match the credential's cnf key")]
    HolderKeyMismatch,
    /// The issuer (`iss`) is not known to the verifier.
    #[error("issuer is not trusted: unknown issuer")]
    UnknownIssuer,
    /// The issuer is known but has no key with the JWT's `kid`.
    #[error("issuer is known but the signing key is not one of its keys")]
    UnknownKey,
    /// The issuer is known but not authorised to issue this credential type (`vct`).
    #[error("issuer is not authorised to issue this credential type")]
    IssuerNotAuthorised,
    /// No type document is known for the credential's `vct`: the trust list carries none and
    /// the verifier has none of its own (built in or added), so its rules and labels cannot be
    /// applied.
    #[error("credential type is unknown to this verifier: no type document for its vct")]
    UnknownType,
    /// The type document the verifier has for the credential's `vct` is not the one the trust
    /// list pins for the issuer (its SRI integrity differs).
    #[error("credential type document does not match the integrity the trust list pins")]
    TypeIntegrityMismatch,
    /// The type document says `sd: always` for a claim that the credential carries in the
    /// issuer-signed payload instead of a disclosure.
    #[error(
        "claim {0:?} must be selectively disclosable (sd: always) but is in the signed payload"
    )]
    ClaimMustBeDisclosable(String),
    /// The type document says `sd: never` for a claim that the credential carries in a
    /// disclosure.
    #[error("claim {0:?} must not be selectively disclosable (sd: never) but is in a disclosure")]
    ClaimMustNotBeDisclosable(String),
    /// The type document marks a claim `mandatory` and the credential provably lacks it: it is
    /// not visible and could not be hidden in an undisclosed digest.
    #[error("mandatory claim {0:?} is not in the credential")]
    MandatoryClaimMissing(String),
    /// The issuer key was not valid at the credential's `iat` (outside its validity or retired).
    #[error("issuer key was not valid when the credential was issued")]
    KeyNotValid,
    /// The issuer key's algorithm is not one the verifier's [`AlgorithmPolicy`] accepts for
    /// issuers.
    ///
    /// [`AlgorithmPolicy`]: crate::format::keys::AlgorithmPolicy
    #[error("issuer key algorithm {0} is not accepted by this verifier")]
    AlgorithmNotAccepted(Algorithm),
    /// The holder key's (`cnf.jwk`) algorithm is not one the verifier's [`AlgorithmPolicy`]
    /// accepts for holders.
    ///
    /// [`AlgorithmPolicy`]: crate::format::keys::AlgorithmPolicy
    #[error("holder key algorithm {0} is not accepted by this verifier")]
    HolderAlgorithmNotAccepted(Algorithm),
    /// The issuer's public key is unusable.
    #[error("issuer key: {0}")]
    IssuerKey(KeyError),
    /// The issuer JWT failed a JWS check.
    #[error("issuer-signed JWT: {0}")]
    Jws(JwsError),
    /// The SD-JWT structure, disclosures or key binding failed a check.
    #[error("{0}")]
    SdJwt(SdJwtError),
    /// The claims fail the credential type's schema.
    #[error("{0}")]
    Catalogue(CatalogueError),
}

impl VcError {
    /// This error's row of the error table ([`crate::error`]): its stable code, kind and class.
    pub fn info(&self) -> &'static ErrorInfo {
        match self {
            Self::WrongTyp => &codes::VC_WRONG_TYP,
            Self::MissingClaim(_) => &codes::VC_MISSING_CLAIM,
            Self::InvalidClaim(..) => &codes::VC_INVALID_CLAIM,
            Self::ReservedClaimDisclosable(_) => &codes::VC_RESERVED_CLAIM_DISCLOSABLE,
            Self::ReservedClaimSupplied(_) => &codes::VC_RESERVED_CLAIM_SUPPLIED,
            Self::InvalidValidity => &codes::VC_INVALID_VALIDITY,
            Self::Expired => &codes::VC_EXPIRED,
            Self::DocumentExpired(_) => &codes::VC_DOCUMENT_EXPIRED,
            Self::ExpiryAfterDocument(_) => &codes::VC_EXPIRY_AFTER_DOCUMENT,
            Self::StatusRequired => &codes::VC_STATUS_REQUIRED,
            Self::NotYetValid => &codes::VC_NOT_YET_VALID,
            Self::IssuedInFuture => &codes::VC_ISSUED_IN_FUTURE,
            Self::InvalidHolderKey(_) => &codes::VC_INVALID_HOLDER_KEY,
            Self::HolderKeyMismatch => &codes::VC_HOLDER_KEY_MISMATCH,
            Self::UnknownIssuer => &codes::VC_UNKNOWN_ISSUER,
            Self::UnknownKey => &codes::VC_UNKNOWN_KEY,
            Self::IssuerNotAuthorised => &codes::VC_ISSUER_NOT_AUTHORISED,
            Self::KeyNotValid => &codes::VC_KEY_NOT_VALID,
            Self::UnknownType => &codes::VC_UNKNOWN_TYPE,
            Self::TypeIntegrityMismatch => &codes::VC_TYPE_INTEGRITY_MISMATCH,
            Self::ClaimMustBeDisclosable(_) => &codes::VC_CLAIM_MUST_BE_DISCLOSABLE,
            Self::ClaimMustNotBeDisclosable(_) => &codes::VC_CLAIM_MUST_NOT_BE_DISCLOSABLE,
            Self::MandatoryClaimMissing(_) => &codes::VC_MANDATORY_CLAIM_MISSING,
            Self::AlgorithmNotAccepted(_) => &codes::VC_ALGORITHM_NOT_ACCEPTED,
            Self::HolderAlgorithmNotAccepted(_) => &codes::VC_HOLDER_ALGORITHM_NOT_ACCEPTED,
            Self::IssuerKey(e) => e.info(),
            Self::Jws(e) => e.info(),
            Self::SdJwt(e) => e.info(),
            Self::Catalogue(e) => e.info(),
        }
    }

    /// Stable machine-readable code (lower layers' codes pass through unchanged).
    pub fn code(&self) -> &'static str {
        self.info().code
    }
}

impl ErrorCode for VcError {
    fn info(&self) -> &'static ErrorInfo {
        VcError::info(self)
    }
}

impl From<SdJwtError> for VcError {
    fn from(e: SdJwtError) -> Self {
        match e {
            SdJwtError::IssuerJwt(j) => Self::Jws(j),
            other => Self::SdJwt(other),
        }
    }
}

impl From<JwsError> for VcError {
    fn from(e: JwsError) -> Self {
        Self::Jws(e)
    }
}

impl From<CatalogueError> for VcError {
    fn from(e: CatalogueError) -> Self {
        Self::Catalogue(e)
    }
}

/// The stable id of a credential: base64url of the first 16 bytes of SHA-256 over its
/// issuer-signed JWT. Disclosure order or a KB-JWT do not change it, so the same credential
/// imported twice is recognised, and the issuer's log and the holder's store name it alike.
pub fn credential_id(credential: &str) -> Result<String, VcError> {
    let parts = crate::format::sdjwt::SdJwtParts::split(credential)?;
    let digest = <sha2::Sha256 as sha2::Digest>::digest(parts.jwt.as_bytes());
    Ok(crate::encoding::b64_encode(
        digest.get(..16).unwrap_or_default(),
    ))
}

/// Where a credential's status is published (Token Status List, `status.status_list`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusRef {
    /// Index of the credential in the list.
    pub idx: u64,
    /// URI of the status list token (its `sub`).
    pub uri: String,
}

impl StatusRef {
    /// The `status` claim value.
    pub fn to_claim(&self) -> Value {
        let mut list = Map::new();
        list.insert("idx".into(), Value::from(self.idx));
        list.insert("uri".into(), Value::from(self.uri.as_str()));
        let mut status = Map::new();
        status.insert("status_list".into(), Value::Object(list));
        Value::Object(status)
    }
}

/// The registered claims of a credential, read from the issuer-signed payload (never from
/// disclosures).
#[derive(Debug, Clone, PartialEq)]
pub struct RegisteredClaims {
    /// `iss`.
    pub iss: String,
    /// `iat`.
    pub iat: i64,
    /// `nbf`, if present.
    pub nbf: Option<i64>,
    /// `exp`.
    pub exp: i64,
    /// `vct`.
    pub vct: String,
    /// `cnf.jwk`.
    pub holder_key: PublicKey,
    /// `status.status_list`, if present.
    pub status: Option<StatusRef>,
}

fn int_claim(payload: &Map<String, Value>, name: &'static str) -> Result<Option<i64>, VcError> {
    match payload.get(name) {
        None => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or(VcError::InvalidClaim(name, "not an integer NumericDate")),
    }
}

fn text_claim(payload: &Map<String, Value>, name: &'static str) -> Result<String, VcError> {
    match payload.get(name) {
        None => Err(VcError::MissingClaim(name)),
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(_) => Err(VcError::InvalidClaim(name, "not a non-empty string")),
    }
}

impl RegisteredClaims {
    /// Reads and type-checks the registered claims of an issuer-signed payload. Time rules are
    /// applied separately by [`RegisteredClaims::check_time`].
    pub fn from_payload(payload: &Map<String, Value>) -> Result<Self, VcError> {
        let iss = text_claim(payload, "iss")?;
        let vct = text_claim(payload, "vct")?;
        let iat = int_claim(payload, "iat")?.ok_or(VcError::MissingClaim("iat"))?;
        let exp = int_claim(payload, "exp")?.ok_or(VcError::MissingClaim("exp"))?;
        let nbf = int_claim(payload, "nbf")?;
        let jwk = payload
            .get("cnf")
            .ok_or(VcError::MissingClaim("cnf"))?
            .get("jwk")
            .ok_or(VcError::InvalidClaim("cnf", "no jwk member"))?;
        let holder_key = PublicKey::from_jwk(jwk).map_err(VcError::InvalidHolderKey)?;
        let status = match payload.get("status") {
            None => None,
            Some(s) => {
                let list = s
                    .get("status_list")
                    .ok_or(VcError::InvalidClaim("status", "no status_list member"))?;
                let idx = list
                    .get("idx")
                    .and_then(Value::as_u64)
                    .ok_or(VcError::InvalidClaim(
                        "status",
                        "idx is not a non-negative integer",
                    ))?;
                let uri = list
                    .get("uri")
                    .and_then(Value::as_str)
                    .filter(|u| !u.is_empty())
                    .ok_or(VcError::InvalidClaim(
                        "status",
                        "uri is not a non-empty string",
                    ))?;
                Some(StatusRef {
                    idx,
                    uri: uri.to_owned(),
                })
            }
        };
        if exp <= iat || nbf.is_some_and(|n| n >= exp) {
            return Err(VcError::InvalidValidity);
        }
        Ok(Self {
            iss,
            iat,
            nbf,
            exp,
            vct,
            holder_key,
            status,
        })
    }

    /// Applies the validity window at `now` with `skew` seconds of tolerance each way.
    pub fn check_time(&self, now: i64, skew: u64) -> Result<(), VcError> {
        let skew = i64::try_from(skew).unwrap_or(i64::MAX);
        if self.iat > now.saturating_add(skew) {
            return Err(VcError::IssuedInFuture);
        }
        if self.nbf.is_some_and(|nbf| nbf > now.saturating_add(skew)) {
            return Err(VcError::NotYetValid);
        }
        if now.saturating_sub(skew) >= self.exp {
            return Err(VcError::Expired);
        }
        Ok(())
    }
}
