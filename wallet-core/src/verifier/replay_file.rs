//! The replay cache on disk: the file behind a persistent
//! [`ReplayCache`](super::session::ReplayCache), so that replay protection survives a restart
//! of the verifier — a new process (`wallet verify --replay-cache FILE`) or a new FFI handle per
//! scan — and is shared by every verifier process on the machine that names the same file.
//!
//! Format (docs/qr-format.md §9): an append-only journal of text lines.
//!
//! ```text
//! wallet-replay-cache v1 <generation>
//! <key> <forget_after> <check>
//! …
//! ```
//!
//! `key` is the base64url SHA-256 of the accepted presentation's (`sd_hash`, `nonce`) pair (the
//! file holds no claim and no token), `forget_after` the unix second after which the
//! presentation could no longer pass the freshness window, `check` eight hex digits of SHA-256
//! over the two, so a damaged record cannot pass for a shorter-lived one.
//!
//! Why a journal: recording a scan is one `write` + `fdatasync` of a ~75-byte line, and a process
//! killed at any instant leaves at most an incomplete last line. That torn tail is ignored on
//! reading and cut off before the next append; nothing before it is affected. Any other damage
//! (a complete line that does not parse or fails its check, a wrong header) is an error,
//! [`ReplayCacheError::Corrupt`]: the verifier refuses to run with replay protection it cannot
//! trust, rather than silently starting from an empty history (fail closed, like a full cache).
//!
//! Bounded: entries whose `forget_after` has passed are dropped when the file is compacted,
//! which happens (atomically, through [`fsutil::write_atomic`]) as soon as the file holds more
//! than twice the live entries plus [`REPLAY_COMPACT_SLACK`]; live entries are capped by the cache's
//! capacity. Each compaction writes a new generation number, so other processes know to re-read
//! the whole file.
//!
//! Concurrency: every read-modify-append runs under the exclusive lock `<file>.lock`
//! ([`fsutil::FileLock`], the holder store's and status registry's mechanism), after reading what
//! other processes appended since; so two verifiers sharing the file never corrupt it and each
//! refuses what the other accepted.

use crate::encoding::{b64_decode_array, b64_encode};
use crate::error::{ErrorCode, ErrorInfo, codes};
use crate::fsutil::{self, FileLock, LockError};
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What identifies one remembered presentation: SHA-256 of its (`sd_hash`, `nonce`).
pub(crate) type ReplayKey = [u8; 32];

/// First word of the header line.
const MAGIC: &str = "wallet-replay-cache";
/// The format version this build writes and reads.
const VERSION: &str = "v1";
/// Longest header line accepted, bytes.
const MAX_HEADER_LEN: u64 = 64;
/// Longest record line: 43 (key) + 1 + 20 (i64) + 1 + 8 (check) + 1 (newline).
const MAX_RECORD_LEN: u64 = 74;
/// Records the file may hold beyond twice the live entries before it is compacted.
pub const REPLAY_COMPACT_SLACK: u64 = 1024;
/// How long an operation waits for another process holding the lock.
const LOCK_TIMEOUT: Duration = Duration::from_secs(5);
/// The file is readable by its owner only, like every file the library writes.
const FILE_MODE: u32 = 0o600;

/// Why the replay cache file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayCacheError {
    /// Reading, writing, creating or locking the file failed (or the path is not a regular
    /// file).
    #[error("cannot {op} the replay cache file ({kind}): check the path and its permissions")]
    Io {
        /// What was being done (`"open"`, `"read"`, `"write"`, `"lock"`).
        op: &'static str,
        /// The operating system's error kind.
        kind: io::ErrorKind,
    },
    /// Another process held the file's lock for longer than the wait allows.
    #[error("the replay cache file is locked by another process: try again when it has finished")]
    Locked,
    /// The file is not a replay cache, is of another format version, or has a damaged record
    /// before its last line.
    #[error(
        "the replay cache file is damaged at line {line} ({reason}): move it aside to start an empty cache, accepting that a code scanned in the last freshness window could then be accepted once more"
    )]
    Corrupt {
        /// The 1-based line where the damage was found.
        line: u64,
        /// What is wrong there.
        reason: &'static str,
    },
    /// The file is larger than any cache of this capacity can be.
    #[error(
        "the replay cache file is larger than {max} bytes, more than this cache's capacity allows: raise the capacity or move the file aside"
    )]
    TooLarge {
        /// The bound, bytes.
        max: u64,
    },
}

impl ReplayCacheError {
    /// This error's row of the error table ([`crate::error`]): its stable code, kind and class.
    pub fn info(&self) -> &'static ErrorInfo {
        match self {
            Self::Io { .. } => &codes::QR_REPLAY_CACHE_IO,
            Self::Locked => &codes::QR_REPLAY_CACHE_LOCKED,
            Self::Corrupt { .. } => &codes::QR_REPLAY_CACHE_CORRUPT,
            Self::TooLarge { .. } => &codes::QR_REPLAY_CACHE_TOO_LARGE,
        }
    }

    /// Stable machine-readable code (lower layers' codes pass through unchanged).
    pub fn code(&self) -> &'static str {
        self.info().code
    }

    fn io(op: &'static str) -> impl Fn(io::Error) -> Self {
        move |e| Self::Io { op, kind: e.kind() }
    }
}

impl ErrorCode for ReplayCacheError {
    fn info(&self) -> &'static ErrorInfo {
        ReplayCacheError::info(self)
    }
}

/// The key of a presentation: what the holder signed, whatever spelling it was scanned in.
pub(crate) fn replay_key(sd_hash: &str, nonce: &str) -> ReplayKey {
    let mut h = Sha256::new();
    h.update(b"wallet-replay-v1\0");
    // Length-prefixed, so that no (sd_hash, nonce) pair can collide with another by moving the
    // boundary between them.
    h.update(
        u64::try_from(sd_hash.len())
            .unwrap_or(u64::MAX)
            .to_be_bytes(),
    );
    h.update(sd_hash.as_bytes());
    h.update(nonce.as_bytes());
    h.finalize().into()
}

/// The check value of a record: 4 bytes of SHA-256 over key and expiry, as 8 hex digits.
fn record_check(key: &ReplayKey, forget_after: i64) -> String {
    let digest = Sha256::new()
        .chain_update(key)
        .chain_update(forget_after.to_be_bytes())
        .finalize();
    let mut hex = String::with_capacity(8);
    for b in digest.iter().take(4) {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

fn record_line(key: &ReplayKey, forget_after: i64, out: &mut String) {
    let _ = writeln!(
        out,
        "{} {forget_after} {}",
        b64_encode(key),
        record_check(key, forget_after)
    );
}

fn parse_record(line: &str) -> Result<(ReplayKey, i64), &'static str> {
    let mut parts = line.split(' ');
    let (Some(key), Some(forget_after), Some(check), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not three fields");
    };
    let key: ReplayKey =
        b64_decode_array(key).map_err(|_| "the key is not 32 bytes of base64url")?;
    let forget_after: i64 = forget_after
        .parse()
        .map_err(|_| "the expiry is not an integer")?;
    if check != record_check(&key, forget_after) {
        return Err("the check value does not match");
    }
    Ok((key, forget_after))
}

fn header_line(generation: u64) -> String {
    format!("{MAGIC} {VERSION} {generation}\n")
}

/// Reads the header (the bytes up to the first newline); returns the generation.
fn parse_header(line: &str) -> Result<u64, ReplayCacheError> {
    let corrupt = |reason| ReplayCacheError::Corrupt { line: 1, reason };
    let mut parts = line.split(' ');
    if parts.next() != Some(MAGIC) {
        return Err(corrupt("not a replay cache file"));
    }
    if parts.next() != Some(VERSION) {
        return Err(corrupt(
            "a format version this build does not know (written by a newer version?)",
        ));
    }
    match (parts.next().map(str::parse::<u64>), parts.next()) {
        (Some(Ok(generation)), None) => Ok(generation),
        _ => Err(corrupt("malformed header")),
    }
}

/// The entries of `seen` still live at `now` in the file's text format (generation 0), for a
/// verifier without files to keep elsewhere — the web verifier stores it in IndexedDB, so that a
/// reload does not forget what was accepted ([`super::session::ReplayCache::snapshot`]).
pub(crate) fn snapshot(seen: &HashMap<ReplayKey, i64>, now: i64) -> String {
    let mut live: Vec<_> = seen.iter().filter(|&(_, &until)| until >= now).collect();
    // Sorted, so the same history always gives the same text.
    live.sort_unstable();
    let mut out = header_line(0);
    for (key, &forget_after) in live {
        record_line(key, forget_after, &mut out);
    }
    out
}

/// Reads a [`snapshot`] back, keeping the entries live at `now`. Unlike the file, a snapshot is
/// written whole, so any damage — a torn last line included — is
/// [`ReplayCacheError::Corrupt`]; more live entries than `capacity` is
/// [`ReplayCacheError::TooLarge`].
pub(crate) fn read_snapshot(
    text: &str,
    capacity: usize,
    now: i64,
) -> Result<HashMap<ReplayKey, i64>, ReplayCacheError> {
    let max = u64::try_from(capacity)
        .unwrap_or(u64::MAX)
        .saturating_mul(MAX_RECORD_LEN)
        .saturating_add(MAX_HEADER_LEN);
    if u64::try_from(text.len()).unwrap_or(u64::MAX) > max {
        return Err(ReplayCacheError::TooLarge { max });
    }
    let Some(body) = text.strip_suffix('\n') else {
        return Err(ReplayCacheError::Corrupt {
            line: 1,
            reason: "a snapshot ends with a newline",
        });
    };
    let mut lines = body.split('\n');
    parse_header(lines.next().unwrap_or_default())?;
    let mut seen = HashMap::new();
    for (number, line) in (2u64..).zip(lines) {
        let (key, forget_after) =
            parse_record(line).map_err(|reason| ReplayCacheError::Corrupt {
                line: number,
                reason,
            })?;
        if forget_after >= now {
            seen.insert(key, forget_after);
        }
    }
    if seen.len() > capacity {
        return Err(ReplayCacheError::TooLarge { max });
    }
    Ok(seen)
}

/// Which file is at the path: a compaction (or someone replacing the file) makes a new inode.
#[cfg(unix)]
fn identity(meta: &fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt as _;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn identity(_meta: &fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// The file behind a persistent replay cache, and how much of it this process has read.
/// Every method except [`Journal::lock`] expects the caller to hold the lock.
#[derive(Debug, Clone)]
pub(crate) struct Journal {
    path: PathBuf,
    lock_path: PathBuf,
    /// Largest file accepted, from the capacity.
    max_len: u64,
    /// Generation of the file last read (0: none read yet).
    generation: u64,
    /// Inode of the file last read (unix).
    identity: Option<(u64, u64)>,
    /// Bytes of the file read so far: the header and whole records.
    synced: u64,
    /// Records in the file.
    records: u64,
    /// Live entries counted at the last compaction check: the next check is due once the file
    /// holds more than twice as many records (plus the slack), which keeps the checks amortised
    /// O(1) per record.
    live_at_check: u64,
}

impl Journal {
    /// Opens (creating it if missing) the journal at `path` and loads it into `seen`, compacting
    /// it if it holds mostly expired entries at `now`.
    pub(crate) fn open(
        path: &Path,
        capacity: usize,
        now: i64,
        seen: &mut HashMap<ReplayKey, i64>,
    ) -> Result<Self, ReplayCacheError> {
        // Refused before the lock file is created beside it.
        match fs::metadata(path) {
            Ok(meta) if !meta.is_file() => {
                return Err(ReplayCacheError::Io {
                    op: "open",
                    kind: io::ErrorKind::InvalidInput,
                });
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let dir = match path.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p,
                    _ => Path::new("."),
                };
                if !dir.is_dir() {
                    return Err(ReplayCacheError::Io {
                        op: "create",
                        kind: io::ErrorKind::NotFound,
                    });
                }
            }
            Err(e) => return Err(ReplayCacheError::io("open")(e)),
        }
        let records = u64::try_from(capacity)
            .unwrap_or(u64::MAX)
            .saturating_mul(2)
            .saturating_add(REPLAY_COMPACT_SLACK)
            .saturating_add(1);
        let mut journal = Self {
            path: path.to_owned(),
            lock_path: FileLock::path_for(path),
            max_len: records
                .saturating_mul(MAX_RECORD_LEN)
                .saturating_add(MAX_HEADER_LEN),
            generation: 0,
            identity: None,
            synced: 0,
            records: 0,
            live_at_check: 0,
        };
        let _lock = journal.lock()?;
        journal.sync(seen)?;
        journal.compact_if_due(seen, now)?;
        Ok(journal)
    }

    /// The cache file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Takes the exclusive lock; released when the value drops.
    pub(crate) fn lock(&self) -> Result<FileLock, ReplayCacheError> {
        FileLock::acquire(&self.lock_path, LOCK_TIMEOUT).map_err(|e| match e {
            LockError::Busy => ReplayCacheError::Locked,
            LockError::Io(e) => ReplayCacheError::io("lock")(e),
        })
    }

    /// Brings `seen` up to date with the file: what other processes appended since the last
    /// read, or the whole file if it was compacted or replaced meanwhile. Entries only ever
    /// merge in (the later expiry wins), so a file replaced behind our back makes this process
    /// remember more, never less. A missing or empty file is started afresh.
    pub(crate) fn sync(
        &mut self,
        seen: &mut HashMap<ReplayKey, i64>,
    ) -> Result<(), ReplayCacheError> {
        let mut file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return self.rewrite(seen, None),
            Err(e) => return Err(ReplayCacheError::io("open")(e)),
        };
        let meta = file.metadata().map_err(ReplayCacheError::io("read"))?;
        if !meta.is_file() {
            return Err(ReplayCacheError::Io {
                op: "open",
                kind: io::ErrorKind::InvalidInput,
            });
        }
        let len = meta.len();
        if len > self.max_len {
            return Err(ReplayCacheError::TooLarge { max: self.max_len });
        }
        if len == 0 {
            return self.rewrite(seen, None);
        }
        let mut head = Vec::new();
        (&mut file)
            .take(MAX_HEADER_LEN)
            .read_to_end(&mut head)
            .map_err(ReplayCacheError::io("read"))?;
        let header_end =
            head.iter()
                .position(|&b| b == b'\n')
                .ok_or(ReplayCacheError::Corrupt {
                    line: 1,
                    reason: "no header line",
                })?;
        let header =
            std::str::from_utf8(head.get(..header_end).unwrap_or_default()).map_err(|_| {
                ReplayCacheError::Corrupt {
                    line: 1,
                    reason: "not a replay cache file",
                }
            })?;
        let generation = parse_header(header)?;
        let identity = identity(&meta);
        let header_len = u64::try_from(header_end)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let incremental = self.generation != 0
            && generation == self.generation
            && identity == self.identity
            && len >= self.synced;
        let (start, mut records) = if incremental {
            (self.synced, self.records)
        } else {
            (header_len, 0)
        };
        file.seek(SeekFrom::Start(start))
            .map_err(ReplayCacheError::io("read"))?;
        let mut bytes = Vec::new();
        file.take(len.saturating_sub(start))
            .read_to_end(&mut bytes)
            .map_err(ReplayCacheError::io("read"))?;
        // Only whole lines count: what follows the last newline is a torn append of a writer
        // that died, never acknowledged to anyone.
        let whole = bytes
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i.saturating_add(1));
        for line in bytes
            .get(..whole)
            .unwrap_or_default()
            .split(|&b| b == b'\n')
        {
            if line.is_empty() {
                continue;
            }
            records = records.saturating_add(1);
            let line_no = records.saturating_add(1);
            let text = std::str::from_utf8(line).map_err(|_| ReplayCacheError::Corrupt {
                line: line_no,
                reason: "not text",
            })?;
            let (key, forget_after) =
                parse_record(text).map_err(|reason| ReplayCacheError::Corrupt {
                    line: line_no,
                    reason,
                })?;
            let until = seen.entry(key).or_insert(forget_after);
            *until = (*until).max(forget_after);
        }
        self.generation = generation;
        self.identity = identity;
        self.synced = start.saturating_add(u64::try_from(whole).unwrap_or(u64::MAX));
        self.records = records;
        Ok(())
    }

    /// Appends records durably (one write, then fdatasync), first cutting off a torn tail left
    /// by a writer that died. Call after [`Journal::sync`] under the same lock.
    pub(crate) fn append(&mut self, entries: &[(ReplayKey, i64)]) -> Result<(), ReplayCacheError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut text = String::with_capacity(entries.len().saturating_mul(80));
        for (key, forget_after) in entries {
            record_line(key, *forget_after, &mut text);
        }
        let mut file = OpenOptions::new()
            .write(true)
            .open(&self.path)
            .map_err(ReplayCacheError::io("write"))?;
        let len = file
            .metadata()
            .map_err(ReplayCacheError::io("write"))?
            .len();
        if len != self.synced {
            file.set_len(self.synced)
                .map_err(ReplayCacheError::io("write"))?;
        }
        file.seek(SeekFrom::Start(self.synced))
            .map_err(ReplayCacheError::io("write"))?;
        let written = file
            .write_all(text.as_bytes())
            .and_then(|()| file.sync_data());
        if let Err(e) = written {
            // Whatever part was written is a torn tail: the next append cuts it off.
            return Err(ReplayCacheError::io("write")(e));
        }
        self.synced = self
            .synced
            .saturating_add(u64::try_from(text.len()).unwrap_or(u64::MAX));
        self.records = self
            .records
            .saturating_add(u64::try_from(entries.len()).unwrap_or(u64::MAX));
        Ok(())
    }

    /// Drops entries expired at `now` from `seen` and rewrites the file with the live ones once
    /// it holds more than twice as many records plus [`REPLAY_COMPACT_SLACK`]. Under the lock.
    pub(crate) fn compact_if_due(
        &mut self,
        seen: &mut HashMap<ReplayKey, i64>,
        now: i64,
    ) -> Result<(), ReplayCacheError> {
        let due = |records: u64, live: u64| {
            records > live.saturating_mul(2).saturating_add(REPLAY_COMPACT_SLACK)
        };
        if !due(self.records, self.live_at_check) {
            return Ok(());
        }
        seen.retain(|_, until| *until >= now);
        let live = u64::try_from(seen.len()).unwrap_or(u64::MAX);
        self.live_at_check = live;
        if due(self.records, live) {
            let generation = self.generation;
            self.rewrite(seen, Some(generation))?;
        }
        Ok(())
    }

    /// Replaces the file atomically with a header of a new generation and the entries of
    /// `seen` (those of an earlier file of generation `previous`, or none).
    fn rewrite(
        &mut self,
        seen: &HashMap<ReplayKey, i64>,
        previous: Option<u64>,
    ) -> Result<(), ReplayCacheError> {
        let generation = previous.unwrap_or(self.generation).saturating_add(1);
        let mut text = header_line(generation);
        for (key, forget_after) in seen {
            record_line(key, *forget_after, &mut text);
        }
        fsutil::write_atomic(&self.path, text.as_bytes(), FILE_MODE)
            .map_err(ReplayCacheError::io("write"))?;
        let meta = fs::metadata(&self.path).map_err(ReplayCacheError::io("read"))?;
        self.generation = generation;
        self.identity = identity(&meta);
        self.synced = u64::try_from(text.len()).unwrap_or(u64::MAX);
        self.records = u64::try_from(seen.len()).unwrap_or(u64::MAX);
        self.live_at_check = self.records;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_damage_is_caught() {
        let key = replay_key("hash", "nonce");
        let mut line = String::new();
        record_line(&key, 1_780_272_090, &mut line);
        assert!(line.len() as u64 <= MAX_RECORD_LEN);
        let mut extreme = String::new();
        record_line(&key, i64::MIN, &mut extreme);
        assert_eq!(extreme.len() as u64, MAX_RECORD_LEN);
        let text = line.trim_end();
        assert_eq!(parse_record(text), Ok((key, 1_780_272_090)));
        // One digit of the expiry changed: the check no longer matches.
        let damaged = text.replacen("1780272090", "1780272091", 1);
        assert_eq!(
            parse_record(&damaged),
            Err("the check value does not match")
        );
        assert!(parse_record("a b").is_err());
        assert!(parse_record(&format!("{text} extra")).is_err());
    }

    #[test]
    fn keys_do_not_depend_on_where_the_pair_splits() {
        assert_ne!(replay_key("ab", "c"), replay_key("a", "bc"));
        assert_eq!(replay_key("ab", "c"), replay_key("ab", "c"));
    }

    #[test]
    fn headers() {
        assert_eq!(parse_header("wallet-replay-cache v1 7"), Ok(7));
        for (bad, reason) in [
            ("hello", "not a replay cache file"),
            (
                "wallet-replay-cache v2 1",
                "a format version this build does not know (written by a newer version?)",
            ),
            ("wallet-replay-cache v1 x", "malformed header"),
            ("wallet-replay-cache v1 1 2", "malformed header"),
        ] {
            assert_eq!(
                parse_header(bad),
                Err(ReplayCacheError::Corrupt { line: 1, reason }),
                "{bad}"
            );
        }
    }

    #[test]
    fn snapshots_keep_live_entries_and_refuse_damage() {
        let mut seen = HashMap::new();
        seen.insert(replay_key("a", "1"), 1_000);
        seen.insert(replay_key("b", "2"), 2_000);
        seen.insert(replay_key("c", "3"), 500);
        let text = snapshot(&seen, 900);
        assert_eq!(
            text.lines().count(),
            3,
            "header and the two live entries: {text}"
        );
        assert_eq!(
            snapshot(&seen, 900),
            text,
            "the same history, the same text"
        );
        let back = read_snapshot(&text, 10, 900).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back.get(&replay_key("b", "2")), Some(&2_000));
        // Read later, the entry that has lapsed is dropped.
        assert_eq!(read_snapshot(&text, 10, 1_500).unwrap().len(), 1);
        assert!(matches!(
            read_snapshot(&text, 1, 900),
            Err(ReplayCacheError::TooLarge { .. })
        ));
        let torn = &text[..text.len() - 5];
        assert!(matches!(
            read_snapshot(torn, 10, 900),
            Err(ReplayCacheError::Corrupt { .. })
        ));
        let changed = text.replacen("2000", "2001", 1);
        assert!(matches!(
            read_snapshot(&changed, 10, 900),
            Err(ReplayCacheError::Corrupt {
                reason: "the check value does not match",
                ..
            })
        ));
        assert!(read_snapshot("", 10, 0).is_err());
        assert!(
            read_snapshot("wallet-replay-cache v1 0\n", 10, 0)
                .unwrap()
                .is_empty()
        );
    }
}
