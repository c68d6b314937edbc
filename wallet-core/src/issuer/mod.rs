//! The issuer's service around protocol step 1 ([`crate::issue`] signs one credential): what an
//! issuing agency needs to run issuance safely, whatever the front end (the `wallet` CLI, the
//! FFI issuer of an app or a service, a future wasm issuer):
//! - [`transaction`]: the issuance transaction — lock the status registry, allocate an index,
//!   save, sign, log, unlock — so a credential's index is never given twice and never lost;
//! - [`log`]: the issuance log beside the registry (`REG.issued.jsonl`), by which an agency
//!   revokes by credential id;
//! - [`reservation`]: a batch's indices, reserved in blocks saved before use;
//! - [`batch`]: a batch's line formats, commit order, job file and resume;
//! - [`trust_draft`]: the trust-list operator's unsigned draft.
//!
//! Front ends keep argument parsing, threads, terminals and wording; the invariants live here,
//! stated where they are enforced.

pub mod batch;
mod error;
pub mod log;
pub mod reservation;
pub mod transaction;
pub mod trust_draft;

pub use error::IssuerError;
pub use transaction::{IssuanceService, Issued};
