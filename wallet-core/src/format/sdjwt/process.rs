//! The verifier's processing of an SD-JWT payload (RFC 9901 §7.1 steps 3–5): every digest in
//! `_sd` arrays and `{"...": digest}` array elements is matched against the presented
//! disclosures, recursively, and the rules of §7.1 are enforced — a digest may appear only once,
//! every disclosure must be referenced, object disclosures only from `_sd` and array disclosures
//! only from `...`, no disclosed name may collide with an existing claim, `_sd`/`...` must be
//! well-formed. Undisclosed digests (decoys included) are removed and counted.

use super::alg::SdAlg;
use super::disclosure::Disclosure;
use super::error::SdJwtError;
use super::path::{ClaimPath, PathSegment};
use serde_json::{Map, Value};

/// Deepest nesting of disclosures within disclosures that is processed (a presentation cannot
/// make the verifier recurse without bound).
const MAX_PROCESS_DEPTH: usize = 64;

/// A claim that was revealed through a disclosure.
#[derive(Debug, Clone, PartialEq)]
pub struct DisclosedClaim {
    /// Where it sits in the processed claims (array indices are positions in the issuer's array).
    pub path: ClaimPath,
    /// Index into the disclosures passed to [`process`].
    pub disclosure: usize,
    /// The processed value.
    pub value: Value,
}

/// The result of processing: the claims a verifier may rely on.
#[derive(Debug, Clone, PartialEq)]
pub struct Processed {
    /// The payload with disclosures applied, `_sd`, `_sd_alg` and undisclosed elements removed.
    pub claims: Map<String, Value>,
    /// Every disclosed claim, in payload order.
    pub disclosed: Vec<DisclosedClaim>,
    /// Digests that no presented disclosure opened (undisclosed claims and decoys alike).
    pub undisclosed_digests: usize,
}

/// Processes a (signature-verified) payload against the presented disclosures. Digests are
/// matched under the payload's `_sd_alg`; disclosures parsed with another algorithm (e.g. with
/// [`Disclosure::parse`] for an `sm3` credential) are digested again, so a caller cannot pair
/// the wrong hash with a credential.
pub fn process(
    payload: Map<String, Value>,
    disclosures: &[Disclosure],
) -> Result<Processed, SdJwtError> {
    process_inner(payload, disclosures, Vec::new())
}

/// [`process`] for a caller that has no further use for the disclosures (the verifier): their
/// values are moved into the result instead of copied.
pub(crate) fn process_owned(
    payload: Map<String, Value>,
    mut disclosures: Vec<Disclosure>,
) -> Result<Processed, SdJwtError> {
    let values = disclosures
        .iter_mut()
        .map(|d| Some(d.take_value()))
        .collect();
    process_inner(payload, &disclosures, values)
}

/// `values`, when not empty, holds each disclosure's value (taken out of it), to be moved into
/// the result; otherwise values are copied from `disclosures`.
fn process_inner(
    mut payload: Map<String, Value>,
    disclosures: &[Disclosure],
    values: Vec<Option<Value>>,
) -> Result<Processed, SdJwtError> {
    let sd_alg = match payload.remove("_sd_alg") {
        None => SdAlg::Sha256,
        Some(Value::String(name)) => SdAlg::from_name(&name).ok_or(SdJwtError::UnsupportedSdAlg)?,
        Some(_) => return Err(SdJwtError::UnsupportedSdAlg),
    };
    let rehashed: Vec<Disclosure>;
    let disclosures = if disclosures.iter().all(|d| d.sd_alg() == sd_alg) {
        disclosures
    } else {
        rehashed = disclosures.iter().map(|d| d.rehashed(sd_alg)).collect();
        &rehashed
    };
    // A sorted table rather than a hash map: a presentation has a handful of disclosures (at
    // most `limits::MAX_DISCLOSURES`), and binary search over 43-byte digests beats hashing them.
    let mut by_digest: Vec<(&str, usize)> = disclosures
        .iter()
        .enumerate()
        .map(|(i, d)| (d.digest(), i))
        .collect();
    by_digest.sort_unstable();
    if by_digest
        .windows(2)
        .any(|w| matches!(w, [a, b] if a.0 == b.0))
    {
        return Err(SdJwtError::DuplicateDisclosure);
    }
    let mut walker = Walker {
        disclosures,
        values,
        by_digest,
        used: vec![false; disclosures.len()],
        seen: Vec::new(),
        path: Vec::new(),
        disclosed: Vec::new(),
        undisclosed: 0,
    };
    walker.object(&mut payload, 0)?;
    if walker.used.iter().any(|u| !u) {
        return Err(SdJwtError::UnreferencedDisclosure);
    }
    Ok(Processed {
        claims: payload,
        disclosed: walker.disclosed,
        undisclosed_digests: walker.undisclosed,
    })
}

struct Walker<'a> {
    disclosures: &'a [Disclosure],
    /// The disclosures' values to move out (each digest opens its disclosure once), or empty.
    values: Vec<Option<Value>>,
    by_digest: Vec<(&'a str, usize)>,
    used: Vec<bool>,
    /// Every digest met so far, sorted. The payload is bounded by `limits::MAX_TOKEN_LEN`, so
    /// even an adversarial one holds at most ~1,500 digests and sorted insertion stays cheap.
    seen: Vec<String>,
    /// Path of the container being walked; cloned only when a disclosed claim is recorded.
    path: Vec<PathSegment>,
    disclosed: Vec<DisclosedClaim>,
    undisclosed: usize,
}

impl Walker<'_> {
    /// Marks a digest as seen and returns the index of the disclosure it opens, if presented.
    fn lookup(&mut self, digest: String) -> Result<Option<usize>, SdJwtError> {
        let found = self
            .by_digest
            .binary_search_by(|(d, _)| (*d).cmp(digest.as_str()))
            .ok()
            .and_then(|pos| self.by_digest.get(pos))
            .map(|&(_, i)| i);
        match self.seen.binary_search(&digest) {
            Ok(_) => return Err(SdJwtError::DuplicateDigest),
            Err(pos) => self.seen.insert(pos, digest),
        }
        let Some(i) = found else {
            self.undisclosed = self.undisclosed.saturating_add(1);
            return Ok(None);
        };
        if let Some(u) = self.used.get_mut(i) {
            *u = true;
        }
        Ok(Some(i))
    }

    /// Processes `value` in place; `segment` is its place in the current container.
    fn value(
        &mut self,
        value: &mut Value,
        segment: PathSegment,
        depth: usize,
    ) -> Result<(), SdJwtError> {
        if depth > MAX_PROCESS_DEPTH {
            return Err(SdJwtError::InvalidDigests("disclosures nested too deeply"));
        }
        match value {
            Value::Object(map) => {
                self.path.push(segment);
                self.object(map, depth.saturating_add(1))?;
                self.path.pop();
            }
            Value::Array(items) => {
                self.path.push(segment);
                self.array(items, depth.saturating_add(1))?;
                self.path.pop();
            }
            _ => {}
        }
        Ok(())
    }

    /// Processes a disclosed value and records it at `segment` of the current container.
    fn disclose(
        &mut self,
        index: usize,
        mut value: Value,
        segment: PathSegment,
        depth: usize,
    ) -> Result<Value, SdJwtError> {
        // The depth limit holds for a disclosed leaf too (`value` checks it for containers).
        if depth > MAX_PROCESS_DEPTH {
            return Err(SdJwtError::InvalidDigests("disclosures nested too deeply"));
        }
        let mut path = Vec::with_capacity(self.path.len().saturating_add(1));
        path.extend(self.path.iter().cloned());
        let container = matches!(value, Value::Object(_) | Value::Array(_));
        // A leaf has nothing to process below it: its segment goes straight into the path.
        let below = container.then(|| segment.clone());
        path.push(segment);
        let slot = self.disclosed.len();
        self.disclosed.push(DisclosedClaim {
            path: ClaimPath(path),
            disclosure: index,
            value: Value::Null,
        });
        if let Some(segment) = below {
            self.value(&mut value, segment, depth)?;
        }
        if let Some(entry) = self.disclosed.get_mut(slot) {
            entry.value = value.clone();
        }
        Ok(value)
    }

    /// Disclosure `index`'s value: moved out when the walker owns the values, else copied.
    fn take_value(&mut self, index: usize, d: &Disclosure) -> Value {
        self.values
            .get_mut(index)
            .and_then(Option::take)
            .unwrap_or_else(|| d.value().clone())
    }

    fn object(&mut self, map: &mut Map<String, Value>, depth: usize) -> Result<(), SdJwtError> {
        if map.contains_key("...") {
            return Err(SdJwtError::InvalidDigests(
                "\"...\" used outside an array element",
            ));
        }
        if !self.path.is_empty() && map.contains_key("_sd_alg") {
            return Err(SdJwtError::InvalidDigests("_sd_alg below the top level"));
        }
        let digests = match map.remove("_sd") {
            None => Vec::new(),
            Some(Value::Array(items)) => items,
            Some(_) => return Err(SdJwtError::InvalidDigests("_sd is not an array")),
        };
        if digests.iter().any(|v| !v.is_string()) {
            return Err(SdJwtError::InvalidDigests("_sd holds a non-string"));
        }
        for (name, value) in map.iter_mut() {
            if matches!(value, Value::Object(_) | Value::Array(_)) {
                self.value(value, PathSegment::Key(name.clone()), depth)?;
            }
        }
        for digest in digests {
            let Value::String(digest) = digest else {
                continue;
            };
            let Some(index) = self.lookup(digest)? else {
                continue;
            };
            let disclosures = self.disclosures;
            let Some(d) = disclosures.get(index) else {
                continue;
            };
            let Some(name) = d.name() else {
                return Err(SdJwtError::DisclosureKindMismatch);
            };
            if map.contains_key(name) {
                return Err(SdJwtError::ClaimCollision);
            }
            let value = self.take_value(index, d);
            let processed =
                self.disclose(index, value, PathSegment::Key(name.to_owned()), depth)?;
            map.insert(name.to_owned(), processed);
        }
        Ok(())
    }

    fn array(&mut self, items: &mut Vec<Value>, depth: usize) -> Result<(), SdJwtError> {
        let original = std::mem::take(items);
        items.reserve(original.len());
        for (i, item) in original.into_iter().enumerate() {
            match item {
                Value::Object(map) if map.contains_key("...") => {
                    let mut entries = map.into_iter();
                    let digest = match (entries.next(), entries.next()) {
                        (Some((_, Value::String(d))), None) => d,
                        _ => {
                            return Err(SdJwtError::InvalidDigests(
                                "array element reference must be exactly {\"...\": digest}",
                            ));
                        }
                    };
                    let Some(index) = self.lookup(digest)? else {
                        continue;
                    };
                    let disclosures = self.disclosures;
                    let Some(d) = disclosures.get(index) else {
                        continue;
                    };
                    if d.name().is_some() {
                        return Err(SdJwtError::DisclosureKindMismatch);
                    }
                    let value = self.take_value(index, d);
                    let processed = self.disclose(index, value, PathSegment::Index(i), depth)?;
                    items.push(processed);
                }
                mut other => {
                    self.value(&mut other, PathSegment::Index(i), depth)?;
                    items.push(other);
                }
            }
        }
        Ok(())
    }
}
