//! Writes the issue 17 interop cases into a directory, in the vector format of
//! interop/README.md: GM-profile credentials (SM2 issuer, `_sd_alg: "sm3"`), ES256 credentials
//! with ES256 key binding, and `sm3` credentials signed with Ed25519 and ES256 keys (which the
//! Python reference must refuse cleanly). Each presentation is verified by wallet-core before it
//! is written, and `expected.claims` is what wallet-core's verifier returned. Keys, salts and
//! times are fixed, so the output is the same on every run.
//!
//! Run: `cargo run -p wallet-core --example gm_interop -- OUTDIR` (used by interop/run.sh).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{Value, json};
use wallet_core::credential::catalogue;
use wallet_core::holder::{KeyBindingRequest, present};
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::keys::{Algorithm, PrivateKey};
use wallet_core::sdjwt::{KbExpectation, SdAlg};
use wallet_core::trust::StaticIssuers;
use wallet_core::verifier::{KeyBindingPolicy, VerifyPolicy, verify_presentation};

const IAT: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
const KB_IAT: i64 = IAT + 30 * 86_400;
const NOW: i64 = KB_IAT + 5;
const ISS: &str = "https://ga.sh.gov.cn/issuer";
const AUD: &str = "https://verifier.example.cn/counter-7";
const NONCE: &str = "n-0S6_WzA2Mj";

/// (file stem, description, issuer algorithm, holder algorithm, `_sd_alg`)
const CASES: &[(&str, &str, Algorithm, Algorithm, SdAlg)] = &[
    (
        "gm-sm2-sm2-sm3",
        "GM profile: SM2 issuer, SM2 holder, _sd_alg sm3 (digests and sd_hash over SM3)",
        Algorithm::Sm2,
        Algorithm::Sm2,
        SdAlg::Sm3,
    ),
    (
        "gm-sm2-es256-sm3",
        "GM profile issuer (SM2, sm3) with a P-256 holder key (phone secure hardware)",
        Algorithm::Sm2,
        Algorithm::Es256,
        SdAlg::Sm3,
    ),
    (
        "es256-es256-sha256",
        "ES256 issuer, ES256 key binding, _sd_alg sha-256",
        Algorithm::Es256,
        Algorithm::Es256,
        SdAlg::Sha256,
    ),
    (
        "sm3-ed25519-ed25519",
        "Ed25519 issuer and holder with _sd_alg sm3 (a peer without SM3 must refuse it)",
        Algorithm::EdDsa,
        Algorithm::EdDsa,
        SdAlg::Sm3,
    ),
    (
        "sm3-es256-es256",
        "ES256 issuer and holder with _sd_alg sm3 (a peer without SM3 must refuse it)",
        Algorithm::Es256,
        Algorithm::Es256,
        SdAlg::Sm3,
    ),
];

fn key(alg: Algorithm, role: u64) -> PrivateKey {
    let seed = 17_000 + role * 10 + Algorithm::ALL.iter().position(|a| *a == alg).unwrap() as u64;
    PrivateKey::generate(alg, &mut ChaCha20Rng::seed_from_u64(seed)).unwrap()
}

fn main() {
    let out = std::env::args().nth(1).expect("usage: gm_interop OUTDIR");
    let out = std::path::Path::new(&out);
    std::fs::create_dir_all(out).unwrap();
    let ty = catalogue::by_name("driving-licence").unwrap();
    let claims = ty.example_claims();
    let disclose: Vec<_> = ["name", "licence_class", "valid_until", "address"]
        .iter()
        .map(|n| n.parse().unwrap())
        .collect();
    for (n, (stem, description, issuer_alg, holder_alg, sd_alg)) in CASES.iter().enumerate() {
        let issuer = key(*issuer_alg, 1);
        let holder = key(*holder_alg, 2);
        let mut request = CredentialRequest::for_type(ty, ISS, &claims, holder.public_key(), IAT)
            .unwrap()
            .without_status();
        request.sd_alg = *sd_alg;
        let issuance =
            issue_credential(&request, &issuer, &mut ChaCha20Rng::seed_from_u64(n as u64)).unwrap();
        let kb = KeyBindingRequest {
            audience: AUD.into(),
            nonce: NONCE.into(),
            issued_at: KB_IAT,
        };
        let presentation = present(&issuance, &disclose, Some(&kb), &holder).unwrap();
        let mut issuers = StaticIssuers::new();
        issuers.add(ISS, issuer.public_key());
        let policy = VerifyPolicy {
            now: NOW,
            clock_skew: 0,
            key_binding: KeyBindingPolicy::Required(KbExpectation {
                audience: AUD.into(),
                nonce: Some(NONCE.into()),
                max_age: 300,
            }),
        };
        let report = verify_presentation(&presentation, &issuers, &policy)
            .unwrap_or_else(|e| panic!("{stem}: wallet-core refuses its own case: {}", e.code()));
        let vector = json!({
            "description": description,
            "type": "interop-gm",
            "issuer_iss": ISS,
            "issuer_jwk": issuer.public_key().to_jwk(),
            "holder_jwk": holder.public_key().to_jwk(),
            "sd_alg": sd_alg.name(),
            "issuance": issuance,
            "presentation": presentation,
            "nonce": NONCE,
            "aud": AUD,
            "now": NOW,
            "expected": {"valid": true, "claims": Value::Object(report.claims)},
        });
        let path = out.join(format!("{stem}.json"));
        std::fs::write(&path, serde_json::to_string_pretty(&vector).unwrap() + "\n").unwrap();
        println!("wrote {}", path.display());
    }
}
