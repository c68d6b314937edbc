//! Issuance (RFC 9901 §4.1–§4.2): replaces each claim the disclosure policy names by a digest in
//! the enclosing object's `_sd` array (or by `{"...": digest}` for array elements), bottom-up so
//! nested disclosures work (§4.2.6), adds decoy digests (§4.2.5) and sorts every `_sd` array so
//! that digest order does not reveal claim order (§4.2.4.1).

use super::disclosure::{Disclosure, digest_of};
use super::path::{ClaimPath, PathSegment};
use super::{SD_ALG, SdJwtError};
use crate::encoding::b64_encode;
use crate::jws;
use crate::keys::Signer;
use rand_core::CryptoRngCore;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// How many decoy digests to add to each `_sd` array.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DecoyPolicy {
    /// No decoys (tests and size experiments only: the digest count then reveals the claim count).
    None,
    /// Pad every object that has at least one disclosable member up to the next power of two
    /// above its real count, so only a coarse bucket of the claim count shows.
    #[default]
    PowerOfTwo,
    /// Pad the object at each listed path to exactly that many digests (when it has fewer real
    /// ones); other objects fall back to [`DecoyPolicy::PowerOfTwo`]. The credential layer pads
    /// the top level to the type's maximum number of disclosable claims, so every credential of a
    /// type has the same digest count whatever optional claims it carries.
    Targets(BTreeMap<ClaimPath, usize>),
}

/// What to make selectively disclosable and how to pad.
#[derive(Debug, Clone, Default)]
pub struct IssueOptions {
    /// Claim paths (patterns, `[*]` allowed) to make selectively disclosable.
    pub disclosable: Vec<ClaimPath>,
    /// Decoy digests.
    pub decoys: DecoyPolicy,
}

/// Issues an SD-JWT: returns the issuer-signed JWT and its disclosures (in the order they were
/// created, depth-first). `header` carries `typ`/`kid`; `alg` is set by the JWS layer. Salts and
/// decoys are drawn from `rng`, so a seeded generator reproduces an issuance byte for byte.
pub fn issue(
    header: Map<String, Value>,
    claims: &Map<String, Value>,
    options: &IssueOptions,
    signer: &dyn Signer,
    rng: &mut dyn CryptoRngCore,
) -> Result<(String, Vec<Disclosure>), SdJwtError> {
    if has_reserved_name(claims) {
        return Err(SdJwtError::ReservedClaimName);
    }
    // Every requested path must name a claim that exists, or the issuer would silently publish a
    // claim in the clear that it meant to protect.
    for pattern in &options.disclosable {
        if !path_exists_in(claims, &pattern.0) {
            return Err(SdJwtError::UnknownClaimPath(pattern.to_string()));
        }
    }
    let mut state = State {
        options,
        rng,
        disclosures: Vec::new(),
    };
    let mut payload = state.object(claims, &ClaimPath::default());
    if !state.disclosures.is_empty() || payload.contains_key("_sd") {
        payload.insert("_sd_alg".into(), Value::from(SD_ALG));
    }
    let jwt = jws::sign(header, &Value::Object(payload), signer).map_err(SdJwtError::IssuerJwt)?;
    Ok((jwt, state.disclosures))
}

/// Claim names that would be confused with SD-JWT's own structure anywhere in the claims.
fn has_reserved_name(map: &Map<String, Value>) -> bool {
    fn walk(v: &Value) -> bool {
        match v {
            Value::Object(m) => has_reserved_name(m),
            Value::Array(a) => a.iter().any(walk),
            _ => false,
        }
    }
    map.iter()
        .any(|(k, v)| matches!(k.as_str(), "_sd" | "..." | "_sd_alg") || walk(v))
}

fn path_exists_in(map: &Map<String, Value>, path: &[PathSegment]) -> bool {
    match path.split_first() {
        Some((PathSegment::Key(k), rest)) => map.get(k).is_some_and(|v| path_exists(v, rest)),
        Some(_) => false,
        None => true,
    }
}

fn path_exists(value: &Value, path: &[PathSegment]) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return true;
    };
    match (first, value) {
        (PathSegment::Key(k), Value::Object(m)) => m.get(k).is_some_and(|v| path_exists(v, rest)),
        (PathSegment::Index(i), Value::Array(a)) => a.get(*i).is_some_and(|v| path_exists(v, rest)),
        (PathSegment::AnyIndex, Value::Array(a)) => {
            !a.is_empty() && a.iter().all(|v| path_exists(v, rest))
        }
        _ => false,
    }
}

struct State<'a> {
    options: &'a IssueOptions,
    rng: &'a mut dyn CryptoRngCore,
    disclosures: Vec<Disclosure>,
}

impl State<'_> {
    fn disclosable(&self, path: &ClaimPath) -> bool {
        self.options.disclosable.iter().any(|p| p.matches(path))
    }

    fn salt(&mut self) -> String {
        let mut bytes = [0u8; 16];
        self.rng.fill_bytes(&mut bytes);
        b64_encode(bytes)
    }

    fn value(&mut self, value: &Value, path: &ClaimPath) -> Value {
        match value {
            Value::Object(map) => Value::Object(self.object(map, path)),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let child = path.child(PathSegment::Index(i));
                        let processed = self.value(item, &child);
                        if self.disclosable(&child) {
                            let salt = self.salt();
                            let d = Disclosure::new(salt, None, processed);
                            let mut reference = Map::new();
                            reference.insert("...".into(), Value::from(d.digest()));
                            self.disclosures.push(d);
                            Value::Object(reference)
                        } else {
                            processed
                        }
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn object(&mut self, map: &Map<String, Value>, path: &ClaimPath) -> Map<String, Value> {
        let mut out = Map::new();
        let mut digests = Vec::new();
        // serde_json's Map iterates in key order, so salts are drawn in a reproducible order.
        for (name, value) in map {
            let child = path.child(PathSegment::Key(name.clone()));
            let processed = self.value(value, &child);
            if self.disclosable(&child) {
                let salt = self.salt();
                let d = Disclosure::new(salt, Some(name), processed);
                digests.push(d.digest().to_owned());
                self.disclosures.push(d);
            } else {
                out.insert(name.clone(), processed);
            }
        }
        let target = match &self.options.decoys {
            DecoyPolicy::None => digests.len(),
            DecoyPolicy::Targets(t) if t.contains_key(path) => {
                t.get(path).copied().unwrap_or_default()
            }
            DecoyPolicy::Targets(_) | DecoyPolicy::PowerOfTwo if digests.is_empty() => 0,
            DecoyPolicy::Targets(_) | DecoyPolicy::PowerOfTwo => {
                digests.len().saturating_add(1).next_power_of_two()
            }
        };
        while digests.len() < target {
            // A decoy is the digest of a random value nobody can open (RFC 9901 §4.2.5).
            let salt = self.salt();
            digests.push(digest_of(&salt));
        }
        if !digests.is_empty() {
            digests.sort_unstable();
            out.insert(
                "_sd".into(),
                Value::Array(digests.into_iter().map(Value::from).collect()),
            );
        }
        out
    }
}
