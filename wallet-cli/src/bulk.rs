//! `wallet verify-batch`: reads presentations line by line, verifies them in blocks with
//! `wallet_core::verifier::verify_bulk_with_trust` (batched signatures, every core) and writes one
//! `verify --json` result per line, in input order. Memory is bounded by the block size,
//! whatever the input length. Progress (share of the input read, lines, rate, ETA, failures)
//! goes to stderr when it is a terminal; the summary line always does.

use crate::cli::{LangArg, VerifyBatchArgs};
use crate::common::{
    CliError, CliResult, EXIT_NEGATIVE, EXIT_OK, io_error, now_or, open_status_cache, parse_time,
};
use crate::trust_cmd::load_trust_list_with;
use serde_json::{Map, Value};
use std::fs::File;
use std::io::IsTerminal as _;
use std::io::{BufRead as _, BufReader, BufWriter, Read as _, Write as _};
use std::path::Path;
use std::time::Instant;
use wallet_core::credential::catalogue::Lang;
use wallet_core::qr::freshness::OFFLINE_AUDIENCE;
use wallet_core::qr::transport;
use wallet_core::sdjwt::KbExpectation;
use wallet_core::status::UnknownStatusPolicy;
use wallet_core::trust::StalePolicy;
use wallet_core::verifier::StatusCache;
use wallet_core::verifier::report;
use wallet_core::verifier::{BulkItem, TrustedReport, VerifyError, verify_bulk_with_trust};
use wallet_core::verifier::{DEFAULT_REPLAY_CAPACITY, ReplayCache};
use wallet_core::verifier::{KeyBindingPolicy, TrustPolicy, VerifyPolicy};

/// Lines verified together: enough for many full signature batches per thread.
const BLOCK_LINES: usize = 4096;
/// Longest input line (bytes): a presentation is a few kilobytes.
const MAX_LINE: u64 = 128 * 1024;

/// One input line, read.
struct Line {
    number: u64,
    id: Option<Value>,
    item: Result<BulkItem, String>,
}

struct Defaults {
    now: i64,
    max_age: u64,
    clock_skew: u64,
}

/// Reads one input line: a JSON object or the bare payload text.
fn parse_line(number: u64, text: &str, d: &Defaults) -> Line {
    let text = text.trim();
    let mut id = None;
    let item = (|| {
        let (payload, now, aud, nonce) = if text.starts_with('{') {
            let v: Map<String, Value> =
                serde_json::from_str(text).map_err(|e| format!("not a JSON object: {e}"))?;
            id = v.get("id").cloned();
            let payload = v
                .get("payload")
                .or_else(|| v.get("presentation"))
                .and_then(Value::as_str)
                .ok_or("the object has no string member payload")?
                .to_owned();
            let now = match v.get("now") {
                None => d.now,
                Some(Value::Number(n)) => n.as_i64().ok_or("\"now\" is not an integer")?,
                Some(Value::String(s)) => {
                    parse_time(s).map_err(|_| format!("\"now\" {s:?} is not an RFC 3339 time"))?
                }
                Some(_) => return Err("\"now\" is neither a time nor a number".to_owned()),
            };
            let text_of = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
            (payload, now, text_of("aud"), text_of("nonce"))
        } else if text.is_empty() {
            return Err("empty line".to_owned());
        } else {
            (text.to_owned(), d.now, None, None)
        };
        // What pasting through a chat app adds is removed when the rest is canonical. A QR
        // payload is taken as it is: decoding it is the verifier's first step, and only one that
        // does not decode is cleaned and verified again (`retry_cleaned`) — the same result as
        // cleaning first, without decoding every payload twice.
        let text = if transport::is_payload(&payload) {
            payload
        } else {
            transport::normalize_input(&payload)
        };
        Ok(BulkItem {
            text,
            policy: VerifyPolicy {
                now,
                clock_skew: d.clock_skew,
                key_binding: KeyBindingPolicy::Required(KbExpectation {
                    audience: aud.unwrap_or_else(|| OFFLINE_AUDIENCE.to_owned()),
                    nonce,
                    max_age: d.max_age,
                }),
            },
        })
    })();
    Line { number, id, item }
}

/// The payloads that did not decode as given, cleaned of what pasting adds
/// ([`transport::normalize_input`]) and verified again when cleaning changed them: their items
/// and results are replaced, so each line ends as if it had been cleaned before verifying.
fn retry_cleaned<T>(
    items: &mut [BulkItem],
    results: &mut [Result<T, VerifyError>],
    verify: impl FnOnce(&[BulkItem]) -> Vec<Result<T, VerifyError>>,
) {
    let mut positions = Vec::new();
    let mut retry = Vec::new();
    for (i, (item, result)) in items.iter().zip(results.iter()).enumerate() {
        if matches!(result, Err(VerifyError::Transport(_))) {
            let cleaned = transport::normalize_input(&item.text);
            if cleaned != item.text {
                positions.push(i);
                retry.push(BulkItem {
                    text: cleaned,
                    policy: item.policy.clone(),
                });
            }
        }
    }
    if retry.is_empty() {
        return;
    }
    let again = verify(&retry);
    for ((i, item), result) in positions.into_iter().zip(retry).zip(again) {
        if let (Some(slot), Some(out)) = (items.get_mut(i), results.get_mut(i)) {
            *slot = item;
            *out = result;
        }
    }
}

/// One output line (with its newline) for an input line and its result, and whether it is
/// valid. A line whose presentation was read but has no result (which does not happen) is
/// reported as not verified rather than dropped.
fn result_line(
    line: &Line,
    result: Option<&Result<TrustedReport, VerifyError>>,
    lang: Lang,
    status_max_age: u64,
) -> (bool, Vec<u8>) {
    let mut object = match (&line.item, result) {
        (Ok(item), Some(result)) => {
            let mut object = report::result_json(result, lang, item.policy.now);
            let (age, warnings) = match result {
                Ok(r) => {
                    let age = crate::verifier::status_list_age(r, item.policy.now);
                    (age, crate::verifier::warnings(r, age, status_max_age))
                }
                Err(_) => (None, Vec::new()),
            };
            crate::verifier::add_status_age(&mut object, age, &warnings);
            object
        }
        (Ok(_), None) => serde_json::json!({
            "valid": false,
            "code": "internal",
            "reason": "internal error: the line was not verified",
        }),
        (Err(reason), _) => serde_json::json!({
            "valid": false,
            "code": "input.malformed_line",
            "reason": reason,
        }),
    };
    if let Value::Object(map) = &mut object {
        map.insert("line".into(), Value::from(line.number));
        if let Some(id) = &line.id {
            map.insert("id".into(), id.clone());
        }
    }
    let is_valid = matches!(result, Some(Ok(_)));
    // Serialising a `Value` into a Vec cannot fail.
    let mut bytes = serde_json::to_vec(&object).unwrap_or_default();
    bytes.push(b'\n');
    (is_valid, bytes)
}

/// `f` over `items` on up to `threads` threads, results in input order. A thread that panicked
/// (none does: these are the no-panic library paths) stops the run with an error rather than
/// leaving its lines out or reporting made-up results for them.
fn in_parallel<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> CliResult<Vec<R>> {
    let per_thread = items.len().div_ceil(threads.max(1)).max(1);
    let f = &f;
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(per_thread)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for handle in parts {
            out.extend(handle.join().map_err(|_| {
                CliError::input("internal error: a worker thread stopped".to_owned())
            })?);
        }
        Ok(out)
    })
}

/// [`parse_line`] over a block, on `threads` threads: reading a line parses its JSON (and cleans
/// a pasted SD-JWT), work that would otherwise hold up the verifier's threads.
fn parse_lines(raw: &[(u64, String)], d: &Defaults, threads: usize) -> CliResult<Vec<Line>> {
    in_parallel(raw, threads, |(number, text)| parse_line(*number, text, d))
}

fn open_input(path: &Path) -> CliResult<Box<dyn std::io::BufRead>> {
    if path == Path::new("-") {
        return Ok(Box::new(BufReader::new(std::io::stdin())));
    }
    let file = File::open(path).map_err(|e| io_error(e, "input", path))?;
    Ok(Box::new(BufReader::with_capacity(1 << 20, file)))
}

fn open_output(path: &Path, force: bool) -> CliResult<Box<dyn std::io::Write>> {
    if path == Path::new("-") {
        return Ok(Box::new(BufWriter::new(std::io::stdout())));
    }
    // Results of an audit are records: never replaced unless asked to.
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    // The results hold disclosed personal data (names, licence classes): private, like every
    // file holding credentials.
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CliError::input(format!("{} already exists", path.display()))
                .hint("choose another --out, or pass --force to replace it")
        } else {
            io_error(e, "output", path)
        }
    })?;
    Ok(Box::new(BufWriter::with_capacity(1 << 20, file)))
}

/// `wallet verify-batch`: exit 0 if every line is valid, 1 if any is not, 2 on a setup error.
pub fn verify_batch(a: &VerifyBatchArgs) -> CliResult<u8> {
    crate::trust_cmd::json_or_stdout(a.json, &a.output)?;
    let started = Instant::now();
    let now = now_or(a.now.as_deref())?;
    let stale = if a.allow_stale_trust_list {
        StalePolicy::Warn
    } else {
        StalePolicy::Fail
    };
    let trust = load_trust_list_with(&a.trust_list, &a.trust_root, now, stale, a.algs)?;
    let cache = open_status_cache(a.status_cache.as_deref())?;
    run(a, &trust, &cache, stale, now, started)
}

fn run(
    a: &VerifyBatchArgs,
    trust: &wallet_core::trust::VerifiedTrustList,
    cache: &StatusCache,
    stale: StalePolicy,
    now: i64,
    started: Instant,
) -> CliResult<u8> {
    let trust_policy = TrustPolicy {
        stale_trust_list: stale,
        unknown_status: if a.allow_unknown_status {
            UnknownStatusPolicy::Accept
        } else {
            UnknownStatusPolicy::Reject
        },
        require_status: !a.allow_no_status,
    };
    let threads = a.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let lang = match a.lang {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    };
    let defaults = Defaults {
        now,
        max_age: a.max_age,
        clock_skew: a.clock_skew,
    };
    // No replay detection unless asked: the input is usually a log of codes already scanned.
    let mut replay = match (&a.replay_cache, a.detect_replay) {
        (Some(path), _) => Some(crate::verifier::open_replay_cache(path, now)?),
        (None, true) => Some(ReplayCache::new(DEFAULT_REPLAY_CAPACITY)),
        (None, false) => None,
    };
    let mut input = open_input(&a.input)?;
    let mut output = open_output(&a.output, a.force)?;
    let write_err = |e: std::io::Error| io_error(e, "output", &a.output);
    let progress = Progress::new(&a.input);

    let (mut total, mut valid) = (0u64, 0u64);
    let mut number = 0u64;
    let mut buf = String::new();
    loop {
        let mut raw: Vec<(u64, String)> = Vec::with_capacity(BLOCK_LINES);
        while raw.len() < BLOCK_LINES {
            buf.clear();
            let read = (&mut input)
                .take(MAX_LINE)
                .read_line(&mut buf)
                .map_err(|e| io_error(e, "input", &a.input))?;
            if read == 0 {
                break;
            }
            progress.read(read);
            number = number.saturating_add(1);
            if !buf.ends_with('\n') && u64::try_from(read).unwrap_or(u64::MAX) >= MAX_LINE {
                return Err(CliError::input(format!(
                    "line {number} is longer than {MAX_LINE} bytes"
                ))
                .hint("give one presentation per line"));
            }
            if buf.trim().is_empty() {
                continue;
            }
            raw.push((number, std::mem::take(&mut buf)));
        }
        if raw.is_empty() {
            break;
        }
        let block = parse_lines(&raw, &defaults, threads)?;
        // The lines' text is in `block` now.
        drop(raw);
        let mut items: Vec<BulkItem> = block
            .iter()
            .filter_map(|l| l.item.as_ref().ok().cloned())
            .collect();
        let mut results = verify_bulk_with_trust(&items, trust, cache, &trust_policy, threads);
        retry_cleaned(&mut items, &mut results, |retry| {
            verify_bulk_with_trust(retry, trust, cache, &trust_policy, threads)
        });
        if let Some(replay) = &mut replay {
            replay.screen_bulk(&items, &mut results).map_err(|e| {
                CliError::input(format!("cannot use the replay cache: {e} ({})", e.code()))
                    .hint("check the --replay-cache file and its permissions, then run again")
            })?;
        }
        let ok_lines = block.iter().filter(|l| l.item.is_ok()).count();
        if results.len() != ok_lines {
            return Err(CliError::input(
                "internal error: a result is missing".to_owned(),
            ));
        }
        let mut results = results.into_iter();
        let paired: Vec<(&Line, Option<Result<TrustedReport, VerifyError>>)> = block
            .iter()
            .map(|line| (line, line.item.is_ok().then(|| results.next()).flatten()))
            .collect();
        // Each line's JSON is made on every thread; the lines are written here, in input order.
        let lines = in_parallel(&paired, threads, |(line, result)| {
            result_line(line, result.as_ref(), lang, a.status_max_age)
        })?;
        for (is_valid, bytes) in lines {
            if is_valid {
                valid = valid.saturating_add(1);
            }
            let written = output.write_all(&bytes).map_err(write_err);
            total = total.saturating_add(1);
            if let Err(e) = written {
                // A reader that closed stdout (`--out - | head`) stops the audit; the exit
                // status still says whether a line read so far was refused.
                return if e.is_quiet() && total > valid {
                    Ok(EXIT_NEGATIVE)
                } else {
                    Err(e)
                };
            }
        }
        progress.lines(total, total.saturating_sub(valid));
    }
    if let Err(e) = output.flush().map_err(write_err) {
        return if e.is_quiet() && total > valid {
            Ok(EXIT_NEGATIVE)
        } else {
            Err(e)
        };
    }
    progress.finish();
    let seconds = started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)] // a count far below 2^52
    let rate = if seconds > 0.0 {
        total as f64 / seconds
    } else {
        0.0
    };
    eprintln!(
        "verified {total} presentations: {valid} valid, {} not, in {seconds:.2} s ({rate:.0}/s, {threads} threads)",
        total.saturating_sub(valid)
    );
    if a.json {
        crate::output::print_json(
            "verify-batch",
            serde_json::json!({"out": a.output.display().to_string(), "total": total,
                               "valid": valid, "invalid": total.saturating_sub(valid),
                               "seconds": seconds, "rate_per_second": rate, "threads": threads,
                               "checked_at": crate::common::format_time(now)}),
        )?;
    }
    Ok(if valid == total {
        EXIT_OK
    } else {
        EXIT_NEGATIVE
    })
}

/// Progress on stderr while a terminal watches it: the share of the input read (so a total,
/// percentage and ETA exist without counting the lines first), lines verified, their rate, and
/// how many were not valid. Hidden when stderr is not a terminal (a log file wants the summary
/// line only) or the input is stdin of unknown length (then a spinner with the same counts).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
}

impl Progress {
    fn new(input: &Path) -> Self {
        let started = Instant::now();
        if !std::io::stderr().is_terminal() {
            return Self { bar: None, started };
        }
        let size = (input != Path::new("-"))
            .then(|| std::fs::metadata(input).ok().map(|m| m.len()))
            .flatten();
        let bar = match size {
            Some(len) => {
                let bar = indicatif::ProgressBar::new(len);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{bar:30} {percent:>3}% of {binary_total_bytes}  {msg}  ETA {eta}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                bar
            }
            None => {
                let bar = indicatif::ProgressBar::new_spinner();
                bar.set_style(
                    indicatif::ProgressStyle::with_template("{spinner} {msg}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                );
                bar
            }
        };
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        bar.set_message("0 lines, 0/s, 0 not valid");
        Self {
            bar: Some(bar),
            started,
        }
    }

    fn read(&self, bytes: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(u64::try_from(bytes).unwrap_or(0));
        }
    }

    fn lines(&self, done: u64, failed: u64) {
        if let Some(bar) = &self.bar {
            let secs = self.started.elapsed().as_secs_f64();
            #[allow(clippy::cast_precision_loss)] // a count far below 2^52
            let rate = if secs > 0.0 { done as f64 / secs } else { 0.0 };
            bar.set_message(format!("{done} lines, {rate:.0}/s, {failed} not valid"));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
