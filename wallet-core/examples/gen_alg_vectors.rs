//! Writes test-vectors/algorithms/*.json (issue 17, point 8): credentials signed with P-256
//! (`ES256`) and SM2 keys beside Ed25519 — one valid case per issuer × holder algorithm pair
//! (Ed25519 × Ed25519 is test-vectors/credentials/) — and invalid cases that each isolate one
//! algorithm-specific fault: a header `alg` that is not the key's (in each direction), r = 0,
//! s = n, SM2 with (r + s) mod n = 0, SM2 signed under another distinguishing identifier, a
//! DER signature or a truncated one where JOSE's 64-byte r‖s belongs, and issuer or holder
//! public keys that are off the curve, the identity, or have a coordinate of 31 or 33 bytes.
//! Each invalid case names its stable code (docs/errors.md).
//!
//! The format is test-vectors/credentials/'s (test-vectors/README.md). The cases live in their
//! own folder so that the tools built for the Ed25519-only folder (the QR payload vectors, the
//! interop run) keep their inputs until they learn the new algorithms.
//! Run: `cargo run -p wallet-core --example gen_alg_vectors`. The `vectors` test regenerates every
//! valid case byte for byte (ECDSA and SM2 nonces are deterministic) and checks every outcome.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

#[path = "../tests/support/vectors.rs"]
mod vectors;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng as _;
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};
use vectors::{Expected, Policy, Vector};
use wallet_core::keys::{Algorithm, PrivateKey, SigningKey, signature_to_der};

const ISSUED: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
const YEAR: i64 = 365 * 86_400;
const KB_IAT: i64 = ISSUED + 30 * 86_400;
const NOW: i64 = KB_IAT + 5;
const ISS: &str = "https://jtgl.sh.gov.cn/issuer";
const AUD: &str = "https://verifier.example.cn/counter-7";
const NONCE: &str = "n-0S6_WzA2Mj";
const DISCLOSE: [&str; 4] = ["name", "licence_class", "valid_until", "licence_number"];

/// The group orders n (big-endian): P-256 (FIPS 186-4 D.1.2.3) and SM2 (GM/T 0003.5).
const N_P256: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
const N_SM2: &str = "fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123";

fn tag(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::EdDsa => "eddsa",
        Algorithm::Es256 => "es256",
        _ => "sm2",
    }
}

/// A fixed key per role and algorithm. The Ed25519 ones are test-vectors/credentials/'s keys;
/// the EC ones are drawn from a ChaCha20 stream seeded with the label's SHA-256 (the vectors
/// carry the private JWKs, so nothing depends on how the scalar was drawn).
fn key(role: &str, alg: Algorithm) -> PrivateKey {
    let label = format!("wallet test vector {role}");
    let seed: [u8; 32] = Sha256::digest(label.as_bytes()).into();
    match alg {
        Algorithm::EdDsa => SigningKey::from_seed(&seed).into(),
        _ => PrivateKey::generate(alg, &mut ChaCha20Rng::from_seed(seed)).unwrap(),
    }
}
fn private_jwk(k: &PrivateKey) -> Value {
    serde_json::from_str(&k.to_jwk_string()).unwrap()
}
fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}
fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).unwrap()
}
fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// `a − b` for 32-byte big-endian integers with a ≥ b.
fn sub(a: &[u8], b: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = d as u8;
    }
    assert_eq!(borrow, 0);
    out
}

struct Keys {
    issuer: PrivateKey,
    holder: PrivateKey,
}

fn base(description: &str, keys: &Keys, seed: u64) -> Vector {
    let ty = wallet_core::credential::catalogue::by_name("driving-licence").unwrap();
    Vector {
        description: description.into(),
        type_name: Some("driving-licence".into()),
        vct: None,
        issuer_iss: ISS.into(),
        issuer_jwk: keys.issuer.public_key().to_jwk(),
        holder_jwk: keys.holder.public_key().to_jwk(),
        issuer_key: Some(private_jwk(&keys.issuer)),
        holder_key: Some(private_jwk(&keys.holder)),
        claims: Some(ty.example_claims()),
        disclosable: None,
        seed: Some(seed),
        iat: Some(ISSUED),
        exp: Some(ISSUED + YEAR),
        nbf: None,
        status: None,
        sd_alg: None,
        disclose: Some(DISCLOSE.iter().map(|s| (*s).to_owned()).collect()),
        issuance: None,
        presentation: String::new(),
        nonce: Some(NONCE.into()),
        aud: Some(AUD.into()),
        kb_iat: Some(KB_IAT),
        now: NOW,
        policy: Policy::default(),
        expected: Expected {
            valid: true,
            claims: None,
            error: None,
        },
    }
}

fn finish(mut v: Vector) -> Vector {
    let (issuance, presentation) =
        vectors::regenerate(&v).unwrap_or_else(|e| panic!("{}: {e}", v.description));
    v.issuance = Some(issuance);
    v.presentation = presentation;
    let claims = vectors::run(&v).unwrap_or_else(|e| panic!("{}: {e}", v.description));
    v.expected = Expected {
        valid: true,
        claims: Some(claims),
        error: None,
    };
    v
}

fn invalid(from: &Vector, description: &str, presentation: String, error: &str) -> Vector {
    let mut v = from.clone();
    v.description = description.into();
    v.presentation = presentation;
    v.expected = Expected {
        valid: false,
        claims: None,
        error: Some(error.into()),
    };
    v
}

/// A valid case taken apart: issuer JWT, disclosures, and the keys that made it.
struct Case {
    v: Vector,
    jwt: String,
    disclosures: Vec<String>,
    keys: Keys,
}

impl Case {
    fn of(v: &Vector) -> Self {
        let mut pieces: Vec<&str> = v.presentation.split('~').collect();
        pieces.pop();
        Self {
            v: v.clone(),
            jwt: pieces[0].to_owned(),
            disclosures: pieces[1..].iter().map(|s| (*s).to_owned()).collect(),
            keys: Keys {
                issuer: PrivateKey::from_jwk(v.issuer_key.as_ref().unwrap()).unwrap(),
                holder: PrivateKey::from_jwk(v.holder_key.as_ref().unwrap()).unwrap(),
            },
        }
    }

    fn without_kb(&self, jwt: &str) -> String {
        let mut s = jwt.to_owned() + "~";
        for d in &self.disclosures {
            s.push_str(d);
            s.push('~');
        }
        s
    }

    /// The presentation with another issuer JWT and a fresh, valid KB-JWT.
    fn with_jwt(&self, jwt: &str) -> String {
        let without_kb = self.without_kb(jwt);
        let kb =
            wallet_core::sdjwt::create_kb_jwt(&without_kb, AUD, NONCE, KB_IAT, &self.keys.holder)
                .unwrap();
        without_kb + &kb
    }

    /// The issuer JWT with another signature (the signed part unchanged).
    fn jwt_with_signature(&self, signature: &[u8]) -> String {
        format!(
            "{}.{}",
            self.jwt.rsplit_once('.').unwrap().0,
            b64(signature)
        )
    }

    fn signature(&self) -> Vec<u8> {
        unb64(self.jwt.rsplit('.').next().unwrap())
    }

    /// The issuer JWT with header and payload edited and signed again by the issuer's key.
    fn resign(
        &self,
        edit: impl FnOnce(&mut Map<String, Value>, &mut Map<String, Value>),
    ) -> String {
        let segs: Vec<&str> = self.jwt.split('.').collect();
        let mut header: Map<String, Value> = serde_json::from_slice(&unb64(segs[0])).unwrap();
        let mut payload: Map<String, Value> = serde_json::from_slice(&unb64(segs[1])).unwrap();
        edit(&mut header, &mut payload);
        let input = format!(
            "{}.{}",
            b64(serde_json::to_vec(&header).unwrap()),
            b64(serde_json::to_vec(&payload).unwrap())
        );
        let sig = self.keys.issuer.sign(input.as_bytes()).unwrap();
        format!("{input}.{}", b64(sig))
    }

    /// The presentation with a KB-JWT whose header names `alg`, signed by the holder's key.
    fn with_kb_alg(&self, alg: &str) -> String {
        let without_kb = self.without_kb(&self.jwt);
        let header = b64(serde_json::to_vec(&json!({"alg": alg, "typ": "kb+jwt"})).unwrap());
        let sd_hash = b64(Sha256::digest(without_kb.as_bytes()));
        let payload = b64(serde_json::to_vec(
            &json!({"aud": AUD, "iat": KB_IAT, "nonce": NONCE, "sd_hash": sd_hash}),
        )
        .unwrap());
        let input = format!("{header}.{payload}");
        let sig = self.keys.holder.sign(input.as_bytes()).unwrap();
        format!("{without_kb}{input}.{}", b64(sig))
    }
}

/// JWK variants of an EC public key that no verifier may accept, with their codes.
fn bad_ec_jwks(jwk: &Value) -> Vec<(&'static str, &'static str, Value, &'static str)> {
    let x = unb64(jwk["x"].as_str().unwrap());
    let y = unb64(jwk["y"].as_str().unwrap());
    let with = |x: &[u8], y: &[u8]| {
        let mut j = jwk.clone();
        j["x"] = json!(b64(x));
        j["y"] = json!(b64(y));
        j
    };
    let mut y_off = y.clone();
    y_off[31] ^= 1;
    let mut y_33 = vec![0u8];
    y_33.extend_from_slice(&y);
    vec![
        (
            "off-curve",
            "a point off the curve (y changed in its lowest bit)",
            with(&x, &y_off),
            "key.invalid_point",
        ),
        (
            "identity",
            "the identity point, written as the affine pair (0, 0) (no affine point is the identity)",
            with(&[0u8; 32], &[0u8; 32]),
            "key.invalid_point",
        ),
        (
            "x-31-bytes",
            "x of 31 bytes (its first byte dropped)",
            with(&x[1..], &y),
            "key.encoding",
        ),
        (
            "y-33-bytes",
            "y of 33 bytes (a leading zero byte added)",
            with(&x, &y_33),
            "key.encoding",
        ),
    ]
}

fn main() {
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/algorithms");
    std::fs::create_dir_all(&out).unwrap();
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "json") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let mut cases: Vec<(String, Vector)> = Vec::new();

    // --- valid: every issuer × holder pair but Ed25519 × Ed25519 ---
    let mut seed = 500;
    for issuer_alg in Algorithm::ALL {
        for holder_alg in Algorithm::ALL {
            if (issuer_alg, holder_alg) == (Algorithm::EdDsa, Algorithm::EdDsa) {
                continue;
            }
            let keys = Keys {
                issuer: key("issuer", issuer_alg),
                holder: key("holder", holder_alg),
            };
            let v = base(
                &format!(
                    "Driving licence signed with {issuer_alg}, bound to a {holder_alg} holder key \
                     (KB-JWT {holder_alg}); discloses {}",
                    DISCLOSE.join(", ")
                ),
                &keys,
                seed,
            );
            seed += 1;
            let name = format!(
                "valid-{}-issuer-{}-holder",
                tag(issuer_alg),
                tag(holder_alg)
            );
            cases.push((name, finish(v)));
        }
    }
    // --- the GM profile: SM2 signatures (issuer and holder) and SM3 disclosure digests and
    // `sd_hash` (`_sd_alg: "sm3"`) ---
    let keys = Keys {
        issuer: key("issuer", Algorithm::Sm2),
        holder: key("holder", Algorithm::Sm2),
    };
    let mut v = base(
        &format!(
            "GM profile: driving licence signed with SM2, SM3 disclosure digests and sd_hash              (_sd_alg sm3), bound to an SM2 holder key (KB-JWT SM2); discloses {}",
            DISCLOSE.join(", ")
        ),
        &keys,
        seed,
    );
    v.sd_alg = Some("sm3".into());
    cases.push(("valid-gm-sm2-issuer-sm2-holder-sm3".into(), finish(v)));

    let valid = |issuer: Algorithm, holder: Algorithm| {
        let name = format!("valid-{}-issuer-{}-holder", tag(issuer), tag(holder));
        Case::of(&cases.iter().find(|(n, _)| *n == name).unwrap().1)
    };

    let mut bad: Vec<(String, Vector)> = Vec::new();
    let mut add = |name: String, v: Vector| bad.push((format!("invalid-{name}"), v));

    // --- a header alg that is not the issuer key's, in each direction (positive control: the
    // valid case of the same keys, whose header names the key's algorithm) ---
    for (key_alg, holder_alg) in [
        (Algorithm::EdDsa, Algorithm::Es256),
        (Algorithm::Es256, Algorithm::Es256),
        (Algorithm::Sm2, Algorithm::Sm2),
    ] {
        let c = valid(key_alg, holder_alg);
        let names: &[&str] = match key_alg {
            Algorithm::EdDsa => &["ES256", "SM2"],
            Algorithm::Es256 => &["EdDSA", "Ed25519", "SM2"],
            _ => &["EdDSA", "Ed25519", "ES256"],
        };
        for header_alg in names {
            let jwt = c.resign(|h, _| {
                h.insert("alg".into(), json!(header_alg));
            });
            add(
                format!(
                    "{}-key-header-{}",
                    tag(key_alg),
                    header_alg.to_ascii_lowercase()
                ),
                invalid(
                    &c.v,
                    &format!(
                        "issuer JWT signed by the {key_alg} issuer key with header alg {header_alg}"
                    ),
                    c.with_jwt(&jwt),
                    "jws.alg_mismatch",
                ),
            );
        }
    }
    // The same on the holder side: a KB-JWT whose header names another algorithm than cnf.jwk's.
    for (holder_alg, header_alg) in [
        (Algorithm::Es256, "EdDSA"),
        (Algorithm::Sm2, "ES256"),
        (Algorithm::EdDsa, "SM2"),
    ] {
        let issuer_alg = if holder_alg == Algorithm::EdDsa {
            Algorithm::Es256
        } else {
            holder_alg
        };
        let c = valid(issuer_alg, holder_alg);
        add(
            format!(
                "{}-holder-kb-header-{}",
                tag(holder_alg),
                header_alg.to_ascii_lowercase()
            ),
            invalid(
                &c.v,
                &format!(
                    "KB-JWT signed by the {holder_alg} holder key with header alg {header_alg}"
                ),
                c.with_kb_alg(header_alg),
                "jws.alg_mismatch",
            ),
        );
    }

    // --- signature values and encodings, per EC algorithm ---
    for (alg, n) in [(Algorithm::Es256, N_P256), (Algorithm::Sm2, N_SM2)] {
        let t = tag(alg);
        let c = valid(alg, alg);
        let n = hex(n);
        let sig = c.signature();
        assert_eq!(sig.len(), 64);
        let (r, s) = sig.split_at(32);

        let zero_r = [[0u8; 32].as_slice(), s].concat();
        add(
            format!("{t}-r-zero"),
            invalid(
                &c.v,
                "issuer signature with r = 0 (s unchanged)",
                c.with_jwt(&c.jwt_with_signature(&zero_r)),
                "jws.bad_signature",
            ),
        );
        let s_n = [r, n.as_slice()].concat();
        add(
            format!("{t}-s-n"),
            invalid(
                &c.v,
                "issuer signature with s = n, the group order (r unchanged)",
                c.with_jwt(&c.jwt_with_signature(&s_n)),
                "jws.bad_signature",
            ),
        );
        let raw: [u8; 64] = sig.as_slice().try_into().unwrap();
        let der = signature_to_der(&raw);
        add(
            format!("{t}-der-signature"),
            invalid(
                &c.v,
                &format!(
                    "the issuer signature DER-encoded ({} bytes) where JWS carries 64-byte r‖s",
                    der.len()
                ),
                c.with_jwt(&c.jwt_with_signature(&der)),
                "jws.base64",
            ),
        );
        add(
            format!("{t}-truncated-signature"),
            invalid(
                &c.v,
                "the issuer signature truncated to 63 bytes",
                c.with_jwt(&c.jwt_with_signature(&sig[..63])),
                "jws.base64",
            ),
        );

        // Issuer and holder public keys that are not points of the curve.
        for (what, desc, jwk, code) in bad_ec_jwks(&c.v.issuer_jwk) {
            let mut v = invalid(
                &c.v,
                &format!("the verifier's issuer key: {desc}"),
                c.v.presentation.clone(),
                code,
            );
            v.issuer_jwk = jwk;
            add(format!("{t}-issuer-key-{what}"), v);
        }
        for (what, desc, jwk, _) in bad_ec_jwks(&c.v.holder_jwk) {
            let jwt = c.resign(|_, pl| {
                pl["cnf"]["jwk"] = jwk.clone();
            });
            add(
                format!("{t}-holder-key-{what}"),
                invalid(
                    &c.v,
                    &format!("cnf.jwk (signed by the issuer): {desc}"),
                    c.with_jwt(&jwt),
                    "vc.invalid_holder_key",
                ),
            );
        }
    }

    // --- SM2 only ---
    let c = valid(Algorithm::Sm2, Algorithm::Sm2);
    let sig = c.signature();
    let n = hex(N_SM2);
    // r is the genuine one and s = n − r: both lie in [1, n − 1], so the range checks pass and
    // verification reaches GM/T 0003.2 §7.1 step B5, t = (r' + s') mod n = 0, which must refuse.
    let s = sub(&n, &sig[..32]);
    let rs = [&sig[..32], s.as_slice()].concat();
    add(
        "sm2-r-plus-s-zero".into(),
        invalid(
            &c.v,
            "SM2 issuer signature with s = n − r, so (r + s) mod n = 0 (both in [1, n − 1])",
            c.with_jwt(&c.jwt_with_signature(&rs)),
            "jws.bad_signature",
        ),
    );
    // Signed with the same key under another distinguishing ID: the empty one (what OpenSSL uses
    // without `-pkeyopt distid:…`) and GB/T 32918's example ID.
    let d = unb64(c.v.issuer_key.as_ref().unwrap()["d"].as_str().unwrap());
    for (what, id) in [("empty", ""), ("alice", "ALICE123@YAHOO.COM")] {
        let signer = sm2::dsa::SigningKey::from_slice(id, &d).unwrap();
        let input = c.jwt.rsplit_once('.').unwrap().0;
        let other: sm2::dsa::Signature =
            sm2::dsa::signature::Signer::sign(&signer, input.as_bytes());
        // The signature is good under its own ID: only the ID makes it invalid.
        // (The sm2 crate's verifying key carries the ID it was made with.)
        let under_id = signer.verifying_key();
        assert!(sm2::dsa::signature::Verifier::verify(under_id, input.as_bytes(), &other).is_ok());
        add(
            format!("sm2-distid-{what}"),
            invalid(
                &c.v,
                &format!(
                    "SM2 issuer signature made with the distinguishing ID {id:?} instead of \
                     1234567812345678"
                ),
                c.with_jwt(&c.jwt_with_signature(&other.to_bytes())),
                "jws.bad_signature",
            ),
        );
    }

    cases.extend(bad);
    let mut names = std::collections::BTreeSet::new();
    for (name, v) in &cases {
        assert!(names.insert(name.clone()), "duplicate case name {name}");
        if let Err(e) = vectors::check(v) {
            panic!("{name}: {e}");
        }
        let text = serde_json::to_string_pretty(v).unwrap() + "\n";
        std::fs::write(out.join(format!("{name}.json")), text).unwrap();
    }
    let invalid = cases.iter().filter(|(_, v)| !v.expected.valid).count();
    println!(
        "wrote {} cases ({} valid, {invalid} invalid) to {}",
        cases.len(),
        cases.len() - invalid,
        out.display()
    );
}
