//! Verifier commands: verify a shown certificate (QR payload, QR image or a standard SD-JWT+KB
//! string) with `wallet_core::verify::verify_with_trust`, keep the offline status cache, and
//! inspect anything without verifying it.

use crate::agency::load_trust_list;
use crate::cli::{InspectArgs, LangArg, StatusCacheArgs, VerifyArgs};
use crate::common::{
    CliError, CliResult, EXIT_NEGATIVE, EXIT_OK, MAX_SMALL_FILE, core_error, format_time, now_or,
    open_status_cache, read_bytes, read_text,
};
use serde_json::{Map, Value, json};
use std::path::Path;
use wallet_core::credential::VcError;
use wallet_core::credential::catalogue::{self, Lang};
use wallet_core::qr::freshness::{
    DEFAULT_REPLAY_CAPACITY, FreshnessError, OFFLINE_AUDIENCE, ReplayCache, ReplayEntry,
};
use wallet_core::qr::scan::{ScanLimits, scan_image};
use wallet_core::qr::transport;
use wallet_core::report;
use wallet_core::sdjwt::{Disclosure, KbExpectation, SdJwtParts};
use wallet_core::status::StatusCache;
use wallet_core::trust::StalePolicy;
use wallet_core::verify::{
    KeyBindingPolicy, TrustPolicy, TrustedReport, VerifyPolicy, verify_with_trust,
};

/// `wallet status cache`: verifies a Status List Token with the trust list, then caches it.
pub fn status_cache(a: &StatusCacheArgs) -> CliResult {
    let now = now_or(a.now.as_deref())?;
    let trust = load_trust_list(&a.trust_list, &a.trust_root, now, StalePolicy::Fail)?;
    let token = read_text(&a.token, "status list token", 16 * 1024 * 1024)?;
    let cache = StatusCache::open(&a.status_cache)
        .map_err(|e| core_error("cannot open the status cache", &e, e.code()))?;
    let uri = cache
        .store(&token, &trust)
        .map_err(|e| core_error("status list token refused", &e, e.code()))?;
    println!(
        "cached the status list for {uri} in {}",
        a.status_cache.display()
    );
    Ok(())
}

/// The text to verify: `--payload`, `-` (stdin) or the QR code read from `--qr-image`.
fn input_text(a: &VerifyArgs) -> CliResult<String> {
    if let Some(p) = &a.payload {
        return Ok(p.trim().to_owned());
    }
    if let Some(path) = &a.qr_image {
        let bytes = read_bytes(path, "QR image", 16 * 1024 * 1024)?;
        return scan_image(&bytes, &ScanLimits::default()).map_err(|e| {
            CliError::input(format!(
                "no QR code read from {}: {e} ({})",
                path.display(),
                e.code()
            ))
            .hint("photograph the code straight on, filling a third of the frame")
        });
    }
    match a.stdin.as_deref() {
        Some("-") => Ok(read_text(Path::new("-"), "standard input", 1 << 20)?.trim().to_owned()),
        Some(other) => Err(CliError::input(format!("unexpected argument {other:?}"))
            .hint("pass the payload with --payload TEXT, an image with --qr-image FILE, or - for stdin")),
        None => Err(CliError::input("nothing to verify")
            .hint("pass --payload TEXT, --qr-image FILE, or - to read stdin")),
    }
}

/// Exit status and code of a failed verification: trust-list and file problems are the
/// verifier's own setup (2); everything about the credential is a negative result (1).
fn classify(e: &VcError) -> u8 {
    match e {
        VcError::Trust(_) => crate::common::EXIT_ERROR,
        VcError::Status(s) if s.code() == "status.io" => crate::common::EXIT_ERROR,
        VcError::Freshness(FreshnessError::ReplayCache(_)) => crate::common::EXIT_ERROR,
        _ => EXIT_NEGATIVE,
    }
}

/// Opens `--replay-cache FILE` (created if missing). `-` is refused: the cache is a file that is
/// locked and appended to, not a stream.
pub(crate) fn open_replay_cache(path: &Path, now: i64) -> CliResult<ReplayCache> {
    if path == Path::new("-") {
        return Err(
            CliError::input("--replay-cache cannot be - (standard input or output)")
                .hint("name a file that every verifier on this machine can share, e.g. --replay-cache /var/lib/wallet/replay.cache"),
        );
    }
    ReplayCache::open(path, DEFAULT_REPLAY_CAPACITY, now).map_err(|e| {
        CliError::input(format!(
            "cannot use the replay cache {}: {e} ({})",
            path.display(),
            e.code()
        ))
        .hint(hint(e.code()))
    })
}

/// Records an accepted presentation in the replay cache, if one is in use: a presentation it
/// already holds is refused (`qr.replay`).
fn remember(
    cache: Option<&mut ReplayCache>,
    report: &TrustedReport,
    policy: &VerifyPolicy,
) -> Result<(), VcError> {
    let (Some(cache), Some(kb)) = (cache, report.report.key_binding.as_ref()) else {
        return Ok(());
    };
    let entry = ReplayEntry::accepted(kb, policy);
    cache
        .check_and_record(entry.sd_hash, entry.nonce, entry.forget_after, entry.now)
        .map_err(VcError::Freshness)
}

fn hint(code: &str) -> &'static str {
    match code {
        "status.unknown_list" | "status.expired_list" => {
            "cache a current status list with `wallet status cache`, or pass --allow-unknown-status"
        }
        "status.revoked" => "the issuer revoked this credential: do not accept it",
        "status.suspended" => "the issuer suspended this credential: do not accept it now",
        "vc.expired" => "the credential has expired: the holder must renew it",
        "sdjwt.kb_too_old" | "sdjwt.kb_iat_too_old" => "ask the holder to show a fresh code",
        "qr.replay" => {
            "this code was already accepted: ask the holder to show a fresh code on their own phone"
        }
        "qr.replay_cache_corrupt" | "qr.replay_cache_too_large" => {
            "move the replay cache file aside to start an empty one"
        }
        "qr.replay_cache_io" | "qr.replay_cache_locked" => {
            "check the --replay-cache path and its permissions, then try again"
        }
        "vc.unknown_issuer"
        | "vc.issuer_not_authorised"
        | "vc.unknown_key"
        | "vc.key_not_valid" => "the issuer is not trusted for this credential by the trust list",
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
    let trust = load_trust_list(&a.trust_list, &a.trust_root, now, stale)?;
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
    };
    // Our QR payloads carry a version prefix; anything else is taken as a standard SD-JWT+KB.
    let presentation = if transport::is_payload(&text) {
        transport::decode(&text).map_err(VcError::Transport)
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
            if a.json {
                println!("{}", report::valid_json(&r, l, now));
            } else {
                print_valid(&r, l, &checked_at);
            }
            Ok((EXIT_OK, "ok"))
        }
        Err(e) => {
            let exit = classify(&e);
            if a.json {
                println!("{}", report::invalid_json(&e, now));
            } else {
                println!("INVALID: {e} ({})", e.code());
                println!("checked at {checked_at}");
                eprintln!("hint: {}", hint(e.code()));
            }
            Ok((exit, e.code()))
        }
    }
}

fn print_valid(r: &TrustedReport, l: Lang, checked_at: &str) {
    let (issuer_name, ty_name) = match l {
        Lang::Zh => (
            &r.issuer_name_zh,
            catalogue::by_name(&r.report.vct).ok().map(|t| t.name_zh),
        ),
        Lang::En => (
            &r.issuer_name_en,
            catalogue::by_name(&r.report.vct).ok().map(|t| t.name_en),
        ),
    };
    println!("VALID: signature, issuer, validity, key binding and status checked");
    println!("issuer:  {issuer_name} ({})", r.report.issuer);
    println!("type:    {} ({})", ty_name.unwrap_or("-"), r.report.vct);
    let status = match &r.status {
        None => "not revocable (no status list)".to_owned(),
        Some(s) => match (s.value, s.unknown_reason) {
            (Some(v), _) => format!("{} (index {} of {})", v.name().unwrap_or("?"), s.idx, s.uri),
            (None, reason) => format!("UNKNOWN ({})", reason.unwrap_or("no list")),
        },
    };
    println!("status:  {status}");
    println!("expires: {}", format_time(r.report.expires_at));
    if r.trust_list.stale {
        println!("warning: the trust list is past its next update");
    }
    println!("checked: {checked_at}");
    if r.report.disclosed.is_empty() {
        println!("no claims disclosed");
    }
    for c in &r.report.disclosed {
        let label = match l {
            Lang::Zh => c.label_zh,
            Lang::En => c.label_en,
        };
        println!("  {}: {}", label.unwrap_or(&c.path), value_text(&c.value));
    }
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

/// `wallet inspect`: first line says nothing was verified.
pub fn inspect(a: &InspectArgs) -> CliResult {
    let raw = if a.input == "-" {
        read_text(Path::new("-"), "standard input", 1 << 20)?
    } else if Path::new(&a.input).is_file() {
        read_text(Path::new(&a.input), "input file", MAX_SMALL_FILE)?
    } else {
        a.input.clone()
    };
    let text = raw.trim();
    let mut out = Map::new();
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
    println!("NOT VERIFIED: decoded only; no signature, trust, validity or status was checked");
    let text = serde_json::to_string_pretty(&Value::Object(out))
        .map_err(|e| CliError::input(format!("cannot format: {e}")))?;
    println!("{text}");
    Ok(())
}
