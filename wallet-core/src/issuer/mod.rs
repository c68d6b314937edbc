//! Protocol step 1, the issuer, and the service an issuing agency runs around it, whatever the
//! front end (the `wallet` CLI, the FFI issuer of an app or a service, a future wasm issuer):
//! - [`issue`](issue_credential): a credential request checked against its type
//!   ([`CredentialRequest`]) and signed as an SD-JWT VC with the never-disclosable rule;
//! - [`registry`](StatusRegistry): the status registry an agency allocates each credential's
//!   status-list index from and publishes its Token Status List with;
//! - [`transaction`]: the issuance transaction — lock the status registry, allocate an index,
//!   save, sign, log, unlock — so a credential's index is never given twice and never lost;
//! - [`log`]: the issuance log beside the registry (`REG.issued.jsonl`), by which an agency
//!   revokes by credential id;
//! - [`reservation`]: a batch's indices, reserved in blocks saved before use;
//! - [`batch`]: a batch's line formats, commit order, job file and resume;
//! - [`shard`]: one shard of a national issuance (its own list, log and output);
//! - [`trust_draft`]: the trust-list operator's unsigned draft;
//! - `pkcs11` (feature `pkcs11`): issuer keys held in a PKCS#11 token (HSM), signing in place.
//!
//! Front ends keep argument parsing, threads, terminals and wording; the invariants live here,
//! stated where they are enforced.

pub mod batch;
mod error;
pub(crate) mod issue;
pub mod log;
#[cfg(feature = "pkcs11")]
pub mod pkcs11;
pub(crate) mod registry;
pub mod reservation;
pub mod shard;
pub mod transaction;
pub mod trust_draft;

pub use error::IssuerError;
pub use issue::{CredentialRequest, check_status_choice, issue_credential};
pub use registry::{REGISTRY_LOCK_TIMEOUT, RegistryLock, StatusRegistry};
pub use transaction::{IssuanceService, Issued};
