//! Concurrent issuers on one status registry: several `wallet` processes issue against the same
//! registry file at once. Without the registry lock, two processes load the same state and the
//! second save drops the first one's allocations, so an index can be handed out twice (revoking
//! one credential would revoke the other) or a logged credential points at an index the
//! registry no longer counts as allocated.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use wallet_core::issuer::StatusRegistry;

const ISS: &str = "https://ga.sh.gov.cn/issuer";
const NOW: &str = "2026-01-01T00:00:00Z";

fn wallet(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wallet"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn setup(capacity: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "agency.pem",
        "holder1.pub.jwk",
        "claims-dl.json",
        "batch-ok.jsonl",
    ] {
        std::fs::copy(
            Path::new("tests/fixtures").join(name),
            dir.path().join(name),
        )
        .unwrap();
    }
    let capacity = capacity.to_string();
    ok(&wallet(
        dir.path(),
        &[
            "status",
            "init",
            "--uri",
            "https://x/status/lock",
            "--out",
            "status.registry",
            "--capacity",
            &capacity,
        ],
    ));
    dir
}

/// `wallet issue` once; returns the credential id it reported. A registry still locked after
/// the command's wait (a batch of the other test runs long on a loaded machine) is retried, as
/// an operator would: the test is about what gets issued, not about how long it waits.
fn issue_one(dir: &Path) -> String {
    for _ in 0..20 {
        let out = issue_attempt(dir);
        if out.status.code() == Some(2)
            && String::from_utf8_lossy(&out.stderr).contains("(status.registry_locked)")
        {
            continue;
        }
        ok(&out);
        let stderr = String::from_utf8(out.stderr).unwrap();
        return stderr
            .trim()
            .rsplit(' ')
            .next()
            .unwrap_or_default()
            .to_owned();
    }
    panic!("the registry stayed locked");
}

fn issue_attempt(dir: &Path) -> Output {
    wallet(
        dir,
        &[
            "issue",
            "--issuer-key",
            "agency.pem",
            "--iss",
            ISS,
            "--type",
            "driving-licence",
            "--claims",
            "claims-dl.json",
            "--holder-jwk",
            "holder1.pub.jwk",
            "--status-registry",
            "status.registry",
            "--now",
            NOW,
        ],
    )
}

/// `wallet status revoke` of one index.
fn revoke(dir: &Path, idx: u64) -> Output {
    wallet(
        dir,
        &[
            "status",
            "revoke",
            "--registry",
            "status.registry",
            "--index",
            &idx.to_string(),
        ],
    )
}

/// `wallet issue-batch` of `lines` credentials into `output`; returns `(id, status_idx)` pairs.
fn issue_batch(dir: &Path, lines: usize, output: &str) -> Vec<(String, u64)> {
    let line = std::fs::read_to_string(dir.join("batch-ok.jsonl")).unwrap();
    let line = line.lines().next().unwrap().to_owned();
    let input = format!("{output}.in");
    std::fs::write(dir.join(&input), format!("{line}\n").repeat(lines)).unwrap();
    let out = wallet(
        dir,
        &[
            "issue-batch",
            "--issuer-key",
            "agency.pem",
            "--iss",
            ISS,
            "--type",
            "driving-licence",
            "--input",
            &input,
            "--output",
            output,
            "--status-registry",
            "status.registry",
            "--jobs",
            "2",
            "--now",
            NOW,
        ],
    );
    ok(&out);
    std::fs::read_to_string(dir.join(output))
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_owned(),
                v["status_idx"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The issuance log as `(id, idx)` pairs.
fn log(dir: &Path) -> Vec<(String, u64)> {
    std::fs::read_to_string(dir.join("status.registry.issued.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_owned(),
                v["idx"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Whole lines in the issuance log so far: while a batch appends to it, the last line may be
/// half-written, so a poll counts newlines instead of parsing (`log` parses a finished log).
fn complete_log_lines(dir: &Path) -> usize {
    std::fs::read(dir.join("status.registry.issued.jsonl"))
        .map(|bytes| bytes.iter().filter(|b| **b == b'\n').count())
        .unwrap_or(0)
}

/// Every logged credential has its own index, and the registry counts each as allocated.
fn check_registry(dir: &Path, logged: &[(String, u64)]) -> StatusRegistry {
    let idx: BTreeSet<u64> = logged.iter().map(|(_, i)| *i).collect();
    assert_eq!(
        idx.len(),
        logged.len(),
        "two credentials share a status index"
    );
    let registry = StatusRegistry::load(&dir.join("status.registry")).unwrap();
    for i in &idx {
        assert!(
            registry.status(*i).is_ok(),
            "index {i} was issued but the registry lost its allocation"
        );
    }
    registry
}

/// 4 processes × 50 `wallet issue` each against a registry of 256 indices: with lost updates a
/// freed index is soon drawn again, so a missing lock shows up as shared indices.
#[test]
fn concurrent_single_issuers_get_distinct_indices() {
    const PROCESSES: usize = 4;
    const EACH: usize = 50;
    let dir = setup(256);
    let started = Instant::now();
    let ids: Vec<String> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..PROCESSES)
            .map(|_| s.spawn(|| (0..EACH).map(|_| issue_one(dir.path())).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let logged = log(dir.path());
    assert_eq!(logged.len(), PROCESSES * EACH);
    let reported: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    let in_log: BTreeSet<&str> = logged.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(reported.len(), PROCESSES * EACH);
    assert_eq!(reported, in_log);
    let registry = check_registry(dir.path(), &logged);
    assert_eq!(
        registry.allocated_count(),
        u64::try_from(PROCESSES * EACH).unwrap()
    );
    println!(
        "{PROCESSES} processes × {EACH} issues: {} distinct indices, allocated_count {} ({:.1} s)",
        logged.len(),
        registry.allocated_count(),
        started.elapsed().as_secs_f64()
    );
}

/// Two `issue-batch` runs and two loops of `wallet issue` at once: each batch takes the lock only
/// to reserve a block of indices (reloading the registry each time), single issues in between.
#[test]
fn concurrent_batches_and_single_issuers_get_distinct_indices() {
    const BATCH_LINES: usize = 300;
    const SINGLES: usize = 15;
    let dir = setup(65_536);
    let started = Instant::now();
    let (batches, singles) = std::thread::scope(|s| {
        let b1 = s.spawn(|| issue_batch(dir.path(), BATCH_LINES, "out1.jsonl"));
        let b2 = s.spawn(|| issue_batch(dir.path(), BATCH_LINES, "out2.jsonl"));
        let i1 = s.spawn(|| {
            (0..SINGLES)
                .map(|_| issue_one(dir.path()))
                .collect::<Vec<_>>()
        });
        let i2 = s.spawn(|| {
            (0..SINGLES)
                .map(|_| issue_one(dir.path()))
                .collect::<Vec<_>>()
        });
        let mut batches = b1.join().unwrap();
        batches.extend(b2.join().unwrap());
        let mut singles = i1.join().unwrap();
        singles.extend(i2.join().unwrap());
        (batches, singles)
    });
    let total = 2 * BATCH_LINES + 2 * SINGLES;
    let logged = log(dir.path());
    assert_eq!(logged.len(), total);
    let in_log: BTreeSet<(String, u64)> = logged.iter().cloned().collect();
    for pair in &batches {
        assert!(in_log.contains(pair), "batch output {pair:?} is not logged");
    }
    let ids: BTreeSet<&str> = logged.iter().map(|(id, _)| id.as_str()).collect();
    assert!(singles.iter().all(|id| ids.contains(id.as_str())));
    let registry = check_registry(dir.path(), &logged);
    // Batches reserve indices in blocks, so more are allocated than issued.
    assert!(registry.allocated_count() >= u64::try_from(total).unwrap());
    println!(
        "2 batches × {BATCH_LINES} + 2 × {SINGLES} issues: {} distinct indices, allocated_count {} ({:.1} s)",
        logged.len(),
        registry.allocated_count(),
        started.elapsed().as_secs_f64()
    );
}

/// A revocation while a long batch runs: it goes through at once (the batch holds the registry
/// only while it reserves a block), and the batch's later reservations, which reload the
/// registry, keep it.
#[test]
fn a_revocation_during_a_batch_is_neither_blocked_nor_lost() {
    const LINES: usize = 5_000;
    let dir = setup(65_536);
    issue_one(dir.path());
    let (_, revoked) = log(dir.path())[0].clone();
    std::thread::scope(|s| {
        let batch = s.spawn(|| {
            let issued = issue_batch(dir.path(), LINES, "big.jsonl");
            (issued, Instant::now())
        });
        // Wait until the batch has logged its first chunk, so it is past its first reservation
        // and has thousands of lines still to go.
        let deadline = Instant::now() + Duration::from_secs(120);
        while complete_log_lines(dir.path()) < 2 {
            assert!(Instant::now() < deadline, "the batch logged nothing");
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = revoke(dir.path(), revoked);
        let revoke_done = Instant::now();
        ok(&out);
        let (issued, batch_done) = batch.join().unwrap();
        assert_eq!(issued.len(), LINES);
        assert!(
            revoke_done < batch_done,
            "the revocation waited for the batch to finish"
        );
    });
    let logged = log(dir.path());
    assert_eq!(logged.len(), LINES + 1);
    let registry = check_registry(dir.path(), &logged);
    assert_eq!(
        registry.status(revoked).unwrap().0,
        1,
        "the batch's later saves lost the revocation"
    );
}

/// A registry held by another process: the command waits the bounded time, then says what is
/// going on and what to do, with the stable code; the registry is unchanged.
#[test]
fn a_held_registry_is_reported_with_a_hint() {
    let dir = setup(256);
    issue_one(dir.path());
    let idx = log(dir.path())[0].1;
    let path = dir.path().join("status.registry");
    let before = std::fs::read(&path).unwrap();
    let held = StatusRegistry::lock(&path, Duration::ZERO).unwrap();
    let started = Instant::now();
    let out = revoke(dir.path(), idx);
    let waited = started.elapsed();
    drop(held);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(
            "error: cannot lock status registry status.registry: another process is using the \
             status registry"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("(status.registry_locked)"), "{stderr}");
    assert!(
        stderr.contains("\nhint: nothing was changed; another `wallet` command"),
        "{stderr}"
    );
    assert!(waited >= Duration::from_secs(4), "gave up after {waited:?}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // Once released, the same command goes through.
    ok(&revoke(dir.path(), idx));
}
