//! Serialises writers across processes with an advisory lock (`flock`, through `fd-lock`) on a
//! lock file beside the store. The lock file is separate from the store because the store is
//! replaced by rename on every write: a lock on the store's own inode would be a lock on a file
//! that no longer has the store's name. The lock file is never deleted (deleting a lock file
//! lets two processes lock two different inodes of the same name).

use super::error::StoreError;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

/// How long a waiting writer sleeps between attempts.
const POLL: Duration = Duration::from_millis(10);

/// `<store path>.lock`.
pub(crate) fn lock_path(store: &Path) -> PathBuf {
    let mut name = store.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

fn open_lock_file(path: &Path) -> Result<File, StoreError> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path).map_err(StoreError::io("lock"))
}

/// Runs `critical` while holding the exclusive lock, waiting up to `timeout` for another holder
/// to release it (zero: one attempt). The lock is released when this returns, or by the kernel
/// if the process dies.
pub(crate) fn with_lock<T>(
    lock_file: &Path,
    timeout: Duration,
    critical: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut lock = fd_lock::RwLock::new(open_lock_file(lock_file)?);
    let deadline = Instant::now().checked_add(timeout);
    loop {
        match lock.try_write() {
            // The guard lives until the end of this arm, i.e. until `critical` has returned.
            Ok(_guard) => return critical(),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                let now = Instant::now();
                let remaining = match deadline {
                    Some(deadline) => deadline.saturating_duration_since(now),
                    None => POLL,
                };
                if remaining.is_zero() {
                    return Err(StoreError::Locked);
                }
                thread::sleep(remaining.min(POLL));
            }
            Err(e) => {
                return Err(StoreError::Io {
                    op: "lock",
                    error: e,
                });
            }
        }
    }
}
