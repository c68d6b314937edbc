//! Writes test-vectors/qr/payloads.json: for every valid credential vector, its presentation and
//! the `CW1:` payload our encoder makes of it, plus the frame streams in hex, so that another
//! implementation of docs/qr-format.md can check its decoder (and its encoder, if it uses the
//! same DEFLATE compressor settings). Run: `cargo run -p wallet-core --example gen_qr_vectors`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::{Value, json};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut names: Vec<_> = std::fs::read_dir(root.join("test-vectors/credentials"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("valid-")
        })
        .collect();
    names.sort();
    let mut cases = Vec::new();
    for path in names {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let presentation = v["presentation"].as_str().unwrap();
        // These are the version-1 (`CW1:`) vectors, which decoders keep reading.
        let payload = wallet_core::qr::transport::encode_version(
            presentation,
            wallet_core::qr::transport::Version::V1,
        )
        .unwrap();
        let (structure, raw) = wallet_core::qr::transport::frame_streams(presentation).unwrap();
        cases.push(json!({
            "source": path.file_name().unwrap().to_string_lossy(),
            "presentation": presentation,
            "structure_hex": hex(&structure),
            "raw_hex": hex(&raw),
            "payload": payload,
        }));
    }
    let out = root.join("test-vectors/qr/payloads.json");
    std::fs::write(
        &out,
        serde_json::to_string_pretty(&json!({ "version": 1, "cases": cases })).unwrap() + "\n",
    )
    .unwrap();
    println!("wrote {} cases to {}", cases.len(), out.display());
}
