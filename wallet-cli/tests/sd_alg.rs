//! `wallet issue --sd-alg` and `wallet issue-batch --sd-alg` (issue 17, the GM profile's SM3
//! digests): `sm3` writes `_sd_alg: "sm3"` and SM3 disclosure digests, the default stays
//! `sha-256`, and any other value is a usage error (exit 2) before anything is issued.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};
use wallet_core::jws::Jws;
use wallet_core::sdjwt::SdAlg;

fn wallet(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wallet"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn fixtures() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        dir.path(),
    );
    dir
}

/// The `_sd_alg` of a credential, after checking that every disclosure's digest under it is in
/// the top-level `_sd`.
fn sd_alg_of(credential: &str) -> String {
    let mut parts = credential.trim().split('~');
    let jwt = parts.next().unwrap();
    let payload = Jws::parse(jwt).unwrap().payload().unwrap();
    let name = payload["_sd_alg"].as_str().unwrap().to_owned();
    let alg = SdAlg::from_name(&name).unwrap();
    let sd: Vec<&str> = payload["_sd"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let disclosures: Vec<&str> = parts.filter(|d| !d.is_empty()).collect();
    assert!(!disclosures.is_empty());
    for d in disclosures {
        assert!(sd.contains(&alg.digest(d).as_str()), "{name} digest of {d}");
    }
    name
}

#[test]
fn issue_sd_alg_sm3_default_and_refusal() {
    let dir = fixtures();
    for (extra, expected) in [(&[][..], "sha-256"), (&["--sd-alg", "sm3"][..], "sm3")] {
        let args: Vec<&str> = support::ISSUE_LICENCE
            .into_iter()
            .chain(extra.iter().copied())
            .collect();
        let out = wallet(dir.path(), &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(sd_alg_of(&String::from_utf8(out.stdout).unwrap()), expected);
    }
    let args: Vec<&str> = support::ISSUE_LICENCE
        .into_iter()
        .chain(["--sd-alg", "SM3"])
        .collect();
    let out = wallet(dir.path(), &args);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn issue_batch_sd_alg_sm3() {
    let dir = fixtures();
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
            "--input",
            "batch-ok.jsonl",
            "--out",
            "-",
            "--no-status",
            "--now",
            "2026-01-01T00:00:00Z",
            "--sd-alg",
            "sm3",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut n = 0;
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(sd_alg_of(v["credential"].as_str().unwrap()), "sm3");
        n += 1;
    }
    assert!(n > 0);
}
