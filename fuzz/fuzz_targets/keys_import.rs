//! JWK / PEM key import. Mode 0: the input is text read as a public JWK, a private JWK, a
//! PKCS#8 PEM and "any key text". Mode 1: the input is a 32-byte point. Oracles: an imported
//! private key exports to JWK and PEM that import back to the same key; an imported public key
//! re-imports from its own JWK with the same thumbprint.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wallet_core::keys::{SigningKey, VerifyingKey};

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

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 1 {
        if let Ok(bytes) = <[u8; 32]>::try_from(rest) {
            if let Ok(key) = VerifyingKey::from_bytes(&bytes) {
                let again = VerifyingKey::from_jwk(&key.to_jwk()).expect("own JWK");
                assert_eq!(again.thumbprint(), key.thumbprint());
            }
        }
        return;
    }
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if let Ok(key) = VerifyingKey::from_jwk_str(text) {
        let again = VerifyingKey::from_jwk(&key.to_jwk()).expect("own JWK");
        assert_eq!(again, key);
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
});
