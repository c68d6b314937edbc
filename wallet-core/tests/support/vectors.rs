//! The test-vector format of `test-vectors/credentials/` and `test-vectors/algorithms/` (documented in test-vectors/README.md):
//! reading a case, regenerating a valid case from its inputs, and checking a case's expected
//! outcome against the verifier. Shared by the vector test and the `check_vector` /
//! `gen_vectors` examples.

#![allow(dead_code)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use wallet_core::credential::catalogue;
use wallet_core::credential::{StatusRef, VcError};
use wallet_core::holder::{KeyBindingRequest, present};
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::keys::{PrivateKey, PublicKey};
use wallet_core::sdjwt::{ClaimPath, DecoyPolicy, KbExpectation, SdAlg};
use wallet_core::trust::StaticIssuers;
use wallet_core::verifier::{KeyBindingPolicy, VerifyPolicy, verify_presentation};

/// Verifier policy of a case (defaults apply to files that omit it, e.g. peer-issued ones).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Policy {
    /// "required" or "if_present".
    #[serde(default = "default_kb")]
    pub key_binding: String,
    /// Whether the nonce must equal `nonce` (false: any nonce, offline refreshing mode).
    #[serde(default = "default_true")]
    pub check_nonce: bool,
    /// Maximum KB-JWT age, seconds.
    #[serde(default = "default_max_age")]
    pub max_age: u64,
    /// Clock skew, seconds.
    #[serde(default = "default_skew")]
    pub clock_skew: u64,
}

fn default_kb() -> String {
    "required".into()
}
fn default_true() -> bool {
    true
}
fn default_max_age() -> u64 {
    300
}
fn default_skew() -> u64 {
    60
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            key_binding: default_kb(),
            check_nonce: true,
            max_age: default_max_age(),
            clock_skew: default_skew(),
        }
    }
}

/// Expected outcome.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Expected {
    /// Whether verification succeeds.
    pub valid: bool,
    /// For valid cases: the processed claims.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<Map<String, Value>>,
    /// For invalid cases: the stable error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One vector file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Vector {
    pub description: String,
    /// Catalogue short name, or absent for a custom claim set.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vct: Option<String>,
    pub issuer_iss: String,
    pub issuer_jwk: Value,
    pub holder_jwk: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_key: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_key: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<Map<String, Value>>,
    /// For custom claim sets: the selectively disclosable paths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclosable: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Value>,
    /// The issuer's `_sd_alg` (`sm3` for the GM profile); absent: `sha-256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd_alg: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclose: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuance: Option<String>,
    pub presentation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kb_iat: Option<i64>,
    pub now: i64,
    #[serde(default)]
    pub policy: Policy,
    pub expected: Expected,
}

fn paths(list: &[String]) -> Result<Vec<ClaimPath>, String> {
    list.iter()
        .map(|p| p.parse::<ClaimPath>().map_err(|e| e.to_string()))
        .collect()
}

/// Rebuilds `(issuance, presentation)` of a valid case from its inputs.
pub fn regenerate(v: &Vector) -> Result<(String, String), String> {
    // Keys of any algorithm (Ed25519, P-256, SM2): test-vectors/algorithms/ uses all three.
    let issuer_key = PrivateKey::from_jwk(v.issuer_key.as_ref().ok_or("no issuer_key")?)
        .map_err(|e| e.to_string())?;
    let holder_key = PrivateKey::from_jwk(v.holder_key.as_ref().ok_or("no holder_key")?)
        .map_err(|e| e.to_string())?;
    let claims = v.claims.clone().ok_or("no claims")?;
    let iat = v.iat.ok_or("no iat")?;
    let mut request = match &v.type_name {
        Some(name) => {
            let ty = catalogue::by_name(name).map_err(|e| e.to_string())?;
            CredentialRequest::for_type(ty, &v.issuer_iss, &claims, holder_key.public_key(), iat)
                .map_err(|e| e.to_string())?
                .without_status()
        }
        None => CredentialRequest {
            issuer: v.issuer_iss.clone(),
            vct: v.vct.clone().ok_or("no vct")?,
            claims,
            disclosable: paths(v.disclosable.as_deref().unwrap_or_default())?,
            decoys: DecoyPolicy::PowerOfTwo,
            sd_alg: Default::default(),
            holder_key: holder_key.public_key(),
            issued_at: iat,
            not_before: None,
            expires_at: 0,
            status: None,
            status_required: false,
            document_validity: None,
            strict_validity: false,
        },
    };
    if let Some(name) = &v.sd_alg {
        request.sd_alg = SdAlg::from_name(name).ok_or("unknown sd_alg")?;
    }
    request.expires_at = v.exp.ok_or("no exp")?;
    request.not_before = v.nbf;
    request.status = match &v.status {
        None => None,
        Some(s) => Some(StatusRef {
            idx: s["status_list"]["idx"].as_u64().ok_or("bad status idx")?,
            uri: s["status_list"]["uri"]
                .as_str()
                .ok_or("bad status uri")?
                .to_owned(),
        }),
    };
    let mut rng = ChaCha20Rng::seed_from_u64(v.seed.ok_or("no seed")?);
    let issuance = issue_credential(&request, &issuer_key, &mut rng).map_err(|e| e.to_string())?;
    let kb = KeyBindingRequest {
        audience: v.aud.clone().ok_or("no aud")?,
        nonce: v.nonce.clone().ok_or("no nonce")?,
        issued_at: v.kb_iat.ok_or("no kb_iat")?,
    };
    let presentation = present(
        &issuance,
        &paths(v.disclose.as_deref().unwrap_or_default())?,
        Some(&kb),
        &holder_key,
    )
    .map_err(|e| e.to_string())?;
    Ok((issuance, presentation))
}

/// Runs the verifier on a case: `Ok(claims)` or `Err(code)`.
pub fn run(v: &Vector) -> Result<Map<String, Value>, String> {
    let issuer_key = PublicKey::from_jwk(&v.issuer_jwk).map_err(|e| e.code().to_owned())?;
    let mut issuers = StaticIssuers::new();
    issuers.add(&v.issuer_iss, issuer_key);
    let key_binding = match v.policy.key_binding.as_str() {
        "if_present" => KeyBindingPolicy::IfPresent,
        _ => KeyBindingPolicy::Required(KbExpectation {
            audience: v.aud.clone().unwrap_or_default(),
            nonce: if v.policy.check_nonce {
                v.nonce.clone()
            } else {
                None
            },
            max_age: v.policy.max_age,
        }),
    };
    let policy = VerifyPolicy {
        now: v.now,
        clock_skew: v.policy.clock_skew,
        key_binding,
    };
    verify_presentation(&v.presentation, &issuers, &policy)
        .map(|r| r.claims)
        .map_err(|e: VcError| e.code().to_owned())
}

/// Checks a case's expected outcome; `Err` describes the mismatch.
pub fn check(v: &Vector) -> Result<(), String> {
    match (run(v), &v.expected) {
        (
            Ok(claims),
            Expected {
                valid: true,
                claims: Some(expected),
                ..
            },
        ) if &claims == expected => Ok(()),
        (Ok(claims), Expected { valid: true, .. }) => Err(format!(
            "claims differ:\n got {}\nwant {}",
            Value::Object(claims),
            v.expected
                .claims
                .clone()
                .map(Value::Object)
                .unwrap_or_default()
        )),
        (
            Ok(_),
            Expected {
                valid: false,
                error,
                ..
            },
        ) => Err(format!("accepted, expected {error:?}")),
        (
            Err(code),
            Expected {
                valid: false,
                error: Some(want),
                ..
            },
        ) if &code == want => Ok(()),
        (Err(code), expected) => Err(format!("got error {code}, expected {expected:?}")),
    }
}

/// Reads every `*.json` case in a directory, sorted by file name.
pub fn load_dir(dir: &std::path::Path) -> Result<Vec<(String, Vector)>, String> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    entries.sort();
    for path in entries {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let v: Vector =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        out.push((
            path.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
            v,
        ));
    }
    Ok(out)
}
