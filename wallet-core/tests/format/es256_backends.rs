//! ES256 has two verification backends (docs/performance.md, "Key algorithms"): `ring`'s P-256
//! assembly on x86-64/AArch64 servers and desktops, `p256`'s portable Rust on the phones and in
//! wasm32. Here, on the native build, [`PublicKey::verify`] (ring) and `p256` decide every case
//! alike: valid signatures over random messages and keys, the high-S twin of each, every one-bit
//! change of signature and message, r or s set to 0, n, n + 1 and 2²⁵⁶ − 1, and all 262
//! Wycheproof P-256/SHA-256 P1363 cases. A case where the two differ names itself.

use crate::support::bigint::sub_be;
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore as _, SeedableRng as _};
use serde_json::json;
use wallet_core::b64_encode;
use wallet_core::keys::PublicKey;

/// The group order n of P-256 (FIPS 186-4 D.1.2.3), big-endian.
const N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// Both backends' decisions on one case: (ours, p256's).
fn decide(x: &[u8], y: &[u8], msg: &[u8], sig: &[u8]) -> (bool, bool) {
    let ours = PublicKey::from_jwk(&json!({
        "kty": "EC", "crv": "P-256", "x": b64_encode(x), "y": b64_encode(y),
    }))
    .ok()
    .zip(<&[u8; 64]>::try_from(sig).ok())
    .is_some_and(|(k, s)| k.verify(msg, s));
    let mut sec1 = vec![4u8];
    sec1.extend_from_slice(x);
    sec1.extend_from_slice(y);
    let portable = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
        .ok()
        .zip(p256::ecdsa::Signature::from_slice(sig).ok())
        .is_some_and(|(k, s)| k.verify(msg, &s).is_ok());
    (ours, portable)
}

#[test]
fn ring_and_p256_decide_alike() {
    let mut rng = ChaCha20Rng::seed_from_u64(0x256);
    let (mut cases, mut accepted) = (0usize, 0usize);
    let mut check = |x: &[u8], y: &[u8], msg: &[u8], sig: &[u8], what: &str| {
        let (ours, portable) = decide(x, y, msg, sig);
        assert_eq!(ours, portable, "backends differ on {what}");
        cases += 1;
        accepted += usize::from(ours);
    };
    for key_no in 0..24 {
        let key = p256::ecdsa::SigningKey::random(&mut rng);
        let point = key.verifying_key().to_encoded_point(false);
        let (x, y) = (point.x().unwrap().to_vec(), point.y().unwrap().to_vec());
        let mut msg = vec![0u8; 1 + (rng.next_u32() % 1200) as usize];
        rng.fill_bytes(&mut msg);
        let sig: p256::ecdsa::Signature = key.sign(&msg);
        let sig = sig.to_bytes().to_vec();
        check(&x, &y, &msg, &sig, &format!("key {key_no}: the signature"));
        let mut high = sig.clone();
        high[32..].copy_from_slice(&sub_be(&N, &sig[32..]));
        check(
            &x,
            &y,
            &msg,
            &high,
            &format!("key {key_no}: its high-S twin"),
        );
        for bit in 0..sig.len() * 8 {
            let mut t = sig.clone();
            t[bit / 8] ^= 1 << (bit % 8);
            check(
                &x,
                &y,
                &msg,
                &t,
                &format!("key {key_no}: signature bit {bit}"),
            );
        }
        for bit in (0..msg.len() * 8).step_by(7) {
            let mut m = msg.clone();
            m[bit / 8] ^= 1 << (bit % 8);
            check(
                &x,
                &y,
                &m,
                &sig,
                &format!("key {key_no}: message bit {bit}"),
            );
        }
        let mut n_plus_1 = N;
        n_plus_1[31] += 1;
        for (name, value) in [
            ("0", [0u8; 32]),
            ("n", N),
            ("n + 1", n_plus_1),
            ("2^256 - 1", [0xff; 32]),
        ] {
            for half in [0, 32] {
                let mut t = sig.clone();
                t[half..half + 32].copy_from_slice(&value);
                check(
                    &x,
                    &y,
                    &msg,
                    &t,
                    &format!("key {key_no}: {} = {name}", ["r", "s"][half / 32]),
                );
            }
        }
        // The key itself off the curve: both refuse (ours when the key is read).
        let mut y_off = y.clone();
        y_off[31] ^= 1;
        check(
            &x,
            &y_off,
            &msg,
            &sig,
            &format!("key {key_no}: point off the curve"),
        );
    }
    // Wycheproof's P-256 SHA-256 P1363 cases (also tests/format/wycheproof.rs).
    use wycheproof::ecdsa::{TestName, TestSet};
    let set = TestSet::load(TestName::EcdsaSecp256r1Sha256P1363).unwrap();
    let mut wycheproof = 0usize;
    for group in &set.test_groups {
        let point: &[u8] = &group.key.key;
        for test in &group.tests {
            check(
                &point[1..33],
                &point[33..],
                &test.msg,
                &test.sig,
                &format!("wycheproof tcId {}", test.tc_id),
            );
            wycheproof += 1;
        }
    }
    println!(
        "es256 backends: ring (native) and p256 (portable) agree on {cases} cases ({accepted} accepted; {wycheproof} Wycheproof)"
    );
    assert!(accepted >= 48 && cases > 24 * 600 && wycheproof >= 250);
}
