//! Verifier commands: verify a shown certificate (QR payload, QR image or a standard SD-JWT+KB
//! string) with `wallet_core::verifier::verify_with_trust`, keep the offline status cache, and
//! inspect anything without verifying it.

use crate::cli::{InspectArgs, LangArg, StatusCacheArgs, VerifyArgs};
use crate::common::{
    CliError, CliResult, EXIT_NEGATIVE, EXIT_OK, MAX_SMALL_FILE, core_error, format_time, hint_for,
    human_duration, now_or, open_status_cache, read_bytes, read_text,
};
use crate::output::{outln, print_json};
use crate::trust_cmd::load_trust_list_with;
use serde_json::{Map, Value, json};
use std::path::Path;
use wallet_core::credential::catalogue::Lang;
use wallet_core::error::codes;
use wallet_core::qr::freshness::OFFLINE_AUDIENCE;
use wallet_core::qr::scan::{ScanLimits, scan_image};
use wallet_core::qr::transport;
use wallet_core::sdjwt::{Disclosure, KbExpectation, SdJwtParts};
use wallet_core::status::{MAX_AGGREGATION_BYTES, parse_aggregation};
use wallet_core::trust::StalePolicy;
use wallet_core::verifier::VerifyError;
use wallet_core::verifier::report;
use wallet_core::verifier::{AggregationResult, StatusCache};
use wallet_core::verifier::{DEFAULT_REPLAY_CAPACITY, ReplayCache, ReplayEntry};
use wallet_core::verifier::{
    KeyBindingPolicy, TrustPolicy, TrustedReport, VerifyPolicy, verify_with_trust,
};
use wallet_core::{ErrorInfo, ErrorKind};

/// How many missing lists `status cache` names one by one.
const MISSING_SHOWN: usize = 10;
/// Longest part of an aggregation URI shown in a message, characters.
const URI_SHOWN: usize = 100;

/// An untrusted URI for a message: escaped (`{:?}`), at most [`URI_SHOWN`] characters of it.
fn shown_uri(uri: &str) -> String {
    match uri.char_indices().nth(URI_SHOWN) {
        Some((cut, _)) => format!("{:?}…", uri.get(..cut).unwrap_or_default()),
        None => format!("{uri:?}"),
    }
}

/// `wallet status cache`: verifies Status List Tokens with the trust list, then caches them —
/// with `--aggregation`, the lists of an issuer's Status List Aggregation (§9), each token stored
/// or refused on its own. Exit 2 if any token was refused or any listed list is missing; the
/// others are cached all the same.
pub fn status_cache(a: &StatusCacheArgs) -> CliResult {
    let now = now_or(a.now.as_deref())?;
    let trust =
        crate::trust_cmd::load_trust_list(&a.trust_list, &a.trust_root, now, StalePolicy::Fail)?;
    let cache = StatusCache::open(&a.status_cache)
        .map_err(|e| core_error("cannot open the status cache", &e))?;
    let aggregation = match &a.aggregation {
        None => None,
        Some(path) => {
            let bytes = read_bytes(
                path,
                "status list aggregation",
                u64::try_from(MAX_AGGREGATION_BYTES).unwrap_or(u64::MAX),
            )?;
            Some(parse_aggregation(&bytes).map_err(|e| {
                core_error(&format!("status list aggregation {}", path.display()), &e)
            })?)
        }
    };
    let mut texts = Vec::with_capacity(a.token.len());
    for path in &a.token {
        texts.push(read_text(path, "status list token", 16 * 1024 * 1024)?);
    }
    let tokens: Vec<&str> = texts.iter().map(String::as_str).collect();
    let result = if let Some(listed) = &aggregation {
        cache.store_aggregation(listed, &tokens, &trust)
    } else {
        let mut r = AggregationResult::default();
        for (i, token) in tokens.iter().enumerate() {
            match cache.store(token, &trust) {
                Ok(uri) => r.cached.push(uri),
                Err(e) => r.refused.push((i, e)),
            }
        }
        r
    };
    for uri in &result.cached {
        eprintln!(
            "cached the status list for {uri} in {}",
            a.status_cache.display()
        );
    }
    // One token alone: its refusal is the error itself; several: each refusal on its own line.
    let several = a.token.len() > 1 || aggregation.is_some();
    for (i, e) in result.refused.iter().filter(|_| several) {
        let file = a.token.get(*i).map(|p| p.display().to_string());
        eprintln!(
            "refused {}: {e} ({})",
            file.as_deref().unwrap_or("?"),
            e.code()
        );
    }
    // The aggregation is unsigned input: its URIs are shown escaped, cut short, and at most
    // MISSING_SHOWN of them (a national aggregation lists hundreds).
    for uri in result.missing.iter().take(MISSING_SHOWN) {
        eprintln!(
            "missing: the aggregation lists {}, but no token for it was given",
            shown_uri(uri)
        );
    }
    if let Some(more) = result
        .missing
        .len()
        .checked_sub(MISSING_SHOWN)
        .filter(|m| *m > 0)
    {
        eprintln!("missing: {more} more lists of the aggregation");
    }
    if let Some((_, e)) = result.refused.first() {
        let n = result.refused.len();
        let message = if several {
            format!(
                "{n} status list token{} refused, the first: {e} ({})",
                if n == 1 { "" } else { "s" },
                e.code()
            )
        } else {
            format!("status list token refused: {e} ({})", e.code())
        };
        return Err(CliError::input(message)
            .hint(hint_for(e.info()))
            .with_code(e.code()));
    }
    if !result.missing.is_empty() {
        return Err(CliError::input(format!(
            "{} of the aggregation's status lists were not given",
            result.missing.len()
        ))
        .hint("fetch every list the aggregation names and pass them all")
        .with_code(codes::STATUS_UNKNOWN_LIST.code));
    }
    if a.json {
        return print_json(
            "status-cache",
            json!({
                "uri": if result.cached.len() == 1 { result.cached.first().cloned() } else { None },
                "cached": result.cached,
                "missing": result.missing,
                "status_cache": a.status_cache.display().to_string(),
            }),
        );
    }
    Ok(())
}

/// The text to verify: `--payload`, `-` (stdin) or the QR code read from `--qr-image`, cleaned
/// of what pasting through a chat app adds (`transport::normalize_input`).
fn input_text(a: &VerifyArgs) -> CliResult<String> {
    let (text, source) = if let Some(p) = &a.payload {
        if !p.trim().is_empty() && Path::new(p.trim()).is_file() {
            return Err(CliError::usage(format!(
                "--payload {:?} names a file, not a payload",
                p.trim()
            ))
            .hint("for a QR image pass --qr-image FILE; for a file holding the payload text, `wallet verify - < FILE`"));
        }
        (p.clone(), "--payload")
    } else if let Some(path) = &a.qr_image {
        let bytes = read_bytes(path, "QR image", 16 * 1024 * 1024)?;
        let text = scan_image(&bytes, &ScanLimits::default()).map_err(|e| {
            CliError::input(format!(
                "no QR code read from {}: {e} ({})",
                path.display(),
                e.code()
            ))
            .hint("photograph the code straight on, filling a third of the frame")
            .with_code(e.code())
        })?;
        (text, "the QR code")
    } else {
        match a.stdin.as_deref() {
            Some("-") => (
                read_text(Path::new("-"), "standard input", 1 << 20)?,
                "standard input",
            ),
            Some(other) => return Err(CliError::usage(format!("unexpected argument {other:?}"))
                .hint("pass the payload with --payload TEXT, an image with --qr-image FILE, or - for stdin")),
            None => return Err(CliError::usage("nothing to verify")
                .hint("pass --payload TEXT, --qr-image FILE, or - to read stdin")),
        }
    };
    let text = transport::normalize_input(&text);
    check_shape(&text, source)?;
    Ok(text)
}

/// Refuses, as a usage error, text that is not even shaped like something to verify (empty, or
/// neither a `CW<n>:` payload nor an SD-JWT): nothing was checked, so "INVALID" would be wrong.
pub fn check_shape(text: &str, source: &str) -> CliResult {
    if text.is_empty() {
        return Err(CliError::usage(format!("{source} is empty"))
            .hint("give the scanned text: a CW1:… payload or an SD-JWT+KB string"));
    }
    if !transport::is_payload(text) && !text.contains('~') {
        return Err(CliError::usage(format!(
            "{source} is neither a QR payload (CW1:…) nor an SD-JWT+KB string"
        ))
        .hint("give the scanned text, --qr-image FILE for a picture of the code, or - to read it from stdin"));
    }
    Ok(())
}

/// Exit status and code of a failed verification: trust-list and file problems are the
/// verifier's own setup (2); everything about the credential is a negative result (1).
fn classify(e: &VerifyError) -> u8 {
    match e.kind() {
        ErrorKind::Setup | ErrorKind::Io | ErrorKind::Internal => crate::common::EXIT_ERROR,
        _ => EXIT_NEGATIVE,
    }
}

/// Opens `--replay-cache FILE` (created if missing). `-` is refused: the cache is a file that is
/// locked and appended to, not a stream.
pub(crate) fn open_replay_cache(path: &Path, now: i64) -> CliResult<ReplayCache> {
    if path == Path::new("-") {
        return Err(
            CliError::usage("--replay-cache cannot be - (standard input or output)")
                .hint("name a file that every verifier on this machine can share, e.g. --replay-cache /var/lib/wallet/replay.cache"),
        );
    }
    ReplayCache::open(path, DEFAULT_REPLAY_CAPACITY, now).map_err(|e| {
        CliError::input(format!(
            "cannot use the replay cache {}: {e} ({})",
            path.display(),
            e.code()
        ))
        .hint(hint_text(e.info()))
    })
}

/// Records an accepted presentation in the replay cache, if one is in use: a presentation it
/// already holds is refused (`qr.replay`).
fn remember(
    cache: Option<&mut ReplayCache>,
    report: &TrustedReport,
    policy: &VerifyPolicy,
) -> Result<(), VerifyError> {
    let (Some(cache), Some(kb)) = (cache, report.report.key_binding.as_ref()) else {
        return Ok(());
    };
    let entry = ReplayEntry::accepted(kb, policy);
    cache
        .check_and_record(entry.sd_hash, entry.nonce, entry.forget_after, entry.now)
        .map_err(VerifyError::Freshness)
}

/// What to do about a refusal; a stale code says how old a code may be.
fn hint(info: &ErrorInfo, max_age: u64) -> String {
    if *info == codes::SDJWT_KB_STALE {
        return format!(
            "codes older than {} (--max-age) are refused: ask the holder for a fresh code",
            human_duration(max_age)
        );
    }
    hint_text(info).to_owned()
}

fn hint_text(info: &ErrorInfo) -> &'static str {
    match *info {
        codes::STATUS_UNKNOWN_LIST | codes::STATUS_EXPIRED_LIST => {
            "cache a current status list with `wallet status cache`, or pass --allow-unknown-status"
        }
        codes::STATUS_REVOKED => "the issuer revoked this credential: do not accept it",
        codes::STATUS_SUSPENDED => "the issuer suspended this credential: do not accept it now",
        codes::VC_EXPIRED => "the credential has expired: the holder must renew it",
        codes::SDJWT_KB_IAT_IN_FUTURE => "check this device's clock, then ask for a fresh code",
        codes::QR_REPLAY => {
            "this code was already accepted: ask the holder to show a fresh code on their own phone"
        }
        codes::QR_REPLAY_CACHE_CORRUPT | codes::QR_REPLAY_CACHE_TOO_LARGE => {
            "move the replay cache file aside to start an empty one"
        }
        codes::QR_REPLAY_CACHE_IO | codes::QR_REPLAY_CACHE_LOCKED => {
            "check the --replay-cache path and its permissions, then try again"
        }
        codes::VC_UNKNOWN_ISSUER
        | codes::VC_ISSUER_NOT_AUTHORISED
        | codes::VC_UNKNOWN_KEY
        | codes::VC_KEY_NOT_VALID => {
            "the issuer is not trusted for this credential by the trust list"
        }
        codes::VC_ALGORITHM_NOT_ACCEPTED
        | codes::VC_HOLDER_ALGORITHM_NOT_ACCEPTED
        | codes::STATUS_ALGORITHM_NOT_ACCEPTED => {
            "a key's algorithm is outside --algs: widen --algs if this verifier may accept it"
        }
        _ => "do not accept this credential",
    }
}

fn lang(l: LangArg) -> Lang {
    match l {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `wallet verify`: exit 0 valid, 1 invalid, 2 setup or input error.
pub fn verify(a: &VerifyArgs) -> CliResult<u8> {
    verify_outcome(a).map(|(exit, _)| exit)
}

/// Verifies and prints the result; returns the exit status and the result code (`ok` or the
/// error code), so the demo can check it saw the failure it expected.
pub fn verify_outcome(a: &VerifyArgs) -> CliResult<(u8, &'static str)> {
    let now = now_or(a.now.as_deref())?;
    let stale = if a.allow_stale_trust_list {
        StalePolicy::Warn
    } else {
        StalePolicy::Fail
    };
    let trust = load_trust_list_with(&a.trust_list, &a.trust_root, now, stale, a.algs)?;
    let cache = open_status_cache(a.status_cache.as_deref())?;
    let mut replay = match &a.replay_cache {
        Some(path) => Some(open_replay_cache(path, now)?),
        None => None,
    };
    let text = input_text(a)?;
    let expectation = KbExpectation {
        audience: a.aud.clone().unwrap_or_else(|| OFFLINE_AUDIENCE.to_owned()),
        nonce: a.nonce.clone(),
        max_age: a.max_age,
    };
    let policy = VerifyPolicy {
        now,
        clock_skew: a.clock_skew,
        key_binding: KeyBindingPolicy::Required(expectation),
    };
    let trust_policy = TrustPolicy {
        stale_trust_list: stale,
        unknown_status: if a.allow_unknown_status {
            wallet_core::status::UnknownStatusPolicy::Accept
        } else {
            wallet_core::status::UnknownStatusPolicy::Reject
        },
        require_status: !a.allow_no_status,
    };
    // Our QR payloads carry a version prefix; anything else is taken as a standard SD-JWT+KB.
    let presentation = if transport::is_payload(&text) {
        transport::decode(&text).map_err(VerifyError::Transport)
    } else {
        Ok(text)
    };
    let result = presentation
        .and_then(|p| verify_with_trust(&p, &trust, &cache, &policy, &trust_policy))
        .and_then(|r| remember(replay.as_mut(), &r, &policy).map(|()| r));
    let l = lang(a.lang);
    let checked_at = format_time(now);
    match result {
        Ok(r) => {
            let age = status_list_age(&r, now);
            let warnings = warnings(&r, age, a.status_max_age);
            for w in &warnings {
                eprintln!("warning: {}", w.1);
            }
            if a.json {
                let mut report = report::valid_json(&r, l, now);
                add_status_age(&mut report, age, &warnings);
                print_json("verify", report)?;
            } else {
                print_valid(&r, l, &checked_at, age)?;
            }
            eprintln!("valid: {} checked at {checked_at}", r.report.vct);
            Ok((EXIT_OK, "ok"))
        }
        Err(e) => {
            let exit = classify(&e);
            if a.json {
                let mut report = report::invalid_json(&e, now);
                if let Value::Object(m) = &mut report {
                    m.insert("warnings".into(), json!([]));
                }
                // A reader that closed stdout must not turn a refusal into exit 0.
                keep_verdict(print_json("verify", report))?;
            } else {
                keep_verdict(
                    outln!("INVALID: {e} ({})", e.code())
                        .and_then(|()| outln!("checked at {checked_at}")),
                )?;
            }
            eprintln!("hint: {}", hint(e.info(), a.max_age));
            Ok((exit, e.code()))
        }
    }
}

/// A write of a refusal's report: a closed stdout (the quiet stop, which leaves with 0) is
/// ignored so that the exit status stays the refusal's, as a pipeline with `pipefail` expects.
fn keep_verdict(written: CliResult) -> CliResult {
    match written {
        Err(e) if e.is_quiet() => Ok(()),
        other => other,
    }
}

/// Age (seconds) of the status list the check used, when one was used.
pub fn status_list_age(r: &TrustedReport, now: i64) -> Option<(i64, u64)> {
    let list = r.status.as_ref()?.list.as_ref()?;
    let age = u64::try_from(now.saturating_sub(list.issued_at)).unwrap_or(0);
    Some((list.issued_at, age))
}

/// Warnings about a valid result: `(code, message)`.
pub fn warnings(
    r: &TrustedReport,
    age: Option<(i64, u64)>,
    status_max_age: u64,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some((issued, secs)) = age
        && secs > status_max_age
    {
        out.push((
            "status_list_old",
            format!(
                "the status list used was issued {} ({} ago), more than {} (--status-max-age): \
                 a revocation since then is not seen; cache a fresh list with `wallet status cache`",
                format_time(issued),
                human_duration(secs),
                human_duration(status_max_age)
            ),
        ));
    }
    if r.trust_list.stale {
        out.push((
            "trust_list_stale",
            "the trust list is past its next update".to_owned(),
        ));
    }
    out
}

/// Adds the status list's time and age, and the warnings, to a `verify --json` report.
pub fn add_status_age(
    report: &mut Value,
    age: Option<(i64, u64)>,
    warnings: &[(&'static str, String)],
) {
    let Value::Object(m) = report else {
        return;
    };
    if let (Some(Value::Object(status)), Some((issued, secs))) = (m.get_mut("status"), age) {
        status.insert("list_issued_at".into(), Value::from(format_time(issued)));
        status.insert("list_age_seconds".into(), Value::from(secs));
    }
    let list: Vec<Value> = warnings
        .iter()
        .map(|(code, message)| json!({"code": code, "message": message}))
        .collect();
    m.insert("warnings".into(), Value::Array(list));
}

fn print_valid(r: &TrustedReport, l: Lang, checked_at: &str, age: Option<(i64, u64)>) -> CliResult {
    let (issuer_name, ty_name) = match l {
        Lang::Zh => (&r.issuer_name_zh, r.report.type_name_zh.as_deref()),
        Lang::En => (&r.issuer_name_en, r.report.type_name_en.as_deref()),
    };
    outln!("VALID: signature, issuer, validity, key binding and status checked")?;
    outln!("issuer:  {issuer_name} ({})", r.report.issuer)?;
    outln!("type:    {} ({})", ty_name.unwrap_or("-"), r.report.vct)?;
    let status = match &r.status {
        None => "not revocable (no status list)".to_owned(),
        Some(s) => match (s.value, s.unknown_reason) {
            (Some(v), _) => format!("{} (index {} of {})", v.name().unwrap_or("?"), s.idx, s.uri),
            (None, reason) => format!("UNKNOWN ({})", reason.unwrap_or("no list")),
        },
    };
    outln!("status:  {status}")?;
    if let Some((issued, secs)) = age {
        outln!(
            "list:    issued {} ({} old)",
            format_time(issued),
            human_duration(secs)
        )?;
    }
    outln!("expires: {}", format_time(r.report.expires_at))?;
    if r.trust_list.stale {
        outln!("warning: the trust list is past its next update")?;
    }
    outln!("checked: {checked_at}")?;
    if r.report.disclosed.is_empty() {
        outln!("no claims disclosed")?;
    }
    for c in &r.report.disclosed {
        let label = match l {
            Lang::Zh => c.label_zh.as_deref(),
            Lang::En => c.label_en.as_deref(),
        };
        outln!("  {}: {}", label.unwrap_or(&c.path), value_text(&c.value))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// inspect
// ---------------------------------------------------------------------------------------

fn jws_json(token: &str) -> Value {
    let mut parts = token.split('.');
    let mut decode = || -> Value {
        let Some(part) = parts.next() else {
            return json!(null);
        };
        base64_json(part)
    };
    let header = decode();
    let payload = decode();
    json!({"header": header, "payload": payload})
}

/// Decodes a base64url JSON part leniently: `inspect` shows what is there, even if malformed.
fn base64_json(part: &str) -> Value {
    match decode_b64(part) {
        Some(bytes) => serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::from(String::from_utf8_lossy(&bytes).into_owned())),
        None => Value::from(format!("<not base64url: {part}>")),
    }
}

fn decode_b64(s: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = Vec::with_capacity(s.len().saturating_mul(3) / 4);
    let mut acc: u32 = 0;
    let mut bits: u32 = 0;
    for c in s.bytes() {
        let v = u32::try_from(ALPHABET.iter().position(|&a| a == c)?).ok()?;
        acc = (acc.checked_shl(6).unwrap_or(0) | v) & 0x00ff_ffff;
        bits = bits.saturating_add(6);
        if bits >= 8 {
            bits = bits.saturating_sub(8);
            out.push(u8::try_from(acc.checked_shr(bits).unwrap_or(0) & 0xff).ok()?);
        }
    }
    Some(out)
}

/// `wallet inspect`: one JSON object on stdout (`"verified": false`); stderr says nothing was
/// verified.
pub fn inspect(a: &InspectArgs) -> CliResult {
    let _ = a.json; // JSON is inspect's only output.
    let raw = if a.input == "-" {
        read_text(Path::new("-"), "standard input", 1 << 20)?
    } else if Path::new(&a.input).is_file() {
        read_text(Path::new(&a.input), "input file", MAX_SMALL_FILE)?
    } else {
        a.input.clone()
    };
    let cleaned = transport::normalize_input(&raw);
    let text = cleaned.as_str();
    let mut out = Map::new();
    out.insert("verified".into(), json!(false));
    let sd_jwt = if transport::is_payload(text) {
        let decoded = transport::decode(text).map_err(|e| {
            CliError::input(format!("not a valid QR payload: {e} ({})", e.code()))
                .hint("check that the whole payload was copied")
        })?;
        out.insert("kind".into(), json!("qr payload"));
        out.insert("sd_jwt".into(), json!(decoded));
        Some(decoded)
    } else if text.contains('~') {
        out.insert("kind".into(), json!("sd-jwt"));
        Some(text.to_owned())
    } else if text.split('.').count() == 3 {
        out.insert("kind".into(), json!("jws"));
        let j = jws_json(text);
        out.insert(
            "header".into(),
            j.get("header").cloned().unwrap_or_default(),
        );
        out.insert(
            "payload".into(),
            j.get("payload").cloned().unwrap_or_default(),
        );
        None
    } else {
        return Err(CliError::input("not a QR payload, SD-JWT or JWS")
            .hint("give a CW1: payload, a credential, a trust list or a status list token"));
    };
    if let Some(s) = sd_jwt {
        let parts = SdJwtParts::split(&s)
            .map_err(|e| CliError::input(format!("not a valid SD-JWT: {e} ({})", e.code())))?;
        let jwt = jws_json(parts.jwt);
        out.insert("issuer_jwt".into(), jwt);
        let disclosures: Vec<Value> = parts
            .disclosures
            .iter()
            .map(|d| match Disclosure::parse(d) {
                Ok(d) => json!({"name": d.name(), "value": d.value()}),
                Err(e) => json!({"invalid": e.to_string()}),
            })
            .collect();
        out.insert("disclosures".into(), Value::Array(disclosures));
        out.insert("kb_jwt".into(), parts.kb_jwt.map_or(json!(null), jws_json));
    }
    eprintln!("NOT VERIFIED: decoded only; no signature, trust, validity or status was checked");
    print_json("inspect", Value::Object(out))
}
