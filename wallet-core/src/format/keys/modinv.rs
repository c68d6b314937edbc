//! Modular inversion for the P-256 and SM2 signers: `k⁻¹ mod n` (FIPS 186-5 §6.4.1 step 7) and
//! the `Z⁻¹ mod p` that turns the comb's Jacobian `[k]G` into its affine `x` (`comb.rs`). Both
//! were a third of a signature with the curve crates' Fermat exponentiations (17 µs and 6 µs)
//! and still ~3 µs each with crypto-bigint's constant-time safegcd.
//!
//! The inversion here is Bernstein and Yang's "safegcd" (eprint 2019/266, §§8–11, with the
//! `η = −δ` form of its divstep) in a variable-time form: the divsteps are grouped 62 at a time
//! into one 2×2 transition matrix computed from the low 64 bits of `f` and `g`, and inside a
//! group, runs of steps that only halve `g`, or only add `f` to `g` and halve, are taken at once
//! (trailing-zero count, and `g + w·f ≡ 0 mod 2^m` for up to six bits). Variable time is safe
//! because the value inverted is blinded: [`invert_secret`] inverts `value·b` for a fresh
//! uniform secret `b` and multiplies the result by `b`, so the timing can depend only on a
//! uniform value independent of the secret. `b` comes from a ChaCha20 stream per thread seeded
//! by the OS; without OS randomness the constant-time inversion ([`invert_ct`]) is used.
//!
//! Numbers are held as five signed 62-bit limbs (`Σ lᵢ·2⁶²ⁱ`, limbs 0–3 in `[0, 2⁶²)`, the top one
//! signed), so that a matrix entry (at most 2⁶² in magnitude) times a limb fits an `i128`.
//! Invariants, for the modulus `M` and the input `x`: `f ≡ d·x` and `g ≡ e·x (mod M)`; from
//! `f = M, g = x, d = 0, e = 1` until `g = 0`, when `f = ±1` if `x` is invertible and then
//! `x⁻¹ = ±d`.

use crypto_bigint::{Odd, U256};
use primeorder::elliptic_curve::ff::PrimeField;

/// 2⁶² − 1.
const MASK62: i64 = (1 << 62) - 1;

/// `Σ limbs[i]·2⁶²ⁱ`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Signed62([i64; 5]);

/// An odd modulus below 2²⁵⁶ and `−M⁻¹ mod 2⁶²`.
#[derive(Clone, Copy)]
pub(super) struct Modulus {
    m: Signed62,
    /// `−M⁻¹ mod 2⁶²`, so that `c + ((c·neg_inv) mod 2⁶²)·M ≡ 0 (mod 2⁶²)`.
    neg_inv: i64,
    /// The same modulus for the constant-time fallback.
    odd: Odd<U256>,
}

// Limb arithmetic: every product is of a value below 2⁶² by one of magnitude at most 2⁶², summed
// in i128, and the masks and shifts work on two's complement by design.
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
impl Signed62 {
    const ZERO: Self = Self([0; 5]);

    fn from_be_bytes(bytes: &[u8; 32]) -> Self {
        let mut out = [0i64; 5];
        // Bit i of the integer is bit (i mod 8) of bytes[31 − i/8].
        for (i, byte) in bytes.iter().rev().enumerate() {
            let bit = i * 8;
            let (limb, shift) = (bit / 62, bit % 62);
            let value = i64::from(*byte);
            if let Some(l) = out.get_mut(limb) {
                *l |= (value << shift) & MASK62;
            }
            if shift > 54
                && let Some(l) = out.get_mut(limb + 1)
            {
                *l |= value >> (62 - shift);
            }
        }
        Self(out)
    }

    /// The big-endian encoding of a value in `[0, 2²⁵⁶)`.
    fn to_be_bytes(self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().rev().enumerate() {
            let bit = i * 8;
            let (limb, shift) = (bit / 62, bit % 62);
            let low = self.0.get(limb).copied().unwrap_or(0) >> shift;
            let high = if shift > 54 {
                self.0.get(limb + 1).copied().unwrap_or(0) << (62 - shift)
            } else {
                0
            };
            *byte = ((low | high) & 0xff) as u8;
        }
        out
    }

    fn is_zero(&self) -> bool {
        self.0.iter().all(|&l| l == 0)
    }

    fn is_negative(&self) -> bool {
        self.0.get(4).is_some_and(|&top| top < 0)
    }

    /// `self ≥ other`, both normalised (limbs 0–3 in `[0, 2⁶²)`).
    fn ge(&self, other: &Self) -> bool {
        for (a, b) in self.0.iter().zip(other.0.iter()).rev() {
            if a != b {
                return a > b;
            }
        }
        true
    }

    /// `self + factor·other`, normalised; `factor` in `{−1, 1}` here.
    fn add_scaled(&self, other: &Self, factor: i64) -> Self {
        let mut out = [0i64; 5];
        let mut carry: i64 = 0;
        for (i, o) in out.iter_mut().enumerate() {
            let a = self.0.get(i).copied().unwrap_or(0);
            let b = other.0.get(i).copied().unwrap_or(0);
            let sum = a + factor * b + carry;
            if i == 4 {
                *o = sum;
            } else {
                *o = sum & MASK62;
                carry = sum >> 62;
            }
        }
        Self(out)
    }

    fn negate(&self) -> Self {
        Self::ZERO.add_scaled(self, -1)
    }

    /// The low 64 bits, in two's complement.
    fn low64(&self) -> u64 {
        let l0 = self.0.first().copied().unwrap_or(0) as u64;
        let l1 = self.0.get(1).copied().unwrap_or(0) as u64;
        l0 | (l1 << 62)
    }
}

impl Modulus {
    /// `None` for an even modulus.
    pub(super) fn new(modulus: &U256) -> Option<Self> {
        let odd = Option::<Odd<U256>>::from(Odd::new(*modulus))?;
        let bytes: [u8; 32] = modulus.to_be_bytes().into();
        let m = Signed62::from_be_bytes(&bytes);
        // M⁻¹ mod 2⁶⁴ by Newton's iteration (each step doubles the correct low bits: 3, 6, …).
        let low = m.low64();
        let mut inv = low;
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(low.wrapping_mul(inv)));
        }
        let neg_inv = (inv.wrapping_neg() & (MASK62 as u64)) as i64;
        Some(Self { m, neg_inv, odd })
    }
}

/// 62 divsteps from `eta` on the low 64 bits of `f` (odd) and `g`: the new `eta` and the
/// transition matrix `[u v; q r]`, with `2⁶²·(f', g') = (u·f + v·g, q·f + r·g)`.
// Wrapping arithmetic on the low bits is the point; the matrix entries stay below 2⁶² in
// magnitude (each step doubles them at most, and they start at 1), and `w < 2^limit ≤ 2^i`
// keeps `u·w` below 2⁶² as `u` has been doubled at most 62 − i times.
// `limit` is at least 1 (η ≥ 0 there) and at most 6: the casts cannot truncate.
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
fn divsteps_62(mut eta: i64, mut f: u64, mut g: u64) -> (i64, [i64; 4]) {
    let (mut u, mut v, mut q, mut r) = (1i64, 0i64, 0i64, 1i64);
    let mut left: u32 = 62;
    loop {
        // Halve g while it is even (each halving is one divstep), at most `left` times.
        let zeros = (g | (u64::MAX << left)).trailing_zeros();
        g >>= zeros;
        u <<= zeros;
        v <<= zeros;
        eta -= i64::from(zeros);
        left -= zeros;
        if left == 0 {
            break;
        }
        // g is odd. With η < 0 the divstep swaps: (f, g) ← (g, −f), η ← −η.
        if eta < 0 {
            eta = -eta;
            (f, g) = (g, f.wrapping_neg());
            (u, v, q, r) = (q, r, -u, -v);
        }
        // The next min(η + 1, left) divsteps cannot swap: each adds f to g when g is odd and
        // halves. Together they add w·f, with w the unique value below 2^limit that makes
        // g + w·f ≡ 0 (mod 2^limit) — taken here six bits at most, using f⁻¹ mod 2⁶.
        let limit = (eta + 1).min(i64::from(left)).min(6) as u32;
        let f_inv = f.wrapping_mul(2u64.wrapping_sub(f.wrapping_mul(f)));
        let w = g.wrapping_mul(f_inv).wrapping_neg() & (u64::MAX >> (64 - limit));
        g = g.wrapping_add(f.wrapping_mul(w));
        let w = w as i64;
        q += u * w;
        r += v * w;
    }
    (eta, [u, v, q, r])
}

/// `(ca·a + cb·b + cm·m) / 2⁶²`, for coefficients that make the sum's low 62 bits zero. Each
/// product is below 2¹²⁴ in magnitude (a coefficient of at most 2⁶² by a limb below 2⁶²), so the
/// `i128` accumulator cannot overflow.
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
fn lincomb_shift(
    (a, ca): (&Signed62, i128),
    (b, cb): (&Signed62, i128),
    (m, cm): (&Signed62, i128),
) -> Signed62 {
    let limb = |x: &Signed62, i: usize| i128::from(x.0.get(i).copied().unwrap_or(0));
    let mut carry: i128 = 0;
    let mut out = [0i64; 5];
    for i in 0..5 {
        carry += ca * limb(a, i) + cb * limb(b, i) + cm * limb(m, i);
        if let Some(slot) = i.checked_sub(1).and_then(|j| out.get_mut(j)) {
            *slot = (carry as i64) & MASK62;
        }
        carry >>= 62;
    }
    if let Some(top) = out.get_mut(4) {
        *top = carry as i64;
    }
    Signed62(out)
}

/// `(f, g) ← (u·f + v·g, q·f + r·g) / 2⁶²` (exact).
fn update_fg(f: &mut Signed62, g: &mut Signed62, t: [i64; 4]) {
    let [u, v, q, r] = t.map(i128::from);
    let zero = (&Signed62::ZERO, 0);
    let next_f = lincomb_shift((f, u), (g, v), zero);
    let next_g = lincomb_shift((f, q), (g, r), zero);
    *f = next_f;
    *g = next_g;
}

/// `(d, e) ← (u·d + v·e, q·d + r·e) · 2⁻⁶² mod M`, for `d, e` in `[0, M)`; the results are in
/// `(−M, 2M)` before [`reduce_once`].
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
fn update_de(d: &mut Signed62, e: &mut Signed62, t: [i64; 4], m: &Modulus) {
    let [u, v, q, r] = t.map(i128::from);
    let d0 = i128::from(d.0.first().copied().unwrap_or(0));
    let e0 = i128::from(e.0.first().copied().unwrap_or(0));
    // md, me in [0, 2⁶²): the multiples of M that clear the low 62 bits.
    let low_d = ((u * d0 + v * e0) as i64) & MASK62;
    let low_e = ((q * d0 + r * e0) as i64) & MASK62;
    let md = i128::from((low_d.wrapping_mul(m.neg_inv)) & MASK62);
    let me = i128::from((low_e.wrapping_mul(m.neg_inv)) & MASK62);
    let next_d = lincomb_shift((d, u), (e, v), (&m.m, md));
    let next_e = lincomb_shift((d, q), (e, r), (&m.m, me));
    *d = next_d;
    *e = next_e;
}

/// A value in `(−M, 2M)` into `[0, M)`.
fn reduce_once(x: &Signed62, m: &Signed62) -> Signed62 {
    if x.is_negative() {
        x.add_scaled(m, 1)
    } else if x.ge(m) {
        x.add_scaled(m, -1)
    } else {
        *x
    }
}

/// `x⁻¹ mod M` for `x` in `[0, M)`, big-endian, in variable time; `None` if `x` has no inverse.
fn invert_vartime(x: &[u8; 32], m: &Modulus) -> Option<[u8; 32]> {
    let mut f = m.m;
    let mut g = Signed62::from_be_bytes(x);
    let mut d = Signed62::ZERO;
    let mut e = Signed62([1, 0, 0, 0, 0]);
    let mut eta: i64 = -1;
    // Starting from δ = 1 (η = −1), 741 divsteps suffice for inputs with f² + 4g² ≤ 5·2⁵¹²
    // (Bernstein–Yang, Theorem 11.2), which f = M < 2²⁵⁶ and g < 2²⁵⁶ meet; 13 groups of 62 (806)
    // leave room, and a value still unfinished after them is refused rather than looped on.
    for _ in 0..13 {
        if g.is_zero() {
            break;
        }
        let (next_eta, t) = divsteps_62(eta, f.low64(), g.low64());
        eta = next_eta;
        update_fg(&mut f, &mut g, t);
        update_de(&mut d, &mut e, t, m);
        d = reduce_once(&d, &m.m);
        e = reduce_once(&e, &m.m);
    }
    let one = Signed62([1, 0, 0, 0, 0]);
    let mut result = if !g.is_zero() {
        None
    } else if f == one {
        Some(d)
    } else if f == one.negate() {
        Some(reduce_once(&d.negate(), &m.m))
    } else {
        None
    };
    let bytes = result.map(Signed62::to_be_bytes);
    for secret in [&mut f, &mut g, &mut d, &mut e]
        .into_iter()
        .chain(result.as_mut())
    {
        zeroize::Zeroize::zeroize(&mut secret.0);
    }
    bytes
}

/// `value⁻¹` for a secret `value` (a nonce, or a coordinate of `[k]G`) modulo `modulus`, `F`'s
/// own; `None` for zero. Blinded variable-time inversion (module comment), or the constant-time
/// one without OS randomness. The result is checked (`value·inverse = 1`, one multiplication):
/// a modulus that is not `F`'s, or an encoding that is not 32 big-endian bytes, falls back to
/// the constant-time path, which then refuses, instead of returning a wrong inverse.
pub(super) fn invert_secret<F: PrimeField>(value: &F, modulus: &Modulus) -> Option<F> {
    let Some(mut b) = blinding::<F>() else {
        return invert_ct(value, &modulus.odd);
    };
    // Field and scalar multiplication are modular: nothing can overflow.
    #[allow(clippy::arithmetic_side_effects)]
    let mut masked = *value * b;
    let mut inverse = invert_repr(&masked, |bytes| invert_vartime(bytes, modulus));
    wipe(&mut masked);
    #[allow(clippy::arithmetic_side_effects)]
    let mut result = inverse.map(|inv| inv * b);
    if let Some(inv) = inverse.as_mut() {
        wipe(inv);
    }
    wipe(&mut b);
    #[allow(clippy::arithmetic_side_effects)]
    let checked = result.filter(|inv| bool::from((*inv * value).ct_eq(&F::ONE)));
    if let Some(inv) = result.as_mut() {
        wipe(inv);
    }
    checked.or_else(|| invert_ct(value, &modulus.odd))
}

/// `value⁻¹` modulo the odd `modulus` (`F`'s own), or `None` for zero, in constant time:
/// crypto-bigint's safegcd on the canonical encoding, ~3 µs. (crypto-bigint's own variable-time
/// form is no faster on random inputs: 3.2 µs.)
pub(super) fn invert_ct<F: PrimeField>(value: &F, modulus: &Odd<U256>) -> Option<F> {
    invert_repr(value, |bytes| {
        let mut v = U256::from_be_slice(bytes);
        let inverse = Option::<U256>::from(v.invert_odd_mod(modulus));
        zeroize::Zeroize::zeroize(&mut v);
        inverse.map(|mut inverse| {
            let out: [u8; 32] = inverse.to_be_bytes().into();
            zeroize::Zeroize::zeroize(&mut inverse);
            out
        })
    })
}

/// `invert` applied to `value`'s canonical 32-byte encoding, every copy of the secret wiped.
fn invert_repr<F: PrimeField>(
    value: &F,
    invert: impl FnOnce(&[u8; 32]) -> Option<[u8; 32]>,
) -> Option<F> {
    let mut repr = value.to_repr();
    let bytes: &mut [u8] = repr.as_mut();
    let mut input: [u8; 32] = bytes.try_into().ok()?;
    zeroize::Zeroize::zeroize(bytes);
    let inverse = invert(&input);
    zeroize::Zeroize::zeroize(&mut input);
    let mut inverse = inverse?;
    let mut out = F::Repr::default();
    for (to, from) in out.as_mut().iter_mut().zip(inverse.iter()) {
        *to = *from;
    }
    zeroize::Zeroize::zeroize(&mut inverse);
    let result = Option::<F>::from(F::from_repr(out));
    zeroize::Zeroize::zeroize(out.as_mut());
    result
}

/// Overwrites a secret field element. `F` has no `Zeroize` bound, so this is a plain store the
/// optimiser is told is observed (`black_box`): best effort.
pub(super) fn wipe<F: PrimeField>(x: &mut F) {
    *x = F::ZERO;
    std::hint::black_box(x);
}

/// A uniform non-zero element of `F` from this thread's blinding stream; `None` if the OS gave
/// no seed. The stream is reseeded when the process id changes: a forked child must not replay
/// its parent's blinding values (the same `b` in two signatures with one key would give an
/// attacker who reads `value·b` from the timing the ratio of their nonces, and so the key).
fn blinding<F: PrimeField>() -> Option<F> {
    use rand_core::{RngCore as _, SeedableRng as _};
    use std::cell::RefCell;
    thread_local! {
        static STREAM: RefCell<Option<(u32, rand_chacha::ChaCha20Rng)>> =
            const { RefCell::new(None) };
    }
    // wasm32-unknown-unknown has no processes (std::process::id panics there), and no fork.
    #[cfg(any(unix, windows))]
    let pid = std::process::id();
    #[cfg(not(any(unix, windows)))]
    let pid = 0u32;
    STREAM
        .try_with(|cell| {
            let mut slot = cell.try_borrow_mut().ok()?;
            if slot.as_ref().is_none_or(|(seeded_in, _)| *seeded_in != pid) {
                let mut seed = [0u8; 32];
                rand_core::OsRng.try_fill_bytes(&mut seed).ok()?;
                *slot = Some((pid, rand_chacha::ChaCha20Rng::from_seed(seed)));
                zeroize::Zeroize::zeroize(&mut seed);
            }
            let (_, rng) = slot.as_mut()?;
            // F::random samples uniformly; zero (probability ~2⁻²⁵⁶) is drawn again.
            (0..4)
                .map(|_| F::random(&mut *rng))
                .find(|b| !bool::from(b.is_zero()))
        })
        .ok()
        .flatten()
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use primeorder::PrimeCurveParams;
    use rand_chacha::ChaCha20Rng;
    use rand_core::{RngCore as _, SeedableRng};

    fn moduli() -> Vec<(&'static str, U256)> {
        vec![
            (
                "P-256 n",
                U256::from_be_hex(
                    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
                ),
            ),
            (
                "P-256 p",
                U256::from_be_hex(
                    "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
                ),
            ),
            (
                "SM2 p",
                U256::from_be_hex(
                    "fffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffff",
                ),
            ),
            (
                "SM2 n",
                U256::from_be_hex(
                    "fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123",
                ),
            ),
            // Small and unbalanced moduli exercise the final sign and the reductions.
            ("7", U256::from_u64(7)),
            ("2^255 - 19", {
                U256::from_be_hex(
                    "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed",
                )
            }),
        ]
    }

    /// The encoding round-trips through the limbs.
    #[test]
    fn limbs_roundtrip() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        for _ in 0..1000 {
            let mut bytes = [0u8; 32];
            rng.fill_bytes(&mut bytes);
            assert_eq!(Signed62::from_be_bytes(&bytes).to_be_bytes(), bytes);
        }
    }

    /// The variable-time inverse equals crypto-bigint's constant-time one for edge and random
    /// values under every modulus, and zero has none.
    #[test]
    fn equals_the_constant_time_inverse() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        for (name, m) in moduli() {
            let modulus = Modulus::new(&m).unwrap();
            let mut values: Vec<U256> =
                vec![U256::ONE, U256::from_u64(2), m.wrapping_sub(&U256::ONE)];
            for bit in 0..255 {
                let power = U256::ONE.shl_vartime(bit);
                if power < m {
                    values.push(power);
                    values.push(m.wrapping_sub(&power));
                }
            }
            for _ in 0..2000 {
                let mut bytes = [0u8; 32];
                rng.fill_bytes(&mut bytes);
                let v = U256::from_be_slice(&bytes);
                values.push(v.rem_vartime(modulus.odd.as_nz_ref()));
            }
            for v in values {
                let bytes: [u8; 32] = v.to_be_bytes().into();
                let expected = Option::<U256>::from(v.invert_odd_mod(&modulus.odd));
                let ours = invert_vartime(&bytes, &modulus).map(|b| U256::from_be_slice(&b));
                assert_eq!(ours, expected, "{name}: {v:x}");
            }
            assert_eq!(invert_vartime(&[0; 32], &modulus), None, "{name}");
        }
    }

    /// Under random odd moduli of every size, composite ones included (where a value sharing a
    /// factor has no inverse), the variable-time inverse is crypto-bigint's.
    #[test]
    fn random_odd_moduli() {
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        for round in 0..3000u32 {
            let mut bytes = [0u8; 32];
            rng.fill_bytes(&mut bytes);
            let m = U256::from_be_slice(&bytes)
                .shr_vartime(round % 256)
                .bitor(&U256::ONE)
                .max(U256::from_u64(3));
            let modulus = Modulus::new(&m).unwrap();
            for _ in 0..8 {
                rng.fill_bytes(&mut bytes);
                let v = U256::from_be_slice(&bytes).rem_vartime(modulus.odd.as_nz_ref());
                let expected = Option::<U256>::from(v.invert_odd_mod(&modulus.odd));
                let vb: [u8; 32] = v.to_be_bytes().into();
                let ours = invert_vartime(&vb, &modulus).map(|b| U256::from_be_slice(&b));
                assert_eq!(ours, expected, "{m:x} {v:x}");
            }
        }
    }

    /// The blinding values are fresh: no two of a thousand are equal, and none is 1.
    #[test]
    fn blinding_values_differ() {
        let values: Vec<p256::Scalar> = (0..1000)
            .map(|_| blinding::<p256::Scalar>().unwrap())
            .collect();
        for (i, a) in values.iter().enumerate() {
            assert_ne!(*a, p256::Scalar::ONE);
            assert!(values.iter().skip(i + 1).all(|b| b != a));
        }
    }

    /// Blinded and constant-time inversion invert, in the scalar fields and base fields of both curves.
    #[test]
    fn blinded_inversion_inverts() {
        fn check<F: PrimeField>(modulus: &U256, rng: &mut ChaCha20Rng) {
            let modulus = Modulus::new(modulus).unwrap();
            assert!(invert_secret(&F::ZERO, &modulus).is_none());
            let mut values = vec![F::ONE, -F::ONE];
            values.extend((0..200).map(|_| F::random(&mut *rng)));
            assert!(invert_ct(&F::ZERO, &modulus.odd).is_none());
            for v in values {
                assert_eq!(invert_secret(&v, &modulus).unwrap() * v, F::ONE);
                assert_eq!(invert_ct(&v, &modulus.odd).unwrap() * v, F::ONE);
            }
        }
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let m = moduli();
        check::<p256::Scalar>(&m[0].1, &mut rng);
        check::<<p256::NistP256 as PrimeCurveParams>::FieldElement>(&m[1].1, &mut rng);
        check::<<sm2::Sm2 as PrimeCurveParams>::FieldElement>(&m[2].1, &mut rng);
        check::<sm2::Scalar>(&m[3].1, &mut rng);
    }
}
