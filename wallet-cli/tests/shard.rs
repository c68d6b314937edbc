//! `issue-batch --shard` and the Status List Aggregation (issue 22, docs/scale.md): a shard's
//! batch writes its id into every output and issuance-log line, refuses another shard's registry
//! and a bad id before anything is issued; `status publish --aggregation-uri` writes
//! `status_list.aggregation_uri`; `status cache --aggregation` stores the lists an aggregation
//! names, refuses a token it does not name and reports a named list that was not given.

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

const NOW: &str = "2026-06-01T00:00:20Z";
const ISS: &str = "https://ga.sh.gov.cn/issuer";
const BASE: &str = "https://ga.sh.gov.cn/status";

fn wallet(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wallet"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The stable code of a `--json` error object.
fn error_code(out: &Output) -> String {
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["error"]["code"].as_str().unwrap().to_owned()
}

fn fixtures() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        dir.path(),
    );
    dir
}

fn init_registry(dir: &Path, shard: &str) -> String {
    let reg = format!("shard-{shard}.registry");
    let uri = format!("{BASE}/{shard}");
    ok(&wallet(
        dir,
        &[
            "status",
            "init",
            "--uri",
            &uri,
            "--out",
            &reg,
            "--capacity",
            "4096",
        ],
    ));
    reg
}

/// `issue-batch --shard SHARD` of the fixture's lines into `out`, with `--json` and `extra`.
fn issue_shard_with(dir: &Path, shard: &str, reg: &str, out: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "issue-batch",
        "--issuer-key",
        "agency.pem",
        "--iss",
        ISS,
        "--type",
        "driving-licence",
        "--input",
        "batch-ok.jsonl",
        "--out",
        out,
        "--status-registry",
        reg,
        "--shard",
        shard,
        "--now",
        NOW,
        "--json",
    ];
    args.extend_from_slice(extra);
    wallet(dir, &args)
}

fn issue_shard(dir: &Path, shard: &str, reg: &str, out: &str) -> Output {
    issue_shard_with(dir, shard, reg, out, &[])
}

#[test]
fn a_shard_batch_names_its_shard_and_keeps_to_its_own_list() {
    let dir = fixtures();
    let d = dir.path();
    let reg3 = init_registry(d, "0003");
    let out = issue_shard(d, "0003", &reg3, "out3.jsonl");
    ok(&out);
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["shard"], "0003");
    let issued = summary["issued"].as_u64().unwrap();
    assert!(issued > 0);

    // Every output line names the shard, and its credential carries the shard's list.
    let output = std::fs::read_to_string(d.join("out3.jsonl")).unwrap();
    let mut ids = Vec::new();
    for line in output.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["shard"], "0003");
        let jwt = v["credential"].as_str().unwrap().split('~').next().unwrap();
        let payload = Jws::parse(jwt).unwrap().payload().unwrap();
        assert_eq!(
            payload["status"]["status_list"]["uri"],
            format!("{BASE}/0003")
        );
        ids.push(v["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len() as u64, issued);
    // So does every issuance-log line, one per credential.
    let log = std::fs::read_to_string(d.join(format!("{reg3}.issued.jsonl"))).unwrap();
    let logged: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(logged.len(), ids.len());
    for (entry, id) in logged.iter().zip(&ids) {
        assert_eq!(entry["shard"], "0003");
        assert_eq!(entry["id"].as_str().unwrap(), id);
    }

    // Shard 0004 given shard 0003's registry: refused before anything is issued.
    let out = issue_shard(d, "0004", &reg3, "out4.jsonl");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(error_code(&out), "issuer.shard_mismatch");
    assert!(!d.join("out4.jsonl").exists() && !d.join("out4.jsonl.partial").exists());
    assert_eq!(
        std::fs::read_to_string(d.join(format!("{reg3}.issued.jsonl"))).unwrap(),
        log,
        "a refused shard logged nothing"
    );

    // An id that is not a path segment, without echoing it.
    for bad in ["../0003", "", "a b"] {
        let out = issue_shard(d, bad, &reg3, "out5.jsonl");
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert_eq!(error_code(&out), "issuer.shard_invalid", "{bad:?}");
        assert!(!d.join("out5.jsonl.partial").exists());
    }
}

fn publish(dir: &Path, reg: &str, out: &str, aggregation: Option<&str>) {
    let mut args = vec![
        "status",
        "publish",
        "--status-registry",
        reg,
        "--issuer-key",
        "agency.pem",
        "--iss",
        ISS,
        "--out",
        out,
        "--now",
        NOW,
    ];
    if let Some(a) = aggregation {
        args.extend(["--aggregation-uri", a]);
    }
    ok(&wallet(dir, &args));
}

fn cache(dir: &Path, tokens: &[&str], aggregation: &str, cache_dir: &str) -> Output {
    std::fs::create_dir_all(dir.join(cache_dir)).unwrap();
    let mut args = vec!["status", "cache"];
    args.extend_from_slice(tokens);
    args.extend([
        "--aggregation",
        aggregation,
        "--status-cache",
        cache_dir,
        "--trust-list",
        "trust-list.jwt",
        "--trust-root",
        "root.pub.jwk",
        "--now",
        NOW,
        "--json",
    ]);
    wallet(dir, &args)
}

#[test]
fn status_lists_are_cached_through_the_aggregation() {
    let dir = fixtures();
    let d = dir.path();
    let agg_uri = format!("{BASE}/aggregation");
    for shard in ["0000", "0001"] {
        let reg = init_registry(d, shard);
        publish(d, &reg, &format!("{shard}.jwt"), Some(&agg_uri));
    }
    // The token carries the aggregation's URI.
    let token = std::fs::read_to_string(d.join("0000.jwt")).unwrap();
    let payload = Jws::parse(token.trim()).unwrap().payload().unwrap();
    assert_eq!(payload["status_list"]["aggregation_uri"], agg_uri.as_str());

    let write = |name: &str, uris: &[&str]| {
        let uris: Vec<String> = uris.iter().map(|s| format!("{BASE}/{s}")).collect();
        std::fs::write(
            d.join(name),
            serde_json::json!({"status_lists": uris}).to_string(),
        )
        .unwrap();
    };
    write("agg.json", &["0000", "0001"]);
    let out = cache(d, &["0000.jwt", "0001.jwt"], "agg.json", "c1");
    ok(&out);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["cached"].as_array().unwrap().len(), 2);
    assert_eq!(v["missing"].as_array().unwrap().len(), 0);
    assert_eq!(std::fs::read_dir(d.join("c1")).unwrap().count(), 2);

    // A token of a list the aggregation does not name: refused, the other still cached.
    write("agg-one.json", &["0000"]);
    let out = cache(d, &["0000.jwt", "0001.jwt"], "agg-one.json", "c2");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(error_code(&out), "status.not_in_aggregation");
    assert_eq!(std::fs::read_dir(d.join("c2")).unwrap().count(), 1);

    // A list the aggregation names but no token was given for.
    write("agg-three.json", &["0000", "0001", "0002"]);
    let out = cache(d, &["0000.jwt", "0001.jwt"], "agg-three.json", "c3");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(error_code(&out), "status.unknown_list");
    assert!(String::from_utf8_lossy(&out.stderr).contains("/status/0002"));

    // A long aggregation of lists not given (it is unsigned input): at most ten are named,
    // each escaped and cut short, then a count of the rest.
    let mut many: Vec<String> = (0..30).map(|i| format!("{BASE}/x{i}")).collect();
    many[0] = format!("{BASE}/\u{1b}[31mred\u{7}");
    many[1] = format!("{BASE}/{}", "y".repeat(5000));
    many.push(format!("{BASE}/0000"));
    std::fs::write(
        d.join("agg-many.json"),
        serde_json::json!({ "status_lists": many }).to_string(),
    )
    .unwrap();
    let out = cache(d, &["0000.jwt"], "agg-many.json", "c5");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(error_code(&out), "status.unknown_list");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let named: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("missing: the aggregation lists"))
        .collect();
    assert_eq!(named.len(), 10, "{stderr}");
    assert!(stderr.contains("missing: 20 more lists of the aggregation"));
    assert!(!stderr.contains('\u{1b}') && !stderr.contains('\u{7}'));
    assert!(stderr.lines().all(|l| l.chars().count() < 300), "{stderr}");

    // Not an aggregation: a repeated URI, a repeated member, no array.
    for (name, text) in [
        (
            "bad1.json",
            format!(r#"{{"status_lists":["{BASE}/0000","{BASE}/0000"]}}"#),
        ),
        (
            "bad2.json",
            format!(r#"{{"status_lists":[],"status_lists":["{BASE}/0000"]}}"#),
        ),
        ("bad3.json", r#"{"status_lists":"x"}"#.to_owned()),
    ] {
        std::fs::write(d.join(name), text).unwrap();
        let out = cache(d, &["0000.jwt"], name, "c4");
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert_eq!(error_code(&out), "status.malformed", "{name}");
    }
}

/// A batch stopped after it had written every line but before its files were moved into place
/// (here: the move fails because a directory is in the way) is finished by `--resume`, and
/// `--resume --json` prints the same summary members a finished run does: a driver resuming a
/// shard blindly (scale/spark/issue_job.py) reads one shape wherever the stop fell.
#[test]
fn resuming_a_batch_stopped_while_moving_its_files_prints_its_summary() {
    let dir = fixtures();
    let d = dir.path();
    let reg = init_registry(d, "0007");
    std::fs::create_dir(d.join("out7.jsonl")).unwrap();
    let first = issue_shard_with(d, "0007", &reg, "out7.jsonl", &["--force"]);
    assert!(
        !first.status.success(),
        "the move onto a directory must fail"
    );
    assert!(d.join("out7.jsonl.partial").exists());
    assert!(d.join("out7.jsonl.partial.job").exists());
    std::fs::remove_dir(d.join("out7.jsonl")).unwrap();

    let out = issue_shard_with(d, "0007", &reg, "out7.jsonl", &["--force", "--resume"]);
    ok(&out);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["complete"], true);
    assert_eq!(v["shard"], "0007");
    assert_eq!(v["issued"], 0);
    assert_eq!(v["failed_total"], 0);
    let lines = std::fs::read_to_string(d.join("out7.jsonl"))
        .unwrap()
        .lines()
        .count() as u64;
    assert!(lines > 0);
    assert_eq!(v["issued_total"].as_u64(), Some(lines));
    assert!(!d.join("out7.jsonl.partial").exists());
    assert!(!d.join("out7.jsonl.partial.job").exists());
}
