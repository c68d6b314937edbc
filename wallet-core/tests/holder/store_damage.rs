//! Every way a store file can be wrong: wrong passphrase or key, any byte altered (also under an
//! open handle), truncated or extended, a newer format version, hostile KDF parameters — each
//! refused with a typed error, never a panic, and nothing written.

use crate::support::store::*;
use rand_core::OsRng;
use std::collections::BTreeMap;
use std::fs;
use std::time::{Duration, Instant};
use wallet_core::holder::{Store, StoreError, StoreOptions, StoreSecret};

#[test]
fn wrong_passphrase_or_key_is_reported_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let agency = Agency::new();
    let store = passphrase_store(dir.path());
    add_credential(&store, &agency, "resident-id");
    let path = store_path(dir.path());
    let before = fs::read(&path).unwrap();
    let err = open_pass(&path, "correct horse battery stapler").unwrap_err();
    assert_eq!(err.code(), "store.wrong_key");
    assert_eq!(
        err.to_string(),
        "wrong passphrase or key: the store was not changed; try again"
    );
    // A raw key offered to a passphrase store is a wrong key too.
    assert_eq!(
        open_raw(&path, &[0u8; 32]).unwrap_err().code(),
        "store.wrong_key"
    );
    assert_eq!(fs::read(&path).unwrap(), before);

    let dir2 = tempfile::tempdir().unwrap();
    raw_store(dir2.path(), &[1u8; 32]);
    let path2 = store_path(dir2.path());
    assert_eq!(
        open_raw(&path2, &[2u8; 32]).unwrap_err().code(),
        "store.wrong_key"
    );
    assert_eq!(
        open_pass(&path2, PASSPHRASE).unwrap_err().code(),
        "store.wrong_key"
    );
}

/// Flips each byte at `positions` in turn (all of them when `None`): each altered file must fail
/// to open with an error (never a panic, never success), and the original must still open
/// afterwards.
fn flip_bytes(
    path: &std::path::Path,
    positions: Option<Vec<usize>>,
    open: &dyn Fn(&std::path::Path) -> Result<Store, StoreError>,
) -> BTreeMap<&'static str, usize> {
    let original = fs::read(path).unwrap();
    let mut codes = BTreeMap::new();
    for i in positions.unwrap_or_else(|| (0..original.len()).collect()) {
        let mut altered = original.clone();
        altered[i] ^= 0xff;
        let variant = write_variant(path, &altered);
        let err = match open(&variant) {
            Ok(_) => panic!("byte {i} altered and the store still opened"),
            Err(e) => e,
        };
        if i >= HEADER_LEN {
            assert_eq!(err.code(), "store.tampered", "byte {i}");
        }
        // The failed open did not rewrite the file.
        assert_eq!(fs::read(&variant).unwrap(), altered, "byte {i}");
        fs::remove_file(&variant).unwrap();
        *codes.entry(err.code()).or_insert(0) += 1;
    }
    open(path).unwrap();
    codes
}

/// Writes `bytes` to a new file beside `path`. A new file each time rather than rewriting one:
/// ext4 flushes a file truncated and rewritten in place (`auto_da_alloc`), which would make
/// these thousands-of-variants loops slow for no benefit.
fn write_variant(path: &std::path::Path, bytes: &[u8]) -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let variant = path.with_file_name(format!("variant-{n}.store"));
    fs::write(&variant, bytes).unwrap();
    variant
}

#[test]
fn every_flipped_byte_is_detected() {
    let agency = Agency::new();
    // Raw-key store: header bytes give not_a_store / newer_version / malformed / wrong_key /
    // tampered / truncated; every ciphertext byte gives tampered.
    let dir = tempfile::tempdir().unwrap();
    let raw = [5u8; 32];
    let store = raw_store(dir.path(), &raw);
    add_credential(&store, &agency, "resident-id");
    let path = store_path(dir.path());
    let len = fs::read(&path).unwrap().len();
    let codes = flip_bytes(&path, None, &|p| open_raw(p, &raw));
    assert_eq!(codes.values().sum::<usize>(), len);
    assert!(codes["store.tampered"] >= len - HEADER_LEN);
    for code in [
        "store.not_a_store",
        "store.newer_version",
        "store.wrong_key",
        "store.truncated",
    ] {
        assert!(codes.contains_key(code), "{code} never seen: {codes:?}");
    }

    // Passphrase store: flipped KDF parameters either exceed the limits or derive another key.
    // Every header byte, and a sample of the ciphertext (covered in full above; each open here
    // runs Argon2).
    let dir = tempfile::tempdir().unwrap();
    let store = passphrase_store(dir.path());
    add_credential(&store, &agency, "vehicle-licence");
    let path = store_path(dir.path());
    let len = fs::read(&path).unwrap().len();
    let positions = (0..HEADER_LEN)
        .chain((HEADER_LEN..len).step_by(97))
        .chain([len - 1]);
    let codes = flip_bytes(&path, Some(positions.collect()), &|p| {
        open_pass(p, PASSPHRASE)
    });
    assert!(codes.contains_key("store.kdf_limits"), "{codes:?}");
    assert!(codes.contains_key("store.wrong_key"), "{codes:?}");
    println!("flipped-byte outcomes: {codes:?}");
}

#[test]
fn an_open_handle_notices_a_tampered_file() {
    let dir = tempfile::tempdir().unwrap();
    let agency = Agency::new();
    let store = passphrase_store(dir.path());
    let id = add_credential(&store, &agency, "resident-id");
    let path = store_path(dir.path());
    let mut bytes = fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    fs::write(&path, &bytes).unwrap();
    assert_eq!(store.list().unwrap_err().code(), "store.tampered");
    assert_eq!(store.get(&id).unwrap_err().code(), "store.tampered");
    let err = store.remove(&id, &mut OsRng).unwrap_err();
    assert_eq!(err.code(), "store.tampered");
    // The failed change did not overwrite the evidence.
    assert_eq!(fs::read(&path).unwrap(), bytes);
}

#[test]
fn truncated_files_are_detected() {
    let dir = tempfile::tempdir().unwrap();
    let agency = Agency::new();
    let raw = [6u8; 32];
    let store = raw_store(dir.path(), &raw);
    add_credential(&store, &agency, "resident-id");
    let path = store_path(dir.path());
    let original = fs::read(&path).unwrap();
    for len in 0..original.len() {
        let variant = write_variant(&path, &original[..len]);
        let err = open_raw(&variant, &raw).map(|_| ()).unwrap_err();
        assert_eq!(err.code(), "store.truncated", "cut at {len}");
        fs::remove_file(&variant).unwrap();
    }
    let mut longer = original.clone();
    longer.push(0);
    let variant = write_variant(&path, &longer);
    assert_eq!(
        open_raw(&variant, &raw).unwrap_err().code(),
        "store.truncated"
    );
    assert_eq!(open_raw(&path, &raw).unwrap().list().unwrap().len(), 1);
}

#[test]
fn newer_format_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = passphrase_store(dir.path());
    let path = store_path(dir.path());
    let mut bytes = fs::read(&path).unwrap();
    bytes[8..10].copy_from_slice(&2u16.to_be_bytes());
    fs::write(&path, &bytes).unwrap();
    let err = open_pass(&path, PASSPHRASE).unwrap_err();
    assert_eq!(err.code(), "store.newer_version");
    assert_eq!(
        err.to_string(),
        "store format version 2 is newer than this app supports (1): update the app"
    );
    // An already open handle refuses too, and does not write.
    assert_eq!(
        store.new_holder_key(&mut OsRng).unwrap_err().code(),
        "store.newer_version"
    );
    assert_eq!(fs::read(&path).unwrap(), bytes);
}

#[test]
fn hostile_kdf_parameters_are_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    passphrase_store(dir.path());
    let path = store_path(dir.path());
    let original = fs::read(&path).unwrap();
    // memory_kib at 11..15, iterations at 15..19, parallelism at 19..23.
    for (range, value) in [(11..15, u32::MAX), (15..19, u32::MAX), (19..23, 1 << 20)] {
        let mut bytes = original.clone();
        bytes[range].copy_from_slice(&value.to_be_bytes());
        fs::write(&path, &bytes).unwrap();
        let started = Instant::now();
        // Default limits, as an app would use them.
        let err = Store::open(
            &path,
            StoreSecret::Passphrase(PASSPHRASE),
            &StoreOptions::default(),
            &mut OsRng,
        )
        .unwrap_err();
        assert!(
            matches!(err.code(), "store.kdf_limits" | "store.malformed"),
            "{}",
            err.code()
        );
        assert!(started.elapsed() < Duration::from_secs(1));
    }
    let mut bytes = original.clone();
    bytes[11..15].copy_from_slice(&(512 * 1024u32).to_be_bytes());
    fs::write(&path, &bytes).unwrap();
    let err = open_pass(&path, PASSPHRASE).unwrap_err();
    assert_eq!(err.code(), "store.kdf_limits");
    assert!(err.to_string().contains("restore it from a backup"));
}
