//! The verifier device state (`wallet_core::verifier::Verifier`): trust list, Status List Tokens
//! held in memory, replay cache and challenges, checked together on one scan — what the FFI's
//! `wallet_verifier` handle wraps.

use crate::support::trust::*;
use wallet_core::credential::StatusRef;
use wallet_core::credential::catalogue::Lang;
use wallet_core::holder::present;
use wallet_core::qr::freshness::offline_key_binding;
use wallet_core::qr::transport;
use wallet_core::status::{
    Bits, StatusList, StatusListClaims, StatusValue, UnknownStatusPolicy, sign_status_list_token,
};
use wallet_core::verifier::QrVerifierConfig;
use wallet_core::verifier::StatusCache;
use wallet_core::verifier::TrustPolicy;
use wallet_core::verifier::{Verifier, VerifierConfig};

const URI: &str = "https://ga.sh.gov.cn/status/7";
const NOW: i64 = T0 + DAY;

/// A status list token of the bureau signed at `iat`: index 1 revoked.
fn status_token(iat: i64) -> String {
    let mut list = StatusList::new(Bits::One, 8).unwrap();
    list.set(1, StatusValue::INVALID).unwrap();
    let claims = StatusListClaims {
        uri: URI.into(),
        iss: Some(PSB.into()),
        iat,
        exp: Some(iat + 7 * DAY),
        ttl: None,
        aggregation_uri: None,
    };
    sign_status_list_token(&claims, &list, &psb_key()).unwrap()
}

/// An offline code for a resident ID with status index `idx`.
fn offline_code(idx: u64, seed: u64) -> String {
    let status = Some(StatusRef {
        idx,
        uri: URI.into(),
    });
    let c = credential("resident-id", PSB, &psb_key(), T0, status);
    let kb = offline_key_binding(NOW, &mut rng(seed));
    transport::encode(&present(&c, &[], Some(&kb), &holder()).unwrap()).unwrap()
}

fn verifier(config: VerifierConfig) -> Verifier {
    Verifier::new(
        &signed_list(&builder(1)),
        &root().verifying_key(),
        NOW,
        config,
    )
    .unwrap()
}

#[test]
fn status_lists_come_from_memory_and_replays_are_refused() {
    let mut v = verifier(VerifierConfig::default());
    let code = offline_code(0, 1);
    // No list yet: refused (fail closed), and not remembered, so it can be scanned again.
    assert_eq!(
        v.verify(&code, NOW).unwrap_err().code(),
        "status.unknown_list"
    );
    assert_eq!(v.replay_entries(), 0);
    assert_eq!(v.add_status_list(&status_token(T0)).unwrap(), URI);
    let report = v.verify(&code, NOW).unwrap();
    assert_eq!(report.status.unwrap().value, Some(StatusValue::VALID));
    assert_eq!(v.verify(&code, NOW).unwrap_err().code(), "qr.replay");
    // A revoked credential is refused every time, never as a replay.
    let revoked = offline_code(1, 2);
    for _ in 0..2 {
        assert_eq!(
            v.verify(&revoked, NOW).unwrap_err().code(),
            "status.revoked"
        );
    }
    // An older token cannot replace the one held.
    assert_eq!(
        v.add_status_list(&status_token(T0 - DAY))
            .unwrap_err()
            .code(),
        "status.rollback"
    );
}

#[test]
fn report_json_and_policies() {
    let config = VerifierConfig {
        qr: QrVerifierConfig::default(),
        trust: TrustPolicy {
            unknown_status: UnknownStatusPolicy::Accept,
            ..TrustPolicy::default()
        },
        ..VerifierConfig::default()
    };
    let mut v = verifier(config);
    let report = v.verify_report(&offline_code(0, 3), NOW, Lang::Zh);
    assert_eq!(report["valid"], true);
    assert_eq!(report["status"]["unknown_reason"], "status.unknown_list");
    let garbage = v.verify_report("CW1:???", NOW, Lang::En);
    assert_eq!(garbage["valid"], false);
    // The trust list is checked at each scan's time too.
    let late = v.verify_report(&offline_code(0, 4), T0 + 30 * DAY, Lang::En);
    assert_eq!(late["code"], "trust.stale");
}

#[test]
fn challenges_need_a_verifier_id() {
    let mut plain = verifier(VerifierConfig::default());
    assert!(plain.new_challenge(NOW, 60, &mut rng(5)).is_none());
    let mut config = VerifierConfig::default();
    config.qr.verifier_id = Some(AUD.into());
    let mut v = verifier(config);
    v.add_status_list(&status_token(T0)).unwrap();
    let challenge = v.new_challenge(NOW, 60, &mut rng(6)).unwrap();
    let status = Some(StatusRef {
        idx: 0,
        uri: URI.into(),
    });
    let c = credential("resident-id", PSB, &psb_key(), T0, status);
    let answer = present(&c, &[], Some(&challenge.key_binding(NOW)), &holder()).unwrap();
    assert!(v.verify(&answer, NOW).is_ok());
    assert_eq!(
        v.verify(&answer, NOW).unwrap_err().code(),
        "qr.challenge_used"
    );
}

#[test]
fn memory_cache_clones_share_tokens() {
    let trust = wallet_core::trust::VerifiedTrustList::verify(
        &signed_list(&builder(1)),
        &root().verifying_key(),
        NOW,
        60,
        wallet_core::trust::StalePolicy::Fail,
    )
    .unwrap();
    let cache = StatusCache::in_memory();
    let clone = cache.clone();
    assert_eq!(cache.get(URI).unwrap(), None);
    clone.store(&status_token(T0), &trust).unwrap();
    assert!(cache.get(URI).unwrap().is_some());
    cache.remove(URI).unwrap();
    assert_eq!(clone.get(URI).unwrap(), None);
}

#[test]
fn a_code_pasted_from_a_chat_app_is_cleaned_before_it_is_verified() {
    let mut v = verifier(VerifierConfig::default());
    v.add_status_list(&status_token(T0)).unwrap();
    let code = offline_code(0, 3);
    // Split by a chat app's line wrap, with a zero-width space and a byte-order mark around it.
    let (head, tail) = code.split_at(40);
    let pasted = format!("\u{feff} {head}\r\n{tail}\u{200b}\n");
    let report = v.verify(&pasted, NOW).unwrap();
    assert_eq!(report.status.unwrap().value, Some(StatusValue::VALID));
    // The same code again, as typed: the cleaned text was the code itself, so it is a replay.
    assert_eq!(v.verify(&code, NOW).unwrap_err().code(), "qr.replay");
    // A code with a character changed stays refused, cleaned or not.
    let mut broken = code.clone();
    broken.insert(41, '\u{200b}');
    broken.replace_range(60..61, if &code[60..61] == "A" { "B" } else { "A" });
    assert!(v.verify(&broken, NOW).is_err());
}
