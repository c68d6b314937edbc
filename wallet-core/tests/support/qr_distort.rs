//! Image distortions that imitate a verifier's camera photo of a show-certificate QR code:
//! rotation and perspective (projective warp with bilinear sampling on a white canvas), Gaussian
//! blur, JPEG re-encoding, seeded sensor noise, low contrast, uneven lighting and resampling.
//! Used by the distortion-set test and by the scan bench (`#[path]`-included by both).

#![allow(dead_code)]

use image::GrayImage;
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// Decodes a PNG/JPEG to 8-bit grey.
pub fn load(bytes: &[u8]) -> GrayImage {
    image::load_from_memory(bytes).unwrap().into_luma8()
}

/// Encodes as an 8-bit greyscale PNG.
pub fn png(img: &GrayImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Encodes as a baseline JPEG at `quality` (1–100).
pub fn jpeg(img: &GrayImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .unwrap();
    out
}

fn sample(img: &GrayImage, x: f64, y: f64, background: u8) -> u8 {
    // Bilinear interpolation; outside the source is background.
    let (w, h) = (img.width() as i64, img.height() as i64);
    let (x, y) = (x - 0.5, y - 0.5);
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let px = |xi: i64, yi: i64| -> f64 {
        if xi < 0 || yi < 0 || xi >= w || yi >= h {
            f64::from(background)
        } else {
            f64::from(img.get_pixel(xi as u32, yi as u32).0[0])
        }
    };
    let (x0, y0) = (x0 as i64, y0 as i64);
    let top = px(x0, y0) * (1.0 - fx) + px(x0 + 1, y0) * fx;
    let bottom = px(x0, y0 + 1) * (1.0 - fx) + px(x0 + 1, y0 + 1) * fx;
    (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8
}

/// Output image of `w`×`h` where pixel (x, y) samples the source at `inverse(x, y)`.
pub fn warp(
    img: &GrayImage,
    w: u32,
    h: u32,
    background: u8,
    inverse: impl Fn(f64, f64) -> (f64, f64),
) -> GrayImage {
    GrayImage::from_fn(w, h, |x, y| {
        let (sx, sy) = inverse(f64::from(x) + 0.5, f64::from(y) + 0.5);
        image::Luma([sample(img, sx, sy, background)])
    })
}

/// Rotates by `degrees` (counter-clockwise) about the centre of a white canvas of `canvas`²
/// pixels on which the image is centred.
pub fn rotate(img: &GrayImage, degrees: f64, canvas: u32) -> GrayImage {
    let (s, c) = degrees.to_radians().sin_cos();
    let (cx, cy) = (f64::from(canvas) / 2.0, f64::from(canvas) / 2.0);
    let (ix, iy) = (f64::from(img.width()) / 2.0, f64::from(img.height()) / 2.0);
    warp(img, canvas, canvas, 255, |x, y| {
        let (dx, dy) = (x - cx, y - cy);
        // Inverse rotation maps output back into the source.
        (c * dx - s * dy + ix, s * dx + c * dy + iy)
    })
}

/// The 3×3 homography (row-major, h33 = 1) mapping each `from[i]` to `to[i]`.
pub fn homography(from: [(f64, f64); 4], to: [(f64, f64); 4]) -> [f64; 9] {
    // Eight equations in the eight unknowns h11..h32, solved by Gaussian elimination.
    let mut m = [[0.0_f64; 9]; 8];
    for i in 0..4 {
        let ((x, y), (u, v)) = (from[i], to[i]);
        m[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        m[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    for col in 0..8 {
        let pivot = (col..8)
            .max_by(|a, b| m[*a][col].abs().total_cmp(&m[*b][col].abs()))
            .unwrap();
        m.swap(col, pivot);
        let pivot_row = m[col];
        for (i, row) in m.iter_mut().enumerate() {
            if i != col {
                let f = row[col] / pivot_row[col];
                for (r, p) in row.iter_mut().zip(pivot_row.iter()).skip(col) {
                    *r -= f * p;
                }
            }
        }
    }
    let mut h = [0.0; 9];
    for i in 0..8 {
        h[i] = m[i][8] / m[i][i];
    }
    h[8] = 1.0;
    h
}

/// Perspective view: the source's corners (TL, TR, BR, BL) land on `corners` of a white
/// canvas of `w`×`h` pixels.
pub fn perspective(img: &GrayImage, corners: [(f64, f64); 4], w: u32, h: u32) -> GrayImage {
    let (sw, sh) = (f64::from(img.width()), f64::from(img.height()));
    let src = [(0.0, 0.0), (sw, 0.0), (sw, sh), (0.0, sh)];
    // Map output coordinates back to the source.
    let m = homography(corners, src);
    warp(img, w, h, 255, |x, y| {
        let d = m[6] * x + m[7] * y + m[8];
        (
            (m[0] * x + m[1] * y + m[2]) / d,
            (m[3] * x + m[4] * y + m[5]) / d,
        )
    })
}

/// Resamples to `factor` times the size (bilinear), e.g. 0.65 for a code photographed from
/// further away at a non-integer pixels-per-module ratio.
pub fn resample(img: &GrayImage, factor: f64) -> GrayImage {
    let w = (f64::from(img.width()) * factor).round() as u32;
    let h = (f64::from(img.height()) * factor).round() as u32;
    warp(img, w, h, 255, |x, y| (x / factor, y / factor))
}

/// Separable Gaussian blur with standard deviation `sigma` pixels (edges clamp).
pub fn blur(img: &GrayImage, sigma: f64) -> GrayImage {
    let radius = (sigma * 3.0).ceil() as i64;
    let kernel: Vec<f64> = (-radius..=radius)
        .map(|i| (-((i * i) as f64) / (2.0 * sigma * sigma)).exp())
        .collect();
    let total: f64 = kernel.iter().sum();
    let (w, h) = (img.width() as i64, img.height() as i64);
    let pass = |src: &GrayImage, horizontal: bool| {
        GrayImage::from_fn(src.width(), src.height(), |x, y| {
            let mut acc = 0.0;
            for (k, weight) in kernel.iter().enumerate() {
                let off = k as i64 - radius;
                let (sx, sy) = if horizontal {
                    ((x as i64 + off).clamp(0, w - 1), y as i64)
                } else {
                    (x as i64, (y as i64 + off).clamp(0, h - 1))
                };
                acc += weight * f64::from(src.get_pixel(sx as u32, sy as u32).0[0]);
            }
            image::Luma([(acc / total).round().clamp(0.0, 255.0) as u8])
        })
    };
    pass(&pass(img, true), false)
}

/// Adds zero-mean Gaussian noise of standard deviation `sigma` grey levels, from a seeded RNG.
pub fn noise(img: &GrayImage, sigma: f64, seed: u64) -> GrayImage {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut uniform = move || (f64::from(rng.next_u32()) + 0.5) / 4_294_967_296.0;
    let mut out = img.clone();
    for p in out.pixels_mut() {
        // Box–Muller transform.
        let n = (-2.0 * uniform().ln()).sqrt() * (2.0 * std::f64::consts::PI * uniform()).cos();
        p.0[0] = (f64::from(p.0[0]) + n * sigma).round().clamp(0.0, 255.0) as u8;
    }
    out
}

/// Maps black to `dark` and white to `light` (e.g. 90 and 170: dark grey on light grey).
pub fn contrast(img: &GrayImage, dark: u8, light: u8) -> GrayImage {
    let mut out = img.clone();
    let (d, l) = (f64::from(dark), f64::from(light));
    for p in out.pixels_mut() {
        p.0[0] = (d + (l - d) * f64::from(p.0[0]) / 255.0).round() as u8;
    }
    out
}

/// Uneven lighting: brightness falls linearly from 100 % at the left edge to `right` (0–1) at
/// the right edge, like a phone held at an angle to a lamp.
pub fn shade(img: &GrayImage, right: f64) -> GrayImage {
    let mut out = img.clone();
    let w = f64::from(img.width().max(1));
    for (x, _, p) in out.enumerate_pixels_mut() {
        let f = 1.0 - (1.0 - right) * f64::from(x) / w;
        p.0[0] = (f64::from(p.0[0]) * f).round() as u8;
    }
    out
}

/// Places the image at (`x`, `y`) on a canvas of `w`×`h` filled with `background`.
pub fn place(img: &GrayImage, w: u32, h: u32, x: u32, y: u32, background: u8) -> GrayImage {
    let mut out = GrayImage::from_pixel(w, h, image::Luma([background]));
    image::imageops::replace(&mut out, img, i64::from(x), i64::from(y));
    out
}
