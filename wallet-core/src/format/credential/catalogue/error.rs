//! Errors of the credential-type catalogue: [`CatalogueError`] with its stable code table, and
//! the bounded collector that lets one validation report every broken rule at once.
//!
//! Issuance-time validation (`validate.rs`) and type lookup (`mod.rs`) both raise these errors, so
//! they sit at the bottom of the catalogue's module graph and depend on nothing else in it. The
//! codes are a public contract (CLI exit codes, FFI results, API clients match on them); the
//! messages name a claim and a rule but never a claim's value, so they can be logged.

use crate::error::{ErrorCode, ErrorInfo, codes};
use std::borrow::Cow;

/// Errors raised while looking up a credential type or validating its claims.
///
/// Messages name the claim and the rule that failed but never the claim's value, so that
/// they can be logged without leaking personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogueError {
    /// No catalogue entry has this short name or `vct`.
    #[error("unknown credential type {name:?}")]
    UnknownType {
        /// The short name or `vct` that was looked up (truncated).
        name: String,
    },
    /// A required claim is absent.
    #[error("claim {field:?} is required but missing")]
    MissingClaim {
        /// Name of the missing claim.
        field: String,
    },
    /// A claim that the credential type does not define was supplied.
    #[error("claim {field:?} is not defined for this credential type")]
    UnknownClaim {
        /// Name of the unexpected claim (truncated).
        field: String,
    },
    /// A claim's JSON type differs from the schema.
    #[error("claim {field:?} has the wrong JSON type: expected {expected}")]
    WrongType {
        /// Name of the claim.
        field: String,
        /// The JSON type the schema requires (see [`JsonType::as_str`](super::JsonType::as_str)).
        expected: &'static str,
    },
    /// A claim's value breaks its format or a cross-field rule.
    #[error("claim {field:?} is invalid: {rule}")]
    InvalidClaim {
        /// Name of the claim.
        field: String,
        /// The rule that was broken, in English.
        rule: Cow<'static, str>,
    },
    /// The caller supplied a claim that only the issuer may compute.
    #[error("claim {field:?} is derived by the issuer and must not be supplied")]
    DerivedClaimSupplied {
        /// Name of the derived claim.
        field: String,
    },
    /// The caller supplied a name reserved for the JWT / SD-JWT VC envelope.
    #[error("claim {field:?} is a reserved JWT / SD-JWT VC name and cannot be a credential claim")]
    ReservedClaim {
        /// The reserved name.
        field: String,
    },
    /// A claim that ends the document's own validity
    /// ([`CredentialType::validity_claims`](super::CredentialType::validity_claims))
    /// has already passed at the issuance time: the document has expired and no credential
    /// may be issued for it.
    #[error(
        "claim {field:?} ends the document's validity and has already passed at issuance: the document has expired"
    )]
    DocumentExpired {
        /// Name of the validity claim.
        field: String,
    },
    /// A credential-type document (SD-JWT VC Type Metadata) cannot be used: not JSON, a
    /// member missing or of the wrong kind, an unknown validator or rule name, a claim or rule
    /// that does not fit. The message names the member, never a value from the document.
    #[error("credential type document is invalid: {reason}")]
    InvalidDocument {
        /// What is wrong, naming the member (`claims[3].cn_wallet.format`, …).
        reason: String,
    },
    /// A type document or types directory could not be read.
    #[error("cannot read credential type documents: {reason}")]
    Io {
        /// The file and the I/O error kind.
        reason: String,
    },
    /// A type document was added whose `vct` or short name is already taken by a different
    /// document (a built-in type, or one added before).
    #[error("credential type {name:?} is already defined by a different document")]
    TypeConflict {
        /// The `vct` or short name (truncated).
        name: String,
    },
    /// More than one claim breaks the schema: every error found, in the order of the checks
    /// (names, then each claim in schema order, then cross-field rules), so a caller can fix
    /// them all at once. A single error is returned as itself, never wrapped in this variant.
    #[error("{} claim errors: {}", .total, join_errors(.errors))]
    Several {
        /// The errors found (at most [`MAX_REPORTED_ERRORS`]; `total` counts them all).
        errors: Vec<CatalogueError>,
        /// How many errors were found in all.
        total: usize,
    },
}

/// At most this many errors are kept in [`CatalogueError::Several`]: enough to fix any real
/// claims file in one pass, bounded so that hostile input cannot make an error arbitrarily large.
pub const MAX_REPORTED_ERRORS: usize = 32;

fn join_errors(errors: &[CatalogueError]) -> String {
    let parts: Vec<String> = errors.iter().map(ToString::to_string).collect();
    parts.join("; ")
}

impl CatalogueError {
    /// This error's row of the error table ([`crate::error`]): its stable code, kind and class.
    pub fn info(&self) -> &'static ErrorInfo {
        match self {
            Self::UnknownType { .. } => &codes::CATALOGUE_UNKNOWN_TYPE,
            Self::MissingClaim { .. } => &codes::CATALOGUE_MISSING_CLAIM,
            Self::UnknownClaim { .. } => &codes::CATALOGUE_UNKNOWN_CLAIM,
            Self::WrongType { .. } => &codes::CATALOGUE_WRONG_TYPE,
            Self::InvalidClaim { .. } => &codes::CATALOGUE_INVALID_CLAIM,
            Self::DerivedClaimSupplied { .. } => &codes::CATALOGUE_DERIVED_CLAIM_SUPPLIED,
            Self::ReservedClaim { .. } => &codes::CATALOGUE_RESERVED_CLAIM,
            Self::DocumentExpired { .. } => &codes::CATALOGUE_DOCUMENT_EXPIRED,
            Self::InvalidDocument { .. } => &codes::CATALOGUE_INVALID_DOCUMENT,
            Self::TypeConflict { .. } => &codes::CATALOGUE_TYPE_CONFLICT,
            Self::Io { .. } => &codes::CATALOGUE_IO,
            Self::Several { .. } => &codes::CATALOGUE_SEVERAL_ERRORS,
        }
    }

    /// Stable machine-readable code (lower layers' codes pass through unchanged).
    pub fn code(&self) -> &'static str {
        self.info().code
    }

    /// The claim an error is about (`None` for an unknown type or several errors).
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::MissingClaim { field }
            | Self::UnknownClaim { field }
            | Self::WrongType { field, .. }
            | Self::InvalidClaim { field, .. }
            | Self::DerivedClaimSupplied { field }
            | Self::ReservedClaim { field } => Some(field),
            Self::DocumentExpired { field } => Some(field),
            Self::UnknownType { .. }
            | Self::Several { .. }
            | Self::InvalidDocument { .. }
            | Self::TypeConflict { .. }
            | Self::Io { .. } => None,
        }
    }

    /// Each individual error: the list of [`CatalogueError::Several`], or this error alone.
    pub fn errors(&self) -> &[CatalogueError] {
        match self {
            Self::Several { errors, .. } => errors,
            other => std::slice::from_ref(other),
        }
    }
}

impl ErrorCode for CatalogueError {
    fn info(&self) -> &'static ErrorInfo {
        CatalogueError::info(self)
    }
}

/// The errors of one validation, bounded while they are collected.
#[derive(Default)]
pub(super) struct Collected {
    errors: Vec<CatalogueError>,
    total: usize,
}

impl Collected {
    pub(super) fn push(&mut self, e: CatalogueError) {
        self.total = self.total.saturating_add(1);
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(e);
        }
    }

    /// Whether an error collected so far is about `field`.
    pub(super) fn names(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field() == Some(field))
    }

    /// `Ok` for no error, the error itself for one, [`CatalogueError::Several`] for more.
    pub(super) fn finish(mut self) -> Result<(), CatalogueError> {
        if self.total <= 1 {
            return self.errors.pop().map_or(Ok(()), Err);
        }
        Err(CatalogueError::Several {
            errors: self.errors,
            total: self.total,
        })
    }
}

/// A [`CatalogueError::InvalidClaim`] naming `field` and the `rule` it breaks.
pub(super) fn invalid(field: &str, rule: impl Into<Cow<'static, str>>) -> CatalogueError {
    CatalogueError::InvalidClaim {
        field: field.to_owned(),
        rule: rule.into(),
    }
}

/// Untrusted names end up in error messages and logs; cap them so a hostile caller cannot
/// make a single error arbitrarily large.
pub(super) fn bounded(s: &str) -> String {
    const MAX: usize = 64;
    let mut chars = s.chars();
    let mut out: String = chars.by_ref().take(MAX).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}
