//! Standard output closed by its reader (`wallet types | head -1`): every command that writes
//! data ends quietly — exit 0, nothing on stderr, no panic — as ripgrep does (docs/cli.md,
//! "Output"). The pipe's read end is closed before the command starts, so every write it makes
//! to stdout fails with EPIPE, whatever the output size and timing. Two exceptions, tested
//! here too: a refusal keeps its exit status 1, and issuing to a closed stdout is an error (a
//! credential was signed for nobody).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use support::copy_dir;

const FIXTURES: &str = "tests/fixtures";
const NOW: &str = "2026-06-01T00:00:20Z";

/// Runs `wallet args…` in `dir` with stdout a pipe nobody reads; returns (exit code, stderr).
fn run_closed(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_wallet"))
        .current_dir(dir)
        .env("WALLET_PASSPHRASE", "fixture-passphrase")
        .args(args)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_ends_every_command_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    copy_dir(Path::new(FIXTURES), dir);
    let payload = std::fs::read_to_string(dir.join("valid-payload.txt")).unwrap();
    let payload = payload.trim();
    let id = std::fs::read_to_string(dir.join("licence-id.txt")).unwrap();
    let id = id.trim();
    let trust = [
        "--trust-list",
        "trust-list.jwt",
        "--trust-root",
        "root.pub.jwk",
    ];
    let verify: Vec<&str> = ["verify", "--payload", payload]
        .into_iter()
        .chain(trust)
        .chain(["--status-cache", "status-cache", "--now", NOW])
        .collect();
    let verify_json: Vec<&str> = verify.iter().copied().chain(["--json"]).collect();
    let verify_batch: Vec<&str> = ["verify-batch", "--input", "scans-valid.jsonl", "--out", "-"]
        .into_iter()
        .chain(trust)
        .chain(["--status-cache", "status-cache", "--now", NOW])
        .collect();
    let cases: Vec<Vec<&str>> = vec![
        vec!["types"],
        vec!["types", "--json"],
        vec!["--help"],
        vec!["completions", "bash"],
        vec!["completions", "zsh"],
        vec!["man"],
        vec!["inspect", payload],
        vec!["key", "public", "agency.pem"],
        vec!["key", "generate", "--out", "new.pem"],
        vec!["trust", "show", "trust-list.jwt"],
        verify,
        verify_json,
        verify_batch,
        vec!["holder", "list", "--store", "store"],
        vec!["present", "--store", "store", "--credential", id],
        vec![
            "present",
            "--store",
            "store",
            "--credential",
            id,
            "--qr-terminal",
        ],
        vec![
            "present",
            "--store",
            "store",
            "--credential",
            id,
            "--qr-png",
            "-",
        ],
        vec![
            "status",
            "publish",
            "--status-registry",
            "status.registry",
            "--issuer-key",
            "agency.pem",
            "--out",
            "-",
            "--now",
            "2026-01-02T00:00:00Z",
        ],
        vec!["demo", "--dir", "demo"],
    ];
    for args in &cases {
        let (code, stderr) = run_closed(dir, args);
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "wallet {args:?}: {stderr}"
        );
        assert_eq!(code, Some(0), "wallet {args:?}: {stderr}");
    }
}

/// The quiet stop is for a closed stdout only: an error before any output still reports and
/// leaves with 2.
#[test]
fn errors_still_report_with_a_closed_stdout() {
    let (code, stderr) = run_closed(Path::new(FIXTURES), &["key", "public", "missing.pem"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("error: cannot access key file"), "{stderr}");
}

/// A closed stdout is quiet, but never changes a verdict: a refused credential still leaves
/// with 1 (a pipeline under `set -o pipefail` sees it), whether its report was written or not.
#[test]
fn a_closed_stdout_keeps_a_refusal_negative() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    copy_dir(Path::new(FIXTURES), dir);
    let revoked = std::fs::read_to_string(dir.join("revoked-payload.txt")).unwrap();
    let trust = [
        "--trust-list",
        "trust-list.jwt",
        "--trust-root",
        "root.pub.jwk",
        "--status-cache",
        "status-cache",
        "--now",
        NOW,
    ];
    let verify: Vec<&str> = ["verify", "--payload", revoked.trim()]
        .into_iter()
        .chain(trust)
        .collect();
    let verify_json: Vec<&str> = verify.iter().copied().chain(["--json"]).collect();
    let batch: Vec<&str> = ["verify-batch", "--input", "scans.jsonl", "--out", "-"]
        .into_iter()
        .chain(trust)
        .collect();
    for args in [verify, verify_json, batch] {
        let (code, stderr) = run_closed(dir, &args);
        assert!(!stderr.contains("panicked"), "wallet {args:?}: {stderr}");
        assert_eq!(code, Some(1), "wallet {args:?}: {stderr}");
    }
}

/// Issuing to a closed stdout is not a quiet stop: the credential was signed (and logged) for
/// a reader that went away, so the command says so and leaves with 2.
#[test]
fn issuing_to_a_closed_stdout_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    copy_dir(Path::new(FIXTURES), dir);
    let (code, stderr) = run_closed(dir, &support::ISSUE_LICENCE);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("not delivered"), "{stderr}");
    assert!(stderr.contains("revoke it"), "{stderr}");
    let (code, stderr) = run_closed(
        dir,
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
            "--status-registry",
            "status.registry",
            "--now",
            "2026-01-01T00:00:00Z",
        ],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("closed by its reader"), "{stderr}");
}
