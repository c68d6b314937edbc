//! The trust list: who may issue which credential type with which key, when; staleness;
//! rollback; and the full offline verification report.

use crate::support::trust::*;
use wallet_core::jws::Jws;
use wallet_core::status::UnknownStatusPolicy;
use wallet_core::trust::{
    StalePolicy, TrustError, TrustListBuilder, TrustListStore, VerifiedTrustList,
};
use wallet_core::verifier::StatusCache;
use wallet_core::verifier::{TrustPolicy, verify_presentation, verify_with_trust};

const NOW: i64 = T0 + DAY;

fn verified(token: &str, now: i64) -> VerifiedTrustList {
    VerifiedTrustList::verify(token, &root().verifying_key(), now, 60, StalePolicy::Fail).unwrap()
}

fn cache() -> (tempfile::TempDir, StatusCache) {
    let dir = tempfile::tempdir().unwrap();
    let cache = StatusCache::open(dir.path()).unwrap();
    (dir, cache)
}

/// Verifies a credential of type `short` from `iss` signed by `key` at `iat`, without status.
fn check(
    list: &VerifiedTrustList,
    short: &str,
    iss: &str,
    key: &wallet_core::keys::SigningKey,
    iat: i64,
) -> Result<(), String> {
    let cred = credential(short, iss, key, iat, None);
    verify_presentation(&presentation(&cred, NOW), list, &policy(NOW))
        .map(|_| ())
        .map_err(|e| e.code().to_owned())
}

#[test]
fn listed_issuer_verifies_with_names_key_and_freshness() {
    let list = verified(&signed_list(&builder(1)), NOW);
    let (_dir, cache) = cache();
    let cred = credential("resident-id", PSB, &psb_key(), T0, None);
    let report = verify_with_trust(
        &presentation(&cred, NOW),
        &list,
        &cache,
        &policy(NOW),
        &TrustPolicy::default(),
    )
    .unwrap();
    assert_eq!(report.issuer_name_zh, "上海市公安局");
    assert_eq!(report.issuer_name_en, "Shanghai Public Security Bureau");
    assert_eq!(report.issuer_kid, psb_key().thumbprint());
    assert_eq!(report.trust_list.seq, 1);
    assert_eq!(report.trust_list.list_id, LIST_ID);
    assert_eq!(report.trust_list.next_update, T0 + 7 * DAY);
    assert!(!report.trust_list.stale);
    assert_eq!(report.status, None, "no status claim, nothing to check");
    // The report serialises for the CLI's --json and the FFI.
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["issuer_name_zh"], "上海市公安局");
}

#[test]
fn unlisted_issuer_is_rejected() {
    let list = verified(&signed_list(&builder(1)), NOW);
    let stranger = key("someone else");
    assert_eq!(
        check(&list, "resident-id", "https://evil.example", &stranger, T0).unwrap_err(),
        "vc.unknown_issuer"
    );
    // A listed issuer's name with a key that is not in the list.
    assert_eq!(
        check(&list, "resident-id", PSB, &stranger, T0).unwrap_err(),
        "vc.unknown_key"
    );
}

#[test]
fn issuer_not_authorised_for_the_vct_is_rejected() {
    let list = verified(&signed_list(&builder(1)), NOW);
    // A vehicle office key cannot issue a resident ID, even though the key is in the list.
    assert_eq!(
        check(&list, "resident-id", VEHICLE_OFFICE, &vehicle_key(), T0).unwrap_err(),
        "vc.issuer_not_authorised"
    );
    assert!(check(&list, "vehicle-licence", VEHICLE_OFFICE, &vehicle_key(), T0).is_ok());
    // Withdrawing the authorisation in the next version takes effect.
    let mut b = TrustListBuilder::next_version(list.list()).unwrap();
    b.deauthorise(VEHICLE_OFFICE, vct("vehicle-licence"))
        .unwrap();
    let next = verified(&b.sign(T0 + 1, T0 + 7 * DAY, &root()).unwrap(), NOW);
    assert_eq!(
        check(&next, "vehicle-licence", VEHICLE_OFFICE, &vehicle_key(), T0).unwrap_err(),
        "vc.issuer_not_authorised"
    );
}

#[test]
fn retired_key_verifies_only_credentials_issued_before_retirement() {
    let mut b = builder(2);
    let new_key = key("public security bureau 2027");
    b.add_key(PSB, &new_key.verifying_key(), T0, None).unwrap();
    b.retire_key(PSB, &psb_key().thumbprint(), T0).unwrap();
    let list = verified(&signed_list(&b), NOW);
    // Issued before the retirement: still valid.
    assert!(check(&list, "resident-id", PSB, &psb_key(), T0 - DAY).is_ok());
    // Issued after it with the retired key: refused.
    assert_eq!(
        check(&list, "resident-id", PSB, &psb_key(), T0 + 60).unwrap_err(),
        "vc.key_not_valid"
    );
    // The new key takes over.
    assert!(check(&list, "resident-id", PSB, &new_key, T0 + 60).is_ok());
    // A removed (compromised) key verifies nothing at all.
    let mut b = TrustListBuilder::next_version(list.list()).unwrap();
    b.remove_key(PSB, &psb_key().thumbprint()).unwrap();
    let list = verified(&b.sign(T0 + 1, T0 + 7 * DAY, &root()).unwrap(), NOW);
    assert_eq!(
        check(&list, "resident-id", PSB, &psb_key(), T0 - DAY).unwrap_err(),
        "vc.unknown_key"
    );
    assert_eq!(
        b.retire_key(PSB, "no-such-kid", T0).unwrap_err().code(),
        "trust.unknown_key"
    );
}

#[test]
fn key_outside_its_validity_window_is_rejected() {
    let mut b = TrustListBuilder::new(LIST_ID, 1);
    let k = key("short-lived key");
    b.add_issuer(PSB, "上海市公安局", "Shanghai PSB", &[vct("resident-id")])
        .unwrap()
        .add_key(PSB, &k.verifying_key(), T0 - 10 * DAY, Some(T0 - 5 * DAY))
        .unwrap();
    let list = verified(&signed_list(&b), NOW);
    assert!(check(&list, "resident-id", PSB, &k, T0 - 6 * DAY).is_ok());
    assert_eq!(
        check(&list, "resident-id", PSB, &k, T0 - 11 * DAY).unwrap_err(),
        "vc.key_not_valid",
        "before not_before"
    );
    assert_eq!(
        check(&list, "resident-id", PSB, &k, T0 - 5 * DAY).unwrap_err(),
        "vc.key_not_valid",
        "at not_after (exclusive)"
    );
    assert_eq!(
        b.add_key(PSB, &key("x").verifying_key(), T0, Some(T0))
            .unwrap_err()
            .code(),
        "trust.invalid_validity"
    );
}

#[test]
fn stale_list_fails_by_default_and_warns_on_request() {
    let token = signed_list(&builder(1));
    let late = T0 + 8 * DAY;
    let root = root().verifying_key();
    let err = VerifiedTrustList::verify(&token, &root, late, 60, StalePolicy::Fail).unwrap_err();
    assert_eq!(err.code(), "trust.stale");
    let warned = VerifiedTrustList::verify(&token, &root, late, 60, StalePolicy::Warn).unwrap();
    // A list accepted while fresh becomes stale later: verify_with_trust re-checks.
    let list = verified(&token, NOW);
    let (_dir, cache) = cache();
    let cred = credential("resident-id", PSB, &psb_key(), late - DAY, None);
    let pres = presentation(&cred, late);
    let err = verify_with_trust(&pres, &list, &cache, &policy(late), &TrustPolicy::default())
        .unwrap_err();
    assert_eq!(err.code(), "trust.stale");
    let warn = TrustPolicy {
        stale_trust_list: StalePolicy::Warn,
        unknown_status: UnknownStatusPolicy::Reject,
        require_status: false,
    };
    let report = verify_with_trust(&pres, &warned, &cache, &policy(late), &warn).unwrap();
    assert!(report.trust_list.stale);
}

#[test]
fn rollback_to_a_lower_sequence_number_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let store = TrustListStore::new(dir.path().join("trust-list.jwt"));
    let root = root().verifying_key();
    let v5 = signed_list(&builder(5));
    let v6 = builder(6)
        .sign(T0 + 10, T0 + 7 * DAY, &crate::support::trust::root())
        .unwrap();
    assert!(
        store
            .load(&root, NOW, 60, StalePolicy::Fail)
            .unwrap()
            .is_none()
    );
    store
        .accept(&v5, &root, NOW, 60, StalePolicy::Fail)
        .unwrap();
    store
        .accept(&v6, &root, NOW, 60, StalePolicy::Fail)
        .unwrap();
    let err = store
        .accept(&v5, &root, NOW, 60, StalePolicy::Fail)
        .unwrap_err();
    assert_eq!(err, TrustError::Rollback);
    assert_eq!(err.code(), "trust.rollback");
    // The stored list is still v6, and re-accepting the same token is harmless.
    assert_eq!(
        store
            .load(&root, NOW, 60, StalePolicy::Fail)
            .unwrap()
            .unwrap()
            .list()
            .seq,
        6
    );
    store
        .accept(&v6, &root, NOW, 60, StalePolicy::Fail)
        .unwrap();
    // Same sequence number, different content: refused.
    let mut other = builder(6);
    other.remove_issuer(VEHICLE_OFFICE).unwrap();
    let v6b = other
        .sign(T0 + 10, T0 + 7 * DAY, &crate::support::trust::root())
        .unwrap();
    assert_eq!(
        store
            .accept(&v6b, &root, NOW, 60, StalePolicy::Fail)
            .unwrap_err()
            .code(),
        "trust.sequence_reused"
    );
    // Another list id: refused.
    let foreign = TrustListBuilder::new("another-list", 9)
        .sign(T0, T0 + DAY, &crate::support::trust::root())
        .unwrap();
    assert_eq!(
        store
            .accept(&foreign, &root, NOW, 60, StalePolicy::Fail)
            .unwrap_err()
            .code(),
        "trust.wrong_list_id"
    );
}

#[test]
fn list_not_signed_by_the_pinned_root_is_rejected() {
    let forged = builder(1)
        .sign(T0, T0 + 7 * DAY, &key("attacker root"))
        .unwrap();
    let err =
        VerifiedTrustList::verify(&forged, &root().verifying_key(), NOW, 60, StalePolicy::Fail)
            .unwrap_err();
    assert_eq!(err.code(), "trust.bad_signature");
    // A trust list is not accepted as any other token type and vice versa.
    let token = signed_list(&builder(1));
    assert_eq!(Jws::parse(&token).unwrap().typ(), Some("trustlist+jwt"));
    let cred = credential("resident-id", PSB, &psb_key(), T0, None);
    let jwt = cred.split('~').next().unwrap();
    assert_eq!(
        VerifiedTrustList::verify(jwt, &psb_key().verifying_key(), NOW, 60, StalePolicy::Fail)
            .unwrap_err()
            .code(),
        "jws.wrong_typ"
    );
}

#[test]
fn malformed_lists_are_rejected_without_panicking() {
    use serde_json::json;
    use wallet_core::keys::Signer as _;
    let sign = |payload: serde_json::Value| {
        let mut header = serde_json::Map::new();
        header.insert("typ".into(), json!("trustlist+jwt"));
        wallet_core::hazmat::jws::sign(header, &payload, &root()).unwrap()
    };
    let jwk = psb_key().public_key().to_jwk();
    let good_key = json!({"kid": psb_key().thumbprint(), "jwk": jwk, "not_before": 0});
    let issuer = |keys: serde_json::Value| json!({"iss": PSB, "name": {"zh-CN": "公安局", "en": "PSB"}, "vct": ["x"], "keys": keys});
    let list = |issuers: serde_json::Value| json!({"list_id": "l", "seq": 1, "iat": T0, "next_update": T0 + DAY, "issuers": issuers});
    let cases = [
        (list(json!([issuer(json!([good_key]))])), None),
        (list(json!("not an array")), Some("trust.malformed")),
        (
            list(json!([issuer(json!([good_key])), issuer(json!([]))])),
            Some("trust.duplicate_issuer"),
        ),
        (
            list(json!([issuer(json!([good_key, good_key]))])),
            Some("trust.duplicate_key"),
        ),
        (
            list(json!([issuer(
                json!([{"kid": "wrong", "jwk": jwk, "not_before": 0}])
            )])),
            Some("trust.malformed"),
        ),
        (
            json!({"list_id": "l", "seq": -1, "iat": T0, "next_update": T0 + DAY, "issuers": []}),
            Some("trust.malformed"),
        ),
        (
            json!({"list_id": "l", "seq": 1, "iat": T0, "next_update": T0, "issuers": []}),
            Some("trust.invalid_validity"),
        ),
    ];
    for (payload, expected) in cases {
        let result = VerifiedTrustList::verify(
            &sign(payload.clone()),
            &root().verifying_key(),
            NOW,
            60,
            StalePolicy::Warn,
        );
        match expected {
            None => assert!(result.is_ok(), "{payload}"),
            Some(code) => assert_eq!(result.unwrap_err().code(), code, "{payload}"),
        }
    }
    // A list from the future is refused.
    let future = builder(1).sign(NOW + DAY, NOW + 2 * DAY, &root()).unwrap();
    assert_eq!(
        VerifiedTrustList::verify(&future, &root().verifying_key(), NOW, 60, StalePolicy::Fail)
            .unwrap_err()
            .code(),
        "trust.issued_in_future"
    );
}
