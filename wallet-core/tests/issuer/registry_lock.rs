//! The status registry's cross-process lock: a second holder is refused with
//! `status.registry_locked` (after the wait), a waiter proceeds once the holder lets go, saves
//! go through the lock, and taking the lock sweeps the registry's orphaned temporary files and
//! nothing else. The multi-process test with the real `wallet` binary is
//! wallet-cli/tests/registry_lock.rs.
//!
//! The issuer service on top of it (`wallet_core::issuer`): concurrent issuers through
//! `IssuanceService` never share an index and log every credential once, in the log's line
//! format; lookup by id streams the log and skips a torn line; batch reservations from two
//! reservers never overlap; a refused credential spends no index.

use rand_core::OsRng;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wallet_core::credential::catalogue;
use wallet_core::issuer::CredentialRequest;
use wallet_core::issuer::log::{find_index, log_line, log_line_batch, log_path};
use wallet_core::issuer::reservation::IndexReservation;
use wallet_core::issuer::{IssuanceService, IssuerError};
use wallet_core::issuer::{REGISTRY_LOCK_TIMEOUT, RegistryLock, StatusRegistry};
use wallet_core::keys::SigningKey;
use wallet_core::status::{Bits, StatusError, StatusValue};

const URI: &str = "https://example.gov.cn/status/lock";

fn new_registry(dir: &Path) -> PathBuf {
    let path = dir.join("status.registry");
    StatusRegistry::new(URI, Bits::Two, 1024)
        .unwrap()
        .save(&path)
        .unwrap();
    path
}

#[test]
fn second_lock_is_refused_while_the_first_is_held() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_registry(dir.path());
    let held = StatusRegistry::lock(&path, Duration::ZERO).unwrap();
    let err = StatusRegistry::lock(&path, Duration::ZERO).unwrap_err();
    assert_eq!(err, StatusError::RegistryLocked);
    assert_eq!(err.code(), "status.registry_locked");
    assert!(
        err.to_string()
            .contains("another process is using the status registry"),
        "{err}"
    );
    // A bounded wait, then the same error.
    let started = Instant::now();
    let err = StatusRegistry::lock(&path, Duration::from_millis(150)).unwrap_err();
    assert_eq!(err.code(), "status.registry_locked");
    assert!(started.elapsed() >= Duration::from_millis(150));
    drop(held);
    let again = StatusRegistry::lock(&path, Duration::ZERO).unwrap();
    assert_eq!(again.path(), path.as_path());
    // The lock file stays: deleting it would let two processes lock two different files.
    drop(again);
    assert!(dir.path().join("status.registry.lock").exists());
    assert!(REGISTRY_LOCK_TIMEOUT >= Duration::from_secs(1));
}

#[test]
fn a_waiting_locker_proceeds_when_the_holder_lets_go() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_registry(dir.path());
    let held = StatusRegistry::lock(&path, Duration::ZERO).unwrap();
    // Allocate under the first lock, then release it from another thread after a while.
    let mut registry = held.load().unwrap();
    let first = registry.allocate(&mut OsRng).unwrap();
    held.save(&registry).unwrap();
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        drop(held);
    });
    let started = Instant::now();
    let second_lock = StatusRegistry::lock(&path, Duration::from_secs(10)).unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
    releaser.join().unwrap();
    // The waiter sees the first holder's allocation and cannot be handed the same index.
    let mut registry = second_lock.load().unwrap();
    assert_eq!(registry.allocated_count(), 1);
    assert_eq!(registry.status(first).unwrap(), StatusValue::VALID);
    let second = registry.allocate(&mut OsRng).unwrap();
    assert_ne!(first, second);
    second_lock.save(&registry).unwrap();
    assert_eq!(StatusRegistry::load(&path).unwrap().allocated_count(), 2);
}

#[test]
fn the_lock_can_move_to_another_thread() {
    fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<RegistryLock>();
}

#[test]
fn a_missing_lock_directory_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let err =
        StatusRegistry::lock(&dir.path().join("no/such/registry"), Duration::ZERO).unwrap_err();
    assert_eq!(err.code(), "status.io");
}

#[test]
fn locking_sweeps_only_the_registrys_orphaned_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_registry(dir.path());
    let registry = fs::read(&path).unwrap();
    let orphan = dir.path().join(".status.registry.tmp-Q7rT2z");
    fs::write(&orphan, b"half a registry").unwrap();
    let unrelated = [
        ".tmp-Q7rT2z",               // another writer's temporary file (old pattern)
        ".trust.jwt.tmp-Q7rT2z",     // another target's temporary file
        ".status.registry.tmp-Q7rT", // not the exact pattern
        "status.registry.issued.jsonl",
        "notes.txt",
    ];
    for name in unrelated {
        fs::write(dir.path().join(name), b"keep").unwrap();
    }
    let lock = StatusRegistry::lock(&path, Duration::ZERO).unwrap();
    assert!(!orphan.exists(), "the orphan was not swept");
    for name in unrelated {
        assert_eq!(fs::read(dir.path().join(name)).unwrap(), b"keep", "{name}");
    }
    assert_eq!(fs::read(&path).unwrap(), registry);
    // A save under the lock leaves no temporary file behind either.
    lock.save(&lock.load().unwrap()).unwrap();
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".status.registry.tmp-"))
        .collect();
    assert_eq!(leftovers, [".status.registry.tmp-Q7rT"]);
}

// ---------------------------------------------------------------------------------------
// The issuer service
// ---------------------------------------------------------------------------------------

const ISS: &str = "https://ga.sh.gov.cn/issuer";
/// 2026-06-01T00:00:00Z.
const NOW: i64 = 1_780_272_000;

fn request(seed: u8) -> CredentialRequest {
    let ty = catalogue::by_name("resident-id").unwrap();
    let holder = SigningKey::from_seed(&[seed; 32]).verifying_key();
    CredentialRequest::for_type(ty, ISS, &ty.example_claims(), holder, NOW).unwrap()
}

#[test]
fn concurrent_issuers_never_share_an_index_and_log_each_credential_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_registry(dir.path());
    let key = SigningKey::from_seed(&[1; 32]);
    const PER_THREAD: usize = 6;
    let issued: Vec<_> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4u8)
            .map(|t| {
                let (key, path) = (&key, &path);
                scope.spawn(move || {
                    // A long wait: the other issuers hold the lock for a signature each.
                    let service = IssuanceService::new(key)
                        .with_registry(path)
                        .lock_timeout(Duration::from_secs(60));
                    (0..PER_THREAD)
                        .map(|i| {
                            let seed = t.wrapping_mul(16).wrapping_add(u8::try_from(i).unwrap());
                            service.issue(request(seed), &mut OsRng).unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let indices: std::collections::BTreeSet<u64> = issued
        .iter()
        .map(|c| c.status.as_ref().unwrap().idx)
        .collect();
    assert_eq!(indices.len(), 4 * PER_THREAD, "an index was given twice");
    assert_eq!(
        StatusRegistry::load(&path).unwrap().allocated_count(),
        u64::try_from(4 * PER_THREAD).unwrap()
    );
    // One whole line per credential: none lost, none interleaved.
    let log = fs::read_to_string(log_path(&path)).unwrap();
    assert_eq!(log.lines().count(), 4 * PER_THREAD);
    for c in &issued {
        let status = c.status.as_ref().unwrap();
        assert_eq!(status.uri, URI);
        let line = log_line(&c.id, status, "urn:cn-wallet:resident-id:1", ISS, NOW);
        assert!(log.contains(&line), "{line} not in the log");
        assert_eq!(find_index(&path, &c.id).unwrap(), Some(status.idx));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = fs::metadata(log_path(&path)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn log_lines_have_a_fixed_format_and_lookup_skips_torn_lines() {
    let status = wallet_core::credential::StatusRef {
        idx: 7,
        uri: URI.to_owned(),
    };
    assert_eq!(
        log_line("ID1", &status, "urn:x", ISS, 5),
        format!(
            "{{\"iat\":5,\"id\":\"ID1\",\"idx\":7,\"iss\":\"{ISS}\",\"uri\":\"{URI}\",\"vct\":\"urn:x\"}}\n"
        )
    );
    assert_eq!(
        log_line_batch("ID1", &status, "urn:x", ISS, 5, "job9", None),
        format!(
            "{{\"batch\":\"job9\",\"iat\":5,\"id\":\"ID1\",\"idx\":7,\"iss\":\"{ISS}\",\"uri\":\"{URI}\",\"vct\":\"urn:x\"}}\n"
        )
    );
    let dir = tempfile::tempdir().unwrap();
    let path = new_registry(dir.path());
    assert_eq!(
        log_path(&path),
        dir.path().join("status.registry.issued.jsonl")
    );
    // No log yet: an I/O error naming the log, not "not found".
    assert_eq!(find_index(&path, "ID1").unwrap_err().code(), "issuer.io");
    // A torn last line (a writer killed mid-write) is skipped by the lookup, and the next
    // issuance ends it before appending, so its own line stays whole.
    fs::write(
        log_path(&path),
        format!(
            "{}{{\"id\":\"torn",
            log_line("ID1", &status, "urn:x", ISS, 5)
        ),
    )
    .unwrap();
    assert_eq!(find_index(&path, "ID1").unwrap(), Some(7));
    assert_eq!(find_index(&path, "torn").unwrap(), None);
    let key = SigningKey::from_seed(&[2; 32]);
    let issued = IssuanceService::new(&key)
        .with_registry(&path)
        .issue(request(3), &mut OsRng)
        .unwrap();
    let log = fs::read_to_string(log_path(&path)).unwrap();
    assert!(log.ends_with(&log_line(
        &issued.id,
        issued.status.as_ref().unwrap(),
        "urn:cn-wallet:resident-id:1",
        ISS,
        NOW
    )));
    assert_eq!(log.lines().count(), 3);
    assert_eq!(
        find_index(&path, &issued.id).unwrap(),
        Some(issued.status.unwrap().idx)
    );
}

#[test]
fn refusals_spend_no_index_and_a_held_registry_issues_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_registry(dir.path());
    let key = SigningKey::from_seed(&[4; 32]);
    let service = IssuanceService::new(&key).with_registry(&path);
    let mut strict = request(5);
    strict.expires_at = NOW + 100 * 365 * 86_400;
    strict.strict_validity = true;
    let err = service.issue(strict, &mut OsRng).unwrap_err();
    assert_eq!(err.code(), "vc.expiry_after_document");
    // Without a registry, a type that must be revocable is refused.
    let err = IssuanceService::new(&key)
        .issue(request(5), &mut OsRng)
        .unwrap_err();
    assert_eq!(err.code(), "vc.status_required");
    // Another process holds the registry: refused after the wait, nothing allocated.
    let held = StatusRegistry::lock(&path, Duration::ZERO).unwrap();
    let err = service
        .lock_timeout(Duration::ZERO)
        .issue(request(5), &mut OsRng)
        .unwrap_err();
    assert!(matches!(err, IssuerError::LockRegistry { .. }));
    assert_eq!(err.code(), "status.registry_locked");
    drop(held);
    assert_eq!(StatusRegistry::load(&path).unwrap().allocated_count(), 0);
    assert!(!log_path(&path).exists());
}

#[test]
fn batch_reservations_never_overlap() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_registry(dir.path());
    let mut a = IndexReservation::start(&path, REGISTRY_LOCK_TIMEOUT).unwrap();
    let mut b = IndexReservation::start(&path, REGISTRY_LOCK_TIMEOUT).unwrap();
    assert_eq!(a.uri(), URI);
    let mut seen = std::collections::HashSet::new();
    // Capacity 1024: the first block takes all of it, so the second reserver finds it full.
    for _ in 0..1024 {
        assert!(seen.insert(a.next(&mut OsRng).unwrap()));
    }
    let err = b.next(&mut OsRng).unwrap_err();
    assert_eq!(err.code(), "status.registry_full");
    assert_eq!(StatusRegistry::load(&path).unwrap().allocated_count(), 1024);
}
