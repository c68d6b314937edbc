//! Token Status List at Shanghai scale: 24,000,000 credentials in one 1-bit list.
//! Measures build + compress + sign, and revoking one index + recompressing + signing, at 0.1 %,
//! 1 % and 10 % random revocations, and prints the compressed sizes (the issue's targets: each
//! operation ≤ 1 s). Run: `cargo bench -p wallet-core --bench status`.
//!
//! The `status-check` group measures the verifier's side (§8.3): one credential's status checked
//! against a cached 1,000,000- or 16,000,000-entry list (1 % revoked) with `check_status`, from
//! the in-memory and the directory cache, with the memo of decoded lists warm (the list was
//! used before) or cold (cleared before every check: what each check cost before the memo), and
//! a whole `verify_with_trust` of a driving licence, warm and cold. Run only these with
//! `cargo bench -p wallet-core --bench status -- status-check`.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::indexing_slicing
)]

use criterion::{BenchmarkId, Criterion, black_box};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore as _, SeedableRng};
use std::time::{Duration, Instant};
use wallet_core::credential::{StatusRef, catalogue};
use wallet_core::holder::{KeyBindingRequest, present};
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::keys::SigningKey;
use wallet_core::sdjwt::KbExpectation;
use wallet_core::status::{
    Bits, StatusList, StatusListClaims, StatusValue, UnknownStatusPolicy, sign_status_list_token,
    sign_status_list_token_with_level,
};
use wallet_core::trust::{StalePolicy, TrustListBuilder, VerifiedTrustList};
use wallet_core::verifier::{KeyBindingPolicy, TrustPolicy, VerifyPolicy, verify_with_trust};
use wallet_core::verifier::{StatusCache, check_status};

const ENTRIES: u64 = 24_000_000;
const RATES: [(&str, u64); 3] = [("0.1%", 1_000), ("1%", 100), ("10%", 10)];

fn claims() -> StatusListClaims {
    StatusListClaims {
        uri: "https://ga.sh.gov.cn/status/1".into(),
        iss: Some("https://ga.sh.gov.cn".into()),
        iat: 1_767_225_600,
        exp: Some(1_767_225_600 + 86_400),
        ttl: Some(3_600),
        aggregation_uri: None,
    }
}

/// Indices revoked at random: `ENTRIES / per` distinct ones (duplicates drawn are re-drawn).
fn revoked(per: u64, seed: u64) -> Vec<u64> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let mut taken = StatusList::new(Bits::One, ENTRIES).unwrap();
    let mut out = Vec::new();
    while (out.len() as u64) < ENTRIES / per {
        let idx = rng.next_u64() % ENTRIES;
        if taken.get(idx).unwrap() == StatusValue::VALID {
            taken.set(idx, StatusValue::INVALID).unwrap();
            out.push(idx);
        }
    }
    out
}

fn build(indices: &[u64]) -> StatusList {
    let mut list = StatusList::new(Bits::One, ENTRIES).unwrap();
    for &i in indices {
        list.set(i, StatusValue::INVALID).unwrap();
    }
    list
}

/// Prints the compressed `lst` size and the token size per revocation rate and zlib level, with
/// the time of one build + compress + sign.
fn print_sizes(key: &SigningKey) {
    println!(
        "Token Status List, {ENTRIES} entries, 1 bit (raw {} bytes)",
        ENTRIES / 8
    );
    println!("rate   level  zlib bytes  token bytes  build+compress+sign");
    for (name, per) in RATES {
        let indices = revoked(per, 42);
        for level in [6, 9] {
            let start = Instant::now();
            let list = build(&indices);
            let token = sign_status_list_token_with_level(&claims(), &list, level, key).unwrap();
            let took = start.elapsed();
            let zlib = list.compress(level).len();
            println!(
                "{name:<6} {level:>5}  {zlib:>10}  {:>11}  {:>8.1} ms",
                token.len(),
                took.as_secs_f64() * 1e3
            );
        }
    }
}

fn benches(c: &mut Criterion) {
    let key = SigningKey::from_seed(&[3; 32]);
    print_sizes(&key);
    let mut group = c.benchmark_group("status-list-24M-1bit");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    for (name, per) in RATES {
        let indices = revoked(per, 7);
        group.bench_with_input(
            BenchmarkId::new("build+compress+sign", name),
            &indices,
            |b, indices| {
                b.iter(|| {
                    let list = build(black_box(indices));
                    sign_status_list_token(&claims(), &list, &key).unwrap()
                })
            },
        );
        let mut list = build(&indices);
        let mut next = 0u64;
        group.bench_function(BenchmarkId::new("revoke-one+recompress+sign", name), |b| {
            b.iter(|| {
                next = (next + 7_919) % ENTRIES;
                list.set(black_box(next), StatusValue::INVALID).unwrap();
                sign_status_list_token(&claims(), &list, &key).unwrap()
            })
        });
    }
    group.finish();
}

const ISSUER: &str = "https://ga.sh.gov.cn";
const LIST_URI: &str = "https://ga.sh.gov.cn/status/check";
const T0: i64 = 1_767_225_600;

/// A `entries`-entry 1-bit list of `ISSUER` with 1 % of its entries revoked at random (index 0
/// kept valid), signed at T0 for a day.
fn large_token(entries: u64, key: &SigningKey) -> String {
    let mut rng = ChaCha20Rng::seed_from_u64(entries);
    let mut list = StatusList::new(Bits::One, entries).unwrap();
    for _ in 0..entries / 100 {
        let idx = 1 + rng.next_u64() % (entries - 1);
        list.set(idx, StatusValue::INVALID).unwrap();
    }
    let claims = StatusListClaims {
        uri: LIST_URI.into(),
        iss: Some(ISSUER.into()),
        iat: T0,
        exp: Some(T0 + 86_400),
        ttl: Some(3_600),
        aggregation_uri: None,
    };
    sign_status_list_token(&claims, &list, key).unwrap()
}

/// Verifier side: one status check against a large cached list, memo warm and cold.
fn check_benches(c: &mut Criterion) {
    let issuer = SigningKey::from_seed(&[5; 32]);
    let root = SigningKey::from_seed(&[6; 32]);
    let holder = SigningKey::from_seed(&[8; 32]);
    let ty = catalogue::by_name("driving-licence").unwrap();
    let mut builder = TrustListBuilder::new("bench", 1);
    builder
        .add_issuer(ISSUER, "上海市公安局", "Shanghai PSB", &[ty.vct.as_str()])
        .unwrap()
        .add_key(ISSUER, &issuer.verifying_key(), T0 - 86_400, None)
        .unwrap();
    let now = T0 + 600;
    let trust = VerifiedTrustList::verify(
        &builder.sign(T0, T0 + 7 * 86_400, &root).unwrap(),
        &root.verifying_key(),
        now,
        60,
        StalePolicy::Fail,
    )
    .unwrap();
    let status = StatusRef {
        idx: 0,
        uri: LIST_URI.into(),
    };
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("status-check");
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(4));
    for (label, entries) in [("1M", 1_000_000u64), ("16M", 16_000_000)] {
        let token = large_token(entries, &issuer);
        println!("{label}: token {} bytes", token.len());
        let caches = [
            ("memory", StatusCache::in_memory()),
            ("dir", StatusCache::open(dir.path().join(label)).unwrap()),
        ];
        for (backend, cache) in &caches {
            cache.store(&token, &trust).unwrap();
            let check = || {
                check_status(
                    &status,
                    ISSUER,
                    cache,
                    &trust,
                    now,
                    60,
                    UnknownStatusPolicy::Reject,
                )
                .unwrap()
            };
            let name = format!("{label}/{backend}");
            group.bench_function(BenchmarkId::new("check_status, memo cold", &name), |b| {
                b.iter(|| {
                    cache.memo().clear();
                    black_box(check())
                })
            });
            check();
            let loads = cache.memo().loads();
            group.bench_function(BenchmarkId::new("check_status, memo warm", &name), |b| {
                b.iter(|| black_box(check()))
            });
            assert_eq!(cache.memo().loads(), loads, "warm checks do not load");
        }
    }
    // A whole verification of a driving licence against the 16M list, in memory.
    let cache = StatusCache::in_memory();
    cache
        .store(&large_token(16_000_000, &issuer), &trust)
        .unwrap();
    let mut request =
        CredentialRequest::for_type(ty, ISSUER, &ty.example_claims(), holder.verifying_key(), T0)
            .unwrap();
    request.status = Some(status.clone());
    let credential =
        issue_credential(&request, &issuer, &mut ChaCha20Rng::seed_from_u64(9)).unwrap();
    let kb = KeyBindingRequest {
        audience: "https://verifier.example.cn".into(),
        nonce: "n-1".into(),
        issued_at: now,
    };
    let shown = present(&credential, &[], Some(&kb), &holder).unwrap();
    let policy = VerifyPolicy {
        now,
        clock_skew: 60,
        key_binding: KeyBindingPolicy::Required(KbExpectation {
            audience: kb.audience.clone(),
            nonce: Some(kb.nonce.clone()),
            max_age: 300,
        }),
    };
    let rules = TrustPolicy::default();
    let verify = || verify_with_trust(&shown, &trust, &cache, &policy, &rules).unwrap();
    group.bench_function(
        BenchmarkId::new("verify_with_trust, memo cold", "16M/memory"),
        |b| {
            b.iter(|| {
                cache.memo().clear();
                black_box(verify())
            })
        },
    );
    group.bench_function(
        BenchmarkId::new("verify_with_trust, memo warm", "16M/memory"),
        |b| b.iter(|| black_box(verify())),
    );
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    // The issuer-side group below builds 24M-entry lists even when filtered out: skip it when
    // only the verifier-side group is asked for.
    let only_checks = std::env::args()
        .skip(1)
        .any(|a| a.starts_with("status-check"));
    if !only_checks {
        benches(&mut c);
    }
    check_benches(&mut c);
    c.final_summary();
}
