//! Verifier API: a `wallet_verifier` built from the trust list and its pinned root key, fed with
//! Status List Tokens, that verifies a scanned payload or camera image fully offline at an
//! explicit time and answers with the verdict as its own output (`valid`) and the JSON report
//! `wallet verify --json` prints. Its open challenges live in the handle; its replay cache too,
//! or in a file (the `replay_cache` option) so that it outlives the handle.

use crate::error::FfiError;
use crate::ffi::{
    Out, free_handle, guard, in_bytes, in_handle, in_required_str, in_str, into_handle,
    wallet_buffer,
};
use crate::wallet_result;
use std::ffi::c_char;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};
use wallet_core::credential::catalogue::Lang;
use wallet_core::keys::PublicKey;
use wallet_core::qr::scan::{ScanLimits, scan_image};
use wallet_core::verifier::ReplayCache;
use wallet_core::verifier::report;
use wallet_core::verifier::{Verifier, VerifierConfig, parse_options};

/// A verifier device: trust list, cached status lists, replay cache and open challenges.
///
/// Thread safety: a `wallet_verifier` may be used from several threads at once; calls on it are
/// serialised by a lock inside (each scan updates the replay cache). Free it once, after all
/// other calls on it returned.
pub struct wallet_verifier {
    // A panic while the lock is held can only come from a bug; the state it guards (maps of
    // strings) stays consistent, so a poisoned lock is used as is.
    inner: Mutex<Verifier>,
}

impl wallet_verifier {
    fn lock(&self) -> MutexGuard<'_, Verifier> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Language of the labels in a verification report (the `lang` argument).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wallet_lang {
    /// English labels.
    En = 0,
    /// Simplified Chinese labels.
    Zh = 1,
}

fn lang(value: u32) -> Result<Lang, FfiError> {
    match value {
        0 => Ok(Lang::En),
        1 => Ok(Lang::Zh),
        other => Err(FfiError::invalid(format!(
            "lang {other} is not a wallet_lang: pass 0 (English) or 1 (Chinese)"
        ))),
    }
}

/// Reads the options object of `wallet_verifier_new` (wallet-core's
/// [`parse_options`](wallet_core::verifier::parse_options), shared with the WebAssembly
/// verifier): the verifier's configuration and the path of its persistent replay cache, if any.
fn config(text: &str) -> Result<(VerifierConfig, Option<PathBuf>), FfiError> {
    let options = parse_options(text).map_err(|e| FfiError::json("options", e))?;
    Ok((options.config, options.replay_cache.map(PathBuf::from)))
}

/// Creates a verifier that trusts the issuers of `trust_list` (a compact JWS) once it verifies
/// under the pinned root key `trust_root_jwk` (public JWK text: Ed25519, P-256 or SM2) at `now`
/// (unix seconds).
/// `options` is empty for the defaults or a JSON object with any of: `max_age` (oldest accepted
/// presentation, s; default 60), `clock_skew` (s; default 30), `verifier_id` (enables challenge
/// mode), `accept_offline` (default true), `accept_unknown_status` (accept a credential whose
/// status list is not cached, reporting the status as unknown; default false),
/// `allow_stale_trust_list` (default false), `algs` (the accepted signature algorithms for every
/// key — trust-list root, issuer, holder, status list — e.g. `["SM2"]`; default
/// `["EdDSA","ES256","SM2"]`; a refused root is `WALLET_RESULT_TRUST_LIST_INVALID`
/// (`trust.algorithm_not_accepted`), a refused issuer or holder key a negative verdict
/// `vc.algorithm_not_accepted` / `vc.holder_algorithm_not_accepted`), `replay_capacity`
/// (default 1,000,000),
/// `replay_cache` (a file path: keep the replay history in that file rather than in the handle,
/// so that a new handle — after a restart, or one per scan — still refuses a code accepted
/// before; created if missing; `WALLET_RESULT_REPLAY_CACHE_DAMAGED` or
/// `_UNAVAILABLE` when it cannot be used). On success `*verifier_out` owns a new handle; free it
/// with `wallet_verifier_free`.
///
/// # Safety
/// Pointers are NULL or valid for their lengths; `verifier_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_verifier_new(
    trust_list: *const c_char,
    trust_list_len: usize,
    trust_root_jwk: *const c_char,
    trust_root_jwk_len: usize,
    options: *const c_char,
    options_len: usize,
    now: i64,
    verifier_out: *mut *mut wallet_verifier,
) -> wallet_result {
    guard(|| {
        let out = Out::new(verifier_out, "verifier_out")?;
        // SAFETY: forwarded from this function's contract.
        let trust_list = unsafe { in_required_str(trust_list, trust_list_len, "trust_list")? };
        // SAFETY: as above.
        let root =
            unsafe { in_required_str(trust_root_jwk, trust_root_jwk_len, "trust_root_jwk")? };
        // SAFETY: as above.
        let (config, replay_cache) = config(unsafe { in_str(options, options_len, "options")? })?;
        let capacity = config.qr.replay_capacity;
        let root = PublicKey::from_jwk_str(root)?;
        let mut verifier = Verifier::new(trust_list, &root, now, config)?;
        if let Some(path) = replay_cache {
            verifier.set_replay_cache(ReplayCache::open(&path, capacity, now)?);
        }
        let handle = into_handle(wallet_verifier {
            inner: Mutex::new(verifier),
        });
        // SAFETY: `verifier_out` checked non-NULL and writable by contract.
        unsafe { out.write(handle) };
        Ok(())
    })
}

/// Releases a verifier, with its status lists and replay history. NULL is ignored. Set your
/// pointer to NULL afterwards: freeing the same handle twice is undefined behaviour.
///
/// # Safety
/// `verifier` is NULL or a handle from this library not yet freed, with no call on it running.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_verifier_free(verifier: *mut wallet_verifier) {
    crate::ffi::guard_value((), || {
        // SAFETY: forwarded from this function's contract.
        unsafe { free_handle(verifier) }
    });
}

/// Adds a Status List Token (compact JWS, as downloaded from the list's URI) to the verifier's
/// cache after checking it is signed by a key the trust list gives its issuer. A token older
/// than the one held for the same list is refused (`WALLET_RESULT_STATUS_LIST_ROLLBACK`), so a
/// replayed old list cannot hide a revocation.
///
/// # Safety
/// `verifier` is NULL or a live handle; `token` is NULL or valid for `token_len`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_verifier_add_status_list(
    verifier: *const wallet_verifier,
    token: *const c_char,
    token_len: usize,
) -> wallet_result {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let verifier = unsafe { in_handle(verifier, "verifier")? };
        // SAFETY: as above.
        let token = unsafe { in_required_str(token, token_len, "token")? };
        verifier.lock().add_status_list(token)?;
        Ok(())
    })
}

/// The verdict and the report of one scan, made from the same result so they cannot disagree.
fn verdict(verifier: &wallet_verifier, text: &str, now: i64, lang: Lang) -> (bool, wallet_buffer) {
    let result = verifier.lock().verify(text, now);
    let report = report::result_json(&result, lang, now);
    (
        result.is_ok(),
        wallet_buffer::from_string(report.to_string()),
    )
}

/// Verifies a scanned text — a `CW1:` QR payload or a standard SD-JWT+KB string — at `now` (unix
/// seconds, from the device clock). The call succeeds (`WALLET_RESULT_OK`) whenever the text was
/// checked, **whether the credential was accepted or refused**: the verdict is `*valid_out` —
/// `true` only for a credential to accept (show green), `false` for one refused (show red) —
/// and the JSON report in `report_out` (labels in `lang`, a `wallet_lang`) says why, with
/// `"valid"` equal to `*valid_out` and `"code"` `"ok"` or the stable reason (`"status.revoked"`,
/// `"qr.replay"`, …). Both outputs are written on every success and neither on an error; errors
/// are only for bad arguments. An empty payload (`(NULL, 0)` or `("", 0)`) is checked like any
/// text and refused. An accepted code is remembered, so the same code scanned again is refused
/// as `qr.replay` (by this handle, or by any handle sharing its `replay_cache` file).
///
/// # Safety
/// `verifier` is NULL or a live handle; `payload` is NULL or valid for `payload_len`;
/// `valid_out` and `report_out` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_verifier_verify(
    verifier: *const wallet_verifier,
    payload: *const c_char,
    payload_len: usize,
    now: i64,
    lang: u32,
    valid_out: *mut bool,
    report_out: *mut wallet_buffer,
) -> wallet_result {
    guard(|| {
        let valid_out = Out::new(valid_out, "valid_out")?;
        let out = Out::new(report_out, "report_out")?;
        // SAFETY: forwarded from this function's contract.
        let verifier = unsafe { in_handle(verifier, "verifier")? };
        // SAFETY: as above.
        let payload = unsafe { in_str(payload, payload_len, "payload")? };
        let (valid, report) = verdict(verifier, payload, now, self::lang(lang)?);
        // SAFETY: both outputs checked non-NULL and writable by contract.
        unsafe {
            valid_out.write(valid);
            out.write(report);
        }
        Ok(())
    })
}

/// Finds the QR code in a camera photo or screenshot (PNG or JPEG bytes, at most 16 MiB and
/// 4096 × 4096 pixels) and verifies it as `wallet_verifier_verify` does, writing the verdict to
/// `*valid_out` and the report to `report_out`. When no code can be read the call fails
/// (`WALLET_RESULT_QR_NOT_FOUND`, or `WALLET_RESULT_QR_IMAGE_INVALID` for an unreadable image)
/// and neither output is written: ask for another photo.
///
/// # Safety
/// `verifier` is NULL or a live handle; `image` is NULL or valid for `image_len`;
/// `valid_out` and `report_out` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_verifier_verify_image(
    verifier: *const wallet_verifier,
    image: *const u8,
    image_len: usize,
    now: i64,
    lang: u32,
    valid_out: *mut bool,
    report_out: *mut wallet_buffer,
) -> wallet_result {
    guard(|| {
        let valid_out = Out::new(valid_out, "valid_out")?;
        let out = Out::new(report_out, "report_out")?;
        // SAFETY: forwarded from this function's contract.
        let verifier = unsafe { in_handle(verifier, "verifier")? };
        // SAFETY: as above.
        let image = unsafe { in_bytes(image, image_len, "image")? };
        let lang = self::lang(lang)?;
        // Decoding runs before the lock is taken: it is the slow part, and needs no state.
        let text = scan_image(image, &ScanLimits::default())?;
        let (valid, report) = verdict(verifier, &text, now, lang);
        // SAFETY: both outputs checked non-NULL and writable by contract.
        unsafe {
            valid_out.write(valid);
            out.write(report);
        }
        Ok(())
    })
}

/// Opens a challenge valid for `ttl` seconds from `now` and returns its QR payload (`CWC1:…`)
/// in `challenge_out`, for the verifier to show and the holder to answer in challenge mode. Each
/// challenge is accepted once. Needs the `verifier_id` option
/// (`WALLET_RESULT_CHALLENGE_DISABLED` otherwise).
///
/// # Safety
/// `verifier` is NULL or a live handle; `challenge_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_verifier_new_challenge(
    verifier: *const wallet_verifier,
    now: i64,
    ttl: u64,
    challenge_out: *mut wallet_buffer,
) -> wallet_result {
    guard(|| {
        let out = Out::new(challenge_out, "challenge_out")?;
        // SAFETY: forwarded from this function's contract.
        let verifier = unsafe { in_handle(verifier, "verifier")? };
        let challenge = verifier
            .lock()
            .new_challenge(now, ttl, &mut rand_core::OsRng)
            .ok_or_else(|| {
                FfiError::new(
                    wallet_result::ChallengeDisabled,
                    "ffi.challenge_disabled",
                    "this verifier has no identifier: create it with the verifier_id option to use challenges",
                )
            })?;
        // SAFETY: `challenge_out` checked non-NULL and writable by contract.
        unsafe { out.write(wallet_buffer::from_string(challenge.to_payload())) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wallet_core::status::UnknownStatusPolicy;

    const _: () = {
        const fn shareable<T: Send + Sync>() {}
        shareable::<wallet_verifier>();
    };

    #[test]
    fn options() {
        let (c, replay_cache) = config("").unwrap();
        let mut expected = VerifierConfig::default();
        expected.trust.require_status = true;
        assert_eq!(c, expected, "the library defaults, with require_status on");
        assert_eq!(replay_cache, None);
        assert!(
            !config(r#"{"require_status": false}"#)
                .unwrap()
                .0
                .trust
                .require_status
        );
        let (c, _) =
            config(r#"{"max_age": 90, "verifier_id": "counter-7", "accept_unknown_status": true}"#)
                .unwrap();
        assert_eq!(c.qr.window, 90);
        assert_eq!(c.qr.verifier_id.as_deref(), Some("counter-7"));
        assert_eq!(c.trust.unknown_status, UnknownStatusPolicy::Accept);
        let (_, replay_cache) = config(r#"{"replay_cache": "/var/lib/app/replay"}"#).unwrap();
        assert_eq!(replay_cache, Some(PathBuf::from("/var/lib/app/replay")));
        for bad in [
            r#"{"max_age": -1}"#,
            r#"{"maxage": 1}"#,
            r#"{"require_status": 0}"#,
            "[]",
            "{",
            r#"{"replay_cache": ""}"#,
            r#"{"replay_cache": 5}"#,
        ] {
            assert_eq!(
                config(bad).unwrap_err().result,
                wallet_result::InvalidJson,
                "{bad}"
            );
        }
    }
}
