//! The QR transport (docs/qr-format.md): lossless round trips (property test over arbitrary
//! credentials with Unicode claims), refusal of unknown versions, non-canonical text and
//! decompression bombs, and the size budget of a driving licence code.

use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{Map, Value};
use wallet_core::credential::catalogue;
use wallet_core::holder::{KeyBindingRequest, present};
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::keys::SigningKey;
use wallet_core::qr::freshness::{OFFLINE_AUDIENCE, offline_key_binding};
use wallet_core::qr::transport;
use wallet_core::qr::transport::{DICTIONARY_V1, TransportError};
use wallet_core::sdjwt::{ClaimPath, DecoyPolicy};

const IAT: i64 = 1_767_225_600;

fn keys() -> (SigningKey, SigningKey) {
    (
        SigningKey::from_seed(&[1; 32]),
        SigningKey::from_seed(&[2; 32]),
    )
}

fn driving_licence_shown(disclose: &[&str], seed: u64) -> String {
    let (issuer, holder) = keys();
    let ty = catalogue::by_name("driving-licence").unwrap();
    let request = CredentialRequest::for_type(
        ty,
        "https://jtgl.sh.gov.cn/issuer",
        &ty.example_claims(),
        holder.verifying_key(),
        IAT,
    )
    .unwrap()
    .without_status();
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let credential = issue_credential(&request, &issuer, &mut rng).unwrap();
    let paths: Vec<ClaimPath> = disclose.iter().map(|p| p.parse().unwrap()).collect();
    let kb = offline_key_binding(IAT + 100, &mut rng);
    present(&credential, &paths, Some(&kb), &holder).unwrap()
}

#[test]
fn dictionary_is_frozen() {
    use sha2::{Digest as _, Sha256};
    let digest = wallet_core::b64_encode(Sha256::digest(DICTIONARY_V1));
    // Changing the dictionary changes every payload: it needs a new version prefix, not an edit.
    assert_eq!(
        digest,
        include_str!("../../../test-vectors/qr/dictionary-v1.sha256").trim(),
        "DICTIONARY_V1 changed"
    );
}

#[test]
fn driving_licence_fits_v20_m_whichever_four_claims_are_shown() {
    use wallet_core::qr::render::{EccLevel, version_for_len};
    let names: Vec<&str> = catalogue::by_name("driving-licence")
        .unwrap()
        .claims
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names.len(), 10);
    let (mut worst, mut worst_case, mut cases) = (0usize, String::new(), 0);
    for mask in 0u32..1024 {
        if mask.count_ones() != 4 {
            continue;
        }
        let shown: Vec<&str> = (0..10)
            .filter(|i| mask >> i & 1 == 1)
            .map(|i| names[i])
            .collect();
        let presentation = driving_licence_shown(&shown, u64::from(mask));
        let payload = transport::encode(&presentation).unwrap();
        assert_eq!(transport::decode(&payload).unwrap(), presentation);
        assert!(
            payload
                .bytes()
                .all(|b| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(&b))
        );
        if payload.len() > worst {
            worst = payload.len();
            worst_case = format!("{shown:?}: SD-JWT+KB {} chars", presentation.len());
        }
        cases += 1;
    }
    let version = version_for_len(worst, EccLevel::M).unwrap();
    println!(
        "driving licence, {cases} ways to show 4 of 10 claims: largest payload {worst} chars (QR version {version}-M), {worst_case}"
    );
    // Version 20 at ECC level M holds 970 characters in alphanumeric mode.
    assert!(
        worst <= 970 && version <= 20,
        "largest payload of {worst} chars needs version {version}-M, over 20-M"
    );
}

#[test]
fn versions_and_garbage_are_refused() {
    let shown = driving_licence_shown(&["name"], 3);
    let payload = transport::encode(&shown).unwrap();
    let v3 = payload.replacen("CW2:", "CW3:", 1);
    assert_eq!(
        transport::decode(&v3).unwrap_err().code(),
        "qr.unknown_version"
    );
    assert_eq!(
        transport::decode("HC1:NCFOXN").unwrap_err().code(),
        "qr.not_a_payload"
    );
    assert_eq!(
        transport::decode("CW1:").unwrap_err().code(),
        "qr.malformed_frame"
    );
    assert_eq!(
        transport::decode("CW1:00").unwrap_err().code(),
        "qr.deflate"
    );
    assert_eq!(transport::decode("CW1:a").unwrap_err().code(), "qr.base45");
    // Truncation anywhere is an error, never a panic or a different presentation.
    for cut in 4..payload.len() {
        let r = transport::decode(&payload[..cut]);
        assert!(r.is_err(), "truncated payload at {cut} decoded");
    }
    let too_long = format!("CW1:{}", "0".repeat(5000));
    assert_eq!(
        transport::decode(&too_long).unwrap_err().code(),
        "qr.payload_too_long"
    );
}

fn varint(v: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut v = v;
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

fn compress(structure: &[u8]) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let mut c = Compress::new(Compression::best(), false);
    c.set_dictionary(DICTIONARY_V1).unwrap();
    let mut out = Vec::with_capacity(structure.len() + 1024);
    c.compress_vec(structure, &mut out, FlushCompress::Finish)
        .unwrap();
    out
}

/// Splits a payload into its (structure, raw) streams as docs/qr-format.md describes.
fn unpack(payload: &str) -> (Vec<u8>, Vec<u8>) {
    use flate2::{Decompress, FlushDecompress};
    let packed = base45::decode(&payload[4..]).unwrap();
    let (mut len, mut shift, mut pos) = (0usize, 0, 0);
    loop {
        let b = packed[pos];
        pos += 1;
        len |= usize::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            break;
        }
    }
    let mut d = Decompress::new(false);
    d.set_dictionary(DICTIONARY_V1).unwrap();
    let mut structure = Vec::with_capacity(1 << 16);
    d.decompress_vec(
        &packed[pos..pos + len],
        &mut structure,
        FlushDecompress::Finish,
    )
    .unwrap();
    (structure, packed[pos + len..].to_vec())
}

fn repack(structure: &[u8], raw: &[u8]) -> String {
    let compressed = compress(structure);
    let mut packed = varint(compressed.len());
    packed.extend_from_slice(&compressed);
    packed.extend_from_slice(raw);
    format!("CW1:{}", base45::encode(&packed))
}

#[test]
fn decompression_bomb_is_refused() {
    // 1 MiB of zeros compresses to about a kilobyte: it fits a QR payload but must not be inflated.
    let bomb = compress(&vec![0u8; 1 << 20]);
    let mut packed = varint(bomb.len());
    packed.extend_from_slice(&bomb);
    let payload = format!("CW1:{}", base45::encode(&packed));
    assert!(
        payload.len() < transport::MAX_PAYLOAD_CHARS,
        "bomb payload {} chars",
        payload.len()
    );
    assert_eq!(
        transport::decode(&payload).unwrap_err(),
        TransportError::TooLarge
    );
}

#[test]
fn non_canonical_frames_are_refused() {
    let shown = driving_licence_shown(&["name", "sex"], 4);
    // Version 1's frames (the helpers here use its dictionary); tests/qr/cw2.rs covers version 2.
    let payload = transport::encode_version(&shown, transport::Version::V1).unwrap();
    let (structure, raw) = unpack(&payload);
    // Re-packing the same streams (another compressor run) is accepted.
    assert_eq!(transport::decode(&repack(&structure, &raw)).unwrap(), shown);

    let mut extra = structure.clone();
    extra.push(0);
    assert_eq!(
        transport::decode(&repack(&extra, &raw)).unwrap_err().code(),
        "qr.malformed_frame"
    );
    let mut extra_raw = raw.clone();
    extra_raw.push(0);
    assert_eq!(
        transport::decode(&repack(&structure, &extra_raw))
            .unwrap_err()
            .code(),
        "qr.malformed_frame"
    );
    assert_eq!(
        transport::decode(&repack(&structure, &raw[..raw.len() - 1]))
            .unwrap_err()
            .code(),
        "qr.malformed_frame"
    );

    // The KB-JWT's sd_hash spelled out instead of its marker: the same presentation, a second
    // spelling — refused.
    let hash = wallet_core::sdjwt::sd_hash(&format!("{}~", shown.rsplit_once('~').unwrap().0));
    let marker = structure.iter().rposition(|&b| b == 0x03).unwrap();
    let start = structure[..marker]
        .windows(6)
        .rposition(|w| w == b"{\"aud\"")
        .unwrap();
    let mut spelled = structure[..marker].to_vec();
    spelled[start - 1] += 44; // one marker byte becomes a 45-byte quoted string (length < 128)
    spelled.extend_from_slice(format!("\"{hash}\"").as_bytes());
    spelled.extend_from_slice(&structure[marker + 1..]);
    assert_eq!(
        transport::decode(&repack(&spelled, &raw))
            .unwrap_err()
            .code(),
        "qr.non_canonical"
    );

    // A non-minimal length prefix: same bytes, second spelling.
    let compressed = compress(&structure);
    let minimal = varint(compressed.len());
    let mut padded = minimal.clone();
    let last = padded.len() - 1;
    padded[last] |= 0x80;
    padded.push(0);
    padded.extend_from_slice(&compressed);
    padded.extend_from_slice(&raw);
    assert_eq!(
        transport::decode(&format!("CW1:{}", base45::encode(&padded)))
            .unwrap_err()
            .code(),
        "qr.non_canonical"
    );
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-zA-Z0-9 _\\-\\\\\"]{0,24}".prop_map(Value::from),
        "[\\p{Han}😀🚗 \u{1F600}-\u{1F64F}]{1,12}".prop_map(Value::from),
        Just(Value::Null),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z\\p{Han}]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// decode(encode(p)) == p for arbitrary credentials: nested objects and arrays, selectively
    /// disclosable at every level, any subset shown, with or without key binding.
    #[test]
    fn round_trip_is_exact(
        claims in prop::collection::btree_map("[a-z][a-z0-9_]{0,8}|[\\p{Han}]{1,4}", json_value(), 1..8),
        sd_mask in any::<u64>(),
        show_mask in any::<u64>(),
        with_kb in any::<bool>(),
        seed in any::<u64>(),
    ) {
        // The envelope's names (`vct`, `iss`, `exp`, …) are refused as claims by the issuer.
        let claims: Map<String, Value> = claims
            .into_iter()
            .filter(|(name, _)| !catalogue::RESERVED_CLAIMS.contains(&name.as_str()))
            .collect();
        prop_assume!(!claims.is_empty());
        let (issuer, holder) = keys();
        // Disclosable: a subset of top-level claims, plus every array element and object member
        // below them, so nested disclosures appear too.
        let names: Vec<&String> = claims.keys().collect();
        let mut disclosable = Vec::new();
        for (i, name) in names.iter().enumerate() {
            if sd_mask >> (i % 64) & 1 == 1 {
                disclosable.push(ClaimPath::top(name));
                match &claims[name.as_str()] {
                    Value::Array(a) if !a.is_empty() => disclosable.push(format!("{name}[*]").parse().unwrap()),
                    Value::Object(o) => {
                        for k in o.keys() {
                            if !k.contains('.') && !k.contains('[') && !k.contains(']') {
                                disclosable.push(ClaimPath::top(name).child(wallet_core::sdjwt::PathSegment::Key(k.clone())));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        let request = CredentialRequest {
            issuer: "https://issuer.example.cn".into(),
            vct: "urn:cn-wallet:test-roundtrip:1".into(),
            claims,
            disclosable: disclosable.clone(),
            decoys: DecoyPolicy::PowerOfTwo,
            sd_alg: Default::default(),
            holder_key: holder.verifying_key().into(),
            issued_at: IAT,
            not_before: None,
            expires_at: IAT + 86_400,
            status: None,
            status_required: false,
            document_validity: None,
            strict_validity: false,
        };
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let credential = issue_credential(&request, &issuer, &mut rng).unwrap();
        let shown_paths: Vec<ClaimPath> = disclosable.iter().enumerate().filter(|(i, _)| show_mask >> (i % 64) & 1 == 1).map(|(_, p)| p.clone()).collect();
        let kb = KeyBindingRequest { audience: OFFLINE_AUDIENCE.into(), nonce: "bm9uY2Utbm9uY2UtMTIz".into(), issued_at: IAT + 5 };
        let shown = present(&credential, &shown_paths, with_kb.then_some(&kb), &holder).unwrap();
        let payload = transport::encode(&shown).unwrap();
        prop_assert_eq!(transport::decode(&payload).unwrap(), shown.clone());
        prop_assert!(payload.len() < shown.len() || shown.len() < 400, "compact {} vs raw {}", payload.len(), shown.len());
    }
}

/// test-vectors/qr/payloads.json: our encoder reproduces every payload, and decoding every
/// payload gives back its presentation, which still verifies as its credential vector says.
#[test]
fn qr_payload_vectors() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let file: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("test-vectors/qr/payloads.json")).unwrap(),
    )
    .unwrap();
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let presentation = case["presentation"].as_str().unwrap();
        let payload = case["payload"].as_str().unwrap();
        assert_eq!(
            transport::decode(payload).unwrap(),
            presentation,
            "{}",
            case["source"]
        );
        assert_eq!(
            transport::encode_version(presentation, transport::Version::V1).unwrap(),
            payload,
            "{}",
            case["source"]
        );
        let (structure, raw) = transport::frame_streams(presentation).unwrap();
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        assert_eq!(hex(&structure), case["structure_hex"].as_str().unwrap());
        assert_eq!(hex(&raw), case["raw_hex"].as_str().unwrap());
    }
    println!("{} QR payload vectors checked", cases.len());
}

/// Payloads and SD-JWT strings pasted through chat apps: line breaks, surrounding white space,
/// no-break and zero-width spaces are removed when — and only when — what is left is canonical.
#[test]
fn pasted_payloads_are_cleaned_only_into_canonical_ones() {
    let shown = driving_licence_shown(&["name", "licence_class"], 7);
    let payload = transport::encode(&shown).unwrap();
    assert_eq!(
        transport::clean_pasted(&payload).as_deref(),
        Some(payload.as_str())
    );
    let chars: Vec<char> = payload.chars().collect();
    let wrapped = |sep: &str| {
        chars
            .chunks(37)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(sep)
    };
    for noisy in [
        format!("  {payload}\n"),
        format!("\u{FEFF}{payload}\u{200B}"),
        format!("\u{00A0}{payload}\u{202F}\r\n"),
        wrapped("\n"),
        wrapped("\r\n"),
        wrapped("\u{200B}"),
        wrapped("\u{2060}"),
        wrapped("\u{200C}\n"),
        format!("\t{}\n\n", wrapped("\u{200D}")),
    ] {
        assert_eq!(
            transport::clean_pasted(&noisy).as_deref(),
            Some(payload.as_str()),
            "{noisy:?}"
        );
    }
    // A base45 space turned into a no-break space by the chat app is a space again.
    if payload.contains(' ') {
        let nbsp = payload.replace(' ', "\u{00A0}");
        assert_eq!(
            transport::clean_pasted(&nbsp).as_deref(),
            Some(payload.as_str())
        );
    }
    // SD-JWT strings have no white space in their alphabet: all of it goes.
    let sd: Vec<char> = shown.chars().collect();
    let sd_wrapped: String = sd
        .chunks(60)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("\n\u{00A0}");
    assert_eq!(
        transport::clean_pasted(&format!(" {sd_wrapped}\u{FEFF}")).as_deref(),
        Some(shown.as_str())
    );
    // Never into a non-canonical payload: a changed character, a lower-case payload or a
    // truncated one stays refused, whatever noise surrounds it.
    let mut changed = payload.clone();
    changed.pop();
    for bad in [
        format!(" {changed}\n"),
        format!("\u{200B}{}", payload.to_lowercase()),
        format!("{payload}X"),
        format!("{} {}", &payload[..20], &payload[20..]),
        String::new(),
        "\u{200B}\n ".to_owned(),
        "not a payload".to_owned(),
    ] {
        if bad.replace(' ', "") == payload {
            continue;
        }
        assert_eq!(transport::clean_pasted(&bad), None, "{bad:?}");
    }
    // The fallback keeps the trimmed text, so the caller reports its own error.
    assert_eq!(transport::normalize_input(" CW1:?? "), "CW1:??");
    // Bounded before any copy.
    let huge = " ".repeat(transport::MAX_PASTED_CHARS + 1);
    assert_eq!(transport::clean_pasted(&huge), None);
}
