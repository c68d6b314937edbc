//! The native figure beside the web verifier's per-scan time: the same camera frame (the
//! fixture's `camera/valid.y4m`, 640×480) scanned and its code verified by wallet-core on this
//! machine, median of N runs — the work the page does per scan in WebAssembly.
//!
//! Usage: `cargo run --release -p wallet-wasm --example frame_timing -- FIXTURE [N]`

// A measuring tool over the fixture's fixed 640×480 frame: offsets cannot overflow, and
// indexing a serde_json Value gives Null rather than panicking.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::indexing_slicing
)]

use serde_json::Value;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;
use wallet_core::credential::catalogue::Lang;
use wallet_core::keys::PublicKey;
use wallet_core::qr::scan::{ScanLimits, scan_luma};
use wallet_core::verifier::{Verifier, default_config};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn run(dir: &Path, n: usize) -> Result<(f64, f64), String> {
    let read = |p: &str| std::fs::read(dir.join(p)).map_err(|e| format!("{p}: {e}"));
    let video = read("camera/valid.y4m")?;
    let header_end = video
        .iter()
        .position(|&b| b == b'\n')
        .ok_or("not a Y4M file")?;
    let header = String::from_utf8_lossy(video.get(..header_end).ok_or("header")?).into_owned();
    let dim = |tag: char| -> Result<u32, String> {
        header
            .split(' ')
            .find_map(|f| f.strip_prefix(tag))
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("no {tag} in the Y4M header"))
    };
    let (w, h) = (dim('W')?, dim('H')?);
    let start = header_end + 1 + "FRAME\n".len();
    let len = usize::try_from(w * h).map_err(|e| e.to_string())?;
    let luma = video.get(start..start + len).ok_or("short frame")?;
    let cases: Value = serde_json::from_slice(&read("cases.json")?).map_err(|e| e.to_string())?;
    let bundle: Value =
        serde_json::from_slice(&read("setup/bundle.json")?).map_err(|e| e.to_string())?;
    let now = cases["now"].as_i64().ok_or("now")?;
    let root = PublicKey::from_jwk(&bundle["root_jwk"]).map_err(|e| e.to_string())?;
    let trust = bundle["trust_list"].as_str().ok_or("trust_list")?;
    let (mut scans, mut verifies) = (Vec::new(), Vec::new());
    for _ in 0..n {
        // A fresh device each time: the code is accepted once per device (replay).
        let mut verifier =
            Verifier::new(trust, &root, now, default_config()).map_err(|e| e.to_string())?;
        for token in bundle["status_lists"].as_array().ok_or("status_lists")? {
            verifier
                .add_status_list(token.as_str().ok_or("token")?)
                .map_err(|e| e.to_string())?;
        }
        let t = Instant::now();
        let text = scan_luma(luma, w, h, len / h as usize, &ScanLimits::default())
            .map_err(|e| e.to_string())?;
        scans.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let report = verifier.verify_report(&text, now, Lang::Zh);
        verifies.push(t.elapsed().as_secs_f64() * 1e3);
        if report["valid"] != true {
            return Err(format!(
                "the frame's code did not verify: {}",
                report["code"]
            ));
        }
    }
    Ok((median(scans), median(verifies)))
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: frame_timing FIXTURE [N]");
        return ExitCode::from(2);
    };
    let n = args.next().and_then(|n| n.parse().ok()).unwrap_or(50);
    match run(Path::new(&dir), n) {
        Ok((scan, verify)) => {
            println!(
                "native: 640x480 frame scan {scan:.2} ms + verify {verify:.2} ms = {:.2} ms per scan (median of {n})",
                scan + verify
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
