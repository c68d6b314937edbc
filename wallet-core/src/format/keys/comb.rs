//! Fixed-base scalar multiplication `[k]G` for the P-256 and SM2 signers (`p256_sign.rs`,
//! `sm2_sign.rs`): the one costly step of an ECDSA or SM2 signature (FIPS 186-5 §6.4.1 step 5,
//! GM/T 0003.2 §6.1 step A4). The curve crates multiply the generator like any point — 256
//! doublings and 64 additions (primeorder 0.13 leaves "precomputed basepoint tables" as a TODO) —
//! so a signature cost ~6× OpenSSL's. Here `k` is cut into 64 four-bit digits `kᵢ` and
//! `[k]G = Σ [kᵢ]·(16ⁱG)`, each term read from a table of `[j]·16ⁱG`, `j < 16`: 64 additions
//! and no doubling.
//!
//! Constant time, as the nonce is secret: every entry of a row is read and the wanted one kept by
//! `subtle`'s conditional assignment (no index depends on `k`), and primeorder's mixed addition
//! uses complete formulas, the identity (digit 0) included. The tables (64 rows of 16 affine
//! points, ~74 KB per curve) are built on first use (960 additions and field inversions, a few
//! milliseconds once per process; measured in docs/performance.md).

use primeorder::Double as _;
use primeorder::elliptic_curve::subtle::{ConditionallySelectable as _, ConstantTimeEq as _};
use primeorder::elliptic_curve::{CurveArithmetic, ff::PrimeField as _};
use primeorder::{AffinePoint, PrimeCurveParams, ProjectivePoint};
use std::sync::OnceLock;

/// Digits of four bits in a 256-bit scalar.
const WINDOWS: usize = 64;

/// `rows[i][j] = [j]·16ⁱ·G` (row entry 0 is the identity).
pub(super) struct GeneratorTable<C: PrimeCurveParams> {
    rows: Vec<[AffinePoint<C>; 16]>,
}

// Point addition is modulo p: nothing can overflow.
#[allow(clippy::arithmetic_side_effects)]
impl<C> GeneratorTable<C>
where
    C: PrimeCurveParams + CurveArithmetic<AffinePoint = AffinePoint<C>>,
    ProjectivePoint<C>: primeorder::Double,
{
    fn new() -> Self {
        let mut rows = Vec::with_capacity(WINDOWS);
        let mut base = ProjectivePoint::<C>::GENERATOR;
        for _ in 0..WINDOWS {
            let mut row = [AffinePoint::<C>::IDENTITY; 16];
            let mut acc = ProjectivePoint::<C>::IDENTITY;
            for slot in row.iter_mut().skip(1) {
                acc += base;
                *slot = acc.to_affine();
            }
            rows.push(row);
            // 16ⁱ⁺¹G: four doublings.
            for _ in 0..4 {
                base = ProjectivePoint::<C>::double(&base);
            }
        }
        Self { rows }
    }

    /// `[k]G`, in time independent of `k`.
    pub(super) fn mul(&self, k: &C::Scalar) -> ProjectivePoint<C>
    where
        C::Scalar: primeorder::elliptic_curve::ff::PrimeField<Repr = primeorder::FieldBytes<C>>,
    {
        // Big-endian bytes (both curves' scalar encoding): digit i is nibble i from the end.
        // They are the secret nonce: wiped before returning.
        let mut bytes = k.to_repr();
        let mut acc = ProjectivePoint::<C>::IDENTITY;
        for (i, row) in self.rows.iter().enumerate() {
            let byte = bytes
                .as_slice()
                .len()
                .checked_sub(i / 2 + 1)
                .and_then(|at| bytes.as_slice().get(at))
                .copied()
                .unwrap_or(0);
            let digit = if i % 2 == 0 { byte & 0x0f } else { byte >> 4 };
            let mut term = AffinePoint::<C>::IDENTITY;
            for (j, point) in (0u8..).zip(row.iter()) {
                term.conditional_assign(point, j.ct_eq(&digit));
            }
            acc += &term;
        }
        zeroize::Zeroize::zeroize(bytes.as_mut_slice());
        acc
    }
}

/// The P-256 generator's table, built on first use.
pub(super) fn p256_table() -> &'static GeneratorTable<p256::NistP256> {
    static TABLE: OnceLock<GeneratorTable<p256::NistP256>> = OnceLock::new();
    TABLE.get_or_init(GeneratorTable::new)
}

/// The SM2 generator's table, built on first use.
pub(super) fn sm2_table() -> &'static GeneratorTable<sm2::Sm2> {
    static TABLE: OnceLock<GeneratorTable<sm2::Sm2>> = OnceLock::new();
    TABLE.get_or_init(GeneratorTable::new)
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use primeorder::elliptic_curve::Field as _;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    /// The table's product equals the curve crate's generic `G * k`, for edge scalars and
    /// random ones, on both curves.
    #[test]
    fn comb_equals_the_generic_multiplication() {
        let mut rng = ChaCha20Rng::seed_from_u64(19);
        let p256 = p256_table();
        let mut scalars = vec![
            p256::Scalar::ZERO,
            p256::Scalar::ONE,
            -p256::Scalar::ONE,
            p256::Scalar::from(15u64),
            p256::Scalar::from(16u64),
            p256::Scalar::from(u64::MAX),
        ];
        scalars.extend((0..200).map(|_| p256::Scalar::random(&mut rng)));
        for k in &scalars {
            assert_eq!(
                p256.mul(k).to_affine(),
                (p256::ProjectivePoint::GENERATOR * k).to_affine()
            );
        }
        let sm2 = sm2_table();
        let mut scalars = vec![sm2::Scalar::ZERO, sm2::Scalar::ONE, -sm2::Scalar::ONE];
        scalars.extend((0..200).map(|_| sm2::Scalar::random(&mut rng)));
        for k in &scalars {
            assert_eq!(
                sm2.mul(k).to_affine(),
                (sm2::ProjectivePoint::GENERATOR * k).to_affine()
            );
        }
    }
}
