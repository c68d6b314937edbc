//! Fixed-base scalar multiplication `[k]G` for the P-256 and SM2 signers (`p256_sign.rs`,
//! `sm2_sign.rs`): the costly step of an ECDSA or SM2 signature (FIPS 186-5 §6.4.1 step 5,
//! GM/T 0003.2 §6.1 step A4), of which both signers keep only the affine `x`. The curve crates
//! multiply the generator like any point — 256 doublings and 64 additions (primeorder 0.13 leaves
//! "precomputed basepoint tables" as a TODO) — so a signature cost ~6× OpenSSL's.
//!
//! Here `k` is recoded into 43 signed six-bit digits (Booth recoding: `dᵢ ∈ [-32, 32]`,
//! `k = Σ dᵢ·2⁶ⁱ`), and `[k]G = Σ [dᵢ]·(2⁶ⁱG)`, each term read from a table of `[j]·2⁶ⁱG`,
//! `1 ≤ j ≤ 32`, and negated when `dᵢ < 0`: 43 mixed additions (Jacobian + affine, 8M + 3S,
//! `jacobian.rs`) and no doubling. Six bits is the measured optimum of additions against table reads: a
//! multiplication took 15.6 µs with seven-bit digits, 14.4 µs with six, 15.3 µs with five and
//! 17.2 µs with four (each with a constant-time inversion of ~3 µs; docs/performance.md). The
//! one inversion of the result (`x = X/Z²`) is `modinv`'s blinded safegcd.
//!
//! Constant time, as the nonce is secret: every entry of a row is read and the wanted one kept by
//! `subtle`'s conditional assignment (no index or branch depends on `k`); a zero digit and the
//! still-empty sum are handled by conditional selection, not by branching.
//!
//! Why the incomplete addition formula is exact here: it fails only when the two points are equal
//! or opposite. Before window `i` the sum is `[s]G` where Booth recoding gives
//! `s = (k mod 2⁶ⁱ) − 2⁶ⁱ·(bit 6i − 1 of k)`, so `−2⁶ⁱ⁻¹ ≤ s < 2⁶ⁱ⁻¹`, and the added term is
//! `[t]G`, `t = dᵢ·2⁶ⁱ`, `|t| ≥ 2⁶ⁱ`. So `s ≠ ±t`, and `s ≡ ±t (mod n)` needs `|s ∓ t| ≥ n`.
//! For `i ≤ 41`, `|s ∓ t| ≤ 2²⁴⁵ + 32·2²⁴⁶ < 2²⁵² < n`. In the last window
//! (`i = 42`, bit 252; `d₄₂ ∈ [0, 16]` as `k < 2²⁵⁶`): `s + t = k`, which is not `0 mod n`; and
//! `s − t = ±n` would need `t ≈ n`, so `t = 2²⁵⁶`, `s = 2²⁵⁶ − n`, and then
//! `k = s + t = 2²⁵⁷ − n`, above `n`, which no nonce is. Both P-256's and SM2's `n` lie in
//! `(2²⁵⁶ − 2²²⁵, 2²⁵⁶)`, which is all the argument uses. The code does not rely on the argument alone: an addition that meets equal
//! `x` coordinates is flagged (in constant time), and then the product is recomputed by the curve
//! crate's generic constant-time multiplication.
//!
//! The tables (43 rows of 32 affine points, ~88 KB per curve) are built on first use: ~1,400
//! additions and one batched inversion, 0.8–1.0 ms for P-256 and 1.5–1.6 ms for SM2 once per
//! process (docs/performance.md; the 64×16 table with complete additions it replaces took 6.9
//! and 18.2 ms).

use super::jacobian::Jacobian;
use super::modinv::{Modulus, invert_secret, wipe};
use crypto_bigint::U256;
use primeorder::elliptic_curve::ff::{Field, PrimeField};
use primeorder::elliptic_curve::subtle::{Choice, ConditionallySelectable, ConstantTimeEq as _};
use primeorder::elliptic_curve::{CurveArithmetic, point::AffineCoordinates as _};
use primeorder::{AffinePoint, FieldBytes, PrimeCurveParams, ProjectivePoint};
use std::sync::OnceLock;

/// Bits per signed digit.
const W: usize = 6;
/// Table entries per row: `[1]P … [2^(W-1)]P`.
const ENTRIES: usize = 1 << (W - 1);
/// Digits: `k < 2²⁵⁶` needs 257 bits of signed digits.
const WINDOWS: usize = 257_usize.div_ceil(W);
/// The W + 1 bits a digit is read from (its window and the bit below).
const WINDOW_MASK: u64 = (1 << (W + 1)) - 1;

/// P-256's field prime (FIPS 186-5 / SP 800-186 §3.2.1.3).
const P256_P: U256 =
    U256::from_be_hex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
/// SM2's field prime (GM/T 0003.5 §5, the recommended curve).
const SM2_P: U256 =
    U256::from_be_hex("fffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffff");

/// `rows[i][j] = [j + 1]·2⁶ⁱ·G` as affine `(x, y)`.
pub(super) struct GeneratorTable<C: PrimeCurveParams> {
    rows: Vec<[(C::FieldElement, C::FieldElement); ENTRIES]>,
    p: Modulus,
}

// Field arithmetic is modulo p, the digit arithmetic on small integers within a few bits.
#[allow(clippy::arithmetic_side_effects)]
impl<C> GeneratorTable<C>
where
    C: PrimeCurveParams + CurveArithmetic<AffinePoint = AffinePoint<C>>,
    C::FieldElement: PrimeField<Repr = FieldBytes<C>>,
    ProjectivePoint<C>: primeorder::Double,
{
    /// Builds the table for `C`, whose field prime is `p`. Public data: variable time is fine.
    fn new(p: U256) -> Option<Self> {
        let p = Modulus::new(&p)?;
        let (gx, gy) = C::GENERATOR;
        let mut base = (gx, gy);
        let mut points: Vec<Jacobian<C::FieldElement>> = Vec::with_capacity(WINDOWS * ENTRIES);
        for _ in 0..WINDOWS {
            let first = Jacobian::from_affine(base.0, base.1);
            let mut entry = first.double();
            points.push(first);
            points.push(entry);
            for _ in 2..ENTRIES {
                // [j]B + B for 2 ≤ j < 32: never equal or opposite, never the identity.
                entry = entry.add_affine(&base.0, &base.1);
                points.push(entry);
            }
            // 2⁶·B = 2·(32·B).
            let next = entry.double();
            let z_inv = Option::<C::FieldElement>::from(next.z.invert())?;
            let z_inv2 = z_inv.square();
            base = (next.x * z_inv2, next.y * z_inv2 * z_inv);
        }
        // One inversion for all: Montgomery's trick over the Z coordinates.
        let mut prefix = Vec::with_capacity(points.len());
        let mut running = C::FieldElement::ONE;
        for point in &points {
            prefix.push(running);
            running *= point.z;
        }
        let mut inverse = Option::<C::FieldElement>::from(running.invert())?;
        let mut affine = vec![(C::FieldElement::ZERO, C::FieldElement::ZERO); points.len()];
        for ((point, before), out) in points.iter().zip(&prefix).zip(&mut affine).rev() {
            let z_inv = inverse * before;
            inverse *= point.z;
            let z_inv2 = z_inv.square();
            *out = (point.x * z_inv2, point.y * z_inv2 * z_inv);
        }
        let rows = affine
            .chunks_exact(ENTRIES)
            .map(|row| <[_; ENTRIES]>::try_from(row).ok())
            .collect::<Option<Vec<_>>>()?;
        Some(Self { rows, p })
    }

    /// The affine `x` of `[k]G` (big-endian), in time independent of `k`; `None` for `k = 0`.
    // The casts narrow values masked to W + 1 ≤ 8 bits.
    #[allow(clippy::cast_possible_truncation)]
    pub(super) fn mul_x(&self, k: &C::Scalar) -> Option<FieldBytes<C>>
    where
        C::Scalar: PrimeField<Repr = FieldBytes<C>>,
    {
        // Little-endian 64-bit limbs of k (big-endian bytes in both curves' encoding), with a
        // zero limb above so that every window reads two limbs. Secret: wiped before returning.
        let mut limbs = [0u64; 5];
        let mut repr = k.to_repr();
        for (limb, chunk) in limbs.iter_mut().zip(repr.as_slice().rchunks_exact(8)) {
            *limb = chunk
                .iter()
                .fold(0u64, |acc, &byte| (acc << 8) | u64::from(byte));
        }
        zeroize::Zeroize::zeroize(repr.as_mut_slice());

        let mut acc = Jacobian::<C::FieldElement>::IDENTITY;
        let mut acc_empty = Choice::from(1);
        let mut exceptional = Choice::from(0);
        let (mut x, mut y) = (C::FieldElement::ZERO, C::FieldElement::ZERO);
        for (i, row) in self.rows.iter().enumerate() {
            // Bits Wi−1 … Wi+W−1 (bit −1 is 0): the carry-in and the W-bit window. The
            // positions depend on i only, never on k.
            let window = if i == 0 {
                (limbs.first().copied().unwrap_or(0) << 1) & WINDOW_MASK
            } else {
                let at = W * i - 1;
                let low = u128::from(limbs.get(at / 64).copied().unwrap_or(0));
                let high = u128::from(limbs.get(at / 64 + 1).copied().unwrap_or(0));
                (((high << 64 | low) >> (at % 64)) as u64) & WINDOW_MASK
            };
            // dᵢ = window value + carry-in − 2ᵂ·(top bit), in [−2ᵂ⁻¹, 2ᵂ⁻¹]; sign and
            // magnitude without branches.
            let digit = (window >> 1) as i32 + (window & 1) as i32 - ((window >> W) << W) as i32;
            let negative = (digit >> 31) as u32 & 1;
            let magnitude = ((digit ^ (digit >> 31)) - (digit >> 31)) as u32;
            x = C::FieldElement::ZERO;
            y = C::FieldElement::ZERO;
            for (j, (px, py)) in (1u32..).zip(row.iter()) {
                let hit = j.ct_eq(&magnitude);
                x.conditional_assign(px, hit);
                y.conditional_assign(py, hit);
            }
            let minus_y = -y;
            y.conditional_assign(&minus_y, Choice::from(negative as u8));
            let zero_digit = magnitude.ct_eq(&0);
            let (sum, h, _) = acc.add_affine_parts(&x, &y);
            exceptional |= h.is_zero() & !acc_empty & !zero_digit;
            let mut next =
                Jacobian::conditional_select(&sum, &Jacobian::from_affine(x, y), acc_empty);
            next.conditional_assign(&acc, zero_digit);
            acc = next;
            acc_empty &= zero_digit;
        }
        zeroize::Zeroize::zeroize(&mut limbs);
        // The last entry read reveals k's top digit; best effort, as in modinv.
        wipe(&mut x);
        wipe(&mut y);
        if bool::from(exceptional) {
            // Unreachable for a nonce below n (module comment); exact all the same.
            return Some(generic_mul_x::<C>(k));
        }
        if bool::from(acc_empty) {
            return None;
        }
        let mut z_inv = invert_secret(&acc.z, &self.p);
        let x_affine = z_inv.map(|z_inv| (acc.x * z_inv.square()).to_repr());
        for secret in [&mut acc.x, &mut acc.y, &mut acc.z]
            .into_iter()
            .chain(z_inv.as_mut())
        {
            wipe(secret);
        }
        x_affine
    }
}

/// `x([k]G)` by the curve crate's generic constant-time multiplication.
fn generic_mul_x<C>(k: &C::Scalar) -> FieldBytes<C>
where
    C: PrimeCurveParams + CurveArithmetic<AffinePoint = AffinePoint<C>>,
{
    // Scalar multiplication is modulo n: nothing can overflow.
    #[allow(clippy::arithmetic_side_effects)]
    let point = ProjectivePoint::<C>::GENERATOR * k;
    point.to_affine().x()
}

/// The P-256 generator's table, built on first use; `None` only if the curve constants were
/// inconsistent (a test builds it).
pub(super) fn p256_table() -> Option<&'static GeneratorTable<p256::NistP256>> {
    static TABLE: OnceLock<Option<GeneratorTable<p256::NistP256>>> = OnceLock::new();
    TABLE.get_or_init(|| GeneratorTable::new(P256_P)).as_ref()
}

/// The SM2 generator's table, built on first use.
pub(super) fn sm2_table() -> Option<&'static GeneratorTable<sm2::Sm2>> {
    static TABLE: OnceLock<Option<GeneratorTable<sm2::Sm2>>> = OnceLock::new();
    TABLE.get_or_init(|| GeneratorTable::new(SM2_P)).as_ref()
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn edge_scalars<S: PrimeField>() -> Vec<S> {
        // 0, 1, 2, n − 1, n − 2, every power of two, its negation and the power minus one (all
        // window boundaries; bit 252 starts the last window), and 2²⁵⁶ − n, twice it and its
        // negation (the values the module comment's argument turns on).
        let mut out = vec![S::ZERO, S::ONE, S::ONE.double(), -S::ONE, -S::ONE.double()];
        let mut power = S::ONE;
        for _ in 0..256 {
            out.push(power);
            out.push(-power);
            out.push(power - S::ONE);
            power = power.double();
        }
        // 2²⁵⁶ mod n = 2²⁵⁶ − n; and twice it.
        out.push(power);
        out.push(power.double());
        out.push(-power);
        out
    }

    /// The table's product equals the curve crate's generic `G * k`, for edge scalars and
    /// random ones, on both curves; `k = 0` gives `None`.
    #[test]
    fn comb_equals_the_generic_multiplication() {
        fn check<C>(table: &GeneratorTable<C>, rng: &mut ChaCha20Rng)
        where
            C: PrimeCurveParams + CurveArithmetic<AffinePoint = AffinePoint<C>>,
            C::FieldElement: PrimeField<Repr = FieldBytes<C>>,
            C::Scalar: PrimeField<Repr = FieldBytes<C>>,
            ProjectivePoint<C>: primeorder::Double,
        {
            let mut scalars = edge_scalars::<C::Scalar>();
            scalars.extend((0..300).map(|_| C::Scalar::random(&mut *rng)));
            for k in &scalars {
                let ours = table.mul_x(k);
                if bool::from(k.is_zero()) {
                    assert!(ours.is_none());
                } else {
                    assert_eq!(ours.unwrap(), generic_mul_x::<C>(k));
                }
            }
        }
        let mut rng = ChaCha20Rng::seed_from_u64(19);
        check(p256_table().unwrap(), &mut rng);
        check(sm2_table().unwrap(), &mut rng);
    }

    /// The addition flags exactly the cases it does not cover: equal and opposite points.
    #[test]
    fn addition_flags_equal_and_opposite_points() {
        type F = <p256::NistP256 as PrimeCurveParams>::FieldElement;
        let table = p256_table().unwrap();
        let row = table.rows.first().unwrap();
        let (g, two_g, three_g) = (row[0], row[1], row[2]);
        let acc = Jacobian::<F>::from_affine(g.0, g.1).double();
        // 2G + G = 3G: covered, not flagged.
        let (sum, h, _) = acc.add_affine_parts(&g.0, &g.1);
        assert!(!bool::from(h.is_zero()));
        let z_inv = sum.z.invert().unwrap();
        assert_eq!(sum.x * z_inv.square(), three_g.0);
        // 2G + 2G and 2G + (−2G): flagged (H = 0), and told apart by r.
        let (_, h, r) = acc.add_affine_parts(&two_g.0, &two_g.1);
        assert!(bool::from(h.is_zero()) && bool::from(r.is_zero()));
        let (_, h, r) = acc.add_affine_parts(&two_g.0, &-two_g.1);
        assert!(bool::from(h.is_zero()) && !bool::from(r.is_zero()));
    }

    /// The primes written here are the curve crates'.
    #[test]
    fn constants_are_the_curves() {
        let hex = |u: &U256| {
            u.to_be_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        type Fp<C> = <C as PrimeCurveParams>::FieldElement;
        assert_eq!(hex(&P256_P), <Fp<p256::NistP256> as PrimeField>::MODULUS);
        assert_eq!(hex(&SM2_P), <Fp<sm2::Sm2> as PrimeField>::MODULUS);
    }
}
