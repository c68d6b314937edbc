//! Holder store behaviour: creating and opening, every operation, locking, rekeying, backups,
//! holder keys (software and external), and the error style. The ways a store file can be wrong
//! are in store_damage.rs.

use crate::support::store::*;
use rand_core::OsRng;
use std::collections::HashMap;
use std::fs;
use std::time::{Duration, Instant};
use wallet_core::holder::KeyBindingRequest;
use wallet_core::holder::{
    ExternalKeys, ExternalSignature, HolderKeyKind, KdfParams, Store, StoreError, StoreSecret,
    credential_id,
};
use wallet_core::keys::{Algorithm, KeyError, KeySigner as _, PublicKey, Signer as _, SigningKey};
use wallet_core::sdjwt::{ClaimPath, KbExpectation};
use wallet_core::verifier::{KeyBindingPolicy, VerifyPolicy, verify_presentation};

fn kb(nonce: &str) -> KeyBindingRequest {
    KeyBindingRequest {
        audience: "https://hotel.example".into(),
        nonce: nonce.into(),
        issued_at: NOW,
    }
}

fn verify_kb(presentation: &str, agency: &Agency, nonce: &str) -> Vec<String> {
    let policy = VerifyPolicy {
        now: NOW,
        clock_skew: 60,
        key_binding: KeyBindingPolicy::Required(KbExpectation {
            audience: "https://hotel.example".into(),
            nonce: Some(nonce.into()),
            max_age: 300,
        }),
    };
    let report = verify_presentation(presentation, &agency.resolver, &policy).unwrap();
    report.disclosed.into_iter().map(|c| c.path).collect()
}

#[test]
fn create_then_open_with_passphrase_and_raw_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = passphrase_store(dir.path());
    // Creating takes no lock (the no-replace rename is the atomic step): no lock file yet.
    assert!(!dir.path().join("wallet.store.lock").exists());
    assert!(store.list().unwrap().is_empty());
    let path = store_path(dir.path());
    let reopened = open_pass(&path, PASSPHRASE).unwrap();
    assert!(reopened.holder_keys().unwrap().is_empty());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // The lock file sits beside the store once it is opened or changed.
    assert!(dir.path().join("wallet.store.lock").exists());

    let dir2 = tempfile::tempdir().unwrap();
    let raw = [9u8; 32];
    raw_store(dir2.path(), &raw);
    assert!(
        open_raw(&store_path(dir2.path()), &raw)
            .unwrap()
            .list()
            .unwrap()
            .is_empty()
    );
}

/// The names in a directory, sorted.
fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A creation that fails — a missing directory, something already at the path (a store, another
/// file, a directory), an empty passphrase, unusable key-derivation parameters — leaves the
/// directory exactly as it was: no store, no temporary file, no lock file.
#[test]
fn a_failed_create_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let create = |path: &std::path::Path, pass: &str, kdf: &KdfParams| {
        Store::create(
            path,
            StoreSecret::Passphrase(pass),
            kdf,
            &test_options(),
            &mut OsRng,
        )
        .map(drop)
        .unwrap_err()
        .code()
    };
    let path = store_path(dir.path());
    assert_eq!(
        create(
            &dir.path().join("missing/wallet.store"),
            PASSPHRASE,
            &tiny_kdf()
        ),
        "store.io"
    );
    assert_eq!(create(&path, "", &tiny_kdf()), "store.empty_passphrase");
    assert!(KdfParams::new(0, 0, 0).is_err());
    assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
    fs::write(dir.path().join("notes.txt"), b"notes").unwrap();
    fs::create_dir(dir.path().join("sub")).unwrap();
    assert_eq!(
        create(&dir.path().join("notes.txt"), PASSPHRASE, &tiny_kdf()),
        "store.exists"
    );
    assert_eq!(
        create(&dir.path().join("sub"), PASSPHRASE, &tiny_kdf()),
        "store.exists"
    );
    assert_eq!(listing(dir.path()), ["notes.txt", "sub"]);
    passphrase_store(dir.path());
    let before = listing(dir.path());
    assert_eq!(create(&path, PASSPHRASE, &tiny_kdf()), "store.exists");
    let backup = fs::read(&path).unwrap();
    assert_eq!(
        Store::restore_backup(
            &path,
            &backup,
            StoreSecret::Passphrase(PASSPHRASE),
            &test_options(),
            &mut OsRng,
        )
        .unwrap_err()
        .code(),
        "store.exists"
    );
    assert_eq!(listing(dir.path()), before);
    assert_eq!(before, ["notes.txt", "sub", "wallet.store"]);
}

/// Two creations of the same store racing: exactly one wins, the other is told the store
/// exists, and the winner's file is whole.
#[test]
fn racing_creations_make_one_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_path(dir.path());
    let results: Vec<Result<Store, StoreError>> = std::thread::scope(|s| {
        let racers: Vec<_> = (0..4)
            .map(|_| {
                let path = &path;
                s.spawn(move || {
                    Store::create(
                        path,
                        StoreSecret::Passphrase(PASSPHRASE),
                        &tiny_kdf(),
                        &test_options(),
                        &mut OsRng,
                    )
                })
            })
            .collect();
        racers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    for r in &results {
        if let Err(e) = r {
            assert_eq!(e.code(), "store.exists");
        }
    }
    assert_eq!(listing(dir.path()), ["wallet.store"]);
    assert!(
        open_pass(&path, PASSPHRASE)
            .unwrap()
            .list()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn create_refuses_existing_files_and_empty_passphrases() {
    let dir = tempfile::tempdir().unwrap();
    passphrase_store(dir.path());
    let path = store_path(dir.path());
    let before = fs::read(&path).unwrap();
    let err = Store::create(
        &path,
        StoreSecret::Passphrase("other"),
        &tiny_kdf(),
        &test_options(),
        &mut OsRng,
    )
    .unwrap_err();
    assert_eq!(err.code(), "store.exists");
    assert_eq!(fs::read(&path).unwrap(), before);
    let err = Store::create(
        &dir.path().join("b.store"),
        StoreSecret::Passphrase(""),
        &tiny_kdf(),
        &test_options(),
        &mut OsRng,
    )
    .unwrap_err();
    assert_eq!(err.code(), "store.empty_passphrase");
    assert_eq!(
        open_pass(&dir.path().join("missing.store"), PASSPHRASE)
            .unwrap_err()
            .code(),
        "store.not_found"
    );
    fs::write(
        dir.path().join("junk"),
        b"hello, not a store at all, really",
    )
    .unwrap();
    assert_eq!(
        open_pass(&dir.path().join("junk"), PASSPHRASE)
            .unwrap_err()
            .code(),
        "store.not_a_store"
    );
}

#[test]
fn import_list_get_present_remove() {
    let dir = tempfile::tempdir().unwrap();
    let agency = Agency::new();
    let store = passphrase_store(dir.path());
    let key = store.new_holder_key(&mut OsRng).unwrap();
    assert_eq!(key.kind, HolderKeyKind::Software);
    assert!(key.credentials.is_empty());
    assert_eq!(key.jwk()["kty"], "OKP");
    let credential = agency.issue("driving-licence", &key.public_key);
    let info = store
        .import(&credential, &agency.resolver, NOW, &mut OsRng)
        .unwrap();
    assert_eq!(info.id, credential_id(&credential).unwrap());
    assert_eq!(info.id.len(), 22);
    assert_eq!(info.type_name.as_deref(), Some("driving-licence"));
    assert_eq!(info.name_zh.as_deref(), Some("机动车驾驶证"));
    assert!(info.name_en.is_some());
    assert_eq!(info.issuer, ISSUER);
    assert_eq!(info.issued_at, NOW - 60);
    assert!(info.expires_at > NOW);
    assert_eq!(info.holder_key_id, key.id);
    assert_eq!(info.imported_at, NOW);

    // Survives reopening; a second credential gets its own key.
    let store = open_pass(&store_path(dir.path()), PASSPHRASE).unwrap();
    let second = add_credential(&store, &agency, "resident-id");
    let list = store.list().unwrap();
    assert_eq!(
        list.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        [info.id.as_str(), second.as_str()]
    );
    assert_ne!(list[0].holder_key_id, list[1].holder_key_id);
    let keys = store.holder_keys().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].credentials, vec![info.id.clone()]);

    let stored = store.get(&info.id).unwrap();
    assert_eq!(stored.credential, credential);
    assert_eq!(stored.info, info);

    // Presentation: only the chosen claim, KB-JWT signed by the stored holder key.
    let disclose = [ClaimPath::top("name")];
    let presentation = store
        .present(&info.id, &disclose, Some(&kb("n-1")), None)
        .unwrap();
    assert_eq!(verify_kb(&presentation, &agency, "n-1"), ["name"]);
    // The signer route gives the same key.
    let signer = store.holder_signer(&info.id, None).unwrap();
    assert_eq!(signer.public_key(), key.public_key);
    assert!(format!("{signer:?}").contains("software"));

    // Remove: the credential and its now unused key go; the other stays.
    let removed = store.remove(&info.id, &mut OsRng).unwrap();
    assert_eq!(removed.credential.id, info.id);
    assert_eq!(removed.deleted_key.unwrap().id, key.id);
    assert_eq!(store.list().unwrap().len(), 1);
    assert_eq!(store.holder_keys().unwrap().len(), 1);
    assert_eq!(
        store.get(&info.id).unwrap_err().code(),
        "store.unknown_credential"
    );
    assert_eq!(
        store.remove(&info.id, &mut OsRng).unwrap_err().code(),
        "store.unknown_credential"
    );
    // Its credential cannot come back: the key that could present it is gone.
    assert_eq!(
        store
            .import(&credential, &agency.resolver, NOW, &mut OsRng)
            .unwrap_err()
            .code(),
        "store.holder_key_not_held"
    );
}

#[test]
fn duplicate_import_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let agency = Agency::new();
    let store = passphrase_store(dir.path());
    let key = store.new_holder_key(&mut OsRng).unwrap();
    let credential = agency.issue("resident-id", &key.public_key);
    let info = store
        .import(&credential, &agency.resolver, NOW, &mut OsRng)
        .unwrap();
    let before = fs::read(store_path(dir.path())).unwrap();
    let err = store
        .import(&credential, &agency.resolver, NOW + 5, &mut OsRng)
        .unwrap_err();
    assert_eq!(err.code(), "store.duplicate");
    assert_eq!(
        err.to_string(),
        format!("credential {} is already in the store", info.id)
    );
    // Same issuer JWT with the disclosures in another order is the same credential.
    let mut pieces: Vec<&str> = credential.trim_end_matches('~').split('~').collect();
    pieces[1..].reverse();
    let reordered = pieces.join("~") + "~";
    assert_ne!(reordered, credential);
    assert_eq!(
        store
            .import(&reordered, &agency.resolver, NOW, &mut OsRng)
            .unwrap_err()
            .code(),
        "store.duplicate"
    );
    assert_eq!(store.list().unwrap().len(), 1);
    assert_eq!(fs::read(store_path(dir.path())).unwrap(), before);
}

#[test]
fn import_of_credential_bound_to_a_key_we_do_not_hold_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let agency = Agency::new();
    let store = passphrase_store(dir.path());
    store.new_holder_key(&mut OsRng).unwrap();
    let stranger = SigningKey::generate(&mut OsRng);
    let credential = agency.issue("resident-id", stranger.verifying_key());
    let err = store
        .import(&credential, &agency.resolver, NOW, &mut OsRng)
        .unwrap_err();
    assert_eq!(err.code(), "store.holder_key_not_held");
    assert!(err.to_string().contains("new_holder_key"));
    assert!(store.list().unwrap().is_empty());
}

#[test]
fn import_verifies_the_credential() {
    let dir = tempfile::tempdir().unwrap();
    let agency = Agency::new();
    let store = passphrase_store(dir.path());
    let key = store.new_holder_key(&mut OsRng).unwrap();
    let credential = agency.issue("resident-id", &key.public_key);
    // Unknown issuer.
    let other = Agency::new();
    assert_eq!(
        store
            .import(&credential, &other.resolver, NOW, &mut OsRng)
            .unwrap_err()
            .code(),
        "vc.unknown_key"
    );
    // Altered signature.
    let jwt_end = credential.find('~').unwrap();
    let mut forged = credential.clone().into_bytes();
    let i = jwt_end - 5;
    forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    let err = store
        .import(&forged, &agency.resolver, NOW, &mut OsRng)
        .unwrap_err();
    assert!(err.code().starts_with("jws."), "{}", err.code());
    // Expired by the time of import.
    let err = store
        .import(
            &credential,
            &agency.resolver,
            NOW + 400 * 86_400,
            &mut OsRng,
        )
        .unwrap_err();
    assert_eq!(err.code(), "vc.expired");
    // Decades later the card itself (valid_until 2036-06-01, visible at import) has expired:
    // the more specific result.
    let err = store
        .import(
            &credential,
            &agency.resolver,
            NOW + 400 * 86_400 * 30,
            &mut OsRng,
        )
        .unwrap_err();
    assert_eq!(err.code(), "vc.document_expired");
    // A presentation (with KB-JWT) is not what an issuer hands out.
    let holder_presentation = {
        store
            .import(&credential, &agency.resolver, NOW, &mut OsRng)
            .unwrap();
        let id = credential_id(&credential).unwrap();
        store.present(&id, &[], Some(&kb("x")), None).unwrap()
    };
    let dir2 = tempfile::tempdir().unwrap();
    let store2 = passphrase_store(dir2.path());
    assert_eq!(
        store2
            .import(&holder_presentation, &agency.resolver, NOW, &mut OsRng)
            .unwrap_err()
            .code(),
        "store.not_issued_form"
    );
    assert_eq!(
        store2
            .import("not an sd-jwt", &agency.resolver, NOW, &mut OsRng)
            .unwrap_err()
            .code(),
        "sdjwt.malformed"
    );
}

#[test]
fn a_second_writer_waits_or_gets_locked() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = passphrase_store(dir.path());
    let lock_path = dir.path().join("wallet.store.lock");
    let mut lock = fd_lock::RwLock::new(
        fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .unwrap(),
    );
    {
        let _held = lock.write().unwrap();
        store.set_lock_timeout(Duration::ZERO);
        let err = store.new_holder_key(&mut OsRng).unwrap_err();
        assert_eq!(err.code(), "store.locked");
        assert_eq!(
            err.to_string(),
            "store is locked by another process: try again when it has finished"
        );
        // Reads do not need the lock.
        assert!(store.list().unwrap().is_empty());
        store.set_lock_timeout(Duration::from_millis(100));
        let started = Instant::now();
        assert_eq!(
            store.new_holder_key(&mut OsRng).unwrap_err().code(),
            "store.locked"
        );
        assert!(started.elapsed() >= Duration::from_millis(100));
    }
    // A waiting writer proceeds once the holder lets go.
    let held = std::thread::spawn(move || {
        let _held = lock.write().unwrap();
        std::thread::sleep(Duration::from_millis(150));
    });
    std::thread::sleep(Duration::from_millis(30));
    store.set_lock_timeout(Duration::from_secs(10));
    store.new_holder_key(&mut OsRng).unwrap();
    held.join().unwrap();
    assert_eq!(store.holder_keys().unwrap().len(), 1);
}

#[test]
fn concurrent_writers_lose_no_update() {
    let dir = tempfile::tempdir().unwrap();
    passphrase_store(dir.path());
    let path = store_path(dir.path());
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let store = open_pass(&path, PASSPHRASE).unwrap();
                for _ in 0..10 {
                    store.new_holder_key(&mut OsRng).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(
        open_pass(&path, PASSPHRASE)
            .unwrap()
            .holder_keys()
            .unwrap()
            .len(),
        30
    );
}

#[test]
fn change_key_reencrypts_and_other_handles_must_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let agency = Agency::new();
    let mut store = passphrase_store(dir.path());
    let id = add_credential(&store, &agency, "passport");
    let path = store_path(dir.path());
    let other = open_pass(&path, PASSPHRASE).unwrap();
    store
        .change_key(
            StoreSecret::Passphrase("new passphrase"),
            &tiny_kdf(),
            &mut OsRng,
        )
        .unwrap();
    assert_eq!(
        open_pass(&path, PASSPHRASE).unwrap_err().code(),
        "store.wrong_key"
    );
    assert_eq!(
        open_pass(&path, "new passphrase").unwrap().list().unwrap()[0].id,
        id
    );
    assert_eq!(store.list().unwrap()[0].id, id);
    assert_eq!(other.list().unwrap_err().code(), "store.rekeyed");
    // Move to an app key from the platform keystore.
    let raw = [8u8; 32];
    store
        .change_key(
            StoreSecret::RawKey(&raw),
            &KdfParams::RECOMMENDED,
            &mut OsRng,
        )
        .unwrap();
    assert_eq!(open_raw(&path, &raw).unwrap().get(&id).unwrap().info.id, id);
    assert_eq!(
        store
            .change_key(StoreSecret::Passphrase(""), &tiny_kdf(), &mut OsRng)
            .unwrap_err()
            .code(),
        "store.empty_passphrase"
    );
}

#[test]
fn backup_is_encrypted_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let agency = Agency::new();
    let store = passphrase_store(dir.path());
    let id = add_credential(&store, &agency, "social-security-card");
    let key_id = store.list().unwrap()[0].holder_key_id.clone();
    let backup = store
        .export_backup(
            StoreSecret::Passphrase("backup words"),
            &tiny_kdf(),
            &mut OsRng,
        )
        .unwrap();
    // Nothing readable in it: not the issuer, not a JWT, not the seed's JWK.
    let text = String::from_utf8_lossy(&backup);
    assert!(!text.contains(ISSUER) && !text.contains("eyJ") && !text.contains("seed"));
    let jwk = store.export_holder_key(&key_id).unwrap();
    let d: serde_json::Value = serde_json::from_str(&jwk).unwrap();
    assert!(!text.contains(d["d"].as_str().unwrap()));

    let target = dir.path().join("restored.store");
    assert_eq!(
        Store::restore_backup(
            &target,
            &backup,
            StoreSecret::Passphrase(PASSPHRASE),
            &test_options(),
            &mut OsRng
        )
        .unwrap_err()
        .code(),
        "store.wrong_key"
    );
    assert!(!target.exists());
    let restored = Store::restore_backup(
        &target,
        &backup,
        StoreSecret::Passphrase("backup words"),
        &test_options(),
        &mut OsRng,
    )
    .unwrap();
    assert_eq!(restored.list().unwrap(), store.list().unwrap());
    // The restored store presents with the restored key.
    let p = restored
        .present(&id, &[ClaimPath::top("name")], Some(&kb("b")), None)
        .unwrap();
    assert_eq!(verify_kb(&p, &agency, "b"), ["name"]);
    assert_eq!(
        Store::restore_backup(
            &target,
            &backup,
            StoreSecret::Passphrase("backup words"),
            &test_options(),
            &mut OsRng
        )
        .unwrap_err()
        .code(),
        "store.exists"
    );
}

#[test]
fn exported_holder_key_is_the_private_jwk() {
    let dir = tempfile::tempdir().unwrap();
    let store = passphrase_store(dir.path());
    let key = store.new_holder_key(&mut OsRng).unwrap();
    let jwk = store.export_holder_key(&key.id).unwrap();
    let back = SigningKey::from_jwk_str(&jwk).unwrap();
    assert_eq!(PublicKey::from(back.verifying_key()), key.public_key);
    assert_eq!(
        store.export_holder_key("nope").unwrap_err().code(),
        "store.unknown_holder_key"
    );
    // An unused key can be deleted; then it is gone.
    assert_eq!(
        store.remove_holder_key(&key.id, &mut OsRng).unwrap().id,
        key.id
    );
    assert!(store.holder_keys().unwrap().is_empty());
}

#[test]
fn remove_holder_key_refuses_keys_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let agency = Agency::new();
    let store = passphrase_store(dir.path());
    add_credential(&store, &agency, "resident-id");
    let key_id = store.list().unwrap()[0].holder_key_id.clone();
    assert_eq!(
        store
            .remove_holder_key(&key_id, &mut OsRng)
            .unwrap_err()
            .code(),
        "store.holder_key_in_use"
    );
    assert_eq!(store.holder_keys().unwrap().len(), 1);
}

/// Stands in for the Secure Enclave: keys by handle, counting calls.
struct Hardware {
    keys: HashMap<String, SigningKey>,
    calls: std::cell::Cell<usize>,
}

impl ExternalKeys for Hardware {
    fn sign(
        &self,
        handle: &str,
        algorithm: Algorithm,
        message: &[u8],
    ) -> Result<ExternalSignature, KeyError> {
        assert_eq!(algorithm, Algorithm::EdDsa);
        self.calls.set(self.calls.get() + 1);
        let signature = self
            .keys
            .get(handle)
            .ok_or_else(|| KeyError::SignerFailed("no such hardware key".into()))?
            .sign(message)?;
        Ok(ExternalSignature::Raw(signature.to_vec()))
    }
}

#[test]
fn external_signer_keeps_the_key_out_of_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let agency = Agency::new();
    let store = passphrase_store(dir.path());
    let hw_key = SigningKey::generate(&mut OsRng);
    let hardware = Hardware {
        keys: HashMap::from([("se-key-1".to_owned(), hw_key.clone())]),
        calls: std::cell::Cell::new(0),
    };
    let info = store
        .register_external_key("se-key-1", hw_key.verifying_key(), &mut OsRng)
        .unwrap();
    assert_eq!(
        info.kind,
        HolderKeyKind::External {
            handle: "se-key-1".into()
        }
    );
    assert_eq!(
        store
            .register_external_key("se-key-1", hw_key.verifying_key(), &mut OsRng)
            .unwrap_err()
            .code(),
        "store.duplicate_key"
    );
    assert_eq!(
        store
            .register_external_key(
                "",
                SigningKey::generate(&mut OsRng).verifying_key(),
                &mut OsRng
            )
            .unwrap_err()
            .code(),
        "store.invalid_handle"
    );
    let credential = agency.issue("resident-id", hw_key.verifying_key());
    let id = store
        .import(&credential, &agency.resolver, NOW, &mut OsRng)
        .unwrap()
        .id;

    assert_eq!(
        store
            .present(&id, &[], Some(&kb("e")), None)
            .unwrap_err()
            .code(),
        "store.external_signer_required"
    );
    assert_eq!(
        store.holder_signer(&id, None).unwrap_err().code(),
        "store.external_signer_required"
    );
    // Without key binding nothing is signed, so no signer is needed.
    assert!(
        store
            .present(&id, &[ClaimPath::top("name")], None, None)
            .unwrap()
            .ends_with('~')
    );
    let p = store
        .present(
            &id,
            &[ClaimPath::top("name")],
            Some(&kb("e")),
            Some(&hardware),
        )
        .unwrap();
    assert_eq!(verify_kb(&p, &agency, "e"), ["name"]);
    assert_eq!(hardware.calls.get(), 1);
    let signer = store.holder_signer(&id, Some(&hardware)).unwrap();
    assert!(
        hw_key
            .verifying_key()
            .verify_strict(b"m", &signer.sign_message(b"m").unwrap())
    );
    assert_eq!(
        store.export_holder_key(&info.id).unwrap_err().code(),
        "store.key_not_exportable"
    );

    // A callback that signs with the wrong key is caught before the presentation is built.
    let impostor = Hardware {
        keys: HashMap::from([("se-key-1".to_owned(), SigningKey::generate(&mut OsRng))]),
        calls: std::cell::Cell::new(0),
    };
    let err = store
        .present(&id, &[], Some(&kb("e")), Some(&impostor))
        .unwrap_err();
    assert_eq!(err.code(), "key.signer_failed");
    let err = store
        .holder_signer(&id, Some(&impostor))
        .unwrap()
        .sign_message(b"m")
        .unwrap_err();
    assert_eq!(err.code(), "key.signer_failed");

    // Removing the credential tells the app which hardware key to delete.
    let removed = store.remove(&id, &mut OsRng).unwrap();
    assert_eq!(
        removed.deleted_key.unwrap().kind,
        HolderKeyKind::External {
            handle: "se-key-1".into()
        }
    );
}

#[test]
fn secrets_stay_out_of_debug_and_errors_follow_the_style() {
    let dir = tempfile::tempdir().unwrap();
    let store = passphrase_store(dir.path());
    let shown = format!("{store:?}");
    assert!(shown.contains("redacted") && !shown.contains(PASSPHRASE));
    let secret = StoreSecret::Passphrase(PASSPHRASE);
    assert_eq!(format!("{secret:?}"), "Passphrase(<redacted>)");
    assert_eq!(
        format!("{:?}", StoreSecret::RawKey(&[1; 32])),
        "RawKey(<redacted>)"
    );
    let errors = [
        StoreError::NotFound,
        StoreError::WrongKey,
        StoreError::Tampered,
        StoreError::Truncated,
        StoreError::Locked,
        StoreError::Rekeyed,
        StoreError::HolderKeyNotHeld,
        StoreError::KdfLimitsExceeded,
        StoreError::Duplicate { id: "abc".into() },
        StoreError::NewerVersion {
            what: "format",
            found: 9,
            supported: 1,
        },
    ];
    for e in &errors {
        let text = e.to_string();
        assert!(text.starts_with(|c: char| c.is_lowercase()), "{text}");
        assert!(!text.ends_with('.'), "{text}");
        assert!(e.code().starts_with("store."), "{}", e.code());
    }
    let codes: std::collections::HashSet<_> = errors.iter().map(StoreError::code).collect();
    assert_eq!(codes.len(), errors.len());
}

#[test]
fn handles_and_errors_cross_threads() {
    // The FFI shares one handle between the UI thread and background work.
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Store>();
    send_sync::<StoreError>();
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(passphrase_store(dir.path()));
    let worker = {
        let store = store.clone();
        std::thread::spawn(move || store.new_holder_key(&mut OsRng).unwrap().id)
    };
    let id = worker.join().unwrap();
    assert_eq!(store.holder_keys().unwrap()[0].id, id);
}
