//! P-256 ECDSA signing with SHA-256 (FIPS 186-5 §6.4.1; JWS ES256, RFC 7518 §3.4): the steps of
//! the `ecdsa` crate's deterministic signer that `p256::ecdsa::SigningKey` runs — the nonce from
//! RFC 6979 §3.2 (HMAC-SHA-256 over the same inputs), `r = x([k]G) mod n`,
//! `s = k⁻¹(z + r·d) mod n`, no low-S normalisation — so the signatures are the same, byte for
//! byte (the ES256 vectors regenerate from it, and a test compares it with the crate's). Only
//! `[k]G` differs: it comes from the generator table (`comb.rs`), ~4× faster than the crate's
//! generic multiplication.

use super::comb;
use super::error::KeyError;
use primeorder::elliptic_curve::ff::{Field as _, PrimeField as _};
use primeorder::elliptic_curve::ops::Reduce;
use primeorder::elliptic_curve::point::AffineCoordinates as _;
use zeroize::{Zeroize as _, Zeroizing};

fn failed() -> KeyError {
    KeyError::SignerFailed("P-256 signing failed".into())
}

/// Signs `message` (hashed here with SHA-256) with `key`; the signature as r ‖ s.
// Scalar arithmetic is modulo n: nothing can overflow.
#[allow(clippy::arithmetic_side_effects)]
pub(super) fn sign(key: &p256::ecdsa::SigningKey, message: &[u8]) -> Result<[u8; 64], KeyError> {
    use primeorder::elliptic_curve::bigint::Encoding as _;
    use sha2::Digest as _;
    // bits2field of a 256-bit hash for a 256-bit order is the hash itself (RFC 6979 §2.3.2).
    let z = p256::FieldBytes::from(<[u8; 32]>::from(sha2::Sha256::digest(message)));
    let d = key.as_nonzero_scalar();
    let order = <p256::NistP256 as primeorder::elliptic_curve::Curve>::ORDER.to_be_bytes();
    let d_bytes = Zeroizing::new(<[u8; 32]>::from(d.to_repr()));
    let k_bytes = Zeroizing::new(<[u8; 32]>::from(rfc6979::generate_k::<sha2::Sha256, _>(
        &(*d_bytes).into(),
        &order.into(),
        &z,
        &[],
    )));
    let mut k = Option::<p256::Scalar>::from(p256::Scalar::from_repr((*k_bytes).into()))
        .ok_or_else(failed)?;
    if bool::from(k.is_zero()) {
        return Err(failed());
    }
    let mut k_inv = Option::<p256::Scalar>::from(k.invert()).ok_or_else(failed)?;
    let big_r = comb::p256_table().mul(&k).to_affine();
    let r = <p256::Scalar as Reduce<p256::U256>>::reduce_bytes(&big_r.x());
    let z = <p256::Scalar as Reduce<p256::U256>>::reduce_bytes(&z);
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
}
