//! Issuer API, for agencies that embed issuance in a service: a `wallet_issuer` holds the
//! agency's identifier and signing key and issues SD-JWT VCs of a built-in type, or of a type
//! the agency added as a Type Metadata document (`wallet_issuer_add_type`), from claims JSON,
//! bound to the holder's public key.

use crate::error::FfiError;
use crate::ffi::{
    Out, free_handle, guard, in_handle, in_required_str, in_str, into_handle, wallet_buffer,
};
use crate::wallet_result;
use serde_json::{Map, Value};
use std::ffi::c_char;
use std::sync::RwLock;
use wallet_core::credential::StatusRef;
use wallet_core::credential::catalogue::TypeSet;
use wallet_core::issuer::CredentialRequest;
use wallet_core::issuer::IssuanceService;
use wallet_core::keys::{PublicKey, SigningKey};

/// An issuing agency: its `iss` identifier (as listed in the trust list) and its Ed25519 signing
/// key (wiped when the handle is freed).
///
/// Thread safety: a `wallet_issuer` may be used from several threads at once (its added types
/// are behind a lock).
pub struct wallet_issuer {
    iss: String,
    key: SigningKey,
    types: RwLock<TypeSet>,
}

/// Creates an issuer from its identifier (`iss`, e.g. `https://ga.sh.gov.cn/issuer`) and its
/// private key as PKCS#8 PEM or private JWK text. On success `*issuer_out` owns a new handle;
/// free it with `wallet_issuer_free`.
///
/// # Safety
/// Pointers are NULL or valid for their lengths; `issuer_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_issuer_new(
    iss: *const c_char,
    iss_len: usize,
    private_key: *const c_char,
    private_key_len: usize,
    issuer_out: *mut *mut wallet_issuer,
) -> wallet_result {
    guard(|| {
        let out = Out::new(issuer_out, "issuer_out")?;
        // SAFETY: forwarded from this function's contract.
        let iss = unsafe { in_required_str(iss, iss_len, "iss")? };
        // SAFETY: as above.
        let text = unsafe { in_required_str(private_key, private_key_len, "private_key")? };
        let key = SigningKey::from_text(text)?;
        let handle = into_handle(wallet_issuer {
            iss: iss.to_owned(),
            key,
            types: RwLock::new(TypeSet::new()),
        });
        // SAFETY: `issuer_out` checked non-NULL and writable by contract.
        unsafe { out.write(handle) };
        Ok(())
    })
}

/// Releases an issuer and wipes its key. NULL is ignored. Set your pointer to NULL afterwards:
/// freeing the same handle twice is undefined behaviour.
///
/// # Safety
/// `issuer` is NULL or a handle from this library not yet freed, with no call on it running.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_issuer_free(issuer: *mut wallet_issuer) {
    crate::ffi::guard_value((), || {
        // SAFETY: forwarded from this function's contract.
        unsafe { free_handle(issuer) }
    });
}

/// Adds a credential type from its SD-JWT VC Type Metadata document (JSON text, exactly as the
/// trust list pins it; docs/credential-types.md, "Type documents"), so that
/// `wallet_issuer_issue` can issue it by short name, `vct` or display name. Adding the same
/// document again does nothing. Errors: `WALLET_RESULT_ARGUMENT` with code
/// `catalogue.invalid_document` (the message names the member) or `catalogue.type_conflict`
/// (a different document already has its `vct` or short name).
///
/// # Safety
/// `issuer` is NULL or a live handle; `document` is NULL or valid for `document_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_issuer_add_type(
    issuer: *const wallet_issuer,
    document: *const c_char,
    document_len: usize,
) -> wallet_result {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let issuer = unsafe { in_handle(issuer, "issuer")? };
        // SAFETY: as above.
        let document = unsafe { in_required_str(document, document_len, "document")? };
        let mut types = issuer
            .types
            .write()
            .map_err(|_| FfiError::invalid("the issuer's types are unusable after a panic"))?;
        types.add_document(document.as_bytes())?;
        Ok(())
    })
}

/// Returns the issuer's public JWK (JSON text) in `jwk_out`: what the trust-list operator lists.
///
/// # Safety
/// `issuer` is NULL or a live handle; `jwk_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_issuer_public_jwk(
    issuer: *const wallet_issuer,
    jwk_out: *mut wallet_buffer,
) -> wallet_result {
    guard(|| {
        let out = Out::new(jwk_out, "jwk_out")?;
        // SAFETY: forwarded from this function's contract.
        let issuer = unsafe { in_handle(issuer, "issuer")? };
        let jwk = issuer.key.verifying_key().to_jwk().to_string();
        // SAFETY: `jwk_out` checked non-NULL and writable by contract.
        unsafe { out.write(wallet_buffer::from_string(jwk)) };
        Ok(())
    })
}

/// The optional members of the issue options object.
struct IssueOptions {
    expires_at: Option<i64>,
    not_before: Option<i64>,
    status: Option<StatusRef>,
    /// The agency's status registry file: the credential's index is allocated from it (and
    /// logged in its issuance log) by wallet-core's issuance transaction.
    status_registry: Option<String>,
    /// The issuer's explicit decision that the credential may never be revoked.
    no_status: bool,
    /// Refuse an `expires_at` after the document's own validity instead of capping it.
    strict_validity: bool,
}

fn issue_options(text: &str) -> Result<IssueOptions, FfiError> {
    let mut options = IssueOptions {
        expires_at: None,
        not_before: None,
        status: None,
        status_registry: None,
        no_status: false,
        strict_validity: false,
    };
    if text.trim().is_empty() {
        return Ok(options);
    }
    let what = "options";
    let map: Map<String, Value> =
        serde_json::from_str(text).map_err(|e| FfiError::json("options (a JSON object)", e))?;
    let time = |v: &Value, name: &str| {
        v.as_i64()
            .ok_or_else(|| FfiError::json(what, format!("{name} must be unix seconds")))
    };
    let (mut uri, mut idx) = (None, None);
    for (name, value) in &map {
        match name.as_str() {
            "expires_at" => options.expires_at = Some(time(value, name)?),
            "not_before" => options.not_before = Some(time(value, name)?),
            "status_uri" => {
                let text = value
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| FfiError::json(what, "status_uri must be a non-empty string"))?;
                uri = Some(text.to_owned());
            }
            "status_idx" => {
                idx = Some(value.as_u64().ok_or_else(|| {
                    FfiError::json(what, "status_idx must be a non-negative integer")
                })?);
            }
            "status_registry" => {
                let text = value.as_str().filter(|s| !s.is_empty()).ok_or_else(|| {
                    FfiError::json(what, "status_registry must be a non-empty path")
                })?;
                options.status_registry = Some(text.to_owned());
            }
            "no_status" | "strict_validity" => {
                let flag = value
                    .as_bool()
                    .ok_or_else(|| FfiError::json(what, format!("{name} must be true or false")))?;
                if name == "no_status" {
                    options.no_status = flag;
                } else {
                    options.strict_validity = flag;
                }
            }
            other => {
                return Err(FfiError::json(
                    what,
                    format!(
                        "unknown option {other:?} (known: expires_at, not_before, status_uri, status_idx, status_registry, no_status, strict_validity)"
                    ),
                ));
            }
        }
    }
    options.status = match (uri, idx) {
        (Some(uri), Some(idx)) => Some(StatusRef { idx, uri }),
        (None, None) => None,
        _ => {
            return Err(FfiError::json(
                what,
                "status_uri and status_idx go together: give both or neither",
            ));
        }
    };
    if options.status.is_some() && options.status_registry.is_some() {
        return Err(FfiError::json(
            what,
            "status_registry allocates the status entry: give it or status_uri + status_idx, not both",
        ));
    }
    Ok(options)
}

/// Issues a credential of catalogue type `credential_type` (short name such as `resident-id`,
/// its `vct`, or its name such as `居民身份证` / `身份证`) from `claims_json` (a JSON object of the type's claims; derived claims such as
/// `age_over_18` are added by the library), bound to the holder's public JWK `holder_jwk`
/// (Ed25519, P-256 or SM2), at `now` (unix seconds, the `iat`). `options` is empty or a JSON object with any of
/// `expires_at` (unix seconds; default: the type's validity; never later than the document's
/// own validity end, to which it is capped unless `strict_validity` is true), `not_before`, and
/// `status_uri` + `status_idx` (the credential's entry in the agency's status list, making it
/// revocable; required for the catalogue's types unless `no_status` is true), or instead
/// `status_registry`: the path of the agency's status registry file (as made by `wallet status
/// init`), from which the library allocates the entry under the registry's cross-process lock,
/// saves the registry before signing and appends the credential to the registry's issuance log
/// (`REG.issued.jsonl`) — the same transaction as `wallet issue --status-registry`, so an app,
/// a service and the CLI can share one registry without ever giving an index twice. Registry
/// failures are `WALLET_RESULT_STATUS_REGISTRY_UNAVAILABLE`, `_LOCKED` (after a 5 s wait) or
/// `_FULL`; nothing is issued then.
/// The credential (`<jwt>~<disclosure>~…~`) goes to `credential_out`.
///
/// # Safety
/// `issuer` is NULL or a live handle; other pointers are NULL or valid for their lengths;
/// `credential_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_issuer_issue(
    issuer: *const wallet_issuer,
    credential_type: *const c_char,
    credential_type_len: usize,
    claims_json: *const c_char,
    claims_json_len: usize,
    holder_jwk: *const c_char,
    holder_jwk_len: usize,
    options: *const c_char,
    options_len: usize,
    now: i64,
    credential_out: *mut wallet_buffer,
) -> wallet_result {
    guard(|| {
        let out = Out::new(credential_out, "credential_out")?;
        // SAFETY: forwarded from this function's contract.
        let issuer = unsafe { in_handle(issuer, "issuer")? };
        // SAFETY: as above.
        let type_name =
            unsafe { in_required_str(credential_type, credential_type_len, "credential_type")? };
        // SAFETY: as above.
        let claims_text = unsafe { in_required_str(claims_json, claims_json_len, "claims_json")? };
        // SAFETY: as above.
        let holder = unsafe { in_required_str(holder_jwk, holder_jwk_len, "holder_jwk")? };
        // SAFETY: as above.
        let options = issue_options(unsafe { in_str(options, options_len, "options")? })?;
        let types = issuer
            .types
            .read()
            .map_err(|_| FfiError::invalid("the issuer's types are unusable after a panic"))?;
        let ty = types.lookup(type_name)?;
        let claims: Map<String, Value> = serde_json::from_str(claims_text)
            .map_err(|e| FfiError::json("claims_json (a JSON object of claims)", e))?;
        let holder = PublicKey::from_jwk_str(holder)?;
        let mut request = CredentialRequest::for_type(ty, &issuer.iss, &claims, holder, now)?;
        if let Some(exp) = options.expires_at {
            request.expires_at = exp;
        }
        request.not_before = options.not_before;
        request.status = options.status;
        request.strict_validity = options.strict_validity;
        if options.no_status {
            request = request.without_status();
        }
        let mut service = IssuanceService::new(&issuer.key);
        if let Some(path) = options.status_registry {
            service = service.with_registry(path);
        }
        let credential = service.issue(request, &mut rand_core::OsRng)?.credential;
        // SAFETY: `credential_out` checked non-NULL and writable by contract.
        unsafe { out.write(wallet_buffer::from_string(credential)) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const _: () = {
        const fn shareable<T: Send + Sync>() {}
        shareable::<wallet_issuer>();
    };

    #[test]
    fn options() {
        assert!(issue_options("").is_ok_and(|o| o.status.is_none() && !o.no_status));
        assert!(
            issue_options(r#"{"no_status": true, "strict_validity": true}"#)
                .is_ok_and(|o| o.no_status && o.strict_validity)
        );
        assert!(
            issue_options(r#"{"status_uri": "https://x/1", "status_idx": 4, "expires_at": 5}"#)
                .is_ok_and(|o| o.status.is_some_and(|s| s.idx == 4) && o.expires_at == Some(5))
        );
        assert!(
            issue_options(r#"{"status_registry": "/tmp/r.registry"}"#)
                .is_ok_and(|o| o.status_registry.as_deref() == Some("/tmp/r.registry"))
        );
        for bad in [
            r#"{"status_uri": "https://x/1"}"#,
            r#"{"exp": 1}"#,
            r#"{"no_status": "yes"}"#,
            r#"{"status_registry": ""}"#,
            r#"{"status_registry": "r", "status_uri": "https://x/1", "status_idx": 4}"#,
            "1",
        ] {
            assert!(
                issue_options(bad).is_err_and(|e| e.result == wallet_result::InvalidJson),
                "{bad}"
            );
        }
    }
}
