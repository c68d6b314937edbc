//! The verifier's session: freshness and anti-replay for shown certificates (docs/qr-format.md
//! §9, docs/security.md), on the protocol of [`crate::qr::freshness`].
//!
//! Two modes:
//! - **Offline refreshing code**: the holder signs a new KB-JWT for every display. The verifier accepts a KB-JWT no older than its window and
//!   remembers every accepted (`sd_hash`, `nonce`) until it ages out, so a code scanned twice —
//!   a screenshot replayed — is refused.
//! - **Challenge**: the verifier shows its own QR ([`Challenge`]); the holder answers with a
//!   presentation bound to it. The verifier accepts
//!   only an open challenge of its own, once.
//!
//! The replay history is in memory by default; [`ReplayCache::open`] keeps it in a file, so that
//! it survives a restart of the verifier and is shared by the processes using that file.

use super::replay_file::{self, Journal, ReplayKey, replay_key};
use crate::format::credential::VcError;
use crate::format::jws::Jws;
use crate::format::sdjwt::{KbExpectation, SdJwtParts};
use crate::qr::freshness::{
    Challenge, DEFAULT_SKEW_SECONDS, DEFAULT_WINDOW_SECONDS, OFFLINE_AUDIENCE, random_nonce,
};
use crate::qr::transport;
use crate::trust::IssuerKeyResolver;
use crate::trust::VerifiedTrustList;
use crate::verifier::bulk::BulkItem;
use crate::verifier::error::FreshnessError;
use crate::verifier::error::VerifyError;
use crate::verifier::replay_file::ReplayCacheError;
use crate::verifier::status_cache::StatusCache;
use crate::verifier::verify::{
    KeyBindingPolicy, KeyBindingReport, TrustPolicy, TrustedReport, VerificationReport,
    VerifyPolicy, verify_presentation, verify_with_trust,
};
use rand_core::CryptoRngCore;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// Most remembered (sd_hash, nonce) pairs; past it the verifier fails closed rather than forget.
pub const DEFAULT_REPLAY_CAPACITY: usize = 1_000_000;

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
/// the file; the format and its crash and concurrency rules are in `verifier/replay_file.rs`).
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

    /// The entries still live at `now`, as text in the replay file's format (docs/qr-format.md
    /// §9): what a verifier without files keeps between runs (the web verifier, in IndexedDB)
    /// and hands back to [`ReplayCache::from_snapshot`]. Holds no claim and no token.
    pub fn snapshot(&self, now: i64) -> String {
        replay_file::snapshot(&self.seen, now)
    }

    /// An in-memory cache holding the entries of `snapshot` still live at `now`. A damaged
    /// snapshot is refused ([`ReplayCacheError::Corrupt`]), never read as an empty history.
    pub fn from_snapshot(
        snapshot: &str,
        capacity: usize,
        now: i64,
    ) -> Result<Self, ReplayCacheError> {
        Ok(Self {
            seen: replay_file::read_snapshot(snapshot, capacity, now)?,
            capacity,
            file: None,
        })
    }

    /// Adds the entries of `snapshot` still live at `now` to this cache (an entry already
    /// here keeps the later expiry): restoring a kept history never forgets a code accepted
    /// since. More live entries than the capacity is [`ReplayCacheError::TooLarge`], and the
    /// cache is left as it was. Returns how many entries the cache then holds.
    pub fn merge_snapshot(&mut self, snapshot: &str, now: i64) -> Result<usize, ReplayCacheError> {
        let incoming = replay_file::read_snapshot(snapshot, self.capacity, now)?;
        let mut merged = self.seen.clone();
        merged.retain(|_, until| *until >= now);
        for (key, until) in incoming {
            let entry = merged.entry(key).or_insert(until);
            *entry = (*entry).max(until);
        }
        if merged.len() > self.capacity {
            return Err(ReplayCacheError::TooLarge {
                max: u64::try_from(self.capacity).unwrap_or(u64::MAX),
            });
        }
        self.seen = merged;
        Ok(self.seen.len())
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
    /// ([`crate::verifier::bulk::verify_bulk_with_trust`]); each entry's window, skew and scan time are
    /// those of its item's policy. Refused or failed results are left as they are.
    pub fn screen_bulk(
        &mut self,
        items: &[BulkItem],
        results: &mut [Result<TrustedReport, VerifyError>],
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
                *result = Err(VerifyError::Freshness(e));
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
    ) -> Result<ScanResult, VerifyError> {
        let (report, offline) = self.verify_with(
            text,
            now,
            |presentation, policy| {
                verify_presentation(presentation, resolver, policy).map_err(VerifyError::from)
            },
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
    ) -> Result<(TrustedReport, bool), VerifyError> {
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
        check: impl FnOnce(&str, &VerifyPolicy) -> Result<T, VerifyError>,
        key_binding: impl FnOnce(&T) -> Option<&KeyBindingReport>,
    ) -> Result<(T, bool), VerifyError> {
        let presentation = if transport::is_payload(text) {
            transport::decode(text).map_err(VerifyError::Transport)?
        } else if text.contains('~') {
            text.to_owned()
        } else {
            return Err(VerifyError::Transport(
                transport::TransportError::NotAPayload,
            ));
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
                None => return Err(VerifyError::Freshness(FreshnessError::ChallengeUnknown)),
                Some(ChallengeState::Used { .. }) => {
                    return Err(VerifyError::Freshness(FreshnessError::ChallengeUsed));
                }
                Some(ChallengeState::Open { expires_at })
                    if expires_at.saturating_add(skew) < now =>
                {
                    return Err(VerifyError::Freshness(FreshnessError::ChallengeExpired));
                }
                Some(ChallengeState::Open { .. }) => {}
            }
            KbExpectation {
                audience: aud.clone().unwrap_or_default(),
                nonce: Some(nonce),
                max_age: self.config.window,
            }
        } else {
            return Err(VerifyError::Freshness(FreshnessError::WrongAudience));
        };
        let policy = VerifyPolicy {
            now,
            clock_skew: self.config.clock_skew,
            key_binding: KeyBindingPolicy::Required(expectation),
        };
        let report = check(&presentation, &policy)?;
        let kb = key_binding(&report)
            .ok_or(VcError::SdJwt(crate::format::sdjwt::SdJwtError::KbMissing))?;
        let forget_after = replay_forget_after(kb.iat, self.config.window, self.config.clock_skew);
        if offline {
            self.replay
                .check_and_record(&kb.sd_hash, &kb.nonce, forget_after, now)
                .map_err(VerifyError::Freshness)?;
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

    /// The replay history.
    pub fn replay_cache(&self) -> &ReplayCache {
        &self.replay
    }

    /// The replay history, to add a kept snapshot to ([`ReplayCache::merge_snapshot`]).
    pub fn replay_cache_mut(&mut self) -> &mut ReplayCache {
        &mut self.replay
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
