//! Durable file writes for everything that holds keys or credentials (key files, the holder
//! store, status registries, trust lists): the one place where "write atomically" and "create a
//! secret file" are implemented, so no caller can get the sequence wrong. Also the cross-process
//! lock that the store and the status registry take around their read-modify-write, and the
//! sweep of temporary files a killed writer left behind, which is only safe under that lock.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Random characters tempfile appends to a temporary file's prefix (its default, spelt out
/// because [`remove_orphaned_temp_files`] matches exactly this many).
const TEMP_RAND_CHARS: usize = 6;
/// Longest part of the target's name copied into a temporary file's name, bytes: with the dot,
/// `.tmp-` and the random part the name stays under the usual 255-byte limit.
const TEMP_NAME_MAX: usize = 200;
/// How long a waiting locker sleeps between attempts.
#[cfg(any(unix, windows))]
const LOCK_POLL: Duration = Duration::from_millis(10);

/// `.<target name>.tmp-`: the temporary files of one target carry its name, so that the owner
/// of the target can tell its own orphans from those of other files in the same directory.
fn temp_prefix(path: &Path) -> OsString {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let mut end = name.len().min(TEMP_NAME_MAX);
    while !name.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    let mut prefix = OsString::from(".");
    prefix.push(name.get(..end).unwrap_or_default());
    prefix.push(".tmp-");
    prefix
}

/// Replaces `path` with `bytes` atomically and durably: a temporary file in the same directory
/// (so the rename cannot cross file systems) with `mode` set before any byte is written, fsync of
/// the file, rename over the target, fsync of the directory so the rename itself survives a power
/// cut. A reader — or a process killed at any instant — sees either the old or the new content.
/// The temporary file is `.<name>.tmp-XXXXXX` (six random letters or digits). A process killed
/// before the rename leaves it behind; the holder store (on open) and the status registry (when
/// locked) delete their own under their writer lock.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let tmp = durable_temp(path, bytes, mode)?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(parent_dir(path))
}

/// The temporary sibling of `path` holding `bytes`, mode `mode` set before any byte is written,
/// fsynced: what [`write_atomic`] and [`create_atomic`] rename into place. Dropped unrenamed, it
/// deletes itself.
fn durable_temp(path: &Path, bytes: &[u8], mode: u32) -> io::Result<tempfile::NamedTempFile> {
    let mut tmp = tempfile::Builder::new()
        .prefix(&temp_prefix(path))
        .rand_bytes(TEMP_RAND_CHARS)
        .tempfile_in(parent_dir(path))?;
    set_mode(tmp.as_file(), mode)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// Creates `path` with `bytes` atomically, only if nothing exists at that name: as
/// [`write_atomic`], but the final step is a rename that does not replace (`renameat2` with
/// `RENAME_NOREPLACE`, or a hard link where that is unavailable), so the check and the creation
/// are one step and need no lock. A reader or a crash sees no file or the whole file; an existing
/// file gives `AlreadyExists` and is untouched; on any failure nothing is left behind (a process
/// killed mid-way can leave only the `.<name>.tmp-XXXXXX` file that `remove_orphaned_temp_files`
/// sweeps).
pub fn create_atomic(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let tmp = durable_temp(path, bytes, mode)?;
    // On failure the temporary file is dropped, which deletes it.
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    sync_dir(parent_dir(path))
}

/// Creates `path` with `bytes` only if it does not exist yet (`O_CREAT|O_EXCL`), mode `mode`
/// from the start, fsynced with its directory. An existing file is never overwritten: the error
/// kind is `AlreadyExists`.
pub fn create_new(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(mode);
    }
    let mut file = options.open(path)?;
    set_mode(&file, mode)?;
    if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
        // Do not leave a half-written secret behind.
        let _ = fs::remove_file(path);
        return Err(e);
    }
    sync_dir(parent_dir(path))
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(unix)]
fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &File, _mode: u32) -> io::Result<()> {
    Ok(())
}

/// Deletes the temporary files [`write_atomic`] made for `path` and never renamed (the writer
/// was killed or lost power in between): regular files named exactly `.<name>.tmp-` followed by
/// six letters or digits, in `path`'s directory. Nothing else is touched — other files of the
/// directory have other names, and their writers may be running. Returns how many were deleted.
///
/// Call only while holding the lock every writer of `path` takes: a temporary file is an orphan
/// only if no writer is running, and the lock is what proves that. Best effort: a file that
/// cannot be listed or deleted stays for the next sweep, since the target itself is intact.
pub(crate) fn remove_orphaned_temp_files(path: &Path) -> usize {
    let prefix = temp_prefix(path);
    let prefix = prefix.to_string_lossy();
    let Ok(entries) = fs::read_dir(parent_dir(path)) else {
        return 0;
    };
    let mut removed: usize = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(prefix.as_ref())) else {
            continue;
        };
        if rest.len() != TEMP_RAND_CHARS || !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        // `DirEntry::file_type` does not follow symlinks: a link or directory that happens to
        // carry the name is not something write_atomic made.
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        if fs::remove_file(entry.path()).is_ok() {
            removed = removed.saturating_add(1);
        }
    }
    removed
}

/// Why [`FileLock::acquire`] failed.
#[derive(Debug)]
#[cfg_attr(not(any(unix, windows)), allow(dead_code))]
pub(crate) enum LockError {
    /// Another process (or another open of the lock file) still held the lock at the deadline.
    Busy,
    /// The lock file could not be opened or locked.
    Io(io::Error),
}

/// An exclusive advisory lock (`flock` through `fd-lock`; `LockFileEx` on Windows) on a lock
/// file, held until this value is dropped or the process dies.
///
/// The lock file is separate from the file it protects because that file is replaced by rename
/// on every write: a lock on its inode would be a lock on a file that no longer has its name.
/// The lock file is never deleted (deleting a lock file lets two processes lock two different
/// inodes of the same name).
///
/// Only Unix and Windows have such locks. Elsewhere (wasm32 in a browser, which has no file
/// system) `acquire` fails with `io::ErrorKind::Unsupported`, so that the file-backed stores
/// report it instead of running unlocked.
#[derive(Debug)]
pub(crate) struct FileLock {
    // Only kept open: the lock belongs to this open file, and closing it releases the lock.
    #[cfg(any(unix, windows))]
    _lock: fd_lock::RwLock<File>,
}

impl FileLock {
    /// `<path>.lock`, the lock file guarding `path`.
    pub(crate) fn path_for(path: &Path) -> PathBuf {
        let mut name = path.as_os_str().to_owned();
        name.push(".lock");
        PathBuf::from(name)
    }

    /// Takes the exclusive lock on `lock_file` (created with mode 0600 if missing), waiting up
    /// to `timeout` for another holder to release it (zero: one attempt).
    #[cfg(not(any(unix, windows)))]
    pub(crate) fn acquire(lock_file: &Path, timeout: Duration) -> Result<Self, LockError> {
        let _ = (lock_file, timeout);
        Err(LockError::Io(io::Error::new(
            io::ErrorKind::Unsupported,
            "file locks are not available on this platform",
        )))
    }

    /// Takes the exclusive lock on `lock_file` (created with mode 0600 if missing), waiting up
    /// to `timeout` for another holder to release it (zero: one attempt).
    #[cfg(any(unix, windows))]
    pub(crate) fn acquire(lock_file: &Path, timeout: Duration) -> Result<Self, LockError> {
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut lock = fd_lock::RwLock::new(options.open(lock_file).map_err(LockError::Io)?);
        use std::thread;
        use std::time::Instant;
        let deadline = Instant::now().checked_add(timeout);
        loop {
            // fd-lock's guard borrows the lock, which would tie a held lock to one stack frame;
            // callers get the held lock back as a value (`RegistryLock`). The lock belongs to the
            // open file description, so instead of the guard's unlock, dropping `lock` (closing
            // the only descriptor; std opens with O_CLOEXEC, so no child inherits it) releases
            // it — as does the process dying.
            let attempt = lock.try_write().map(std::mem::forget);
            match attempt {
                Ok(()) => return Ok(Self { _lock: lock }),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    let remaining = match deadline {
                        Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                        None => LOCK_POLL,
                    };
                    if remaining.is_zero() {
                        return Err(LockError::Busy);
                    }
                    thread::sleep(remaining.min(LOCK_POLL));
                }
                Err(e) => return Err(LockError::Io(e)),
            }
        }
    }
}

/// fsync a directory so that entries created or renamed in it are durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
// clippy.toml exempts tests from the panic lints; this lint has no test setting.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn atomic_replace_and_create_new() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.json");
        create_new(&path, b"one", 0o600).unwrap();
        assert_eq!(
            create_new(&path, b"two", 0o600).unwrap_err().kind(),
            io::ErrorKind::AlreadyExists
        );
        assert_eq!(fs::read(&path).unwrap(), b"one");
        write_atomic(&path, b"three", 0o600).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"three");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        // No temporary files left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// Only files with the exact temporary-name pattern of this target are swept.
    #[test]
    fn sweep_removes_only_this_targets_orphans() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("status.registry");
        fs::write(&target, b"state").unwrap();
        let orphans = [".status.registry.tmp-Ab3xY9", ".status.registry.tmp-000000"];
        let kept = [
            ".tmp-Ab3xY9",                  // the old, unattributable pattern
            ".other.tmp-Ab3xY9",            // another target's temporary file
            ".status.registry.tmp-Ab3xY",   // too short
            ".status.registry.tmp-Ab3xY9z", // too long
            ".status.registry.tmp-Ab3x-9",  // not alphanumeric
            "status.registry.tmp-Ab3xY9",   // no leading dot
            "status.registry.lock",
            "status.registry.issued.jsonl",
        ];
        for name in orphans.iter().chain(&kept) {
            fs::write(dir.path().join(name), b"x").unwrap();
        }
        fs::create_dir(dir.path().join(".status.registry.tmp-dirdir")).unwrap();
        // What write_atomic names its temporary files is what the sweep looks for.
        let prefix = temp_prefix(&target);
        assert_eq!(prefix, OsString::from(".status.registry.tmp-"));
        assert_eq!(remove_orphaned_temp_files(&target), orphans.len());
        for name in orphans {
            assert!(!dir.path().join(name).exists(), "{name} was not swept");
        }
        for name in kept {
            assert!(dir.path().join(name).exists(), "{name} was swept");
        }
        assert!(dir.path().join(".status.registry.tmp-dirdir").is_dir());
        assert_eq!(fs::read(&target).unwrap(), b"state");
    }

    #[test]
    fn temp_prefix_of_a_long_name_stays_short() {
        // 249 bytes: a valid file name, too long to carry whole in its temporary file's name.
        let long = "\u{8bc1}".repeat(83);
        let prefix = temp_prefix(Path::new(&long));
        let text = prefix.to_str().unwrap();
        assert!(text.len() <= 1 + TEMP_NAME_MAX + ".tmp-".len());
        assert!(text.ends_with(".tmp-"));
        let dir = tempfile::tempdir().unwrap();
        write_atomic(&dir.path().join(&long), b"x", 0o600).unwrap();
    }

    #[test]
    fn second_lock_waits_then_fails_busy() {
        let dir = tempfile::tempdir().unwrap();
        let path = FileLock::path_for(&dir.path().join("f"));
        let held = FileLock::acquire(&path, Duration::ZERO).unwrap();
        let started = std::time::Instant::now();
        assert!(matches!(
            FileLock::acquire(&path, Duration::from_millis(100)),
            Err(LockError::Busy)
        ));
        assert!(started.elapsed() >= Duration::from_millis(100));
        drop(held);
        FileLock::acquire(&path, Duration::ZERO).unwrap();
        assert!(path.exists(), "the lock file is never deleted");
    }
}
