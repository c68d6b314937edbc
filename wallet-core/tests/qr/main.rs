//! The QR codec: the CW1 and CW2 transports (lossless round trips, one spelling per presentation, the size
//! budget), rendering and scanning, and the camera-like distortion set.
//!
//! One test binary per role: every file Cargo finds under `tests/` links its own binary, so a
//! few binaries keep the build flat. Each file in `tests/qr/` is a module of this binary, and
//! the test names carry it (`cargo test -p wallet-core --test qr -- canonical::`).

// One allow for the whole binary. clippy.toml's `allow-*-in-tests` settings cover `#[test]`
// functions only: the helpers beside them (and the shared fixtures in `support/`) unwrap and
// index into data the test built itself, where a panic is the failure report; and
// `arithmetic_side_effects` / `cast_possible_truncation` have no test setting at all.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

#[path = "../support/mod.rs"]
mod support;

mod canonical;
mod cw2;
mod qr_distortion;
mod qr_render_scan;
mod transport;
