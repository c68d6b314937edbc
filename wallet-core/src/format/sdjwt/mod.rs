//! Selective Disclosure for JWTs, IETF RFC 9901: disclosures (§4.2), issuance with digests and
//! decoys (§4.1, §4.2.5), holder presentation with a Key Binding JWT (§4.3, §6), and the
//! verifier's processing (§7.1–§7.3), with `_sd_alg` `sha-256` or the GM profile's `sm3`. The format layer only: which claims exist, which may be
//! hidden and what the validity rules are belong to the SD-JWT VC layer in `credential`.

mod alg;
mod disclosure;
mod error;
mod issue;
mod kb;
mod parts;
mod path;
mod present;
mod process;

pub use alg::SdAlg;
pub use disclosure::Disclosure;
pub use error::{SD_ALG, SdJwtError};
pub use issue::{DecoyPolicy, IssueOptions, issue};
pub(crate) use issue::{Policy, issue_serialized};
pub use kb::{
    KbClaims, KbExpectation, KeyBindingRequest, create_kb_jwt, create_kb_jwt_with, sd_hash,
    verify_kb_jwt, verify_kb_jwt_with,
};
pub(crate) use kb::{check_kb_claims, parse_kb_jwt};
pub use parts::{SdJwtParts, serialize};
pub use path::{ClaimPath, PathSegment};
pub use present::select_disclosures;
pub(crate) use present::select_processed;
pub(crate) use process::process_owned;
pub use process::{DisclosedClaim, Processed, process};
