//! Issue 17, points 2 and 3: the verifier's accepted-algorithm policy per role (issuer, holder,
//! trust-list root, Status List Token signer), and trust-list keys that carry their algorithm
//! (`alg` in the JWK) — each refusal asserted by its own code beside a positive control that
//! differs only in the policy or the one member under test. Also an issuer migrating from
//! Ed25519 to SM2 with both keys listed.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{Map, Value};
use wallet_core::credential::catalogue;
use wallet_core::holder::{KeyBindingRequest, present};
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::jws::Jws;
use wallet_core::keys::{AlgSet, Algorithm, AlgorithmPolicy, PrivateKey};
use wallet_core::sdjwt::KbExpectation;
use wallet_core::status::{Bits, StatusList, StatusListClaims, sign_status_list_token};
use wallet_core::trust::{StalePolicy, StaticIssuers, TrustListBuilder, VerifiedTrustList};
use wallet_core::verifier::{
    BulkItem, KeyBindingPolicy, StatusCache, TrustPolicy, Verifier, VerifierConfig, VerifyPolicy,
    verify_bulk_with_trust, verify_presentation, verify_with_trust,
};

const T0: i64 = 1_767_225_600;
const DAY: i64 = 86_400;
const AGENCY: &str = "https://cgs.sh.gov.cn";
const AUD: &str = "https://verifier.example.cn/counter-1";
const NONCE: &str = "nonce-123";

fn key(alg: Algorithm, seed: u64) -> PrivateKey {
    PrivateKey::generate(alg, &mut ChaCha20Rng::seed_from_u64(seed)).unwrap()
}
fn root(alg: Algorithm) -> PrivateKey {
    key(alg, 1)
}
fn ed_issuer() -> PrivateKey {
    key(Algorithm::EdDsa, 10)
}
fn sm2_issuer() -> PrivateKey {
    key(Algorithm::Sm2, 11)
}

fn policy() -> VerifyPolicy {
    VerifyPolicy {
        now: T0 + 60,
        clock_skew: 60,
        key_binding: KeyBindingPolicy::Required(KbExpectation {
            audience: AUD.into(),
            nonce: Some(NONCE.into()),
            max_age: 300,
        }),
    }
}

/// A vehicle licence issued by `issuer` to `holder`, presented with key binding.
fn presentation(issuer: &PrivateKey, holder: &PrivateKey) -> String {
    let t = catalogue::by_name("vehicle-licence").unwrap();
    let request =
        CredentialRequest::for_type(t, AGENCY, &t.example_claims(), holder.public_key(), T0)
            .unwrap()
            .without_status();
    let credential =
        issue_credential(&request, issuer, &mut ChaCha20Rng::seed_from_u64(3)).unwrap();
    let kb = KeyBindingRequest {
        audience: AUD.into(),
        nonce: NONCE.into(),
        issued_at: T0 + 30,
    };
    present(&credential, &[], Some(&kb), holder).unwrap()
}

/// One agency migrating from Ed25519 to SM2: both keys listed.
fn builder() -> TrustListBuilder {
    let mut b = TrustListBuilder::new("cn-sh", 1);
    b.add_issuer(
        AGENCY,
        "上海市公安局交通警察总队车辆管理所",
        "Shanghai Vehicle Administration Office",
        &[&catalogue::by_name("vehicle-licence").unwrap().vct],
    )
    .unwrap()
    .add_key(AGENCY, &ed_issuer().public_key(), T0 - DAY, None)
    .unwrap()
    .add_key(AGENCY, &sm2_issuer().public_key(), T0 - DAY, None)
    .unwrap();
    b
}

fn list(root_key: &PrivateKey) -> String {
    builder().sign(T0, T0 + 7 * DAY, root_key).unwrap()
}

fn trusted(token: &str, root_key: &PrivateKey, algs: AlgorithmPolicy) -> VerifiedTrustList {
    VerifiedTrustList::verify_with(
        token,
        &root_key.public_key(),
        T0 + 60,
        60,
        StalePolicy::Fail,
        algs,
    )
    .unwrap()
}

fn only(alg: Algorithm) -> AlgSet {
    AlgSet::only(alg)
}

fn verify(shown: &str, trust: &VerifiedTrustList) -> Result<(), &'static str> {
    verify_with_trust(
        shown,
        trust,
        &StatusCache::in_memory(),
        &policy(),
        &TrustPolicy::default(),
    )
    .map(|_| ())
    .map_err(|e| e.code())
}

#[test]
fn an_issuer_migrating_to_sm2_has_both_keys_verify() {
    let root_key = root(Algorithm::EdDsa);
    let trust = trusted(&list(&root_key), &root_key, AlgorithmPolicy::default());
    let holder = key(Algorithm::Es256, 20);
    for issuer in [ed_issuer(), sm2_issuer()] {
        let shown = presentation(&issuer, &holder);
        verify(&shown, &trust).unwrap_or_else(|c| panic!("{}: {c}", issuer.algorithm()));
    }
    // The listed JWKs carry their algorithm.
    let payload = Jws::parse(&list(&root_key)).unwrap().payload().unwrap();
    let algs: Vec<_> = payload["issuers"][0]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["jwk"]["alg"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(algs, ["EdDSA", "SM2"]);
}

#[test]
fn a_header_naming_the_other_listed_key_does_not_choose_the_algorithm() {
    let root_key = root(Algorithm::EdDsa);
    let trust = trusted(&list(&root_key), &root_key, AlgorithmPolicy::default());
    let holder = key(Algorithm::EdDsa, 20);
    let shown = presentation(&sm2_issuer(), &holder);
    assert_eq!(verify(&shown, &trust), Ok(()));
    // Re-point the SM2 credential's kid at the agency's Ed25519 key: the Ed25519 key is
    // resolved, and the header's `SM2` does not name its algorithm.
    let repointed = with_header(&shown, |h| {
        h.insert("kid".into(), Value::from(ed_issuer().thumbprint()));
    });
    assert_eq!(verify(&repointed, &trust), Err("jws.alg_mismatch"));
    // Or keep the kid and claim the other algorithm.
    let relabelled = with_header(&shown, |h| {
        h.insert("alg".into(), Value::from("EdDSA"));
    });
    assert_eq!(verify(&relabelled, &trust), Err("jws.alg_mismatch"));
}

/// `presentation` with its issuer JWT's header edited (the signature is left as it was).
fn with_header(presentation: &str, edit: impl FnOnce(&mut Map<String, Value>)) -> String {
    let (jwt, rest) = presentation.split_once('~').unwrap();
    let mut header = Jws::parse(jwt).unwrap().header();
    edit(&mut header);
    let (_, body) = jwt.split_once('.').unwrap();
    format!(
        "{}.{body}~{rest}",
        wallet_core::b64_encode(serde_json::to_vec(&header).unwrap())
    )
}

#[test]
fn issuer_policy_refuses_a_listed_key_of_another_algorithm() {
    let root_key = root(Algorithm::EdDsa);
    let token = list(&root_key);
    let sm2_only = AlgorithmPolicy {
        issuer: only(Algorithm::Sm2),
        ..AlgorithmPolicy::default()
    };
    let trust = trusted(&token, &root_key, sm2_only);
    let holder = key(Algorithm::EdDsa, 20);
    assert_eq!(
        verify(&presentation(&ed_issuer(), &holder), &trust),
        Err("vc.algorithm_not_accepted")
    );
    // Positive control: the same agency's SM2 key under the same policy.
    assert_eq!(
        verify(&presentation(&sm2_issuer(), &holder), &trust),
        Ok(())
    );

    // Without a trust list, the static resolver takes the same policy.
    let mut issuers = StaticIssuers::new();
    issuers.add(AGENCY, ed_issuer().public_key());
    let shown = presentation(&ed_issuer(), &holder);
    assert!(verify_presentation(&shown, &issuers, &policy()).is_ok());
    issuers.accept_algorithms(sm2_only);
    assert_eq!(
        verify_presentation(&shown, &issuers, &policy())
            .unwrap_err()
            .code(),
        "vc.algorithm_not_accepted"
    );
}

#[test]
fn holder_policy_refuses_a_holder_key_of_another_algorithm() {
    let root_key = root(Algorithm::EdDsa);
    let token = list(&root_key);
    let no_p256 = AlgorithmPolicy {
        holder: AlgSet::ALL
            .iter()
            .filter(|a| *a != Algorithm::Es256)
            .collect(),
        ..AlgorithmPolicy::default()
    };
    let trust = trusted(&token, &root_key, no_p256);
    let shown = presentation(&ed_issuer(), &key(Algorithm::Es256, 20));
    assert_eq!(
        verify(&shown, &trust),
        Err("vc.holder_algorithm_not_accepted")
    );
    // Positive controls: the same presentation under the default policy, and an SM2 holder
    // under the restricted one.
    assert_eq!(
        verify(
            &shown,
            &trusted(&token, &root_key, AlgorithmPolicy::default())
        ),
        Ok(())
    );
    let sm2_holder = presentation(&ed_issuer(), &key(Algorithm::Sm2, 21));
    assert_eq!(verify(&sm2_holder, &trust), Ok(()));
}

#[test]
fn bulk_verification_applies_the_lists_policy() {
    let root_key = root(Algorithm::EdDsa);
    let token = list(&root_key);
    let sm2_only = AlgorithmPolicy::uniform(only(Algorithm::Sm2));
    let trust = trusted(
        &token,
        &root_key,
        AlgorithmPolicy {
            trust_list: AlgSet::ALL,
            ..sm2_only
        },
    );
    let items: Vec<_> = [
        presentation(&ed_issuer(), &key(Algorithm::Sm2, 20)),
        presentation(&sm2_issuer(), &key(Algorithm::EdDsa, 21)),
        presentation(&sm2_issuer(), &key(Algorithm::Sm2, 22)),
    ]
    .into_iter()
    .map(|text| BulkItem {
        text,
        policy: policy(),
    })
    .collect();
    let codes: Vec<_> = verify_bulk_with_trust(
        &items,
        &trust,
        &StatusCache::in_memory(),
        &TrustPolicy::default(),
        2,
    )
    .into_iter()
    .map(|r| r.map(|_| ()).map_err(|e| e.code()))
    .collect();
    assert_eq!(
        codes,
        [
            Err("vc.algorithm_not_accepted"),
            Err("vc.holder_algorithm_not_accepted"),
            Ok(())
        ]
    );
}

#[test]
fn trust_list_policy_refuses_a_root_of_another_algorithm() {
    let root_key = root(Algorithm::Sm2);
    let token = list(&root_key);
    let refused = VerifiedTrustList::verify_with(
        &token,
        &root_key.public_key(),
        T0 + 60,
        60,
        StalePolicy::Fail,
        AlgorithmPolicy {
            trust_list: only(Algorithm::EdDsa).with(Algorithm::Es256),
            ..AlgorithmPolicy::default()
        },
    )
    .unwrap_err();
    assert_eq!(refused.code(), "trust.algorithm_not_accepted");
    // Positive control: SM2 roots accepted.
    let accepted = trusted(
        &token,
        &root_key,
        AlgorithmPolicy::uniform(only(Algorithm::Sm2)),
    );
    assert_eq!(accepted.list().issuers.len(), 1);

    // The verifier device takes the policy in its configuration.
    let config = |trust_list| VerifierConfig {
        algorithms: AlgorithmPolicy {
            trust_list,
            ..AlgorithmPolicy::default()
        },
        ..VerifierConfig::default()
    };
    let refused = Verifier::new(
        &token,
        &root_key.public_key(),
        T0,
        config(only(Algorithm::Es256)),
    )
    .unwrap_err();
    assert_eq!(refused.code(), "trust.algorithm_not_accepted");
    assert!(Verifier::new(&token, &root_key.public_key(), T0, config(AlgSet::ALL)).is_ok());
}

#[test]
fn status_list_policy_refuses_a_token_signer_of_another_algorithm() {
    let root_key = root(Algorithm::EdDsa);
    let token = list(&root_key);
    let claims = StatusListClaims {
        uri: "https://cgs.sh.gov.cn/status/1".into(),
        iss: Some(AGENCY.into()),
        iat: T0,
        exp: Some(T0 + DAY),
        ttl: None,
        aggregation_uri: None,
    };
    let statuses = StatusList::new(Bits::One, 1024).unwrap();
    let by_ed = sign_status_list_token(&claims, &statuses, &ed_issuer()).unwrap();
    let by_sm2 = sign_status_list_token(&claims, &statuses, &sm2_issuer()).unwrap();
    let sm2_lists = AlgorithmPolicy {
        status_list: only(Algorithm::Sm2),
        ..AlgorithmPolicy::default()
    };
    let trust = trusted(&token, &root_key, sm2_lists);
    assert_eq!(
        StatusCache::in_memory()
            .store(&by_ed, &trust)
            .unwrap_err()
            .code(),
        "status.algorithm_not_accepted"
    );
    // Positive controls: the SM2-signed token under the policy, the Ed25519 one without it.
    assert!(StatusCache::in_memory().store(&by_sm2, &trust).is_ok());
    let open = trusted(&token, &root_key, AlgorithmPolicy::default());
    assert!(StatusCache::in_memory().store(&by_ed, &open).is_ok());
}

/// The list's payload, edited by `edit`, signed again by `root_key`.
fn edited_list(root_key: &PrivateKey, edit: impl FnOnce(&mut Value)) -> String {
    let token = list(root_key);
    let jws = Jws::parse(&token).unwrap();
    let mut payload = Value::Object(jws.payload().unwrap());
    edit(&mut payload);
    let mut header = Map::new();
    header.insert("typ".into(), Value::from("trustlist+jwt"));
    header.insert("kid".into(), Value::from(root_key.thumbprint()));
    wallet_core::hazmat::jws::sign(header, &payload, root_key).unwrap()
}

fn load(token: &str, root_key: &PrivateKey) -> Result<VerifiedTrustList, &'static str> {
    VerifiedTrustList::verify(
        token,
        &root_key.public_key(),
        T0 + 60,
        60,
        StalePolicy::Fail,
    )
    .map_err(|e| e.code())
}

#[test]
fn a_listed_key_must_carry_its_own_algorithm() {
    let root_key = root(Algorithm::EdDsa);
    // Positive control: re-signing the list unchanged.
    assert!(load(&edited_list(&root_key, |_| {}), &root_key).is_ok());
    // The SM2 key (the second) labelled ES256, or with a name we do not know.
    for wrong in ["ES256", "EdDSA", "ES384", "sm2"] {
        let token = edited_list(&root_key, |p| {
            p["issuers"][0]["keys"][1]["jwk"]["alg"] = Value::from(wrong);
        });
        assert_eq!(
            load(&token, &root_key).unwrap_err(),
            "trust.key_algorithm_mismatch",
            "{wrong}"
        );
    }
    // An EC key must state its algorithm.
    let token = edited_list(&root_key, |p| {
        p["issuers"][0]["keys"][1]["jwk"]
            .as_object_mut()
            .unwrap()
            .remove("alg");
    });
    assert_eq!(load(&token, &root_key).unwrap_err(), "trust.malformed");
    // Lists written before `alg` existed (Ed25519 keys only) stay readable.
    let token = edited_list(&root_key, |p| {
        let keys = p["issuers"][0]["keys"].as_array_mut().unwrap();
        keys.truncate(1);
        keys[0]["jwk"].as_object_mut().unwrap().remove("alg");
    });
    let old = load(&token, &root_key).unwrap();
    assert_eq!(
        old.list().issuers[0].keys[0].key.algorithm(),
        Algorithm::EdDsa
    );
    // RFC 9864's fully specified name is accepted for Ed25519.
    let token = edited_list(&root_key, |p| {
        p["issuers"][0]["keys"][0]["jwk"]["alg"] = Value::from("Ed25519");
    });
    assert!(load(&token, &root_key).is_ok());
}

#[test]
fn alg_sets_parse_and_print_jws_names() {
    assert_eq!(AlgSet::default(), AlgSet::ALL);
    assert_eq!(AlgSet::ALL.to_string(), "EdDSA,ES256,SM2");
    assert_eq!(
        AlgSet::from_names(["SM2", "Ed25519"]).unwrap().to_string(),
        "EdDSA,SM2"
    );
    assert_eq!(AlgSet::from_names(["ES256", "RS256"]), Err("RS256"));
    assert!(AlgSet::from_names([]).unwrap().is_empty());
}
