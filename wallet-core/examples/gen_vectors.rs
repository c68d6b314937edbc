//! Writes test-vectors/credentials/*.json: valid cases (one per credential type, nested and
//! array disclosures, Unicode) generated from fixed keys, seeds and times, and invalid cases
//! built by precise mutations of a valid one. Run: `cargo run -p wallet-core --example gen_vectors`.
//! The `vectors` test regenerates every valid case from its inputs and checks every outcome.

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
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};
use vectors::{Expected, Policy, Vector};
use wallet_core::credential::catalogue;
use wallet_core::keys::{Signer, SigningKey};
use wallet_core::sdjwt::create_kb_jwt;

const ISSUED: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
const YEAR: i64 = 365 * 86_400;
const KB_IAT: i64 = ISSUED + 30 * 86_400;
const NOW: i64 = KB_IAT + 5;
const ISS: &str = "https://jtgl.sh.gov.cn/issuer";
const AUD: &str = "https://verifier.example.cn/counter-7";
const NONCE: &str = "n-0S6_WzA2Mj";

fn key(label: &str) -> SigningKey {
    SigningKey::from_seed(&Sha256::digest(label.as_bytes()).into())
}
fn issuer() -> SigningKey {
    key("wallet test vector issuer")
}
fn holder() -> SigningKey {
    key("wallet test vector holder")
}
fn jwk(k: &SigningKey) -> Value {
    serde_json::from_str(&k.to_jwk_string()).unwrap()
}
fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}
fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).unwrap()
}
fn digest(text: &str) -> String {
    b64(Sha256::digest(text.as_bytes()))
}

fn base(description: &str, type_name: Option<&str>, seed: u64) -> Vector {
    Vector {
        description: description.into(),
        type_name: type_name.map(str::to_owned),
        vct: None,
        issuer_iss: ISS.into(),
        issuer_jwk: issuer().verifying_key().to_jwk(),
        holder_jwk: holder().verifying_key().to_jwk(),
        issuer_key: Some(jwk(&issuer())),
        holder_key: Some(jwk(&holder())),
        claims: type_name.map(|t| catalogue::by_name(t).unwrap().example_claims()),
        disclosable: None,
        seed: Some(seed),
        iat: Some(ISSUED),
        exp: Some(ISSUED + YEAR),
        nbf: None,
        status: None,
        sd_alg: None,
        disclose: Some(vec![]),
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

/// Fills issuance, presentation and expected claims of a valid case.
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

/// An invalid case derived from `from`: a new presentation and the expected error code.
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

struct Parts {
    jwt: String,
    disclosures: Vec<String>,
}

fn parts(presentation: &str) -> Parts {
    let mut pieces: Vec<&str> = presentation.split('~').collect();
    pieces.pop();
    Parts {
        jwt: pieces[0].to_owned(),
        disclosures: pieces[1..].iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn join(jwt: &str, disclosures: &[String]) -> String {
    let mut s = jwt.to_owned() + "~";
    for d in disclosures {
        s.push_str(d);
        s.push('~');
    }
    s
}

/// Appends a KB-JWT with the case's usual parameters.
fn bind(without_kb: &str) -> String {
    bind_with(without_kb, AUD, NONCE, KB_IAT, &holder())
}
fn bind_with(without_kb: &str, aud: &str, nonce: &str, iat: i64, signer: &dyn Signer) -> String {
    without_kb.to_owned() + &create_kb_jwt(without_kb, aud, nonce, iat, signer).unwrap()
}

/// Decodes the issuer JWT, lets `edit` change header and payload, and signs again.
fn resign(
    jwt: &str,
    edit: impl FnOnce(&mut Map<String, Value>, &mut Map<String, Value>),
) -> String {
    let segs: Vec<&str> = jwt.split('.').collect();
    let mut header: Map<String, Value> = serde_json::from_slice(&unb64(segs[0])).unwrap();
    let mut payload: Map<String, Value> = serde_json::from_slice(&unb64(segs[1])).unwrap();
    edit(&mut header, &mut payload);
    let input = format!(
        "{}.{}",
        b64(serde_json::to_vec(&header).unwrap()),
        b64(serde_json::to_vec(&payload).unwrap())
    );
    let sig = Signer::sign(&issuer(), input.as_bytes()).unwrap();
    format!("{input}.{}", b64(sig))
}

/// A raw JWS with exactly these header/payload bytes, signed by the issuer.
fn raw_jws(header: &[u8], payload: &[u8]) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let sig = Signer::sign(&issuer(), input.as_bytes()).unwrap();
    format!("{input}.{}", b64(sig))
}

fn with_jwt(p: &Parts, jwt: &str) -> String {
    bind(&join(jwt, &p.disclosures))
}

fn main() {
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/credentials");
    std::fs::create_dir_all(&out).unwrap();
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "json") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let mut cases: Vec<(String, Vector)> = Vec::new();

    // --- valid: one per catalogue type, disclosing a few claims each ---
    let picks: &[(&str, &[&str])] = &[
        ("resident-id", &["name", "age_over_18", "photo_digest"]),
        (
            "driving-licence",
            &["name", "licence_class", "valid_until", "licence_number"],
        ),
        (
            "vehicle-licence",
            &["plate_number", "owner", "vehicle_type"],
        ),
        (
            "household-register",
            &["name", "relationship_to_head", "address"],
        ),
        (
            "real-estate-title",
            &["certificate_number", "location", "area"],
        ),
        ("social-security-card", &["name", "card_number"]),
        (
            "passport",
            &["surname", "given_names", "passport_number", "age_over_18"],
        ),
        (
            "business-licence",
            &["legal_representative", "registered_capital"],
        ),
    ];
    for (i, (ty, disclose)) in picks.iter().enumerate() {
        let t = catalogue::by_name(ty).unwrap();
        let mut v = base(
            &format!(
                "{} ({}): presentation disclosing {}",
                t.name_en,
                t.name_zh,
                disclose.join(", ")
            ),
            Some(ty),
            100 + i as u64,
        );
        let known: Vec<String> = disclose
            .iter()
            .filter(|c| t.claim(c).is_some_and(|s| s.disclosable()))
            .map(|c| (*c).to_owned())
            .collect();
        v.disclose = Some(known);
        cases.push((format!("valid-{ty}"), finish(v)));
    }
    let base_dl = cases
        .iter()
        .find(|(n, _)| n == "valid-driving-licence")
        .unwrap()
        .1
        .clone();

    let mut v = base(
        "Driving licence: all claims disclosed",
        Some("driving-licence"),
        200,
    );
    v.disclose = Some(
        catalogue::by_name("driving-licence")
            .unwrap()
            .claims
            .iter()
            .map(|c| c.name.to_owned())
            .collect(),
    );
    cases.push(("valid-driving-licence-all-disclosed".into(), finish(v)));

    let mut v = base(
        "Resident ID: nothing disclosed (only plain claims visible)",
        Some("resident-id"),
        201,
    );
    v.disclose = Some(vec![]);
    cases.push(("valid-resident-id-none-disclosed".into(), finish(v)));

    // --- valid: custom claim sets exercising nested objects, arrays and Unicode ---
    let mut v = base(
        "Nested object: address is disclosable and so are its members; street disclosed (brings address)",
        None,
        300,
    );
    v.vct = Some("urn:cn-wallet:test-nested:1".into());
    v.claims = Some(json!({"name": "李四", "address": {"street": "世纪大道100号", "locality": "浦东新区", "region": "上海市", "country": "CN"}}).as_object().unwrap().clone());
    v.disclosable = Some(vec![
        "name".into(),
        "address".into(),
        "address.street".into(),
        "address.locality".into(),
        "address.region".into(),
    ]);
    v.disclose = Some(vec!["address.street".into(), "address.region".into()]);
    cases.push(("valid-nested-object".into(), finish(v)));

    let mut v = base(
        "Array elements: every element of nationalities and licence_classes is disclosable; some disclosed",
        None,
        301,
    );
    v.vct = Some("urn:cn-wallet:test-array:1".into());
    v.claims = Some(json!({"name": "王五", "nationalities": ["CN", "SG", "FR"], "licence_classes": ["C1", "D", "E"]}).as_object().unwrap().clone());
    v.disclosable = Some(vec![
        "nationalities[*]".into(),
        "licence_classes[*]".into(),
        "licence_classes".into(),
    ]);
    v.disclose = Some(vec![
        "nationalities[0]".into(),
        "nationalities[2]".into(),
        "licence_classes[1]".into(),
    ]);
    cases.push(("valid-array-elements".into(), finish(v)));

    let mut v = base(
        "Unicode: Chinese, emoji (non-BMP) and combining characters in disclosed values and names",
        None,
        302,
    );
    v.vct = Some("urn:cn-wallet:test-unicode:1".into());
    v.claims = Some(json!({"name": "张三😀", "nickname": "小张 🚗💨", "note": "e\u{301}𠀀 \"quoted\" \\ back", "城市": "上海"}).as_object().unwrap().clone());
    v.disclosable = Some(vec![
        "name".into(),
        "nickname".into(),
        "note".into(),
        "城市".into(),
    ]);
    v.disclose = Some(vec![
        "name".into(),
        "nickname".into(),
        "note".into(),
        "城市".into(),
    ]);
    cases.push(("valid-unicode".into(), finish(v)));

    let mut v = base(
        "Recursive: a disclosable object whose members are disclosable inside an array element",
        None,
        303,
    );
    v.vct = Some("urn:cn-wallet:test-recursive:1".into());
    v.claims = Some(json!({"vehicles": [{"plate": "沪A12345", "colour": "白"}, {"plate": "沪B54321", "colour": "黑"}]}).as_object().unwrap().clone());
    v.disclosable = Some(vec![
        "vehicles[*]".into(),
        "vehicles[*].plate".into(),
        "vehicles[*].colour".into(),
    ]);
    v.disclose = Some(vec!["vehicles[1].plate".into()]);
    cases.push(("valid-recursive".into(), finish(v)));

    // --- invalid: each a single, precise fault ---
    let b = &base_dl;
    let p = parts(&b.presentation);
    let without_kb = join(&p.jwt, &p.disclosures);
    let mut invalid_cases: Vec<(String, Vector)> = Vec::new();
    let mut add = |name: &str, v: Vector| invalid_cases.push((format!("invalid-{name}"), v));

    // Signature and JOSE header.
    let mut sig = unb64(p.jwt.rsplit('.').next().unwrap());
    sig[5] ^= 0x01;
    let bad_sig = format!("{}.{}", p.jwt.rsplit_once('.').unwrap().0, b64(&sig));
    add(
        "bad-signature",
        invalid(
            b,
            "issuer signature altered in one bit",
            with_jwt(&p, &bad_sig),
            "jws.bad_signature",
        ),
    );
    add(
        "payload-altered",
        invalid(
            b,
            "payload changed (exp extended) without re-signing",
            with_jwt(&p, &{
                let segs: Vec<&str> = p.jwt.split('.').collect();
                let mut payload: Map<String, Value> =
                    serde_json::from_slice(&unb64(segs[1])).unwrap();
                payload.insert("exp".into(), json!(ISSUED + 10 * YEAR));
                format!(
                    "{}.{}.{}",
                    segs[0],
                    b64(serde_json::to_vec(&payload).unwrap()),
                    segs[2]
                )
            }),
            "jws.bad_signature",
        ),
    );
    // Malleated signature: S + L (group order) verifies under plain verify, not verify_strict.
    let mut mal = unb64(p.jwt.rsplit('.').next().unwrap());
    let l: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for i in 0..32 {
        let s = u16::from(mal[32 + i]) + u16::from(l[i]) + carry;
        mal[32 + i] = (s & 0xff) as u8;
        carry = s >> 8;
    }
    let mal_jwt = format!("{}.{}", p.jwt.rsplit_once('.').unwrap().0, b64(&mal));
    add(
        "malleated-signature",
        invalid(
            b,
            "signature with S replaced by S + L (non-canonical scalar)",
            with_jwt(&p, &mal_jwt),
            "jws.bad_signature",
        ),
    );
    add(
        "alg-none",
        invalid(
            b,
            "alg none with an empty signature",
            with_jwt(&p, &{
                let segs: Vec<&str> = p.jwt.split('.').collect();
                format!(
                    "{}.{}.",
                    b64(br#"{"alg":"none","typ":"dc+sd-jwt"}"#),
                    segs[1]
                )
            }),
            "jws.alg_none",
        ),
    );
    add(
        "wrong-alg",
        invalid(
            b,
            "alg ES256 on an Ed25519 signature",
            with_jwt(
                &p,
                &resign(&p.jwt, |h, _| {
                    h.insert("alg".into(), json!("ES256"));
                }),
            ),
            "jws.alg_mismatch",
        ),
    );
    add(
        "alg-hs256",
        invalid(
            b,
            "alg HS256 (algorithm confusion attempt)",
            with_jwt(
                &p,
                &resign(&p.jwt, |h, _| {
                    h.insert("alg".into(), json!("HS256"));
                }),
            ),
            "jws.unsupported_alg",
        ),
    );
    add(
        "crit-header",
        invalid(
            b,
            "crit header with an unknown extension",
            with_jwt(
                &p,
                &resign(&p.jwt, |h, _| {
                    h.insert("crit".into(), json!(["exp"]));
                }),
            ),
            "jws.crit_unsupported",
        ),
    );
    add(
        "wrong-typ",
        invalid(
            b,
            "typ JWT instead of dc+sd-jwt",
            with_jwt(
                &p,
                &resign(&p.jwt, |h, _| {
                    h.insert("typ".into(), json!("JWT"));
                }),
            ),
            "vc.wrong_typ",
        ),
    );
    add(
        "legacy-typ",
        invalid(
            b,
            "legacy typ vc+sd-jwt is not accepted",
            with_jwt(
                &p,
                &resign(&p.jwt, |h, _| {
                    h.insert("typ".into(), json!("vc+sd-jwt"));
                }),
            ),
            "vc.wrong_typ",
        ),
    );
    add(
        "unknown-kid",
        invalid(
            b,
            "kid that is not the issuer's key thumbprint",
            with_jwt(
                &p,
                &resign(&p.jwt, |h, _| {
                    h.insert(
                        "kid".into(),
                        json!("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                    );
                }),
            ),
            "vc.unknown_key",
        ),
    );
    let mut v = invalid(
        b,
        "issuer not known to the verifier",
        b.presentation.clone(),
        "vc.unknown_issuer",
    );
    v.issuer_iss = "https://other-agency.example.cn".into();
    add("unknown-issuer", v);
    let mut v = invalid(
        b,
        "issuer public key is a small-order point (identity)",
        b.presentation.clone(),
        "key.weak_key",
    );
    let mut identity = [0u8; 32];
    identity[0] = 1;
    v.issuer_jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": b64(identity)});
    add("small-order-issuer-key", v);

    // Encoding.
    let segs: Vec<&str> = p.jwt.split('.').collect();
    let payload_bytes = unb64(segs[1]);
    let noncanon = {
        // Flip the unused low bits of the last character so the bytes decode the same.
        let s = segs[1];
        let last = s.chars().last().unwrap();
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let idx = alphabet.find(last).unwrap();
        let unused = match s.len() % 4 {
            2 => 0b1111,
            3 => 0b11,
            _ => 0,
        };
        assert!(unused != 0, "payload length leaves no spare bits");
        let alt = alphabet.chars().nth(idx ^ 1).unwrap();
        format!("{}.{}{}.{}", segs[0], &s[..s.len() - 1], alt, segs[2])
    };
    add(
        "non-canonical-base64url",
        invalid(
            b,
            "issuer JWT payload with non-zero trailing bits (non-canonical base64url)",
            with_jwt(&p, &noncanon),
            "jws.base64",
        ),
    );
    add(
        "padded-base64url",
        invalid(
            b,
            "issuer JWT payload with '=' padding",
            with_jwt(&p, &format!("{}.{}==.{}", segs[0], segs[1], segs[2])),
            "jws.base64",
        ),
    );
    let mut dup = payload_bytes.clone();
    dup.pop();
    dup.extend_from_slice(br#","iss":"https://evil.example"}"#);
    add(
        "duplicate-json-member",
        invalid(
            b,
            "payload with a duplicate iss member (signed)",
            with_jwt(&p, &raw_jws(&unb64(segs[0]), &dup)),
            "jws.payload_json",
        ),
    );

    // Registered claims and time.
    for (name, desc, edit, code) in [
        (
            "missing-cnf",
            "no cnf claim",
            Box::new(|pl: &mut Map<String, Value>| {
                pl.remove("cnf");
            }) as Box<dyn Fn(&mut Map<String, Value>)>,
            "vc.missing_claim",
        ),
        (
            "missing-exp",
            "no exp claim",
            Box::new(|pl: &mut Map<String, Value>| {
                pl.remove("exp");
            }),
            "vc.missing_claim",
        ),
        (
            "missing-vct",
            "no vct claim",
            Box::new(|pl: &mut Map<String, Value>| {
                pl.remove("vct");
            }),
            "vc.missing_claim",
        ),
        (
            "private-key-in-cnf",
            "cnf.jwk carries the private member d",
            Box::new(|pl: &mut Map<String, Value>| {
                pl["cnf"]["jwk"]["d"] = json!(b64([7u8; 32]));
            }),
            "vc.invalid_holder_key",
        ),
        (
            "exp-not-integer",
            "exp given as a string",
            Box::new(|pl: &mut Map<String, Value>| {
                pl.insert("exp".into(), json!("2027-01-01"));
            }),
            "vc.invalid_claim",
        ),
        (
            "sd-alg-sha512",
            "_sd_alg sha-512 is not supported",
            Box::new(|pl: &mut Map<String, Value>| {
                pl.insert("_sd_alg".into(), json!("sha-512"));
            }),
            "sdjwt.unsupported_sd_alg",
        ),
        (
            "sd-not-array",
            "_sd is a string, not an array",
            Box::new(|pl: &mut Map<String, Value>| {
                pl.insert("_sd".into(), json!("abc"));
            }),
            "sdjwt.invalid_digests",
        ),
        (
            "digest-twice",
            "the same digest appears twice in _sd",
            Box::new(|pl: &mut Map<String, Value>| {
                let first = pl["_sd"][0].clone();
                pl["_sd"].as_array_mut().unwrap().push(first);
            }),
            "sdjwt.duplicate_digest",
        ),
        (
            "ellipsis-outside-array",
            "an object member named ... outside an array",
            Box::new(|pl: &mut Map<String, Value>| {
                pl.insert("...".into(), json!("x"));
            }),
            "sdjwt.invalid_digests",
        ),
    ] {
        add(
            name,
            invalid(
                b,
                desc,
                with_jwt(&p, &resign(&p.jwt, |_, pl| edit(pl))),
                code,
            ),
        );
    }
    let time_case = |desc: &str, seed: u64, iat: i64, nbf: Option<i64>, exp: i64, code: &str| {
        let mut v = base(desc, Some("driving-licence"), seed);
        v.disclose = Some(vec!["name".into()]);
        v.iat = Some(iat);
        v.nbf = nbf;
        v.exp = Some(exp);
        let v = finish_unchecked(v);
        invalid(&v, desc, v.presentation.clone(), code)
    };
    add(
        "expired",
        time_case(
            "credential expired a day before now",
            400,
            ISSUED - YEAR,
            None,
            NOW - 86_400,
            "vc.expired",
        ),
    );
    add(
        "expired-within-skew-boundary",
        time_case(
            "exp exactly skew seconds before now",
            401,
            ISSUED - YEAR,
            None,
            NOW - 60,
            "vc.expired",
        ),
    );
    add(
        "not-yet-valid",
        time_case(
            "nbf one hour after now",
            402,
            ISSUED,
            Some(NOW + 3600),
            ISSUED + YEAR,
            "vc.not_yet_valid",
        ),
    );
    add(
        "issued-in-future",
        time_case(
            "iat one hour after now",
            403,
            NOW + 3600,
            None,
            NOW + YEAR,
            "vc.issued_in_future",
        ),
    );

    // Disclosures.
    let extra = b64(serde_json::to_vec(&json!(["c2FsdHNhbHRzYWx0c2FsdA", "secret", "x"])).unwrap());
    let mut ds = p.disclosures.clone();
    ds.push(extra);
    add(
        "unreferenced-disclosure",
        invalid(
            b,
            "an extra disclosure no digest references",
            bind(&join(&p.jwt, &ds)),
            "sdjwt.unreferenced_disclosure",
        ),
    );
    let mut ds = p.disclosures.clone();
    ds.push(ds[0].clone());
    add(
        "duplicate-disclosure",
        invalid(
            b,
            "the same disclosure presented twice",
            bind(&join(&p.jwt, &ds)),
            "sdjwt.duplicate_disclosure",
        ),
    );
    let mut ds = p.disclosures.clone();
    ds[0] = b64(br#"{"not":"an array"}"#);
    add(
        "malformed-disclosure",
        invalid(
            b,
            "a disclosure that is a JSON object",
            bind(&join(&p.jwt, &ds)),
            "sdjwt.malformed_disclosure",
        ),
    );
    let mut ds = p.disclosures.clone();
    ds[0] = b64(br#"["salt","name"#);
    add(
        "disclosure-bad-json",
        invalid(
            b,
            "a disclosure with truncated JSON",
            bind(&join(&p.jwt, &ds)),
            "sdjwt.malformed_disclosure",
        ),
    );
    let mut ds = p.disclosures.clone();
    ds[0].push('=');
    add(
        "disclosure-padded",
        invalid(
            b,
            "a disclosure with base64 padding",
            bind(&join(&p.jwt, &ds)),
            "sdjwt.malformed_disclosure",
        ),
    );
    // Disclosures whose digests the (re-signed) payload references, to reach the deeper rules.
    let reference = |d: &str| -> String {
        let digest = digest(d);
        let jwt = resign(&p.jwt, |_, pl| {
            pl["_sd"].as_array_mut().unwrap().push(json!(digest))
        });
        let mut ds = p.disclosures.clone();
        ds.push(d.to_owned());
        bind(&join(&jwt, &ds))
    };
    add(
        "reserved-name-sd",
        invalid(
            b,
            "a referenced disclosure named _sd",
            reference(&b64(br#"["c2FsdA","_sd",["x"]]"#)),
            "sdjwt.reserved_claim_name",
        ),
    );
    add(
        "claim-collision",
        invalid(
            b,
            "a referenced disclosure named like a plain claim (iss)",
            reference(&b64(br#"["c2FsdA","iss","https://evil.example"]"#)),
            "sdjwt.claim_collision",
        ),
    );
    add(
        "array-disclosure-in-sd",
        invalid(
            b,
            "an array-element disclosure referenced from _sd",
            reference(&b64(br#"["c2FsdA","CN"]"#)),
            "sdjwt.disclosure_kind_mismatch",
        ),
    );
    // A registered claim made selectively disclosable (and removed from the plain payload).
    let exp_disclosure =
        b64(serde_json::to_vec(&json!(["c2FsdHk", "exp", ISSUED + YEAR])).unwrap());
    let exp_digest = digest(&exp_disclosure);
    let jwt = resign(&p.jwt, |_, pl| {
        pl.remove("exp");
        pl["_sd"].as_array_mut().unwrap().push(json!(exp_digest));
    });
    let mut ds = p.disclosures.clone();
    ds.push(exp_disclosure);
    add(
        "sd-on-never-sd-claim",
        invalid(
            b,
            "exp made selectively disclosable",
            bind(&join(&jwt, &ds)),
            "vc.reserved_claim_disclosable",
        ),
    );

    // Key binding.
    add(
        "kb-missing",
        invalid(
            b,
            "no KB-JWT while the policy requires key binding",
            without_kb.clone(),
            "sdjwt.kb_missing",
        ),
    );
    add(
        "kb-wrong-nonce",
        invalid(
            b,
            "KB-JWT for another nonce",
            bind_with(&without_kb, AUD, "other-nonce", KB_IAT, &holder()),
            "sdjwt.kb_wrong_nonce",
        ),
    );
    add(
        "kb-wrong-aud",
        invalid(
            b,
            "KB-JWT for another verifier",
            bind_with(
                &without_kb,
                "https://other-verifier.example",
                NONCE,
                KB_IAT,
                &holder(),
            ),
            "sdjwt.kb_wrong_aud",
        ),
    );
    add(
        "kb-stale",
        invalid(
            b,
            "KB-JWT signed 1000 s before now (window 300 s + 60 s skew)",
            bind_with(&without_kb, AUD, NONCE, NOW - 1000, &holder()),
            "sdjwt.kb_stale",
        ),
    );
    add(
        "kb-iat-future",
        invalid(
            b,
            "KB-JWT iat 600 s after now",
            bind_with(&without_kb, AUD, NONCE, NOW + 600, &holder()),
            "sdjwt.kb_iat_in_future",
        ),
    );
    add(
        "kb-wrong-key",
        invalid(
            b,
            "KB-JWT signed by a key other than cnf.jwk",
            bind_with(&without_kb, AUD, NONCE, KB_IAT, &key("someone else")),
            "sdjwt.kb_bad_signature",
        ),
    );
    let fewer = join(&p.jwt, &p.disclosures[1..]);
    let kb_for_fewer = create_kb_jwt(&fewer, AUD, NONCE, KB_IAT, &holder()).unwrap();
    add(
        "kb-sd-hash-mismatch",
        invalid(
            b,
            "KB-JWT sd_hash over a different disclosure set",
            without_kb.clone() + &kb_for_fewer,
            "sdjwt.kb_sd_hash_mismatch",
        ),
    );
    let kb_header = b64(br#"{"alg":"EdDSA","typ":"JWT"}"#);
    let kb_payload = b64(serde_json::to_vec(
        &json!({"aud": AUD, "iat": KB_IAT, "nonce": NONCE, "sd_hash": digest(&without_kb)}),
    )
    .unwrap());
    let kb_input = format!("{kb_header}.{kb_payload}");
    let kb_sig = b64(Signer::sign(&holder(), kb_input.as_bytes()).unwrap());
    add(
        "kb-wrong-typ",
        invalid(
            b,
            "KB-JWT typ JWT instead of kb+jwt",
            format!("{without_kb}{kb_input}.{kb_sig}"),
            "sdjwt.kb_wrong_typ",
        ),
    );
    add(
        "disclosure-removed-after-kb",
        invalid(
            b,
            "a disclosure dropped after the KB-JWT was signed",
            join(&p.jwt, &p.disclosures[1..]) + b.presentation.rsplit('~').next().unwrap(),
            "sdjwt.kb_sd_hash_mismatch",
        ),
    );

    // Structure.
    add(
        "no-separator",
        invalid(
            b,
            "issuer JWT alone, no ~",
            p.jwt.clone(),
            "sdjwt.malformed",
        ),
    );
    add(
        "empty-disclosure",
        invalid(
            b,
            "an empty disclosure between two ~",
            bind(&(without_kb.clone() + "~")),
            "sdjwt.malformed",
        ),
    );

    cases.extend(invalid_cases);
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

/// Fills issuance and presentation without requiring the case to verify (for time faults).
fn finish_unchecked(mut v: Vector) -> Vector {
    let (issuance, presentation) =
        vectors::regenerate(&v).unwrap_or_else(|e| panic!("{}: {e}", v.description));
    v.issuance = Some(issuance);
    v.presentation = presentation;
    v
}
