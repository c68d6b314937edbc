//! The issuer's status registry: random index allocation, status changes, persistence, and
//! the published Status List Token.

use crate::support::trust::*;
use std::collections::HashSet;
use wallet_core::issuer::StatusRegistry;
use wallet_core::keys::Signer as _;
use wallet_core::status::{Bits, StatusError, StatusListJwt, StatusValue};

const URI: &str = "https://ga.sh.gov.cn/status/1";

#[test]
fn allocation_is_random_unique_and_refuses_when_full() {
    let mut reg = StatusRegistry::new(URI, Bits::Two, 1000).unwrap();
    let mut r = rng(7);
    let first: Vec<u64> = (0..20).map(|_| reg.allocate(&mut r).unwrap()).collect();
    // Not the issuance order: not sequential, not sorted.
    assert_ne!(first, (0..20).collect::<Vec<_>>());
    let mut sorted = first.clone();
    sorted.sort_unstable();
    assert_ne!(first, sorted);
    let mut seen: HashSet<u64> = first.into_iter().collect();
    assert_eq!(seen.len(), 20);
    // Fill it up: every index exactly once, then a clean refusal.
    while reg.allocated_count() < 1000 {
        let idx = reg.allocate(&mut r).unwrap();
        assert!(idx < 1000);
        assert!(seen.insert(idx), "index {idx} allocated twice");
    }
    assert_eq!(seen.len(), 1000);
    assert_eq!(reg.allocate(&mut r).unwrap_err(), StatusError::RegistryFull);
    assert_eq!(
        reg.allocate(&mut r).unwrap_err().code(),
        "status.registry_full"
    );
}

#[test]
fn status_changes_follow_the_rules() {
    let mut reg = StatusRegistry::new(URI, Bits::Two, 64).unwrap();
    let idx = reg.allocate(&mut rng(1)).unwrap();
    assert_eq!(reg.status(idx).unwrap(), StatusValue::VALID);
    reg.set_status(idx, StatusValue::SUSPENDED).unwrap();
    assert_eq!(reg.list().get(idx).unwrap(), StatusValue::SUSPENDED);
    reg.set_status(idx, StatusValue::VALID).unwrap();
    reg.set_status(idx, StatusValue::INVALID).unwrap();
    assert_eq!(
        reg.set_status(idx, StatusValue::VALID).unwrap_err().code(),
        "status.revocation_is_final"
    );
    assert_eq!(
        reg.set_status(idx, StatusValue::SUSPENDED).unwrap_err(),
        StatusError::RevocationIsFinal
    );
    let unallocated = (0..64).find(|i| *i != idx).unwrap();
    assert_eq!(
        reg.set_status(unallocated, StatusValue::INVALID)
            .unwrap_err()
            .code(),
        "status.not_allocated"
    );
    assert_eq!(
        reg.set_status(64, StatusValue::INVALID).unwrap_err().code(),
        "status.index_out_of_range"
    );
    // A 1-bit list cannot hold SUSPENDED.
    let mut one = StatusRegistry::new(URI, Bits::One, 8).unwrap();
    let i = one.allocate(&mut rng(2)).unwrap();
    assert_eq!(
        one.set_status(i, StatusValue::SUSPENDED)
            .unwrap_err()
            .code(),
        "status.value_too_wide"
    );
}

#[test]
fn registry_persists_atomically_and_reloads_identically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.json");
    let mut reg = StatusRegistry::new(URI, Bits::Two, 10_003).unwrap();
    let mut r = rng(3);
    let ids: Vec<u64> = (0..500).map(|_| reg.allocate(&mut r).unwrap()).collect();
    reg.set_status(ids[0], StatusValue::INVALID).unwrap();
    reg.set_status(ids[1], StatusValue::SUSPENDED).unwrap();
    reg.save(&path).unwrap();
    let back = StatusRegistry::load(&path).unwrap();
    assert_eq!(back, reg);
    assert_eq!(back.capacity(), 10_003);
    assert_eq!(back.allocated_count(), 500);
    // Only the registry file is left in the directory (no temporary files).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    // Allocation continues without reusing an index after reload.
    let mut back = back;
    let next = back.allocate(&mut r).unwrap();
    assert!(!ids.contains(&next));

    // A tampered file is refused: a status on an unallocated index, or a wrong count.
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    json["allocated_count"] = serde_json::json!(499);
    assert_eq!(
        StatusRegistry::from_json_bytes(&serde_json::to_vec(&json).unwrap())
            .unwrap_err()
            .code(),
        "status.malformed"
    );
    let mut bad = StatusRegistry::new(URI, Bits::Two, 16).unwrap();
    let _ = bad.allocate(&mut rng(4)).unwrap();
    let mut json = bad.to_json();
    let mut fake = wallet_core::status::StatusList::new(Bits::Two, 16).unwrap();
    let free = (0..16).find(|i| bad.status(*i).is_err()).unwrap();
    fake.set(free, StatusValue::INVALID).unwrap();
    json["statuses"] = serde_json::json!(wallet_core::b64_encode(
        fake.to_json(9)["lst"]
            .as_str()
            .map(|s| {
                use base64::Engine as _;
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(s)
                    .unwrap()
            })
            .unwrap()
    ));
    assert_eq!(
        StatusRegistry::from_json_bytes(&serde_json::to_vec(&json).unwrap())
            .unwrap_err()
            .code(),
        "status.malformed"
    );
}

#[test]
fn published_token_has_the_draft_claims_and_reads_back() {
    let mut reg = StatusRegistry::new(URI, Bits::Two, 4096).unwrap();
    let mut r = rng(5);
    let revoked = reg.allocate(&mut r).unwrap();
    let suspended = reg.allocate(&mut r).unwrap();
    let valid = reg.allocate(&mut r).unwrap();
    reg.set_status(revoked, StatusValue::INVALID).unwrap();
    reg.set_status(suspended, StatusValue::SUSPENDED).unwrap();
    let token = reg
        .publish(PSB, T0, 7 * DAY as u64, Some(43_200), &psb_key())
        .unwrap();
    let header = wallet_core::jws::Jws::parse(&token).unwrap();
    assert_eq!(header.typ(), Some("statuslist+jwt"));
    assert_eq!(header.kid(), Some(psb_key().thumbprint().as_str()));
    let payload = header.payload().unwrap();
    assert_eq!(payload["sub"], URI);
    assert_eq!(payload["iss"], PSB);
    assert_eq!(payload["iat"], T0);
    assert_eq!(payload["exp"], T0 + 7 * DAY);
    assert_eq!(payload["ttl"], 43_200);
    assert_eq!(payload["status_list"]["bits"], 2);
    let verified = StatusListJwt::parse(&token)
        .unwrap()
        .verify(&psb_key().public_key())
        .unwrap();
    assert_eq!(verified.list.get(revoked).unwrap(), StatusValue::INVALID);
    assert_eq!(
        verified.list.get(suspended).unwrap(),
        StatusValue::SUSPENDED
    );
    assert_eq!(verified.list.get(valid).unwrap(), StatusValue::VALID);
    // Another key does not verify it.
    assert_eq!(
        StatusListJwt::parse(&token)
            .unwrap()
            .verify(&vehicle_key().public_key())
            .unwrap_err()
            .code(),
        "jws.bad_signature"
    );
}
