//! The fixtures in tests/data/ that the C test, the sanitizer and valgrind runs and the JNA
//! client read: a pinned root key, a trust list listing one agency, the agency's private key (a
//! test key, published on purpose), its Status List Token and example claims. They are made
//! from fixed seeds and fixed times, so this test rebuilds them byte for byte and fails if the
//! committed files differ. Set `UPDATE_TEST_DATA=1` to rewrite them after an intended change.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use wallet_core::credential::catalogue;
use wallet_core::keys::SigningKey;
use wallet_core::status::{
    Bits, StatusList, StatusListClaims, StatusValue, sign_status_list_token,
};
use wallet_core::trust::TrustListBuilder;

/// 2026-01-01T00:00:00Z: the trust list, the agency key and the status list start here.
const T0: i64 = 1_767_225_600;
/// 2036-01-01T00:00:00Z: the trust list's next update and the status list's expiry, far past the
/// 2026-06-01 the tests use as "now".
const T_END: i64 = 2_082_758_400;
const ISS: &str = "https://ga.sh.gov.cn/issuer";
const STATUS_URI: &str = "https://ga.sh.gov.cn/status/1";
/// The example agency-defined type of docs/credential-types.md and its example claims.
const MARRIAGE_TYPE: &str = include_str!("../../docs/types/marriage-certificate.json");
const MARRIAGE_CLAIMS: &str = include_str!("../../docs/types/marriage-certificate.claims.json");

fn files() -> Vec<(&'static str, String)> {
    let root = SigningKey::from_seed(&[0x52; 32]);
    let issuer = SigningKey::from_seed(&[0x49; 32]);
    let types =
        ["resident-id", "driving-licence"].map(|t| catalogue::by_name(t).unwrap().vct.as_str());
    // The agency's own 结婚证 type, carried in the list with its integrity pinned: the C test's
    // verifier learns it from the list alone.
    let mut added = catalogue::TypeSet::new();
    let marriage = added
        .add_document(MARRIAGE_TYPE.as_bytes())
        .unwrap()
        .clone();
    let mut builder = TrustListBuilder::new("cn-wallet-ffi-test", 1);
    builder
        .add_issuer(
            ISS,
            "上海市公安局",
            "Shanghai Public Security Bureau",
            &types,
        )
        .unwrap()
        .add_key(ISS, &issuer.verifying_key(), T0, None)
        .unwrap()
        .authorise_type(ISS, &marriage)
        .unwrap();
    let trust_list = builder.sign(T0, T_END, &root).unwrap();

    // Two bits per entry so that both revocation and suspension can be shown: index 3 is valid,
    // 5 revoked, 6 suspended.
    let mut list = StatusList::new(Bits::Two, 16).unwrap();
    list.set(5, StatusValue::INVALID).unwrap();
    list.set(6, StatusValue::SUSPENDED).unwrap();
    let claims = StatusListClaims {
        uri: STATUS_URI.to_owned(),
        iss: Some(ISS.to_owned()),
        iat: T0,
        exp: Some(T_END),
        ttl: Some(86_400),
        aggregation_uri: None,
    };
    let status_list = sign_status_list_token(&claims, &list, &issuer).unwrap();

    let example = catalogue::by_name("resident-id").unwrap().example_claims();
    vec![
        (
            "root.pub.jwk",
            format!("{}\n", root.verifying_key().to_jwk()),
        ),
        ("trust-list.jwt", format!("{trust_list}\n")),
        (
            "issuer.jwk",
            format!("{}\n", issuer.to_jwk_string().as_str()),
        ),
        ("status-list.jwt", format!("{status_list}\n")),
        (
            "resident-id.claims.json",
            format!("{}\n", serde_json::to_string_pretty(&example).unwrap()),
        ),
        ("marriage-certificate.json", MARRIAGE_TYPE.to_owned()),
        (
            "marriage-certificate.claims.json",
            MARRIAGE_CLAIMS.to_owned(),
        ),
    ]
}

#[test]
fn fixtures_are_reproducible() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let update = std::env::var_os("UPDATE_TEST_DATA").is_some();
    let mut stale = Vec::new();
    for (name, content) in files() {
        let path = dir.join(name);
        if update {
            std::fs::write(&path, &content).unwrap();
        }
        if std::fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "wallet-ffi/tests/data is out of date ({}): run `UPDATE_TEST_DATA=1 cargo test -p wallet-ffi --test test_data`",
        stale.join(", ")
    );
}
