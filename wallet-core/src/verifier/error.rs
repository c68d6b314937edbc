//! The verifier pipeline's error: everything that can make a shown certificate fail, from the
//! QR payload to the status list. It wraps the errors of the layers the pipeline runs through
//! and never adds codes of its own, so a code names the layer that refused (docs/errors.md).

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
    /// Stable machine-readable code: the wrapped error's.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Credential(e) => e.code(),
            Self::Transport(e) => e.code(),
            Self::Freshness(e) => e.code(),
            Self::Trust(e) => e.code(),
            Self::Status(e) => e.code(),
        }
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
        match self {
            Self::Replay => "qr.replay",
            Self::ReplayCacheFull => "qr.replay_cache_full",
            Self::ChallengeUnknown => "qr.challenge_unknown",
            Self::ChallengeExpired => "qr.challenge_expired",
            Self::ChallengeUsed => "qr.challenge_used",
            Self::Challenge(e) => e.code(),
            Self::WrongAudience => "qr.wrong_audience",
            Self::ReplayCache(e) => e.code(),
        }
    }
}

impl From<ChallengeError> for FreshnessError {
    fn from(e: ChallengeError) -> Self {
        Self::Challenge(e)
    }
}
