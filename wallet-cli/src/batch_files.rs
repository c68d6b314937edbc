//! `wallet issue-batch`'s files: the in-progress outputs (`OUT.partial`, mode 0600, renamed into
//! place when the batch completes), the standard streams as outputs, and the per-output lock
//! that keeps two batches off one output. What is written when is wallet-core's commit
//! protocol (`issuer::batch`); this is where the bytes go.

use crate::common::{CliError, CliResult, io_error};
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// `NAME` + `suffix`, beside `path`.
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// The directory `path` is in (`.` for a bare name).
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Opens an in-progress file for appending, mode 0600 from its creation (batch outputs hold
/// personal data). `new`: it must not exist yet.
pub fn open_partial(path: &Path, new: bool, what: &str) -> CliResult<File> {
    let mut options = OpenOptions::new();
    options.read(true).append(true);
    if new {
        options.create_new(true);
    } else {
        options.create(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path).map_err(|e| io_error(e, what, path))
}

/// Where one stream of results goes.
pub enum Target {
    /// `FINAL.partial`, renamed to `FINAL` when the batch completes.
    File {
        final_path: PathBuf,
        partial: PathBuf,
        file: File,
    },
    Stdout(std::io::Stdout),
    Stderr(std::io::Stderr),
}

/// A results stream: the output or the errors.
pub struct Sink {
    /// What the stream is called in errors (`output`, `errors file`).
    pub what: &'static str,
    /// Where it goes.
    pub target: Target,
}

impl Sink {
    pub fn name(&self) -> String {
        match &self.target {
            Target::File { final_path, .. } => final_path.display().to_string(),
            Target::Stdout(_) => "stdout".to_owned(),
            Target::Stderr(_) => "stderr".to_owned(),
        }
    }

    fn path_for_errors(&self) -> &Path {
        match &self.target {
            Target::File { partial, .. } => partial,
            Target::Stdout(_) | Target::Stderr(_) => Path::new("-"),
        }
    }

    /// Writes `bytes` and makes them durable (a file: fsync; a stream: flush).
    pub fn write_durable(&mut self, bytes: &[u8]) -> CliResult {
        if bytes.is_empty() {
            return Ok(());
        }
        let what = self.what;
        let path = self.path_for_errors().to_owned();
        let r = match &mut self.target {
            Target::File { file, .. } => file.write_all(bytes).and_then(|()| file.sync_data()),
            Target::Stdout(s) => {
                let mut s = s.lock();
                s.write_all(bytes).and_then(|()| s.flush())
            }
            Target::Stderr(s) => {
                let mut s = s.lock();
                s.write_all(bytes).and_then(|()| s.flush())
            }
        };
        r.map_err(|e| {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                // Not the quiet stop of a read-only command: credentials were signed (and
                // earlier groups logged) for a reader that went away.
                CliError::input(format!(
                    "the {what} stream was closed by its reader: the batch stopped; credentials \
                     written before were issued and logged, this group's were not delivered"
                ))
                .hint(
                    "the issuance log lists what was issued (its \"batch\" member); run batches \
                     whose output matters with --out FILE, which can be resumed",
                )
                .with_code("cli.io")
            } else {
                io_error(e, what, &path)
            }
        })
    }

    /// Renames `FINAL.partial` to `FINAL`, durably.
    pub fn publish(&self) -> CliResult {
        if let Target::File {
            final_path,
            partial,
            ..
        } = &self.target
        {
            publish_file(partial, final_path, self.what)?;
        }
        Ok(())
    }
}

/// Locks an in-progress output for this process (released when the process ends, however).
pub fn lock_partial(file: &File, path: &Path) -> CliResult {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(CliError::input(format!(
            "another issue-batch is writing {}",
            path.display()
        ))
        .hint("wait for it to finish (or stop it with Ctrl-C), then run this again")),
        Err(std::fs::TryLockError::Error(e)) => Err(io_error(e, "output", path)),
    }
}

/// Renames a finished `partial` to `final_path` and fsyncs the directory.
pub fn publish_file(partial: &Path, final_path: &Path, what: &str) -> CliResult {
    std::fs::rename(partial, final_path).map_err(|e| io_error(e, what, final_path))?;
    sync_parent(final_path)
}

pub fn sync_parent(path: &Path) -> CliResult {
    wallet_core::fsutil::sync_dir(parent_dir(path))
        .map_err(|e| io_error(e, "directory of", parent_dir(path)))
}

pub fn exists_err(what: &str, path: &Path) -> CliError {
    CliError::input(format!("{what} {} already exists", path.display()))
        .hint("pass --force to replace it, or choose another path")
}
