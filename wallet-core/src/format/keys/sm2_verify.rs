//! SM2 signature verification with SM3 (GM/T 0003.2 §7.1, steps B1–B7; GB/T 32918.2), done
//! here on sm2's curve arithmetic rather than by sm2 0.13's verifying key, for speed: sm2 0.13
//! computes [s]G + [t]P_A as two separate constant-time scalar multiplications (primeorder's
//! default `lincomb`, complete projective formulas, and two field inversions more in its
//! identity test). Nothing in a verification is secret, so this one interleaves the two (Straus:
//! one shared chain of 256 doublings, 4-bit windows, a fixed affine table of G) in Jacobian
//! coordinates, on sm2's field arithmetic. `tests/format/sm2_backends.rs` checks that it decides every case
//! as sm2's own verifier does (valid signatures, every one-bit change, out-of-range and
//! degenerate scalars, other distinguishing IDs).

// Group operations and scalars modulo n: nothing here can overflow.
#![allow(clippy::arithmetic_side_effects)]

use super::sm2_sign::{sm2_reduce, sm2_z};
use primeorder::elliptic_curve::ff::PrimeField as _;
use sm2::{AffinePoint, ProjectivePoint, Scalar};
use std::sync::OnceLock;

/// A field element of SM2's prime p (sm2's own type, reached through its curve parameters).
type Fe = <sm2::Sm2 as primeorder::PrimeCurveParams>::FieldElement;

/// An affine point (x, y), never the identity.
#[derive(Clone, Copy)]
struct Affine {
    x: Fe,
    y: Fe,
}

/// A point in Jacobian coordinates, (X / Z², Y / Z³); Z = 0 is the identity. Faster doubling than
/// the complete projective formulas sm2 uses (3M + 5S against about 8M + 3S for a = −3), which
/// is where most of a verification goes; the formulas are not complete, so the special cases
/// (identity, equal or opposite points) are handled by branching, which a verification may do.
#[derive(Clone, Copy)]
struct Jacobian {
    x: Fe,
    y: Fe,
    z: Fe,
}

impl Affine {
    /// The coordinates of a validated, non-identity point.
    fn of(point: &AffinePoint) -> Option<Self> {
        use primeorder::elliptic_curve::sec1::ToEncodedPoint as _;
        let encoded = point.to_encoded_point(false);
        let coordinate = |bytes: Option<&sm2::FieldBytes>| {
            bytes.and_then(|b| Option::<Fe>::from(Fe::from_repr(*b)))
        };
        Some(Self {
            x: coordinate(encoded.x())?,
            y: coordinate(encoded.y())?,
        })
    }
}

impl Jacobian {
    const IDENTITY: Self = Self {
        x: Fe::ONE,
        y: Fe::ONE,
        z: Fe::ZERO,
    };

    fn from_affine(p: &Affine) -> Self {
        Self {
            x: p.x,
            y: p.y,
            z: Fe::ONE,
        }
    }

    fn is_identity(&self) -> bool {
        bool::from(self.z.is_zero())
    }

    /// 2P for a = −3 ("dbl-2001-b", Bernstein–Lange Explicit-Formulas Database).
    fn double(&self) -> Self {
        // y = 0 has no point of order 2 on a curve of prime order: only the identity maps here.
        if self.is_identity() {
            return *self;
        }
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x * gamma;
        let t = (self.x - delta) * (self.x + delta);
        let alpha = t.double() + t;
        let beta4 = beta.double().double();
        let x3 = alpha.square() - beta4.double();
        let z3 = (self.y + self.z).square() - gamma - delta;
        let y3 = alpha * (beta4 - x3) - gamma.square().double().double().double();
        Self {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// P + Q for affine Q ("madd-2007-bl").
    fn add_affine(&self, q: &Affine) -> Self {
        if self.is_identity() {
            return Self::from_affine(q);
        }
        let z1z1 = self.z.square();
        let u2 = q.x * z1z1;
        let s2 = q.y * self.z * z1z1;
        let h = u2 - self.x;
        let r = (s2 - self.y).double();
        if bool::from(h.is_zero()) {
            return if bool::from(r.is_zero()) {
                self.double()
            } else {
                Self::IDENTITY
            };
        }
        let hh = h.square();
        let i = hh.double().double();
        let j = h * i;
        let v = self.x * i;
        let x3 = r.square() - j - v.double();
        let y3 = r * (v - x3) - (self.y * j).double();
        let z3 = (self.z + h).square() - z1z1 - hh;
        Self {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// P + Q ("add-2007-bl").
    fn add(&self, q: &Self) -> Self {
        if self.is_identity() {
            return *q;
        }
        if q.is_identity() {
            return *self;
        }
        let z1z1 = self.z.square();
        let z2z2 = q.z.square();
        let u1 = self.x * z2z2;
        let u2 = q.x * z1z1;
        let s1 = self.y * q.z * z2z2;
        let s2 = q.y * self.z * z1z1;
        let h = u2 - u1;
        let r = (s2 - s1).double();
        if bool::from(h.is_zero()) {
            return if bool::from(r.is_zero()) {
                self.double()
            } else {
                Self::IDENTITY
            };
        }
        let i = h.double().square();
        let j = h * i;
        let v = u1 * i;
        let x3 = r.square() - j - v.double();
        let y3 = r * (v - x3) - (s1 * j).double();
        let z3 = ((self.z + q.z).square() - z1z1 - z2z2) * h;
        Self {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// The affine x-coordinate, X / Z², as bytes; `None` for the identity.
    fn x_bytes(&self) -> Option<sm2::FieldBytes> {
        let z_inv = Option::<Fe>::from(self.z.invert())?;
        Some((self.x * z_inv.square()).to_repr())
    }
}

/// 1·G … 15·G in affine form (index 0 is 1·G), built once.
fn generator_table() -> &'static [Affine; 15] {
    static TABLE: OnceLock<[Affine; 15]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut acc = ProjectivePoint::GENERATOR;
        core::array::from_fn(|_| {
            let entry = Affine::of(&acc.to_affine());
            acc += ProjectivePoint::GENERATOR;
            // k·G for k in 1..=15 is never the identity (G has prime order n > 15).
            entry.unwrap_or(Affine {
                x: Fe::ZERO,
                y: Fe::ZERO,
            })
        })
    })
}

/// The 64 base-16 digits of a scalar, most significant first.
fn nibbles(k: &Scalar) -> [u8; 64] {
    let bytes = k.to_repr();
    let mut out = [0u8; 64];
    for (pair, byte) in out.chunks_exact_mut(2).zip(bytes.iter()) {
        if let [hi, lo] = pair {
            *hi = byte >> 4;
            *lo = byte & 0x0f;
        }
    }
    out
}

/// [a]G + [b]Q in variable time (public inputs only): one chain of 256 doublings shared by both
/// scalars, 4-bit windows, G's multiples from a fixed affine table, Q's from a table built here.
fn double_mul(a: &Scalar, q: &Affine, b: &Scalar) -> Jacobian {
    let g = generator_table();
    // Q, 2Q, …, 15Q.
    let mut q_table = [Jacobian::from_affine(q); 15];
    let mut acc = Jacobian::from_affine(q);
    for (k, slot) in q_table.iter_mut().enumerate().skip(1) {
        acc = if k == 1 {
            acc.double()
        } else {
            acc.add_affine(q)
        };
        *slot = acc;
    }
    let (na, nb) = (nibbles(a), nibbles(b));
    let mut r = Jacobian::IDENTITY;
    for (&da, &db) in na.iter().zip(nb.iter()) {
        r = r.double().double().double().double();
        // Digit d adds table entry d − 1; digit 0 adds nothing.
        if let Some(p) = usize::from(da).checked_sub(1).and_then(|i| g.get(i)) {
            r = r.add_affine(p);
        }
        if let Some(p) = usize::from(db).checked_sub(1).and_then(|i| q_table.get(i)) {
            r = r.add(p);
        }
    }
    r
}

/// GM/T 0003.2 §7.1: accepts the 64-byte r‖s `signature` of `message` under the public point
/// (x, y) (already validated: on the curve, not the identity) with the fixed distinguishing ID.
pub(super) fn sm2_verify(
    point: &AffinePoint,
    x: &[u8; 32],
    y: &[u8; 32],
    message: &[u8],
    signature: &[u8; 64],
) -> bool {
    use sm3::Digest as _;
    let (r_bytes, s_bytes) = signature.split_at(32);
    let scalar = |bytes: &[u8]| {
        <[u8; 32]>::try_from(bytes)
            .ok()
            .and_then(|b| Option::<Scalar>::from(Scalar::from_repr(b.into())))
            .filter(|k| !bool::from(k.is_zero()))
    };
    // B1, B2: r and s in [1, n − 1] (from_repr refuses values ≥ n).
    let (Some(r), Some(s)) = (scalar(r_bytes), scalar(s_bytes)) else {
        return false;
    };
    // B3, B4: e = SM3(Z_A ‖ M) as an integer mod n.
    let Ok(z) = sm2_z(x, y) else {
        return false;
    };
    let digest = sm3::Sm3::new()
        .chain_update(z)
        .chain_update(message)
        .finalize();
    let e = sm2_reduce(&digest);
    // B5: t = (r + s) mod n, refused when 0.
    let t = r + s;
    if bool::from(t.is_zero()) {
        return false;
    }
    // B6: (x1, y1) = [s]G + [t]P_A; the identity has no x1.
    let Some(q) = Affine::of(point) else {
        return false;
    };
    let Some(x1) = double_mul(&s, &q, &t).x_bytes() else {
        return false;
    };
    // B7: R = (e + x1) mod n must equal r.
    e + sm2_reduce(&x1) == r
}
