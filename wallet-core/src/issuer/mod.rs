//! Protocol step 1, the issuer: a credential request checked against its type
//! ([`CredentialRequest`]), signed as an SD-JWT VC with the never-disclosable rule
//! ([`issue_credential`]), and the status registry an agency allocates each credential's
//! status-list index from and publishes its Token Status List with ([`StatusRegistry`]).

pub(crate) mod issue;
pub(crate) mod registry;

pub use issue::{CredentialRequest, check_status_choice, issue_credential};
pub use registry::{REGISTRY_LOCK_TIMEOUT, RegistryLock, StatusRegistry};
