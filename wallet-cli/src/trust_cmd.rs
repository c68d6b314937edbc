//! `wallet trust …`: the trust-list operator's commands. The draft format and its checked
//! rebuilding are wallet-core's ([`wallet_core::issuer::trust_draft`]); this file reads and
//! writes the files, resolves arguments and words the errors.

use crate::cli::{
    TrustAddIssuerArgs, TrustAddKeyArgs, TrustInitArgs, TrustRemoveIssuerArgs, TrustRemoveKeyArgs,
    TrustShowArgs, TrustSignArgs,
};
use crate::common::{
    CliError, CliResult, MAX_SMALL_FILE, add_secs, core_error, format_time, load_public_key,
    now_or, parse_duration, parse_json, parse_time, read_text, write_file, write_public,
};
use crate::output::{is_stdout, outln, print_json, refuse_stdout};
use crate::types_cmd::credential_type;
use serde_json::{Value, json};
use std::path::Path;
use wallet_core::credential::catalogue::CredentialType;
use wallet_core::error::codes;
use wallet_core::issuer::trust_draft;
use wallet_core::issuer::trust_draft::DraftError;
use wallet_core::keys::{AlgSet, AlgorithmPolicy};
use wallet_core::trust::{StalePolicy, TrustList, TrustListBuilder, VerifiedTrustList};

/// Reads a draft file: the trust-list payload without `iat`/`next_update` (set at signing),
/// read and checked by wallet-core.
fn read_draft(path: &Path) -> CliResult<TrustList> {
    let text = read_text(path, "trust-list draft", MAX_SMALL_FILE)?;
    let value = parse_json(&text, "trust-list draft")?;
    trust_draft::read_draft(value).map_err(|e| match e {
        DraftError::NotADraft => {
            CliError::input(format!("{} is not a trust-list draft", path.display()))
                .hint("create one with `wallet trust init --out FILE`")
        }
        DraftError::Trust(e) => core_error("invalid trust-list draft", &e),
        e => core_error("invalid trust-list draft", &e),
    })
}

fn draft_bytes(list: &TrustList) -> CliResult<Vec<u8>> {
    trust_draft::draft_bytes(list)
        .map_err(|e| CliError::input(format!("cannot format the draft: {e}")))
}

fn write_draft(path: &Path, list: &TrustList) -> CliResult {
    write_public(path, &draft_bytes(list)?, "trust-list draft")
}

/// A builder holding exactly `list` (same sequence number), rebuilt through the builder's own
/// checked operations.
fn builder_from(list: &TrustList) -> CliResult<TrustListBuilder> {
    trust_draft::builder_from(list).map_err(|e| core_error("invalid trust-list draft", &e))
}

fn trust_err(e: wallet_core::trust::TrustError) -> CliError {
    let hint = match *e.info() {
        codes::TRUST_DUPLICATE_ISSUER => {
            "the issuer is already listed; remove it first to change it"
        }
        codes::TRUST_UNLISTED_ISSUER => "add the issuer first with `wallet trust add-issuer`",
        codes::TRUST_DUPLICATE_KEY => "this key is already listed",
        codes::TRUST_UNKNOWN_KEY => "`wallet trust show` lists the issuer's key ids",
        _ => crate::common::hint_for(e.info()),
    };
    CliError::input(format!("{e} ({})", e.code()))
        .hint(hint)
        .with_code(e.code())
}

/// The types for `--types`: short names, vcts or names of the built-in types and those of
/// `--types-dir`; anything else is refused so a typo does not authorise a type nobody issues.
fn resolve_types(types: &[String]) -> CliResult<Vec<&'static CredentialType>> {
    types.iter().map(|t| credential_type(t.trim())).collect()
}

/// `wallet trust init`
pub fn trust_init(a: &TrustInitArgs) -> CliResult {
    refuse_stdout(&a.out, "--out", "trust-list draft")?;
    let builder = TrustListBuilder::new(&a.list_id, 1);
    write_file(
        &a.out,
        &draft_bytes(builder.list())?,
        0o644,
        a.force,
        "trust-list draft",
    )?;
    eprintln!(
        "created trust-list draft {} (list id {}, next version 1)",
        a.out.display(),
        a.list_id
    );
    if a.json {
        return print_json(
            "trust-init",
            json!({"file": a.out.display().to_string(), "list_id": a.list_id, "seq": 1}),
        );
    }
    Ok(())
}

/// Changes a draft with `change` and writes it back.
fn edit_draft(path: &Path, change: impl FnOnce(&mut TrustListBuilder) -> CliResult) -> CliResult {
    let list = read_draft(path)?;
    let mut b = builder_from(&list)?;
    change(&mut b)?;
    write_draft(path, b.list())
}

/// `wallet trust add-issuer`
pub fn trust_add_issuer(a: &TrustAddIssuerArgs) -> CliResult {
    let key = load_public_key(&a.key, "issuer key")?;
    let types = resolve_types(&a.types)?;
    let vcts: Vec<&str> = types.iter().map(|t| t.vct.as_str()).collect();
    let not_before = now_or(a.not_before.as_deref())?;
    let not_after = a.not_after.as_deref().map(parse_time).transpose()?;
    edit_draft(&a.list, |b| {
        b.add_issuer(&a.iss, &a.name_zh, &a.name_en, &[])
            .map_err(trust_err)?;
        // Each type with its document's integrity pinned and the document carried in the list.
        for ty in &types {
            b.authorise_type(&a.iss, ty).map_err(trust_err)?;
        }
        b.add_key(&a.iss, &key, not_before, not_after)
            .map_err(trust_err)?;
        Ok(())
    })?;
    eprintln!(
        "listed {} ({} / {}) for {} with key {}",
        a.iss,
        a.name_zh,
        a.name_en,
        vcts.join(", "),
        key.thumbprint()
    );
    if a.json {
        return print_json(
            "trust-add-issuer",
            json!({"list": a.list.display().to_string(), "iss": a.iss, "name_zh": a.name_zh,
                   "name_en": a.name_en, "vct": vcts, "kid": key.thumbprint()}),
        );
    }
    Ok(())
}

/// `wallet trust remove-issuer`
pub fn trust_remove_issuer(a: &TrustRemoveIssuerArgs) -> CliResult {
    edit_draft(&a.list, |b| {
        b.remove_issuer(&a.iss).map(|_| ()).map_err(trust_err)
    })?;
    eprintln!("removed {} from the draft", a.iss);
    if a.json {
        return print_json(
            "trust-remove-issuer",
            json!({"list": a.list.display().to_string(), "iss": a.iss}),
        );
    }
    Ok(())
}

/// `wallet trust add-key`
pub fn trust_add_key(a: &TrustAddKeyArgs) -> CliResult {
    let key = load_public_key(&a.key, "issuer key")?;
    let not_before = now_or(a.not_before.as_deref())?;
    let not_after = a.not_after.as_deref().map(parse_time).transpose()?;
    edit_draft(&a.list, |b| {
        b.add_key(&a.iss, &key, not_before, not_after)
            .map(|_| ())
            .map_err(trust_err)
    })?;
    eprintln!("added key {} to {}", key.thumbprint(), a.iss);
    if a.json {
        return print_json(
            "trust-add-key",
            json!({"list": a.list.display().to_string(), "iss": a.iss, "kid": key.thumbprint()}),
        );
    }
    Ok(())
}

/// `wallet trust remove-key`
pub fn trust_remove_key(a: &TrustRemoveKeyArgs) -> CliResult {
    edit_draft(&a.list, |b| {
        b.remove_key(&a.iss, &a.kid).map(|_| ()).map_err(trust_err)
    })?;
    eprintln!("removed key {} from {}", a.kid, a.iss);
    if a.json {
        return print_json(
            "trust-remove-key",
            json!({"list": a.list.display().to_string(), "iss": a.iss, "kid": a.kid}),
        );
    }
    Ok(())
}

/// `wallet trust sign`: signs the draft's version, then moves the draft to the next sequence
/// number so that the next signature can never reuse this one.
pub fn trust_sign(a: &TrustSignArgs) -> CliResult {
    json_or_stdout(a.json, &a.out)?;
    let list = read_draft(&a.list)?;
    let root = crate::hsm::load_issuer_key(&a.root_key, "root key")?;
    let now = now_or(a.now.as_deref())?;
    let next_update = add_secs(now, parse_duration(&a.valid_for)?);
    let b = builder_from(&list)?;
    let token = b.sign(now, next_update, &root).map_err(trust_err)?;
    if is_stdout(&a.out) {
        outln!("{token}")?;
    } else {
        write_public(&a.out, format!("{token}\n").as_bytes(), "trust list")?;
    }
    let next = TrustListBuilder::next_version(&list).map_err(trust_err)?;
    write_draft(&a.list, next.list())?;
    eprintln!(
        "signed trust list {} version {} ({} issuers), next update {}; root kid {}",
        a.out.display(),
        list.seq,
        list.issuers.len(),
        format_time(next_update),
        root.thumbprint()
    );
    if a.json {
        return print_json(
            "trust-sign",
            json!({"file": a.out.display().to_string(), "list_id": list.list_id, "seq": list.seq,
                   "issuers": list.issuers.len(), "issued_at": format_time(now),
                   "next_update": format_time(next_update), "root_kid": root.thumbprint()}),
        );
    }
    Ok(())
}

/// `--json` prints the result object on stdout, so a data output cannot go there too.
pub fn json_or_stdout(json: bool, out: &Path) -> CliResult {
    if json && is_stdout(out) {
        return Err(
            CliError::usage("--json and --out - both want standard output")
                .hint("write the output to a file with --out FILE, or drop --json"),
        );
    }
    Ok(())
}

/// Verifies a signed trust list file under the pinned root, accepting every algorithm.
pub fn load_trust_list(
    path: &Path,
    root: &str,
    now: i64,
    stale: StalePolicy,
) -> CliResult<VerifiedTrustList> {
    load_trust_list_with(path, root, now, stale, AlgSet::ALL)
}

/// [`load_trust_list`] accepting only `algs` for every role (`--algs`): the root, and — kept
/// with the list — issuer, holder and status-list keys.
pub fn load_trust_list_with(
    path: &Path,
    root: &str,
    now: i64,
    stale: StalePolicy,
    algs: AlgSet,
) -> CliResult<VerifiedTrustList> {
    let root = load_public_key(root, "trust root")?;
    let token = read_text(path, "trust list", MAX_SMALL_FILE)?;
    VerifiedTrustList::verify_with(
        &token,
        &root,
        now,
        wallet_core::qr::freshness::DEFAULT_SKEW_SECONDS,
        stale,
        AlgorithmPolicy::uniform(algs),
    )
    .map_err(|e| {
        CliError::input(format!(
            "trust list {} is not usable: {e} ({})",
            path.display(),
            e.code()
        ))
        .hint(
            "check --trust-list and --trust-root; a stale list must be replaced by the current one",
        )
        .with_code(e.code())
    })
}

fn trust_list_json(list: &TrustList) -> Value {
    let mut payload = list.to_payload();
    if let Value::Object(obj) = &mut payload {
        obj.insert("iat".into(), Value::from(format_time(list.issued_at)));
        obj.insert(
            "next_update".into(),
            Value::from(format_time(list.next_update)),
        );
        // Key validity times as RFC 3339 too, like every time in --json output.
        let keys = obj
            .get_mut("issuers")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
            .filter_map(|i| i.get_mut("keys").and_then(Value::as_array_mut))
            .flatten();
        for key in keys {
            if let Value::Object(k) = key {
                for member in ["not_before", "not_after", "retired_at"] {
                    if let Some(t) = k.get(member).and_then(Value::as_i64) {
                        k.insert(member.into(), Value::from(format_time(t)));
                    }
                }
            }
        }
    }
    payload
}

/// `wallet trust show`
pub fn trust_show(a: &TrustShowArgs) -> CliResult {
    let (list, verified) = match &a.trust_root {
        Some(root) => {
            let now = now_or(a.now.as_deref())?;
            let v = load_trust_list(&a.file, root, now, StalePolicy::Warn)?;
            (v.list().clone(), true)
        }
        None => {
            let token = read_text(&a.file, "trust list", MAX_SMALL_FILE)?;
            let jws = wallet_core::jws::Jws::parse(token.trim())
                .map_err(|e| core_error("not a trust list", &e))?;
            let payload = jws
                .payload()
                .map_err(|e| core_error("not a trust list", &e))?;
            let list = TrustList::from_payload(&payload)
                .map_err(|e| core_error("not a trust list", &e))?;
            (list, false)
        }
    };
    if a.json {
        return print_json(
            "trust-show",
            json!({"verified": verified, "list": trust_list_json(&list)}),
        );
    }
    if verified {
        outln!("trust list verified under the pinned root")?;
    } else {
        outln!("NOT VERIFIED: pass --trust-root ROOT_PUBJWK to check the signature")?;
    }
    outln!(
        "list {} version {}, signed {}, next update {}",
        list.list_id,
        list.seq,
        format_time(list.issued_at),
        format_time(list.next_update)
    )?;
    for e in &list.issuers {
        outln!("issuer {}  {} / {}", e.iss, e.name_zh, e.name_en)?;
        outln!("  types: {}", e.vct.join(", "))?;
        for k in &e.keys {
            let mut line = format!("  key {} from {}", k.kid, format_time(k.not_before));
            if let Some(t) = k.not_after {
                line.push_str(&format!(" until {}", format_time(t)));
            }
            if let Some(t) = k.retired_at {
                line.push_str(&format!(", retired {}", format_time(t)));
            }
            outln!("{line}")?;
        }
    }
    Ok(())
}
