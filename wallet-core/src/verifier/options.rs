//! Verifier step, set-up: the options object an app hands a verifier device — the C FFI's
//! `wallet_verifier_new` and the WebAssembly verifier (wallet-wasm) read the same JSON, with the
//! same names, defaults and refusals, into a [`VerifierConfig`].
//!
//! Defaults are the product's, not the library's: a credential without a status list is refused
//! (`require_status` on), as `wallet verify` does. Unknown members are refused, so that a
//! misspelt option is not silently ignored.

use crate::format::keys::{AlgSet, AlgorithmPolicy};
use crate::status::UnknownStatusPolicy;
use crate::trust::StalePolicy;
use crate::verifier::device::VerifierConfig;
use serde_json::{Map, Value};

/// The option names [`parse_options`] knows, in the order the docs list them.
pub const OPTION_NAMES: &[&str] = &[
    "max_age",
    "clock_skew",
    "replay_capacity",
    "replay_cache",
    "accept_offline",
    "verifier_id",
    "accept_unknown_status",
    "require_status",
    "allow_stale_trust_list",
    "algs",
];

/// A verifier device's options: its configuration, and where a front end with files keeps the
/// replay history (`replay_cache`, a path; front ends without files refuse it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierOptions {
    /// The checks the verifier applies.
    pub config: VerifierConfig,
    /// The `replay_cache` option: a file path for the replay history.
    pub replay_cache: Option<String>,
}

/// Why an options object was refused; the message names the option, never echoes its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct OptionsError(String);

impl OptionsError {
    fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// The product's defaults: the library's [`VerifierConfig`] with `require_status` on.
pub fn default_config() -> VerifierConfig {
    let mut config = VerifierConfig::default();
    // A credential that can never be revoked is refused unless the app opts out.
    config.trust.require_status = true;
    config
}

/// Reads an options object (empty or blank text: the defaults). Members: `max_age`,
/// `clock_skew`, `replay_capacity` (non-negative integers), `replay_cache`, `verifier_id`
/// (non-empty strings), `accept_offline`, `accept_unknown_status`, `require_status`,
/// `allow_stale_trust_list` (booleans), `algs` (a non-empty array of algorithm names).
pub fn parse_options(text: &str) -> Result<VerifierOptions, OptionsError> {
    let mut options = VerifierOptions {
        config: default_config(),
        replay_cache: None,
    };
    if text.trim().is_empty() {
        return Ok(options);
    }
    let map: Map<String, Value> = serde_json::from_str(text).map_err(|e| {
        OptionsError::new(format!(
            "options must be a JSON object ({})",
            e.classify_text()
        ))
    })?;
    let config = &mut options.config;
    let uint = |v: &Value, name: &str| {
        v.as_u64()
            .ok_or_else(|| OptionsError::new(format!("{name} must be a non-negative integer")))
    };
    let flag = |v: &Value, name: &str| {
        v.as_bool()
            .ok_or_else(|| OptionsError::new(format!("{name} must be true or false")))
    };
    let text = |v: &Value, name: &str, what: &str| {
        v.as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| OptionsError::new(format!("{name} must be a non-empty {what}")))
    };
    for (name, value) in &map {
        match name.as_str() {
            "max_age" => config.qr.window = uint(value, name)?,
            "clock_skew" => config.qr.clock_skew = uint(value, name)?,
            "replay_capacity" => {
                config.qr.replay_capacity = usize::try_from(uint(value, name)?)
                    .map_err(|_| OptionsError::new("replay_capacity is too large"))?;
            }
            "accept_offline" => config.qr.accept_offline = flag(value, name)?,
            "verifier_id" => config.qr.verifier_id = Some(text(value, name, "string")?),
            "replay_cache" => options.replay_cache = Some(text(value, name, "file path")?),
            "accept_unknown_status" => {
                config.trust.unknown_status = if flag(value, name)? {
                    UnknownStatusPolicy::Accept
                } else {
                    UnknownStatusPolicy::Reject
                };
            }
            "require_status" => config.trust.require_status = flag(value, name)?,
            "algs" => config.algorithms = AlgorithmPolicy::uniform(algorithms(value)?),
            "allow_stale_trust_list" => {
                config.trust.stale_trust_list = if flag(value, name)? {
                    StalePolicy::Warn
                } else {
                    StalePolicy::Fail
                };
            }
            _ => {
                return Err(OptionsError::new(format!(
                    "unknown option (known: {})",
                    OPTION_NAMES.join(", ")
                )));
            }
        }
    }
    Ok(options)
}

/// `algs`: one list for every role (trust-list root, issuer, holder, status list), as
/// `wallet verify --algs`.
fn algorithms(value: &Value) -> Result<AlgSet, OptionsError> {
    let names = value
        .as_array()
        .map(|a| a.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
        .and_then(|names| names)
        .ok_or_else(|| OptionsError::new("algs must be an array of strings"))?;
    let set = AlgSet::from_names(names.iter().copied()).map_err(|_| {
        OptionsError::new("algs: an unknown algorithm (known: EdDSA, Ed25519, ES256, SM2)")
    })?;
    if set.is_empty() {
        return Err(OptionsError::new("algs must name at least one algorithm"));
    }
    Ok(set)
}

/// Short text for a JSON syntax error's category (the position would point into the caller's
/// text, which is fine; its content is not echoed).
trait ClassifyText {
    fn classify_text(&self) -> String;
}

impl ClassifyText for serde_json::Error {
    fn classify_text(&self) -> String {
        let what = match self.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "not an object",
            serde_json::error::Category::Eof => "ends early",
        };
        format!("{what} at line {} column {}", self.line(), self.column())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_members() {
        let options = parse_options(" ").unwrap();
        assert_eq!(options.config, default_config());
        assert!(options.config.trust.require_status);
        assert_eq!(options.replay_cache, None);
        let options = parse_options(
            r#"{"max_age": 90, "verifier_id": "counter-7", "accept_unknown_status": true,
                "require_status": false, "algs": ["SM2"], "replay_cache": "/var/lib/r"}"#,
        )
        .unwrap();
        assert_eq!(options.config.qr.window, 90);
        assert_eq!(options.config.qr.verifier_id.as_deref(), Some("counter-7"));
        assert_eq!(
            options.config.trust.unknown_status,
            UnknownStatusPolicy::Accept
        );
        assert!(!options.config.trust.require_status);
        assert_eq!(options.replay_cache.as_deref(), Some("/var/lib/r"));
    }

    #[test]
    fn refusals_name_the_option_not_the_value() {
        for (bad, says) in [
            (r#"{"max_age": -1}"#, "max_age must be"),
            (r#"{"maxage": "secret-value"}"#, "unknown option"),
            (r#"{"require_status": 0}"#, "require_status must be"),
            ("[]", "JSON object"),
            ("{", "JSON object"),
            (r#"{"replay_cache": ""}"#, "replay_cache must be"),
            (r#"{"algs": []}"#, "at least one"),
            (r#"{"algs": ["secret-value"]}"#, "unknown algorithm"),
        ] {
            let message = parse_options(bad).unwrap_err().to_string();
            assert!(message.contains(says), "{bad}: {message}");
            assert!(!message.contains("secret-value"), "{message}");
        }
    }
}
