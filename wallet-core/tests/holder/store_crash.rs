//! Crash safety of the holder store: a child process imports and removes credentials in a loop
//! and is killed with SIGKILL at random moments, 200 times. After every kill the store must
//! open, authenticate, and hold exactly a committed state: the last one the child acknowledged,
//! or the one its in-flight change was about to commit — nothing acknowledged lost, nothing
//! half-written.
//!
//! The child is this test binary itself (`holder`), re-executed with an environment variable
//! that makes the ignored `crash_child` test run the loop. It prints `BEGIN <op>` before each
//! change and `ACK <state>` after the store call returned.

use crate::support::store::{Agency, NOW};
use rand_core::{OsRng, RngCore as _};
use std::collections::BTreeSet;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use wallet_core::holder::{
    HolderKeyInfo, KdfParams, Store, StoreOptions, StoreSecret, credential_id,
};

const CHILD_ENV: &str = "WALLET_STORE_CRASH_CHILD_DIR";
/// The child test's name as libtest knows it, for `--exact`: this file is a module of the
/// `holder` test binary, so the name carries the module path (without the crate's name).
fn child_test_name() -> String {
    match module_path!().split_once("::") {
        Some((_, module)) => format!("{module}::crash_child"),
        None => "crash_child".to_owned(),
    }
}
/// A raw app key: the test is about durability, not Argon2.
const KEY: [u8; 32] = [0x42; 32];
const KILLS: usize = 200;
/// The child keeps the store between zero and this many credentials.
const MAX_HELD: usize = 3;
/// Kills land up to this long after the child has opened the store, microseconds.
const MAX_DELAY_US: u32 = 100_000;

#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    credentials: BTreeSet<String>,
    keys: BTreeSet<String>,
}

impl State {
    /// From the holder keys alone (one read): each key lists its credentials.
    fn from_keys(keys: &[HolderKeyInfo]) -> Self {
        Self {
            credentials: keys
                .iter()
                .flat_map(|k| k.credentials.iter().cloned())
                .collect(),
            keys: keys.iter().map(|k| k.id.clone()).collect(),
        }
    }

    /// From the store, cross-checking the credential list against the keys' view.
    fn of(store: &Store) -> Self {
        let state = Self::from_keys(&store.holder_keys().unwrap());
        let listed: BTreeSet<String> = store.list().unwrap().into_iter().map(|c| c.id).collect();
        assert_eq!(listed, state.credentials);
        state
    }

    fn encode(&self) -> String {
        let join = |set: &BTreeSet<String>| set.iter().cloned().collect::<Vec<_>>().join(",");
        format!("{}|{}", join(&self.credentials), join(&self.keys))
    }

    fn decode(text: &str) -> Self {
        let (c, k) = text.split_once('|').unwrap();
        let split = |s: &str| {
            s.split(',')
                .filter(|x| !x.is_empty())
                .map(str::to_owned)
                .collect()
        };
        Self {
            credentials: split(c),
            keys: split(k),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    NewKey,
    Import { id: String },
    Remove { id: String, key: String },
}

impl Op {
    fn decode(text: &str) -> Self {
        let parts: Vec<&str> = text.split(' ').collect();
        match parts.as_slice() {
            ["new_key"] => Self::NewKey,
            ["import", id] => Self::Import { id: (*id).into() },
            ["remove", id, key] => Self::Remove {
                id: (*id).into(),
                key: (*key).into(),
            },
            _ => panic!("bad op line {text:?}"),
        }
    }

    /// Whether `after` is exactly `before` with this change applied.
    fn explains(&self, before: &State, after: &State) -> bool {
        match self {
            Self::NewKey => {
                after.credentials == before.credentials
                    && after.keys.is_superset(&before.keys)
                    && after.keys.len() == before.keys.len() + 1
            }
            Self::Import { id } => {
                let mut expected = before.clone();
                expected.credentials.insert(id.clone());
                !before.credentials.contains(id) && *after == expected
            }
            Self::Remove { id, key } => {
                let mut expected = before.clone();
                expected.credentials.remove(id);
                expected.keys.remove(key);
                before.credentials.contains(id) && *after == expected
            }
        }
    }
}

/// The child's loop: runs until killed.
fn child_loop(dir: &Path) {
    let store = Store::open(
        &dir.join("wallet.store"),
        StoreSecret::RawKey(&KEY),
        &StoreOptions::default(),
        &mut OsRng,
    )
    .unwrap();
    let agency = Agency::new();
    let mut out = std::io::stdout().lock();
    // libtest has printed "test crash_child ... " without a newline: start our lines afresh.
    writeln!(out, "\nREADY").unwrap();
    out.flush().unwrap();
    // One read per change (the state read back after the previous one): in a debug build the
    // AEAD and signature checks dominate, and the kills should land among changes.
    let mut keys = store.holder_keys().unwrap();
    loop {
        let held: Vec<(&String, &String)> = keys
            .iter()
            .flat_map(|k| k.credentials.iter().map(move |c| (c, &k.id)))
            .collect();
        let unused = keys.iter().find(|k| k.credentials.is_empty());
        let roll = OsRng.next_u32() % 3;
        if let Some(key) = unused {
            let credential = agency.issue("resident-id", &key.public_key);
            let id = credential_id(&credential).unwrap();
            writeln!(out, "BEGIN import {id}").unwrap();
            store
                .import(&credential, &agency.resolver, NOW, &mut OsRng)
                .unwrap();
        } else if held.len() < MAX_HELD && (held.is_empty() || roll > 0) {
            writeln!(out, "BEGIN new_key").unwrap();
            store.new_holder_key(&mut OsRng).unwrap();
        } else {
            let (id, key) = held[OsRng.next_u32() as usize % held.len()];
            writeln!(out, "BEGIN remove {id} {key}").unwrap();
            store.remove(id, &mut OsRng).unwrap();
        }
        // Acknowledged: the store call returned. The state is read back from the file.
        keys = store.holder_keys().unwrap();
        writeln!(out, "ACK {}", State::from_keys(&keys).encode()).unwrap();
        out.flush().unwrap();
    }
}

#[test]
#[ignore = "the child process of crash_test_sigkill_200_times; it runs only when re-executed by it"]
fn crash_child() {
    if let Some(dir) = std::env::var_os(CHILD_ENV) {
        child_loop(Path::new(&dir));
    }
}

/// Everything the child printed before `READY` and from then until it died.
fn run_child_until_killed(
    exe: &Path,
    dir: &Path,
    round: usize,
    busy: &mut Duration,
) -> Vec<String> {
    let mut child = Command::new(exe)
        .args([
            "--exact",
            child_test_name().as_str(),
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read the child's lines as they come, so the kill can be timed from its start of work.
    let (lines_tx, lines) = mpsc::channel();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let reader = std::thread::spawn(move || {
        for line in stdout.lines() {
            if lines_tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let mut stderr = child.stderr.take().unwrap();
    let mut output = Vec::new();
    loop {
        match lines.recv_timeout(Duration::from_secs(30)) {
            Ok(line) if line == "READY" => break,
            Ok(line) => output.push(line),
            Err(_) => {
                let _ = child.kill();
                let mut err = String::new();
                stderr.read_to_string(&mut err).unwrap();
                panic!("round {round}: child never got ready: {err}");
            }
        }
    }
    // A random moment within the child's first changes (each takes a few milliseconds: a
    // signature check, an encryption, two fsyncs).
    let delay = Duration::from_micros(u64::from(OsRng.next_u32() % MAX_DELAY_US));
    std::thread::sleep(delay);
    *busy += delay;
    if let Some(status) = child.try_wait().unwrap() {
        let mut err = String::new();
        stderr.read_to_string(&mut err).unwrap();
        panic!("round {round}: child exited on its own ({status}): {err}");
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    reader.join().unwrap();
    output.extend(lines.try_iter());
    output
}

#[test]
fn crash_test_sigkill_200_times() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wallet.store");
    let options = StoreOptions::default();
    Store::create(
        &path,
        StoreSecret::RawKey(&KEY),
        &KdfParams::RECOMMENDED,
        &options,
        &mut OsRng,
    )
    .unwrap();
    let exe = std::env::current_exe().unwrap();
    let started = Instant::now();
    let mut verified = State {
        credentials: BTreeSet::new(),
        keys: BTreeSet::new(),
    };
    let (mut kills, mut verified_states, mut at_ack, mut in_flight, mut acks) = (0, 0, 0, 0, 0);
    let mut busy = Duration::ZERO;
    for round in 0..KILLS {
        let output = run_child_until_killed(&exe, dir.path(), round, &mut busy);
        kills += 1;

        // Replay the child's log from the last verified state.
        let mut last = verified.clone();
        let mut pending: Option<Op> = None;
        for line in &output {
            if let Some(op) = line.strip_prefix("BEGIN ") {
                assert!(pending.is_none(), "round {round}: BEGIN without ACK");
                pending = Some(Op::decode(op));
            } else if let Some(state) = line.strip_prefix("ACK ") {
                let state = State::decode(state);
                let op = pending.take().expect("ACK without BEGIN");
                assert!(
                    op.explains(&last, &state),
                    "round {round}: child acknowledged {op:?} but reported {state:?} after {last:?}"
                );
                last = state;
                acks += 1;
            }
        }

        // The store must open and authenticate, and hold a committed state.
        let store = Store::open(&path, StoreSecret::RawKey(&KEY), &options, &mut OsRng)
            .unwrap_or_else(|e| panic!("round {round}: store does not open after SIGKILL: {e}"));
        let actual = State::of(&store);
        if actual == last {
            at_ack += 1;
        } else if pending
            .as_ref()
            .is_some_and(|op| op.explains(&last, &actual))
        {
            in_flight += 1;
        } else {
            panic!(
                "round {round}: store holds {actual:?}, neither the acknowledged {last:?} nor \
                 that plus the in-flight {pending:?}"
            );
        }
        // Every stored credential can still be read in full.
        for info in store.list().unwrap() {
            assert_eq!(
                credential_id(&store.get(&info.id).unwrap().credential).unwrap(),
                info.id
            );
        }
        verified_states += 1;
        verified = actual;
    }
    let leftovers = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".tmp-")
        })
        .count();
    println!(
        "crash test: {kills} kills, {verified_states} verified states ({at_ack} at the last \
         acknowledged state, {in_flight} with the in-flight change committed; {acks} \
         acknowledged changes in {:.1} s of child work; {leftovers} orphaned temp files; {:.1} s)",
        busy.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(kills, KILLS);
    assert_eq!(verified_states, KILLS);
    // Every open after a kill sweeps what the kill left behind.
    assert_eq!(leftovers, 0, "orphaned temporary files remain");
    // Progress, so that kills land among changes and not only during start-up. (A change takes
    // tens of milliseconds in an unoptimised test build, well under one in release.)
    assert!(
        acks >= KILLS / 4,
        "the child made too little progress: {acks} changes"
    );
}
