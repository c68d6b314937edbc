//! `wallet key`: the agency's and the trust-list operator's keys (docs/cli.md).

use crate::cli::{KeyAlg, KeyFormat, KeyGenerateArgs, KeyPublicArgs};
use crate::common::{CliError, CliResult, load_signing_key, write_file};
use crate::output::{outln, print_json, refuse_stdout};
use serde_json::json;
use std::path::Path;
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
    let (public, place) = match (&a.pkcs11, &a.out) {
        (Some(uri), _) => {
            let public = crate::hsm::generate(uri, a.alg.algorithm())?;
            eprintln!(
                "generated a non-extractable {} key in the token; kid {}",
                a.alg.algorithm(),
                public.thumbprint()
            );
            (public, uri.display().to_string())
        }
        (None, Some(out)) => {
            let public = generate_key_file(out, a.alg, a.format, a.force)?;
            eprintln!(
                "wrote private key {} (mode 0600); kid {}",
                out.display(),
                public.thumbprint()
            );
            (public, out.display().to_string())
        }
        (None, None) => return Err(CliError::input("give --out FILE or --pkcs11 URI")),
    };
    if a.json {
        return print_json(
            "key-generate",
            json!({"file": place, "kid": public.thumbprint(), "public_jwk": public.to_jwk()}),
        );
    }
    outln!("{}", public.to_jwk())
}

/// `wallet key public`
pub fn key_public(a: &KeyPublicArgs) -> CliResult {
    if crate::hsm::is_pkcs11(&a.file) {
        // A token key: its public half, and what the token says about the private half.
        let signer = crate::hsm::open(&a.file)?;
        let public = wallet_core::keys::KeySigner::public(&signer);
        let custody = signer.custody().map_err(|e| crate::hsm::hsm_err(&e))?;
        eprintln!(
            "private key in the token: extractable {}, sensitive {}, never extractable {}, value readable {}",
            custody.extractable,
            custody.sensitive,
            custody.never_extractable,
            custody.value_readable
        );
        if a.json {
            return print_json(
                "key-public",
                json!({"kid": public.thumbprint(), "public_jwk": public.to_jwk(), "custody": custody}),
            );
        }
        return outln!("{}", public.to_jwk());
    }
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
