//! The credential types (draft-ietf-oauth-sd-jwt-vc, "SD-JWT VC Type Metadata"): the SD-JWT VC
//! types this wallet issues for Chinese electronic certificates, as data. Each type is a Type
//! Metadata document — its `vct`, claim schema (`path`, `sd`, `mandatory`, labels per locale)
//! and our `cn_wallet` extension (JSON type and value format of each claim, derived predicate
//! claims such as `age_over_18` that let a holder prove an age threshold without disclosing a
//! birth date, cross-field rules, default validity, the claims that end the document's validity,
//! revocability). Eight documents ship embedded; an agency adds its own from a file with no
//! release ([`TypeSet`]), and a verifier learns them from its trust list.
//!
//! `vct` values follow `urn:cn-wallet:<short-name>:<schema-version>` for the built-in types; a
//! schema change that alters the meaning or validation of a claim must bump the version rather
//! than edit a published type in place, because verifiers key their policies on the exact `vct`
//! and trust lists pin each document's integrity.
//!
//! The catalogue is split by concern, and its modules depend on one another in one direction
//! only, from the bottom up:
//! - `error`: [`CatalogueError`] and its stable codes;
//! - `types`: the public data types ([`CredentialType`], [`ClaimSpec`], [`Format`], [`Rule`], ...);
//! - `validate`: issuance-time validation ([`CredentialType::prepare_claims`]) and every value
//!   format's checker;
//! - `document`: reading a Type Metadata document into a [`CredentialType`], and SRI integrity;
//! - `builtin`: the eight embedded documents;
//! - `set`: [`TypeSet`], the built-in types plus added documents;
//! - `examples`: the example claims ([`CredentialType::example_claims`]);
//! - `render`: the generated documentation ([`render_markdown`]);
//! - this module: the lookups over the built-in types and the public interface, re-exported so
//!   that every `catalogue::Name` path stays the same whichever file defines the item.

mod builtin;
mod document;
mod error;
mod examples;
mod render;
mod set;
mod types;
mod validate;

#[cfg(test)]
mod tests;

pub use document::{
    EXTENSION, MAX_CLAIMS, MAX_DOCUMENT_BYTES, MAX_RULES, integrity_matches, integrity_of,
    parse_document,
};
pub use error::{CatalogueError, MAX_REPORTED_ERRORS};
pub use render::{TYPES_JSON_VERSION, render_markdown, types_json};
pub use set::{MAX_DIRECTORY_DOCUMENTS, TypeSet, read_document};
pub use types::{ClaimSpec, CredentialType, Format, JsonType, Lang, RESERVED_CLAIMS, Rule, Sd};
pub use validate::end_of_day_cst;

use error::bounded;

/// The built-in credential types, in catalogue order.
pub fn all() -> &'static [CredentialType] {
    builtin::types()
}

/// Looks a built-in type up by its short name (e.g. `resident-id`) or its `vct`; a
/// [`TypeSet`] also finds added types.
///
/// # Errors
///
/// [`CatalogueError::UnknownType`] if neither matches a built-in type exactly.
pub fn by_name(short_name_or_vct: &str) -> Result<&'static CredentialType, CatalogueError> {
    builtin::types()
        .iter()
        .find(|t| t.short_name == short_name_or_vct || t.vct == short_name_or_vct)
        .ok_or_else(|| CatalogueError::UnknownType {
            name: bounded(short_name_or_vct),
        })
}

/// Looks a built-in type up by any name a person may give it: the short name, the `vct`, the
/// Chinese or English display name (English case-insensitively), or an alias such as `驾驶证`
/// ([`CredentialType::aliases`]). For command lines and APIs where a person names a type;
/// a credential's `vct` is matched exactly with [`by_name`].
///
/// # Errors
///
/// [`CatalogueError::UnknownType`] if no built-in type has that name.
pub fn lookup(name: &str) -> Result<&'static CredentialType, CatalogueError> {
    let name = name.trim();
    builtin::types()
        .iter()
        .find(|t| t.answers_to(name))
        .ok_or_else(|| CatalogueError::UnknownType {
            name: bounded(name),
        })
}

/// Display label of `claim` in credentials of the built-in type `vct` (a short name is
/// accepted too); `None` if either is unknown.
pub fn label_for(vct: &str, claim: &str, lang: Lang) -> Option<&'static str> {
    by_name(vct).ok()?.claim(claim).map(|c| c.label(lang))
}
