//! Serialises writers across processes with an advisory lock (`flock`, through `fd-lock`) on a
//! lock file beside the store. The lock file is separate from the store because the store is
//! replaced by rename on every write: a lock on the store's own inode would be a lock on a file
//! that no longer has the store's name. The lock file is never deleted (deleting a lock file
//! lets two processes lock two different inodes of the same name). The mechanism is
//! [`crate::fsutil::FileLock`], shared with the issuer's status registry.

use super::error::StoreError;
use crate::fsutil::{FileLock, LockError};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `<store path>.lock`.
pub(crate) fn lock_path(store: &Path) -> PathBuf {
    FileLock::path_for(store)
}

/// Takes the exclusive lock, waiting up to `timeout` for another holder to release it (zero:
/// one attempt); [`StoreError::Locked`] if it is still held then. Released when the returned
/// value drops, or by the kernel if the process dies.
pub(crate) fn acquire(lock_file: &Path, timeout: Duration) -> Result<FileLock, StoreError> {
    FileLock::acquire(lock_file, timeout).map_err(|e| match e {
        LockError::Busy => StoreError::Locked,
        LockError::Io(error) => StoreError::Io { op: "lock", error },
    })
}

/// Runs `critical` while holding the exclusive lock (see [`acquire`]).
pub(crate) fn with_lock<T>(
    lock_file: &Path,
    timeout: Duration,
    critical: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let _lock = acquire(lock_file, timeout)?;
    critical()
}
