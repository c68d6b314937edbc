//! wallet-ffi: the C ABI through which iOS and Android apps (and services in other languages)
//! embed the wallet: the holder's encrypted store and QR presentation, the verifier's offline
//! check of a scanned code, and issuance for agencies. Every function is a thin shell over
//! wallet-core: it checks the pointers it is given, calls the library and hands the result back.
//!
//! Conventions (the same list heads `include/wallet.h` and docs/ffi.md):
//! - every exported symbol starts with `wallet_`;
//! - objects are opaque handles made by `wallet_*_new` / `_open` / `_create` and released by
//!   `wallet_*_free`, which accepts NULL;
//! - functions return a [`wallet_result`] (0 = success); the calling thread's last error message
//!   and its stable code (`store.wrong_key`, …) can be copied out afterwards;
//! - inputs come first, outputs last, and outputs are written only on success; a verification
//!   that refuses a credential is a success whose verdict is its own output (`valid_out`);
//! - bytes and strings are passed as pointer + length, strings are checked to be UTF-8, and
//!   (NULL, 0) is the same empty input as ("", 0) everywhere;
//! - error messages never carry a caller's control characters raw (`error::sanitize_message`);
//! - data the library allocates is returned in a [`wallet_buffer`], released with
//!   [`wallet_buffer_free`];
//! - a Rust panic never unwinds into C: it becomes [`wallet_result::Panic`];
//! - each handle states whether it may be shared between threads.

// The C ABI is raw pointers by nature. Unsafe code is confined to the pointer helpers in
// `ffi.rs` and the handle constructors and destructors; every block states what makes it sound.
#![allow(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]
// C names (`wallet_store`, `wallet_buffer`, …) are the public interface, so the Rust types carry
// them unchanged rather than being renamed by the header generator.
#![allow(non_camel_case_types)]

mod error;
mod ffi;
mod holder;
mod issuer;
mod last_error;
mod qr;
mod verifier;

pub use error::wallet_result;
pub use ffi::{
    WALLET_VERSION_MAJOR, WALLET_VERSION_MINOR, WALLET_VERSION_PATCH, wallet_buffer,
    wallet_buffer_free, wallet_version,
};
pub use holder::{
    WALLET_SIGNATURE_MAX_LEN, wallet_kdf_params, wallet_key_algorithm, wallet_present_mode,
    wallet_sign_callback, wallet_signature_form, wallet_store, wallet_store_create,
    wallet_store_create_with_key, wallet_store_free, wallet_store_import, wallet_store_list,
    wallet_store_new_holder_key, wallet_store_open, wallet_store_open_with_key,
    wallet_store_present, wallet_store_register_external_key, wallet_store_remove,
    wallet_store_set_external_signer,
};
pub use issuer::{
    wallet_issuer, wallet_issuer_add_type, wallet_issuer_free, wallet_issuer_issue,
    wallet_issuer_new, wallet_issuer_public_jwk,
};
pub use last_error::{wallet_error_message, wallet_last_error_code, wallet_last_error_message};
pub use qr::{wallet_challenge_read, wallet_ecc, wallet_qr_matrix, wallet_qr_png, wallet_qr_svg};
pub use verifier::{
    wallet_lang, wallet_verifier, wallet_verifier_add_status_list, wallet_verifier_free,
    wallet_verifier_new, wallet_verifier_new_challenge, wallet_verifier_verify,
    wallet_verifier_verify_image,
};
