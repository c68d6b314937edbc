//! Show-certificate QR rendering and scanning: version selection against the ISO/IEC 18004
//! alphanumeric capacity table, the format and version information actually written into the
//! symbol, render → scan round trips, the PNG/SVG/terminal outputs, camera frames with a row
//! stride, and every error path (which must be a typed error, never a panic).

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use wallet_core::qr::render::{
    EccLevel, QrMatrix, RenderError, RenderOptions, TerminalStyle, alphanumeric_capacity,
    encode_matrix, render_png, render_svg, render_terminal,
};
use wallet_core::qr::scan::{ScanError, ScanLimits, scan_image, scan_luma};

const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Alphanumeric capacity per version 1–40 at level L (ISO/IEC 18004 table 7).
const CAPACITY_L: [usize; 40] = [
    25, 47, 77, 114, 154, 195, 224, 279, 335, 395, 468, 535, 619, 667, 758, 854, 938, 1046, 1153,
    1249, 1352, 1460, 1588, 1704, 1853, 1990, 2132, 2223, 2369, 2520, 2677, 2840, 3009, 3183, 3351,
    3537, 3729, 3927, 4087, 4296,
];
/// Alphanumeric capacity per version 1–20 at level M (same table).
const CAPACITY_M: [usize; 20] = [
    20, 38, 61, 90, 122, 154, 178, 221, 262, 311, 366, 419, 483, 528, 600, 656, 734, 816, 909, 970,
];
/// Further published points: (version, level, capacity).
const CAPACITY_POINTS: [(u8, EccLevel, usize); 12] = [
    (1, EccLevel::Q, 16),
    (1, EccLevel::H, 10),
    (10, EccLevel::Q, 221),
    (10, EccLevel::H, 174),
    (20, EccLevel::L, 1249),
    (20, EccLevel::Q, 702),
    (20, EccLevel::H, 557),
    (40, EccLevel::M, 3391),
    (40, EccLevel::Q, 2420),
    (40, EccLevel::H, 1852),
    (10, EccLevel::M, 311),
    (40, EccLevel::L, 4296),
];

fn all_points() -> Vec<(u8, EccLevel, usize)> {
    let mut points = CAPACITY_POINTS.to_vec();
    points.extend((1..=40).map(|v| (v, EccLevel::L, CAPACITY_L[usize::from(v) - 1])));
    points.extend((1..=20).map(|v| (v, EccLevel::M, CAPACITY_M[usize::from(v) - 1])));
    points
}

/// `CW1:` followed by seeded pseudo-random base45-like text, `len` characters in all.
fn payload(len: usize, seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut s = String::from("CW1:");
    while s.len() < len {
        s.push(char::from(ALPHANUMERIC[(rng.next_u32() % 45) as usize]));
    }
    s.truncate(len);
    s
}

#[test]
fn alphanumeric_capacity_matches_the_iso_table() {
    for (version, ecc, capacity) in all_points() {
        assert_eq!(
            alphanumeric_capacity(version, ecc),
            Some(capacity),
            "version {version}-{ecc}"
        );
    }
    assert_eq!(alphanumeric_capacity(0, EccLevel::L), None);
    assert_eq!(alphanumeric_capacity(41, EccLevel::L), None);
}

#[test]
fn smallest_version_is_chosen_at_every_capacity_boundary() {
    for (version, ecc, capacity) in all_points() {
        let full = encode_matrix(&payload(capacity, 7), ecc).unwrap();
        assert_eq!(full.version(), version, "{capacity} chars at {ecc}");
        assert_eq!(full.size(), 17 + 4 * usize::from(version));
        assert_eq!(full.modules().len(), full.size() * full.size());
        match encode_matrix(&payload(capacity + 1, 7), ecc) {
            Ok(bigger) => assert_eq!(
                bigger.version(),
                version + 1,
                "{} chars at {ecc}",
                capacity + 1
            ),
            Err(e) => {
                assert_eq!(version, 40, "{} chars at {ecc}: {e}", capacity + 1);
                assert_eq!(e.code(), "qr.payload_too_long");
            }
        }
    }
}

/// Reads the 15-bit format information (first copy, around the top-left finder pattern) and
/// returns the error-correction level it declares.
fn format_ecc(m: &QrMatrix) -> EccLevel {
    let mut bits = 0_u32;
    let mut push = |x: usize, y: usize| bits = (bits << 1) | u32::from(m.is_dark(x, y));
    for x in 0..6 {
        push(x, 8);
    }
    push(7, 8);
    push(8, 8);
    push(8, 7);
    for y in (0..6).rev() {
        push(8, y);
    }
    match ((bits ^ 0x5412) >> 13) & 0b11 {
        0b01 => EccLevel::L,
        0b00 => EccLevel::M,
        0b11 => EccLevel::Q,
        _ => EccLevel::H,
    }
}

/// Reads the 18-bit version information block above the bottom-left finder (versions ≥ 7).
fn version_info(m: &QrMatrix) -> u8 {
    let size = m.size();
    let mut bits = 0_u32;
    for k in (0..18).rev() {
        bits = (bits << 1) | u32::from(m.is_dark(k / 3, size - 11 + k % 3));
    }
    (bits >> 12) as u8
}

#[test]
fn format_and_version_information_match_what_was_asked() {
    for (len, ecc) in [
        (100, EccLevel::L),
        (400, EccLevel::M),
        (800, EccLevel::Q),
        (970, EccLevel::M),
        (1500, EccLevel::H),
        (4296, EccLevel::L),
    ] {
        let m = encode_matrix(&payload(len, 3), ecc).unwrap();
        assert_eq!(
            format_ecc(&m),
            ecc,
            "format information of {len} chars at {ecc}"
        );
        if m.version() >= 7 {
            assert_eq!(
                version_info(&m),
                m.version(),
                "version information of {len} chars"
            );
        }
    }
}

#[test]
fn render_then_scan_round_trips() {
    for len in [100, 400, 800, 970] {
        for ecc in [EccLevel::L, EccLevel::M, EccLevel::Q] {
            let text = payload(len, len as u64);
            let matrix = encode_matrix(&text, ecc).unwrap();
            let table_version = (1..=40)
                .find(|v| alphanumeric_capacity(*v, ecc).unwrap() >= len)
                .unwrap();
            assert_eq!(matrix.version(), table_version, "{len} chars at {ecc}");
            if ecc == EccLevel::M && len == 970 {
                assert_eq!(matrix.version(), 20);
            }
            let opts = RenderOptions {
                ecc,
                ..RenderOptions::default()
            };
            let png = render_png(&text, &opts).unwrap();
            let scanned = scan_image(&png, &ScanLimits::default()).unwrap();
            assert_eq!(scanned, text, "{len} chars at {ecc}");
        }
    }
}

#[test]
fn png_is_one_bit_with_palette_quiet_zone_and_colours() {
    let text = payload(300, 9);
    let opts = RenderOptions {
        module_px: 3,
        quiet_zone: 5,
        dark: [0x10, 0x20, 0x60],
        light: [0xff, 0xf8, 0xe0],
        ..RenderOptions::default()
    };
    let m = encode_matrix(&text, opts.ecc).unwrap();
    let bytes = render_png(&text, &opts).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
    let reader = decoder.read_info().unwrap();
    let info = reader.info();
    assert_eq!(info.bit_depth, png::BitDepth::One);
    assert_eq!(info.color_type, png::ColorType::Indexed);
    let side = ((m.size() + 10) * 3) as u32;
    assert_eq!((info.width, info.height), (side, side));

    let img = image::load_from_memory(&bytes).unwrap().into_rgb8();
    for y in 0..img.height() {
        for x in 0..img.width() {
            let (mx, my) = (x as usize / 3, y as usize / 3);
            let dark = mx >= 5 && my >= 5 && m.is_dark(mx - 5, my - 5);
            let want = if dark { opts.dark } else { opts.light };
            assert_eq!(img.get_pixel(x, y).0, want, "pixel ({x}, {y})");
        }
    }
}

#[test]
fn svg_draws_exactly_the_dark_modules() {
    let text = payload(200, 11);
    let opts = RenderOptions {
        module_px: 5,
        ..RenderOptions::default()
    };
    let m = encode_matrix(&text, opts.ecc).unwrap();
    let svg = render_svg(&text, &opts).unwrap();
    let n = m.size() + 8;
    assert!(svg.contains(&format!("viewBox=\"0 0 {n} {n}\"")));
    assert!(svg.contains(&format!("width=\"{}\" height=\"{}\"", n * 5, n * 5)));
    assert!(svg.contains("fill=\"#ffffff\"") && svg.contains("fill=\"#000000\""));
    let d = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let mut grid = vec![false; n * n];
    for run in d.split('M').filter(|s| !s.is_empty()) {
        // "x yhLv1h-Lz"
        let (xy, rest) = run.split_once('h').unwrap();
        let (x, y) = xy.split_once(' ').unwrap();
        let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
        let len: usize = rest.split_once('v').unwrap().0.parse().unwrap();
        assert!(rest.ends_with(&format!("v1h-{len}z")), "run {run}");
        for i in 0..len {
            assert!(!grid[y * n + x + i], "module drawn twice");
            grid[y * n + x + i] = true;
        }
    }
    for y in 0..n {
        for x in 0..n {
            let want = x >= 4 && y >= 4 && m.is_dark(x - 4, y - 4);
            assert_eq!(grid[y * n + x], want, "module ({x}, {y})");
        }
    }
}

/// Turns terminal output back into a module grid (`true` = dark).
fn parse_terminal(text: &str, style: TerminalStyle) -> Vec<Vec<bool>> {
    let mut rows = Vec::new();
    for line in text.lines() {
        let (mut top, mut bottom) = (Vec::new(), Vec::new());
        if style == TerminalStyle::Ansi {
            // Cells are "▀" with SGR fg 30 (dark) / 97 (light) and bg 40 / 107 set before them.
            let (mut fg, mut bg) = (false, false);
            for part in line.split('\x1b').filter(|p| !p.is_empty()) {
                let (sgr, cells) = part.split_once('m').unwrap();
                if sgr != "[0" {
                    let (f, b) = sgr.trim_start_matches('[').split_once(';').unwrap();
                    fg = f == "30";
                    bg = b == "40";
                }
                for c in cells.chars() {
                    assert_eq!(c, '▀');
                    top.push(fg);
                    bottom.push(bg);
                }
            }
        } else {
            for c in line.chars() {
                let (up, down) = match c {
                    '█' => (true, true),
                    '▀' => (true, false),
                    '▄' => (false, true),
                    ' ' => (false, false),
                    other => panic!("unexpected character {other:?}"),
                };
                let inked_is_dark = style == TerminalStyle::DarkOnLight;
                top.push(up == inked_is_dark);
                bottom.push(down == inked_is_dark);
            }
        }
        rows.push(top);
        rows.push(bottom);
    }
    rows
}

#[test]
fn terminal_styles_draw_the_matrix_with_a_quiet_zone() {
    let text = payload(150, 13);
    let opts = RenderOptions::default();
    let m = encode_matrix(&text, opts.ecc).unwrap();
    let n = m.size() + 8;
    for style in [
        TerminalStyle::Ansi,
        TerminalStyle::DarkOnLight,
        TerminalStyle::LightOnDark,
    ] {
        let out = render_terminal(&text, &opts, style).unwrap();
        assert_eq!(out.lines().count(), n.div_ceil(2), "{style:?}");
        let grid = parse_terminal(&out, style);
        for (y, row) in grid.iter().enumerate() {
            assert_eq!(row.len(), n, "{style:?} row {y}");
            for (x, dark) in row.iter().enumerate() {
                let want = x >= 4 && y >= 4 && m.is_dark(x - 4, y - 4);
                assert_eq!(*dark, want, "{style:?} module ({x}, {y})");
            }
        }
    }
}

/// The rendered code as a tightly packed 8-bit grey buffer.
fn luma_of(text: &str, module_px: u32) -> (Vec<u8>, u32, u32) {
    let png = render_png(
        text,
        &RenderOptions {
            module_px,
            ..RenderOptions::default()
        },
    )
    .unwrap();
    let img = image::load_from_memory(&png).unwrap().into_luma8();
    let (w, h) = img.dimensions();
    (img.into_raw(), w, h)
}

#[test]
fn camera_frames_with_a_row_stride_scan() {
    let text = payload(500, 17);
    let (pixels, w, h) = luma_of(&text, 3);
    let limits = ScanLimits::default();
    assert_eq!(scan_luma(&pixels, w, h, w as usize, &limits).unwrap(), text);

    // Rows padded to a stride of width + 37 with junk, the last row unpadded (as Android does).
    let stride = w as usize + 37;
    let mut padded = Vec::new();
    for (i, row) in pixels.chunks(w as usize).enumerate() {
        padded.extend_from_slice(row);
        if i + 1 < h as usize {
            padded.extend(std::iter::repeat_n(0x00, 37));
        }
    }
    assert_eq!(scan_luma(&padded, w, h, stride, &limits).unwrap(), text);

    let code = |r: Result<String, ScanError>| r.unwrap_err().code();
    assert_eq!(
        code(scan_luma(&padded[1..], w, h, stride, &limits)),
        "qr.invalid_frame"
    );
    assert_eq!(
        code(scan_luma(&pixels, w, h, w as usize - 1, &limits)),
        "qr.invalid_frame"
    );
    assert_eq!(
        code(scan_luma(&pixels, 0, h, 0, &limits)),
        "qr.invalid_frame"
    );
    assert_eq!(code(scan_luma(&[], 0, 0, 0, &limits)), "qr.invalid_frame");
    assert_eq!(
        code(scan_luma(&pixels, u32::MAX, 2, usize::MAX, &limits)),
        "qr.image_too_large"
    );
    let small = ScanLimits {
        max_width: w - 1,
        ..ScanLimits::default()
    };
    assert_eq!(
        code(scan_luma(&pixels, w, h, w as usize, &small)),
        "qr.image_too_large"
    );
}

#[test]
fn transparent_background_is_composited_over_white() {
    let text = payload(200, 19);
    let (pixels, w, h) = luma_of(&text, 4);
    // Dark modules opaque black; light modules fully transparent *black* (RGBA 0,0,0,0), which a
    // naive greyscale conversion would turn into an all-black image.
    let rgba = image::RgbaImage::from_fn(w, h, |x, y| {
        let dark = pixels[(y * w + x) as usize] < 128;
        image::Rgba(if dark { [0, 0, 0, 255] } else { [0, 0, 0, 0] })
    });
    let mut png = std::io::Cursor::new(Vec::new());
    rgba.write_to(&mut png, image::ImageFormat::Png).unwrap();
    assert_eq!(
        scan_image(png.get_ref(), &ScanLimits::default()).unwrap(),
        text
    );
}

#[test]
fn jpeg_photos_scan() {
    let text = payload(800, 23);
    let (pixels, w, h) = luma_of(&text, 4);
    let img = image::GrayImage::from_raw(w, h, pixels).unwrap();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 60)
        .encode_image(&img)
        .unwrap();
    assert_eq!(scan_image(&jpeg, &ScanLimits::default()).unwrap(), text);
}

fn grey_png(w: u32, h: u32, f: impl Fn(u32, u32) -> u8) -> Vec<u8> {
    let img = image::GrayImage::from_fn(w, h, |x, y| image::Luma([f(x, y)]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[test]
fn images_without_a_code_report_no_code_found() {
    let mut rng = ChaCha8Rng::seed_from_u64(29);
    let noise: Vec<u8> = (0..300 * 300).map(|_| rng.next_u32() as u8).collect();
    let cases = [
        (
            "noise",
            grey_png(300, 300, |x, y| noise[(y * 300 + x) as usize]),
        ),
        (
            "gradient",
            grey_png(400, 300, |x, y| ((x + y) * 255 / 700) as u8),
        ),
        ("white", grey_png(200, 200, |_, _| 255)),
        ("one pixel", grey_png(1, 1, |_, _| 0)),
        (
            "checkerboard",
            grey_png(
                256,
                256,
                |x, y| if (x / 16 + y / 16) % 2 == 0 { 0 } else { 255 },
            ),
        ),
    ];
    for (name, bytes) in cases {
        let err = scan_image(&bytes, &ScanLimits::default()).unwrap_err();
        assert_eq!(err.code(), "qr.no_code_found", "{name}: {err}");
    }
}

/// A PNG whose IHDR declares `w`×`h` 8-bit grey pixels, followed by an empty IDAT and IEND:
/// a few dozen bytes that would make a naive decoder allocate `w × h` bytes.
fn png_header_only(w: u32, h: u32) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffff_u32;
        for b in data {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for chunk in [ihdr, b"IDAT".to_vec(), b"IEND".to_vec()] {
        out.extend_from_slice(&(chunk.len() as u32 - 4).to_be_bytes());
        out.extend_from_slice(&chunk);
        out.extend_from_slice(&crc32(&chunk).to_be_bytes());
    }
    out
}

#[test]
fn oversized_images_are_rejected_before_decoding() {
    let limits = ScanLimits::default();
    for (w, h) in [
        (100_000, 100_000),
        (4097, 10),
        (10, 4097),
        ((1 << 31) - 1, (1 << 31) - 1),
    ] {
        let err = scan_image(&png_header_only(w, h), &limits).unwrap_err();
        assert_eq!(err.code(), "qr.image_too_large", "{w}x{h}: {err}");
    }
    // The same header within the limits fails later, for want of pixel data.
    let err = scan_image(&png_header_only(100, 100), &limits).unwrap_err();
    assert_eq!(err.code(), "qr.unsupported_image", "{err}");

    // A real code with limits below its size.
    let png = render_png(&payload(100, 31), &RenderOptions::default()).unwrap();
    let tight = ScanLimits {
        max_height: 50,
        ..ScanLimits::default()
    };
    assert_eq!(
        scan_image(&png, &tight).unwrap_err().code(),
        "qr.image_too_large"
    );
    let tiny = ScanLimits {
        max_bytes: png.len() - 1,
        ..ScanLimits::default()
    };
    assert_eq!(
        scan_image(&png, &tiny).unwrap_err().code(),
        "qr.input_too_large"
    );
}

#[test]
fn garbage_truncated_and_other_formats_are_unsupported() {
    let png = render_png(&payload(400, 37), &RenderOptions::default()).unwrap();
    let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
    let bmp = {
        let mut b = b"BM".to_vec();
        b.extend_from_slice(&[0; 60]);
        b
    };
    let cases: [(&str, &[u8]); 7] = [
        ("empty", b""),
        ("text", b"CW1:THIS IS NOT AN IMAGE"),
        ("png signature only", &png[..8]),
        ("png cut in half", &png[..png.len() / 2]),
        ("jpeg start only", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
        ("gif", &gif),
        ("bmp", &bmp),
    ];
    for (name, bytes) in cases {
        let err = scan_image(bytes, &ScanLimits::default()).unwrap_err();
        assert_eq!(err.code(), "qr.unsupported_image", "{name}: {err}");
    }
}

#[test]
fn corrupted_images_never_panic() {
    // Small codes keep this fast in debug builds; every mutation must give Ok or a typed error.
    let text = payload(60, 41);
    let png = render_png(
        &text,
        &RenderOptions {
            module_px: 2,
            ..RenderOptions::default()
        },
    )
    .unwrap();
    let (pixels, w, h) = luma_of(&text, 2);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
        .encode_image(&image::GrayImage::from_raw(w, h, pixels).unwrap())
        .unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(43);
    let (mut ok, mut errors) = (0, 0);
    for original in [&png, &jpeg] {
        for _ in 0..150 {
            let mut bytes = original.clone();
            for _ in 0..1 + rng.next_u32() % 4 {
                let i = rng.next_u32() as usize % bytes.len();
                bytes[i] = rng.next_u32() as u8;
            }
            if rng.next_u32() % 4 == 0 {
                bytes.truncate(rng.next_u32() as usize % bytes.len());
            }
            match scan_image(&bytes, &ScanLimits::default()) {
                Ok(_) => ok += 1,
                Err(e) => {
                    assert!(
                        [
                            "qr.no_code_found",
                            "qr.unsupported_image",
                            "qr.image_too_large",
                            "qr.decoder_panic"
                        ]
                        .contains(&e.code()),
                        "{e}"
                    );
                    errors += 1;
                }
            }
        }
    }
    assert_eq!(ok + errors, 300);
}

#[test]
fn payload_errors_are_typed() {
    let code = |r: Result<QrMatrix, RenderError>| r.unwrap_err().code();
    assert_eq!(code(encode_matrix("", EccLevel::M)), "qr.empty_payload");
    match encode_matrix("CW1:ABCdEF", EccLevel::M) {
        Err(RenderError::NotAlphanumeric { position }) => assert_eq!(position, 7),
        other => panic!("{other:?}"),
    }
    for bad in [
        "CW1:ÄB",
        "CW1:A\nB",
        "CW1:A_B",
        "cw1:ABC",
        "CW1:A#B",
        "CW1:A\u{0}",
    ] {
        assert_eq!(
            code(encode_matrix(bad, EccLevel::L)),
            "qr.not_alphanumeric",
            "{bad:?}"
        );
    }
    for (ecc, max) in [
        (EccLevel::L, 4296),
        (EccLevel::M, 3391),
        (EccLevel::Q, 2420),
        (EccLevel::H, 1852),
    ] {
        assert!(encode_matrix(&payload(max, 1), ecc).is_ok());
        match encode_matrix(&payload(max + 1, 1), ecc) {
            Err(RenderError::PayloadTooLong { len, max: m, .. }) => {
                assert_eq!((len, m), (max + 1, max));
            }
            other => panic!("{other:?}"),
        }
    }
    // Rendering reports the same errors.
    let opts = RenderOptions::default();
    assert_eq!(
        render_png("lower", &opts).unwrap_err().code(),
        "qr.not_alphanumeric"
    );
    assert_eq!(
        render_svg("", &opts).unwrap_err().code(),
        "qr.empty_payload"
    );
    let long = payload(5000, 1);
    let err = render_terminal(&long, &opts, TerminalStyle::Ansi).unwrap_err();
    assert_eq!(err.code(), "qr.payload_too_long");
}

#[test]
fn render_option_errors_are_typed() {
    let text = payload(100, 47);
    let bad = [
        RenderOptions {
            module_px: 0,
            ..RenderOptions::default()
        },
        RenderOptions {
            module_px: 200,
            ..RenderOptions::default()
        },
        RenderOptions {
            quiet_zone: 65,
            ..RenderOptions::default()
        },
        RenderOptions {
            dark: [200, 200, 200],
            light: [220, 220, 220],
            ..RenderOptions::default()
        },
        RenderOptions {
            dark: [255, 255, 255],
            light: [0, 0, 0],
            ..RenderOptions::default()
        },
    ];
    for opts in bad {
        let png = render_png(&text, &opts).unwrap_err();
        let svg = render_svg(&text, &opts).unwrap_err();
        assert_eq!(png.code(), "qr.invalid_render_options", "{opts:?}");
        assert_eq!(svg.code(), "qr.invalid_render_options", "{opts:?}");
    }
    // No quiet zone is allowed (the caller draws its own margin) and still renders.
    let flush = RenderOptions {
        quiet_zone: 0,
        ..RenderOptions::default()
    };
    assert!(render_png(&text, &flush).is_ok());
}

#[test]
fn error_messages_are_lowercase_without_trailing_period() {
    let mut messages: Vec<String> = Vec::new();
    messages.push(encode_matrix("", EccLevel::M).unwrap_err().to_string());
    messages.push(encode_matrix("a", EccLevel::M).unwrap_err().to_string());
    messages.push(
        encode_matrix(&payload(5000, 1), EccLevel::M)
            .unwrap_err()
            .to_string(),
    );
    let zero = RenderOptions {
        module_px: 0,
        ..RenderOptions::default()
    };
    messages.push(render_png("A", &zero).unwrap_err().to_string());
    let limits = ScanLimits::default();
    messages.push(scan_image(b"x", &limits).unwrap_err().to_string());
    messages.push(
        scan_image(&png_header_only(9999, 9999), &limits)
            .unwrap_err()
            .to_string(),
    );
    messages.push(
        scan_image(&grey_png(50, 50, |_, _| 255), &limits)
            .unwrap_err()
            .to_string(),
    );
    messages.push(scan_luma(&[], 0, 0, 0, &limits).unwrap_err().to_string());
    let tiny = ScanLimits {
        max_bytes: 0,
        ..limits
    };
    messages.push(scan_image(b"x", &tiny).unwrap_err().to_string());
    for m in messages {
        let first = m.chars().next().unwrap();
        assert!(!first.is_uppercase(), "{m}");
        assert!(!m.ends_with('.'), "{m}");
    }
}
