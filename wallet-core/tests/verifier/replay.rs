//! Replay and freshness cases beyond the basic ones in freshness.rs: the same code scanned twice
//! in two spellings (QR payload and plain SD-JWT), a replay after the window (refused as stale,
//! not forgotten), a full replay cache failing closed, a challenge answered twice across
//! verifier devices, a challenge answer whose KB-JWT `iat` is in the future beyond the skew, and
//! what is *not* caught: a screenshot shown to a second, independent offline verifier inside the
//! window (docs/security.md).

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use wallet_core::credential::catalogue;
use wallet_core::holder::{KeyBindingRequest, present};
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::keys::SigningKey;
use wallet_core::qr::freshness::offline_key_binding;
use wallet_core::qr::transport;
use wallet_core::trust::StaticIssuers;
use wallet_core::verifier::{QrVerifier, QrVerifierConfig};

const IAT: i64 = 1_767_225_600;
const ISS: &str = "https://ga.sh.gov.cn/issuer";
const DESK: &str = "https://hotel.example.cn/desk-1";

struct Setup {
    holder: SigningKey,
    credential: String,
    issuers: StaticIssuers,
    rng: ChaCha20Rng,
}

fn setup() -> Setup {
    let issuer = SigningKey::from_seed(&[15; 32]);
    let holder = SigningKey::from_seed(&[16; 32]);
    let ty = catalogue::by_name("resident-id").unwrap();
    let request =
        CredentialRequest::for_type(ty, ISS, &ty.example_claims(), holder.verifying_key(), IAT)
            .unwrap()
            .without_status();
    let mut rng = ChaCha20Rng::seed_from_u64(8);
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

fn presentation(s: &Setup, kb: &KeyBindingRequest) -> String {
    present(
        &s.credential,
        &["name".parse().unwrap()],
        Some(kb),
        &s.holder,
    )
    .unwrap()
}

/// An offline refreshing code displayed at `at`, as its QR payload.
fn offline_code(s: &mut Setup, at: i64) -> String {
    let kb = offline_key_binding(at, &mut s.rng);
    transport::encode(&presentation(s, &kb)).unwrap()
}

fn verifier(id: Option<&str>, capacity: usize) -> QrVerifier {
    QrVerifier::new(QrVerifierConfig {
        verifier_id: id.map(str::to_owned),
        replay_capacity: capacity,
        ..QrVerifierConfig::default()
    })
}

fn code(r: Result<impl std::fmt::Debug, wallet_core::verifier::VerifyError>) -> &'static str {
    r.unwrap_err().code()
}

#[test]
fn same_code_as_qr_then_as_plain_text_is_a_replay() {
    // The replay cache keys on what the holder signed (sd_hash, nonce), not on the scanned text,
    // so another spelling of the same presentation is still the same presentation.
    let mut s = setup();
    let now = IAT + 1000;
    let kb = offline_key_binding(now, &mut s.rng);
    let shown = presentation(&s, &kb);
    let qr = transport::encode(&shown).unwrap();
    let mut v = verifier(None, 100);
    v.verify(&qr, &s.issuers, now + 1).unwrap();
    assert_eq!(code(v.verify(&shown, &s.issuers, now + 2)), "qr.replay");
    assert_eq!(code(v.verify(&qr, &s.issuers, now + 3)), "qr.replay");
}

#[test]
fn replay_after_the_window_is_refused_as_stale_not_forgotten() {
    let mut s = setup();
    let now = IAT + 2000;
    let kb = offline_key_binding(now, &mut s.rng);
    let qr = transport::encode(&presentation(&s, &kb)).unwrap();
    let mut v = verifier(None, 100);
    v.verify(&qr, &s.issuers, now).unwrap();
    // Window 60 s + skew 30 s: accepted up to now + 90, remembered until now + 120; once the
    // entry is gone the KB-JWT is far too old to pass again.
    assert_eq!(code(v.verify(&qr, &s.issuers, now + 90)), "qr.replay");
    assert_eq!(code(v.verify(&qr, &s.issuers, now + 121)), "sdjwt.kb_stale");
    assert_eq!(
        code(v.verify(&qr, &s.issuers, now + 100_000)),
        "sdjwt.kb_stale"
    );
}

#[test]
fn a_full_replay_cache_fails_closed_until_entries_expire() {
    let mut s = setup();
    let now = IAT + 3000;
    let mut v = verifier(None, 1);
    let first = offline_code(&mut s, now);
    let second = offline_code(&mut s, now);
    v.verify(&first, &s.issuers, now).unwrap();
    assert_eq!(
        code(v.verify(&second, &s.issuers, now + 1)),
        "qr.replay_cache_full"
    );
    // Once the first entry can no longer pass the window, it is dropped and room is made.
    let third = offline_code(&mut s, now + 125);
    v.verify(&third, &s.issuers, now + 125).unwrap();
    assert_eq!(v.replay_entries(), 1);
}

#[test]
fn a_challenge_answer_is_bound_to_the_device_that_issued_it() {
    // Two counters configured with the same verifier identifier: a challenge of one is unknown
    // to the other, so an answer captured at desk A cannot be replayed at desk B.
    let mut s = setup();
    let now = IAT + 4000;
    let mut a = verifier(Some(DESK), 100);
    let mut b = verifier(Some(DESK), 100);
    let challenge = a.new_challenge(now, 60, &mut s.rng).unwrap();
    let answer = transport::encode(&presentation(&s, &challenge.key_binding(now + 2))).unwrap();
    assert_eq!(
        code(b.verify(&answer, &s.issuers, now + 3)),
        "qr.challenge_unknown"
    );
    a.verify(&answer, &s.issuers, now + 3).unwrap();
    assert_eq!(
        code(a.verify(&answer, &s.issuers, now + 4)),
        "qr.challenge_used"
    );
}

#[test]
fn challenge_answer_signed_in_the_future_beyond_skew_is_refused() {
    let mut s = setup();
    let now = IAT + 5000;
    let mut v = verifier(Some(DESK), 100);
    let challenge = v.new_challenge(now, 300, &mut s.rng).unwrap();
    // Default skew 30 s: iat = now + 31 is refused, and refusing it does not use the challenge.
    let future = presentation(&s, &challenge.key_binding(now + 31));
    assert_eq!(
        code(v.verify(&future, &s.issuers, now)),
        "sdjwt.kb_iat_in_future"
    );
    let within = presentation(&s, &challenge.key_binding(now + 30));
    v.verify(&within, &s.issuers, now).unwrap();
}

#[test]
fn offline_code_older_than_the_window_is_refused_even_on_first_scan() {
    let mut s = setup();
    let now = IAT + 6000;
    let kb = offline_key_binding(now - 91, &mut s.rng);
    let qr = transport::encode(&presentation(&s, &kb)).unwrap();
    assert_eq!(
        code(verifier(None, 100).verify(&qr, &s.issuers, now)),
        "sdjwt.kb_stale"
    );
    let kb = offline_key_binding(now - 90, &mut s.rng);
    let qr = transport::encode(&presentation(&s, &kb)).unwrap();
    verifier(None, 100).verify(&qr, &s.issuers, now).unwrap();
}

#[test]
fn screenshot_shown_to_a_second_offline_verifier_inside_the_window_is_not_detected() {
    // The limit of offline codes (docs/security.md): independent verifiers share no replay
    // cache, so a copy is accepted once per verifier until the window closes — 90 s by default.
    // Challenge mode (above) is the defence where that matters.
    let mut s = setup();
    let now = IAT + 7000;
    let qr = offline_code(&mut s, now);
    verifier(None, 100)
        .verify(&qr, &s.issuers, now + 5)
        .unwrap();
    verifier(None, 100)
        .verify(&qr, &s.issuers, now + 60)
        .unwrap();
    assert_eq!(
        code(verifier(None, 100).verify(&qr, &s.issuers, now + 91)),
        "sdjwt.kb_stale"
    );
}
