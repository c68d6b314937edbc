//! SM2 signature verification with SM3 (GM/T 0003.2 §7.1, steps B1–B7; GB/T 32918.2), done
//! here on sm2's curve arithmetic rather than by sm2 0.13's verifying key, for speed: sm2 0.13
//! computes [s]G + [t]P_A as two separate constant-time scalar multiplications (primeorder's
//! default `lincomb`). Nothing in a verification is secret, so this one interleaves the two
//! (Straus: one shared chain of 256 doublings, 4-bit windows, a fixed affine table of G), about
//! half the group operations. `tests/format/sm2_backends.rs` checks that it decides every case
//! as sm2's own verifier does (valid signatures, every one-bit change, out-of-range and
//! degenerate scalars, other distinguishing IDs).

// Group operations and scalars modulo n: nothing here can overflow.
#![allow(clippy::arithmetic_side_effects)]

use super::sm2_sign::{sm2_reduce, sm2_z};
use primeorder::elliptic_curve::Group as _;
use primeorder::elliptic_curve::ff::PrimeField as _;
use primeorder::elliptic_curve::point::AffineCoordinates as _;
use sm2::{AffinePoint, ProjectivePoint, Scalar};
use std::sync::OnceLock;

/// 0·G … 15·G in affine form (index 0, the identity, is never added), built once.
fn generator_table() -> &'static [AffinePoint; 16] {
    static TABLE: OnceLock<[AffinePoint; 16]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [AffinePoint::IDENTITY; 16];
        let mut acc = ProjectivePoint::IDENTITY;
        for entry in &mut table {
            *entry = acc.to_affine();
            acc += ProjectivePoint::GENERATOR;
        }
        table
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

/// [a]G + [b]Q in variable time (public inputs only).
fn double_mul(a: &Scalar, q: &ProjectivePoint, b: &Scalar) -> ProjectivePoint {
    let g = generator_table();
    let mut q_table = [ProjectivePoint::IDENTITY; 16];
    let mut acc = ProjectivePoint::IDENTITY;
    for entry in &mut q_table {
        *entry = acc;
        acc += q;
    }
    let (na, nb) = (nibbles(a), nibbles(b));
    let mut r = ProjectivePoint::IDENTITY;
    for (&da, &db) in na.iter().zip(nb.iter()) {
        r = r.double().double().double().double();
        // Digit 0 adds nothing (the tables' index 0 is the identity).
        if da != 0
            && let Some(p) = g.get(usize::from(da))
        {
            r += p;
        }
        if db != 0
            && let Some(p) = q_table.get(usize::from(db))
        {
            r += p;
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
    let sum = double_mul(&s, &ProjectivePoint::from(*point), &t);
    if bool::from(sum.is_identity()) {
        return false;
    }
    // B7: R = (e + x1) mod n must equal r.
    e + sm2_reduce(&sum.to_affine().x()) == r
}
