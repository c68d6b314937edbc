//! The trust list (DESIGN.md "Formats: Trust list"; format in docs/trust-and-status.md): a
//! compact JWS (RFC 7515, EdDSA, `typ: trustlist+jwt`) signed by a root key that verifiers pin,
//! naming each issuing agency (`iss`, names in zh-CN and en), its keys (public JWK, `kid` =
//! RFC 7638 thumbprint, validity window, retirement) and the credential types (`vct`) it may
//! issue. Verifiers check credentials against it offline through [`IssuerKeyResolver`], and
//! Status List Tokens through [`StatusKeyResolver`].
//!
//! A list carries a sequence number: a verifier never goes back to a lower one (rollback), so an
//! attacker cannot replay an old list that still trusts a removed issuer or key. It also carries
//! `next_update`: past it the list is stale, which by default fails verification.
//!
//! Credential types travel with the list (docs/credential-types.md, "Types in the trust list"):
//! each issuer's `vct#integrity` pins, per type it may issue, the W3C SRI integrity of the exact
//! octets of the type's Type Metadata document, and the list's `type_metadata` carries those
//! documents (base64url of the octets), so that an offline verifier learns an agency-defined
//! type's labels and rules from the list alone. draft-ietf-oauth-sd-jwt-vc puts `vct#integrity`
//! in the credential; we keep it in the list instead, where it costs no QR bytes and the root's
//! signature already covers it. A credential whose type has no document (neither carried nor
//! built in) is refused (`vc.unknown_type`), as is one whose document does not match the pin
//! (`vc.type_integrity_mismatch`).
//!
//! Each listed key states its algorithm in its JWK's `alg` member (RFC 7517 §4.4), which must
//! name the key's own (`trust.key_algorithm_mismatch`); lists written before keys other than
//! Ed25519 existed have none and stay readable, so `alg` may be absent from an OKP/Ed25519 JWK
//! only. A verifier's [`AlgorithmPolicy`] travels with the [`VerifiedTrustList`] it loaded, so
//! every verification against the list (single, bulk, status) applies the same restriction.

use crate::encoding::{b64_decode, b64_encode};
use crate::error::{ErrorClass, ErrorCode, ErrorInfo, codes};
use crate::format::credential::VcError;
use crate::format::credential::catalogue::{self, CredentialType, TypeSet};
use crate::format::jws::{Jws, JwsError};
use crate::format::keys::{
    Algorithm, AlgorithmPolicy, KeyError, KeySigner, KeyVerifier, PublicKey,
};
use crate::status::{StatusError, StatusKeyResolver};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::io::{ErrorKind, Read as _};
use std::path::{Path, PathBuf};

/// Answers "which key may have signed this credential?" — the trust list in production, a
/// fixed map in tests. Errors: [`VcError::UnknownIssuer`], [`VcError::UnknownKey`],
/// [`VcError::IssuerNotAuthorised`], [`VcError::KeyNotValid`].
pub trait IssuerKeyResolver {
    /// The key for issuer `iss` and header `kid` (if any) that may sign type `vct`, valid at `iat`.
    fn resolve(
        &self,
        iss: &str,
        kid: Option<&str>,
        vct: &str,
        iat: i64,
    ) -> Result<PublicKey, VcError>;

    /// The algorithms the verifier accepts for issuer and holder keys; every one unless the
    /// resolver was given a policy.
    fn accepted_algorithms(&self) -> AlgorithmPolicy {
        AlgorithmPolicy::default()
    }

    /// The type document whose rules and labels apply to a credential of type `vct` from issuer
    /// `iss` (called after [`IssuerKeyResolver::resolve`] accepted the pair; the result is
    /// relied on only once the signature verifies — the verifier may call it before checking
    /// the signature, and calls both again for a presentation that fails, so implementations
    /// should be lookups without side effects). By default the built-in type of that `vct`, or `None` — no type rules — for
    /// any other: fixed maps in tests and closed deployments vouch for their issuers, not for
    /// types. A [`VerifiedTrustList`] refuses a type it has no document for.
    fn credential_type(&self, iss: &str, vct: &str) -> Result<Option<&CredentialType>, VcError> {
        let _ = iss;
        Ok(catalogue::all().iter().find(|t| t.vct == vct))
    }
}

/// A fixed issuer → keys map, any type allowed. For tests and closed deployments.
#[derive(Debug, Clone, Default)]
pub struct StaticIssuers {
    // Thumbprints are computed once here rather than on every verification.
    issuers: HashMap<String, Vec<(String, PublicKey)>>,
    algorithms: AlgorithmPolicy,
}

impl StaticIssuers {
    /// An empty map: every issuer is unknown.
    pub fn new() -> Self {
        Self::default()
    }
    /// Trusts `key` (of any algorithm) for issuer `iss`.
    pub fn add(&mut self, iss: &str, key: impl Into<PublicKey>) -> &mut Self {
        let key = key.into();
        self.issuers
            .entry(iss.to_owned())
            .or_default()
            .push((key.thumbprint(), key));
        self
    }
    /// Restricts the issuer and holder algorithms accepted (default: all).
    pub fn accept_algorithms(&mut self, policy: AlgorithmPolicy) -> &mut Self {
        self.algorithms = policy;
        self
    }
}

impl IssuerKeyResolver for StaticIssuers {
    fn accepted_algorithms(&self) -> AlgorithmPolicy {
        self.algorithms
    }

    fn resolve(
        &self,
        iss: &str,
        kid: Option<&str>,
        _vct: &str,
        _iat: i64,
    ) -> Result<PublicKey, VcError> {
        let keys = self.issuers.get(iss).ok_or(VcError::UnknownIssuer)?;
        match kid {
            Some(kid) => keys
                .iter()
                .find(|(thumbprint, _)| thumbprint == kid)
                .map(|(_, key)| key.clone())
                .ok_or(VcError::UnknownKey),
            None => match keys.as_slice() {
                [(_, only)] => Ok(only.clone()),
                _ => Err(VcError::UnknownKey),
            },
        }
    }
}

/// The JOSE `typ` of a trust list.
pub const TRUST_LIST_TYP: &str = "trustlist+jwt";

/// Longest trust list accepted (bytes of compact JWS). A list of 1,000 agencies with a few keys
/// each is about 600 KiB.
pub const MAX_TRUST_LIST_BYTES: usize = 4 * 1024 * 1024;

/// Most issuers one list may name.
pub const MAX_ISSUERS: usize = 10_000;

/// Most keys one issuer may list (current, next and retired ones).
pub const MAX_KEYS_PER_ISSUER: usize = 64;

/// Most credential types one issuer may be authorised for.
pub const MAX_VCTS_PER_ISSUER: usize = 256;

/// Most type documents one list may carry.
pub const MAX_TYPE_DOCUMENTS: usize = 512;

/// Errors of the trust-list layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// The trust list failed a JWS check (structure, `typ`, algorithm, encoding).
    #[error("trust list: {0}")]
    Jws(JwsError),
    /// The list is not signed by the pinned root key.
    #[error("trust list is not signed by the pinned root key")]
    BadSignature,
    /// The list is larger than the accepted maximum.
    #[error("trust list exceeds the size limit")]
    TooLarge,
    /// A required member is missing or has the wrong type or value.
    #[error("malformed trust list: {0}")]
    Malformed(&'static str),
    /// The verifier's time is past the list's `next_update` and the policy is to fail.
    #[error("trust list is stale (past its next update); download the current list")]
    Stale,
    /// The list's `iat` is in the future (beyond the clock skew).
    #[error("trust list was issued in the future")]
    IssuedInFuture,
    /// The list's sequence number is lower than that of a list already accepted.
    #[error("trust list is older than the one already accepted (rollback refused)")]
    Rollback,
    /// The list reuses the sequence number of the accepted list with different content.
    #[error("trust list reuses the accepted list's sequence number with different content")]
    SequenceReused,
    /// The list's id is not the one already accepted.
    #[error("trust list id differs from the accepted list's")]
    WrongListId,
    /// The issuer is not in the list (builder operations).
    #[error("issuer is not listed in the trust list")]
    UnlistedIssuer,
    /// The issuer is listed twice.
    #[error("issuer is listed more than once")]
    DuplicateIssuer,
    /// The issuer has no key with this `kid` (builder operations).
    #[error("issuer has no key with this kid")]
    UnknownKey,
    /// A key is listed twice.
    #[error("key is listed more than once")]
    DuplicateKey,
    /// A validity window is empty (`next_update` not after `iat`, or a key's `not_after` not
    /// after its `not_before`).
    #[error("validity window is empty")]
    InvalidValidity,
    /// The root could not sign.
    #[error("trust list signing failed: {0}")]
    Signer(JwsError),
    /// The stored list could not be read or written.
    #[error("trust list i/o failed: {0}")]
    Io(String),
    /// The pinned root key's algorithm is not one the verifier's policy accepts for trust lists.
    #[error("trust list root key algorithm {0} is not accepted by this verifier")]
    AlgorithmNotAccepted(Algorithm),
    /// A listed key's JWK `alg` does not name the key's own algorithm.
    #[error("a listed key's alg does not match its key")]
    KeyAlgorithmMismatch,
    /// A type document the list carries (or the builder was given) cannot be used.
    #[error("trust list type document: {0}")]
    TypeDocument(catalogue::CatalogueError),
}

impl TrustError {
    /// This error's row of the error table ([`crate::error`]): its stable code, kind and class.
    pub fn info(&self) -> &'static ErrorInfo {
        match self {
            Self::Jws(e) => e.info(),
            Self::BadSignature => &codes::TRUST_BAD_SIGNATURE,
            Self::TooLarge => &codes::TRUST_TOO_LARGE,
            Self::Malformed(_) => &codes::TRUST_MALFORMED,
            Self::Stale => &codes::TRUST_STALE,
            Self::IssuedInFuture => &codes::TRUST_ISSUED_IN_FUTURE,
            Self::Rollback => &codes::TRUST_ROLLBACK,
            Self::SequenceReused => &codes::TRUST_SEQUENCE_REUSED,
            Self::WrongListId => &codes::TRUST_WRONG_LIST_ID,
            Self::UnlistedIssuer => &codes::TRUST_UNLISTED_ISSUER,
            Self::DuplicateIssuer => &codes::TRUST_DUPLICATE_ISSUER,
            Self::UnknownKey => &codes::TRUST_UNKNOWN_KEY,
            Self::DuplicateKey => &codes::TRUST_DUPLICATE_KEY,
            Self::InvalidValidity => &codes::TRUST_INVALID_VALIDITY,
            Self::Signer(e) => e.info(),
            Self::Io(_) => &codes::TRUST_IO,
            Self::AlgorithmNotAccepted(_) => &codes::TRUST_ALGORITHM_NOT_ACCEPTED,
            Self::KeyAlgorithmMismatch => &codes::TRUST_KEY_ALGORITHM_MISMATCH,
            Self::TypeDocument(_) => &codes::TRUST_TYPE_DOCUMENT,
        }
    }

    /// Stable machine-readable code (lower layers' codes pass through unchanged).
    pub fn code(&self) -> &'static str {
        self.info().code
    }

    fn io(e: &std::io::Error) -> Self {
        Self::Io(e.kind().to_string())
    }
}

impl ErrorCode for TrustError {
    fn info(&self) -> &'static ErrorInfo {
        TrustError::info(self)
    }
    /// A trust list whose JWS or signer fails keeps the `jws.*` / `key.*` code, but for the
    /// verifier it is its own trust list that cannot be used, not a credential that failed.
    fn kind(&self) -> crate::error::ErrorKind {
        match self {
            Self::Jws(_) | Self::Signer(_) => crate::error::ErrorKind::Setup,
            _ => self.info().kind,
        }
    }
    fn class(&self) -> ErrorClass {
        match self {
            Self::Jws(_) => ErrorClass::TrustList,
            _ => self.info().class,
        }
    }
}

/// What to do with a list past its `next_update`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum StalePolicy {
    /// Refuse to verify against it (default: an out-of-date list may still trust a key that was
    /// removed after a compromise).
    #[default]
    Fail,
    /// Verify, and report the list as stale.
    Warn,
}

/// One issuer key and when it may sign credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerKey {
    /// The public key; its algorithm (Ed25519, P-256 or SM2) follows from the JWK's `kty` and
    /// `crv`, is written as the JWK's `alg` and is the only one its signatures are checked with.
    pub key: PublicKey,
    /// Its RFC 7638 thumbprint (the `kid` in credential headers).
    pub kid: String,
    /// First second (unix) at which credentials signed by it may be issued (`iat`).
    pub not_before: i64,
    /// First second at which it may no longer sign (planned end), if any.
    pub not_after: Option<i64>,
    /// First second at which it was retired (rotation), if it was. Credentials issued before
    /// stay valid; a compromised key is removed instead, which invalidates them all.
    pub retired_at: Option<i64>,
}

impl IssuerKey {
    /// Whether a credential issued at `iat` may carry this key's signature.
    pub fn valid_at(&self, iat: i64) -> bool {
        iat >= self.not_before
            && self.not_after.is_none_or(|end| iat < end)
            && self.retired_at.is_none_or(|end| iat < end)
    }
}

/// One issuing agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerEntry {
    /// `iss` of its credentials.
    pub iss: String,
    /// Name in Chinese (`zh-CN`), e.g. 上海市公安局.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
    /// Credential types it may issue.
    pub vct: Vec<String>,
    /// `vct#integrity`: for types in `vct`, the SRI integrity of the type document a verifier
    /// must apply to its credentials. Lists written before types were data have none; a type
    /// without a pin resolves to the carried or built-in document of its `vct`.
    pub integrity: BTreeMap<String, String>,
    /// Its keys.
    pub keys: Vec<IssuerKey>,
}

/// The content of a trust list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustList {
    /// `list_id`: which list this is (a verifier follows one list).
    pub list_id: String,
    /// `seq`: sequence number, increasing with every published version.
    pub seq: u64,
    /// `iat`: when this version was signed.
    pub issued_at: i64,
    /// `next_update`: when the next version is due; the list is stale after it.
    pub next_update: i64,
    /// `issuers`.
    pub issuers: Vec<IssuerEntry>,
    /// `type_metadata`: the Type Metadata documents the list carries, each exactly as the
    /// issuers' `vct#integrity` pins it (written as base64url of the octets).
    pub type_documents: Vec<String>,
}

fn string_member(
    obj: &Map<String, Value>,
    name: &str,
    what: &'static str,
) -> Result<String, TrustError> {
    obj.get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or(TrustError::Malformed(what))
}

fn int_member(obj: &Map<String, Value>, name: &str, what: &'static str) -> Result<i64, TrustError> {
    obj.get(name)
        .and_then(Value::as_i64)
        .ok_or(TrustError::Malformed(what))
}

fn opt_int_member(
    obj: &Map<String, Value>,
    name: &str,
    what: &'static str,
) -> Result<Option<i64>, TrustError> {
    match obj.get(name) {
        None => Ok(None),
        Some(v) => v.as_i64().map(Some).ok_or(TrustError::Malformed(what)),
    }
}

impl IssuerKey {
    fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("kid".into(), Value::from(self.kid.as_str()));
        let mut jwk = self.key.to_jwk();
        if let Value::Object(members) = &mut jwk {
            members.insert("alg".into(), Value::from(self.key.algorithm().jws_name()));
        }
        map.insert("jwk".into(), jwk);
        map.insert("not_before".into(), Value::from(self.not_before));
        if let Some(t) = self.not_after {
            map.insert("not_after".into(), Value::from(t));
        }
        if let Some(t) = self.retired_at {
            map.insert("retired_at".into(), Value::from(t));
        }
        Value::Object(map)
    }

    fn from_json(value: &Value) -> Result<Self, TrustError> {
        let obj = value
            .as_object()
            .ok_or(TrustError::Malformed("a key is not an object"))?;
        let jwk = obj
            .get("jwk")
            .ok_or(TrustError::Malformed("a key has no jwk"))?;
        let key = PublicKey::from_jwk(jwk).map_err(|e| match e {
            KeyError::AlgorithmMismatch => TrustError::KeyAlgorithmMismatch,
            _ => TrustError::Malformed(
                "a key's jwk is not a usable Ed25519, P-256 or SM2 public key",
            ),
        })?;
        // Old lists (Ed25519 only) carry no `alg`; every EC key must state its own.
        if key.algorithm() != Algorithm::EdDsa && jwk.get("alg").is_none() {
            return Err(TrustError::Malformed("an EC key's jwk has no alg"));
        }
        let kid = string_member(obj, "kid", "a key has no kid")?;
        if kid != key.thumbprint() {
            return Err(TrustError::Malformed(
                "a key's kid is not its RFC 7638 thumbprint",
            ));
        }
        let not_before = int_member(obj, "not_before", "a key's not_before is not an integer")?;
        let not_after = opt_int_member(obj, "not_after", "a key's not_after is not an integer")?;
        let retired_at = opt_int_member(obj, "retired_at", "a key's retired_at is not an integer")?;
        if not_after.is_some_and(|end| end <= not_before) {
            return Err(TrustError::InvalidValidity);
        }
        Ok(Self {
            key,
            kid,
            not_before,
            not_after,
            retired_at,
        })
    }
}

impl IssuerEntry {
    fn to_json(&self) -> Value {
        let mut names = Map::new();
        names.insert("zh-CN".into(), Value::from(self.name_zh.as_str()));
        names.insert("en".into(), Value::from(self.name_en.as_str()));
        let mut map = Map::new();
        map.insert("iss".into(), Value::from(self.iss.as_str()));
        map.insert("name".into(), Value::Object(names));
        map.insert(
            "vct".into(),
            Value::Array(self.vct.iter().map(|v| Value::from(v.as_str())).collect()),
        );
        if !self.integrity.is_empty() {
            let pins: Map<String, Value> = self
                .integrity
                .iter()
                .map(|(vct, sri)| (vct.clone(), Value::from(sri.as_str())))
                .collect();
            map.insert("vct#integrity".into(), Value::Object(pins));
        }
        map.insert(
            "keys".into(),
            Value::Array(self.keys.iter().map(IssuerKey::to_json).collect()),
        );
        Value::Object(map)
    }

    fn from_json(value: &Value) -> Result<Self, TrustError> {
        let obj = value
            .as_object()
            .ok_or(TrustError::Malformed("an issuer is not an object"))?;
        let iss = string_member(obj, "iss", "an issuer has no iss")?;
        let names = obj
            .get("name")
            .and_then(Value::as_object)
            .ok_or(TrustError::Malformed("an issuer has no name object"))?;
        let name_zh = string_member(names, "zh-CN", "an issuer has no zh-CN name")?;
        let name_en = string_member(names, "en", "an issuer has no en name")?;
        let vct_values = obj
            .get("vct")
            .and_then(Value::as_array)
            .ok_or(TrustError::Malformed("an issuer's vct is not an array"))?;
        if vct_values.len() > MAX_VCTS_PER_ISSUER {
            return Err(TrustError::TooLarge);
        }
        let mut vct = Vec::with_capacity(vct_values.len());
        for v in vct_values {
            let v = v
                .as_str()
                .filter(|s| !s.is_empty())
                .ok_or(TrustError::Malformed("an issuer's vct holds a non-string"))?;
            if vct.iter().any(|seen: &String| seen == v) {
                return Err(TrustError::Malformed("an issuer lists a vct twice"));
            }
            vct.push(v.to_owned());
        }
        let mut integrity = BTreeMap::new();
        if let Some(pins) = obj.get("vct#integrity") {
            let pins = pins.as_object().ok_or(TrustError::Malformed(
                "an issuer's vct#integrity is not an object",
            ))?;
            for (v, sri) in pins {
                let sri = sri
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .ok_or(TrustError::Malformed(
                        "a vct#integrity value is not a string",
                    ))?;
                if !vct.contains(v) {
                    return Err(TrustError::Malformed(
                        "vct#integrity pins a type the issuer is not authorised for",
                    ));
                }
                integrity.insert(v.clone(), sri.to_owned());
            }
        }
        let key_values = obj
            .get("keys")
            .and_then(Value::as_array)
            .ok_or(TrustError::Malformed("an issuer's keys is not an array"))?;
        if key_values.len() > MAX_KEYS_PER_ISSUER {
            return Err(TrustError::TooLarge);
        }
        let mut keys: Vec<IssuerKey> = Vec::with_capacity(key_values.len());
        for k in key_values {
            let key = IssuerKey::from_json(k)?;
            if keys.iter().any(|seen| seen.kid == key.kid) {
                return Err(TrustError::DuplicateKey);
            }
            keys.push(key);
        }
        Ok(Self {
            iss,
            name_zh,
            name_en,
            vct,
            integrity,
            keys,
        })
    }
}

impl TrustList {
    /// The JWS payload: `list_id`, `seq`, `iat`, `next_update`, `issuers`.
    pub fn to_payload(&self) -> Value {
        let mut map = Map::new();
        map.insert("list_id".into(), Value::from(self.list_id.as_str()));
        map.insert("seq".into(), Value::from(self.seq));
        map.insert("iat".into(), Value::from(self.issued_at));
        map.insert("next_update".into(), Value::from(self.next_update));
        map.insert(
            "issuers".into(),
            Value::Array(self.issuers.iter().map(IssuerEntry::to_json).collect()),
        );
        if !self.type_documents.is_empty() {
            map.insert(
                "type_metadata".into(),
                Value::Array(
                    self.type_documents
                        .iter()
                        .map(|d| Value::from(b64_encode(d.as_bytes())))
                        .collect(),
                ),
            );
        }
        Value::Object(map)
    }

    /// Reads and checks a payload: types, thumbprint `kid`s, no duplicate issuer or key, size
    /// bounds, non-empty validity windows.
    pub fn from_payload(payload: &Map<String, Value>) -> Result<Self, TrustError> {
        let list_id = string_member(payload, "list_id", "list_id is not a non-empty string")?;
        let seq = payload
            .get("seq")
            .and_then(Value::as_u64)
            .ok_or(TrustError::Malformed("seq is not a non-negative integer"))?;
        let issued_at = int_member(payload, "iat", "iat is not an integer")?;
        let next_update = int_member(payload, "next_update", "next_update is not an integer")?;
        if next_update <= issued_at {
            return Err(TrustError::InvalidValidity);
        }
        let values = payload
            .get("issuers")
            .and_then(Value::as_array)
            .ok_or(TrustError::Malformed("issuers is not an array"))?;
        if values.len() > MAX_ISSUERS {
            return Err(TrustError::TooLarge);
        }
        let mut issuers: Vec<IssuerEntry> = Vec::with_capacity(values.len());
        for v in values {
            let entry = IssuerEntry::from_json(v)?;
            if issuers.iter().any(|seen| seen.iss == entry.iss) {
                return Err(TrustError::DuplicateIssuer);
            }
            issuers.push(entry);
        }
        let mut type_documents = Vec::new();
        if let Some(docs) = payload.get("type_metadata") {
            let docs = docs
                .as_array()
                .ok_or(TrustError::Malformed("type_metadata is not an array"))?;
            if docs.len() > MAX_TYPE_DOCUMENTS {
                return Err(TrustError::TooLarge);
            }
            for d in docs {
                let octets =
                    d.as_str()
                        .and_then(|t| b64_decode(t).ok())
                        .ok_or(TrustError::Malformed(
                            "a type_metadata entry is not canonical base64url",
                        ))?;
                let text = String::from_utf8(octets)
                    .map_err(|_| TrustError::Malformed("a type_metadata document is not UTF-8"))?;
                type_documents.push(text);
            }
        }
        Ok(Self {
            list_id,
            seq,
            issued_at,
            next_update,
            issuers,
            type_documents,
        })
    }

    /// The types of the documents the list carries, over the built-in ones, for a verifier:
    /// a document this version cannot read (a format or rule a later release added) or one that
    /// conflicts is left out, so only credentials of that type are refused
    /// (`vc.unknown_type`, or `vc.type_integrity_mismatch` against a built-in of its `vct`)
    /// instead of every credential the list vouches for.
    pub fn types_for_verifier(&self) -> TypeSet {
        let mut set = TypeSet::new();
        for d in &self.type_documents {
            let _ = set.add_document(d.as_bytes());
        }
        set
    }

    /// The types of the documents the list carries, over the built-in ones, strictly: for the
    /// operator building a list, where a bad document is an error to fix.
    ///
    /// # Errors
    ///
    /// [`TrustError::TypeDocument`] for a document that is invalid or conflicts with another
    /// (or with a built-in type of the same `vct`).
    pub fn types(&self) -> Result<TypeSet, TrustError> {
        let mut set = TypeSet::new();
        for d in &self.type_documents {
            set.add_document(d.as_bytes())
                .map_err(TrustError::TypeDocument)?;
        }
        Ok(set)
    }

    /// The entry for `iss`.
    pub fn issuer(&self, iss: &str) -> Option<&IssuerEntry> {
        self.issuers.iter().find(|e| e.iss == iss)
    }
}

/// Builds and signs trust lists (the trust-list operator's side).
#[derive(Debug, Clone)]
pub struct TrustListBuilder {
    list: TrustList,
}

impl TrustListBuilder {
    /// An empty list `list_id` with sequence number `seq`.
    pub fn new(list_id: &str, seq: u64) -> Self {
        Self {
            list: TrustList {
                list_id: list_id.to_owned(),
                seq,
                issued_at: 0,
                next_update: 0,
                issuers: Vec::new(),
                type_documents: Vec::new(),
            },
        }
    }

    /// The next version of `current`: same id and content, sequence number + 1.
    pub fn next_version(current: &TrustList) -> Result<Self, TrustError> {
        let mut list = current.clone();
        list.seq = list
            .seq
            .checked_add(1)
            .ok_or(TrustError::Malformed("seq cannot grow further"))?;
        Ok(Self { list })
    }

    /// The list as built so far.
    pub fn list(&self) -> &TrustList {
        &self.list
    }

    fn entry_mut(&mut self, iss: &str) -> Result<&mut IssuerEntry, TrustError> {
        self.list
            .issuers
            .iter_mut()
            .find(|e| e.iss == iss)
            .ok_or(TrustError::UnlistedIssuer)
    }

    /// Lists a new issuer with its names and the credential types it may issue.
    pub fn add_issuer(
        &mut self,
        iss: &str,
        name_zh: &str,
        name_en: &str,
        vcts: &[&str],
    ) -> Result<&mut Self, TrustError> {
        if iss.is_empty() || name_zh.is_empty() || name_en.is_empty() {
            return Err(TrustError::Malformed(
                "issuer id and names must be non-empty",
            ));
        }
        if self.list.issuer(iss).is_some() {
            return Err(TrustError::DuplicateIssuer);
        }
        if self.list.issuers.len() >= MAX_ISSUERS {
            return Err(TrustError::TooLarge);
        }
        self.list.issuers.push(IssuerEntry {
            iss: iss.to_owned(),
            name_zh: name_zh.to_owned(),
            name_en: name_en.to_owned(),
            vct: Vec::new(),
            integrity: BTreeMap::new(),
            keys: Vec::new(),
        });
        for vct in vcts {
            self.authorise(iss, vct)?;
        }
        Ok(self)
    }

    /// Removes an issuer: none of its credentials verify against the new list.
    pub fn remove_issuer(&mut self, iss: &str) -> Result<&mut Self, TrustError> {
        let before = self.list.issuers.len();
        self.list.issuers.retain(|e| e.iss != iss);
        if self.list.issuers.len() == before {
            return Err(TrustError::UnlistedIssuer);
        }
        Ok(self)
    }

    /// Authorises `iss` to issue credentials of type `vct` (no-op if it already may). A
    /// built-in type is authorised as by [`TrustListBuilder::authorise_type`]; any other `vct`
    /// without a document or pin, so its credentials verify only where the verifier has its
    /// document — use [`TrustListBuilder::authorise_type`] for agency-defined types.
    pub fn authorise(&mut self, iss: &str, vct: &str) -> Result<&mut Self, TrustError> {
        if vct.is_empty() {
            return Err(TrustError::Malformed("vct must be non-empty"));
        }
        if let Some(ty) = catalogue::all().iter().find(|t| t.vct == vct) {
            return self.authorise_type(iss, ty);
        }
        self.add_vct(iss, vct)?;
        Ok(self)
    }

    fn add_vct(&mut self, iss: &str, vct: &str) -> Result<&mut IssuerEntry, TrustError> {
        let entry = self.entry_mut(iss)?;
        if !entry.vct.iter().any(|v| v == vct) {
            if entry.vct.len() >= MAX_VCTS_PER_ISSUER {
                return Err(TrustError::TooLarge);
            }
            entry.vct.push(vct.to_owned());
        }
        Ok(entry)
    }

    /// Authorises `iss` to issue credentials of type `ty`: its `vct`, the SRI integrity of its
    /// document as the issuer's pin, and the document itself carried in the list (once, however
    /// many issuers it is authorised for).
    ///
    /// # Errors
    ///
    /// [`TrustError::TypeDocument`] when the list already carries a different document with
    /// the same `vct` or short name.
    pub fn authorise_type(
        &mut self,
        iss: &str,
        ty: &CredentialType,
    ) -> Result<&mut Self, TrustError> {
        let mut carried = self.list.types()?;
        carried
            .add_document(ty.document().as_bytes())
            .map_err(TrustError::TypeDocument)?;
        let integrity = ty.integrity().to_owned();
        let entry = self.add_vct(iss, &ty.vct)?;
        entry.integrity.insert(ty.vct.clone(), integrity);
        if !self.list.type_documents.iter().any(|d| d == ty.document()) {
            if self.list.type_documents.len() >= MAX_TYPE_DOCUMENTS {
                return Err(TrustError::TooLarge);
            }
            self.list.type_documents.push(ty.document().to_owned());
        }
        Ok(self)
    }

    /// Authorises `iss` to issue credentials of type `vct` whose document has the SRI
    /// `integrity`, without carrying the document: for documents distributed beside the list
    /// (a verifier's own types directory, [`VerifiedTrustList::add_types`]) or built in.
    /// Credentials of the type verify only where a document with that integrity is known.
    pub fn authorise_pinned(
        &mut self,
        iss: &str,
        vct: &str,
        integrity: &str,
    ) -> Result<&mut Self, TrustError> {
        if vct.is_empty() || integrity.is_empty() {
            return Err(TrustError::Malformed("vct and integrity must be non-empty"));
        }
        let entry = self.add_vct(iss, vct)?;
        entry.integrity.insert(vct.to_owned(), integrity.to_owned());
        Ok(self)
    }

    /// Withdraws the authorisation of `iss` for `vct`.
    pub fn deauthorise(&mut self, iss: &str, vct: &str) -> Result<&mut Self, TrustError> {
        let entry = self.entry_mut(iss)?;
        entry.vct.retain(|v| v != vct);
        entry.integrity.remove(vct);
        Ok(self)
    }

    /// Adds a key to `iss`, valid for credentials issued from `not_before` until `not_after`
    /// (exclusive), if given.
    pub fn add_key<K: Clone + Into<PublicKey>>(
        &mut self,
        iss: &str,
        key: &K,
        not_before: i64,
        not_after: Option<i64>,
    ) -> Result<&mut Self, TrustError> {
        if not_after.is_some_and(|end| end <= not_before) {
            return Err(TrustError::InvalidValidity);
        }
        let key: PublicKey = key.clone().into();
        let kid = key.thumbprint();
        if self
            .list
            .issuers
            .iter()
            .any(|e| e.keys.iter().any(|k| k.kid == kid))
        {
            return Err(TrustError::DuplicateKey);
        }
        let entry = self.entry_mut(iss)?;
        if entry.keys.len() >= MAX_KEYS_PER_ISSUER {
            return Err(TrustError::TooLarge);
        }
        entry.keys.push(IssuerKey {
            key,
            kid,
            not_before,
            not_after,
            retired_at: None,
        });
        Ok(self)
    }

    /// Retires a key at `at` (rotation): credentials issued before `at` still verify, later
    /// ones do not.
    pub fn retire_key(&mut self, iss: &str, kid: &str, at: i64) -> Result<&mut Self, TrustError> {
        let key = self
            .entry_mut(iss)?
            .keys
            .iter_mut()
            .find(|k| k.kid == kid)
            .ok_or(TrustError::UnknownKey)?;
        key.retired_at = Some(at);
        Ok(self)
    }

    /// Removes a key entirely (compromise): no credential it signed verifies any more.
    pub fn remove_key(&mut self, iss: &str, kid: &str) -> Result<&mut Self, TrustError> {
        let entry = self.entry_mut(iss)?;
        let before = entry.keys.len();
        entry.keys.retain(|k| k.kid != kid);
        if entry.keys.len() == before {
            return Err(TrustError::UnknownKey);
        }
        Ok(self)
    }

    /// Signs the list with the root key: header `typ: trustlist+jwt`, `kid` = the root's
    /// thumbprint; payload `iat` = `issued_at`, `next_update`.
    pub fn sign<S: KeySigner + ?Sized>(
        &self,
        issued_at: i64,
        next_update: i64,
        root: &S,
    ) -> Result<String, TrustError> {
        if next_update <= issued_at {
            return Err(TrustError::InvalidValidity);
        }
        let mut list = self.list.clone();
        list.issued_at = issued_at;
        list.next_update = next_update;
        // Carry only documents some issuer is still authorised for.
        let types = list.types()?;
        // A pin that contradicts the document the list carries for its type would make every
        // credential of the type fail at the verifiers: refuse to sign it.
        for entry in &list.issuers {
            for (vct, pin) in &entry.integrity {
                if let Some(t) = types.added().iter().find(|t| &t.vct == vct)
                    && pin != t.integrity()
                    && !catalogue::integrity_matches(pin, t.document().as_bytes())
                {
                    return Err(TrustError::Malformed(
                        "a vct#integrity pin does not match the type document the list carries",
                    ));
                }
            }
        }
        list.type_documents.retain(|d| {
            types.iter().any(|t| {
                t.document() == d
                    && list
                        .issuers
                        .iter()
                        .any(|e| e.vct.iter().any(|v| v == &t.vct))
            })
        });
        let mut header = Map::new();
        header.insert("typ".into(), Value::from(TRUST_LIST_TYP));
        header.insert("kid".into(), Value::from(root.public().thumbprint()));
        crate::format::jws::sign(header, &list.to_payload(), root).map_err(TrustError::Signer)
    }
}

/// How fresh the trust list used for a verification was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustFreshness {
    /// `list_id`.
    pub list_id: String,
    /// `seq`.
    pub seq: u64,
    /// `iat`.
    pub issued_at: i64,
    /// `next_update`.
    pub next_update: i64,
    /// Whether `now` is past `next_update` (only possible under [`StalePolicy::Warn`]).
    pub stale: bool,
}

/// A trust list whose root signature and content have been verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedTrustList {
    list: TrustList,
    token: String,
    algorithms: AlgorithmPolicy,
    /// The carried type documents over the built-in ones, read once at load.
    types: TypeSet,
}

impl VerifiedTrustList {
    /// Verifies a trust list token against the pinned `root` key: size bound, JWS checks,
    /// `typ: trustlist+jwt`, `verify_strict` signature, payload structure, `iat` not in the
    /// future, and freshness under `stale` at `now` (±`skew` seconds).
    pub fn verify<K: KeyVerifier + ?Sized>(
        token: &str,
        root: &K,
        now: i64,
        skew: u64,
        stale: StalePolicy,
    ) -> Result<Self, TrustError> {
        Self::verify_with(token, root, now, skew, stale, AlgorithmPolicy::default())
    }

    /// [`VerifiedTrustList::verify`] under an algorithm policy: the root's algorithm must be in
    /// `algorithms.trust_list` ([`TrustError::AlgorithmNotAccepted`], before any signature
    /// check), and the list keeps the policy for the credentials and Status List Tokens verified
    /// against it.
    pub fn verify_with<K: KeyVerifier + ?Sized>(
        token: &str,
        root: &K,
        now: i64,
        skew: u64,
        stale: StalePolicy,
        algorithms: AlgorithmPolicy,
    ) -> Result<Self, TrustError> {
        if !algorithms.trust_list.contains(root.key_algorithm()) {
            return Err(TrustError::AlgorithmNotAccepted(root.key_algorithm()));
        }
        let token = token.trim();
        if token.len() > MAX_TRUST_LIST_BYTES {
            return Err(TrustError::TooLarge);
        }
        let jws = Jws::parse(token).map_err(TrustError::Jws)?;
        jws.expect_typ(TRUST_LIST_TYP).map_err(TrustError::Jws)?;
        jws.verify(root).map_err(|_| TrustError::BadSignature)?;
        let payload = jws.payload().map_err(TrustError::Jws)?;
        let list = TrustList::from_payload(&payload)?;
        let types = list.types_for_verifier();
        let verified = Self {
            list,
            token: token.to_owned(),
            algorithms,
            types,
        };
        verified.freshness(now, skew, stale)?;
        Ok(verified)
    }

    /// The algorithm policy it was verified under, applied to everything verified against it.
    pub fn algorithms(&self) -> AlgorithmPolicy {
        self.algorithms
    }

    /// The list content.
    pub fn list(&self) -> &TrustList {
        &self.list
    }

    /// The compact JWS it was read from.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The entry for `iss`.
    pub fn issuer(&self, iss: &str) -> Option<&IssuerEntry> {
        self.list.issuer(iss)
    }

    /// The credential types the list carries, over the built-in ones.
    pub fn types(&self) -> &TypeSet {
        &self.types
    }

    /// Adds the verifier's own type documents (those `local` added over the built-in ones) to
    /// the documents the list carries: for types the list pins but does not carry. They are
    /// used only where they match the issuer's pin, as carried ones are.
    ///
    /// # Errors
    ///
    /// [`TrustError::TypeDocument`] when a local document conflicts with a carried one.
    pub fn add_types(&mut self, local: &TypeSet) -> Result<(), TrustError> {
        for ty in local.added() {
            self.types
                .add(ty.clone())
                .map_err(TrustError::TypeDocument)?;
        }
        Ok(())
    }

    /// Freshness at `now`: [`TrustError::IssuedInFuture`] if signed after `now + skew`;
    /// [`TrustError::Stale`] past `next_update + skew` under [`StalePolicy::Fail`].
    pub fn freshness(
        &self,
        now: i64,
        skew: u64,
        policy: StalePolicy,
    ) -> Result<TrustFreshness, TrustError> {
        let skew = i64::try_from(skew).unwrap_or(i64::MAX);
        if self.list.issued_at > now.saturating_add(skew) {
            return Err(TrustError::IssuedInFuture);
        }
        let stale = now.saturating_sub(skew) > self.list.next_update;
        if stale && policy == StalePolicy::Fail {
            return Err(TrustError::Stale);
        }
        Ok(TrustFreshness {
            list_id: self.list.list_id.clone(),
            seq: self.list.seq,
            issued_at: self.list.issued_at,
            next_update: self.list.next_update,
            stale,
        })
    }

    /// Whether `next` may replace this list: same `list_id`, and a higher `seq` (or the very
    /// same token again).
    pub fn check_successor(&self, next: &Self) -> Result<(), TrustError> {
        if next.list.list_id != self.list.list_id {
            return Err(TrustError::WrongListId);
        }
        if next.list.seq < self.list.seq {
            return Err(TrustError::Rollback);
        }
        if next.list.seq == self.list.seq && next.token != self.token {
            return Err(TrustError::SequenceReused);
        }
        Ok(())
    }
}

impl IssuerKeyResolver for VerifiedTrustList {
    fn resolve(
        &self,
        iss: &str,
        kid: Option<&str>,
        vct: &str,
        iat: i64,
    ) -> Result<PublicKey, VcError> {
        let entry = self.issuer(iss).ok_or(VcError::UnknownIssuer)?;
        if !entry.vct.iter().any(|v| v == vct) {
            return Err(VcError::IssuerNotAuthorised);
        }
        let key = match kid {
            Some(kid) => entry
                .keys
                .iter()
                .find(|k| k.kid == kid)
                .ok_or(VcError::UnknownKey)?,
            None => match entry.keys.as_slice() {
                [only] => only,
                _ => return Err(VcError::UnknownKey),
            },
        };
        if !key.valid_at(iat) {
            return Err(VcError::KeyNotValid);
        }
        Ok(key.key.clone())
    }

    fn accepted_algorithms(&self) -> AlgorithmPolicy {
        self.algorithms
    }

    /// The carried or built-in document of `vct`, which must match the issuer's
    /// `vct#integrity` pin when it has one.
    fn credential_type(&self, iss: &str, vct: &str) -> Result<Option<&CredentialType>, VcError> {
        let ty = self
            .types
            .iter()
            .find(|t| t.vct == vct)
            .ok_or(VcError::UnknownType)?;
        let pin = self.issuer(iss).and_then(|e| e.integrity.get(vct));
        match pin {
            // Pins the builder wrote are the document's own `sha256-` string: compared as text
            // first, so a verification hashes nothing.
            Some(pin)
                if pin != ty.integrity()
                    && !catalogue::integrity_matches(pin, ty.document().as_bytes()) =>
            {
                Err(VcError::TypeIntegrityMismatch)
            }
            _ => Ok(Some(ty)),
        }
    }
}

impl StatusKeyResolver for VerifiedTrustList {
    fn status_key(
        &self,
        iss: Option<&str>,
        kid: Option<&str>,
        at: i64,
    ) -> Result<PublicKey, StatusError> {
        let candidates = self
            .list
            .issuers
            .iter()
            .filter(|e| iss.is_none_or(|i| i == e.iss))
            .flat_map(|e| e.keys.iter())
            .filter(|k| kid.is_none_or(|kid| kid == k.kid))
            .filter(|k| k.valid_at(at));
        let mut found = None;
        for key in candidates {
            if found.is_some() {
                // Without a kid, two keys could have signed: refuse to guess.
                return Err(StatusError::UntrustedSigner);
            }
            found = Some(key.key.clone());
        }
        let key = found.ok_or(StatusError::UntrustedSigner)?;
        if !self.algorithms.status_list.contains(key.algorithm()) {
            return Err(StatusError::AlgorithmNotAccepted(key.algorithm()));
        }
        Ok(key)
    }
}

/// The verifier's accepted trust list on disk, guarding against rollback: a new list replaces
/// the stored one only if it verifies under the pinned root and has the same `list_id` and a
/// higher sequence number. Written with [`crate::fsutil::write_atomic`].
#[derive(Debug, Clone)]
pub struct TrustListStore {
    path: PathBuf,
}

impl TrustListStore {
    /// A store whose list lives at `path` (the file need not exist yet).
    pub fn new(path: impl AsRef<Path>) -> Self {
        Self {
            path: path.as_ref().to_path_buf(),
        }
    }

    fn read(&self) -> Result<Option<String>, TrustError> {
        let file = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(TrustError::io(&e)),
        };
        let limit = u64::try_from(MAX_TRUST_LIST_BYTES).unwrap_or(u64::MAX);
        let mut text = String::new();
        file.take(limit.saturating_add(1))
            .read_to_string(&mut text)
            .map_err(|e| TrustError::io(&e))?;
        if text.len() > MAX_TRUST_LIST_BYTES {
            return Err(TrustError::TooLarge);
        }
        Ok(Some(text))
    }

    /// The stored list, verified under `root` and checked for freshness with `policy`.
    pub fn load<K: KeyVerifier + ?Sized>(
        &self,
        root: &K,
        now: i64,
        skew: u64,
        policy: StalePolicy,
    ) -> Result<Option<VerifiedTrustList>, TrustError> {
        match self.read()? {
            None => Ok(None),
            Some(token) => VerifiedTrustList::verify(&token, root, now, skew, policy).map(Some),
        }
    }

    /// Verifies `token` under `root` and stores it if it may replace the stored list (see
    /// [`VerifiedTrustList::check_successor`]). A stale new list is refused under
    /// [`StalePolicy::Fail`]; the stored one is compared whatever its age.
    pub fn accept<K: KeyVerifier + ?Sized>(
        &self,
        token: &str,
        root: &K,
        now: i64,
        skew: u64,
        policy: StalePolicy,
    ) -> Result<VerifiedTrustList, TrustError> {
        let next = VerifiedTrustList::verify(token, root, now, skew, policy)?;
        if let Some(current) = self.load(root, now, skew, StalePolicy::Warn)? {
            current.check_successor(&next)?;
        }
        crate::fsutil::write_atomic(&self.path, next.token.as_bytes(), 0o644)
            .map_err(|e| TrustError::io(&e))?;
        Ok(next)
    }
}
