//! Bulk verification gives, for every presentation, exactly what a single verification gives:
//! every case in test-vectors/credentials (valid and invalid, also as QR payloads) verified in
//! bulk per issuer, and a thousand fresh presentations with forged, swapped and small-order
//! signatures hidden among them, on one and two threads.

use crate::support::vectors::{Vector, load_dir};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::collections::BTreeMap;
use wallet_core::b64_encode;
use wallet_core::credential::catalogue;
use wallet_core::holder::{KeyBindingRequest, present};
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::keys::{SigningKey, VerifyingKey};
use wallet_core::qr::transport;
use wallet_core::sdjwt::{ClaimPath, KbExpectation};
use wallet_core::trust::StaticIssuers;
use wallet_core::verifier::VerifyError;
use wallet_core::verifier::{BulkItem, verify_bulk};
use wallet_core::verifier::{
    KeyBindingPolicy, VerificationReport, VerifyPolicy, verify_presentation,
};

fn outcome(
    r: &Result<VerificationReport, impl Into<VerifyError> + Clone>,
) -> Result<VerificationReport, String> {
    r.clone().map_err(|e| e.into().code().to_owned())
}

fn policy_of(v: &Vector) -> VerifyPolicy {
    let key_binding = match v.policy.key_binding.as_str() {
        "if_present" => KeyBindingPolicy::IfPresent,
        _ => KeyBindingPolicy::Required(KbExpectation {
            audience: v.aud.clone().unwrap_or_default(),
            nonce: if v.policy.check_nonce {
                v.nonce.clone()
            } else {
                None
            },
            max_age: v.policy.max_age,
        }),
    };
    VerifyPolicy {
        now: v.now,
        clock_skew: v.policy.clock_skew,
        key_binding,
    }
}

#[test]
fn every_vector_gets_the_single_verification_result_in_bulk() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/credentials");
    let cases = load_dir(&dir).unwrap();
    // One resolver per issuer key, as a verifier would have; vectors signed by the same key
    // are verified together.
    let mut groups: BTreeMap<String, Vec<&Vector>> = BTreeMap::new();
    for (_, v) in &cases {
        groups
            .entry(format!("{}|{}", v.issuer_iss, v.issuer_jwk))
            .or_default()
            .push(v);
    }
    let mut compared = 0;
    for vectors in groups.values() {
        let Ok(key) = VerifyingKey::from_jwk(&vectors[0].issuer_jwk) else {
            continue; // the weak-key case: no resolver can hold it
        };
        let mut issuers = StaticIssuers::new();
        issuers.add(&vectors[0].issuer_iss, key);
        let mut items = Vec::new();
        for v in vectors {
            items.push(BulkItem {
                text: v.presentation.clone(),
                policy: policy_of(v),
            });
            if let Ok(qr) = transport::encode(&v.presentation) {
                items.push(BulkItem {
                    text: qr,
                    policy: policy_of(v),
                });
            }
        }
        for threads in [1, 2] {
            let bulk = verify_bulk(&items, &issuers, threads);
            assert_eq!(bulk.len(), items.len());
            for (item, got) in items.iter().zip(&bulk) {
                let text = if transport::is_payload(&item.text) {
                    transport::decode(&item.text).unwrap()
                } else {
                    item.text.clone()
                };
                let want = verify_presentation(&text, &issuers, &item.policy);
                assert_eq!(outcome(got), outcome(&want), "{}", item.text);
                compared += 1;
            }
        }
    }
    println!("bulk vs single: {compared} results compared");
    assert!(compared >= 100, "only {compared} compared");
}

fn tamper_signature(presentation: &str, which: usize, f: impl Fn(&mut [u8; 64])) -> String {
    // which = 0: the issuer JWT's signature; 1: the KB-JWT's.
    let parts: Vec<&str> = presentation.split('~').collect();
    let token = if which == 0 {
        parts[0]
    } else {
        parts[parts.len() - 1]
    };
    let (signed, sig) = token.rsplit_once('.').unwrap();
    let mut bytes: [u8; 64] = base64_decode(sig).try_into().unwrap();
    f(&mut bytes);
    let replaced = format!("{signed}.{}", b64_encode(bytes));
    presentation.replacen(token, &replaced, 1)
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .unwrap()
}

#[test]
fn bad_signatures_among_many_are_found_exactly() {
    let issuer = SigningKey::from_seed(&[9; 32]);
    let ty = catalogue::by_name("driving-licence").unwrap();
    let claims = ty.example_claims();
    let iat = 1_767_225_600;
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let paths: Vec<ClaimPath> = ["name", "licence_class"]
        .iter()
        .map(|n| ClaimPath::top(n))
        .collect();
    let policy = VerifyPolicy {
        now: iat + 20,
        clock_skew: 60,
        key_binding: KeyBindingPolicy::Required(KbExpectation {
            audience: "urn:wallet:qr:offline".into(),
            nonce: None,
            max_age: 60,
        }),
    };
    let mut items = Vec::new();
    for i in 0..300u64 {
        let mut seed = [3u8; 32];
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
        let kb = KeyBindingRequest {
            audience: "urn:wallet:qr:offline".into(),
            nonce: format!("n{i}"),
            issued_at: iat + 10,
        };
        let mut text = present(&credential, &paths, Some(&kb), &holder).unwrap();
        text = match i % 50 {
            7 => tamper_signature(&text, 0, |s| s[40] ^= 1),
            19 => tamper_signature(&text, 1, |s| s[3] ^= 0x80),
            // R replaced by the identity point's encoding (small order): verify_strict
            // refuses it, and so must the batch.
            23 => tamper_signature(&text, 1, |s| {
                s[..32].copy_from_slice(&{
                    let mut r = [0u8; 32];
                    r[0] = 1;
                    r
                })
            }),
            // S not reduced (S + l is another spelling of the same signature).
            31 => tamper_signature(&text, 0, |s| s[63] |= 0xf0),
            _ => text,
        };
        items.push(BulkItem {
            text,
            policy: policy.clone(),
        });
    }
    // Two presentations with their KB-JWTs swapped: each signature is valid on its own
    // message, but no longer for the credential it is attached to.
    let swap_a = items[100].text.clone();
    let swap_b = items[101].text.clone();
    let (a_head, a_kb) = swap_a.rsplit_once('~').unwrap();
    let (b_head, b_kb) = swap_b.rsplit_once('~').unwrap();
    items[100].text = format!("{a_head}~{b_kb}");
    items[101].text = format!("{b_head}~{a_kb}");

    let mut issuers = StaticIssuers::new();
    issuers.add("https://jtgl.sh.gov.cn/issuer", issuer.verifying_key());
    let singles: Vec<_> = items
        .iter()
        .map(|item| outcome(&verify_presentation(&item.text, &issuers, &item.policy)))
        .collect();
    let rejected = singles.iter().filter(|r| r.is_err()).count();
    assert_eq!(
        rejected,
        6 * 4 + 2,
        "the tampered ones, and only those, fail"
    );
    for threads in [1, 2] {
        let bulk: Vec<_> = verify_bulk(&items, &issuers, threads)
            .iter()
            .map(outcome)
            .collect();
        assert_eq!(bulk, singles, "{threads} thread(s)");
    }
    println!(
        "bulk found {rejected} bad presentations among {}",
        items.len()
    );
}
