//! The command-line contract (docs/cli.md), as clap derive definitions: the one place the
//! commands, their arguments and help texts are declared, also used for completions and the
//! man page.
//!
//! Flag names follow one scheme (docs/cli.md, "Flags"): `--out` for every output file,
//! `--status-registry` for the registry, one duration syntax (`90s`, `15m`, `12h`, `30d`, `5y`)
//! for every duration; the spellings used before are kept as hidden aliases so scripts keep
//! working.

use crate::common::seconds_arg;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Issue, show and verify electronic certificates (SD-JWT VC) and their QR codes.
#[derive(Debug, Parser)]
#[command(name = "wallet", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// A directory of credential-type documents (SD-JWT VC Type Metadata, `*.json`) added to
    /// the built-in types, for every command that names a type.
    #[arg(long, global = true, value_name = "DIR", env = "WALLET_TYPES_DIR")]
    pub types_dir: Option<PathBuf>,
    /// The PKCS#11 module (the HSM vendor's shared library) for keys given as `pkcs11:` URIs;
    /// the token's PIN comes from WALLET_PKCS11_PIN or a prompt (docs/keys.md).
    #[arg(long, global = true, value_name = "LIB", env = "WALLET_PKCS11_MODULE")]
    pub pkcs11_module: Option<PathBuf>,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ed25519 key files (issuing agencies, trust-list roots).
    #[command(subcommand)]
    Key(KeyCommand),
    /// Credential types: list them, or check and add an agency's own type document.
    Types(TypesArgs),
    /// Maintain and sign the trust list (trust-list operator).
    #[command(subcommand)]
    Trust(TrustCommand),
    /// Issue one credential (issuing agency).
    Issue(IssueArgs),
    /// Issue credentials for every line of a JSONL file (issuing agency).
    IssueBatch(IssueBatchArgs),
    /// Revocation: the status registry and Token Status Lists.
    #[command(subcommand)]
    Status(StatusCommand),
    /// The holder's encrypted wallet store.
    #[command(subcommand)]
    Holder(HolderCommand),
    /// Show a stored credential as a QR code, disclosing only the chosen claims.
    Present(PresentArgs),
    /// Verify a shown certificate against the trust list and cached status lists.
    Verify(VerifyArgs),
    /// Verify many presentations (JSONL in, JSONL results out), e.g. an audit of a day of scans.
    VerifyBatch(VerifyBatchArgs),
    /// Decode a QR payload, credential or token without verifying it.
    Inspect(InspectArgs),
    /// Run the end-to-end demo: agency, trust list, holder, QR, verifier, revocation.
    Demo(DemoArgs),
    /// Print shell completions.
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write every command's man page to a directory.
    Man(ManArgs),
}

/// `wallet man`
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write wallet.1 and one page per subcommand (wallet-issue.1, wallet-status-revoke.1, …)
    /// into this directory instead of printing the top page.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Algorithm of a generated key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyAlg {
    /// Ed25519 (JWS `EdDSA`), the default.
    Ed25519,
    /// ECDSA on P-256 with SHA-256 (JWS `ES256`).
    P256,
    /// SM2 with SM3 (JWS `SM2`, GM/T 0003).
    Sm2,
}

impl KeyAlg {
    /// The library's algorithm.
    pub fn algorithm(self) -> wallet_core::keys::Algorithm {
        match self {
            Self::Ed25519 => wallet_core::keys::Algorithm::EdDsa,
            Self::P256 => wallet_core::keys::Algorithm::Es256,
            Self::Sm2 => wallet_core::keys::Algorithm::Sm2,
        }
    }
}

/// Output format of a key file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyFormat {
    /// PKCS#8 PEM (the form OpenSSL 3 reads).
    Pem,
    /// Private JWK (RFC 8037).
    Jwk,
}

/// `wallet key …`
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a private key file (mode 0600; Ed25519 unless --alg) and print its public JWK.
    Generate(KeyGenerateArgs),
    /// Print the public JWK of a private key file.
    Public(KeyPublicArgs),
}

/// `wallet key generate`
#[derive(Debug, Args)]
pub struct KeyGenerateArgs {
    /// Where to write the private key (created new, mode 0600; not `-`).
    #[arg(long, required_unless_present = "pkcs11", conflicts_with = "pkcs11")]
    pub out: Option<PathBuf>,
    /// Generate the key inside a PKCS#11 token instead, non-extractable, named by this URI
    /// (`pkcs11:token=…;object=…`); needs --pkcs11-module and the PIN (docs/keys.md).
    #[arg(long, value_name = "URI")]
    pub pkcs11: Option<PathBuf>,
    /// Key algorithm.
    #[arg(long, value_enum, default_value_t = KeyAlg::Ed25519)]
    pub alg: KeyAlg,
    /// File format.
    #[arg(long, value_enum, default_value_t = KeyFormat::Pem)]
    pub format: KeyFormat,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
    /// Print one JSON object (docs/cli.md, "JSON output").
    #[arg(long)]
    pub json: bool,
}

/// `wallet key public`
#[derive(Debug, Args)]
pub struct KeyPublicArgs {
    /// Private key file (PEM or JWK), or a `pkcs11:` URI of a key in a token.
    pub file: PathBuf,
    /// Print one JSON object (docs/cli.md, "JSON output").
    #[arg(long)]
    pub json: bool,
}

/// `wallet types`
#[derive(Debug, Args)]
pub struct TypesArgs {
    /// What to do (default: list).
    #[command(subcommand)]
    pub command: Option<TypesCommand>,
    /// Print the types as one JSON object (docs/cli.md, "JSON output"; `list` only).
    #[arg(long)]
    pub json: bool,
}

/// `wallet types …`
#[derive(Debug, Subcommand)]
pub enum TypesCommand {
    /// List the built-in types and those of --types-dir (the default).
    List,
    /// Check a type document (SD-JWT VC Type Metadata) without adding it.
    Check(TypesFileArgs),
    /// Check a type document and add it to --types-dir.
    Add(TypesAddArgs),
    /// Print a type's document exactly (the octets its integrity covers).
    Show(TypesShowArgs),
}

/// `wallet types check`
#[derive(Debug, Args)]
pub struct TypesFileArgs {
    /// The type document.
    pub file: PathBuf,
}

/// `wallet types add`
#[derive(Debug, Args)]
pub struct TypesAddArgs {
    /// The type document.
    pub file: PathBuf,
    /// Replace a different file of the same name in the types directory.
    #[arg(long)]
    pub force: bool,
}

/// `wallet types show`
#[derive(Debug, Args)]
pub struct TypesShowArgs {
    /// Short name, vct or display name of the type.
    pub name: String,
}

/// `wallet trust …`
#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Start an unsigned trust-list draft.
    Init(TrustInitArgs),
    /// List an issuing agency with its key and the types it may issue.
    AddIssuer(TrustAddIssuerArgs),
    /// Remove an issuing agency: none of its credentials verify against the next list.
    RemoveIssuer(TrustRemoveIssuerArgs),
    /// Add another key to a listed agency (key rotation).
    AddKey(TrustAddKeyArgs),
    /// Remove a key (compromise): no credential it signed verifies against the next list.
    RemoveKey(TrustRemoveKeyArgs),
    /// Sign the draft with the root key, producing the trust list verifiers use.
    Sign(TrustSignArgs),
    /// Print a signed trust list (verified when --trust-root is given).
    Show(TrustShowArgs),
}

/// `wallet trust init`
#[derive(Debug, Args)]
pub struct TrustInitArgs {
    /// Where to write the draft (a file later commands edit; not `-`).
    #[arg(long)]
    pub out: PathBuf,
    /// The list's identifier (verifiers follow one list id).
    #[arg(long, default_value = "cn-wallet-trust-list")]
    pub list_id: String,
    /// Replace an existing draft.
    #[arg(long)]
    pub force: bool,
    /// Print one JSON object (docs/cli.md, "JSON output").
    #[arg(long)]
    pub json: bool,
}

/// `wallet trust add-issuer`
#[derive(Debug, Args)]
pub struct TrustAddIssuerArgs {
    /// The trust-list draft.
    #[arg(long)]
    pub list: PathBuf,
    /// The agency's identifier (`iss` of its credentials).
    #[arg(long)]
    pub iss: String,
    /// Name in Chinese.
    #[arg(long)]
    pub name_zh: String,
    /// Name in English.
    #[arg(long)]
    pub name_en: String,
    /// The agency's public JWK (file or inline JSON).
    #[arg(long)]
    pub key: String,
    /// Credential types it may issue (short names or vct), comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub types: Vec<String>,
    /// First issuance time the key is valid for (RFC 3339 or date; default now).
    #[arg(long)]
    pub not_before: Option<String>,
    /// First issuance time the key is no longer valid for.
    #[arg(long)]
    pub not_after: Option<String>,
    /// Print one JSON object (docs/cli.md, "JSON output").
    #[arg(long)]
    pub json: bool,
}

/// `wallet trust remove-issuer`
#[derive(Debug, Args)]
pub struct TrustRemoveIssuerArgs {
    /// The trust-list draft.
    #[arg(long)]
    pub list: PathBuf,
    /// The agency's identifier.
    #[arg(long)]
    pub iss: String,
    /// Print one JSON object (docs/cli.md, "JSON output").
    #[arg(long)]
    pub json: bool,
}

/// `wallet trust add-key`
#[derive(Debug, Args)]
pub struct TrustAddKeyArgs {
    /// The trust-list draft.
    #[arg(long)]
    pub list: PathBuf,
    /// The agency's identifier.
    #[arg(long)]
    pub iss: String,
    /// The new public JWK (file or inline JSON).
    #[arg(long)]
    pub key: String,
    /// First issuance time the key is valid for (default now).
    #[arg(long)]
    pub not_before: Option<String>,
    /// First issuance time the key is no longer valid for.
    #[arg(long)]
    pub not_after: Option<String>,
    /// Print one JSON object (docs/cli.md, "JSON output").
    #[arg(long)]
    pub json: bool,
}

/// `wallet trust remove-key`
#[derive(Debug, Args)]
pub struct TrustRemoveKeyArgs {
    /// The trust-list draft.
    #[arg(long)]
    pub list: PathBuf,
    /// The agency's identifier.
    #[arg(long)]
    pub iss: String,
    /// The key's id (RFC 7638 thumbprint, as `trust show` prints it).
    #[arg(long)]
    pub kid: String,
    /// Print one JSON object (docs/cli.md, "JSON output").
    #[arg(long)]
    pub json: bool,
}

/// `wallet trust sign`
#[derive(Debug, Args)]
pub struct TrustSignArgs {
    /// The trust-list draft.
    #[arg(long)]
    pub list: PathBuf,
    /// The root private key.
    #[arg(long)]
    pub root_key: PathBuf,
    /// Where to write the signed list (a JWS; `-` for stdout).
    #[arg(long)]
    pub out: PathBuf,
    /// How long until the next version is due (the list is stale after it).
    #[arg(long, default_value = "30d")]
    pub valid_for: String,
    /// Signing time (RFC 3339; default now).
    #[arg(long)]
    pub now: Option<String>,
    /// Print one JSON object (docs/cli.md, "JSON output").
    #[arg(long)]
    pub json: bool,
}

/// `wallet trust show`
#[derive(Debug, Args)]
pub struct TrustShowArgs {
    /// The signed trust list.
    pub file: PathBuf,
    /// The pinned root public JWK; without it the list is shown unverified.
    #[arg(long)]
    pub trust_root: Option<String>,
    /// Verification time (RFC 3339; default now).
    #[arg(long)]
    pub now: Option<String>,
    /// Print one JSON object (docs/cli.md, "JSON output").
    #[arg(long)]
    pub json: bool,
}

/// When an issued credential expires.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct Validity {
    /// Expiry (RFC 3339 or date). Default: the type's default validity.
    #[arg(long)]
    pub expires: Option<String>,
    /// Lifetime from issuance, e.g. 365d.
    #[arg(long)]
    pub valid_for: Option<String>,
}

/// `wallet issue`
#[derive(Debug, Args)]
pub struct IssueArgs {
    /// The agency's private key.
    #[arg(long)]
    pub issuer_key: PathBuf,
    /// The agency's identifier (as listed in the trust list).
    #[arg(long)]
    pub iss: String,
    /// Credential type: short name (e.g. driving-licence), vct, or name (e.g. 驾驶证).
    #[arg(long = "type")]
    pub credential_type: String,
    /// The type's claims as a JSON object (file, or - for stdin).
    #[arg(long)]
    pub claims: PathBuf,
    /// The holder's public JWK (file or inline JSON), from `wallet holder new-key`.
    #[arg(long)]
    pub holder_jwk: String,
    /// Status registry: allocates the credential an index so it can be revoked (required for
    /// the built-in types unless --no-status).
    #[arg(long)]
    pub status_registry: Option<PathBuf>,
    /// Issue a credential that can never be revoked (no status list entry).
    #[arg(long, conflicts_with = "status_registry")]
    pub no_status: bool,
    /// Expiry.
    #[command(flatten)]
    pub validity: Validity,
    /// Refuse (instead of capping) an expiry later than the end of the document's own
    /// validity (e.g. a driving licence's valid_until).
    #[arg(long)]
    pub strict_validity: bool,
    /// Disclosure digest algorithm (`_sd_alg`): sha-256, or sm3 for the GM profile (with an
    /// SM2 agency key; any key algorithm is accepted). Verifiers that know only sha-256 refuse
    /// sm3 credentials.
    #[arg(long, value_name = "ALG", default_value = "sha-256", value_parser = ["sha-256", "sm3"])]
    pub sd_alg: String,
    /// Issuance time (RFC 3339; default now).
    #[arg(long)]
    pub now: Option<String>,
    /// Write the credential here (mode 0600) instead of stdout; `-` is stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing --out file.
    #[arg(long)]
    pub force: bool,
    /// Print one JSON object (docs/cli.md, "JSON output").
    #[arg(long)]
    pub json: bool,
}

/// `wallet issue-batch`
#[derive(Debug, Args)]
pub struct IssueBatchArgs {
    /// The agency's private key.
    #[arg(long)]
    pub issuer_key: PathBuf,
    /// The agency's identifier.
    #[arg(long)]
    pub iss: String,
    /// Credential type: short name, vct, or name (e.g. 驾驶证).
    #[arg(long = "type")]
    pub credential_type: String,
    /// JSONL input: one `{"claims": {...}, "holder_jwk": {...}}` per line (- for stdin).
    #[arg(long)]
    pub input: PathBuf,
    /// JSONL output: one `{"line", "id", "status_idx", "credential"}` per issued line (- for
    /// stdout). Written as OUT.partial and renamed to OUT when the batch completes.
    #[arg(long = "out", alias = "output", value_name = "OUT")]
    pub output: PathBuf,
    /// Where bad lines are reported (default: OUT.errors.jsonl; with --out -, stderr).
    #[arg(long)]
    pub errors: Option<PathBuf>,
    /// Status registry: every credential gets an index (required for the built-in types
    /// unless --no-status).
    #[arg(long)]
    pub status_registry: Option<PathBuf>,
    /// Issue credentials that can never be revoked (no status list entries).
    #[arg(long, conflicts_with = "status_registry")]
    pub no_status: bool,
    /// This batch is one shard of a larger issuance (docs/scale.md): the id (1-64 of A-Z a-z
    /// 0-9 . _ -) goes into every output and issuance-log line, and the status registry must
    /// hold the shard's own list (its URI ends in /ID).
    #[arg(long, value_name = "ID")]
    pub shard: Option<String>,
    /// Expiry.
    #[command(flatten)]
    pub validity: Validity,
    /// Refuse (instead of capping) an expiry later than the end of the document's own
    /// validity (e.g. a driving licence's valid_until).
    #[arg(long)]
    pub strict_validity: bool,
    /// Disclosure digest algorithm (`_sd_alg`): sha-256, or sm3 for the GM profile (with an
    /// SM2 agency key; any key algorithm is accepted). Verifiers that know only sha-256 refuse
    /// sm3 credentials.
    #[arg(long, value_name = "ALG", default_value = "sha-256", value_parser = ["sha-256", "sm3"])]
    pub sd_alg: String,
    /// Issuance time (RFC 3339; default now).
    #[arg(long)]
    pub now: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Replace existing output and errors files when the batch completes (never an
    /// interrupted batch's OUT.partial: that needs --resume, or removing it by hand).
    #[arg(long)]
    pub force: bool,
    /// Continue an interrupted batch (OUT.partial) after its last durable line, with the same
    /// input, type, issuer and registry.
    #[arg(long)]
    pub resume: bool,
    /// Print one JSON summary object on stdout (needs --out FILE).
    #[arg(long)]
    pub json: bool,
}

/// `wallet status …`
#[derive(Debug, Subcommand)]
pub enum StatusCommand {
    /// Create a status registry (the agency's private bookkeeping of one status list).
    Init(StatusInitArgs),
    /// Revoke a credential (final).
    Revoke(StatusSetArgs),
    /// Suspend a credential (needs --bits 2).
    Suspend(StatusSetArgs),
    /// Lift a suspension.
    Reinstate(StatusSetArgs),
    /// Sign the current list as a Status List Token for verifiers.
    Publish(StatusPublishArgs),
    /// Verifier side: store a Status List Token in the offline cache, after checking it.
    Cache(StatusCacheArgs),
}

/// `wallet status init`
#[derive(Debug, Args)]
pub struct StatusInitArgs {
    /// The list URI credentials will reference (the token's `sub`).
    #[arg(long)]
    pub uri: String,
    /// Where to write the registry (mode 0600, locked while in use; not `-`).
    #[arg(long)]
    pub out: PathBuf,
    /// Bits per credential: 1 (valid/revoked) or 2 (also suspended).
    #[arg(long, default_value = "1", value_parser = ["1", "2", "4", "8"])]
    pub bits: String,
    /// Number of indices.
    #[arg(long, default_value_t = 1 << 24)]
    pub capacity: u64,
    /// Replace an existing registry.
    #[arg(long)]
    pub force: bool,
    /// Print one JSON object (docs/cli.md, "JSON output").
    #[arg(long)]
    pub json: bool,
}

/// Which credential a status change applies to.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct Target {
    /// The credential's index in the list.
    #[arg(long)]
    pub index: Option<u64>,
    /// The credential's id (from the issuance log; `wallet holder list` shows the same id).
    // Ids are base64url: one in 64 starts with `-`, which must not be taken for a flag.
    #[arg(long, allow_hyphen_values = true)]
    pub credential_id: Option<String>,
}

/// `wallet status revoke|suspend|reinstate`
#[derive(Debug, Args)]
pub struct StatusSetArgs {
    /// The status registry.
    #[arg(
        long = "status-registry",
        alias = "registry",
        value_name = "STATUS_REGISTRY"
    )]
    pub registry: PathBuf,
    /// The credential.
    #[command(flatten)]
    pub target: Target,
    /// Print one JSON object (docs/cli.md, "JSON output").
    #[arg(long)]
    pub json: bool,
}

/// `wallet status publish`
#[derive(Debug, Args)]
pub struct StatusPublishArgs {
    /// The status registry.
    #[arg(
        long = "status-registry",
        alias = "registry",
        value_name = "STATUS_REGISTRY"
    )]
    pub registry: PathBuf,
    /// The agency's private key (one listed in the trust list).
    #[arg(long)]
    pub issuer_key: PathBuf,
    /// Where to write the token (`-` for stdout).
    #[arg(long)]
    pub out: PathBuf,
    /// The agency's identifier, written as the token's `iss` (recommended).
    #[arg(long)]
    pub iss: Option<String>,
    /// How long verifiers may use the token.
    #[arg(long, default_value = "1d")]
    pub valid_for: String,
    /// How long a copy may be cached before a fresh one should be fetched (e.g. 1h; a bare
    /// number is seconds).
    #[arg(long, value_parser = seconds_arg)]
    pub ttl: Option<u64>,
    /// Where the agency publishes its Status List Aggregation (all its lists, e.g. one per
    /// shard): written into the token as `status_list.aggregation_uri`.
    #[arg(long, value_name = "URI")]
    pub aggregation_uri: Option<String>,
    /// Signing time (RFC 3339; default now).
    #[arg(long)]
    pub now: Option<String>,
    /// Print one JSON object (docs/cli.md, "JSON output").
    #[arg(long)]
    pub json: bool,
}

/// `wallet status cache`
#[derive(Debug, Args)]
pub struct StatusCacheArgs {
    /// The Status List Tokens to store (one or more).
    #[arg(required = true, num_args = 1..)]
    pub token: Vec<PathBuf>,
    /// A Status List Aggregation (`{"status_lists": [URI, ...]}`): every token must be one of
    /// its lists, and each of its lists must be among the tokens.
    #[arg(long, value_name = "FILE")]
    pub aggregation: Option<PathBuf>,
    /// The verifier's status cache directory.
    #[arg(long)]
    pub status_cache: PathBuf,
    /// The signed trust list.
    #[arg(long, env = "WALLET_TRUST_LIST")]
    pub trust_list: PathBuf,
    /// The pinned root public JWK (file or inline).
    #[arg(long, env = "WALLET_TRUST_ROOT")]
    pub trust_root: String,
    /// Time of the check (RFC 3339; default now).
    #[arg(long)]
    pub now: Option<String>,
    /// Print one JSON object (docs/cli.md, "JSON output").
    #[arg(long)]
    pub json: bool,
}

/// The holder store.
#[derive(Debug, Args)]
pub struct StoreArg {
    /// The store directory (holds wallet.store). Passphrase: $WALLET_PASSPHRASE or a prompt.
    #[arg(long, env = "WALLET_STORE")]
    pub store: PathBuf,
}

/// `wallet holder …`
#[derive(Debug, Subcommand)]
pub enum HolderCommand {
    /// Create an empty encrypted store.
    Init(HolderInitArgs),
    /// Make a fresh holder key and print its public JWK for the agency.
    NewKey(HolderNewKeyArgs),
    /// Import a credential as issued (verified against the trust list first).
    Import(HolderImportArgs),
    /// List stored credentials (no claim values).
    #[command(alias = "ls")]
    List(HolderListArgs),
    /// Remove a stored credential (and its now unused holder key).
    #[command(alias = "rm")]
    Remove(HolderRemoveArgs),
}

/// `wallet holder init`
#[derive(Debug, Args)]
pub struct HolderInitArgs {
    /// The store.
    #[command(flatten)]
    pub store: StoreArg,
    /// Delete an existing store first (its credentials and keys are lost).
    #[arg(long)]
    pub force: bool,
    /// Print one JSON object (docs/cli.md, "JSON output").
    #[arg(long)]
    pub json: bool,
}

/// `wallet holder new-key`
#[derive(Debug, Args)]
pub struct HolderNewKeyArgs {
    /// The store.
    #[command(flatten)]
    pub store: StoreArg,
    /// Key algorithm: p256 for a verifier that asks for ES256 (the OpenID4VC high-assurance
    /// profile), sm2 for Chinese government systems.
    #[arg(long, value_enum, default_value_t = KeyAlg::Ed25519)]
    pub alg: KeyAlg,
    /// Print one JSON object (docs/cli.md, "JSON output").
    #[arg(long)]
    pub json: bool,
}

/// `wallet holder import`
#[derive(Debug, Args)]
pub struct HolderImportArgs {
    /// The store.
    #[command(flatten)]
    pub store: StoreArg,
    /// The credential file (- for stdin).
    pub file: PathBuf,
    /// The signed trust list.
    #[arg(long, env = "WALLET_TRUST_LIST")]
    pub trust_list: PathBuf,
    /// The pinned root public JWK (file or inline).
    #[arg(long, env = "WALLET_TRUST_ROOT")]
    pub trust_root: String,
    /// Time of the check (RFC 3339; default now).
    #[arg(long)]
    pub now: Option<String>,
    /// Print one JSON object (docs/cli.md, "JSON output").
    #[arg(long)]
    pub json: bool,
}

/// `wallet holder list`
#[derive(Debug, Args)]
pub struct HolderListArgs {
    /// The store.
    #[command(flatten)]
    pub store: StoreArg,
    /// Print one JSON object (docs/cli.md, "JSON output").
    #[arg(long)]
    pub json: bool,
}

/// `wallet holder remove`
#[derive(Debug, Args)]
pub struct HolderRemoveArgs {
    /// The store.
    #[command(flatten)]
    pub store: StoreArg,
    /// The credential id (from `wallet holder list`).
    #[arg(allow_hyphen_values = true)]
    pub id: String,
    /// Print one JSON object (docs/cli.md, "JSON output").
    #[arg(long)]
    pub json: bool,
}

/// `wallet present`
#[derive(Debug, Args)]
pub struct PresentArgs {
    /// The store.
    #[command(flatten)]
    pub store: StoreArg,
    /// The credential id (from `wallet holder list`), or a type (e.g. 结婚证) of which the
    /// store holds one credential.
    #[arg(long, allow_hyphen_values = true)]
    pub credential: String,
    /// Claims to disclose, comma-separated (e.g. name,age_over_18).
    #[arg(long, value_delimiter = ',')]
    pub disclose: Vec<String>,
    /// The verifier's identifier (challenge mode; needs --nonce).
    #[arg(long, requires = "nonce")]
    pub aud: Option<String>,
    /// The verifier's challenge nonce (needs --aud).
    #[arg(long, requires = "aud")]
    pub nonce: Option<String>,
    /// Also write the QR code as a PNG (`-` for stdout: the payload line then goes to stderr).
    #[arg(long)]
    pub qr_png: Option<PathBuf>,
    /// Also write the QR code as an SVG (`-` for stdout: the payload line then goes to stderr).
    #[arg(long)]
    pub qr_svg: Option<PathBuf>,
    /// Also draw the QR code in the terminal (warns when the terminal is too narrow for it).
    #[arg(long)]
    pub qr_terminal: bool,
    /// Print the standard SD-JWT+KB string instead of the QR payload.
    #[arg(long)]
    pub sd_jwt: bool,
    /// Keep redrawing a fresh offline code in the terminal every DURATION (e.g. 30s; a bare
    /// number is seconds).
    #[arg(long, value_name = "DURATION", value_parser = seconds_arg, conflicts_with_all = ["aud", "nonce"])]
    pub refresh: Option<u64>,
    /// With --refresh: stop after this many codes.
    #[arg(long, requires = "refresh")]
    pub count: Option<u64>,
    /// Presentation time (RFC 3339; default now).
    #[arg(long)]
    pub now: Option<String>,
    /// Print one JSON object (docs/cli.md, "JSON output") with the payload.
    #[arg(long, conflicts_with_all = ["refresh", "qr_terminal"])]
    pub json: bool,
}

/// Display language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    /// Simplified Chinese.
    Zh,
    /// English.
    En,
}

/// `wallet verify`
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// `-` reads the payload (or SD-JWT+KB string) from stdin.
    #[arg(value_name = "-", conflicts_with_all = ["payload", "qr_image"])]
    pub stdin: Option<String>,
    /// The QR payload (CW1:…) or a standard SD-JWT+KB string.
    #[arg(long, conflicts_with = "qr_image")]
    pub payload: Option<String>,
    /// A photo or image of the QR code (PNG or JPEG).
    #[arg(long)]
    pub qr_image: Option<PathBuf>,
    /// The signed trust list.
    #[arg(long, env = "WALLET_TRUST_LIST")]
    pub trust_list: PathBuf,
    /// The pinned root public JWK (file or inline).
    #[arg(long, env = "WALLET_TRUST_ROOT")]
    pub trust_root: String,
    /// Directory of cached Status List Tokens (`wallet status cache`).
    #[arg(long)]
    pub status_cache: Option<PathBuf>,
    /// Accept a credential whose status list is not cached or expired (reported as unknown).
    #[arg(long)]
    pub allow_unknown_status: bool,
    /// Accept a credential without a status list entry (one that can never be revoked).
    #[arg(long)]
    pub allow_no_status: bool,
    /// Accept a trust list past its next update (reported as stale).
    #[arg(long)]
    pub allow_stale_trust_list: bool,
    /// Accepted signature algorithms for every key (issuer, holder, trust-list root, status
    /// list signer), comma-separated JWS names: EdDSA (or Ed25519), ES256, SM2.
    #[arg(long, value_parser = crate::common::algs_arg, default_value = "EdDSA,ES256,SM2")]
    pub algs: wallet_core::keys::AlgSet,
    /// Verification time (RFC 3339; default now).
    #[arg(long)]
    pub now: Option<String>,
    /// Oldest accepted key-binding signature (e.g. 5m; a bare number is seconds).
    #[arg(long, value_parser = seconds_arg, default_value_t = wallet_core::qr::freshness::DEFAULT_WINDOW_SECONDS)]
    pub max_age: u64,
    /// Tolerated clock difference (e.g. 2m; a bare number is seconds).
    #[arg(long, value_parser = seconds_arg, default_value_t = wallet_core::qr::freshness::DEFAULT_SKEW_SECONDS)]
    pub clock_skew: u64,
    /// Warn (stderr, and `warnings` in --json) when the status list used is older than this.
    #[arg(long, value_parser = seconds_arg, default_value = "1d")]
    pub status_max_age: u64,
    /// Remember accepted codes in FILE (created if missing, locked while in use, shared by every
    /// verifier naming it), so that a code shown again within its window is refused as a replay
    /// (exit 1), also by a later run.
    #[arg(long, value_name = "FILE")]
    pub replay_cache: Option<PathBuf>,
    /// Expected audience (challenge mode; needs --nonce).
    #[arg(long, requires = "nonce")]
    pub aud: Option<String>,
    /// Expected nonce (challenge mode; needs --aud).
    #[arg(long, requires = "aud")]
    pub nonce: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Language of labels and names.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
}

/// `wallet verify-batch`
#[derive(Debug, Args)]
pub struct VerifyBatchArgs {
    /// Input: one presentation per line, either a JSON object {"payload": "CW1:…" or an
    /// SD-JWT+KB string, "now": RFC 3339 or unix seconds, "aud", "nonce", "id"} or the bare
    /// payload text; `-` for stdin.
    #[arg(long)]
    pub input: PathBuf,
    /// Output: one JSON result per input line, in input order (the `verify --json` object plus
    /// `line` and `id`); `-` for stdout.
    #[arg(long = "out", alias = "output", value_name = "OUT")]
    pub output: PathBuf,
    /// The signed trust list.
    #[arg(long, env = "WALLET_TRUST_LIST")]
    pub trust_list: PathBuf,
    /// The pinned root public JWK (file or inline).
    #[arg(long, env = "WALLET_TRUST_ROOT")]
    pub trust_root: String,
    /// Directory of cached Status List Tokens (`wallet status cache`).
    #[arg(long)]
    pub status_cache: Option<PathBuf>,
    /// Accept credentials whose status list is not cached or expired (reported as unknown).
    #[arg(long)]
    pub allow_unknown_status: bool,
    /// Accept a credential without a status list entry (one that can never be revoked).
    #[arg(long)]
    pub allow_no_status: bool,
    /// Accept a trust list past its next update (reported as stale).
    #[arg(long)]
    pub allow_stale_trust_list: bool,
    /// Accepted signature algorithms for every key (issuer, holder, trust-list root, status
    /// list signer), comma-separated JWS names: EdDSA (or Ed25519), ES256, SM2.
    #[arg(long, value_parser = crate::common::algs_arg, default_value = "EdDSA,ES256,SM2")]
    pub algs: wallet_core::keys::AlgSet,
    /// Verification time for lines without their own "now" (RFC 3339; default now).
    #[arg(long)]
    pub now: Option<String>,
    /// Oldest accepted key-binding signature before the line's time (e.g. 5m; a bare number
    /// is seconds).
    #[arg(long, value_parser = seconds_arg, default_value_t = wallet_core::qr::freshness::DEFAULT_WINDOW_SECONDS)]
    pub max_age: u64,
    /// Tolerated clock difference (e.g. 2m; a bare number is seconds).
    #[arg(long, value_parser = seconds_arg, default_value_t = wallet_core::qr::freshness::DEFAULT_SKEW_SECONDS)]
    pub clock_skew: u64,
    /// Mark results (`status.list_age_seconds`, `warnings`) whose status list is older than
    /// this.
    #[arg(long, value_parser = seconds_arg, default_value = "1d")]
    pub status_max_age: u64,
    /// Refuse a presentation already accepted earlier in the input (`qr.replay`). Off by
    /// default: this command audits codes already scanned, which are not replays of each other
    /// unless asked to check.
    #[arg(long)]
    pub detect_replay: bool,
    /// Also refuse presentations accepted by any verifier using FILE (`verify --replay-cache`),
    /// and record the accepted ones there; implies --detect-replay.
    #[arg(long, value_name = "FILE")]
    pub replay_cache: Option<PathBuf>,
    /// Worker threads (default: every core).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
    /// Language of labels in the results.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
    /// Print a JSON summary object on stdout (not with `--out -`).
    #[arg(long)]
    pub json: bool,
}

/// `wallet inspect`
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// A QR payload, SD-JWT, JWS, or a file holding one (- for stdin).
    pub input: String,
    /// Print JSON (inspect's only output format: accepted so that every command takes it).
    #[arg(long)]
    pub json: bool,
}

/// `wallet demo`
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Base directory (default: $XDG_DATA_HOME/cert-wallet/demo); each run gets a new
    /// subdirectory.
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// `wallet completions`
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::{Cli, Command, HolderCommand, StatusCommand};
    use clap::Parser as _;

    /// Credential ids are base64url, so one in 64 starts with `-`: every place that takes an id
    /// must read it as a value, not as an unknown flag.
    #[test]
    fn credential_ids_may_start_with_a_hyphen() {
        let id = "-AbCdEfGhIjKlMnOpQrStU";
        let revoke = Cli::try_parse_from([
            "wallet",
            "status",
            "revoke",
            "--status-registry",
            "r",
            "--credential-id",
            id,
        ])
        .unwrap();
        assert!(matches!(
            revoke.command,
            Command::Status(StatusCommand::Revoke(a)) if a.target.credential_id.as_deref() == Some(id)
        ));
        let present =
            Cli::try_parse_from(["wallet", "present", "--store", "s", "--credential", id]).unwrap();
        assert!(matches!(present.command, Command::Present(a) if a.credential == id));
        let remove =
            Cli::try_parse_from(["wallet", "holder", "remove", "--store", "s", id]).unwrap();
        assert!(matches!(
            remove.command,
            Command::Holder(HolderCommand::Remove(a)) if a.id == id
        ));
    }
}
