//! Protocol step 1 with a status list (draft-ietf-oauth-status-list-20 §13.3 "double
//! allocation"): the issuance transaction that gives one credential its status index.
//!
//! Order, and why (docs/cli.md, "Status registry"):
//! 1. refusals first (`vc.status_required`, `vc.expiry_after_document`): a refused credential
//!    spends no index;
//! 2. lock the registry ([`StatusRegistry::lock`]), load its latest state, allocate a free index
//!    and **save** before the credential exists: a crash after this wastes the index, never
//!    gives it twice;
//! 3. sign, compute the credential id, append the issuance-log line;
//! 4. release the lock — only now, so that concurrent issuers neither lose each other's
//!    allocations (load → save races) nor interleave log lines, and a revocation by id that
//!    takes the lock sees every issuance completed before it.
//!
//! Every front end (the `wallet issue` command, the FFI issuer) goes through
//! [`IssuanceService::issue`], so none re-implements the guard.

use super::{IssuerError, log};
use crate::format::credential::{StatusRef, VcError};
use crate::format::keys::KeySigner;
use crate::issuer::issue::{CredentialRequest, issue_credential};
use crate::issuer::registry::{REGISTRY_LOCK_TIMEOUT, RegistryLock, StatusRegistry};
use crate::status::StatusError;
use rand_core::CryptoRngCore;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Takes the cross-process lock of the registry at `path`, waiting up to `timeout`. A missing
/// or unreadable registry file is reported as such ([`IssuerError::ReadRegistry`]) before any
/// lock file is created beside a mistyped path.
pub fn lock_registry(path: &Path, timeout: Duration) -> Result<RegistryLock, IssuerError> {
    if let Err(e) = std::fs::metadata(path) {
        return Err(IssuerError::ReadRegistry {
            path: path.to_owned(),
            source: StatusError::Io(e.kind().to_string()),
        });
    }
    StatusRegistry::lock(path, timeout).map_err(|source| IssuerError::LockRegistry {
        path: path.to_owned(),
        source,
    })
}

/// Loads the registry `lock` guards: its latest state, which stays so until this lock saves.
pub fn load_locked(lock: &RegistryLock) -> Result<StatusRegistry, IssuerError> {
    lock.load().map_err(|source| IssuerError::ReadRegistry {
        path: lock.path().to_owned(),
        source,
    })
}

/// Saves `registry` atomically as the file `lock` guards.
pub fn save_locked(lock: &RegistryLock, registry: &StatusRegistry) -> Result<(), IssuerError> {
    lock.save(registry)
        .map_err(|source| IssuerError::SaveRegistry {
            path: lock.path().to_owned(),
            source,
        })
}

/// A credential issued by [`IssuanceService::issue`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The SD-JWT VC, `<jwt>~<disclosure>~…~`.
    pub credential: String,
    /// Its stable id ([`crate::format::credential::credential_id`]), as logged.
    pub id: String,
    /// Its status list entry, if it has one.
    pub status: Option<StatusRef>,
}

/// Issues credentials with a signer and, optionally, a status registry file from which each
/// credential gets its index (and in whose issuance log it is recorded).
#[derive(Debug)]
pub struct IssuanceService<'a, S: KeySigner + ?Sized> {
    signer: &'a S,
    registry: Option<PathBuf>,
    lock_timeout: Duration,
}

impl<'a, S: KeySigner + ?Sized> IssuanceService<'a, S> {
    /// A service signing with `signer`, without a registry: requests carry their own `status`
    /// (or none).
    pub fn new(signer: &'a S) -> Self {
        Self {
            signer,
            registry: None,
            lock_timeout: REGISTRY_LOCK_TIMEOUT,
        }
    }

    /// Allocates every credential's status index from the registry file at `path` (made with
    /// [`StatusRegistry::save`]) and logs it in [`log::log_path`]`(path)`.
    #[must_use]
    pub fn with_registry(mut self, path: impl Into<PathBuf>) -> Self {
        self.registry = Some(path.into());
        self
    }

    /// How long to wait for another process holding the registry (default
    /// [`REGISTRY_LOCK_TIMEOUT`]) before failing with `status.registry_locked`.
    #[must_use]
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// The registry file, if any.
    pub fn registry(&self) -> Option<&Path> {
        self.registry.as_deref()
    }

    /// Issues `request` in the order of the module documentation. With a registry, the
    /// request's `status` is the index allocated here (one given in the request is replaced).
    pub fn issue(
        &self,
        mut request: CredentialRequest,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<Issued, IssuerError> {
        // Refusals come before an index is allocated, so a refused credential spends none.
        if request.status_required && request.status.is_none() && self.registry.is_none() {
            return Err(VcError::StatusRequired.into());
        }
        request.effective_expiry()?;
        let Some(path) = &self.registry else {
            let credential = issue_credential(&request, self.signer, rng)?;
            let id = crate::format::credential::credential_id(&credential)
                .map_err(IssuerError::CredentialId)?;
            return Ok(Issued {
                credential,
                id,
                status: request.status,
            });
        };
        let lock = lock_registry(path, self.lock_timeout)?;
        let mut registry = load_locked(&lock)?;
        let idx = registry
            .allocate(rng)
            .map_err(|source| IssuerError::Allocate {
                path: path.clone(),
                source,
            })?;
        // Saved before the credential exists: a crash from here on wastes the index, never
        // hands it out twice.
        save_locked(&lock, &registry)?;
        let status = StatusRef {
            idx,
            uri: registry.uri().to_owned(),
        };
        request.status = Some(status.clone());
        let credential = issue_credential(&request, self.signer, rng)?;
        let id = crate::format::credential::credential_id(&credential)
            .map_err(IssuerError::CredentialId)?;
        log::append(
            &lock,
            &log::log_line(
                &id,
                &status,
                &request.vct,
                &request.issuer,
                request.issued_at,
            ),
        )?;
        drop(lock);
        Ok(Issued {
            credential,
            id,
            status: Some(status),
        })
    }
}
