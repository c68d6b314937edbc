//! The memo of verified, inflated status lists behind `check_status`
//! (draft-ietf-oauth-status-list-20 §8.3 done once per token): the same results as a fresh load
//! for every status value, no stale list after a newer token is stored (in this process or by
//! another one) or the token is removed, freshness judged at each check's `now`, the key still
//! resolved per check, one load for many checks, and bounded memory.

use crate::support::trust::*;
use wallet_core::credential::StatusRef;
use wallet_core::keys::VerifyingKey;
use wallet_core::qr::freshness::offline_key_binding;
use wallet_core::qr::transport;
use wallet_core::status::{
    Bits, MEMO_MAX_BYTES, MEMO_MAX_LISTS, StatusError, StatusKeyResolver, StatusList,
    StatusListClaims, StatusReport, StatusValue, UnknownStatusPolicy, sign_status_list_token,
    status_in,
};
use wallet_core::trust::{StalePolicy, VerifiedTrustList};
use wallet_core::verifier::{StatusCache, check_status, load_status_list};
use wallet_core::verifier::{Verifier, VerifierConfig};

const URI: &str = "https://ga.sh.gov.cn/status/memo";
const NOW: i64 = T0 + 3_600;
const SKEW: u64 = 60;
const ENTRIES: u64 = 1_000;

fn trust() -> VerifiedTrustList {
    VerifiedTrustList::verify(
        &signed_list(&builder(1)),
        &root().verifying_key(),
        NOW,
        SKEW,
        StalePolicy::Fail,
    )
    .unwrap()
}

/// A 2-bit list of the bureau for `uri` issued at `iat` (valid a day, ttl one hour) with the
/// given entries set.
fn token_for(uri: &str, iat: i64, set: &[(u64, u8)]) -> String {
    let mut list = StatusList::new(Bits::Two, ENTRIES).unwrap();
    for &(idx, value) in set {
        list.set(idx, StatusValue(value)).unwrap();
    }
    let claims = StatusListClaims {
        uri: uri.into(),
        iss: Some(PSB.into()),
        iat,
        exp: Some(iat + DAY),
        ttl: Some(3_600),
        aggregation_uri: None,
    };
    sign_status_list_token(&claims, &list, &psb_key()).unwrap()
}

fn token(iat: i64, set: &[(u64, u8)]) -> String {
    token_for(URI, iat, set)
}

fn at(idx: u64) -> StatusRef {
    StatusRef {
        idx,
        uri: URI.into(),
    }
}

/// Both cache backends, each in a fresh place.
fn backends() -> Vec<(&'static str, StatusCache, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let on_disk = StatusCache::open(dir.path().join("status")).unwrap();
    vec![
        ("dir", on_disk, Some(dir)),
        ("memory", StatusCache::in_memory(), None),
    ]
}

/// `check_status` (through the memo).
fn check(
    cache: &StatusCache,
    keys: &dyn StatusKeyResolver,
    status: &StatusRef,
    now: i64,
    policy: UnknownStatusPolicy,
) -> Result<StatusReport, StatusError> {
    check_status(status, PSB, cache, keys, now, SKEW, policy)
}

/// What `check_status` returned before the memo: a fresh load, then the lookup.
fn fresh(
    cache: &StatusCache,
    keys: &dyn StatusKeyResolver,
    status: &StatusRef,
    now: i64,
    policy: UnknownStatusPolicy,
) -> Result<StatusReport, StatusError> {
    let loaded = load_status_list(&status.uri, PSB, cache, keys)?;
    status_in(status, loaded.as_ref(), now, SKEW, policy)
}

/// A resolver that answers the same for every token.
struct FixedKey(Result<VerifyingKey, StatusError>);

impl StatusKeyResolver for FixedKey {
    fn status_key(
        &self,
        _iss: Option<&str>,
        _kid: Option<&str>,
        _at: i64,
    ) -> Result<wallet_core::keys::PublicKey, StatusError> {
        self.0.clone().map(Into::into)
    }
}

#[test]
fn repeated_checks_give_the_results_of_a_fresh_load() {
    // (index, expected code: "ok" or the error code)
    let cases: &[(u64, &str)] = &[
        (0, "ok"),
        (1, "status.revoked"),
        (2, "status.suspended"),
        (3, "status.unrecognised"),
        (4, "ok"),
        (ENTRIES - 1, "status.revoked"),
        (ENTRIES, "status.index_out_of_range"),
        (u64::MAX, "status.index_out_of_range"),
    ];
    let trust = trust();
    for (name, cache, _dir) in backends() {
        cache
            .store(
                &token(T0, &[(1, 1), (2, 2), (3, 3), (ENTRIES - 1, 1)]),
                &trust,
            )
            .unwrap();
        for round in 0..3 {
            for &(idx, expected) in cases {
                for policy in [UnknownStatusPolicy::Reject, UnknownStatusPolicy::Accept] {
                    let got = check(&cache, &trust, &at(idx), NOW, policy);
                    let want = fresh(&cache, &trust, &at(idx), NOW, policy);
                    assert_eq!(got, want, "{name}, round {round}, index {idx}");
                    let code = got.as_ref().map_or_else(|e| e.code(), |_| "ok");
                    assert_eq!(code, expected, "{name}, round {round}, index {idx}");
                    if let Ok(report) = got {
                        assert_eq!(report.value, Some(StatusValue::VALID));
                        assert_eq!(report.list_kid, Some(psb_key().thumbprint()));
                    }
                }
            }
        }
        assert_eq!(cache.memo().loads(), 1, "{name}: one token, one load");
        assert_eq!(cache.memo().len(), 1, "{name}");
    }
}

#[test]
fn a_newer_token_is_seen_at_once() {
    let trust = trust();
    for (name, cache, _dir) in backends() {
        let idx = 5;
        cache.store(&token(T0, &[]), &trust).unwrap();
        for _ in 0..3 {
            let r = check(&cache, &trust, &at(idx), NOW, UnknownStatusPolicy::Reject);
            assert_eq!(r.unwrap().value, Some(StatusValue::VALID), "{name}");
        }
        // Revoked in the next list: the memoized one must not answer.
        cache.store(&token(T0 + 60, &[(idx, 1)]), &trust).unwrap();
        let r = check(&cache, &trust, &at(idx), NOW, UnknownStatusPolicy::Reject);
        assert_eq!(r.unwrap_err(), StatusError::Revoked, "{name}");
        // Suspended, then reinstated.
        cache.store(&token(T0 + 120, &[(idx, 2)]), &trust).unwrap();
        let r = check(&cache, &trust, &at(idx), NOW, UnknownStatusPolicy::Reject);
        assert_eq!(r.unwrap_err(), StatusError::Suspended, "{name}");
        cache.store(&token(T0 + 180, &[]), &trust).unwrap();
        let r = check(&cache, &trust, &at(idx), NOW, UnknownStatusPolicy::Reject);
        assert_eq!(r.unwrap().value, Some(StatusValue::VALID), "{name}");
        assert_eq!(cache.memo().loads(), 4, "{name}: one load per token");
        // Removed: the status is unknown again, and the decoded list is dropped.
        cache.remove(URI).unwrap();
        let r = check(&cache, &trust, &at(idx), NOW, UnknownStatusPolicy::Reject);
        assert_eq!(r.unwrap_err(), StatusError::UnknownList, "{name}");
        assert!(cache.memo().is_empty(), "{name}");
        let r = check(&cache, &trust, &at(idx), NOW, UnknownStatusPolicy::Accept).unwrap();
        assert_eq!(r.unknown_reason, Some("status.unknown_list"), "{name}");
    }
}

#[test]
fn a_token_stored_by_another_process_is_seen() {
    let trust = trust();
    let dir = tempfile::tempdir().unwrap();
    let verifier = StatusCache::open(dir.path()).unwrap();
    // `wallet status cache` in another process: its own cache value, its own (empty) memo.
    let other = || StatusCache::open(dir.path()).unwrap();
    other().store(&token(T0, &[]), &trust).unwrap();
    let r = check(&verifier, &trust, &at(9), NOW, UnknownStatusPolicy::Reject);
    assert_eq!(r.unwrap().value, Some(StatusValue::VALID));
    other().store(&token(T0 + 1, &[(9, 1)]), &trust).unwrap();
    let r = check(&verifier, &trust, &at(9), NOW, UnknownStatusPolicy::Reject);
    assert_eq!(r.unwrap_err(), StatusError::Revoked);
    // A file rewritten in place (same length, different bytes: a tampered signature) is not
    // mistaken for the token the memo holds.
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut bytes = std::fs::read(&file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    std::fs::write(&file, &bytes).unwrap();
    let got = check(&verifier, &trust, &at(9), NOW, UnknownStatusPolicy::Reject);
    let want = fresh(&verifier, &trust, &at(9), NOW, UnknownStatusPolicy::Reject);
    assert!(got.is_err());
    assert_eq!(got, want);
    // Removed by the other process.
    other().remove(URI).unwrap();
    let r = check(&verifier, &trust, &at(9), NOW, UnknownStatusPolicy::Reject);
    assert_eq!(r.unwrap_err(), StatusError::UnknownList);
}

#[test]
fn freshness_is_judged_at_each_check() {
    let trust = trust();
    for (name, cache, _dir) in backends() {
        cache.store(&token(T0, &[(1, 1)]), &trust).unwrap();
        let expiry = T0 + DAY;
        // (now, policy, expected: "ok", "ok+refresh", "unknown" or an error code)
        let cases: &[(i64, UnknownStatusPolicy, &str)] = &[
            (T0 + 600, UnknownStatusPolicy::Reject, "ok"),
            (T0 + 2 * 3_600, UnknownStatusPolicy::Reject, "ok+refresh"),
            (
                expiry + SKEW as i64,
                UnknownStatusPolicy::Reject,
                "status.expired_list",
            ),
            (expiry + SKEW as i64, UnknownStatusPolicy::Accept, "unknown"),
            (T0 + 600, UnknownStatusPolicy::Reject, "ok"),
            (
                T0 - 2 * SKEW as i64,
                UnknownStatusPolicy::Reject,
                "status.issued_in_future",
            ),
            (
                T0 - 2 * SKEW as i64,
                UnknownStatusPolicy::Accept,
                "status.issued_in_future",
            ),
            (
                expiry + 10 * DAY,
                UnknownStatusPolicy::Reject,
                "status.expired_list",
            ),
            (
                expiry - SKEW as i64 - 1,
                UnknownStatusPolicy::Reject,
                "ok+refresh",
            ),
        ];
        for &(now, policy, expected) in cases {
            let got = check(&cache, &trust, &at(0), now, policy);
            assert_eq!(
                got,
                fresh(&cache, &trust, &at(0), now, policy),
                "{name} at {now}"
            );
            let outcome = match &got {
                Err(e) => e.code(),
                Ok(r) if r.value.is_none() => {
                    assert_eq!(r.unknown_reason, Some("status.expired_list"));
                    "unknown"
                }
                Ok(r) if r.list.as_ref().unwrap().refresh_due => "ok+refresh",
                Ok(_) => "ok",
            };
            assert_eq!(outcome, expected, "{name} at {now}");
            // A revoked entry stays revoked while the list is fresh, and is "unknown" (not
            // valid) once it has expired.
            let revoked = check(&cache, &trust, &at(1), now, policy);
            assert_eq!(revoked, fresh(&cache, &trust, &at(1), now, policy));
            assert!(revoked.is_err() || revoked.unwrap().value.is_none());
        }
        assert_eq!(cache.memo().loads(), 1, "{name}: time is not memoized");
    }
}

#[test]
fn the_issuer_and_key_are_resolved_at_each_check() {
    let trust = trust();
    let cache = StatusCache::in_memory();
    cache.store(&token(T0, &[]), &trust).unwrap();
    let ok = check(&cache, &trust, &at(0), NOW, UnknownStatusPolicy::Reject);
    assert!(ok.is_ok());
    assert_eq!(cache.memo().loads(), 1);
    let resolvers: &[(&str, FixedKey)] = &[
        ("untrusted", FixedKey(Err(StatusError::UntrustedSigner))),
        ("other key", FixedKey(Ok(vehicle_key().verifying_key()))),
        ("same key", FixedKey(Ok(psb_key().verifying_key()))),
    ];
    for (name, keys) in resolvers {
        for _ in 0..2 {
            for policy in [UnknownStatusPolicy::Reject, UnknownStatusPolicy::Accept] {
                let got = check(&cache, keys, &at(0), NOW, policy);
                assert_eq!(got, fresh(&cache, keys, &at(0), NOW, policy), "{name}");
                assert_eq!(got.is_ok(), *name == "same key", "{name}: {got:?}");
            }
        }
    }
    // The credential's issuer is compared with the token's `iss` every time.
    let other_issuer = check_status(
        &at(0),
        VEHICLE_OFFICE,
        &cache,
        &trust,
        NOW,
        SKEW,
        UnknownStatusPolicy::Accept,
    );
    assert_eq!(other_issuer.unwrap_err(), StatusError::IssuerMismatch);
    // The other key forced full verifications (which failed and were not remembered); the
    // trusted key still finds the list it verified.
    let loads = cache.memo().loads();
    assert!(check(&cache, &trust, &at(0), NOW, UnknownStatusPolicy::Reject).is_ok());
    assert_eq!(cache.memo().loads(), loads);
}

#[test]
fn a_hundred_checks_cost_one_load() {
    let trust = trust();
    for (name, cache, _dir) in backends() {
        let revoked: Vec<(u64, u8)> = (0..ENTRIES).step_by(7).map(|i| (i, 1)).collect();
        cache.store(&token(T0, &revoked), &trust).unwrap();
        assert_eq!(cache.memo().loads(), 0, "{name}: storing does not load");
        for i in 0..100u64 {
            let idx = (i * 13) % ENTRIES;
            let got = check(&cache, &trust, &at(idx), NOW, UnknownStatusPolicy::Reject);
            assert_eq!(got.is_err(), idx.is_multiple_of(7), "{name}, index {idx}");
        }
        assert_eq!(cache.memo().loads(), 1, "{name}");
        // Clones share the memo.
        let clone = cache.clone();
        assert!(check(&clone, &trust, &at(1), NOW, UnknownStatusPolicy::Reject).is_ok());
        assert_eq!(cache.memo().loads(), 1, "{name}");
    }
}

#[test]
fn memory_stays_bounded_by_lists() {
    let trust = trust();
    for (name, cache, _dir) in backends() {
        let uri = |n: usize| format!("https://ga.sh.gov.cn/status/many/{n}");
        let lists = MEMO_MAX_LISTS + 9;
        for n in 0..lists {
            cache
                .store(&token_for(&uri(n), T0, &[(n as u64, 1)]), &trust)
                .unwrap();
        }
        let check_list = |n: usize, idx: u64| {
            let status = StatusRef { idx, uri: uri(n) };
            check_status(
                &status,
                PSB,
                &cache,
                &trust,
                NOW,
                SKEW,
                UnknownStatusPolicy::Reject,
            )
        };
        for n in 0..lists {
            assert_eq!(check_list(n, n as u64).unwrap_err(), StatusError::Revoked);
            assert!(check_list(n, n as u64 + 1).is_ok());
            assert!(cache.memo().len() <= MEMO_MAX_LISTS, "{name}");
        }
        assert_eq!(cache.memo().len(), MEMO_MAX_LISTS, "{name}");
        assert_eq!(cache.memo().loads(), lists as u64, "{name}");
        // The most recently used lists are kept; the first ones were dropped and reload.
        assert!(check_list(lists - 1, 0).is_ok());
        assert_eq!(cache.memo().loads(), lists as u64, "{name}");
        assert!(check_list(0, 1).is_ok());
        assert_eq!(cache.memo().loads(), lists as u64 + 1, "{name}");
        // Least recently used, not first in: list `lists - MEMO_MAX_LISTS` was used earlier
        // than every other list held; touching it first makes the next one the victim.
        let keep = lists - MEMO_MAX_LISTS + 1;
        assert!(check_list(keep, 0).is_ok());
        assert!(check_list(1, 0).is_ok()); // a reload: evicts keep + 1, not keep
        let loads = cache.memo().loads();
        assert!(check_list(keep, 0).is_ok());
        assert_eq!(cache.memo().loads(), loads, "{name}: {keep} was kept");
        assert!(check_list(keep + 1, 0).is_ok());
        assert_eq!(
            cache.memo().loads(),
            loads + 1,
            "{name}: {} was dropped",
            keep + 1
        );
        assert!(cache.memo().len() <= MEMO_MAX_LISTS);
    }
}

#[test]
fn memory_stays_bounded_by_bytes() {
    let trust = trust();
    let cache = StatusCache::in_memory();
    // Three 24 MiB lists (8 bits, all zero: a tiny token each) do not fit in 64 MiB together.
    let entries = 24 * 1024 * 1024;
    let uri = |n: usize| format!("https://ga.sh.gov.cn/status/big/{n}");
    for n in 0..3 {
        let mut list = StatusList::new(Bits::Eight, entries).unwrap();
        list.set(n as u64, StatusValue::INVALID).unwrap();
        let claims = StatusListClaims {
            uri: uri(n),
            iss: Some(PSB.into()),
            iat: T0,
            exp: None,
            ttl: None,
            aggregation_uri: None,
        };
        let token = sign_status_list_token(&claims, &list, &psb_key()).unwrap();
        cache.store(&token, &trust).unwrap();
        let status = StatusRef {
            idx: n as u64,
            uri: uri(n),
        };
        let got = check_status(&status, PSB, &cache, &trust, NOW, SKEW, Default::default());
        assert_eq!(got.unwrap_err(), StatusError::Revoked);
        assert!(cache.memo().bytes() <= MEMO_MAX_BYTES);
    }
    assert_eq!(cache.memo().len(), 2);
    assert!(cache.memo().bytes() >= 2 * entries as usize);
    cache.memo().clear();
    assert!(cache.memo().is_empty());
}

#[test]
fn threads_share_one_memo() {
    let trust = trust();
    let cache = StatusCache::in_memory();
    let uris: Vec<String> = (0..3)
        .map(|n| format!("https://ga.sh.gov.cn/status/shared/{n}"))
        .collect();
    for (n, uri) in uris.iter().enumerate() {
        cache
            .store(&token_for(uri, T0, &[(n as u64, 1)]), &trust)
            .unwrap();
    }
    std::thread::scope(|scope| {
        for t in 0..8u64 {
            let (cache, trust, uris) = (cache.clone(), &trust, &uris);
            scope.spawn(move || {
                for i in 0..200u64 {
                    let n = ((i + t) % 3) as usize;
                    let idx = i % 5;
                    let status = StatusRef {
                        idx,
                        uri: uris[n].clone(),
                    };
                    let got =
                        check_status(&status, PSB, &cache, trust, NOW, SKEW, Default::default());
                    assert_eq!(
                        got.is_err(),
                        idx == n as u64,
                        "thread {t}, list {n}, index {idx}"
                    );
                }
            });
        }
    });
    let loads = cache.memo().loads();
    assert!((3..=24).contains(&loads), "{loads} loads for 3 lists");
}

/// The FFI's verifier handle: scans against one list verify and inflate it once, and a newer
/// list handed to it is used from the next scan on.
#[test]
fn the_verifier_device_loads_each_list_once() {
    let mut v = Verifier::new(
        &signed_list(&builder(1)),
        &root().verifying_key(),
        NOW,
        VerifierConfig::default(),
    )
    .unwrap();
    let code = |idx: u64, seed: u64| {
        let status = Some(StatusRef {
            idx,
            uri: URI.into(),
        });
        let c = credential("resident-id", PSB, &psb_key(), T0, status);
        let kb = offline_key_binding(NOW, &mut rng(seed));
        let shown = wallet_core::holder::present(&c, &[], Some(&kb), &holder()).unwrap();
        transport::encode(&shown).unwrap()
    };
    v.add_status_list(&token(T0, &[(3, 1)])).unwrap();
    for seed in 0..20u64 {
        let idx = seed % 5;
        let got = v.verify(&code(idx, 100 + seed), NOW);
        match got {
            Ok(report) => {
                assert_ne!(idx, 3);
                assert_eq!(report.status.unwrap().value, Some(StatusValue::VALID));
            }
            Err(e) => {
                assert_eq!(idx, 3);
                assert_eq!(e.code(), "status.revoked");
            }
        }
    }
    assert_eq!(v.status_memo().loads(), 1);
    v.add_status_list(&token(T0 + 60, &[(3, 1), (4, 1)]))
        .unwrap();
    assert_eq!(
        v.verify(&code(4, 200), NOW).unwrap_err().code(),
        "status.revoked"
    );
    assert!(v.verify(&code(0, 201), NOW).is_ok());
    assert_eq!(v.status_memo().loads(), 2);
}
