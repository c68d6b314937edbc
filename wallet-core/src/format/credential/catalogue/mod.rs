//! The credential-type catalogue: the SD-JWT VC types this wallet issues for Chinese
//! electronic certificates, each with its `vct` identifier, claim schema (JSON type,
//! required / selectively disclosable / derived flags, value format), bilingual display
//! labels, issuance-time validation of issuer-supplied claims, and the derived predicate
//! claims (`age_over_18`, `age_over_60`) the issuer adds so that holders can prove an age
//! threshold without disclosing their birth date.
//!
//! `vct` values follow `urn:cn-wallet:<short-name>:<schema-version>`; a schema change that
//! alters the meaning or validation of a claim must bump the version rather than edit a
//! published type in place, because verifiers key their policies on the exact `vct`.
//!
//! The catalogue is split by concern, and its modules depend on one another in one direction
//! only, from the bottom up:
//! - `error`: [`CatalogueError`] and its stable codes;
//! - `types`: the public data types ([`CredentialType`], [`ClaimSpec`], [`Format`], ...);
//! - `tables`: the static table of the eight credential types;
//! - `validate`: issuance-time validation ([`CredentialType::prepare_claims`]) and every value
//!   format's checker;
//! - `examples`: the example claims ([`CredentialType::example_claims`]);
//! - `render`: the generated documentation ([`render_markdown`]);
//! - this module: the lookups and the public interface, re-exported so that every
//!   `catalogue::Name` path stays the same whichever file defines the item.

mod error;
mod examples;
mod render;
mod tables;
mod types;
mod validate;

#[cfg(test)]
mod tests;

pub use error::{CatalogueError, MAX_REPORTED_ERRORS};
pub use render::render_markdown;
pub use types::{ClaimSpec, CredentialType, Format, JsonType, Lang, RESERVED_CLAIMS};
pub use validate::end_of_day_cst;

use error::bounded;

/// All credential types, in catalogue order.
pub fn all() -> &'static [CredentialType] {
    &tables::TYPES
}

/// Looks a type up by its short name (e.g. `resident-id`) or its `vct`.
///
/// # Errors
///
/// [`CatalogueError::UnknownType`] if neither matches a catalogue entry exactly.
pub fn by_name(short_name_or_vct: &str) -> Result<&'static CredentialType, CatalogueError> {
    tables::TYPES
        .iter()
        .find(|t| t.short_name == short_name_or_vct || t.vct == short_name_or_vct)
        .ok_or_else(|| CatalogueError::UnknownType {
            name: bounded(short_name_or_vct),
        })
}

/// Looks a type up by any name a person may give it: the short name, the `vct`, the Chinese
/// or English display name (English case-insensitively), or an alias such as `驾驶证`
/// ([`CredentialType::aliases`]). For command lines and APIs where a person names a type;
/// a credential's `vct` is matched exactly with [`by_name`].
///
/// # Errors
///
/// [`CatalogueError::UnknownType`] if no catalogue entry has that name.
pub fn lookup(name: &str) -> Result<&'static CredentialType, CatalogueError> {
    let name = name.trim();
    tables::TYPES
        .iter()
        .find(|t| {
            t.short_name == name
                || t.vct == name
                || t.name_zh == name
                || t.name_en.eq_ignore_ascii_case(name)
                || t.aliases.contains(&name)
        })
        .ok_or_else(|| CatalogueError::UnknownType {
            name: bounded(name),
        })
}

/// Display label of `claim` in credentials of type `vct` (a short name is accepted too);
/// `None` if either is unknown.
pub fn label_for(vct: &str, claim: &str, lang: Lang) -> Option<&'static str> {
    by_name(vct).ok()?.claim(claim).map(|c| c.label(lang))
}
