//! Unit tests that need the store's internals: writing bodies of other schema versions (an old
//! store to migrate, a newer one to refuse) under a real key, and reading the schema a body was
//! written with (2 for Ed25519 keys only, 3 once a P-256 or SM2 key is in it).

// clippy.toml exempts tests from the panic lints; this lint has no test setting.
#![allow(clippy::arithmetic_side_effects)]

use super::*;
use crate::format::credential::catalogue;
use crate::format::credential::credential_id;
use crate::format::keys::{KeySigner, SigningKey, signature_to_der};
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
    assert_eq!(signer.public(), PublicKey::from(holder.verifying_key()));
}

#[test]
fn newer_schema_is_refused_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wallet.store");
    write_raw_store(
        &path,
        &json!({"schema": 4, "keys": [], "credentials": [], "new": 1}),
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
        "store schema version 4 is newer than this app supports (3): update the app"
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

/// The decrypted body of the store at `path` (raw key [`RAW`]).
fn read_raw_body(path: &Path) -> serde_json::Value {
    let bytes = std::fs::read(path).unwrap();
    let sealed = format::parse(&bytes).unwrap();
    let key = format::unlock(StoreSecret::RawKey(&RAW), &sealed.slot).unwrap();
    serde_json::from_slice(&format::open_sealed(&sealed, &key).unwrap()).unwrap()
}

fn raw_store(path: &Path) -> Store {
    Store::create(
        path,
        StoreSecret::RawKey(&RAW),
        &KdfParams::RECOMMENDED,
        &StoreOptions::default(),
        &mut OsRng,
    )
    .unwrap()
}

/// Issues a resident id bound to `holder` (any algorithm), by an Ed25519 issuer.
fn issue_to(holder: &PublicKey) -> (String, StaticIssuers) {
    let issuer = SigningKey::generate(&mut OsRng);
    let ty = catalogue::by_name("resident-id").unwrap();
    let request = CredentialRequest::for_type(
        ty,
        "https://psb.example.gov.cn",
        &ty.example_claims(),
        holder,
        NOW - 60,
    )
    .unwrap()
    .without_status();
    let credential = issue_credential(&request, &issuer, &mut OsRng).unwrap();
    let mut issuers = StaticIssuers::new();
    issuers.add("https://psb.example.gov.cn", issuer.verifying_key());
    (credential, issuers)
}

fn kb() -> crate::format::sdjwt::KeyBindingRequest {
    crate::format::sdjwt::KeyBindingRequest {
        audience: "https://verifier.example".into(),
        nonce: "n-1".into(),
        issued_at: NOW,
    }
}

/// Verifies `presentation`'s KB-JWT as a verifier would and returns the holder key's thumbprint.
fn verify_kb(presentation: &str, issuers: &StaticIssuers) -> String {
    let policy = crate::verifier::verify::VerifyPolicy {
        now: NOW,
        clock_skew: 60,
        key_binding: crate::verifier::verify::KeyBindingPolicy::Required(
            crate::format::sdjwt::KbExpectation {
                audience: "https://verifier.example".into(),
                nonce: Some("n-1".into()),
                max_age: 300,
            },
        ),
    };
    crate::verifier::verify::verify_presentation(presentation, issuers, &policy)
        .unwrap()
        .holder_kid
}

#[test]
fn software_keys_of_every_algorithm_sign_their_kb_jwts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wallet.store");
    let store = raw_store(&path);
    for algorithm in Algorithm::ALL {
        let info = store.new_holder_key_with(algorithm, &mut OsRng).unwrap();
        assert_eq!(info.algorithm(), algorithm);
        assert_eq!(info.id, info.public_key.thumbprint());
        assert_eq!(PublicKey::from_jwk(&info.jwk()).unwrap(), info.public_key);
        let (credential, issuers) = issue_to(&info.public_key);
        let id = store
            .import(&credential, &issuers, NOW, &mut OsRng)
            .unwrap()
            .id;
        let shown = store.present(&id, &[], Some(&kb()), None).unwrap();
        // The KB-JWT's header names the key's algorithm, and it verifies under the key.
        let kb_jwt = shown.rsplit('~').next().unwrap();
        let header = crate::format::jws::Jws::parse(kb_jwt).unwrap();
        assert_eq!(header.algorithm(), algorithm);
        assert_eq!(verify_kb(&shown, &issuers), info.id);
        // The exported private JWK is the same key.
        let exported = PrivateKey::from_jwk_str(&store.export_holder_key(&info.id).unwrap());
        assert_eq!(exported.unwrap().public_key(), info.public_key);
    }
    // Keys and credentials survive a reopen.
    let reopened = Store::open(
        &path,
        StoreSecret::RawKey(&RAW),
        &StoreOptions::default(),
        &mut OsRng,
    )
    .unwrap();
    let algorithms: Vec<_> = reopened
        .holder_keys()
        .unwrap()
        .iter()
        .map(HolderKeyInfo::algorithm)
        .collect();
    assert_eq!(algorithms, Algorithm::ALL);
    for credential in reopened.list().unwrap() {
        reopened
            .present(&credential.id, &[], Some(&kb()), None)
            .unwrap();
    }
}

#[test]
fn the_schema_written_is_the_oldest_that_holds_the_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wallet.store");
    let store = raw_store(&path);
    let ed = store.new_holder_key(&mut OsRng).unwrap();
    let body = read_raw_body(&path);
    assert_eq!(body["schema"], 2);
    // An Ed25519 record is exactly what schema 2 wrote: no `alg`.
    assert!(body["keys"][0]["software"].get("alg").is_none());
    let p256 = store
        .new_holder_key_with(Algorithm::Es256, &mut OsRng)
        .unwrap();
    let body = read_raw_body(&path);
    assert_eq!(body["schema"], 3);
    assert_eq!(body["keys"][1]["software"]["alg"], "ES256");
    assert_eq!(
        crate::encoding::b64_decode(body["keys"][1]["software"]["public"].as_str().unwrap())
            .unwrap()
            .len(),
        64
    );
    // Once the last key that needs schema 3 is gone, the store is readable by older apps again.
    store.remove_holder_key(&p256.id, &mut OsRng).unwrap();
    assert_eq!(read_raw_body(&path)["schema"], 2);
    assert_eq!(store.holder_keys().unwrap()[0].id, ed.id);
}

#[test]
fn key_records_have_one_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wallet.store");
    let ec = PrivateKey::generate(Algorithm::Sm2, &mut OsRng).unwrap();
    let ed = SigningKey::from_seed(&[4u8; 32]);
    let ec_record = |schema: u32, alg: &str| {
        json!({"schema": schema, "keys": [{"software": {
            "id": ec.thumbprint(),
            "alg": alg,
            "public": crate::b64_encode(ec.public_key().to_raw()),
            "seed": crate::b64_encode(ec.secret_bytes().as_ref()),
        }}], "credentials": []})
    };
    let open = || {
        Store::open(
            &path,
            StoreSecret::RawKey(&RAW),
            &StoreOptions::default(),
            &mut OsRng,
        )
        .map(|s| s.holder_keys().unwrap())
    };
    write_raw_store(&path, &ec_record(3, "SM2"));
    assert_eq!(open().unwrap()[0].algorithm(), Algorithm::Sm2);
    // A key other than Ed25519 in a schema-2 body, an unknown algorithm, the wrong algorithm
    // for the point, and `alg` spelled out for Ed25519 are all corrupt.
    for body in [
        ec_record(2, "SM2"),
        ec_record(3, "ES384"),
        ec_record(3, "ES256"),
        json!({"schema": 3, "keys": [{"external": {
            "id": ed.thumbprint(),
            "alg": "EdDSA",
            "public": crate::b64_encode(ed.verifying_key().as_bytes()),
            "handle": "h",
        }}], "credentials": []}),
    ] {
        write_raw_store(&path, &body);
        assert_eq!(open().unwrap_err().code(), "store.corrupt", "{body}");
    }
}

/// A hardware key stand-in that answers in a chosen form.
struct Enclave {
    key: PrivateKey,
    form: fn(&PrivateKey, &[u8]) -> ExternalSignature,
}

impl ExternalKeys for Enclave {
    fn sign(
        &self,
        handle: &str,
        algorithm: Algorithm,
        message: &[u8],
    ) -> Result<ExternalSignature, crate::format::keys::KeyError> {
        assert_eq!(handle, "se-1");
        assert_eq!(algorithm, self.key.algorithm());
        Ok((self.form)(&self.key, message))
    }
}

#[test]
fn external_keys_sign_in_der_or_raw_and_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wallet.store");
    let store = raw_store(&path);
    let der =
        |k: &PrivateKey, m: &[u8]| ExternalSignature::Der(signature_to_der(&k.sign(m).unwrap()));
    let raw = |k: &PrivateKey, m: &[u8]| ExternalSignature::Raw(k.sign(m).unwrap().to_vec());
    let short =
        |k: &PrivateKey, m: &[u8]| ExternalSignature::Raw(k.sign(m).unwrap()[..63].to_vec());
    let bad_der = |k: &PrivateKey, m: &[u8]| {
        let mut d = signature_to_der(&k.sign(m).unwrap());
        d.push(0);
        ExternalSignature::Der(d)
    };
    for algorithm in Algorithm::ALL {
        let key = PrivateKey::generate(algorithm, &mut OsRng).unwrap();
        // Registered by the public JWK the phone exports.
        let public = PublicKey::from_jwk(&key.public_key().to_jwk()).unwrap();
        let info = store
            .register_external_key("se-1", public, &mut OsRng)
            .unwrap();
        assert_eq!(info.algorithm(), algorithm);
        let (credential, issuers) = issue_to(&info.public_key);
        let id = store
            .import(&credential, &issuers, NOW, &mut OsRng)
            .unwrap()
            .id;
        let present = |form: fn(&PrivateKey, &[u8]) -> ExternalSignature, key: &PrivateKey| {
            let enclave = Enclave {
                key: key.clone(),
                form,
            };
            store.present(&id, &[], Some(&kb()), Some(&enclave))
        };
        let forms: &[fn(&PrivateKey, &[u8]) -> ExternalSignature] = if algorithm == Algorithm::EdDsa
        {
            &[raw]
        } else {
            &[raw, der]
        };
        for &form in forms {
            assert_eq!(verify_kb(&present(form, &key).unwrap(), &issuers), info.id);
        }
        // Wrong length, DER that is not minimal, DER for Ed25519, another key's signature:
        // each is the signer's failure, caught before a presentation exists.
        let other = PrivateKey::generate(algorithm, &mut OsRng).unwrap();
        let mut refused: Vec<Result<String, StoreError>> =
            vec![present(short, &key), present(raw, &other)];
        if algorithm == Algorithm::EdDsa {
            refused.push(present(der, &key));
        } else {
            refused.push(present(bad_der, &key));
            refused.push(present(der, &other));
        }
        for result in refused {
            assert_eq!(
                result.unwrap_err().code(),
                "key.signer_failed",
                "{algorithm}"
            );
        }
        store.remove(&id, &mut OsRng).unwrap();
    }
}

#[test]
fn a_store_written_by_the_previous_library_opens_unchanged() {
    // The CLI's fixture store: passphrase, two Ed25519 holder keys and two credentials, written
    // as schema 2 by the library before P-256 and SM2 holder keys existed.
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../wallet-cli/tests/fixtures/store/wallet.store"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wallet.store");
    std::fs::copy(fixture, &path).unwrap();
    let before = std::fs::read(&path).unwrap();
    let secret = StoreSecret::Passphrase("fixture-passphrase");
    let store = Store::open(&path, secret, &StoreOptions::default(), &mut OsRng).unwrap();
    // Nothing to migrate: the file is not rewritten.
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(store.list().unwrap().len(), 2);
    let keys = store.holder_keys().unwrap();
    assert!(keys.iter().all(|k| k.algorithm() == Algorithm::EdDsa));
    // The old keys still sign, and a P-256 key can join them.
    let credential = &store.list().unwrap()[0];
    let signer = store.holder_signer(&credential.id, None).unwrap();
    let signature = signer.sign_message(b"m").unwrap();
    assert!(signer.public().verify(b"m", &signature));
    store
        .new_holder_key_with(Algorithm::Es256, &mut OsRng)
        .unwrap();
    let reopened = Store::open(&path, secret, &StoreOptions::default(), &mut OsRng).unwrap();
    assert_eq!(reopened.holder_keys().unwrap().len(), keys.len() + 1);
}
