//! Runs issue, present and verify of a 10-claim driving licence in a loop, for profilers
//! (`valgrind --tool=callgrind`, `perf record`). Usage: `profile_verify [issue|prepared|verify|decode|floor|bulk] [N]`;
//! `floor` is ed25519-dalek's own `verify_strict`, twice. `PROFILE_ALG=p256` or `sm2` gives the
//! issuer and the holder keys of that algorithm (default Ed25519; `bulk` and `floor` are Ed25519).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use wallet_core::credential::catalogue;
use wallet_core::holder::{KeyBindingRequest, present};
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::keys::{Algorithm, PrivateKey, SigningKey};
use wallet_core::sdjwt::{ClaimPath, KbExpectation};
use wallet_core::trust::StaticIssuers;
use wallet_core::verifier::{KeyBindingPolicy, VerifyPolicy, verify_presentation};

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_else(|| "verify".into());
    let n: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let key = |seed: u8| -> PrivateKey {
        match std::env::var("PROFILE_ALG").as_deref() {
            Ok("p256") => PrivateKey::generate(
                Algorithm::Es256,
                &mut ChaCha20Rng::seed_from_u64(seed.into()),
            )
            .unwrap(),
            Ok("sm2") => {
                PrivateKey::generate(Algorithm::Sm2, &mut ChaCha20Rng::seed_from_u64(seed.into()))
                    .unwrap()
            }
            _ => SigningKey::from_seed(&[seed; 32]).into(),
        }
    };
    let (issuer, holder) = (key(1), key(2));
    let ty = catalogue::by_name("driving-licence").unwrap();
    let claims = ty.example_claims();
    let iat = 1_767_225_600;
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let request = CredentialRequest::for_type(
        ty,
        "https://jtgl.sh.gov.cn/issuer",
        &claims,
        holder.public_key(),
        iat,
    )
    .unwrap()
    .without_status();
    if mode == "issue" {
        for _ in 0..n {
            let r = CredentialRequest::for_type(
                ty,
                "https://jtgl.sh.gov.cn/issuer",
                &claims,
                holder.public_key(),
                iat,
            )
            .unwrap()
            .without_status();
            std::hint::black_box(issue_credential(&r, &issuer, &mut rng).unwrap());
        }
        return;
    }
    if mode == "prepared" {
        // Issuance from a prepared request, as bench/compare's `issue` target measures it.
        for _ in 0..n {
            std::hint::black_box(issue_credential(&request, &issuer, &mut rng).unwrap());
        }
        return;
    }
    let credential = issue_credential(&request, &issuer, &mut rng).unwrap();
    let all: Vec<ClaimPath> = ty.claims.iter().map(|c| ClaimPath::top(&c.name)).collect();
    let kb = KeyBindingRequest {
        audience: "urn:wallet:qr:offline".into(),
        nonce: "n".into(),
        issued_at: iat + 10,
    };
    let presentation = present(&credential, &all, Some(&kb), &holder).unwrap();
    let mut issuers = StaticIssuers::new();
    issuers.add("https://jtgl.sh.gov.cn/issuer", issuer.public_key());
    let policy = VerifyPolicy {
        now: iat + 20,
        clock_skew: 60,
        key_binding: KeyBindingPolicy::Required(KbExpectation {
            audience: "urn:wallet:qr:offline".into(),
            nonce: Some("n".into()),
            max_age: 60,
        }),
    };
    if mode == "bulk" {
        // 1,024 presentations, each by its own holder, verified in bulk on one thread.
        let items: Vec<wallet_core::verifier::BulkItem> = (0..1024u64)
            .map(|i| {
                let mut seed = [2u8; 32];
                seed[..8].copy_from_slice(&i.to_le_bytes());
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
                wallet_core::verifier::BulkItem {
                    text: present(&credential, &all, Some(&kb), &holder).unwrap(),
                    policy: policy.clone(),
                }
            })
            .collect();
        let mut issuers = StaticIssuers::new();
        issuers.add("https://jtgl.sh.gov.cn/issuer", issuer.public_key());
        for _ in 0..n.div_ceil(1024) {
            let results = wallet_core::verifier::verify_bulk(&items, &issuers, 1);
            assert!(results.iter().all(Result::is_ok));
        }
        return;
    }
    if mode == "decode" {
        // The QR step alone: decoding the offline payload of the same presentation.
        let payload = wallet_core::qr::transport::encode(&presentation).unwrap();
        for _ in 0..n {
            std::hint::black_box(
                wallet_core::qr::transport::decode(std::hint::black_box(&payload)).unwrap(),
            );
        }
        return;
    }
    if mode == "floor" {
        let (without_kb, kb_jwt) = presentation.rsplit_once('~').unwrap();
        let jwt = wallet_core::jws::Jws::parse(without_kb.split('~').next().unwrap()).unwrap();
        let kb = wallet_core::jws::Jws::parse(kb_jwt).unwrap();
        // ed25519-dalek's own verify_strict, the floor's definition.
        let dalek = |k: wallet_core::keys::VerifyingKey| {
            ed25519_dalek::VerifyingKey::from_bytes(k.as_bytes()).unwrap()
        };
        let ed = |k: &PrivateKey| *k.public_key().as_ed25519().expect("floor: Ed25519 keys");
        let (ik, hk) = (dalek(ed(&issuer)), dalek(ed(&holder)));
        let jsig = ed25519_dalek::Signature::from_bytes(jwt.signature());
        let ksig = ed25519_dalek::Signature::from_bytes(kb.signature());
        for _ in 0..n {
            assert!(
                ik.verify_strict(jwt.signing_input().as_bytes(), &jsig)
                    .is_ok()
            );
            assert!(
                hk.verify_strict(kb.signing_input().as_bytes(), &ksig)
                    .is_ok()
            );
        }
        return;
    }
    for _ in 0..n {
        std::hint::black_box(
            verify_presentation(std::hint::black_box(&presentation), &issuers, &policy).unwrap(),
        );
    }
}
