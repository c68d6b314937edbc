//! The format layers, bottom-up: [`keys`] → [`jws`] → [`sdjwt`] (RFC 9901) → [`credential`]
//! (SD-JWT VC and the credential-type catalogue). They know nothing of trust lists, status lists,
//! QR codes or who is calling: the role modules above (`issuer`, `holder`, `qr`, `verifier`) put
//! them together. The crate root re-exports the parts that are public API.

pub(crate) mod credential;
pub(crate) mod jws;
pub(crate) mod keys;
pub(crate) mod sdjwt;
