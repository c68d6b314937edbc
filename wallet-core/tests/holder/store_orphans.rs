//! Opening the holder store deletes the temporary files a writer killed before its rename left
//! beside the store — only files with the store's exact temporary-name pattern, and only while
//! no other process holds the store's writer lock.

use crate::support::store::{raw_store, store_path, test_options};
use rand_core::OsRng;
use std::fs;
use wallet_core::holder::{Store, StoreSecret};

const KEY: [u8; 32] = [7; 32];

const UNRELATED: [&str; 5] = [
    ".tmp-a1B2c3",             // fsutil's old pattern: cannot tell whose it is
    ".keys.pem.tmp-a1B2c3",    // another file's temporary file, maybe being written now
    ".wallet.store.tmp-a1B2",  // not the exact pattern
    "wallet.store.tmp-a1B2c3", // not the exact pattern
    "notes.txt",
];

fn plant(dir: &std::path::Path) -> std::path::PathBuf {
    let orphan = dir.join(".wallet.store.tmp-a1B2c3");
    fs::write(&orphan, b"ciphertext of a change that never landed").unwrap();
    for name in UNRELATED {
        fs::write(dir.join(name), b"keep").unwrap();
    }
    orphan
}

#[test]
fn open_removes_the_stores_orphans_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    raw_store(dir.path(), &KEY);
    let orphan = plant(dir.path());
    let store = Store::open(
        &store_path(dir.path()),
        StoreSecret::RawKey(&KEY),
        &test_options(),
        &mut OsRng,
    )
    .unwrap();
    assert!(!orphan.exists(), "the orphan was not removed");
    for name in UNRELATED {
        assert_eq!(fs::read(dir.path().join(name)).unwrap(), b"keep", "{name}");
    }
    assert!(store.list().unwrap().is_empty());
}

#[test]
fn open_with_a_wrong_key_removes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    raw_store(dir.path(), &KEY);
    let orphan = plant(dir.path());
    let err = Store::open(
        &store_path(dir.path()),
        StoreSecret::RawKey(&[8; 32]),
        &test_options(),
        &mut OsRng,
    )
    .unwrap_err();
    assert_eq!(err.code(), "store.wrong_key");
    assert!(orphan.exists());
}

/// Another process holding the lock may be writing through that very file: open leaves it
/// alone (and neither waits nor fails); a later open sweeps it.
#[test]
fn open_while_another_writer_holds_the_lock_leaves_its_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    raw_store(dir.path(), &KEY);
    let orphan = plant(dir.path());
    let mut lock = fd_lock::RwLock::new(
        fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(dir.path().join("wallet.store.lock"))
            .unwrap(),
    );
    let open = || {
        Store::open(
            &store_path(dir.path()),
            StoreSecret::RawKey(&KEY),
            &test_options(),
            &mut OsRng,
        )
    };
    {
        let _held = lock.write().unwrap();
        let started = std::time::Instant::now();
        open().unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert!(
            orphan.exists(),
            "a live writer's temporary file was removed"
        );
    }
    open().unwrap();
    assert!(!orphan.exists());
}
