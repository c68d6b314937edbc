//! Issuance (RFC 9901 §4.1–§4.2): replaces each claim the disclosure policy names by a digest in
//! the enclosing object's `_sd` array (or by `{"...": digest}` for array elements), bottom-up so
//! nested disclosures work (§4.2.6), adds decoy digests (§4.2.5) and sorts every `_sd` array so
//! that digest order does not reveal claim order (§4.2.4.1).

use super::alg::SdAlg;
use super::disclosure::Disclosure;
use super::error::SdJwtError;
use super::path::{ClaimPath, PathSegment};
use crate::encoding::b64_encode;
use crate::format::jws;
use crate::format::keys::KeySigner;
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
    /// The `_sd_alg` of every digest (disclosures and decoys); written to the payload.
    /// `sha-256` by default; `sm3` for the GM profile.
    pub sd_alg: SdAlg,
}

/// Issues an SD-JWT: returns the issuer-signed JWT and its disclosures (in the order they were
/// created, depth-first). `header` carries `typ`/`kid`; `alg` is set by the JWS layer. Salts and
/// decoys are drawn from `rng`, so a seeded generator reproduces an issuance byte for byte.
pub fn issue<S: KeySigner + ?Sized>(
    header: Map<String, Value>,
    claims: &Map<String, Value>,
    options: &IssueOptions,
    signer: &S,
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
        path: Vec::new(),
    };
    let mut payload = state.object(claims);
    if !state.disclosures.is_empty() || payload.contains_key("_sd") {
        payload.insert("_sd_alg".into(), Value::from(options.sd_alg.name()));
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
    /// Path of the container being walked: only containers get an owned segment, so leaves
    /// (most claims) are matched against the policy without allocating a path.
    path: Vec<PathSegment>,
}

/// The last segment of a concrete path, borrowed.
#[derive(Clone, Copy)]
enum Leaf<'k> {
    Key(&'k str),
    Index(usize),
}

fn segment_matches(pattern: &PathSegment, concrete: &PathSegment) -> bool {
    match (pattern, concrete) {
        (PathSegment::AnyIndex, PathSegment::Index(_)) => true,
        (a, b) => a == b,
    }
}

impl State<'_> {
    /// Whether the claim at `self.path` + `leaf` is named by the disclosure policy.
    fn disclosable(&self, leaf: Leaf<'_>) -> bool {
        self.options.disclosable.iter().any(|pattern| {
            let Some((last, prefix)) = pattern.0.split_last() else {
                return false;
            };
            let last_matches = match (last, leaf) {
                (PathSegment::Key(k), Leaf::Key(name)) => k == name,
                (PathSegment::Index(i), Leaf::Index(j)) => *i == j,
                (PathSegment::AnyIndex, Leaf::Index(_)) => true,
                _ => false,
            };
            last_matches
                && prefix.len() == self.path.len()
                && prefix
                    .iter()
                    .zip(&self.path)
                    .all(|(p, c)| segment_matches(p, c))
        })
    }

    fn salt(&mut self) -> String {
        let mut bytes = [0u8; 16];
        self.rng.fill_bytes(&mut bytes);
        b64_encode(bytes)
    }

    /// The processed form of `value`, found at `self.path` + `leaf`.
    fn value(&mut self, value: &Value, leaf: Leaf<'_>) -> Value {
        let segment = || match leaf {
            Leaf::Key(k) => PathSegment::Key(k.to_owned()),
            Leaf::Index(i) => PathSegment::Index(i),
        };
        match value {
            Value::Object(map) => {
                self.path.push(segment());
                let out = self.object(map);
                self.path.pop();
                Value::Object(out)
            }
            Value::Array(items) => {
                self.path.push(segment());
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let processed = self.value(item, Leaf::Index(i));
                    if self.disclosable(Leaf::Index(i)) {
                        let salt = self.salt();
                        let d = Disclosure::new(salt, None, processed, self.options.sd_alg);
                        let mut reference = Map::new();
                        reference.insert("...".into(), Value::from(d.digest()));
                        self.disclosures.push(d);
                        out.push(Value::Object(reference));
                    } else {
                        out.push(processed);
                    }
                }
                self.path.pop();
                Value::Array(out)
            }
            other => other.clone(),
        }
    }

    fn object(&mut self, map: &Map<String, Value>) -> Map<String, Value> {
        let mut out = Map::new();
        let mut digests = Vec::new();
        // serde_json's Map iterates in key order, so salts are drawn in a reproducible order.
        for (name, value) in map {
            let processed = self.value(value, Leaf::Key(name));
            if self.disclosable(Leaf::Key(name)) {
                let salt = self.salt();
                let d = Disclosure::new(salt, Some(name), processed, self.options.sd_alg);
                digests.push(d.digest().to_owned());
                self.disclosures.push(d);
            } else {
                out.insert(name.clone(), processed);
            }
        }
        let target = match &self.options.decoys {
            DecoyPolicy::None => digests.len(),
            DecoyPolicy::Targets(t) => {
                // Few targets (normally one, the top level): a scan avoids building a key.
                match t.iter().find(|(path, _)| path.0 == self.path) {
                    Some((_, &n)) => n,
                    None if digests.is_empty() => 0,
                    None => digests.len().saturating_add(1).next_power_of_two(),
                }
            }
            DecoyPolicy::PowerOfTwo if digests.is_empty() => 0,
            DecoyPolicy::PowerOfTwo => digests.len().saturating_add(1).next_power_of_two(),
        };
        while digests.len() < target {
            // A decoy is the digest of a random value nobody can open (RFC 9901 §4.2.5).
            let salt = self.salt();
            digests.push(self.options.sd_alg.digest(&salt));
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
