//! Batch issuance's bookkeeping (docs/cli.md, "issue-batch"): the line formats, the per-line
//! issuance, the commit protocol, the job file and what `--resume` repairs. The front end keeps
//! the threads, the terminal and the arguments; what must hold whatever stops a batch (a
//! signal, a kill, a power cut) is here:
//! - **commit order** ([`CommitGroup::commit`]): per group of chunks, first the error lines
//!   are made durable, then the credentials, then — only once those are durable — their
//!   issuance-log lines, in one append under the registry lock. So the log never names a
//!   credential the output lacks, and every failed line up to the output's last line is in the
//!   errors file;
//! - **the job file** ([`JobFile`]): what the batch was doing (input fingerprint, type, issuer,
//!   key, registry, flags), so that a resume continues the same job and nothing else;
//! - **resume** ([`resume`]): cuts a torn last output line, drops error lines after the output's
//!   last line (their group is redone), appends the log lines the kill prevented (the credentials
//!   after the last one the log has for this job, found by its job id) and says which input line
//!   to continue after: no credential issued twice, no input line skipped.
//!
//! Status indices come from [`super::reservation`], reserved before any credential carries them.

use super::{IssuerError, log};
use crate::encoding::JsonLine;
use crate::format::credential::StatusRef;
use crate::format::credential::catalogue::CredentialType;
use crate::format::keys::{KeySigner, PublicKey};
use crate::format::sdjwt::SdAlg;
use crate::issuer::issue::{CredentialRequest, issue_credential};
use crate::issuer::shard::Shard;
use rand_core::CryptoRngCore;
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};
use std::fs::File;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::Path;
use std::time::{Duration, Instant};

/// A group of written chunks is committed after this many chunks or [`COMMIT_INTERVAL`],
/// whichever comes first: three fsyncs per group cost little at ~10 groups a second, and a group
/// (at most 8 × 512 lines, ~8 MB) is what a kill can leave unlogged.
pub const COMMIT_CHUNKS: usize = 8;
/// See [`COMMIT_CHUNKS`].
pub const COMMIT_INTERVAL: Duration = Duration::from_millis(250);
/// Bytes at the start of the input hashed into the job file, to recognise the input on a resume
/// (with its size).
pub const INPUT_HEAD: u64 = 1 << 20;
/// Longest line the backward scans of a resume hold (bytes): far above an output line.
const MAX_SCAN_LINE: usize = 16 << 20;
/// Format version of the job file.
const JOB_VERSION: u64 = 1;

// ---------------------------------------------------------------------------------------
// One line
// ---------------------------------------------------------------------------------------

/// What became of one input line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineOutcome {
    /// Issued: the output line and, with a registry, the issuance-log line (both with their
    /// newline).
    Issued {
        /// `{"line","id","status_idx","credential"}`.
        out: String,
        /// The issuance-log line, written once `out` is durable.
        log: Option<String>,
    },
    /// Refused: written to the errors file as `{"line","code","error"}`.
    Failed {
        /// The input line number (from 1).
        line: u64,
        /// The stable code.
        code: String,
        /// Why.
        reason: String,
    },
}

impl LineOutcome {
    /// A refused line.
    pub fn failed(line: u64, code: &str, reason: impl std::fmt::Display) -> Self {
        Self::Failed {
            line,
            code: code.to_owned(),
            reason: reason.to_string(),
        }
    }
}

/// What every line of one batch shares: the type, the issuer and its key, the times and the
/// revocability choice.
#[derive(Debug)]
pub struct BatchIssuer<S> {
    /// The credential type.
    pub ty: CredentialType,
    /// `iss`.
    pub iss: String,
    /// The issuer's key.
    pub signer: S,
    /// `iat` of every credential.
    pub now: i64,
    /// `exp`, if not the type's default.
    pub expires: Option<i64>,
    /// The status list URI of the reserved indices ([`super::reservation::IndexReservation::uri`]).
    pub uri: Option<String>,
    /// The job id written into this batch's issuance-log lines.
    pub batch: String,
    /// Refuse an `exp` after the document's validity instead of capping it.
    pub strict_validity: bool,
    /// Issue without a status list entry although the type requires one.
    pub no_status: bool,
    /// `_sd_alg` of every credential (`sm3`: the GM profile's digests).
    pub sd_alg: SdAlg,
    /// The shard this batch issues (docs/scale.md), written into its output and log lines.
    pub shard: Option<Shard>,
}

impl<S: KeySigner> BatchIssuer<S> {
    /// Issues input line `line` (`{"claims": {…}, "holder_jwk": {…}}`) with status index `idx`.
    /// The rules are those of a single issue; the refusal codes are wallet-core's, plus
    /// `input.json`, `input.claims`, `input.holder_jwk` for a line of the wrong shape.
    pub fn issue_line(
        &self,
        line: u64,
        text: &str,
        idx: Option<u64>,
        rng: &mut dyn CryptoRngCore,
    ) -> LineOutcome {
        fn fail(line: u64, code: &str, reason: impl std::fmt::Display) -> LineOutcome {
            LineOutcome::failed(line, code, reason)
        }
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
        let holder = match PublicKey::from_jwk(jwk) {
            Ok(k) => k,
            Err(e) => return fail(line, e.code(), format!("holder_jwk: {e}")),
        };
        let mut request =
            match CredentialRequest::for_type(&self.ty, &self.iss, claims, holder, self.now) {
                Ok(r) => r,
                Err(e) => return fail(line, e.code(), e),
            };
        if let Some(exp) = self.expires {
            request.expires_at = exp;
        }
        request.strict_validity = self.strict_validity;
        request.sd_alg = self.sd_alg;
        if self.no_status {
            request = request.without_status();
        }
        let status = match (idx, &self.uri) {
            (Some(idx), Some(uri)) => Some(StatusRef {
                idx,
                uri: uri.clone(),
            }),
            _ => None,
        };
        request.status = status.clone();
        let credential = match issue_credential(&request, &self.signer, rng) {
            Ok(c) => c,
            Err(e) => return fail(line, e.code(), e),
        };
        // Split and checked as a holder will (size, disclosure count): a credential no wallet
        // would accept is refused here, before it is written, logged or holds an index.
        let id = match crate::format::credential::credential_id(&credential) {
            Ok(id) => id,
            Err(e) => return fail(line, e.code(), e),
        };
        let shard = self.shard.as_ref().map(Shard::id);
        let log = status.as_ref().map(|s| {
            log::log_line_batch(
                &id,
                s,
                &request.vct,
                &self.iss,
                self.now,
                &self.batch,
                shard,
            )
        });
        // `{"credential","id","line"[,"shard"],"status_idx"}`, members sorted by name.
        let out = JsonLine::with_capacity(credential.len().saturating_add(160))
            .str("credential", &credential)
            .str("id", &id)
            .int("line", line);
        let out = match shard {
            Some(shard) => out.str("shard", shard),
            None => out,
        };
        let out = out.opt_int("status_idx", idx).finish();
        LineOutcome::Issued { out, log }
    }
}

// ---------------------------------------------------------------------------------------
// The commit protocol
// ---------------------------------------------------------------------------------------

/// Where a group is committed to, in the order [`CommitGroup::commit`] calls it.
pub trait CommitTarget {
    /// The front end's error.
    type Error;
    /// Appends error lines and makes them durable (a file: fsync; a stream: flush).
    fn write_errors(&mut self, bytes: &[u8]) -> Result<(), Self::Error>;
    /// Appends output lines and makes them durable.
    fn write_output(&mut self, bytes: &[u8]) -> Result<(), Self::Error>;
    /// Appends issuance-log lines under the registry lock
    /// ([`super::reservation::append_committed`]); called only when the batch has a registry.
    fn append_log(&mut self, lines: &str) -> Result<(), Self::Error>;
}

/// Counts of the batch: this run's, and the job's so far.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Issued in this run.
    pub issued: u64,
    /// Failed in this run.
    pub failed: u64,
    /// Issued by the interrupted runs this one resumes.
    pub issued_before: u64,
    /// Failed in the interrupted runs this one resumes.
    pub failed_before: u64,
    /// The last input line whose result is written (in this run or before).
    pub done_through: u64,
}

/// The results of the chunks written since the last commit.
#[derive(Debug)]
pub struct CommitGroup {
    out: Vec<u8>,
    errors: Vec<u8>,
    log: String,
    through: u64,
    chunks: usize,
    last_commit: Instant,
    /// The batch's counts; `done_through` moves at each commit.
    pub counts: Counts,
}

impl CommitGroup {
    /// An empty group; `counts.done_through` is where the batch starts (after a resume's
    /// last durable line).
    pub fn new(counts: Counts) -> Self {
        Self {
            out: Vec::new(),
            errors: Vec::new(),
            log: String::new(),
            through: counts.done_through,
            chunks: 0,
            last_commit: Instant::now(),
            counts,
        }
    }

    /// The last input line of the chunks added so far.
    pub fn through(&self) -> u64 {
        self.through
    }

    /// Adds a chunk's results (in input order); returns whether the group is due for a commit
    /// (full or old).
    pub fn add(&mut self, last_line: u64, outcomes: Vec<LineOutcome>) -> bool {
        for o in outcomes {
            match o {
                LineOutcome::Issued { out, log } => {
                    if let Some(entry) = log {
                        self.log.push_str(&entry);
                    }
                    self.out.extend_from_slice(out.as_bytes());
                    self.counts.issued = self.counts.issued.saturating_add(1);
                }
                LineOutcome::Failed { line, code, reason } => {
                    let mut text = json!({"line": line, "code": code, "error": reason}).to_string();
                    text.push('\n');
                    self.errors.extend_from_slice(text.as_bytes());
                    self.counts.failed = self.counts.failed.saturating_add(1);
                }
            }
        }
        self.through = self.through.max(last_line);
        self.chunks = self.chunks.saturating_add(1);
        self.chunks >= COMMIT_CHUNKS || self.last_commit.elapsed() >= COMMIT_INTERVAL
    }

    /// Commits the group: errors (durable), then credentials (durable), then their log lines.
    /// Errors first, so every failed line up to the output's last line is durable once that
    /// line is; the log last, so it never names a credential the output may lose.
    pub fn commit<T: CommitTarget>(
        &mut self,
        target: &mut T,
        has_log: bool,
    ) -> Result<(), T::Error> {
        self.chunks = 0;
        self.last_commit = Instant::now();
        if !self.errors.is_empty() {
            target.write_errors(&self.errors)?;
        }
        self.errors.clear();
        if !self.out.is_empty() {
            target.write_output(&self.out)?;
        }
        self.out.clear();
        let lines = std::mem::take(&mut self.log);
        if has_log && !lines.is_empty() {
            target.append_log(&lines)?;
        }
        self.counts.done_through = self.counts.done_through.max(self.through);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// The job file
// ---------------------------------------------------------------------------------------

/// The job file `OUT.partial.job`: what an interrupted batch was doing, so that a resume
/// continues the same job and nothing else. Written atomically (mode 0600).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFile {
    /// Random id, written into the batch's issuance-log lines as `"batch"`.
    pub job: String,
    /// The input path as given.
    pub input: String,
    /// The input's size.
    pub input_size: u64,
    /// SHA-256 (hex) of the input's first [`INPUT_HEAD`] bytes.
    pub input_head: String,
    /// The credential type.
    pub vct: String,
    /// `iss`.
    pub iss: String,
    /// The issuer key's thumbprint.
    pub kid: String,
    /// The status registry (canonical path), if any.
    pub registry: Option<String>,
    /// Its list URI.
    pub uri: Option<String>,
    /// The shard id (`--shard`), if the batch is one shard of a larger issuance.
    pub shard: Option<String>,
    /// The errors file.
    pub errors: String,
    /// Length of the issuance log when the job started: its lines are all after this offset.
    pub log_start: u64,
    /// The validity and revocability flags as given: a resumed run must not mix expiry rules.
    pub validity: String,
    /// `--force` was given.
    pub force: bool,
    /// Every line was written; only the renames (and removing this file) remain.
    pub complete: bool,
}

impl JobFile {
    /// A new random job id (32 hex digits).
    pub fn new_job_id(rng: &mut dyn CryptoRngCore) -> String {
        let mut bytes = [0u8; 16];
        rng.fill_bytes(&mut bytes);
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

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
            "shard": self.shard,
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
            // Absent in job files written before shards existed: such a job had none.
            shard: s("shard"),
            errors: s("errors")?,
            log_start: n("log_start")?,
            validity: s("validity")?,
            force: b("force")?,
            complete: b("complete")?,
        })
    }

    /// Writes the job file atomically, mode 0600.
    pub fn save(&self, path: &Path) -> Result<(), IssuerError> {
        let mut bytes = self.to_json().to_string().into_bytes();
        bytes.push(b'\n');
        crate::fsutil::write_atomic(path, &bytes, 0o600)
            .map_err(|e| IssuerError::io("batch job file", path, e))
    }

    /// Reads a job file; `None` when there is none.
    pub fn load(path: &Path) -> Result<Option<Self>, IssuerError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(IssuerError::io("batch job file", path, e)),
        };
        serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| Self::from_json(&v))
            .map(Some)
            .ok_or_else(|| IssuerError::JobUnknown {
                path: path.to_owned(),
            })
    }

    /// Refuses to resume this (saved) job with other parameters (`now`) than it was started
    /// with: [`IssuerError::JobMismatch`] names what differs. `path` is the job file.
    pub fn check_same_job(&self, now: &Self, path: &Path) -> Result<(), IssuerError> {
        let checks: [(&'static str, bool); 9] = [
            (
                "the input's size or first megabyte",
                self.input_size == now.input_size && self.input_head == now.input_head,
            ),
            ("the credential type", self.vct == now.vct),
            ("--iss", self.iss == now.iss),
            ("the issuer key", self.kid == now.kid),
            ("the status registry", self.registry == now.registry),
            ("the status list URI", self.uri == now.uri),
            ("--shard", self.shard == now.shard),
            ("the errors file", self.errors == now.errors),
            (
                "--expires, --valid-for, --strict-validity or --no-status",
                self.validity == now.validity,
            ),
        ];
        let differ: Vec<&'static str> = checks
            .iter()
            .filter(|(_, same)| !same)
            .map(|(what, _)| *what)
            .collect();
        if differ.is_empty() {
            return Ok(());
        }
        Err(IssuerError::JobMismatch {
            path: path.to_owned(),
            differ,
        })
    }
}

/// Size and SHA-256 (hex) of the first [`INPUT_HEAD`] bytes of the input file, and its line
/// count.
pub fn fingerprint(path: &Path) -> Result<(u64, String, u64), IssuerError> {
    let err = |e| IssuerError::io("input", path, e);
    let mut f = File::open(path).map_err(err)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut read: u64 = 0;
    let mut lines: u64 = 0;
    let mut last = b'\n';
    loop {
        let n = f.read(&mut buf).map_err(err)?;
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

// ---------------------------------------------------------------------------------------
// Resume
// ---------------------------------------------------------------------------------------

/// Calls `visit(line, offset)` on the lines of `file` in `[start, end)`, last line first
/// (without their newline), until it returns true; returns that line's offset. `end` is at a
/// line boundary. Reads backwards in blocks: a resume needs the tails of files that can be
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
    what: &'static str,
    mut keep: impl FnMut(&[u8]) -> Option<T>,
) -> Result<(u64, Option<T>), IssuerError> {
    let err = |e| IssuerError::io(what, path, e);
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
    let payload: Map<String, Value> = crate::format::jws::Jws::parse(jwt).ok()?.payload().ok()?;
    let status = payload.get("status")?.get("status_list")?;
    let status = StatusRef {
        idx: status.get("idx")?.as_u64()?,
        uri: status.get("uri")?.as_str()?.to_owned(),
    };
    // A shard's output line names its shard, and so must the log line rebuilt from it.
    let shard = match v.get("shard") {
        None => None,
        Some(s) => Some(s.as_str()?),
    };
    Some(log::log_line_batch(
        id,
        &status,
        payload.get("vct")?.as_str()?,
        payload.get("iss")?.as_str()?,
        payload.get("iat")?.as_i64()?,
        batch,
        shard,
    ))
}

/// Number of lines in a file (its length is at a line boundary); `what` names it in errors.
pub fn count_lines(file: &mut File, path: &Path, what: &'static str) -> Result<u64, IssuerError> {
    let err = |e| IssuerError::io(what, path, e);
    file.seek(SeekFrom::Start(0)).map_err(err)?;
    let mut buf = vec![0u8; 1 << 16];
    let mut n: u64 = 0;
    loop {
        let got = file.read(&mut buf).map_err(err)?;
        if got == 0 {
            return Ok(n);
        }
        let count = memchr::memchr_iter(b'\n', buf.get(..got).unwrap_or_default()).count();
        n = n.saturating_add(u64::try_from(count).unwrap_or(0));
    }
}

/// An interrupted job's in-progress files, opened (and locked) by the front end.
#[derive(Debug)]
pub struct PartialFiles<'a> {
    /// `OUT.partial`.
    pub out: &'a mut File,
    /// Its path.
    pub out_path: &'a Path,
    /// `ERRORS.partial`.
    pub errors: &'a mut File,
    /// Its path.
    pub errors_path: &'a Path,
}

/// What a resume found and repaired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resumed {
    /// The last input line whose result is durable: continue after it.
    pub done_through: u64,
    /// Credentials the interrupted runs issued.
    pub issued_before: u64,
    /// Lines the interrupted runs refused.
    pub failed_before: u64,
    /// Issuance-log lines added for credentials the kill left unlogged.
    pub relogged: u64,
}

/// Brings an interrupted job's files back to a consistent state (module documentation).
/// `registry` is the job's status registry, whose lock is held while its log is read and
/// repaired.
pub fn resume(
    job: &JobFile,
    files: PartialFiles<'_>,
    registry: Option<&Path>,
    lock_timeout: Duration,
) -> Result<Resumed, IssuerError> {
    let PartialFiles {
        out: out_file,
        out_path,
        errors: err_file,
        errors_path,
    } = files;
    let (out_len, last) = cut_after_last(out_file, out_path, "output", output_record)?;
    let done_through = last.as_ref().map_or(0, |(n, _)| *n);
    // Error lines after the output's last line belong to a group whose output was not (all)
    // written: that group is redone, so they go.
    let (_, _) = cut_after_last(err_file, errors_path, "errors file", |line| {
        let v: Value = serde_json::from_slice(line).ok()?;
        let n = v.get("line")?.as_u64()?;
        (n <= done_through).then_some(())
    })?;
    let mut relogged: u64 = 0;
    if let Some(reg) = registry {
        let lock = super::transaction::lock_registry(reg, lock_timeout)?;
        let log_file = log::log_path(reg);
        let log_err = |e| IssuerError::io("issuance log", &log_file, e);
        let log_len = log::log_len(reg);
        if log_len < job.log_start {
            return Err(IssuerError::LogTruncated { path: log_file });
        }
        let marker = format!("\"batch\":\"{}\"", job.job);
        let mut last_logged: Option<String> = None;
        if log_len > job.log_start {
            let mut f = File::open(&log_file).map_err(log_err)?;
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
            .map_err(log_err)?;
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
        .map_err(|e| IssuerError::io("output", out_path, e))?;
        if last_logged.is_some() && found.is_none() {
            return Err(IssuerError::LogOutputMismatch {
                log: log_file,
                output: out_path.to_owned(),
            });
        }
        let mut lines = String::new();
        for line in missing.iter().rev() {
            let entry = log_line_for(line, &job.job).ok_or_else(|| IssuerError::OutputDamaged {
                path: out_path.to_owned(),
            })?;
            lines.push_str(&entry);
            relogged = relogged.saturating_add(1);
        }
        log::append(&lock, &lines)?;
        drop(lock);
    }
    let issued_before = count_lines(out_file, out_path, "output")?;
    let failed_before = count_lines(err_file, errors_path, "errors file")?;
    Ok(Resumed {
        done_through,
        issued_before,
        failed_before,
        relogged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(shard: Option<&str>) -> JobFile {
        JobFile {
            job: "00".repeat(16),
            input: "in.jsonl".into(),
            input_size: 10,
            input_head: "ab".into(),
            vct: "urn:x".into(),
            iss: "https://ga".into(),
            kid: "k".into(),
            registry: Some("/r".into()),
            uri: Some("https://ga/status/0003".into()),
            shard: shard.map(str::to_owned),
            errors: "e".into(),
            log_start: 0,
            validity: String::new(),
            force: false,
            complete: false,
        }
    }

    /// A shard's job file keeps its shard; one written before shards existed reads as none;
    /// resuming with another shard (or none) is refused and says so.
    #[test]
    fn the_job_file_keeps_the_shard() {
        let sharded = job(Some("0003"));
        let back = JobFile::from_json(&sharded.to_json()).unwrap();
        assert_eq!(back, sharded);
        let mut legacy = job(None).to_json();
        legacy.as_object_mut().unwrap().remove("shard");
        assert_eq!(JobFile::from_json(&legacy).unwrap(), job(None));

        let path = Path::new("out.partial.job");
        assert!(sharded.check_same_job(&job(Some("0003")), path).is_ok());
        for other in [job(Some("0004")), job(None)] {
            match sharded.check_same_job(&other, path) {
                Err(IssuerError::JobMismatch { differ, .. }) => assert_eq!(differ, ["--shard"]),
                r => panic!("{r:?}"),
            }
        }
    }
}
