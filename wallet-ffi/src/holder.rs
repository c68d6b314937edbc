//! Holder API: the encrypted store (`wallet_store`: create/open by passphrase or 32-byte app key,
//! holder keys, import, list, remove) and presenting a credential as a QR payload, with the
//! holder key in the store or behind the app's signing callback (Secure Enclave, StrongBox).
//!
//! Holder keys are Ed25519, P-256 or SM2 (issue 17 point 5). Phone secure hardware holds P-256
//! only and signs in DER, so the signing callback is told the key's algorithm and answers with a
//! signature of explicit length in the platform's form (DER or raw r‖s); the library converts it
//! and verifies it under the registered key before it goes into a KB-JWT (docs/ffi.md).

use crate::error::FfiError;
use crate::ffi::{
    Out, free_handle, guard, in_bytes, in_handle, in_required_str, in_str, into_handle,
    wallet_buffer,
};
use crate::wallet_result;
use serde_json::{Value, json};
use std::ffi::{c_char, c_void};
use std::path::Path;
use std::sync::{PoisonError, RwLock};
use wallet_core::holder::KeyBindingRequest;
use wallet_core::holder::{
    ExternalKeys, ExternalSignature, HolderKeyInfo, HolderKeyKind, KdfParams, Store, StoreOptions,
    StoreSecret,
};
use wallet_core::keys::{Algorithm, KeyError, PublicKey, VerifyingKey};
use wallet_core::qr::freshness::{DEFAULT_SKEW_SECONDS, offline_key_binding};
use wallet_core::qr::transport;
use wallet_core::sdjwt::ClaimPath;
use wallet_core::trust::{StalePolicy, VerifiedTrustList};

/// An open holder store: the path and the key derived from the passphrase or app key (never
/// the passphrase itself), plus the signing callback, if set. Every call reads the file afresh
/// and every change is an atomic, locked rewrite, so handles in several threads or processes
/// see each other's changes.
///
/// Thread safety: a `wallet_store` may be used from several threads at once; changes are
/// serialised by the store's file lock. Free it once, after all other calls on it returned.
pub struct wallet_store {
    store: Store,
    // Read on every presentation, replaced rarely; a poisoned lock still holds a valid value
    // (a `Copy` pair), so poisoning is ignored.
    signer: RwLock<Option<CallbackSigner>>,
}

/// Argon2id cost of a new store's passphrase. NULL selects the recommended production cost
/// (64 MiB, 3 passes, 4 lanes). Smaller values are for tests: memory at least 8 KiB per lane,
/// at least one pass and one lane.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wallet_kdf_params {
    /// Memory cost in KiB.
    pub memory_kib: u32,
    /// Number of passes.
    pub iterations: u32,
    /// Number of lanes.
    pub parallelism: u32,
}

/// How a presentation is bound (the `mode` argument of `wallet_store_present`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wallet_present_mode {
    /// An offline refreshing code: `aud` is the fixed offline audience and the nonce is fresh
    /// and random; pass `aud` and `nonce` empty. Show a new one every 30 s or so.
    Offline = 0,
    /// An answer to a verifier's challenge: pass the challenge's `aud` and `nonce` (from
    /// `wallet_challenge_read`, or given by the verifier some other way).
    Challenge = 1,
}

/// A holder key's signature algorithm: the `algorithm` argument of
/// `wallet_store_new_holder_key` and of the signing callback.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wallet_key_algorithm {
    /// Ed25519 (JWS `EdDSA`); signatures are 64 raw bytes.
    Ed25519 = 0,
    /// ECDSA on P-256 with SHA-256 (JWS `ES256`): what the iPhone Secure Enclave and Android
    /// StrongBox hold.
    P256 = 1,
    /// SM2 with SM3 (JWS `SM2`), distinguishing identifier `1234567812345678`.
    Sm2 = 2,
}

impl wallet_key_algorithm {
    fn of(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Es256 => Self::P256,
            Algorithm::Sm2 => Self::Sm2,
            // Ed25519, and any algorithm a later library adds before this enum learns it (the
            // callback's answer is verified under the registered key in any case).
            _ => Self::Ed25519,
        }
    }

    fn parse(algorithm: u32) -> Result<Algorithm, FfiError> {
        match algorithm {
            a if a == Self::Ed25519 as u32 => Ok(Algorithm::EdDsa),
            a if a == Self::P256 as u32 => Ok(Algorithm::Es256),
            a if a == Self::Sm2 as u32 => Ok(Algorithm::Sm2),
            other => Err(FfiError::invalid(format!(
                "algorithm {other} is not a wallet_key_algorithm: pass 0 (Ed25519), 1 (P-256) or 2 (SM2)"
            ))),
        }
    }
}

/// The form of a signature the signing callback returns (its `signature_form_out`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wallet_signature_form {
    /// Raw: exactly 64 bytes, r‖s (32 bytes each, big-endian) for P-256 and SM2, the RFC 8032
    /// signature for Ed25519.
    Raw = 0,
    /// DER `ECDSA-Sig-Value` (X9.62 / SEC 1), minimal encoding, at most
    /// `WALLET_SIGNATURE_MAX_LEN` bytes: what iOS `SecKeyCreateSignature` with
    /// `.ecdsaSignatureMessageX962SHA256` and Android `Signature("SHA256withECDSA")` return.
    /// P-256 and SM2 only.
    Der = 1,
}

/// Room the library gives the signing callback for its signature, bytes: the longest DER P-256
/// or SM2 signature (72) and every raw one (64) fit.
pub const WALLET_SIGNATURE_MAX_LEN: usize = 72;

/// The app's signer for holder keys kept in secure hardware. Called with the key's handle (as
/// given to `wallet_store_register_external_key`; UTF-8, not NUL-terminated), the key's
/// algorithm (a `wallet_key_algorithm`, from the registered public key) and the message to sign
/// (a KB-JWT signing input, given whole: the signer hashes it — SHA-256 for P-256, SM3 with
/// `Z_A` for SM2). It writes the signature to `signature_out` (room for `signature_capacity`
/// bytes, which is `WALLET_SIGNATURE_MAX_LEN`), its length to `*signature_len_out` and its form
/// (a `wallet_signature_form`: the platform's DER, or raw r‖s) to `*signature_form_out`, and
/// returns 0; any other return value refuses (the user cancelled, the key is gone). A refusal,
/// a length over the capacity, a form the key cannot have, or a signature that does not verify
/// under the registered public key fails the call with `WALLET_RESULT_SIGNER_FAILED`
/// (`key.signer_failed`). It is called on the thread that called `wallet_store_present`, while
/// that call runs; it must not free the store. The pointers are valid only during the call.
pub type wallet_sign_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        key_handle: *const c_char,
        key_handle_len: usize,
        algorithm: u32,
        message: *const u8,
        message_len: usize,
        signature_out: *mut u8,
        signature_capacity: usize,
        signature_len_out: *mut usize,
        signature_form_out: *mut u32,
    ) -> i32,
>;

type SignFn = unsafe extern "C" fn(
    *mut c_void,
    *const c_char,
    usize,
    u32,
    *const u8,
    usize,
    *mut u8,
    usize,
    *mut usize,
    *mut u32,
) -> i32;

#[derive(Clone, Copy)]
struct CallbackSigner {
    callback: SignFn,
    userdata: *mut c_void,
}

// SAFETY: the pointer is only passed back to the app's callback, never dereferenced here. The
// app promises (wallet_store_set_external_signer's contract) that the callback and its userdata
// may be used from any thread that uses the store.
unsafe impl Send for CallbackSigner {}
// SAFETY: as for `Send`; the pair itself is immutable.
unsafe impl Sync for CallbackSigner {}

impl ExternalKeys for CallbackSigner {
    fn sign(
        &self,
        handle: &str,
        algorithm: Algorithm,
        message: &[u8],
    ) -> Result<ExternalSignature, KeyError> {
        let mut signature = [0u8; WALLET_SIGNATURE_MAX_LEN];
        // Out of range until the callback writes them, so an answer that forgets one is refused.
        let mut len = usize::MAX;
        let mut form = u32::MAX;
        // SAFETY: the callback's documented contract: it reads `handle.len()` bytes of the
        // handle and `message.len()` bytes of the message, which outlive the call, writes at
        // most `signature.len()` bytes to `signature` and one value each to `len` and `form`,
        // all of which live on this stack frame for the whole call.
        let status = unsafe {
            (self.callback)(
                self.userdata,
                handle.as_ptr().cast(),
                handle.len(),
                wallet_key_algorithm::of(algorithm) as u32,
                message.as_ptr(),
                message.len(),
                signature.as_mut_ptr(),
                signature.len(),
                &mut len,
                &mut form,
            )
        };
        if status != 0 {
            return Err(KeyError::SignerFailed(format!(
                "the app's signing callback refused (returned {status})"
            )));
        }
        let bytes = signature
            .get(..len)
            .ok_or_else(|| {
                KeyError::SignerFailed(format!(
                    "the app's signing callback reported a {len}-byte signature; at most {WALLET_SIGNATURE_MAX_LEN} fit"
                ))
            })?
            .to_vec();
        match form {
            f if f == wallet_signature_form::Raw as u32 => Ok(ExternalSignature::Raw(bytes)),
            f if f == wallet_signature_form::Der as u32 => Ok(ExternalSignature::Der(bytes)),
            other => Err(KeyError::SignerFailed(format!(
                "the app's signing callback reported form {other}, not a wallet_signature_form (0 raw, 1 DER)"
            ))),
        }
    }
}

fn secret_key(bytes: &[u8]) -> Result<&[u8; 32], FfiError> {
    bytes.try_into().map_err(|_| {
        FfiError::invalid(format!(
            "the store key is {} bytes: pass exactly 32 random bytes",
            bytes.len()
        ))
    })
}

fn kdf_params(kdf: *const wallet_kdf_params) -> Result<KdfParams, FfiError> {
    // SAFETY: NULL or a valid `wallet_kdf_params` by the contract of the calling functions.
    match unsafe { kdf.as_ref() } {
        None => Ok(KdfParams::RECOMMENDED),
        Some(k) => Ok(KdfParams::new(k.memory_kib, k.iterations, k.parallelism)?),
    }
}

fn new_store(store: Store) -> *mut wallet_store {
    into_handle(wallet_store {
        store,
        signer: RwLock::new(None),
    })
}

/// Creates a new store file at `path` (which must not exist), locked by a passphrase stretched
/// with Argon2id (`kdf`, or the recommended cost when NULL), and opens it. The passphrase is
/// used as its UTF-8 bytes: normalise it to NFC first if the user may type it on different
/// keyboards. On success `*store_out` owns a new handle; free it with `wallet_store_free`.
///
/// # Safety
/// Pointers are NULL or valid for their lengths; `kdf` is NULL or a valid struct;
/// `store_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_store_create(
    path: *const c_char,
    path_len: usize,
    passphrase: *const c_char,
    passphrase_len: usize,
    kdf: *const wallet_kdf_params,
    store_out: *mut *mut wallet_store,
) -> wallet_result {
    guard(|| {
        let out = Out::new(store_out, "store_out")?;
        // SAFETY: forwarded from this function's contract.
        let path = unsafe { in_required_str(path, path_len, "path")? };
        // SAFETY: as above.
        let passphrase = unsafe { in_str(passphrase, passphrase_len, "passphrase")? };
        let kdf = kdf_params(kdf)?;
        let store = Store::create(
            Path::new(path),
            StoreSecret::Passphrase(passphrase),
            &kdf,
            &StoreOptions::default(),
            &mut rand_core::OsRng,
        )?;
        // SAFETY: `store_out` checked non-NULL and writable by contract.
        unsafe { out.write(new_store(store)) };
        Ok(())
    })
}

/// Creates a new store file at `path` locked by a raw 32-byte key that the app keeps in the iOS
/// Keychain or Android Keystore (no Argon2: the key must be uniformly random). On success
/// `*store_out` owns a new handle.
///
/// # Safety
/// Pointers are NULL or valid for their lengths; `store_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_store_create_with_key(
    path: *const c_char,
    path_len: usize,
    key: *const u8,
    key_len: usize,
    store_out: *mut *mut wallet_store,
) -> wallet_result {
    guard(|| {
        let out = Out::new(store_out, "store_out")?;
        // SAFETY: forwarded from this function's contract.
        let path = unsafe { in_required_str(path, path_len, "path")? };
        // SAFETY: as above.
        let key = secret_key(unsafe { in_bytes(key, key_len, "key")? })?;
        let store = Store::create(
            Path::new(path),
            StoreSecret::RawKey(key),
            &KdfParams::RECOMMENDED,
            &StoreOptions::default(),
            &mut rand_core::OsRng,
        )?;
        // SAFETY: `store_out` checked non-NULL and writable by contract.
        unsafe { out.write(new_store(store)) };
        Ok(())
    })
}

/// Opens the store at `path` with its passphrase. A wrong passphrase fails with
/// `WALLET_RESULT_STORE_WRONG_KEY` and changes nothing. On success `*store_out` owns a new
/// handle.
///
/// # Safety
/// Pointers are NULL or valid for their lengths; `store_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_store_open(
    path: *const c_char,
    path_len: usize,
    passphrase: *const c_char,
    passphrase_len: usize,
    store_out: *mut *mut wallet_store,
) -> wallet_result {
    guard(|| {
        let out = Out::new(store_out, "store_out")?;
        // SAFETY: forwarded from this function's contract.
        let path = unsafe { in_required_str(path, path_len, "path")? };
        // SAFETY: as above.
        let passphrase = unsafe { in_str(passphrase, passphrase_len, "passphrase")? };
        let store = Store::open(
            Path::new(path),
            StoreSecret::Passphrase(passphrase),
            &StoreOptions::default(),
            &mut rand_core::OsRng,
        )?;
        // SAFETY: `store_out` checked non-NULL and writable by contract.
        unsafe { out.write(new_store(store)) };
        Ok(())
    })
}

/// Opens the store at `path` with its raw 32-byte app key. On success `*store_out` owns a new
/// handle.
///
/// # Safety
/// Pointers are NULL or valid for their lengths; `store_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_store_open_with_key(
    path: *const c_char,
    path_len: usize,
    key: *const u8,
    key_len: usize,
    store_out: *mut *mut wallet_store,
) -> wallet_result {
    guard(|| {
        let out = Out::new(store_out, "store_out")?;
        // SAFETY: forwarded from this function's contract.
        let path = unsafe { in_required_str(path, path_len, "path")? };
        // SAFETY: as above.
        let key = secret_key(unsafe { in_bytes(key, key_len, "key")? })?;
        let store = Store::open(
            Path::new(path),
            StoreSecret::RawKey(key),
            &StoreOptions::default(),
            &mut rand_core::OsRng,
        )?;
        // SAFETY: `store_out` checked non-NULL and writable by contract.
        unsafe { out.write(new_store(store)) };
        Ok(())
    })
}

/// Closes a store handle and wipes its derived key. NULL is ignored. Set your pointer to NULL
/// afterwards: freeing the same handle twice is undefined behaviour.
///
/// # Safety
/// `store` is NULL or a handle from this library not yet freed, with no call on it running.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_store_free(store: *mut wallet_store) {
    crate::ffi::guard_value((), || {
        // SAFETY: forwarded from this function's contract.
        unsafe { free_handle(store) }
    });
}

fn key_json(info: &HolderKeyInfo) -> Value {
    let external_handle = match &info.kind {
        HolderKeyKind::External { handle } => Some(handle.as_str()),
        _ => None,
    };
    json!({
        "id": info.id,
        "public_jwk": info.jwk(),
        "external_handle": external_handle,
    })
}

fn json_buffer(value: &Value) -> wallet_buffer {
    wallet_buffer::from_string(value.to_string())
}

/// Generates a fresh software holder key of `algorithm` (a `wallet_key_algorithm`; Ed25519 is
/// the default choice) inside the store and returns its public JWK (JSON text) in `jwk_out`:
/// give it to the issuing agency with the credential request. Use a new key for every
/// credential, so that verifiers cannot link credentials by key. For a key in secure hardware
/// use `wallet_store_register_external_key` instead.
///
/// # Safety
/// `store` is NULL or a live handle; `jwk_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_store_new_holder_key(
    store: *const wallet_store,
    algorithm: u32,
    jwk_out: *mut wallet_buffer,
) -> wallet_result {
    guard(|| {
        let out = Out::new(jwk_out, "jwk_out")?;
        // SAFETY: forwarded from this function's contract.
        let store = unsafe { in_handle(store, "store")? };
        let algorithm = wallet_key_algorithm::parse(algorithm)?;
        let info = store
            .store
            .new_holder_key_with(algorithm, &mut rand_core::OsRng)?;
        // SAFETY: `jwk_out` checked non-NULL and writable by contract.
        unsafe { out.write(json_buffer(&info.jwk())) };
        Ok(())
    })
}

/// Records a holder key kept by the app in secure hardware: its public JWK (JSON text; EC
/// `P-256` — what the Secure Enclave and StrongBox make — or `SM2`, or OKP `Ed25519`, with no
/// `d`) and the handle (1–256 bytes of UTF-8) the signing callback will be called with. The key's
/// algorithm comes from the JWK and is what the callback is told. Returns the public JWK in
/// canonical form (RFC 7638 members) in `jwk_out`, to give to the issuing agency as with
/// `wallet_store_new_holder_key`.
///
/// # Safety
/// `store` is NULL or a live handle; other pointers are NULL or valid for their lengths;
/// `jwk_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_store_register_external_key(
    store: *const wallet_store,
    key_handle: *const c_char,
    key_handle_len: usize,
    public_jwk: *const c_char,
    public_jwk_len: usize,
    jwk_out: *mut wallet_buffer,
) -> wallet_result {
    guard(|| {
        let out = Out::new(jwk_out, "jwk_out")?;
        // SAFETY: forwarded from this function's contract.
        let store = unsafe { in_handle(store, "store")? };
        // SAFETY: as above.
        let key_handle = unsafe { in_required_str(key_handle, key_handle_len, "key_handle")? };
        // SAFETY: as above.
        let public_jwk = unsafe { in_required_str(public_jwk, public_jwk_len, "public_jwk")? };
        let public_key = PublicKey::from_jwk_str(public_jwk)?;
        let info =
            store
                .store
                .register_external_key(key_handle, public_key, &mut rand_core::OsRng)?;
        // SAFETY: `jwk_out` checked non-NULL and writable by contract.
        unsafe { out.write(json_buffer(&info.jwk())) };
        Ok(())
    })
}

/// Sets the callback that signs with external holder keys (see `wallet_sign_callback`), or
/// removes it when `callback` is NULL. `userdata` is passed back to every call unchanged; it
/// must stay valid until the callback is replaced or the store freed. The callback and userdata
/// must be usable from every thread that presents with this store.
///
/// # Safety
/// `store` is NULL or a live handle; `callback` is NULL or a function with the documented
/// signature.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_store_set_external_signer(
    store: *const wallet_store,
    callback: wallet_sign_callback,
    userdata: *mut c_void,
) -> wallet_result {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let store = unsafe { in_handle(store, "store")? };
        let signer = callback.map(|callback| CallbackSigner { callback, userdata });
        *store.signer.write().unwrap_or_else(PoisonError::into_inner) = signer;
        Ok(())
    })
}

/// Imports a credential as the issuer sent it (`<jwt>~<disclosure>~…~`): verifies it against
/// the trust list (`trust_list`, a compact JWS, checked under the pinned `trust_root_jwk` at
/// `now`, unix seconds), checks it is bound to a holder key of this store and stores it.
/// Returns the stored credential's description (JSON: `id`, `vct`, `type_name`, `name_zh`,
/// `name_en`, `issuer`, `issued_at`, `expires_at`, …; no claim values) in `info_out`.
///
/// # Safety
/// `store` is NULL or a live handle; other pointers are NULL or valid for their lengths;
/// `info_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_store_import(
    store: *const wallet_store,
    credential: *const c_char,
    credential_len: usize,
    trust_list: *const c_char,
    trust_list_len: usize,
    trust_root_jwk: *const c_char,
    trust_root_jwk_len: usize,
    now: i64,
    info_out: *mut wallet_buffer,
) -> wallet_result {
    guard(|| {
        let out = Out::new(info_out, "info_out")?;
        // SAFETY: forwarded from this function's contract.
        let store = unsafe { in_handle(store, "store")? };
        // SAFETY: as above.
        let credential = unsafe { in_required_str(credential, credential_len, "credential")? };
        // SAFETY: as above.
        let trust_list = unsafe { in_required_str(trust_list, trust_list_len, "trust_list")? };
        // SAFETY: as above.
        let root =
            unsafe { in_required_str(trust_root_jwk, trust_root_jwk_len, "trust_root_jwk")? };
        let root = VerifyingKey::from_jwk_str(root)?;
        let trust = VerifiedTrustList::verify(
            trust_list,
            &root,
            now,
            DEFAULT_SKEW_SECONDS,
            StalePolicy::Fail,
        )?;
        let info = store
            .store
            .import(credential.trim(), &trust, now, &mut rand_core::OsRng)?;
        let text = serde_json::to_string(&info)
            .map_err(|e| FfiError::json("the credential description", e))?;
        // SAFETY: `info_out` checked non-NULL and writable by contract.
        unsafe { out.write(wallet_buffer::from_string(text)) };
        Ok(())
    })
}

/// Lists the stored credentials (a JSON array of the descriptions `wallet_store_import`
/// returns, in import order) in `list_out`.
///
/// # Safety
/// `store` is NULL or a live handle; `list_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_store_list(
    store: *const wallet_store,
    list_out: *mut wallet_buffer,
) -> wallet_result {
    guard(|| {
        let out = Out::new(list_out, "list_out")?;
        // SAFETY: forwarded from this function's contract.
        let store = unsafe { in_handle(store, "store")? };
        let items = store.store.list()?;
        let text =
            serde_json::to_string(&items).map_err(|e| FfiError::json("the credential list", e))?;
        // SAFETY: `list_out` checked non-NULL and writable by contract.
        unsafe { out.write(wallet_buffer::from_string(text)) };
        Ok(())
    })
}

/// Removes credential `id`, and its holder key when no other credential uses it. Returns JSON
/// `{"credential": {…}, "deleted_key": {"id", "public_jwk", "external_handle"} | null}` in
/// `removed_out`: when `external_handle` is not null, the app should now delete that hardware
/// key.
///
/// # Safety
/// `store` is NULL or a live handle; `id` is NULL or valid for `id_len`; `removed_out` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_store_remove(
    store: *const wallet_store,
    id: *const c_char,
    id_len: usize,
    removed_out: *mut wallet_buffer,
) -> wallet_result {
    guard(|| {
        let out = Out::new(removed_out, "removed_out")?;
        // SAFETY: forwarded from this function's contract.
        let store = unsafe { in_handle(store, "store")? };
        // SAFETY: as above.
        let id = unsafe { in_required_str(id, id_len, "id")? };
        let removed = store.store.remove(id, &mut rand_core::OsRng)?;
        let value = json!({
            "credential": removed.credential,
            "deleted_key": removed.deleted_key.as_ref().map(key_json),
        });
        // SAFETY: `removed_out` checked non-NULL and writable by contract.
        unsafe { out.write(json_buffer(&value)) };
        Ok(())
    })
}

fn disclose_list(text: &str) -> Result<Vec<ClaimPath>, FfiError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<String> = serde_json::from_str(text).map_err(|e| {
        FfiError::json(
            "disclose (a JSON array of claim paths such as [\"name\",\"age_over_18\"])",
            e,
        )
    })?;
    names
        .iter()
        .map(|n| {
            n.parse::<ClaimPath>()
                // The error carries the path again; it is quoted once, escaped, and the message
                // is sanitised again on its way to C (error::sanitize_message).
                .map_err(|_| {
                    FfiError::invalid(format!(
                        "{n:?} is not a claim path: use names joined by dots, with [n] for array elements (e.g. \"address.city\")"
                    ))
                })
        })
        .collect()
}

/// Presents stored credential `id`, disclosing only the claims named in `disclose` (a JSON array
/// of claim paths, e.g. `["name","age_over_18"]`; empty or `[]` discloses none), bound by a
/// KB-JWT signed with its holder key at `now` (unix seconds), and returns the QR payload
/// (`CW1:…`, QR-alphanumeric text) in `payload_out`. `mode` is a `wallet_present_mode`: for
/// `WALLET_PRESENT_MODE_OFFLINE`, `aud` and `nonce` must be empty; for
/// `WALLET_PRESENT_MODE_CHALLENGE`, both are required. An external holder key needs the signing
/// callback (`wallet_store_set_external_signer`), which is called during this function.
///
/// # Safety
/// `store` is NULL or a live handle; other pointers are NULL or valid for their lengths;
/// `payload_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_store_present(
    store: *const wallet_store,
    id: *const c_char,
    id_len: usize,
    disclose: *const c_char,
    disclose_len: usize,
    mode: u32,
    aud: *const c_char,
    aud_len: usize,
    nonce: *const c_char,
    nonce_len: usize,
    now: i64,
    payload_out: *mut wallet_buffer,
) -> wallet_result {
    guard(|| {
        let out = Out::new(payload_out, "payload_out")?;
        // SAFETY: forwarded from this function's contract.
        let store = unsafe { in_handle(store, "store")? };
        // SAFETY: as above.
        let id = unsafe { in_required_str(id, id_len, "id")? };
        // SAFETY: as above.
        let disclose = disclose_list(unsafe { in_str(disclose, disclose_len, "disclose")? })?;
        // SAFETY: as above.
        let aud = unsafe { in_str(aud, aud_len, "aud")? };
        // SAFETY: as above.
        let nonce = unsafe { in_str(nonce, nonce_len, "nonce")? };
        let key_binding = if mode == wallet_present_mode::Offline as u32 {
            if !aud.is_empty() || !nonce.is_empty() {
                return Err(FfiError::invalid(
                    "aud and nonce are set by the library in offline mode: pass them empty, or use challenge mode",
                ));
            }
            offline_key_binding(now, &mut rand_core::OsRng)
        } else if mode == wallet_present_mode::Challenge as u32 {
            if aud.is_empty() || nonce.is_empty() {
                return Err(FfiError::invalid(
                    "challenge mode needs the verifier's aud and nonce: pass both",
                ));
            }
            KeyBindingRequest {
                audience: aud.to_owned(),
                nonce: nonce.to_owned(),
                issued_at: now,
            }
        } else {
            return Err(FfiError::invalid(format!(
                "mode {mode} is not a wallet_present_mode: pass 0 (offline) or 1 (challenge)"
            )));
        };
        // Copied out so that the lock is not held while the app's callback runs (it may well
        // call back into this store).
        let signer = *store.signer.read().unwrap_or_else(PoisonError::into_inner);
        let external = signer.as_ref().map(|s| s as &dyn ExternalKeys);
        let shown = store
            .store
            .present(id, &disclose, Some(&key_binding), external)?;
        let payload = transport::encode(&shown)?;
        // SAFETY: `payload_out` checked non-NULL and writable by contract.
        unsafe { out.write(wallet_buffer::from_string(payload)) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // The handle types are shared between threads by apps; this fails to compile if a change
    // makes them unsafe to share.
    const _: () = {
        const fn shareable<T: Send + Sync>() {}
        shareable::<wallet_store>();
    };

    #[test]
    fn disclose_lists() {
        assert!(disclose_list("").is_ok_and(|v| v.is_empty()));
        assert!(disclose_list("[\"name\", \"address.city\"]").is_ok_and(|v| v.len() == 2));
        assert!(disclose_list("name").is_err_and(|e| e.result == wallet_result::InvalidJson));
        assert!(
            disclose_list("[\"a..b\"]").is_err_and(|e| e.result == wallet_result::InvalidArgument)
        );
    }
}
