//! The verifier handle, from Rust: its report is the very object `wallet verify --json` prints
//! (the same checks on the same presentation give equal JSON, whether the status lists sit in
//! the CLI's cache directory or in the handle's memory), its `valid` verdict agrees with the
//! report and is false for a forged presentation, one handle serves several threads at once with
//! the replay cache shared between them, and handles sharing a replay cache file share the
//! history, one after the other or at the same time.

#![allow(
    unsafe_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::undocumented_unsafe_blocks
)]

use serde_json::Value;
use std::path::Path;
use wallet_core::credential::StatusRef;
use wallet_core::credential::catalogue;
use wallet_core::credential::catalogue::Lang;
use wallet_core::holder::present;
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::keys::{SigningKey, VerifyingKey};
use wallet_core::qr::freshness::{
    DEFAULT_SKEW_SECONDS, DEFAULT_WINDOW_SECONDS, OFFLINE_AUDIENCE, offline_key_binding,
};
use wallet_core::qr::transport;
use wallet_core::sdjwt::{ClaimPath, KbExpectation};
use wallet_core::trust::{StalePolicy, VerifiedTrustList};
use wallet_core::verifier::StatusCache;
use wallet_core::verifier::report;
use wallet_core::verifier::{KeyBindingPolicy, TrustPolicy, VerifyPolicy, verify_with_trust};
use wallet_ffi::{
    wallet_buffer, wallet_buffer_free, wallet_result, wallet_verifier,
    wallet_verifier_add_status_list, wallet_verifier_free, wallet_verifier_new,
    wallet_verifier_verify,
};

/// 2026-06-01T00:00:00Z, inside the fixtures' validity.
const NOW: i64 = 1_780_272_000;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(path).unwrap().trim().to_owned()
}

/// A QR payload of a resident ID with status index `idx`, shown at `now`.
fn payload(idx: u64, seed: u8) -> String {
    payload_signed_by(
        &SigningKey::from_text(&fixture("issuer.jwk")).unwrap(),
        idx,
        seed,
    )
}

/// As [`payload`], with the credential signed by `issuer`.
fn payload_signed_by(issuer: &SigningKey, idx: u64, seed: u8) -> String {
    let holder = SigningKey::from_seed(&[seed; 32]);
    let ty = catalogue::by_name("resident-id").unwrap();
    let mut request = CredentialRequest::for_type(
        ty,
        "https://ga.sh.gov.cn/issuer",
        &ty.example_claims(),
        holder.verifying_key(),
        NOW,
    )
    .unwrap();
    request.status = Some(StatusRef {
        idx,
        uri: "https://ga.sh.gov.cn/status/1".to_owned(),
    });
    let credential = issue_credential(&request, issuer, &mut rand_core::OsRng).unwrap();
    let disclose: Vec<ClaimPath> = ["name", "age_over_18"]
        .iter()
        .map(|p| p.parse().unwrap())
        .collect();
    let kb = offline_key_binding(NOW, &mut rand_core::OsRng);
    let shown = present(&credential, &disclose, Some(&kb), &holder).unwrap();
    transport::encode(&shown).unwrap()
}

struct Verifier(*mut wallet_verifier);

// The handle is documented as shareable between threads.
unsafe impl Send for Verifier {}
unsafe impl Sync for Verifier {}

impl Verifier {
    fn new() -> Self {
        Self::with_options("")
    }

    fn with_options(options: &str) -> Self {
        let (trust, root, status) = (
            fixture("trust-list.jwt"),
            fixture("root.pub.jwk"),
            fixture("status-list.jwt"),
        );
        let mut v = std::ptr::null_mut();
        let r = unsafe {
            wallet_verifier_new(
                trust.as_ptr().cast(),
                trust.len(),
                root.as_ptr().cast(),
                root.len(),
                options.as_ptr().cast(),
                options.len(),
                NOW,
                &mut v,
            )
        };
        assert_eq!(r, wallet_result::Ok);
        let r = unsafe { wallet_verifier_add_status_list(v, status.as_ptr().cast(), status.len()) };
        assert_eq!(r, wallet_result::Ok);
        Self(v)
    }

    /// The report of a scan, after checking that the call succeeded and that its verdict
    /// output says what the report's `"valid"` says.
    fn verify(&self, payload: &str, lang: u32) -> Value {
        let mut out = wallet_buffer {
            data: std::ptr::null_mut(),
            len: 0,
        };
        // Written over on success whatever the verdict; starts as "refused" and as "accepted"
        // on alternate calls would both work, this is the value an app would declare.
        let mut valid = false;
        let r = unsafe {
            wallet_verifier_verify(
                self.0,
                payload.as_ptr().cast(),
                payload.len(),
                NOW,
                lang,
                &mut valid,
                &mut out,
            )
        };
        assert_eq!(r, wallet_result::Ok);
        let bytes = unsafe { std::slice::from_raw_parts(out.data, out.len) };
        let value: Value = serde_json::from_slice(bytes).unwrap();
        unsafe { wallet_buffer_free(&mut out) };
        assert_eq!(
            value["valid"], valid,
            "verdict and report disagree: {value}"
        );
        value
    }
}

impl Drop for Verifier {
    fn drop(&mut self) {
        unsafe { wallet_verifier_free(self.0) };
    }
}

/// What `wallet verify --json --status-cache DIR` computes (wallet-cli/src/verifier.rs), with
/// the CLI's defaults.
fn cli_report(payload: &str, lang: Lang) -> Value {
    let root = VerifyingKey::from_jwk_str(&fixture("root.pub.jwk")).unwrap();
    let trust = VerifiedTrustList::verify(
        &fixture("trust-list.jwt"),
        &root,
        NOW,
        DEFAULT_SKEW_SECONDS,
        StalePolicy::Fail,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cache = StatusCache::open(dir.path()).unwrap();
    cache.store(&fixture("status-list.jwt"), &trust).unwrap();
    let policy = VerifyPolicy {
        now: NOW,
        clock_skew: DEFAULT_SKEW_SECONDS,
        key_binding: KeyBindingPolicy::Required(KbExpectation {
            audience: OFFLINE_AUDIENCE.to_owned(),
            nonce: None,
            max_age: DEFAULT_WINDOW_SECONDS,
        }),
    };
    let result = transport::decode(payload)
        .map_err(wallet_core::verifier::VerifyError::Transport)
        .and_then(|p| verify_with_trust(&p, &trust, &cache, &policy, &TrustPolicy::default()));
    report::result_json(&result, lang, NOW)
}

#[test]
fn report_equals_the_cli_json_report() {
    for (idx, code) in [(3, "ok"), (5, "status.revoked"), (6, "status.suspended")] {
        for (lang, ffi_lang) in [(Lang::En, 0), (Lang::Zh, 1)] {
            let p = payload(idx, 9);
            let ffi = Verifier::new().verify(&p, ffi_lang);
            assert_eq!(ffi["code"], code);
            assert_eq!(ffi, cli_report(&p, lang), "index {idx}");
        }
    }
    let garbage = "CW1:NOT A PAYLOAD";
    assert_eq!(
        Verifier::new().verify(garbage, 0),
        cli_report(garbage, Lang::En)
    );
}

#[test]
fn one_verifier_serves_many_threads() {
    let verifier = Verifier::new();
    let payloads: Vec<String> = (0..8).map(|i| payload(3, 20 + i)).collect();
    std::thread::scope(|s| {
        for p in &payloads {
            let v = &verifier;
            s.spawn(move || assert_eq!(v.verify(p, 0)["valid"], true));
        }
    });
    // Each was remembered, whichever thread accepted it.
    for p in &payloads {
        assert_eq!(verifier.verify(p, 0)["code"], "qr.replay");
    }
}

/// A presentation whose credential was signed by a key the trust list does not give its issuer:
/// the call succeeds (it was checked) and the verdict says refused; the genuine one is accepted.
#[test]
fn a_forged_presentation_is_checked_and_refused() {
    let verifier = Verifier::new();
    let forger = SigningKey::from_seed(&[0x66; 32]);
    let forged = verifier.verify(&payload_signed_by(&forger, 3, 40), 0);
    assert_eq!(forged["valid"], false);
    assert_ne!(forged["code"], "ok");
    assert_eq!(verifier.verify(&payload(3, 41), 0)["valid"], true);
}

/// The verdict output is written on every success, overwriting whatever the caller put there,
/// and not at all on an error.
#[test]
fn the_verdict_is_written_exactly_on_success() {
    let verifier = Verifier::new();
    let call = |text: &str, lang: u32, valid: &mut bool| {
        let mut out = wallet_buffer {
            data: std::ptr::null_mut(),
            len: 0,
        };
        let r = unsafe {
            wallet_verifier_verify(
                verifier.0,
                text.as_ptr().cast(),
                text.len(),
                NOW,
                lang,
                valid,
                &mut out,
            )
        };
        unsafe { wallet_buffer_free(&mut out) };
        r
    };
    let mut valid = true;
    assert_eq!(call("CW1:NOT A PAYLOAD", 0, &mut valid), wallet_result::Ok);
    assert!(!valid);
    let good = payload(3, 42);
    let mut valid = false;
    assert_eq!(call(&good, 0, &mut valid), wallet_result::Ok);
    assert!(valid);
    // An unknown language is an argument error: no verdict is written.
    let mut valid = true;
    assert_eq!(
        call(&payload(3, 43), 9, &mut valid),
        wallet_result::InvalidArgument
    );
    assert!(valid);
}

/// The persistent replay cache: a handle made afresh for each scan (or after a restart) still
/// refuses a code accepted by an earlier one, and two handles alive at once on the same file
/// share one history.
#[test]
fn handles_sharing_a_replay_cache_file_share_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("replay.cache");
    let options = serde_json::json!({ "replay_cache": path }).to_string();
    let code = payload(3, 50);
    assert_eq!(
        Verifier::with_options(&options).verify(&code, 0)["code"],
        "ok"
    );
    for _ in 0..2 {
        assert_eq!(
            Verifier::with_options(&options).verify(&code, 0)["code"],
            "qr.replay"
        );
    }
    // Without the file, a new handle knows nothing of it.
    assert_eq!(Verifier::new().verify(&code, 0)["code"], "ok");

    let (a, b) = (
        Verifier::with_options(&options),
        Verifier::with_options(&options),
    );
    let codes: Vec<String> = (0..6).map(|i| payload(3, 60 + i)).collect();
    for (i, code) in codes.iter().enumerate() {
        let (first, second) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
        assert_eq!(first.verify(code, 0)["code"], "ok");
        assert_eq!(second.verify(code, 0)["code"], "qr.replay");
    }
    // Both at once from two threads: each code is accepted exactly once.
    let more: Vec<String> = (0..8).map(|i| payload(3, 80 + i)).collect();
    let accepted = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for v in [&a, &b] {
            let (more, accepted) = (&more, &accepted);
            s.spawn(move || {
                for code in more {
                    if v.verify(code, 0)["valid"] == true {
                        accepted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
    });
    assert_eq!(accepted.into_inner(), more.len());
}
