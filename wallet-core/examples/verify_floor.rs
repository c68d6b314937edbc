//! The floor under `wallet verify-batch` (scripts/bench-batch.sh): for the QR payloads of a
//! verify-batch input file, the work no verifier can skip — the batch equation over each
//! presentation's two Ed25519 signatures (issuer JWT and KB-JWT), keys decoded and signing inputs
//! cut out beforehand — in chunks of `verifier::CHUNK` presentations on every core, as the bulk
//! verifier checks them. `wallet verify-batch` over the same file cannot be faster.
//!
//! Usage: `verify_floor INPUT.jsonl ISSUER_PUBLIC_JWK [ROUNDS]` (lines `{"payload": "CW1:…"}`);
//! prints one line ending in the median rate, presentations per second.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_precision_loss
)]

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use wallet_core::hazmat::keys::verify_batch;
use wallet_core::jws::Jws;
use wallet_core::keys::VerifyingKey;
use wallet_core::qr::transport;
use wallet_core::verifier::CHUNK;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let input = std::fs::read_to_string(&args[1]).expect("input");
    let issuer_jwk: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&args[2]).expect("issuer key")).unwrap();
    let issuer = VerifyingKey::from_jwk(&issuer_jwk).unwrap();
    let rounds: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(5);
    let mut items: Vec<(VerifyingKey, String, [u8; 64])> = Vec::new();
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let presentation = transport::decode(v["payload"].as_str().unwrap()).unwrap();
        let (rest, kb) = presentation.rsplit_once('~').unwrap();
        let jwt = Jws::parse(rest.split('~').next().unwrap()).unwrap();
        let kb = Jws::parse(kb).unwrap();
        let holder = VerifyingKey::from_jwk(&jwt.payload().unwrap()["cnf"]["jwk"]).unwrap();
        items.push((issuer, jwt.signing_input().to_owned(), *jwt.signature()));
        items.push((holder, kb.signing_input().to_owned(), *kb.signature()));
    }
    let n = items.len() / 2;
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
    let mut times: Vec<f64> = (0..rounds)
        .map(|_| {
            let chunks: Vec<&[(VerifyingKey, String, [u8; 64])]> =
                items.chunks(2 * CHUNK).collect();
            let next = AtomicUsize::new(0);
            let started = Instant::now();
            std::thread::scope(|scope| {
                for _ in 0..threads {
                    scope.spawn(|| {
                        while let Some(chunk) = chunks.get(next.fetch_add(1, Ordering::Relaxed)) {
                            let batch: Vec<(&VerifyingKey, &[u8], &[u8; 64])> =
                                chunk.iter().map(|(k, m, s)| (k, m.as_bytes(), s)).collect();
                            assert!(verify_batch(black_box(&batch)));
                        }
                    });
                }
            });
            started.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "verify floor: the batch equation over the {} signatures of {n} presentations on {threads} threads, median of {rounds}: {median:.3} s, {:.0}/s",
        items.len(),
        n as f64 / median
    );
}
