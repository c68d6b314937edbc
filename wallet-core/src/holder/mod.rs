//! Protocol steps 2 and 3, the holder: the encrypted credential store a wallet app keeps
//! ([`Store`], docs/store.md) and presentations that disclose only the claims the holder picked,
//! bound to a verifier or to one display of a QR code by a KB-JWT ([`present`]).

pub(crate) mod present;
pub(crate) mod store;

pub use crate::format::credential::credential_id;
pub use crate::format::sdjwt::KeyBindingRequest;
pub use present::{PreparedCredential, present};
pub use store::{
    CredentialInfo, ExternalKeys, ExternalSignature, HolderKeyInfo, HolderKeyKind, HolderSigner,
    IMPORT_CLOCK_SKEW, KdfLimits, KdfParams, MAX_CREDENTIALS, MAX_FILE_LEN, MAX_HANDLE_LEN,
    MAX_HOLDER_KEYS, Removed, Store, StoreError, StoreOptions, StoreSecret, StoredCredential,
};
