//! The engine's single steps, without a device: one presentation against one issuer key under
//! an explicit policy (the shape of `test-vectors/credentials` and `test-vectors/algorithms`),
//! a QR payload decoded to its presentation (`test-vectors/qr`), a status list's entries
//! (`test-vectors/status-list`). The package's Node test runs every vector through these and
//! compares with the expected results the Rust tests check.

use crate::envelope::{
    self, Answer, ApiError, int_member, jwk_member, member, opt_str_member, str_member,
};
use serde_json::{Map, Value};
use wallet_core::keys::PublicKey;
use wallet_core::qr::transport;
use wallet_core::sdjwt::KbExpectation;
use wallet_core::status::{MAX_LIST_BYTES, StatusList};
use wallet_core::trust::StaticIssuers;
use wallet_core::verifier::{KeyBindingPolicy, VerifyPolicy, verify_presentation};

fn policy_member(map: &Map<String, Value>, name: &str, default: u64) -> Result<u64, ApiError> {
    match map.get(name) {
        None => Ok(default),
        Some(v) => v.as_u64().ok_or_else(|| {
            ApiError::json("policy", format!("{name} must be a non-negative integer"))
        }),
    }
}

/// Verifies `{"presentation", "issuer_iss", "issuer_jwk", "now", "aud"?, "nonce"?, "policy"?:
/// {"key_binding": "required"|"if_present", "check_nonce", "max_age", "clock_skew"}}` (the test
/// vectors' members and defaults): `{"valid": true, "claims": {…}}` or `{"valid": false,
/// "code"}` — a refusal is an answer, not an error.
pub fn verify_presentation_request(request: &[u8]) -> Answer {
    let request = envelope::request(request, "verify_presentation's request")?;
    let presentation = str_member(&request, "presentation")?;
    let iss = str_member(&request, "issuer_iss")?;
    let jwk = jwk_member(&request, "issuer_jwk")?;
    let now = int_member(&request, "now")?;
    let empty = Map::new();
    let policy = match request.get("policy") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(o)) => o,
        Some(_) => return Err(ApiError::json("request", "policy must be an object")),
    };
    let key_binding = match policy.get("key_binding").and_then(Value::as_str) {
        None | Some("required") => {
            let check_nonce = policy
                .get("check_nonce")
                .map_or(Some(true), Value::as_bool)
                .ok_or_else(|| ApiError::json("policy", "check_nonce must be true or false"))?;
            KeyBindingPolicy::Required(KbExpectation {
                audience: opt_str_member(&request, "aud")?
                    .unwrap_or_default()
                    .to_owned(),
                nonce: if check_nonce {
                    opt_str_member(&request, "nonce")?.map(str::to_owned)
                } else {
                    None
                },
                max_age: policy_member(policy, "max_age", 300)?,
            })
        }
        Some("if_present") => KeyBindingPolicy::IfPresent,
        Some(_) => {
            return Err(ApiError::json(
                "policy",
                "key_binding must be \"required\" or \"if_present\"",
            ));
        }
    };
    let policy = VerifyPolicy {
        now,
        clock_skew: policy_member(policy, "clock_skew", 60)?,
        key_binding,
    };
    let refused = |code: &str| {
        let mut answer = member("valid", false);
        answer.insert("code".into(), code.into());
        answer
    };
    let key = match PublicKey::from_jwk(&jwk) {
        Ok(key) => key,
        Err(e) => return Ok(refused(e.code())),
    };
    let mut issuers = StaticIssuers::new();
    issuers.add(iss, key);
    Ok(match verify_presentation(presentation, &issuers, &policy) {
        Ok(report) => {
            let mut answer = member("valid", true);
            answer.insert("claims".into(), Value::Object(report.claims));
            answer
        }
        Err(e) => refused(e.code()),
    })
}

/// Decodes a `CW1:`/`CW2:` QR payload: `{"presentation"}`, or the transport's error code
/// (`qr.non_canonical`, …).
pub fn decode_payload(payload: &[u8]) -> Answer {
    let payload = envelope::text(payload, "the payload")?;
    transport::decode(payload)
        .map(|p| member("presentation", p))
        .map_err(|e| ApiError::core(&e))
}

/// Reads an (unsigned) `status_list` object `{"bits", "lst"}` and answers the entries at
/// `indices`: `{"bits", "size", "values": [...]}`.
pub fn status_list_values(request: &[u8]) -> Answer {
    let request = envelope::request(request, "status_list_values's request")?;
    let list = request
        .get("status_list")
        .ok_or_else(|| ApiError::json("request", "status_list must be an object"))?;
    let list = StatusList::from_json(list, MAX_LIST_BYTES).map_err(|e| ApiError::core(&e))?;
    let indices = request
        .get("indices")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::json("request", "indices must be an array of integers"))?;
    let values = indices
        .iter()
        .map(|i| {
            let idx = i
                .as_u64()
                .ok_or_else(|| ApiError::json("request", "indices must be an array of integers"))?;
            list.get(idx)
                .map(|v| Value::from(v.0))
                .map_err(|e| ApiError::core(&e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut answer = member("bits", list.bits().get());
    answer.insert("size".into(), list.len().into());
    answer.insert("values".into(), values.into());
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_answers_and_bad_requests_errors() {
        let request = serde_json::json!({
            "presentation": "not.a~presentation", "issuer_iss": "https://x", "now": 1,
            "issuer_jwk": {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
        });
        let answer = verify_presentation_request(request.to_string().as_bytes()).unwrap();
        assert_eq!(answer["valid"], false);
        assert!(answer["code"].as_str().unwrap().contains('.'));
        let mut bad_key = request.clone();
        bad_key["issuer_jwk"]["x"] = "AAAA".into();
        let answer = verify_presentation_request(bad_key.to_string().as_bytes()).unwrap();
        assert_eq!(answer["code"], "key.encoding");
        let mut bad_policy = request;
        bad_policy["policy"] = serde_json::json!({"key_binding": "sometimes"});
        assert!(verify_presentation_request(bad_policy.to_string().as_bytes()).is_err());
        assert!(decode_payload(b"CW1:").is_err());
        assert!(
            status_list_values(br#"{"status_list": {"bits": 3, "lst": "eNo"}, "indices": []}"#)
                .is_err()
        );
    }
}
