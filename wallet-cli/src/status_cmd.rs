//! `wallet status …`: the agency's status registry and its issuance log. The registry's
//! transaction rules and the log format are wallet-core's ([`wallet_core::issuer`]); this file
//! words their errors for the terminal, with what to do next.

use crate::cli::{StatusInitArgs, StatusPublishArgs, StatusSetArgs};
use crate::common::{
    CliError, CliResult, add_secs, format_time, io_error, now_or, parse_duration, write_file,
    write_public,
};
use crate::output::{is_stdout, outln, print_json, refuse_stdout};
use crate::trust_cmd::json_or_stdout;
use serde_json::json;
use std::path::Path;
use wallet_core::error::codes;
use wallet_core::issuer::IssuerError;
use wallet_core::issuer::log::{find_index, log_path};
use wallet_core::issuer::transaction;
use wallet_core::issuer::{REGISTRY_LOCK_TIMEOUT, RegistryLock, StatusRegistry};
use wallet_core::keys::KeySigner;
use wallet_core::status::{
    Bits, StatusError, StatusListClaims, StatusValue, sign_status_list_token,
};

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
    transaction::lock_registry(path, REGISTRY_LOCK_TIMEOUT).map_err(registry_err)
}

/// What to do about `status.registry_locked`.
const LOCKED_HINT: &str = "nothing was changed; another `wallet` command (a running issue-batch, \
                           issue, status change or publish) holds the registry: wait for it to \
                           finish, then run this again";

fn lock_err(path: &Path, e: &StatusError) -> CliError {
    let hint = if *e.info() == codes::STATUS_REGISTRY_LOCKED {
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
    transaction::load_locked(lock).map_err(registry_err)
}

/// Saves a registry file atomically, under its lock.
pub fn save_registry(lock: &RegistryLock, registry: &StatusRegistry) -> CliResult {
    transaction::save_locked(lock, registry).map_err(registry_err)
}

/// The error for a failure of the issuer service that is not about the credential: the
/// registry (read, lock, save, allocation) and the issuer's files.
pub fn registry_err(e: IssuerError) -> CliError {
    match e {
        IssuerError::ReadRegistry { path, source } => read_registry_err(&path, &source),
        IssuerError::LockRegistry { path, source } => lock_err(&path, &source),
        IssuerError::SaveRegistry { path, source } => CliError::input(format!(
            "cannot write status registry {}: {source} ({})",
            path.display(),
            source.code()
        ))
        .hint("check the disk; the registry was not changed"),
        IssuerError::Allocate { source, .. } => status_err(&source),
        IssuerError::Io { what, path, source } => io_error(source, what, &path),
        IssuerError::CredentialId(e) => {
            CliError::input(format!("cannot compute the credential id: {e}"))
        }
        e => CliError::input(format!("{e} ({})", e.code())).with_code(e.code()),
    }
}

/// Finds a credential's index in the issuance log.
fn find_in_log(registry: &Path, id: &str) -> CliResult<u64> {
    find_index(registry, id)
        .map_err(registry_err)?
        .ok_or_else(|| {
            CliError::input(format!(
                "credential {id} is not in the issuance log {}",
                log_path(registry).display()
            ))
            .hint("check the id (`wallet holder list` shows it), or revoke by --index")
        })
}

pub fn status_err(e: &StatusError) -> CliError {
    let hint = match *e.info() {
        codes::STATUS_VALUE_TOO_WIDE => "suspension needs a registry made with --bits 2",
        codes::STATUS_REVOCATION_IS_FINAL => "a revoked credential stays revoked; issue a new one",
        codes::STATUS_NOT_ALLOCATED => "that index was never given to a credential",
        codes::STATUS_REGISTRY_FULL => "start a new status list with `wallet status init`",
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
    key: &(impl KeySigner + ?Sized),
    iss: Option<&str>,
    now: i64,
    valid_for: u64,
    ttl: Option<u64>,
    aggregation_uri: Option<&str>,
) -> CliResult<String> {
    let claims = StatusListClaims {
        uri: registry.uri().to_owned(),
        iss: iss.map(str::to_owned),
        iat: now,
        exp: Some(add_secs(now, valid_for)),
        ttl,
        aggregation_uri: aggregation_uri.map(str::to_owned),
    };
    sign_status_list_token(&claims, registry.list(), key).map_err(|e| status_err(&e))
}

/// `wallet status publish`
pub fn status_publish(a: &StatusPublishArgs) -> CliResult {
    json_or_stdout(a.json, &a.out)?;
    let key = crate::hsm::load_issuer_key(&a.issuer_key, "issuer key")?;
    let now = now_or(a.now.as_deref())?;
    let valid_for = parse_duration(&a.valid_for)?;
    // Publishing does not change the registry, but it takes the lock anyway and keeps it until
    // the token is written: two publishes racing on one output could otherwise finish in the
    // wrong order, leaving a token read before a revocation in place of one read after it — a
    // revocation lost for verifiers until the next publish.
    let lock = lock_registry(&a.registry)?;
    let registry = load_locked(&lock)?;
    if a.aggregation_uri.as_deref().is_some_and(str::is_empty) {
        return Err(CliError::usage("--aggregation-uri must not be empty"));
    }
    let token = publish_token(
        &registry,
        &key,
        a.iss.as_deref(),
        now,
        valid_for,
        a.ttl,
        a.aggregation_uri.as_deref(),
    )?;
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
