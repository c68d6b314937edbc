//! Offline status checks (draft-ietf-oauth-status-list-20 §8.3) through `verify_with_trust`:
//! revoked, suspended then reinstated, unknown and expired lists under both policies, index out
//! of range, tokens signed by the wrong key, cache rollback, and a decompression bomb.

use crate::support::trust::*;
use serde_json::json;
use wallet_core::credential::StatusRef;
use wallet_core::issuer::StatusRegistry;
use wallet_core::keys::{Signer as _, SigningKey};
use wallet_core::status::{
    Bits, StatusList, StatusListClaims, StatusValue, UnknownStatusPolicy, sign_status_list_token,
};
use wallet_core::trust::{StalePolicy, VerifiedTrustList};
use wallet_core::verifier::StatusCache;
use wallet_core::verifier::{TrustPolicy, TrustedReport, verify_with_trust};

const URI: &str = "https://ga.sh.gov.cn/status/7";
const NOW: i64 = T0 + DAY;

struct World {
    _dir: tempfile::TempDir,
    cache: StatusCache,
    trust: VerifiedTrustList,
    registry: StatusRegistry,
}

impl World {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let cache = StatusCache::open(dir.path().join("status")).unwrap();
        let trust = VerifiedTrustList::verify(
            &signed_list(&builder(1)),
            &root().verifying_key(),
            NOW,
            60,
            StalePolicy::Fail,
        )
        .unwrap();
        Self {
            _dir: dir,
            cache,
            trust,
            registry: StatusRegistry::new(URI, Bits::Two, 10_000).unwrap(),
        }
    }

    /// Issues a resident ID with a freshly allocated index.
    fn issue(&mut self, seed: u64) -> (u64, String) {
        let idx = self.registry.allocate(&mut rng(seed)).unwrap();
        let status = StatusRef {
            idx,
            uri: URI.into(),
        };
        (
            idx,
            credential("resident-id", PSB, &psb_key(), T0, Some(status)),
        )
    }

    /// Publishes the registry at `at` (valid 2 days) and caches it.
    fn publish(&self, at: i64) {
        let token = self
            .registry
            .publish(PSB, at, 2 * DAY as u64, Some(3600), &psb_key())
            .unwrap();
        self.cache.store(&token, &self.trust).unwrap();
    }

    fn verify_with(
        &self,
        cred: &str,
        now: i64,
        unknown: UnknownStatusPolicy,
    ) -> Result<TrustedReport, String> {
        self.verify_rules(
            cred,
            now,
            TrustPolicy {
                stale_trust_list: StalePolicy::Fail,
                unknown_status: unknown,
                require_status: false,
            },
        )
    }

    fn verify_rules(
        &self,
        cred: &str,
        now: i64,
        rules: TrustPolicy,
    ) -> Result<TrustedReport, String> {
        verify_with_trust(
            &presentation(cred, now),
            &self.trust,
            &self.cache,
            &policy(now),
            &rules,
        )
        .map_err(|e| e.code().to_owned())
    }

    fn verify(&self, cred: &str, now: i64) -> Result<TrustedReport, String> {
        self.verify_with(cred, now, UnknownStatusPolicy::Reject)
    }
}

#[test]
fn valid_credential_reports_status_and_list_freshness() {
    let mut w = World::new();
    let (idx, cred) = w.issue(1);
    w.publish(T0);
    let report = w.verify(&cred, NOW).unwrap();
    let status = report.status.unwrap();
    assert_eq!(status.value, Some(StatusValue::VALID));
    assert_eq!(status.idx, idx);
    assert_eq!(status.uri, URI);
    assert_eq!(
        status.list_kid.as_deref(),
        Some(psb_key().thumbprint().as_str())
    );
    let list = status.list.unwrap();
    assert_eq!(list.issued_at, T0);
    assert_eq!(list.expires_at, Some(T0 + 2 * DAY));
    assert_eq!(list.ttl, Some(3600));
    assert!(list.refresh_due, "a day after iat with a one-hour ttl");
}

#[test]
fn require_status_refuses_an_unrevocable_credential() {
    let mut w = World::new();
    let (_, revocable) = w.issue(2);
    w.publish(T0);
    let unrevocable = credential("resident-id", PSB, &psb_key(), T0, None);
    let strict = TrustPolicy {
        require_status: true,
        ..TrustPolicy::default()
    };
    assert_eq!(
        w.verify_rules(&unrevocable, NOW, strict).unwrap_err(),
        "status.missing"
    );
    assert!(w.verify_rules(&revocable, NOW, strict).is_ok());
    // Without the policy the credential verifies, reported as having no status.
    let report = w.verify(&unrevocable, NOW).unwrap();
    assert!(report.status.is_none());
    // The bulk verifier applies the same rule.
    let items = [wallet_core::verifier::BulkItem {
        text: presentation(&unrevocable, NOW),
        policy: policy(NOW),
    }];
    let results =
        wallet_core::verifier::verify_bulk_with_trust(&items, &w.trust, &w.cache, &strict, 1);
    assert_eq!(
        results[0].as_ref().map(|_| ()).unwrap_err().code(),
        "status.missing"
    );
}

#[test]
fn revoked_credential_is_rejected() {
    let mut w = World::new();
    let (idx, cred) = w.issue(2);
    let (_, other) = w.issue(3);
    w.registry.set_status(idx, StatusValue::INVALID).unwrap();
    w.publish(T0);
    assert_eq!(w.verify(&cred, NOW).unwrap_err(), "status.revoked");
    assert!(
        w.verify(&other, NOW).is_ok(),
        "only that one index is revoked"
    );
    // Even a verifier that accepts unknown statuses rejects a known revocation.
    assert_eq!(
        w.verify_with(&cred, NOW, UnknownStatusPolicy::Accept)
            .unwrap_err(),
        "status.revoked"
    );
}

#[test]
fn suspended_then_reinstated() {
    let mut w = World::new();
    let (idx, cred) = w.issue(4);
    w.registry.set_status(idx, StatusValue::SUSPENDED).unwrap();
    w.publish(T0);
    assert_eq!(w.verify(&cred, NOW).unwrap_err(), "status.suspended");
    w.registry.set_status(idx, StatusValue::VALID).unwrap();
    w.publish(T0 + 60);
    assert!(w.verify(&cred, NOW).is_ok());
}

#[test]
fn unknown_list_fails_closed_by_default() {
    let mut w = World::new();
    let (idx, cred) = w.issue(5);
    assert_eq!(w.verify(&cred, NOW).unwrap_err(), "status.unknown_list");
    let report = w
        .verify_with(&cred, NOW, UnknownStatusPolicy::Accept)
        .unwrap();
    let status = report.status.unwrap();
    assert_eq!(status.value, None);
    assert_eq!(status.idx, idx);
    assert_eq!(status.unknown_reason, Some("status.unknown_list"));
}

#[test]
fn expired_list_is_unknown() {
    let mut w = World::new();
    let (_, cred) = w.issue(6);
    w.publish(T0);
    let late = T0 + 3 * DAY; // the token expired at T0 + 2 days
    assert_eq!(w.verify(&cred, late).unwrap_err(), "status.expired_list");
    let report = w
        .verify_with(&cred, late, UnknownStatusPolicy::Accept)
        .unwrap();
    assert_eq!(
        report.status.unwrap().unknown_reason,
        Some("status.expired_list")
    );
}

#[test]
fn index_out_of_range_is_rejected() {
    let w = World::new();
    let status = StatusRef {
        idx: 10_000, // the 2-bit list of 10,000 entries ends at 9,999
        uri: URI.into(),
    };
    let cred = credential("resident-id", PSB, &psb_key(), T0, Some(status));
    w.publish(T0);
    assert_eq!(
        w.verify(&cred, NOW).unwrap_err(),
        "status.index_out_of_range"
    );
    // Under any unknown-status policy: an out-of-range index is never "unknown".
    assert_eq!(
        w.verify_with(&cred, NOW, UnknownStatusPolicy::Accept)
            .unwrap_err(),
        "status.index_out_of_range"
    );
}

#[test]
fn status_list_signed_by_another_issuer_or_unlisted_key_is_refused() {
    let mut w = World::new();
    let (_, cred) = w.issue(8);
    // The vehicle office (listed, but not the credential's issuer) publishes a list at the URI.
    let list = StatusList::new(Bits::Two, 10_000).unwrap();
    let claims = StatusListClaims {
        uri: URI.into(),
        iss: Some(VEHICLE_OFFICE.into()),
        iat: T0,
        exp: Some(T0 + 2 * DAY),
        ttl: None,
        aggregation_uri: None,
    };
    let token = sign_status_list_token(&claims, &list, &vehicle_key()).unwrap();
    // The cache accepts it (a listed key), but the check refuses it for this credential.
    w.cache.store(&token, &w.trust).unwrap();
    assert_eq!(w.verify(&cred, NOW).unwrap_err(), "status.issuer_mismatch");
    // Without an iss claim, the key must still be the credential issuer's.
    let anonymous = StatusListClaims {
        iss: None,
        iat: T0 + 1,
        ..claims.clone()
    };
    let token = sign_status_list_token(&anonymous, &list, &vehicle_key()).unwrap();
    w.cache.store(&token, &w.trust).unwrap();
    assert_eq!(w.verify(&cred, NOW).unwrap_err(), "status.untrusted_signer");
    // An unlisted key cannot even get into the cache.
    let rogue = SigningKey::from_seed(&[9; 32]);
    let token = sign_status_list_token(
        &StatusListClaims {
            iss: Some(PSB.into()),
            iat: T0 + 2,
            ..claims
        },
        &list,
        &rogue,
    )
    .unwrap();
    assert_eq!(
        w.cache.store(&token, &w.trust).unwrap_err().code(),
        "status.untrusted_signer"
    );
}

#[test]
fn cache_refuses_an_older_list() {
    let mut w = World::new();
    let (idx, cred) = w.issue(9);
    w.registry.set_status(idx, StatusValue::INVALID).unwrap();
    let newer = w
        .registry
        .publish(PSB, T0 + 100, 2 * DAY as u64, None, &psb_key())
        .unwrap();
    w.cache.store(&newer, &w.trust).unwrap();
    // A replayed list from before the revocation must not hide it.
    let older = StatusRegistry::new(URI, Bits::Two, 10_000)
        .unwrap()
        .publish(PSB, T0, 2 * DAY as u64, None, &psb_key())
        .unwrap();
    assert_eq!(
        w.cache.store(&older, &w.trust).unwrap_err().code(),
        "status.rollback"
    );
    assert_eq!(w.verify(&cred, NOW).unwrap_err(), "status.revoked");
}

#[test]
fn tampered_cache_file_is_detected() {
    let mut w = World::new();
    let (_, cred) = w.issue(10);
    w.publish(T0);
    // Replace the cached file's signature with another token's.
    let dir = w._dir.path().join("status");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(&file).unwrap();
    let mut parts: Vec<&str> = text.split('.').collect();
    let other = w
        .registry
        .publish(PSB, T0 + 5, DAY as u64, None, &psb_key())
        .unwrap();
    let other_sig = other.rsplit('.').next().unwrap().to_owned();
    parts[2] = &other_sig;
    std::fs::write(&file, parts.join(".")).unwrap();
    assert_eq!(w.verify(&cred, NOW).unwrap_err(), "jws.bad_signature");
}

#[test]
fn decompression_bomb_is_stopped_before_allocation() {
    // 40 MiB of zeros compress over 500:1: over the 32 MiB cap, refused without inflating it all.
    let zeros = vec![0u8; 40 * 1024 * 1024];
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut encoder, &zeros).unwrap();
    let bomb = encoder.finish().unwrap();
    assert!(
        bomb.len() * 500 < zeros.len(),
        "a bomb: {} bytes",
        bomb.len()
    );
    let lst = wallet_core::b64_encode(&bomb);
    let err = StatusList::from_json(&json!({"bits": 1, "lst": lst}), usize::MAX).unwrap_err();
    assert_eq!(err.code(), "status.too_large");

    // The same bomb inside a validly signed token fails the status check cleanly.
    let mut w = World::new();
    let (_, cred) = w.issue(11);
    let mut header = serde_json::Map::new();
    header.insert("typ".into(), json!("statuslist+jwt"));
    header.insert("kid".into(), json!(psb_key().public_key().thumbprint()));
    let payload = json!({
        "sub": URI, "iss": PSB, "iat": T0, "exp": T0 + DAY,
        "status_list": {"bits": 1, "lst": lst},
    });
    let token = wallet_core::hazmat::jws::sign(header, &payload, &psb_key()).unwrap();
    assert_eq!(
        w.cache.store(&token, &w.trust).unwrap_err().code(),
        "status.too_large"
    );
    // Planted in the cache directly, it is caught at verification.
    let dir = w._dir.path().join("status");
    w.publish(T0);
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(&file, &token).unwrap();
    assert_eq!(w.verify(&cred, NOW).unwrap_err(), "status.too_large");

    // A corrupt zlib stream is a clean error too.
    let err = StatusList::from_json(&json!({"bits": 1, "lst": "AAAA"}), 1024).unwrap_err();
    assert_eq!(err.code(), "status.compression");
    let err = StatusList::from_json(&json!({"bits": 3, "lst": "AAAA"}), 1024).unwrap_err();
    assert_eq!(err.code(), "status.invalid_bits");
}
