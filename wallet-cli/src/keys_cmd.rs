//! `wallet key` and `wallet types`: the agency's and the trust-list operator's keys, and the
//! credential-type catalogue (docs/cli.md).

use crate::cli::{KeyAlg, KeyFormat, KeyGenerateArgs, KeyPublicArgs, TypesArgs};
use crate::common::{CliError, CliResult, load_signing_key, write_file};
use crate::output::{outln, print_json, refuse_stdout};
use serde_json::json;
use std::path::Path;
use wallet_core::credential::catalogue;
use wallet_core::credential::catalogue::CredentialType;
use wallet_core::keys::{PrivateKey, PublicKey};

/// Generates a key of `alg`, writes it (PKCS#8 PEM that `openssl pkey` reads, or a private JWK)
/// and returns its public key.
pub fn generate_key_file(
    out: &Path,
    alg: KeyAlg,
    format: KeyFormat,
    force: bool,
) -> CliResult<PublicKey> {
    refuse_stdout(out, "--out", "private key")?;
    let key = PrivateKey::generate(alg.algorithm(), &mut rand_core::OsRng)
        .map_err(|e| CliError::input(format!("cannot generate the key: {e}")))?;
    let text = match format {
        KeyFormat::Pem => key
            .to_pkcs8_pem()
            .map_err(|e| CliError::input(format!("cannot encode the key: {e}")))?,
        KeyFormat::Jwk => {
            let mut jwk = key.to_jwk_string();
            jwk.push('\n');
            jwk
        }
    };
    write_file(out, text.as_bytes(), 0o600, force, "key file")?;
    Ok(key.public_key())
}

/// `wallet key generate`: the public JWK on stdout, where the file went on stderr.
pub fn key_generate(a: &KeyGenerateArgs) -> CliResult {
    let public = generate_key_file(&a.out, a.alg, a.format, a.force)?;
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
    let public = key.public_key();
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
