//! The mechanics shared by every exported function: the panic boundary, reading pointer + length
//! arguments (NULL-checked, UTF-8-checked), writing outputs only on success, handing out and
//! taking back opaque handles, the library-allocated [`wallet_buffer`], and the version.

use crate::error::{FfiError, set_last_error, wallet_result};
use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;
use zeroize::Zeroize as _;

/// Major version of this library (semantic versioning: from 1.0 the C ABI changes incompatibly
/// only with it; before 1.0, with the minor version). Compare with `wallet_version()` at run time
/// to detect a header/library mismatch.
pub const WALLET_VERSION_MAJOR: u32 = 0;
/// Minor version of this library. While the major version is 0, a new minor version may change
/// the ABI incompatibly: 0.2 added the `valid_out` verdict to `wallet_verifier_verify` and
/// `wallet_verifier_verify_image`; 0.3 made holder keys P-256 or SM2 as well as Ed25519 —
/// `wallet_sign_callback` gains the key's `algorithm` and returns its signature with an explicit
/// length and form (`signature_capacity`, `signature_len_out`, `signature_form_out`: DER as
/// phones produce it, or raw r‖s), `wallet_store_register_external_key` takes the public key as
/// a JWK instead of 32 raw Ed25519 bytes, and `wallet_store_new_holder_key` takes an
/// `algorithm` (`wallet_key_algorithm`).
pub const WALLET_VERSION_MINOR: u32 = 3;
/// Patch version of this library.
pub const WALLET_VERSION_PATCH: u32 = 0;

/// The library's version as a NUL-terminated string ("0.3.0"), statically allocated: never
/// free it. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn wallet_version() -> *const c_char {
    const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    VERSION.as_ptr().cast()
}

/// Runs the body of an exported function that returns a `wallet_result`: catches a panic (it
/// must never unwind into C, where it is undefined behaviour), and records the outcome as the
/// calling thread's last error.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), FfiError>) -> wallet_result {
    let error = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => {
            set_last_error(None);
            return wallet_result::Ok;
        }
        Ok(Err(e)) => e,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            FfiError::new(
                wallet_result::Panic,
                "ffi.panic",
                format!("internal error (a bug in the wallet library): {detail}; please report it"),
            )
        }
    };
    let result = error.result;
    set_last_error(Some(error));
    result
}

/// The panic boundary of functions that return a plain value (lengths, void): a panic yields
/// `fallback`.
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// `len` as a slice length: Rust slices may not exceed `isize::MAX` bytes.
fn check_len(len: usize, what: &str) -> Result<(), FfiError> {
    if len > isize::MAX.unsigned_abs() {
        return Err(FfiError::invalid(format!(
            "{what} length is impossibly large"
        )));
    }
    Ok(())
}

/// Reads a byte argument. (NULL, 0) is the empty slice, exactly like (any pointer, 0); NULL with
/// a length is an error.
///
/// # Safety
/// Unless NULL, `ptr` points to `len` readable bytes that stay unchanged during the call.
pub(crate) unsafe fn in_bytes<'a>(
    ptr: *const u8,
    len: usize,
    what: &str,
) -> Result<&'a [u8], FfiError> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(FfiError::null(what));
    }
    check_len(len, what)?;
    // SAFETY: non-NULL, `len` ≤ isize::MAX, and readable for `len` bytes by the caller's
    // contract; u8 has no alignment requirement.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Reads a string argument: bytes as [`in_bytes`], then checked to be UTF-8. No NUL terminator
/// is needed or looked for.
///
/// # Safety
/// As [`in_bytes`].
pub(crate) unsafe fn in_str<'a>(
    ptr: *const c_char,
    len: usize,
    what: &str,
) -> Result<&'a str, FfiError> {
    // SAFETY: forwarded from this function's contract.
    let bytes = unsafe { in_bytes(ptr.cast(), len, what)? };
    std::str::from_utf8(bytes).map_err(|e| {
        FfiError::new(
            wallet_result::InvalidUtf8,
            "ffi.invalid_utf8",
            format!(
                "{what} is not valid utf-8 (bad byte at offset {}): pass utf-8 text",
                e.valid_up_to()
            ),
        )
    })
}

/// Reads a required, non-empty string argument. (NULL, 0) and ("", 0) are the same empty string
/// here as everywhere, so both are refused alike (`WALLET_RESULT_INVALID_ARGUMENT`); NULL with a
/// length is `WALLET_RESULT_NULL_PARAMETER`, as in [`in_bytes`].
///
/// # Safety
/// As [`in_bytes`].
pub(crate) unsafe fn in_required_str<'a>(
    ptr: *const c_char,
    len: usize,
    what: &str,
) -> Result<&'a str, FfiError> {
    // SAFETY: forwarded from this function's contract.
    let text = unsafe { in_str(ptr, len, what)? };
    if text.is_empty() {
        return Err(FfiError::invalid(format!(
            "{what} is empty: pass a non-empty value"
        )));
    }
    Ok(text)
}

/// Borrows a handle argument.
///
/// # Safety
/// Unless NULL, `ptr` came from this library's constructor for `T` and has not been freed.
pub(crate) unsafe fn in_handle<'a, T>(ptr: *const T, what: &str) -> Result<&'a T, FfiError> {
    // SAFETY: a live handle is a valid, aligned `T` by the caller's contract; shared access is
    // what every handle type allows (their mutable state is behind locks).
    unsafe { ptr.as_ref() }.ok_or_else(|| FfiError::null(what))
}

/// An output argument: checked for NULL before any work is done, and written exactly once, on
/// success. It never reads what the pointer points to (that memory may be uninitialised).
pub(crate) struct Out<T>(NonNull<T>);

impl<T> Out<T> {
    /// Checks an output pointer.
    pub(crate) fn new(ptr: *mut T, what: &str) -> Result<Self, FfiError> {
        NonNull::new(ptr)
            .map(Self)
            .ok_or_else(|| FfiError::null(what))
    }

    /// Writes the output.
    ///
    /// # Safety
    /// The pointer given to [`Out::new`] points to writable memory for a `T`, and the old value
    /// there needs no drop (all output types are plain C data).
    pub(crate) unsafe fn write(self, value: T) {
        // SAFETY: by this function's contract; `write` neither reads nor drops the old value.
        unsafe { self.0.as_ptr().write(value) }
    }
}

/// Moves a handle to the heap and gives its ownership to C.
pub(crate) fn into_handle<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Takes a handle back from C and drops it; NULL is ignored.
///
/// # Safety
/// Unless NULL, `ptr` came from [`into_handle`] for the same `T` and is not used again.
pub(crate) unsafe fn free_handle<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: by this function's contract the box is ours again, exactly once.
        drop(unsafe { Box::from_raw(ptr) });
    }
}

/// Bytes allocated by the library and owned by the caller until `wallet_buffer_free`.
/// `data[len]` is always a 0 byte that is not counted in `len`, so text results (JSON, QR
/// payloads, SVG) can be used directly as C strings; binary results (PNG) may contain 0 bytes
/// before it. Declare it zeroed (`wallet_buffer buf = {0};`): a function writes it only on
/// success.
#[repr(C)]
#[derive(Debug)]
pub struct wallet_buffer {
    /// The bytes; NULL only in a zeroed or freed buffer.
    pub data: *mut u8,
    /// Number of bytes, not counting the trailing 0.
    pub len: usize,
}

impl wallet_buffer {
    /// Hands `bytes` to C, with the trailing 0 added.
    pub(crate) fn from_vec(mut bytes: Vec<u8>) -> Self {
        let len = bytes.len();
        bytes.push(0);
        let data = Box::into_raw(bytes.into_boxed_slice()).cast::<u8>();
        Self { data, len }
    }

    /// Hands text to C.
    pub(crate) fn from_string(text: String) -> Self {
        Self::from_vec(text.into_bytes())
    }
}

/// Releases the bytes of a buffer returned by this library, wiping them first (they may hold
/// personal data: claims, presentations), and sets `data` to NULL and `len` to 0, so freeing the
/// same buffer twice is harmless. NULL and an already-freed or zeroed buffer are ignored.
/// Thread-safe for distinct buffers.
///
/// # Safety
/// Unless NULL, `buffer` points to a `wallet_buffer` that is zeroed or was filled by this
/// library and not modified since.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_buffer_free(buffer: *mut wallet_buffer) {
    guard_value((), || {
        // SAFETY: NULL or a valid `wallet_buffer` by the contract.
        let Some(buffer) = (unsafe { buffer.as_mut() }) else {
            return;
        };
        if buffer.data.is_null() {
            return;
        }
        // The allocation is `len + 1` bytes (the trailing 0); it existed, so this cannot
        // overflow, but a corrupted length must not become an out-of-bounds free either.
        if let Some(alloc_len) = buffer.len.checked_add(1) {
            let slice = std::ptr::slice_from_raw_parts_mut(buffer.data, alloc_len);
            // SAFETY: `data`/`len + 1` describe the boxed slice made by `from_vec`, untouched by
            // the caller per the contract, and it is reclaimed once (data is NULLed below).
            let mut bytes = unsafe { Box::from_raw(slice) };
            bytes.zeroize();
        }
        buffer.data = std::ptr::null_mut();
        buffer.len = 0;
    });
}

#[cfg(test)]
// Tests call the exported functions directly; their pointers are locals. (clippy.toml exempts
// tests from the panic lints; this one has no test setting.)
#[allow(clippy::undocumented_unsafe_blocks)]
mod tests {
    use super::*;

    #[test]
    fn version_macros_match_the_package() {
        let v = unsafe { std::ffi::CStr::from_ptr(wallet_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
        assert_eq!(
            WALLET_VERSION_MAJOR.to_string(),
            env!("CARGO_PKG_VERSION_MAJOR")
        );
        assert_eq!(
            WALLET_VERSION_MINOR.to_string(),
            env!("CARGO_PKG_VERSION_MINOR")
        );
        assert_eq!(
            WALLET_VERSION_PATCH.to_string(),
            env!("CARGO_PKG_VERSION_PATCH")
        );
    }

    #[test]
    fn a_panic_becomes_a_result_code_and_a_message() {
        let r = guard(|| -> Result<(), FfiError> { panic!("boom") });
        assert_eq!(r, wallet_result::Panic);
        let mut buf = [0 as c_char; 128];
        let n = unsafe { crate::wallet_last_error_message(buf.as_mut_ptr(), buf.len()) };
        let text = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) };
        assert!(text.to_str().unwrap().contains("boom"));
        assert_eq!(n, text.to_bytes().len());
        // A success clears it.
        assert_eq!(guard(|| Ok(())), wallet_result::Ok);
        assert_eq!(
            unsafe { crate::wallet_last_error_message(std::ptr::null_mut(), 0) },
            0
        );
    }

    #[test]
    fn buffers_end_in_nul_and_free_twice_safely() {
        let mut b = wallet_buffer::from_string("abc".to_owned());
        assert_eq!(b.len, 3);
        assert_eq!(unsafe { *b.data.add(3) }, 0);
        unsafe { wallet_buffer_free(&mut b) };
        assert!(b.data.is_null());
        unsafe { wallet_buffer_free(&mut b) };
        unsafe { wallet_buffer_free(std::ptr::null_mut()) };
    }

    #[test]
    fn inputs_are_checked() {
        let e = unsafe { in_bytes(std::ptr::null(), 3, "x") }.unwrap_err();
        assert_eq!(e.result, wallet_result::NullParameter);
        assert!(
            unsafe { in_bytes(std::ptr::null(), 0, "x") }
                .unwrap()
                .is_empty()
        );
        let bad = [0xffu8, 0xfe];
        let e = unsafe { in_str(bad.as_ptr().cast(), 2, "x") }.unwrap_err();
        assert_eq!(e.result, wallet_result::InvalidUtf8);
        let e = unsafe { in_required_str(std::ptr::null(), 3, "x") }.unwrap_err();
        assert_eq!(e.result, wallet_result::NullParameter);
    }

    /// (NULL, 0) and ("", 0) are one and the same input to every reader.
    #[test]
    fn null_and_empty_are_the_same_empty_input() {
        let empty = "";
        let null = std::ptr::null::<c_char>();
        let dangling = std::ptr::NonNull::<u8>::dangling().as_ptr().cast_const();
        assert_eq!(unsafe { in_bytes(null.cast(), 0, "x") }.unwrap(), b"");
        assert_eq!(unsafe { in_bytes(dangling, 0, "x") }.unwrap(), b"");
        assert_eq!(unsafe { in_str(null, 0, "x") }.unwrap(), "");
        assert_eq!(
            unsafe { in_str(empty.as_ptr().cast(), 0, "x") }.unwrap(),
            ""
        );
        let a = unsafe { in_required_str(null, 0, "x") }.unwrap_err();
        let b = unsafe { in_required_str(empty.as_ptr().cast(), 0, "x") }.unwrap_err();
        assert_eq!(a, b);
        assert_eq!(a.result, wallet_result::InvalidArgument);
    }
}
