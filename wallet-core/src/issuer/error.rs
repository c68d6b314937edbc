//! Errors of the issuer service: the issuance transaction, the issuance log, index reservation
//! and batch bookkeeping. Each variant keeps what a front end needs to explain the failure in its
//! own words (the file, the underlying error), because the same failure reads differently in a
//! terminal (with a hint what to run next) and in an app (a result code). Errors of the layers
//! below keep their own stable codes (`status.registry_locked`, `vc.status_required`, …); only
//! what is the issuer's own bookkeeping has an `issuer.*` code.

use crate::error::{ErrorClass, ErrorCode, ErrorInfo, codes};
use crate::format::credential::VcError;
use crate::status::StatusError;
use std::path::PathBuf;

/// Why the issuer service refused or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssuerError {
    /// The status registry file is missing, unreadable or not a registry.
    #[error("cannot read status registry {}: {source}", path.display())]
    ReadRegistry {
        /// The registry file.
        path: PathBuf,
        /// Why (`status.io`, `status.malformed`, …).
        source: StatusError,
    },
    /// The registry's lock could not be taken: another process held it beyond the wait
    /// (`status.registry_locked`), or the lock file could not be created (`status.io`).
    #[error("cannot lock status registry {}: {source}", path.display())]
    LockRegistry {
        /// The registry file.
        path: PathBuf,
        /// Why.
        source: StatusError,
    },
    /// The registry could not be saved after a change; the file on disk is unchanged.
    #[error("cannot write status registry {}: {source}", path.display())]
    SaveRegistry {
        /// The registry file.
        path: PathBuf,
        /// Why.
        source: StatusError,
    },
    /// A status index could not be allocated (`status.registry_full`).
    #[error("status registry {}: {source}", path.display())]
    Allocate {
        /// The registry file.
        path: PathBuf,
        /// Why.
        source: StatusError,
    },
    /// The registry file now holds another status list than the one a batch started with: it
    /// was replaced while the batch ran.
    #[error("status registry {} now holds the list {found}, not {expected}", path.display())]
    RegistryReplaced {
        /// The registry file.
        path: PathBuf,
        /// The list URI the file holds now.
        found: String,
        /// The list URI the batch started with.
        expected: String,
    },
    /// The credential was refused (claims, validity, revocability, signing).
    #[error("cannot issue: {0}")]
    Credential(#[from] VcError),
    /// The issued credential's id could not be computed.
    #[error("cannot compute the credential id: {0}")]
    CredentialId(VcError),
    /// An issuer file (the issuance log, a batch's output, errors or job file, its input) could
    /// not be read or written.
    #[error("cannot access {what} {}: {source}", path.display())]
    Io {
        /// What the file is (`issuance log`, `output`, …).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A batch job file is not one this version wrote.
    #[error("batch job file {} is not one this version of wallet wrote", path.display())]
    JobUnknown {
        /// The job file.
        path: PathBuf,
    },
    /// A batch is resumed with other parameters than it was started with.
    #[error("this is not the batch {} was started for: {} differ", path.display(), differ.join(", "))]
    JobMismatch {
        /// The job file.
        path: PathBuf,
        /// What differs, in words (`the credential type`, `--iss`, …).
        differ: Vec<&'static str>,
    },
    /// The issuance log is shorter than when the batch being resumed started.
    #[error("issuance log {} is shorter than when this batch started", path.display())]
    LogTruncated {
        /// The issuance log.
        path: PathBuf,
    },
    /// The issuance log names a credential of the batch that its output does not hold.
    #[error(
        "the issuance log {} names a credential of this batch that {} does not hold",
        log.display(),
        output.display()
    )]
    LogOutputMismatch {
        /// The issuance log.
        log: PathBuf,
        /// The batch's in-progress output.
        output: PathBuf,
    },
    /// A shard id that is not a safe name (docs/scale.md).
    #[error("the shard id is not usable: {reason}")]
    ShardInvalid {
        /// Why, in words.
        reason: &'static str,
    },
    /// The status registry given to a shard holds another shard's list (its URI does not end
    /// in `/<shard>`).
    #[error(
        "the status registry's list {uri} is not shard {shard}'s (its URI must end in /{shard})"
    )]
    ShardMismatch {
        /// The shard id.
        shard: String,
        /// The registry's list URI.
        uri: String,
    },
    /// A batch output line is not an issued credential.
    #[error("{} holds a line that is not an issued credential", path.display())]
    OutputDamaged {
        /// The batch's in-progress output.
        path: PathBuf,
    },
}

impl IssuerError {
    /// This error's row of the error table ([`crate::error`]): its stable code, kind and class.
    pub fn info(&self) -> &'static ErrorInfo {
        match self {
            Self::ReadRegistry { source, .. }
            | Self::LockRegistry { source, .. }
            | Self::SaveRegistry { source, .. }
            | Self::Allocate { source, .. } => source.info(),
            Self::Credential(e) => e.info(),
            Self::CredentialId(e) => e.info(),
            Self::RegistryReplaced { .. } => &codes::ISSUER_REGISTRY_REPLACED,
            Self::Io { .. } => &codes::ISSUER_IO,
            Self::JobUnknown { .. } => &codes::ISSUER_JOB_UNKNOWN,
            Self::JobMismatch { .. } => &codes::ISSUER_JOB_MISMATCH,
            Self::LogTruncated { .. } => &codes::ISSUER_LOG_TRUNCATED,
            Self::LogOutputMismatch { .. } => &codes::ISSUER_LOG_MISMATCH,
            Self::OutputDamaged { .. } => &codes::ISSUER_OUTPUT_DAMAGED,
            Self::ShardInvalid { .. } => &codes::ISSUER_SHARD_INVALID,
            Self::ShardMismatch { .. } => &codes::ISSUER_SHARD_MISMATCH,
        }
    }

    /// Stable machine-readable code (lower layers' codes pass through unchanged).
    pub fn code(&self) -> &'static str {
        self.info().code
    }

    /// An [`IssuerError::Io`].
    pub(crate) fn io(what: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            what,
            path: path.into(),
            source,
        }
    }
}

impl ErrorCode for IssuerError {
    fn info(&self) -> &'static ErrorInfo {
        IssuerError::info(self)
    }
    /// A status registry that cannot be read, locked, saved or allocated from is reported as
    /// the registry's problem (its own code kept), except when it is merely locked or full.
    fn class(&self) -> ErrorClass {
        match self {
            Self::ReadRegistry { source, .. }
            | Self::LockRegistry { source, .. }
            | Self::SaveRegistry { source, .. }
            | Self::Allocate { source, .. } => match source.class() {
                c @ (ErrorClass::RegistryLocked | ErrorClass::RegistryFull) => c,
                _ => ErrorClass::Registry,
            },
            Self::Credential(e) | Self::CredentialId(e) => e.class(),
            _ => self.info().class,
        }
    }
}
