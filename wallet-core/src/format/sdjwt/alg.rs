//! The `_sd_alg` hash (RFC 9901 §4.1.1): the algorithm of every disclosure digest (§4.2.3), of
//! decoys (§4.2.5) and of the KB-JWT's `sd_hash` (§4.3.1). Two are supported:
//!
//! - `sha-256`, RFC 9901's default, from the IANA "Named Information Hash Algorithm" registry;
//! - `sm3` (GM/T 0004, GB/T 32905), for the GM profile: Chinese agencies assessed against
//!   GB/T 39786 must hash with SM3. `sm3` is *not* in that IANA registry; the name is the one
//!   OpenSSL and Node's `crypto` give the algorithm, lower case like the registry's entries
//!   (docs/format.md says more).
//!
//! Both digests are 32 bytes, so both encode to 43 base64url characters and every fixed-size
//! digest buffer serves either. The algorithm is an enum matched at each use rather than a
//! trait object, so the sha-256 path stays as it was: no allocation, no dynamic dispatch.

use super::error::SdJwtError;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

/// Length of an unpadded base64url digest (both algorithms produce 32 bytes).
pub(crate) const DIGEST_LEN: usize = 43;

/// A supported `_sd_alg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SdAlg {
    /// `sha-256` (RFC 9901's default; what a payload without `_sd_alg` means).
    #[default]
    Sha256,
    /// `sm3` (GM/T 0004): the GM profile. Not IANA-registered; see the module documentation.
    Sm3,
}

impl SdAlg {
    /// The `_sd_alg` value.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha-256",
            Self::Sm3 => "sm3",
        }
    }

    /// The algorithm an `_sd_alg` value names (exact, case-sensitive match, as RFC 9901 compares
    /// hash names), or `None` for anything else.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sha-256" => Some(Self::Sha256),
            "sm3" => Some(Self::Sm3),
            _ => None,
        }
    }

    /// The algorithm of an issuer-signed payload: `sha-256` when `_sd_alg` is absent (RFC 9901
    /// §4.1.1), [`SdJwtError::UnsupportedSdAlg`] when it is not a supported name.
    pub fn from_payload(payload: &Map<String, Value>) -> Result<Self, SdJwtError> {
        match payload.get("_sd_alg") {
            None => Ok(Self::Sha256),
            Some(Value::String(name)) => Self::from_name(name).ok_or(SdJwtError::UnsupportedSdAlg),
            Some(_) => Err(SdJwtError::UnsupportedSdAlg),
        }
    }

    /// base64url(hash(ascii)) into a fixed buffer (RFC 9901 §4.2.3: over the ASCII form as
    /// presented).
    pub(crate) fn digest_array(self, ascii: &str) -> [u8; DIGEST_LEN] {
        let mut out = [0u8; DIGEST_LEN];
        // 32 bytes always encode to exactly 43 characters, so the buffer is never too small.
        let _ = match self {
            Self::Sha256 => {
                use sha2::Digest as _;
                URL_SAFE_NO_PAD.encode_slice(sha2::Sha256::digest(ascii.as_bytes()), &mut out)
            }
            Self::Sm3 => {
                use sm3::Digest as _;
                URL_SAFE_NO_PAD.encode_slice(sm3::Sm3::digest(ascii.as_bytes()), &mut out)
            }
        };
        out
    }

    /// base64url(hash(ascii)) as a string: a disclosure digest, a decoy, or an `sd_hash`.
    pub fn digest(self, ascii: &str) -> String {
        let out = self.digest_array(ascii);
        // Always ASCII (base64url alphabet).
        String::from_utf8_lossy(&out).into_owned()
    }
}

impl std::fmt::Display for SdAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests {
    use super::*;
    use serde_json::json;

    /// GB/T 32905-2016 Appendix A.1: SM3("abc") =
    /// 66c7f0f4 62eeedd9 d1f2d46b dc10e4e2 4167c487 5cf2f7a2 297da02b 8f4ba8e0.
    #[test]
    fn sm3_standard_example() {
        let expected = [
            0x66, 0xc7, 0xf0, 0xf4, 0x62, 0xee, 0xed, 0xd9, 0xd1, 0xf2, 0xd4, 0x6b, 0xdc, 0x10,
            0xe4, 0xe2, 0x41, 0x67, 0xc4, 0x87, 0x5c, 0xf2, 0xf7, 0xa2, 0x29, 0x7d, 0xa0, 0x2b,
            0x8f, 0x4b, 0xa8, 0xe0,
        ];
        assert_eq!(SdAlg::Sm3.digest("abc"), URL_SAFE_NO_PAD.encode(expected));
        assert_ne!(SdAlg::Sha256.digest("abc"), SdAlg::Sm3.digest("abc"));
    }

    #[test]
    fn names_and_payloads() {
        for alg in [SdAlg::Sha256, SdAlg::Sm3] {
            assert_eq!(SdAlg::from_name(alg.name()), Some(alg));
            assert_eq!(alg.digest("x").len(), DIGEST_LEN);
        }
        for bad in ["SM3", "sha256", "SHA-256", "sha-384", ""] {
            assert_eq!(SdAlg::from_name(bad), None);
        }
        let payload = |v: Value| json!({ "_sd_alg": v }).as_object().cloned().unwrap();
        assert_eq!(SdAlg::from_payload(&Map::new()), Ok(SdAlg::Sha256));
        assert_eq!(SdAlg::from_payload(&payload(json!("sm3"))), Ok(SdAlg::Sm3));
        assert_eq!(
            SdAlg::from_payload(&payload(json!(1))).unwrap_err().code(),
            "sdjwt.unsupported_sd_alg"
        );
        assert_eq!(
            SdAlg::from_payload(&payload(json!("sha-512")))
                .unwrap_err()
                .code(),
            "sdjwt.unsupported_sd_alg"
        );
    }
}
