//! Our side of the peer comparison (bench/compare/run.sh): times issue, present and verify of
//! the 10-claim driving licence, the two `verify_strict` calls alone (the floor), and bulk
//! verification, and the floors issue 19's targets are ratios to — our own two signature
//! checks, one issuer signature over the credential's signing input, one holder signature over
//! the KB-JWT's, the batch equation over the bulk run's signatures alone — then prints one JSON
//! object of medians in microseconds. It also writes the
//! claims it issued to the file given as the first argument, so the peers issue the same ones.
//!
//! Usage: `compare_bench CLAIMS_OUT.json [ROUNDS]` (release build).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

// The photo of the QR target: the distortions the scan tests and benchmarks use.
#[path = "../tests/support/qr_distort.rs"]
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
mod distort;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{Value, json};
use std::hint::black_box;
use std::time::Instant;
use wallet_core::credential::catalogue;
use wallet_core::hazmat::keys::verify_batch;
use wallet_core::holder::{KeyBindingRequest, PreparedCredential, present};
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::jws::Jws;
use wallet_core::keys::{Signer as _, SigningKey, VerifyingKey};
use wallet_core::sdjwt::{ClaimPath, KbExpectation};
use wallet_core::trust::StaticIssuers;
use wallet_core::verifier::CHUNK;
use wallet_core::verifier::{BulkItem, verify_bulk};
use wallet_core::verifier::{KeyBindingPolicy, VerifyPolicy, verify_presentation};

const ISS: &str = "https://jtgl.sh.gov.cn/issuer";
const AUD: &str = "https://verifier.example.cn";

/// Median over `rounds` samples of the per-call time of `f`, each sample `per` calls, in µs.
fn median_us(rounds: usize, per: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..per {
        f(); // warm-up
    }
    let mut samples: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..per {
                f();
            }
            t.elapsed().as_secs_f64() * 1e6 / per as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let claims_out = args
        .get(1)
        .expect("usage: compare_bench CLAIMS_OUT.json [ROUNDS]");
    let rounds: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(31);

    let issuer = SigningKey::from_seed(&[1; 32]);
    let holder = SigningKey::from_seed(&[2; 32]);
    let ty = catalogue::by_name("driving-licence").unwrap();
    let claims = ty.example_claims();
    let iat = 1_767_225_600;
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let request = CredentialRequest::for_type(ty, ISS, &claims, holder.verifying_key(), iat)
        .unwrap()
        .without_status();
    // The peers get exactly the claims we sign (derived age predicates included), every one
    // selectively disclosable as ours are.
    std::fs::write(
        claims_out,
        serde_json::to_string_pretty(&json!({
            "iss": ISS, "vct": ty.vct, "iat": iat, "exp": request.expires_at,
            "aud": AUD, "claims": Value::Object(request.claims.clone()),
            "disclosable": request.disclosable.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }))
        .unwrap(),
    )
    .unwrap();
    let disclosed = request.disclosable.len();

    let credential = issue_credential(&request, &issuer, &mut rng).unwrap();
    let all: Vec<ClaimPath> = request.claims.keys().map(|k| ClaimPath::top(k)).collect();
    let kb = KeyBindingRequest {
        audience: AUD.into(),
        nonce: "n-0S6_WzA2Mj".into(),
        issued_at: iat + 10,
    };
    let presentation = present(&credential, &all, Some(&kb), &holder).unwrap();
    // What a wallet keeps in memory for a credential it shows again and again.
    let prepared = PreparedCredential::parse(&credential).unwrap();
    assert_eq!(
        prepared.present(&all, Some(&kb), &holder).unwrap(),
        presentation
    );
    let mut issuers = StaticIssuers::new();
    issuers.add(ISS, issuer.verifying_key());
    let policy = VerifyPolicy {
        now: iat + 20,
        clock_skew: 60,
        key_binding: KeyBindingPolicy::Required(KbExpectation {
            audience: AUD.into(),
            nonce: Some("n-0S6_WzA2Mj".into()),
            max_age: 60,
        }),
    };
    verify_presentation(&presentation, &issuers, &policy).unwrap();

    let (without_kb, kb_jwt) = presentation.rsplit_once('~').unwrap();
    let jwt = Jws::parse(without_kb.split('~').next().unwrap()).unwrap();
    let kb_jws = Jws::parse(kb_jwt).unwrap();
    let (ik, hk) = (issuer.verifying_key(), holder.verifying_key());
    // The floor is ed25519-dalek's own verify_strict; wallet-core's check reaches the same
    // decision with one point decompression fewer (keys::VerifyingKey::verify_strict).
    let dalek = |k: &wallet_core::keys::VerifyingKey| {
        ed25519_dalek::VerifyingKey::from_bytes(k.as_bytes()).unwrap()
    };
    let (dik, dhk) = (dalek(&ik), dalek(&hk));
    let jsig = ed25519_dalek::Signature::from_bytes(jwt.signature());
    let ksig = ed25519_dalek::Signature::from_bytes(kb_jws.signature());

    // Bulk: 1,024 presentations, each by its own holder.
    let bulk_items: Vec<BulkItem> = (0..1024u64)
        .map(|i| {
            let mut seed = [3u8; 32];
            seed[..8].copy_from_slice(&i.to_le_bytes());
            let h = SigningKey::from_seed(&seed);
            let r = CredentialRequest::for_type(ty, ISS, &claims, h.verifying_key(), iat)
                .unwrap()
                .without_status();
            let c = issue_credential(&r, &issuer, &mut rng).unwrap();
            BulkItem {
                text: present(&c, &all, Some(&kb), &h).unwrap(),
                policy: policy.clone(),
            }
        })
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // The bulk floor: the same 2,048 signatures (issuer JWT and KB-JWT of each presentation),
    // keys decoded and signing inputs cut out beforehand, checked by the batch equation alone
    // in chunks of CHUNK presentations on every core — what `verify_bulk` cannot go below.
    let sig_items: Vec<(VerifyingKey, String, [u8; 64])> = bulk_items
        .iter()
        .flat_map(|item| {
            let (rest, kb) = item.text.rsplit_once('~').unwrap();
            let issuer_jws = Jws::parse(rest.split('~').next().unwrap()).unwrap();
            let kb_jws = Jws::parse(kb).unwrap();
            let payload = issuer_jws.payload().unwrap();
            let holder_key = VerifyingKey::from_jwk(&payload["cnf"]["jwk"]).unwrap();
            [
                (
                    issuer.verifying_key(),
                    issuer_jws.signing_input().to_owned(),
                    *issuer_jws.signature(),
                ),
                (
                    holder_key,
                    kb_jws.signing_input().to_owned(),
                    *kb_jws.signature(),
                ),
            ]
        })
        .collect();
    let batch_floor = |threads: usize| {
        let chunks: Vec<&[(VerifyingKey, String, [u8; 64])]> =
            sig_items.chunks(2 * CHUNK).collect();
        let next = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    while let Some(chunk) =
                        chunks.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                    {
                        let items: Vec<(&VerifyingKey, &[u8], &[u8; 64])> =
                            chunk.iter().map(|(k, m, s)| (k, m.as_bytes(), s)).collect();
                        assert!(verify_batch(black_box(&items)));
                    }
                });
            }
        });
    };

    // The QR target: the offline code of 4 of the licence's claims, rendered, photographed (a
    // 600×600 PNG, rotated 5°, blurred, with sensor noise) and then scanned from the PNG bytes,
    // decoded and verified with its freshness rules — what a counter does per photo.
    let photo_png = {
        use wallet_core::qr::render::{RenderOptions, render_png};
        let shown: Vec<ClaimPath> = ["name", "licence_class", "valid_until", "licence_number"]
            .iter()
            .map(|p| p.parse().unwrap())
            .collect();
        let kb = wallet_core::qr::freshness::offline_key_binding(iat + 100, &mut rng);
        let shown = present(&credential, &shown, Some(&kb), &holder).unwrap();
        let code = wallet_core::qr::transport::encode(&shown).unwrap();
        let base = distort::load(&render_png(&code, &RenderOptions::default()).unwrap());
        let photo = distort::noise(
            &distort::blur(&distort::rotate(&base, 5.0, 600), 0.8),
            6.0,
            3,
        );
        assert_eq!(photo.dimensions(), (600, 600));
        distort::png(&photo)
    };
    let scan_limits = wallet_core::qr::scan::ScanLimits::default();
    let scan_verify = || {
        let text = wallet_core::qr::scan::scan_image(black_box(&photo_png), &scan_limits).unwrap();
        let mut verifier = wallet_core::verifier::QrVerifier::new(Default::default());
        verifier.verify(&text, &issuers, iat + 101).unwrap()
    };
    assert_eq!(scan_verify().report.disclosed.len(), 4);

    // Interleaved rounds, so a noisy moment hits every operation alike.
    let mut results: Vec<Vec<f64>> = vec![Vec::new(); 14];
    for _ in 0..3 {
        results[0].push(median_us(rounds, 20, || {
            let r = CredentialRequest::for_type(ty, ISS, &claims, holder.verifying_key(), iat)
                .unwrap()
                .without_status();
            black_box(issue_credential(&r, &issuer, &mut rng).unwrap());
        }));
        results[1].push(median_us(rounds, 20, || {
            black_box(present(&credential, &all, Some(&kb), &holder).unwrap());
        }));
        results[11].push(median_us(rounds, 20, || {
            black_box(prepared.present(&all, Some(&kb), &holder).unwrap());
        }));
        results[2].push(median_us(rounds, 20, || {
            black_box(verify_presentation(black_box(&presentation), &issuers, &policy).unwrap());
        }));
        results[3].push(median_us(rounds, 20, || {
            assert!(
                dik.verify_strict(jwt.signing_input().as_bytes(), &jsig)
                    .is_ok()
            );
            assert!(
                dhk.verify_strict(kb_jws.signing_input().as_bytes(), &ksig)
                    .is_ok()
            );
        }));
        // Our floor: the two checks as verify_presentation makes them, in one pass that shares
        // the last field inversion (keys::verify_strict_both); and, for reference, as two calls.
        results[6].push(median_us(rounds, 20, || {
            assert!(wallet_core::keys::verify_strict_both(
                (&ik, jwt.signing_input().as_bytes(), jwt.signature()),
                (&hk, kb_jws.signing_input().as_bytes(), kb_jws.signature()),
            ));
        }));
        results[13].push(median_us(rounds, 20, || {
            assert!(ik.verify_strict(jwt.signing_input().as_bytes(), jwt.signature()));
            assert!(hk.verify_strict(kb_jws.signing_input().as_bytes(), kb_jws.signature()));
        }));
        results[7].push(median_us(rounds, 20, || {
            black_box(issue_credential(black_box(&request), &issuer, &mut rng).unwrap());
        }));
        results[8].push(median_us(rounds, 20, || {
            black_box(
                issuer
                    .sign(black_box(jwt.signing_input().as_bytes()))
                    .unwrap(),
            );
        }));
        results[9].push(median_us(rounds, 20, || {
            black_box(
                holder
                    .sign(black_box(kb_jws.signing_input().as_bytes()))
                    .unwrap(),
            );
        }));
        results[10].push(median_us(5, 1, || batch_floor(threads)) / 1024.0);
        results[12].push(median_us(rounds, 1, || {
            black_box(scan_verify());
        }));
        results[4].push(
            median_us(5, 1, || {
                black_box(verify_bulk(&bulk_items, &issuers, 1));
            }) / 1024.0,
        );
        results[5].push(
            median_us(5, 1, || {
                black_box(verify_bulk(&bulk_items, &issuers, threads));
            }) / 1024.0,
        );
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let out = json!({
        "implementation": "wallet-core",
        "disclosures": disclosed,
        "presentation_bytes": presentation.len(),
        "issue_us": med(&mut results[0]),
        "present_us": med(&mut results[1]),
        "present_prepared_us": med(&mut results[11]),
        "qr_photo_verify_us": med(&mut results[12]),
        "verify_us": med(&mut results[2]),
        "floor_us": med(&mut results[3]),
        "ours_sig_checks_us": med(&mut results[6]),
        "ours_sig_checks_separate_us": med(&mut results[13]),
        "bulk_1_thread_us": med(&mut results[4]),
        "bulk_threads": threads,
        "bulk_all_threads_us": med(&mut results[5]),
        "issue_prepared_us": med(&mut results[7]),
        "issuer_sign_us": med(&mut results[8]),
        "holder_sign_us": med(&mut results[9]),
        "bulk_batch_floor_us": med(&mut results[10]),
    });
    println!("{out}");
}
