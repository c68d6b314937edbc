//! KB-JWT verification (RFC 9901 §7.3). Mode 0: the input is a KB-JWT string checked against the
//! vector's presentation and holder key. Mode 1: the input is a KB-JWT payload, signed here with
//! the holder key (typ kb+jwt) so that the claim checks behind the signature are explored.
//! Mode 2: the input is a KB-JWT header, with a valid payload, signed here.
//! Oracle: an accepted KB-JWT carries exactly the expected audience, nonce and `sd_hash`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wallet_core::sdjwt::{KbExpectation, SdJwtParts, sd_hash, verify_kb_jwt};
use wallet_fuzz::{fixture, header, sign_raw};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let f = fixture();
    let Ok(parts) = SdJwtParts::split(&f.presentation) else {
        return;
    };
    let expect = KbExpectation {
        audience: f.aud.clone(),
        nonce: Some(f.nonce.clone()),
        max_age: 300,
    };
    let token = match mode % 3 {
        0 => match std::str::from_utf8(rest) {
            Ok(t) => t.to_owned(),
            Err(_) => return,
        },
        1 => sign_raw(&header("kb+jwt", None), rest, &f.holder),
        _ => {
            let payload = format!(
                "{{\"aud\":{:?},\"iat\":{},\"nonce\":{:?},\"sd_hash\":{:?}}}",
                f.aud,
                f.kb_iat,
                f.nonce,
                sd_hash(parts.without_kb)
            );
            sign_raw(rest, payload.as_bytes(), &f.holder)
        }
    };
    let holder = f.holder.verifying_key();
    if let Ok(claims) = verify_kb_jwt(&token, parts.without_kb, &holder, Some(&expect), f.now, 60) {
        assert_eq!(claims.aud, f.aud);
        assert_eq!(claims.nonce, f.nonce);
        assert_eq!(claims.sd_hash, sd_hash(parts.without_kb));
        assert!(claims.iat <= f.now + 60 && claims.iat >= f.now - 360);
    }
    let _ = verify_kb_jwt(&token, parts.without_kb, &holder, None, f.now, 60);
});
