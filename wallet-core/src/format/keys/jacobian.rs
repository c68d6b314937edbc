//! Jacobian coordinates `(X/Z², Y/Z³)` on the short Weierstrass curves with `a = −3` (P-256 and
//! SM2), generic over the curve crate's field element: the point arithmetic shared by the
//! signers' fixed-base comb (`comb.rs`, constant time) and SM2 verification (`sm2_verify.rs`,
//! variable time). Formulas from the Explicit-Formulas Database (Bernstein–Lange):
//! "dbl-2001-b" (3M + 5S), "madd-2004-hmv" (8M + 3S), "add-2007-bl" (11M + 5S). None is complete:
//! [`Jacobian::add_affine_parts`] hands back what tells the special cases (equal or opposite
//! points) apart, and each caller handles them its way — a constant-time flag in the comb,
//! branches in verification, whose inputs are public.

// Field arithmetic modulo p: nothing can overflow.
#![allow(clippy::arithmetic_side_effects)]

use primeorder::elliptic_curve::ff::{Field, PrimeField};
use primeorder::elliptic_curve::subtle::{Choice, ConditionallySelectable};

/// A point in Jacobian coordinates; `Z = 0` is the identity.
#[derive(Clone, Copy)]
pub(super) struct Jacobian<F> {
    pub(super) x: F,
    pub(super) y: F,
    pub(super) z: F,
}

impl<F: ConditionallySelectable> ConditionallySelectable for Jacobian<F> {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Self {
            x: F::conditional_select(&a.x, &b.x, choice),
            y: F::conditional_select(&a.y, &b.y, choice),
            z: F::conditional_select(&a.z, &b.z, choice),
        }
    }
}

impl<F: Field> Jacobian<F> {
    pub(super) const IDENTITY: Self = Self {
        x: F::ONE,
        y: F::ONE,
        z: F::ZERO,
    };

    pub(super) fn from_affine(x: F, y: F) -> Self {
        Self { x, y, z: F::ONE }
    }

    /// Variable time: for public points.
    pub(super) fn is_identity(&self) -> bool {
        bool::from(self.z.is_zero())
    }

    /// `2·self` ("dbl-2001-b", `a = −3`). The identity maps to a point with `Z = 0`, the
    /// identity again; no point of these prime-order curves has `y = 0`.
    pub(super) fn double(&self) -> Self {
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

    /// `self + (x₂, y₂)` by "madd-2004-hmv" (8M + 3S: with `S = M` in these fields, fewer
    /// additions than madd-2007-bl's 7M + 4S), with `H = x₂Z² − X` and `r = y₂Z³ − Y`. The sum
    /// is right when `self` is not the identity and `H ≠ 0`; `H = 0` means equal points
    /// (`r = 0`, a doubling) or opposite ones (the identity), which the formula gets wrong.
    pub(super) fn add_affine_parts(&self, x2: &F, y2: &F) -> (Self, F, F) {
        let z1z1 = self.z.square();
        let u2 = *x2 * z1z1;
        let s2 = *y2 * self.z * z1z1;
        let h = u2 - self.x;
        let r = s2 - self.y;
        let hh = h.square();
        let hhh = h * hh;
        let v = self.x * hh;
        let x3 = r.square() - hhh - v.double();
        let y3 = r * (v - x3) - self.y * hhh;
        let z3 = self.z * h;
        (
            Self {
                x: x3,
                y: y3,
                z: z3,
            },
            h,
            r,
        )
    }

    /// `self + (x₂, y₂)` for public points, every case handled by branching.
    pub(super) fn add_affine(&self, x2: &F, y2: &F) -> Self {
        if self.is_identity() {
            return Self::from_affine(*x2, *y2);
        }
        let (sum, h, r) = self.add_affine_parts(x2, y2);
        if bool::from(h.is_zero()) {
            return if bool::from(r.is_zero()) {
                self.double()
            } else {
                Self::IDENTITY
            };
        }
        sum
    }

    /// `self + q` ("add-2007-bl") for public points, every case handled by branching.
    pub(super) fn add(&self, q: &Self) -> Self {
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
}

impl<F: PrimeField> Jacobian<F> {
    /// The affine x-coordinate, `X / Z²`, encoded; `None` for the identity (the field's own
    /// inversion; the signers use `modinv` instead).
    pub(super) fn x_repr(&self) -> Option<F::Repr> {
        let z_inv = Option::<F>::from(self.z.invert())?;
        Some((self.x * z_inv.square()).to_repr())
    }
}
