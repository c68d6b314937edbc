//! The encrypted body: a JSON document (serde derive) holding the holder keys and the
//! credentials with their cached metadata, its schema versions and the migration from older
//! ones, and the consistency checks applied every time a body is read or about to be written.
//!
//! Holder keys carry their algorithm (issue 17: P-256 and SM2 beside Ed25519, so that a phone
//! can keep its holder key in a Secure Enclave or StrongBox, which hold P-256 only). A key
//! record without `alg` is Ed25519, which is all schema 2 could hold; schema 3 adds `alg`. A body
//! is written under the oldest schema that can express it (docs/store.md, "Versions and
//! migration"): a store of Ed25519 keys stays schema 2, readable by the apps already installed,
//! and only a store holding a P-256 or SM2 key becomes schema 3, which those apps refuse with
//! `store.newer_version` ("update the app") rather than as a corrupt file.

use super::error::StoreError;
use crate::encoding::b64_encode;
use crate::format::credential::catalogue::{self, Lang};
use crate::format::credential::{RegisteredClaims, StatusRef, VcError};
use crate::format::jws::Jws;
use crate::format::keys::{Algorithm, PublicKey};
use crate::format::sdjwt::SdJwtParts;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::HashSet;
use std::fmt;
use zeroize::Zeroizing;

/// The newest body schema this library reads and writes (3: key records may carry `alg`).
pub(crate) const SCHEMA_VERSION: u32 = 3;
/// The schema written while every key is Ed25519: the newest that apps without `alg` read.
const SCHEMA_ED25519_ONLY: u32 = 2;
/// Most credentials one store holds (a resident has a handful; this bounds file size and work).
pub const MAX_CREDENTIALS: usize = 256;
/// Most holder keys one store holds (one per credential, plus keys requested but not yet used).
pub const MAX_HOLDER_KEYS: usize = 512;
/// Longest external key handle, bytes.
pub const MAX_HANDLE_LEN: usize = 256;

/// Schemas 2 and 3 (current): the same records, schema 3 allowing keys other than Ed25519.
/// `schema` is what was read; [`Body::encode`] writes the schema the keys need.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct Body {
    pub schema: u32,
    pub keys: Vec<KeyRecord>,
    pub credentials: Vec<CredentialRecord>,
}

/// What [`Body::encode`] serialises: the body under the schema it needs.
#[derive(Serialize)]
struct BodyOut<'a> {
    schema: u32,
    keys: &'a [KeyRecord],
    credentials: &'a [CredentialRecord],
}

/// A holder key. Externally tagged (`{"software": {...}}`) rather than internally tagged: serde
/// buffers internally tagged content into owned strings that would hold copies of the seed.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum KeyRecord {
    Software(SoftwareKeyRecord),
    External(ExternalKeyRecord),
}

/// A key kept in the store. Serialised as `{"id", "alg"?, "public", "seed"}`; read through
/// [`SoftwareKeyWire`], where the public key is decoded once its algorithm is known.
#[derive(Serialize, Deserialize)]
#[serde(try_from = "SoftwareKeyWire")]
pub(crate) struct SoftwareKeyRecord {
    /// RFC 7638 thumbprint of the public key.
    pub id: String,
    /// The public key: `alg` (JWS name, omitted for Ed25519) and `public`, base64url of the raw
    /// key (32 bytes for Ed25519, x‖y for P-256 and SM2). Stored rather than recomputed from the
    /// secret on every read (a scalar multiplication per key); a secret that does not match it
    /// cannot sign for the credential, because presenting checks the signer against `cnf`.
    #[serde(flatten, serialize_with = "ser_public")]
    pub public: PublicKey,
    /// The 32-byte secret: the RFC 8032 seed for Ed25519, the scalar `d` (big-endian) for P-256
    /// and SM2. Named `seed` since schema 1, when it could only be an Ed25519 seed.
    pub seed: Seed,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SoftwareKeyWire {
    id: String,
    #[serde(default)]
    alg: Option<String>,
    public: String,
    seed: Seed,
}

impl TryFrom<SoftwareKeyWire> for SoftwareKeyRecord {
    type Error = String;
    fn try_from(wire: SoftwareKeyWire) -> Result<Self, String> {
        Ok(Self {
            public: public_from_wire(wire.alg.as_deref(), &wire.public)?,
            id: wire.id,
            seed: wire.seed,
        })
    }
}

/// A key kept by the app in secure hardware: `{"id", "alg"?, "public", "handle"}`.
#[derive(Serialize, Deserialize)]
#[serde(try_from = "ExternalKeyWire")]
pub(crate) struct ExternalKeyRecord {
    /// RFC 7638 thumbprint of the public key.
    pub id: String,
    /// The public key, as in [`SoftwareKeyRecord`].
    #[serde(flatten, serialize_with = "ser_public")]
    pub public: PublicKey,
    /// The app's name for the key in its keystore.
    pub handle: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExternalKeyWire {
    id: String,
    #[serde(default)]
    alg: Option<String>,
    public: String,
    handle: String,
}

impl TryFrom<ExternalKeyWire> for ExternalKeyRecord {
    type Error = String;
    fn try_from(wire: ExternalKeyWire) -> Result<Self, String> {
        Ok(Self {
            public: public_from_wire(wire.alg.as_deref(), &wire.public)?,
            id: wire.id,
            handle: wire.handle,
        })
    }
}

/// Decodes a record's public key: `alg` absent is Ed25519 (schemas 1 and 2); present, it must
/// name another algorithm, so that each key has exactly one encoding.
fn public_from_wire(alg: Option<&str>, public: &str) -> Result<PublicKey, String> {
    let algorithm = match alg {
        None => Algorithm::EdDsa,
        Some(name) => match Algorithm::from_jws_name(name) {
            Some(Algorithm::EdDsa) | None => return Err("unknown key algorithm".into()),
            Some(other) => other,
        },
    };
    let bytes = crate::encoding::b64_decode(public)
        .map_err(|_| "public key is not canonical base64url".to_owned())?;
    PublicKey::from_raw(algorithm, &bytes).map_err(|_| "public key is invalid".to_owned())
}

impl KeyRecord {
    pub(super) fn id(&self) -> &str {
        match self {
            Self::Software(k) => &k.id,
            Self::External(k) => &k.id,
        }
    }

    pub(super) fn public_key(&self) -> &PublicKey {
        match self {
            Self::Software(k) => &k.public,
            Self::External(k) => &k.public,
        }
    }
}

#[derive(Serialize, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct CredentialRecord {
    pub id: String,
    pub sd_jwt: String,
    pub holder_key_id: String,
    pub imported_at: i64,
    pub vct: String,
    pub type_name: Option<String>,
    pub issuer: String,
    pub issued_at: i64,
    pub not_before: Option<i64>,
    pub expires_at: i64,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub status: Option<StatusRecord>,
}

#[derive(Serialize, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatusRecord {
    pub idx: u64,
    pub uri: String,
}

impl From<&StatusRecord> for StatusRef {
    fn from(s: &StatusRecord) -> Self {
        Self {
            idx: s.idx,
            uri: s.uri.clone(),
        }
    }
}

/// Schema 1: credentials were kept as bare strings with their key and import time; the
/// metadata shown in lists was recomputed on every read. Schema 2 caches it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BodyV1 {
    #[serde(rename = "schema")]
    _schema: u32,
    keys: Vec<KeyRecord>,
    credentials: Vec<CredentialRecordV1>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialRecordV1 {
    sd_jwt: String,
    holder_key_id: String,
    imported_at: i64,
}

#[derive(Deserialize)]
struct SchemaProbe {
    schema: u32,
}

/// [`crate::format::credential::credential_id`] with the store's error.
pub(crate) fn credential_id(credential: &str) -> Result<String, StoreError> {
    crate::format::credential::credential_id(credential).map_err(StoreError::Credential)
}

/// Reads the metadata of a credential from its issuer-signed payload (no signature check:
/// callers verify on import, and a stored credential has been authenticated with the store).
pub(crate) fn describe(
    credential: &str,
    holder_key_id: String,
    imported_at: i64,
) -> Result<CredentialRecord, StoreError> {
    let id = credential_id(credential)?;
    let parts =
        SdJwtParts::split(credential).map_err(|e| StoreError::Credential(VcError::from(e)))?;
    let payload = Jws::parse(parts.jwt)
        .and_then(|j| j.payload())
        .map_err(|e| StoreError::Credential(VcError::from(e)))?;
    let claims = RegisteredClaims::from_payload(&payload).map_err(StoreError::Credential)?;
    let known = catalogue::by_name(&claims.vct).ok();
    Ok(CredentialRecord {
        id,
        sd_jwt: credential.to_owned(),
        holder_key_id,
        imported_at,
        type_name: known.map(|t| t.short_name.to_owned()),
        name_zh: known.map(|t| t.name(Lang::Zh).to_owned()),
        name_en: known.map(|t| t.name(Lang::En).to_owned()),
        vct: claims.vct,
        issuer: claims.iss,
        issued_at: claims.iat,
        not_before: claims.nbf,
        expires_at: claims.exp,
        status: claims.status.map(|s| StatusRecord {
            idx: s.idx,
            uri: s.uri,
        }),
    })
}

impl Body {
    pub(super) fn empty() -> Self {
        Self {
            schema: SCHEMA_ED25519_ONLY,
            ..Self::default()
        }
    }

    /// The oldest schema that can hold this body: 2 while every key is Ed25519, else 3.
    fn needed_schema(&self) -> u32 {
        if self
            .keys
            .iter()
            .all(|k| k.public_key().algorithm() == Algorithm::EdDsa)
        {
            SCHEMA_ED25519_ONLY
        } else {
            SCHEMA_VERSION
        }
    }

    /// Parses an authenticated plaintext, migrating older schemas. Returns whether it migrated
    /// (the caller then writes the upgraded body back).
    pub(super) fn decode(plaintext: &[u8]) -> Result<(Self, bool), StoreError> {
        // serde errors are dropped, not shown: their text can quote values from the body.
        let probe: SchemaProbe = serde_json::from_slice(plaintext)
            .map_err(|_| StoreError::Corrupt("not a store body"))?;
        let (body, migrated) = match probe.schema {
            SCHEMA_ED25519_ONLY | SCHEMA_VERSION => {
                let body = serde_json::from_slice::<Body>(plaintext)
                    .map_err(|_| StoreError::Corrupt("not a schema-2 or schema-3 store body"))?;
                if body.schema < body.needed_schema() {
                    return Err(StoreError::Corrupt(
                        "a schema-2 store body holds a key other than Ed25519",
                    ));
                }
                (body, false)
            }
            1 => (Self::migrate_v1(plaintext)?, true),
            found if found > SCHEMA_VERSION => {
                return Err(StoreError::NewerVersion {
                    what: "schema",
                    found,
                    supported: SCHEMA_VERSION,
                });
            }
            _ => return Err(StoreError::Corrupt("schema version 0")),
        };
        body.validate()?;
        Ok((body, migrated))
    }

    fn migrate_v1(plaintext: &[u8]) -> Result<Self, StoreError> {
        let old: BodyV1 = serde_json::from_slice(plaintext)
            .map_err(|_| StoreError::Corrupt("not a schema-1 store body"))?;
        if old.credentials.len() > MAX_CREDENTIALS {
            return Err(StoreError::Corrupt("too many credentials"));
        }
        let credentials = old
            .credentials
            .into_iter()
            .map(|c| describe(&c.sd_jwt, c.holder_key_id, c.imported_at))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| StoreError::Corrupt("a schema-1 credential cannot be read"))?;
        let body = Self {
            schema: SCHEMA_ED25519_ONLY,
            keys: old.keys,
            credentials,
        };
        if body.needed_schema() != SCHEMA_ED25519_ONLY {
            return Err(StoreError::Corrupt(
                "a schema-1 store body holds a key other than Ed25519",
            ));
        }
        Ok(body)
    }

    /// The invariants every body read or written must meet.
    pub(super) fn validate(&self) -> Result<(), StoreError> {
        if self.keys.len() > MAX_HOLDER_KEYS {
            return Err(StoreError::Corrupt("too many holder keys"));
        }
        if self.credentials.len() > MAX_CREDENTIALS {
            return Err(StoreError::Corrupt("too many credentials"));
        }
        let mut key_ids = HashSet::new();
        for key in &self.keys {
            if key.public_key().thumbprint() != key.id() {
                return Err(StoreError::Corrupt(
                    "a holder key id does not match its key",
                ));
            }
            if let KeyRecord::External(k) = key
                && (k.handle.is_empty() || k.handle.len() > MAX_HANDLE_LEN)
            {
                return Err(StoreError::Corrupt("an external key handle is invalid"));
            }
            if !key_ids.insert(key.id()) {
                return Err(StoreError::Corrupt("a holder key appears twice"));
            }
        }
        let mut credential_ids = HashSet::new();
        for credential in &self.credentials {
            if !key_ids.contains(credential.holder_key_id.as_str()) {
                return Err(StoreError::Corrupt("a credential's holder key is missing"));
            }
            if credential_id(&credential.sd_jwt).ok().as_deref() != Some(credential.id.as_str()) {
                return Err(StoreError::Corrupt(
                    "a credential id does not match its credential",
                ));
            }
            if !credential_ids.insert(credential.id.as_str()) {
                return Err(StoreError::Corrupt("a credential appears twice"));
            }
        }
        Ok(())
    }

    /// Serialises, under the schema the keys need, into a buffer zeroized on drop, sized up
    /// front so that growth does not leave copies of seeds in freed memory.
    pub(super) fn encode(&self) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        let estimate = self
            .credentials
            .iter()
            .fold(4096usize, |acc, c| {
                acc.saturating_add(c.sd_jwt.len()).saturating_add(1024)
            })
            .saturating_add(self.keys.len().saturating_mul(512));
        let mut buffer = Zeroizing::new(Vec::with_capacity(estimate));
        let out = BodyOut {
            schema: self.needed_schema(),
            keys: &self.keys,
            credentials: &self.credentials,
        };
        serde_json::to_writer(&mut *buffer, &out)
            .map_err(|_| StoreError::Corrupt("body cannot be serialised"))?;
        Ok(buffer)
    }

    pub(super) fn key(&self, id: &str) -> Option<&KeyRecord> {
        self.keys.iter().find(|k| k.id() == id)
    }

    pub(super) fn credential(&self, id: &str) -> Option<&CredentialRecord> {
        self.credentials.iter().find(|c| c.id == id)
    }

    /// Ids of the credentials bound to key `key_id`.
    pub(super) fn credentials_of(&self, key_id: &str) -> Vec<String> {
        self.credentials
            .iter()
            .filter(|c| c.holder_key_id == key_id)
            .map(|c| c.id.clone())
            .collect()
    }
}

/// A key's 32-byte secret inside the body (Ed25519 seed or EC scalar), zeroized on drop,
/// (de)serialised as base64url without an intermediate `String`.
pub(crate) struct Seed(pub Zeroizing<[u8; 32]>);

impl Serialize for Seed {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buffer = Zeroizing::new([0u8; 43]);
        let written = URL_SAFE_NO_PAD
            .encode_slice(self.0.as_ref(), buffer.as_mut())
            .map_err(|_| serde::ser::Error::custom("seed encoding"))?;
        let text = buffer
            .get(..written)
            .and_then(|b| std::str::from_utf8(b).ok())
            .ok_or_else(|| serde::ser::Error::custom("seed encoding"))?;
        serializer.serialize_str(text)
    }
}

impl<'de> Deserialize<'de> for Seed {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(SeedVisitor)
    }
}

struct SeedVisitor;

impl Visitor<'_> for SeedVisitor {
    type Value = Seed;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a base64url 32-byte key secret")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Seed, E> {
        if text.len() != 43 {
            return Err(E::custom("seed has the wrong length"));
        }
        // 43 characters decode to 32 bytes; the engine wants room for its estimate (33).
        let mut buffer = Zeroizing::new([0u8; 48]);
        let written = URL_SAFE_NO_PAD
            .decode_slice(text, buffer.as_mut())
            .map_err(|_| E::custom("seed is not canonical base64url"))?;
        let mut seed = Zeroizing::new([0u8; 32]);
        match buffer.get(..written) {
            Some(bytes) if written == 32 => seed.copy_from_slice(bytes),
            _ => return Err(E::custom("seed has the wrong length")),
        }
        Ok(Seed(seed))
    }
}

/// Writes a record's `alg` (only for keys other than Ed25519, so that an Ed25519 record reads
/// as schema 2 wrote it) and `public`, flattened into the record.
fn ser_public<S: Serializer>(key: &PublicKey, serializer: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap as _;
    let algorithm = key.algorithm();
    let mut map = serializer.serialize_map(None)?;
    if algorithm != Algorithm::EdDsa {
        map.serialize_entry("alg", algorithm.jws_name())?;
    }
    map.serialize_entry("public", &b64_encode(key.to_raw()))?;
    map.end()
}
