//! Tests of the Ed25519 types: `verify_strict` and `verify_batch` compared with ed25519-dalek
//! on valid, malleated and small-order inputs; RFC 8037 Appendix A; JWK and PEM round trips;
//! `Debug` redaction.

use super::*;
use serde_json::json;

/// The same key as ed25519-dalek's type, the reference the tests compare with.
fn dalek(key: &VerifyingKey) -> ed25519_dalek::VerifyingKey {
    ed25519_dalek::VerifyingKey::from_bytes(key.as_bytes()).unwrap()
}

/// The clamped secret scalar `a` (RFC 8032 §5.1.5), for forging test signatures.
fn secret_scalar(key: &SigningKey) -> curve25519_dalek::Scalar {
    curve25519_dalek::Scalar::from_bytes_mod_order(key.expanded.scalar.to_bytes())
}

#[test]
fn small_order_list_and_batch_refuse_what_verify_strict_refuses() {
    let list = small_order_encodings();
    // The eight torsion points, the two x = 0 points with the sign bit set, and y = 0 and
    // y = 1 written as y + p (each with both sign bits).
    assert_eq!(list.len(), 14, "{list:?}");
    assert!(list.contains(&{
        let mut id = [0u8; 32];
        id[0] = 1;
        id
    }));

    // A signature with R = identity and S = k·a satisfies the cofactorless equation
    // [S]B = R + [k]A, so plain `verify` (and an unfiltered batch) accepts it; verify_strict
    // refuses it for its small-order R, and the batch must too.
    use curve25519_dalek::scalar::Scalar;
    let key = SigningKey::from_seed(&[5; 32]);
    let public = key.verifying_key();
    let message = b"small-order R";
    let r = {
        let mut id = [0u8; 32];
        id[0] = 1;
        id
    };
    let mut h = sha2::Sha512::new();
    h.update(r);
    h.update(public.as_bytes());
    h.update(message);
    let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
    let s_scalar = k * secret_scalar(&key);
    let mut forged = [0u8; 64];
    forged[..32].copy_from_slice(&r);
    forged[32..].copy_from_slice(s_scalar.as_bytes());
    let sig = ed25519_dalek::Signature::from_bytes(&forged);
    use ed25519_dalek::Verifier as _;
    assert!(
        dalek(&public).verify(message, &sig).is_ok(),
        "cofactorless equation holds"
    );
    assert!(!public.verify_strict(message, &forged));
    let good = Signer::sign(&key, b"fine").unwrap();
    assert!(verify_batch(&[
        (&public, b"fine", &good),
        (&public, b"fine", &good)
    ]));
    assert!(!verify_batch(&[
        (&public, b"fine", &good),
        (&public, message, &forged)
    ]));
}

#[test]
fn batch_accepts_exactly_when_every_single_check_does() {
    use rand_chacha::ChaCha20Rng;
    use rand_core::{RngCore as _, SeedableRng as _};
    let mut rng = ChaCha20Rng::seed_from_u64(1_024);
    // Few keys, so most batches repeat keys and exercise the merged terms.
    let keys: Vec<SigningKey> = (0..5).map(|_| SigningKey::generate(&mut rng)).collect();
    let publics: Vec<VerifyingKey> = keys.iter().map(SigningKey::verifying_key).collect();
    let (mut accepted, mut refused) = (0, 0);
    for round in 0..60 {
        let n = 1 + round % 40;
        let mut messages = Vec::new();
        let mut signatures = Vec::new();
        let mut who = Vec::new();
        for _ in 0..n {
            let k = rng.next_u32() as usize % keys.len();
            let mut m = vec![0u8; 1 + rng.next_u32() as usize % 200];
            rng.fill_bytes(&mut m);
            signatures.push(Signer::sign(&keys[k], &m).unwrap());
            messages.push(m);
            who.push(k);
        }
        // Every third round, spoil one signature, message or key binding.
        if round % 3 == 1 {
            let i = rng.next_u32() as usize % n;
            match round % 4 {
                0 => signatures[i][rng.next_u32() as usize % 64] ^= 1,
                1 => messages[i][0] ^= 0x80,
                2 => who[i] = (who[i] + 1) % keys.len(),
                _ => signatures[i][63] |= 0x10, // S >= l: non-canonical
            }
        }
        let items: Vec<(&VerifyingKey, &[u8], &[u8; 64])> = (0..n)
            .map(|i| (&publics[who[i]], messages[i].as_slice(), &signatures[i]))
            .collect();
        let singles = items.iter().all(|(k, m, s)| k.verify_strict(m, s));
        assert_eq!(verify_batch(&items), singles, "round {round}");
        if singles {
            accepted += 1;
        } else {
            refused += 1;
        }
    }
    assert!(accepted >= 30 && refused >= 15, "{accepted} {refused}");
    assert!(verify_batch(&[]), "an empty batch has nothing wrong in it");
}

/// Our `verify_strict` against ed25519-dalek's on the same key, message and signature.
fn same_decision(key: &VerifyingKey, message: &[u8], signature: &[u8; 64]) -> bool {
    let ours = key.verify_strict(message, signature);
    let theirs = dalek(key)
        .verify_strict(message, &ed25519_dalek::Signature::from_bytes(signature))
        .is_ok();
    assert_eq!(ours, theirs, "key {key:?} signature {signature:?}");
    // The pair check decides the same, in either place, beside a valid signature; beside an
    // invalid one it refuses.
    let other = SigningKey::from_seed(&[42; 32]);
    let other_sig = Signer::sign(&other, b"the other one").unwrap();
    let valid = (&other.verifying_key(), &b"the other one"[..], &other_sig);
    let mut broken = other_sig;
    broken[5] ^= 1;
    let invalid = (&other.verifying_key(), &b"the other one"[..], &broken);
    let this = (key, message, signature);
    assert_eq!(verify_strict_both(this, valid), ours);
    assert_eq!(verify_strict_both(valid, this), ours);
    assert!(!verify_strict_both(this, invalid));
    assert!(!verify_strict_both(invalid, this));
    ours
}

#[test]
fn verify_strict_decides_exactly_as_ed25519_dalek() {
    use curve25519_dalek::constants::EIGHT_TORSION;
    use curve25519_dalek::scalar::Scalar;
    use rand_chacha::ChaCha20Rng;
    use rand_core::{RngCore as _, SeedableRng as _};
    let mut rng = ChaCha20Rng::seed_from_u64(9_901);
    let (mut accepted, mut refused) = (0u32, 0u32);
    let mut count = |ok: bool| {
        if ok {
            accepted += 1;
        } else {
            refused += 1;
        }
    };
    // The group order l (RFC 8032 §5.1), little-endian, to make the non-canonical S + l.
    let l: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    for round in 0..300 {
        let key = SigningKey::generate(&mut rng);
        let public = key.verifying_key();
        let mut message = vec![0u8; (round % 97) + 1];
        rng.fill_bytes(&mut message);
        let good = Signer::sign(&key, &message).unwrap();
        count(same_decision(&public, &message, &good));
        // One flipped bit anywhere in the signature, and in the message.
        let mut bad = good;
        let bit = rng.next_u32() as usize % 512;
        bad[bit / 8] ^= 1 << (bit % 8);
        count(same_decision(&public, &message, &bad));
        let mut other = message.clone();
        other[0] ^= 1;
        count(same_decision(&public, &other, &good));
        // S + l: the same scalar, non-canonically encoded (malleability).
        let mut malleated = good;
        let mut carry = 0u16;
        for i in 0..32 {
            let sum = u16::from(malleated[32 + i]) + u16::from(l[i]) + carry;
            malleated[32 + i] = sum.to_le_bytes()[0];
            carry = sum >> 8;
        }
        count(same_decision(&public, &message, &malleated));
        // Random R, and every small-order R with a random and with the forging S = k·a.
        let mut random_r = good;
        rng.fill_bytes(&mut random_r[..32]);
        count(same_decision(&public, &message, &random_r));
        for r in small_order_encodings() {
            let mut sig = good;
            sig[..32].copy_from_slice(r);
            count(same_decision(&public, &message, &sig));
            let mut h = sha2::Sha512::new();
            h.update(r);
            h.update(public.as_bytes());
            h.update(&message);
            let s = Scalar::from_bytes_mod_order_wide(&h.finalize().into()) * secret_scalar(&key);
            sig[32..].copy_from_slice(s.as_bytes());
            count(same_decision(&public, &message, &sig));
        }
    }
    // A mixed-order key A + T (T of order 8) with a signature whose R = [r]B + T' carries the
    // matching torsion: the cofactorless equation holds, so both accept.
    let key = SigningKey::from_seed(&[6; 32]);
    let a_point = -key.verifying_key().minus_a;
    let torsion = EIGHT_TORSION[1];
    let mixed = VerifyingKey::from_bytes(&(a_point + torsion).compress().to_bytes()).unwrap();
    let message = b"mixed-order key";
    let mut crafted_ok = false;
    for i in 0u64..400 {
        let r = Scalar::from(i + 1_000);
        let t = EIGHT_TORSION[(i % 8) as usize];
        let big_r = (curve25519_dalek::EdwardsPoint::mul_base(&r) + t).compress();
        let mut h = sha2::Sha512::new();
        h.update(big_r.as_bytes());
        h.update(mixed.as_bytes());
        h.update(message);
        let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
        if k * torsion != -t {
            continue;
        }
        let s = r + k * secret_scalar(&key);
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(big_r.as_bytes());
        sig[32..].copy_from_slice(s.as_bytes());
        crafted_ok |= same_decision(&mixed, message, &sig);
    }
    assert!(crafted_ok, "no crafted mixed-order signature was accepted");
    assert!(
        accepted >= 300 && refused >= 300 * 32,
        "{accepted} {refused}"
    );
}

// RFC 8037 Appendix A.1–A.3.
const D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
const X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

#[test]
fn rfc8037_appendix_a_key_and_thumbprint() {
    let key = SigningKey::from_jwk(&json!({"kty":"OKP","crv":"Ed25519","d":D,"x":X})).unwrap();
    assert_eq!(
        key.verifying_key().to_jwk(),
        json!({"kty":"OKP","crv":"Ed25519","x":X})
    );
    assert_eq!(
        key.thumbprint(),
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
}

#[test]
fn jwk_roundtrip_and_rejections() {
    let key = SigningKey::generate(&mut rand_core::OsRng);
    let text = key.to_jwk_string();
    let back = SigningKey::from_jwk_str(&text).unwrap();
    assert_eq!(back.verifying_key(), key.verifying_key());
    let err = VerifyingKey::from_jwk_str(&text).unwrap_err();
    assert_eq!(err.code(), "key.private_in_public");
    let other = SigningKey::generate(&mut rand_core::OsRng).verifying_key();
    let mut mixed: Value = serde_json::from_str(&text).unwrap();
    mixed["x"] = other.to_jwk()["x"].clone();
    assert_eq!(
        SigningKey::from_jwk(&mixed).unwrap_err().code(),
        "key.mismatch"
    );
    assert_eq!(
        VerifyingKey::from_jwk(&json!({"kty":"EC","crv":"P-256","x":X}))
            .unwrap_err()
            .code(),
        "key.unsupported_key_type"
    );
    assert_eq!(
        VerifyingKey::from_jwk(&json!({"kty":"OKP","crv":"Ed25519","x":format!("{X}=")}))
            .unwrap_err()
            .code(),
        "key.encoding"
    );
    // The identity point (small order) must be refused.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert_eq!(
        VerifyingKey::from_bytes(&identity).unwrap_err(),
        KeyError::WeakKey
    );
}

#[test]
fn pem_is_v1_and_roundtrips() {
    let key = SigningKey::from_jwk(&json!({"kty":"OKP","crv":"Ed25519","d":D,"x":X})).unwrap();
    let pem = key.to_pkcs8_pem();
    assert!(
        pem.starts_with("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI"),
        "{}",
        pem.as_str()
    );
    let back = SigningKey::from_pkcs8_pem(&pem).unwrap();
    assert_eq!(back.thumbprint(), key.thumbprint());
    // The directly assembled canonical JWK equals serde_json's serialization of `to_jwk`.
    for seed in 0u8..32 {
        let public = SigningKey::from_seed(&[seed; 32]).verifying_key();
        let canonical = serde_json::to_vec(&public.to_jwk()).unwrap();
        assert_eq!(public.thumbprint(), b64_encode(Sha256::digest(&canonical)));
    }
    assert_eq!(
        SigningKey::from_pkcs8_pem("garbage").unwrap_err().code(),
        "key.invalid_pem"
    );
}

#[test]
fn debug_redacts_secret() {
    let key = SigningKey::from_jwk(&json!({"kty":"OKP","crv":"Ed25519","d":D,"x":X})).unwrap();
    let shown = format!("{key:?}");
    assert!(!shown.contains(D));
    assert!(shown.contains("redacted"));
}
