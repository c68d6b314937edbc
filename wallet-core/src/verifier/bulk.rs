//! Verifier back end, bulk step: verifies many presentations at once — an audit of a day of
//! scans from an entry gate, say — with the same result per presentation as
//! [`crate::verifier::verify::verify_presentation`] / [`crate::verifier::verify::verify_with_trust`], but checking
//! the Ed25519 signatures of a chunk of presentations in one randomised batch equation
//! ([`crate::format::keys::verify_batch`]) and spreading the chunks over threads.
//!
//! Exactness: every check except the signatures runs per presentation as in a single
//! verification. A chunk whose batch fails is split in halves until the failing signatures are
//! found with `verify_strict`; any presentation that fails anything is verified again on its
//! own, so its error code is exactly the one a single verification gives. Batch verification
//! is cofactorless, like `verify_strict`, but it cannot refuse a signature that only the key's
//! owner could have crafted with a torsion component in a mixed-order key; docs/security.md
//! discusses why this does not weaken what a verifier learns.

use crate::format::credential::VcError;
use crate::format::keys::{self, VerifyingKey};
use crate::qr::transport;
use crate::status::{StatusError, StatusListToken};
use crate::trust::IssuerKeyResolver;
use crate::trust::VerifiedTrustList;
use crate::verifier::error::VerifyError;
use crate::verifier::status_cache::{self, StatusCache};
use crate::verifier::verify::{
    PendingSignature, TrustPolicy, TrustedReport, VerificationReport, VerifyPolicy,
    verify_deferred, verify_sequential,
};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Presentations verified per batch equation: 256 presentations carry 512 signatures (with one
/// issuer, their 512 key terms merge into 257 points). When the batch was ed25519-dalek's, callgrind measured a
/// chunk of 64 at 783 k instructions per presentation, 256 at 737 k and 512 at 717 k: the
/// multi-scalar multiplication's cost per point flattens past a few hundred points. 256 keeps
/// most of the gain while a bad item costs only a few halvings and 4,096 scans still split into
/// enough chunks for every core.
pub const CHUNK: usize = 256;

/// Batches at or below this many signatures are checked one by one.
const SINGLES: usize = 2;

/// One presentation to verify and the rules for it (its own `now`: the time it was scanned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkItem {
    /// A `CW1:` QR payload or a plain SD-JWT+KB string.
    pub text: String,
    /// The rules, with the time the presentation was received as `now`.
    pub policy: VerifyPolicy,
}

/// Decodes a QR payload; anything else is taken as an SD-JWT+KB string.
fn presentation_text(text: &str) -> Result<Cow<'_, str>, VerifyError> {
    if transport::is_payload(text) {
        transport::decode(text)
            .map(Cow::Owned)
            .map_err(VerifyError::Transport)
    } else {
        Ok(Cow::Borrowed(text))
    }
}

/// Verifies `items` against `resolver`, using up to `threads` threads (at least one). The
/// result for each item is what [`verify_presentation`] returns for it.
pub fn verify_bulk(
    items: &[BulkItem],
    resolver: &(dyn IssuerKeyResolver + Sync),
    threads: usize,
) -> Vec<Result<VerificationReport, VerifyError>> {
    in_chunks(items, threads, |chunk| verify_chunk(chunk, resolver))
}

/// Verifies `items` as [`verify_bulk`] does, then applies the trust list and the cached status
/// lists exactly as [`crate::verifier::verify::verify_with_trust`] does. Each status list is loaded and
/// its signature verified once, not once per credential.
pub fn verify_bulk_with_trust(
    items: &[BulkItem],
    trust: &VerifiedTrustList,
    cache: &StatusCache,
    trust_policy: &TrustPolicy,
    threads: usize,
) -> Vec<Result<TrustedReport, VerifyError>> {
    let lists = ListMemo::default();
    in_chunks(items, threads, |chunk| {
        verify_chunk(chunk, trust)
            .into_iter()
            .zip(chunk)
            .map(|(result, item)| {
                let trust_list = trust.freshness(
                    item.policy.now,
                    item.policy.clock_skew,
                    trust_policy.stale_trust_list,
                )?;
                let report = result?;
                let entry = trust.issuer(&report.issuer).ok_or(VcError::UnknownIssuer)?;
                let status = match &report.status {
                    None => trust_policy.no_status()?,
                    Some(reference) => {
                        let list = lists.get(&reference.uri, &report.issuer, cache, trust)?;
                        Some(crate::status::status_in(
                            reference,
                            list.as_deref(),
                            item.policy.now,
                            item.policy.clock_skew,
                            trust_policy.unknown_status,
                        )?)
                    }
                };
                Ok(TrustedReport {
                    issuer_name_zh: entry.name_zh.clone(),
                    issuer_name_en: entry.name_en.clone(),
                    issuer_kid: report.issuer_kid.clone(),
                    trust_list,
                    status,
                    report,
                })
            })
            .collect()
    })
}

type LoadedList = Result<Option<Arc<StatusListToken>>, StatusError>;

/// Status lists loaded so far, by (URI, issuer): a list is fetched from the cache and its
/// signature verified the first time a credential names it.
#[derive(Default)]
struct ListMemo {
    lists: Mutex<HashMap<(String, String), LoadedList>>,
}

impl ListMemo {
    fn get(
        &self,
        uri: &str,
        issuer: &str,
        cache: &StatusCache,
        trust: &VerifiedTrustList,
    ) -> LoadedList {
        let key = (uri.to_owned(), issuer.to_owned());
        if let Some(hit) = self
            .lists
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return hit.clone();
        }
        // Loaded outside the lock: two threads may load the same list once each, which is
        // cheaper than making every other thread wait for a large list to decompress.
        let loaded =
            status_cache::load_status_list(uri, issuer, cache, trust).map(|t| t.map(Arc::new));
        self.lists
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, loaded.clone());
        loaded
    }
}

/// Runs `work` over chunks of `items` on up to `threads` threads; results in input order.
fn in_chunks<T: Send>(
    items: &[BulkItem],
    threads: usize,
    work: impl Fn(&[BulkItem]) -> Vec<T> + Sync,
) -> Vec<T> {
    let chunks: Vec<&[BulkItem]> = items.chunks(CHUNK).collect();
    let threads = threads.clamp(1, chunks.len().max(1));
    if threads == 1 {
        return chunks.into_iter().flat_map(&work).collect();
    }
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, Vec<T>)>> = Mutex::new(Vec::with_capacity(chunks.len()));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(chunk) = chunks.get(index) else {
                        break;
                    };
                    let out = work(chunk);
                    done.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push((index, out));
                }
            });
        }
    });
    let mut done = done.into_inner().unwrap_or_else(PoisonError::into_inner);
    done.sort_unstable_by_key(|(index, _)| *index);
    done.into_iter().flat_map(|(_, out)| out).collect()
}

/// Verifies one chunk on the calling thread.
fn verify_chunk(
    items: &[BulkItem],
    resolver: &dyn IssuerKeyResolver,
) -> Vec<Result<VerificationReport, VerifyError>> {
    let texts: Vec<Result<Cow<'_, str>, VerifyError>> = items
        .iter()
        .map(|item| presentation_text(&item.text))
        .collect();
    let mut pending: Vec<PendingSignature<'_>> = Vec::with_capacity(items.len().saturating_mul(2));
    // Per item: its report and the range of its signatures in `pending`, or its final result.
    let mut staged: Vec<Staged> = Vec::with_capacity(items.len());
    for (item, text) in items.iter().zip(&texts) {
        let text = match text {
            Ok(text) => text,
            Err(e) => {
                staged.push(Staged::Done(Err(e.clone())));
                continue;
            }
        };
        let start = pending.len();
        match verify_deferred(text, resolver, &item.policy, &mut pending) {
            Ok(report) => staged.push(Staged::Pending(report, start, pending.len())),
            Err(_) => {
                // Failed before its signatures were checked: the single verification names
                // the error a verifier would see (a bad signature, when there is one, first).
                pending.truncate(start);
                staged.push(Staged::Done(
                    verify_sequential(text, resolver, &item.policy).map_err(VerifyError::from),
                ));
            }
        }
    }
    let valid = check_signatures(&pending);
    staged
        .into_iter()
        .zip(items.iter().zip(&texts))
        .map(|(stage, (item, text))| match stage {
            Staged::Done(result) => result,
            Staged::Pending(report, start, end) => {
                let all_valid = valid
                    .get(start..end)
                    .is_some_and(|flags| flags.iter().all(|&v| v));
                match (all_valid, text) {
                    (true, _) => Ok(report),
                    (false, Ok(text)) => {
                        verify_sequential(text, resolver, &item.policy).map_err(VerifyError::from)
                    }
                    (false, Err(e)) => Err(e.clone()),
                }
            }
        })
        .collect()
}

enum Staged {
    Done(Result<VerificationReport, VerifyError>),
    Pending(VerificationReport, usize, usize),
}

/// An Ed25519 signature of `pending`, with its index there.
type Ed25519Check<'k, 'm> = (usize, &'k VerifyingKey, &'m [u8], &'m [u8; 64]);

/// Which of `pending` verify: the Ed25519 signatures in one batch, halved on failure down to
/// single checks; P-256 and SM2 signatures (no batch equation here) one by one.
fn check_signatures(pending: &[PendingSignature<'_>]) -> Vec<bool> {
    let mut valid = vec![false; pending.len()];
    let mut ed25519: Vec<Ed25519Check<'_, '_>> = Vec::with_capacity(pending.len());
    for (i, p) in pending.iter().enumerate() {
        match p.key.as_ed25519() {
            Some(key) => ed25519.push((i, key, p.message, &p.signature)),
            None => {
                if let Some(slot) = valid.get_mut(i) {
                    *slot = p.key.verify(p.message, &p.signature);
                }
            }
        }
    }
    check_range(&ed25519, &mut valid);
    valid
}

fn check_range(pending: &[Ed25519Check<'_, '_>], valid: &mut [bool]) {
    if pending.is_empty() {
        return;
    }
    if pending.len() <= SINGLES {
        for &(i, key, message, signature) in pending {
            if let Some(slot) = valid.get_mut(i) {
                *slot = key.verify_strict(message, signature);
            }
        }
        return;
    }
    let batch: Vec<(&VerifyingKey, &[u8], &[u8; 64])> = pending
        .iter()
        .map(|&(_, key, message, signature)| (key, message, signature))
        .collect();
    if keys::verify_batch(&batch) {
        for &(i, ..) in pending {
            if let Some(slot) = valid.get_mut(i) {
                *slot = true;
            }
        }
        return;
    }
    let (left, right) = pending.split_at(pending.len() / 2);
    check_range(left, valid);
    check_range(right, valid);
}
