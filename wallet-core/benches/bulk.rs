//! Bulk verification throughput (`cargo bench -p wallet-core --bench bulk`): presentations of
//! the 10-claim driving licence, each by its own holder, verified with
//! `wallet_core::verifier::verify_bulk` on 1 and 2 threads, against one presentation at a time.
//! Prints presentations per second for each.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use wallet_core::credential::catalogue;
use wallet_core::holder::{KeyBindingRequest, present};
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::keys::SigningKey;
use wallet_core::sdjwt::{ClaimPath, KbExpectation};
use wallet_core::trust::StaticIssuers;
use wallet_core::verifier::{BulkItem, verify_bulk};
use wallet_core::verifier::{KeyBindingPolicy, VerifyPolicy, verify_presentation};

const N: usize = 1024;

fn bench(c: &mut Criterion) {
    let issuer = SigningKey::from_seed(&[1; 32]);
    let ty = catalogue::by_name("driving-licence").unwrap();
    let claims = ty.example_claims();
    let iat = 1_767_225_600;
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let all: Vec<ClaimPath> = ty.claims.iter().map(|c| ClaimPath::top(&c.name)).collect();
    let policy = VerifyPolicy {
        now: iat + 20,
        clock_skew: 60,
        key_binding: KeyBindingPolicy::Required(KbExpectation {
            audience: "urn:wallet:qr:offline".into(),
            nonce: None,
            max_age: 60,
        }),
    };
    let items: Vec<BulkItem> = (0..N)
        .map(|i| {
            let mut seed = [2u8; 32];
            seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
            let holder = SigningKey::from_seed(&seed);
            let request = CredentialRequest::for_type(
                ty,
                "https://jtgl.sh.gov.cn/issuer",
                &claims,
                holder.verifying_key(),
                iat,
            )
            .unwrap()
            .without_status();
            let credential = issue_credential(&request, &issuer, &mut rng).unwrap();
            let kb = KeyBindingRequest {
                audience: "urn:wallet:qr:offline".into(),
                nonce: format!("n{i}"),
                issued_at: iat + 10,
            };
            BulkItem {
                text: present(&credential, &all, Some(&kb), &holder).unwrap(),
                policy: policy.clone(),
            }
        })
        .collect();
    let mut issuers = StaticIssuers::new();
    issuers.add("https://jtgl.sh.gov.cn/issuer", issuer.verifying_key());
    assert!(
        verify_bulk(&items, &issuers, 2).iter().all(Result::is_ok),
        "every presentation verifies"
    );

    let mut group = c.benchmark_group("bulk-verify-1024-driving-licences");
    group.throughput(Throughput::Elements(N as u64));
    group.sample_size(20);
    group.bench_function("one at a time (verify_presentation), 1 thread", |b| {
        b.iter(|| {
            for item in &items {
                black_box(verify_presentation(&item.text, &issuers, &item.policy).unwrap());
            }
        })
    });
    for threads in [1, 2] {
        group.bench_function(format!("verify_bulk, {threads} thread(s)"), |b| {
            b.iter(|| black_box(verify_bulk(&items, &issuers, threads)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
