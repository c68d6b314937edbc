//! The GM profile (issue 17 point 4): SM2 issuer signatures plus SM3 disclosure digests
//! (`_sd_alg: "sm3"`), with the holder's KB-JWT `sd_hash` over SM3 too. A GM-profile credential
//! issues, presents with key binding and verifies; its digests and `sd_hash` are SM3 (recomputed
//! here independently of the library's SD-JWT code); tampering with a disclosure or hashing
//! `sd_hash` with the wrong algorithm is refused; `sm3` works with any key algorithm; an
//! unknown `_sd_alg` stays `sdjwt.unsupported_sd_alg`.

// Tests report failures by panicking.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{Value, json};
use sm3::Digest as _;
use wallet_core::b64_encode;
use wallet_core::credential::catalogue;
use wallet_core::holder::{KeyBindingRequest, present};
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::jws::Jws;
use wallet_core::keys::{Algorithm, PrivateKey};
use wallet_core::qr::transport;
use wallet_core::sdjwt::{
    Disclosure, KbExpectation, SdAlg, SdJwtParts, create_kb_jwt, create_kb_jwt_with, process,
};
use wallet_core::trust::StaticIssuers;
use wallet_core::verifier::{KeyBindingPolicy, VerifyPolicy, verify_presentation};

const IAT: i64 = 1_767_225_600;
const ISS: &str = "https://ga.sh.gov.cn/issuer";
const AUD: &str = "https://police.example.cn/checkpoint-7";
const NONCE: &str = "n-0S6_WzA2Mj";

fn key(alg: Algorithm, seed: u64) -> PrivateKey {
    PrivateKey::generate(alg, &mut ChaCha20Rng::seed_from_u64(seed)).unwrap()
}

fn sm3_b64(text: &str) -> String {
    b64_encode(sm3::Sm3::digest(text.as_bytes()))
}

fn policy() -> VerifyPolicy {
    VerifyPolicy {
        now: IAT + 60,
        clock_skew: 30,
        key_binding: KeyBindingPolicy::Required(KbExpectation {
            audience: AUD.into(),
            nonce: Some(NONCE.into()),
            max_age: 300,
        }),
    }
}

fn kb() -> KeyBindingRequest {
    KeyBindingRequest {
        audience: AUD.into(),
        nonce: NONCE.into(),
        issued_at: IAT + 50,
    }
}

/// A driving licence issued with `sd_alg`, and the names of the 4 claims presented.
fn credential(issuer: &PrivateKey, holder: &PrivateKey, sd_alg: SdAlg) -> (String, Vec<String>) {
    let ty = catalogue::by_name("driving-licence").unwrap();
    let mut request =
        CredentialRequest::for_type(ty, ISS, &ty.example_claims(), holder.public_key(), IAT)
            .unwrap()
            .without_status();
    request.sd_alg = sd_alg;
    let credential =
        issue_credential(&request, issuer, &mut ChaCha20Rng::seed_from_u64(3)).unwrap();
    let names = ty.example_claims().keys().take(4).cloned().collect();
    (credential, names)
}

fn show(credential: &str, names: &[String], holder: &PrivateKey) -> String {
    let paths: Vec<_> = names.iter().map(|n| n.parse().unwrap()).collect();
    present(credential, &paths, Some(&kb()), holder).unwrap()
}

fn issuers(issuer: &PrivateKey) -> StaticIssuers {
    let mut issuers = StaticIssuers::new();
    issuers.add(ISS, issuer.public_key());
    issuers
}

#[test]
fn gm_profile_credential_issues_presents_with_sm3_sd_hash_and_verifies() {
    let issuer = key(Algorithm::Sm2, 1);
    let holder = key(Algorithm::Sm2, 2);
    let ty = catalogue::by_name("driving-licence").unwrap();
    let request =
        CredentialRequest::for_type(ty, ISS, &ty.example_claims(), holder.public_key(), IAT)
            .unwrap()
            .without_status()
            .gm_profile();
    assert_eq!(request.sd_alg, SdAlg::Sm3);
    let issued = issue_credential(&request, &issuer, &mut ChaCha20Rng::seed_from_u64(3)).unwrap();
    let names: Vec<String> = ty.example_claims().keys().take(4).cloned().collect();
    let shown = show(&issued, &names, &holder);

    let parts = SdJwtParts::split(&shown).unwrap();
    let jwt = Jws::parse(parts.jwt).unwrap();
    assert_eq!(jwt.header()["alg"], "SM2");
    let payload = jwt.payload().unwrap();
    assert_eq!(payload["_sd_alg"], "sm3");
    // Every presented disclosure is referenced by its SM3 digest (computed here with the `sm3`
    // crate directly), and none by its SHA-256 one.
    let sd: Vec<&str> = payload["_sd"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(parts.disclosures.len(), 4);
    for d in &parts.disclosures {
        assert!(
            sd.contains(&sm3_b64(d).as_str()),
            "SM3 digest of {d} in _sd"
        );
        let sha = Disclosure::parse(d).unwrap();
        assert!(!sd.contains(&sha.digest()));
    }
    // The KB-JWT's sd_hash is SM3 over `<jwt>~<d1>~…~<dn>~`.
    let kb_jwt = Jws::parse(parts.kb_jwt.unwrap()).unwrap();
    assert_eq!(kb_jwt.header()["alg"], "SM2");
    assert_eq!(
        kb_jwt.payload().unwrap()["sd_hash"],
        sm3_b64(parts.without_kb)
    );

    let report = verify_presentation(&shown, &issuers(&issuer), &policy()).unwrap();
    for name in &names {
        assert_eq!(report.claims[name], ty.example_claims()[name], "{name}");
    }
    assert!(!report.claims.contains_key("_sd_alg"));
    assert_eq!(report.disclosed.len(), 4);
    assert!(report.key_binding.is_some());
}

/// CW1 knows only SHA-256 digest references: an sm3 presentation (any key pair) round-trips
/// byte for byte, or is refused with a `qr.` code — never decoded into something else.
#[test]
fn cw1_carries_sm3_presentations_losslessly_or_refuses() {
    let mut carried = 0;
    for (i, alg) in Algorithm::ALL.into_iter().enumerate() {
        let issuer = key(alg, 30 + i as u64);
        let holder = key(Algorithm::EdDsa, 40);
        let (issued, names) = credential(&issuer, &holder, SdAlg::Sm3);
        let shown = show(&issued, &names, &holder);
        match transport::encode(&shown) {
            Ok(payload) => {
                assert_eq!(transport::decode(&payload).unwrap(), shown, "{alg}");
                carried += 1;
                eprintln!("CW1, {alg} issuer, sm3: {} characters", payload.len());
            }
            Err(e) => assert!(e.code().starts_with("qr."), "{alg}: {}", e.code()),
        }
    }
    assert!(carried >= 1, "the Ed25519 sm3 presentation fits CW1");
}

/// `sm3` is independent of the signature algorithm: every issuer × holder algorithm pair
/// issues, presents and verifies with SM3 digests (the GM profile is a convenience, not a rule).
#[test]
fn sm3_digests_work_with_every_key_algorithm() {
    for (i, issuer_alg) in Algorithm::ALL.into_iter().enumerate() {
        let issuer = key(issuer_alg, 10 + i as u64);
        for (j, holder_alg) in Algorithm::ALL.into_iter().enumerate() {
            let holder = key(holder_alg, 20 + j as u64);
            let (issued, names) = credential(&issuer, &holder, SdAlg::Sm3);
            let shown = show(&issued, &names, &holder);
            let report = verify_presentation(&shown, &issuers(&issuer), &policy())
                .unwrap_or_else(|e| panic!("{issuer_alg}/{holder_alg}: {}", e.code()));
            assert_eq!(report.disclosed.len(), 4, "{issuer_alg}/{holder_alg}");
        }
    }
}

/// A disclosure replaced by another one (same salt and name, another value) is refused, with and
/// without key binding; the untouched presentation is the positive control.
#[test]
fn tampered_disclosure_of_a_gm_credential_is_refused() {
    let issuer = key(Algorithm::Sm2, 1);
    let holder = key(Algorithm::Sm2, 2);
    let (issued, names) = credential(&issuer, &holder, SdAlg::Sm3);
    let shown = show(&issued, &names, &holder);
    let issuers = issuers(&issuer);
    verify_presentation(&shown, &issuers, &policy()).unwrap();

    let parts = SdJwtParts::split(&shown).unwrap();
    let original = Disclosure::parse_with(parts.disclosures[0], SdAlg::Sm3).unwrap();
    let mut array = vec![json!(original.salt())];
    if let Some(name) = original.name() {
        array.push(json!(name));
    }
    array.push(json!("篡改"));
    let forged = b64_encode(serde_json::to_vec(&Value::Array(array)).unwrap());
    let tampered = shown.replacen(parts.disclosures[0], &forged, 1);
    let err = verify_presentation(&tampered, &issuers, &policy()).unwrap_err();
    assert_eq!(err.code(), "sdjwt.unreferenced_disclosure");

    // Without the KB-JWT (key binding optional), the digest check alone refuses it.
    let lax = VerifyPolicy {
        key_binding: KeyBindingPolicy::IfPresent,
        ..policy()
    };
    let tampered_without_kb = SdJwtParts::split(&tampered).unwrap().without_kb.to_owned();
    let err = verify_presentation(&tampered_without_kb, &issuers, &lax).unwrap_err();
    assert_eq!(err.code(), "sdjwt.unreferenced_disclosure");
    let control = parts.without_kb.to_owned();
    verify_presentation(&control, &issuers, &lax).unwrap();
}

/// A KB-JWT whose `sd_hash` is SHA-256 over an SM3 credential (or SM3 over a SHA-256 one) does
/// not bind the presentation: `sdjwt.kb_sd_hash_mismatch`, beside the correctly hashed control.
#[test]
fn sd_hash_must_use_the_credentials_sd_alg() {
    let issuer = key(Algorithm::Es256, 3);
    let holder = key(Algorithm::Es256, 4);
    for (sd_alg, wrong) in [(SdAlg::Sm3, SdAlg::Sha256), (SdAlg::Sha256, SdAlg::Sm3)] {
        let (issued, names) = credential(&issuer, &holder, sd_alg);
        let shown = show(&issued, &names, &holder);
        let without_kb = SdJwtParts::split(&shown).unwrap().without_kb.to_owned();
        let kb = kb();
        let make = |alg: SdAlg| {
            let kb_jwt = create_kb_jwt_with(
                alg,
                &without_kb,
                &kb.audience,
                &kb.nonce,
                kb.issued_at,
                &holder,
            )
            .unwrap();
            format!("{without_kb}{kb_jwt}")
        };
        verify_presentation(&make(sd_alg), &issuers(&issuer), &policy()).unwrap();
        let err = verify_presentation(&make(wrong), &issuers(&issuer), &policy()).unwrap_err();
        assert_eq!(
            err.code(),
            "sdjwt.kb_sd_hash_mismatch",
            "{sd_alg} credential"
        );
    }
    // `create_kb_jwt` without an algorithm is the sha-256 one.
    let (issued, names) = credential(&issuer, &holder, SdAlg::Sha256);
    let without_kb = SdJwtParts::split(&show(&issued, &names, &holder))
        .unwrap()
        .without_kb
        .to_owned();
    let kb_jwt = create_kb_jwt(&without_kb, AUD, NONCE, IAT + 50, &holder).unwrap();
    verify_presentation(
        &format!("{without_kb}{kb_jwt}"),
        &issuers(&issuer),
        &policy(),
    )
    .unwrap();
}

/// `process` matches digests under the payload's `_sd_alg` even when the caller parsed the
/// disclosures as sha-256, and any `_sd_alg` other than `sha-256`/`sm3` is refused.
#[test]
fn process_follows_the_payload_and_refuses_unknown_names() {
    let issuer = key(Algorithm::EdDsa, 5);
    let holder = key(Algorithm::EdDsa, 6);
    let (issued, _) = credential(&issuer, &holder, SdAlg::Sm3);
    let parts = SdJwtParts::split(&issued).unwrap();
    let payload = Jws::parse(parts.jwt).unwrap().payload().unwrap();
    let as_sha: Vec<_> = parts
        .disclosures
        .iter()
        .map(|d| Disclosure::parse(d).unwrap())
        .collect();
    let as_sm3: Vec<_> = parts
        .disclosures
        .iter()
        .map(|d| Disclosure::parse_with(d, SdAlg::Sm3).unwrap())
        .collect();
    let a = process(payload.clone(), &as_sha).unwrap();
    let b = process(payload.clone(), &as_sm3).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.disclosed.len(), parts.disclosures.len());

    for bad in [
        json!("SM3"),
        json!("sm3 "),
        json!("sha-512"),
        json!(["sm3"]),
    ] {
        let mut p = payload.clone();
        p.insert("_sd_alg".into(), bad.clone());
        assert_eq!(
            process(p, &as_sm3).unwrap_err().code(),
            "sdjwt.unsupported_sd_alg",
            "{bad}"
        );
    }
}
