//! P-256 ECDSA signing with SHA-256 (FIPS 186-5 §6.4.1; JWS ES256, RFC 7518 §3.4): the steps of
//! the `ecdsa` crate's deterministic signer that `p256::ecdsa::SigningKey` runs — the nonce from
//! RFC 6979 §3.2 (HMAC-SHA-256), `r = x([k]G) mod n`, `s = k⁻¹(z + r·d) mod n`, no low-S
//! normalisation — so the signatures are the same, byte for byte (the ES256 vectors regenerate
//! from it, and a test compares it with the crate's), except for the one digest in 2³² that is
//! at or above n, where we follow RFC 6979 and the crate does not (below). `[k]G` comes from the
//! generator table (`comb.rs`) and `k⁻¹` from blinded safegcd (`modinv.rs`): ~17 µs a signature
//! against 109 µs with the crate's generic multiplication and exponentiation.

use super::comb;
use super::error::KeyError;
use super::modinv::{self, Modulus};
use primeorder::elliptic_curve::ff::{Field as _, PrimeField as _};
use primeorder::elliptic_curve::ops::Reduce;
use zeroize::{Zeroize as _, Zeroizing};

fn failed() -> KeyError {
    KeyError::SignerFailed("P-256 signing failed".into())
}

/// P-256's group order n (FIPS 186-5 / SP 800-186 §3.2.1.3).
const ORDER_N: crypto_bigint::U256 = crypto_bigint::U256::from_be_hex(
    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
);

/// n as [`modinv`]'s modulus, for `k⁻¹`.
fn group_order() -> Option<&'static Modulus> {
    static ORDER: std::sync::OnceLock<Option<Modulus>> = std::sync::OnceLock::new();
    ORDER.get_or_init(|| Modulus::new(&ORDER_N)).as_ref()
}

/// Signs `message` (hashed here with SHA-256) with `key`; the signature as r ‖ s.
// Scalar arithmetic is modulo n: nothing can overflow.
#[allow(clippy::arithmetic_side_effects)]
pub(super) fn sign(key: &p256::ecdsa::SigningKey, message: &[u8]) -> Result<[u8; 64], KeyError> {
    use sha2::Digest as _;
    sign_digest(key, sha2::Sha256::digest(message).into())
}

/// Signs a SHA-256 digest.
// Scalar arithmetic is modulo n: nothing can overflow.
#[allow(clippy::arithmetic_side_effects)]
fn sign_digest(key: &p256::ecdsa::SigningKey, digest: [u8; 32]) -> Result<[u8; 64], KeyError> {
    use primeorder::elliptic_curve::bigint::Encoding as _;
    // bits2field of a 256-bit hash for a 256-bit order is the hash itself (RFC 6979 §2.3.2).
    let z = p256::FieldBytes::from(digest);
    let d = key.as_nonzero_scalar();
    let order = <p256::NistP256 as primeorder::elliptic_curve::Curve>::ORDER.to_be_bytes();
    let d_bytes = Zeroizing::new(<[u8; 32]>::from(d.to_repr()));
    // RFC 6979 §3.2 step d hashes bits2octets(h1), the digest reduced modulo n (§2.3.4); the
    // ecdsa crate 0.16 passes it unreduced, which differs for the 2⁻³² of digests at or above n.
    let z = <p256::Scalar as Reduce<p256::U256>>::reduce_bytes(&z);
    let k_bytes = Zeroizing::new(<[u8; 32]>::from(rfc6979::generate_k::<sha2::Sha256, _>(
        &(*d_bytes).into(),
        &order.into(),
        &z.to_repr(),
        &[],
    )));
    let mut k = Option::<p256::Scalar>::from(p256::Scalar::from_repr((*k_bytes).into()))
        .ok_or_else(failed)?;
    // k⁻¹ by blinded safegcd (modinv) rather than p256's Fermat exponentiation, which took a
    // third of the signature.
    let mut k_inv = group_order()
        .and_then(|n| modinv::invert_secret(&k, n))
        .ok_or_else(failed)?;
    let x = comb::p256_table()
        .and_then(|table| table.mul_x(&k))
        .ok_or_else(failed)?;
    let r = <p256::Scalar as Reduce<p256::U256>>::reduce_bytes(&x);
    let s = k_inv * (z + r * **d);
    k.zeroize();
    k_inv.zeroize();
    if bool::from(r.is_zero() | s.is_zero()) {
        return Err(failed());
    }
    let mut out = [0u8; 64];
    let (r_out, s_out) = out.split_at_mut(32);
    r_out.copy_from_slice(&r.to_repr());
    s_out.copy_from_slice(&s.to_repr());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::{RngCore as _, SeedableRng};

    /// The order written here is the curve crate's.
    #[test]
    fn order_is_the_curves() {
        use primeorder::elliptic_curve::bigint::Encoding as _;
        let expected = <p256::NistP256 as primeorder::elliptic_curve::Curve>::ORDER.to_be_bytes();
        assert_eq!(<[u8; 32]>::from(ORDER_N.to_be_bytes()), expected);
        assert!(group_order().is_some());
    }

    /// The same signature as the p256 crate's deterministic signer, over keys and messages of
    /// every length up to two SHA-256 blocks.
    #[test]
    fn signatures_equal_the_p256_crates() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        for n in 0..40usize {
            let key = p256::ecdsa::SigningKey::random(&mut rng);
            let mut message = vec![0u8; n * 3];
            rng.fill_bytes(&mut message);
            let theirs: p256::ecdsa::Signature =
                p256::ecdsa::signature::Signer::sign(&key, &message);
            assert_eq!(
                sign(&key, &message).unwrap().as_slice(),
                theirs.to_bytes().as_slice()
            );
        }
    }

    /// A digest at or above n enters RFC 6979's HMAC reduced (bits2octets): the signature is the
    /// crate's over the reduced digest, and not the crate's over the digest as it is (which
    /// feeds it unreduced), and it verifies.
    #[test]
    fn digests_above_the_order_are_reduced_for_the_nonce() {
        use p256::ecdsa::signature::hazmat::{PrehashSigner as _, PrehashVerifier as _};
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        let key = p256::ecdsa::SigningKey::random(&mut rng);
        let digest = [0xffu8; 32];
        let reduced = <p256::Scalar as Reduce<p256::U256>>::reduce_bytes(&digest.into());
        let ours = sign_digest(&key, digest).unwrap();
        let over_reduced: p256::ecdsa::Signature = key.sign_prehash(&reduced.to_repr()).unwrap();
        let over_raw: p256::ecdsa::Signature = key.sign_prehash(&digest).unwrap();
        assert_eq!(ours.as_slice(), over_reduced.to_bytes().as_slice());
        assert_ne!(ours.as_slice(), over_raw.to_bytes().as_slice());
        let signature = p256::ecdsa::Signature::from_slice(&ours).unwrap();
        assert!(
            key.verifying_key()
                .verify_prehash(&digest, &signature)
                .is_ok()
        );
    }
}
