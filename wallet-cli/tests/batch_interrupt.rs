//! Crash safety of `wallet issue-batch`: a 100,000-line batch with a status registry is
//! interrupted again and again — SIGKILL at random moments (mid-write, mid-fsync, mid-resume)
//! and SIGINT — and resumed with `--resume` each time until it completes. Then input, output,
//! issuance log and registry are compared line by line: every input line issued exactly once,
//! the log naming exactly the output's credentials with the same status indices, every index
//! allocated in the registry and none used twice. Durability is on throughout (the binary has
//! no other mode). Prints `interrupts: N, lines: M, issued once: M, log = output: yes`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss
)]

use serde_json::Value;
use std::collections::HashMap;
use std::io::BufRead as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LINES: usize = 100_000;
/// Interrupts before the batch is let finish: at least 10, half of them SIGKILL.
const INTERRUPTS: usize = 12;
const ISS: &str = "https://ga.sh.gov.cn/issuer";

fn wallet(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wallet"));
    c.current_dir(dir);
    c
}

fn batch_args(resume: bool) -> Vec<&'static str> {
    let mut args = vec![
        "issue-batch",
        "--issuer-key",
        "agency.pem",
        "--iss",
        ISS,
        "--type",
        "driving-licence",
        "--input",
        "in.jsonl",
        "--out",
        "out.jsonl",
        "--status-registry",
        "status.registry",
        "--jobs",
        "2",
        "--now",
        "2026-01-01T00:00:00Z",
    ];
    if resume {
        args.push("--resume");
    }
    args
}

/// A small xorshift: random delays without a dependency; seeded from the clock and printed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// Uniform in [lo, hi).
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo).max(1)
    }
}

/// Whether the file's last byte is not a newline: a line is being written.
fn mid_write(path: &Path) -> bool {
    use std::io::{Read as _, Seek as _, SeekFrom};
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let mut last = [0u8; 1];
    f.seek(SeekFrom::End(-1)).is_ok() && f.read_exact(&mut last).is_ok() && last[0] != b'\n'
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

#[test]
fn interrupted_batches_resume_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for name in ["agency.pem", "batch-ok.jsonl"] {
        std::fs::copy(Path::new("tests/fixtures").join(name), d.join(name)).unwrap();
    }
    let init = wallet(d)
        .args(["status", "init", "--uri", "https://x/status/7"])
        .args(["--out", "status.registry", "--capacity", "4194304"])
        .output()
        .unwrap();
    assert_eq!(init.status.code(), Some(0));
    let line = std::fs::read_to_string(d.join("batch-ok.jsonl")).unwrap();
    let line = line.lines().next().unwrap().to_owned();
    std::fs::write(d.join("in.jsonl"), format!("{line}\n").repeat(LINES)).unwrap();

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("seed: {seed}");
    let mut rng = Rng(seed);
    let partial = d.join("out.jsonl.partial");
    let finished = d.join("out.jsonl");
    let (mut kills, mut sigints, mut sigint_summaries) = (0usize, 0usize, 0usize);
    let mut torn = 0usize;
    // Bytes of one output line, read from the first one written.
    let mut line_bytes: u64 = 0;
    let mut runs = 0;
    loop {
        runs += 1;
        assert!(runs < 200, "the batch does not finish");
        let interrupts = kills + sigints;
        let resume = partial.exists() || d.join("out.jsonl.partial.job").exists();
        let before = size(&partial);
        let started = Instant::now();
        let mut child = wallet(d)
            .args(batch_args(resume))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if interrupts >= INTERRUPTS {
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "final run: {stderr}");
            break;
        }
        // Each interrupt is aimed by the batch's progress, not by the clock (a loaded machine
        // would otherwise let the batch finish first): once the output has grown by a random
        // share of at most 1/(4 x INTERRUPTS) of the batch; a SIGKILL then waits for a moment
        // when the output's last byte is not a newline — a write in progress — so that it lands
        // mid-write. Every other SIGINT comes in the first 150 ms instead (start-up, or in the
        // middle of a resume's repair).
        let sigkill = interrupts % 2 == 0;
        let waited = Instant::now();
        let aim = if !sigkill && interrupts % 4 == 1 {
            let ms = rng.between(5, 150);
            std::thread::sleep(Duration::from_millis(ms));
            format!("{ms} ms")
        } else {
            let goal_lines = rng.between(
                (LINES / (16 * INTERRUPTS)) as u64,
                (LINES / (4 * INTERRUPTS)) as u64,
            );
            loop {
                if child.try_wait().unwrap().is_some() {
                    panic!(
                        "the batch finished before {INTERRUPTS} interrupts (after {interrupts})"
                    );
                }
                if line_bytes == 0
                    && let Some(first) = std::fs::read(&partial)
                        .ok()
                        .and_then(|b| b.iter().position(|c| *c == b'\n'))
                {
                    line_bytes = (first + 1) as u64;
                }
                if line_bytes > 0
                    && size(&partial) >= before + goal_lines * line_bytes
                    && (!sigkill
                        || mid_write(&partial)
                        || waited.elapsed() > Duration::from_secs(60))
                {
                    break;
                }
                assert!(
                    waited.elapsed() < Duration::from_secs(300),
                    "no progress in 300 s"
                );
                std::thread::sleep(Duration::from_millis(1));
            }
            format!("+{goal_lines} lines")
        };
        if child.try_wait().unwrap().is_some() {
            panic!("the batch finished before {INTERRUPTS} interrupts (after {interrupts})");
        }
        if sigkill {
            child.kill().unwrap();
            let status = child.wait().unwrap();
            assert_eq!(status.code(), None, "killed by SIGKILL");
            kills += 1;
            // A kill that cut a line in two (the resume must cut it off).
            let bytes = std::fs::read(&partial).unwrap_or_default();
            if bytes.last().is_some_and(|b| *b != b'\n') {
                torn += 1;
            }
        } else {
            let sent = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status()
                .unwrap();
            assert!(sent.success());
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            // Before its handler is installed (a SIGINT in the first milliseconds) the process
            // dies of the signal; after, it stops cleanly with 130, a summary and the hint.
            if out.status.code() == Some(130) {
                assert!(
                    stderr.contains("interrupted by SIGINT after input line"),
                    "{stderr}"
                );
                assert!(stderr.contains("--resume"), "{stderr}");
                sigint_summaries += 1;
            } else {
                assert_eq!(out.status.code(), None, "{stderr}");
            }
            sigints += 1;
        }
        let grown = size(&partial).saturating_sub(before) as f64;
        println!(
            "run {runs}: {} after {aim} ({:.1} s), output +{:.0} kB",
            if sigkill { "SIGKILL" } else { "SIGINT" },
            started.elapsed().as_secs_f64(),
            grown / 1000.0
        );
        // Never seen under the final name before the batch completes.
        assert!(!finished.exists(), "a partial output under the final name");
    }
    let interrupts = kills + sigints;
    assert!(interrupts >= 10 && kills >= 5 && sigints >= 5);
    // Half the kills at least must have cut a line in two (the resume's hardest case).
    assert!(
        torn * 2 >= kills,
        "only {torn} of {kills} SIGKILLs landed mid-write"
    );
    assert!(
        sigint_summaries >= 1,
        "no SIGINT landed after the handler was installed"
    );
    assert!(!partial.exists());
    assert!(!d.join("out.jsonl.partial.job").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&finished).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "batch output holds personal data");
    }
    assert_eq!(size(&d.join("out.jsonl.errors.jsonl")), 0, "no line failed");

    // Output: every input line exactly once, in order, each with its own index.
    let mut seen = vec![0u32; LINES + 1];
    let mut out_ids: HashMap<String, u64> = HashMap::with_capacity(LINES);
    let mut out_idx: HashMap<u64, u32> = HashMap::with_capacity(LINES);
    let mut last_line = 0;
    let file = std::fs::File::open(&finished).unwrap();
    for (n, text) in std::io::BufReader::new(file).lines().enumerate() {
        let v: Value = serde_json::from_str(&text.unwrap()).unwrap();
        let line = v["line"].as_u64().unwrap();
        assert!(line > last_line, "output out of order at line {line}");
        last_line = line;
        seen[usize::try_from(line).unwrap()] += 1;
        let idx = v["status_idx"].as_u64().unwrap();
        *out_idx.entry(idx).or_default() += 1;
        let id = v["id"].as_str().unwrap().to_owned();
        if n % 997 == 0 {
            // The index in the output line is the one the credential carries.
            let cred = v["credential"].as_str().unwrap();
            let jwt = cred.split('~').next().unwrap();
            let claims = wallet_core::jws::Jws::parse(jwt)
                .unwrap()
                .payload()
                .unwrap();
            assert_eq!(claims["status"]["status_list"]["idx"].as_u64(), Some(idx));
        }
        assert!(out_ids.insert(id, idx).is_none(), "a credential id twice");
    }
    let issued_once = seen[1..].iter().filter(|c| **c == 1).count();
    assert_eq!(seen[0], 0);
    assert!(seen.iter().all(|c| *c <= 1), "an input line issued twice");
    assert!(
        out_idx.values().all(|c| *c == 1),
        "a status index used twice"
    );

    // Issuance log: exactly the output's credentials, with the same indices. A line cut by a
    // kill (not JSON) is no entry.
    let log = std::fs::File::open(d.join("status.registry.issued.jsonl")).unwrap();
    let mut logged: HashMap<String, u64> = HashMap::with_capacity(LINES);
    for text in std::io::BufReader::new(log).lines() {
        let Ok(v) = serde_json::from_str::<Value>(&text.unwrap()) else {
            continue;
        };
        let id = v["id"].as_str().unwrap().to_owned();
        let idx = v["idx"].as_u64().unwrap();
        assert!(
            logged.insert(id, idx).is_none(),
            "a credential logged twice"
        );
    }
    let log_equals_output = logged == out_ids;
    if !log_equals_output {
        let missing = out_ids.keys().filter(|k| !logged.contains_key(*k)).count();
        let extra = logged.keys().filter(|k| !out_ids.contains_key(*k)).count();
        panic!("log != output: {missing} issued but not logged, {extra} logged but not issued");
    }

    // Registry: every index allocated (an interrupted batch may waste reserved indices, so
    // there may be more allocations than credentials, never fewer).
    let registry = wallet_core::issuer::StatusRegistry::load(&d.join("status.registry")).unwrap();
    for idx in out_idx.keys() {
        assert!(
            registry.status(*idx).is_ok(),
            "index {idx} is not allocated"
        );
    }
    assert!(registry.allocated_count() >= LINES as u64);

    println!(
        "interrupts: {interrupts} ({kills} SIGKILL, {torn} of them leaving a torn line; \
         {sigints} SIGINT, {sigint_summaries} of them after the handler), runs: {runs}, \
         indices allocated: {}",
        registry.allocated_count()
    );
    println!(
        "interrupts: {interrupts}, lines: {LINES}, issued once: {issued_once}, log = output: {}",
        if log_equals_output { "yes" } else { "no" }
    );
    assert_eq!(issued_once, LINES);
}

/// SIGTERM stops a batch with 143 and a summary; a run without `--resume` (even with `--force`)
/// refuses to start over the interrupted batch, `--resume` with a changed input is refused and
/// says what differs, and the resumed batch completes with every line once.
#[test]
fn sigterm_then_refusals_then_resume() {
    const N: usize = 20_000;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for name in ["agency.pem", "batch-ok.jsonl"] {
        std::fs::copy(Path::new("tests/fixtures").join(name), d.join(name)).unwrap();
    }
    let init = wallet(d)
        .args(["status", "init", "--uri", "https://x/status/8"])
        .args(["--out", "status.registry", "--capacity", "1048576"])
        .output()
        .unwrap();
    assert_eq!(init.status.code(), Some(0));
    let line = std::fs::read_to_string(d.join("batch-ok.jsonl")).unwrap();
    let line = line.lines().next().unwrap().to_owned();
    let input = format!("{line}\n").repeat(N);
    std::fs::write(d.join("in.jsonl"), &input).unwrap();
    let partial = d.join("out.jsonl.partial");

    let child = wallet(d)
        .args(batch_args(false))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Signal once the batch is writing (its handler is installed by then).
    let deadline = Instant::now() + Duration::from_secs(60);
    while size(&partial) == 0 {
        assert!(Instant::now() < deadline, "no output");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(0) {
        // The batch finished before the signal: nothing left to check here.
        return;
    }
    assert_eq!(out.status.code(), Some(143), "{stderr}");
    assert!(
        stderr.contains("interrupted by SIGTERM after input line"),
        "{stderr}"
    );
    assert!(
        stderr.contains("run the same command with --resume to continue"),
        "{stderr}"
    );
    assert!(!d.join("out.jsonl").exists());

    for force in [false, true] {
        let mut args = batch_args(false);
        if force {
            args.push("--force");
        }
        let out = wallet(d).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("an interrupted batch for out.jsonl is in out.jsonl.partial"),
            "{stderr}"
        );
    }

    std::fs::write(d.join("in.jsonl"), format!("{input}{line}\n")).unwrap();
    let out = wallet(d).args(batch_args(true)).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("this is not the batch out.jsonl.partial.job was started for: the input"),
        "{stderr}"
    );

    std::fs::write(d.join("in.jsonl"), &input).unwrap();
    // Other expiry rules would mix two kinds of credential in one batch.
    let out = wallet(d)
        .args(batch_args(true))
        .args(["--valid-for", "30d"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--expires, --valid-for, --strict-validity or --no-status differ"),
        "{stderr}"
    );
    let out = wallet(d).args(batch_args(true)).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("resuming out.jsonl after input line"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(d.join("out.jsonl")).unwrap();
    let lines: Vec<u64> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["line"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(lines, (1..=N as u64).collect::<Vec<_>>());

    let out = wallet(d).args(batch_args(true)).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("nothing to resume: the batch for out.jsonl has completed"),
        "{stderr}"
    );
}
