//! The verifier's offline store of Status List Tokens (draft-ietf-oauth-status-list-20 §8,
//! §13.7 caching), so a verifier that downloaded the lists earlier can check statuses with no
//! network: one file per list URI in a directory (the CLI, which runs once per scan), or a map
//! in memory (an app that keeps a verifier open and hands it the tokens it fetched, e.g. through
//! the C FFI, where the app decides where bytes are kept).
//!
//! The cache also remembers, in a bounded [`StatusListMemo`], the lists [`check_status`]
//! has verified and inflated (§8.3 steps 3–5 done once per token rather than once per
//! credential), keyed by the list URI and the exact token they came from.

use crate::encoding::b64_encode;
use crate::format::credential::StatusRef;
use crate::format::keys::PublicKey;
use crate::status::{
    MAX_TOKEN_BYTES, MEMO_MAX_BYTES, MEMO_MAX_LISTS, StatusError, StatusKeyResolver, StatusListJwt,
    StatusListToken, StatusReport, UnknownStatusPolicy, status_in, verify_cached_token,
};
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use std::fs;
use std::io::{ErrorKind, Read as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Status List Tokens keyed by their URI, in a directory or in memory. Tokens are verified when
/// stored (so a forged token cannot displace a real one) and again before first use (the files
/// may have been changed on disk since); the verified, inflated list is then kept in the
/// cache's [`StatusListMemo`] for as long as the stored token stays byte-for-byte the same.
/// Clones share the same tokens and the same memo.
#[derive(Debug, Clone)]
pub struct StatusCache {
    backend: Backend,
    memo: Arc<StatusListMemo>,
}

#[derive(Debug, Clone)]
enum Backend {
    Dir(PathBuf),
    // A mutex because `store` takes `&self` (as the directory backend does, where the file
    // system serialises writers) and a verifier may be shared between threads. Tokens are
    // shared strings so that the memo can tell, by pointer, that a token is the one it loaded.
    Memory(Arc<Mutex<HashMap<String, Arc<str>>>>),
}

impl StatusCache {
    /// Opens (creating if needed) the cache directory.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, StatusError> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir).map_err(|e| StatusError::io(&e))?;
        Ok(Self {
            backend: Backend::Dir(dir),
            memo: Arc::default(),
        })
    }

    /// An empty cache kept in memory only, gone when the last clone is dropped.
    pub fn in_memory() -> Self {
        Self {
            backend: Backend::Memory(Arc::default()),
            memo: Arc::default(),
        }
    }

    /// The file holding the token for `uri`: the SHA-256 of the URI in base64url, so any URI
    /// maps to a safe, fixed-length file name (no path traversal through a crafted URI).
    fn path_for(dir: &Path, uri: &str) -> PathBuf {
        dir.join(format!(
            "{}.jwt",
            b64_encode(Sha256::digest(uri.as_bytes()))
        ))
    }

    /// Verifies `token` with a key from `keys` (the trust list) and stores it under its `sub`.
    /// A token issued before the one already cached is refused ([`StatusError::Rollback`]) so
    /// that a replayed old list cannot hide a later revocation. Returns the list URI.
    pub fn store(&self, token: &str, keys: &dyn StatusKeyResolver) -> Result<String, StatusError> {
        let token = token.trim();
        let jwt = StatusListJwt::parse(token)?;
        let key = keys.status_key(jwt.claims().iss.as_deref(), jwt.kid(), jwt.claims().iat)?;
        let verified = jwt.verify(&key)?;
        let uri = verified.claims.uri;
        if let Some(existing) = self.get(&uri)? {
            // The cached copy was verified when stored; its iat is only compared here.
            if let Ok(old) = StatusListJwt::parse(&existing)
                && old.claims().iat > verified.claims.iat
            {
                return Err(StatusError::Rollback);
            }
        }
        match &self.backend {
            Backend::Dir(dir) => {
                crate::fsutil::write_atomic(&Self::path_for(dir, &uri), token.as_bytes(), 0o644)
                    .map_err(|e| StatusError::io(&e))?;
            }
            Backend::Memory(map) => {
                // A poisoned lock only means another thread panicked mid-insert of a whole
                // String; the map itself is still consistent.
                map.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(uri.clone(), Arc::from(token));
            }
        }
        // Not needed for correctness (a memo entry only serves the exact token it was loaded
        // from), but the old list need not stay in memory.
        self.memo.forget(&uri);
        Ok(uri)
    }

    /// Stores the Status List Tokens an issuer's Status List Aggregation (§9, the parsed
    /// `status_lists` of [`crate::status::parse_aggregation`]) names — at national scale one per
    /// issuance shard — as a verifier preparing to work offline does after fetching them. Each
    /// token is checked and stored on its own ([`Self::store`]); one that fails does not stop the
    /// others (§9: a relying party SHOULD continue with the other lists). A token whose `sub` the
    /// aggregation does not name is refused unverified ([`StatusError::NotInAggregation`]), and every
    /// URI of the aggregation no token was given for is reported missing.
    pub fn store_aggregation(
        &self,
        aggregation: &[String],
        tokens: &[&str],
        keys: &dyn StatusKeyResolver,
    ) -> AggregationResult {
        let listed: std::collections::HashSet<&str> =
            aggregation.iter().map(String::as_str).collect();
        let mut result = AggregationResult::default();
        let mut stored = std::collections::HashSet::new();
        for (i, token) in tokens.iter().enumerate() {
            let claimed = StatusListJwt::parse(token.trim()).map(|j| j.claims().uri.clone());
            let outcome = match claimed {
                Err(e) => Err(e),
                Ok(uri) if !listed.contains(uri.as_str()) => Err(StatusError::NotInAggregation),
                Ok(_) => self.store(token, keys),
            };
            match outcome {
                Ok(uri) => {
                    stored.insert(uri.clone());
                    result.cached.push(uri);
                }
                Err(e) => result.refused.push((i, e)),
            }
        }
        result.missing = aggregation
            .iter()
            .filter(|u| !stored.contains(u.as_str()))
            .cloned()
            .collect();
        result
    }

    /// The cached token for `uri`, if any (not verified: [`check_status`] does that).
    /// Files larger than [`MAX_TOKEN_BYTES`] are refused before being read.
    pub fn get(&self, uri: &str) -> Result<Option<String>, StatusError> {
        Ok(self.get_shared(uri)?.map(|token| token.as_ref().to_owned()))
    }

    /// [`Self::get`] without copying an in-memory token.
    fn get_shared(&self, uri: &str) -> Result<Option<Arc<str>>, StatusError> {
        let dir = match &self.backend {
            Backend::Dir(dir) => dir,
            Backend::Memory(map) => {
                let map = map.lock().unwrap_or_else(PoisonError::into_inner);
                return Ok(map.get(uri).cloned());
            }
        };
        let file = match fs::File::open(Self::path_for(dir, uri)) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StatusError::io(&e)),
        };
        let limit = u64::try_from(MAX_TOKEN_BYTES).unwrap_or(u64::MAX);
        // Sized from the file (bounded by the limit) so a large token is read without
        // reallocating: this read happens on every status check (see `load_verified`).
        let size = file
            .metadata()
            .map_or(0, |m| m.len())
            .min(limit.saturating_add(1));
        let mut text = String::with_capacity(usize::try_from(size).unwrap_or(0));
        file.take(limit.saturating_add(1))
            .read_to_string(&mut text)
            .map_err(|e| StatusError::io(&e))?;
        if text.len() > MAX_TOKEN_BYTES {
            return Err(StatusError::TooLarge);
        }
        Ok(Some(Arc::from(text)))
    }

    /// Removes the cached token for `uri` (no error if there was none).
    pub fn remove(&self, uri: &str) -> Result<(), StatusError> {
        self.memo.forget(uri);
        let dir = match &self.backend {
            Backend::Dir(dir) => dir,
            Backend::Memory(map) => {
                map.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(uri);
                return Ok(());
            }
        };
        match fs::remove_file(Self::path_for(dir, uri)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StatusError::io(&e)),
        }
    }

    /// The memo of verified, inflated lists that [`check_status`] keeps in this cache
    /// (shared by its clones): its counters show how often the whole work was done.
    pub fn memo(&self) -> &StatusListMemo {
        &self.memo
    }

    /// [`super::load_status_list`] through the memo: the token cached for `uri`, verified as a
    /// list of `issuer` with a key from `keys` and inflated, or the list remembered from an
    /// earlier call when nothing it depends on has changed.
    ///
    /// The token is read from the cache on every call and compared, byte for byte, with the one
    /// the remembered list came from. For the directory backend that is a read of one file; it
    /// is kept (rather than trusting file metadata) because a token may be replaced by another
    /// process (`wallet status cache`) within the timestamp resolution of the file system, and
    /// a rename can reuse an inode number: only the bytes say for sure which token is cached.
    /// Reading and comparing costs about 0.3 µs per kilobyte of token (133 µs for the 430 KB
    /// token of a 16-million-entry list, against 5 ms for a full load); it is the signature
    /// check and the inflate of up to [`super::MAX_LIST_BYTES`] that are saved. In memory, the
    /// token is a shared string and the comparison is usually by pointer.
    ///
    /// What depends on the caller is checked again on every call, exactly as a fresh load would:
    /// the token's `iss` against `issuer`, and the key `keys` returns for the token's `kid` at
    /// its `iat`, which must be the key that verified the remembered list (another key means a
    /// full verification). Only successful loads are remembered, so errors are those of a fresh
    /// load.
    pub(super) fn load_verified(
        &self,
        uri: &str,
        issuer: &str,
        keys: &dyn StatusKeyResolver,
    ) -> Result<Option<Arc<StatusListToken>>, StatusError> {
        let Some(token) = self.get_shared(uri)? else {
            self.memo.forget(uri);
            return Ok(None);
        };
        if let Some(hit) = self.memo.lookup(uri, &token) {
            // The same bytes parse the same way, so `sub` still matches and the signature still
            // verifies under `hit.key`; the issuer and the key come from the caller.
            if hit.list.claims.iss.as_deref().is_some_and(|i| i != issuer) {
                return Err(StatusError::IssuerMismatch);
            }
            let key =
                keys.status_key(Some(issuer), hit.header_kid.as_deref(), hit.list.claims.iat)?;
            if key == hit.key {
                return Ok(Some(hit.list));
            }
        }
        // Outside the memo's lock: a large list takes milliseconds to inflate, and checks of
        // other lists (from other threads) need not wait for it. Two threads missing on the same
        // token both load it; the second insert replaces the first.
        self.memo.loads.fetch_add(1, Ordering::Relaxed);
        let loaded = verify_cached_token(&token, uri, issuer, keys)?;
        let list = Arc::new(loaded.token);
        self.memo.insert(MemoEntry {
            uri: uri.to_owned(),
            token,
            header_kid: loaded.header_kid,
            key: loaded.key,
            list: Arc::clone(&list),
            last_used: 0,
        });
        Ok(Some(list))
    }
}

/// Status lists a [`StatusCache`] has verified and inflated for [`check_status`], by
/// list URI, each with the exact token it came from and the key that verified it. At most
/// [`MEMO_MAX_LISTS`] lists and [`MEMO_MAX_BYTES`] bytes are kept (least recently used dropped
/// first), whatever the tokens say. Safe to share between threads (a mutex inside, held only to
/// look up or insert an entry, never while verifying or inflating).
///
/// Freshness (`iat`, `exp`, `ttl`) is not remembered: each check judges the list at its own
/// `now`. [`StatusListMemo::loads`] counts the full loads, so tests and benchmarks can see that
/// the memo works.
#[derive(Default)]
pub struct StatusListMemo {
    entries: Mutex<MemoEntries>,
    loads: AtomicU64,
}

#[derive(Default)]
struct MemoEntries {
    entries: Vec<MemoEntry>,
    /// Logical clock for least-recently-used eviction.
    clock: u64,
}

struct MemoEntry {
    uri: String,
    /// The token exactly as the cache returned it.
    token: Arc<str>,
    header_kid: Option<String>,
    key: PublicKey,
    list: Arc<StatusListToken>,
    last_used: u64,
}

impl MemoEntry {
    /// Memory held: the list and the token (counted even when the in-memory cache shares it).
    fn bytes(&self) -> usize {
        self.token
            .len()
            .saturating_add(self.list.list.as_bytes().len())
    }
}

/// What a memo hit hands back (clones: the lock is released before they are used).
struct MemoHit {
    header_kid: Option<String>,
    key: PublicKey,
    list: Arc<StatusListToken>,
}

impl std::fmt::Debug for StatusListMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatusListMemo")
            .field("lists", &self.len())
            .field("bytes", &self.bytes())
            .field("loads", &self.loads())
            .finish()
    }
}

impl StatusListMemo {
    /// How many times a token was fully loaded (parsed, signature verified, list inflated),
    /// successfully or not: once per distinct token and key, plus once per token dropped from
    /// the memo and needed again. Every other [`check_status`] was a lookup.
    pub fn loads(&self) -> u64 {
        self.loads.load(Ordering::Relaxed)
    }

    /// Number of lists held (at most [`MEMO_MAX_LISTS`]).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no list is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held: lists plus their tokens (at most [`MEMO_MAX_BYTES`]).
    pub fn bytes(&self) -> usize {
        self.lock()
            .entries
            .iter()
            .fold(0usize, |sum, e| sum.saturating_add(e.bytes()))
    }

    /// Drops every list held (the counter of loads is kept).
    pub fn clear(&self) {
        self.lock().entries.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoEntries> {
        // A panic while the lock is held could only interrupt a push or a swap_remove of whole
        // entries; every entry in the vector is still a consistent one.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The entry for `uri` if it was loaded from exactly `token`.
    fn lookup(&self, uri: &str, token: &Arc<str>) -> Option<MemoHit> {
        let mut memo = self.lock();
        memo.clock = memo.clock.wrapping_add(1);
        let now = memo.clock;
        let entry = memo.entries.iter_mut().find(|e| e.uri == uri)?;
        // The entry holds its token, so no other token can be allocated at that address while
        // the entry exists: equal pointers mean the same token.
        if !(Arc::ptr_eq(&entry.token, token) || *entry.token == **token) {
            return None;
        }
        entry.last_used = now;
        Some(MemoHit {
            header_kid: entry.header_kid.clone(),
            key: entry.key.clone(),
            list: Arc::clone(&entry.list),
        })
    }

    /// Remembers `entry`, replacing any entry for its URI and dropping the least recently used
    /// ones until it fits; an entry larger than the whole budget is not kept.
    fn insert(&self, mut entry: MemoEntry) {
        let size = entry.bytes();
        let mut memo = self.lock();
        memo.entries.retain(|e| e.uri != entry.uri);
        if size > MEMO_MAX_BYTES {
            return;
        }
        loop {
            let held = memo
                .entries
                .iter()
                .fold(0usize, |sum, e| sum.saturating_add(e.bytes()));
            let full =
                memo.entries.len() >= MEMO_MAX_LISTS || held.saturating_add(size) > MEMO_MAX_BYTES;
            if !full {
                break;
            }
            let oldest = memo
                .entries
                .iter()
                .enumerate()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(i, _)| i);
            match oldest {
                Some(i) => {
                    memo.entries.swap_remove(i);
                }
                None => break,
            }
        }
        memo.clock = memo.clock.wrapping_add(1);
        entry.last_used = memo.clock;
        memo.entries.push(entry);
    }

    /// Drops the entry for `uri`, if any.
    fn forget(&self, uri: &str) {
        self.lock().entries.retain(|e| e.uri != uri);
    }
}

/// §8.3 offline: finds the cached token for `status.uri`, verifies it with a key of `issuer`
/// (from `keys`, normally the trust list), checks `sub`, `iat`/`exp`, the index bounds and the
/// value. Revoked, suspended, out-of-range and unrecognised statuses always reject; an
/// unknown or expired list rejects unless `policy` is [`UnknownStatusPolicy::Accept`].
///
/// The verified, inflated list is remembered in the cache's [`StatusListMemo`]: a later check
/// against the same token, verified by the same key, is a lookup of one entry. The token is
/// still read from the cache and compared on every call (so a newer or removed token is seen at
/// once), `iss` and the key are still resolved through `keys`, and `iat`/`exp` are still judged
/// at this call's `now`: the result is the one a fresh load would give.
pub fn check_status(
    status: &StatusRef,
    issuer: &str,
    cache: &StatusCache,
    keys: &dyn StatusKeyResolver,
    now: i64,
    skew: u64,
    policy: UnknownStatusPolicy,
) -> Result<StatusReport, StatusError> {
    let token = cache.load_verified(&status.uri, issuer, keys)?;
    status_in(status, token.as_deref(), now, skew, policy)
}

/// The first half of [`check_status`], which does not depend on the time or the index: finds
/// the cached token for `uri` and verifies it as a list of `issuer` (`None` when no token is
/// cached). A verifier checking many credentials loads each list once and keeps the result.
/// This always does the whole work (read, verify, inflate); [`check_status`] goes through the
/// cache's memo instead.
pub fn load_status_list(
    uri: &str,
    issuer: &str,
    cache: &StatusCache,
    keys: &dyn StatusKeyResolver,
) -> Result<Option<StatusListToken>, StatusError> {
    let Some(token) = cache.get(uri)? else {
        return Ok(None);
    };
    verify_cached_token(&token, uri, issuer, keys).map(|loaded| Some(loaded.token))
}

/// What [`StatusCache::store_aggregation`] did.
#[derive(Debug, Default)]
pub struct AggregationResult {
    /// The list URIs stored, in the order of the tokens given.
    pub cached: Vec<String>,
    /// The tokens refused: their position among the tokens given, and why.
    pub refused: Vec<(usize, StatusError)>,
    /// The aggregation's URIs no stored token covers.
    pub missing: Vec<String>,
}

impl AggregationResult {
    /// Every listed status list is cached and no token was refused.
    pub fn complete(&self) -> bool {
        self.refused.is_empty() && self.missing.is_empty()
    }
}
