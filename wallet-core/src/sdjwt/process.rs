//! The verifier's processing of an SD-JWT payload (RFC 9901 §7.1 steps 3–5): every digest in
//! `_sd` arrays and `{"...": digest}` array elements is matched against the presented
//! disclosures, recursively, and the rules of §7.1 are enforced — a digest may appear only once,
//! every disclosure must be referenced, object disclosures only from `_sd` and array disclosures
//! only from `...`, no disclosed name may collide with an existing claim, `_sd`/`...` must be
//! well-formed. Undisclosed digests (decoys included) are removed and counted.

use super::disclosure::Disclosure;
use super::path::{ClaimPath, PathSegment};
use super::{SD_ALG, SdJwtError};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

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

/// Processes a (signature-verified) payload against the presented disclosures.
pub fn process(
    mut payload: Map<String, Value>,
    disclosures: &[Disclosure],
) -> Result<Processed, SdJwtError> {
    match payload.remove("_sd_alg") {
        None => {}
        Some(Value::String(alg)) if alg == SD_ALG => {}
        Some(_) => return Err(SdJwtError::UnsupportedSdAlg),
    }
    let mut by_digest = HashMap::with_capacity(disclosures.len());
    for (i, d) in disclosures.iter().enumerate() {
        if by_digest.insert(d.digest(), i).is_some() {
            return Err(SdJwtError::DuplicateDisclosure);
        }
    }
    let mut walker = Walker {
        disclosures,
        by_digest,
        used: vec![false; disclosures.len()],
        seen: HashSet::new(),
        disclosed: Vec::new(),
        undisclosed: 0,
    };
    let claims = walker.object(payload, &ClaimPath::default(), 0)?;
    if walker.used.iter().any(|u| !u) {
        return Err(SdJwtError::UnreferencedDisclosure);
    }
    Ok(Processed {
        claims,
        disclosed: walker.disclosed,
        undisclosed_digests: walker.undisclosed,
    })
}

struct Walker<'a> {
    disclosures: &'a [Disclosure],
    by_digest: HashMap<&'a str, usize>,
    used: Vec<bool>,
    seen: HashSet<String>,
    disclosed: Vec<DisclosedClaim>,
    undisclosed: usize,
}

impl Walker<'_> {
    /// Marks a digest as seen and returns the disclosure it opens, if presented.
    fn lookup(&mut self, digest: &str) -> Result<Option<(usize, &Disclosure)>, SdJwtError> {
        if !self.seen.insert(digest.to_owned()) {
            return Err(SdJwtError::DuplicateDigest);
        }
        let Some(&i) = self.by_digest.get(digest) else {
            self.undisclosed = self.undisclosed.saturating_add(1);
            return Ok(None);
        };
        if let Some(u) = self.used.get_mut(i) {
            *u = true;
        }
        Ok(self.disclosures.get(i).map(|d| (i, d)))
    }

    fn value(&mut self, value: Value, path: &ClaimPath, depth: usize) -> Result<Value, SdJwtError> {
        if depth > MAX_PROCESS_DEPTH {
            return Err(SdJwtError::InvalidDigests("disclosures nested too deeply"));
        }
        Ok(match value {
            Value::Object(map) => Value::Object(self.object(map, path, depth.saturating_add(1))?),
            Value::Array(items) => {
                Value::Array(self.array(items, path, depth.saturating_add(1))?)
            }
            other => other,
        })
    }

    fn object(
        &mut self,
        mut map: Map<String, Value>,
        path: &ClaimPath,
        depth: usize,
    ) -> Result<Map<String, Value>, SdJwtError> {
        if map.contains_key("...") {
            return Err(SdJwtError::InvalidDigests(
                "\"...\" used outside an array element",
            ));
        }
        if !path.is_empty() && map.contains_key("_sd_alg") {
            return Err(SdJwtError::InvalidDigests("_sd_alg below the top level"));
        }
        let digests = match map.remove("_sd") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    _ => Err(SdJwtError::InvalidDigests("_sd holds a non-string")),
                })
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err(SdJwtError::InvalidDigests("_sd is not an array")),
        };
        let mut out = Map::new();
        for (name, value) in map {
            let child = path.child(PathSegment::Key(name.clone()));
            let processed = self.value(value, &child, depth)?;
            out.insert(name, processed);
        }
        for digest in digests {
            let Some((index, d)) = self.lookup(&digest)? else {
                continue;
            };
            let Some(name) = d.name() else {
                return Err(SdJwtError::DisclosureKindMismatch);
            };
            if out.contains_key(name) {
                return Err(SdJwtError::ClaimCollision);
            }
            let (name, raw) = (name.to_owned(), d.value().clone());
            let child = path.child(PathSegment::Key(name.clone()));
            let slot = self.disclosed.len();
            self.disclosed.push(DisclosedClaim {
                path: child.clone(),
                disclosure: index,
                value: Value::Null,
            });
            let processed = self.value(raw, &child, depth)?;
            if let Some(entry) = self.disclosed.get_mut(slot) {
                entry.value = processed.clone();
            }
            out.insert(name, processed);
        }
        Ok(out)
    }

    fn array(
        &mut self,
        items: Vec<Value>,
        path: &ClaimPath,
        depth: usize,
    ) -> Result<Vec<Value>, SdJwtError> {
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let child = path.child(PathSegment::Index(i));
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
                    let Some((index, d)) = self.lookup(&digest)? else {
                        continue;
                    };
                    if d.name().is_some() {
                        return Err(SdJwtError::DisclosureKindMismatch);
                    }
                    let raw = d.value().clone();
                    let slot = self.disclosed.len();
                    self.disclosed.push(DisclosedClaim {
                        path: child.clone(),
                        disclosure: index,
                        value: Value::Null,
                    });
                    let processed = self.value(raw, &child, depth)?;
                    if let Some(entry) = self.disclosed.get_mut(slot) {
                        entry.value = processed.clone();
                    }
                    out.push(processed);
                }
                other => out.push(self.value(other, &child, depth)?),
            }
        }
        Ok(out)
    }
}
