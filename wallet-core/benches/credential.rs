//! Issue, present and verify a 10-claim driving licence (all 10 claims selectively
//! disclosable; the verifier checks 2 signatures and processes 10 disclosures).
//! Run: `cargo bench -p wallet-core --bench credential`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use wallet_core::credential::catalogue;
use wallet_core::holder::{KeyBindingRequest, present};
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::keys::SigningKey;
use wallet_core::sdjwt::{ClaimPath, KbExpectation};
use wallet_core::trust::StaticIssuers;
use wallet_core::verifier::{KeyBindingPolicy, VerifyPolicy, verify_presentation};

const IAT: i64 = 1_767_225_600;
const ISS: &str = "https://jtgl.sh.gov.cn/issuer";

fn bench(c: &mut Criterion) {
    let issuer = SigningKey::from_seed(&[1; 32]);
    let holder = SigningKey::from_seed(&[2; 32]);
    let ty = catalogue::by_name("driving-licence").unwrap();
    let claims = ty.example_claims();
    let request = CredentialRequest::for_type(ty, ISS, &claims, holder.verifying_key(), IAT)
        .unwrap()
        .without_status();
    assert_eq!(request.disclosable.len(), 10);
    let mut rng = ChaCha20Rng::seed_from_u64(7);

    let mut group = c.benchmark_group("driving-licence-10-claims");
    group.bench_function("issue (signed SD-JWT from a prepared request)", |b| {
        b.iter(|| issue_credential(black_box(&request), &issuer, &mut rng).unwrap())
    });
    group.bench_function("issue (incl. catalogue validation)", |b| {
        b.iter(|| {
            let r = CredentialRequest::for_type(
                ty,
                ISS,
                black_box(&claims),
                holder.verifying_key(),
                IAT,
            )
            .unwrap()
            .without_status();
            issue_credential(&r, &issuer, &mut rng).unwrap()
        })
    });

    let credential = issue_credential(&request, &issuer, &mut rng).unwrap();
    let all: Vec<ClaimPath> = ty.claims.iter().map(|c| ClaimPath::top(&c.name)).collect();
    let kb = KeyBindingRequest {
        audience: "urn:wallet:qr:offline".into(),
        nonce: "bench-nonce".into(),
        issued_at: IAT + 10,
    };
    group.bench_function("present (10 disclosures + KB-JWT)", |b| {
        b.iter(|| present(black_box(&credential), &all, Some(&kb), &holder).unwrap())
    });

    let presentation = present(&credential, &all, Some(&kb), &holder).unwrap();
    let mut issuers = StaticIssuers::new();
    issuers.add(ISS, issuer.verifying_key());
    let policy = VerifyPolicy {
        now: IAT + 20,
        clock_skew: 60,
        key_binding: KeyBindingPolicy::Required(KbExpectation {
            audience: "urn:wallet:qr:offline".into(),
            nonce: Some("bench-nonce".into()),
            max_age: 60,
        }),
    };
    let report = verify_presentation(&presentation, &issuers, &policy).unwrap();
    assert_eq!(report.disclosed.len(), 10);
    group.bench_function("verify (2 signatures, 10 disclosures)", |b| {
        b.iter(|| verify_presentation(black_box(&presentation), &issuers, &policy).unwrap())
    });

    // The QR step: compact transport of the same presentation.
    let payload = wallet_core::qr::transport::encode(&presentation).unwrap();
    group.bench_function("qr payload encode", |b| {
        b.iter(|| wallet_core::qr::transport::encode(black_box(&presentation)).unwrap())
    });
    group.bench_function("qr payload decode", |b| {
        b.iter(|| wallet_core::qr::transport::decode(black_box(&payload)).unwrap())
    });
    group.bench_function("qr payload decode + verify", |b| {
        b.iter(|| {
            let p = wallet_core::qr::transport::decode(black_box(&payload)).unwrap();
            verify_presentation(&p, &issuers, &policy).unwrap()
        })
    });

    // The floor: ed25519-dalek's own `verify_strict`, twice, on the same bytes and on keys
    // decoded beforehand; then the same two checks as wallet-core makes them (the same decision,
    // see keys::VerifyingKey::verify_strict).
    let (without_kb, kb_jwt) = presentation.rsplit_once('~').unwrap();
    let without_kb = format!("{without_kb}~");
    let jwt = wallet_core::jws::Jws::parse(without_kb.split('~').next().unwrap()).unwrap();
    let kb = wallet_core::jws::Jws::parse(kb_jwt).unwrap();
    let (ik, hk) = (issuer.verifying_key(), holder.verifying_key());
    let dalek = |k: &wallet_core::keys::VerifyingKey| {
        ed25519_dalek::VerifyingKey::from_bytes(k.as_bytes()).unwrap()
    };
    let (dik, dhk) = (dalek(&ik), dalek(&hk));
    let (jsig, ksig) = (
        ed25519_dalek::Signature::from_bytes(jwt.signature()),
        ed25519_dalek::Signature::from_bytes(kb.signature()),
    );
    group.bench_function("floor: 2 x ed25519-dalek verify_strict", |b| {
        b.iter(|| {
            assert!(
                dik.verify_strict(jwt.signing_input().as_bytes(), &jsig)
                    .is_ok()
            );
            assert!(
                dhk.verify_strict(kb.signing_input().as_bytes(), &ksig)
                    .is_ok()
            );
        })
    });
    // The issuance floor: one ed25519-dalek signature over the credential's signing input (what
    // no issuer can skip), next to which the issue rows above are read.
    let dalek_issuer = ed25519_dalek::SigningKey::from_bytes(&[1; 32]);
    group.bench_function("issue floor: 1 x ed25519-dalek sign", |b| {
        b.iter(|| {
            ed25519_dalek::Signer::sign(&dalek_issuer, black_box(jwt.signing_input()).as_bytes())
        })
    });
    group.bench_function("2 x keys::VerifyingKey::verify_strict", |b| {
        b.iter(|| {
            assert!(ik.verify_strict(jwt.signing_input().as_bytes(), jwt.signature()));
            assert!(hk.verify_strict(kb.signing_input().as_bytes(), kb.signature()));
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
