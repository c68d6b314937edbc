//! Protocol step 4 in the browser: a verifier device — the trust list under its pinned root,
//! the Status List Tokens the page downloaded, the replay history — built on wallet-core's
//! [`Verifier`], so a scan gets the same checks, the same policy defaults (revocability
//! required, as `wallet verify` and the C FFI) and the same JSON report as `wallet verify
//! --json`. Time is always the caller's `now`; the history leaves the module as a snapshot the
//! page keeps in IndexedDB and hands back after a reload.

use crate::envelope::{
    self, Answer, ApiError, INVALID_ARGUMENT, NO_TRUST_LIST, int_member, jwk_member, member,
    seconds, str_member,
};
use crate::random;
use serde_json::{Value, json};
use wallet_core::credential::catalogue::Lang;
use wallet_core::keys::PublicKey;
use wallet_core::status::StatusListJwt;
use wallet_core::verifier::{ReplayCache, Verifier, VerifierOptions, parse_options, report};

/// The report's label language: 0 English, 1 Chinese (the C FFI's `wallet_lang`).
pub fn lang(value: u32) -> Result<Lang, ApiError> {
    match value {
        0 => Ok(Lang::En),
        1 => Ok(Lang::Zh),
        _ => Err(ApiError::new(
            INVALID_ARGUMENT,
            "lang must be 0 (English) or 1 (Chinese)",
        )),
    }
}

/// A verifier device; empty until a trust list is loaded.
#[derive(Debug, Default)]
pub struct Device {
    verifier: Option<Verifier>,
}

impl Device {
    fn verifier(&mut self) -> Result<&mut Verifier, ApiError> {
        self.verifier.as_mut().ok_or_else(|| {
            ApiError::new(
                NO_TRUST_LIST,
                "no trust list loaded: call load_trust_list first",
            )
        })
    }

    /// Loads a trust list: `{"trust_list": "<compact JWS>", "root_jwk": {…}, "options": {…},
    /// "now": s}`. The list must verify under the pinned root at `now`; `options` are the C
    /// FFI's (`max_age`, `clock_skew`, `accept_offline`, `verifier_id`,
    /// `accept_unknown_status`, `require_status`, `allow_stale_trust_list`, `algs`,
    /// `replay_capacity`; `replay_cache`, a file path, has no meaning here and is refused).
    /// A device that already had a list keeps its replay history; its status lists must be
    /// added again (they are checked against the new list's keys).
    pub fn load_trust_list(&mut self, request: &[u8]) -> Answer {
        let request = envelope::request(request, "load_trust_list's request")?;
        let token = str_member(&request, "trust_list")?;
        let root = PublicKey::from_jwk(&jwk_member(&request, "root_jwk")?)
            .map_err(|e| ApiError::core(&e))?;
        let now = int_member(&request, "now")?;
        let options = match request.get("options") {
            None | Some(Value::Null) => parse_options(""),
            Some(Value::Object(o)) => parse_options(&Value::Object(o.clone()).to_string()),
            Some(_) => return Err(ApiError::json("request", "options must be an object")),
        }
        .map_err(|e| ApiError::json("options", e))?;
        let VerifierOptions {
            config,
            replay_cache,
        } = options;
        if replay_cache.is_some() {
            return Err(ApiError::json(
                "options",
                "replay_cache names a file, which a browser does not have: keep the history with replay_snapshot / restore_replay",
            ));
        }
        let capacity = config.qr.replay_capacity;
        let mut verifier =
            Verifier::new(token, &root, now, config).map_err(|e| ApiError::core(&e))?;
        if let Some(previous) = &self.verifier {
            let history = ReplayCache::from_snapshot(&previous.replay_snapshot(now), capacity, now)
                .map_err(|e| ApiError::core(&e))?;
            verifier.set_replay_cache(history);
        }
        let answer = member("trust_list", trust_list_info(&verifier, now));
        self.verifier = Some(verifier);
        Ok(answer)
    }

    /// Adds a Status List Token after checking its signature against the trust list; answers
    /// its `uri`, `iat`, `exp` and `ttl`, for the page to show the list's age.
    pub fn add_status_list(&mut self, token: &[u8]) -> Answer {
        let token = envelope::text(token, "the status list token")?;
        let uri = self
            .verifier()?
            .add_status_list(token)
            .map_err(|e| ApiError::core(&e))?;
        let claims = StatusListJwt::parse(token)
            .map(|t| t.claims().clone())
            .map_err(|e| ApiError::core(&e))?;
        let mut answer = member("uri", uri);
        answer.insert("iat".into(), claims.iat.into());
        answer.insert("exp".into(), claims.exp.into());
        answer.insert("ttl".into(), claims.ttl.into());
        Ok(answer)
    }

    /// Verifies a scanned or pasted text at `now`: `{"report": …}`, the report of `wallet verify
    /// --json` (`"valid"` true or false with its `"code"`). A refusal of the code is a report,
    /// not an error.
    pub fn verify(&mut self, payload: &[u8], now: f64, lang: u32) -> Answer {
        let lang = self::lang(lang)?;
        let now = seconds(now, "now")?;
        // Text that is not UTF-8 is checked like any unreadable payload and refused in the
        // report, as the CLI does with a file of bytes.
        let text = String::from_utf8_lossy(payload);
        let report = self.verifier()?.verify_report(&text, now, lang);
        Ok(member("report", report))
    }

    /// The replay history still live at `now`, as text for the page to keep: `{"snapshot"}`.
    pub fn replay_snapshot(&mut self, now: f64) -> Answer {
        let now = seconds(now, "now")?;
        Ok(member("snapshot", self.verifier()?.replay_snapshot(now)))
    }

    /// Adds a history kept by the page to the device's: `{"entries": n}`, the codes then
    /// remembered. Merged, never replaced, so restoring an older snapshot cannot forget a code
    /// accepted since. A damaged snapshot is refused (`qr.replay_cache_corrupt`), never read
    /// as empty.
    pub fn restore_replay(&mut self, snapshot: &[u8], now: f64) -> Answer {
        let now = seconds(now, "now")?;
        let text = envelope::text(snapshot, "the replay snapshot")?;
        let entries = self
            .verifier()?
            .merge_replay_snapshot(text, now)
            .map_err(|e| ApiError::core(&e))?;
        Ok(member("entries", entries))
    }

    /// Opens a challenge (needs the `verifier_id` option): `{"payload": "CWC1:…"}` to show as
    /// a QR code for the holder to answer.
    pub fn new_challenge(&mut self, now: f64, ttl: u32) -> Answer {
        let now = seconds(now, "now")?;
        let mut rng = random::fork()?;
        let challenge = self
            .verifier()?
            .new_challenge(now, u64::from(ttl), &mut rng)
            .ok_or_else(|| {
                ApiError::new(
                    INVALID_ARGUMENT,
                    "this verifier has no identifier: load the trust list with the verifier_id option to use challenges",
                )
            })?;
        Ok(member("payload", challenge.to_payload()))
    }
}

/// What the page shows about the trust list in use.
fn trust_list_info(verifier: &Verifier, now: i64) -> Value {
    let list = verifier.trust_list().list();
    let issuers: Vec<Value> = list
        .issuers
        .iter()
        .map(|i| json!({"iss": i.iss, "name_zh": i.name_zh, "name_en": i.name_en, "vct": i.vct}))
        .collect();
    json!({
        "list_id": list.list_id,
        "seq": list.seq,
        "issued_at": list.issued_at,
        "next_update": list.next_update,
        "stale": now > list.next_update,
        "issuers": issuers,
        "issued_at_text": report::format_time(list.issued_at),
        "next_update_text": report::format_time(list.next_update),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_without_a_trust_list_says_so() {
        let mut device = Device::default();
        assert_eq!(
            device.verify(b"CW1:x", 1.0, 0).unwrap_err().code,
            NO_TRUST_LIST
        );
        assert_eq!(
            device.add_status_list(b"x").unwrap_err().code,
            NO_TRUST_LIST
        );
        assert_eq!(
            device.verify(b"x", 1.0, 2).unwrap_err().code,
            INVALID_ARGUMENT
        );
        assert_eq!(
            device.verify(b"x", 0.5, 0).unwrap_err().code,
            INVALID_ARGUMENT
        );
    }

    #[test]
    fn requests_are_checked() {
        let mut device = Device::default();
        let e = device.load_trust_list(b"{}").unwrap_err();
        assert_eq!(e.code, envelope::INVALID_JSON);
        let options: Value = serde_json::from_str(r#"{"replay_cache": "/tmp/x"}"#).unwrap();
        let request = json!({"trust_list": "a.b.c", "now": 1,
            "root_jwk": {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
            "options": options});
        let e = device
            .load_trust_list(request.to_string().as_bytes())
            .unwrap_err();
        assert_eq!(e.code, envelope::INVALID_JSON, "{e:?}");
        assert!(e.message.contains("replay_cache"));
    }
}
