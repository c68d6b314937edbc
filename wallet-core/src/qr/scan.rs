//! Show-certificate QR, step "scan" (verifier side): finds and decodes the QR code in a PNG/JPEG
//! photo or in a camera frame already in memory, and returns the text it carries (the `CW1:…`
//! transport payload, which the transport step then decodes and the verifier verifies).
//!
//! Images are untrusted: the encoded size and the header's dimensions are checked against
//! [`ScanLimits`] before any pixel is decoded, and the decoder libraries get the same limits as
//! allocation caps. The QR decoder (`rxing`, a port of ZXing) is third-party code that walks
//! attacker-shaped pixel data with a lot of index arithmetic; every call into it runs under
//! [`std::panic::catch_unwind`] so that a bug there becomes [`ScanError::DecoderPanic`] instead
//! of unwinding through a verifier app (and aborting it at the FFI boundary).
//!
//! Decoding is tried fastest first: the plain ZXing pass (QR only, no "try harder"), then "try
//! harder" with inverted codes allowed, then a global-histogram binarizer (which copes better
//! with blur and low contrast). Large frames are first tried downscaled, which is several times
//! faster when the code fills a good part of the frame, and at full size only if that fails;
//! small frames get a last try at twice the size, which rescues small and blurred codes. A
//! frame without a code therefore costs the most: every pass runs before `NoCodeFound`.

use crate::error::{ErrorCode, ErrorInfo, codes};
use std::collections::HashSet;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use image::{ImageFormat, ImageReader};
use rxing::common::{GlobalHistogramBinarizer, HybridBinarizer};
use rxing::{BarcodeFormat, BinaryBitmap, DecodeHints, Luma8Source, MultiFormatReader, Reader};

/// Errors of the scan step.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// The encoded image is larger than [`ScanLimits::max_bytes`]; nothing was decoded.
    #[error("image file of {len} bytes is larger than the limit of {max} bytes")]
    InputTooLarge {
        /// Size of the input in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The image's width or height (read from its header, before decoding pixels) is above
    /// [`ScanLimits::max_width`] / [`ScanLimits::max_height`], or decoding it would need more
    /// memory than those dimensions allow.
    #[error("image is larger than the limit of {max_width}x{max_height} pixels")]
    ImageTooLarge {
        /// The width limit.
        max_width: u32,
        /// The height limit.
        max_height: u32,
    },
    /// The bytes are not a PNG or JPEG image, or the image is truncated or corrupt.
    #[error("not a readable png or jpeg image: {0}")]
    UnsupportedImage(String),
    /// A camera frame's dimensions do not match its buffer (zero width or height, a row stride
    /// shorter than the width, or fewer bytes than `row_stride × (height − 1) + width`).
    #[error("invalid luma frame: {0}")]
    InvalidFrame(&'static str),
    /// No QR code could be located and decoded in the image.
    #[error("no qr code found in the image: hold the code flat, fully in view and in focus")]
    NoCodeFound,
    /// The QR decoder library panicked on this image (a bug in the decoder, caught by the panic
    /// guard); the image may be crafted or damaged.
    #[error("the qr decoder failed on this image")]
    DecoderPanic,
}

impl ScanError {
    /// This error's row of the error table ([`crate::error`]): its stable code, kind and class.
    pub fn info(&self) -> &'static ErrorInfo {
        match self {
            Self::InputTooLarge { .. } => &codes::QR_INPUT_TOO_LARGE,
            Self::ImageTooLarge { .. } => &codes::QR_IMAGE_TOO_LARGE,
            Self::UnsupportedImage(_) => &codes::QR_UNSUPPORTED_IMAGE,
            Self::InvalidFrame(_) => &codes::QR_INVALID_FRAME,
            Self::NoCodeFound => &codes::QR_NO_CODE_FOUND,
            Self::DecoderPanic => &codes::QR_DECODER_PANIC,
        }
    }

    /// Stable machine-readable code (lower layers' codes pass through unchanged).
    pub fn code(&self) -> &'static str {
        self.info().code
    }
}

impl ErrorCode for ScanError {
    fn info(&self) -> &'static ErrorInfo {
        ScanError::info(self)
    }
}

/// Bounds on what a scan accepts, checked before decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanLimits {
    /// Largest encoded image (PNG/JPEG file) in bytes. Default 16 MiB.
    pub max_bytes: usize,
    /// Largest width in pixels. Default 4096.
    pub max_width: u32,
    /// Largest height in pixels. Default 4096.
    pub max_height: u32,
}

impl Default for ScanLimits {
    fn default() -> Self {
        Self {
            max_bytes: 16 * 1024 * 1024,
            max_width: 4096,
            max_height: 4096,
        }
    }
}

impl ScanLimits {
    fn check_dimensions(&self, width: u32, height: u32) -> Result<(), ScanError> {
        if width > self.max_width || height > self.max_height {
            return Err(ScanError::ImageTooLarge {
                max_width: self.max_width,
                max_height: self.max_height,
            });
        }
        Ok(())
    }
}

/// Frames whose longer side is above this are first scanned at a reduced size (see the module
/// docs). 1024 keeps a version-20 code that spans a third of a 12-megapixel photo at about
/// 3 pixels per module, which ZXing still reads.
pub const DOWNSCALE_ABOVE: u32 = 1024;

/// Decodes a PNG or JPEG image and returns the text of the QR code in it.
///
/// The byte size and the header's dimensions are checked against `limits` first. Transparent
/// pixels are composited over white (a code drawn on a transparent background stays readable).
pub fn scan_image(bytes: &[u8], limits: &ScanLimits) -> Result<String, ScanError> {
    if bytes.len() > limits.max_bytes {
        return Err(ScanError::InputTooLarge {
            len: bytes.len(),
            max: limits.max_bytes,
        });
    }
    // The header is read with the decoder limits already set: some decoders (PNG) check them
    // while parsing the header and allocate for ancillary data before the first pixel.
    let (width, height) = image_reader(bytes, limits)?
        .into_dimensions()
        .map_err(|e| map_image_error(e, limits))?;
    limits.check_dimensions(width, height)?;
    if width == 0 || height == 0 {
        return Err(ScanError::UnsupportedImage("image has no pixels".into()));
    }
    let image = image_reader(bytes, limits)?
        .decode()
        .map_err(|e| map_image_error(e, limits))?;
    let (width, height) = (image.width(), image.height());
    let pixels = if image.color().has_alpha() {
        let la = image.into_luma_alpha8();
        la.pixels()
            .map(|p| {
                let [l, a] = p.0.map(u32::from);
                // Alpha-composite over white: l·a + 255·(1 − a), in 0–255 fixed point.
                let v = l
                    .saturating_mul(a)
                    .saturating_add(255_u32.saturating_mul(255_u32.saturating_sub(a)))
                    / 255;
                u8::try_from(v).unwrap_or(u8::MAX)
            })
            .collect()
    } else {
        image.into_luma8().into_raw()
    };
    decode_luma(&pixels, width, height)
}

/// An image reader over `bytes` that accepts only PNG and JPEG (sniffed from the content) and
/// carries `limits` as decoder limits. These hold even if a format's header and its pixel data
/// disagreed about the size, and also cap the decoder's own allocations (16 bytes per allowed
/// pixel: room for a 16-bit RGBA decode and its conversion to grey).
fn image_reader<'a>(
    bytes: &'a [u8],
    limits: &ScanLimits,
) -> Result<ImageReader<Cursor<&'a [u8]>>, ScanError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ScanError::UnsupportedImage(e.to_string()))?;
    match reader.format() {
        Some(ImageFormat::Png | ImageFormat::Jpeg) => {}
        _ => {
            return Err(ScanError::UnsupportedImage(
                "the data is not a png or jpeg image".into(),
            ));
        }
    }
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_image_width = Some(limits.max_width);
    decoder_limits.max_image_height = Some(limits.max_height);
    decoder_limits.max_alloc = Some(
        u64::from(limits.max_width)
            .saturating_mul(u64::from(limits.max_height))
            .saturating_mul(16),
    );
    reader.limits(decoder_limits);
    Ok(reader)
}

fn map_image_error(e: image::ImageError, limits: &ScanLimits) -> ScanError {
    match e {
        image::ImageError::Limits(_) => ScanError::ImageTooLarge {
            max_width: limits.max_width,
            max_height: limits.max_height,
        },
        other => ScanError::UnsupportedImage(other.to_string()),
    }
}

/// Scans an 8-bit greyscale frame already in memory, e.g. the Y plane of a camera's YUV frame
/// (Android `ImageProxy.planes[0]`, iOS `kCVPixelFormatType_420YpCbCr8BiPlanar` plane 0).
///
/// `row_stride` is the distance in bytes between the starts of two rows (at least `width`;
/// camera buffers often pad rows). The buffer must hold `row_stride × (height − 1) + width`
/// bytes. `limits.max_width` / `max_height` apply; `max_bytes` does not.
pub fn scan_luma(
    pixels: &[u8],
    width: u32,
    height: u32,
    row_stride: usize,
    limits: &ScanLimits,
) -> Result<String, ScanError> {
    if width == 0 || height == 0 {
        return Err(ScanError::InvalidFrame("width and height must be non-zero"));
    }
    limits.check_dimensions(width, height)?;
    let w = usize::try_from(width).map_err(|_| ScanError::InvalidFrame("width too large"))?;
    let h = usize::try_from(height).map_err(|_| ScanError::InvalidFrame("height too large"))?;
    if row_stride < w {
        return Err(ScanError::InvalidFrame(
            "row stride is shorter than the width",
        ));
    }
    let needed = row_stride
        .checked_mul(h.saturating_sub(1))
        .and_then(|n| n.checked_add(w))
        .ok_or(ScanError::InvalidFrame("row stride × height overflows"))?;
    if pixels.len() < needed {
        return Err(ScanError::InvalidFrame(
            "buffer is shorter than row_stride × (height − 1) + width",
        ));
    }
    if row_stride == w {
        let tight = pixels
            .get(..needed)
            .ok_or(ScanError::InvalidFrame("buffer too short"))?;
        return decode_luma(tight, width, height);
    }
    let mut tight = Vec::with_capacity(w.saturating_mul(h));
    for row in pixels.chunks(row_stride).take(h) {
        tight.extend_from_slice(row.get(..w).unwrap_or(row));
    }
    if tight.len() != w.saturating_mul(h) {
        return Err(ScanError::InvalidFrame("buffer too short"));
    }
    decode_luma(&tight, width, height)
}

/// One decoding pass: which binarizer and which ZXing hints.
#[derive(Debug, Clone, Copy)]
enum Pass {
    /// Hybrid (local-threshold) binarizer, QR only, no extra effort.
    Fast,
    /// Hybrid binarizer, "try harder", inverted (light-on-dark) codes too.
    Harder,
    /// Global-histogram binarizer, "try harder": better on blurred or low-contrast photos.
    GlobalHistogram,
}

/// Runs the passes on a tightly packed luma buffer (`pixels.len() == width × height`).
fn decode_luma(pixels: &[u8], width: u32, height: u32) -> Result<String, ScanError> {
    let mut panicked = false;
    let mut try_pass =
        |pixels: &[u8], w: u32, h: u32, pass: Pass| match guarded_decode(pixels, w, h, pass) {
            Ok(text) => text,
            Err(ScanError::DecoderPanic) => {
                panicked = true;
                None
            }
            Err(_) => None,
        };

    if width.max(height) > DOWNSCALE_ABOVE {
        let factor = width.max(height).div_ceil(DOWNSCALE_ABOVE);
        if let Some((small, sw, sh)) = downscale(pixels, width, height, factor) {
            for pass in [Pass::Fast, Pass::Harder] {
                if let Some(text) = try_pass(&small, sw, sh, pass) {
                    return Ok(text);
                }
            }
        }
    }
    for pass in [Pass::Fast, Pass::Harder, Pass::GlobalHistogram] {
        if let Some(text) = try_pass(pixels, width, height, pass) {
            return Ok(text);
        }
    }
    if width.max(height) <= UPSCALE_UP_TO
        && let Some((big, bw, bh)) = upscale2(pixels, width, height)
    {
        for pass in [Pass::Fast, Pass::Harder, Pass::GlobalHistogram] {
            if let Some(text) = try_pass(&big, bw, bh, pass) {
                return Ok(text);
            }
        }
    }
    if panicked {
        Err(ScanError::DecoderPanic)
    } else {
        Err(ScanError::NoCodeFound)
    }
}

/// One pass of the QR decoder under the panic guard: `Ok(Some(text))` if a code was decoded,
/// `Ok(None)` if not, `Err(DecoderPanic)` if the decoder panicked.
fn guarded_decode(
    pixels: &[u8],
    width: u32,
    height: u32,
    pass: Pass,
) -> Result<Option<String>, ScanError> {
    // AssertUnwindSafe: the closure only reads `pixels` and owns everything it mutates (the
    // reader, the bitmap); after a panic none of that state is looked at again.
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let hints = DecodeHints {
            PossibleFormats: Some(HashSet::from([BarcodeFormat::QR_CODE])),
            TryHarder: Some(!matches!(pass, Pass::Fast)),
            AlsoInverted: Some(matches!(pass, Pass::Harder)),
            ..DecodeHints::default()
        };
        let source = Luma8Source::new_with_slice(pixels, width, height).ok()?;
        let mut reader = MultiFormatReader::default();
        let result = match pass {
            Pass::Fast | Pass::Harder => {
                let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
                reader.decode_with_hints(&mut bitmap, &hints)
            }
            Pass::GlobalHistogram => {
                let mut bitmap = BinaryBitmap::new(GlobalHistogramBinarizer::new(source));
                reader.decode_with_hints(&mut bitmap, &hints)
            }
        }
        .ok()?;
        (*result.getBarcodeFormat() == BarcodeFormat::QR_CODE).then(|| result.getText().to_owned())
    }));
    outcome.map_err(|_| ScanError::DecoderPanic)
}

/// Box-filters the image down by an integer `factor` (≥ 2); `None` if that leaves no pixels.
fn downscale(pixels: &[u8], width: u32, height: u32, factor: u32) -> Option<(Vec<u8>, u32, u32)> {
    if factor < 2 {
        return None;
    }
    let (sw, sh) = (width.checked_div(factor)?, height.checked_div(factor)?);
    if sw == 0 || sh == 0 {
        return None;
    }
    let (w, f) = (usize::try_from(width).ok()?, usize::try_from(factor).ok()?);
    let (sw_us, sh_us) = (usize::try_from(sw).ok()?, usize::try_from(sh).ok()?);
    let area = u32::try_from(f.checked_mul(f)?).ok()?;
    let mut sums = vec![0_u32; sw_us];
    let mut out = Vec::with_capacity(sw_us.checked_mul(sh_us)?);
    for band in pixels.chunks(w.checked_mul(f)?).take(sh_us) {
        sums.iter_mut().for_each(|s| *s = 0);
        for row in band.chunks(w) {
            for (sum, block) in sums.iter_mut().zip(row.chunks(f)) {
                *sum = block
                    .iter()
                    .fold(*sum, |acc, p| acc.saturating_add(u32::from(*p)));
            }
        }
        out.extend(
            sums.iter()
                .map(|s| u8::try_from(s.checked_div(area).unwrap_or(0)).unwrap_or(u8::MAX)),
        );
    }
    (out.len() == sw_us.saturating_mul(sh_us)).then_some((out, sw, sh))
}

/// Frames whose longer side is at most this are retried at twice the size when the passes at
/// the original size fail. With fewer than about 3 pixels per module (a small or blurred code)
/// ZXing's finder-pattern search and 8-pixel-block binarizer lose the modules; bilinear
/// upscaling gives them room again (in the distortion set it recovers blur σ = 2 px at 4 px per
/// module and a blurred 2 px-per-module render).
pub const UPSCALE_UP_TO: u32 = 1024;

/// Doubles width and height with bilinear interpolation (pixel centres at half-pixel offsets,
/// so each output pixel weighs its nearest source pixel 3/4 and the next one 1/4 per axis).
fn upscale2(pixels: &[u8], width: u32, height: u32) -> Option<(Vec<u8>, u32, u32)> {
    let (w, h) = (usize::try_from(width).ok()?, usize::try_from(height).ok()?);
    let (bw, bh) = (width.checked_mul(2)?, height.checked_mul(2)?);
    let bw_us = w.checked_mul(2)?;
    // Horizontal pass into u16 rows scaled by 4, then vertical pass scaled by 4 again.
    let mut wide: Vec<u16> = Vec::with_capacity(bw_us.checked_mul(h)?);
    for row in pixels.chunks(w).take(h) {
        let at = |i: usize| u16::from(row.get(i).copied().unwrap_or(0));
        for i in 0..w {
            let p = at(i).saturating_mul(3);
            wide.push(p.saturating_add(at(i.saturating_sub(1))));
            wide.push(p.saturating_add(at(i.saturating_add(1).min(w.saturating_sub(1)))));
        }
    }
    let rows: Vec<&[u16]> = wide.chunks(bw_us).collect();
    let mut out = Vec::with_capacity(bw_us.checked_mul(h.checked_mul(2)?)?);
    for (y, row) in rows.iter().enumerate() {
        let up = y.checked_sub(1).and_then(|u| rows.get(u)).unwrap_or(row);
        let down = rows.get(y.saturating_add(1)).unwrap_or(row);
        for neighbour in [up, down] {
            out.extend(row.iter().zip(neighbour.iter()).map(|(c, n)| {
                let v = u32::from(*c)
                    .saturating_mul(3)
                    .saturating_add(u32::from(*n))
                    / 16;
                u8::try_from(v).unwrap_or(u8::MAX)
            }));
        }
    }
    (out.len() == bw_us.saturating_mul(h.saturating_mul(2))).then_some((out, bw, bh))
}
