//! One signature and one verification per key algorithm (Ed25519, P-256 ES256, SM2/SM3) over a
//! JWS signing input as long as a driving licence's, as medians of repeated timed batches; run by
//! scripts/alg-speed.sh next to `openssl speed` so both come from the same machine and run
//! (docs/performance.md, "Key algorithms"). Also times sm2 0.13's own signing key, which
//! `keys::PrivateKey` does not use (it does not wipe its scalar), for comparison with ours.
//!
//! Usage: `alg_speed [MILLISECONDS-PER-MEASUREMENT]` (release build; default 1500).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss
)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::hint::black_box;
use std::time::{Duration, Instant};
use wallet_core::keys::{Algorithm, PrivateKey, SM2_DISTINGUISHING_ID};

/// Median time of one call, in µs: batches of `per_batch` calls, repeated for `budget`.
fn median_us(budget: Duration, mut f: impl FnMut()) -> f64 {
    // Calibrate a batch to ~10 ms.
    let start = Instant::now();
    let mut calibration = 0u32;
    while start.elapsed() < Duration::from_millis(10) {
        f();
        calibration += 1;
    }
    let per_batch = calibration.max(1);
    let mut samples = Vec::new();
    let start = Instant::now();
    while start.elapsed() < budget || samples.len() < 5 {
        let t = Instant::now();
        for _ in 0..per_batch {
            f();
        }
        samples.push(t.elapsed().as_secs_f64() * 1e6 / f64::from(per_batch));
    }
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let ms: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1500);
    let budget = Duration::from_millis(ms);
    // A signing input of a 10-claim driving licence's length (about 1.1 kB of base64url).
    let message = vec![b'e'; 1_100];
    println!("algorithm  sign_us  verify_us");
    for alg in Algorithm::ALL {
        let key = PrivateKey::generate(alg, &mut ChaCha20Rng::seed_from_u64(1)).unwrap();
        let public = key.public_key();
        let signature = key.sign(&message).unwrap();
        assert!(public.verify(&message, &signature));
        let sign = median_us(budget, || {
            black_box(key.sign(black_box(&message)).unwrap());
        });
        let verify = median_us(budget, || {
            assert!(public.verify(black_box(&message), black_box(&signature)));
        });
        println!("{:<9}  {sign:>7.1}  {verify:>9.1}", alg.jws_name());
    }
    // sm2 0.13's own signing key, for comparison (PrivateKey signs with its own key schedule).
    let jwk: serde_json::Value = serde_json::from_str(
        &PrivateKey::generate(Algorithm::Sm2, &mut ChaCha20Rng::seed_from_u64(1))
            .unwrap()
            .to_jwk_string(),
    )
    .unwrap();
    let d = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        jwk["d"].as_str().unwrap(),
    )
    .unwrap();
    let secret = sm2::SecretKey::from_slice(&d).unwrap();
    let kept = sm2::dsa::SigningKey::new(SM2_DISTINGUISHING_ID, &secret).unwrap();
    let sign = median_us(budget, || {
        let s: sm2::dsa::Signature = sm2::dsa::signature::Signer::sign(&kept, black_box(&message));
        black_box(s);
    });
    println!("SM2-kept   {sign:>7.1}        -");
}
