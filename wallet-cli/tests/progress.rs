//! `verify-batch` progress: drawn on stderr when stderr is a terminal (here the pseudo-terminal
//! of util-linux `script`), with the input's total, the percentage, lines, rate, failures and
//! ETA; never drawn when stderr is a file or a pipe (then only the summary line, as the trycmd
//! cases pin exactly).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::Command;

#[test]
fn verify_batch_draws_progress_on_a_terminal_only() {
    let tmp = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let scans = std::fs::read_to_string(fixtures.join("scans.jsonl")).unwrap();
    std::fs::write(tmp.path().join("in.jsonl"), scans.repeat(200)).unwrap();
    let wallet = env!("CARGO_BIN_EXE_wallet");
    let command = format!(
        "'{wallet}' verify-batch --input in.jsonl --out res.jsonl --trust-list '{f}/trust-list.jwt' \
         --trust-root '{f}/root.pub.jwk' --status-cache '{f}/status-cache' \
         --now 2026-06-01T00:00:20Z --jobs 1 >/dev/null",
        f = fixtures.display()
    );
    // stderr is the pseudo-terminal; `script` copies what was drawn on it to its stdout.
    let on_tty = Command::new("script")
        .current_dir(tmp.path())
        .args(["-qec", &command, "/dev/null"])
        .env("TERM", "xterm")
        .output()
        .expect("util-linux `script` runs the command on a pseudo-terminal");
    let drawn = String::from_utf8_lossy(&on_tty.stdout);
    assert_eq!(on_tty.status.code(), Some(1), "{drawn}");
    for part in ["% of ", "iB  ", " lines, ", "/s, ", " not valid", "ETA "] {
        assert!(drawn.contains(part), "{part:?} not in {drawn:?}");
    }
    assert!(drawn.contains("verified 1400 presentations: 400 valid, 1000 not"));

    std::fs::remove_file(tmp.path().join("res.jsonl")).unwrap();
    let piped = Command::new("sh")
        .current_dir(tmp.path())
        .args(["-c", &command])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(!stderr.contains("ETA"), "{stderr}");
    assert!(
        stderr.starts_with("verified 1400 presentations"),
        "{stderr}"
    );
}
