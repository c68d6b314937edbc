//! The verifier's camera, in WebAssembly: wallet-core's QR scanner (ZXing's decoder, the one the
//! CLI and the C FFI use) on an RGBA frame as a canvas gives it. Built as a module of its own
//! (the `scanner` feature), for browsers without `BarcodeDetector` — Linux Chromium, many
//! WebViews — and WeChat mini-programs.

use crate::envelope::{ApiError, INVALID_ARGUMENT};
use wallet_core::qr::scan::{ScanError, ScanLimits, scan_luma};

/// Finds and reads the QR code in an RGBA frame; `None` when there is none to read.
pub fn scan_rgba(rgba: &[u8], width: u32, height: u32) -> Result<Option<String>, ApiError> {
    let pixels = u64::from(width)
        .checked_mul(u64::from(height))
        .and_then(|n| usize::try_from(n).ok())
        .and_then(|n| n.checked_mul(4))
        .filter(|&n| n == rgba.len())
        .ok_or_else(|| {
            ApiError::new(
                INVALID_ARGUMENT,
                "the frame must hold width × height × 4 bytes (RGBA)",
            )
        })?;
    // ITU-R BT.601 luma in 8-bit fixed point; the alpha channel is ignored (camera frames are
    // opaque).
    let mut luma = Vec::with_capacity(pixels / 4);
    for px in rgba.chunks_exact(4) {
        if let [r, g, b, _] = *px {
            // At most 255 × 256 = 65,280: no overflow in u32.
            #[allow(clippy::arithmetic_side_effects)]
            let y = (77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b)) >> 8;
            luma.push(u8::try_from(y).unwrap_or(u8::MAX));
        }
    }
    let row = usize::try_from(width).unwrap_or(usize::MAX);
    match scan_luma(&luma, width, height, row, &ScanLimits::default()) {
        Ok(text) => Ok(Some(text)),
        Err(ScanError::NoCodeFound) => Ok(None),
        Err(e) => Err(ApiError::core(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_checked_before_scanning() {
        assert_eq!(
            scan_rgba(&[0; 15], 2, 2).unwrap_err().code,
            INVALID_ARGUMENT
        );
        assert_eq!(scan_rgba(&[255; 64 * 64 * 4], 64, 64).unwrap(), None);
        assert!(scan_rgba(&[], u32::MAX, u32::MAX).is_err());
    }
}
