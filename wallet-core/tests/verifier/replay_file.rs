//! The persistent replay cache (`ReplayCache::open`, wallet-core/src/verifier/replay_file.rs): its
//! history survives a restart; it is bounded (a cap on live entries, and a file compacted as
//! entries expire); a writer killed mid-append leaves a torn last line that is ignored, at every
//! possible cut and under SIGKILL; any other damage is a typed error; handles sharing the file at
//! the same time (each with its own lock, as separate processes have) neither corrupt it nor
//! accept the same code twice.
//!
//! The SIGKILL test re-executes this test binary as the child (as holder/store_crash.rs does),
//! with an environment variable that makes the ignored `replay_crash_child` test run the append
//! loop.

use rand_core::{OsRng, RngCore as _};
use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;
use wallet_core::verifier::{
    FreshnessError, REPLAY_COMPACT_SLACK, ReplayCache, ReplayCacheError, ReplayEntry,
};

const NOW: i64 = 1_780_272_000;
/// Entries in these tests live this long past their scan.
const LIFE: i64 = 90;
const CHILD_ENV: &str = "WALLET_REPLAY_CRASH_CHILD_FILE";
/// The child test's name as libtest knows it, for `--exact`: this file is a module of the
/// `verifier` test binary, so the name carries the module path (without the crate's name).
fn child_test_name() -> String {
    match module_path!().split_once("::") {
        Some((_, module)) => format!("{module}::replay_crash_child"),
        None => "replay_crash_child".to_owned(),
    }
}

fn record(cache: &mut ReplayCache, name: &str, now: i64) -> Result<(), FreshnessError> {
    cache.check_and_record(name, "nonce", now + LIFE, now)
}

fn lines(path: &Path) -> usize {
    fs::read_to_string(path).unwrap().lines().count()
}

#[test]
fn the_history_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("replay.cache");
    {
        let mut cache = ReplayCache::open(&path, 100, NOW).unwrap();
        assert_eq!(cache.path(), Some(path.as_path()));
        record(&mut cache, "a", NOW).unwrap();
        record(&mut cache, "b", NOW).unwrap();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let mut again = ReplayCache::open(&path, 100, NOW + 1).unwrap();
    assert_eq!(again.len(), 2);
    assert_eq!(
        record(&mut again, "a", NOW + 1),
        Err(FreshnessError::Replay)
    );
    assert_eq!(
        record(&mut again, "b", NOW + 2),
        Err(FreshnessError::Replay)
    );
    record(&mut again, "c", NOW + 2).unwrap();
    // Past its window an entry is forgotten (the freshness check refuses such a code anyway).
    let mut later = ReplayCache::open(&path, 100, NOW + 10 * LIFE).unwrap();
    record(&mut later, "a", NOW + 10 * LIFE).unwrap();
}

#[test]
fn live_entries_are_capped_and_the_file_stays_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("replay.cache");
    let mut cache = ReplayCache::open(&path, 3, NOW).unwrap();
    for name in ["a", "b", "c"] {
        record(&mut cache, name, NOW).unwrap();
    }
    // Full of live entries: fail closed rather than forget one.
    assert_eq!(
        record(&mut cache, "d", NOW + 1),
        Err(FreshnessError::ReplayCacheFull)
    );
    // Also after a restart: the cap applies to what the file holds.
    let mut reopened = ReplayCache::open(&path, 3, NOW + 1).unwrap();
    assert_eq!(
        record(&mut reopened, "d", NOW + 1),
        Err(FreshnessError::ReplayCacheFull)
    );
    // Once they expire there is room again.
    record(&mut reopened, "d", NOW + LIFE + 1).unwrap();

    // 20,000 scans, 100 a second, each remembered for LIFE seconds: at most 100 × (LIFE + 1)
    // are live at any time, and the file must stay within twice that plus the slack.
    let path = dir.path().join("busy.cache");
    let mut cache = ReplayCache::open(&path, 1_000_000, NOW).unwrap();
    let names: Vec<String> = (0..20_000).map(|i| format!("scan-{i}")).collect();
    let mut max_lines = 0;
    for (second, batch) in names.chunks(100).enumerate() {
        let now = NOW + i64::try_from(second).unwrap();
        let entries: Vec<ReplayEntry<'_>> = batch
            .iter()
            .map(|n| ReplayEntry {
                sd_hash: n,
                nonce: "nonce",
                forget_after: now + LIFE,
                now,
            })
            .collect();
        let verdicts = cache.record_all(&entries).unwrap();
        assert!(verdicts.iter().all(Result::is_ok));
        max_lines = max_lines.max(lines(&path));
    }
    let live_bound = 100 * (usize::try_from(LIFE).unwrap() + 1);
    let line_bound = 2 * live_bound + usize::try_from(REPLAY_COMPACT_SLACK).unwrap() + 1 + 100;
    assert!(
        max_lines <= line_bound,
        "the file reached {max_lines} lines (bound {line_bound})"
    );
    assert!(cache.len() <= line_bound);
    println!(
        "replay cache file: at most {max_lines} lines for 20,000 scans ({live_bound} live at most)"
    );
    // The recent ones are still refused after a restart; the old ones are gone from the file.
    let last = NOW + 199;
    let mut reopened = ReplayCache::open(&path, 1_000_000, last).unwrap();
    assert_eq!(
        record(&mut reopened, "scan-19999", last),
        Err(FreshnessError::Replay)
    );
    assert!(
        !fs::read_to_string(&path)
            .unwrap()
            .contains(&format!(" {} ", NOW + LIFE))
    );
}

/// Cut the file after every byte of its last record, as a writer killed mid-append would leave
/// it: every earlier record is kept, the cut one is ignored, and the next append repairs the
/// file.
#[test]
fn a_torn_last_record_is_ignored_at_every_cut() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("replay.cache");
    {
        let mut cache = ReplayCache::open(&path, 100, NOW).unwrap();
        for name in ["a", "b", "c"] {
            record(&mut cache, name, NOW).unwrap();
        }
    }
    let full = fs::read(&path).unwrap();
    let last_start = full[..full.len() - 1]
        .iter()
        .rposition(|&b| b == b'\n')
        .unwrap()
        + 1;
    let torn = dir.path().join("torn.cache");
    for cut in last_start..full.len() {
        fs::write(&torn, &full[..cut]).unwrap();
        let mut cache = ReplayCache::open(&torn, 100, NOW).unwrap();
        assert_eq!(cache.len(), 2, "cut at {cut}");
        assert_eq!(record(&mut cache, "a", NOW), Err(FreshnessError::Replay));
        assert_eq!(record(&mut cache, "b", NOW), Err(FreshnessError::Replay));
        // The torn record was never acknowledged: the code is new to the cache.
        record(&mut cache, "c", NOW).unwrap();
        drop(cache);
        // The append replaced the torn tail: the file is whole again.
        assert_eq!(fs::read(&torn).unwrap(), full, "cut at {cut}");
    }
    // A tail of zeros (a file extended but never written before a power cut) is torn too.
    let mut zeros = full.clone();
    zeros.extend_from_slice(&[0; 40]);
    fs::write(&torn, &zeros).unwrap();
    assert_eq!(ReplayCache::open(&torn, 100, NOW).unwrap().len(), 3);
}

#[test]
fn other_damage_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("replay.cache");
    {
        let mut cache = ReplayCache::open(&path, 100, NOW).unwrap();
        for name in ["a", "b", "c"] {
            record(&mut cache, name, NOW).unwrap();
        }
    }
    let good = fs::read_to_string(&path).unwrap();
    let code = |text: &str| {
        fs::write(&path, text).unwrap();
        let e = ReplayCache::open(&path, 100, NOW).unwrap_err();
        (e.code(), e)
    };
    // A digit of the second record's expiry changed: its check value no longer matches.
    let second: Vec<&str> = good.lines().collect();
    let damaged_line = second[2].replacen(&(NOW + LIFE).to_string(), &(NOW + 1).to_string(), 1);
    let damaged = good.replacen(second[2], &damaged_line, 1);
    let (c, e) = code(&damaged);
    assert_eq!(c, "qr.replay_cache_corrupt");
    assert_eq!(
        e,
        ReplayCacheError::Corrupt {
            line: 3,
            reason: "the check value does not match"
        }
    );
    assert!(e.to_string().contains("move it aside"), "{e}");
    let (c, _) = code(&good.replacen("wallet-replay-cache", "wallet-replay-cachf", 1));
    assert_eq!(c, "qr.replay_cache_corrupt");
    let (_, e) = code(&good.replacen(" v1 ", " v2 ", 1));
    assert!(e.to_string().contains("newer version"), "{e}");
    let (c, _) = code("just some text\nwith lines\n");
    assert_eq!(c, "qr.replay_cache_corrupt");
    // The damaged file was left as it was, for whoever looks into it.
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "just some text\nwith lines\n"
    );
    // Larger than any cache of this capacity.
    fs::write(&path, &good).unwrap();
    let mut big = good.clone();
    big.push_str(&"x".repeat(1 << 20));
    fs::write(&path, big).unwrap();
    assert_eq!(
        ReplayCache::open(&path, 10, NOW).unwrap_err().code(),
        "qr.replay_cache_too_large"
    );
    // An empty file (truncated by hand) is a new, empty cache.
    fs::write(&path, "").unwrap();
    assert!(ReplayCache::open(&path, 10, NOW).unwrap().is_empty());
    // A directory, and a directory that does not exist: refused, and no lock file made.
    let sub = dir.path().join("sub");
    fs::create_dir(&sub).unwrap();
    assert_eq!(
        ReplayCache::open(&sub, 10, NOW).unwrap_err().code(),
        "qr.replay_cache_io"
    );
    assert_eq!(
        ReplayCache::open(&dir.path().join("missing/replay.cache"), 10, NOW)
            .unwrap_err()
            .code(),
        "qr.replay_cache_io"
    );
    assert!(!dir.path().join("sub.lock").exists());
    assert!(!dir.path().join("missing").exists());
}

/// Two handles on one file at the same time, each taking the lock itself as two processes do:
/// the file stays whole and every code is accepted exactly once, by one of them.
#[test]
fn concurrent_handles_neither_corrupt_the_file_nor_accept_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("replay.cache");
    let names: Vec<String> = (0..400).map(|i| format!("code-{i}")).collect();
    let accepted: Vec<usize> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                let (path, names) = (&path, &names);
                s.spawn(move || {
                    let mut cache = ReplayCache::open(path, 100_000, NOW).unwrap();
                    let mut ok = 0;
                    for name in names {
                        match record(&mut cache, name, NOW) {
                            Ok(()) => ok += 1,
                            Err(FreshnessError::Replay) => {}
                            Err(e) => panic!("{e}"),
                        }
                    }
                    ok
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    assert_eq!(accepted.iter().sum::<usize>(), names.len(), "{accepted:?}");
    let mut reopened = ReplayCache::open(&path, 100_000, NOW).unwrap();
    assert_eq!(reopened.len(), names.len());
    assert_eq!(
        record(&mut reopened, "code-7", NOW),
        Err(FreshnessError::Replay)
    );
    assert_eq!(lines(&path), names.len() + 1);
}

/// The child: appends codes as fast as it can, printing `BEGIN <name>` before each and
/// `ACK <name>` once it is durable.
#[test]
#[ignore = "the child process of replay_cache_survives_sigkill; runs only when re-executed by it"]
fn replay_crash_child() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let mut cache = ReplayCache::open(Path::new(&path), 1_000_000, NOW).unwrap();
    let prefix = format!("{:08x}", OsRng.next_u32());
    println!("READY");
    for i in 0.. {
        let name = format!("{prefix}-{i}");
        println!("BEGIN {name}");
        record(&mut cache, &name, NOW).unwrap();
        println!("ACK {name}");
    }
}

/// SIGKILL at random moments while a child appends: after every kill the file opens, and every
/// code the child acknowledged is refused as a replay.
#[test]
fn replay_cache_survives_sigkill() {
    const KILLS: usize = 30;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("replay.cache");
    let exe = std::env::current_exe().unwrap();
    let mut acknowledged = BTreeSet::new();
    let mut in_flight = 0;
    for round in 0..KILLS {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                child_test_name().as_str(),
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in stdout.lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("round {round}: the child never got ready"));
            // libtest prints "test replay_file::replay_crash_child ... " on the same line first.
            if line.ends_with("READY") {
                break;
            }
        }
        std::thread::sleep(Duration::from_micros(u64::from(OsRng.next_u32() % 50_000)));
        child.kill().unwrap();
        child.wait().unwrap();
        reader.join().unwrap();
        let mut begun = None;
        for line in rx.try_iter() {
            if let Some(name) = line.strip_prefix("BEGIN ") {
                begun = Some(name.to_owned());
            } else if let Some(name) = line.strip_prefix("ACK ") {
                acknowledged.insert(name.to_owned());
                begun = None;
            }
        }
        in_flight += usize::from(begun.is_some());
        let mut cache = ReplayCache::open(&path, 1_000_000, NOW)
            .unwrap_or_else(|e| panic!("round {round}: the cache does not open: {e}"));
        assert!(cache.len() >= acknowledged.len(), "round {round}");
        for name in &acknowledged {
            assert_eq!(
                record(&mut cache, name, NOW),
                Err(FreshnessError::Replay),
                "round {round}: {name} was acknowledged but is not in the cache"
            );
        }
    }
    println!(
        "replay cache crash test: {KILLS} kills, {} acknowledged codes all kept, {in_flight} kills inside a record call",
        acknowledged.len()
    );
    assert!(!acknowledged.is_empty());
}
