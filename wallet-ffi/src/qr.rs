//! QR API: drawing a `CW1:` payload as a module matrix (for apps that draw natively), a PNG or
//! an SVG, and reading a verifier's challenge code on the holder side.

use crate::error::FfiError;
use crate::ffi::{Out, guard, in_required_str, wallet_buffer};
use crate::wallet_result;
use std::ffi::c_char;
use wallet_core::qr::freshness::Challenge;
use wallet_core::qr::render;
use wallet_core::qr::render::{EccLevel, RenderOptions};

/// QR error-correction level (the `ecc` argument of the `wallet_qr_*` functions).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wallet_ecc {
    /// About 7 % of the symbol may be damaged.
    L = 0,
    /// About 15 %: the default for show-certificate codes.
    M = 1,
    /// About 25 %.
    Q = 2,
    /// About 30 %.
    H = 3,
}

fn ecc_level(ecc: u32) -> Result<EccLevel, FfiError> {
    Ok(match ecc {
        0 => EccLevel::L,
        1 => EccLevel::M,
        2 => EccLevel::Q,
        3 => EccLevel::H,
        other => {
            return Err(FfiError::invalid(format!(
                "ecc {other} is not a wallet_ecc: pass 0 (L), 1 (M), 2 (Q) or 3 (H)"
            )));
        }
    })
}

fn render_options(ecc: u32, module_px: u32, quiet_zone: u32) -> Result<RenderOptions, FfiError> {
    Ok(RenderOptions {
        ecc: ecc_level(ecc)?,
        module_px,
        quiet_zone,
        ..RenderOptions::default()
    })
}

/// Encodes `payload` as a QR symbol and returns its modules in `modules_out`: `size × size`
/// bytes, row by row from the top-left, 1 for dark and 0 for light, without the quiet zone (draw
/// a light margin of at least 4 modules around it). `*size_out` receives the side in modules.
///
/// # Safety
/// `payload` is NULL or valid for `payload_len`; outputs are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_qr_matrix(
    payload: *const c_char,
    payload_len: usize,
    ecc: u32,
    modules_out: *mut wallet_buffer,
    size_out: *mut u32,
) -> wallet_result {
    guard(|| {
        let modules = Out::new(modules_out, "modules_out")?;
        let size = Out::new(size_out, "size_out")?;
        // SAFETY: forwarded from this function's contract.
        let payload = unsafe { in_required_str(payload, payload_len, "payload")? };
        let matrix = render::encode_matrix(payload, ecc_level(ecc)?)?;
        let side = u32::try_from(matrix.size())
            .map_err(|_| FfiError::invalid("the qr symbol is impossibly large"))?;
        let bytes = matrix
            .modules()
            .iter()
            .map(|&dark| u8::from(dark))
            .collect();
        // SAFETY: both outputs checked non-NULL and writable by contract.
        unsafe {
            modules.write(wallet_buffer::from_vec(bytes));
            size.write(side);
        }
        Ok(())
    })
}

/// Draws `payload` as a black-on-white PNG: `module_px` pixels per module (at least 1; 4 or more
/// for a screen to be photographed), a light margin of `quiet_zone` modules (4 per the QR
/// standard), error correction `ecc`. The PNG file's bytes go to `png_out`.
///
/// # Safety
/// `payload` is NULL or valid for `payload_len`; `png_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_qr_png(
    payload: *const c_char,
    payload_len: usize,
    ecc: u32,
    module_px: u32,
    quiet_zone: u32,
    png_out: *mut wallet_buffer,
) -> wallet_result {
    guard(|| {
        let out = Out::new(png_out, "png_out")?;
        // SAFETY: forwarded from this function's contract.
        let payload = unsafe { in_required_str(payload, payload_len, "payload")? };
        let png = render::render_png(payload, &render_options(ecc, module_px, quiet_zone)?)?;
        // SAFETY: `png_out` checked non-NULL and writable by contract.
        unsafe { out.write(wallet_buffer::from_vec(png)) };
        Ok(())
    })
}

/// Draws `payload` as an SVG document (text) in `svg_out`, with the same options as
/// `wallet_qr_png` (`module_px` is the size of a module in SVG user units).
///
/// # Safety
/// `payload` is NULL or valid for `payload_len`; `svg_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_qr_svg(
    payload: *const c_char,
    payload_len: usize,
    ecc: u32,
    module_px: u32,
    quiet_zone: u32,
    svg_out: *mut wallet_buffer,
) -> wallet_result {
    guard(|| {
        let out = Out::new(svg_out, "svg_out")?;
        // SAFETY: forwarded from this function's contract.
        let payload = unsafe { in_required_str(payload, payload_len, "payload")? };
        let svg = render::render_svg(payload, &render_options(ecc, module_px, quiet_zone)?)?;
        // SAFETY: `svg_out` checked non-NULL and writable by contract.
        unsafe { out.write(wallet_buffer::from_string(svg)) };
        Ok(())
    })
}

/// Holder side of challenge mode: reads a verifier's challenge code (`CWC1:…`, scanned from the
/// verifier's screen) and returns the `aud` and `nonce` to pass to `wallet_store_present` in
/// challenge mode. Whether the challenge is still open is the verifier's to decide.
///
/// # Safety
/// `challenge` is NULL or valid for `challenge_len`; outputs are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wallet_challenge_read(
    challenge: *const c_char,
    challenge_len: usize,
    aud_out: *mut wallet_buffer,
    nonce_out: *mut wallet_buffer,
) -> wallet_result {
    guard(|| {
        let aud = Out::new(aud_out, "aud_out")?;
        let nonce = Out::new(nonce_out, "nonce_out")?;
        // SAFETY: forwarded from this function's contract.
        let text = unsafe { in_required_str(challenge, challenge_len, "challenge")? };
        let challenge = Challenge::from_payload(text.trim())?;
        // SAFETY: both outputs checked non-NULL and writable by contract.
        unsafe {
            aud.write(wallet_buffer::from_string(challenge.verifier));
            nonce.write(wallet_buffer::from_string(challenge.nonce));
        }
        Ok(())
    })
}
