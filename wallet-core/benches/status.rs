//! Token Status List at Shanghai scale: 24,000,000 credentials in one 1-bit list.
//! Measures build + compress + sign, and revoking one index + recompressing + signing, at 0.1 %,
//! 1 % and 10 % random revocations, and prints the compressed sizes (the targets: each
//! operation ≤ 1 s). Run: `cargo bench -p wallet-core --bench status`.

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
use wallet_core::keys::SigningKey;
use wallet_core::status::{
    Bits, StatusList, StatusListClaims, StatusValue, sign_status_list_token,
    sign_status_list_token_with_level,
};

const ENTRIES: u64 = 24_000_000;
const RATES: [(&str, u64); 3] = [("0.1%", 1_000), ("1%", 100), ("10%", 10)];

fn claims() -> StatusListClaims {
    StatusListClaims {
        uri: "https://ga.sh.gov.cn/status/1".into(),
        iss: Some("https://ga.sh.gov.cn".into()),
        iat: 1_767_225_600,
        exp: Some(1_767_225_600 + 86_400),
        ttl: Some(3_600),
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

fn main() {
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
}
