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

use super::jacobian::Jacobian;
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
fn double_mul(a: &Scalar, q: &Affine, b: &Scalar) -> Jacobian<Fe> {
    let g = generator_table();
    // Q, 2Q, …, 15Q.
    let mut q_table = [Jacobian::from_affine(q.x, q.y); 15];
    let mut acc = Jacobian::from_affine(q.x, q.y);
    for (k, slot) in q_table.iter_mut().enumerate().skip(1) {
        acc = if k == 1 {
            acc.double()
        } else {
            acc.add_affine(&q.x, &q.y)
        };
        *slot = acc;
    }
    let (na, nb) = (nibbles(a), nibbles(b));
    let mut r = Jacobian::IDENTITY;
    for (&da, &db) in na.iter().zip(nb.iter()) {
        r = r.double().double().double().double();
        // Digit d adds table entry d − 1; digit 0 adds nothing.
        if let Some(p) = usize::from(da).checked_sub(1).and_then(|i| g.get(i)) {
            r = r.add_affine(&p.x, &p.y);
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
    let Some(x1) = double_mul(&s, &q, &t).x_repr() else {
        return false;
    };
    // B7: R = (e + x1) mod n must equal r.
    e + sm2_reduce(&x1) == r
}
