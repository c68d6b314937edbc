//! Fixtures shared by the test binaries, declared once in each (`mod support;`): the
//! test-vector format (`vectors`, also `#[path]`-included by the `check_vector` and
//! `gen_vectors` examples), camera-like QR distortions (`qr_distort`, also used by the `qr`
//! bench), the holder-store fixtures (`store`) and the trust-list and status fixtures (`trust`), big-endian scalar arithmetic (`bigint`).
//! Not every binary uses every fixture, so each module allows dead code.

pub mod bigint;
pub mod qr_distort;
pub mod store;
pub mod trust;
pub mod vectors;
