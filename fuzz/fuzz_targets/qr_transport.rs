//! QR transport decode (docs/qr-format.md). Mode 0: the input is payload text. Mode 1: the input
//! is the packed bytes under base45. Mode 2: the input is a frame (u16 little-endian structure
//! length, structure, raw stream) compressed here with the canonical compressor, which is what
//! lets the fuzzer reach the frame reader. Mode 3: the input is a presentation to encode.
//! The mode byte's bit 2 picks the version for modes 1 and 2 (clear: `CW1:`, set: `CW2:`, with
//! its dictionary), so that the version-1 seeds keep their meaning and version 2's frame reader
//! (digest algorithm byte, compressed EC points) is reached too; mode 3 encodes in both.
//! Oracles: a decoded payload is the one canonical encoding of its presentation in its version
//! (re-encoding gives the same text), and encode → decode gives back the presentation exactly.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wallet_core::qr::transport::{Version, decode, encode, encode_version};
use wallet_fuzz::qr_payload_from_frame_version;

fn decode_canonical(payload: &str) {
    if let Ok(presentation) = decode(payload) {
        let version = if payload.starts_with("CW1:") {
            Version::V1
        } else {
            Version::V2
        };
        assert_eq!(
            encode_version(&presentation, version).as_deref(),
            Ok(payload),
            "non-canonical payload accepted"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let version = if mode & 4 == 0 {
        Version::V1
    } else {
        Version::V2
    };
    match mode % 4 {
        0 => {
            if let Ok(text) = std::str::from_utf8(rest) {
                decode_canonical(text);
            }
        }
        1 => decode_canonical(&format!("{}{}", version.prefix(), base45::encode(rest))),
        2 => {
            let Some((len, frame)) = rest.split_first_chunk::<2>() else {
                return;
            };
            let n = usize::from(u16::from_le_bytes(*len)).min(frame.len());
            let (structure, raw) = frame.split_at(n);
            decode_canonical(&qr_payload_from_frame_version(structure, raw, version));
        }
        _ => {
            if let Ok(text) = std::str::from_utf8(rest) {
                if let Ok(payload) = encode(text) {
                    assert_eq!(decode(&payload).as_deref(), Ok(text), "transport lost data");
                }
                if let Ok(payload) = encode_version(text, Version::V1) {
                    assert_eq!(decode(&payload).as_deref(), Ok(text), "transport lost data");
                }
            }
        }
    }
});
