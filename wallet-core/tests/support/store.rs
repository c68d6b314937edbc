//! Shared fixtures for the holder-store tests: a test issuing agency, small Argon2 parameters
//! and store constructors.

#![allow(dead_code)]

use rand_core::OsRng;
use std::path::{Path, PathBuf};
use wallet_core::credential::catalogue;
use wallet_core::holder::{KdfParams, Store, StoreError, StoreOptions, StoreSecret};
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::keys::{PublicKey, SigningKey};
use wallet_core::trust::StaticIssuers;

/// The test clock.
pub const NOW: i64 = 1_760_000_000;
pub const PASSPHRASE: &str = "correct horse battery staple 电池";
pub const ISSUER: &str = "https://psb.sh.example.gov.cn";

/// Argon2id small enough for hundreds of opens in a debug test build (64 KiB, 1 pass).
pub fn tiny_kdf() -> KdfParams {
    KdfParams::new(64, 1, 1).unwrap()
}

/// Open options with tight KDF limits, so a flipped header byte cannot make a test slow.
pub fn test_options() -> StoreOptions {
    let mut options = StoreOptions::default();
    options.kdf_limits.max_memory_kib = 1024;
    options.kdf_limits.max_iterations = 2;
    options.kdf_limits.max_work_kib = 2048;
    options
}

/// A test issuing agency trusted by [`Agency::resolver`].
pub struct Agency {
    pub key: SigningKey,
    pub resolver: StaticIssuers,
}

impl Agency {
    pub fn new() -> Self {
        let key = SigningKey::generate(&mut OsRng);
        let mut resolver = StaticIssuers::new();
        resolver.add(ISSUER, key.verifying_key());
        Self { key, resolver }
    }

    /// Issues an example credential of catalogue type `short_name` bound to `holder`.
    pub fn issue(&self, short_name: &str, holder: impl Into<PublicKey>) -> String {
        let ty = catalogue::by_name(short_name).unwrap();
        let request =
            CredentialRequest::for_type(ty, ISSUER, &ty.example_claims(), holder, NOW - 60)
                .unwrap()
                .without_status();
        issue_credential(&request, &self.key, &mut OsRng).unwrap()
    }
}

pub fn store_path(dir: &Path) -> PathBuf {
    dir.join("wallet.store")
}

/// A new passphrase store with [`tiny_kdf`].
pub fn passphrase_store(dir: &Path) -> Store {
    Store::create(
        &store_path(dir),
        StoreSecret::Passphrase(PASSPHRASE),
        &tiny_kdf(),
        &test_options(),
        &mut OsRng,
    )
    .unwrap()
}

/// A new raw-key store.
pub fn raw_store(dir: &Path, key: &[u8; 32]) -> Store {
    Store::create(
        &store_path(dir),
        StoreSecret::RawKey(key),
        &KdfParams::RECOMMENDED,
        &test_options(),
        &mut OsRng,
    )
    .unwrap()
}

/// Requests and imports one credential of `short_name` with a fresh holder key.
pub fn add_credential(store: &Store, agency: &Agency, short_name: &str) -> String {
    let key = store.new_holder_key(&mut OsRng).unwrap();
    let credential = agency.issue(short_name, &key.public_key);
    store
        .import(&credential, &agency.resolver, NOW, &mut OsRng)
        .unwrap()
        .id
}

/// Bytes of the fixed header (docs/store.md): ciphertext starts here.
pub const HEADER_LEN: usize = 99;

/// Opens the store at `path` with passphrase `pass` and [`test_options`].
pub fn open_pass(path: &std::path::Path, pass: &str) -> Result<Store, StoreError> {
    Store::open(
        path,
        StoreSecret::Passphrase(pass),
        &test_options(),
        &mut OsRng,
    )
}

/// Opens the store at `path` with raw key `key` and [`test_options`].
pub fn open_raw(path: &std::path::Path, key: &[u8; 32]) -> Result<Store, StoreError> {
    Store::open(path, StoreSecret::RawKey(key), &test_options(), &mut OsRng)
}
