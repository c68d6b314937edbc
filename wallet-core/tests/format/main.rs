//! The format layers through the public API: the credential test vectors, every issuer × holder
//! algorithm pair, the document's own validity, resource bounds on untrusted input, the tamper
//! sweep, privacy of presentations, and the Token Status List vectors.
//!
//! One test binary per role: every file Cargo finds under `tests/` links its own binary, so a
//! few binaries keep the build flat. Each file in `tests/format/` is a module of this binary, and
//! the test names carry it (`cargo test -p wallet-core --test format -- algorithms::`).

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

mod algorithms;
mod bounds;
mod document_validity;
mod es256_backends;
mod gm_profile;
mod privacy;
mod sm2_backends;
mod status_vectors;
mod tamper;
mod vectors;
mod wycheproof;
