//! `wallet demo`: the whole flow on a fresh data directory, through the same command functions
//! the other subcommands use — agency and root keys, a signed trust list, a status list, a
//! holder store, two credentials, a QR code in the terminal and as PNG, scanned back and
//! verified, then a revocation that the next verification must report. A second agency signs
//! with SM2 (GM/T 0003, what Chinese government systems are assessed against) beside the
//! Ed25519 one, in the same trust list: its vehicle licence and its status list are verified in
//! the same flow, showing that the algorithm is each key's own (issue 17).

use crate::cli::{
    DemoArgs, KeyAlg, KeyFormat, LangArg, StatusCacheArgs, StatusInitArgs, TrustAddIssuerArgs,
    TrustInitArgs, TrustSignArgs, VerifyArgs,
};
use crate::common::{CliError, CliResult, clock_now, format_time, io_error, write_public};
use crate::holder::{create_store, presentation, terminal_qr, warn_if_too_narrow, write_png};
use crate::issue_cmd::{IssueInput, issue_one};
use crate::keys_cmd::generate_key_file;
use crate::output::{out, outln};
use crate::status_cmd::{self, StatusChange, change_status, publish_token};
use crate::trust_cmd::{self, load_trust_list};
use std::path::{Path, PathBuf};
use wallet_core::credential::catalogue;
use wallet_core::holder::Store;
use wallet_core::qr::freshness::offline_key_binding;
use wallet_core::trust::StalePolicy;

/// The demo store's passphrase: printed, because the demo must run without a prompt.
const DEMO_PASSPHRASE: &str = "demo-passphrase";
const AGENCY: &str = "https://ga.sh.gov.cn/issuer";
const STATUS_URI: &str = "https://ga.sh.gov.cn/status/1";
/// The SM2-keyed agency: the vehicle administration office, with its own status list.
const VEHICLE_OFFICE: &str = "https://cgs.sh.gov.cn/issuer";
const VEHICLE_STATUS_URI: &str = "https://cgs.sh.gov.cn/status/1";

/// `$XDG_DATA_HOME/cert-wallet/demo`, else `~/.local/share/cert-wallet/demo`, else a
/// directory under the system temporary directory.
fn default_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("cert-wallet").join("demo");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(h).join(".local/share/cert-wallet/demo");
    }
    std::env::temp_dir().join("cert-wallet-demo")
}

fn step(n: u32, text: &str) -> CliResult {
    outln!("\n== step {n}: {text}")
}

fn path_arg(p: &Path) -> String {
    p.display().to_string()
}

fn verify_args(dir: &Path, png: &Path, now: i64) -> VerifyArgs {
    VerifyArgs {
        qr_image: Some(png.to_path_buf()),
        ..payload_verify_args(dir, None, now)
    }
}

/// Verification of a pasted SD-JWT+KB string (or a QR payload), every algorithm accepted.
fn payload_verify_args(dir: &Path, payload: Option<String>, now: i64) -> VerifyArgs {
    VerifyArgs {
        stdin: None,
        payload,
        qr_image: None,
        trust_list: dir.join("trust-list.jwt"),
        trust_root: path_arg(&dir.join("root.pub.jwk")),
        status_cache: Some(dir.join("verifier-status-cache")),
        allow_unknown_status: false,
        allow_no_status: false,
        allow_stale_trust_list: false,
        algs: wallet_core::keys::AlgSet::ALL,
        now: Some(format_time(now)),
        max_age: wallet_core::qr::freshness::DEFAULT_WINDOW_SECONDS,
        clock_skew: wallet_core::qr::freshness::DEFAULT_SKEW_SECONDS,
        replay_cache: None,
        aud: None,
        nonce: None,
        json: false,
        lang: LangArg::En,
        status_max_age: 86_400,
    }
}

/// One agency's status registry file, the token file it publishes, and its `iss`.
struct StatusFiles {
    registry: &'static str,
    token: &'static str,
    iss: &'static str,
}

const AGENCY_STATUS: StatusFiles = StatusFiles {
    registry: "status.registry",
    token: "status-list.jwt",
    iss: AGENCY,
};
const VEHICLE_STATUS: StatusFiles = StatusFiles {
    registry: "vehicle-status.registry",
    token: "vehicle-status-list.jwt",
    iss: VEHICLE_OFFICE,
};

fn publish_and_cache(
    dir: &Path,
    files: &StatusFiles,
    agency_key: &wallet_core::keys::PrivateKey,
    now: i64,
) -> CliResult {
    let registry = status_cmd::load_registry(&dir.join(files.registry))?;
    let token = publish_token(
        &registry,
        agency_key,
        Some(files.iss),
        now,
        86_400,
        Some(3600),
        None,
    )?;
    let token_path = dir.join(files.token);
    write_public(
        &token_path,
        format!("{token}\n").as_bytes(),
        "status list token",
    )?;
    outln!("published {} ({} bytes)", token_path.display(), token.len())?;
    crate::verifier::status_cache(&StatusCacheArgs {
        token: vec![token_path],
        aggregation: None,
        status_cache: dir.join("verifier-status-cache"),
        trust_list: dir.join("trust-list.jwt"),
        trust_root: path_arg(&dir.join("root.pub.jwk")),
        now: Some(format_time(now)),
        json: false,
    })
}

fn show_code(store: &Store, dir: &Path, id: &str, disclose: &[&str], png: &Path) -> CliResult {
    let names: Vec<String> = disclose.iter().map(|s| (*s).to_owned()).collect();
    let paths = crate::holder::claim_paths(&names)?;
    let kb = offline_key_binding(clock_now(), &mut rand_core::OsRng);
    let (_, payload) = presentation(store, id, &paths, &kb)?;
    let drawing = terminal_qr(&payload)?;
    warn_if_too_narrow(&drawing);
    out!("{drawing}")?;
    outln!("payload ({} characters): {payload}", payload.len())?;
    write_png(&payload, png)?;
    outln!("wrote {}", png.display())?;
    let _ = dir;
    Ok(())
}

/// Runs the demo; exit 0 when every step behaved as expected, including the final rejection.
pub fn run(a: &DemoArgs) -> CliResult<u8> {
    let now = clock_now();
    let base = a.dir.clone().unwrap_or_else(default_dir);
    let stamp = format_time(now).replace([':', '-'], "");
    let dir = base.join(format!("run-{stamp}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| io_error(e, "demo directory", &dir))?;
    outln!("wallet demo in {}", dir.display())?;

    step(
        1,
        "keys: the trust-list root and the agency (Ed25519), the vehicle office (SM2); PKCS#8 PEM, mode 0600",
    )?;
    let root_pub = generate_key_file(
        &dir.join("root.pem"),
        KeyAlg::Ed25519,
        KeyFormat::Pem,
        false,
    )?;
    write_public(
        &dir.join("root.pub.jwk"),
        root_pub.to_jwk().to_string().as_bytes(),
        "root public key",
    )?;
    let agency_pub = generate_key_file(
        &dir.join("agency.pem"),
        KeyAlg::Ed25519,
        KeyFormat::Pem,
        false,
    )?;
    write_public(
        &dir.join("agency.pub.jwk"),
        agency_pub.to_jwk().to_string().as_bytes(),
        "agency public key",
    )?;
    let vehicle_pub = generate_key_file(
        &dir.join("vehicle-office.pem"),
        KeyAlg::Sm2,
        KeyFormat::Pem,
        false,
    )?;
    write_public(
        &dir.join("vehicle-office.pub.jwk"),
        vehicle_pub.to_jwk().to_string().as_bytes(),
        "vehicle office public key",
    )?;
    outln!(
        "root kid {}\nagency kid {}\nvehicle office kid {} ({})",
        root_pub.thumbprint(),
        agency_pub.thumbprint(),
        vehicle_pub.thumbprint(),
        vehicle_pub.algorithm()
    )?;

    step(
        2,
        "trust list: the agency for driving licences and resident IDs, the SM2 vehicle office for vehicle licences; sign it",
    )?;
    let draft = dir.join("trust-list.draft.json");
    trust_cmd::trust_init(&TrustInitArgs {
        out: draft.clone(),
        list_id: "demo-trust-list".into(),
        force: false,
        json: false,
    })?;
    trust_cmd::trust_add_issuer(&TrustAddIssuerArgs {
        list: draft.clone(),
        iss: AGENCY.into(),
        name_zh: "上海市公安局".into(),
        name_en: "Shanghai Public Security Bureau".into(),
        key: path_arg(&dir.join("agency.pub.jwk")),
        types: vec!["driving-licence".into(), "resident-id".into()],
        not_before: Some(format_time(now.saturating_sub(3600))),
        not_after: None,
        json: false,
    })?;
    trust_cmd::trust_add_issuer(&TrustAddIssuerArgs {
        list: draft.clone(),
        iss: VEHICLE_OFFICE.into(),
        name_zh: "上海市公安局交通警察总队车辆管理所".into(),
        name_en: "Shanghai Vehicle Administration Office".into(),
        key: path_arg(&dir.join("vehicle-office.pub.jwk")),
        types: vec!["vehicle-licence".into()],
        not_before: Some(format_time(now.saturating_sub(3600))),
        not_after: None,
        json: false,
    })?;
    trust_cmd::trust_sign(&TrustSignArgs {
        list: draft,
        root_key: dir.join("root.pem"),
        out: dir.join("trust-list.jwt"),
        valid_for: "30d".into(),
        now: Some(format_time(now)),
        json: false,
    })?;

    step(3, "status lists: a registry for revocation at each agency")?;
    let registry = dir.join(AGENCY_STATUS.registry);
    let vehicle_registry = dir.join(VEHICLE_STATUS.registry);
    for (uri, out) in [
        (STATUS_URI, &registry),
        (VEHICLE_STATUS_URI, &vehicle_registry),
    ] {
        status_cmd::status_init(&StatusInitArgs {
            uri: uri.into(),
            out: out.clone(),
            bits: "2".into(),
            capacity: 1 << 16,
            force: false,
            json: false,
        })?;
    }

    step(
        4,
        "holder: an encrypted store and one fresh holder key per credential",
    )?;
    outln!("store passphrase (demo only): {DEMO_PASSPHRASE}")?;
    let store = create_store(&dir.join("holder"), DEMO_PASSPHRASE, false)?;
    let store_err = |e: wallet_core::holder::StoreError| crate::holder::store_err(&e);
    let licence_key = store
        .new_holder_key(&mut rand_core::OsRng)
        .map_err(store_err)?;
    let id_key = store
        .new_holder_key(&mut rand_core::OsRng)
        .map_err(store_err)?;
    let vehicle_key = store
        .new_holder_key(&mut rand_core::OsRng)
        .map_err(store_err)?;
    outln!(
        "holder keys {}, {} and {}",
        licence_key.id,
        id_key.id,
        vehicle_key.id
    )?;

    step(
        5,
        "issue a driving licence and a resident ID card (Ed25519 agency), a vehicle licence (SM2 vehicle office); example claims of 张三",
    )?;
    let agency_key = crate::common::load_signing_key(&dir.join("agency.pem"), "agency key")?;
    let vehicle_office_key =
        crate::common::load_signing_key(&dir.join("vehicle-office.pem"), "vehicle office key")?;
    let mut ids = Vec::new();
    for (name, holder, iss, key, reg) in [
        (
            "driving-licence",
            licence_key.public_key,
            AGENCY,
            &agency_key,
            &registry,
        ),
        (
            "resident-id",
            id_key.public_key,
            AGENCY,
            &agency_key,
            &registry,
        ),
        (
            "vehicle-licence",
            vehicle_key.public_key,
            VEHICLE_OFFICE,
            &vehicle_office_key,
            &vehicle_registry,
        ),
    ] {
        let ty = crate::types_cmd::credential_type(name)?;
        let claims = ty.example_claims();
        let input = IssueInput {
            ty,
            iss,
            claims: &claims,
            holder,
            now,
            expires: None,
            strict_validity: false,
            no_status: false,
            sd_alg: wallet_core::sdjwt::SdAlg::Sha256,
        };
        let (credential, id) = issue_one(&input, key, Some(reg))?;
        let file = dir.join(format!("{name}.sd-jwt"));
        // A credential holds personal data: private, like every credential file.
        wallet_core::fsutil::write_atomic(&file, format!("{credential}\n").as_bytes(), 0o600)
            .map_err(|e| io_error(e, "credential", &file))?;
        outln!(
            "issued {} ({}) id {id} -> {}",
            ty.name_en,
            ty.name_zh,
            file.display()
        )?;
        ids.push((name, id, credential));
    }

    step(
        6,
        "holder imports the three credentials (each verified against the trust list)",
    )?;
    let trust = load_trust_list(
        &dir.join("trust-list.jwt"),
        &path_arg(&dir.join("root.pub.jwk")),
        now,
        StalePolicy::Fail,
    )?;
    for (name, _, credential) in &ids {
        let info = store
            .import(credential, &trust, now, &mut rand_core::OsRng)
            .map_err(store_err)?;
        outln!("imported {name} {}", info.id)?;
    }

    step(
        7,
        "both agencies publish their status lists; the verifier caches them for offline use",
    )?;
    publish_and_cache(&dir, &AGENCY_STATUS, &agency_key, now)?;
    publish_and_cache(&dir, &VEHICLE_STATUS, &vehicle_office_key, now)?;

    let (_, licence_id, _) = ids
        .first()
        .ok_or_else(|| CliError::input("no licence issued"))?;
    let disclose = ["name", "licence_class", "valid_until"];
    let dl = catalogue::by_name("driving-licence").map_err(CliError::input)?;
    step(
        8,
        &format!(
            "holder shows the {} disclosing only {}",
            dl.name_en,
            disclose.join(", ")
        ),
    )?;
    let png = dir.join("licence-qr.png");
    show_code(&store, &dir, licence_id, &disclose, &png)?;

    step(9, "verifier scans the PNG back and verifies it offline")?;
    let (first, _) = crate::verifier::verify_outcome(&verify_args(&dir, &png, clock_now()))?;

    let (_, vehicle_id, _) = ids
        .get(2)
        .ok_or_else(|| CliError::input("no vehicle licence issued"))?;
    step(
        10,
        "holder shows the SM2-signed vehicle licence (SD-JWT+KB text); the verifier checks it with the same trust list",
    )?;
    let kb = offline_key_binding(clock_now(), &mut rand_core::OsRng);
    let vehicle_paths = crate::holder::claim_paths(&["plate_number".to_owned()])?;
    let shown = store
        .present(vehicle_id, &vehicle_paths, Some(&kb), None)
        .map_err(store_err)?;
    outln!("presentation ({} characters)", shown.len())?;
    let (vehicle, _) =
        crate::verifier::verify_outcome(&payload_verify_args(&dir, Some(shown), clock_now()))?;

    step(
        11,
        "agency revokes the driving licence by credential id and republishes",
    )?;
    let idx = change_status(&registry, None, Some(licence_id), StatusChange::Revoke)?;
    outln!("revoked index {idx}")?;
    publish_and_cache(&dir, &AGENCY_STATUS, &agency_key, clock_now())?;

    step(
        12,
        "holder shows a fresh code; the verifier must now refuse it as revoked",
    )?;
    let png2 = dir.join("licence-qr-after-revocation.png");
    show_code(&store, &dir, licence_id, &disclose, &png2)?;
    let (second, code) = crate::verifier::verify_outcome(&verify_args(&dir, &png2, clock_now()))?;

    outln!()?;
    if first == 0
        && vehicle == 0
        && second == crate::common::EXIT_NEGATIVE
        && code == wallet_core::error::codes::STATUS_REVOKED.code
    {
        outln!(
            "demo complete: the licence verified, the SM2 vehicle office's licence verified, and after revocation the licence was refused as revoked"
        )?;
        outln!("files are in {}", dir.display())?;
        Ok(0)
    } else {
        Err(CliError::input(format!(
            "demo did not behave as expected (first verification exit {first}, vehicle licence exit {vehicle}, after revocation exit {second} with {code})"
        ))
        .hint("run `cargo test -p wallet-cli` and report the failure"))
    }
}
