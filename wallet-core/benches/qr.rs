//! Show-certificate QR rendering and scanning. Rendering: a version-20-M code (970 alphanumeric
//! characters) as a module matrix, PNG and SVG; the product target is ≤ 2 ms. Scanning: a
//! 600×600 photo-like PNG of a ~900-character payload (rotated 5°, light blur and sensor noise),
//! from the PNG bytes (`scan_image`) and from grey pixels already in memory (`scan_luma`, the
//! camera-frame path), plus the worst case of a frame with no code in it.
//! Run: `cargo bench -p wallet-core --bench qr`.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

#[path = "../tests/support/qr_distort.rs"]
mod distort;

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use wallet_core::qr::render::{EccLevel, RenderOptions, encode_matrix, render_png, render_svg};
use wallet_core::qr::scan::{ScanLimits, scan_image, scan_luma};

const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

fn payload(len: usize, seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut s = String::from("CW1:");
    while s.len() < len {
        s.push(char::from(ALPHANUMERIC[(rng.next_u32() % 45) as usize]));
    }
    s
}

fn bench(c: &mut Criterion) {
    let v20 = payload(970, 1);
    assert_eq!(encode_matrix(&v20, EccLevel::M).unwrap().version(), 20);
    let opts = RenderOptions::default();
    let mut group = c.benchmark_group("qr-render-v20-m");
    group.bench_function("encode_matrix", |b| {
        b.iter(|| encode_matrix(black_box(&v20), EccLevel::M).unwrap())
    });
    group.bench_function("render_png_4px", |b| {
        b.iter(|| render_png(black_box(&v20), &opts).unwrap())
    });
    group.bench_function("render_svg", |b| {
        b.iter(|| render_svg(black_box(&v20), &opts).unwrap())
    });
    group.finish();

    let text = payload(900, 2);
    let base = distort::load(&render_png(&text, &opts).unwrap());
    let photo = distort::noise(
        &distort::blur(&distort::rotate(&base, 5.0, 600), 0.8),
        6.0,
        3,
    );
    assert_eq!(photo.dimensions(), (600, 600));
    let png = distort::png(&photo);
    let limits = ScanLimits::default();
    assert_eq!(scan_image(&png, &limits).unwrap(), text);
    let pixels = photo.clone().into_raw();
    assert_eq!(scan_luma(&pixels, 600, 600, 600, &limits).unwrap(), text);
    let empty = distort::noise(
        &image::GrayImage::from_pixel(600, 600, image::Luma([128])),
        40.0,
        4,
    );
    assert!(scan_luma(empty.as_raw(), 600, 600, 600, &limits).is_err());

    let mut group = c.benchmark_group("qr-scan-600px-photo-900-chars");
    group.bench_function("scan_image_png", |b| {
        b.iter(|| scan_image(black_box(&png), &limits).unwrap())
    });
    group.bench_function("scan_luma", |b| {
        b.iter(|| scan_luma(black_box(&pixels), 600, 600, 600, &limits).unwrap())
    });
    group.bench_function("scan_luma_no_code", |b| {
        b.iter(|| scan_luma(black_box(empty.as_raw()), 600, 600, 600, &limits).unwrap_err())
    });
    group.finish();

    // The whole verifier step on a real certificate: photo → QR text → transport decode →
    // credential verification with key binding and freshness rules.
    let (issuer, holder) = (
        wallet_core::keys::SigningKey::from_seed(&[1; 32]),
        wallet_core::keys::SigningKey::from_seed(&[2; 32]),
    );
    let ty = wallet_core::credential::catalogue::by_name("driving-licence").unwrap();
    let now = 1_767_225_600;
    let request = wallet_core::issuer::CredentialRequest::for_type(
        ty,
        "https://jtgl.sh.gov.cn/issuer",
        &ty.example_claims(),
        holder.verifying_key(),
        now,
    )
    .unwrap()
    .without_status();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let credential = wallet_core::issuer::issue_credential(&request, &issuer, &mut rng).unwrap();
    let shown: Vec<wallet_core::sdjwt::ClaimPath> =
        ["name", "licence_class", "valid_until", "licence_number"]
            .iter()
            .map(|p| p.parse().unwrap())
            .collect();
    let kb = wallet_core::qr::freshness::offline_key_binding(now + 100, &mut rng);
    let presentation =
        wallet_core::holder::present(&credential, &shown, Some(&kb), &holder).unwrap();
    let code = wallet_core::qr::transport::encode(&presentation).unwrap();
    // The transport alone (no image, no signature check): decode includes the canonical
    // re-encoding check, so it is the verifier's whole per-scan transport cost.
    let mut group = c.benchmark_group("qr-transport-driving-licence-ed25519");
    group.bench_function("decode", |b| {
        b.iter(|| wallet_core::qr::transport::decode(black_box(&code)).unwrap())
    });
    group.bench_function("encode", |b| {
        b.iter(|| wallet_core::qr::transport::encode(black_box(&presentation)).unwrap())
    });
    group.finish();
    let base = distort::load(&render_png(&code, &opts).unwrap());
    let photo = distort::noise(
        &distort::blur(&distort::rotate(&base, 5.0, 600), 0.8),
        6.0,
        3,
    );
    let png = distort::png(&photo);
    let mut issuers = wallet_core::trust::StaticIssuers::new();
    issuers.add("https://jtgl.sh.gov.cn/issuer", issuer.verifying_key());
    let scan_verify = || {
        let text = scan_image(&png, &limits).unwrap();
        let mut verifier = wallet_core::verifier::QrVerifier::new(Default::default());
        verifier.verify(&text, &issuers, now + 101).unwrap()
    };
    assert_eq!(scan_verify().report.disclosed.len(), 4);
    let mut group = c.benchmark_group("qr-scan-verify-600px-photo-driving-licence");
    group.bench_function("scan_image + decode + verify", |b| {
        b.iter(|| black_box(scan_verify()))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
