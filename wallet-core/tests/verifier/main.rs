//! The verifier side: bulk verification, freshness and replay (in memory and in the persistent
//! replay cache), offline status checks and their memo, the trust list, and the verifier device.
//!
//! One test binary per role: every file Cargo finds under `tests/` links its own binary, so a
//! few binaries keep the build flat. Each file in `tests/verifier/` is a module of this binary, and
//! the test names carry it (`cargo test -p wallet-core --test verifier -- bulk::`).

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

mod alg_policy;
mod bulk;
mod freshness;
mod replay;
mod replay_file;
mod status_check;
mod status_memo;
mod trust_list;
mod type_metadata;
mod verifier_device;
