//! `wallet issue`: one credential. The issuance transaction (status index, signing, issuance
//! log, in the order that never gives an index twice) is wallet-core's
//! [`IssuanceService`]; this file reads the arguments and files, prepares the output so that
//! nothing is spent on a credential nobody could receive, and words the errors.

use crate::cli::{IssueArgs, Validity};
use crate::common::{
    CliError, CliResult, MAX_SMALL_FILE, add_secs, format_time, io_error, load_public_key, now_or,
    parse_duration, parse_time, read_bytes,
};
use crate::output::{is_stdout, outln, print_json};
use crate::status_cmd::registry_err;
use crate::trust_cmd::json_or_stdout;
use crate::types_cmd::credential_type;
use serde_json::{Map, Value, json};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use wallet_core::credential::VcError;
use wallet_core::credential::catalogue::{CatalogueError, CredentialType};
use wallet_core::credential::input::ClaimsInputError;
use wallet_core::error::codes;
use wallet_core::issuer::CredentialRequest;
use wallet_core::issuer::{IssuanceService, IssuerError};
use wallet_core::keys::{KeySigner, PublicKey};
use wallet_core::sdjwt::SdAlg;

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
    let hint = match *e.info() {
        codes::VC_STATUS_REQUIRED => STATUS_REQUIRED_HINT,
        codes::VC_EXPIRY_AFTER_DOCUMENT => {
            "shorten --valid-for / --expires to the document's validity, or drop --strict-validity to cap it"
        }
        codes::CATALOGUE_DOCUMENT_EXPIRED => {
            "the document has expired: issue from its renewed record instead"
        }
        _ => crate::common::hint_for(e.info()),
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
    pub holder: PublicKey,
    /// `iat`.
    pub now: i64,
    /// `exp`, if not the type's default (capped to the document's validity either way).
    pub expires: Option<i64>,
    /// Refuse an `exp` after the document's validity instead of capping it.
    pub strict_validity: bool,
    /// Issue without a status list entry although the type requires one.
    pub no_status: bool,
    /// `_sd_alg` (`sm3`: the GM profile's digests).
    pub sd_alg: SdAlg,
}

/// The `--sd-alg` value (clap admits only `sha-256` and `sm3`).
pub fn sd_alg(name: &str) -> SdAlg {
    SdAlg::from_name(name).unwrap_or_default()
}

/// Issues one credential through wallet-core's [`IssuanceService`], allocating a status index
/// (saved before the credential exists, so an index is never given twice) and logging it when a
/// registry is given. Returns the credential and its id.
pub fn issue_one(
    input: &IssueInput<'_>,
    key: &(impl KeySigner + ?Sized),
    registry_path: Option<&Path>,
) -> CliResult<(String, String)> {
    let mut request = CredentialRequest::for_type(
        input.ty,
        input.iss,
        input.claims,
        input.holder.clone(),
        input.now,
    )
    .map_err(|e| issue_err(&e))?;
    if let Some(exp) = input.expires {
        request.expires_at = exp;
    }
    request.strict_validity = input.strict_validity;
    request.sd_alg = input.sd_alg;
    if input.no_status {
        request = request.without_status();
    }
    // Refusals come before an index is allocated, so a refused credential spends none (the
    // service checks again; this keeps the CLI's order of messages).
    wallet_core::issuer::check_status_choice(input.ty, registry_path.is_some(), input.no_status)
        .map_err(|e| issue_err(&e))?;
    let expires_at = request.effective_expiry().map_err(|e| issue_err(&e))?;
    if expires_at < request.expires_at
        && let Some((field, _)) = &request.document_validity
    {
        eprintln!(
            "note: expiry capped to {} (end of the document's {field}, 24:00 China Standard Time)",
            format_time(expires_at)
        );
    }
    let mut service = IssuanceService::new(key);
    if let Some(path) = registry_path {
        service = service.with_registry(path);
    }
    let issued = service
        .issue(request, &mut rand_core::OsRng)
        .map_err(issuer_err)?;
    Ok((issued.credential, issued.id))
}

/// The error for a failure of the issuance transaction.
pub fn issuer_err(e: IssuerError) -> CliError {
    match e {
        IssuerError::Credential(e) => issue_err(&e),
        e => registry_err(e),
    }
}

/// `wallet issue`: returns the credential id.
pub fn issue(a: &IssueArgs) -> CliResult<String> {
    let ty = credential_type(&a.credential_type)?;
    check_status_choice(ty, a.status_registry.as_deref(), a.no_status)?;
    let key = crate::hsm::load_issuer_key(&a.issuer_key, "issuer key")?;
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
        sd_alg: sd_alg(&a.sd_alg),
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
