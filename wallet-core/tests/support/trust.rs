//! Shared fixtures of the trust-list and status tests: fixed keys, a trust list with a public
//! security bureau (resident ID) and a vehicle office (vehicle licence), credentials issued and
//! presented at fixed times.

#![allow(dead_code)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng as _;
use sha2::{Digest as _, Sha256};
use wallet_core::credential::StatusRef;
use wallet_core::credential::catalogue;
use wallet_core::holder::{KeyBindingRequest, present};
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::keys::SigningKey;
use wallet_core::sdjwt::KbExpectation;
use wallet_core::trust::TrustListBuilder;
use wallet_core::verifier::{KeyBindingPolicy, VerifyPolicy};

/// 2026-01-01T00:00:00Z.
pub const T0: i64 = 1_767_225_600;
pub const DAY: i64 = 86_400;
pub const PSB: &str = "https://ga.sh.gov.cn";
pub const VEHICLE_OFFICE: &str = "https://cgs.sh.gov.cn";
pub const AUD: &str = "https://verifier.example.cn/counter-1";
pub const NONCE: &str = "nonce-123";
pub const LIST_ID: &str = "cn-sh-trust-list";

pub fn key(label: &str) -> SigningKey {
    SigningKey::from_seed(&Sha256::digest(label.as_bytes()).into())
}
pub fn root() -> SigningKey {
    key("trust root")
}
pub fn psb_key() -> SigningKey {
    key("public security bureau 2026")
}
pub fn vehicle_key() -> SigningKey {
    key("vehicle office 2026")
}
pub fn holder() -> SigningKey {
    key("holder")
}
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

pub fn vct(short: &str) -> &'static str {
    &catalogue::by_name(short).unwrap().vct
}

/// Sequence `seq`: the bureau may issue resident IDs (key valid from T0 - 1 year), the vehicle
/// office vehicle licences.
pub fn builder(seq: u64) -> TrustListBuilder {
    let mut b = TrustListBuilder::new(LIST_ID, seq);
    b.add_issuer(
        PSB,
        "上海市公安局",
        "Shanghai Public Security Bureau",
        &[vct("resident-id")],
    )
    .unwrap()
    .add_key(PSB, &psb_key().verifying_key(), T0 - 365 * DAY, None)
    .unwrap();
    b.add_issuer(
        VEHICLE_OFFICE,
        "上海市公安局交通警察总队车辆管理所",
        "Shanghai Vehicle Administration Office",
        &[vct("vehicle-licence")],
    )
    .unwrap()
    .add_key(
        VEHICLE_OFFICE,
        &vehicle_key().verifying_key(),
        T0 - 365 * DAY,
        None,
    )
    .unwrap();
    b
}

/// A signed list issued at T0, next update T0 + 7 days.
pub fn signed_list(b: &TrustListBuilder) -> String {
    b.sign(T0, T0 + 7 * DAY, &root()).unwrap()
}

/// A credential of catalogue type `short`, issued by `iss` with `issuer_key` at `iat`.
pub fn credential(
    short: &str,
    iss: &str,
    issuer_key: &SigningKey,
    iat: i64,
    status: Option<StatusRef>,
) -> String {
    let t = catalogue::by_name(short).unwrap();
    let mut request =
        CredentialRequest::for_type(t, iss, &t.example_claims(), holder().verifying_key(), iat)
            .unwrap()
            .without_status();
    request.status = status;
    issue_credential(&request, issuer_key, &mut rng(iat as u64)).unwrap()
}

/// The credential presented with key binding at `now`, disclosing nothing.
pub fn presentation(credential: &str, now: i64) -> String {
    let kb = KeyBindingRequest {
        audience: AUD.into(),
        nonce: NONCE.into(),
        issued_at: now,
    };
    present(credential, &[], Some(&kb), &holder()).unwrap()
}

pub fn policy(now: i64) -> VerifyPolicy {
    VerifyPolicy {
        now,
        clock_skew: 60,
        key_binding: KeyBindingPolicy::Required(KbExpectation {
            audience: AUD.into(),
            nonce: Some(NONCE.into()),
            max_age: 300,
        }),
    }
}
