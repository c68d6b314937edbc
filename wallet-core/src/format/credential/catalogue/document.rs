//! Credential types as data: reading an SD-JWT VC Type Metadata document
//! (draft-ietf-oauth-sd-jwt-vc, "SD-JWT VC Type Metadata": `vct`, `name`, `display[]` per
//! `locale`, `claims[]` with `path`, `display[]` labels, `sd`, `mandatory`) into a
//! [`CredentialType`], and the W3C Subresource Integrity of its exact octets (the draft's
//! "Document Integrity", which a trust list pins).
//!
//! What the draft has no member for lives in one extension member, `cn_wallet`, at the top level
//! (short name, aliases, default validity, the claims that end the document's validity, whether
//! the type must be revocable, cross-field rules) and in each claim (JSON type, and the name of a
//! value format or a derivation). Formats and rules are implemented in Rust (`validate.rs`) and
//! only named here: an unknown name makes the document invalid rather than silently unchecked.
//! The draft tells consumers to ignore members they do not understand; inside `cn_wallet`, which
//! is ours, an unknown member is refused instead, so that a misspelt rule is caught when the
//! agency runs `wallet types check`, not discovered after issuance.
//!
//! This wallet's profile of the draft, checked here: every claim is a top-level member (a `path`
//! of one string; the issuer and verifier apply formats to top-level values), every display list
//! has a `zh-CN` and an `en` entry (verifiers show either), `extends` is refused (a type must be
//! self-contained to be checked offline), and sizes are bounded before anything is allocated for
//! them. Input is untrusted: every check is total, and messages name the member, not its value.

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256, Sha384, Sha512};

use super::error::CatalogueError;
use super::types::{ClaimSpec, CredentialType, Format, JsonType, RESERVED_CLAIMS, Rule, Sd};
use crate::encoding::parse_json_object;

/// Largest type document accepted, in bytes (the built-in ones are 3–4 KiB).
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;
/// Most claims one type may define.
pub const MAX_CLAIMS: usize = 128;
/// Most cross-field rules one type may name.
pub const MAX_RULES: usize = 256;
/// Most aliases, display entries per list, or validity claims one type may give.
const MAX_LIST: usize = 32;
/// Longest name, label or identifier, in Unicode scalar values.
const MAX_TEXT_CHARS: usize = 256;
/// Longest claim name or short name, in bytes (ASCII only).
const MAX_NAME_LEN: usize = 64;
/// The extension member holding what the draft does not define.
pub const EXTENSION: &str = "cn_wallet";

/// The names of the value formats a claim's `cn_wallet.format` may give.
pub(super) const FORMAT_NAMES: &[(&str, Format)] = &[
    ("text", Format::Free),
    ("long_text", Format::LongText),
    ("date", Format::Date),
    ("date_or_long_term", Format::DateOrLongTerm),
    ("sex", Format::Sex),
    ("ethnicity", Format::Ethnicity),
    ("resident_id_number", Format::ResidentIdNumber),
    ("driving_classes", Format::DrivingClasses),
    ("plate_number", Format::PlateNumber),
    ("vin", Format::Vin),
    ("uscc", Format::Uscc),
    ("passport_number", Format::PassportNumber),
    ("country_code", Format::CountryCode),
    ("sha256_hex", Format::Sha256Hex),
    ("latin_name", Format::LatinName),
    ("alphanumeric", Format::Alphanumeric),
    ("real_estate_unit_number", Format::RealEstateUnitNumber),
    ("household_type", Format::HouseholdType),
    ("positive_number", Format::PositiveNumber),
];

/// The names of the cross-field rules `cn_wallet.rules[].rule` may give.
pub(super) const RULE_NAMES: &[&str] = &[
    "not_after_issuance",
    "not_before",
    "resident_id_birth_date",
    "resident_id_sex",
];

/// The SRI integrity string of `octets`: `sha256-` and the standard base64 of their SHA-256.
pub fn integrity_of(octets: &[u8]) -> String {
    let digest = Sha256::digest(octets);
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// Whether `octets` match the SRI integrity metadata `metadata` (W3C SRI §3.3.4, as
/// draft-ietf-oauth-sd-jwt-vc "Document Integrity" uses it): of the hash expressions with an
/// algorithm we support (sha256, sha384, sha512), only those of the strongest algorithm count,
/// and one of them must equal the digest of the octets. Metadata with no supported expression
/// matches nothing (the draft: such a document must be rejected).
pub fn integrity_matches(metadata: &str, octets: &[u8]) -> bool {
    // Options after `?` are ignored, as SRI says.
    let expressions: Vec<(u8, &str)> = metadata
        .split_ascii_whitespace()
        .filter_map(|token| {
            let token = token.split('?').next().unwrap_or(token);
            let (alg, value) = token.split_once('-')?;
            let strength = match alg {
                "sha256" => 1,
                "sha384" => 2,
                "sha512" => 3,
                _ => return None,
            };
            Some((strength, value))
        })
        .collect();
    let Some(strongest) = expressions.iter().map(|(s, _)| *s).max() else {
        return false;
    };
    let digest: Vec<u8> = match strongest {
        1 => Sha256::digest(octets).to_vec(),
        2 => Sha384::digest(octets).to_vec(),
        _ => Sha512::digest(octets).to_vec(),
    };
    expressions
        .iter()
        .filter(|(s, _)| *s == strongest)
        .any(|(_, value)| {
            base64::engine::general_purpose::STANDARD
                .decode(value)
                .is_ok_and(|d| d == digest)
        })
}

fn bad(reason: impl Into<String>) -> CatalogueError {
    CatalogueError::InvalidDocument {
        reason: reason.into(),
    }
}

/// Reads a Type Metadata document (its exact octets) into a credential type. `builtin` marks
/// the documents that ship embedded.
///
/// # Errors
///
/// [`CatalogueError::InvalidDocument`] naming the first member that breaks the draft or this
/// wallet's profile of it (module documentation).
pub fn parse_document(octets: &[u8], builtin: bool) -> Result<CredentialType, CatalogueError> {
    if octets.len() > MAX_DOCUMENT_BYTES {
        return Err(bad(format!(
            "the document is larger than {MAX_DOCUMENT_BYTES} bytes"
        )));
    }
    let text = std::str::from_utf8(octets).map_err(|_| bad("the document is not UTF-8"))?;
    let doc = parse_json_object(octets)
        .map_err(|e| bad(format!("the document is not a JSON object: {e}")))?;

    let vct = text_member(&doc, "vct", "vct")?.ok_or_else(|| bad("vct is missing"))?;
    if vct.chars().any(char::is_whitespace) {
        return Err(bad("vct contains white space"));
    }
    if doc.contains_key("extends") || doc.contains_key("extends#integrity") {
        return Err(bad(
            "extends is not supported: a type document must be self-contained to be checked offline",
        ));
    }
    optional_text(&doc, "name", "name")?;
    optional_text(&doc, "description", "description")?;
    let (name_zh, name_en) = display_names(doc.get("display"), "display", "name")?;

    let claim_values = doc
        .get("claims")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("claims is not an array"))?;
    if claim_values.is_empty() || claim_values.len() > MAX_CLAIMS {
        return Err(bad(format!("claims must hold 1 to {MAX_CLAIMS} claims")));
    }
    let mut claims: Vec<ClaimSpec> = Vec::with_capacity(claim_values.len());
    for (i, value) in claim_values.iter().enumerate() {
        let claim = parse_claim(value, &format!("claims[{i}]"))?;
        if claims.iter().any(|c| c.name == claim.name) {
            return Err(bad(format!("claims[{i}].path repeats an earlier claim")));
        }
        claims.push(claim);
    }
    for (i, claim) in claims.iter().enumerate() {
        if let Some(from) = &claim.derived_from {
            let source = claims.iter().find(|c| &c.name == from);
            if !source.is_some_and(|s| s.format == Format::Date && !s.derived()) {
                return Err(bad(format!(
                    "claims[{i}].{EXTENSION}.derived.from must name a non-derived claim of format date"
                )));
            }
        }
    }

    let ext = doc
        .get(EXTENSION)
        .and_then(Value::as_object)
        .ok_or_else(|| bad(format!("{EXTENSION} is not an object")))?;
    only_members(
        ext,
        &[
            "short_name",
            "aliases",
            "default_validity_days",
            "validity_ends_with",
            "status_required",
            "rules",
        ],
        EXTENSION,
    )?;
    let short_name = text_member(ext, "short_name", "cn_wallet.short_name")?
        .ok_or_else(|| bad("cn_wallet.short_name is missing"))?;
    let kebab = short_name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !kebab || short_name.len() > MAX_NAME_LEN || short_name.starts_with('-') {
        return Err(bad(
            "cn_wallet.short_name must be lowercase letters, digits and '-' (at most 64)",
        ));
    }
    let aliases = string_list(ext, "aliases", "cn_wallet.aliases")?;
    let default_validity_days = ext
        .get("default_validity_days")
        .and_then(Value::as_u64)
        .filter(|d| (1..=3650).contains(d))
        .and_then(|d| u32::try_from(d).ok())
        .ok_or_else(|| bad("cn_wallet.default_validity_days must be an integer from 1 to 3650"))?;
    let validity_claims = string_list(ext, "validity_ends_with", "cn_wallet.validity_ends_with")?;
    for (i, name) in validity_claims.iter().enumerate() {
        let spec = claims.iter().find(|c| &c.name == name);
        if !spec.is_some_and(|c| {
            matches!(c.format, Format::Date | Format::DateOrLongTerm) && !c.derived()
        }) {
            return Err(bad(format!(
                "cn_wallet.validity_ends_with[{i}] must name a claim of format date or date_or_long_term"
            )));
        }
    }
    let status_required = optional_bool(ext, "status_required", true, "cn_wallet.status_required")?;
    let rules = match ext.get("rules") {
        None => Vec::new(),
        Some(v) => {
            let values = v
                .as_array()
                .ok_or_else(|| bad("cn_wallet.rules is not an array"))?;
            if values.len() > MAX_RULES {
                return Err(bad(format!("cn_wallet.rules holds more than {MAX_RULES}")));
            }
            values
                .iter()
                .enumerate()
                .map(|(i, r)| parse_rule(r, &claims, &format!("cn_wallet.rules[{i}]")))
                .collect::<Result<Vec<_>, _>>()?
        }
    };

    Ok(CredentialType {
        short_name,
        vct,
        name_zh,
        name_en,
        claims,
        default_validity_days,
        validity_claims,
        status_required,
        aliases,
        rules,
        builtin,
        integrity: integrity_of(octets),
        document: Arc::from(text),
    })
}

fn parse_claim(value: &Value, at: &str) -> Result<ClaimSpec, CatalogueError> {
    let obj = value
        .as_object()
        .ok_or_else(|| bad(format!("{at} is not an object")))?;
    let name = match obj.get("path").and_then(Value::as_array).map(Vec::as_slice) {
        Some([Value::String(name)]) => name.clone(),
        Some(_) => {
            return Err(bad(format!(
                "{at}.path must be one member name: this wallet's types have top-level claims only"
            )));
        }
        None => return Err(bad(format!("{at}.path is not an array"))),
    };
    let identifier = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && name.bytes().next().is_some_and(|b| !b.is_ascii_digit())
        && name.len() <= MAX_NAME_LEN;
    if !identifier {
        return Err(bad(format!(
            "{at}.path: a claim name is 1 to 64 ASCII letters, digits or '_', not starting with a digit"
        )));
    }
    if RESERVED_CLAIMS.contains(&name.as_str()) {
        return Err(bad(format!(
            "{at}.path names a reserved JWT / SD-JWT VC claim"
        )));
    }
    let (label_zh, label_en) =
        display_names(obj.get("display"), &format!("{at}.display"), "label")?;
    let sd = match obj.get("sd") {
        None => Sd::Allowed,
        Some(Value::String(s)) if s == "always" => Sd::Always,
        Some(Value::String(s)) if s == "allowed" => Sd::Allowed,
        Some(Value::String(s)) if s == "never" => Sd::Never,
        Some(_) => {
            return Err(bad(format!(
                "{at}.sd must be \"always\", \"allowed\" or \"never\""
            )));
        }
    };
    let mandatory = optional_bool(obj, "mandatory", false, &format!("{at}.mandatory"))?;
    if let Some(id) = obj.get("svg_id")
        && !id.is_string()
    {
        return Err(bad(format!("{at}.svg_id is not a string")));
    }

    let ext_at = format!("{at}.{EXTENSION}");
    let ext = obj
        .get(EXTENSION)
        .and_then(Value::as_object)
        .ok_or_else(|| bad(format!("{ext_at} is not an object")))?;
    only_members(ext, &["type", "format", "derived"], &ext_at)?;
    let json_type = match ext.get("type").and_then(Value::as_str) {
        Some("string") => JsonType::String,
        Some("boolean") => JsonType::Boolean,
        Some("number") => JsonType::Number,
        Some("integer") => JsonType::Integer,
        _ => {
            return Err(bad(format!(
                "{ext_at}.type must be \"string\", \"boolean\", \"number\" or \"integer\""
            )));
        }
    };
    let (format, derived_from) = match (ext.get("format"), ext.get("derived")) {
        (Some(f), None) => {
            let name = f.as_str().unwrap_or_default();
            let format = FORMAT_NAMES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, f)| *f)
                .ok_or_else(|| {
                    bad(format!(
                        "{ext_at}.format is not a known validator (docs/credential-types.md, \"Formats\")"
                    ))
                })?;
            (format, None)
        }
        (None, Some(d)) => {
            let d = d
                .as_object()
                .ok_or_else(|| bad(format!("{ext_at}.derived is not an object")))?;
            only_members(d, &["age_over", "from"], &format!("{ext_at}.derived"))?;
            let age = d
                .get("age_over")
                .and_then(Value::as_u64)
                .filter(|a| (1..=150).contains(a))
                .and_then(|a| u8::try_from(a).ok())
                .ok_or_else(|| {
                    bad(format!(
                        "{ext_at}.derived.age_over must be an integer from 1 to 150"
                    ))
                })?;
            let from = d
                .get("from")
                .and_then(Value::as_str)
                .ok_or_else(|| bad(format!("{ext_at}.derived.from is not a string")))?;
            if mandatory {
                return Err(bad(format!(
                    "{at}.mandatory: a derived claim is computed by the issuer and cannot be mandatory"
                )));
            }
            (Format::AgeOver(age), Some(from.to_owned()))
        }
        _ => {
            return Err(bad(format!(
                "{ext_at} must give exactly one of format and derived"
            )));
        }
    };
    if !format.applies_to(json_type) {
        return Err(bad(format!(
            "{ext_at}: the format does not apply to values of this type"
        )));
    }
    Ok(ClaimSpec {
        name,
        json_type,
        required: mandatory,
        sd,
        derived_from,
        format,
        label_zh,
        label_en,
    })
}

fn parse_rule(value: &Value, claims: &[ClaimSpec], at: &str) -> Result<Rule, CatalogueError> {
    let obj = value
        .as_object()
        .ok_or_else(|| bad(format!("{at} is not an object")))?;
    let name = obj.get("rule").and_then(Value::as_str).unwrap_or_default();
    if !RULE_NAMES.contains(&name) {
        return Err(bad(format!(
            "{at}.rule is not a known rule (docs/credential-types.md, \"Type documents\")"
        )));
    }
    // A member naming a claim of one of `formats`.
    let claim = |member: &str, formats: &[Format]| -> Result<String, CatalogueError> {
        let claim_name = obj
            .get(member)
            .and_then(Value::as_str)
            .ok_or_else(|| bad(format!("{at}.{member} is not a string")))?;
        let fits = claims
            .iter()
            .any(|c| c.name == claim_name && !c.derived() && formats.contains(&c.format));
        if !fits {
            return Err(bad(format!(
                "{at}.{member} must name a claim of this type with a fitting format"
            )));
        }
        Ok(claim_name.to_owned())
    };
    const DATES: &[Format] = &[Format::Date, Format::DateOrLongTerm];
    let (rule, members): (Rule, &[&str]) = match name {
        "not_after_issuance" => (
            Rule::NotAfterIssuance {
                claim: claim("claim", &[Format::Date])?,
            },
            &["rule", "claim"],
        ),
        "not_before" => (
            Rule::NotBefore {
                claim: claim("claim", DATES)?,
                other: claim("other", DATES)?,
            },
            &["rule", "claim", "other"],
        ),
        "resident_id_birth_date" => (
            Rule::ResidentIdBirthDate {
                claim: claim("claim", &[Format::Date])?,
                id_claim: claim("id_claim", &[Format::ResidentIdNumber])?,
            },
            &["rule", "claim", "id_claim"],
        ),
        _ => (
            Rule::ResidentIdSex {
                claim: claim("claim", &[Format::Sex])?,
                id_claim: claim("id_claim", &[Format::ResidentIdNumber])?,
            },
            &["rule", "claim", "id_claim"],
        ),
    };
    only_members(obj, members, at)?;
    Ok(rule)
}

/// The `zh-CN` and `en` entries of a display list (`name` for a type, `label` for a claim).
/// An exact `zh-CN` / `en` locale is preferred; otherwise the first entry of that language.
fn display_names(
    value: Option<&Value>,
    at: &str,
    member: &str,
) -> Result<(String, String), CatalogueError> {
    let entries = value
        .and_then(Value::as_array)
        .ok_or_else(|| bad(format!("{at} is not an array")))?;
    if entries.len() > MAX_LIST {
        return Err(bad(format!("{at} holds more than {MAX_LIST} entries")));
    }
    let mut parsed: Vec<(String, String)> = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let obj = entry
            .as_object()
            .ok_or_else(|| bad(format!("{at}[{i}] is not an object")))?;
        let locale = match obj.get("locale") {
            Some(Value::String(l)) if !l.is_empty() && l.len() <= 35 && l.is_ascii() => l.clone(),
            Some(_) => return Err(bad(format!("{at}[{i}].locale is not a language tag"))),
            None if obj.contains_key("lang") => {
                return Err(bad(format!(
                    "{at}[{i}] uses lang, which the draft replaced with locale"
                )));
            }
            None => return Err(bad(format!("{at}[{i}].locale is missing"))),
        };
        let text = text_member(obj, member, &format!("{at}[{i}].{member}"))?
            .ok_or_else(|| bad(format!("{at}[{i}].{member} is missing")))?;
        optional_text(obj, "description", &format!("{at}[{i}].description"))?;
        parsed.push((locale, text));
    }
    let pick = |exact: &str, language: &str| -> Option<String> {
        parsed
            .iter()
            .find(|(l, _)| l.eq_ignore_ascii_case(exact))
            .or_else(|| {
                parsed.iter().find(|(l, _)| {
                    l.split('-')
                        .next()
                        .is_some_and(|p| p.eq_ignore_ascii_case(language))
                })
            })
            .map(|(_, t)| t.clone())
    };
    let zh = pick("zh-CN", "zh")
        .ok_or_else(|| bad(format!("{at} has no zh-CN entry (verifiers show Chinese)")))?;
    let en = pick("en", "en")
        .ok_or_else(|| bad(format!("{at} has no en entry (verifiers show English)")))?;
    Ok((zh, en))
}

/// A string member, if present: 1 to 256 characters, no control or bidirectional formatting
/// characters.
fn text_member(
    obj: &Map<String, Value>,
    member: &str,
    at: &str,
) -> Result<Option<String>, CatalogueError> {
    obj.get(member).map(|v| text_value(v, at)).transpose()
}

fn text_value(value: &Value, at: &str) -> Result<String, CatalogueError> {
    let s = value
        .as_str()
        .ok_or_else(|| bad(format!("{at} is not a string")))?;
    super::validate::check_text(s, MAX_TEXT_CHARS).map_err(|rule| bad(format!("{at} {rule}")))?;
    Ok(s.to_owned())
}

/// A boolean member, or `default` when it is absent.
fn optional_bool(
    obj: &Map<String, Value>,
    member: &str,
    default: bool,
    at: &str,
) -> Result<bool, CatalogueError> {
    obj.get(member).map_or(Ok(default), |v| {
        v.as_bool()
            .ok_or_else(|| bad(format!("{at} is not a boolean")))
    })
}

fn optional_text(obj: &Map<String, Value>, member: &str, at: &str) -> Result<(), CatalogueError> {
    text_member(obj, member, at).map(|_| ())
}

fn string_list(
    obj: &Map<String, Value>,
    member: &str,
    at: &str,
) -> Result<Vec<String>, CatalogueError> {
    let Some(value) = obj.get(member) else {
        return Ok(Vec::new());
    };
    let values = value
        .as_array()
        .ok_or_else(|| bad(format!("{at} is not an array")))?;
    if values.len() > MAX_LIST {
        return Err(bad(format!("{at} holds more than {MAX_LIST} entries")));
    }
    values
        .iter()
        .enumerate()
        .map(|(i, v)| text_value(v, &format!("{at}[{i}]")))
        .collect()
}

/// Refuses members of our extension that this version does not know (a misspelling would
/// otherwise silently drop a rule).
fn only_members(obj: &Map<String, Value>, known: &[&str], at: &str) -> Result<(), CatalogueError> {
    match obj.keys().find(|k| !known.contains(&k.as_str())) {
        None => Ok(()),
        Some(_) => Err(bad(format!(
            "{at} has a member this version does not know (known: {})",
            known.join(", ")
        ))),
    }
}
