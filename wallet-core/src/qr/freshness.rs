//! Freshness and anti-replay for shown certificates (docs/qr-format.md §5, docs/security.md).
//!
//! Two modes:
//! - **Offline refreshing code**: the holder signs a new KB-JWT for every display (`iat` = now, a
//!   random `nonce`, `aud` = [`OFFLINE_AUDIENCE`]) and redraws the code every
//!   [`DEFAULT_REFRESH_SECONDS`]. The verifier accepts a KB-JWT no older than its window and
//!   remembers every accepted (`sd_hash`, `nonce`) until it ages out, so a code scanned twice —
//!   a screenshot replayed — is refused.
//! - **Challenge**: the verifier shows its own QR ([`Challenge`]: its identifier as `aud`, a fresh
//!   nonce, an expiry); the holder answers with a presentation bound to them. The verifier accepts
//!   only an open challenge of its own, once.
//!
//! The replay history is in memory by default; [`ReplayCache::open`] keeps it in a file, so that
//! it survives a restart of the verifier and is shared by the processes using that file.

use super::replay_file::{Journal, ReplayKey, replay_key};
use super::transport;
use crate::bulk::BulkItem;
use crate::credential::VcError;
use crate::encoding::{b64_encode, parse_json_object};
use crate::jws::Jws;
use crate::present::KeyBindingRequest;
use crate::sdjwt::{KbExpectation, SdJwtParts};
use crate::status::StatusCache;
use crate::trust::VerifiedTrustList;
use crate::verify::{
    IssuerKeyResolver, KeyBindingPolicy, KeyBindingReport, TrustPolicy, TrustedReport,
    VerificationReport, VerifyPolicy, verify_presentation, verify_with_trust,
};
use rand_core::CryptoRngCore;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::Path;

pub use super::replay_file::{REPLAY_COMPACT_SLACK, ReplayCacheError};

/// `aud` of offline refreshing codes (no particular verifier).
pub const OFFLINE_AUDIENCE: &str = "urn:wallet:qr:offline";
/// How often a holder app redraws an offline code by default.
pub const DEFAULT_REFRESH_SECONDS: u64 = 30;
/// How old a KB-JWT a verifier accepts by default (clock skew is added on top).
pub const DEFAULT_WINDOW_SECONDS: u64 = 60;
/// Default clock skew tolerated between phone and verifier.
pub const DEFAULT_SKEW_SECONDS: u64 = 30;
/// Prefix of a verifier's challenge QR payload.
pub const CHALLENGE_PREFIX: &str = "CWC1:";
/// Most remembered (sd_hash, nonce) pairs; past it the verifier fails closed rather than forget.
pub const DEFAULT_REPLAY_CAPACITY: usize = 1_000_000;

/// Errors of the freshness rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FreshnessError {
    /// This exact presentation was already accepted: a replayed (e.g. screenshotted) code.
    #[error("this code was already scanned: replay refused, ask the holder to refresh the code")]
    Replay,
    /// The replay cache is full of unexpired entries; accepting more would mean forgetting some.
    #[error("replay cache is full: too many scans within the freshness window")]
    ReplayCacheFull,
    /// The presentation answers a challenge this verifier did not issue (or already forgot).
    #[error("the presentation answers no open challenge of this verifier")]
    ChallengeUnknown,
    /// The challenge expired before it was answered.
    #[error("the challenge has expired: show a new challenge code")]
    ChallengeExpired,
    /// The challenge was already answered once.
    #[error("the challenge was already answered")]
    ChallengeUsed,
    /// The challenge QR payload is not valid.
    #[error("not a valid challenge code: {0}")]
    ChallengeMalformed(&'static str),
    /// The presentation is bound to an audience this verifier does not accept.
    #[error("the presentation is bound to another verifier")]
    WrongAudience,
    /// The persistent replay cache could not be read or written, so the presentation cannot be
    /// remembered and is not accepted.
    #[error("{0}")]
    ReplayCache(ReplayCacheError),
}

impl FreshnessError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Replay => "qr.replay",
            Self::ReplayCacheFull => "qr.replay_cache_full",
            Self::ChallengeUnknown => "qr.challenge_unknown",
            Self::ChallengeExpired => "qr.challenge_expired",
            Self::ChallengeUsed => "qr.challenge_used",
            Self::ChallengeMalformed(_) => "qr.challenge_malformed",
            Self::WrongAudience => "qr.wrong_audience",
            Self::ReplayCache(e) => e.code(),
        }
    }
}

fn random_nonce(rng: &mut dyn CryptoRngCore) -> String {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    b64_encode(bytes)
}

/// Holder side: the key binding of one display of an offline refreshing code.
pub fn offline_key_binding(now: i64, rng: &mut dyn CryptoRngCore) -> KeyBindingRequest {
    KeyBindingRequest {
        audience: OFFLINE_AUDIENCE.to_owned(),
        nonce: random_nonce(rng),
        issued_at: now,
    }
}

/// A verifier's challenge, shown as a QR code for the holder to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The verifier's identifier, used as the KB-JWT `aud`.
    pub verifier: String,
    /// A fresh random nonce.
    pub nonce: String,
    /// Unix seconds after which the challenge is no longer accepted.
    pub expires_at: i64,
}

impl Challenge {
    /// The challenge QR payload: `CWC1:` + base45 of a small JSON object (`aud`, `nonce`, `exp`).
    pub fn to_payload(&self) -> String {
        let mut map = Map::new();
        map.insert("aud".into(), Value::from(self.verifier.as_str()));
        map.insert("exp".into(), Value::from(self.expires_at));
        map.insert("nonce".into(), Value::from(self.nonce.as_str()));
        let json = serde_json::to_vec(&Value::Object(map)).unwrap_or_default();
        format!("{CHALLENGE_PREFIX}{}", base45::encode(json))
    }

    /// Reads a scanned challenge payload.
    pub fn from_payload(text: &str) -> Result<Self, FreshnessError> {
        if text.len() > 1024 {
            return Err(FreshnessError::ChallengeMalformed("too long"));
        }
        let body = text
            .strip_prefix(CHALLENGE_PREFIX)
            .ok_or(FreshnessError::ChallengeMalformed("missing CWC1: prefix"))?;
        let json =
            base45::decode(body).map_err(|_| FreshnessError::ChallengeMalformed("not base45"))?;
        let map = parse_json_object(&json)
            .map_err(|_| FreshnessError::ChallengeMalformed("not a JSON object"))?;
        let text = |k: &str| {
            map.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Ok(Self {
            verifier: text("aud").ok_or(FreshnessError::ChallengeMalformed("no aud"))?,
            nonce: text("nonce").ok_or(FreshnessError::ChallengeMalformed("no nonce"))?,
            expires_at: map
                .get("exp")
                .and_then(Value::as_i64)
                .ok_or(FreshnessError::ChallengeMalformed("no exp"))?,
        })
    }

    /// Holder side: the key binding that answers this challenge at `now`.
    pub fn key_binding(&self, now: i64) -> KeyBindingRequest {
        KeyBindingRequest {
            audience: self.verifier.clone(),
            nonce: self.nonce.clone(),
            issued_at: now,
        }
    }
}

/// When a presentation accepted under `policy` can be forgotten: once its KB-JWT (signed at
/// `kb_iat`) could no longer pass the window, even with the clock skew allowed on both sides.
pub fn replay_forget_after(kb_iat: i64, window: u64, clock_skew: u64) -> i64 {
    let skew = i64::try_from(clock_skew).unwrap_or(i64::MAX);
    let window = i64::try_from(window).unwrap_or(i64::MAX);
    kb_iat
        .saturating_add(window)
        .saturating_add(skew.saturating_mul(2))
}

/// One accepted presentation to remember: what its holder signed (`sd_hash`, `nonce`), until
/// when, and the time of the scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayEntry<'a> {
    /// The KB-JWT's `sd_hash`.
    pub sd_hash: &'a str,
    /// The KB-JWT's `nonce`.
    pub nonce: &'a str,
    /// Unix second after which the entry may be forgotten ([`replay_forget_after`]).
    pub forget_after: i64,
    /// When the presentation was scanned.
    pub now: i64,
}

impl<'a> ReplayEntry<'a> {
    /// The entry for a presentation whose key binding `kb` was accepted under `policy`.
    pub fn accepted(kb: &'a KeyBindingReport, policy: &VerifyPolicy) -> Self {
        let window = match &policy.key_binding {
            KeyBindingPolicy::Required(expectation) => expectation.max_age,
            _ => DEFAULT_WINDOW_SECONDS,
        };
        Self {
            sd_hash: &kb.sd_hash,
            nonce: &kb.nonce,
            forget_after: replay_forget_after(kb.iat, window, policy.clock_skew),
            now: policy.now,
        }
    }
}

/// Remembers accepted (sd_hash, nonce) pairs until they can no longer pass the window. Either in
/// memory only ([`ReplayCache::new`]: the history ends with the process) or backed by a file
/// ([`ReplayCache::open`]: the history survives restarts and is shared by every process using
/// the file; the format and its crash and concurrency rules are in [`super::replay_file`]).
/// Either way at most `capacity` unexpired entries are kept; past that the cache fails closed
/// ([`FreshnessError::ReplayCacheFull`]) rather than forget.
#[derive(Debug, Clone)]
pub struct ReplayCache {
    seen: HashMap<ReplayKey, i64>,
    capacity: usize,
    file: Option<Journal>,
}

impl ReplayCache {
    /// An empty in-memory cache holding at most `capacity` unexpired entries.
    pub fn new(capacity: usize) -> Self {
        Self {
            seen: HashMap::new(),
            capacity,
            file: None,
        }
    }

    /// A cache kept in the file at `path`, created (mode 0600) if missing, holding at most
    /// `capacity` unexpired entries; entries expired at `now` are dropped when the file is
    /// compacted. A torn last record (a writer killed mid-append) is ignored; any other damage is
    /// [`ReplayCacheError::Corrupt`].
    pub fn open(path: &Path, capacity: usize, now: i64) -> Result<Self, ReplayCacheError> {
        let mut seen = HashMap::new();
        let journal = Journal::open(path, capacity, now, &mut seen)?;
        Ok(Self {
            seen,
            capacity,
            file: Some(journal),
        })
    }

    /// The file behind the cache, if it has one.
    pub fn path(&self) -> Option<&Path> {
        self.file.as_ref().map(Journal::path)
    }

    /// Records a pair, or refuses it if already seen (and not yet expired at `now`). For a cache
    /// with a file, the record is durable before this returns `Ok`; a file error is
    /// [`FreshnessError::ReplayCache`] (the presentation must then not be accepted).
    pub fn check_and_record(
        &mut self,
        sd_hash: &str,
        nonce: &str,
        forget_after: i64,
        now: i64,
    ) -> Result<(), FreshnessError> {
        let entry = ReplayEntry {
            sd_hash,
            nonce,
            forget_after,
            now,
        };
        self.record_all(&[entry])
            .map_err(FreshnessError::ReplayCache)?
            .pop()
            .unwrap_or(Ok(()))
    }

    /// Records many pairs in order (a later duplicate of an earlier entry is a replay), with one
    /// lock and one durable write for a cache with a file. Returns each entry's verdict; `Err`
    /// when the file cannot be used, in which case none of them may be accepted.
    pub fn record_all(
        &mut self,
        entries: &[ReplayEntry<'_>],
    ) -> Result<Vec<Result<(), FreshnessError>>, ReplayCacheError> {
        let _lock = match &mut self.file {
            Some(journal) => {
                let lock = journal.lock()?;
                journal.sync(&mut self.seen)?;
                Some(lock)
            }
            None => None,
        };
        let mut added = Vec::new();
        let verdicts = entries
            .iter()
            .map(|e| {
                let key = replay_key(e.sd_hash, e.nonce);
                self.admit(key, e.forget_after, e.now)
                    .map(|()| added.push((key, e.forget_after)))
            })
            .collect();
        if let Some(journal) = &mut self.file {
            journal.append(&added)?;
            // The earliest scan time of the lot: an entry still live for it is kept.
            if let Some(now) = entries.iter().map(|e| e.now).min() {
                journal.compact_if_due(&mut self.seen, now)?;
            }
        }
        Ok(verdicts)
    }

    fn admit(&mut self, key: ReplayKey, forget_after: i64, now: i64) -> Result<(), FreshnessError> {
        if self.seen.get(&key).is_some_and(|&until| until >= now) {
            return Err(FreshnessError::Replay);
        }
        if self.seen.len() >= self.capacity {
            self.seen.retain(|_, until| *until >= now);
            if self.seen.len() >= self.capacity {
                return Err(FreshnessError::ReplayCacheFull);
            }
        }
        self.seen.insert(key, forget_after);
        Ok(())
    }

    /// Screens the results of a bulk verification for replays, in input order: a presentation
    /// already accepted (earlier in `results`, or before, by anyone sharing the cache) becomes
    /// [`FreshnessError::Replay`]. `items` are the inputs `results` came from
    /// ([`crate::bulk::verify_bulk_with_trust`]); each entry's window, skew and scan time are
    /// those of its item's policy. Refused or failed results are left as they are.
    pub fn screen_bulk(
        &mut self,
        items: &[BulkItem],
        results: &mut [Result<TrustedReport, VcError>],
    ) -> Result<(), ReplayCacheError> {
        let mut accepted = Vec::new();
        let mut entries = Vec::new();
        for (index, (item, result)) in items.iter().zip(results.iter()).enumerate() {
            if let Ok(Some(kb)) = result.as_ref().map(|r| r.report.key_binding.as_ref()) {
                accepted.push(index);
                entries.push(ReplayEntry::accepted(kb, &item.policy));
            }
        }
        let verdicts = self.record_all(&entries)?;
        for (index, verdict) in accepted.into_iter().zip(verdicts) {
            if let (Err(e), Some(result)) = (verdict, results.get_mut(index)) {
                *result = Err(VcError::Freshness(e));
            }
        }
        Ok(())
    }

    /// Number of remembered pairs.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

/// How a verifier device treats shown certificates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrVerifierConfig {
    /// This verifier's identifier (challenge `aud`); `None` disables challenge mode.
    pub verifier_id: Option<String>,
    /// Whether offline refreshing codes are accepted.
    pub accept_offline: bool,
    /// Oldest accepted KB-JWT, seconds.
    pub window: u64,
    /// Clock skew tolerance, seconds.
    pub clock_skew: u64,
    /// Replay cache capacity.
    pub replay_capacity: usize,
}

impl Default for QrVerifierConfig {
    fn default() -> Self {
        Self {
            verifier_id: None,
            accept_offline: true,
            window: DEFAULT_WINDOW_SECONDS,
            clock_skew: DEFAULT_SKEW_SECONDS,
            replay_capacity: DEFAULT_REPLAY_CAPACITY,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum ChallengeState {
    Open { expires_at: i64 },
    Used { forget_after: i64 },
}

/// A verifier device's state: open challenges and the replay cache. Not `Sync`-shared: wrap in a
/// mutex to use from several threads.
#[derive(Debug, Clone)]
pub struct QrVerifier {
    config: QrVerifierConfig,
    challenges: HashMap<String, ChallengeState>,
    replay: ReplayCache,
}

/// Outcome of a successful scan: the verification report and the mode it was accepted under.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanResult {
    /// The verified credential.
    pub report: VerificationReport,
    /// `true` for an offline refreshing code, `false` for a challenge answer.
    pub offline: bool,
}

impl QrVerifier {
    /// A verifier with the given rules and no history.
    pub fn new(config: QrVerifierConfig) -> Self {
        let replay = ReplayCache::new(config.replay_capacity);
        Self {
            config,
            challenges: HashMap::new(),
            replay,
        }
    }

    /// Opens a challenge valid for `ttl` seconds. `None` if challenge mode is disabled.
    pub fn new_challenge(
        &mut self,
        now: i64,
        ttl: u64,
        rng: &mut dyn CryptoRngCore,
    ) -> Option<Challenge> {
        let verifier = self.config.verifier_id.clone()?;
        let expires_at = now.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX));
        let nonce = random_nonce(rng);
        self.forget_expired(now);
        self.challenges
            .insert(nonce.clone(), ChallengeState::Open { expires_at });
        Some(Challenge {
            verifier,
            nonce,
            expires_at,
        })
    }

    fn forget_expired(&mut self, now: i64) {
        let skew = i64::try_from(self.config.clock_skew).unwrap_or(i64::MAX);
        let window = i64::try_from(self.config.window).unwrap_or(i64::MAX);
        // Expired challenges are kept a little longer so a late answer is told "expired" rather
        // than "unknown".
        self.challenges.retain(|_, state| match *state {
            ChallengeState::Open { expires_at } => {
                expires_at.saturating_add(skew).saturating_add(window) >= now
            }
            ChallengeState::Used { forget_after } => forget_after >= now,
        });
    }

    /// Verifies a scanned text — a `CW1:` payload or a plain SD-JWT+KB string from another wallet
    /// — against the trust resolver at `now`, enforcing this verifier's freshness rules.
    pub fn verify(
        &mut self,
        text: &str,
        resolver: &dyn IssuerKeyResolver,
        now: i64,
    ) -> Result<ScanResult, VcError> {
        let (report, offline) = self.verify_with(
            text,
            now,
            |presentation, policy| verify_presentation(presentation, resolver, policy),
            |report| report.key_binding.as_ref(),
        )?;
        Ok(ScanResult { report, offline })
    }

    /// As [`QrVerifier::verify`], but the credential is checked fully offline by
    /// [`verify_with_trust`]: trust-list freshness, issuer listed and authorised for the `vct`,
    /// and its status in `cache`. A presentation is remembered against replay only once it has
    /// passed every check, so a code refused for a missing status list can be scanned again
    /// after the list is cached. Returns the report and whether it was an offline code.
    pub fn verify_trusted(
        &mut self,
        text: &str,
        trust: &VerifiedTrustList,
        cache: &StatusCache,
        trust_policy: &TrustPolicy,
        now: i64,
    ) -> Result<(TrustedReport, bool), VcError> {
        self.verify_with(
            text,
            now,
            |presentation, policy| {
                verify_with_trust(presentation, trust, cache, policy, trust_policy)
            },
            |report| report.report.key_binding.as_ref(),
        )
    }

    /// The freshness rules around one verification: decode the text, choose the key-binding
    /// expectation from the KB-JWT's audience (offline code or one of this verifier's open
    /// challenges), run `check` under that policy, then record the presentation (replay cache)
    /// or close the challenge. `check` is the verification proper, so both kinds of verifier
    /// share one implementation of these rules.
    fn verify_with<T>(
        &mut self,
        text: &str,
        now: i64,
        check: impl FnOnce(&str, &VerifyPolicy) -> Result<T, VcError>,
        key_binding: impl FnOnce(&T) -> Option<&KeyBindingReport>,
    ) -> Result<(T, bool), VcError> {
        let presentation = if transport::is_payload(text) {
            transport::decode(text).map_err(VcError::Transport)?
        } else if text.contains('~') {
            text.to_owned()
        } else {
            return Err(VcError::Transport(transport::TransportError::NotAPayload));
        };
        let skew = i64::try_from(self.config.clock_skew).unwrap_or(i64::MAX);
        // The token names its audience; the verifier's configuration decides which audiences
        // (and so which rules) are acceptable at all.
        let (aud, nonce) = peek_kb(&presentation);
        let offline = aud.as_deref() == Some(OFFLINE_AUDIENCE) && self.config.accept_offline;
        let challenge_aud = self.config.verifier_id.clone();
        let expectation = if offline || aud.is_none() {
            KbExpectation {
                audience: OFFLINE_AUDIENCE.to_owned(),
                nonce: None,
                max_age: self.config.window,
            }
        } else if aud.is_some() && aud == challenge_aud {
            let nonce = nonce.clone().unwrap_or_default();
            self.forget_expired(now);
            match self.challenges.get(&nonce) {
                None => return Err(VcError::Freshness(FreshnessError::ChallengeUnknown)),
                Some(ChallengeState::Used { .. }) => {
                    return Err(VcError::Freshness(FreshnessError::ChallengeUsed));
                }
                Some(ChallengeState::Open { expires_at })
                    if expires_at.saturating_add(skew) < now =>
                {
                    return Err(VcError::Freshness(FreshnessError::ChallengeExpired));
                }
                Some(ChallengeState::Open { .. }) => {}
            }
            KbExpectation {
                audience: aud.clone().unwrap_or_default(),
                nonce: Some(nonce),
                max_age: self.config.window,
            }
        } else {
            return Err(VcError::Freshness(FreshnessError::WrongAudience));
        };
        let policy = VerifyPolicy {
            now,
            clock_skew: self.config.clock_skew,
            key_binding: KeyBindingPolicy::Required(expectation),
        };
        let report = check(&presentation, &policy)?;
        let kb = key_binding(&report).ok_or(VcError::SdJwt(crate::sdjwt::SdJwtError::KbMissing))?;
        let forget_after = replay_forget_after(kb.iat, self.config.window, self.config.clock_skew);
        if offline {
            self.replay
                .check_and_record(&kb.sd_hash, &kb.nonce, forget_after, now)
                .map_err(VcError::Freshness)?;
        } else {
            self.challenges
                .insert(kb.nonce.clone(), ChallengeState::Used { forget_after });
        }
        Ok((report, offline))
    }

    /// Number of presentations remembered for replay detection.
    pub fn replay_entries(&self) -> usize {
        self.replay.len()
    }

    /// Replaces the in-memory replay cache with `cache` — typically [`ReplayCache::open`], so
    /// that the history survives a restart of the verifier.
    pub fn set_replay_cache(&mut self, cache: ReplayCache) {
        self.replay = cache;
    }
}

/// Reads `aud` and `nonce` of the KB-JWT without verifying anything (verification follows).
fn peek_kb(presentation: &str) -> (Option<String>, Option<String>) {
    let Some(kb) = SdJwtParts::split(presentation).ok().and_then(|p| p.kb_jwt) else {
        return (None, None);
    };
    let Some(payload) = Jws::parse(kb).ok().and_then(|j| j.payload().ok()) else {
        return (None, None);
    };
    let get = |k: &str| payload.get(k).and_then(Value::as_str).map(str::to_owned);
    (get("aud"), get("nonce"))
}
