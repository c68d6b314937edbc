//! Freshness and anti-replay of shown certificates, both modes: offline refreshing codes with a
//! replay cache, and verifier challenges answered once.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use wallet_core::credential::catalogue;
use wallet_core::holder::{KeyBindingRequest, present};
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::keys::SigningKey;
use wallet_core::qr::freshness::{Challenge, offline_key_binding};
use wallet_core::qr::transport;
use wallet_core::sdjwt::ClaimPath;
use wallet_core::trust::StaticIssuers;
use wallet_core::verifier::{QrVerifier, QrVerifierConfig};

const IAT: i64 = 1_767_225_600;
const ISS: &str = "https://ga.sh.gov.cn/issuer";

struct Setup {
    holder: SigningKey,
    credential: String,
    issuers: StaticIssuers,
    rng: ChaCha20Rng,
}

fn setup() -> Setup {
    let issuer = SigningKey::from_seed(&[5; 32]);
    let holder = SigningKey::from_seed(&[6; 32]);
    let ty = catalogue::by_name("resident-id").unwrap();
    let request =
        CredentialRequest::for_type(ty, ISS, &ty.example_claims(), holder.verifying_key(), IAT)
            .unwrap()
            .without_status();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let credential = issue_credential(&request, &issuer, &mut rng).unwrap();
    let mut issuers = StaticIssuers::new();
    issuers.add(ISS, issuer.verifying_key());
    Setup {
        holder,
        credential,
        issuers,
        rng,
    }
}

fn show(s: &Setup, kb: &KeyBindingRequest) -> String {
    let paths: Vec<ClaimPath> = ["name", "age_over_18"]
        .iter()
        .map(|p| p.parse().unwrap())
        .collect();
    transport::encode(&present(&s.credential, &paths, Some(kb), &s.holder).unwrap()).unwrap()
}

fn verifier(id: Option<&str>) -> QrVerifier {
    QrVerifier::new(QrVerifierConfig {
        verifier_id: id.map(str::to_owned),
        ..QrVerifierConfig::default()
    })
}

#[test]
fn offline_code_scanned_twice_is_a_replay() {
    let mut s = setup();
    let now = IAT + 1000;
    let kb = offline_key_binding(now, &mut s.rng);
    let code = show(&s, &kb);
    let mut v = verifier(None);
    let first = v.verify(&code, &s.issuers, now + 3).unwrap();
    assert!(first.offline);
    assert_eq!(first.report.disclosed.len(), 2);
    assert_eq!(
        v.verify(&code, &s.issuers, now + 10).unwrap_err().code(),
        "qr.replay"
    );
    // A refreshed code (new nonce) from the same phone is fine.
    let fresh = {
        let kb = offline_key_binding(now + 30, &mut s.rng);
        show(&s, &kb)
    };
    v.verify(&fresh, &s.issuers, now + 31).unwrap();
    assert_eq!(v.replay_entries(), 2);
}

#[test]
fn offline_code_older_than_window_or_from_the_future_is_refused() {
    let mut s = setup();
    let now = IAT + 1000;
    let code = {
        let kb = offline_key_binding(now, &mut s.rng);
        show(&s, &kb)
    };
    // Default window 60 s plus 30 s skew.
    assert_eq!(
        verifier(None)
            .verify(&code, &s.issuers, now + 91)
            .unwrap_err()
            .code(),
        "sdjwt.kb_stale"
    );
    assert!(verifier(None).verify(&code, &s.issuers, now + 90).is_ok());
    let future = {
        let kb = offline_key_binding(now + 31, &mut s.rng);
        show(&s, &kb)
    };
    assert_eq!(
        verifier(None)
            .verify(&future, &s.issuers, now)
            .unwrap_err()
            .code(),
        "sdjwt.kb_iat_in_future"
    );
}

#[test]
fn challenge_answered_once_only() {
    let mut s = setup();
    let now = IAT + 2000;
    let mut v = verifier(Some("https://hotel.example.cn/desk-1"));
    let challenge = v.new_challenge(now, 120, &mut s.rng).unwrap();
    // The holder scans the challenge QR.
    let scanned = Challenge::from_payload(&challenge.to_payload()).unwrap();
    assert_eq!(scanned, challenge);
    let answer = show(&s, &scanned.key_binding(now + 5));
    let ok = v.verify(&answer, &s.issuers, now + 6).unwrap();
    assert!(!ok.offline);
    assert_eq!(
        ok.report.key_binding.as_ref().unwrap().nonce,
        challenge.nonce
    );
    assert_eq!(
        v.verify(&answer, &s.issuers, now + 7).unwrap_err().code(),
        "qr.challenge_used"
    );
    // A second answer to the same challenge (fresh KB-JWT) is refused too.
    let again = show(&s, &scanned.key_binding(now + 8));
    assert_eq!(
        v.verify(&again, &s.issuers, now + 9).unwrap_err().code(),
        "qr.challenge_used"
    );
}

#[test]
fn challenge_for_another_verifier_unknown_or_expired_is_refused() {
    let mut s = setup();
    let now = IAT + 3000;
    let mut desk1 = verifier(Some("https://hotel.example.cn/desk-1"));
    let mut desk2 = verifier(Some("https://hotel.example.cn/desk-2"));
    let c1 = desk1.new_challenge(now, 60, &mut s.rng).unwrap();
    let answer = show(&s, &c1.key_binding(now + 1));
    assert_eq!(
        desk2
            .verify(&answer, &s.issuers, now + 2)
            .unwrap_err()
            .code(),
        "qr.wrong_audience"
    );
    // A challenge the verifier never issued (same audience, invented nonce).
    let forged = Challenge {
        verifier: c1.verifier.clone(),
        nonce: "aW52ZW50ZWQtbm9uY2UtMDA".into(),
        expires_at: now + 60,
    };
    let forged_answer = show(&s, &forged.key_binding(now + 1));
    assert_eq!(
        desk1
            .verify(&forged_answer, &s.issuers, now + 2)
            .unwrap_err()
            .code(),
        "qr.challenge_unknown"
    );
    // Expired: answered after expiry plus skew.
    let c2 = desk1.new_challenge(now, 10, &mut s.rng).unwrap();
    let late = show(&s, &c2.key_binding(now + 45));
    assert_eq!(
        desk1
            .verify(&late, &s.issuers, now + 45)
            .unwrap_err()
            .code(),
        "qr.challenge_expired"
    );
    // An offline code is refused by a verifier that only accepts challenges.
    let mut strict = QrVerifier::new(QrVerifierConfig {
        verifier_id: Some("https://x.example".into()),
        accept_offline: false,
        ..QrVerifierConfig::default()
    });
    let offline = {
        let kb = offline_key_binding(now, &mut s.rng);
        show(&s, &kb)
    };
    assert_eq!(
        strict
            .verify(&offline, &s.issuers, now + 1)
            .unwrap_err()
            .code(),
        "qr.wrong_audience"
    );
}

#[test]
fn plain_sd_jwt_from_another_wallet_verifies_too() {
    let mut s = setup();
    let now = IAT + 4000;
    let kb = offline_key_binding(now, &mut s.rng);
    let plain = present(
        &s.credential,
        &["name".parse().unwrap()],
        Some(&kb),
        &s.holder,
    )
    .unwrap();
    let result = verifier(None).verify(&plain, &s.issuers, now + 1).unwrap();
    assert_eq!(result.report.claims["name"], "张三");
    assert_eq!(
        verifier(None)
            .verify("hello", &s.issuers, now)
            .unwrap_err()
            .code(),
        "qr.not_a_payload"
    );
    assert_eq!(
        Challenge::from_payload("CWC1:zz").unwrap_err().code(),
        "qr.challenge_malformed"
    );
}
