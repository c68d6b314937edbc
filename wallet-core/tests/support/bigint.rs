//! 256-bit big-endian helpers for building signatures with chosen scalars (n − s, r = n, …).

#![allow(dead_code)]

/// a − b for 32-byte big-endian integers with a ≥ b.
pub fn sub_be(a: &[u8], b: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = i16::from(d < 0);
        out[i] = (d + 256 * borrow) as u8;
    }
    out
}
