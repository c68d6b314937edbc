//! Issuance (RFC 9901 §4.1–§4.2): replaces each claim the disclosure policy names by a digest in
//! the enclosing object's `_sd` array (or by `{"...": digest}` for array elements), bottom-up so
//! nested disclosures work (§4.2.6), adds decoy digests (§4.2.5) and sorts every `_sd` array so
//! that digest order does not reveal claim order (§4.2.4.1).

use super::alg::{DIGEST_LEN, SdAlg};
use super::disclosure::Disclosure;
use super::error::SdJwtError;
use super::path::{ClaimPath, PathSegment};
use crate::format::jws;
use crate::format::keys::KeySigner;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand_core::CryptoRngCore;
use serde_json::{Map, Value};
use std::borrow::Cow;
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
    mut header: Map<String, Value>,
    claims: &Map<String, Value>,
    options: &IssueOptions,
    signer: &S,
    rng: &mut dyn CryptoRngCore,
) -> Result<(String, Vec<Disclosure>), SdJwtError> {
    header.insert("alg".into(), Value::from(signer.key_algorithm().jws_name()));
    let header_json = serde_json::to_vec(&header)
        .map_err(|e| SdJwtError::IssuerJwt(jws::JwsError::HeaderJson(e.to_string())))?;
    let policy = Policy {
        disclosable: &options.disclosable,
        decoys: &options.decoys,
        sd_alg: options.sd_alg,
    };
    let mut full = Vec::new();
    let (jwt, _) = issue_serialized(
        &header_json,
        claims,
        &[],
        &policy,
        signer,
        rng,
        Some(&mut full),
    )?;
    Ok((jwt, full))
}

/// What to make selectively disclosable and how to pad, borrowed ([`IssueOptions`] without the
/// copies).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Policy<'a> {
    pub(crate) disclosable: &'a [ClaimPath],
    pub(crate) decoys: &'a DecoyPolicy,
    pub(crate) sd_alg: SdAlg,
}

/// [`issue`] with the header already serialized (carrying the signer's `alg`) and `registered`
/// top-level members added in the clear (the SD-JWT VC layer's `iss`, `iat`, `cnf`, …; their
/// names must not be claims). The payload is written straight to JSON, members in name order —
/// the bytes serde_json writes for the same `Map` — without building the payload's tree: only
/// containers that hold disclosable claims are rebuilt. Returns the JWT and the encoded
/// disclosures; with `full`, each disclosure is also kept whole there (salt, name and value
/// beside its encoded form), for [`issue`]'s callers.
pub(crate) fn issue_serialized<S: KeySigner + ?Sized>(
    header_json: &[u8],
    claims: &Map<String, Value>,
    registered: &[(&str, &Value)],
    policy: &Policy<'_>,
    signer: &S,
    rng: &mut dyn CryptoRngCore,
    full: Option<&mut Vec<Disclosure>>,
) -> Result<(String, Vec<String>), SdJwtError> {
    if has_reserved_name(claims) {
        return Err(SdJwtError::ReservedClaimName);
    }
    // Every requested path must name a claim that exists, or the issuer would silently publish a
    // claim in the clear that it meant to protect.
    for pattern in policy.disclosable {
        if !path_exists_in(claims, &pattern.0) {
            return Err(SdJwtError::UnknownClaimPath(pattern.to_string()));
        }
    }
    let mut state = State {
        policy,
        rng,
        disclosures: Vec::new(),
        path: Vec::new(),
        json: Vec::with_capacity(128),
        full,
    };
    let (kept, digests) = state.members(claims);
    /// A payload member: a claim or registered value, or SD-JWT's own two.
    enum Member<'v> {
        Value(&'v Value),
        Digests,
        SdAlg,
    }
    let with_sd = !digests.is_empty();
    let with_sd_alg = !state.disclosures.is_empty() || with_sd;
    let mut members: Vec<(&str, Member<'_>)> = kept
        .iter()
        .map(|(name, value)| (*name, Member::Value(value.as_ref())))
        .chain(registered.iter().map(|(n, v)| (*n, Member::Value(v))))
        .chain(with_sd.then_some(("_sd", Member::Digests)))
        .chain(with_sd_alg.then_some(("_sd_alg", Member::SdAlg)))
        .collect();
    members.sort_unstable_by(|a, b| a.0.cmp(b.0));
    if members
        .windows(2)
        .any(|w| matches!(w, [a, b] if a.0 == b.0))
    {
        return Err(SdJwtError::ReservedClaimName);
    }
    let mut payload = Vec::with_capacity(1024);
    payload.push(b'{');
    for (i, (name, member)) in members.iter().enumerate() {
        if i > 0 {
            payload.push(b',');
        }
        // Writing to a Vec cannot fail, and a `Value` with string keys always serialises.
        let _ = serde_json::to_writer(&mut payload, name);
        payload.push(b':');
        match member {
            Member::Value(value) => {
                let _ = serde_json::to_writer(&mut payload, value);
            }
            Member::Digests => {
                payload.push(b'[');
                for (j, digest) in digests.iter().enumerate() {
                    if j > 0 {
                        payload.push(b',');
                    }
                    payload.push(b'"');
                    payload.extend_from_slice(digest);
                    payload.push(b'"');
                }
                payload.push(b']');
            }
            Member::SdAlg => {
                let _ = serde_json::to_writer(&mut payload, policy.sd_alg.name());
            }
        }
    }
    payload.push(b'}');
    let jwt = jws::sign_serialized(header_json, &payload, signer).map_err(SdJwtError::IssuerJwt)?;
    Ok((jwt, state.disclosures))
}

/// An object's members kept in the clear (leaves borrowed, containers processed) and its `_sd`
/// digests.
type Members<'m> = (Vec<(&'m str, Cow<'m, Value>)>, Vec<[u8; DIGEST_LEN]>);

/// Length of a salt: 16 bytes in base64url.
const SALT_LEN: usize = 22;

/// A base64url buffer as text (always ASCII).
fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
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
    policy: &'a Policy<'a>,
    rng: &'a mut dyn CryptoRngCore,
    /// The encoded disclosures, in creation order.
    disclosures: Vec<String>,
    /// Path of the container being walked: only containers get an owned segment, so leaves
    /// (most claims) are matched against the policy without allocating a path.
    path: Vec<PathSegment>,
    /// Scratch buffer for each disclosure's JSON.
    json: Vec<u8>,
    /// Where whole disclosures are kept, when the caller wants them.
    full: Option<&'a mut Vec<Disclosure>>,
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
        self.policy.disclosable.iter().any(|pattern| {
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

    /// A fresh salt: base64url of 16 CSPRNG bytes (RFC 9901 §4.2.1's recommended 128 bits),
    /// 22 ASCII characters.
    fn salt(&mut self) -> [u8; SALT_LEN] {
        let mut bytes = [0u8; 16];
        self.rng.fill_bytes(&mut bytes);
        let mut out = [0u8; SALT_LEN];
        // 16 bytes always encode to exactly 22 characters.
        let _ = URL_SAFE_NO_PAD.encode_slice(bytes, &mut out);
        out
    }

    /// Creates the disclosure of `value` (an object member `name`, or an array element) with a
    /// fresh salt: `base64url(JSON([salt, name, value]))`, as serde_json writes the array. Keeps
    /// the encoded form and returns its digest.
    fn disclose(&mut self, name: Option<&str>, value: &Value) -> [u8; DIGEST_LEN] {
        let salt = self.salt();
        let json = &mut self.json;
        json.clear();
        json.extend_from_slice(b"[\"");
        json.extend_from_slice(&salt);
        json.extend_from_slice(b"\",");
        // Writing to a Vec cannot fail, and a `Value` with string keys always serialises.
        if let Some(name) = name {
            let _ = serde_json::to_writer(&mut *json, name);
            json.push(b',');
        }
        let _ = serde_json::to_writer(&mut *json, value);
        json.push(b']');
        let mut encoded = String::with_capacity(json.len().saturating_mul(4).div_ceil(3));
        URL_SAFE_NO_PAD.encode_string(&*json, &mut encoded);
        let digest = self.policy.sd_alg.digest_array(&encoded);
        if let Some(full) = self.full.as_deref_mut() {
            full.push(Disclosure::from_parts(
                encoded.clone(),
                ascii(&salt).to_owned(),
                name.map(str::to_owned),
                value.clone(),
                digest,
                self.policy.sd_alg,
            ));
        }
        self.disclosures.push(encoded);
        digest
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
                        let digest = self.disclose(None, &processed);
                        let mut reference = Map::new();
                        reference.insert("...".into(), Value::from(ascii(&digest)));
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

    /// The processed form of an object nested in the claims.
    fn object(&mut self, map: &Map<String, Value>) -> Map<String, Value> {
        let (kept, digests) = self.members(map);
        let mut out: Map<String, Value> = kept
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.into_owned()))
            .collect();
        if !digests.is_empty() {
            let digests = digests.iter().map(|d| Value::from(ascii(d))).collect();
            out.insert("_sd".into(), Value::Array(digests));
        }
        out
    }

    /// The members of an object kept in the clear (leaves borrowed, containers processed), and
    /// its `_sd` digests (disclosures and decoys, sorted).
    fn members<'m>(&mut self, map: &'m Map<String, Value>) -> Members<'m> {
        let mut kept = Vec::with_capacity(map.len());
        let mut digests = Vec::new();
        // serde_json's Map iterates in key order, so salts are drawn in a reproducible order.
        for (name, value) in map {
            let processed = match value {
                Value::Object(_) | Value::Array(_) => {
                    Cow::Owned(self.value(value, Leaf::Key(name)))
                }
                leaf => Cow::Borrowed(leaf),
            };
            if self.disclosable(Leaf::Key(name)) {
                digests.push(self.disclose(Some(name), &processed));
            } else {
                kept.push((name.as_str(), processed));
            }
        }
        let target = match self.policy.decoys {
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
            digests.push(self.policy.sd_alg.digest_array(ascii(&salt)));
        }
        digests.sort_unstable();
        (kept, digests)
    }
}
