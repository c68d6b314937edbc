//! Result codes and error reporting of the C ABI: the [`wallet_result`] enum every fallible
//! function returns, the mapping from wallet-core's stable error codes (`store.wrong_key`, …) to
//! it, the calling thread's last error, and the functions that copy messages out to C.

use std::borrow::Cow;
use std::cell::RefCell;
use std::ffi::c_char;
use std::fmt::Display;
use wallet_core::{ErrorClass, ErrorCode};

/// What a call did. 0 is success; the other values are grouped by layer in blocks of 100 and are
/// never renumbered or reused (new codes are only added). The finer cause is the last error's
/// stable code (`wallet_last_error_code`), e.g. `vc.expired` under
/// `WALLET_RESULT_CREDENTIAL_EXPIRED`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wallet_result {
    /// Success; outputs were written.
    Ok = 0,

    // 1–99: how the API was called.
    /// A required pointer argument was NULL (or a NULL pointer came with a non-zero length).
    NullParameter = 1,
    /// A string argument is not valid UTF-8.
    InvalidUtf8 = 2,
    /// An argument is out of range or malformed: an unknown enum value, a key of the wrong
    /// length, a claim path that cannot be parsed, an unknown option.
    InvalidArgument = 3,
    /// A JSON argument (claims, options, disclosure list) is not valid JSON of the right shape.
    InvalidJson = 4,
    /// A bug: the library panicked. The panic was caught; the handle used may be left unusable.
    Panic = 5,

    // 100–199: keys.
    /// A key is not usable: not an Ed25519 JWK / PKCS#8 PEM, weak, private where a public key
    /// is expected (`key.*`).
    KeyInvalid = 100,
    /// The external signing callback failed or returned a signature that does not verify under
    /// the registered public key (`key.signer_failed`).
    SignerFailed = 101,

    // 200–299: credentials (`jws.*`, `sdjwt.*`, `vc.*`, `catalogue.*`).
    /// The credential or presentation is invalid: signature, structure, disclosures or key
    /// binding.
    CredentialInvalid = 200,
    /// The credential has expired, is not yet valid or was issued in the future
    /// (`vc.expired`, `vc.not_yet_valid`, `vc.issued_in_future`).
    CredentialExpired = 201,
    /// The issuer is not in the trust list, not authorised for the credential type, or signed
    /// with a key not listed or not valid then (`vc.unknown_issuer`, …).
    UntrustedIssuer = 202,
    /// The claims given for issuance break the credential type's rules (`catalogue.*`).
    ClaimsInvalid = 210,
    /// No credential type has this name (`catalogue.unknown_type`).
    UnknownType = 211,
    /// A claim path to disclose does not exist in the credential (`sdjwt.unknown_claim_path`).
    UnknownClaimPath = 212,

    // 300–399: trust list.
    /// The trust list is malformed or too large (`trust.*`).
    TrustListInvalid = 300,
    /// The trust list is not signed by the pinned root key (`trust.bad_signature`).
    TrustListBadSignature = 301,
    /// The trust list is past its next update, or dated in the future (`trust.stale`,
    /// `trust.issued_in_future`).
    TrustListStale = 302,

    // 400–499: status lists.
    /// The Status List Token is malformed, not signed by a listed issuer key, or too large
    /// (`status.*`).
    StatusListInvalid = 400,
    /// A newer token for the same list is already held (`status.rollback`).
    StatusListRollback = 401,
    /// The issuer's status registry or its issuance log cannot be read or written, or is not a
    /// registry (`status.io`, `status.malformed`, `issuer.io`, …); nothing was issued.
    StatusRegistryUnavailable = 410,
    /// Another process kept the issuer's status registry locked beyond the wait
    /// (`status.registry_locked`); nothing was issued: try again.
    StatusRegistryLocked = 411,
    /// The issuer's status registry has no free index left (`status.registry_full`): start a
    /// new status list.
    StatusRegistryFull = 412,

    // 500–599: holder store.
    /// No store file at the path (`store.not_found`).
    StoreNotFound = 500,
    /// A file already exists where a store was to be created (`store.exists`).
    StoreExists = 501,
    /// The passphrase or key does not unlock the store (`store.wrong_key`).
    StoreWrongKey = 502,
    /// The store file is damaged, tampered with or not a store (`store.tampered`,
    /// `store.corrupt`, `store.truncated`, `store.malformed`, `store.not_a_store`, …).
    StoreDamaged = 503,
    /// The store was written by a newer version of the library (`store.newer_version`).
    StoreNewerVersion = 504,
    /// Another process holds the store's lock (`store.locked`).
    StoreLocked = 505,
    /// The store's passphrase or key was changed through another handle (`store.rekeyed`).
    StoreRekeyed = 506,
    /// No credential or holder key with this id (`store.unknown_credential`, …).
    StoreUnknownId = 507,
    /// The credential or key is already stored (`store.duplicate`, `store.duplicate_key`).
    StoreDuplicate = 508,
    /// The credential is bound to a key this store does not hold
    /// (`store.holder_key_not_held`).
    StoreHolderKeyNotHeld = 509,
    /// The holder key is external and no signing callback is set
    /// (`store.external_signer_required`).
    StoreExternalSignerRequired = 510,
    /// The store holds as many credentials or keys as it allows (`store.full`).
    StoreFull = 511,
    /// Reading, writing or locking the store file failed (`store.io`).
    StoreIo = 512,
    /// A store operation was refused for its arguments: an empty passphrase, invalid
    /// key-derivation parameters or key handle, a presentation given for import, …
    StoreRefused = 513,

    // 600–699: QR codes.
    /// The QR payload is not a valid `CW1:` payload (`qr.*` transport codes).
    QrPayloadInvalid = 600,
    /// The presentation or payload is too long for a QR code (`qr.payload_too_long`, …).
    QrTooLong = 601,
    /// No QR code was found in the image (`qr.no_code_found`).
    QrNotFound = 602,
    /// The image is not a readable PNG/JPEG or is too large (`qr.unsupported_image`, …).
    QrImageInvalid = 603,
    /// The QR code cannot be drawn with these options (`qr.invalid_render_options`, …).
    QrRenderFailed = 604,
    /// A verifier challenge code is malformed, expired, unknown or already used
    /// (`qr.challenge_*`).
    ChallengeInvalid = 610,
    /// The verifier has no identifier, so it cannot issue challenges.
    ChallengeDisabled = 611,
    /// The persistent replay cache file is damaged, of a format version this library does not
    /// know, or larger than its capacity allows (`qr.replay_cache_corrupt`,
    /// `qr.replay_cache_too_large`): move it aside.
    ReplayCacheDamaged = 620,
    /// The persistent replay cache file cannot be created, read, written or locked
    /// (`qr.replay_cache_io`, `qr.replay_cache_locked`).
    ReplayCacheUnavailable = 621,
}

impl wallet_result {
    /// Every code, in numeric order.
    pub(crate) const ALL: &'static [Self] = &[
        Self::Ok,
        Self::NullParameter,
        Self::InvalidUtf8,
        Self::InvalidArgument,
        Self::InvalidJson,
        Self::Panic,
        Self::KeyInvalid,
        Self::SignerFailed,
        Self::CredentialInvalid,
        Self::CredentialExpired,
        Self::UntrustedIssuer,
        Self::ClaimsInvalid,
        Self::UnknownType,
        Self::UnknownClaimPath,
        Self::TrustListInvalid,
        Self::TrustListBadSignature,
        Self::TrustListStale,
        Self::StatusListInvalid,
        Self::StatusListRollback,
        Self::StatusRegistryUnavailable,
        Self::StatusRegistryLocked,
        Self::StatusRegistryFull,
        Self::StoreNotFound,
        Self::StoreExists,
        Self::StoreWrongKey,
        Self::StoreDamaged,
        Self::StoreNewerVersion,
        Self::StoreLocked,
        Self::StoreRekeyed,
        Self::StoreUnknownId,
        Self::StoreDuplicate,
        Self::StoreHolderKeyNotHeld,
        Self::StoreExternalSignerRequired,
        Self::StoreFull,
        Self::StoreIo,
        Self::StoreRefused,
        Self::QrPayloadInvalid,
        Self::QrTooLong,
        Self::QrNotFound,
        Self::QrImageInvalid,
        Self::QrRenderFailed,
        Self::ChallengeInvalid,
        Self::ChallengeDisabled,
        Self::ReplayCacheDamaged,
        Self::ReplayCacheUnavailable,
    ];

    /// The code for a number, if it is one (from [`Self::ALL`], so it cannot fall out of step
    /// with the enum: a test checks `ALL` against the generated header).
    pub(crate) fn from_u32(value: u32) -> Option<Self> {
        Self::ALL.iter().copied().find(|&r| r as u32 == value)
    }

    /// A fixed, lowercase description of the code (the last error has the specific message).
    pub(crate) fn description(self) -> &'static str {
        use wallet_result as R;
        match self {
            R::Ok => "success",
            R::NullParameter => "a required pointer argument is null",
            R::InvalidUtf8 => "a string argument is not valid utf-8",
            R::InvalidArgument => "an argument is out of range or malformed",
            R::InvalidJson => "a json argument is not valid json of the expected shape",
            R::Panic => "internal error (a bug in the wallet library): the call was abandoned",
            R::KeyInvalid => "the key is not a usable ed25519 key",
            R::SignerFailed => "the external signer failed or returned a wrong signature",
            R::CredentialInvalid => "the credential or presentation is invalid",
            R::CredentialExpired => "the credential is expired or not yet valid",
            R::UntrustedIssuer => "the issuer is not trusted for this credential",
            R::ClaimsInvalid => "the claims break the credential type's rules",
            R::UnknownType => "no credential type has this name",
            R::UnknownClaimPath => "a claim to disclose is not in the credential",
            R::TrustListInvalid => "the trust list is invalid",
            R::TrustListBadSignature => "the trust list is not signed by the pinned root key",
            R::TrustListStale => "the trust list is out of date or dated in the future",
            R::StatusListInvalid => "the status list token is invalid or untrusted",
            R::StatusListRollback => "a newer status list token is already held",
            R::StatusRegistryUnavailable => {
                "cannot read or write the status registry or its issuance log"
            }
            R::StatusRegistryLocked => "another process is using the status registry",
            R::StatusRegistryFull => "the status registry has no free index left",
            R::StoreNotFound => "no store at this path",
            R::StoreExists => "a store already exists at this path",
            R::StoreWrongKey => "wrong passphrase or key for this store",
            R::StoreDamaged => "the store file is damaged or was tampered with",
            R::StoreNewerVersion => "the store was written by a newer version of the library",
            R::StoreLocked => "the store is locked by another process",
            R::StoreRekeyed => "the store's passphrase or key was changed elsewhere",
            R::StoreUnknownId => "no credential or holder key with this id",
            R::StoreDuplicate => "the credential or key is already in the store",
            R::StoreHolderKeyNotHeld => "the credential is bound to a key this store does not hold",
            R::StoreExternalSignerRequired => "the holder key is external: set a signing callback",
            R::StoreFull => "the store is full",
            R::StoreIo => "cannot read or write the store file",
            R::StoreRefused => "the store refused the operation for its arguments",
            R::QrPayloadInvalid => "not a valid qr payload",
            R::QrTooLong => "too long for a qr code",
            R::QrNotFound => "no qr code found in the image",
            R::QrImageInvalid => "the image is not a readable png or jpeg, or is too large",
            R::QrRenderFailed => "cannot draw the qr code with these options",
            R::ChallengeInvalid => "the challenge is invalid, expired or already answered",
            R::ChallengeDisabled => "the verifier has no identifier, so it cannot issue challenges",
            R::ReplayCacheDamaged => "the replay cache file is damaged or not a replay cache",
            R::ReplayCacheUnavailable => "cannot read, write or lock the replay cache file",
        }
    }
}

/// An error on its way to C: the result code, a stable `layer.reason` code and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FfiError {
    pub(crate) result: wallet_result,
    pub(crate) code: Cow<'static, str>,
    pub(crate) message: String,
}

impl FfiError {
    /// An error of the FFI layer itself, whose codes start with `ffi.`.
    pub(crate) fn new(
        result: wallet_result,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            result,
            code: Cow::Borrowed(code),
            message: message.into(),
        }
    }

    /// A required pointer was NULL.
    pub(crate) fn null(what: &str) -> Self {
        Self::new(
            wallet_result::NullParameter,
            "ffi.null_parameter",
            format!("{what} is null: pass a valid pointer"),
        )
    }

    /// A malformed or out-of-range argument.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(
            wallet_result::InvalidArgument,
            "ffi.invalid_argument",
            message,
        )
    }

    /// A JSON argument that does not parse or has the wrong shape.
    pub(crate) fn json(what: &str, detail: impl Display) -> Self {
        Self::new(
            wallet_result::InvalidJson,
            "ffi.invalid_json",
            format!("{what} is not valid: {detail}"),
        )
    }

    /// An error of wallet-core, under the result code of its class.
    pub(crate) fn core(error: &(impl ErrorCode + Display)) -> Self {
        Self {
            result: result_for(error.class()),
            code: Cow::Borrowed(error.code()),
            message: error.to_string(),
        }
    }
}

/// The result code of a wallet-core error: one per [`ErrorClass`] of wallet-core's error table
/// (`wallet_core::error`), so no code string is compared here and every class has its result.
pub(crate) fn result_for(class: ErrorClass) -> wallet_result {
    use ErrorClass as C;
    use wallet_result as R;
    match class {
        C::Argument => R::InvalidArgument,
        C::Key => R::KeyInvalid,
        C::Signer => R::SignerFailed,
        C::Credential => R::CredentialInvalid,
        C::Expired => R::CredentialExpired,
        C::Untrusted => R::UntrustedIssuer,
        C::Claims => R::ClaimsInvalid,
        C::UnknownType => R::UnknownType,
        C::UnknownClaimPath => R::UnknownClaimPath,
        C::TrustList => R::TrustListInvalid,
        C::TrustListSignature => R::TrustListBadSignature,
        C::TrustListStale => R::TrustListStale,
        C::StatusList => R::StatusListInvalid,
        C::StatusListRollback => R::StatusListRollback,
        C::Registry => R::StatusRegistryUnavailable,
        C::RegistryLocked => R::StatusRegistryLocked,
        C::RegistryFull => R::StatusRegistryFull,
        C::StoreNotFound => R::StoreNotFound,
        C::StoreExists => R::StoreExists,
        C::StoreWrongKey => R::StoreWrongKey,
        C::StoreDamaged => R::StoreDamaged,
        C::StoreNewerVersion => R::StoreNewerVersion,
        C::StoreLocked => R::StoreLocked,
        C::StoreRekeyed => R::StoreRekeyed,
        C::StoreUnknownId => R::StoreUnknownId,
        C::StoreDuplicate => R::StoreDuplicate,
        C::StoreHolderKeyNotHeld => R::StoreHolderKeyNotHeld,
        C::StoreExternalSignerRequired => R::StoreExternalSignerRequired,
        C::StoreFull => R::StoreFull,
        C::StoreIo => R::StoreIo,
        C::StoreRefused => R::StoreRefused,
        C::QrPayload => R::QrPayloadInvalid,
        C::QrTooLong => R::QrTooLong,
        C::QrNotFound => R::QrNotFound,
        C::QrImage => R::QrImageInvalid,
        C::QrRender => R::QrRenderFailed,
        C::Challenge => R::ChallengeInvalid,
        C::ReplayCacheDamaged => R::ReplayCacheDamaged,
        C::ReplayCacheUnavailable => R::ReplayCacheUnavailable,
        // `ErrorClass` is #[non_exhaustive]: a class added to wallet-core before this table
        // names it is still an error, never success. The test `every_class_has_its_own_result`
        // fails until it is given its own result.
        _ => R::InvalidArgument,
    }
}

/// Every wallet-core error type converts with its code and class; one conversion each keeps
/// call sites to `?`.
macro_rules! from_core_error {
    ($($ty:ty),* $(,)?) => {$(
        impl From<$ty> for FfiError {
            fn from(e: $ty) -> Self {
                Self::core(&e)
            }
        }
    )*};
}

from_core_error!(
    wallet_core::holder::StoreError,
    wallet_core::credential::VcError,
    wallet_core::credential::catalogue::CatalogueError,
    wallet_core::keys::KeyError,
    wallet_core::qr::render::RenderError,
    wallet_core::qr::scan::ScanError,
    wallet_core::qr::transport::TransportError,
    wallet_core::qr::freshness::ChallengeError,
    wallet_core::verifier::FreshnessError,
    wallet_core::verifier::ReplayCacheError,
    wallet_core::verifier::VerifyError,
    // A trust list or status list whose JWS fails keeps the `jws.*` code but is reported as the
    // list being invalid, and a status registry that cannot be used as the registry's problem:
    // those errors' classes say so (`ErrorCode::class` in wallet-core).
    wallet_core::trust::TrustError,
    wallet_core::status::StatusError,
    wallet_core::issuer::IssuerError,
);

/// Longest message handed to C, in bytes (before the `…` that marks a cut): a message names what
/// went wrong and what to do, and a caller's multi-megabyte argument quoted in it helps no one.
const MAX_MESSAGE_LEN: usize = 1024;

/// Whether `c` must not reach C raw: a NUL would cut the C string short of the length the
/// functions return; other C0 and C1 controls and DEL (ESC above all) can restyle a terminal or
/// forge log lines, as can the Unicode line and paragraph separators; bidirectional marks,
/// embeddings, overrides and isolates, and invisible format characters, can make a message
/// display as something other than what it says.
fn must_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// The one place where every message on its way to C is made safe, whatever built it — this
/// crate quoting a caller's argument, or wallet-core describing one: each character of
/// [`must_escape`] is written as Rust's `{:?}` writes it (`\0`, `\n`, `\u{1b}`, `\u{202e}`, …),
/// and the text is cut at
/// [`MAX_MESSAGE_LEN`] bytes on a character boundary, ending in `…`. The result has no NUL, so
/// its length is what `strlen` sees.
pub(crate) fn sanitize_message(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_MESSAGE_LEN));
    for c in text.chars() {
        let before = out.len();
        if must_escape(c) {
            // The spelling of Rust's `{:?}`, so a character escaped here reads the same as one
            // in an argument this crate quoted with `{:?}`.
            match c {
                '\0' => out.push_str("\\0"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            }
        } else {
            out.push(c);
        }
        if out.len() > MAX_MESSAGE_LEN {
            out.truncate(before);
            out.push('…');
            break;
        }
    }
    out
}

thread_local! {
    // Per thread, like errno: a call on another thread cannot overwrite the error this thread
    // is about to read.
    static LAST_ERROR: RefCell<Option<FfiError>> = const { RefCell::new(None) };
}

/// Records the outcome of a call on this thread: the error, or none after a success. The
/// message is stored sanitised ([`sanitize_message`]), so no caller-supplied control character
/// reaches C through any error.
pub(crate) fn set_last_error(mut error: Option<FfiError>) {
    if let Some(e) = &mut error {
        e.message = sanitize_message(&e.message);
    }
    // `try_with` fails only while the thread is being torn down; nobody can read it then.
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = error;
        }
    });
}

pub(crate) fn with_last_error<T>(read: impl FnOnce(Option<&FfiError>) -> T) -> T {
    // A copy, so that `read` runs with no borrow of the slot held.
    let current = LAST_ERROR
        .try_with(|slot| slot.try_borrow().ok().and_then(|e| e.clone()))
        .ok()
        .flatten();
    read(current.as_ref())
}

/// Copies `text` into `buf` like `snprintf`: at most `buf_len - 1` bytes, cut on a UTF-8
/// character boundary, then a NUL. Returns the full length of `text` (without NUL), so a caller
/// can size a buffer with a first call passing NULL and 0.
///
/// # Safety
/// `buf` is NULL or points to `buf_len` writable bytes.
pub(crate) unsafe fn copy_out(text: &str, buf: *mut c_char, buf_len: usize) -> usize {
    if !buf.is_null() && buf_len > 0 {
        let mut n = text.len().min(buf_len.saturating_sub(1));
        while !text.is_char_boundary(n) {
            n = n.saturating_sub(1);
        }
        let dst = buf.cast::<u8>();
        // SAFETY: `n < buf_len` bytes are copied into the caller's `buf_len`-byte buffer from
        // `text`, which holds at least `n` bytes; the two cannot overlap (`text` is ours).
        unsafe {
            std::ptr::copy_nonoverlapping(text.as_ptr(), dst, n);
            dst.add(n).write(0);
        }
    }
    text.len()
}

#[cfg(test)]
// Tests call the exported functions directly; their pointers are locals. (clippy.toml exempts
// tests from the panic lints; this one has no test setting.)
#[allow(clippy::undocumented_unsafe_blocks)]
mod tests {
    use super::*;
    use crate::last_error::wallet_last_error_message;

    #[test]
    fn numbers_round_trip_and_are_grouped() {
        for &r in wallet_result::ALL {
            let n = r as u32;
            assert_eq!(wallet_result::from_u32(n), Some(r));
            assert!(!r.description().is_empty());
        }
        assert_eq!(wallet_result::from_u32(7), None);
        assert_eq!(wallet_result::Ok as u32, 0);
        assert_eq!(wallet_result::StoreWrongKey as u32, 502);
    }

    #[test]
    fn core_codes_map_to_their_layer() {
        use wallet_core::error::error_info;
        let result = |code: &str| result_for(error_info(code).map(|i| i.class).unwrap());
        assert_eq!(result("vc.expired"), wallet_result::CredentialExpired);
        assert_eq!(
            result("jws.bad_signature"),
            wallet_result::CredentialInvalid
        );
        assert_eq!(result("store.wrong_key"), wallet_result::StoreWrongKey);
        assert_eq!(result("store.tampered"), wallet_result::StoreDamaged);
        assert_eq!(
            result("store.empty_passphrase"),
            wallet_result::StoreRefused
        );
        assert_eq!(result("qr.deflate"), wallet_result::QrPayloadInvalid);
        assert_eq!(result("status.revoked"), wallet_result::StatusListInvalid);
        assert_eq!(
            result("status.registry_locked"),
            wallet_result::StatusRegistryLocked
        );
        assert_eq!(
            result("issuer.io"),
            wallet_result::StatusRegistryUnavailable
        );
        assert_eq!(result("key.weak_key"), wallet_result::KeyInvalid);
        assert_eq!(result("claims.not_json"), wallet_result::InvalidArgument);
        // A trust list whose signature fails as a JWS is the list's problem, with the jws code.
        let e = wallet_core::trust::TrustError::Jws(wallet_core::jws::JwsError::BadSignature);
        assert_eq!(
            (e.code(), result_for(e.class())),
            ("jws.bad_signature", wallet_result::TrustListInvalid)
        );
    }

    #[test]
    fn every_class_has_its_own_result() {
        // Only `ErrorClass::Argument` reports as InvalidArgument; any other class that does fell
        // through the catch-all and needs its own result.
        for info in wallet_core::error::ERRORS {
            let r = result_for(info.class);
            assert!(
                r != wallet_result::InvalidArgument || info.class == ErrorClass::Argument,
                "{} ({:?}) has no result of its own",
                info.code,
                info.class
            );
            assert_ne!(r, wallet_result::Ok, "{}", info.code);
        }
    }

    #[test]
    fn all_lists_every_result_of_the_header() {
        // `ALL` (from which `from_u32` reads) against the enum as cbindgen wrote it.
        let header = include_str!("../include/wallet.h");
        let in_header = header
            .lines()
            .filter_map(|l| l.trim().strip_prefix("WALLET_RESULT_"))
            .filter_map(|l| l.split(" = ").nth(1))
            .filter_map(|n| n.trim_end_matches(',').parse::<u32>().ok())
            .collect::<Vec<_>>();
        let in_all = wallet_result::ALL
            .iter()
            .map(|&r| r as u32)
            .collect::<Vec<_>>();
        assert_eq!(in_header, in_all);
    }

    #[test]
    fn sanitize_escapes_controls_bidi_and_invisibles() {
        assert_eq!(sanitize_message("plain 中文 text"), "plain 中文 text");
        assert_eq!(sanitize_message("a\0b\nc\r\td"), "a\\0b\\nc\\r\\td");
        assert_eq!(sanitize_message("\x1b[31mred"), "\\u{1b}[31mred");
        assert_eq!(
            sanitize_message("\u{7f}\u{85}\u{9b}"),
            "\\u{7f}\\u{85}\\u{9b}"
        );
        assert_eq!(
            sanitize_message("x\u{202e}y\u{2066}z\u{200b}\u{feff}\u{2028}"),
            "x\\u{202e}y\\u{2066}z\\u{200b}\\u{feff}\\u{2028}"
        );
        // What `{:?}` escapes reads the same as what sanitising escapes.
        let quoted = format!("{:?}", "a\0\u{1b}");
        assert_eq!(sanitize_message(&quoted), quoted);
        assert_eq!(quoted, format!("\"{}\"", sanitize_message("a\0\u{1b}")));
    }

    #[test]
    fn sanitize_bounds_the_length_on_a_char_boundary() {
        let long = "证".repeat(1000);
        let out = sanitize_message(&long);
        assert!(out.len() <= MAX_MESSAGE_LEN + '…'.len_utf8());
        assert!(out.ends_with('…'));
        assert!(out.starts_with("证证"));
        let escapes = "\0".repeat(1000);
        let out = sanitize_message(&escapes);
        assert!(out.len() <= MAX_MESSAGE_LEN + '…'.len_utf8());
        assert!(!out.contains('\0'));
    }

    /// Every message reaches C through the last error, which is sanitised however the error
    /// was built.
    #[test]
    fn the_last_error_is_stored_sanitised() {
        set_last_error(Some(FfiError::invalid("bad \0 path\n\x1b[2J")));
        let mut buf = [0x55 as c_char; 64];
        let n = unsafe { wallet_last_error_message(buf.as_mut_ptr(), buf.len()) };
        let text = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) };
        assert_eq!(text.to_str().unwrap(), "bad \\0 path\\n\\u{1b}[2J");
        assert_eq!(n, text.to_bytes().len());
        set_last_error(None);
    }

    #[test]
    fn copy_out_truncates_on_char_boundaries() {
        let mut buf = [0x55 as c_char; 5];
        // "é" is two bytes: four bytes of room fit "ab" + "é" exactly, three fit "ab" only.
        let n = unsafe { copy_out("abéc", buf.as_mut_ptr(), 5) };
        assert_eq!(n, 5);
        assert_eq!(
            &buf[..5].iter().map(|&c| c as u8).collect::<Vec<_>>(),
            b"ab\xc3\xa9\0"
        );
        let n = unsafe { copy_out("abéc", buf.as_mut_ptr(), 4) };
        assert_eq!(n, 5);
        assert_eq!(buf[2] as u8, 0);
        assert_eq!(unsafe { copy_out("abc", std::ptr::null_mut(), 0) }, 3);
    }
}
