//! Issuer-side keys for every command that signs (issue, issue-batch, status publish, trust
//! sign): a key file, or a key inside a PKCS#11 token named by a `pkcs11:` URI (RFC 7512). The
//! signer is wallet-core's ([`Pkcs11Signer`]); this module finds the module, asks for the PIN
//! and words the errors (docs/keys.md).
//!
//! The module path comes from `--pkcs11-module` or `WALLET_PKCS11_MODULE`; the PIN from
//! `WALLET_PKCS11_PIN` or a no-echo prompt — never an argument, never printed. The module is
//! loaded once per run (PKCS#11 allows one initialisation per process).

use crate::common::{CliError, CliResult, load_signing_key};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use wallet_core::issuer::pkcs11::{HsmError, Pkcs11Module, Pkcs11Signer, Pkcs11Uri};
use wallet_core::keys::{Algorithm, KeyError, KeySigner, PrivateKey, PublicKey};
use zeroize::Zeroizing;

static MODULE_PATH: OnceLock<Option<PathBuf>> = OnceLock::new();
static MODULE: OnceLock<Pkcs11Module> = OnceLock::new();

/// Records `--pkcs11-module` (called once, before any command runs).
pub fn set_module_path(path: Option<PathBuf>) {
    let _ = MODULE_PATH.set(path);
}

/// The error for a PKCS#11 failure, with its `hsm.*` code and what to do.
pub fn hsm_err(e: &HsmError) -> CliError {
    let hint = match e {
        HsmError::Module(_) => {
            "give the HSM vendor's PKCS#11 library with --pkcs11-module or WALLET_PKCS11_MODULE (SoftHSM2: /usr/lib/softhsm/libsofthsm2.so)"
        }
        HsmError::Uri(_) => "write the key as pkcs11:token=LABEL;object=NAME (RFC 7512)",
        HsmError::WrongPin => "set WALLET_PKCS11_PIN to the token's user PIN",
        _ => "docs/keys.md describes HSM keys",
    };
    CliError::input(format!("{e} ({})", e.code()))
        .hint(hint)
        .with_code(e.code())
}

fn module() -> CliResult<&'static Pkcs11Module> {
    if let Some(m) = MODULE.get() {
        return Ok(m);
    }
    let path = MODULE_PATH
        .get()
        .and_then(Option::as_deref)
        .ok_or_else(|| {
            hsm_err(&HsmError::Module(
                "no PKCS#11 module given for the pkcs11: key".into(),
            ))
        })?;
    let loaded = Pkcs11Module::load(path).map_err(|e| hsm_err(&e))?;
    Ok(MODULE.get_or_init(|| loaded))
}

/// The token's user PIN: `$WALLET_PKCS11_PIN`, else a prompt on the terminal.
fn pin() -> CliResult<Zeroizing<String>> {
    if let Ok(pin) = std::env::var("WALLET_PKCS11_PIN") {
        return Ok(Zeroizing::new(pin));
    }
    rpassword::prompt_password("PKCS#11 user PIN: ")
        .map(Zeroizing::new)
        .map_err(|_| {
            CliError::input(
                "no PKCS#11 PIN: WALLET_PKCS11_PIN is not set and there is no terminal to ask",
            )
            .hint("set WALLET_PKCS11_PIN")
        })
}

/// Whether a key argument names a PKCS#11 key rather than a file.
pub fn is_pkcs11(arg: &Path) -> bool {
    arg.to_str().is_some_and(|s| s.starts_with("pkcs11:"))
}

fn uri(arg: &Path) -> CliResult<Pkcs11Uri> {
    Pkcs11Uri::parse(arg.to_str().unwrap_or_default()).map_err(|e| hsm_err(&e))
}

/// Opens the PKCS#11 key `arg` names.
pub fn open(arg: &Path) -> CliResult<Pkcs11Signer> {
    let uri = uri(arg)?;
    let module = module()?;
    let pin = pin()?;
    Pkcs11Signer::open(module, &uri, &pin).map_err(|e| hsm_err(&e))
}

/// Generates a non-extractable key of `algorithm` in the token `arg` names.
pub fn generate(arg: &Path, algorithm: Algorithm) -> CliResult<PublicKey> {
    let uri = uri(arg)?;
    let module = module()?;
    let pin = pin()?;
    Pkcs11Signer::generate(module, &uri, &pin, algorithm).map_err(|e| hsm_err(&e))
}

/// An issuer-side signing key: a key file, or a key in a PKCS#11 token.
#[derive(Debug)]
pub enum IssuerKey {
    /// PKCS#8 PEM or private JWK file (tests and small deployments).
    File(Box<PrivateKey>),
    /// A key inside a PKCS#11 token.
    Hsm(Box<Pkcs11Signer>),
}

impl KeySigner for IssuerKey {
    fn key_algorithm(&self) -> Algorithm {
        match self {
            Self::File(k) => k.key_algorithm(),
            Self::Hsm(k) => k.key_algorithm(),
        }
    }
    fn public(&self) -> PublicKey {
        match self {
            Self::File(k) => KeySigner::public(k.as_ref()),
            Self::Hsm(k) => k.public(),
        }
    }
    fn sign_message(&self, message: &[u8]) -> Result<[u8; 64], KeyError> {
        match self {
            Self::File(k) => k.sign_message(message),
            Self::Hsm(k) => k.sign_message(message),
        }
    }
}

impl IssuerKey {
    /// The RFC 7638 thumbprint of its public key (the `kid` it signs under).
    pub fn thumbprint(&self) -> String {
        KeySigner::public(self).thumbprint()
    }
}

/// The key `arg` names: a `pkcs11:` URI or a key file.
pub fn load_issuer_key(arg: &Path, what: &str) -> CliResult<IssuerKey> {
    if is_pkcs11(arg) {
        return open(arg).map(|k| IssuerKey::Hsm(Box::new(k)));
    }
    load_signing_key(arg, what).map(|k| IssuerKey::File(Box::new(k)))
}
