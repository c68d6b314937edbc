//! The show-certificate freshness protocol both sides follow (docs/qr-format.md §9,
//! docs/security.md): what a holder signs for each display and what a verifier's challenge code
//! says. The verifier's side of the rules — the replay history and the state machine that
//! accepts or refuses a scan — is `crate::verifier::session`.
//!
//! Two modes:
//! - **Offline refreshing code**: the holder signs a new KB-JWT for every display (`iat` = now, a
//!   random `nonce`, `aud` = [`OFFLINE_AUDIENCE`]) and redraws the code every
//!   [`DEFAULT_REFRESH_SECONDS`] ([`offline_key_binding`]).
//! - **Challenge**: the verifier shows its own QR ([`Challenge`]: its identifier as `aud`, a fresh
//!   nonce, an expiry); the holder answers with a presentation bound to them
//!   ([`Challenge::key_binding`]).

use crate::encoding::{b64_encode, parse_json_object};
use crate::error::{ErrorCode, ErrorInfo, codes};
use crate::format::sdjwt::KeyBindingRequest;
use rand_core::CryptoRngCore;
use serde_json::{Map, Value};

/// `aud` of offline refreshing codes (no particular verifier).
pub const OFFLINE_AUDIENCE: &str = "urn:wallet:qr:offline";
/// How often a holder app redraws an offline code by default.
pub const DEFAULT_REFRESH_SECONDS: u64 = 30;
/// How old a KB-JWT a verifier accepts by default (clock skew is added on top).
pub const DEFAULT_WINDOW_SECONDS: u64 = 60;
/// Default clock skew tolerated between phone and verifier.
pub const DEFAULT_SKEW_SECONDS: u64 = 30;
/// Prefix of a verifier's challenge QR payload.
pub const CHALLENGE_PREFIX: &str = "CWC1:";
/// A challenge QR payload that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChallengeError {
    /// The payload is not `CWC1:` + base45 of a JSON object with `aud`, `nonce` and `exp`.
    #[error("not a valid challenge code: {0}")]
    Malformed(&'static str),
}

impl ChallengeError {
    /// This error's row of the error table ([`crate::error`]): its stable code, kind and class.
    pub fn info(&self) -> &'static ErrorInfo {
        match self {
            Self::Malformed(_) => &codes::QR_CHALLENGE_MALFORMED,
        }
    }

    /// Stable machine-readable code (lower layers' codes pass through unchanged).
    pub fn code(&self) -> &'static str {
        self.info().code
    }
}

impl ErrorCode for ChallengeError {
    fn info(&self) -> &'static ErrorInfo {
        ChallengeError::info(self)
    }
}

pub(crate) fn random_nonce(rng: &mut dyn CryptoRngCore) -> String {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    b64_encode(bytes)
}

/// Holder side: the key binding of one display of an offline refreshing code.
pub fn offline_key_binding(now: i64, rng: &mut dyn CryptoRngCore) -> KeyBindingRequest {
    KeyBindingRequest {
        audience: OFFLINE_AUDIENCE.to_owned(),
        nonce: random_nonce(rng),
        issued_at: now,
    }
}

/// A verifier's challenge, shown as a QR code for the holder to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The verifier's identifier, used as the KB-JWT `aud`.
    pub verifier: String,
    /// A fresh random nonce.
    pub nonce: String,
    /// Unix seconds after which the challenge is no longer accepted.
    pub expires_at: i64,
}

impl Challenge {
    /// The challenge QR payload: `CWC1:` + base45 of a small JSON object (`aud`, `nonce`, `exp`).
    pub fn to_payload(&self) -> String {
        let mut map = Map::new();
        map.insert("aud".into(), Value::from(self.verifier.as_str()));
        map.insert("exp".into(), Value::from(self.expires_at));
        map.insert("nonce".into(), Value::from(self.nonce.as_str()));
        let json = serde_json::to_vec(&Value::Object(map)).unwrap_or_default();
        format!("{CHALLENGE_PREFIX}{}", base45::encode(json))
    }

    /// Reads a scanned challenge payload.
    pub fn from_payload(text: &str) -> Result<Self, ChallengeError> {
        if text.len() > 1024 {
            return Err(ChallengeError::Malformed("too long"));
        }
        let body = text
            .strip_prefix(CHALLENGE_PREFIX)
            .ok_or(ChallengeError::Malformed("missing CWC1: prefix"))?;
        let json = base45::decode(body).map_err(|_| ChallengeError::Malformed("not base45"))?;
        let map =
            parse_json_object(&json).map_err(|_| ChallengeError::Malformed("not a JSON object"))?;
        let text = |k: &str| {
            map.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Ok(Self {
            verifier: text("aud").ok_or(ChallengeError::Malformed("no aud"))?,
            nonce: text("nonce").ok_or(ChallengeError::Malformed("no nonce"))?,
            expires_at: map
                .get("exp")
                .and_then(Value::as_i64)
                .ok_or(ChallengeError::Malformed("no exp"))?,
        })
    }

    /// Holder side: the key binding that answers this challenge at `now`.
    pub fn key_binding(&self, now: i64) -> KeyBindingRequest {
        KeyBindingRequest {
            audience: self.verifier.clone(),
            nonce: self.nonce.clone(),
            issued_at: now,
        }
    }
}
