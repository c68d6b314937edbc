//! SD-JWT parse + verify. Mode 0: the input is a presentation string, verified like a scanned
//! one (and also taken apart without the signature gate: JWS, disclosures, RFC 9901 §7.1
//! processing, registered claims). Mode 1: the input is an issuer payload and disclosure JSON
//! texts separated by NUL bytes; the harness signs the payload with the vector's issuer key,
//! base64url-encodes the disclosures and adds a valid KB-JWT, so the fuzzer explores the code
//! behind the signature. Modes 3 and 5 do the same with the P-256 and SM2 issuer and holder keys
//! of test-vectors/algorithms (ES256 / SM2 signatures and KB-JWTs). Oracle: an accepted presentation survives the QR transport unchanged.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wallet_core::b64_encode;
use wallet_core::credential::RegisteredClaims;
use wallet_core::jws::Jws;
use wallet_core::keys::KeySigner;
use wallet_core::qr::transport;
use wallet_core::sdjwt;
use wallet_core::sdjwt::{Disclosure, SdJwtParts};
use wallet_core::verifier::verify_presentation;
use wallet_fuzz::{fixture, header_any, sign_raw_any, split_bytes};

fn check(presentation: &str) {
    let f = fixture();
    if let Ok(report) = verify_presentation(presentation, &f.issuers, &f.policy) {
        // Whatever verifies must be carried losslessly by the QR transport.
        if let Ok(payload) = transport::encode(presentation) {
            assert_eq!(transport::decode(&payload).as_deref(), Ok(presentation));
        }
        assert!(report.key_binding.is_some());
    }
}

fn unsigned_paths(presentation: &str) {
    let Ok(parts) = SdJwtParts::split(presentation) else {
        return;
    };
    let Ok(jwt) = Jws::parse(parts.jwt) else {
        return;
    };
    let Ok(payload) = jwt.payload() else {
        return;
    };
    let _ = RegisteredClaims::from_payload(&payload).map(|r| r.check_time(0, 60));
    let disclosures: Result<Vec<_>, _> = parts
        .disclosures
        .iter()
        .map(|d| Disclosure::parse(d))
        .collect();
    if let Ok(disclosures) = disclosures {
        let _ = sdjwt::process(payload, &disclosures);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let f = fixture();
    if mode % 2 == 0 {
        if let Ok(text) = std::str::from_utf8(rest) {
            check(text);
            unsigned_paths(text);
        }
        return;
    }
    let pieces = split_bytes(rest, 0, 64);
    let Some((payload, disclosures)) = pieces.split_first() else {
        return;
    };
    // Odd modes: 1 Ed25519, 3 P-256, 5 SM2 (issuer and holder of the same algorithm).
    let (issuer, holder): (&dyn KeySigner, &dyn KeySigner) = match (mode / 2) % 3 {
        0 => (&f.issuer, &f.holder),
        n => {
            let (i, h) = &f.ec[usize::from(n - 1)];
            (i, h)
        }
    };
    let hdr = header_any("dc+sd-jwt", issuer);
    let mut without_kb = sign_raw_any(&hdr, payload, issuer);
    without_kb.push('~');
    for d in disclosures {
        without_kb.push_str(&b64_encode(d));
        without_kb.push('~');
    }
    let Ok(kb) = sdjwt::create_kb_jwt(&without_kb, &f.aud, &f.nonce, f.kb_iat, holder) else {
        return;
    };
    let presentation = format!("{without_kb}{kb}");
    check(&presentation);
    unsigned_paths(&presentation);
});
