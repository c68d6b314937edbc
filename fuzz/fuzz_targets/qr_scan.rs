//! QR image decoder path. Mode 0: the input is an image file (PNG/JPEG sniffed from the bytes),
//! scanned with small limits. Mode 1: the input is a greyscale camera frame (width, height,
//! stride padding, pixels). A decoded text goes on to the transport decoder, as in the app.
//!
//! The scanner runs the third-party QR decoder under `catch_unwind` and turns a panic there into
//! `ScanError::DecoderPanic`. libFuzzer's panic hook would abort on such a contained panic, so
//! this target installs a quiet hook instead: a panic that escapes the library still aborts the
//! run (libfuzzer-sys aborts on any unwind out of the target), a contained one is counted and
//! reported on stderr.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};
use wallet_core::qr::scan::{ScanError, ScanLimits, scan_image, scan_luma};
use wallet_core::qr::transport;

static CONTAINED: AtomicU64 = AtomicU64::new(0);

fn limits() -> ScanLimits {
    ScanLimits {
        max_bytes: 256 * 1024,
        max_width: 512,
        max_height: 512,
    }
}

fuzz_target!(|data: &[u8]| {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let result = if mode % 2 == 0 {
        scan_image(rest, &limits())
    } else {
        let Some(([w, h, pad], pixels)) = rest.split_first_chunk::<3>() else {
            return;
        };
        let (w, h) = (u32::from(*w).max(1), u32::from(*h).max(1));
        let stride = w as usize + usize::from(*pad % 4);
        scan_luma(pixels, w, h, stride, &limits())
    };
    match result {
        Ok(text) => {
            let _ = transport::decode(&text);
        }
        Err(ScanError::DecoderPanic) => {
            let n = CONTAINED.fetch_add(1, Ordering::Relaxed) + 1;
            if n.is_power_of_two() {
                eprintln!("qr_scan: {n} decoder panics contained by the scan guard");
            }
        }
        Err(_) => {}
    }
});
