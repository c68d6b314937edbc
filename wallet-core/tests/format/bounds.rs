//! Resource bounds: every size limit on untrusted input is enforced, and enforced *before* the
//! work it protects. Each test feeds input that is over one limit and would fail later for
//! another reason (garbage content, missing data, no signature), and checks that the limit's
//! own error comes back — which is only possible if the limit was checked first.

use flate2::{Compress, Compression, FlushCompress};
use serde_json::{Map, Value, json};
use std::time::{Duration, Instant};
use wallet_core::b64_encode;
use wallet_core::hazmat::jws;
use wallet_core::holder::{KdfLimits, MAX_FILE_LEN, Store, StoreOptions, StoreSecret};
use wallet_core::keys::SigningKey;
use wallet_core::limits::{MAX_DISCLOSURES, MAX_JSON_DEPTH, MAX_TOKEN_LEN};
use wallet_core::qr::scan::{ScanError, ScanLimits, scan_image, scan_luma};
use wallet_core::qr::transport;
use wallet_core::qr::transport::{DICTIONARY_V1, MAX_FRAME_BYTES, MAX_PAYLOAD_CHARS};
use wallet_core::sdjwt::{Disclosure, SdJwtParts};
use wallet_core::status::{MAX_TOKEN_BYTES, StatusList, StatusListJwt};
use wallet_core::trust::StaticIssuers;
use wallet_core::trust::{
    MAX_ISSUERS, MAX_KEYS_PER_ISSUER, MAX_TRUST_LIST_BYTES, MAX_VCTS_PER_ISSUER, StalePolicy,
    TrustList, VerifiedTrustList,
};
use wallet_core::verifier::{KeyBindingPolicy, VerifyPolicy, verify_presentation};

fn verify_code(text: &str) -> &'static str {
    let policy = VerifyPolicy {
        now: 0,
        clock_skew: 60,
        key_binding: KeyBindingPolicy::IfPresent,
    };
    verify_presentation(text, &StaticIssuers::new(), &policy)
        .unwrap_err()
        .code()
}

/// A JWS-looking issuer JWT whose payload is `payload` (signature of zeros: never reached).
fn jwt_with_payload(payload: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64_encode(br#"{"alg":"EdDSA","typ":"dc+sd-jwt"}"#),
        b64_encode(payload),
        b64_encode([0u8; 64])
    )
}

fn nested(depth: usize) -> String {
    // `depth` levels: the outer object plus depth − 1 arrays.
    format!(
        "{{\"a\":{}1{}}}",
        "[".repeat(depth - 1),
        "]".repeat(depth - 1)
    )
}

#[test]
fn presentation_length_is_bounded_before_parsing() {
    // Garbage without a single separator: over the limit it is "too large", not "malformed".
    let long = "A".repeat(MAX_TOKEN_LEN + 1);
    assert_eq!(verify_code(&long), "sdjwt.too_large");
    assert_eq!(verify_code(&long[1..]), "sdjwt.malformed");
}

#[test]
fn disclosure_count_is_bounded_before_disclosures_are_parsed() {
    // Disclosures that are not even base64url: the count is refused before any is decoded.
    let jwt = jwt_with_payload(b"{}");
    let over = format!("{jwt}~{}", "!~".repeat(MAX_DISCLOSURES + 1));
    assert!(over.len() < MAX_TOKEN_LEN);
    assert_eq!(verify_code(&over), "sdjwt.too_many_disclosures");
    let at = format!("{jwt}~{}", "!~".repeat(MAX_DISCLOSURES));
    assert_eq!(
        SdJwtParts::split(&at).unwrap().disclosures.len(),
        MAX_DISCLOSURES
    );
    assert_ne!(verify_code(&at), "sdjwt.too_many_disclosures");
}

#[test]
fn json_nesting_depth_is_bounded_in_every_json_text() {
    // Issuer JWT payload: the limit itself parses (and fails later, on missing claims); one
    // more level is refused by the parser.
    let ok = jwt_with_payload(nested(MAX_JSON_DEPTH).as_bytes());
    assert_eq!(verify_code(&format!("{ok}~")), "vc.missing_claim");
    let deep = jwt_with_payload(nested(MAX_JSON_DEPTH + 1).as_bytes());
    let err = verify_code(&format!("{deep}~"));
    assert_eq!(err, "jws.payload_json");
    // Far deeper input is refused just as quickly, without exhausting the stack.
    let abyss = jwt_with_payload(format!("{{\"a\":{}", "[".repeat(40_000)).as_bytes());
    let started = Instant::now();
    assert_eq!(verify_code(&format!("{abyss}~")), "jws.payload_json");
    assert!(started.elapsed() < Duration::from_secs(1));
    // Disclosures go through the same parser.
    let value = format!(
        "{}1{}",
        "[".repeat(MAX_JSON_DEPTH),
        "]".repeat(MAX_JSON_DEPTH)
    );
    let disclosure = b64_encode(format!("[\"c2FsdHNhbHRzYWx0c2FsdA\",\"a\",{value}]"));
    assert_eq!(
        Disclosure::parse(&disclosure).unwrap_err().code(),
        "sdjwt.malformed_disclosure"
    );
    let shallower = format!(
        "{}1{}",
        "[".repeat(MAX_JSON_DEPTH - 2),
        "]".repeat(MAX_JSON_DEPTH - 2)
    );
    let disclosure = b64_encode(format!("[\"c2FsdHNhbHRzYWx0c2FsdA\",\"a\",{shallower}]"));
    assert!(Disclosure::parse(&disclosure).is_ok());
}

#[test]
fn qr_payload_length_is_bounded_before_decoding() {
    let long = format!("CW1:{}", "0".repeat(MAX_PAYLOAD_CHARS));
    assert_eq!(
        transport::decode(&long).unwrap_err().code(),
        "qr.payload_too_long"
    );
    // Also when the text is not a payload at all: length is the first check.
    let long = "x".repeat(MAX_PAYLOAD_CHARS + 1);
    assert_eq!(
        transport::decode(&long).unwrap_err().code(),
        "qr.payload_too_long"
    );
}

#[test]
fn qr_encoder_refuses_what_the_decoder_would_refuse() {
    // Incompressible claim text: the payload grows about 1.5 characters per byte. Below the
    // limit it round-trips; above it the encoder refuses instead of producing a payload that
    // no QR code holds and no decoder accepts.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let noise = |n: usize, x: &mut u64| -> String {
        (0..n)
            .map(|_| {
                *x ^= *x << 13;
                *x ^= *x >> 7;
                *x ^= *x << 17;
                char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[(*x % 36) as usize])
            })
            .collect()
    };
    let presentation = |text: &str| {
        format!(
            "{}~",
            jwt_with_payload(format!("{{\"x\":\"{text}\"}}").as_bytes())
        )
    };
    let small = presentation(&noise(1000, &mut x));
    let payload = transport::encode(&small).unwrap();
    assert_eq!(transport::decode(&payload).unwrap(), small);
    let large = presentation(&noise(5000, &mut x));
    assert_eq!(
        transport::encode(&large).unwrap_err().code(),
        "qr.payload_too_long"
    );
}

fn raw_deflate(bytes: &[u8]) -> Vec<u8> {
    let mut c = Compress::new(Compression::best(), false);
    c.set_dictionary(DICTIONARY_V1).unwrap();
    let mut out = Vec::with_capacity(bytes.len() + 1024);
    c.compress_vec(bytes, &mut out, FlushCompress::Finish)
        .unwrap();
    out
}

fn payload_of(structure: &[u8]) -> String {
    let compressed = raw_deflate(structure);
    let mut packed = Vec::new();
    let mut v = compressed.len();
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            packed.push(byte);
            break;
        }
        packed.push(byte | 0x80);
    }
    packed.extend_from_slice(&compressed);
    format!("CW1:{}", base45::encode(&packed))
}

#[test]
fn qr_decompressed_size_is_bounded_while_inflating() {
    // Exactly the limit inflates (and is then refused as a frame); one byte more is a bomb.
    let at = payload_of(&vec![0x41; MAX_FRAME_BYTES]);
    let over = payload_of(&vec![0x41; MAX_FRAME_BYTES + 1]);
    assert!(over.len() <= MAX_PAYLOAD_CHARS);
    assert_eq!(
        transport::decode(&at).unwrap_err().code(),
        "qr.malformed_frame"
    );
    assert_eq!(transport::decode(&over).unwrap_err().code(), "qr.too_large");
    // A 2 MiB bomb still fits a QR code, and costs no more than the limit.
    let bomb = payload_of(&vec![0; 2 << 20]);
    assert!(bomb.len() <= MAX_PAYLOAD_CHARS);
    let started = Instant::now();
    assert_eq!(transport::decode(&bomb).unwrap_err().code(), "qr.too_large");
    assert!(started.elapsed() < Duration::from_secs(1));
}

fn zlib(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), Compression::best());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn status_list_sizes_are_bounded() {
    // The decompressed list: at the caller's cap it reads, one byte over it is refused.
    let list = json!({"bits": 1, "lst": b64_encode(zlib(&vec![0; 4096]))});
    assert_eq!(StatusList::from_json(&list, 4096).unwrap().len(), 4096 * 8);
    assert_eq!(
        StatusList::from_json(&list, 4095).unwrap_err().code(),
        "status.too_large"
    );
    // The token text: refused on length before it is split or decoded.
    let long = "A".repeat(MAX_TOKEN_BYTES + 1);
    assert_eq!(
        StatusListJwt::parse(&long).unwrap_err().code(),
        "status.too_large"
    );
}

fn issuer_entry(i: usize, vcts: usize, keys: usize) -> Value {
    json!({
        "iss": format!("https://issuer-{i}.example.cn"),
        "name": {"zh-CN": "机构", "en": "Agency"},
        "vct": (0..vcts).map(|v| format!("urn:x:{v}")).collect::<Vec<_>>(),
        "keys": (0..keys).map(|_| json!({})).collect::<Vec<_>>(),
    })
}

fn trust_payload(issuers: Vec<Value>) -> Map<String, Value> {
    json!({"list_id": "l", "seq": 1, "iat": 0, "next_update": 10, "issuers": issuers})
        .as_object()
        .unwrap()
        .clone()
}

#[test]
fn trust_list_sizes_are_bounded() {
    let root = SigningKey::from_seed(&[1; 32]).verifying_key();
    let long = "A".repeat(MAX_TRUST_LIST_BYTES + 1);
    assert_eq!(
        VerifiedTrustList::verify(&long, &root, 0, 0, StalePolicy::Fail)
            .unwrap_err()
            .code(),
        "trust.too_large"
    );
    // Counts are checked before the entries are read (the entries here are invalid).
    let too_many: Vec<Value> = (0..=MAX_ISSUERS).map(|_| json!(null)).collect();
    assert_eq!(
        TrustList::from_payload(&trust_payload(too_many))
            .unwrap_err()
            .code(),
        "trust.too_large"
    );
    let vcts = issuer_entry(0, MAX_VCTS_PER_ISSUER + 1, 0);
    assert_eq!(
        TrustList::from_payload(&trust_payload(vec![vcts]))
            .unwrap_err()
            .code(),
        "trust.too_large"
    );
    let keys = issuer_entry(0, 1, MAX_KEYS_PER_ISSUER + 1);
    assert_eq!(
        TrustList::from_payload(&trust_payload(vec![keys]))
            .unwrap_err()
            .code(),
        "trust.too_large"
    );
    let fine = issuer_entry(0, 1, MAX_KEYS_PER_ISSUER);
    assert_eq!(
        TrustList::from_payload(&trust_payload(vec![fine]))
            .unwrap_err()
            .code(),
        "trust.malformed"
    );
}

fn limits() -> ScanLimits {
    ScanLimits {
        max_bytes: 64 * 1024,
        max_width: 1024,
        max_height: 1024,
    }
}

/// A PNG that is only a signature and an IHDR claiming `width` × `height`: no pixel data at all.
fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut e = png::Encoder::new(&mut out, width, height);
        e.set_color(png::ColorType::Grayscale);
        e.set_depth(png::BitDepth::Eight);
        let w = e.write_header().unwrap();
        // Dropping the writer without image data would write an error; forget it so only the
        // header stays in `out`.
        std::mem::forget(w);
    }
    out
}

#[test]
fn scanner_bounds_bytes_and_dimensions_before_decoding_pixels() {
    let l = limits();
    // Encoded size first: even garbage is refused for its size, not its content.
    let big = vec![0u8; l.max_bytes + 1];
    assert!(matches!(
        scan_image(&big, &l),
        Err(ScanError::InputTooLarge { .. })
    ));
    // A PNG claiming 100 000 × 100 000 pixels and carrying none: refused from its header
    // (decoding would fail on the missing data, so "too large" proves the order).
    let started = Instant::now();
    for (w, h) in [
        (100_000, 100_000),
        (l.max_width + 1, 1),
        (1, l.max_height + 1),
    ] {
        let header = png_header_only(w, h);
        assert!(
            matches!(
                scan_image(&header, &l),
                Err(ScanError::ImageTooLarge { .. })
            ),
            "{w}x{h}"
        );
    }
    // Within the limits the same truncated header fails on the missing data instead.
    assert!(matches!(
        scan_image(&png_header_only(64, 64), &l),
        Err(ScanError::UnsupportedImage(_))
    ));
    assert!(started.elapsed() < Duration::from_secs(1));
    // A JPEG wider than the limit.
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
        .encode(
            &vec![255u8; (l.max_width as usize + 8) * 8],
            l.max_width + 8,
            8,
            image::ExtendedColorType::L8,
        )
        .unwrap();
    assert!(matches!(
        scan_image(&jpeg, &l),
        Err(ScanError::ImageTooLarge { .. })
    ));
    // Camera frames: dimensions are checked before the buffer is looked at.
    assert!(matches!(
        scan_luma(&[], l.max_width + 1, 10, l.max_width as usize + 1, &l),
        Err(ScanError::ImageTooLarge { .. })
    ));
    assert!(matches!(
        scan_luma(&[], 10, 10, 10, &l),
        Err(ScanError::InvalidFrame(_))
    ));
}

#[test]
fn store_file_size_and_kdf_cost_are_bounded_before_work() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([3; 32]);
    use rand_core::SeedableRng as _;
    // A sparse file one byte over the limit: refused from its length, never read.
    let path = dir.path().join("huge.cws");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(MAX_FILE_LEN + 1)
        .unwrap();
    let err = Store::open(
        &path,
        StoreSecret::Passphrase("x"),
        &StoreOptions::default(),
        &mut rng,
    )
    .unwrap_err();
    assert_eq!(err.code(), "store.too_large");
    // A header asking Argon2 for 4 GiB and 2^32−1 passes: refused before any hashing.
    let mut header = Vec::new();
    header.extend_from_slice(b"CWSTORE\0");
    header.extend_from_slice(&1u16.to_be_bytes());
    header.push(1);
    header.extend_from_slice(&(4u32 << 20).to_be_bytes());
    header.extend_from_slice(&u32::MAX.to_be_bytes());
    header.extend_from_slice(&1u32.to_be_bytes());
    header.extend_from_slice(&[0u8; 16 + 32 + 24]);
    header.extend_from_slice(&16u32.to_be_bytes());
    header.extend_from_slice(&[0u8; 16]);
    let path = dir.path().join("costly.cws");
    std::fs::write(&path, &header).unwrap();
    let started = Instant::now();
    let err = Store::open(
        &path,
        StoreSecret::Passphrase("x"),
        &StoreOptions::default(),
        &mut rng,
    )
    .unwrap_err();
    assert_eq!(err.code(), "store.kdf_limits");
    assert!(started.elapsed() < Duration::from_secs(1));
    // Tighter limits chosen by the app apply the same way.
    let tight = StoreOptions {
        kdf_limits: KdfLimits {
            max_memory_kib: 8,
            ..KdfLimits::default()
        },
        ..StoreOptions::default()
    };
    header[11..15].copy_from_slice(&16u32.to_be_bytes());
    header[15..19].copy_from_slice(&1u32.to_be_bytes());
    std::fs::write(&path, &header).unwrap();
    let err = Store::open(&path, StoreSecret::Passphrase("x"), &tight, &mut rng).unwrap_err();
    assert_eq!(err.code(), "store.kdf_limits");
}

#[test]
fn signed_sizes_do_not_skip_the_bounds() {
    // A bound is not lifted by a valid signature: a correctly signed issuer JWT nested one level
    // too deep is refused by the parser exactly like an unsigned one.
    let key = SigningKey::from_seed(&[9; 32]);
    let mut header = Map::new();
    header.insert("typ".into(), "dc+sd-jwt".into());
    let payload: Value = serde_json::from_str(&nested(MAX_JSON_DEPTH + 1)).unwrap();
    let token = jws::sign(header, &payload, &key).unwrap();
    assert_eq!(verify_code(&format!("{token}~")), "jws.payload_json");
}

/// The processing depth limit holds for a disclosed leaf as for a disclosed object: a digest
/// whose disclosure is a plain value, 65 containers down, is refused like one that opens an
/// object there (the payload here is built in memory, past the JSON reader's own limit).
#[test]
fn processing_depth_is_bounded_for_disclosed_leaves_too() {
    use wallet_core::sdjwt::{SdAlg, process};
    let leaf = b64_encode(serde_json::to_vec(&json!(["c2FsdA", "x", 1])).unwrap());
    let object = b64_encode(serde_json::to_vec(&json!(["c2FsdA", "x", {"y": 1}])).unwrap());
    for encoded in [&leaf, &object] {
        let disclosure = Disclosure::parse(encoded).unwrap();
        let nest = |levels: usize| {
            let mut inner = Map::new();
            inner.insert(
                "_sd".into(),
                json!([SdAlg::Sha256.digest(disclosure.encoded())]),
            );
            let mut value = Value::Object(inner);
            for _ in 0..levels {
                let mut outer = Map::new();
                outer.insert("a".into(), value);
                value = Value::Object(outer);
            }
            match value {
                Value::Object(map) => map,
                _ => unreachable!(),
            }
        };
        assert!(process(nest(40), std::slice::from_ref(&disclosure)).is_ok());
        let err = process(nest(65), std::slice::from_ref(&disclosure)).unwrap_err();
        assert_eq!(err.code(), "sdjwt.invalid_digests", "{encoded}");
    }
}

/// `hazmat::sdjwt::issue` returns its disclosures whole, however deep the disclosed value
/// (it used to read its own output back, which the JSON reader's depth limit refused after the
/// JWT was signed).
#[test]
fn issuance_keeps_deep_disclosed_values() {
    use wallet_core::hazmat::sdjwt::{IssueOptions, issue};
    use wallet_core::sdjwt::ClaimPath;
    let mut deep = json!(1);
    for _ in 0..40 {
        deep = json!([deep]);
    }
    let mut claims = Map::new();
    claims.insert("deep".into(), deep.clone());
    let options = IssueOptions {
        disclosable: vec![ClaimPath::top("deep")],
        ..IssueOptions::default()
    };
    let mut rng = <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::seed_from_u64(3);
    let key = SigningKey::from_seed(&[9; 32]);
    let (_, disclosures) = issue(Map::new(), &claims, &options, &key, &mut rng).unwrap();
    assert_eq!(disclosures.len(), 1);
    assert_eq!(disclosures[0].value(), &deep);
    assert_eq!(disclosures[0].name(), Some("deep"));
}
