//! Project Wycheproof (issue 17, point 9) through our verifiers: `ed25519_test` for Ed25519 and
//! `ecdsa_secp256r1_sha256_p1363_test` for ES256 — P1363 is the fixed-size r‖s form that JWS
//! carries (RFC 7518 §3.4). The vectors come embedded in the `wycheproof` crate (0.7, Apache-2.0),
//! so nothing is fetched at test time.
//!
//! Each case goes the way a token's signature does: the public key is read as a JWK by
//! [`PublicKey::from_jwk`] (which refuses bad points, and small-order Ed25519 keys), a signature
//! that is not 64 bytes is refused (the JWS layer's `jws.base64`), and the rest is checked by
//! [`PublicKey::verify`] (Ed25519 `verify_strict`; ECDSA with r and s in [1, n − 1], high S
//! accepted). Every `valid` case must be accepted and every `invalid` one refused; `acceptable`
//! cases are counted and listed (docs/security.md states their outcome — these two files have
//! none in 0.7.0). For Ed25519 the test also runs ed25519-dalek's lenient `verify` to list the
//! cases where `verify_strict` decides differently.

use serde_json::json;
use wallet_core::b64_encode;
use wallet_core::keys::PublicKey;
use wycheproof::TestResult;

/// Outcome tally of one file.
#[derive(Default)]
struct Tally {
    cases: usize,
    valid_accepted: usize,
    invalid_refused: usize,
    acceptable: Vec<String>,
    wrong: Vec<String>,
}

impl Tally {
    fn record(&mut self, id: usize, comment: &str, result: TestResult, accepted: bool) {
        self.cases += 1;
        match (result, accepted) {
            (TestResult::Valid, true) => self.valid_accepted += 1,
            (TestResult::Invalid, false) => self.invalid_refused += 1,
            (TestResult::Acceptable, _) => self.acceptable.push(format!(
                "tcId {id} ({comment}): {}",
                if accepted { "accepted" } else { "refused" }
            )),
            (_, _) => self.wrong.push(format!(
                "tcId {id} ({comment}): expected {result:?}, {}",
                if accepted { "accepted" } else { "refused" }
            )),
        }
    }

    fn report(&self, name: &str) {
        println!(
            "wycheproof: {name} {} cases ({} valid accepted, {} invalid refused, {} acceptable{}{})",
            self.cases,
            self.valid_accepted,
            self.invalid_refused,
            self.acceptable.len(),
            if self.acceptable.is_empty() { "" } else { ": " },
            self.acceptable.join("; ")
        );
        assert!(
            self.wrong.is_empty(),
            "{name}: {} cases decided against Wycheproof:\n{}",
            self.wrong.len(),
            self.wrong.join("\n")
        );
    }
}

/// Our decision on one signature: key import, then the 64-byte shape, then the check.
fn accepts(key: &Result<PublicKey, String>, msg: &[u8], sig: &[u8]) -> bool {
    let Ok(key) = key else { return false };
    let Ok(sig) = <[u8; 64]>::try_from(sig) else {
        return false;
    };
    key.verify(msg, &sig)
}

#[test]
fn ed25519_test() {
    use wycheproof::eddsa::{TestName, TestSet};
    let set = TestSet::load(TestName::Ed25519).unwrap();
    let mut tally = Tally::default();
    let mut strictness = Vec::new();
    for group in &set.test_groups {
        let pk: &[u8] = &group.key.pk;
        let key =
            PublicKey::from_jwk(&json!({"kty": "OKP", "crv": "Ed25519", "x": b64_encode(pk)}))
                .map_err(|e| e.code().to_owned());
        for test in &group.tests {
            let ours = accepts(&key, &test.msg, &test.sig);
            tally.record(test.tc_id, &test.comment, test.result, ours);
            // What a lenient (RFC 8032 cofactorless, non-strict) verifier would say.
            let lenient = <[u8; 32]>::try_from(pk)
                .ok()
                .and_then(|pk| ed25519_dalek::VerifyingKey::from_bytes(&pk).ok())
                .zip(ed25519_dalek::Signature::from_slice(&test.sig).ok())
                .is_some_and(|(k, s)| {
                    use ed25519_dalek::Verifier as _;
                    k.verify(&test.msg, &s).is_ok()
                });
            if lenient != ours {
                strictness.push(format!(
                    "tcId {} ({}, {:?}): lenient {}, ours {}",
                    test.tc_id,
                    test.comment,
                    test.result,
                    if lenient { "accepts" } else { "refuses" },
                    if ours { "accepts" } else { "refuses" }
                ));
            }
        }
    }
    tally.report("ed25519");
    println!(
        "wycheproof: ed25519 cases where verify_strict differs from a lenient verify: {}{}{}",
        strictness.len(),
        if strictness.is_empty() { "" } else { "\n  " },
        strictness.join("\n  ")
    );
    assert!(tally.cases >= 150, "only {} Ed25519 cases", tally.cases);
}

#[test]
fn ecdsa_p256_sha256_p1363_test() {
    use wycheproof::ecdsa::{TestName, TestSet};
    let set = TestSet::load(TestName::EcdsaSecp256r1Sha256P1363).unwrap();
    let mut tally = Tally::default();
    for group in &set.test_groups {
        assert_eq!(group.hash, wycheproof::HashFunction::Sha2_256);
        // The uncompressed SEC 1 point 04 ‖ x ‖ y, each coordinate 32 bytes.
        let point: &[u8] = &group.key.key;
        assert_eq!((point.len(), point[0]), (65, 4));
        let key = PublicKey::from_jwk(&json!({
            "kty": "EC",
            "crv": "P-256",
            "x": b64_encode(&point[1..33]),
            "y": b64_encode(&point[33..]),
        }))
        .map_err(|e| e.code().to_owned());
        for test in &group.tests {
            let ours = accepts(&key, &test.msg, &test.sig);
            tally.record(test.tc_id, &test.comment, test.result, ours);
        }
    }
    tally.report("ecdsa p256 sha256 p1363");
    assert!(tally.cases >= 250, "only {} P-256 cases", tally.cases);
}
