//! Times sd-jwt-rs 0.7.1 (openwallet-foundation-labs) on the same 10-claim driving licence as
//! the other peers of bench/compare/run.sh.
//!
//! Usage: `sd_jwt_rs_peer CLAIMS.json [ROUNDS]` (release build).
//!
//! CLAIMS.json is written by wallet-core's compare_bench example: iss, vct, iat, exp, aud, the
//! claims and which of them are selectively disclosable. sd-jwt-rs issues them with an Ed25519
//! issuer key (EdDSA, through jsonwebtoken 9 on ring), decoys on, the holder's JWK in `cnf`; the
//! holder presents every disclosable claim with a KB-JWT (EdDSA) and the verifier checks both
//! signatures, the disclosures, the KB-JWT's typ, aud, nonce and sd_hash, and the credential's
//! exp. Each operation is timed in batches, interleaved over three rounds; the median of the
//! per-call times is printed as one JSON object (microseconds), with the keys the Python and
//! Node peers print.
//!
//! sd-jwt-rs 0.7.1 cannot put header parameters in the issuer-signed JWT (no `typ`, no `kid`:
//! its `extra_header_parameters` is `unimplemented!`), always discloses `iss`, `iat` and `exp`,
//! stamps the KB-JWT's `iat` from the system clock and checks `exp` against the system clock
//! (jsonwebtoken's default validation, 60 s leeway) with no way to pass a time.

use std::hint::black_box;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{DecodingKey, EncodingKey};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use sd_jwt_rs::{
    ClaimsForSelectiveDisclosureStrategy, SDJWTHolder, SDJWTIssuer, SDJWTSerializationFormat,
    SDJWTVerifier,
};
use serde_json::{json, Map, Value};

const ALG: &str = "EdDSA";
const NONCE: &str = "n-0S6_WzA2Mj";
const VERSION: &str = "0.7.1";

/// Median over `rounds` samples of the per-call time of `f`, each sample `per` calls, in µs
/// (after `per` warm-up calls), as compare_bench measures.
fn median_us(rounds: usize, per: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..per {
        f();
    }
    let mut samples: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..per {
                f();
            }
            t.elapsed().as_secs_f64() * 1e6 / per as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// A fresh Ed25519 key: the PKCS#8 document jsonwebtoken signs with, and the public key.
fn ed25519_key() -> (EncodingKey, Vec<u8>) {
    let rng = SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).expect("Ed25519 key generation");
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("generated PKCS#8 reads back");
    (
        EncodingKey::from_ed_der(pkcs8.as_ref()),
        pair.public_key().as_ref().to_vec(),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .expect("usage: sd_jwt_rs_peer CLAIMS.json [ROUNDS]");
    let rounds: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(15);
    let spec: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read the claims file"))
            .expect("the claims file is JSON");
    let aud = spec["aud"].as_str().expect("aud").to_owned();
    let disclosable: Vec<String> = spec["disclosable"]
        .as_array()
        .expect("disclosable")
        .iter()
        .map(|n| n.as_str().expect("claim name").to_owned())
        .collect();

    // sd-jwt-rs's verifier checks exp against the system clock and takes no time parameter; if
    // the claims file's exp has passed, issue with a later one (the timing is unaffected) and
    // say so in the output.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64;
    let mut exp = spec["exp"].as_i64().expect("exp");
    let exp_adjusted = exp <= now;
    if exp_adjusted {
        exp = now + 365 * 86_400;
    }

    let (issuer_key, issuer_public) = ed25519_key();
    let (holder_key, holder_public) = ed25519_key();
    let holder_jwk: Jwk = serde_json::from_value(json!({
        "kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(&holder_public),
    }))
    .expect("holder JWK");
    let issuer_decoding = DecodingKey::from_ed_der(&issuer_public);

    let mut user_claims = Map::new();
    user_claims.insert("iss".into(), spec["iss"].clone());
    user_claims.insert("iat".into(), spec["iat"].clone());
    user_claims.insert("exp".into(), Value::from(exp));
    user_claims.insert("vct".into(), spec["vct"].clone());
    for (name, value) in spec["claims"].as_object().expect("claims") {
        user_claims.insert(name.clone(), value.clone());
    }
    let user_claims = Value::Object(user_claims);
    // Every disclosable claim, as top-level JSONPaths; the rest (vct) stays plain.
    let sd_paths: Vec<String> = disclosable.iter().map(|n| format!("$.{n}")).collect();

    let mut issuer = SDJWTIssuer::new(issuer_key, Some(ALG.to_owned()));
    let mut issue = || {
        issuer
            .issue_sd_jwt(
                user_claims.clone(),
                ClaimsForSelectiveDisclosureStrategy::Custom(
                    sd_paths.iter().map(String::as_str).collect(),
                ),
                Some(holder_jwk.clone()),
                true,
                SDJWTSerializationFormat::Compact,
            )
            .expect("issue")
    };
    let credential = issue();

    let to_disclose: Map<String, Value> = disclosable
        .iter()
        .map(|n| (n.clone(), Value::Bool(true)))
        .collect();
    let present = || {
        SDJWTHolder::new(credential.clone(), SDJWTSerializationFormat::Compact)
            .expect("holder parses the credential")
            .create_presentation(
                to_disclose.clone(),
                Some(NONCE.to_owned()),
                Some(aud.clone()),
                Some(holder_key.clone()),
                Some(ALG.to_owned()),
            )
            .expect("present")
    };
    let presentation = present();

    let verify_with = |text: &str, aud: &str, nonce: &str| {
        let key = issuer_decoding.clone();
        SDJWTVerifier::new(
            text.to_owned(),
            Box::new(move |_iss, _header| key.clone()),
            Some(aud.to_owned()),
            Some(nonce.to_owned()),
            SDJWTSerializationFormat::Compact,
        )
        .map(|v| v.verified_claims)
    };
    let verify = || verify_with(&presentation, &aud, NONCE).expect("verify");

    let claims = verify();
    let missing: Vec<&String> = disclosable
        .iter()
        .filter(|n| claims.get(n.as_str()).is_none())
        .collect();
    assert!(missing.is_empty(), "verified payload lacks {missing:?}");
    // Key binding is really checked: a wrong nonce or audience, or a presentation without its
    // KB-JWT, is refused.
    assert!(verify_with(&presentation, &aud, "another-nonce").is_err());
    assert!(verify_with(&presentation, "https://other.example", NONCE).is_err());
    let (without_kb, _) = presentation.rsplit_once('~').expect("compact presentation");
    assert!(verify_with(&format!("{without_kb}~"), &aud, NONCE).is_err());
    let disclosures = presentation.split('~').count() - 2;

    // Interleaved rounds, so a noisy moment hits every operation alike.
    let mut results: [Vec<f64>; 3] = Default::default();
    for _ in 0..3 {
        results[0].push(median_us(rounds, 20, || {
            black_box(issue());
        }));
        results[1].push(median_us(rounds, 20, || {
            black_box(present());
        }));
        results[2].push(median_us(rounds, 20, || {
            black_box(verify());
        }));
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let out = json!({
        "implementation": format!("sd-jwt-rs {VERSION}"),
        "alg": ALG,
        "key_binding": true,
        "disclosures": disclosures,
        "presentation_bytes": presentation.len(),
        "exp_adjusted": exp_adjusted,
        "issue_us": med(&mut results[0]),
        "present_us": med(&mut results[1]),
        "verify_us": med(&mut results[2]),
    });
    println!("{out}");
}
