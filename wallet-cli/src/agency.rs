//! Commands of the issuing agency and the trust-list operator: keys, the type catalogue, the
//! trust list, single issuance, the status registry and its issuance log.

use crate::cli::{
    IssueArgs, KeyFormat, KeyGenerateArgs, KeyPublicArgs, StatusInitArgs, StatusPublishArgs,
    StatusSetArgs, TrustAddIssuerArgs, TrustAddKeyArgs, TrustInitArgs, TrustRemoveIssuerArgs,
    TrustRemoveKeyArgs, TrustShowArgs, TrustSignArgs, TypesArgs, Validity,
};
use crate::common::{
    CliError, CliResult, MAX_SMALL_FILE, add_secs, core_error, format_time, io_error,
    load_public_key, load_signing_key, now_or, parse_duration, parse_json, parse_time, read_bytes,
    read_text, write_file, write_public,
};
use crate::output::{is_stdout, outln, print_json, refuse_stdout};
use serde_json::{Map, Value, json};
use std::fs::OpenOptions;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use wallet_core::credential::catalogue;
use wallet_core::credential::catalogue::{CatalogueError, CredentialType};
use wallet_core::credential::input::ClaimsInputError;
use wallet_core::credential::{StatusRef, VcError};
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::issuer::{REGISTRY_LOCK_TIMEOUT, RegistryLock, StatusRegistry};
use wallet_core::keys::{SigningKey, VerifyingKey};
use wallet_core::status::{
    Bits, StatusError, StatusListClaims, StatusValue, sign_status_list_token,
};
use wallet_core::trust::{StalePolicy, TrustList, TrustListBuilder, VerifiedTrustList};

// ---------------------------------------------------------------------------------------
// Keys and types
// ---------------------------------------------------------------------------------------

/// Generates a key, writes it (PEM or private JWK) and returns its public JWK.
pub fn generate_key_file(out: &Path, format: KeyFormat, force: bool) -> CliResult<VerifyingKey> {
    refuse_stdout(out, "--out", "private key")?;
    let key = SigningKey::generate(&mut rand_core::OsRng);
    let text = match format {
        KeyFormat::Pem => key.to_pkcs8_pem(),
        KeyFormat::Jwk => {
            let mut jwk = key.to_jwk_string();
            jwk.push('\n');
            jwk
        }
    };
    write_file(out, text.as_bytes(), 0o600, force, "key file")?;
    Ok(key.verifying_key())
}

/// `wallet key generate`: the public JWK on stdout, where the file went on stderr.
pub fn key_generate(a: &KeyGenerateArgs) -> CliResult {
    let public = generate_key_file(&a.out, a.format, a.force)?;
    eprintln!(
        "wrote private key {} (mode 0600); kid {}",
        a.out.display(),
        public.thumbprint()
    );
    if a.json {
        return print_json(
            "key-generate",
            json!({"file": a.out.display().to_string(), "kid": public.thumbprint(),
                   "public_jwk": public.to_jwk()}),
        );
    }
    outln!("{}", public.to_jwk())
}

/// `wallet key public`
pub fn key_public(a: &KeyPublicArgs) -> CliResult {
    let key = load_signing_key(&a.file, "key file")?;
    let public = key.verifying_key();
    if a.json {
        return print_json(
            "key-public",
            json!({"kid": public.thumbprint(), "public_jwk": public.to_jwk()}),
        );
    }
    outln!("{}", public.to_jwk())
}

/// Looks a type up by short name, vct or name (e.g. 驾驶证), with the known names as the hint.
pub fn credential_type(name: &str) -> CliResult<&'static CredentialType> {
    catalogue::lookup(name).map_err(|e| {
        let names: Vec<&str> = catalogue::all().iter().map(|t| t.short_name).collect();
        CliError::input(e).hint(format!("known types: {}", names.join(", ")))
    })
}

/// `wallet types`
pub fn types(a: &TypesArgs) -> CliResult {
    if a.json {
        let types = serde_json::to_value(catalogue::all())
            .map_err(|e| CliError::input(format!("cannot format the catalogue: {e}")))?;
        return print_json("types", json!({ "types": types }));
    }
    for t in catalogue::all() {
        outln!("{}  {}  {} / {}", t.short_name, t.vct, t.name_zh, t.name_en)?;
        let mut about = Vec::new();
        if !t.aliases.is_empty() {
            about.push(format!("also named {}", t.aliases.join(", ")));
        }
        if !t.validity_claims.is_empty() {
            about.push(format!(
                "document validity ends with {}",
                t.validity_claims.join(", ")
            ));
        }
        if t.status_required {
            about.push("revocable: --status-registry required".to_owned());
        }
        if !about.is_empty() {
            outln!("  ({})", about.join("; "))?;
        }
        let examples = t.example_claims();
        for c in t.claims {
            let mut flags = Vec::new();
            flags.push(if c.required { "required" } else { "optional" });
            if c.disclosable {
                flags.push("selectively disclosable");
            } else {
                flags.push("always visible");
            }
            if c.derived {
                flags.push("derived by the issuer");
            }
            outln!(
                "    {:<24} {:<8} {} / {}  ({})",
                c.name,
                c.json_type.as_str(),
                c.label_zh,
                c.label_en,
                flags.join(", ")
            )?;
            let example = match examples.get(c.name) {
                Some(v) => v.to_string(),
                None if c.derived => "computed from birth_date".to_owned(),
                None => "-".to_owned(),
            };
            outln!("        format: {}; example: {example}", c.format.name())?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Trust list
// ---------------------------------------------------------------------------------------

/// Format marker of an unsigned trust-list draft.
const DRAFT_FORMAT: &str = "wallet-trust-draft";

/// Reads a draft: the trust-list payload without `iat`/`next_update` (set at signing), read
/// and checked by wallet-core's `TrustList::from_payload`.
fn read_draft(path: &Path) -> CliResult<TrustList> {
    let text = read_text(path, "trust-list draft", MAX_SMALL_FILE)?;
    let value = parse_json(&text, "trust-list draft")?;
    let mut obj = match value {
        Value::Object(o) if o.get("format").and_then(Value::as_str) == Some(DRAFT_FORMAT) => o,
        _ => {
            return Err(
                CliError::input(format!("{} is not a trust-list draft", path.display()))
                    .hint("create one with `wallet trust init --out FILE`"),
            );
        }
    };
    obj.remove("format");
    // The draft has no signing times; placeholders satisfy the payload reader's window check.
    obj.insert("iat".into(), Value::from(0));
    obj.insert("next_update".into(), Value::from(1));
    TrustList::from_payload(&obj).map_err(|e| core_error("invalid trust-list draft", &e, e.code()))
}

fn draft_bytes(list: &TrustList) -> CliResult<Vec<u8>> {
    let mut payload = list.to_payload();
    if let Value::Object(obj) = &mut payload {
        obj.remove("iat");
        obj.remove("next_update");
        obj.insert("format".into(), Value::from(DRAFT_FORMAT));
    }
    let mut bytes = serde_json::to_vec_pretty(&payload)
        .map_err(|e| CliError::input(format!("cannot format the draft: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn write_draft(path: &Path, list: &TrustList) -> CliResult {
    write_public(path, &draft_bytes(list)?, "trust-list draft")
}

/// A builder holding exactly `list` (same sequence number), rebuilt through the builder's own
/// checked operations.
fn builder_from(list: &TrustList) -> CliResult<TrustListBuilder> {
    let mut b = TrustListBuilder::new(&list.list_id, list.seq);
    let err =
        |e: wallet_core::trust::TrustError| core_error("invalid trust-list draft", &e, e.code());
    for e in &list.issuers {
        let vcts: Vec<&str> = e.vct.iter().map(String::as_str).collect();
        b.add_issuer(&e.iss, &e.name_zh, &e.name_en, &vcts)
            .map_err(err)?;
        for k in &e.keys {
            b.add_key(&e.iss, &k.key, k.not_before, k.not_after)
                .map_err(err)?;
            if let Some(at) = k.retired_at {
                b.retire_key(&e.iss, &k.kid, at).map_err(err)?;
            }
        }
    }
    Ok(b)
}

fn trust_err(e: wallet_core::trust::TrustError) -> CliError {
    let hint = match e.code() {
        "trust.duplicate_issuer" => "the issuer is already listed; remove it first to change it",
        "trust.unlisted_issuer" => "add the issuer first with `wallet trust add-issuer`",
        "trust.duplicate_key" => "this key is already listed",
        "trust.unknown_key" => "`wallet trust show` lists the issuer's key ids",
        _ => crate::common::hint_for(e.code()),
    };
    CliError::input(format!("{e} ({})", e.code()))
        .hint(hint)
        .with_code(e.code())
}

/// `vct` values for `--types`: catalogue short names or vcts; anything else is refused so a
/// typo does not authorise a type nobody issues.
fn resolve_types(types: &[String]) -> CliResult<Vec<&'static str>> {
    types
        .iter()
        .map(|t| credential_type(t.trim()).map(|ty| ty.vct))
        .collect()
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
    let vcts = resolve_types(&a.types)?;
    let not_before = now_or(a.not_before.as_deref())?;
    let not_after = a.not_after.as_deref().map(parse_time).transpose()?;
    edit_draft(&a.list, |b| {
        b.add_issuer(&a.iss, &a.name_zh, &a.name_en, &vcts)
            .map_err(trust_err)?;
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
    let root = load_signing_key(&a.root_key, "root key")?;
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

/// Verifies a signed trust list file under the pinned root.
pub fn load_trust_list(
    path: &Path,
    root: &str,
    now: i64,
    stale: StalePolicy,
) -> CliResult<VerifiedTrustList> {
    let root = load_public_key(root, "trust root")?;
    let token = read_text(path, "trust list", MAX_SMALL_FILE)?;
    VerifiedTrustList::verify(
        &token,
        &root,
        now,
        wallet_core::qr::freshness::DEFAULT_SKEW_SECONDS,
        stale,
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
                .map_err(|e| core_error("not a trust list", &e, e.code()))?;
            let payload = jws
                .payload()
                .map_err(|e| core_error("not a trust list", &e, e.code()))?;
            let list = TrustList::from_payload(&payload)
                .map_err(|e| core_error("not a trust list", &e, e.code()))?;
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

// ---------------------------------------------------------------------------------------
// Status registry and issuance log
// ---------------------------------------------------------------------------------------

/// The issuance log beside a registry: `REG.issued.jsonl`, one line per credential issued with
/// an index from it, so that an agency can revoke by credential id.
pub fn log_path(registry: &Path) -> PathBuf {
    let mut name = registry.file_name().unwrap_or_default().to_os_string();
    name.push(".issued.jsonl");
    registry.with_file_name(name)
}

/// One issuance-log line (with its newline).
pub fn log_line(id: &str, status: &StatusRef, vct: &str, iss: &str, iat: i64) -> String {
    let mut line =
        json!({"id": id, "idx": status.idx, "uri": status.uri, "vct": vct, "iss": iss, "iat": iat})
            .to_string();
    line.push('\n');
    line
}

/// One issuance-log line of a batch: [`log_line`] plus `"batch"`, the batch's job id, by which
/// `issue-batch --resume` finds the last line its interrupted run logged (docs/cli.md).
pub fn log_line_batch(
    id: &str,
    status: &StatusRef,
    vct: &str,
    iss: &str,
    iat: i64,
    batch: &str,
) -> String {
    let mut line = json!({"id": id, "idx": status.idx, "uri": status.uri, "vct": vct, "iss": iss,
        "iat": iat, "batch": batch})
    .to_string();
    line.push('\n');
    line
}

/// Opens the issuance log for appending (created with mode 0600).
pub fn open_log(registry: &Path) -> CliResult<std::fs::File> {
    let path = log_path(registry);
    let mut options = OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options
        .open(&path)
        .map_err(|e| io_error(e, "issuance log", &path))
}

/// Appends lines to the issuance log and makes them durable.
pub fn append_log(registry: &Path, lines: &str) -> CliResult {
    let path = log_path(registry);
    let mut file = open_log(registry)?;
    file.write_all(lines.as_bytes())
        .and_then(|()| file.sync_data())
        .map_err(|e| io_error(e, "issuance log", &path))
}

/// Finds a credential's index in the issuance log (streaming: the log can hold millions).
fn find_in_log(registry: &Path, id: &str) -> CliResult<u64> {
    let path = log_path(registry);
    let file = std::fs::File::open(&path).map_err(|e| io_error(e, "issuance log", &path))?;
    for line in BufReader::new(file).lines() {
        let line = line.map_err(|e| io_error(e, "issuance log", &path))?;
        let Ok(Value::Object(entry)) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if entry.get("id").and_then(Value::as_str) == Some(id)
            && let Some(idx) = entry.get("idx").and_then(Value::as_u64)
        {
            return Ok(idx);
        }
    }
    Err(CliError::input(format!(
        "credential {id} is not in the issuance log {}",
        path.display()
    ))
    .hint("check the id (`wallet holder list` shows it), or revoke by --index"))
}

fn read_registry_err(path: &Path, e: &StatusError) -> CliError {
    CliError::input(format!(
        "cannot read status registry {}: {e} ({})",
        path.display(),
        e.code()
    ))
    .hint("create one with `wallet status init --uri URI --out FILE`")
    .with_code(e.code())
}

/// Loads a registry file without its lock: a snapshot for a caller that changes nothing and
/// runs alone (the demo). Commands that change a registry use [`lock_registry`].
pub fn load_registry(path: &Path) -> CliResult<StatusRegistry> {
    StatusRegistry::load(path).map_err(|e| read_registry_err(path, &e))
}

/// Takes a registry's cross-process lock (waiting up to
/// [`REGISTRY_LOCK_TIMEOUT`]); hold it from the load to the last save of a change.
pub fn lock_registry(path: &Path) -> CliResult<RegistryLock> {
    // A mistyped path would otherwise get a lock file created before the load fails.
    if let Err(e) = std::fs::metadata(path) {
        return Err(read_registry_err(
            path,
            &StatusError::Io(e.kind().to_string()),
        ));
    }
    StatusRegistry::lock(path, REGISTRY_LOCK_TIMEOUT).map_err(|e| lock_err(path, &e))
}

/// What to do about `status.registry_locked`.
const LOCKED_HINT: &str = "nothing was changed; another `wallet` command (a running issue-batch, \
                           issue, status change or publish) holds the registry: wait for it to \
                           finish, then run this again";

fn lock_err(path: &Path, e: &StatusError) -> CliError {
    let hint = if e.code() == "status.registry_locked" {
        LOCKED_HINT
    } else {
        "check that the registry's directory is writable: the lock file lives beside it"
    };
    CliError::input(format!(
        "cannot lock status registry {}: {e} ({})",
        path.display(),
        e.code()
    ))
    .hint(hint)
    .with_code(e.code())
}

/// Loads the registry guarded by `lock`.
pub fn load_locked(lock: &RegistryLock) -> CliResult<StatusRegistry> {
    lock.load().map_err(|e| read_registry_err(lock.path(), &e))
}

/// Saves a registry file atomically, under its lock.
pub fn save_registry(lock: &RegistryLock, registry: &StatusRegistry) -> CliResult {
    lock.save(registry).map_err(|e| {
        CliError::input(format!(
            "cannot write status registry {}: {e} ({})",
            lock.path().display(),
            e.code()
        ))
        .hint("check the disk; the registry was not changed")
    })
}

fn status_err(e: &StatusError) -> CliError {
    let hint = match e.code() {
        "status.value_too_wide" => "suspension needs a registry made with --bits 2",
        "status.revocation_is_final" => "a revoked credential stays revoked; issue a new one",
        "status.not_allocated" => "that index was never given to a credential",
        "status.registry_full" => "start a new status list with `wallet status init`",
        _ => "check the status registry",
    };
    CliError::input(format!("{e} ({})", e.code()))
        .hint(hint)
        .with_code(e.code())
}

/// `wallet status init`
pub fn status_init(a: &StatusInitArgs) -> CliResult {
    refuse_stdout(&a.out, "--out", "status registry")?;
    let bits = a
        .bits
        .parse::<u64>()
        .map_err(|_| CliError::input("--bits must be 1, 2, 4 or 8"))
        .and_then(|b| Bits::from_u64(b).map_err(|e| status_err(&e)))?;
    let registry = StatusRegistry::new(&a.uri, bits, a.capacity).map_err(|e| status_err(&e))?;
    let bytes = serde_json::to_vec(&registry.to_json())
        .map_err(|e| CliError::input(format!("cannot format the registry: {e}")))?;
    // Replacing a registry another process is working on would let that process save its
    // state over the new one; a new file needs no lock (create_new fails if one appeared).
    let _lock = if a.force && a.out.exists() {
        Some(lock_registry(&a.out)?)
    } else {
        None
    };
    write_file(&a.out, &bytes, 0o600, a.force, "status registry")?;
    eprintln!(
        "created status registry {} for {} ({} bits, {} indices); issuance log {}",
        a.out.display(),
        a.uri,
        bits.get(),
        a.capacity,
        log_path(&a.out).display()
    );
    if a.json {
        return print_json(
            "status-init",
            json!({"file": a.out.display().to_string(), "uri": a.uri, "bits": bits.get(),
                   "capacity": a.capacity, "issuance_log": log_path(&a.out).display().to_string()}),
        );
    }
    Ok(())
}

/// A status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    /// Set INVALID (final).
    Revoke,
    /// Set SUSPENDED.
    Suspend,
    /// Set VALID again.
    Reinstate,
}

/// Applies a status change to a registry file; returns the index changed.
pub fn change_status(
    registry_path: &Path,
    index: Option<u64>,
    credential_id: Option<&str>,
    change: StatusChange,
) -> CliResult<u64> {
    // Load, change and save under the lock, or a concurrent issue or change saving a state
    // loaded before ours would drop this change (a lost revocation). The log is read under it
    // too, so an issuance still being logged is either complete or not there yet.
    let lock = lock_registry(registry_path)?;
    let idx = match (index, credential_id) {
        (Some(i), _) => i,
        (None, Some(id)) => find_in_log(registry_path, id)?,
        (None, None) => {
            return Err(
                CliError::input("no credential given").hint("pass --index N or --credential-id ID")
            );
        }
    };
    let mut registry = load_locked(&lock)?;
    let value = match change {
        StatusChange::Revoke => StatusValue::INVALID,
        StatusChange::Suspend => StatusValue::SUSPENDED,
        StatusChange::Reinstate => StatusValue::VALID,
    };
    registry
        .set_status(idx, value)
        .map_err(|e| status_err(&e))?;
    save_registry(&lock, &registry)?;
    Ok(idx)
}

/// `wallet status revoke|suspend|reinstate`
pub fn status_set(a: &StatusSetArgs, change: StatusChange) -> CliResult {
    let idx = change_status(
        &a.registry,
        a.target.index,
        a.target.credential_id.as_deref(),
        change,
    )?;
    let verb = match change {
        StatusChange::Revoke => "revoked",
        StatusChange::Suspend => "suspended",
        StatusChange::Reinstate => "reinstated",
    };
    eprintln!("{verb} index {idx}");
    eprintln!(
        "publish the list for verifiers to see it: wallet status publish --status-registry …"
    );
    if a.json {
        let command = match change {
            StatusChange::Revoke => "status-revoke",
            StatusChange::Suspend => "status-suspend",
            StatusChange::Reinstate => "status-reinstate",
        };
        return print_json(
            command,
            json!({"registry": a.registry.display().to_string(), "index": idx, "status": verb}),
        );
    }
    Ok(())
}

/// Signs the registry's current list; returns the token.
pub fn publish_token(
    registry: &StatusRegistry,
    key: &SigningKey,
    iss: Option<&str>,
    now: i64,
    valid_for: u64,
    ttl: Option<u64>,
) -> CliResult<String> {
    let claims = StatusListClaims {
        uri: registry.uri().to_owned(),
        iss: iss.map(str::to_owned),
        iat: now,
        exp: Some(add_secs(now, valid_for)),
        ttl,
    };
    sign_status_list_token(&claims, registry.list(), key).map_err(|e| status_err(&e))
}

/// `wallet status publish`
pub fn status_publish(a: &StatusPublishArgs) -> CliResult {
    json_or_stdout(a.json, &a.out)?;
    let key = load_signing_key(&a.issuer_key, "issuer key")?;
    let now = now_or(a.now.as_deref())?;
    let valid_for = parse_duration(&a.valid_for)?;
    // Publishing does not change the registry, but it takes the lock anyway and keeps it until
    // the token is written: two publishes racing on one output could otherwise finish in the
    // wrong order, leaving a token read before a revocation in place of one read after it — a
    // revocation lost for verifiers until the next publish.
    let lock = lock_registry(&a.registry)?;
    let registry = load_locked(&lock)?;
    let token = publish_token(&registry, &key, a.iss.as_deref(), now, valid_for, a.ttl)?;
    if is_stdout(&a.out) {
        outln!("{token}")?;
    } else {
        write_public(&a.out, format!("{token}\n").as_bytes(), "status list token")?;
    }
    drop(lock);
    eprintln!(
        "published {} for {} ({} bytes), valid until {}",
        a.out.display(),
        registry.uri(),
        token.len(),
        format_time(add_secs(now, valid_for))
    );
    if a.json {
        return print_json(
            "status-publish",
            json!({"file": a.out.display().to_string(), "uri": registry.uri(),
                   "bytes": token.len(), "issued_at": format_time(now),
                   "expires_at": format_time(add_secs(now, valid_for)), "ttl_seconds": a.ttl}),
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Issuance
// ---------------------------------------------------------------------------------------

/// The `exp` of a credential issued at `now`, from `--expires` / `--valid-for`, if given.
pub fn expiry(v: &Validity, now: i64) -> CliResult<Option<i64>> {
    if let Some(e) = &v.expires {
        return parse_time(e).map(Some);
    }
    if let Some(d) = &v.valid_for {
        return parse_duration(d).map(|s| Some(add_secs(now, s)));
    }
    Ok(None)
}

/// What to do about `vc.status_required`.
pub const STATUS_REQUIRED_HINT: &str = "pass --status-registry FILE (create one with `wallet status init`) so \
     the credential can be revoked, or --no-status to issue one that never can";

/// The error for a library refusal to issue. Claim errors are listed one per line, so that
/// every error of a claims file or batch line can be fixed in one pass.
pub fn issue_err(e: &VcError) -> CliError {
    let hint = match e.code() {
        "vc.status_required" => STATUS_REQUIRED_HINT,
        "vc.expiry_after_document" => {
            "shorten --valid-for / --expires to the document's validity, or drop --strict-validity to cap it"
        }
        "catalogue.document_expired" => {
            "the document has expired: issue from its renewed record instead"
        }
        code => crate::common::hint_for(code),
    };
    let message = match e {
        VcError::Catalogue(c) if c.errors().len() > 1 => {
            let listed = c.errors();
            let total = match c {
                CatalogueError::Several { total, .. } => *total,
                _ => listed.len(),
            };
            let mut m = format!("cannot issue: {total} claim errors:");
            for one in listed {
                m.push_str(&format!("\n  - {one} ({})", one.code()));
            }
            if total > listed.len() {
                m.push_str(&format!(
                    "\n  - … and {} more",
                    total.saturating_sub(listed.len())
                ));
            }
            m
        }
        _ => format!("cannot issue: {e} ({})", e.code()),
    };
    CliError::input(message).hint(hint).with_code(e.code())
}

/// The issuer's revocability choice, checked before anything is read or allocated: the rule is
/// wallet-core's ([`wallet_core::issuer::check_status_choice`]), the CLI passes the flags.
pub fn check_status_choice(
    ty: &CredentialType,
    registry: Option<&Path>,
    no_status: bool,
) -> CliResult {
    wallet_core::issuer::check_status_choice(ty, registry.is_some(), no_status)
        .map_err(|e| issue_err(&e))
}

/// Everything `issue` decides before signing.
pub struct IssueInput<'a> {
    /// The type.
    pub ty: &'static CredentialType,
    /// `iss`.
    pub iss: &'a str,
    /// The claims.
    pub claims: &'a Map<String, Value>,
    /// The holder's key.
    pub holder: VerifyingKey,
    /// `iat`.
    pub now: i64,
    /// `exp`, if not the type's default (capped to the document's validity either way).
    pub expires: Option<i64>,
    /// Refuse an `exp` after the document's validity instead of capping it.
    pub strict_validity: bool,
    /// Issue without a status list entry although the type requires one.
    pub no_status: bool,
}

/// Issues one credential, allocating a status index (saved before the credential exists, so
/// an index is never given twice) and logging it when a registry is given. Returns the
/// credential and its id. The registry stays locked from the load to the log line, so
/// concurrent issuers neither lose each other's allocations nor interleave log lines.
pub fn issue_one(
    input: &IssueInput<'_>,
    key: &SigningKey,
    registry_path: Option<&Path>,
) -> CliResult<(String, String)> {
    let mut request =
        CredentialRequest::for_type(input.ty, input.iss, input.claims, input.holder, input.now)
            .map_err(|e| issue_err(&e))?;
    if let Some(exp) = input.expires {
        request.expires_at = exp;
    }
    request.strict_validity = input.strict_validity;
    if input.no_status {
        request = request.without_status();
    }
    // Refusals come before an index is allocated, so a refused credential spends none.
    wallet_core::issuer::check_status_choice(input.ty, registry_path.is_some(), input.no_status)
        .map_err(|e| issue_err(&e))?;
    let expires_at = request.effective_expiry().map_err(|e| issue_err(&e))?;
    if expires_at < request.expires_at
        && let Some((field, _)) = request.document_validity
    {
        eprintln!(
            "note: expiry capped to {} (end of the document's {field}, 24:00 China Standard Time)",
            format_time(expires_at)
        );
    }
    let lock = registry_path.map(lock_registry).transpose()?;
    if let Some(lock) = &lock {
        let mut registry = load_locked(lock)?;
        let idx = registry
            .allocate(&mut rand_core::OsRng)
            .map_err(|e| status_err(&e))?;
        save_registry(lock, &registry)?;
        request.status = Some(StatusRef {
            idx,
            uri: registry.uri().to_owned(),
        });
    }
    let credential =
        issue_credential(&request, key, &mut rand_core::OsRng).map_err(|e| issue_err(&e))?;
    let id = wallet_core::holder::credential_id(&credential)
        .map_err(|e| CliError::input(format!("cannot compute the credential id: {e}")))?;
    if let (Some(path), Some(status)) = (registry_path, &request.status) {
        append_log(
            path,
            &log_line(&id, status, &request.vct, input.iss, input.now),
        )?;
    }
    drop(lock);
    Ok((credential, id))
}

/// `wallet issue`: returns the credential id.
pub fn issue(a: &IssueArgs) -> CliResult<String> {
    let ty = credential_type(&a.credential_type)?;
    check_status_choice(ty, a.status_registry.as_deref(), a.no_status)?;
    let key = load_signing_key(&a.issuer_key, "issuer key")?;
    let holder = load_public_key(&a.holder_jwk, "holder key")?;
    let claims_bytes = read_bytes(&a.claims, "claims file", MAX_SMALL_FILE)?;
    let claims = wallet_core::credential::input::parse_claims(claims_bytes).map_err(|e| {
        let hint = match e {
            ClaimsInputError::LooksGbk => format!(
                "convert it to UTF-8 and pass the new file: iconv -f GBK -t UTF-8 {0} > {0}.utf8",
                a.claims.display()
            ),
            ClaimsInputError::NotJson { .. } => "check the file with a JSON validator".to_owned(),
            _ => "write the claims as a JSON object {\"name\": …, …}; `wallet types` lists them"
                .to_owned(),
        };
        CliError::input(format!(
            "claims file {}: {e} ({})",
            a.claims.display(),
            e.code()
        ))
        .hint(hint)
    })?;
    let now = now_or(a.now.as_deref())?;
    let expires = expiry(&a.validity, now)?;
    let input = IssueInput {
        ty,
        iss: &a.iss,
        claims: &claims,
        holder,
        now,
        expires,
        strict_validity: a.strict_validity,
        no_status: a.no_status,
    };
    if let Some(out) = &a.out {
        json_or_stdout(a.json, out)?;
    }
    // `--out -` is stdout, as no --out is.
    let file = a.out.as_deref().filter(|p| !is_stdout(p));
    // The output file is checked and its temporary file created before the index is allocated:
    // an existing file (without --force) or a bad directory must not cost a status index or an
    // issuance-log line for a credential nobody receives.
    let prepared = file.map(|out| PreparedOut::new(out, a.force)).transpose()?;
    let (credential, id) = issue_one(&input, &key, a.status_registry.as_deref())?;
    match (file, prepared) {
        (Some(out), Some(prepared)) => {
            prepared.write(format!("{credential}\n").as_bytes())?;
            eprintln!(
                "issued {} credential {id} to {}",
                ty.short_name,
                out.display()
            );
        }
        _ => {
            if !a.json {
                outln!("{credential}").map_err(|e| undelivered(e, &id))?;
            }
            eprintln!("issued {} credential {id}", ty.short_name);
        }
    }
    if a.json {
        let mut obj = json!({"id": id, "type": ty.short_name, "vct": ty.vct,
                             "file": file.map(|f| f.display().to_string())});
        if file.is_none()
            && let Value::Object(m) = &mut obj
        {
            m.insert("credential".into(), Value::from(credential.as_str()));
        }
        print_json("issue", obj).map_err(|e| {
            if file.is_none() {
                undelivered(e, &id)
            } else {
                e
            }
        })?;
    }
    Ok(id)
}

/// A credential issued (and logged, with a registry) whose stdout was closed before it was
/// written: unlike a read-only command, this is not a quiet stop — the credential exists and
/// nobody has it.
fn undelivered(e: CliError, id: &str) -> CliError {
    if !e.is_quiet() {
        return e;
    }
    CliError::input(format!(
        "standard output was closed before credential {id} was written: it was issued (and, with \
         a status registry, logged) but not delivered"
    ))
    .hint("revoke it with `wallet status revoke --credential-id ID` if it was logged, and issue again with --out FILE")
    .with_code("cli.io")
}

/// The `--out` file of `wallet issue`, prepared before anything is spent: the name is checked
/// (an existing file needs `--force`) and a temporary file (mode 0600) is created in the target
/// directory, so that a missing or unwritable directory fails here. [`PreparedOut::write`]
/// then fills it, fsyncs it and renames it into place (without `--force`, refusing a file that
/// appeared meanwhile), so the credential is never seen half-written under its name.
pub struct PreparedOut {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
    force: bool,
}

impl PreparedOut {
    /// Checks `path` and creates the temporary file beside it.
    pub fn new(path: &Path, force: bool) -> CliResult<Self> {
        const WHAT: &str = "credential file";
        let exists = || {
            CliError::input(format!("{WHAT} {} already exists", path.display()))
                .hint("pass --force to replace it, or choose another path")
        };
        if path.is_dir() {
            return Err(
                CliError::input(format!("{WHAT} {} is a directory", path.display()))
                    .hint("give a file name for --out"),
            );
        }
        if !force && std::fs::symlink_metadata(path).is_ok() {
            return Err(exists());
        }
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut prefix = std::ffi::OsString::from(".");
        prefix.push(path.file_name().unwrap_or_default());
        prefix.push(".tmp-");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            builder.permissions(std::fs::Permissions::from_mode(0o600));
        }
        let tmp = builder
            .tempfile_in(dir)
            .map_err(|e| io_error(e, WHAT, path))?;
        Ok(Self {
            tmp,
            path: path.to_owned(),
            force,
        })
    }

    /// Writes `bytes`, makes them durable and gives the file its name.
    pub fn write(mut self, bytes: &[u8]) -> CliResult {
        const WHAT: &str = "credential file";
        let path = self.path;
        self.tmp
            .write_all(bytes)
            .and_then(|()| self.tmp.as_file().sync_all())
            .map_err(|e| io_error(e, WHAT, &path))?;
        let persisted = if self.force {
            self.tmp.persist(&path)
        } else {
            self.tmp.persist_noclobber(&path)
        };
        persisted.map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                CliError::input(format!("{WHAT} {} already exists", path.display()))
                    .hint("pass --force to replace it, or choose another path")
            } else {
                io_error(e.error, WHAT, &path)
            }
        })?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        wallet_core::fsutil::sync_dir(dir).map_err(|e| io_error(e, WHAT, &path))
    }
}
