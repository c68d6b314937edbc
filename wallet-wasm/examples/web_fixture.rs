//! Writes what the web verifier's tests need into OUTDIR, made at `now` (default: the clock):
//! a trust list under a pinned root, a status list with one licence revoked, and four
//! show-certificate codes of a driving licence — valid, revoked, stale (shown an hour ago) and
//! tampered — each with the report wallet-core's verifier gives at `now`, and, for the three
//! the camera shows, the QR code as a PNG and as a Y4M video for Chromium's fake camera
//! (`--use-file-for-fake-video-capture`).
//!
//! ```text
//! OUTDIR/setup/bundle.json      {"root_jwk", "trust_list", "status_lists": [token]}
//! OUTDIR/setup/root.jwk.json, trust-list.jws, status-list.jwt   the same, one file each
//! OUTDIR/cases.json             {"now", "cases": {NAME: {"payload", "report_zh", "report_en"}}}
//! OUTDIR/camera/NAME.png, NAME.y4m   valid, revoked, stale
//! ```
//!
//! Keys are derived from fixed labels: test data only, never for real credentials.
//!
//! Usage: `cargo run -p wallet-wasm --example web_fixture -- OUTDIR [NOW]`

// A test-data generator on fixed frame sizes: the pixel arithmetic and slicing cannot go out of
// range (a code too large for the frame is refused before drawing).
#![allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng as _;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use std::path::Path;
use std::process::ExitCode;
use wallet_core::credential::StatusRef;
use wallet_core::credential::catalogue::{self, Lang};
use wallet_core::holder::present;
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::keys::{PublicKey, SigningKey};
use wallet_core::qr::freshness::offline_key_binding;
use wallet_core::qr::render::{EccLevel, RenderOptions, encode_matrix, render_png};
use wallet_core::qr::transport;
use wallet_core::sdjwt::ClaimPath;
use wallet_core::status::{
    Bits, StatusList, StatusListClaims, StatusValue, sign_status_list_token,
};
use wallet_core::trust::TrustListBuilder;
use wallet_core::verifier::{Verifier, default_config};

const ISSUER: &str = "https://jtgl.sh.gov.cn/issuer";
const STATUS_URI: &str = "https://jtgl.sh.gov.cn/status/1";
const VALID_IDX: u64 = 4_711;
const REVOKED_IDX: u64 = 9_001;
const DAY: i64 = 86_400;
/// Camera frame size (VGA, what a counter webcam gives at least).
const FRAME: (usize, usize) = (640, 480);
/// Frames in each video; Chromium loops the file.
const FRAMES: usize = 10;

fn key(label: &str) -> SigningKey {
    SigningKey::from_seed(&Sha256::digest(label.as_bytes()).into())
}

/// The code's QR symbol drawn on a white VGA frame as a Y4M video (4:2:0, grey: U = V = 128).
fn y4m(payload: &str) -> Result<Vec<u8>, String> {
    let matrix = encode_matrix(payload, EccLevel::M).map_err(|e| e.to_string())?;
    let (w, h) = FRAME;
    let modules = matrix.size() + 8;
    let scale = (h - 20) / modules;
    if scale < 2 {
        return Err(format!(
            "a version-{} code does not fit a {w}×{h} frame",
            matrix.version()
        ));
    }
    let side = modules * scale;
    let (left, top) = ((w - side) / 2, (h - side) / 2);
    let mut luma = vec![235u8; w * h];
    for y in 0..matrix.size() {
        for x in 0..matrix.size() {
            if matrix.is_dark(x, y) {
                for dy in 0..scale {
                    let row = top + (y + 4) * scale + dy;
                    let start = row * w + left + (x + 4) * scale;
                    luma[start..start + scale].fill(16);
                }
            }
        }
    }
    let chroma = vec![128u8; (w / 2) * (h / 2)];
    let mut out = format!("YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg\n").into_bytes();
    for _ in 0..FRAMES {
        out.extend_from_slice(b"FRAME\n");
        out.extend_from_slice(&luma);
        out.extend_from_slice(&chroma);
        out.extend_from_slice(&chroma);
    }
    Ok(out)
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn run(dir: &Path, now: i64) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let root = key("web fixture trust root");
    let issuer = key("web fixture traffic police 2026");
    let holder = key("web fixture holder");
    let licence = catalogue::by_name("driving-licence").map_err(|e| err(&e))?;

    let mut builder = TrustListBuilder::new("cn-sh-web-fixture", 1);
    builder
        .add_issuer(
            ISSUER,
            "上海市公安局交通警察总队",
            "Shanghai Traffic Police",
            &[licence.vct.as_str()],
        )
        .map_err(|e| err(&e))?
        .add_key(ISSUER, &issuer.verifying_key(), now - 365 * DAY, None)
        .map_err(|e| err(&e))?;
    let trust_list = builder
        .sign(now - DAY, now + 7 * DAY, &root)
        .map_err(|e| err(&e))?;
    let root_jwk = PublicKey::from(root.verifying_key()).to_jwk();

    let mut list = StatusList::new(Bits::One, 16_384).map_err(|e| err(&e))?;
    list.set(REVOKED_IDX, StatusValue::INVALID)
        .map_err(|e| err(&e))?;
    let status = sign_status_list_token(
        &StatusListClaims {
            uri: STATUS_URI.into(),
            iss: Some(ISSUER.into()),
            iat: now - 3_600,
            exp: Some(now + DAY),
            ttl: Some(43_200),
            aggregation_uri: None,
        },
        &list,
        &issuer,
    )
    .map_err(|e| err(&e))?;

    let claims = licence.example_claims();
    let credential = |idx: u64, seed: u64| -> Result<String, String> {
        let mut request = CredentialRequest::for_type(
            licence,
            ISSUER,
            &claims,
            holder.verifying_key(),
            now - 30 * DAY,
        )
        .map_err(|e| err(&e))?;
        request.status = Some(StatusRef {
            idx,
            uri: STATUS_URI.into(),
        });
        issue_credential(&request, &issuer, &mut ChaCha20Rng::seed_from_u64(seed))
            .map_err(|e| err(&e))
    };
    // What a holder shows at a hotel desk: name, licence number and class, validity.
    let disclose: Vec<ClaimPath> = ["name", "licence_number", "licence_class", "valid_until"]
        .iter()
        .map(|p| p.parse::<ClaimPath>().map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    let mut rng = ChaCha20Rng::seed_from_u64(now.unsigned_abs());
    let code = |credential: &str, shown_at: i64, rng: &mut ChaCha20Rng| -> Result<String, String> {
        let kb = offline_key_binding(shown_at, rng);
        let presentation =
            present(credential, &disclose, Some(&kb), &holder).map_err(|e| err(&e))?;
        transport::encode(&presentation).map_err(|e| err(&e))
    };
    let valid = code(&credential(VALID_IDX, 1)?, now, &mut rng)?;
    let revoked = code(&credential(REVOKED_IDX, 2)?, now, &mut rng)?;
    let stale = code(&credential(VALID_IDX, 3)?, now - 3_600, &mut rng)?;
    // One character of the signed part changed, as a forger editing a pasted code would.
    let tampered = {
        let mut chars: Vec<char> = valid.chars().collect();
        let at = chars.len() / 2;
        if let Some(c) = chars.get_mut(at) {
            *c = if *c == 'A' { 'B' } else { 'A' };
        }
        chars.into_iter().collect::<String>()
    };

    let setup = dir.join("setup");
    let camera = dir.join("camera");
    for d in [&setup, &camera] {
        std::fs::create_dir_all(d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
    }
    write(
        &setup.join("bundle.json"),
        serde_json::to_string_pretty(&json!({
            "root_jwk": root_jwk, "trust_list": trust_list, "status_lists": [status],
        }))
        .map_err(|e| err(&e))?,
    )?;
    write(&setup.join("root.jwk.json"), root_jwk.to_string())?;
    write(&setup.join("trust-list.jws"), &trust_list)?;
    write(&setup.join("status-list.jwt"), &status)?;

    // Each case's report from a fresh verifier (as the page has after loading the setup), in
    // both languages.
    let report = |payload: &str, lang: Lang| -> Result<Value, String> {
        let mut verifier = Verifier::new(&trust_list, &root.verifying_key(), now, default_config())
            .map_err(|e| err(&e))?;
        verifier.add_status_list(&status).map_err(|e| err(&e))?;
        Ok(verifier.verify_report(payload, now, lang))
    };
    let mut cases = serde_json::Map::new();
    for (name, payload) in [
        ("valid", &valid),
        ("revoked", &revoked),
        ("stale", &stale),
        ("tampered", &tampered),
    ] {
        cases.insert(
            name.into(),
            json!({
                "payload": payload,
                "report_zh": report(payload, Lang::Zh)?,
                "report_en": report(payload, Lang::En)?,
            }),
        );
        if name != "tampered" {
            let png = render_png(payload, &RenderOptions::default()).map_err(|e| err(&e))?;
            write(&camera.join(format!("{name}.png")), png)?;
            write(&camera.join(format!("{name}.y4m")), y4m(payload)?)?;
        }
    }
    write(
        &dir.join("cases.json"),
        serde_json::to_string_pretty(&json!({"now": now, "cases": cases})).map_err(|e| err(&e))?,
    )?;
    Ok(())
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: web_fixture OUTDIR [NOW]");
        return ExitCode::from(2);
    };
    let now = match args.next() {
        Some(n) => match n.parse() {
            Ok(n) => n,
            Err(_) => {
                eprintln!("NOW must be unix seconds");
                return ExitCode::from(2);
            }
        },
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0)),
    };
    match run(Path::new(&dir), now) {
        Ok(()) => {
            println!("web fixture for now = {now} written to {dir}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
