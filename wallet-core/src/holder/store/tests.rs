//! Unit tests that need the store's internals: writing bodies of other schema versions (an old
//! store to migrate, a newer one to refuse) under a real key.

// clippy.toml exempts tests from the panic lints; this lint has no test setting.
#![allow(clippy::arithmetic_side_effects)]

use super::*;
use crate::format::credential::catalogue;
use crate::format::credential::credential_id;
use crate::issuer::issue::{CredentialRequest, issue_credential};
use crate::trust::StaticIssuers;
use rand_core::OsRng;
use serde_json::json;

const NOW: i64 = 1_760_000_000;
const RAW: [u8; 32] = [7u8; 32];

/// Writes `body` (JSON) as a store file under the raw key [`RAW`].
fn write_raw_store(path: &Path, body: &serde_json::Value) {
    let (slot, key) = format::new_slot(
        StoreSecret::RawKey(&RAW),
        &KdfParams::RECOMMENDED,
        &mut OsRng,
    )
    .unwrap();
    let plaintext = Zeroizing::new(serde_json::to_vec(body).unwrap());
    let bytes = format::seal(&slot, &key, plaintext, &mut OsRng).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn issue_for(holder: &SigningKey) -> (String, StaticIssuers) {
    let issuer = SigningKey::generate(&mut OsRng);
    let ty = catalogue::by_name("resident-id").unwrap();
    let request = CredentialRequest::for_type(
        ty,
        "https://psb.example.gov.cn",
        &ty.example_claims(),
        holder.verifying_key(),
        NOW - 60,
    )
    .unwrap()
    .without_status();
    let credential = issue_credential(&request, &issuer, &mut OsRng).unwrap();
    let mut issuers = StaticIssuers::new();
    issuers.add("https://psb.example.gov.cn", issuer.verifying_key());
    (credential, issuers)
}

#[test]
fn schema_1_store_is_migrated_and_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wallet.store");
    let seed = [3u8; 32];
    let holder = SigningKey::from_seed(&seed);
    let (credential, _) = issue_for(&holder);
    let v1 = json!({
        "schema": 1,
        "keys": [{"software": {
            "id": holder.thumbprint(),
            "public": crate::b64_encode(holder.verifying_key().as_bytes()),
            "seed": crate::b64_encode(seed),
        }}],
        "credentials": [{"sd_jwt": credential, "holder_key_id": holder.thumbprint(), "imported_at": NOW}],
    });
    write_raw_store(&path, &v1);
    let store = Store::open(
        &path,
        StoreSecret::RawKey(&RAW),
        &StoreOptions::default(),
        &mut OsRng,
    )
    .unwrap();
    let list = store.list().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, credential_id(&credential).unwrap());
    assert_eq!(list[0].type_name.as_deref(), Some("resident-id"));
    assert_eq!(list[0].name_zh.as_deref(), Some("居民身份证"));
    assert_eq!(list[0].imported_at, NOW);
    // The file on disk now carries schema 2.
    let bytes = std::fs::read(&path).unwrap();
    let sealed = format::parse(&bytes).unwrap();
    let key = format::unlock(StoreSecret::RawKey(&RAW), &sealed.slot).unwrap();
    let plaintext = format::open_sealed(&sealed, &key).unwrap();
    let body: serde_json::Value = serde_json::from_slice(&plaintext).unwrap();
    assert_eq!(body["schema"], 2);
    assert_eq!(body["credentials"][0]["vct"], list[0].vct.as_str());
    // And the migrated key still signs for the credential.
    let signer = store.holder_signer(&list[0].id, None).unwrap();
    assert_eq!(
        crate::format::keys::Signer::public_key(&signer),
        holder.verifying_key()
    );
}

#[test]
fn newer_schema_is_refused_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wallet.store");
    write_raw_store(
        &path,
        &json!({"schema": 3, "keys": [], "credentials": [], "new": 1}),
    );
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(
        &path,
        StoreSecret::RawKey(&RAW),
        &StoreOptions::default(),
        &mut OsRng,
    )
    .unwrap_err();
    assert_eq!(err.code(), "store.newer_version");
    assert_eq!(
        err.to_string(),
        "store schema version 3 is newer than this app supports (2): update the app"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn inconsistent_bodies_are_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wallet.store");
    let holder = SigningKey::from_seed(&[4u8; 32]);
    // A key whose id is not its thumbprint.
    write_raw_store(
        &path,
        &json!({"schema": 2, "keys": [{"software": {
            "id": "x",
            "public": crate::b64_encode(holder.verifying_key().as_bytes()),
            "seed": crate::b64_encode([4u8; 32]),
        }}], "credentials": []}),
    );
    let open = || {
        Store::open(
            &path,
            StoreSecret::RawKey(&RAW),
            &StoreOptions::default(),
            &mut OsRng,
        )
        .unwrap_err()
        .code()
    };
    assert_eq!(open(), "store.corrupt");
    // A non-canonical seed (trailing bits set).
    let mut seed = crate::b64_encode([4u8; 32]);
    seed.pop();
    seed.push('B');
    write_raw_store(
        &path,
        &json!({"schema": 2, "keys": [{"software": {
            "id": holder.thumbprint(),
            "public": crate::b64_encode(holder.verifying_key().as_bytes()),
            "seed": seed,
        }}], "credentials": []}),
    );
    assert_eq!(open(), "store.corrupt");
    // Not JSON at all.
    write_raw_store(&path, &json!("just a string"));
    assert_eq!(open(), "store.corrupt");
}

#[test]
fn seed_serialises_as_base64url_and_back() {
    let seed = Seed(Zeroizing::new([0xabu8; 32]));
    let text = serde_json::to_string(&seed).unwrap();
    assert_eq!(text, format!("\"{}\"", crate::b64_encode([0xabu8; 32])));
    let back: Seed = serde_json::from_str(&text).unwrap();
    assert_eq!(*back.0, [0xabu8; 32]);
    assert!(serde_json::from_str::<Seed>("\"AAAA\"").is_err());
    assert!(serde_json::from_str::<Seed>("42").is_err());
}

#[test]
fn kdf_params_are_validated() {
    assert!(KdfParams::new(64, 1, 1).is_ok());
    assert_eq!(
        KdfParams::new(7, 1, 1).unwrap_err().code(),
        "store.invalid_kdf_params"
    );
    assert_eq!(
        KdfParams::new(64, 0, 1).unwrap_err().code(),
        "store.invalid_kdf_params"
    );
    assert_eq!(
        KdfParams::new(1 << 20, 1, 1).unwrap_err().code(),
        "store.invalid_kdf_params"
    );
    assert!(KdfLimits::default().check(&KdfParams::RECOMMENDED).is_ok());
    assert_eq!(KdfParams::default(), KdfParams::RECOMMENDED);
    let p = KdfParams::RECOMMENDED;
    assert_eq!(
        (p.memory_kib(), p.iterations(), p.parallelism()),
        (65536, 3, 4)
    );
}
