//! Issue, present and verify the 10-claim driving licence for each issuer × holder key
//! algorithm pair (Ed25519, P-256 `ES256`, SM2), beside the signature floors of each algorithm
//! (one sign, two verifies, as wallet-core makes them). Read with `openssl speed ecdsap256 sm2
//! ed25519` from the same run: `scripts/alg-bench.sh` runs both and prints the ratios the
//! algorithm-agility targets are stated in (docs/performance.md, "Key algorithms").
//! Run: `cargo bench -p wallet-core --bench algorithms`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::time::Duration;
use wallet_core::credential::catalogue;
use wallet_core::holder::{KeyBindingRequest, PreparedCredential, present};
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::keys::{Algorithm, KeySigner as _, PrivateKey};
use wallet_core::sdjwt::{ClaimPath, KbExpectation};
use wallet_core::trust::StaticIssuers;
use wallet_core::verifier::{KeyBindingPolicy, VerifyPolicy, verify_presentation};

const IAT: i64 = 1_767_225_600;
const ISS: &str = "https://jtgl.sh.gov.cn/issuer";

/// The names `openssl speed` and `wallet key generate --alg` use.
fn name(alg: Algorithm) -> String {
    match alg.jws_name() {
        "EdDSA" => "ed25519".into(),
        "ES256" => "p256".into(),
        other => other.to_lowercase(),
    }
}

fn bench(c: &mut Criterion) {
    let ty = catalogue::by_name("driving-licence").unwrap();
    let claims = ty.example_claims();
    let all: Vec<ClaimPath> = ty.claims.iter().map(|c| ClaimPath::top(&c.name)).collect();
    let kb = KeyBindingRequest {
        audience: "urn:wallet:qr:offline".into(),
        nonce: "bench-nonce".into(),
        issued_at: IAT + 10,
    };
    let policy = VerifyPolicy {
        now: IAT + 20,
        clock_skew: 60,
        key_binding: KeyBindingPolicy::Required(KbExpectation {
            audience: "urn:wallet:qr:offline".into(),
            nonce: Some("bench-nonce".into()),
            max_age: 60,
        }),
    };
    let mut rng = ChaCha20Rng::seed_from_u64(17);
    let key = |alg, seed| PrivateKey::generate(alg, &mut ChaCha20Rng::seed_from_u64(seed)).unwrap();

    let mut group = c.benchmark_group("algorithms");
    for issuer_alg in Algorithm::ALL {
        let issuer = key(issuer_alg, 1);
        for holder_alg in Algorithm::ALL {
            let holder = key(holder_alg, 2);
            let pair = format!("{}-{}", name(issuer_alg), name(holder_alg));
            let request = CredentialRequest::for_type(ty, ISS, &claims, holder.public_key(), IAT)
                .unwrap()
                .without_status();
            group.bench_function(format!("issue {pair}"), |b| {
                b.iter(|| issue_credential(black_box(&request), &issuer, &mut rng).unwrap())
            });
            let credential = issue_credential(&request, &issuer, &mut rng).unwrap();
            // Presenting from the credential parsed once, as a wallet that shows it repeatedly
            // does (`present` from the string adds the parse).
            let prepared = PreparedCredential::parse(&credential).unwrap();
            group.bench_function(format!("present {pair}"), |b| {
                b.iter(|| {
                    black_box(&prepared)
                        .present(&all, Some(&kb), &holder)
                        .unwrap()
                })
            });
            let presentation = present(&credential, &all, Some(&kb), &holder).unwrap();
            let mut issuers = StaticIssuers::new();
            issuers.add(ISS, issuer.public_key());
            assert_eq!(
                verify_presentation(&presentation, &issuers, &policy)
                    .unwrap()
                    .disclosed
                    .len(),
                10
            );
            group.bench_function(format!("verify {pair}"), |b| {
                b.iter(|| verify_presentation(black_box(&presentation), &issuers, &policy).unwrap())
            });
        }
    }
    // The floors: what no implementation can skip, as wallet-core makes the calls. A signing
    // input as long as the licence's (about 1,100 bytes).
    let message = vec![b'e'; 1_100];
    for alg in Algorithm::ALL {
        let k = key(alg, 3);
        let public = k.public_key();
        let sig = k.sign_message(&message).unwrap();
        group.bench_function(format!("floor sign {}", name(alg)), |b| {
            b.iter(|| k.sign_message(black_box(&message)).unwrap())
        });
        group.bench_function(format!("floor 2 x verify {}", name(alg)), |b| {
            b.iter(|| {
                assert!(public.verify(black_box(&message), &sig));
                assert!(public.verify(black_box(&message), &sig));
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // 33 functions: short windows keep the whole run near two minutes; medians are what the
    // script reads.
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = bench
}
criterion_main!(benches);
