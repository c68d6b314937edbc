//! The holder store: every operation and every way a store file can be wrong, orphaned
//! temporary files, and crash safety under SIGKILL.
//!
//! One test binary per role: every file Cargo finds under `tests/` links its own binary, so a
//! few binaries keep the build flat. Each file in `tests/holder/` is a module of this binary, and
//! the test names carry it (`cargo test -p wallet-core --test holder -- store_crash::`).

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

mod store_crash;
mod store_damage;
mod store_ops;
mod store_orphans;
