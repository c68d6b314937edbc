//! QR transport decode (docs/qr-format.md). Mode 0: the input is payload text. Mode 1: the input
//! is the packed bytes under base45. Mode 2: the input is a frame (u16 little-endian structure
//! length, structure, raw stream) compressed here with the canonical compressor, which is what
//! lets the fuzzer reach the frame reader. Mode 3: the input is a presentation to encode.
//! Oracles: a decoded payload is the one canonical encoding of its presentation (re-encoding
//! gives the same text), and encode → decode gives back the presentation exactly.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wallet_core::qr::transport::{decode, encode};
use wallet_fuzz::qr_payload_from_frame;

fn decode_canonical(payload: &str) {
    if let Ok(presentation) = decode(payload) {
        assert_eq!(
            encode(&presentation).as_deref(),
            Ok(payload),
            "non-canonical payload accepted"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        0 => {
            if let Ok(text) = std::str::from_utf8(rest) {
                decode_canonical(text);
            }
        }
        1 => decode_canonical(&format!("CW1:{}", base45::encode(rest))),
        2 => {
            let Some((len, frame)) = rest.split_first_chunk::<2>() else {
                return;
            };
            let n = usize::from(u16::from_le_bytes(*len)).min(frame.len());
            let (structure, raw) = frame.split_at(n);
            decode_canonical(&qr_payload_from_frame(structure, raw));
        }
        _ => {
            if let Ok(text) = std::str::from_utf8(rest) {
                if let Ok(payload) = encode(text) {
                    assert_eq!(decode(&payload).as_deref(), Ok(text), "transport lost data");
                }
            }
        }
    }
});
