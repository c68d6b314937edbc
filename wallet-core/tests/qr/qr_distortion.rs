//! The distortion set, the acceptance check for QR scanning: our own rendered show-certificate
//! codes are turned into camera-like photos (rotation, perspective, blur, JPEG, noise, low
//! contrast, uneven light, small and resampled renders, and combinations) and `scan_image` must
//! read at least 95 % of them back to the exact payload. The images are written to
//! `$CARGO_TARGET_TMPDIR/qr-distortion/` for looking at.

use crate::support::qr_distort::*;
use image::GrayImage;
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use wallet_core::qr::render::{EccLevel, RenderOptions, encode_matrix, render_png};
use wallet_core::qr::scan::{ScanLimits, scan_image};

const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// `CW1:` followed by seeded pseudo-random base45-like text, `len` characters in all.
fn payload(len: usize, seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut s = String::from("CW1:");
    while s.len() < len {
        s.push(char::from(ALPHANUMERIC[(rng.next_u32() % 45) as usize]));
    }
    s
}

fn rendered(payload: &str, module_px: u32) -> GrayImage {
    let opts = RenderOptions {
        ecc: EccLevel::M,
        module_px,
        ..RenderOptions::default()
    };
    load(&render_png(payload, &opts).unwrap())
}

/// The distortions of one payload, as (name, encoded image file).
fn distortions(payload: &str, seed: u64) -> Vec<(&'static str, Vec<u8>)> {
    let base = rendered(payload, 4);
    let side = base.width();
    let f = f64::from(side);
    let canvas = (f * 1.45) as u32;
    let c = f * 1.3;
    // Phone tilted back by ~30°: the top edge is shorter than the bottom edge.
    let tilt = [
        (0.22 * f, 0.12 * f),
        (1.08 * f, 0.12 * f),
        (1.25 * f, 1.15 * f),
        (0.05 * f, 1.15 * f),
    ];
    // Tilted sideways and turned: a general quadrilateral.
    let skew = [
        (0.30 * f, 0.05 * f),
        (1.20 * f, 0.25 * f),
        (1.10 * f, 1.22 * f),
        (0.08 * f, 1.05 * f),
    ];
    let tilted = perspective(&base, tilt, c as u32, c as u32);
    let skewed = perspective(&base, skew, c as u32, c as u32);
    let rotated_17 = rotate(&base, 17.0, canvas);
    // A camera-like photo: perspective, focus blur, sensor noise (then JPEG).
    let photo = noise(&blur(&skewed, 1.2), 8.0, seed + 3);
    // Everything at once, and worse: low contrast, skew, a turn, blur, noise (then JPEG q35).
    let harsh = perspective(&contrast(&base, 70, 190), skew, c as u32, c as u32);
    let harsh = noise(
        &blur(&rotate(&harsh, 12.0, (c * 1.2) as u32), 1.2),
        12.0,
        seed + 6,
    );
    // A 1600x1200 frame with the code in part of it: exercises the downscaled first pass.
    let frame = place(
        &rotate(&base, 8.0, (f * 1.2) as u32),
        1600,
        1200,
        500,
        300,
        235,
    );

    vec![
        ("clean", png(&base)),
        ("rotate-90", png(&rotate(&base, 90.0, side + 80))),
        ("rotate-180", png(&rotate(&base, 180.0, side + 80))),
        ("rotate-270", png(&rotate(&base, 270.0, side + 80))),
        ("rotate-17", png(&rotated_17)),
        ("rotate-45", png(&rotate(&base, 45.0, canvas))),
        ("perspective-tilt", png(&tilted)),
        ("perspective-skew", png(&skewed)),
        ("blur-1.0", png(&blur(&base, 1.0))),
        ("blur-1.5", png(&blur(&base, 1.5))),
        ("blur-2.0", png(&blur(&base, 2.0))),
        ("jpeg-q30", jpeg(&base, 30)),
        ("perspective-tilt+jpeg30", jpeg(&tilted, 30)),
        ("small-2px", png(&rendered(payload, 2))),
        ("small-2px+blur-0.8", png(&blur(&rendered(payload, 2), 0.8))),
        ("noise-25", png(&noise(&base, 25.0, seed))),
        ("noise-45", png(&noise(&base, 45.0, seed + 5))),
        ("low-contrast", png(&contrast(&base, 90, 170))),
        ("rotate-17+blur", png(&blur(&rotated_17, 1.0))),
        (
            "rotate-17+blur+shade",
            png(&shade(&blur(&rotated_17, 0.6), 0.6)),
        ),
        (
            "uneven-light+noise",
            png(&noise(&shade(&base, 0.45), 12.0, seed + 1)),
        ),
        (
            "resample-0.65+blur",
            png(&blur(&resample(&base, 0.65), 0.7)),
        ),
        (
            "low-contrast+blur+noise",
            png(&noise(
                &blur(&contrast(&base, 80, 180), 0.8),
                10.0,
                seed + 2,
            )),
        ),
        ("photo-skew+blur+noise+jpeg50", jpeg(&photo, 50)),
        ("photo-harsh+jpeg35", jpeg(&harsh, 35)),
        (
            "frame-1600x1200+noise+jpeg60",
            jpeg(&noise(&frame, 6.0, seed + 4), 60),
        ),
    ]
}

#[test]
fn distortion_set_reads_at_least_95_percent() {
    let out_dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("qr-distortion");
    std::fs::create_dir_all(&out_dir).unwrap();
    let payloads = [("p800", payload(800, 1)), ("p300", payload(300, 2))];
    // Sanity: the realistic payload needs a large code at ECC M.
    assert_eq!(
        encode_matrix(&payloads[0].1, EccLevel::M)
            .unwrap()
            .version(),
        18
    );

    let (mut read, mut total, mut failures) = (0, 0, Vec::new());
    for (i, (label, text)) in payloads.iter().enumerate() {
        for (name, bytes) in distortions(text, 100 + i as u64) {
            let ext = if bytes.starts_with(&[0xff, 0xd8]) {
                "jpg"
            } else {
                "png"
            };
            std::fs::write(out_dir.join(format!("{label}-{name}.{ext}")), &bytes).unwrap();
            total += 1;
            let started = std::time::Instant::now();
            let result = scan_image(&bytes, &ScanLimits::default());
            let ms = started.elapsed().as_secs_f64() * 1e3;
            match result {
                Ok(found) if &found == text => {
                    read += 1;
                    println!("  ok   {label} {name} ({ms:.1} ms)");
                }
                Ok(_) => failures.push(format!("{label} {name}: wrong text")),
                Err(e) => failures.push(format!("{label} {name}: {} ({ms:.1} ms)", e.code())),
            }
        }
    }
    let pct = 100.0 * f64::from(read) / f64::from(total);
    println!("distortion set: read {read} of {total} ({pct:.1}%)");
    for f in &failures {
        println!("  FAIL {f}");
    }
    println!("images in {}", out_dir.display());
    assert!(total >= 40, "distortion set has only {total} images");
    assert!(
        pct >= 95.0,
        "distortion set: read {read} of {total} ({pct:.1}%), need 95%: {failures:?}"
    );
}
