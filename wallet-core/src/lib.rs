//! wallet-core: issue, present and verify electronic certificates as SD-JWT VCs.
//!
//! Layers, bottom-up: [`keys`] (Ed25519, P-256, SM2; JWK, PEM) → [`jws`] (compact JWS; the
//! algorithm comes from the key) →
//! [`sdjwt`] (RFC 9901) → [`credential`] (SD-JWT VC rules and the credential-type catalogue) →
//! the three protocol steps [`issue`] (issuer), [`present`] (holder), [`verify`] (verifier).
//! [`issuer`] runs issuance for an agency: the status-index transaction, the issuance log,
//! batch bookkeeping and the trust-list draft.
//! [`verifier`] keeps a verifier device's state (trust list, status lists, replay cache) between
//! scans.

pub mod bulk;
pub mod credential;
mod encoding;
pub mod fsutil;
pub mod issue;
pub mod issuer;
pub mod jws;
pub mod keys;
pub mod present;
pub mod qr;
pub mod report;
pub mod sdjwt;
pub mod status;
pub mod store;
pub mod trust;
pub mod verifier;
pub mod verify;

pub use encoding::{b64_encode, limits};
