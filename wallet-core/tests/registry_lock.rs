//! The status registry's cross-process lock: a second holder is refused with
//! `status.registry_locked` (after the wait), a waiter proceeds once the holder lets go, saves
//! go through the lock, and taking the lock sweeps the registry's orphaned temporary files and
//! nothing else. The multi-process test with the real `wallet` binary is
//! wallet-cli/tests/registry_lock.rs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use rand_core::OsRng;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wallet_core::issuer::{REGISTRY_LOCK_TIMEOUT, RegistryLock, StatusRegistry};
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
