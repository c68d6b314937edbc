//! Verifier step, last stage: the outcome of [`crate::verifier::verify::verify_with_trust`] as the one JSON
//! object every front end shows (the CLI's `verify --json`, `verify-batch` lines and the C FFI's
//! verifier report), so a relying party gets the same fields whichever way it verifies.
//!
//! Shape: `{"valid", "code", "reason"?, "issuer", "vct", "type", "claims", "status",
//! "expires_at", "trust_list", "checked_at"}`; documented field by field in docs/cli.md.

use crate::format::credential::catalogue::Lang;
use crate::verifier::error::VerifyError;
use crate::verifier::verify::TrustedReport;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// RFC 3339 text of a Unix time, or the number itself when it is outside the calendar range.
pub fn format_time(t: i64) -> String {
    OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| d.format(&Rfc3339).ok())
        .unwrap_or_else(|| t.to_string())
}

fn claims_json(r: &TrustedReport, lang: Lang) -> Vec<Value> {
    r.report
        .disclosed
        .iter()
        .map(|c| {
            let label = match lang {
                Lang::Zh => c.label_zh.as_deref(),
                Lang::En => c.label_en.as_deref(),
            };
            json!({
                "path": c.path,
                "label": label.unwrap_or(&c.path),
                "label_zh": c.label_zh,
                "label_en": c.label_en,
                "value": c.value,
            })
        })
        .collect()
}

fn status_json(r: &TrustedReport) -> Value {
    match &r.status {
        None => Value::Null,
        Some(s) => json!({
            "uri": s.uri,
            "idx": s.idx,
            "value": s.value.map(|v| v.name().map_or_else(|| v.0.to_string(), str::to_owned)),
            "unknown_reason": s.unknown_reason,
            "refresh_due": s.list.as_ref().map(|l| l.refresh_due),
        }),
    }
}

/// The JSON report of a successful verification; labels in `lang`, `checked_at` is the `now`
/// the verification used.
pub fn valid_json(r: &TrustedReport, lang: Lang, checked_at: i64) -> Value {
    let report = &r.report;
    json!({
        "valid": true,
        "code": "ok",
        "issuer": {
            "iss": r.report.issuer,
            "name_zh": r.issuer_name_zh,
            "name_en": r.issuer_name_en,
            "kid": r.issuer_kid,
        },
        "vct": r.report.vct,
        "type": report.type_name.as_ref().map(|name| json!({"name": name,
            "name_zh": report.type_name_zh, "name_en": report.type_name_en})),
        "claims": claims_json(r, lang),
        "status": status_json(r),
        "expires_at": format_time(r.report.expires_at),
        "trust_list": {
            "list_id": r.trust_list.list_id,
            "seq": r.trust_list.seq,
            "stale": r.trust_list.stale,
        },
        "checked_at": format_time(checked_at),
    })
}

/// The JSON report of a failed verification: the stable code and the reason (which never holds
/// a claim value), every other field empty.
pub fn invalid_json(e: &VerifyError, checked_at: i64) -> Value {
    json!({
        "valid": false,
        "code": e.code(),
        "reason": e.to_string(),
        "issuer": null,
        "vct": null,
        "type": null,
        "claims": [],
        "status": null,
        "checked_at": format_time(checked_at),
    })
}

/// The JSON report of either outcome.
pub fn result_json(
    result: &Result<TrustedReport, VerifyError>,
    lang: Lang,
    checked_at: i64,
) -> Value {
    match result {
        Ok(r) => valid_json(r, lang, checked_at),
        Err(e) => invalid_json(e, checked_at),
    }
}
