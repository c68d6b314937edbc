//! Protocol steps 2–3 in the browser, for a web wallet demo: a presentation of a stored
//! credential disclosing the chosen claims, with its KB-JWT signed by a key the page holds (a
//! private JWK) or by a JS callback (a signer the page wires to its own key store), and its
//! show-certificate QR payload.

use crate::envelope::{
    self, Answer, ApiError, int_member, jwk_member, member, opt_str_member, str_member,
};
use crate::random;
use serde_json::Value;
use wallet_core::holder::present;
use wallet_core::keys::{KeySigner, PrivateKey};
use wallet_core::qr::freshness::{Challenge, offline_key_binding};
use wallet_core::qr::transport;
use wallet_core::sdjwt::{ClaimPath, KeyBindingRequest};

/// Builds a presentation: `{"credential", "disclose": ["path", …], "now", "challenge"?:
/// "CWC1:…", "aud"?, "nonce"?, "qr"?: bool, "holder_key"?: private JWK}` — a challenge's
/// audience and nonce, an explicit `aud` and `nonce`, or neither for an offline refreshing code
/// (its nonce drawn from the page's seed). The KB-JWT is signed by `holder_key`, or by `signer`
/// when given. Answers `{"presentation", "payload"}` (`payload` unless `"qr": false`).
pub fn present_request(request: &[u8], signer: Option<&dyn KeySigner>) -> Answer {
    let request = envelope::request(request, "present's request")?;
    let credential = str_member(&request, "credential")?;
    let now = int_member(&request, "now")?;
    let disclose = request
        .get("disclose")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::json("request", "disclose must be an array of claim paths"))?
        .iter()
        .map(|p| {
            p.as_str()
                .ok_or_else(|| ApiError::json("request", "disclose must be an array of claim paths"))?
                .parse::<ClaimPath>()
                .map_err(|_| {
                    ApiError::new(
                        envelope::INVALID_ARGUMENT,
                        "disclose holds a claim path that does not parse (write e.g. name, address.city, nationalities[0])",
                    )
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let key_binding = match (
        opt_str_member(&request, "challenge")?,
        opt_str_member(&request, "aud")?,
        opt_str_member(&request, "nonce")?,
    ) {
        (Some(challenge), None, None) => Challenge::from_payload(challenge)
            .map_err(|e| ApiError::core(&e))?
            .key_binding(now),
        (None, Some(aud), Some(nonce)) => KeyBindingRequest {
            audience: aud.to_owned(),
            nonce: nonce.to_owned(),
            issued_at: now,
        },
        (None, None, None) => offline_key_binding(now, &mut random::fork()?),
        _ => {
            return Err(ApiError::json(
                "request",
                "give a challenge, or aud and nonce together, or neither (an offline code)",
            ));
        }
    };
    let owned_key;
    let signer: &dyn KeySigner = match signer {
        Some(signer) => signer,
        None => {
            owned_key = PrivateKey::from_jwk(&jwk_member(&request, "holder_key")?)
                .map_err(|e| ApiError::core(&e))?;
            &owned_key
        }
    };
    let presentation = present(credential, &disclose, Some(&key_binding), signer)
        .map_err(|e| ApiError::core(&e))?;
    let qr = request
        .get("qr")
        .map_or(Some(true), Value::as_bool)
        .ok_or_else(|| ApiError::json("request", "qr must be true or false"))?;
    let mut answer = member("presentation", presentation.clone());
    if qr {
        let payload = transport::encode(&presentation).map_err(|e| ApiError::core(&e))?;
        answer.insert("payload".into(), payload.into());
    }
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_checked() {
        for bad in [
            r#"{}"#,
            r#"{"credential": "x", "now": 1}"#,
            r#"{"credential": "x", "now": 1, "disclose": [5]}"#,
            r#"{"credential": "x", "now": 1, "disclose": [], "aud": "a"}"#,
            r#"{"credential": "x", "now": 1, "disclose": [], "aud": "a", "nonce": "n"}"#,
        ] {
            assert!(present_request(bad.as_bytes(), None).is_err(), "{bad}");
        }
    }
}
