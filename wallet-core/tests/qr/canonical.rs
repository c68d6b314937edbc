//! One spelling per presentation: the QR transport refuses every alternative encoding of a
//! valid payload — other DEFLATE streams for the same frame (stored blocks, another level, an
//! extra empty block, set padding bits) and non-canonical base45 — with a stable error code;
//! and every payload vector decodes to a presentation whose encoding is that payload again.
//! The refused spellings are kept as regression vectors in
//! `test-vectors/qr/non-canonical.json` (rewrite with `UPDATE_VECTORS=1`).

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use serde_json::Value;
use wallet_core::qr::transport;
use wallet_core::qr::transport::{DICTIONARY_V1, TransportError};

fn cases() -> Vec<(String, String)> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/qr/payloads.json");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    file["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["payload"].as_str().unwrap().to_owned(),
                c["presentation"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn varint(mut v: usize) -> Vec<u8> {
    let mut out = Vec::new();
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

/// (compressed structure, raw stream) of a payload, following docs/qr-format.md §2.
fn unpack(payload: &str) -> (Vec<u8>, Vec<u8>) {
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
    (
        packed[pos..pos + len].to_vec(),
        packed[pos + len..].to_vec(),
    )
}

fn pack(compressed: &[u8], raw: &[u8]) -> String {
    let mut packed = varint(compressed.len());
    packed.extend_from_slice(compressed);
    packed.extend_from_slice(raw);
    format!("CW1:{}", base45::encode(&packed))
}

/// Inflates with the dictionary; `None` unless the stream ends exactly at its last byte.
fn inflate(compressed: &[u8]) -> Option<Vec<u8>> {
    let mut d = Decompress::new(false);
    d.set_dictionary(DICTIONARY_V1).unwrap();
    let mut out = Vec::with_capacity(1 << 17);
    let status = d
        .decompress_vec(compressed, &mut out, FlushDecompress::Finish)
        .ok()?;
    (status == Status::StreamEnd && d.total_in() as usize == compressed.len()).then_some(out)
}

fn deflate_at(structure: &[u8], level: Compression) -> Vec<u8> {
    let mut c = Compress::new(level, false);
    c.set_dictionary(DICTIONARY_V1).unwrap();
    let mut out = Vec::with_capacity(structure.len() * 2 + 1024);
    c.compress_vec(structure, &mut out, FlushCompress::Finish)
        .unwrap();
    out
}

fn code(payload: &str) -> &'static str {
    transport::decode(payload).unwrap_err().code()
}

#[test]
fn every_payload_vector_is_its_own_reencoding() {
    let cases = cases();
    assert!(cases.len() >= 10);
    for (payload, presentation) in &cases {
        let decoded = transport::decode(payload).unwrap();
        assert_eq!(&decoded, presentation);
        // The committed vectors are version 1 (`CW1:`), which decoders keep reading.
        assert_eq!(
            &transport::encode_version(&decoded, transport::Version::V1).unwrap(),
            payload
        );
    }
}

#[test]
fn other_deflate_streams_of_the_canonical_frame_are_refused() {
    let mut refused = 0;
    for (payload, presentation) in cases() {
        let (compressed, raw) = unpack(&payload);
        let structure = inflate(&compressed).unwrap();
        assert_eq!(pack(&compressed, &raw), payload);

        // Stored blocks and other levels: same frame, other streams.
        for level in [0, 1, 6] {
            let other = deflate_at(&structure, Compression::new(level));
            if other != compressed {
                assert_eq!(
                    transport::decode(&pack(&other, &raw)).unwrap_err(),
                    TransportError::NonCanonicalDeflate,
                    "level {level} of {presentation:.40}"
                );
                refused += 1;
            }
        }

        // An empty non-final stored block first: BFINAL=0, BTYPE=00, aligned, LEN=0, NLEN=!0.
        let mut prefixed = vec![0x00, 0x00, 0x00, 0xff, 0xff];
        prefixed.extend_from_slice(&compressed);
        assert_eq!(inflate(&prefixed).as_deref(), Some(structure.as_slice()));
        assert_eq!(code(&pack(&prefixed, &raw)), "qr.non_canonical_deflate");
        refused += 1;

        // Padding bits after the final block: DEFLATE readers ignore them. Every bit of the last
        // byte that can be flipped without changing what inflates is such a bit.
        let mut padding_bits = 0;
        for bit in 0..8 {
            let mut padded = compressed.clone();
            *padded.last_mut().unwrap() ^= 1 << bit;
            if inflate(&padded).as_deref() == Some(structure.as_slice()) {
                assert_eq!(code(&pack(&padded, &raw)), "qr.non_canonical_deflate");
                padding_bits += 1;
            }
        }
        refused += padding_bits;
    }
    println!("{refused} alternative DEFLATE streams of canonical frames refused");
    assert!(refused > 40);
}

#[test]
fn non_canonical_base45_is_refused() {
    let (payload, _) = cases().into_iter().next().unwrap();
    let body = &payload[4..];
    // Lower case is outside the RFC 9285 alphabet, even where a lenient decoder would map it.
    let pos = body.find(|c: char| c.is_ascii_uppercase()).unwrap();
    let lower = format!(
        "CW1:{}{}{}",
        &body[..pos],
        body[pos..=pos].to_ascii_lowercase(),
        &body[pos + 1..]
    );
    assert_eq!(code(&lower), "qr.base45");
    // A three-character group above 65535 ("GGW" = 16 + 16·45 + 32·45² = 65536).
    assert_eq!(code(&format!("CW1:GGW{}", &body[3..])), "qr.base45");
    // A final two-character group above 255 ("GG" = 736) and a dangling single character.
    let trimmed = &body[..body.len() - body.len() % 3];
    assert_eq!(code(&format!("CW1:{trimmed}GG")), "qr.base45");
    assert_eq!(code(&format!("CW1:{trimmed}A")), "qr.base45");
    // Characters around the text, and characters from outside the alphabet inside it.
    for variant in [
        format!("{payload} "),
        format!("{payload}\n"),
        format!("CW1: {body}"),
        format!("CW1:{}={}", &body[..3], &body[3..]),
        format!("CW1:{}_{}", &body[..3], &body[4..]),
    ] {
        assert!(transport::decode(&variant).is_err(), "{variant:.40}");
    }
    // The prefix is case-sensitive too.
    assert_eq!(code(&format!("cw1:{body}")), "qr.not_a_payload");
}

#[test]
fn a_payload_decodes_only_if_it_is_the_encoding_of_what_it_decodes_to() {
    // Every one-bit change of the packed bytes either fails or decodes to something whose
    // encoding is exactly the changed payload (there is no second spelling to find).
    let (payload, _) = cases().into_iter().next().unwrap();
    let packed = base45::decode(&payload[4..]).unwrap();
    let mut decoded_other = 0;
    for i in 0..packed.len() * 8 {
        let mut p = packed.clone();
        p[i / 8] ^= 1 << (i % 8);
        let variant = format!("CW1:{}", base45::encode(&p));
        if let Ok(text) = transport::decode(&variant) {
            assert_eq!(
                transport::encode_version(&text, transport::Version::V1).unwrap(),
                variant
            );
            decoded_other += 1;
        }
    }
    println!("{decoded_other} one-bit variants decode (each to a different presentation)");
}

/// The alternative spellings of the first payload vectors, each with the code it must get.
fn non_canonical_cases() -> Vec<Value> {
    let mut out = Vec::new();
    for (payload, _) in cases().into_iter().take(3) {
        let (compressed, raw) = unpack(&payload);
        let structure = inflate(&compressed).unwrap();
        let mut push = |why: &str, variant: String, code: &str| {
            out.push(serde_json::json!({"why": why, "payload": variant, "error": code}));
        };
        let stored = deflate_at(&structure, Compression::new(0));
        push(
            "the canonical frame in stored (uncompressed) DEFLATE blocks",
            pack(&stored, &raw),
            "qr.non_canonical_deflate",
        );
        let fast = deflate_at(&structure, Compression::new(1));
        push(
            "the canonical frame compressed at level 1 (other matches)",
            pack(&fast, &raw),
            "qr.non_canonical_deflate",
        );
        let mut prefixed = vec![0x00, 0x00, 0x00, 0xff, 0xff];
        prefixed.extend_from_slice(&compressed);
        push(
            "an empty non-final stored block before the canonical stream",
            pack(&prefixed, &raw),
            "qr.non_canonical_deflate",
        );
        if let Some(bit) = (0..8).rev().find(|bit| {
            let mut p = compressed.clone();
            *p.last_mut().unwrap() ^= 1 << bit;
            inflate(&p).as_deref() == Some(structure.as_slice())
        }) {
            let mut padded = compressed.clone();
            *padded.last_mut().unwrap() ^= 1 << bit;
            push(
                "a padding bit after the final DEFLATE block set",
                pack(&padded, &raw),
                "qr.non_canonical_deflate",
            );
        }
        let body = &payload[4..];
        let pos = body.find(|c: char| c.is_ascii_uppercase()).unwrap();
        push(
            "one base45 letter in lower case",
            format!(
                "CW1:{}{}{}",
                &body[..pos],
                body[pos..=pos].to_ascii_lowercase(),
                &body[pos + 1..]
            ),
            "qr.base45",
        );
        push(
            "a base45 group above 65535",
            format!("CW1:GGW{}", &body[3..]),
            "qr.base45",
        );
    }
    out
}

#[test]
fn non_canonical_payload_vectors() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../test-vectors/qr/non-canonical.json");
    let cases = non_canonical_cases();
    let file = serde_json::json!({
        "description": "QR payloads that decode under a lenient reader to a valid presentation, but are not its one canonical spelling (docs/qr-format.md §6); each must be refused with the given error code",
        "cases": cases,
    });
    if std::env::var_os("UPDATE_VECTORS").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(&file).unwrap() + "\n").unwrap();
    }
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        committed, file,
        "test-vectors/qr/non-canonical.json is out of date: rerun with UPDATE_VECTORS=1"
    );
    for case in committed["cases"].as_array().unwrap() {
        let payload = case["payload"].as_str().unwrap();
        assert_eq!(
            transport::decode(payload).unwrap_err().code(),
            case["error"].as_str().unwrap(),
            "{}",
            case["why"]
        );
    }
    println!("{} non-canonical QR payload vectors refused", cases.len());
}
