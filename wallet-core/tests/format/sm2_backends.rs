//! SM2 verification is ours (`keys/sm2_verify.rs`: the two scalar multiplications interleaved,
//! for speed); sm2 0.13's verifying key is the reference it must agree with. Here both decide
//! the same cases: signatures by our signer and by sm2's, every one-bit change of signature and
//! a sample of message bits, r or s set to 0, n, n + 1 and 2²⁵⁶ − 1, s = n − r (so that
//! (r + s) mod n = 0, GM/T 0003.2 §7.1 B5), r and s for which [s]G + [t]P_A is the identity,
//! and signatures made under another distinguishing ID.

use crate::support::bigint::sub_be;
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore as _, SeedableRng as _};
use sm2::dsa::signature::{Signer as _, Verifier as _};
use wallet_core::keys::{Algorithm, KeySigner as _, PrivateKey, PublicKey, SM2_DISTINGUISHING_ID};

/// The group order n of SM2 (GM/T 0003.5), big-endian.
const N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x72, 0x03, 0xdf, 0x6b, 0x21, 0xc6, 0x05, 0x2b, 0x53, 0xbb, 0xf4, 0x09, 0x39, 0xd5, 0x41, 0x23,
];

#[test]
fn ours_and_sm2_decide_alike() {
    let mut rng = ChaCha20Rng::seed_from_u64(0x5a2);
    let (mut cases, mut accepted) = (0usize, 0usize);
    for key_no in 0..16 {
        let ours = PrivateKey::generate(Algorithm::Sm2, &mut rng).unwrap();
        let public: PublicKey = ours.public_key();
        let jwk: serde_json::Value = serde_json::from_str(&ours.to_jwk_string()).unwrap();
        let d = base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            jwk["d"].as_str().unwrap(),
        )
        .unwrap();
        let secret = sm2::SecretKey::from_slice(&d).unwrap();
        let theirs = sm2::dsa::SigningKey::new(SM2_DISTINGUISHING_ID, &secret).unwrap();
        let reference = theirs.verifying_key().clone();
        let other_id = sm2::dsa::SigningKey::new("alice@example.cn", &secret).unwrap();
        let mut check = |msg: &[u8], sig: &[u8; 64], what: &str| {
            let mine = public.verify(msg, sig);
            let reference = sm2::dsa::Signature::from_slice(sig)
                .is_ok_and(|s| reference.verify(msg, &s).is_ok());
            assert_eq!(mine, reference, "key {key_no}: verifiers differ on {what}");
            cases += 1;
            accepted += usize::from(mine);
        };
        let mut msg = vec![0u8; 1 + (rng.next_u32() % 1200) as usize];
        rng.fill_bytes(&mut msg);
        let by_us = ours.sign_message(&msg).unwrap();
        let by_sm2: sm2::dsa::Signature = theirs.sign(&msg);
        let by_sm2 = by_sm2.to_bytes();
        let by_other_id: sm2::dsa::Signature = other_id.sign(&msg);
        check(&msg, &by_us, "our signature");
        check(&msg, &by_sm2, "sm2's signature");
        check(
            &msg,
            &by_other_id.to_bytes(),
            "a signature under another ID",
        );
        for bit in 0..512 {
            let mut t = by_us;
            t[bit / 8] ^= 1 << (bit % 8);
            check(&msg, &t, &format!("signature bit {bit}"));
        }
        for bit in (0..msg.len() * 8).step_by(11) {
            let mut m = msg.clone();
            m[bit / 8] ^= 1 << (bit % 8);
            check(&m, &by_us, &format!("message bit {bit}"));
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
                let mut t = by_us;
                t[half..half + 32].copy_from_slice(&value);
                check(&msg, &t, &format!("{} = {name}", ["r", "s"][half / 32]));
            }
        }
        let mut degenerate = by_us;
        let minus_r = sub_be(&N, &by_us[..32]);
        degenerate[32..].copy_from_slice(&minus_r);
        check(&msg, &degenerate, "s = n - r");
        // [s]G + [t]P_A = identity (B6 has no x1): with P_A = [d]G, s = −t·d and r = t − s.
        {
            use sm2::elliptic_curve::ff::PrimeField as _;
            let d = *secret.to_nonzero_scalar();
            let t = sm2::Scalar::from_u64(u64::from(rng.next_u32()) + 1);
            let s = -(t * d);
            let r = t - s;
            let mut sig = [0u8; 64];
            sig[..32].copy_from_slice(&r.to_repr());
            sig[32..].copy_from_slice(&s.to_repr());
            check(&msg, &sig, "[s]G + [t]P_A = identity");
        }
    }
    println!("sm2 verifiers: ours and sm2 0.13's agree on {cases} cases ({accepted} accepted)");
    assert_eq!(
        accepted, 32,
        "each key's own and sm2's signature, nothing else"
    );
    assert!(cases > 16 * 500);
}
