//! A verifier device in one value: the pinned trust list, the Status List Tokens it was handed
//! (kept in memory) and the show-certificate freshness state (replay cache — in memory, or in a
//! file with [`Verifier::set_replay_cache`] — and open challenges).
//! An app that keeps a verifier open between scans — the C FFI's `wallet_verifier` — holds one
//! [`Verifier`] and gets, for each scan, the same checks and the same JSON report as
//! `wallet verify --json`.
//!
//! Status lists (draft-ietf-oauth-status-list-20 §8.3) are verified and inflated once per token:
//! the verifier's [`StatusCache`] remembers the decoded lists ([`StatusListMemo`]),
//! so a scan against a list already used is a lookup, while the list's freshness is still judged
//! at each scan's `now`.

use crate::format::credential::catalogue::Lang;
use crate::format::keys::{AlgorithmPolicy, KeyVerifier};
use crate::qr::freshness::Challenge;
use crate::status::StatusError;
use crate::trust::{TrustError, VerifiedTrustList};
use crate::verifier::error::VerifyError;
use crate::verifier::report;
use crate::verifier::session::{QrVerifier, QrVerifierConfig, ReplayCache};
use crate::verifier::status_cache::{StatusCache, StatusListMemo};
use crate::verifier::verify::{TrustPolicy, TrustedReport};
use rand_core::CryptoRngCore;
use serde_json::Value;

/// How a [`Verifier`] judges what it scans.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifierConfig {
    /// Freshness rules: KB-JWT window, clock skew, replay-cache size, and the verifier's own
    /// identifier for challenge mode.
    pub qr: QrVerifierConfig,
    /// Trust-list staleness and unknown-status rules.
    pub trust: TrustPolicy,
    /// The algorithms accepted per role (default: all).
    pub algorithms: AlgorithmPolicy,
}

/// A verifier's trust anchor, status lists and scan history. Scanning needs `&mut self` because
/// every accepted offline code is remembered (so a screenshot of it is refused later); wrap it
/// in a mutex to share it between threads.
#[derive(Debug, Clone)]
pub struct Verifier {
    trust: VerifiedTrustList,
    cache: StatusCache,
    qr: QrVerifier,
    trust_policy: TrustPolicy,
}

impl Verifier {
    /// A verifier that trusts the issuers of `trust_list` (a compact JWS) once it verifies under
    /// the pinned `root` key at `now`, with an empty in-memory status cache.
    pub fn new<K: KeyVerifier + ?Sized>(
        trust_list: &str,
        root: &K,
        now: i64,
        config: VerifierConfig,
    ) -> Result<Self, TrustError> {
        let trust = VerifiedTrustList::verify_with(
            trust_list,
            root,
            now,
            config.qr.clock_skew,
            config.trust.stale_trust_list,
            config.algorithms,
        )?;
        Ok(Self {
            trust,
            cache: StatusCache::in_memory(),
            qr: QrVerifier::new(config.qr),
            trust_policy: config.trust,
        })
    }

    /// The trust list in use.
    pub fn trust_list(&self) -> &VerifiedTrustList {
        &self.trust
    }

    /// Verifies a Status List Token with the trust list (signed by a listed issuer key) and keeps
    /// it for later status checks, replacing an older token for the same list; an older token
    /// than the one kept is refused ([`StatusError::Rollback`]). Returns the list URI.
    pub fn add_status_list(&self, token: &str) -> Result<String, StatusError> {
        self.cache.store(token, &self.trust)
    }

    /// Verifies a scanned text (a `CW1:` payload or a plain SD-JWT+KB) at `now`: freshness and
    /// replay rules, signature, trust list, validity and status.
    pub fn verify(&mut self, text: &str, now: i64) -> Result<TrustedReport, VerifyError> {
        // What a camera scan or a paste from a chat app gives: line breaks and invisible
        // characters are removed only when the result is a canonical payload.
        let text = crate::qr::transport::normalize_input(text);
        self.qr
            .verify_trusted(&text, &self.trust, &self.cache, &self.trust_policy, now)
            .map(|(report, _offline)| report)
    }

    /// [`Verifier::verify`] as the JSON report every front end shows
    /// ([`report::result_json`]), labels in `lang`.
    pub fn verify_report(&mut self, text: &str, now: i64, lang: Lang) -> Value {
        let result = self.verify(text, now);
        report::result_json(&result, lang, now)
    }

    /// Opens a challenge valid for `ttl` seconds for a holder to answer; `None` when the
    /// configuration has no verifier identifier (challenge mode off).
    pub fn new_challenge(
        &mut self,
        now: i64,
        ttl: u64,
        rng: &mut dyn CryptoRngCore,
    ) -> Option<Challenge> {
        self.qr.new_challenge(now, ttl, rng)
    }

    /// The memo of the status lists this verifier has verified and inflated
    /// ([`StatusListMemo::loads`] tells how many times that work was done).
    pub fn status_memo(&self) -> &StatusListMemo {
        self.cache.memo()
    }

    /// Number of presentations remembered for replay detection.
    pub fn replay_entries(&self) -> usize {
        self.qr.replay_entries()
    }

    /// The replay history still live at `now` as text ([`ReplayCache::snapshot`]), for a
    /// verifier without files to keep and restore with [`Verifier::set_replay_cache`] and
    /// [`ReplayCache::from_snapshot`].
    pub fn replay_snapshot(&self, now: i64) -> String {
        self.qr.replay_cache().snapshot(now)
    }

    /// Adds a kept replay history to this verifier's ([`ReplayCache::merge_snapshot`]): codes
    /// accepted since the snapshot stay refused. Returns how many entries are then held.
    pub fn merge_replay_snapshot(
        &mut self,
        snapshot: &str,
        now: i64,
    ) -> Result<usize, crate::verifier::ReplayCacheError> {
        self.qr.replay_cache_mut().merge_snapshot(snapshot, now)
    }

    /// Keeps the replay history in `cache` from now on — typically a file-backed
    /// [`ReplayCache::open`], so that a verifier created afresh (after a restart, or one handle
    /// per scan) still refuses a code accepted before.
    pub fn set_replay_cache(&mut self, cache: ReplayCache) {
        self.qr.set_replay_cache(cache);
    }
}
