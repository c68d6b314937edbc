//! Show-certificate QR, step "render" (holder side): turns the transport payload (an ASCII string
//! in the QR alphanumeric character set, the `CW1:…` text of the transport step) into a QR
//! symbol, and draws that symbol as a module matrix (for apps that draw natively), a PNG, an SVG
//! or Unicode half blocks for a terminal.
//!
//! The payload is always encoded as **one alphanumeric-mode segment** in the **smallest version**
//! that holds it at the requested error-correction level. We build the bit stream ourselves
//! instead of letting `qrcode` optimise segments: that keeps the symbol's version a pure function
//! of (payload length, ECC level) that matches the published capacity tables, so a third party
//! can predict it and our tests can check it. Characters outside the alphanumeric set are
//! rejected rather than silently encoded in byte mode, which would make the symbol about 40 %
//! larger and hide a bug in the transport encoder.

use crate::error::{ErrorCode, ErrorInfo, codes};
use std::fmt::Write as _;

use qrcode::bits::Bits;
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, EcLevel, Version};

/// Error-correction level of a QR symbol: how much of the symbol may be damaged or hidden and
/// still be read. Higher levels need a larger version for the same payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EccLevel {
    /// About 7 % of codewords can be restored.
    L,
    /// About 15 % of codewords can be restored; the default for show-certificate codes.
    #[default]
    M,
    /// About 25 % of codewords can be restored.
    Q,
    /// About 30 % of codewords can be restored.
    H,
}

impl EccLevel {
    /// The level's letter as printed in the QR specification ("L", "M", "Q", "H").
    pub fn as_str(self) -> &'static str {
        match self {
            Self::L => "L",
            Self::M => "M",
            Self::Q => "Q",
            Self::H => "H",
        }
    }

    fn to_qrcode(self) -> EcLevel {
        match self {
            Self::L => EcLevel::L,
            Self::M => EcLevel::M,
            Self::Q => EcLevel::Q,
            Self::H => EcLevel::H,
        }
    }
}

impl std::fmt::Display for EccLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Errors of the render step.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The payload is the empty string; a show-certificate code always carries a payload.
    #[error("qr payload is empty")]
    EmptyPayload,
    /// A character of the payload is outside the QR alphanumeric set `0-9A-Z $%*+-./:`
    /// (lowercase letters included); the transport encoder produces only that set.
    #[error(
        "qr payload byte {position} is not in the qr alphanumeric set (0-9, A-Z, space, $%*+-./:)"
    )]
    NotAlphanumeric {
        /// Byte offset of the first offending character.
        position: usize,
    },
    /// The payload does not fit a version-40 symbol at the requested level.
    #[error(
        "qr payload of {len} characters is too long: a version 40 code at ecc level {ecc} holds at most {max}; use a lower ecc level or disclose fewer claims"
    )]
    PayloadTooLong {
        /// Payload length in characters.
        len: usize,
        /// Alphanumeric capacity of version 40 at `ecc`.
        max: usize,
        /// The requested level.
        ecc: EccLevel,
    },
    /// The render options are out of range (zero module size, an image side above
    /// [`MAX_IMAGE_SIDE`], a quiet zone above [`MAX_QUIET_ZONE`], too little contrast).
    #[error("invalid qr render options: {0}")]
    InvalidOptions(&'static str),
    /// The QR or PNG encoder library failed on input we had already validated (a bug).
    #[error("qr encoder failed: {0}")]
    Encoder(String),
}

impl RenderError {
    /// This error's row of the error table ([`crate::error`]): its stable code, kind and class.
    pub fn info(&self) -> &'static ErrorInfo {
        match self {
            Self::EmptyPayload => &codes::QR_EMPTY_PAYLOAD,
            Self::NotAlphanumeric { .. } => &codes::QR_NOT_ALPHANUMERIC,
            Self::PayloadTooLong { .. } => &codes::QR_PAYLOAD_TOO_LONG,
            Self::InvalidOptions(_) => &codes::QR_INVALID_RENDER_OPTIONS,
            Self::Encoder(_) => &codes::QR_ENCODER_FAILED,
        }
    }

    /// Stable machine-readable code (lower layers' codes pass through unchanged).
    pub fn code(&self) -> &'static str {
        self.info().code
    }
}

impl ErrorCode for RenderError {
    fn info(&self) -> &'static ErrorInfo {
        RenderError::info(self)
    }
}

/// Largest width/height in pixels of a rendered PNG or SVG (quiet zone included).
pub const MAX_IMAGE_SIDE: u32 = 8192;
/// Largest quiet zone in modules. The QR specification requires at least 4.
pub const MAX_QUIET_ZONE: u32 = 64;
/// Smallest allowed difference in luma (0–255, Rec. 601) between the light and the dark colour:
/// below it scanners start to fail on ordinary phone screens.
pub const MIN_CONTRAST: u8 = 64;

/// How to draw a symbol as an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    /// Error-correction level; selects the version together with the payload length.
    pub ecc: EccLevel,
    /// Side of one module in pixels (PNG) or user units (SVG `width`/`height`). At least 1;
    /// keep it at 3 or more for codes shown on a screen to be photographed.
    pub module_px: u32,
    /// Light margin around the symbol, in modules. The specification requires 4; scanners
    /// locate the finder patterns less reliably with less.
    pub quiet_zone: u32,
    /// Colour of dark modules as sRGB.
    pub dark: [u8; 3],
    /// Colour of light modules and of the quiet zone as sRGB. Must be lighter than `dark` by
    /// at least [`MIN_CONTRAST`] luma levels: scanners expect dark modules on a light ground.
    pub light: [u8; 3],
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            ecc: EccLevel::M,
            module_px: 4,
            quiet_zone: 4,
            dark: [0, 0, 0],
            light: [255, 255, 255],
        }
    }
}

/// A QR symbol as a square matrix of modules, without quiet zone: what a mobile app needs to
/// draw the code natively (one filled square per dark module, plus a light margin of 4 modules).
///
/// Row-major, `(0, 0)` is the top-left module; `true` is dark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    version: u8,
    ecc: EccLevel,
    size: usize,
    modules: Vec<bool>,
}

impl QrMatrix {
    /// QR version, 1 to 40.
    pub fn version(&self) -> u8 {
        self.version
    }

    /// Error-correction level.
    pub fn ecc(&self) -> EccLevel {
        self.ecc
    }

    /// Modules per side (`17 + 4 × version`).
    pub fn size(&self) -> usize {
        self.size
    }

    /// Whether module `(x, y)` (column, row) is dark. Coordinates outside the symbol are in the
    /// quiet zone and therefore light.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        if x >= self.size {
            return false;
        }
        y.checked_mul(self.size)
            .and_then(|row| row.checked_add(x))
            .and_then(|i| self.modules.get(i))
            .copied()
            .unwrap_or(false)
    }

    /// All modules, row by row (`size × size` entries, `true` is dark).
    pub fn modules(&self) -> &[bool] {
        &self.modules
    }

    /// One row of modules, or `None` past the last row.
    pub fn row(&self, y: usize) -> Option<&[bool]> {
        let start = y.checked_mul(self.size)?;
        self.modules.get(start..start.checked_add(self.size)?)
    }

    /// Dark state of module `(x, y)` where `x`, `y` count from the outer edge of a quiet zone
    /// of `quiet` modules.
    fn is_dark_with_margin(&self, x: usize, y: usize, quiet: usize) -> bool {
        match (x.checked_sub(quiet), y.checked_sub(quiet)) {
            (Some(x), Some(y)) => self.is_dark(x, y),
            _ => false,
        }
    }
}

/// Bits of the character-count indicator for alphanumeric mode (ISO/IEC 18004 table 3).
fn char_count_bits(version: u8) -> usize {
    match version {
        1..=9 => 9,
        10..=26 => 11,
        _ => 13,
    }
}

/// Number of alphanumeric characters a symbol of `version` (1–40) holds at level `ecc` in a
/// single alphanumeric segment (the published capacity table, e.g. 25 for 1-L, 970 for 20-M,
/// 4296 for 40-L); `None` for a version outside 1–40.
pub fn alphanumeric_capacity(version: u8, ecc: EccLevel) -> Option<usize> {
    if !(1..=40).contains(&version) {
        return None;
    }
    let data_bits = Bits::new(Version::Normal(i16::from(version)))
        .max_len(ecc.to_qrcode())
        .ok()?;
    let count_bits = char_count_bits(version);
    // 4 bits of mode indicator, then the count, then 11 bits per pair and 6 for an odd last one.
    let available = data_bits.checked_sub(count_bits.saturating_add(4))?;
    let chars = (available / 11)
        .saturating_mul(2)
        .saturating_add(usize::from(available % 11 >= 6));
    let max_count = (1_usize << count_bits).saturating_sub(1);
    Some(chars.min(max_count))
}

/// The smallest version whose alphanumeric capacity at `ecc` is at least `len`.
pub fn version_for_len(len: usize, ecc: EccLevel) -> Option<u8> {
    (1..=40_u8).find(|v| alphanumeric_capacity(*v, ecc).is_some_and(|cap| len <= cap))
}

/// Whether `c` is in the QR alphanumeric character set `0-9A-Z $%*+-./:`.
pub fn is_alphanumeric_char(c: u8) -> bool {
    matches!(c, b'0'..=b'9' | b'A'..=b'Z' | b' ' | b'$' | b'%' | b'*' | b'+' | b'-' | b'.' | b'/' | b':')
}

/// Encodes `payload` as one alphanumeric segment in the smallest version that holds it at
/// `ecc`, and returns the module matrix.
pub fn encode_matrix(payload: &str, ecc: EccLevel) -> Result<QrMatrix, RenderError> {
    if payload.is_empty() {
        return Err(RenderError::EmptyPayload);
    }
    if let Some(position) = payload.bytes().position(|c| !is_alphanumeric_char(c)) {
        return Err(RenderError::NotAlphanumeric { position });
    }
    let len = payload.len();
    let version = version_for_len(len, ecc).ok_or(RenderError::PayloadTooLong {
        len,
        max: alphanumeric_capacity(40, ecc).unwrap_or(0),
        ecc,
    })?;
    let qr_version = Version::Normal(i16::from(version));
    let mut bits = Bits::new(qr_version);
    bits.push_alphanumeric_data(payload.as_bytes())
        .map_err(|e| RenderError::Encoder(e.to_string()))?;
    bits.push_terminator(ecc.to_qrcode())
        .map_err(|e| RenderError::Encoder(e.to_string()))?;
    let (data, ec_data) =
        qrcode::ec::construct_codewords(&bits.into_bytes(), qr_version, ecc.to_qrcode())
            .map_err(|e| RenderError::Encoder(e.to_string()))?;
    let mut canvas = Canvas::new(qr_version, ecc.to_qrcode());
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec_data);
    let size = usize::from(version).saturating_mul(4).saturating_add(17);
    // Mask selection is done here rather than by `QrCode::with_bits`: `qrcode` scores masks
    // with a boxed closure per module position, which costs ~4 ms for a version-20 symbol;
    // scoring the eight candidates with `mask_penalty` takes a few hundred microseconds.
    let mut best: Option<(u32, Vec<bool>)> = None;
    for pattern in MASK_PATTERNS {
        let mut masked = canvas.clone();
        masked.apply_mask(pattern);
        let modules: Vec<bool> = masked
            .into_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect();
        if Some(modules.len()) != size.checked_mul(size) {
            return Err(RenderError::Encoder(
                "module count is not size squared".into(),
            ));
        }
        let score = mask_penalty(&modules, size);
        if best.as_ref().is_none_or(|(lowest, _)| score < *lowest) {
            best = Some((score, modules));
        }
    }
    let (_, modules) = best.ok_or(RenderError::Encoder("no mask pattern".into()))?;
    Ok(QrMatrix {
        version,
        ecc,
        size,
        modules,
    })
}

/// The eight QR mask patterns, in the order of their 3-bit reference (000 to 111); on equal
/// penalty the lower reference wins.
const MASK_PATTERNS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The mask penalty of ISO/IEC 18004 §7.8.3 (rules N1 = 3, N2 = 3, N3 = 40, N4 = 10), scored
/// like ZXing's `MaskUtil`: modules outside the symbol count as light for the finder-like rule.
/// `modules` is `size × size`, row-major. Runs in about 20 µs for a version-20 symbol.
fn mask_penalty(modules: &[bool], size: usize) -> u32 {
    if size == 0 {
        return 0;
    }
    // Columns are scored as the rows of the transposed matrix.
    let mut transposed = vec![false; modules.len()];
    for (y, row) in modules.chunks(size).enumerate() {
        for (column, dark) in transposed.chunks_mut(size).zip(row) {
            if let Some(t) = column.get_mut(y) {
                *t = *dark;
            }
        }
    }
    let mut score = modules
        .chunks(size)
        .chain(transposed.chunks(size))
        .fold(0_u32, |acc, line| acc.saturating_add(line_penalty(line)));
    // N2: every 2×2 block of one colour.
    let mut blocks = 0_u32;
    for (upper, lower) in modules.chunks(size).zip(modules.chunks(size).skip(1)) {
        for ((a0, a1), (b0, b1)) in upper
            .iter()
            .zip(upper.iter().skip(1))
            .zip(lower.iter().zip(lower.iter().skip(1)))
        {
            blocks = blocks.wrapping_add(u32::from((a0 == a1) & (a0 == b0) & (a0 == b1)));
        }
    }
    score = score.saturating_add(blocks.saturating_mul(3));
    // N4: 10 points per full 5 % that the dark share deviates from 50 %.
    let dark = modules.iter().filter(|d| **d).count();
    let total = modules.len().max(1);
    let deviation = dark
        .saturating_mul(2)
        .abs_diff(total)
        .saturating_mul(10)
        .checked_div(total)
        .unwrap_or(0);
    score.saturating_add(
        u32::try_from(deviation)
            .unwrap_or(u32::MAX)
            .saturating_mul(10),
    )
}

/// Rules N1 (runs of five or more modules of one colour) and N3 (dark-light-dark-dark-dark-
/// light-dark with four light modules before or after) along one row or column.
fn line_penalty(line: &[bool]) -> u32 {
    // Written without data-dependent branches: module colours are close to random, and a
    // mispredicted branch per module made this several times slower than the encoder itself.
    let mut score = 0_u32;
    let mut run = 0_u32;
    let mut previous = false;
    for dark in line {
        // Length of the run ending here: one more than before if the colour is unchanged.
        run = run
            .wrapping_mul(u32::from(*dark == previous))
            .wrapping_add(1);
        previous = *dark;
        // A run of length L ≥ 5 scores 3 + (L − 5): 3 when it reaches 5, then 1 per module.
        score = score
            .wrapping_add(u32::from(run == 5).wrapping_mul(3))
            .wrapping_add(u32::from(run > 5));
    }
    // N3 with a 15-module shift register over the line padded by 4 light modules per side
    // (outside the symbol is light). Per position of the 7-module pattern, the light run may be
    // before it, after it, or both; ZXing counts such a position once. The register starts
    // all dark, which no pattern below can match while any of those bits remain (each pattern
    // begins with light modules or has light ones right after a short dark prefix), so no
    // position check is needed in the loop.
    // Digits grouped as light run | pattern, not in nibbles.
    #[allow(clippy::unusual_byte_groupings)]
    const BEFORE: u32 = 0b0000_1011101; // 11 modules: 4 light, then the pattern
    #[allow(clippy::unusual_byte_groupings)]
    const AFTER: u32 = 0b1011101_0000; // 11 modules: the pattern, then 4 light
    #[allow(clippy::unusual_byte_groupings)]
    const BOTH: u32 = 0b0000_1011101_0000; // 15 modules
    let (mut window, mut before, mut after, mut both) = (0x7fff_u32, 0_u32, 0_u32, 0_u32);
    let padding = [false; 4];
    for part in [&padding[..], line, &padding[..]] {
        for dark in part {
            window = ((window << 1) | u32::from(*dark)) & 0x7fff;
            before = before.wrapping_add(u32::from(window & 0x7ff == BEFORE));
            after = after.wrapping_add(u32::from(window & 0x7ff == AFTER));
            both = both.wrapping_add(u32::from(window == BOTH));
        }
    }
    let finder_like = before.saturating_add(after).saturating_sub(both);
    score.saturating_add(finder_like.saturating_mul(40))
}

/// Rec. 601 luma of an sRGB colour, 0–255.
fn luma(c: [u8; 3]) -> u32 {
    let [r, g, b] = c.map(u32::from);
    r.saturating_mul(299)
        .saturating_add(g.saturating_mul(587))
        .saturating_add(b.saturating_mul(114))
        / 1000
}

/// Checks the options and returns `(modules per side incl. quiet zone, pixels per side)`.
fn image_geometry(matrix: &QrMatrix, opts: &RenderOptions) -> Result<(usize, u32), RenderError> {
    if opts.module_px == 0 {
        return Err(RenderError::InvalidOptions("module_px must be at least 1"));
    }
    if opts.quiet_zone > MAX_QUIET_ZONE {
        return Err(RenderError::InvalidOptions(
            "quiet_zone is larger than 64 modules",
        ));
    }
    if luma(opts.light) < luma(opts.dark).saturating_add(u32::from(MIN_CONTRAST)) {
        return Err(RenderError::InvalidOptions(
            "light colour must be lighter than the dark colour by at least 64 luma levels",
        ));
    }
    let quiet = usize::try_from(opts.quiet_zone)
        .map_err(|_| RenderError::InvalidOptions("quiet_zone does not fit in memory"))?;
    let modules = matrix.size.saturating_add(quiet.saturating_mul(2));
    let side = u32::try_from(modules)
        .ok()
        .and_then(|m| m.checked_mul(opts.module_px))
        .filter(|side| *side <= MAX_IMAGE_SIDE)
        .ok_or(RenderError::InvalidOptions(
            "image side (modules + quiet zone) × module_px is larger than 8192 pixels",
        ))?;
    Ok((modules, side))
}

/// Renders `payload` as a PNG: 1-bit indexed colour with a two-entry palette (`light`, `dark`),
/// `module_px` pixels per module and the quiet zone included. A version-20 code at 4 px per
/// module is a 420 × 420 image of about 6 KB.
pub fn render_png(payload: &str, opts: &RenderOptions) -> Result<Vec<u8>, RenderError> {
    let matrix = encode_matrix(payload, opts.ecc)?;
    matrix_to_png(&matrix, opts)
}

/// Draws an already encoded matrix as a PNG (see [`render_png`]); `opts.ecc` is ignored.
pub fn matrix_to_png(matrix: &QrMatrix, opts: &RenderOptions) -> Result<Vec<u8>, RenderError> {
    let (modules, side) = image_geometry(matrix, opts)?;
    let quiet = usize::try_from(opts.quiet_zone).unwrap_or(0);
    let module_px = usize::try_from(opts.module_px).unwrap_or(1);
    let side_px = usize::try_from(side).unwrap_or(0);
    // 1 bit per pixel, rows padded to whole bytes, most significant bit first; index 1 = dark.
    let row_bytes = side_px.div_ceil(8);
    let mut data = Vec::with_capacity(row_bytes.saturating_mul(side_px));
    let mut row = vec![0_u8; row_bytes];
    for my in 0..modules {
        row.iter_mut().for_each(|b| *b = 0);
        for mx in 0..modules {
            if !matrix.is_dark_with_margin(mx, my, quiet) {
                continue;
            }
            let first = mx.saturating_mul(module_px);
            for px in first..first.saturating_add(module_px) {
                if let Some(byte) = row.get_mut(px / 8) {
                    *byte |= 0x80_u8 >> (px % 8);
                }
            }
        }
        for _ in 0..module_px {
            data.extend_from_slice(&row);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::One);
    let [lr, lg, lb] = opts.light;
    let [dr, dg, db] = opts.dark;
    encoder.set_palette(vec![lr, lg, lb, dr, dg, db]);
    // Rows repeat `module_px` times, so the Up filter turns most rows into zeros and the fast
    // deflate level already compresses to a few KB; higher levels only cost time.
    encoder.set_filter(png::Filter::Up);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder
        .write_header()
        .map_err(|e| RenderError::Encoder(e.to_string()))?;
    writer
        .write_image_data(&data)
        .map_err(|e| RenderError::Encoder(e.to_string()))?;
    writer
        .finish()
        .map_err(|e| RenderError::Encoder(e.to_string()))?;
    Ok(out)
}

/// Renders `payload` as a standalone SVG document: a light background square and one path of
/// horizontal runs of dark modules, in a `viewBox` of one unit per module (quiet zone included),
/// with `width`/`height` of `module_px` × modules. `shape-rendering="crispEdges"` keeps module
/// edges sharp at any scale.
pub fn render_svg(payload: &str, opts: &RenderOptions) -> Result<String, RenderError> {
    let matrix = encode_matrix(payload, opts.ecc)?;
    matrix_to_svg(&matrix, opts)
}

/// Draws an already encoded matrix as SVG (see [`render_svg`]); `opts.ecc` is ignored.
pub fn matrix_to_svg(matrix: &QrMatrix, opts: &RenderOptions) -> Result<String, RenderError> {
    let (modules, side) = image_geometry(matrix, opts)?;
    let quiet = usize::try_from(opts.quiet_zone).unwrap_or(0);
    let hex = |[r, g, b]: [u8; 3]| format!("#{r:02x}{g:02x}{b:02x}");
    let mut svg = String::with_capacity(matrix.size.saturating_mul(matrix.size).saturating_mul(4));
    // `write!` into a String cannot fail; the results are ignored for that reason.
    let _ = write!(
        svg,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{side}\" height=\"{side}\" \
         viewBox=\"0 0 {modules} {modules}\" shape-rendering=\"crispEdges\">\n\
         <rect width=\"{modules}\" height=\"{modules}\" fill=\"{}\"/>\n<path fill=\"{}\" d=\"",
        hex(opts.light),
        hex(opts.dark),
    );
    for y in 0..matrix.size {
        let Some(row) = matrix.row(y) else { break };
        let mut x = 0;
        while x < row.len() {
            if !row.get(x).copied().unwrap_or(false) {
                x = x.saturating_add(1);
                continue;
            }
            let run = row
                .get(x..)
                .map_or(0, |rest| rest.iter().take_while(|d| **d).count());
            let _ = write!(
                svg,
                "M{} {}h{run}v1h-{run}z",
                x.saturating_add(quiet),
                y.saturating_add(quiet)
            );
            x = x.saturating_add(run.max(1));
        }
    }
    svg.push_str("\"/>\n</svg>\n");
    Ok(svg)
}

/// How [`render_terminal`] draws modules with Unicode half blocks (`▀`, `▄`, `█`, space); each
/// character cell holds one module column and two module rows, so modules come out square in
/// common terminal fonts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TerminalStyle {
    /// Black and white forced with ANSI SGR colours (foreground = upper module, background =
    /// lower module, every cell `▀`): reads correctly on dark and on light terminal themes.
    /// The default for an interactive terminal.
    #[default]
    Ansi,
    /// Plain text, dark modules drawn as block glyphs and light ones as spaces: correct on a
    /// light background (and in text files, printouts).
    DarkOnLight,
    /// Plain text, light modules drawn as block glyphs and dark ones as spaces: correct on a
    /// dark background without colour support (what `qrencode -t UTF8` prints).
    LightOnDark,
}

/// Renders `payload` for a terminal in `style`, quiet zone included (`opts.quiet_zone` modules
/// on every side, printed as light cells). `opts.module_px` and the colours are not used: one
/// module is one character column and half a line. Every line ends with `\n`; in
/// [`TerminalStyle::Ansi`] each line also ends with a colour reset before the newline.
pub fn render_terminal(
    payload: &str,
    opts: &RenderOptions,
    style: TerminalStyle,
) -> Result<String, RenderError> {
    let matrix = encode_matrix(payload, opts.ecc)?;
    matrix_to_terminal(&matrix, opts.quiet_zone, style)
}

/// Draws an already encoded matrix for a terminal (see [`render_terminal`]).
pub fn matrix_to_terminal(
    matrix: &QrMatrix,
    quiet_zone: u32,
    style: TerminalStyle,
) -> Result<String, RenderError> {
    if quiet_zone > MAX_QUIET_ZONE {
        return Err(RenderError::InvalidOptions(
            "quiet_zone is larger than 64 modules",
        ));
    }
    let quiet = usize::try_from(quiet_zone).unwrap_or(0);
    let modules = matrix.size.saturating_add(quiet.saturating_mul(2));
    let mut out = String::with_capacity(modules.saturating_mul(modules).saturating_mul(3));
    // An odd total leaves a last line whose lower half is outside the code: it is drawn light,
    // which only widens the bottom quiet zone by half a module.
    for pair in 0..modules.div_ceil(2) {
        let top_y = pair.saturating_mul(2);
        let bottom_y = top_y.saturating_add(1);
        let mut colours: Option<(bool, bool)> = None;
        for x in 0..modules {
            let top = matrix.is_dark_with_margin(x, top_y, quiet);
            let bottom = bottom_y < modules && matrix.is_dark_with_margin(x, bottom_y, quiet);
            match style {
                TerminalStyle::Ansi => {
                    // Only emit an escape sequence when the pair of colours changes.
                    if colours != Some((top, bottom)) {
                        let fg = if top { 30 } else { 97 };
                        let bg = if bottom { 40 } else { 107 };
                        let _ = write!(out, "\x1b[{fg};{bg}m");
                        colours = Some((top, bottom));
                    }
                    out.push('▀');
                }
                TerminalStyle::DarkOnLight => out.push(half_block(top, bottom)),
                TerminalStyle::LightOnDark => out.push(half_block(!top, !bottom)),
            }
        }
        if style == TerminalStyle::Ansi {
            out.push_str("\x1b[0m");
        }
        out.push('\n');
    }
    Ok(out)
}

/// The glyph that inks the upper half if `upper` and the lower half if `lower`.
fn half_block(upper: bool, lower: bool) -> char {
    match (upper, lower) {
        (true, true) => '█',
        (true, false) => '▀',
        (false, true) => '▄',
        (false, false) => ' ',
    }
}
