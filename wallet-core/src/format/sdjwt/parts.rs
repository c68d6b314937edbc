//! An SD-JWT split into its parts (RFC 9901 §4: `<issuer-jwt>~<disclosure>~…~[<kb-jwt>]`) with
//! the size limits every parser enforces, and the serialisation back to that form.

use super::error::SdJwtError;
use crate::encoding::limits;

/// An SD-JWT split into its parts (RFC 9901 §4): the issuer-signed JWT, the disclosures in
/// presented order, and the optional KB-JWT. Borrowed from the input string.
#[derive(Debug, Clone)]
pub struct SdJwtParts<'a> {
    /// The issuer-signed JWT (compact JWS).
    pub jwt: &'a str,
    /// The encoded disclosures, in order.
    pub disclosures: Vec<&'a str>,
    /// The KB-JWT, if present.
    pub kb_jwt: Option<&'a str>,
    /// `<jwt>~<d1>~…~<dn>~`: the string `sd_hash` covers.
    pub without_kb: &'a str,
}

impl<'a> SdJwtParts<'a> {
    /// Splits an SD-JWT or SD-JWT+KB string, bounding its size and disclosure count first.
    pub fn split(text: &'a str) -> Result<Self, SdJwtError> {
        if text.len() > limits::MAX_TOKEN_LEN {
            return Err(SdJwtError::TooLarge);
        }
        let last_tilde = text
            .rfind('~')
            .ok_or(SdJwtError::Malformed("no '~' separator"))?;
        let without_kb = text
            .get(..=last_tilde)
            .ok_or(SdJwtError::Malformed("no '~' separator"))?;
        let kb = text.get(last_tilde.saturating_add(1)..).unwrap_or_default();
        let mut pieces = without_kb.split('~');
        let jwt = pieces.next().unwrap_or_default();
        if jwt.is_empty() {
            return Err(SdJwtError::Malformed("empty issuer JWT"));
        }
        let mut disclosures: Vec<&str> = pieces.collect();
        // `without_kb` ends with '~', so split yields a final empty piece.
        if disclosures.pop() != Some("") {
            return Err(SdJwtError::Malformed("missing trailing '~'"));
        }
        if disclosures.len() > limits::MAX_DISCLOSURES {
            return Err(SdJwtError::TooManyDisclosures);
        }
        if disclosures.iter().any(|d| d.is_empty()) {
            return Err(SdJwtError::Malformed("empty disclosure"));
        }
        Ok(Self {
            jwt,
            disclosures,
            kb_jwt: (!kb.is_empty()).then_some(kb),
            without_kb,
        })
    }
}

/// Joins an issuer JWT and disclosures into `<jwt>~<d1>~…~<dn>~`.
pub fn serialize<'d>(jwt: &str, disclosures: impl IntoIterator<Item = &'d str>) -> String {
    let mut out = String::from(jwt);
    out.push('~');
    for d in disclosures {
        out.push_str(d);
        out.push('~');
    }
    out
}

#[cfg(test)]
// clippy.toml exempts tests from the panic lints; this lint has no test setting.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn split_forms() {
        let p = SdJwtParts::split("a.b.c~d1~d2~").unwrap();
        assert_eq!(
            (p.jwt, p.disclosures.clone(), p.kb_jwt),
            ("a.b.c", vec!["d1", "d2"], None)
        );
        let p = SdJwtParts::split("a.b.c~d1~k.b.j").unwrap();
        assert_eq!((p.without_kb, p.kb_jwt), ("a.b.c~d1~", Some("k.b.j")));
        let p = SdJwtParts::split("a.b.c~").unwrap();
        assert!(p.disclosures.is_empty());
        assert_eq!(
            SdJwtParts::split("a.b.c").unwrap_err().code(),
            "sdjwt.malformed"
        );
        assert_eq!(
            SdJwtParts::split("a.b.c~~").unwrap_err().code(),
            "sdjwt.malformed"
        );
        assert_eq!(
            SdJwtParts::split("~d~").unwrap_err().code(),
            "sdjwt.malformed"
        );
        let many = format!("a.b.c~{}", "d~".repeat(300));
        assert_eq!(
            SdJwtParts::split(&many).unwrap_err().code(),
            "sdjwt.too_many_disclosures"
        );
    }
}
