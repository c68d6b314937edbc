//! Times each stage of issuing and verifying a 10-claim driving licence separately (medians of
//! 15 rounds), to show where the time beyond the two signature checks goes:
//! `cargo run --release -p wallet-core --example profile_stages`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::hint::black_box as bb;
use std::time::Instant;
use wallet_core::credential::{RegisteredClaims, catalogue};
use wallet_core::holder::{KeyBindingRequest, present};
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::jws::Jws;
use wallet_core::keys::SigningKey;
use wallet_core::sdjwt;
use wallet_core::sdjwt::{ClaimPath, Disclosure, SdJwtParts};

fn time(name: &str, n: u32, mut f: impl FnMut()) {
    let mut v = vec![];
    for _ in 0..15 {
        let t = Instant::now();
        for _ in 0..n {
            f();
        }
        v.push(t.elapsed().as_nanos() as f64 / n as f64 / 1000.0);
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!("{name:30} {:8.2} µs", v[7]);
}

fn main() {
    let issuer = SigningKey::from_seed(&[1; 32]);
    let holder = SigningKey::from_seed(&[2; 32]);
    let ty = catalogue::by_name("driving-licence").unwrap();
    let claims = ty.example_claims();
    let iat = 1_767_225_600;
    let mut rng = ChaCha20Rng::seed_from_u64(7);
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
    let all: Vec<ClaimPath> = ty.claims.iter().map(|c| ClaimPath::top(&c.name)).collect();
    let kb = KeyBindingRequest {
        audience: "urn:wallet:qr:offline".into(),
        nonce: "n".into(),
        issued_at: iat + 10,
    };
    let p = present(&credential, &all, Some(&kb), &holder).unwrap();
    println!("presentation {} bytes", p.len());
    let parts = SdJwtParts::split(&p).unwrap();
    let jwt = Jws::parse(parts.jwt).unwrap();
    let payload = jwt.payload().unwrap();
    let ds: Vec<Disclosure> = parts
        .disclosures
        .iter()
        .map(|d| Disclosure::parse(d).unwrap())
        .collect();
    let ik = issuer.verifying_key();
    let hk = holder.verifying_key();
    let kbj = Jws::parse(parts.kb_jwt.unwrap()).unwrap();
    let ik2 = issuer.clone();
    for _ in 0..2 {
        time("sign (raw)", 1000, || {
            bb(wallet_core::keys::Signer::sign(&ik2, bb(jwt.signing_input()).as_bytes()).unwrap());
        });
        time("for_type", 2000, || {
            bb(CredentialRequest::for_type(
                ty,
                "https://jtgl.sh.gov.cn/issuer",
                &claims,
                holder.verifying_key(),
                iat,
            )
            .unwrap()
            .without_status());
        });
        time("issue_credential", 1000, || {
            bb(issue_credential(&request, &issuer, &mut rng).unwrap());
        });
        time("thumbprint issuer", 2000, || {
            bb(wallet_core::keys::Signer::public_key(&ik2).thumbprint());
        });
        time("verify_strict issuer", 500, || {
            assert!(ik.verify_strict(bb(jwt.signing_input()).as_bytes(), jwt.signature()))
        });
        time("verify_strict holder", 500, || {
            assert!(hk.verify_strict(bb(kbj.signing_input()).as_bytes(), kbj.signature()))
        });
        let dik = ed25519_dalek::VerifyingKey::from_bytes(ik.as_bytes()).unwrap();
        let dsig = ed25519_dalek::Signature::from_bytes(jwt.signature());
        time("ed25519-dalek verify_strict issuer", 500, || {
            assert!(
                dik.verify_strict(bb(jwt.signing_input()).as_bytes(), &dsig)
                    .is_ok()
            )
        });
        let mut issuers = wallet_core::trust::StaticIssuers::new();
        issuers.add("https://jtgl.sh.gov.cn/issuer", ik);
        let policy = wallet_core::verifier::VerifyPolicy {
            now: iat + 20,
            clock_skew: 60,
            key_binding: wallet_core::verifier::KeyBindingPolicy::Required(
                wallet_core::sdjwt::KbExpectation {
                    audience: "urn:wallet:qr:offline".into(),
                    nonce: Some("n".into()),
                    max_age: 60,
                },
            ),
        };
        time("verify_presentation total", 500, || {
            bb(wallet_core::verifier::verify_presentation(bb(&p), &issuers, &policy).unwrap());
        });
        time("holder key from_jwk", 2000, || {
            bb(wallet_core::keys::VerifyingKey::from_jwk(bb(&payload["cnf"]["jwk"])).unwrap());
        });
        time("split", 2000, || {
            bb(SdJwtParts::split(bb(&p)).unwrap());
        });
        time("jws parse", 2000, || {
            bb(Jws::parse(bb(parts.jwt)).unwrap());
        });
        time("payload", 2000, || {
            bb(jwt.payload().unwrap());
        });
        time("disclosures", 2000, || {
            bb(parts
                .disclosures
                .iter()
                .map(|d| Disclosure::parse(d).unwrap())
                .collect::<Vec<_>>());
        });
        time("registered", 2000, || {
            bb(RegisteredClaims::from_payload(bb(&payload)).unwrap());
        });
        time("process", 2000, || {
            bb(sdjwt::process(payload.clone(), &ds).unwrap());
        });
        time("payload clone", 2000, || {
            bb(payload.clone());
        });
        time("kb parse+payload", 2000, || {
            let j = Jws::parse(bb(parts.kb_jwt.unwrap())).unwrap();
            bb(j.payload().unwrap());
        });
        time("sd_hash", 2000, || {
            bb(sdjwt::sd_hash(bb(parts.without_kb)));
        });
        time("thumbprint", 2000, || {
            bb(hk.thumbprint());
        });
    }
}
