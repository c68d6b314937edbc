//! JWK / PEM key import, for every algorithm (Ed25519, P-256, SM2). Mode 0: the input is text
//! read as a public JWK, a private JWK, a PKCS#8 PEM and "any key text", by the Ed25519-only
//! types and by the any-algorithm `PublicKey` / `PrivateKey`. Mode 1: the input is a 32-byte
//! Ed25519 point. Modes 2 and 3: the input is x ‖ y (32 bytes each) of a P-256 or SM2 public key,
//! read as a JWK (the point validation: coordinates below p, on the curve, not the identity).
//! Oracles: an imported private key exports to JWK and PEM that import back to the same key, and
//! its signature verifies under its public key; an imported public key re-imports from its own
//! JWK with the same thumbprint and algorithm.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wallet_core::b64_encode;
use wallet_core::keys::{PrivateKey, PublicKey, SigningKey, VerifyingKey};

fn private_roundtrip(key: &SigningKey) {
    let public = key.verifying_key();
    let jwk = key.to_jwk_string();
    let pem = key.to_pkcs8_pem();
    assert_eq!(
        SigningKey::from_jwk_str(&jwk)
            .expect("own JWK")
            .verifying_key(),
        public
    );
    assert_eq!(
        SigningKey::from_pkcs8_pem(&pem)
            .expect("own PEM")
            .verifying_key(),
        public
    );
}

fn any_private_roundtrip(key: &PrivateKey) {
    let public = key.public_key();
    let jwk = key.to_jwk_string();
    assert_eq!(
        PrivateKey::from_jwk_str(&jwk)
            .expect("own JWK")
            .public_key(),
        public
    );
    let pem = key.to_pkcs8_pem().expect("PEM of an imported key");
    let again = PrivateKey::from_pkcs8_pem(&pem).expect("own PEM");
    assert_eq!(again.public_key(), public);
    assert_eq!(again.algorithm(), key.algorithm());
    let signature = key
        .sign(b"keys_import")
        .expect("signing with an imported key");
    assert!(public.verify(b"keys_import", &signature));
}

fn any_public_roundtrip(key: &PublicKey) {
    let again = PublicKey::from_jwk(&key.to_jwk()).expect("own JWK");
    assert_eq!(&again, key);
    assert_eq!(again.algorithm(), key.algorithm());
    assert_eq!(again.thumbprint(), key.thumbprint());
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        1 => {
            if let Ok(bytes) = <[u8; 32]>::try_from(rest)
                && let Ok(key) = VerifyingKey::from_bytes(&bytes)
            {
                let again = VerifyingKey::from_jwk(&key.to_jwk()).expect("own JWK");
                assert_eq!(again.thumbprint(), key.thumbprint());
            }
            return;
        }
        m @ (2 | 3) => {
            if rest.len() == 64 {
                let (x, y) = rest.split_at(32);
                let crv = if m == 2 { "P-256" } else { "SM2" };
                let jwk = serde_json::json!({"kty": "EC", "crv": crv, "x": b64_encode(x), "y": b64_encode(y)});
                if let Ok(key) = PublicKey::from_jwk(&jwk) {
                    assert_eq!(key.to_jwk(), jwk);
                    any_public_roundtrip(&key);
                }
            }
            return;
        }
        _ => {}
    }
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if let Ok(key) = VerifyingKey::from_jwk_str(text) {
        let again = VerifyingKey::from_jwk(&key.to_jwk()).expect("own JWK");
        assert_eq!(again, key);
    }
    if let Ok(key) = PublicKey::from_jwk_str(text) {
        any_public_roundtrip(&key);
    }
    for key in [
        SigningKey::from_jwk_str(text),
        SigningKey::from_pkcs8_pem(text),
        SigningKey::from_text(text),
    ]
    .into_iter()
    .flatten()
    {
        private_roundtrip(&key);
    }
    for key in [
        PrivateKey::from_jwk_str(text),
        PrivateKey::from_pkcs8_pem(text),
        PrivateKey::from_text(text),
    ]
    .into_iter()
    .flatten()
    {
        any_private_roundtrip(&key);
    }
});
