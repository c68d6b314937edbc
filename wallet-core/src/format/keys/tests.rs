//! Tests across algorithms (P-256 and SM2 beside Ed25519): RFC 6979 and GM/T 0003.5 known
//! answers, JWK/PEM round trips for every algorithm, OpenSSL-written keys, EC point validation
//! and signature range rules.

use super::private::PrivateInner;
use super::*;
use crate::encoding::{b64_decode_array, b64_encode};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn ec_jwk(crv: &str, x: &[u8], y: &[u8]) -> Value {
    json!({"kty":"EC","crv":crv,"x":b64_encode(x),"y":b64_encode(y)})
}

/// P-256 order n, big-endian.
const P256_N: &str = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";
/// P-256 field prime p, big-endian.
const P256_P: &str = "FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF";
/// SM2 order n, big-endian (GM/T 0003.5).
const SM2_N: &str = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123";

/// RFC 6979 §A.2.5: the P-256 key, and its deterministic SHA-256 signature over "sample".
#[test]
fn p256_rfc6979_known_answer() {
    let d = "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";
    let ux = "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6";
    let uy = "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";
    let mut jwk = ec_jwk("P-256", &hex(ux), &hex(uy));
    jwk["d"] = json!(b64_encode(hex(d)));
    let key = PrivateKey::from_jwk(&jwk).unwrap();
    assert_eq!(key.algorithm(), Algorithm::Es256);
    let sig = key.sign(b"sample").unwrap();
    let expected = hex(concat!(
        "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
        "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"
    ));
    assert_eq!(sig.to_vec(), expected);
    let public = PublicKey::from_jwk(&ec_jwk("P-256", &hex(ux), &hex(uy))).unwrap();
    assert_eq!(public, key.public_key());
    assert!(public.verify(b"sample", &sig));
    assert!(!public.verify(b"samplf", &sig));
}

/// GM/T 0003.5 (GB/T 32918.5) Annex A: the SM2 signature example on the recommended curve
/// with ID 1234567812345678 over "message digest" (made with a fixed k, so it is checked
/// by verification, not reproduced).
#[test]
fn sm2_standard_example_verifies() {
    let xa = "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020";
    let ya = "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13";
    let public = PublicKey::from_jwk(&ec_jwk("SM2", &hex(xa), &hex(ya))).unwrap();
    assert_eq!(public.algorithm(), Algorithm::Sm2);
    let sig: [u8; 64] = hex(concat!(
        "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3",
        "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"
    ))
    .try_into()
    .unwrap();
    assert!(public.verify(b"message digest", &sig));
    assert!(!public.verify(b"message digesu", &sig));
    // The example's own k reproduces its r and s exactly (our signing steps A4–A7).
    let d = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8";
    let mut jwk = ec_jwk("SM2", &hex(xa), &hex(ya));
    jwk["d"] = json!(b64_encode(hex(d)));
    let PrivateInner::Sm2(sm) = PrivateKey::from_jwk(&jwk).unwrap().0 else {
        panic!("not SM2")
    };
    let k: [u8; 32] = hex("59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21")
        .try_into()
        .unwrap();
    let k = {
        use primeorder::elliptic_curve::ff::PrimeField as _;
        sm2::Scalar::from_repr(k.into()).unwrap()
    };
    let e = sm.signing.e(b"message digest");
    assert_eq!(sm.signing.sign_with(e, k).unwrap(), sig);
    // The private key of the example signs, and its signature verifies.
    let d = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8";
    let mut jwk = ec_jwk("SM2", &hex(xa), &hex(ya));
    jwk["d"] = json!(b64_encode(hex(d)));
    let key = PrivateKey::from_jwk(&jwk).unwrap();
    assert_eq!(key.public_key(), public);
    let ours = key.sign(b"message digest").unwrap();
    assert!(public.verify(b"message digest", &ours));
}

fn seeded(alg: Algorithm, seed: u64) -> PrivateKey {
    use rand_core::SeedableRng as _;
    PrivateKey::generate(alg, &mut rand_chacha::ChaCha20Rng::seed_from_u64(seed)).unwrap()
}

#[test]
fn every_algorithm_roundtrips_jwk_pem_and_signs() {
    for alg in Algorithm::ALL {
        let key = seeded(alg, 17);
        assert_eq!(key.algorithm(), alg);
        let public = key.public_key();
        assert_eq!(public.algorithm(), alg);
        // Private JWK, public JWK, PEM.
        let back = PrivateKey::from_jwk_str(&key.to_jwk_string()).unwrap();
        assert_eq!(back.public_key(), public);
        assert_eq!(
            PublicKey::from_jwk(&public.to_jwk()).unwrap(),
            public,
            "{alg}"
        );
        let pem = key.to_pkcs8_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let from_pem = PrivateKey::from_text(&pem).unwrap();
        assert_eq!(from_pem.public_key(), public);
        assert_eq!(from_pem.algorithm(), alg);
        // A private JWK is not a public one.
        assert_eq!(
            PublicKey::from_jwk_str(&key.to_jwk_string())
                .unwrap_err()
                .code(),
            "key.private_in_public"
        );
        // Signatures verify under the key only.
        let sig = key.sign(b"message").unwrap();
        assert!(public.verify(b"message", &sig));
        assert!(!seeded(alg, 18).public_key().verify(b"message", &sig));
        // Thumbprint: SHA-256 of the members RFC 7638 requires, sorted, no whitespace.
        let canonical = serde_json::to_string(&public.to_jwk()).unwrap();
        let expected_prefix = match alg {
            Algorithm::EdDsa => r#"{"crv":"Ed25519","kty":"OKP","x":""#,
            Algorithm::Es256 => r#"{"crv":"P-256","kty":"EC","x":""#,
            Algorithm::Sm2 => r#"{"crv":"SM2","kty":"EC","x":""#,
        };
        assert!(canonical.starts_with(expected_prefix), "{canonical}");
        assert_eq!(
            public.thumbprint(),
            b64_encode(Sha256::digest(canonical.as_bytes()))
        );
        // Debug shows no secret.
        let shown = format!("{key:?}");
        let d = serde_json::from_str::<Value>(&key.to_jwk_string()).unwrap()["d"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(!shown.contains(&d) && shown.contains("redacted"), "{shown}");
    }
    // The Ed25519 key's PEM is byte-for-byte the v1 form `SigningKey` writes.
    let ed = SigningKey::from_seed(&[3; 32]);
    assert_eq!(
        PrivateKey::from(ed.clone())
            .to_pkcs8_pem()
            .unwrap()
            .as_str(),
        ed.to_pkcs8_pem().as_str()
    );
}

/// Keys written by `openssl genpkey` (OpenSSL 3.0): id-ecPublicKey with prime256v1, and
/// with the SM2 curve OID.
#[test]
fn openssl_pems_are_read() {
    const P256_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgCqaKfXcbdnF8M2pk
NM0gk0Qw7dN38aYbj6EuA3ncUtqhRANCAAQO1+xo0cWtZVzvNk+7cVgLgVLAObZH
8nZLVwJh9MbFbkEzweDhJ2j5Nvu1eMxT92IALEahpu+TwNFxQzo2iGaj
-----END PRIVATE KEY-----
";
    const SM2_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQgAAne8jLrhGSXstIZ
b55BUv5vrr5tSG8MuFEpg8mn7AmhRANCAATtkGk3eG7dMs0g7swEUje0dcFnOvVw
DzBRqsgwPqJ0sQWzWQVeP9fljDR+LHqbHEOj16PgJ/7REoQOcqc5o41O
-----END PRIVATE KEY-----
";
    let p256 = PrivateKey::from_pkcs8_pem(P256_PEM).unwrap();
    assert_eq!(p256.algorithm(), Algorithm::Es256);
    // The public point embedded by OpenSSL is the one derived from d.
    assert_eq!(
        p256.public_key().to_jwk()["x"],
        json!(b64_encode(hex(
            "0ED7EC68D1C5AD655CEF364FBB71580B8152C039B647F2764B570261F4C6C56E"
        )))
    );
    let sm2 = PrivateKey::from_pkcs8_pem(SM2_PEM).unwrap();
    assert_eq!(sm2.algorithm(), Algorithm::Sm2);
    assert_eq!(
        sm2.public_key().to_jwk()["x"],
        json!(b64_encode(hex(
            "ED906937786EDD32CD20EECC045237B475C1673AF5700F3051AAC8303EA274B1"
        )))
    );
    assert_eq!(
        PrivateKey::from_pkcs8_pem("garbage").unwrap_err().code(),
        "key.invalid_pem"
    );
}

#[test]
fn ec_public_keys_are_validated() {
    for (crv, alg) in [("P-256", Algorithm::Es256), ("SM2", Algorithm::Sm2)] {
        let jwk = seeded(alg, 5).public_key().to_jwk();
        let x = b64_decode_array::<32>(jwk["x"].as_str().unwrap()).unwrap();
        let y = b64_decode_array::<32>(jwk["y"].as_str().unwrap()).unwrap();
        // Coordinates of 31 and 33 bytes.
        for bad in [&x[..31], &[&[0u8][..], &x[..]].concat()[..]] {
            assert_eq!(
                PublicKey::from_jwk(&ec_jwk(crv, bad, &y)).unwrap_err(),
                KeyError::Encoding("x")
            );
            assert_eq!(
                PublicKey::from_jwk(&ec_jwk(crv, &x, bad)).unwrap_err(),
                KeyError::Encoding("y")
            );
        }
        // Off the curve.
        let mut y1 = y;
        y1[31] ^= 1;
        assert_eq!(
            PublicKey::from_jwk(&ec_jwk(crv, &x, &y1)).unwrap_err(),
            KeyError::InvalidPoint
        );
        // The identity has no affine coordinates; (0, 0) is not on either curve.
        assert_eq!(
            PublicKey::from_jwk(&ec_jwk(crv, &[0; 32], &[0; 32])).unwrap_err(),
            KeyError::InvalidPoint
        );
        // Missing y, wrong alg member, wrong kty.
        let mut no_y = jwk.clone();
        no_y.as_object_mut().unwrap().remove("y");
        assert_eq!(
            PublicKey::from_jwk(&no_y).unwrap_err().code(),
            "key.invalid_jwk"
        );
        let mut wrong_alg = jwk.clone();
        wrong_alg["alg"] = json!(if alg == Algorithm::Sm2 {
            "ES256"
        } else {
            "SM2"
        });
        assert_eq!(
            PublicKey::from_jwk(&wrong_alg).unwrap_err().code(),
            "key.algorithm_mismatch"
        );
        let mut right_alg = jwk.clone();
        right_alg["alg"] = json!(alg.jws_name());
        assert!(PublicKey::from_jwk(&right_alg).is_ok());
        // The Ed25519-only type keeps refusing EC keys.
        assert_eq!(
            VerifyingKey::from_jwk(&jwk).unwrap_err().code(),
            "key.unsupported_key_type"
        );
    }
    // A P-256 coordinate equal to p (not reduced) is refused even though p mod p = 0.
    let p: [u8; 32] = hex(P256_P).try_into().unwrap();
    assert_eq!(
        PublicKey::from_jwk(&ec_jwk("P-256", &p, &[1; 32])).unwrap_err(),
        KeyError::InvalidPoint
    );
    assert_eq!(
        PublicKey::from_jwk(&json!({"kty":"EC","crv":"P-384","x":"AA","y":"AA"}))
            .unwrap_err()
            .code(),
        "key.unsupported_key_type"
    );
    // A private EC JWK whose public part belongs to another key.
    let key = seeded(Algorithm::Es256, 1);
    let mut mixed: Value = serde_json::from_str(&key.to_jwk_string()).unwrap();
    mixed["x"] = seeded(Algorithm::Es256, 2).public_key().to_jwk()["x"].clone();
    mixed["y"] = seeded(Algorithm::Es256, 2).public_key().to_jwk()["y"].clone();
    assert_eq!(
        PrivateKey::from_jwk(&mixed).unwrap_err().code(),
        "key.mismatch"
    );
}

/// (a - b) mod m on 32-byte big-endian numbers, a < m, b <= m.
fn sub_mod(a: &[u8], b: &[u8], m: &[u8]) -> [u8; 32] {
    let (mut out, mut borrow) = ([0u8; 32], 0i16);
    // a + m - b, then reduce once if >= m.
    let mut sum = [0u16; 33];
    let mut carry = 0u16;
    for i in (0..32).rev() {
        let v = u16::from(a[i]) + u16::from(m[i]) + carry;
        sum[i + 1] = v & 0xff;
        carry = v >> 8;
    }
    sum[0] = carry;
    let mut diff = [0i16; 33];
    for i in (0..33).rev() {
        let bi = if i == 0 { 0 } else { i16::from(b[i - 1]) };
        let mut v = sum[i] as i16 - bi - borrow;
        borrow = 0;
        if v < 0 {
            v += 256;
            borrow = 1;
        }
        diff[i] = v;
    }
    for i in 0..32 {
        out[i] = diff[i + 1] as u8;
    }
    if diff[0] > 0 || out.as_slice() >= m {
        let mut borrow = 0i16;
        for i in (0..32).rev() {
            let mut v = i16::from(out[i]) - i16::from(m[i]) - borrow;
            borrow = 0;
            if v < 0 {
                v += 256;
                borrow = 1;
            }
            out[i] = v as u8;
        }
    }
    out
}

#[test]
fn ec_signature_ranges() {
    for (alg, n) in [
        (Algorithm::Es256, hex(P256_N)),
        (Algorithm::Sm2, hex(SM2_N)),
    ] {
        let key = seeded(alg, 9);
        let public = key.public_key();
        let sig = key.sign(b"range").unwrap();
        assert!(public.verify(b"range", &sig));
        // r = 0, s = 0, r = n, s = n: outside [1, n-1].
        for (offset, value) in [(0, [0u8; 32]), (32, [0u8; 32])] {
            let mut bad = sig;
            bad[offset..offset + 32].copy_from_slice(&value);
            assert!(!public.verify(b"range", &bad), "{alg} zero at {offset}");
        }
        for offset in [0, 32] {
            let mut bad = sig;
            bad[offset..offset + 32].copy_from_slice(&n);
            assert!(!public.verify(b"range", &bad), "{alg} n at {offset}");
        }
        // s + n does not fit: s' = n - s is the other S.
        let other_s = sub_mod(&[0u8; 32], &sig[32..], &n);
        let mut flipped = sig;
        flipped[32..].copy_from_slice(&other_s);
        match alg {
            // ECDSA: (r, n - s) is valid too; high S is accepted (RFC 7518 does not
            // require low S, and other ES256 signers produce it).
            Algorithm::Es256 => assert!(public.verify(b"range", &flipped)),
            // SM2 has no such symmetry.
            _ => assert!(!public.verify(b"range", &flipped)),
        }
        // Truncated: the JWS layer refuses anything but 64 bytes; DER where r||s is
        // expected does not parse as two scalars below n.
        let der = signature_to_der(&sig);
        assert_eq!(signature_from_der(&der).unwrap(), sig);
        if let Ok(as_raw) = <[u8; 64]>::try_from(&der[..64]) {
            assert!(!public.verify(b"range", &as_raw));
        }
    }
    // SM2: (r + s) mod n = 0 is refused (GM/T 0003.2 B5), with r valid.
    let key = seeded(Algorithm::Sm2, 9);
    let sig = key.sign(b"range").unwrap();
    let n = hex(SM2_N);
    let mut bad = sig;
    bad[32..].copy_from_slice(&sub_mod(&[0u8; 32], &sig[..32], &n));
    assert!(!key.public_key().verify(b"range", &bad));
    // SM2 signed under another distinguishing ID does not verify under the fixed one.
    let d: [u8; 32] = b64_decode_array(
        serde_json::from_str::<Value>(&key.to_jwk_string()).unwrap()["d"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let secret = sm2::SecretKey::from_slice(&d).unwrap();
    let other_id = sm2::dsa::SigningKey::new("ALICE123@YAHOO.COM", &secret).unwrap();
    let sig: sm2::dsa::Signature = sm2::dsa::signature::Signer::sign(&other_id, b"range");
    assert!(!key.public_key().verify(b"range", &sig.to_bytes()));
    let same_id = sm2::dsa::SigningKey::new(SM2_DISTINGUISHING_ID, &secret).unwrap();
    let sig: sm2::dsa::Signature = sm2::dsa::signature::Signer::sign(&same_id, b"range");
    assert!(key.public_key().verify(b"range", &sig.to_bytes()));
}
