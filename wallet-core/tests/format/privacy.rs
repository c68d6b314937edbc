//! Privacy of presentations: a presentation reveals no undisclosed claim value — not in the
//! presentation text, its QR payload, or any decoded part of either (issuer JWT header and
//! payload, every disclosure, the KB-JWT, the QR frame's two streams), nor in the verifier's
//! report; issued credentials carry decoys, and digest order gives nothing away; and no error
//! message (`Display`, its source chain, or `Debug`) quotes a claim value, whatever went wrong.

use crate::support::vectors::{Vector, load_dir};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use wallet_core::credential::catalogue;
use wallet_core::issuer::CredentialRequest;
use wallet_core::keys::{SigningKey, VerifyingKey};
use wallet_core::qr::transport;
use wallet_core::sdjwt::{KbExpectation, SdJwtParts};
use wallet_core::trust::StaticIssuers;
use wallet_core::verifier::{KeyBindingPolicy, VerifyPolicy, verify_presentation};
use wallet_core::verifier::{QrVerifier, QrVerifierConfig};

fn vectors() -> Vec<(String, Vector)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/credentials");
    load_dir(&dir).unwrap()
}

/// Leaf values worth searching for: strings of two or more characters and numbers of three or
/// more digits (shorter ones, and booleans, occur by chance in any JSON text).
fn leaves(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) if s.chars().count() >= 2 => {
            out.insert(s.clone());
        }
        Value::Number(n) if n.to_string().len() >= 3 => {
            out.insert(n.to_string());
        }
        Value::Array(a) => a.iter().for_each(|x| leaves(x, out)),
        Value::Object(o) => o.values().for_each(|x| leaves(x, out)),
        _ => {}
    }
}

fn b64(part: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(part).unwrap_or_default()
}

/// Every decoded part of a presentation, as bytes.
fn decoded_parts(presentation: &str) -> Vec<Vec<u8>> {
    let parts = SdJwtParts::split(presentation).unwrap();
    let mut out: Vec<Vec<u8>> = parts.jwt.split('.').map(b64).collect();
    out.extend(parts.disclosures.iter().map(|d| b64(d)));
    if let Some(kb) = parts.kb_jwt {
        out.extend(kb.split('.').map(b64));
    }
    out
}

/// How a value is looked for: in JSON-bearing text as a JSON token (a quoted string in any
/// escaping, a number of five or more digits), and in opaque text (base64url, base45, raw bytes)
/// as plain text when it is long enough (six bytes) not to occur there by chance.
fn needles(value: &str, json_text: bool) -> Vec<String> {
    let is_number = value.parse::<f64>().is_ok();
    match (json_text, is_number) {
        (true, false) => spellings(value)
            .into_iter()
            .map(|s| format!("\"{s}\""))
            .collect(),
        (true, true) if value.len() >= 5 => vec![value.to_owned()],
        (false, _) if value.len() >= 6 => spellings(value),
        _ => Vec::new(),
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    haystack.windows(n.len()).any(|w| w == n)
}

/// The JSON-escaped spelling too (`\uXXXX` for non-ASCII would hide a value from a plain search).
fn spellings(value: &str) -> Vec<String> {
    let escaped = serde_json::to_string(value).unwrap();
    let ascii: String = value
        .encode_utf16()
        .map(|u| {
            if let Some(ascii) = u8::try_from(u).ok().filter(u8::is_ascii) {
                char::from(ascii).to_string()
            } else {
                format!("\\u{u:04x}")
            }
        })
        .collect();
    vec![
        value.to_owned(),
        escaped[1..escaped.len() - 1].to_owned(),
        ascii,
    ]
}

fn verifier_of(v: &Vector) -> (StaticIssuers, VerifyPolicy) {
    let mut issuers = StaticIssuers::new();
    issuers.add(
        &v.issuer_iss,
        VerifyingKey::from_jwk(&v.issuer_jwk).unwrap(),
    );
    let key_binding = match v.policy.key_binding.as_str() {
        "if_present" => KeyBindingPolicy::IfPresent,
        _ => KeyBindingPolicy::Required(KbExpectation {
            audience: v.aud.clone().unwrap_or_default(),
            nonce: v.policy.check_nonce.then(|| v.nonce.clone()).flatten(),
            max_age: v.policy.max_age,
        }),
    };
    (
        issuers,
        VerifyPolicy {
            now: v.now,
            clock_skew: v.policy.clock_skew,
            key_binding,
        },
    )
}

#[test]
fn presentations_reveal_no_undisclosed_claim_value() {
    let (mut checked, mut searched_in) = (0usize, 0usize);
    for (name, v) in vectors().iter().filter(|(_, v)| v.expected.valid) {
        let Some(input) = &v.claims else { continue };
        let disclosed = serde_json::to_string(&Value::Object(
            v.expected.claims.clone().unwrap_or_default(),
        ))
        .unwrap();
        let mut all = BTreeSet::new();
        leaves(&Value::Object(input.clone()), &mut all);
        // A value also shown through a disclosed claim (or a registered one) is not secret.
        let hidden: Vec<&String> = all
            .iter()
            .filter(|s| {
                spellings(s)
                    .iter()
                    .all(|sp| !disclosed.contains(sp.as_str()))
            })
            .collect();

        let payload = transport::encode(&v.presentation).unwrap();
        let (structure, raw) = transport::frame_streams(&v.presentation).unwrap();
        let (issuers, policy) = verifier_of(v);
        let report = verify_presentation(&v.presentation, &issuers, &policy).unwrap();
        // (bytes, whether JSON text): the texts, the frame streams, the report, decoded parts.
        let mut places: Vec<(Vec<u8>, bool)> = vec![
            (v.presentation.clone().into_bytes(), false),
            (payload.clone().into_bytes(), false),
            (structure, true),
            (raw, false),
            (serde_json::to_vec(&report).unwrap(), true),
            (format!("{report:?}").into_bytes(), true),
        ];
        places.extend(
            decoded_parts(&v.presentation)
                .into_iter()
                .map(|p| (p, true)),
        );
        searched_in += places.len();
        for value in &hidden {
            for (i, (place, json_text)) in places.iter().enumerate() {
                for needle in needles(value, *json_text) {
                    assert!(
                        !contains(place, &needle),
                        "{name}: undisclosed value {value:?} found in part {i}"
                    );
                }
            }
            checked += 1;
        }
    }
    println!(
        "privacy: {checked} undisclosed claim values searched for in {searched_in} parts, none found"
    );
    assert!(checked >= 50, "only {checked} undisclosed values checked");
}

/// All digests of a payload (`_sd` members and `{"...": d}` array elements), recursively, and
/// whether every `_sd` array is sorted.
fn digests(v: &Value, out: &mut Vec<String>, sorted: &mut bool) {
    match v {
        Value::Object(o) => {
            if let Some(Value::Array(sd)) = o.get("_sd") {
                let list: Vec<String> = sd
                    .iter()
                    .filter_map(|d| d.as_str().map(str::to_owned))
                    .collect();
                *sorted &= list.windows(2).all(|w| w[0] < w[1]);
                out.extend(list);
            }
            if let (1, Some(Value::String(d))) = (o.len(), o.get("...")) {
                out.push(d.clone());
            }
            o.iter()
                .filter(|(k, _)| k.as_str() != "_sd")
                .for_each(|(_, x)| digests(x, out, sorted));
        }
        Value::Array(a) => a.iter().for_each(|x| digests(x, out, sorted)),
        _ => {}
    }
}

/// Digests and sortedness of an issued SD-JWT: the payload's and those inside disclosures.
fn issued_digests(issuance: &str) -> (Vec<String>, usize, bool) {
    let parts = SdJwtParts::split(issuance).unwrap();
    let payload: Value =
        serde_json::from_slice(&b64(parts.jwt.split('.').nth(1).unwrap())).unwrap();
    let (mut all, mut sorted) = (Vec::new(), true);
    digests(&payload, &mut all, &mut sorted);
    for d in &parts.disclosures {
        let disclosure: Value = serde_json::from_slice(&b64(d)).unwrap();
        let value = disclosure.as_array().unwrap().last().unwrap();
        digests(value, &mut all, &mut sorted);
    }
    (all, parts.disclosures.len(), sorted)
}

#[test]
fn issued_credentials_carry_decoys_in_sorted_digest_lists() {
    // Every vector: digests look alike (43 characters, SHA-256), `_sd` lists are sorted (their
    // order cannot single out decoys), and there are never fewer digests than disclosures.
    let mut with_decoys = 0;
    for (name, v) in vectors().iter().filter(|(_, v)| v.expected.valid) {
        let Some(issuance) = &v.issuance else {
            continue;
        };
        let (all, disclosures, sorted) = issued_digests(issuance);
        assert!(sorted, "{name}: an _sd array is not sorted");
        assert!(
            all.iter().all(|d| d.len() == 43 && b64(d).len() == 32),
            "{name}"
        );
        assert!(all.len() >= disclosures, "{name}");
        with_decoys += usize::from(all.len() > disclosures);
    }
    assert!(with_decoys >= 1);
    // Catalogue types pad the top level to the type's maximum: a credential lacking an optional
    // claim has a decoy in its place, and the same digest count as a complete one, so the count
    // tells a verifier nothing about which optional claims exist.
    let holder = SigningKey::from_seed(&[3; 32]).verifying_key();
    let issuer = SigningKey::from_seed(&[4; 32]);
    let mut rng = <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::seed_from_u64(5);
    let mut padded = 0;
    for ty in catalogue::all() {
        let issue = |claims: &Map<String, Value>, rng: &mut rand_chacha::ChaCha20Rng| {
            let request = CredentialRequest::for_type(
                ty,
                "https://x.example.cn",
                claims,
                holder,
                1_767_225_600,
            )
            .ok()?
            .without_status();
            wallet_core::issuer::issue_credential(&request, &issuer, rng).ok()
        };
        let full = ty.example_claims();
        let complete = issue(&full, &mut rng).unwrap();
        let (complete_digests, _, _) = issued_digests(&complete);
        for claim in full.keys() {
            let mut partial = full.clone();
            partial.remove(claim);
            let Some(issued) = issue(&partial, &mut rng) else {
                continue; // a required claim
            };
            let (all, disclosures, sorted) = issued_digests(&issued);
            assert!(sorted);
            assert_eq!(
                all.len(),
                complete_digests.len(),
                "{}: {claim}",
                ty.short_name
            );
            assert!(
                all.len() > disclosures,
                "{}: no decoy for {claim}",
                ty.short_name
            );
            padded += 1;
        }
    }
    println!(
        "privacy: {with_decoys} issued vectors carry decoys; {padded} credentials lacking an \
         optional claim carry a decoy in its place and the full digest count"
    );
    assert!(padded >= 5, "only {padded} optional claims found");
}

/// Everything an error shows: `Display`, each `source()` in its chain, and `Debug`.
fn error_texts(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = format!("{e} | {e:?}");
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(&format!(" | {s} | {s:?}"));
        source = s.source();
    }
    text
}

fn assert_no_value(text: &str, values: &BTreeSet<String>, what: &str) {
    for value in values {
        // Quoted in any escaping, or plain when four bytes or more (an error quoting a value
        // would do one or the other); short numbers occur in messages by chance ("64 bytes").
        let mut forms = needles(value, true);
        if value.len() >= 4 && value.parse::<f64>().is_err() {
            forms.extend(spellings(value));
        }
        for spelling in forms {
            assert!(
                !text.contains(&spelling),
                "{what}: error text quotes claim value {value:?}: {text}"
            );
        }
    }
}

#[test]
fn error_messages_never_quote_claim_values() {
    let mut codes = BTreeSet::new();
    let mut messages = 0usize;
    for (name, v) in vectors() {
        let Some(input) = &v.claims else { continue };
        let mut values = BTreeSet::new();
        leaves(&Value::Object(input.clone()), &mut values);
        if let Some(expected) = &v.expected.claims {
            leaves(&Value::Object(expected.clone()), &mut values);
        }
        // Identifiers that are not claim values (issuer, type, holder key) may appear in errors.
        for k in ["iss", "vct", "cnf", "status", "iat", "exp", "nbf"] {
            if let Some(x) = v.expected.claims.as_ref().and_then(|c| c.get(k)) {
                let mut skip = BTreeSet::new();
                leaves(x, &mut skip);
                values.retain(|s| !skip.contains(s));
            }
        }
        if let Err(e) = VerifyingKey::from_jwk(&v.issuer_jwk) {
            // The vector's own issuer key is refused (e.g. a small-order point).
            codes.insert(e.code());
            messages += 1;
            assert_no_value(&error_texts(&e), &values, &name);
            continue;
        }
        let (issuers, policy) = verifier_of(&v);
        let mut check = |presentation: &str, policy: &VerifyPolicy, issuers: &StaticIssuers| {
            if let Err(e) = verify_presentation(presentation, issuers, policy) {
                codes.insert(e.code());
                messages += 1;
                assert_no_value(&error_texts(&e), &values, &name);
            }
        };
        // The vector as it is (every invalid vector is its own error kind)…
        check(&v.presentation, &policy, &issuers);
        if !v.expected.valid {
            continue;
        }
        // …and, for valid ones, the verifier's rules broken one at a time…
        let mut p = policy.clone();
        p.now = v.now + 100 * 365 * 86_400;
        check(&v.presentation, &p, &issuers);
        p.now = 0;
        check(&v.presentation, &p, &issuers);
        if let KeyBindingPolicy::Required(e) = &policy.key_binding {
            let mut wrong_aud = e.clone();
            wrong_aud.audience.push('x');
            let mut wrong_nonce = e.clone();
            wrong_nonce.nonce = Some("another".into());
            for e in [wrong_aud, wrong_nonce] {
                let p = VerifyPolicy {
                    key_binding: KeyBindingPolicy::Required(e),
                    ..policy.clone()
                };
                check(&v.presentation, &p, &issuers);
            }
        }
        check(&v.presentation, &policy, &StaticIssuers::new());
        let mut other = StaticIssuers::new();
        other.add(
            &v.issuer_iss,
            SigningKey::from_seed(&[1; 32]).verifying_key(),
        );
        check(&v.presentation, &policy, &other);
        let without_kb = format!("{}~", v.presentation.rsplit_once('~').unwrap().0);
        check(&without_kb, &policy, &issuers);
        // …and the presentation changed at every 5th position in several ways: malformed
        // parts, broken signatures, broken disclosures (whose JSON holds the claim values).
        for (pos, c) in v.presentation.bytes().enumerate().step_by(5) {
            for s in [b'A', b'~', b'.', b'='] {
                if s != c {
                    let mut bytes = v.presentation.clone().into_bytes();
                    bytes[pos] = s;
                    check(&String::from_utf8(bytes).unwrap(), &policy, &issuers);
                }
            }
        }
        // QR transport and freshness errors, on the same material.
        let payload = transport::encode(&v.presentation).unwrap();
        let mut qr = QrVerifier::new(QrVerifierConfig::default());
        for variant in [
            payload.replacen("CW1", "CW9", 1),
            payload[..payload.len() - 7].to_owned(),
            format!("{payload}A"),
            payload.clone(),
            payload.clone(),
        ] {
            if let Err(e) = transport::decode(&variant) {
                codes.insert(e.code());
                messages += 1;
                assert_no_value(&error_texts(&e), &values, &name);
            }
            if let Err(e) = qr.verify(&variant, &issuers, v.now) {
                codes.insert(e.code());
                messages += 1;
                assert_no_value(&error_texts(&e), &values, &name);
            }
        }
        // Issuer-side validation of the same claims with one value broken.
        if let Some(ty) = v
            .type_name
            .as_deref()
            .and_then(|t| catalogue::by_name(t).ok())
        {
            let holder = SigningKey::from_seed(&[2; 32]).verifying_key();
            for (claim, value) in input {
                let mut broken: Map<String, Value> = input.clone();
                let bad = match value {
                    Value::String(s) => Value::String(format!("{s}\u{0}!")),
                    other => Value::String(format!("{other}x")),
                };
                broken.insert(claim.clone(), bad.clone());
                if let Err(e) = CredentialRequest::for_type(ty, &v.issuer_iss, &broken, holder, 0) {
                    codes.insert(e.code());
                    messages += 1;
                    let mut all = values.clone();
                    leaves(&bad, &mut all);
                    assert_no_value(&error_texts(&e), &all, &name);
                }
            }
        }
    }
    println!(
        "privacy: {messages} error messages of {} kinds checked, none quotes a claim value",
        codes.len()
    );
    assert!(
        codes.len() >= 25,
        "only {} error kinds triggered: {codes:?}",
        codes.len()
    );
}
