//! The verifier handle's `algs` option (issue 17): one list of accepted algorithms for every
//! role. A trust-list root outside it is refused when the handle is made
//! (`WALLET_RESULT_TRUST_LIST_INVALID`, `trust.algorithm_not_accepted`), beside the positive
//! control that names the root's own algorithm; a malformed list is a JSON error.

#![allow(
    unsafe_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::undocumented_unsafe_blocks
)]

use std::path::Path;
use wallet_ffi::{wallet_result, wallet_verifier_free, wallet_verifier_new};

/// 2026-06-01T00:00:00Z, inside the fixtures' validity.
const NOW: i64 = 1_780_272_000;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(path).unwrap().trim().to_owned()
}

/// The result of `wallet_verifier_new` on the fixtures (Ed25519 root) with `options`.
fn new_with(options: &str) -> wallet_result {
    let (trust, root) = (fixture("trust-list.jwt"), fixture("root.pub.jwk"));
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
    assert_eq!(r == wallet_result::Ok, !v.is_null());
    unsafe { wallet_verifier_free(v) };
    r
}

#[test]
fn algs_restrict_the_root_like_every_other_key() {
    assert_eq!(
        new_with(r#"{"algs":["EdDSA","ES256","SM2"]}"#),
        wallet_result::Ok
    );
    assert_eq!(new_with(r#"{"algs":["Ed25519"]}"#), wallet_result::Ok);
    assert_eq!(
        new_with(r#"{"algs":["ES256","SM2"]}"#),
        wallet_result::TrustListInvalid
    );
    for bad in [
        r#"{"algs":["RS256"]}"#,
        r#"{"algs":[]}"#,
        r#"{"algs":"EdDSA"}"#,
        r#"{"algs":[1]}"#,
    ] {
        assert_eq!(new_with(bad), wallet_result::InvalidJson, "{bad}");
    }
}
