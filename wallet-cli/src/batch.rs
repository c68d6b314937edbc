//! `wallet issue-batch`: a streaming pipeline with constant memory. One reader thread cuts the
//! input into chunks and hands out status indices; worker threads parse each line and call
//! wallet-core's issuance; the main thread writes results in input order. Channels are bounded,
//! so at most a few chunks per worker are in memory whatever the input size.
//!
//! The batch never loses or double-counts a credential, whatever stops it (a signal, a kill, a
//! power cut). The invariants, and where they are kept:
//! - A reader never sees a partial file under the output's name: the batch writes `OUT.partial`
//!   (and `ERRORS.partial`), mode 0600, and renames them into place only when it completes.
//! - The commit protocol ([`Committer::commit`]): results are written in groups of chunks; per
//!   group, first the errors are appended and fsynced, then the credentials, then — only once the
//!   credentials are durable — their issuance-log lines, in one append under the registry lock.
//!   So the log never names a credential the output lacks, and every failed line at or before
//!   the output's last line is in the errors file.
//! - `--resume` ([`resume`]) cuts a torn last line of the output, drops error lines after the
//!   output's last line (their group is redone), appends the log lines the kill prevented (the
//!   credentials after the last one the log has for this batch, found by the batch's job id),
//!   and continues with the input line after the output's last one: no credential issued
//!   twice, no input line skipped.
//! - Status indices are reserved in blocks saved to the registry before any credential carries
//!   them ([`Indices`]): an interrupted batch can waste reserved indices, never reuse one.

use crate::agency::{
    check_status_choice, credential_type, expiry, load_locked, lock_registry, log_line_batch,
    log_path, open_log, save_registry,
};
use crate::cli::IssueBatchArgs;
use crate::common::{CliError, CliResult, EXIT_ERROR, io_error, load_signing_key, now_or};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore as _, SeedableRng as _};
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{
    BufRead as _, BufReader, IsTerminal as _, Read as _, Seek as _, SeekFrom, Write as _,
};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wallet_core::credential::StatusRef;
use wallet_core::credential::catalogue::CredentialType;
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::keys::{SigningKey, VerifyingKey};

/// Lines per chunk: large enough that channel and reordering costs vanish, small enough that
/// the chunks in flight stay a few megabytes.
const CHUNK_LINES: usize = 512;
/// Longest input line (bytes). A record is a few hundred bytes; a longer line is an error.
const MAX_LINE: u64 = 64 * 1024;
/// Most status indices reserved (and saved) at once. Reservation grows from 1,024 by doubling,
/// so a small batch wastes few indices and a large one saves the registry rarely.
const MAX_RESERVATION: usize = 65_536;
/// A group of written chunks is committed (fsync of output, then the log) after this many
/// chunks or this long, whichever comes first: three fsyncs per group cost little at ~10
/// groups a second, and a group (at most 8 × 512 lines, ~8 MB) is what a kill can leave unlogged.
const COMMIT_CHUNKS: usize = 8;
/// See [`COMMIT_CHUNKS`].
const COMMIT_INTERVAL: Duration = Duration::from_millis(250);
/// Bytes at the start of the input hashed into the job file, to recognise the input on
/// `--resume` (with its size).
const INPUT_HEAD: u64 = 1 << 20;
/// Longest line the backward scans of `--resume` hold (bytes): far above an output line.
const MAX_SCAN_LINE: usize = 16 << 20;
/// Format version of the job file.
const JOB_VERSION: u64 = 1;
/// Exit status after SIGINT / SIGTERM: 128 + the signal number, as shells report it.
const EXIT_SIGINT: u8 = 130;
/// See [`EXIT_SIGINT`].
const EXIT_SIGTERM: u8 = 143;
/// How often a progress line is printed when stderr is not a terminal.
const PROGRESS_EVERY: Duration = Duration::from_secs(10);

/// One chunk of input lines.
struct Job {
    seq: u64,
    last_line: u64,
    /// (line number, the text or why it cannot be read, status index)
    lines: Vec<(u64, Result<String, Unreadable>, Option<u64>)>,
}

/// Why an input line cannot be read: its stable code and reason.
type Unreadable = (&'static str, &'static str);

/// What became of one line.
enum Outcome {
    Issued {
        out: String,
        log: Option<String>,
    },
    Failed {
        line: u64,
        code: String,
        reason: String,
    },
}

/// A processed chunk.
struct Done {
    seq: u64,
    last_line: u64,
    outcomes: Vec<Outcome>,
}

/// Read-only state the workers share.
struct Shared {
    ty: &'static CredentialType,
    iss: String,
    key: SigningKey,
    now: i64,
    expires: Option<i64>,
    uri: Option<String>,
    /// The job id written into this batch's issuance-log lines.
    batch: String,
    strict_validity: bool,
    no_status: bool,
}

/// Hands out status indices, reserving them in blocks saved to disk before use. The registry is
/// locked only while a block is reserved (lock, load the latest state, allocate, save, unlock),
/// not for the whole run, so revocations, single issues and publishes by other processes go on
/// during a long batch instead of waiting for it.
struct Indices {
    path: PathBuf,
    /// The list URI the batch started with, written into every credential it issues.
    uri: String,
    block: Vec<u64>,
    next_size: usize,
}

impl Indices {
    fn next(&mut self) -> CliResult<u64> {
        if self.block.is_empty() {
            let lock = lock_registry(&self.path)?;
            let mut registry = load_locked(&lock)?;
            if registry.uri() != self.uri {
                return Err(CliError::input(format!(
                    "status registry {} now holds the list {}, not {} that this batch started with",
                    self.path.display(),
                    registry.uri(),
                    self.uri
                ))
                .hint(
                    "it was replaced during the batch (`wallet status init --force`); issue the \
                     lines after the last one in the output again",
                ));
            }
            for _ in 0..self.next_size {
                match registry.allocate(&mut rand_core::OsRng) {
                    Ok(i) => self.block.push(i),
                    Err(_) if !self.block.is_empty() => break,
                    Err(e) => {
                        return Err(CliError::input(format!(
                            "status registry {}: {e} ({})",
                            self.path.display(),
                            e.code()
                        ))
                        .hint("start a new status list with `wallet status init`"));
                    }
                }
            }
            // Saved before any credential carries these indices: a crash can waste them but
            // never hand one out twice.
            save_registry(&lock, &registry)?;
            self.block.reverse();
            self.next_size = self.next_size.saturating_mul(2).min(MAX_RESERVATION);
        }
        self.block
            .pop()
            .ok_or_else(|| CliError::input("status registry is full"))
    }
}

/// Reads one line of at most `MAX_LINE` bytes; `None` at the end of input.
fn read_line(
    reader: &mut dyn std::io::BufRead,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<bool>> {
    buf.clear();
    let n = reader
        .take(MAX_LINE.saturating_add(1))
        .read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        return Ok(Some(true));
    }
    if u64::try_from(buf.len()).unwrap_or(u64::MAX) > MAX_LINE {
        // Skip the rest of the overlong line.
        let mut sink = Vec::new();
        loop {
            sink.clear();
            let m = reader.take(MAX_LINE).read_until(b'\n', &mut sink)?;
            if m == 0 || sink.last() == Some(&b'\n') {
                break;
            }
        }
        return Ok(Some(false));
    }
    Ok(Some(true))
}

/// What the reader thread hands back.
struct ReaderEnd {
    indices: Option<Indices>,
    /// The whole input was read (not stopped by a signal or an error).
    finished: bool,
}

fn reader_thread(
    mut input: Box<dyn std::io::BufRead + Send>,
    mut indices: Option<Indices>,
    jobs: &SyncSender<Job>,
    input_path: &Path,
    skip_through: u64,
    stop: &AtomicBool,
) -> CliResult<ReaderEnd> {
    let mut buf = Vec::new();
    let mut line_no: u64 = 0;
    let mut seq: u64 = 0;
    let mut lines = Vec::with_capacity(CHUNK_LINES);
    let mut finished = true;
    loop {
        // Checked per line: a signal stops the reading at once, and the lines already handed
        // out (with their reserved indices) are issued and written before the batch ends.
        if stop.load(Ordering::Relaxed) {
            finished = false;
            break;
        }
        let got = read_line(&mut *input, &mut buf).map_err(|e| io_error(e, "input", input_path))?;
        let Some(within_limit) = got else { break };
        line_no = line_no.saturating_add(1);
        if line_no <= skip_through {
            // Done by the interrupted run this one resumes.
            continue;
        }
        let text = if within_limit {
            // A byte-order mark is dropped; GBK gets its own message (wallet-core's rules).
            match wallet_core::credential::input::decode_text(std::mem::take(&mut buf)) {
                Ok(s) if s.trim().is_empty() => continue,
                Ok(s) => Ok(s),
                Err(e) => Err((e.code(), e.reason())),
            }
        } else {
            Err(("input.line", "the line is longer than 64 KiB"))
        };
        let idx = match (&text, indices.as_mut()) {
            (Ok(_), Some(ix)) => Some(ix.next()?),
            _ => None,
        };
        lines.push((line_no, text, idx));
        if lines.len() >= CHUNK_LINES {
            let chunk = std::mem::replace(&mut lines, Vec::with_capacity(CHUNK_LINES));
            let job = Job {
                seq,
                last_line: line_no,
                lines: chunk,
            };
            if jobs.send(job).is_err() {
                return Ok(ReaderEnd {
                    indices,
                    finished: false,
                });
            }
            seq = seq.saturating_add(1);
        }
    }
    // When stopped, `line_no` is the last line read; when finished, trailing blank lines count
    // as done too, so the progress ends at the total.
    if !lines.is_empty() || line_no > skip_through {
        let _ = jobs.send(Job {
            seq,
            last_line: line_no,
            lines,
        });
    }
    Ok(ReaderEnd { indices, finished })
}

fn fail(line: u64, code: &str, reason: impl std::fmt::Display) -> Outcome {
    Outcome::Failed {
        line,
        code: code.to_owned(),
        reason: reason.to_string(),
    }
}

/// Issues one input line. The claims and holder key are read here; the rules are wallet-core's.
fn issue_line(
    shared: &Shared,
    line: u64,
    text: &str,
    idx: Option<u64>,
    rng: &mut ChaCha20Rng,
) -> Outcome {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return fail(line, "input.json", format!("the line is not JSON: {e}")),
    };
    let Some(claims) = value.get("claims").and_then(Value::as_object) else {
        return fail(line, "input.claims", "the line has no \"claims\" object");
    };
    let Some(jwk) = value.get("holder_jwk") else {
        return fail(line, "input.holder_jwk", "the line has no \"holder_jwk\"");
    };
    let holder = match VerifyingKey::from_jwk(jwk) {
        Ok(k) => k,
        Err(e) => return fail(line, e.code(), format!("holder_jwk: {e}")),
    };
    let mut request =
        match CredentialRequest::for_type(shared.ty, &shared.iss, claims, holder, shared.now) {
            Ok(r) => r,
            Err(e) => return fail(line, e.code(), e),
        };
    if let Some(exp) = shared.expires {
        request.expires_at = exp;
    }
    request.strict_validity = shared.strict_validity;
    if shared.no_status {
        request = request.without_status();
    }
    let status = match (idx, &shared.uri) {
        (Some(idx), Some(uri)) => Some(StatusRef {
            idx,
            uri: uri.clone(),
        }),
        _ => None,
    };
    request.status = status.clone();
    let credential = match issue_credential(&request, &shared.key, rng) {
        Ok(c) => c,
        Err(e) => return fail(line, e.code(), e),
    };
    let id = match wallet_core::holder::credential_id(&credential) {
        Ok(id) => id,
        Err(e) => return fail(line, e.code(), e),
    };
    let log = status
        .as_ref()
        .map(|s| log_line_batch(&id, s, &request.vct, &shared.iss, shared.now, &shared.batch));
    let mut out =
        json!({"line": line, "id": id, "status_idx": idx, "credential": credential}).to_string();
    out.push('\n');
    Outcome::Issued { out, log }
}

fn worker(shared: &Shared, jobs: &Mutex<Receiver<Job>>, done: &SyncSender<Done>) {
    let mut seed = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut seed);
    // A CSPRNG per worker, seeded from the OS: salts need unpredictability, not a syscall each.
    let mut rng = ChaCha20Rng::from_seed(seed);
    loop {
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        let outcomes = job
            .lines
            .into_iter()
            .map(|(line, text, idx)| match text {
                Ok(t) => issue_line(shared, line, &t, idx, &mut rng),
                Err((code, reason)) => fail(line, code, reason),
            })
            .collect();
        if done
            .send(Done {
                seq: job.seq,
                last_line: job.last_line,
                outcomes,
            })
            .is_err()
        {
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Output files, the job file and the commit protocol
// ---------------------------------------------------------------------------------------

/// `NAME` + `suffix`, beside `path`.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Opens an in-progress file for appending, mode 0600 from its creation (batch outputs hold
/// personal data). `new`: it must not exist yet.
fn open_partial(path: &Path, new: bool, what: &str) -> CliResult<File> {
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
enum Target {
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
struct Sink {
    what: &'static str,
    target: Target,
}

impl Sink {
    fn name(&self) -> String {
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
    fn write_durable(&mut self, bytes: &[u8]) -> CliResult {
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
    fn publish(&self) -> CliResult {
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

/// The issuance log of the batch's registry.
struct Log {
    registry: PathBuf,
}

impl Log {
    /// Appends `lines` (whole lines) durably, in one write, under the registry lock: every
    /// writer of the log (`issue`, `issue-batch`, `--resume`) appends under that lock, so when
    /// the log does not end with a newline, the last line was cut by a writer that died, and it
    /// is ended first, so that the new lines are not glued to it. The cut line (not JSON) is
    /// skipped by every reader; the batch that wrote it adds it again on `--resume`.
    fn append(&self, lines: &str) -> CliResult {
        if lines.is_empty() {
            return Ok(());
        }
        let _lock = lock_registry(&self.registry)?;
        self.append_locked(lines)
    }

    fn append_locked(&self, lines: &str) -> CliResult {
        let path = log_path(&self.registry);
        let mut file = open_log(&self.registry)?;
        let mut text = String::with_capacity(lines.len().saturating_add(1));
        if !ends_with_newline(&path)? {
            text.push('\n');
        }
        text.push_str(lines);
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(|e| io_error(e, "issuance log", &path))
    }
}

/// Whether `path` is empty or ends with `\n`.
fn ends_with_newline(path: &Path) -> CliResult<bool> {
    let mut f = File::open(path).map_err(|e| io_error(e, "issuance log", path))?;
    let len = f
        .metadata()
        .map_err(|e| io_error(e, "issuance log", path))?
        .len();
    if len == 0 {
        return Ok(true);
    }
    let mut last = [0u8; 1];
    f.seek(SeekFrom::Start(len.saturating_sub(1)))
        .and_then(|_| f.read_exact(&mut last))
        .map_err(|e| io_error(e, "issuance log", path))?;
    Ok(last == *b"\n")
}

/// Counts of the batch: this run's, and the job's so far.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    /// Issued in this run.
    issued: u64,
    /// Failed in this run.
    failed: u64,
    /// Issued by the interrupted runs this one resumes.
    issued_before: u64,
    /// Failed in the interrupted runs this one resumes.
    failed_before: u64,
    /// The last input line whose result is written (in this run or before).
    done_through: u64,
}

/// Writes results in groups and commits each group in the order that keeps output, errors and
/// issuance log consistent (see the module documentation).
struct Committer {
    out: Sink,
    errors: Sink,
    log: Option<Log>,
    group_out: Vec<u8>,
    group_err: Vec<u8>,
    group_log: String,
    group_through: u64,
    chunks: usize,
    last_commit: Instant,
    counts: Counts,
}

impl Committer {
    /// Adds a chunk's results to the current group; commits when the group is full or old.
    fn add(&mut self, last_line: u64, outcomes: Vec<Outcome>) -> CliResult {
        for o in outcomes {
            match o {
                Outcome::Issued { out, log } => {
                    if let Some(entry) = log {
                        self.group_log.push_str(&entry);
                    }
                    self.group_out.extend_from_slice(out.as_bytes());
                    self.counts.issued = self.counts.issued.saturating_add(1);
                }
                Outcome::Failed { line, code, reason } => {
                    let mut text = json!({"line": line, "code": code, "error": reason}).to_string();
                    text.push('\n');
                    self.group_err.extend_from_slice(text.as_bytes());
                    self.counts.failed = self.counts.failed.saturating_add(1);
                }
            }
        }
        self.group_through = self.group_through.max(last_line);
        self.chunks = self.chunks.saturating_add(1);
        if self.chunks >= COMMIT_CHUNKS || self.last_commit.elapsed() >= COMMIT_INTERVAL {
            self.commit()?;
        }
        Ok(())
    }

    /// Commits the group: errors (durable), then credentials (durable), then their log lines.
    /// Errors first, so every failed line up to the output's last line is durable once that
    /// line is; the log last, so it never names a credential the output may lose.
    fn commit(&mut self) -> CliResult {
        self.chunks = 0;
        self.last_commit = Instant::now();
        let err = std::mem::take(&mut self.group_err);
        self.errors.write_durable(&err)?;
        let out = std::mem::take(&mut self.group_out);
        self.out.write_durable(&out)?;
        let log = std::mem::take(&mut self.group_log);
        if let Some(l) = &self.log {
            l.append(&log)?;
        }
        self.counts.done_through = self.counts.done_through.max(self.group_through);
        // Keep the buffers' capacity for the next group.
        self.group_err = err;
        self.group_err.clear();
        self.group_out = out;
        self.group_out.clear();
        Ok(())
    }
}

/// The job file `OUT.partial.job`: what an interrupted batch was doing, so that `--resume`
/// continues the same job and nothing else. Written atomically (mode 0600).
#[derive(Debug, Clone, PartialEq, Eq)]
struct JobFile {
    /// Random id, written into the batch's issuance-log lines as `"batch"`.
    job: String,
    input: String,
    input_size: u64,
    input_head: String,
    vct: String,
    iss: String,
    kid: String,
    registry: Option<String>,
    uri: Option<String>,
    errors: String,
    /// Length of the issuance log when the job started: its lines are all after this offset.
    log_start: u64,
    /// The validity and revocability flags as given (`--expires`, `--valid-for`,
    /// `--strict-validity`, `--no-status`): a resumed run must not mix expiry rules.
    validity: String,
    force: bool,
    /// Every line was written; only the renames (and removing this file) remain.
    complete: bool,
}

impl JobFile {
    fn to_json(&self) -> Value {
        json!({
            "version": JOB_VERSION,
            "job": self.job,
            "input": self.input,
            "input_size": self.input_size,
            "input_head_sha256": self.input_head,
            "vct": self.vct,
            "iss": self.iss,
            "kid": self.kid,
            "status_registry": self.registry,
            "status_uri": self.uri,
            "errors": self.errors,
            "log_start": self.log_start,
            "validity": self.validity,
            "force": self.force,
            "complete": self.complete,
        })
    }

    fn from_json(v: &Value) -> Option<Self> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let n = |k: &str| v.get(k).and_then(Value::as_u64);
        let b = |k: &str| v.get(k).and_then(Value::as_bool);
        if n("version")? != JOB_VERSION {
            return None;
        }
        Some(Self {
            job: s("job")?,
            input: s("input")?,
            input_size: n("input_size")?,
            input_head: s("input_head_sha256")?,
            vct: s("vct")?,
            iss: s("iss")?,
            kid: s("kid")?,
            registry: s("status_registry"),
            uri: s("status_uri"),
            errors: s("errors")?,
            log_start: n("log_start")?,
            validity: s("validity")?,
            force: b("force")?,
            complete: b("complete")?,
        })
    }

    fn save(&self, path: &Path) -> CliResult {
        let mut bytes = self.to_json().to_string().into_bytes();
        bytes.push(b'\n');
        wallet_core::fsutil::write_atomic(path, &bytes, 0o600)
            .map_err(|e| io_error(e, "batch job file", path))
    }

    fn load(path: &Path) -> CliResult<Option<Self>> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error(e, "batch job file", path)),
        };
        serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| Self::from_json(&v))
            .map(Some)
            .ok_or_else(|| {
                CliError::input(format!(
                    "batch job file {} is not one this version of wallet wrote",
                    path.display()
                ))
                .hint("finish the batch with the wallet version that started it")
            })
    }
}

/// Size and SHA-256 of the first [`INPUT_HEAD`] bytes of the input, and its line count.
fn fingerprint(path: &Path) -> CliResult<(u64, String, u64)> {
    let mut f = File::open(path).map_err(|e| io_error(e, "input", path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut read: u64 = 0;
    let mut lines: u64 = 0;
    let mut last = b'\n';
    loop {
        let n = f.read(&mut buf).map_err(|e| io_error(e, "input", path))?;
        let Some(bytes) = buf.get(..n) else { break };
        if n == 0 {
            break;
        }
        let room = usize::try_from(INPUT_HEAD.saturating_sub(read)).unwrap_or(usize::MAX);
        hasher.update(bytes.get(..room.min(n)).unwrap_or_default());
        lines = lines
            .saturating_add(u64::try_from(memchr::memchr_iter(b'\n', bytes).count()).unwrap_or(0));
        last = bytes.last().copied().unwrap_or(last);
        read = read.saturating_add(u64::try_from(n).unwrap_or(0));
    }
    if last != b'\n' {
        lines = lines.saturating_add(1);
    }
    let head: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((read, head, lines))
}

/// Calls `visit(line, offset)` on the lines of `file` in `[start, end)`, last line first
/// (without their newline), until it returns true; returns that line's offset. `end` is at a
/// line boundary. Reads backwards in blocks: `--resume` needs the tails of files that can be
/// gigabytes long.
fn scan_back(
    file: &mut File,
    start: u64,
    end: u64,
    mut visit: impl FnMut(&[u8], u64) -> bool,
) -> std::io::Result<Option<u64>> {
    const BLOCK: u64 = 1 << 16;
    let mut pos = end;
    // Bytes [pos, pos + buf.len()): complete lines at its end are visited and cut off.
    let mut buf: Vec<u8> = Vec::new();
    loop {
        loop {
            let body = match buf.split_last() {
                Some((b'\n', body)) => body,
                Some(_) => buf.as_slice(),
                None => break,
            };
            let Some(nl) = memchr::memrchr(b'\n', body) else {
                break;
            };
            let from = nl.saturating_add(1);
            let offset = pos.saturating_add(u64::try_from(from).unwrap_or(u64::MAX));
            if visit(body.get(from..).unwrap_or_default(), offset) {
                return Ok(Some(offset));
            }
            buf.truncate(from);
        }
        if pos <= start {
            let body = match buf.split_last() {
                Some((b'\n', body)) => body,
                Some(_) => buf.as_slice(),
                None => return Ok(None),
            };
            return Ok(visit(body, start).then_some(start));
        }
        if buf.len() > MAX_SCAN_LINE {
            return Err(std::io::Error::other("a line longer than 16 MiB"));
        }
        let from = pos.saturating_sub(BLOCK).max(start);
        let mut block = vec![0u8; usize::try_from(pos.saturating_sub(from)).unwrap_or(0)];
        file.seek(SeekFrom::Start(from))?;
        file.read_exact(&mut block)?;
        block.extend_from_slice(&buf);
        buf = block;
        pos = from;
    }
}

/// Whether `file` is empty or ends with `\n`.
fn file_ends_with_newline(file: &mut File) -> std::io::Result<bool> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(true);
    }
    let mut last = [0u8; 1];
    file.seek(SeekFrom::Start(len.saturating_sub(1)))?;
    file.read_exact(&mut last)?;
    Ok(last == *b"\n")
}

/// Cuts `file` after its last line for which `keep` returns something (a line without its
/// newline is torn and never kept); returns the new length and what `keep` returned for the
/// kept last line.
fn cut_after_last<T>(
    file: &mut File,
    path: &Path,
    what: &str,
    mut keep: impl FnMut(&[u8]) -> Option<T>,
) -> CliResult<(u64, Option<T>)> {
    let err = |e: std::io::Error| io_error(e, what, path);
    let len = file.metadata().map_err(err)?.len();
    // Without a final newline, the last line is torn: the scan ends where it starts.
    let end = if file_ends_with_newline(file).map_err(err)? {
        len
    } else {
        scan_back(file, 0, len, |_, _| true)
            .map_err(err)?
            .unwrap_or(0)
    };
    let mut found = None;
    let mut new_len = 0;
    scan_back(file, 0, end, |line, offset| match keep(line) {
        Some(t) => {
            found = Some(t);
            new_len = offset
                .saturating_add(u64::try_from(line.len()).unwrap_or(u64::MAX))
                .saturating_add(1);
            true
        }
        None => false,
    })
    .map_err(err)?;
    if new_len < len {
        file.set_len(new_len)
            .and_then(|()| file.sync_data())
            .map_err(err)?;
    }
    Ok((new_len, found))
}

/// An output line's input line number and credential id.
fn output_record(line: &[u8]) -> Option<(u64, String)> {
    let v: Value = serde_json::from_slice(line).ok()?;
    let n = v.get("line")?.as_u64()?;
    let id = v.get("id")?.as_str()?.to_owned();
    v.get("credential")?.as_str()?;
    Some((n, id))
}

/// The issuance-log line of an output line, rebuilt from the credential itself.
fn log_line_for(line: &[u8], batch: &str) -> Option<String> {
    let v: Value = serde_json::from_slice(line).ok()?;
    let id = v.get("id")?.as_str()?;
    let credential = v.get("credential")?.as_str()?;
    let jwt = credential.split('~').next()?;
    let payload: Map<String, Value> = wallet_core::jws::Jws::parse(jwt).ok()?.payload().ok()?;
    let status = payload.get("status")?.get("status_list")?;
    let status = StatusRef {
        idx: status.get("idx")?.as_u64()?,
        uri: status.get("uri")?.as_str()?.to_owned(),
    };
    Some(log_line_batch(
        id,
        &status,
        payload.get("vct")?.as_str()?,
        payload.get("iss")?.as_str()?,
        payload.get("iat")?.as_i64()?,
        batch,
    ))
}

/// Number of lines in a file (its length is at a line boundary).
fn count_lines(file: &mut File, path: &Path, what: &str) -> CliResult<u64> {
    file.seek(SeekFrom::Start(0))
        .map_err(|e| io_error(e, what, path))?;
    let mut buf = vec![0u8; 1 << 16];
    let mut n: u64 = 0;
    loop {
        let got = file.read(&mut buf).map_err(|e| io_error(e, what, path))?;
        if got == 0 {
            return Ok(n);
        }
        let count = memchr::memchr_iter(b'\n', buf.get(..got).unwrap_or_default()).count();
        n = n.saturating_add(u64::try_from(count).unwrap_or(0));
    }
}

/// Locks an in-progress output for this process (released when the process ends, however).
fn lock_partial(file: &File, path: &Path) -> CliResult {
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

/// What `--resume` found and repaired.
struct Resumed {
    /// The last input line whose result is durable.
    done_through: u64,
    issued_before: u64,
    failed_before: u64,
    /// Issuance-log lines added for credentials the kill left unlogged.
    relogged: u64,
}

/// Brings an interrupted job's files back to a consistent state (module documentation).
fn resume(
    job: &JobFile,
    out_file: &mut File,
    out_partial: &Path,
    err_file: &mut File,
    err_partial: &Path,
    registry: Option<&Path>,
) -> CliResult<Resumed> {
    let (out_len, last) = cut_after_last(out_file, out_partial, "output", output_record)?;
    let done_through = last.as_ref().map_or(0, |(n, _)| *n);
    // Error lines after the output's last line belong to a group whose output was not (all)
    // written: that group is redone, so they go.
    let (_, _) = cut_after_last(err_file, err_partial, "errors file", |line| {
        let v: Value = serde_json::from_slice(line).ok()?;
        let n = v.get("line")?.as_u64()?;
        (n <= done_through).then_some(())
    })?;
    let mut relogged: u64 = 0;
    if let Some(reg) = registry {
        let lock = lock_registry(reg)?;
        let log = log_path(reg);
        let log_len = std::fs::metadata(&log).map_or(0, |m| m.len());
        if log_len < job.log_start {
            return Err(CliError::input(format!(
                "issuance log {} is shorter than when this batch started",
                log.display()
            ))
            .hint("it was truncated or replaced; restore it before resuming the batch"));
        }
        let marker = format!("\"batch\":\"{}\"", job.job);
        let mut last_logged: Option<String> = None;
        if log_len > job.log_start {
            let mut f = File::open(&log).map_err(|e| io_error(e, "issuance log", &log))?;
            // A last line without its newline was cut by a killed writer (every writer appends
            // under the lock held here). It is read like the others: if it is whole JSON, the
            // next append ends it with a newline and it counts; if not, no reader takes it.
            scan_back(&mut f, job.log_start, log_len, |line, _| {
                if memchr::memmem::find(line, marker.as_bytes()).is_none() {
                    return false;
                }
                let Ok(v) = serde_json::from_slice::<Value>(line) else {
                    return false;
                };
                last_logged = v.get("id").and_then(Value::as_str).map(str::to_owned);
                last_logged.is_some()
            })
            .map_err(|e| io_error(e, "issuance log", &log))?;
        }
        // The credentials after the last logged one, last first.
        let mut missing: Vec<Vec<u8>> = Vec::new();
        let found = scan_back(out_file, 0, out_len, |line, _| {
            if let (Some(want), Some((_, id))) = (&last_logged, output_record(line))
                && *want == id
            {
                return true;
            }
            missing.push(line.to_vec());
            false
        })
        .map_err(|e| io_error(e, "output", out_partial))?;
        if last_logged.is_some() && found.is_none() {
            return Err(CliError::input(format!(
                "the issuance log {} names a credential of this batch that {} does not hold",
                log.display(),
                out_partial.display()
            ))
            .hint("the files were changed by hand; compare them before resuming"));
        }
        let mut lines = String::new();
        for line in missing.iter().rev() {
            let entry = log_line_for(line, &job.job).ok_or_else(|| {
                CliError::input(format!(
                    "{} holds a line that is not an issued credential",
                    out_partial.display()
                ))
                .hint("the file was changed by hand; compare it with the input before resuming")
            })?;
            lines.push_str(&entry);
            relogged = relogged.saturating_add(1);
        }
        if !lines.is_empty() {
            Log {
                registry: reg.to_owned(),
            }
            .append_locked(&lines)?;
        }
        drop(lock);
    }
    let issued_before = count_lines(out_file, out_partial, "output")?;
    let failed_before = count_lines(err_file, err_partial, "errors file")?;
    Ok(Resumed {
        done_through,
        issued_before,
        failed_before,
        relogged,
    })
}

/// A refusal for a pretty-printed JSON document or array given as JSON Lines. Peeks at the
/// first buffer of the input without consuming it.
fn check_json_lines(input: &mut dyn std::io::BufRead, path: &Path) -> CliResult {
    let buf = input.fill_buf().map_err(|e| io_error(e, "input", path))?;
    let Some(first) = buf
        .split(|b| *b == b'\n')
        .map(<[u8]>::trim_ascii)
        .find(|l| !l.is_empty())
    else {
        return Ok(());
    };
    // Only a line that ends inside the buffer is judged.
    if memchr::memchr(b'\n', buf).is_none() {
        return Ok(());
    }
    let what = if first.starts_with(b"[") {
        "a JSON array"
    } else if first.starts_with(b"{")
        && serde_json::from_slice::<Value>(first).is_err_and(|e| e.is_eof())
    {
        "a pretty-printed JSON document (its first object goes on over several lines)"
    } else {
        return Ok(());
    };
    let name = if path == Path::new("-") {
        "standard input".to_owned()
    } else {
        format!("input {}", path.display())
    };
    Err(
        CliError::input(format!("{name} is {what}, not JSON Lines")).hint(
            "issue-batch reads one JSON object per line; convert it with `jq -c '.[]' IN.json > \
         IN.jsonl` (an array) or `jq -c . IN.json > IN.jsonl` (one object per document)",
        ),
    )
}

// ---------------------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------------------

/// Progress on stderr: a bar on a terminal, else a line every [`PROGRESS_EVERY`].
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: Option<u64>,
    start_line: u64,
    started: Instant,
    last_line: Instant,
}

impl Progress {
    fn new(total: Option<u64>, start_line: u64) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let (bar, template) = match total {
                Some(t) => (
                    indicatif::ProgressBar::new(t),
                    "{bar:30} {pos}/{len} lines ({percent}%) {per_sec} ETA {eta} {msg}",
                ),
                None => (
                    indicatif::ProgressBar::new_spinner(),
                    "{spinner} {pos} lines {per_sec} {elapsed} {msg}",
                ),
            };
            bar.set_style(
                indicatif::ProgressStyle::with_template(template)
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_position(start_line);
            bar.reset_eta();
            bar.set_message("0 failed");
            bar
        });
        Self {
            bar,
            total,
            start_line,
            started: Instant::now(),
            last_line: Instant::now(),
        }
    }

    fn update(&mut self, line: u64, failed: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(line);
            bar.set_message(format!("{failed} failed"));
            return;
        }
        if self.last_line.elapsed() < PROGRESS_EVERY {
            return;
        }
        self.last_line = Instant::now();
        eprintln!("progress: {}", self.describe(line, failed));
    }

    #[allow(clippy::cast_precision_loss)] // figures for display only
    fn describe(&self, line: u64, failed: u64) -> String {
        let secs = self.started.elapsed().as_secs_f64();
        let done = line.saturating_sub(self.start_line);
        let rate = if secs > 0.0 { done as f64 / secs } else { 0.0 };
        match self.total {
            Some(t) => {
                let pct = if t > 0 {
                    line as f64 * 100.0 / t as f64
                } else {
                    100.0
                };
                let eta = if rate > 0.0 {
                    format!("{:.0} s", t.saturating_sub(line) as f64 / rate)
                } else {
                    "unknown".to_owned()
                };
                format!(
                    "line {line} of {t} ({pct:.1}%), {rate:.0} lines/s, ETA {eta}, {failed} failed"
                )
            }
            None => format!("line {line}, {rate:.0} lines/s, {failed} failed"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

// ---------------------------------------------------------------------------------------
// The command
// ---------------------------------------------------------------------------------------

/// `wallet issue-batch`: exit 0 only when every line was issued, 2 otherwise; 130 / 143 when
/// stopped by SIGINT / SIGTERM (everything written so far is durable; `--resume` continues).
pub fn issue_batch(a: &IssueBatchArgs) -> CliResult<u8> {
    // Under --json an error is printed as the command's JSON object by main's error report.
    run(a)
}

fn usage(message: &str, hint: &str) -> CliError {
    CliError::usage(message).hint(hint)
}

#[allow(clippy::too_many_lines)] // one linear story: check, prepare or resume, run, finish
fn run(a: &IssueBatchArgs) -> CliResult<u8> {
    let to_stdout = a.output == Path::new("-");
    if to_stdout && a.resume {
        return Err(usage(
            "--resume needs --out FILE: with --out - the credentials went to a pipe, which \
             cannot be continued",
            "write the batch to a file (--out OUT.jsonl) to be able to resume it",
        ));
    }
    if to_stdout && a.json {
        return Err(usage(
            "--json needs --out FILE: with --out - stdout carries the credentials",
            "write the batch to a file (--out OUT.jsonl) for a JSON summary",
        ));
    }
    if a.errors.as_deref() == Some(Path::new("-")) {
        return Err(usage(
            "--errors - is not supported",
            "give a file for --errors; with --out - and no --errors, bad lines are reported on \
             stderr",
        ));
    }
    if a.resume && a.input == Path::new("-") {
        return Err(usage(
            "--resume needs --input FILE: standard input cannot be checked to be the same input",
            "save the input to a file and give it with --input",
        ));
    }
    let ty = credential_type(&a.credential_type)?;
    check_status_choice(ty, a.status_registry.as_deref(), a.no_status)?;
    let key = load_signing_key(&a.issuer_key, "issuer key")?;
    let now = now_or(a.now.as_deref())?;
    let expires = expiry(&a.validity, now)?;
    let jobs_n = a
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, 256);
    let mut input: Box<dyn std::io::BufRead + Send> = if a.input == Path::new("-") {
        Box::new(BufReader::with_capacity(1 << 16, std::io::stdin()))
    } else {
        let f = File::open(&a.input).map_err(|e| io_error(e, "input", &a.input))?;
        Box::new(BufReader::with_capacity(1 << 16, f))
    };
    check_json_lines(&mut *input, &a.input)?;
    // Read once under the lock for its URI (and to fail early on a missing or unreadable
    // registry); every block of indices is then reserved under the lock (`Indices::next`).
    let indices = match &a.status_registry {
        Some(p) => {
            let registry = load_locked(&lock_registry(p)?)?;
            Some(Indices {
                path: p.clone(),
                uri: registry.uri().to_owned(),
                block: Vec::new(),
                next_size: 1024,
            })
        }
        None => None,
    };
    let uri = indices.as_ref().map(|i| i.uri.clone());
    let (input_size, input_head, total) = if a.input == Path::new("-") {
        (0, String::new(), None)
    } else {
        let (size, head, lines) = fingerprint(&a.input)?;
        (size, head, Some(lines))
    };
    let registry_name = a
        .status_registry
        .as_deref()
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned()))
        .map(|p| p.display().to_string());

    let mut job_id_bytes = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut job_id_bytes);
    let mut job = JobFile {
        job: job_id_bytes.iter().map(|b| format!("{b:02x}")).collect(),
        input: a.input.display().to_string(),
        input_size,
        input_head,
        vct: ty.vct.to_owned(),
        iss: a.iss.clone(),
        kid: key.thumbprint(),
        registry: registry_name,
        uri: uri.clone(),
        errors: String::new(),
        log_start: 0,
        validity: format!(
            "expires={:?} valid_for={:?} strict_validity={} no_status={}",
            a.validity.expires, a.validity.valid_for, a.strict_validity, a.no_status
        ),
        force: a.force,
        complete: false,
    };
    let log = a.status_registry.as_ref().map(|p| Log {
        registry: p.clone(),
    });

    // Outputs: in-progress files beside the final names (or the standard streams).
    let mut resumed: Option<Resumed> = None;
    let mut job_path: Option<PathBuf> = None;
    let (out, errors) = if to_stdout {
        let errors = match &a.errors {
            Some(path) => {
                if !a.force && std::fs::symlink_metadata(path).is_ok() {
                    return Err(exists_err("errors file", path));
                }
                let partial = with_suffix(path, ".partial");
                let file = open_partial(&partial, false, "errors file")?;
                lock_partial(&file, &partial)?;
                file.set_len(0)
                    .map_err(|e| io_error(e, "errors file", &partial))?;
                Target::File {
                    final_path: path.clone(),
                    partial,
                    file,
                }
            }
            None => Target::Stderr(std::io::stderr()),
        };
        (
            Sink {
                what: "output",
                target: Target::Stdout(std::io::stdout()),
            },
            Sink {
                what: "errors file",
                target: errors,
            },
        )
    } else {
        let out_final = a.output.clone();
        let err_final = a
            .errors
            .clone()
            .unwrap_or_else(|| with_suffix(&out_final, ".errors.jsonl"));
        job.errors = err_final.display().to_string();
        let out_partial = with_suffix(&out_final, ".partial");
        let err_partial = with_suffix(&err_final, ".partial");
        let jp = with_suffix(&out_partial, ".job");
        let partial_exists = std::fs::symlink_metadata(&out_partial).is_ok();
        let (mut out_file, mut err_file);
        if a.resume {
            if let Some(saved) = JobFile::load(&jp)?
                && saved.complete
            {
                check_same_job(&saved, &job, &jp)?;
                return finish_completed(
                    &saved,
                    &jp,
                    (&out_partial, &out_final),
                    (&err_partial, &err_final),
                );
            }
            if !partial_exists {
                let (msg, hint) = if std::fs::symlink_metadata(&jp).is_ok() {
                    (
                        format!(
                            "{} is missing, but its job file is there",
                            out_partial.display()
                        ),
                        "the batch finished or its partial output was removed; check OUT",
                    )
                } else if out_final.exists() {
                    (
                        format!(
                            "nothing to resume: the batch for {} has completed",
                            out_final.display()
                        ),
                        "run without --resume (and with --force) to issue the input again",
                    )
                } else {
                    (
                        format!(
                            "nothing to resume: {} does not exist",
                            out_partial.display()
                        ),
                        "run without --resume to start the batch",
                    )
                };
                return Err(usage(&msg, hint));
            }
            out_file = open_partial(&out_partial, false, "output")?;
            lock_partial(&out_file, &out_partial)?;
            match JobFile::load(&jp)? {
                Some(saved) => {
                    check_same_job(&saved, &job, &jp)?;
                    job = saved;
                }
                None => {
                    // Killed between creating the partial output and writing the job file:
                    // nothing was issued yet, so this run takes the job over.
                    let len = out_file
                        .metadata()
                        .map_err(|e| io_error(e, "output", &out_partial))?
                        .len();
                    if len > 0 {
                        return Err(usage(
                            &format!("{} has no job file {}", out_partial.display(), jp.display()),
                            "the job file was removed; compare OUT.partial with the input by \
                             hand, or remove it to start over",
                        ));
                    }
                    job.log_start = log_len(a.status_registry.as_deref());
                    job.save(&jp)?;
                }
            }
            if out_final.exists() && !(a.force || job.force) && !job.complete {
                return Err(exists_err("output", &out_final));
            }
            err_file = open_partial(&err_partial, false, "errors file")?;
        } else {
            if partial_exists || std::fs::symlink_metadata(&jp).is_ok() {
                return Err(usage(
                    &format!(
                        "an interrupted batch for {} is in {}",
                        out_final.display(),
                        out_partial.display()
                    ),
                    "run the same command with --resume to continue it (--force does not \
                     discard it: its credentials are issued and logged); to give it up, revoke \
                     its credentials by id and remove OUT.partial, its .job file and the errors \
                     file's .partial",
                ));
            }
            if !a.force {
                for (what, path) in [("output", &out_final), ("errors file", &err_final)] {
                    if std::fs::symlink_metadata(path).is_ok() {
                        return Err(exists_err(what, path));
                    }
                }
            }
            // The partial output is created exclusively and locked first: two batches started
            // at once for one output cannot both get past this point.
            out_file = open_partial(&out_partial, true, "output")?;
            lock_partial(&out_file, &out_partial)?;
            err_file = open_partial(&err_partial, false, "errors file")?;
            err_file
                .set_len(0)
                .map_err(|e| io_error(e, "errors file", &err_partial))?;
            job.log_start = log_len(a.status_registry.as_deref());
            job.save(&jp)?;
        }
        if a.resume {
            let r = resume(
                &job,
                &mut out_file,
                &out_partial,
                &mut err_file,
                &err_partial,
                a.status_registry.as_deref(),
            )?;
            resumed = Some(r);
        }
        job_path = Some(jp);
        (
            Sink {
                what: "output",
                target: Target::File {
                    final_path: out_final,
                    // Holds the job's lock (`lock_partial`) until the process ends.
                    partial: out_partial,
                    file: out_file,
                },
            },
            Sink {
                what: "errors file",
                target: Target::File {
                    final_path: err_final,
                    partial: err_partial,
                    file: err_file,
                },
            },
        )
    };

    let skip_through = resumed.as_ref().map_or(0, |r| r.done_through);
    let counts = Counts {
        issued_before: resumed.as_ref().map_or(0, |r| r.issued_before),
        failed_before: resumed.as_ref().map_or(0, |r| r.failed_before),
        done_through: skip_through,
        ..Counts::default()
    };
    if let Some(r) = &resumed {
        eprintln!(
            "resuming {} after input line {} ({} credentials issued before{})",
            out.name(),
            r.done_through,
            r.issued_before,
            if r.relogged > 0 {
                format!("; {} issuance-log lines restored", r.relogged)
            } else {
                String::new()
            }
        );
    }
    let mut committer = Committer {
        out,
        errors,
        log,
        group_out: Vec::new(),
        group_err: Vec::new(),
        group_log: String::new(),
        group_through: skip_through,
        chunks: 0,
        last_commit: Instant::now(),
        counts,
    };

    // SIGINT / SIGTERM set `stop` (the batch ends after the lines in flight, everything
    // durable); a second one exits at once, which is as safe as a kill: `--resume` repairs it.
    let stop = Arc::new(AtomicBool::new(false));
    let signal = Arc::new(AtomicUsize::new(0));
    for (sig, code) in [
        (signal_hook::consts::SIGINT, EXIT_SIGINT),
        (signal_hook::consts::SIGTERM, EXIT_SIGTERM),
    ] {
        let registered = signal_hook::flag::register_conditional_shutdown(
            sig,
            i32::from(code),
            Arc::clone(&stop),
        )
        .and_then(|_| {
            signal_hook::flag::register_usize(sig, Arc::clone(&signal), usize::from(code))
        })
        .and_then(|_| signal_hook::flag::register(sig, Arc::clone(&stop)));
        registered.map_err(|e| CliError::input(format!("cannot handle signals: {e}")))?;
    }

    let shared = Arc::new(Shared {
        ty,
        iss: a.iss.clone(),
        key,
        now,
        expires,
        uri,
        batch: job.job.clone(),
        strict_validity: a.strict_validity,
        no_status: a.no_status,
    });
    let (job_tx, job_rx) = sync_channel::<Job>(jobs_n.saturating_mul(2));
    let (done_tx, done_rx) = sync_channel::<Done>(jobs_n.saturating_mul(2));
    let job_rx = Arc::new(Mutex::new(job_rx));
    let mut progress = Progress::new(total, skip_through);
    let started = Instant::now();
    let input_path = a.input.clone();
    let result = std::thread::scope(|scope| -> CliResult<ReaderEnd> {
        let stop_reader = Arc::clone(&stop);
        let reader = scope.spawn(move || {
            let r = reader_thread(
                input,
                indices,
                &job_tx,
                &input_path,
                skip_through,
                &stop_reader,
            );
            drop(job_tx);
            r
        });
        for _ in 0..jobs_n {
            let shared = Arc::clone(&shared);
            let rx = Arc::clone(&job_rx);
            let tx = done_tx.clone();
            scope.spawn(move || worker(&shared, &rx, &tx));
        }
        drop(done_tx);
        // Chunks finish out of order; hold the early ones until their turn. Bounded by the
        // number of chunks in flight (channel capacities plus one per worker).
        let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
        let mut next: u64 = 0;
        let mut write_err: Option<CliError> = None;
        for done in done_rx.iter() {
            pending.insert(done.seq, done);
            while let Some(done) = pending.remove(&next) {
                next = next.saturating_add(1);
                if write_err.is_some() {
                    continue;
                }
                if let Err(e) = committer.add(done.last_line, done.outcomes) {
                    // Stop reading: nothing more can be written.
                    stop.store(true, Ordering::Relaxed);
                    write_err = Some(e);
                }
                progress.update(
                    committer.group_through,
                    committer
                        .counts
                        .failed
                        .saturating_add(committer.counts.failed_before),
                );
            }
        }
        if write_err.is_none()
            && let Err(e) = committer.commit()
        {
            write_err = Some(e);
        }
        let end = match reader.join() {
            Ok(r) => r?,
            Err(_) => return Err(CliError::input("the input reader stopped unexpectedly")),
        };
        match write_err {
            Some(e) => Err(e),
            None => Ok(end),
        }
    });
    progress.finish();
    // Every reserved block was saved when it was reserved; nothing of the registry is pending.
    let end = result.map_err(|e| match &job_path {
        Some(_) => {
            let hint = e.hint.clone().unwrap_or_default();
            e.hint(format!(
                "{hint}; everything written so far is saved: once fixed, run the same command \
                 with --resume to continue"
            ))
        }
        None => e,
    })?;
    drop(end.indices);
    let counts = committer.counts;
    let secs = started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)] // a rate for display only
    let rate = if secs > 0.0 {
        counts.issued as f64 / secs
    } else {
        0.0
    };
    let issued_total = counts.issued.saturating_add(counts.issued_before);
    let failed_total = counts.failed.saturating_add(counts.failed_before);
    let interrupted = match signal.load(Ordering::Relaxed) {
        0 => None,
        c => u8::try_from(c).ok(),
    };
    let complete = end.finished && interrupted.is_none();
    if complete {
        if let Some(jp) = &job_path {
            // Marked complete before the renames: a kill between them is finished by --resume.
            job.complete = true;
            job.save(jp)?;
        }
        committer.errors.publish()?;
        committer.out.publish()?;
        if let Some(jp) = &job_path {
            std::fs::remove_file(jp).map_err(|e| io_error(e, "batch job file", jp))?;
            sync_parent(jp)?;
        }
    }
    let out_name = match (&committer.out.target, complete) {
        (Target::File { partial, .. }, false) => partial.display().to_string(),
        _ => committer.out.name(),
    };
    let err_name = match (&committer.errors.target, complete) {
        (Target::File { partial, .. }, false) => partial.display().to_string(),
        _ => committer.errors.name(),
    };
    let resumed_note = match &resumed {
        Some(r) => format!(
            " (resumed after input line {}: {issued_total} in all)",
            r.done_through
        ),
        None => String::new(),
    };
    if a.json {
        let summary = json!({
            "complete": complete,
            "interrupted_by": interrupted.map(|c| if c == EXIT_SIGINT { "SIGINT" } else { "SIGTERM" }),
            "type": ty.short_name,
            "output": out_name,
            "errors": err_name,
            "issued": counts.issued,
            "failed": counts.failed,
            "issued_total": issued_total,
            "failed_total": failed_total,
            "resumed_after_line": resumed.as_ref().map(|r| r.done_through),
            "done_through_line": counts.done_through,
            "input_lines": total,
            "seconds": (secs * 1000.0).round() / 1000.0,
            "credentials_per_second": rate.round(),
        });
        crate::output::print_json("issue-batch", summary)?;
    }
    if let Some(code) = interrupted {
        let name = if code == EXIT_SIGINT {
            "SIGINT"
        } else {
            "SIGTERM"
        };
        eprintln!(
            "interrupted by {name} after input line {}: issued {} {} credentials in this run \
             ({issued_total} in all) to {out_name}; {failed_total} lines failed (see {err_name}); \
             {secs:.1} s, {rate:.0} credentials/s",
            counts.done_through, counts.issued, ty.short_name
        );
        if job_path.is_some() {
            eprintln!(
                "hint: everything above is saved; run the same command with --resume to continue"
            );
        } else {
            eprintln!(
                "hint: the credentials of lines 1 to {} went to stdout; issue the lines after it \
                 again",
                counts.done_through
            );
        }
        return Ok(code);
    }
    if !a.json {
        eprintln!(
            "issued {} {} credentials to {out_name}{resumed_note}; {failed_total} lines failed \
             (see {err_name}); {secs:.1} s, {rate:.0} credentials/s",
            counts.issued, ty.short_name
        );
    }
    if failed_total > 0 {
        eprintln!("error: {failed_total} input lines were not issued");
        eprintln!("hint: fix the lines listed in {err_name} and issue them again");
        return Ok(EXIT_ERROR);
    }
    Ok(0)
}

/// Renames a finished `partial` to `final_path` and fsyncs the directory.
fn publish_file(partial: &Path, final_path: &Path, what: &str) -> CliResult {
    std::fs::rename(partial, final_path).map_err(|e| io_error(e, what, final_path))?;
    sync_parent(final_path)
}

fn sync_parent(path: &Path) -> CliResult {
    wallet_core::fsutil::sync_dir(parent_dir(path))
        .map_err(|e| io_error(e, "directory of", parent_dir(path)))
}

/// `--resume` of a batch that had written every line and was stopped while moving its files
/// into place: the moves are finished.
fn finish_completed(
    job: &JobFile,
    jp: &Path,
    out: (&Path, &Path),
    errors: (&Path, &Path),
) -> CliResult<u8> {
    for ((partial, final_path), what) in [(errors, "errors file"), (out, "output")] {
        if std::fs::symlink_metadata(partial).is_ok() {
            publish_file(partial, final_path, what)?;
        }
    }
    std::fs::remove_file(jp).map_err(|e| io_error(e, "batch job file", jp))?;
    sync_parent(jp)?;
    let mut err_file = File::open(errors.1).map_err(|e| io_error(e, "errors file", errors.1))?;
    let failed = count_lines(&mut err_file, errors.1, "errors file")?;
    eprintln!(
        "the batch for {} had issued every line; its files are now in place ({failed} lines failed, see {}; job {})",
        out.1.display(),
        errors.1.display(),
        job.job
    );
    if failed > 0 {
        eprintln!("error: {failed} input lines were not issued");
        eprintln!(
            "hint: fix the lines listed in {} and issue them again",
            errors.1.display()
        );
        return Ok(EXIT_ERROR);
    }
    Ok(0)
}

fn exists_err(what: &str, path: &Path) -> CliError {
    CliError::input(format!("{what} {} already exists", path.display()))
        .hint("pass --force to replace it, or choose another path")
}

/// Length of a registry's issuance log (0 when there is none yet).
fn log_len(registry: Option<&Path>) -> u64 {
    registry
        .map(log_path)
        .and_then(|p| std::fs::metadata(p).ok())
        .map_or(0, |m| m.len())
}

/// Refuses to resume a job with other parameters than it was started with.
fn check_same_job(saved: &JobFile, now: &JobFile, jp: &Path) -> CliResult {
    let checks: [(&str, bool); 8] = [
        (
            "the input's size or first megabyte",
            saved.input_size == now.input_size && saved.input_head == now.input_head,
        ),
        ("the credential type", saved.vct == now.vct),
        ("--iss", saved.iss == now.iss),
        ("the issuer key", saved.kid == now.kid),
        ("the status registry", saved.registry == now.registry),
        ("the status list URI", saved.uri == now.uri),
        ("the errors file", saved.errors == now.errors),
        (
            "--expires, --valid-for, --strict-validity or --no-status",
            saved.validity == now.validity,
        ),
    ];
    let differ: Vec<&str> = checks
        .iter()
        .filter(|(_, same)| !same)
        .map(|(what, _)| *what)
        .collect();
    if differ.is_empty() {
        return Ok(());
    }
    Err(CliError::input(format!(
        "this is not the batch {} was started for: {} differ",
        jp.display(),
        differ.join(", ")
    ))
    .hint(format!(
        "resume with the same --input (unchanged), --type, --iss, --issuer-key, \
         --status-registry, --errors and validity flags as the interrupted run (input {}, type \
         {}, iss {}, {})",
        saved.input, saved.vct, saved.iss, saved.validity
    )))
}
