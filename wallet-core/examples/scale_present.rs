//! The holder side of the national-scale check (issue 22, docs/scale.md): turns sampled issued
//! credentials into the offline show-certificate codes a verifier scans, so that
//! `wallet verify-batch` can check them through the Status List Aggregation.
//!
//! Input (stdin): JSON lines `{"id": ID, "credential": "<jwt>~<d>~…~", "holder_key": PEM_PATH}`.
//! Output (stdout): JSON lines `{"id": ID, "payload": "CW1:…"}` — `verify-batch` input — each a
//! presentation disclosing `name` and `licence_class` (or the claims named, comma-separated, by
//! the first argument), key-bound to the offline audience with a
//! fresh nonce at the current time, exactly as `wallet present` makes one.
//!
//! Usage: `cargo run -p wallet-core --example scale_present [CLAIM,…] < sample.jsonl > scans.jsonl`

use std::collections::HashMap;
use std::io::{BufRead as _, Write as _};
use std::process::ExitCode;
use wallet_core::holder::present;
use wallet_core::keys::PrivateKey;
use wallet_core::qr::freshness::offline_key_binding;
use wallet_core::qr::transport;
use wallet_core::sdjwt::ClaimPath;

fn run() -> Result<(), String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs();
    let now = i64::try_from(now).map_err(|e| e.to_string())?;
    // The claims shown: the first argument (comma-separated), else name and licence class.
    let shown = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "name,licence_class".into());
    let disclose: Vec<ClaimPath> = shown.split(',').map(ClaimPath::top).collect();
    // Holder keys are few (the generator rotates a handful); read each PEM once.
    let mut keys: HashMap<String, PrivateKey> = HashMap::new();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (i, line) in std::io::stdin().lock().lines().enumerate() {
        let n = i.saturating_add(1);
        let line = line.map_err(|e| format!("stdin: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(&line).map_err(|e| format!("line {n}: {e}"))?;
        let field = |k: &str| {
            v.get(k)
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| format!("line {}: no {k:?}", n))
        };
        let (id, credential, key_path) = (field("id")?, field("credential")?, field("holder_key")?);
        if !keys.contains_key(key_path) {
            let pem = std::fs::read_to_string(key_path).map_err(|e| format!("{key_path}: {e}"))?;
            let key = PrivateKey::from_pkcs8_pem(&pem).map_err(|e| format!("{key_path}: {e}"))?;
            keys.insert(key_path.to_owned(), key);
        }
        let key = keys
            .get(key_path)
            .ok_or_else(|| format!("{key_path}: not loaded"))?;
        let kb = offline_key_binding(now, &mut rand_core::OsRng);
        let presentation =
            present(credential, &disclose, Some(&kb), key).map_err(|e| format!("line {n}: {e}"))?;
        let payload = transport::encode(&presentation).map_err(|e| format!("line {n}: {e}"))?;
        let record = serde_json::json!({"id": id, "payload": payload});
        writeln!(out, "{record}").map_err(|e| format!("stdout: {e}"))?;
    }
    out.flush().map_err(|e| format!("stdout: {e}"))
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scale_present: {e}");
            ExitCode::from(2)
        }
    }
}
