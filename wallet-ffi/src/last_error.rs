//! The exported functions that copy an error out to C: the fixed description of a
//! [`wallet_result`], and the calling thread's last error message and stable code. Kept apart
//! from `error.rs` (the result table and the last-error slot) because they run inside the panic
//! boundary of `ffi.rs`, which itself reports through `error.rs`.

use crate::error::{copy_out, wallet_result, with_last_error};
use std::ffi::c_char;

/// Copies the fixed description of `result` (a `wallet_result` value) into `buf`, NUL-terminated
/// and truncated to fit, and returns its full length in bytes (without the NUL), like
/// `snprintf`. An unknown value gets "unknown result code". `buf` may be NULL when `buf_len` is
/// 0, to ask for the length. Thread-safe.
///
/// # Safety
/// `buf` is NULL or points to `buf_len` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_error_message(
    result: u32,
    buf: *mut c_char,
    buf_len: usize,
) -> usize {
    crate::ffi::guard_value(0, || {
        let text =
            wallet_result::from_u32(result).map_or("unknown result code", |r| r.description());
        // SAFETY: forwarded from this function's own contract.
        unsafe { copy_out(text, buf, buf_len) }
    })
}

/// Copies the message of the last error on the calling thread (lowercase, says what happened
/// and what to do next, never contains secrets or claim values) into `buf`, NUL-terminated and
/// truncated to fit; returns its full length (without the NUL), or 0 if the last call on this
/// thread succeeded. Every function that returns a `wallet_result` sets or clears it.
///
/// # Safety
/// `buf` is NULL or points to `buf_len` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_last_error_message(buf: *mut c_char, buf_len: usize) -> usize {
    crate::ffi::guard_value(0, || {
        with_last_error(|e| {
            let text = e.map_or("", |e| e.message.as_str());
            // SAFETY: forwarded from this function's own contract.
            unsafe { copy_out(text, buf, buf_len) }
        })
    })
}

/// Copies the stable code of the last error on the calling thread (e.g. `store.wrong_key`,
/// `vc.expired`, `ffi.null_parameter`; docs/errors.md and docs/ffi.md list them) into `buf`,
/// like `wallet_last_error_message`; returns its full length, or 0 after a success.
///
/// # Safety
/// `buf` is NULL or points to `buf_len` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_last_error_code(buf: *mut c_char, buf_len: usize) -> usize {
    crate::ffi::guard_value(0, || {
        with_last_error(|e| {
            let text = e.map_or("", |e| e.code.as_ref());
            // SAFETY: forwarded from this function's own contract.
            unsafe { copy_out(text, buf, buf_len) }
        })
    })
}
