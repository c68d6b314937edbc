//! Fixture: layered modules (base <- mid <- top <- extra) with grouped uses, renames, globs,
//! re-exports, an inline module, a `#[path]` module, and decoys that would close a cycle if
//! comments, strings or `#[cfg(test)]` code were read as imports.

pub mod base;
pub mod mid;
pub mod top;
#[path = "extra/renamed.rs"]
pub mod extra;

pub use crate::base::types::{Id, Name as Label};
