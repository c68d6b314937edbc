//! Primitives that skip the product's rules. **Do not use them to issue or verify real
//! credentials.** They exist for tests that build deliberately broken tokens, for interop tools
//! and for benchmarks: each one below leaves out a check that the safe API in
//! [`crate::issuer`] / [`crate::verifier`] always makes.

/// RFC 9901 issuance with no SD-JWT VC rules: [`sdjwt::issue`] will make any claim selectively
/// disclosable, including `iss`, `exp`, `cnf` or `status`, which
/// [`crate::issuer::issue_credential`] refuses (`vc.reserved_claim_disclosable`).
pub mod sdjwt {
    pub use crate::format::sdjwt::{IssueOptions, issue, serialize};
}

/// Signing any JOSE header and payload: [`jws::sign`] writes whatever `typ`, `kid` and claims it
/// is given, so it can forge tokens that the verifier must refuse.
pub mod jws {
    pub use crate::format::jws::sign;
}

/// Ed25519 batch verification: [`keys::verify_batch`] says only whether *all* signatures are
/// valid, with a probabilistic check; the bulk verifier ([`crate::verifier::verify_bulk`]) falls
/// back to one-by-one checks to find which one failed.
pub mod keys {
    pub use crate::format::keys::verify_batch;
}

/// The verifier's borrowing JSON reader against the serde_json reader it replaced:
/// [`json::check_agreement`] runs both on the same bytes and describes any difference in
/// decision, reason or value. For the `json_differential` fuzz target.
pub mod json {
    pub use crate::encoding::borrowed::check_agreement;
}
