//! The format layers through the public API: the credential test vectors, every issuer × holder
//! algorithm pair, the document's own validity, resource bounds on untrusted input, the tamper
//! sweep, privacy of presentations, and the Token Status List vectors.
//!
//! One test binary per role (each file under `tests/` that Cargo finds links its own binary, so
//! few binaries keep the build flat); each file in `tests/format/` is one module of it, and the test
//! names carry the module (`cargo test -p wallet-core --test format -- algorithms::`).

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
mod privacy;
mod status_vectors;
mod tamper;
mod vectors;
