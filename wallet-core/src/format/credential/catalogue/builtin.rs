//! The eight built-in credential types (居民身份证, 驾驶证, 行驶证, 户口簿, 不动产权证书, 社会保障卡,
//! 护照, 营业执照) as the SD-JWT VC Type Metadata documents in `wallet-core/types/`, embedded in
//! the binary and read once, on first use, by the same reader as an agency's own documents.
//!
//! The documents are part of the wallet's protocol (verifiers key their policies on the exact
//! `vct`, claim names and, through the trust list, the documents' integrity): a change goes
//! through review and bumps the `vct`'s schema version instead of editing a published type in
//! place. A test reads every embedded document and checks there are eight.

use std::sync::OnceLock;

use super::document::parse_document;
use super::types::CredentialType;

/// The embedded documents, in catalogue order.
pub(super) const DOCUMENTS: [&str; 8] = [
    include_str!("../../../../types/resident-id.json"),
    include_str!("../../../../types/driving-licence.json"),
    include_str!("../../../../types/vehicle-licence.json"),
    include_str!("../../../../types/household-register.json"),
    include_str!("../../../../types/real-estate-title.json"),
    include_str!("../../../../types/social-security-card.json"),
    include_str!("../../../../types/passport.json"),
    include_str!("../../../../types/business-licence.json"),
];

static TYPES: OnceLock<Vec<CredentialType>> = OnceLock::new();

/// The built-in types, parsed on first use. A document that failed to parse would be missing
/// here; the catalogue's tests read each one and fail on any error, so none ships broken.
pub(super) fn types() -> &'static [CredentialType] {
    TYPES.get_or_init(|| {
        DOCUMENTS
            .iter()
            .filter_map(|d| parse_document(d.as_bytes(), true).ok())
            .collect()
    })
}
