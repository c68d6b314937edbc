//! Credentials with P-256 (ES256) and SM2 keys beside Ed25519: for every issuer × holder
//! algorithm pair, issue, present with key binding and verify (singly and in one bulk run that
//! mixes the algorithms), and check that each signature's header names its key's algorithm.
//! The QR transport (CW1) either carries the presentation losslessly or refuses it with a typed
//! error; it never panics.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use wallet_core::credential::catalogue;
use wallet_core::holder::{KeyBindingRequest, present};
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::jws::Jws;
use wallet_core::keys::{Algorithm, PrivateKey};
use wallet_core::qr::transport;
use wallet_core::sdjwt::{KbExpectation, SdJwtParts};
use wallet_core::trust::StaticIssuers;
use wallet_core::verifier::{BulkItem, verify_bulk};
use wallet_core::verifier::{KeyBindingPolicy, VerifyPolicy, verify_presentation};

const IAT: i64 = 1_767_225_600;
const ISS: &str = "https://ga.sh.gov.cn/issuer";
const AUD: &str = "https://police.example.cn/checkpoint-7";

fn key(alg: Algorithm, seed: u64) -> PrivateKey {
    PrivateKey::generate(alg, &mut ChaCha20Rng::seed_from_u64(seed)).unwrap()
}

fn policy() -> VerifyPolicy {
    VerifyPolicy {
        now: IAT + 60,
        clock_skew: 30,
        key_binding: KeyBindingPolicy::Required(KbExpectation {
            audience: AUD.into(),
            nonce: Some("n-0S6_WzA2Mj".into()),
            max_age: 300,
        }),
    }
}

/// An issued driving licence presented with 4 of its claims and a KB-JWT.
fn presentation(issuer: &PrivateKey, holder: &PrivateKey) -> String {
    let ty = catalogue::by_name("driving-licence").unwrap();
    let request =
        CredentialRequest::for_type(ty, ISS, &ty.example_claims(), holder.public_key(), IAT)
            .unwrap()
            .without_status();
    let credential =
        issue_credential(&request, issuer, &mut ChaCha20Rng::seed_from_u64(3)).unwrap();
    let disclose: Vec<_> = ty
        .example_claims()
        .keys()
        .take(4)
        .map(|name| name.parse().unwrap())
        .collect();
    let kb = KeyBindingRequest {
        audience: AUD.into(),
        nonce: "n-0S6_WzA2Mj".into(),
        issued_at: IAT + 50,
    };
    present(&credential, &disclose, Some(&kb), holder).unwrap()
}

#[test]
fn every_issuer_and_holder_algorithm_pair_issues_presents_and_verifies() {
    let mut issuers = StaticIssuers::new();
    let mut items = Vec::new();
    let mut transported = 0;
    let mut claims = None;
    for (i, issuer_alg) in Algorithm::ALL.into_iter().enumerate() {
        let issuer = key(issuer_alg, 100 + i as u64);
        issuers.add(ISS, issuer.public_key());
        for (j, holder_alg) in Algorithm::ALL.into_iter().enumerate() {
            let holder = key(holder_alg, 200 + j as u64);
            let shown = presentation(&issuer, &holder);
            let parts = SdJwtParts::split(&shown).unwrap();
            let jwt = Jws::parse(parts.jwt).unwrap();
            assert_eq!(jwt.header()["alg"], issuer_alg.jws_name());
            assert_eq!(jwt.kid(), Some(issuer.thumbprint().as_str()));
            assert_eq!(
                jwt.payload().unwrap()["cnf"]["jwk"],
                holder.public_key().to_jwk()
            );
            let kb = Jws::parse(parts.kb_jwt.unwrap()).unwrap();
            assert_eq!(kb.header()["alg"], holder_alg.jws_name());

            let mut single = StaticIssuers::new();
            single.add(ISS, issuer.public_key());
            let report = verify_presentation(&shown, &single, &policy())
                .unwrap_or_else(|e| panic!("{issuer_alg}/{holder_alg}: {}", e.code()));
            assert_eq!(report.issuer_kid, issuer.thumbprint());
            // The same claims come out whatever the algorithms.
            let shown_claims: Vec<_> = report
                .claims
                .iter()
                .filter(|(k, _)| k.as_str() != "cnf")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            assert_eq!(report.claims["cnf"]["jwk"], holder.public_key().to_jwk());
            match &claims {
                None => claims = Some(shown_claims),
                Some(first) => assert_eq!(first, &shown_claims, "{issuer_alg}/{holder_alg}"),
            }

            // The same presentation under an issuer key of another algorithm (and so another
            // kid) is not accepted.
            let mut wrong = StaticIssuers::new();
            let other = Algorithm::ALL[(i + 1) % 3];
            wrong.add(ISS, key(other, 100 + i as u64).public_key());
            assert!(verify_presentation(&shown, &wrong, &policy()).is_err());

            // CW1 was designed around Ed25519 keys: it carries the presentation losslessly or
            // refuses it with a typed error (no panic). CW2 will carry EC keys compactly.
            match transport::encode(&shown) {
                Ok(payload) => {
                    assert_eq!(transport::decode(&payload).unwrap(), shown);
                    transported += 1;
                    eprintln!(
                        "CW1 payload, {issuer_alg} issuer / {holder_alg} holder: {} characters",
                        payload.len()
                    );
                }
                Err(e) => {
                    assert!(e.code().starts_with("qr."), "{}", e.code());
                    eprintln!("{issuer_alg}/{holder_alg}: CW1 refuses: {}", e.code());
                }
            }
            items.push(BulkItem {
                text: shown,
                policy: policy(),
            });
        }
    }
    assert!(transported >= 1, "at least the Ed25519 pair fits CW1");
    // One bulk run over all nine pairs: Ed25519 signatures go through the batch equation, the
    // others are checked one by one; every one verifies.
    let results = verify_bulk(&items, &issuers, 2);
    assert_eq!(results.len(), 9);
    for (n, result) in results.iter().enumerate() {
        assert!(result.is_ok(), "pair {n}: {:?}", result.as_ref().err());
    }
    // Spoil one EC holder signature: bulk refuses exactly that one.
    let mut spoiled = items.clone();
    let text = &mut spoiled[4].text; // ES256 issuer, ES256 holder
    let last = text.pop().unwrap();
    text.push(if last == 'A' { 'B' } else { 'A' });
    let results = verify_bulk(&spoiled, &issuers, 2);
    for (n, result) in results.iter().enumerate() {
        assert_eq!(result.is_ok(), n != 4, "pair {n}");
    }
}

/// A KB-JWT whose header names another algorithm than the holder key in `cnf.jwk` is refused
/// with `jws.alg_mismatch`, on the single and on the bulk path, beside the untouched control.
#[test]
fn kb_jwt_header_cannot_choose_the_holder_algorithm() {
    use wallet_core::b64_encode;
    let issuer = key(Algorithm::Es256, 1);
    let holder = key(Algorithm::Sm2, 2);
    let shown = presentation(&issuer, &holder);
    let mut issuers = StaticIssuers::new();
    issuers.add(ISS, issuer.public_key());
    verify_presentation(&shown, &issuers, &policy()).unwrap();

    // Re-sign the KB-JWT with the holder's SM2 key under an `ES256` header.
    let parts = SdJwtParts::split(&shown).unwrap();
    let kb = Jws::parse(parts.kb_jwt.unwrap()).unwrap();
    let mut header = kb.header();
    header.insert("alg".into(), "ES256".into());
    let payload = kb.signing_input().split('.').nth(1).unwrap();
    let input = format!(
        "{}.{payload}",
        b64_encode(serde_json::to_vec(&header).unwrap())
    );
    let sig = holder.sign(input.as_bytes()).unwrap();
    let confused = format!("{}{input}.{}", parts.without_kb, b64_encode(sig));
    let err = verify_presentation(&confused, &issuers, &policy()).unwrap_err();
    assert_eq!(err.code(), "jws.alg_mismatch");
    let bulk = verify_bulk(
        &[BulkItem {
            text: confused,
            policy: policy(),
        }],
        &issuers,
        1,
    );
    assert_eq!(bulk[0].as_ref().unwrap_err().code(), "jws.alg_mismatch");
}

/// A trust list signed by an SM2 root, listing an ES256 and an Ed25519 key for one issuer (a
/// migration), and a Token Status List signed with the ES256 key: each verifies under the key of
/// its own algorithm, and credentials from both issuer keys verify through the list.
#[test]
fn trust_list_and_status_list_with_ec_keys() {
    use wallet_core::status::{Bits, StatusList, StatusListClaims, StatusListJwt, StatusValue};
    use wallet_core::trust::{StalePolicy, TrustListBuilder, VerifiedTrustList};
    let root = key(Algorithm::Sm2, 7);
    let es256 = key(Algorithm::Es256, 8);
    let ed25519 = key(Algorithm::EdDsa, 9);
    let ty = catalogue::by_name("driving-licence").unwrap();
    let mut builder = TrustListBuilder::new("cn-sh", 1);
    builder
        .add_issuer(ISS, "上海市公安局", "Shanghai PSB", &[ty.vct.as_str()])
        .unwrap()
        .add_key(ISS, &es256.public_key(), IAT - 86_400, None)
        .unwrap()
        .add_key(ISS, &ed25519.public_key(), IAT - 86_400, None)
        .unwrap();
    let token = builder.sign(IAT - 3_600, IAT + 86_400, &root).unwrap();
    assert_eq!(Jws::parse(&token).unwrap().header()["alg"], "SM2");
    let trust =
        VerifiedTrustList::verify(&token, &root.public_key(), IAT, 30, StalePolicy::Fail).unwrap();
    // The same list under a root of another algorithm: refused before any signature check.
    let wrong_root = key(Algorithm::Es256, 7).public_key();
    assert!(VerifiedTrustList::verify(&token, &wrong_root, IAT, 30, StalePolicy::Fail).is_err());
    for issuer in [&es256, &ed25519] {
        let holder = key(Algorithm::Sm2, 10);
        let shown = presentation(issuer, &holder);
        let report = verify_presentation(&shown, &trust, &policy()).unwrap();
        assert_eq!(report.issuer_kid, issuer.thumbprint());
    }

    let mut list = StatusList::new(Bits::One, 1_024).unwrap();
    list.set(3, StatusValue::INVALID).unwrap();
    let claims = StatusListClaims {
        uri: "https://ga.sh.gov.cn/status/1".into(),
        iss: Some(ISS.into()),
        iat: IAT,
        exp: Some(IAT + 86_400),
        ttl: Some(3_600),
        aggregation_uri: None,
    };
    let signed = wallet_core::status::sign_status_list_token(&claims, &list, &es256).unwrap();
    assert_eq!(Jws::parse(&signed).unwrap().header()["alg"], "ES256");
    let verified = StatusListJwt::parse(&signed)
        .unwrap()
        .verify(&es256.public_key())
        .unwrap();
    assert_eq!(verified.kid, es256.thumbprint());
    assert_eq!(verified.list.get(3).unwrap(), StatusValue::INVALID);
    assert_eq!(verified.list.get(4).unwrap(), StatusValue::VALID);
    let err = StatusListJwt::parse(&signed)
        .unwrap()
        .verify(&ed25519.public_key())
        .unwrap_err();
    assert_eq!(err.code(), "jws.alg_mismatch");
}
