//! `--replay-cache FILE`: one `wallet verify` process per scan still refuses a code shown twice
//! when the runs share the file (each run is a new process, so this is also the restart test);
//! `verify-batch` detects replays only when asked (`--detect-replay`, or `--replay-cache FILE`,
//! which also sees what `wallet verify` accepted); a damaged cache or `-` is a usage error.
//! Runs against the fixtures in tests/fixtures at their fixed time; the cache files live in a
//! temporary directory.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const NOW: &str = "2026-06-01T00:00:20Z";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(Path::new("tests/fixtures").join(name))
        .unwrap()
        .trim()
        .to_owned()
}

fn wallet(args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wallet"));
    command
        .current_dir("tests/fixtures")
        .args(args)
        .args([
            "--trust-list",
            "trust-list.jwt",
            "--trust-root",
            "root.pub.jwk",
        ])
        .args(["--status-cache", "status-cache", "--now", NOW]);
    match stdin {
        None => command.output().unwrap(),
        Some(text) => {
            use std::io::Write as _;
            let mut child = command
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        }
    }
}

fn verify(payload: &str, cache: Option<&Path>) -> Output {
    let mut args = vec!["verify", "--json", "--payload", payload];
    let cache = cache.map(|p| p.display().to_string());
    if let Some(c) = &cache {
        args.extend(["--replay-cache", c]);
    }
    wallet(&args, None)
}

fn code_of(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    v["code"].as_str().unwrap().to_owned()
}

#[test]
fn a_second_verify_of_the_same_code_with_one_cache_file_is_a_replay() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("replay.cache");
    let payload = fixture("valid-payload.txt");
    let first = verify(&payload, Some(&cache));
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    assert_eq!(code_of(&first), "ok");
    // A new process each time: the history is in the file.
    for _ in 0..2 {
        let again = verify(&payload, Some(&cache));
        assert_eq!(again.status.code(), Some(1), "{again:?}");
        assert_eq!(code_of(&again), "qr.replay");
    }
    // Text output says so and what to do.
    let text = wallet(
        &[
            "verify",
            "--payload",
            &payload,
            "--replay-cache",
            &cache.display().to_string(),
        ],
        None,
    );
    assert_eq!(text.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&text.stdout).contains("(qr.replay)"));
    assert!(String::from_utf8_lossy(&text.stderr).contains("fresh code"));
    // Without the cache, a one-shot verify has no history.
    assert_eq!(verify(&payload, None).status.code(), Some(0));
    // Another code is not affected; a refused one is not recorded.
    let revoked = fixture("revoked-payload.txt");
    for _ in 0..2 {
        let r = verify(&revoked, Some(&cache));
        assert_eq!(r.status.code(), Some(1));
        assert_eq!(code_of(&r), "status.revoked");
    }
}

#[test]
fn an_unusable_cache_is_a_usage_error() {
    let payload = fixture("valid-payload.txt");
    let dash = wallet(
        &["verify", "--payload", &payload, "--replay-cache", "-"],
        None,
    );
    assert_eq!(dash.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&dash.stderr).contains("--replay-cache cannot be -"));
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("replay.cache");
    std::fs::write(&cache, "not a replay cache\n").unwrap();
    let damaged = verify(&payload, Some(&cache));
    assert_eq!(damaged.status.code(), Some(2), "{damaged:?}");
    let stderr = String::from_utf8_lossy(&damaged.stderr);
    assert!(stderr.contains("qr.replay_cache_corrupt"), "{stderr}");
    assert!(stderr.contains("move"), "{stderr}");
}

#[test]
fn verify_batch_detects_replays_only_when_asked() {
    let payload = fixture("valid-payload.txt");
    let input = format!("{payload}\n{payload}\n");
    let batch = |extra: &[&str]| {
        let mut args = vec![
            "verify-batch",
            "--input",
            "-",
            "--output",
            "-",
            "--jobs",
            "1",
        ];
        args.extend(extra);
        let out = wallet(&args, Some(&input));
        let codes: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["code"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        (out.status.code(), codes)
    };
    // An audit of codes already seen: no replay detection by default.
    assert_eq!(batch(&[]), (Some(0), vec!["ok".into(), "ok".into()]));
    // Asked for: the second showing is a replay.
    assert_eq!(
        batch(&["--detect-replay"]),
        (Some(1), vec!["ok".into(), "qr.replay".into()])
    );
    // With a cache file that `wallet verify` already used, both are replays.
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("replay.cache");
    let cache_arg = cache.display().to_string();
    assert_eq!(verify(&payload, Some(&cache)).status.code(), Some(0));
    assert_eq!(
        batch(&["--replay-cache", &cache_arg]),
        (Some(1), vec!["qr.replay".into(), "qr.replay".into()])
    );
}
