//! The trust-list operator's unsigned draft (docs/trust-and-status.md): the trust-list payload
//! without `iat` / `next_update` (set when it is signed) and with `"format":
//! "wallet-trust-draft"`, pretty-printed JSON with a final newline. The operator edits the draft
//! through [`TrustListBuilder`]'s checked operations, signs it, and the draft moves on to the
//! next sequence number so that no two signed lists share one.
//!
//! A draft is read through [`TrustList::from_payload`], the same reader as a signed list, so a
//! draft can never hold what a verifier would refuse; and it is rebuilt through the builder
//! ([`builder_from`]) so every edit goes through the builder's rules (no duplicate issuer or
//! key, valid key windows). The byte format is fixed: drafts written by earlier versions read
//! back, and re-writing an unchanged draft changes no byte.

use crate::error::{ErrorCode, ErrorInfo, codes};
use crate::trust::{TrustError, TrustList, TrustListBuilder};
use serde_json::{Map, Value};

/// Format marker of an unsigned trust-list draft.
pub const DRAFT_FORMAT: &str = "wallet-trust-draft";

/// Why a draft cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DraftError {
    /// The JSON is not a trust-list draft (no `"format": "wallet-trust-draft"` object).
    #[error("not a trust-list draft")]
    NotADraft,
    /// The draft's content breaks a trust-list rule.
    #[error("{0}")]
    Trust(#[from] TrustError),
}

impl DraftError {
    /// This error's row of the error table ([`crate::error`]): its stable code, kind and class.
    pub fn info(&self) -> &'static ErrorInfo {
        match self {
            Self::NotADraft => &codes::TRUST_NOT_A_DRAFT,
            Self::Trust(e) => e.info(),
        }
    }

    /// Stable machine-readable code (lower layers' codes pass through unchanged).
    pub fn code(&self) -> &'static str {
        self.info().code
    }
}

impl ErrorCode for DraftError {
    fn info(&self) -> &'static ErrorInfo {
        DraftError::info(self)
    }
    fn kind(&self) -> crate::error::ErrorKind {
        match self {
            Self::Trust(e) => e.kind(),
            Self::NotADraft => self.info().kind,
        }
    }
    fn class(&self) -> crate::error::ErrorClass {
        match self {
            Self::Trust(e) => e.class(),
            Self::NotADraft => self.info().class,
        }
    }
}

/// Reads a draft from its parsed JSON, checked by [`TrustList::from_payload`].
pub fn read_draft(value: Value) -> Result<TrustList, DraftError> {
    let mut obj: Map<String, Value> = match value {
        Value::Object(o) if o.get("format").and_then(Value::as_str) == Some(DRAFT_FORMAT) => o,
        _ => return Err(DraftError::NotADraft),
    };
    obj.remove("format");
    // The draft has no signing times; placeholders satisfy the payload reader's window check.
    obj.insert("iat".into(), Value::from(0));
    obj.insert("next_update".into(), Value::from(1));
    Ok(TrustList::from_payload(&obj)?)
}

/// The draft file's bytes for `list`.
pub fn draft_bytes(list: &TrustList) -> Result<Vec<u8>, DraftError> {
    let mut payload = list.to_payload();
    if let Value::Object(obj) = &mut payload {
        obj.remove("iat");
        obj.remove("next_update");
        obj.insert("format".into(), Value::from(DRAFT_FORMAT));
    }
    let mut bytes = serde_json::to_vec_pretty(&payload)
        .map_err(|_| TrustError::Malformed("the draft could not be serialised"))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A builder holding exactly `list` (same id and sequence number), rebuilt through the builder's
/// own checked operations.
pub fn builder_from(list: &TrustList) -> Result<TrustListBuilder, TrustError> {
    let mut b = TrustListBuilder::new(&list.list_id, list.seq);
    let carried = list.types()?;
    for e in &list.issuers {
        b.add_issuer(&e.iss, &e.name_zh, &e.name_en, &[])?;
        for vct in &e.vct {
            // A pinned type keeps its pin, and its carried document when the list has the one
            // pinned; an unpinned one (a list written before types were data) is authorised as
            // before.
            match e.integrity.get(vct) {
                Some(pin) => {
                    let document = carried.iter().find(|t| {
                        &t.vct == vct
                            && (t.integrity() == pin
                                || crate::format::credential::catalogue::integrity_matches(
                                    pin,
                                    t.document().as_bytes(),
                                ))
                    });
                    match document {
                        Some(ty) if ty.integrity() == pin => b.authorise_type(&e.iss, ty)?,
                        Some(ty) => {
                            b.authorise_type(&e.iss, ty)?;
                            // The operator's own (e.g. sha384) pin of the same document stays.
                            b.authorise_pinned(&e.iss, vct, pin)?
                        }
                        None => b.authorise_pinned(&e.iss, vct, pin)?,
                    }
                }
                None => b.authorise(&e.iss, vct)?,
            };
        }
        for k in &e.keys {
            b.add_key(&e.iss, &k.key, k.not_before, k.not_after)?;
            if let Some(at) = k.retired_at {
                b.retire_key(&e.iss, &k.kid, at)?;
            }
        }
    }
    Ok(b)
}
