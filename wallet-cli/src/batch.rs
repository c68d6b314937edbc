//! `wallet issue-batch`: a streaming pipeline with constant memory. One reader thread cuts the
//! input into chunks and hands out status indices; worker threads parse each line and call
//! wallet-core's issuance; the main thread writes results in input order. Channels are bounded,
//! so at most a few chunks per worker are in memory whatever the input size.

use crate::agency::{
    check_status_choice, credential_type, expiry, load_locked, lock_registry, log_line, log_path,
    open_log, save_registry,
};
use crate::cli::IssueBatchArgs;
use crate::common::{CliError, CliResult, io_error, load_signing_key, now_or};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore as _, SeedableRng as _};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead as _, BufReader, BufWriter, IsTerminal as _, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use wallet_core::credential::StatusRef;
use wallet_core::credential::catalogue::CredentialType;
use wallet_core::issue::{CredentialRequest, issue_credential};
use wallet_core::keys::{SigningKey, VerifyingKey};

/// Lines per chunk: large enough that channel and reordering costs vanish, small enough that
/// the chunks in flight stay a few megabytes.
const CHUNK_LINES: usize = 512;
/// Longest input line (bytes). A record is a few hundred bytes; a longer line is an error.
const MAX_LINE: u64 = 64 * 1024;
/// Most status indices reserved (and saved) at once. Reservation grows from 1,024 by doubling,
/// so a small batch wastes few indices and a large one saves the registry rarely.
const MAX_RESERVATION: usize = 65_536;

/// One chunk of input lines.
struct Job {
    seq: u64,
    lines: Vec<(u64, Result<String, &'static str>, Option<u64>)>,
}

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

fn reader_thread(
    mut input: Box<dyn std::io::BufRead + Send>,
    mut indices: Option<Indices>,
    jobs: &SyncSender<Job>,
    input_path: &Path,
) -> CliResult<Option<Indices>> {
    let mut buf = Vec::new();
    let mut line_no: u64 = 0;
    let mut seq: u64 = 0;
    let mut lines = Vec::with_capacity(CHUNK_LINES);
    loop {
        let got = read_line(&mut *input, &mut buf).map_err(|e| io_error(e, "input", input_path))?;
        let Some(within_limit) = got else { break };
        line_no = line_no.saturating_add(1);
        let text = if within_limit {
            // A byte-order mark is dropped; GBK gets its own message (wallet-core's rules).
            match wallet_core::credential::input::decode_text(std::mem::take(&mut buf)) {
                Ok(s) if s.trim().is_empty() => continue,
                Ok(s) => Ok(s),
                Err(e) => Err(e.reason()),
            }
        } else {
            Err("the line is longer than 64 KiB")
        };
        let idx = match (&text, indices.as_mut()) {
            (Ok(_), Some(ix)) => Some(ix.next()?),
            _ => None,
        };
        lines.push((line_no, text, idx));
        if lines.len() >= CHUNK_LINES {
            let chunk = std::mem::replace(&mut lines, Vec::with_capacity(CHUNK_LINES));
            if jobs.send(Job { seq, lines: chunk }).is_err() {
                return Ok(indices);
            }
            seq = seq.saturating_add(1);
        }
    }
    if !lines.is_empty() {
        let _ = jobs.send(Job { seq, lines });
    }
    Ok(indices)
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
    let id = match wallet_core::store::credential_id(&credential) {
        Ok(id) => id,
        Err(e) => return fail(line, e.code(), e),
    };
    let log = status
        .as_ref()
        .map(|s| log_line(&id, s, &request.vct, &shared.iss, shared.now));
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
                Err(reason) => fail(line, "input.line", reason),
            })
            .collect();
        if done
            .send(Done {
                seq: job.seq,
                outcomes,
            })
            .is_err()
        {
            return;
        }
    }
}

fn create_output(path: &Path, force: bool, what: &str) -> CliResult<File> {
    let mut options = OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CliError::input(format!("{what} {} already exists", path.display()))
                .hint("pass --force to replace it, or choose another path")
        } else {
            io_error(e, what, path)
        }
    })
}

/// Counts of a finished batch.
#[derive(Debug, Default)]
struct Counts {
    issued: u64,
    failed: u64,
}

/// `wallet issue-batch`: exit 0 only when every line was issued, 2 otherwise.
pub fn issue_batch(a: &IssueBatchArgs) -> CliResult<u8> {
    let ty = credential_type(&a.credential_type)?;
    check_status_choice(ty, a.status_registry.as_deref(), a.no_status)?;
    let key = load_signing_key(&a.issuer_key, "issuer key")?;
    let now = now_or(a.now.as_deref())?;
    let expires = expiry(&a.validity, now)?;
    let jobs_n = a
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, 256);
    let input: Box<dyn std::io::BufRead + Send> = if a.input == Path::new("-") {
        Box::new(BufReader::with_capacity(1 << 16, std::io::stdin()))
    } else {
        let f = File::open(&a.input).map_err(|e| io_error(e, "input", &a.input))?;
        Box::new(BufReader::with_capacity(1 << 16, f))
    };
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
    let errors_path = a.errors.clone().unwrap_or_else(|| {
        let mut name = a.output.file_name().unwrap_or_default().to_os_string();
        name.push(".errors.jsonl");
        a.output.with_file_name(name)
    });
    let mut out = BufWriter::with_capacity(1 << 20, create_output(&a.output, a.force, "output")?);
    let mut errors = BufWriter::new(create_output(&errors_path, a.force, "errors file")?);
    // Unbuffered: each chunk's log lines go out in one append (see `write_chunk`).
    let mut log = match &a.status_registry {
        Some(p) => Some((open_log(p)?, log_path(p))),
        None => None,
    };

    let shared = Arc::new(Shared {
        ty,
        iss: a.iss.clone(),
        key,
        now,
        expires,
        uri,
        strict_validity: a.strict_validity,
        no_status: a.no_status,
    });
    let (job_tx, job_rx) = sync_channel::<Job>(jobs_n.saturating_mul(2));
    let (done_tx, done_rx) = sync_channel::<Done>(jobs_n.saturating_mul(2));
    let job_rx = Arc::new(Mutex::new(job_rx));
    let progress = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos} lines issued ({per_sec}) {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        Some(bar)
    } else {
        None
    };
    let started = Instant::now();
    let input_path = a.input.clone();
    let mut counts = Counts::default();
    let result = std::thread::scope(|scope| -> CliResult<Option<Indices>> {
        let reader = scope.spawn(move || {
            let r = reader_thread(input, indices, &job_tx, &input_path);
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
        let mut pending: BTreeMap<u64, Vec<Outcome>> = BTreeMap::new();
        let mut next: u64 = 0;
        let mut write_err: Option<CliError> = None;
        for done in done_rx.iter() {
            pending.insert(done.seq, done.outcomes);
            while let Some(outcomes) = pending.remove(&next) {
                next = next.saturating_add(1);
                if write_err.is_some() {
                    continue;
                }
                if let Err(e) = write_chunk(
                    outcomes,
                    &mut out,
                    &mut errors,
                    log.as_mut(),
                    &mut counts,
                    a,
                    &errors_path,
                ) {
                    write_err = Some(e);
                }
                if let Some(bar) = &progress {
                    bar.set_position(counts.issued);
                }
            }
        }
        let indices = match reader.join() {
            Ok(r) => r?,
            Err(_) => return Err(CliError::input("the input reader stopped unexpectedly")),
        };
        match write_err {
            Some(e) => Err(e),
            None => Ok(indices),
        }
    });
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    // Every reserved block was saved when it was reserved; nothing of the registry is pending.
    result?;
    finish(&mut out, &a.output, "output")?;
    finish(&mut errors, &errors_path, "errors file")?;
    if let Some((l, path)) = &log {
        l.sync_data()
            .map_err(|e| io_error(e, "issuance log", path))?;
    }
    let secs = started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)] // a rate for display only
    let rate = if secs > 0.0 {
        counts.issued as f64 / secs
    } else {
        0.0
    };
    println!(
        "issued {} {} credentials to {}; {} lines failed (see {}); {:.1} s, {:.0} credentials/s",
        counts.issued,
        ty.short_name,
        a.output.display(),
        counts.failed,
        errors_path.display(),
        secs,
        rate
    );
    if counts.failed > 0 {
        return Err(
            CliError::input(format!("{} input lines were not issued", counts.failed)).hint(
                format!(
                    "fix the lines listed in {} and issue them again",
                    errors_path.display()
                ),
            ),
        );
    }
    Ok(0)
}

fn write_chunk(
    outcomes: Vec<Outcome>,
    out: &mut BufWriter<File>,
    errors: &mut BufWriter<File>,
    log: Option<&mut (File, PathBuf)>,
    counts: &mut Counts,
    a: &IssueBatchArgs,
    errors_path: &Path,
) -> CliResult {
    // The chunk's log lines are appended with one write: the log is shared with other `wallet`
    // processes (single issues, other batches) that append to it while this batch runs, and an
    // append of whole lines in one write cannot be split by theirs, where a buffered writer
    // flushing at arbitrary byte counts could cut a line in two.
    let mut log_lines = String::new();
    for o in outcomes {
        match o {
            Outcome::Issued {
                out: line,
                log: entry,
            } => {
                if let Some(entry) = entry {
                    log_lines.push_str(&entry);
                }
                out.write_all(line.as_bytes())
                    .map_err(|e| io_error(e, "output", &a.output))?;
                counts.issued = counts.issued.saturating_add(1);
            }
            Outcome::Failed { line, code, reason } => {
                let mut text = json!({"line": line, "code": code, "error": reason}).to_string();
                text.push('\n');
                errors
                    .write_all(text.as_bytes())
                    .map_err(|e| io_error(e, "errors file", errors_path))?;
                counts.failed = counts.failed.saturating_add(1);
            }
        }
    }
    if let (Some((file, path)), false) = (log, log_lines.is_empty()) {
        file.write_all(log_lines.as_bytes())
            .map_err(|e| io_error(e, "issuance log", path))?;
    }
    Ok(())
}

fn finish(w: &mut BufWriter<File>, path: &Path, what: &str) -> CliResult {
    w.flush()
        .and_then(|()| w.get_ref().sync_data())
        .map_err(|e| io_error(e, what, path))
}
