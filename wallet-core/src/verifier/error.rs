//! The verifier pipeline's error: everything that can make a shown certificate fail, from the
//! QR payload to the status list. It wraps the errors of the layers the pipeline runs through
//! and never adds codes of its own, so a code names the layer that refused (docs/errors.md).

use crate::error::{ErrorClass, ErrorCode, ErrorInfo, ErrorKind, codes};
use crate::format::credential::VcError;
use crate::format::jws::JwsError;
use crate::format::sdjwt::SdJwtError;
use crate::qr::freshness::ChallengeError;
use crate::qr::transport::TransportError;
use crate::status::StatusError;
use crate::trust::TrustError;
use crate::verifier::replay_file::ReplayCacheError;

/// Why a verification failed. Each variant wraps the error of the step that refused; the code
/// ([`VerifyError::code`]) is that step's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The credential, its SD-JWT structure, its signatures or its key binding failed a check,
    /// or its issuer or key is not in the trust list.
    #[error("{0}")]
    Credential(VcError),
    /// The QR payload could not be decoded.
    #[error("{0}")]
    Transport(TransportError),
    /// The shown certificate breaks a freshness rule (replay, unknown or used challenge).
    #[error("{0}")]
    Freshness(FreshnessError),
    /// The trust list used for verification failed a check (stale, bad root signature, …).
    #[error("{0}")]
    Trust(TrustError),
    /// The credential's status check failed (revoked, suspended, unknown list, …).
    #[error("{0}")]
    Status(StatusError),
}

impl VerifyError {
    /// The wrapped error: its code, kind and class are this error's.
    fn inner(&self) -> &dyn ErrorCode {
        match self {
            Self::Credential(e) => e,
            Self::Transport(e) => e,
            Self::Freshness(e) => e,
            Self::Trust(e) => e,
            Self::Status(e) => e,
        }
    }

    /// Stable machine-readable code: the wrapped error's.
    pub fn code(&self) -> &'static str {
        self.inner().code()
    }

    /// The wrapped error's row of the error table ([`crate::error`]).
    pub fn info(&self) -> &'static ErrorInfo {
        self.inner().info()
    }

    /// What kind of failure it is: the wrapped error's (a trust list that fails its JWS check
    /// is the verifier's setup, not a negative result).
    pub fn kind(&self) -> ErrorKind {
        self.inner().kind()
    }

    /// The group front ends report it under: the wrapped error's.
    pub fn class(&self) -> ErrorClass {
        self.inner().class()
    }

    /// The credential-layer error, when that is what failed.
    pub fn as_credential(&self) -> Option<&VcError> {
        match self {
            Self::Credential(e) => Some(e),
            _ => None,
        }
    }
}

impl From<VcError> for VerifyError {
    fn from(e: VcError) -> Self {
        Self::Credential(e)
    }
}

impl From<SdJwtError> for VerifyError {
    fn from(e: SdJwtError) -> Self {
        Self::Credential(e.into())
    }
}

impl From<JwsError> for VerifyError {
    fn from(e: JwsError) -> Self {
        Self::Credential(e.into())
    }
}

impl From<TransportError> for VerifyError {
    fn from(e: TransportError) -> Self {
        Self::Transport(e)
    }
}

impl From<FreshnessError> for VerifyError {
    fn from(e: FreshnessError) -> Self {
        Self::Freshness(e)
    }
}

impl From<TrustError> for VerifyError {
    fn from(e: TrustError) -> Self {
        Self::Trust(e)
    }
}

impl From<StatusError> for VerifyError {
    fn from(e: StatusError) -> Self {
        Self::Status(e)
    }
}

/// Errors of the freshness rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FreshnessError {
    /// This exact presentation was already accepted: a replayed (e.g. screenshotted) code.
    #[error("this code was already scanned: replay refused, ask the holder to refresh the code")]
    Replay,
    /// The replay cache is full of unexpired entries; accepting more would mean forgetting some.
    #[error("replay cache is full: too many scans within the freshness window")]
    ReplayCacheFull,
    /// The presentation answers a challenge this verifier did not issue (or already forgot).
    #[error("the presentation answers no open challenge of this verifier")]
    ChallengeUnknown,
    /// The challenge expired before it was answered.
    #[error("the challenge has expired: show a new challenge code")]
    ChallengeExpired,
    /// The challenge was already answered once.
    #[error("the challenge was already answered")]
    ChallengeUsed,
    /// The challenge QR payload is not valid.
    #[error("{0}")]
    Challenge(ChallengeError),
    /// The presentation is bound to an audience this verifier does not accept.
    #[error("the presentation is bound to another verifier")]
    WrongAudience,
    /// The persistent replay cache could not be read or written, so the presentation cannot be
    /// remembered and is not accepted.
    #[error("{0}")]
    ReplayCache(ReplayCacheError),
}

impl FreshnessError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        self.info().code
    }

    /// This error's row of the error table ([`crate::error`]).
    pub fn info(&self) -> &'static ErrorInfo {
        match self {
            Self::Replay => &codes::QR_REPLAY,
            Self::ReplayCacheFull => &codes::QR_REPLAY_CACHE_FULL,
            Self::ChallengeUnknown => &codes::QR_CHALLENGE_UNKNOWN,
            Self::ChallengeExpired => &codes::QR_CHALLENGE_EXPIRED,
            Self::ChallengeUsed => &codes::QR_CHALLENGE_USED,
            Self::Challenge(e) => e.info(),
            Self::WrongAudience => &codes::QR_WRONG_AUDIENCE,
            Self::ReplayCache(e) => e.info(),
        }
    }
}

impl ErrorCode for FreshnessError {
    fn info(&self) -> &'static ErrorInfo {
        FreshnessError::info(self)
    }
}

impl ErrorCode for VerifyError {
    fn info(&self) -> &'static ErrorInfo {
        self.inner().info()
    }
    fn kind(&self) -> ErrorKind {
        VerifyError::kind(self)
    }
    fn class(&self) -> ErrorClass {
        VerifyError::class(self)
    }
}

impl From<ChallengeError> for FreshnessError {
    fn from(e: ChallengeError) -> Self {
        Self::Challenge(e)
    }
}
