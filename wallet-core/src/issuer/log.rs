//! The issuance log beside a status registry, `REG.issued.jsonl` (docs/cli.md, "Status
//! registry"): one JSON line per credential issued with an index from the registry —
//! `{"iat","id","idx","iss","uri","vct"}`, plus `"batch"` (the job id) for a batch's lines — so
//! that an agency can revoke by credential id, and an interrupted batch can tell which of its
//! credentials were logged.
//!
//! The log is the agency's private record (mode 0600, created so) and only ever appended to.
//! Every writer appends under the registry's lock ([`append`] takes the [`RegistryLock`] as
//! proof), in one write followed by `fdatasync`, so lines of concurrent issuers never
//! interleave. A writer killed mid-write can leave a last line without its newline: the next
//! append ends it first, so that its own lines stay whole, and every reader skips a line that is
//! not JSON. Readers stream the file: it grows by one line per credential, into the millions.

use super::IssuerError;
use crate::encoding::JsonLine;
use crate::format::credential::StatusRef;
use crate::issuer::registry::RegistryLock;
use serde_json::Value;
use std::fs::{File, OpenOptions};
use std::io::{BufRead as _, BufReader, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

/// What the log is called in errors.
const WHAT: &str = "issuance log";

/// The issuance log of the registry at `registry`: `REG.issued.jsonl` beside it.
pub fn log_path(registry: &Path) -> PathBuf {
    let mut name = registry.file_name().unwrap_or_default().to_os_string();
    name.push(".issued.jsonl");
    registry.with_file_name(name)
}

/// One issuance-log line (with its newline) for a credential issued alone.
pub fn log_line(id: &str, status: &StatusRef, vct: &str, iss: &str, iat: i64) -> String {
    write_line(id, status, vct, iss, iat, None, None)
}

/// One issuance-log line of a batch: [`log_line`] plus `"batch"`, the batch's job id, by which a
/// resumed batch finds the last line its interrupted run logged, and `"shard"` for one shard of
/// a larger issuance (docs/scale.md).
pub fn log_line_batch(
    id: &str,
    status: &StatusRef,
    vct: &str,
    iss: &str,
    iat: i64,
    batch: &str,
    shard: Option<&str>,
) -> String {
    write_line(id, status, vct, iss, iat, Some(batch), shard)
}

/// Both kinds of line, members sorted by name (serde_json's map order, which the log has always
/// had), written without a `Value` tree: a batch writes one per credential.
fn write_line(
    id: &str,
    status: &StatusRef,
    vct: &str,
    iss: &str,
    iat: i64,
    batch: Option<&str>,
    shard: Option<&str>,
) -> String {
    let mut line = JsonLine::with_capacity(256);
    if let Some(batch) = batch {
        line = line.str("batch", batch);
    }
    line = line
        .int("iat", iat)
        .str("id", id)
        .int("idx", status.idx)
        .str("iss", iss);
    if let Some(shard) = shard {
        line = line.str("shard", shard);
    }
    line.str("uri", &status.uri).str("vct", vct).finish()
}

/// Opens the issuance log of `registry` for appending, creating it with mode 0600 (it links
/// credential ids to status indices: the agency's private bookkeeping).
pub fn open(registry: &Path) -> Result<File, IssuerError> {
    let path = log_path(registry);
    let mut options = OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options
        .open(&path)
        .map_err(|e| IssuerError::io(WHAT, path, e))
}

/// Appends `lines` (whole lines, each ending with `\n`) to the log of the registry `lock` guards,
/// in one write, and makes them durable. When the log does not end with a newline, its last line
/// was cut by a writer that died (every writer holds the lock, so none is writing now): it is
/// ended first, so that the new lines are not glued to it.
pub fn append(lock: &RegistryLock, lines: &str) -> Result<(), IssuerError> {
    if lines.is_empty() {
        return Ok(());
    }
    let path = log_path(lock.path());
    let mut file = open(lock.path())?;
    let mut text = String::with_capacity(lines.len().saturating_add(1));
    if !ends_with_newline(&path)? {
        text.push('\n');
    }
    text.push_str(lines);
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_data())
        .map_err(|e| IssuerError::io(WHAT, path, e))
}

/// Whether `path` is empty or ends with `\n`.
fn ends_with_newline(path: &Path) -> Result<bool, IssuerError> {
    let err = |e| IssuerError::io(WHAT, path, e);
    let mut f = File::open(path).map_err(err)?;
    let len = f.metadata().map_err(err)?.len();
    if len == 0 {
        return Ok(true);
    }
    let mut last = [0u8; 1];
    f.seek(SeekFrom::Start(len.saturating_sub(1)))
        .and_then(|_| f.read_exact(&mut last))
        .map_err(err)?;
    Ok(last == *b"\n")
}

/// The status index the log records for credential `id`, reading line by line; `None` when the
/// log does not name it. A missing log is an error (the registry has one from its first
/// issuance). Read it under the registry's lock to see every issuance completed so far.
pub fn find_index(registry: &Path, id: &str) -> Result<Option<u64>, IssuerError> {
    let path = log_path(registry);
    let file = File::open(&path).map_err(|e| IssuerError::io(WHAT, &path, e))?;
    for line in BufReader::new(file).lines() {
        let line = line.map_err(|e| IssuerError::io(WHAT, &path, e))?;
        let Ok(Value::Object(entry)) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if entry.get("id").and_then(Value::as_str) == Some(id)
            && let Some(idx) = entry.get("idx").and_then(Value::as_u64)
        {
            return Ok(Some(idx));
        }
    }
    Ok(None)
}

/// Length of the issuance log of `registry` in bytes (0 when there is none yet): a batch records
/// it when it starts, so that its lines are all after this offset.
pub fn log_len(registry: &Path) -> u64 {
    std::fs::metadata(log_path(registry)).map_or(0, |m| m.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines are what the log always held: serde_json's objects, members sorted by name.
    #[test]
    fn log_lines_are_serde_json_objects() {
        let status = StatusRef {
            idx: 42,
            uri: "https://ga.example.cn/status/0003".into(),
        };
        let (vct, iss) = ("urn:cn-wallet:driving-licence:1", "https://ga.example.cn");
        assert_eq!(
            log_line("Xc-_1", &status, vct, iss, 1_767_225_600),
            format!(
                "{}\n",
                serde_json::json!({"id": "Xc-_1", "idx": 42, "uri": status.uri, "vct": vct,
                    "iss": iss, "iat": 1_767_225_600})
            )
        );
        assert_eq!(
            log_line_batch("Xc-_1", &status, vct, iss, -1, "ab12", Some("0003")),
            format!(
                "{}\n",
                serde_json::json!({"id": "Xc-_1", "idx": 42, "uri": status.uri, "vct": vct,
                    "iss": iss, "iat": -1, "batch": "ab12", "shard": "0003"})
            )
        );
    }
}
