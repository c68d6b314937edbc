//! Claims as agencies export them, through `wallet issue-batch`: a UTF-8 byte-order mark on the
//! first line is accepted, a GBK-encoded line is reported as GBK with the conversion command,
//! and a line with several claim errors reports every one of them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

fn wallet(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_wallet"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn batch_lines_with_bom_gbk_and_several_errors() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new("tests/fixtures");
    std::fs::copy(fixtures.join("agency.pem"), dir.path().join("agency.pem")).unwrap();
    let claims: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures.join("claims-dl.json")).unwrap())
            .unwrap();
    let holder: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures.join("holder1.pub.jwk")).unwrap())
            .unwrap();
    let good = json!({"claims": claims, "holder_jwk": holder}).to_string();
    let mut bad_claims = claims.clone();
    bad_claims["sex"] = json!("M");
    bad_claims["licence_class"] = json!(3);
    bad_claims.as_object_mut().unwrap().remove("name");
    let several = json!({"claims": bad_claims, "holder_jwk": holder}).to_string();

    let mut input = b"\xEF\xBB\xBF".to_vec(); // a BOM before line 1
    input.extend_from_slice(good.as_bytes());
    input.push(b'\n');
    // Line 2: a line saved in GBK (张三 = D5 C5 C8 FD).
    input.extend_from_slice(b"{\"claims\":{\"name\":\"\xD5\xC5\xC8\xFD\"},\"holder_jwk\":");
    input.extend_from_slice(holder.to_string().as_bytes());
    input.extend_from_slice(b"}\n");
    input.extend_from_slice(several.as_bytes());
    input.push(b'\n');
    std::fs::write(dir.path().join("in.jsonl"), &input).unwrap();

    let out = wallet(
        dir.path(),
        &[
            "issue-batch",
            "--issuer-key",
            "agency.pem",
            "--iss",
            "https://ga.sh.gov.cn/issuer",
            "--type",
            "driving-licence",
            "--no-status",
            "--now",
            "2026-01-01T00:00:00Z",
            "--input",
            "in.jsonl",
            "--output",
            "out.jsonl",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let issued = std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
    let issued: Vec<Value> = issued
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0]["line"], 1, "the BOM line is issued");

    let errors = std::fs::read_to_string(dir.path().join("out.jsonl.errors.jsonl")).unwrap();
    let errors: Vec<Value> = errors
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["line"], 2);
    let gbk_reason = errors[0]["error"].as_str().unwrap();
    assert!(
        gbk_reason.contains("GBK") && gbk_reason.contains("iconv -f GBK -t UTF-8"),
        "{gbk_reason}"
    );
    assert_eq!(errors[1]["line"], 3);
    assert_eq!(errors[0]["code"], "claims.looks_gbk");
    assert_eq!(errors[1]["code"], "catalogue.several_errors");
    let reason = errors[1]["error"].as_str().unwrap();
    for field in ["\"name\"", "\"sex\"", "\"licence_class\""] {
        assert!(reason.contains(field), "{field} missing from {reason}");
    }
    assert!(reason.starts_with("3 claim errors"), "{reason}");
}
