//! SM2 signing with SM3 (GM/T 0003.2 §6.1, GB/T 32918.2), done here rather than by the sm2
//! crate: sm2 0.13's signing key does not wipe its secret scalar on drop, and this code
//! precomputes what every signature needs — `(1 + d)⁻¹` and `Z_A` (§5.5) — once per key. The
//! nonce is deterministic (RFC 6979 with HMAC-SM3). Verification: `sm2_verify.rs`.

use super::algorithm::SM2_DISTINGUISHING_ID;
use super::ec::EcPublic;
use super::error::KeyError;
use zeroize::Zeroizing;

/// An SM2 private key. sm2 0.13's own signing key does not wipe its scalar on drop, so signing
/// uses [`Sm2Signing`], ours, which does; `secret` (zeroizing) is kept for PEM and JWK output.
#[derive(Clone)]
pub(super) struct Sm2Private {
    pub(super) secret: sm2::SecretKey,
    pub(super) signing: Sm2Signing,
    pub(super) public: EcPublic<sm2::dsa::VerifyingKey>,
}

/// What SM2 signing (GM/T 0003.2 §6.1) needs per key, computed once: the secret scalar d,
/// (1 + d)⁻¹ (step A6 uses it in every signature; one inversion saved each time) and Z_A (§5.5,
/// which depends only on the ID and the public key). The scalars are wiped on drop.
#[derive(Clone)]
pub(super) struct Sm2Signing {
    d: sm2::Scalar,
    inv_one_plus_d: sm2::Scalar,
    z: [u8; 32],
}

impl Drop for Sm2Signing {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.d);
        zeroize::Zeroize::zeroize(&mut self.inv_one_plus_d);
    }
}

/// Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) (GM/T 0003.2 §5.5), with the fixed
/// distinguishing ID; ENTL_A is the ID's length in bits, two bytes big-endian.
pub(super) fn sm2_z(x: &[u8; 32], y: &[u8; 32]) -> Result<[u8; 32], KeyError> {
    use primeorder::PrimeCurveParams as _;
    use primeorder::elliptic_curve::ff::PrimeField as _;
    use sm3::Digest as _;
    let bits = SM2_DISTINGUISHING_ID
        .len()
        .checked_mul(8)
        .and_then(|b| u16::try_from(b).ok())
        .ok_or(KeyError::InvalidPoint)?;
    let mut h = sm3::Sm3::new();
    h.update(bits.to_be_bytes());
    h.update(SM2_DISTINGUISHING_ID.as_bytes());
    h.update(sm2::Sm2::EQUATION_A.to_repr());
    h.update(sm2::Sm2::EQUATION_B.to_repr());
    h.update(sm2::Sm2::GENERATOR.0.to_repr());
    h.update(sm2::Sm2::GENERATOR.1.to_repr());
    h.update(x);
    h.update(y);
    Ok(h.finalize().into())
}

// Scalar arithmetic is modulo n: nothing can overflow.
#[allow(clippy::arithmetic_side_effects)]
impl Sm2Signing {
    pub(super) fn new(
        secret: &sm2::SecretKey,
        x: &[u8; 32],
        y: &[u8; 32],
    ) -> Result<Self, KeyError> {
        let d = *secret.to_nonzero_scalar();
        // d = n − 1 makes 1 + d = 0: GM/T 0003.1 requires d in [1, n − 2].
        let inv = Option::<sm2::Scalar>::from((d + sm2::Scalar::ONE).invert())
            .ok_or(KeyError::Encoding("d"))?;
        Ok(Self {
            d,
            inv_one_plus_d: inv,
            z: sm2_z(x, y)?,
        })
    }

    /// A1–A2: e = SM3(Z_A ‖ M), as an integer mod n.
    pub(super) fn e(&self, message: &[u8]) -> sm2::Scalar {
        use sm3::Digest as _;
        let digest = sm3::Sm3::new()
            .chain_update(self.z)
            .chain_update(message)
            .finalize();
        sm2_reduce(&digest)
    }

    /// GM/T 0003.2 §6.1, steps A1–A7, with k from RFC 6979 (HMAC-SM3) over d and e.
    pub(super) fn sign(&self, message: &[u8]) -> Result<[u8; 64], KeyError> {
        use primeorder::elliptic_curve::bigint::Encoding as _;
        use primeorder::elliptic_curve::ff::PrimeField as _;
        let e = self.e(message);
        // A3: k in [1, n − 1], deterministic (RFC 6979 §3.2): no signature depends on the quality
        // of a random source, and one message always gets the same signature.
        let order = <sm2::Sm2 as primeorder::elliptic_curve::Curve>::ORDER.to_be_bytes();
        let d_bytes = Zeroizing::new(<[u8; 32]>::from(self.d.to_repr()));
        let k_bytes = Zeroizing::new(<[u8; 32]>::from(rfc6979::generate_k::<sm3::Sm3, _>(
            &(*d_bytes).into(),
            &order.into(),
            &e.to_repr(),
            &[],
        )));
        let k = Option::<sm2::Scalar>::from(sm2::Scalar::from_repr((*k_bytes).into()))
            .ok_or_else(|| KeyError::SignerFailed("SM2 signing failed".into()))?;
        self.sign_with(e, k)
    }

    /// Steps A4–A7 for a given e and k (k is wiped here).
    pub(super) fn sign_with(
        &self,
        e: sm2::Scalar,
        mut k: sm2::Scalar,
    ) -> Result<[u8; 64], KeyError> {
        use primeorder::elliptic_curve::ff::PrimeField as _;
        // A4: (x1, y1) = [k]G, from the generator table (`comb.rs`).
        let x1 = super::comb::sm2_table()
            .and_then(|table| table.mul_x(&k))
            .ok_or_else(|| KeyError::SignerFailed("SM2 signing failed".into()))?;
        // A5: r = (e + x1) mod n; r = 0 or r + k = n would leak k: give up (probability ~2^-256;
        // the deterministic k would repeat on a retry).
        let r = e + sm2_reduce(&x1);
        let degenerate = bool::from(r.is_zero() | (r + k).is_zero());
        // A6: s = ((1 + d)⁻¹ · (k − r·d)) mod n.
        let s = self.inv_one_plus_d * (k - r * self.d);
        zeroize::Zeroize::zeroize(&mut k);
        if degenerate || bool::from(s.is_zero()) {
            return Err(KeyError::SignerFailed("SM2 signing failed".into()));
        }
        // A7: (r, s), written r ‖ s.
        let mut out = [0u8; 64];
        let (r_out, s_out) = out.split_at_mut(32);
        r_out.copy_from_slice(&r.to_repr());
        s_out.copy_from_slice(&s.to_repr());
        Ok(out)
    }
}

/// 32 big-endian bytes as an integer modulo SM2's n.
pub(super) fn sm2_reduce(bytes: &sm2::FieldBytes) -> sm2::Scalar {
    <sm2::Scalar as primeorder::elliptic_curve::ops::Reduce<sm2::U256>>::reduce_bytes(bytes)
}
