//! Writes show-certificate QR codes as PNGs plus `manifest.json` (file, expected text, QR
//! version, ECC level) into OUTDIR, for the independent-scanner check
//! `interop/python/scan_qr.py` (zxing-cpp must read every file back to the same text, version
//! and ECC level). Payloads are synthetic `CW1:` + alphanumeric text of several lengths for now.
//!
//! Usage: `cargo run -p wallet-core --example qr_samples -- OUTDIR`

use std::path::Path;
use std::process::ExitCode;

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use wallet_core::qr::render::{EccLevel, RenderOptions, encode_matrix, render_png};

const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// (payload length, ECC level, pixels per module): from a small code to the realistic
/// 800–1000 characters at M, and one past version 20.
const SAMPLES: [(usize, EccLevel, u32); 8] = [
    (40, EccLevel::H, 6),
    (100, EccLevel::M, 4),
    (300, EccLevel::Q, 4),
    (500, EccLevel::L, 3),
    (800, EccLevel::M, 4),
    (900, EccLevel::M, 3),
    (970, EccLevel::M, 4),
    (1500, EccLevel::L, 3),
];

/// `CW1:` followed by seeded pseudo-random base45-like text, `len` characters in all.
fn payload(len: usize, seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut s = String::from("CW1:");
    while s.len() < len {
        let i = usize::try_from(rng.next_u32() % 45).unwrap_or(0);
        s.push(char::from(ALPHANUMERIC.get(i).copied().unwrap_or(b'0')));
    }
    s
}

fn run(dir: &Path) -> Result<usize, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut manifest = Vec::new();
    for (seed, (len, ecc, module_px)) in (1_u64..).zip(SAMPLES) {
        let text = payload(len, seed);
        let matrix = encode_matrix(&text, ecc).map_err(|e| e.to_string())?;
        let opts = RenderOptions {
            ecc,
            module_px,
            ..RenderOptions::default()
        };
        let png = render_png(&text, &opts).map_err(|e| e.to_string())?;
        let file = format!("synthetic-{len}-{ecc}.png");
        std::fs::write(dir.join(&file), png).map_err(|e| format!("cannot write {file}: {e}"))?;
        manifest.push(serde_json::json!({
            "file": file,
            "text": text,
            "version": matrix.version(),
            "ecc": ecc.as_str(),
        }));
    }
    let json = serde_json::to_string_pretty(&serde_json::json!({ "samples": manifest }))
        .map_err(|e| e.to_string())?;
    std::fs::write(dir.join("manifest.json"), json)
        .map_err(|e| format!("cannot write manifest.json: {e}"))?;
    Ok(manifest.len())
}

fn main() -> ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: qr_samples OUTDIR");
        return ExitCode::from(2);
    };
    match run(Path::new(&dir)) {
        Ok(n) => {
            println!("wrote {n} QR samples and manifest.json to {dir}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
