//! Batch issuance's status indices (draft-ietf-oauth-status-list-20 §13.3): reserved in blocks
//! that are saved to the registry before any credential carries them, and the last step of a
//! batch group's commit, its issuance-log lines under the registry lock.
//!
//! The registry is locked only while a block is reserved (lock, load the latest state,
//! allocate, save, unlock) and while a group's log lines are appended, not for the whole run:
//! revocations, single issues and publishes by other processes go on during a long batch
//! instead of waiting for it. An interrupted batch can waste reserved indices, never reuse one.
//! Blocks grow from [`FIRST_BLOCK`] by doubling up to [`MAX_BLOCK`], so a small batch wastes
//! few indices and a large one saves the registry rarely.

use super::transaction::{load_locked, lock_registry, save_locked};
use super::{IssuerError, log};
use crate::status::StatusError;
use rand_core::CryptoRngCore;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Size of the first reserved block.
pub const FIRST_BLOCK: usize = 1024;
/// Most status indices reserved (and saved) at once.
pub const MAX_BLOCK: usize = 65_536;

/// Hands out status indices of one registry file, reserving them in blocks saved before use.
#[derive(Debug)]
pub struct IndexReservation {
    path: PathBuf,
    /// The list URI the batch started with, written into every credential it issues.
    uri: String,
    /// Reserved and not yet handed out, next last.
    block: Vec<u64>,
    next_size: usize,
    lock_timeout: Duration,
}

impl IndexReservation {
    /// Starts reserving from the registry at `path`: reads it once under its lock for the list
    /// URI (and to fail early on a missing or unreadable registry). Nothing is reserved yet.
    pub fn start(path: &Path, lock_timeout: Duration) -> Result<Self, IssuerError> {
        let registry = load_locked(&lock_registry(path, lock_timeout)?)?;
        Ok(Self {
            path: path.to_owned(),
            uri: registry.uri().to_owned(),
            block: Vec::new(),
            next_size: FIRST_BLOCK,
            lock_timeout,
        })
    }

    /// The registry file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The status list URI of every index handed out.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The next reserved index, reserving a new block first when none is left. Refused with
    /// [`IssuerError::RegistryReplaced`] if the file now holds another list (replaced during
    /// the batch), and with [`IssuerError::Allocate`] when the registry is full.
    pub fn next(&mut self, rng: &mut dyn CryptoRngCore) -> Result<u64, IssuerError> {
        if self.block.is_empty() {
            self.reserve(rng)?;
        }
        self.block.pop().ok_or_else(|| IssuerError::Allocate {
            path: self.path.clone(),
            source: StatusError::RegistryFull,
        })
    }

    fn reserve(&mut self, rng: &mut dyn CryptoRngCore) -> Result<(), IssuerError> {
        let lock = lock_registry(&self.path, self.lock_timeout)?;
        let mut registry = load_locked(&lock)?;
        if registry.uri() != self.uri {
            return Err(IssuerError::RegistryReplaced {
                path: self.path.clone(),
                found: registry.uri().to_owned(),
                expected: self.uri.clone(),
            });
        }
        for _ in 0..self.next_size {
            match registry.allocate(rng) {
                Ok(i) => self.block.push(i),
                // A nearly full registry gives what it has left.
                Err(_) if !self.block.is_empty() => break,
                Err(source) => {
                    return Err(IssuerError::Allocate {
                        path: self.path.clone(),
                        source,
                    });
                }
            }
        }
        // Saved before any credential carries these indices: a crash can waste them but never
        // hand one out twice.
        save_locked(&lock, &registry)?;
        self.block.reverse();
        self.next_size = self.next_size.saturating_mul(2).min(MAX_BLOCK);
        Ok(())
    }
}

/// The last step of a batch group's commit: appends the group's issuance-log lines to the log
/// of the registry at `registry`, under its lock, once the credentials they name are durable in
/// the batch's output (so the log never names a credential the output may lose).
pub fn append_committed(
    registry: &Path,
    lock_timeout: Duration,
    lines: &str,
) -> Result<(), IssuerError> {
    if lines.is_empty() {
        return Ok(());
    }
    let lock = lock_registry(registry, lock_timeout)?;
    log::append(&lock, lines)
}
