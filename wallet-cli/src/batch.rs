//! `wallet issue-batch`: a streaming pipeline with constant memory. One reader thread cuts the
//! input into chunks and hands out status indices; worker threads parse each line and call
//! wallet-core's issuance; the main thread writes results in input order. Channels are bounded,
//! so at most a few chunks per worker are in memory whatever the input size.
//!
//! The batch never loses or double-counts a credential, whatever stops it (a signal, a kill, a
//! power cut). The invariants, and where they are kept:
//! - A reader never sees a partial file under the output's name: the batch writes `OUT.partial`
//!   (and `ERRORS.partial`), mode 0600, and renames them into place only when it completes.
//! - The commit protocol (wallet-core's `CommitGroup::commit`): results are written in groups of chunks; per
//!   group, first the errors are appended and fsynced, then the credentials, then — only once the
//!   credentials are durable — their issuance-log lines, in one append under the registry lock.
//!   So the log never names a credential the output lacks, and every failed line at or before
//!   the output's last line is in the errors file.
//! - `--resume` (wallet-core's `issuer::batch::resume`) cuts a torn last line of the output, drops error lines after the
//!   output's last line (their group is redone), appends the log lines the kill prevented (the
//!   credentials after the last one the log has for this batch, found by the batch's job id),
//!   and continues with the input line after the output's last one: no credential issued
//!   twice, no input line skipped.
//! - Status indices are reserved in blocks saved to the registry before any credential carries
//!   them (wallet-core's `IndexReservation`): an interrupted batch can waste reserved indices, never reuse one.

use crate::batch_files::{
    Sink, Target, exists_err, lock_partial, open_partial, publish_file, sync_parent, with_suffix,
};
use crate::batch_progress::Progress;
use crate::cli::IssueBatchArgs;
use crate::common::{CliError, CliResult, EXIT_ERROR, io_error, now_or};
use crate::hsm::IssuerKey;
use crate::issue_cmd::{check_status_choice, expiry, issuer_err};
use crate::types_cmd::credential_type;
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore as _, SeedableRng as _};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead as _, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use wallet_core::issuer::IssuerError;
use wallet_core::issuer::REGISTRY_LOCK_TIMEOUT;
use wallet_core::issuer::batch::{
    BatchIssuer, CommitGroup, CommitTarget, Counts, JobFile, LineOutcome, PartialFiles, Resumed,
    count_lines, fingerprint, resume,
};
use wallet_core::issuer::log;
use wallet_core::issuer::reservation::{IndexReservation, append_committed};
use wallet_core::issuer::shard::Shard;
use wallet_core::sdjwt::SdAlg;

/// Lines per chunk: large enough that channel and reordering costs vanish, small enough that
/// the chunks in flight stay a few megabytes.
const CHUNK_LINES: usize = 512;
/// Longest input line (bytes). A record is a few hundred bytes; a longer line is an error.
const MAX_LINE: u64 = 64 * 1024;
/// Exit status after SIGINT / SIGTERM: 128 + the signal number, as shells report it.
const EXIT_SIGINT: u8 = 130;
/// See [`EXIT_SIGINT`].
const EXIT_SIGTERM: u8 = 143;

/// One chunk of input lines.
struct Job {
    seq: u64,
    last_line: u64,
    /// (line number, the text or why it cannot be read, status index)
    lines: Vec<(u64, Result<String, Unreadable>, Option<u64>)>,
}

/// Why an input line cannot be read: its stable code and reason.
type Unreadable = (&'static str, &'static str);

/// A processed chunk.
struct Done {
    seq: u64,
    last_line: u64,
    outcomes: Vec<LineOutcome>,
}

/// The code of a signing failure (wallet-core's `key.signer_failed`): the signer, not the line,
/// is at fault, so the batch stops instead of failing every remaining line.
const SIGNER_FAILED: &str = "key.signer_failed";

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
    indices: Option<IndexReservation>,
    /// The whole input was read (not stopped by a signal or an error).
    finished: bool,
}

fn reader_thread(
    mut input: Box<dyn std::io::BufRead + Send>,
    mut indices: Option<IndexReservation>,
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
    // Status indices are drawn at random (unlinkable); a CSPRNG seeded from the OS draws them
    // without a getrandom call per index (a 65,536-index block made one each).
    let mut seed = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut seed);
    let mut rng = ChaCha20Rng::from_seed(seed);
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
            (Ok(_), Some(ix)) => Some(ix.next(&mut rng).map_err(batch_err)?),
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

fn worker(shared: &BatchIssuer<IssuerKey>, jobs: &Mutex<Receiver<Job>>, done: &SyncSender<Done>) {
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
                Ok(t) => shared.issue_line(line, &t, idx, &mut rng),
                Err((code, reason)) => LineOutcome::failed(line, code, reason),
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

/// Where the batch's groups are committed: the output, the errors and (with a registry) the
/// issuance log, in the order wallet-core's [`CommitGroup::commit`] keeps.
struct Targets {
    out: Sink,
    errors: Sink,
    registry: Option<PathBuf>,
}

impl CommitTarget for Targets {
    type Error = CliError;

    fn write_errors(&mut self, bytes: &[u8]) -> CliResult {
        self.errors.write_durable(bytes)
    }

    fn write_output(&mut self, bytes: &[u8]) -> CliResult {
        self.out.write_durable(bytes)
    }

    fn append_log(&mut self, lines: &str) -> CliResult {
        match &self.registry {
            Some(reg) => append_committed(reg, REGISTRY_LOCK_TIMEOUT, lines).map_err(batch_err),
            None => Ok(()),
        }
    }
}

/// Writes results in groups and commits each group (wallet-core's commit protocol).
struct Committer {
    targets: Targets,
    group: CommitGroup,
}

impl Committer {
    /// Adds a chunk's results to the current group; commits when the group is full or old.
    fn add(&mut self, last_line: u64, outcomes: Vec<LineOutcome>) -> CliResult {
        if self.group.add(last_line, outcomes) {
            self.commit()?;
        }
        Ok(())
    }

    fn commit(&mut self) -> CliResult {
        let has_log = self.targets.registry.is_some();
        self.group.commit(&mut self.targets, has_log)
    }
}

/// The error for a failure of wallet-core's batch bookkeeping.
fn batch_err(e: IssuerError) -> CliError {
    match e {
        IssuerError::Allocate { path, source } => CliError::input(format!(
            "status registry {}: {source} ({})",
            path.display(),
            source.code()
        ))
        .hint("start a new status list with `wallet status init`"),
        IssuerError::RegistryReplaced {
            path,
            found,
            expected,
        } => CliError::input(format!(
            "status registry {} now holds the list {found}, not {expected} that this batch started with",
            path.display(),
        ))
        .hint(
            "it was replaced during the batch (`wallet status init --force`); issue the \
             lines after the last one in the output again",
        ),
        IssuerError::JobUnknown { path } => CliError::input(format!(
            "batch job file {} is not one this version of wallet wrote",
            path.display()
        ))
        .hint("finish the batch with the wallet version that started it"),
        IssuerError::LogTruncated { path } => CliError::input(format!(
            "issuance log {} is shorter than when this batch started",
            path.display()
        ))
        .hint("it was truncated or replaced; restore it before resuming the batch"),
        IssuerError::LogOutputMismatch { log, output } => CliError::input(format!(
            "the issuance log {} names a credential of this batch that {} does not hold",
            log.display(),
            output.display()
        ))
        .hint("the files were changed by hand; compare them before resuming"),
        IssuerError::OutputDamaged { path } => CliError::input(format!(
            "{} holds a line that is not an issued credential",
            path.display()
        ))
        .hint("the file was changed by hand; compare it with the input before resuming"),
        IssuerError::ShardMismatch { shard, uri } => CliError::input(format!(
            "the status registry holds the list {uri}, not shard {shard}'s (its URI must end in \
             /{shard})"
        ))
        .hint("give each shard its own registry: `wallet status init --uri BASE/SHARD --out REG`")
        .with_code(wallet_core::error::codes::ISSUER_SHARD_MISMATCH.code),
        e => issuer_err(e),
    }
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
    let shard = a
        .shard
        .as_deref()
        .map(Shard::new)
        .transpose()
        .map_err(batch_err)?;
    check_status_choice(ty, a.status_registry.as_deref(), a.no_status)?;
    let key = crate::hsm::load_issuer_key(&a.issuer_key, "issuer key")?;
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
    // registry); every block of indices is then reserved under the lock (`IndexReservation`).
    let indices = a
        .status_registry
        .as_deref()
        .map(|p| IndexReservation::start(p, REGISTRY_LOCK_TIMEOUT))
        .transpose()
        .map_err(batch_err)?;
    let uri = indices.as_ref().map(|i| i.uri().to_owned());
    if let (Some(shard), Some(uri)) = (&shard, &uri) {
        shard.check_list_uri(uri).map_err(batch_err)?;
    }
    let (input_size, input_head, total) = if a.input == Path::new("-") {
        (0, String::new(), None)
    } else {
        let (size, head, lines) = fingerprint(&a.input).map_err(batch_err)?;
        (size, head, Some(lines))
    };
    let registry_name = a
        .status_registry
        .as_deref()
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned()))
        .map(|p| p.display().to_string());

    let mut job = JobFile {
        job: JobFile::new_job_id(&mut rand_core::OsRng),
        input: a.input.display().to_string(),
        input_size,
        input_head,
        vct: ty.vct.to_owned(),
        iss: a.iss.clone(),
        kid: key.thumbprint(),
        registry: registry_name,
        uri: uri.clone(),
        shard: shard.as_ref().map(|s| s.id().to_owned()),
        errors: String::new(),
        log_start: 0,
        // A resumed batch must keep its digest algorithm; the default adds nothing, so jobs
        // started before `--sd-alg` existed still resume.
        validity: format!(
            "expires={:?} valid_for={:?} strict_validity={} no_status={}{}",
            a.validity.expires,
            a.validity.valid_for,
            a.strict_validity,
            a.no_status,
            match crate::issue_cmd::sd_alg(&a.sd_alg) {
                SdAlg::Sha256 => String::new(),
                other => format!(" sd_alg={other}"),
            }
        ),
        force: a.force,
        complete: false,
    };

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
            if let Some(saved) = JobFile::load(&jp).map_err(batch_err)?
                && saved.complete
            {
                check_same_job(&saved, &job, &jp)?;
                return finish_completed(
                    &saved,
                    &jp,
                    (&out_partial, &out_final),
                    (&err_partial, &err_final),
                    a.json
                        .then_some((ty.short_name.as_str(), a.shard.as_deref())),
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
            match JobFile::load(&jp).map_err(batch_err)? {
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
                    job.log_start = a.status_registry.as_deref().map_or(0, log::log_len);
                    job.save(&jp).map_err(batch_err)?;
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
            job.log_start = a.status_registry.as_deref().map_or(0, log::log_len);
            job.save(&jp).map_err(batch_err)?;
        }
        if a.resume {
            let files = PartialFiles {
                out: &mut out_file,
                out_path: &out_partial,
                errors: &mut err_file,
                errors_path: &err_partial,
            };
            let r = resume(
                &job,
                files,
                a.status_registry.as_deref(),
                REGISTRY_LOCK_TIMEOUT,
            )
            .map_err(batch_err)?;
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
        targets: Targets {
            out,
            errors,
            registry: a.status_registry.clone(),
        },
        group: CommitGroup::new(counts),
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

    let shared = Arc::new(BatchIssuer {
        ty: ty.clone(),
        iss: a.iss.clone(),
        signer: key,
        now,
        expires,
        uri,
        batch: job.job.clone(),
        strict_validity: a.strict_validity,
        no_status: a.no_status,
        sd_alg: crate::issue_cmd::sd_alg(&a.sd_alg),
        shard: shard.clone(),
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
        // Set when a signer failed: the chunks after it are not committed (their lines are
        // after the failed one), but what came before is, below.
        let mut halted: Option<CliError> = None;
        for done in done_rx.iter() {
            pending.insert(done.seq, done);
            while let Some(done) = pending.remove(&next) {
                next = next.saturating_add(1);
                if write_err.is_some() || halted.is_some() {
                    continue;
                }
                // A signer that stops signing (an HSM token removed, a module failing) fails
                // every line after it: the batch stops at the first such line instead, commits
                // the lines before it, and `--resume` issues the rest once the signer is back.
                let mut done = done;
                let signer_failure = done.outcomes.iter().position(
                    |o| matches!(o, LineOutcome::Failed { code, .. } if code == SIGNER_FAILED),
                );
                let halt = signer_failure.and_then(|at| {
                    let tail = done.outcomes.split_off(at);
                    match tail.into_iter().next() {
                        Some(LineOutcome::Failed { line, reason, .. }) => {
                            done.last_line = line.saturating_sub(1);
                            Some(
                                CliError::input(format!(
                                    "the signer failed at line {line}, so the batch stopped there: {reason}; the lines before it are issued"
                                ))
                                .with_code(SIGNER_FAILED)
                                .hint("bring the key back (reconnect the token)"),
                            )
                        }
                        _ => None,
                    }
                });
                if let Err(e) = committer.add(done.last_line, done.outcomes) {
                    // Stop reading: nothing more can be written.
                    stop.store(true, Ordering::Relaxed);
                    write_err = Some(e);
                } else if let Some(e) = halt {
                    stop.store(true, Ordering::Relaxed);
                    halted = Some(e);
                }
                progress.update(
                    committer.group.through(),
                    committer
                        .group
                        .counts
                        .failed
                        .saturating_add(committer.group.counts.failed_before),
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
        match write_err.or(halted) {
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
    let counts = committer.group.counts;
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
            job.save(jp).map_err(batch_err)?;
        }
        committer.targets.errors.publish()?;
        committer.targets.out.publish()?;
        if let Some(jp) = &job_path {
            std::fs::remove_file(jp).map_err(|e| io_error(e, "batch job file", jp))?;
            sync_parent(jp)?;
        }
    }
    let out_name = match (&committer.targets.out.target, complete) {
        (Target::File { partial, .. }, false) => partial.display().to_string(),
        _ => committer.targets.out.name(),
    };
    let err_name = match (&committer.targets.errors.target, complete) {
        (Target::File { partial, .. }, false) => partial.display().to_string(),
        _ => committer.targets.errors.name(),
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
            "shard": a.shard,
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

/// `--resume` of a batch that had written every line and was stopped while moving its files
/// into place: the moves are finished. With `--json` (`json` = type and shard), the summary has
/// the same members as a finished run's, counted from the files (nothing issued in this run), so
/// a driver that resumes a batch blindly reads the same shape whichever point the kill hit.
fn finish_completed(
    job: &JobFile,
    jp: &Path,
    out: (&Path, &Path),
    errors: (&Path, &Path),
    json: Option<(&str, Option<&str>)>,
) -> CliResult<u8> {
    for ((partial, final_path), what) in [(errors, "errors file"), (out, "output")] {
        if std::fs::symlink_metadata(partial).is_ok() {
            publish_file(partial, final_path, what)?;
        }
    }
    std::fs::remove_file(jp).map_err(|e| io_error(e, "batch job file", jp))?;
    sync_parent(jp)?;
    let mut err_file = File::open(errors.1).map_err(|e| io_error(e, "errors file", errors.1))?;
    let failed = count_lines(&mut err_file, errors.1, "errors file").map_err(batch_err)?;
    if let Some((ty, shard)) = json {
        let mut out_file = File::open(out.1).map_err(|e| io_error(e, "output", out.1))?;
        let issued = count_lines(&mut out_file, out.1, "output").map_err(batch_err)?;
        // Line numbers are not kept past the job file: those members are null here.
        let summary = json!({
            "complete": true,
            "interrupted_by": null,
            "type": ty,
            "shard": shard,
            "output": out.1.display().to_string(),
            "errors": errors.1.display().to_string(),
            "issued": 0,
            "failed": 0,
            "issued_total": issued,
            "failed_total": failed,
            "resumed_after_line": null,
            "done_through_line": null,
            "input_lines": null,
            "seconds": 0.0,
            "credentials_per_second": 0.0,
        });
        crate::output::print_json("issue-batch", summary)?;
    } else {
        eprintln!(
            "the batch for {} had issued every line; its files are now in place ({failed} lines failed, see {}; job {})",
            out.1.display(),
            errors.1.display(),
            job.job
        );
    }
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

/// Refuses to resume a job with other parameters than it was started with (wallet-core
/// compares them), naming the saved ones in the hint.
fn check_same_job(saved: &JobFile, now: &JobFile, jp: &Path) -> CliResult {
    saved.check_same_job(now, jp).map_err(|e| match e {
        IssuerError::JobMismatch { path, differ } => CliError::input(format!(
            "this is not the batch {} was started for: {} differ",
            path.display(),
            differ.join(", ")
        ))
        .hint(format!(
            "resume with the same --input (unchanged), --type, --iss, --issuer-key, \
             --status-registry, --errors and validity flags as the interrupted run (input {}, type \
             {}, iss {}, {})",
            saved.input, saved.vct, saved.iss, saved.validity
        )),
        e => batch_err(e),
    })
}
