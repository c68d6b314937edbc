//! Holder store open. Mode 0: the input is a whole store file, opened with a raw key and, in a
//! second attempt, a passphrase (Argon2 limits are set tiny so a hostile header cannot make a
//! run slow, which is exactly what `KdfLimits` is for). Mode 1: the input is a store body
//! (plaintext), sealed here under the fixture raw key, so the body decoder, its migration and
//! validation are explored; an opened store is then listed and read.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rand_core::SeedableRng as _;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;
use wallet_core::holder::{KdfLimits, Store, StoreOptions, StoreSecret};
use wallet_fuzz::store::{RAW_KEY, seal};

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DIR.get_or_init(|| {
        // A RAM-backed directory where there is one: the target writes a file per input.
        let base = std::path::Path::new("/dev/shm");
        let tmp = if base.is_dir() {
            tempfile::tempdir_in(base)
        } else {
            tempfile::tempdir()
        }
        .expect("temporary directory");
        let path = tmp.path().join("store.cws");
        (tmp, path)
    })
    .1
}

fn options() -> StoreOptions {
    StoreOptions {
        kdf_limits: KdfLimits {
            max_memory_kib: 64,
            max_iterations: 2,
            max_parallelism: 2,
            max_work_kib: 128,
        },
        lock_timeout: Duration::from_millis(0),
    }
}

fn open(bytes: &[u8], secret: StoreSecret<'_>) {
    let path = dir();
    let _ = std::fs::remove_file(path);
    std::fs::write(path, bytes).expect("write the fuzzed store file");
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let Ok(store) = Store::open(path, secret, &options(), &mut rng) else {
        return;
    };
    if let Ok(list) = store.list() {
        for info in list {
            let _ = store.get(&info.id);
        }
    }
    if let Ok(keys) = store.holder_keys() {
        for key in keys {
            let _ = key.jwk();
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        open(rest, StoreSecret::RawKey(&RAW_KEY));
        open(rest, StoreSecret::Passphrase("correct horse"));
    } else {
        open(&seal(rest), StoreSecret::RawKey(&RAW_KEY));
    }
});
