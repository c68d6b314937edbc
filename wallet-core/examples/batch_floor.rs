//! The floor under batch issuance (`wallet issue-batch`, scripts/bench-batch.sh): the work no
//! issuer can skip for one credential — decoding and checking the holder's public key, and one
//! Ed25519 signature over a signing input as long as a real driving licence's — done N times on
//! every core, with nothing else. Batch issuance cannot be faster than this on the same machine.
//!
//! Usage: `batch_floor [N] [THREADS]` (release build; defaults 1,000,000 and all cores).

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
use std::time::Instant;
use wallet_core::credential::catalogue;
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::keys::{Signer as _, SigningKey, VerifyingKey};

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let threads: u64 = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |p| p.get() as u64))
        .max(1);

    let issuer = SigningKey::from_seed(&[1; 32]);
    let holder = SigningKey::from_seed(&[2; 32]);
    let ty = catalogue::by_name("driving-licence").unwrap();
    let request = CredentialRequest::for_type(
        ty,
        "https://jtgl.sh.gov.cn/issuer",
        &ty.example_claims(),
        holder.verifying_key(),
        1_767_225_600,
    )
    .unwrap()
    .without_status();
    let credential =
        issue_credential(&request, &issuer, &mut ChaCha20Rng::seed_from_u64(7)).unwrap();
    // The JWS signing input is `header.payload`: everything before the second dot.
    let jwt = credential.split('~').next().unwrap();
    let signing_input = &jwt[..jwt.rfind('.').unwrap()];
    // A few hundred distinct holders, so the key decode is not the same bytes every time.
    let holders: Vec<serde_json::Value> = (0u8..=255)
        .map(|i| SigningKey::from_seed(&[i; 32]).verifying_key().to_jwk())
        .collect();

    let started = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (issuer, holders) = (&issuer, &holders);
            let mine = n / threads + u64::from(t < n % threads);
            scope.spawn(move || {
                let mut message = signing_input.as_bytes().to_vec();
                for i in 0..mine {
                    let jwk = &holders[(i % 256) as usize];
                    black_box(VerifyingKey::from_jwk(black_box(jwk)).unwrap());
                    // One byte varies so no two signatures are over the same message.
                    let last = message.len() - 1;
                    message[last] = b'A' + (i % 26) as u8;
                    black_box(issuer.sign(black_box(&message)).unwrap());
                }
            });
        }
    });
    let secs = started.elapsed().as_secs_f64();
    println!(
        "floor: {n} holder-key decodes + Ed25519 signatures over {} bytes on {threads} threads: {secs:.2} s, {:.0}/s",
        signing_input.len(),
        n as f64 / secs
    );
}
