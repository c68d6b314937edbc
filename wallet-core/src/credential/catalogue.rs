//! The credential-type catalogue: the SD-JWT VC types this wallet issues for Chinese
//! electronic certificates, each with its `vct` identifier, claim schema (JSON type,
//! required / selectively disclosable / derived flags, value format), bilingual display
//! labels, issuance-time validation of issuer-supplied claims, and the derived predicate
//! claims (`age_over_18`, `age_over_60`) the issuer adds so that holders can prove an age
//! threshold without disclosing their birth date.
//!
//! `vct` values follow `urn:cn-wallet:<short-name>:<schema-version>`; a schema change that
//! alters the meaning or validation of a claim must bump the version rather than edit a
//! published type in place, because verifiers key their policies on the exact `vct`.

use serde_json::{Map, Value, json};
use time::{Date, Month, OffsetDateTime};

/// Errors raised while looking up a credential type or validating its claims.
///
/// Messages name the claim and the rule that failed but never the claim's value, so that
/// they can be logged without leaking personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogueError {
    /// No catalogue entry has this short name or `vct`.
    #[error("unknown credential type {name:?}")]
    UnknownType {
        /// The short name or `vct` that was looked up (truncated).
        name: String,
    },
    /// A required claim is absent.
    #[error("claim {field:?} is required but missing")]
    MissingClaim {
        /// Name of the missing claim.
        field: String,
    },
    /// A claim that the credential type does not define was supplied.
    #[error("claim {field:?} is not defined for this credential type")]
    UnknownClaim {
        /// Name of the unexpected claim (truncated).
        field: String,
    },
    /// A claim's JSON type differs from the schema.
    #[error("claim {field:?} has the wrong JSON type: expected {expected}")]
    WrongType {
        /// Name of the claim.
        field: String,
        /// The JSON type the schema requires (see [`JsonType::as_str`]).
        expected: &'static str,
    },
    /// A claim's value breaks its format or a cross-field rule.
    #[error("claim {field:?} is invalid: {rule}")]
    InvalidClaim {
        /// Name of the claim.
        field: String,
        /// The rule that was broken, in English.
        rule: &'static str,
    },
    /// The caller supplied a claim that only the issuer may compute.
    #[error("claim {field:?} is derived by the issuer and must not be supplied")]
    DerivedClaimSupplied {
        /// Name of the derived claim.
        field: String,
    },
    /// The caller supplied a name reserved for the JWT / SD-JWT VC envelope.
    #[error("claim {field:?} is a reserved JWT / SD-JWT VC name and cannot be a credential claim")]
    ReservedClaim {
        /// The reserved name.
        field: String,
    },
    /// A claim that ends the document's own validity ([`CredentialType::validity_claims`])
    /// has already passed at the issuance time: the document has expired and no credential
    /// may be issued for it.
    #[error(
        "claim {field:?} ends the document's validity and has already passed at issuance: the document has expired"
    )]
    DocumentExpired {
        /// Name of the validity claim.
        field: &'static str,
    },
    /// More than one claim breaks the schema: every error found, in the order of the checks
    /// (names, then each claim in schema order, then cross-field rules), so a caller can fix
    /// them all at once. A single error is returned as itself, never wrapped in this variant.
    #[error("{} claim errors: {}", .total, join_errors(.errors))]
    Several {
        /// The errors found (at most [`MAX_REPORTED_ERRORS`]; `total` counts them all).
        errors: Vec<CatalogueError>,
        /// How many errors were found in all.
        total: usize,
    },
}

/// At most this many errors are kept in [`CatalogueError::Several`]: enough to fix any real
/// claims file in one pass, bounded so that hostile input cannot make an error arbitrarily large.
pub const MAX_REPORTED_ERRORS: usize = 32;

fn join_errors(errors: &[CatalogueError]) -> String {
    let parts: Vec<String> = errors.iter().map(ToString::to_string).collect();
    parts.join("; ")
}

impl CatalogueError {
    /// Stable machine-readable code, safe to return to API clients and to match on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownType { .. } => "catalogue.unknown_type",
            Self::MissingClaim { .. } => "catalogue.missing_claim",
            Self::UnknownClaim { .. } => "catalogue.unknown_claim",
            Self::WrongType { .. } => "catalogue.wrong_type",
            Self::InvalidClaim { .. } => "catalogue.invalid_claim",
            Self::DerivedClaimSupplied { .. } => "catalogue.derived_claim_supplied",
            Self::ReservedClaim { .. } => "catalogue.reserved_claim",
            Self::DocumentExpired { .. } => "catalogue.document_expired",
            Self::Several { .. } => "catalogue.several_errors",
        }
    }

    /// The claim an error is about (`None` for an unknown type or several errors).
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::MissingClaim { field }
            | Self::UnknownClaim { field }
            | Self::WrongType { field, .. }
            | Self::InvalidClaim { field, .. }
            | Self::DerivedClaimSupplied { field }
            | Self::ReservedClaim { field } => Some(field),
            Self::DocumentExpired { field } => Some(field),
            Self::UnknownType { .. } | Self::Several { .. } => None,
        }
    }

    /// Each individual error: the list of [`CatalogueError::Several`], or this error alone.
    pub fn errors(&self) -> &[CatalogueError] {
        match self {
            Self::Several { errors, .. } => errors,
            other => std::slice::from_ref(other),
        }
    }
}

/// The errors of one validation, bounded while they are collected.
#[derive(Default)]
struct Collected {
    errors: Vec<CatalogueError>,
    total: usize,
}

impl Collected {
    fn push(&mut self, e: CatalogueError) {
        self.total = self.total.saturating_add(1);
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(e);
        }
    }

    /// Whether an error collected so far is about `field`.
    fn names(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field() == Some(field))
    }

    /// `Ok` for no error, the error itself for one, [`CatalogueError::Several`] for more.
    fn finish(mut self) -> Result<(), CatalogueError> {
        if self.total <= 1 {
            return self.errors.pop().map_or(Ok(()), Err);
        }
        Err(CatalogueError::Several {
            errors: self.errors,
            total: self.total,
        })
    }
}

/// Claim names that belong to the JWT / SD-JWT VC envelope and so can never be credential
/// claims: letting a caller set them would let issuer input override `iss`, `exp`, `cnf`
/// and friends, or confuse the SD-JWT digest machinery (`_sd`, `...`).
pub const RESERVED_CLAIMS: &[&str] = &[
    "iss",
    "iat",
    "nbf",
    "exp",
    "vct",
    "vct#integrity",
    "cnf",
    "status",
    "sub",
    "aud",
    "jti",
    "_sd",
    "_sd_alg",
    "...",
];

/// JSON type of a claim value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JsonType {
    /// A JSON string.
    String,
    /// `true` or `false`.
    Boolean,
    /// Any JSON number.
    Number,
    /// A JSON number without fraction or exponent that fits in 64 bits.
    Integer,
}

impl JsonType {
    /// The JSON Schema name of the type.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Boolean => "boolean",
            Self::Number => "number",
            Self::Integer => "integer",
        }
    }
}

/// Display language for labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Simplified Chinese.
    Zh,
    /// English.
    En,
}

/// Value format of a claim, checked at issuance on top of the JSON type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Format {
    /// Free text (the common string rules only).
    Free,
    /// Free text allowed to exceed the usual length limit, for fields such as a business
    /// scope that routinely run to several hundred characters.
    LongText,
    /// `YYYY-MM-DD`, a date that exists in the Gregorian calendar.
    Date,
    /// A [`Format::Date`], or `长期` (long-term, no expiry date) as printed on Chinese IDs.
    DateOrLongTerm,
    /// `男` or `女`, as printed on Chinese documents.
    Sex,
    /// One of the ethnic groups of GB/T 3304, as printed on the card.
    Ethnicity,
    /// 18-character citizen identity number (GB 11643).
    ResidentIdNumber,
    /// Driving licence class codes, concatenated (e.g. `C1`, `A2D`).
    DrivingClasses,
    /// Mainland motor-vehicle plate number (GA 36).
    PlateNumber,
    /// Vehicle identification number (ISO 3779 / GB 16735).
    Vin,
    /// Unified social credit code of an organisation (GB 32100-2015).
    Uscc,
    /// People's Republic of China ordinary passport number.
    PassportNumber,
    /// ISO 3166-1 alpha-3 country code, uppercase.
    CountryCode,
    /// SHA-256 digest as 64 lowercase hexadecimal characters.
    Sha256Hex,
    /// A name in uppercase Latin letters, as in a passport's Latin-script name fields.
    LatinName,
    /// Digits and uppercase ASCII letters only.
    Alphanumeric,
    /// 28-character real-estate unit number (GB/T 37346-2019).
    RealEstateUnitNumber,
    /// `家庭户` or `集体户`.
    HouseholdType,
    /// A positive, finite number.
    PositiveNumber,
    /// Derived boolean: the holder has reached the given age on the issuance date.
    AgeOver(u8),
}

/// Maximum length of an ordinary text claim, in Unicode scalar values. Long enough for any
/// name or address on these documents, short enough to keep credentials QR-friendly.
const MAX_TEXT_CHARS: usize = 256;
/// Maximum length of a [`Format::LongText`] claim, in Unicode scalar values.
const MAX_LONG_TEXT_CHARS: usize = 2000;

/// `长期`: "long-term", printed instead of an expiry date on documents that never expire.
const LONG_TERM: &str = "长期";

impl Format {
    /// Short English name of the format, as used in the generated documentation.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Free => "text",
            Self::LongText => "long text",
            Self::Date => "date",
            Self::DateOrLongTerm => "date or 长期",
            Self::Sex => "sex",
            Self::Ethnicity => "ethnicity",
            Self::ResidentIdNumber => "resident ID number",
            Self::DrivingClasses => "driving classes",
            Self::PlateNumber => "plate number",
            Self::Vin => "VIN",
            Self::Uscc => "USCC",
            Self::PassportNumber => "passport number",
            Self::CountryCode => "country code",
            Self::Sha256Hex => "SHA-256 hex",
            Self::LatinName => "Latin name",
            Self::Alphanumeric => "alphanumeric",
            Self::RealEstateUnitNumber => "real-estate unit number",
            Self::HouseholdType => "household type",
            Self::PositiveNumber => "positive number",
            Self::AgeOver(_) => "age predicate",
        }
    }

    /// The rule a value must satisfy, in English.
    pub fn rule(&self) -> &'static str {
        match self {
            Self::Free => {
                "text of 1 to 256 characters, not blank, without control, line-separator or bidirectional-formatting characters"
            }
            Self::LongText => {
                "text of 1 to 2000 characters, not blank, without control, line-separator or bidirectional-formatting characters"
            }
            Self::Date => "calendar date YYYY-MM-DD that exists in the Gregorian calendar",
            Self::DateOrLongTerm => {
                "calendar date YYYY-MM-DD, or 长期 (long-term: the document does not expire)"
            }
            Self::Sex => "男 (male) or 女 (female)",
            Self::Ethnicity => {
                "one of the 56 ethnic groups of GB/T 3304 as printed on the card, with or without the suffix 族 (e.g. 汉 or 汉族), or 其他 / 外国血统中国籍人士"
            }
            Self::ResidentIdNumber => {
                "18 characters: 6-digit region code, 8-digit birth date YYYYMMDD, 3-digit sequence (odd for male, even for female), check character 0-9 or X (GB 11643 / ISO 7064 MOD 11-2)"
            }
            Self::DrivingClasses => {
                "concatenation of distinct class codes from A1 A2 A3 B1 B2 C1 C2 C3 C4 C5 C6 D E F M N P (e.g. C1 or A2D)"
            }
            Self::PlateNumber => {
                "abbreviation of one of the 31 mainland provinces, an office letter A-Z except I and O, then 5 (ordinary) or 6 (new-energy) digits or letters A-Z except I and O (GA 36)"
            }
            Self::Vin => {
                "17 characters from 0-9 and A-Z except I, O and Q; the 9th is the check digit 0-9 or X (ISO 3779 / GB 16735)"
            }
            Self::Uscc => {
                "18 characters from 0-9 and A-Y except I, O, S, V and Z; the last is the MOD 31 check character (GB 32100-2015)"
            }
            Self::PassportNumber => {
                "E followed by 8 digits, E followed by a letter (not I or O) and 7 digits, or G followed by 8 digits"
            }
            Self::CountryCode => "ISO 3166-1 alpha-3 country code in uppercase (e.g. CHN)",
            Self::Sha256Hex => "SHA-256 digest as 64 lowercase hexadecimal characters",
            Self::LatinName => {
                "uppercase Latin letters A-Z, parts separated by single spaces (as in the passport's Latin-script name)"
            }
            Self::Alphanumeric => "digits 0-9 and uppercase letters A-Z only",
            Self::RealEstateUnitNumber => {
                "28 characters: 12 digits (county code and cadastral zone), 2 uppercase letters (parcel feature code), 5 digits (parcel number), one of F L Q W (fixture feature code), 8 digits (fixture unit number) (GB/T 37346-2019)"
            }
            Self::HouseholdType => "家庭户 (family household) or 集体户 (collective household)",
            Self::PositiveNumber => "a positive, finite number",
            Self::AgeOver(_) => {
                "derived by the issuer from birth_date: true when the holder has reached the age on the UTC date of issuance (someone born on 29 February reaches it on 1 March in non-leap years)"
            }
        }
    }

    /// Whether the format can apply to values of JSON type `t`; the catalogue only pairs
    /// formats with types they apply to.
    pub fn applies_to(&self, t: JsonType) -> bool {
        match self {
            Self::PositiveNumber => matches!(t, JsonType::Number | JsonType::Integer),
            Self::AgeOver(_) => t == JsonType::Boolean,
            _ => t == JsonType::String,
        }
    }

    /// Checks a string value; `Err` carries the specific rule that failed.
    fn check_str(&self, s: &str) -> Result<(), &'static str> {
        let max = if *self == Self::LongText {
            MAX_LONG_TEXT_CHARS
        } else {
            MAX_TEXT_CHARS
        };
        check_text(s, max)?;
        match self {
            Self::Free | Self::LongText => Ok(()),
            Self::Date => parse_date(s)
                .map(|_| ())
                .ok_or("must be a calendar date YYYY-MM-DD that exists in the Gregorian calendar"),
            Self::DateOrLongTerm => {
                if s == LONG_TERM || parse_date(s).is_some() {
                    Ok(())
                } else {
                    Err(
                        "must be a calendar date YYYY-MM-DD that exists in the Gregorian calendar, or 长期",
                    )
                }
            }
            Self::Sex => match s {
                "男" | "女" => Ok(()),
                _ => Err("must be 男 or 女"),
            },
            Self::Ethnicity => check_ethnicity(s),
            Self::ResidentIdNumber => check_resident_id(s).map(|_| ()),
            Self::DrivingClasses => check_driving_classes(s),
            Self::PlateNumber => check_plate(s),
            Self::Vin => check_vin(s),
            Self::Uscc => check_uscc(s),
            Self::PassportNumber => check_passport(s),
            Self::CountryCode => {
                if ISO_3166_ALPHA3.contains(&s) {
                    Ok(())
                } else {
                    Err("must be an assigned ISO 3166-1 alpha-3 country code in uppercase")
                }
            }
            Self::Sha256Hex => {
                if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                    Ok(())
                } else {
                    Err("must be 64 lowercase hexadecimal characters (SHA-256)")
                }
            }
            Self::LatinName => {
                let parts_ok = s
                    .split(' ')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_uppercase()));
                if parts_ok {
                    Ok(())
                } else {
                    Err("must be uppercase letters A-Z with parts separated by single spaces")
                }
            }
            Self::Alphanumeric => {
                if s.bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
                {
                    Ok(())
                } else {
                    Err("must contain only digits 0-9 and uppercase letters A-Z")
                }
            }
            Self::RealEstateUnitNumber => check_real_estate_unit(s),
            Self::HouseholdType => match s {
                "家庭户" | "集体户" => Ok(()),
                _ => Err("must be 家庭户 or 集体户"),
            },
            Self::PositiveNumber | Self::AgeOver(_) => {
                Err("catalogue error: this format does not apply to strings")
            }
        }
    }
}

/// Schema of one claim of a credential type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ClaimSpec {
    /// Claim name in the credential (`snake_case` English).
    pub name: &'static str,
    /// JSON type of the value.
    pub json_type: JsonType,
    /// Whether the issuer must supply the claim (never true for derived claims, which the
    /// issuer computes instead).
    pub required: bool,
    /// Whether the claim is selectively disclosable (an SD-JWT disclosure) rather than
    /// always visible in the issuer-signed payload.
    pub disclosable: bool,
    /// Whether the issuer computes the claim from other claims; callers must not supply it.
    pub derived: bool,
    /// Value format checked at issuance.
    pub format: Format,
    /// Display label in Simplified Chinese, as printed on the physical document.
    pub label_zh: &'static str,
    /// Display label in English.
    pub label_en: &'static str,
}

impl ClaimSpec {
    /// The display label in `lang`.
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.label_zh,
            Lang::En => self.label_en,
        }
    }
}

/// One credential type of the catalogue.
///
/// Serializes (e.g. for a CLI or FFI listing of the catalogue) with every field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct CredentialType {
    /// Short name, the `<short-name>` part of the `vct` (kebab-case).
    pub short_name: &'static str,
    /// The SD-JWT VC `vct` identifier.
    pub vct: &'static str,
    /// Name of the document in Simplified Chinese.
    pub name_zh: &'static str,
    /// Name of the document in English.
    pub name_en: &'static str,
    /// Claim schema, in display order.
    pub claims: &'static [ClaimSpec],
    /// Default lifetime of an issued credential, in days: how often the holder's wallet is
    /// expected to refresh it from the issuer, not the document's own validity.
    pub default_validity_days: u32,
    /// The claims whose date ends the document's own validity (its printed expiry date). A
    /// credential's `exp` never outlives the earliest of them, an expired document is refused
    /// at issuance, and a verifier refuses a disclosed one that has passed. A date ends at
    /// 24:00 China Standard Time (UTC+8) of that day ([`end_of_day_cst`]); `长期` never ends.
    pub validity_claims: &'static [&'static str],
    /// Whether a credential of this type must be revocable (carry a `status` claim): true for
    /// the government documents of this catalogue, so that issuing one that can never be
    /// revoked takes an explicit decision ([`crate::issue::CredentialRequest::status_required`]).
    pub status_required: bool,
    /// Other names a person may use for the type (common Chinese short names such as
    /// `驾驶证`), accepted by [`lookup`] besides the short name, `vct` and both display names.
    pub aliases: &'static [&'static str],
}

// Constructors keep the tables below readable; most claims are required, disclosable text.

const fn text(name: &'static str, format: Format, zh: &'static str, en: &'static str) -> ClaimSpec {
    ClaimSpec {
        name,
        json_type: JsonType::String,
        required: true,
        disclosable: true,
        derived: false,
        format,
        label_zh: zh,
        label_en: en,
    }
}

const fn of_type(mut spec: ClaimSpec, json_type: JsonType) -> ClaimSpec {
    spec.json_type = json_type;
    spec
}

const fn optional(mut spec: ClaimSpec) -> ClaimSpec {
    spec.required = false;
    spec
}

const fn always_visible(mut spec: ClaimSpec) -> ClaimSpec {
    spec.disclosable = false;
    spec
}

const fn age_over(name: &'static str, age: u8, zh: &'static str, en: &'static str) -> ClaimSpec {
    ClaimSpec {
        name,
        json_type: JsonType::Boolean,
        required: false,
        disclosable: true,
        derived: true,
        format: Format::AgeOver(age),
        label_zh: zh,
        label_en: en,
    }
}

const AGE_OVER_18: ClaimSpec = age_over("age_over_18", 18, "年满18周岁", "Aged 18 or over");
const AGE_OVER_60: ClaimSpec = age_over("age_over_60", 60, "年满60周岁", "Aged 60 or over");
const NAME: ClaimSpec = text("name", Format::Free, "姓名", "Name");
const SEX: ClaimSpec = text("sex", Format::Sex, "性别", "Sex");
const ETHNICITY: ClaimSpec = text("ethnicity", Format::Ethnicity, "民族", "Ethnicity");
const BIRTH_DATE: ClaimSpec = text("birth_date", Format::Date, "出生日期", "Date of birth");
const ADDRESS: ClaimSpec = text("address", Format::Free, "住址", "Address");
const PHOTO_DIGEST: ClaimSpec = optional(text(
    "photo_digest",
    Format::Sha256Hex,
    "照片摘要",
    "Photo digest (SHA-256)",
));

static RESIDENT_ID: [ClaimSpec; 11] = [
    NAME,
    SEX,
    ETHNICITY,
    BIRTH_DATE,
    ADDRESS,
    text(
        "id_number",
        Format::ResidentIdNumber,
        "公民身份号码",
        "Citizen identity number",
    ),
    text("valid_from", Format::Date, "有效期限起始日期", "Valid from"),
    text(
        "valid_until",
        Format::DateOrLongTerm,
        "有效期限截止日期",
        "Valid until",
    ),
    PHOTO_DIGEST,
    AGE_OVER_18,
    AGE_OVER_60,
];

static DRIVING_LICENCE: [ClaimSpec; 10] = [
    NAME,
    SEX,
    text("nationality", Format::CountryCode, "国籍", "Nationality"),
    BIRTH_DATE,
    ADDRESS,
    text(
        "licence_number",
        Format::ResidentIdNumber,
        "证号",
        "Licence number",
    ),
    text(
        "licence_class",
        Format::DrivingClasses,
        "准驾车型",
        "Permitted vehicle classes",
    ),
    text(
        "first_issue_date",
        Format::Date,
        "初次领证日期",
        "Date of first issue",
    ),
    text("valid_from", Format::Date, "有效期限起始日期", "Valid from"),
    text(
        "valid_until",
        Format::DateOrLongTerm,
        "有效期限截止日期",
        "Valid until",
    ),
];

static VEHICLE_LICENCE: [ClaimSpec; 12] = [
    text(
        "plate_number",
        Format::PlateNumber,
        "号牌号码",
        "Plate number",
    ),
    text("vehicle_type", Format::Free, "车辆类型", "Vehicle type"),
    text("owner", Format::Free, "所有人", "Owner"),
    ADDRESS,
    text("use_character", Format::Free, "使用性质", "Use character"),
    text("model", Format::Free, "品牌型号", "Make and model"),
    text(
        "vin",
        Format::Vin,
        "车辆识别代号",
        "Vehicle identification number (VIN)",
    ),
    text("engine_number", Format::Free, "发动机号码", "Engine number"),
    text(
        "registration_date",
        Format::Date,
        "注册日期",
        "Date of registration",
    ),
    text("issue_date", Format::Date, "发证日期", "Date of issue"),
    optional(of_type(
        text(
            "approved_passengers",
            Format::PositiveNumber,
            "核定载人数",
            "Approved number of passengers",
        ),
        JsonType::Integer,
    )),
    optional(text(
        "inspection_valid_until",
        Format::Date,
        "检验有效期至",
        "Inspection valid until",
    )),
];

static HOUSEHOLD_REGISTER: [ClaimSpec; 12] = [
    NAME,
    text(
        "relationship_to_head",
        Format::Free,
        "户主或与户主关系",
        "Head of household or relationship to head",
    ),
    SEX,
    ETHNICITY,
    BIRTH_DATE,
    text("birthplace", Format::Free, "出生地", "Place of birth"),
    text(
        "id_number",
        Format::ResidentIdNumber,
        "公民身份号码",
        "Citizen identity number",
    ),
    ADDRESS,
    text(
        "household_number",
        Format::Alphanumeric,
        "户号",
        "Household number",
    ),
    text(
        "household_type",
        Format::HouseholdType,
        "户别",
        "Household type",
    ),
    AGE_OVER_18,
    AGE_OVER_60,
];

static REAL_ESTATE_TITLE: [ClaimSpec; 11] = [
    text(
        "certificate_number",
        Format::Free,
        "不动产权证书号",
        "Certificate number",
    ),
    text("right_holder", Format::Free, "权利人", "Right holder"),
    text("co_ownership", Format::Free, "共有情况", "Co-ownership"),
    text("location", Format::Free, "坐落", "Location"),
    text(
        "unit_number",
        Format::RealEstateUnitNumber,
        "不动产单元号",
        "Real estate unit number",
    ),
    text("right_type", Format::Free, "权利类型", "Type of right"),
    text("right_nature", Format::Free, "权利性质", "Nature of right"),
    text("usage", Format::Free, "用途", "Usage"),
    of_type(
        text(
            "floor_area",
            Format::PositiveNumber,
            "面积（平方米）",
            "Area (square metres)",
        ),
        JsonType::Number,
    ),
    optional(text(
        "land_use_until",
        Format::Date,
        "土地使用期限截止日期",
        "Land use term ends",
    )),
    text(
        "registration_date",
        Format::Date,
        "登记日期",
        "Date of registration",
    ),
];

static SOCIAL_SECURITY_CARD: [ClaimSpec; 10] = [
    NAME,
    SEX,
    BIRTH_DATE,
    text(
        "social_security_number",
        Format::ResidentIdNumber,
        "社会保障号码",
        "Social security number",
    ),
    text("card_number", Format::Alphanumeric, "卡号", "Card number"),
    text("issue_date", Format::Date, "发卡日期", "Date of issue"),
    text("valid_until", Format::Date, "有效期限", "Valid until"),
    PHOTO_DIGEST,
    AGE_OVER_18,
    AGE_OVER_60,
];

static PASSPORT: [ClaimSpec; 12] = [
    text(
        "passport_number",
        Format::PassportNumber,
        "护照号",
        "Passport number",
    ),
    NAME,
    text("surname_latin", Format::LatinName, "姓（拼音）", "Surname"),
    text(
        "given_names_latin",
        Format::LatinName,
        "名（拼音）",
        "Given names",
    ),
    SEX,
    text("nationality", Format::CountryCode, "国籍", "Nationality"),
    BIRTH_DATE,
    text("birthplace", Format::Free, "出生地点", "Place of birth"),
    text("place_of_issue", Format::Free, "签发地点", "Place of issue"),
    text("issue_date", Format::Date, "签发日期", "Date of issue"),
    text("expiry_date", Format::Date, "有效期至", "Date of expiry"),
    AGE_OVER_18,
];

static BUSINESS_LICENCE: [ClaimSpec; 10] = [
    // The company name and credit code are public-register data and identify the subject
    // of the credential, so hiding them would only cost a disclosure.
    always_visible(text(
        "uscc",
        Format::Uscc,
        "统一社会信用代码",
        "Unified social credit code",
    )),
    always_visible(text("company_name", Format::Free, "名称", "Name")),
    text("entity_type", Format::Free, "类型", "Type of entity"),
    text(
        "legal_representative",
        Format::Free,
        "法定代表人",
        "Legal representative",
    ),
    optional(text(
        "registered_capital",
        Format::Free,
        "注册资本",
        "Registered capital",
    )),
    text(
        "establishment_date",
        Format::Date,
        "成立日期",
        "Date of establishment",
    ),
    text(
        "business_term_until",
        Format::DateOrLongTerm,
        "营业期限截止日期",
        "Business term ends",
    ),
    text("address", Format::Free, "住所", "Domicile"),
    text(
        "business_scope",
        Format::LongText,
        "经营范围",
        "Business scope",
    ),
    text(
        "registration_date",
        Format::Date,
        "登记日期",
        "Date of registration",
    ),
];

// Default credential lifetimes: a year where the underlying document changes rarely
// (identity and licence documents are re-issued on renewal, which triggers a refresh
// anyway); shorter where the registered facts change often and a stale credential would
// mislead a verifier (household moves, property transfers, company changes).
//
// Document validity (`validity_claims`): the printed expiry of the card, licence or passport,
// and a business licence's business term. The vehicle licence (行驶证) itself has no expiry,
// but a vehicle past its inspection date may not be driven on the road (Road Traffic Safety
// Law art. 13), so `inspection_valid_until` ends what the credential proves; after a new
// inspection the agency re-issues with the new date. A real-estate title's `land_use_until`
// does not end the title (residential land-use rights renew automatically, Civil Code
// art. 359), and a household register has no end date: neither type names a validity claim.
//
// Every type is a government document that an agency may have to withdraw (lost, replaced,
// revoked licence), so every type requires a `status` claim unless the issuer opts out.
static TYPES: [CredentialType; 8] = [
    CredentialType {
        short_name: "resident-id",
        vct: "urn:cn-wallet:resident-id:1",
        name_zh: "居民身份证",
        name_en: "Resident Identity Card",
        claims: &RESIDENT_ID,
        default_validity_days: 365,
        validity_claims: &["valid_until"],
        status_required: true,
        aliases: &["身份证"],
    },
    CredentialType {
        short_name: "driving-licence",
        vct: "urn:cn-wallet:driving-licence:1",
        name_zh: "机动车驾驶证",
        name_en: "Motor Vehicle Driving Licence",
        claims: &DRIVING_LICENCE,
        default_validity_days: 365,
        validity_claims: &["valid_until"],
        status_required: true,
        aliases: &["驾驶证", "驾照"],
    },
    CredentialType {
        short_name: "vehicle-licence",
        vct: "urn:cn-wallet:vehicle-licence:1",
        name_zh: "机动车行驶证",
        name_en: "Motor Vehicle Licence",
        claims: &VEHICLE_LICENCE,
        default_validity_days: 365,
        validity_claims: &["inspection_valid_until"],
        status_required: true,
        aliases: &["行驶证"],
    },
    CredentialType {
        short_name: "household-register",
        vct: "urn:cn-wallet:household-register:1",
        name_zh: "居民户口簿",
        name_en: "Household Register",
        claims: &HOUSEHOLD_REGISTER,
        default_validity_days: 180,
        validity_claims: &[],
        status_required: true,
        aliases: &["户口簿", "户口本"],
    },
    CredentialType {
        short_name: "real-estate-title",
        vct: "urn:cn-wallet:real-estate-title:1",
        name_zh: "不动产权证书",
        name_en: "Real Estate Title Certificate",
        claims: &REAL_ESTATE_TITLE,
        default_validity_days: 90,
        validity_claims: &[],
        status_required: true,
        aliases: &["不动产证", "房产证"],
    },
    CredentialType {
        short_name: "social-security-card",
        vct: "urn:cn-wallet:social-security-card:1",
        name_zh: "社会保障卡",
        name_en: "Social Security Card",
        claims: &SOCIAL_SECURITY_CARD,
        default_validity_days: 365,
        validity_claims: &["valid_until"],
        status_required: true,
        aliases: &["社保卡"],
    },
    CredentialType {
        short_name: "passport",
        vct: "urn:cn-wallet:passport:1",
        name_zh: "护照",
        name_en: "Passport",
        claims: &PASSPORT,
        default_validity_days: 365,
        validity_claims: &["expiry_date"],
        status_required: true,
        aliases: &["普通护照"],
    },
    CredentialType {
        short_name: "business-licence",
        vct: "urn:cn-wallet:business-licence:1",
        name_zh: "营业执照",
        name_en: "Business Licence",
        claims: &BUSINESS_LICENCE,
        default_validity_days: 90,
        validity_claims: &["business_term_until"],
        status_required: true,
        aliases: &[],
    },
];

/// Date-order rules: `(earlier, later, rule)`. Applied to every type that has both claims;
/// the error names the later claim. A `长期` value never expires, so it satisfies any order.
const DATE_ORDER: &[(&str, &str, &str)] = &[
    ("birth_date", "valid_from", "must not be before birth_date"),
    (
        "birth_date",
        "first_issue_date",
        "must not be before birth_date",
    ),
    ("birth_date", "issue_date", "must not be before birth_date"),
    (
        "first_issue_date",
        "valid_from",
        "must not be before first_issue_date",
    ),
    ("valid_from", "valid_until", "must not be before valid_from"),
    ("issue_date", "valid_until", "must not be before issue_date"),
    ("issue_date", "expiry_date", "must not be before issue_date"),
    (
        "registration_date",
        "issue_date",
        "must not be before registration_date",
    ),
    (
        "registration_date",
        "inspection_valid_until",
        "must not be before registration_date",
    ),
    (
        "establishment_date",
        "registration_date",
        "must not be before establishment_date",
    ),
    (
        "establishment_date",
        "business_term_until",
        "must not be before establishment_date",
    ),
];

const RULE_BIRTH_AFTER_ISSUANCE: &str = "must not be after the issuance date";
const RULE_BIRTH_VS_ID: &str =
    "does not match the birth date encoded in the resident ID number (digits 7 to 14)";
const RULE_SEX_VS_ID: &str = "does not match the sex encoded in the resident ID number (17th digit: odd for male, even for female)";
const DOC_SEX_VS_ID: &str = "must equal the sex encoded in the resident ID number \
     (17th digit: odd for male, even for female)";
const RULE_ISSUED_AT: &str = "issuance time must be a unix timestamp between the years 1 and 9999";

/// All credential types, in catalogue order.
pub fn all() -> &'static [CredentialType] {
    &TYPES
}

/// Looks a type up by its short name (e.g. `resident-id`) or its `vct`.
///
/// # Errors
///
/// [`CatalogueError::UnknownType`] if neither matches a catalogue entry exactly.
pub fn by_name(short_name_or_vct: &str) -> Result<&'static CredentialType, CatalogueError> {
    TYPES
        .iter()
        .find(|t| t.short_name == short_name_or_vct || t.vct == short_name_or_vct)
        .ok_or_else(|| CatalogueError::UnknownType {
            name: bounded(short_name_or_vct),
        })
}

/// Looks a type up by any name a person may give it: the short name, the `vct`, the Chinese
/// or English display name (English case-insensitively), or an alias such as `驾驶证`
/// ([`CredentialType::aliases`]). For command lines and APIs where a person names a type;
/// a credential's `vct` is matched exactly with [`by_name`].
///
/// # Errors
///
/// [`CatalogueError::UnknownType`] if no catalogue entry has that name.
pub fn lookup(name: &str) -> Result<&'static CredentialType, CatalogueError> {
    let name = name.trim();
    TYPES
        .iter()
        .find(|t| {
            t.short_name == name
                || t.vct == name
                || t.name_zh == name
                || t.name_en.eq_ignore_ascii_case(name)
                || t.aliases.contains(&name)
        })
        .ok_or_else(|| CatalogueError::UnknownType {
            name: bounded(name),
        })
}

/// The end of the day `date` in China Standard Time (UTC+8), as unix seconds: the instant a
/// document whose printed validity ends on `date` stops being valid (24:00 CST, i.e. 16:00
/// UTC of that date). Chinese documents print dates in local time, and a licence "valid until
/// 2028-08-20" is valid for the whole of that day.
pub fn end_of_day_cst(date: Date) -> i64 {
    const CST_OFFSET_SECONDS: i64 = 8 * 3600;
    date.midnight()
        .assume_utc()
        .unix_timestamp()
        .saturating_add(86_400 - CST_OFFSET_SECONDS)
}

/// Display label of `claim` in credentials of type `vct` (a short name is accepted too);
/// `None` if either is unknown.
pub fn label_for(vct: &str, claim: &str, lang: Lang) -> Option<&'static str> {
    by_name(vct).ok()?.claim(claim).map(|c| c.label(lang))
}

impl CredentialType {
    /// The schema of the claim called `name`, if the type defines it.
    pub fn claim(&self, name: &str) -> Option<&'static ClaimSpec> {
        self.claims.iter().find(|c| c.name == name)
    }

    /// The document name in `lang`.
    pub fn name(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.name_zh,
            Lang::En => self.name_en,
        }
    }

    /// Number of claims that may be selectively disclosed (incl. derived ones) — used to
    /// pad decoy digests to a constant count, so the number of real digests does not reveal
    /// which optional claims a credential carries.
    pub fn max_disclosable(&self) -> usize {
        self.claims.iter().filter(|c| c.disclosable).count()
    }

    /// Validate the issuer-supplied claims and return them with derived claims added.
    ///
    /// `issued_at` is unix seconds (UTC) of issuance; derived age predicates are computed
    /// relative to its date, and a document whose validity ended at or before it is refused.
    ///
    /// # Errors
    ///
    /// Every rule broken, so that a caller can fix them all at once: one error is returned
    /// as itself, several as [`CatalogueError::Several`] (see [`CatalogueError::errors`]), in
    /// this order: reserved, unknown or derived claim names; missing required claims and JSON
    /// type or format errors (in schema order); an out-of-range `issued_at` (reported as claim
    /// `iat`); cross-field rules; an expired document ([`CatalogueError::DocumentExpired`]).
    pub fn prepare_claims(
        &self,
        claims: &Map<String, Value>,
        issued_at: i64,
    ) -> Result<Map<String, Value>, CatalogueError> {
        let mut errors = Collected::default();
        // Name checks come first, so a misnamed claim is reported before the required claim it
        // was probably meant to be.
        for key in claims.keys() {
            if RESERVED_CLAIMS.contains(&key.as_str()) {
                errors.push(CatalogueError::ReservedClaim {
                    field: bounded(key),
                });
                continue;
            }
            match self.claims.iter().find(|c| c.name == key.as_str()) {
                None => errors.push(CatalogueError::UnknownClaim {
                    field: bounded(key),
                }),
                Some(spec) if spec.derived => errors.push(CatalogueError::DerivedClaimSupplied {
                    field: spec.name.to_owned(),
                }),
                Some(_) => {}
            }
        }

        for spec in self.claims.iter().filter(|c| !c.derived) {
            match claims.get(spec.name) {
                None if spec.required => errors.push(CatalogueError::MissingClaim {
                    field: spec.name.to_owned(),
                }),
                None => {}
                Some(value) => {
                    if let Err(e) = check_value(spec, value) {
                        errors.push(e);
                    }
                }
            }
        }

        // The UTC date lags China Standard Time by up to 8 hours, so an age predicate can
        // only become true late, never early: the safe direction for an "over" claim.
        let Ok(issuance_date) =
            OffsetDateTime::from_unix_timestamp(issued_at).map(OffsetDateTime::date)
        else {
            errors.push(CatalogueError::InvalidClaim {
                field: "iat".to_owned(),
                rule: RULE_ISSUED_AT,
            });
            // `finish` is an error now: one was just pushed.
            errors.finish()?;
            return Err(invalid("iat", RULE_ISSUED_AT));
        };

        self.check_cross_field(claims, issuance_date, &mut errors);
        // Cross-field rules only read values that passed their format check, so an expired
        // date is reported even when other claims are wrong — but not on top of another error
        // about the same date (e.g. before `valid_from`), which is the one to fix first.
        for &field in self.validity_claims {
            if self
                .claim_validity_end(claims, field)
                .is_some_and(|end| end <= issued_at)
                && !errors.names(field)
            {
                errors.push(CatalogueError::DocumentExpired { field });
            }
        }
        errors.finish()?;

        let mut out = claims.clone();
        let birth_date = date_claim(claims, "birth_date");
        for spec in self.claims.iter().filter(|c| c.derived) {
            if let (Format::AgeOver(age), Some(birth)) = (spec.format, birth_date) {
                let reached = age_on(birth, issuance_date) >= i32::from(age);
                out.insert(spec.name.to_owned(), Value::Bool(reached));
            }
        }
        Ok(out)
    }

    /// When the validity claim `field` of `claims` ends the document, as unix seconds
    /// ([`end_of_day_cst`] of its date); `None` for `长期`, an absent claim or a value that
    /// is not a date.
    fn claim_validity_end(&self, claims: &Map<String, Value>, field: &str) -> Option<i64> {
        date_claim(claims, field).map(end_of_day_cst)
    }

    /// The end of the document's own validity given its claims: the earliest end among the
    /// type's [`CredentialType::validity_claims`] present with a date, with the claim's name;
    /// `None` when none is present or all are `长期` (long-term).
    pub fn document_validity_end(
        &self,
        claims: &Map<String, Value>,
    ) -> Option<(&'static str, i64)> {
        self.validity_claims
            .iter()
            .filter_map(|field| {
                self.claim_validity_end(claims, field)
                    .map(|end| (*field, end))
            })
            .min_by_key(|(_, end)| *end)
    }

    fn check_cross_field(
        &self,
        claims: &Map<String, Value>,
        issuance_date: Date,
        errors: &mut Collected,
    ) {
        let birth_date = date_claim(claims, "birth_date");
        if birth_date.is_some_and(|b| b > issuance_date) {
            errors.push(invalid("birth_date", RULE_BIRTH_AFTER_ISSUANCE));
        }

        // Every type that carries a resident ID number also carries the holder's birth date
        // and usually sex; both are encoded in the number, and a mismatch means the issuer's
        // source record is inconsistent.
        for spec in self
            .claims
            .iter()
            .filter(|c| c.format == Format::ResidentIdNumber)
        {
            let Some(id) = claims.get(spec.name).and_then(Value::as_str) else {
                continue;
            };
            let Ok(parts) = check_resident_id(id) else {
                continue;
            };
            if birth_date.is_some_and(|b| b != parts.birth_date) {
                errors.push(invalid("birth_date", RULE_BIRTH_VS_ID));
            }
            // A sex that breaks its own format is reported by that check alone.
            if let Some(sex) = claims
                .get("sex")
                .and_then(Value::as_str)
                .filter(|s| Format::Sex.check_str(s).is_ok())
            {
                let expected = if parts.male { "男" } else { "女" };
                if sex != expected {
                    errors.push(invalid("sex", RULE_SEX_VS_ID));
                }
            }
        }

        for (earlier, later, rule) in DATE_ORDER {
            if let (Some(a), Some(b)) = (date_claim(claims, earlier), date_claim(claims, later))
                && b < a
            {
                errors.push(invalid(later, rule));
            }
        }
    }

    /// Realistic, fictitious, valid example claims (as an issuer would supply them: no
    /// derived claims) — used by the demo, tests, benchmarks and vectors.
    ///
    /// The person-centred types describe one fictitious holder, 张三, born 1990-03-15, so
    /// that demos can show several credentials of the same wallet.
    pub fn example_claims(&self) -> Map<String, Value> {
        let pairs: Vec<(&str, Value)> = match self.short_name {
            "resident-id" => vec![
                ("name", json!(EXAMPLE_NAME)),
                ("sex", json!("男")),
                ("ethnicity", json!("汉")),
                ("birth_date", json!(EXAMPLE_BIRTH_DATE)),
                ("address", json!(EXAMPLE_ADDRESS)),
                ("id_number", json!(EXAMPLE_ID_NUMBER)),
                ("valid_from", json!("2016-06-01")),
                ("valid_until", json!("2036-06-01")),
                ("photo_digest", json!(EXAMPLE_PHOTO_DIGEST)),
            ],
            "driving-licence" => vec![
                ("name", json!(EXAMPLE_NAME)),
                ("sex", json!("男")),
                ("nationality", json!("CHN")),
                ("birth_date", json!(EXAMPLE_BIRTH_DATE)),
                ("address", json!(EXAMPLE_ADDRESS)),
                ("licence_number", json!(EXAMPLE_ID_NUMBER)),
                ("licence_class", json!("C1")),
                ("first_issue_date", json!("2012-08-20")),
                ("valid_from", json!("2018-08-20")),
                ("valid_until", json!("2028-08-20")),
            ],
            "vehicle-licence" => vec![
                ("plate_number", json!("沪AD12345")),
                ("vehicle_type", json!("小型轿车")),
                ("owner", json!(EXAMPLE_NAME)),
                ("address", json!(EXAMPLE_ADDRESS)),
                ("use_character", json!("非营运")),
                ("model", json!("长风牌CF7000BEV")),
                ("vin", json!("LCFCF7004RA234567")),
                ("engine_number", json!("TZ220XS0123456")),
                ("registration_date", json!("2024-05-10")),
                ("issue_date", json!("2024-05-10")),
                ("approved_passengers", json!(5)),
                ("inspection_valid_until", json!("2030-05-31")),
            ],
            "household-register" => vec![
                ("name", json!(EXAMPLE_NAME)),
                ("relationship_to_head", json!("户主")),
                ("sex", json!("男")),
                ("ethnicity", json!("汉")),
                ("birth_date", json!(EXAMPLE_BIRTH_DATE)),
                ("birthplace", json!("上海市浦东新区")),
                ("id_number", json!(EXAMPLE_ID_NUMBER)),
                ("address", json!(EXAMPLE_ADDRESS)),
                ("household_number", json!("310115023456")),
                ("household_type", json!("家庭户")),
            ],
            "real-estate-title" => vec![
                (
                    "certificate_number",
                    json!("沪(2021)浦字不动产权第012345号"),
                ),
                ("right_holder", json!(EXAMPLE_NAME)),
                ("co_ownership", json!("单独所有")),
                ("location", json!("上海市浦东新区花木路1000弄10号1201室")),
                ("unit_number", json!("310115001002GB00123F00101201")),
                ("right_type", json!("国有建设用地使用权/房屋所有权")),
                ("right_nature", json!("出让/商品房")),
                ("usage", json!("城镇住宅用地/住宅")),
                ("floor_area", json!(89.5)),
                ("land_use_until", json!("2088-12-31")),
                ("registration_date", json!("2021-09-30")),
            ],
            "social-security-card" => vec![
                ("name", json!(EXAMPLE_NAME)),
                ("sex", json!("男")),
                ("birth_date", json!(EXAMPLE_BIRTH_DATE)),
                ("social_security_number", json!(EXAMPLE_ID_NUMBER)),
                ("card_number", json!("M31234567")),
                ("issue_date", json!("2020-11-01")),
                ("valid_until", json!("2030-11-01")),
                ("photo_digest", json!(EXAMPLE_PHOTO_DIGEST)),
            ],
            "passport" => vec![
                ("passport_number", json!("EA1234567")),
                ("name", json!(EXAMPLE_NAME)),
                ("surname_latin", json!("ZHANG")),
                ("given_names_latin", json!("SAN")),
                ("sex", json!("男")),
                ("nationality", json!("CHN")),
                ("birth_date", json!(EXAMPLE_BIRTH_DATE)),
                ("birthplace", json!("上海")),
                ("place_of_issue", json!("上海")),
                ("issue_date", json!("2019-04-10")),
                // Chinese passports expire the day before the tenth anniversary of issue.
                ("expiry_date", json!("2029-04-09")),
            ],
            "business-licence" => vec![
                ("uscc", json!("91310115MA1G5W8N76")),
                ("company_name", json!("上海示例数字科技有限公司")),
                ("entity_type", json!("有限责任公司（自然人投资或控股）")),
                ("legal_representative", json!(EXAMPLE_NAME)),
                ("registered_capital", json!("人民币100万元整")),
                ("establishment_date", json!("2019-01-08")),
                ("business_term_until", json!(LONG_TERM)),
                (
                    "address",
                    json!("中国（上海）自由贸易试验区示例路100号2幢301室"),
                ),
                (
                    "business_scope",
                    json!(
                        "一般项目：技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；软件开发；信息系统集成服务。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
                    ),
                ),
                ("registration_date", json!("2023-05-16")),
            ],
            _ => Vec::new(),
        };
        pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }
}

const EXAMPLE_NAME: &str = "张三";
const EXAMPLE_BIRTH_DATE: &str = "1990-03-15";
const EXAMPLE_ID_NUMBER: &str = "310115199003151239";
const EXAMPLE_ADDRESS: &str = "上海市浦东新区花木路1000弄10号1201室";
/// SHA-256 of the UTF-8 text `示例证件照片` ("sample ID photo"): a stand-in for a photo.
const EXAMPLE_PHOTO_DIGEST: &str =
    "74bc6e0dba3b74e6ee293b26a347c53e483c09d67affb5db6a7faea9d26f7582";

/// Markdown for docs/credential-types.md generated from the catalogue (a test elsewhere
/// compares the committed file with it).
pub fn render_markdown() -> String {
    let mut out = String::new();
    out.push_str("# Credential types\n\n");
    out.push_str(
        "<!-- Generated from wallet-core/src/credential/catalogue.rs by `render_markdown()`; do not edit by hand. -->\n\n",
    );
    out.push_str(
        "The wallet issues these SD-JWT VC credential types. Each `vct` has the form \
         `urn:cn-wallet:<short-name>:<schema-version>`; a change to the meaning or validation \
         of a claim bumps the schema version.\n\n",
    );
    out.push_str(
        "| Short name | `vct` | 名称 | Name | Claims | Max disclosable | Default validity (days) |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|\n");
    for t in all() {
        out.push_str(&format!(
            "| `{}` | `{}` | {} | {} | {} | {} | {} |\n",
            t.short_name,
            t.vct,
            t.name_zh,
            t.name_en,
            t.claims.len(),
            t.max_disclosable(),
            t.default_validity_days
        ));
    }

    for t in all() {
        out.push_str(&format!("\n## {} — {}\n\n", t.name_zh, t.name_en));
        out.push_str(&format!("- `vct`: `{}`\n", t.vct));
        out.push_str(&format!("- Short name: `{}`\n", t.short_name));
        out.push_str(&format!(
            "- Default credential validity: {} days\n",
            t.default_validity_days
        ));
        if t.validity_claims.is_empty() {
            out.push_str("- Document validity: no claim ends it (see the note below)\n");
        } else {
            let names: Vec<String> = t.validity_claims.iter().map(|c| format!("`{c}`")).collect();
            out.push_str(&format!(
                "- Document validity ends with: {} (`exp` is capped to it)\n",
                names.join(", ")
            ));
        }
        out.push_str(&format!(
            "- Revocable: {}\n",
            if t.status_required {
                "required (issue with a status registry, or opt out explicitly)"
            } else {
                "optional"
            }
        ));
        if !t.aliases.is_empty() {
            out.push_str(&format!("- Also named: {}\n", t.aliases.join(", ")));
        }
        out.push('\n');
        out.push_str(
            "| Claim | 标签 | Label | JSON type | Required | Selectively disclosable | Format |\n",
        );
        out.push_str("|---|---|---|---|---|---|---|\n");
        for c in t.claims {
            let required = if c.derived {
                "derived"
            } else if c.required {
                "yes"
            } else {
                "no"
            };
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} | {} | {} |\n",
                c.name,
                c.label_zh,
                c.label_en,
                c.json_type.as_str(),
                required,
                if c.disclosable { "yes" } else { "no" },
                c.format.name()
            ));
        }
        let rules = t.cross_field_rules();
        if !rules.is_empty() {
            out.push_str("\nCross-field rules:\n\n");
            for (field, rule) in rules {
                out.push_str(&format!("- `{field}`: {rule}\n"));
            }
        }
    }

    out.push_str("\n## Document validity\n\n");
    out.push_str(
        "A claim that ends the document's validity (its printed expiry date) is a date; the \
         document is valid until the end of that day in China Standard Time (24:00 UTC+8, i.e. \
         16:00 UTC of that date). `长期` (long-term) means the document does not expire. At \
         issuance, `exp` is capped to the earliest such end (or, in strict mode, a later `exp` is \
         refused), and a document already expired is refused with `catalogue.document_expired` \
         naming the claim. A verifier that sees such a claim disclosed and passed refuses the \
         credential with `vc.document_expired`. A vehicle licence ends with its inspection date \
         (a vehicle past it may not be driven on the road); a real-estate title's land-use term \
         renews automatically for homes and does not end the title; a household register has no \
         end date.\n",
    );

    out.push_str("\n## Formats\n\n");
    out.push_str(
        "Every string claim must be 1 to 256 characters (2000 for long text), not blank, and free \
         of control, line-separator and bidirectional-formatting characters; any other Unicode, \
         emoji included, is accepted. Dates are checked against the Gregorian calendar.\n\n",
    );
    out.push_str("| Format | Rule |\n|---|---|\n");
    let mut seen: Vec<&str> = Vec::new();
    for c in all().iter().flat_map(|t| t.claims.iter()) {
        let name = c.format.name();
        if !seen.contains(&name) {
            seen.push(name);
            out.push_str(&format!("| {} | {} |\n", name, c.format.rule()));
        }
    }

    out.push_str("\n## Reserved claim names\n\n");
    out.push_str(
        "These names belong to the JWT / SD-JWT VC envelope and are rejected as credential claims: ",
    );
    let reserved: Vec<String> = RESERVED_CLAIMS.iter().map(|r| format!("`{r}`")).collect();
    out.push_str(&reserved.join(", "));
    out.push_str(".\n");
    out
}

impl CredentialType {
    /// The cross-field rules that apply to this type, as `(field, rule)`, for documentation.
    fn cross_field_rules(&self) -> Vec<(&'static str, &'static str)> {
        let has = |name: &str| self.claims.iter().any(|c| c.name == name);
        let mut rules = Vec::new();
        if has("birth_date") {
            rules.push(("birth_date", RULE_BIRTH_AFTER_ISSUANCE));
        }
        if self
            .claims
            .iter()
            .any(|c| c.format == Format::ResidentIdNumber)
        {
            if has("birth_date") {
                rules.push((
                    "birth_date",
                    "must equal the birth date encoded in the resident ID number (digits 7 to 14)",
                ));
            }
            if has("sex") {
                rules.push(("sex", DOC_SEX_VS_ID));
            }
        }
        for (earlier, later, rule) in DATE_ORDER {
            if has(earlier) && has(later) {
                rules.push((later, rule));
            }
        }
        for c in self.claims.iter().filter(|c| c.derived) {
            rules.push((
                c.name,
                "computed by the issuer from birth_date; must not be supplied",
            ));
        }
        rules
    }
}

// ---------------------------------------------------------------------------------------
// Validation helpers
// ---------------------------------------------------------------------------------------

fn invalid(field: &str, rule: &'static str) -> CatalogueError {
    CatalogueError::InvalidClaim {
        field: field.to_owned(),
        rule,
    }
}

/// Untrusted names end up in error messages and logs; cap them so a hostile caller cannot
/// make a single error arbitrarily large.
fn bounded(s: &str) -> String {
    const MAX: usize = 64;
    let mut chars = s.chars();
    let mut out: String = chars.by_ref().take(MAX).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

fn check_value(spec: &ClaimSpec, value: &Value) -> Result<(), CatalogueError> {
    let wrong_type = || CatalogueError::WrongType {
        field: spec.name.to_owned(),
        expected: spec.json_type.as_str(),
    };
    match spec.json_type {
        JsonType::String => {
            let s = value.as_str().ok_or_else(wrong_type)?;
            spec.format
                .check_str(s)
                .map_err(|rule| invalid(spec.name, rule))
        }
        JsonType::Boolean => value.as_bool().map(|_| ()).ok_or_else(wrong_type),
        JsonType::Number | JsonType::Integer => {
            let is_integer = value.is_i64() || value.is_u64();
            let ok = match spec.json_type {
                JsonType::Integer => is_integer,
                _ => value.is_number(),
            };
            if !ok {
                return Err(wrong_type());
            }
            if spec.format == Format::PositiveNumber {
                // serde_json numbers are always finite, but say so rather than rely on it.
                let positive = value.as_f64().is_some_and(|n| n.is_finite() && n > 0.0);
                if !positive {
                    return Err(invalid(spec.name, "must be a positive, finite number"));
                }
            }
            Ok(())
        }
    }
}

/// The rules every string claim obeys. Control characters could forge log lines or break
/// renderers; bidirectional overrides can make a name display as something else. Zero-width
/// joiners stay allowed because emoji sequences need them.
fn check_text(s: &str, max_chars: usize) -> Result<(), &'static str> {
    if s.trim().is_empty() {
        return Err("must not be empty or blank");
    }
    if s.chars().nth(max_chars).is_some() {
        return Err(if max_chars == MAX_LONG_TEXT_CHARS {
            "must be at most 2000 characters"
        } else {
            "must be at most 256 characters"
        });
    }
    let forbidden = |c: char| {
        c.is_control()
            || matches!(
                c,
                '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
                    | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
            )
    };
    if s.chars().any(forbidden) {
        return Err(
            "must not contain control, line-separator or bidirectional-formatting characters",
        );
    }
    Ok(())
}

/// Parses `YYYY-MM-DD` strictly: exactly ten ASCII characters, no sign, year 0001-9999.
fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    ymd(s.get(0..4)?, s.get(5..7)?, s.get(8..10)?)
}

/// Builds a date from digit-only year, month and day fields; `None` if it does not exist.
fn ymd(year: &str, month: &str, day: &str) -> Option<Date> {
    let digits = |f: &str| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit());
    if !(digits(year) && digits(month) && digits(day)) {
        return None;
    }
    let year: i32 = year.parse().ok()?;
    let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
    let day: u8 = day.parse().ok()?;
    if year < 1 {
        return None;
    }
    Date::from_calendar_date(year, month, day).ok()
}

fn date_claim(claims: &Map<String, Value>, name: &str) -> Option<Date> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .and_then(parse_date)
}

/// Completed years between `birth` and `on`. On the birthday itself the age has been
/// reached. Someone born on 29 February becomes a year older on 1 March in non-leap years,
/// because (3, 1) is the first (month, day) not before (2, 29). (PRC criminal law counts
/// ages from the day after the birthday; that convention is not the one age checks use.)
fn age_on(birth: Date, on: Date) -> i32 {
    let years = on.year().saturating_sub(birth.year());
    let before_birthday = (u8::from(on.month()), on.day()) < (u8::from(birth.month()), birth.day());
    if before_birthday {
        years.saturating_sub(1)
    } else {
        years
    }
}

fn digit(b: u8) -> Option<u32> {
    char::from(b).to_digit(10)
}

/// What a valid resident ID number encodes, for cross-field checks.
struct ResidentId {
    birth_date: Date,
    male: bool,
}

/// GB 11643 citizen identity number: 6-digit region, 8-digit birth date, 3-digit sequence
/// (odd for men, even for women), ISO 7064 MOD 11-2 check character.
fn check_resident_id(s: &str) -> Result<ResidentId, &'static str> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let b = s.as_bytes();
    if b.len() != 18 {
        return Err("must be 18 characters: 17 digits and a check character (GB 11643)");
    }
    let (body, check) = b.split_at(17);
    let check = check.first().copied();
    if !body.iter().all(u8::is_ascii_digit)
        || !check.is_some_and(|c| c.is_ascii_digit() || c == b'X')
    {
        return Err("must be 17 digits followed by a digit or X as check character (GB 11643)");
    }
    let birth_date = ymd(
        s.get(6..10).unwrap_or_default(),
        s.get(10..12).unwrap_or_default(),
        s.get(12..14).unwrap_or_default(),
    )
    .ok_or("digits 7 to 14 must be a real calendar date YYYYMMDD (GB 11643)")?;
    // Each term is at most 9 * 10, so the sum of 17 terms cannot overflow.
    let sum = body
        .iter()
        .zip(WEIGHTS)
        .filter_map(|(&d, w)| digit(d).map(|d| d.wrapping_mul(w)))
        .fold(0u32, u32::wrapping_add);
    let expected = usize::try_from(sum % 11)
        .ok()
        .and_then(|i| CHECK.get(i))
        .copied();
    if expected != check {
        return Err("check digit does not match (GB 11643 / ISO 7064 MOD 11-2)");
    }
    let sequence_last = body.get(16).copied().and_then(digit).unwrap_or(0);
    Ok(ResidentId {
        birth_date,
        male: sequence_last % 2 == 1,
    })
}

/// Driving licence classes of GB/T / the 2022 Ministry of Public Security regulation.
const DRIVING_CLASSES: &[&str] = &[
    "A1", "A2", "A3", "B1", "B2", "C1", "C2", "C3", "C4", "C5", "C6", "D", "E", "F", "M", "N", "P",
];

const RULE_CLASS_CODES: &str =
    "must be a concatenation of class codes A1 A2 A3 B1 B2 C1 C2 C3 C4 C5 C6 D E F M N P";

fn check_driving_classes(s: &str) -> Result<(), &'static str> {
    // A, B and C codes always carry a digit and the single-letter codes never do, so a
    // longest-match scan is unambiguous.
    let mut rest = s;
    let mut seen: Vec<&str> = Vec::new();
    while !rest.is_empty() {
        let code = DRIVING_CLASSES
            .iter()
            .filter(|c| rest.starts_with(**c))
            .max_by_key(|c| c.len())
            .ok_or(RULE_CLASS_CODES)?;
        if seen.contains(code) {
            return Err("must not repeat a class code");
        }
        seen.push(code);
        rest = rest.get(code.len()..).unwrap_or_default();
    }
    Ok(())
}

/// Abbreviations of the 31 mainland provincial-level divisions used on plates.
const PROVINCES: &[char] = &[
    '京', '津', '沪', '渝', '冀', '豫', '云', '辽', '黑', '湘', '皖', '鲁', '新', '苏', '浙', '赣',
    '鄂', '桂', '甘', '晋', '蒙', '陕', '吉', '闽', '贵', '粤', '青', '藏', '川', '宁', '琼',
];

fn is_plate_char(c: char) -> bool {
    // I and O are never used because they are confused with 1 and 0.
    c.is_ascii_digit() || (c.is_ascii_uppercase() && c != 'I' && c != 'O')
}

fn check_plate(s: &str) -> Result<(), &'static str> {
    let mut chars = s.chars();
    if !chars.next().is_some_and(|c| PROVINCES.contains(&c)) {
        return Err("must start with the abbreviation of one of the 31 mainland provinces");
    }
    if !chars
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() && c != 'I' && c != 'O')
    {
        return Err("second character must be an office letter A-Z except I and O");
    }
    let rest: Vec<char> = chars.collect();
    if !(rest.len() == 5 || rest.len() == 6) || !rest.iter().all(|&c| is_plate_char(c)) {
        return Err(
            "must end with 5 (ordinary) or 6 (new-energy) digits or letters A-Z except I and O",
        );
    }
    Ok(())
}

/// ISO 3779 transliteration of a VIN character (digits keep their value).
fn vin_value(c: u8) -> Option<u32> {
    let v = match c {
        b'0'..=b'9' => return digit(c),
        b'A' | b'J' => 1,
        b'B' | b'K' | b'S' => 2,
        b'C' | b'L' | b'T' => 3,
        b'D' | b'M' | b'U' => 4,
        b'E' | b'N' | b'V' => 5,
        b'F' | b'W' => 6,
        b'G' | b'P' | b'X' => 7,
        b'H' | b'Y' => 8,
        b'R' | b'Z' => 9,
        _ => return None,
    };
    Some(v)
}

fn check_vin(s: &str) -> Result<(), &'static str> {
    const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let b = s.as_bytes();
    if b.len() != 17 {
        return Err("must be 17 characters (ISO 3779)");
    }
    let values: Option<Vec<u32>> = b.iter().map(|&c| vin_value(c)).collect();
    let Some(values) = values else {
        return Err("must contain only digits and letters A-Z except I, O and Q (ISO 3779)");
    };
    // Weights are at most 10 and values at most 9: no overflow.
    let sum = values
        .iter()
        .zip(WEIGHTS)
        .map(|(v, w)| v.wrapping_mul(w))
        .fold(0u32, u32::wrapping_add);
    let expected = match sum % 11 {
        10 => b'X',
        r => u8::try_from(r).map_or(b'?', |r| b'0'.wrapping_add(r)),
    };
    if b.get(8) != Some(&expected) {
        return Err("9th character does not match the check digit (ISO 3779 / GB 16735)");
    }
    Ok(())
}

/// The 31 characters of GB 32100-2015; a character's value is its position.
const USCC_CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

fn check_uscc(s: &str) -> Result<(), &'static str> {
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let b = s.as_bytes();
    if b.len() != 18 {
        return Err("must be 18 characters (GB 32100-2015)");
    }
    let values: Option<Vec<u32>> = b
        .iter()
        .map(|c| {
            USCC_CHARSET
                .iter()
                .position(|x| x == c)
                .and_then(|p| u32::try_from(p).ok())
        })
        .collect();
    let Some(values) = values else {
        return Err(
            "must contain only digits and letters A-Y except I, O, S, V and Z (GB 32100-2015)",
        );
    };
    // Values are below 31 and weights below 31: 17 terms stay far from overflow.
    let sum = values
        .iter()
        .zip(WEIGHTS)
        .map(|(v, w)| v.wrapping_mul(w))
        .fold(0u32, u32::wrapping_add);
    let check = 31u32.wrapping_sub(sum % 31) % 31;
    if values.get(17) != Some(&check) {
        return Err("check character does not match (GB 32100-2015, MOD 31)");
    }
    Ok(())
}

fn check_passport(s: &str) -> Result<(), &'static str> {
    let b = s.as_bytes();
    let all_digits = |r: &[u8]| r.iter().all(u8::is_ascii_digit);
    let ok = b.len() == 9
        && match b.split_first() {
            Some((b'E', rest)) => match rest.split_first() {
                Some((c, digits)) if c.is_ascii_uppercase() && *c != b'I' && *c != b'O' => {
                    all_digits(digits)
                }
                _ => all_digits(rest),
            },
            Some((b'G', rest)) => all_digits(rest),
            _ => false,
        };
    if ok {
        Ok(())
    } else {
        Err("must be E + 8 digits, E + a letter (not I or O) + 7 digits, or G + 8 digits")
    }
}

fn check_real_estate_unit(s: &str) -> Result<(), &'static str> {
    let b = s.as_bytes();
    let ok = b.len() == 28
        && b.iter().enumerate().all(|(i, c)| match i {
            12 | 13 => c.is_ascii_uppercase(),
            19 => matches!(c, b'F' | b'L' | b'Q' | b'W'),
            _ => c.is_ascii_digit(),
        });
    if ok {
        Ok(())
    } else {
        Err(
            "must be 12 digits, 2 uppercase letters, 5 digits, one of F L Q W and 8 digits (GB/T 37346-2019)",
        )
    }
}

/// The 56 ethnic groups of GB/T 3304 (codes 01-56), as printed on identity documents.
const ETHNIC_GROUPS: &[&str] = &[
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
];

fn check_ethnicity(s: &str) -> Result<(), &'static str> {
    // GB/T 3304 codes 97 and 98 cover people outside the 56 groups.
    if matches!(s, "其他" | "外国血统中国籍人士") {
        return Ok(());
    }
    let base = s.strip_suffix('族').unwrap_or(s);
    if ETHNIC_GROUPS.contains(&base) {
        Ok(())
    } else {
        Err("must be one of the 56 ethnic groups of GB/T 3304, 其他 or 外国血统中国籍人士")
    }
}

/// Officially assigned ISO 3166-1 alpha-3 codes.
const ISO_3166_ALPHA3: &[&str] = &[
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF",
    "ATG", "AUS", "AUT", "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS",
    "BIH", "BLM", "BLR", "BLZ", "BMU", "BOL", "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF",
    "CAN", "CCK", "CHE", "CHL", "CHN", "CIV", "CMR", "COD", "COG", "COK", "COL", "COM", "CPV",
    "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", "DEU", "DJI", "DMA", "DNK", "DOM", "DZA",
    "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "FIN", "FJI", "FLK", "FRA", "FRO", "FSM",
    "GAB", "GBR", "GEO", "GGY", "GHA", "GIB", "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD",
    "GRL", "GTM", "GUF", "GUM", "GUY", "HKG", "HMD", "HND", "HRV", "HTI", "HUN", "IDN", "IMN",
    "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR", "ITA", "JAM", "JEY", "JOR", "JPN", "KAZ",
    "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT", "LAO", "LBN", "LBR", "LBY", "LCA", "LIE",
    "LKA", "LSO", "LTU", "LUX", "LVA", "MAC", "MAF", "MAR", "MCO", "MDA", "MDG", "MDV", "MEX",
    "MHL", "MKD", "MLI", "MLT", "MMR", "MNE", "MNG", "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS",
    "MWI", "MYS", "MYT", "NAM", "NCL", "NER", "NFK", "NGA", "NIC", "NIU", "NLD", "NOR", "NPL",
    "NRU", "NZL", "OMN", "PAK", "PAN", "PCN", "PER", "PHL", "PLW", "PNG", "POL", "PRI", "PRK",
    "PRT", "PRY", "PSE", "PYF", "QAT", "REU", "ROU", "RUS", "RWA", "SAU", "SDN", "SEN", "SGP",
    "SGS", "SHN", "SJM", "SLB", "SLE", "SLV", "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR",
    "SVK", "SVN", "SWE", "SWZ", "SXM", "SYC", "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL",
    "TKM", "TLS", "TON", "TTO", "TUN", "TUR", "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "URY",
    "USA", "UZB", "VAT", "VCT", "VEN", "VGB", "VIR", "VNM", "VUT", "WLF", "WSM", "YEM", "ZAF",
    "ZMB", "ZWE",
];

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::cast_possible_truncation
    )]

    use super::*;

    /// 2026-11-22T00:00:00Z.
    const NOW: i64 = 1_795_305_600;

    fn ts(y: i32, m: u8, d: u8) -> i64 {
        Date::from_calendar_date(y, Month::try_from(m).unwrap(), d)
            .unwrap()
            .midnight()
            .assume_utc()
            .unix_timestamp()
    }

    fn ty(name: &str) -> &'static CredentialType {
        by_name(name).unwrap()
    }

    /// Independent MOD 11-2 computation, written differently from the production code.
    fn id_check_char(body17: &str) -> char {
        let mut sum = 0u32;
        for (i, c) in body17.chars().enumerate() {
            // Weight of position i (counting from the left, 18 positions) is 2^(17-i) mod 11.
            let w = (1u32 << (17 - i)) % 11;
            sum += c.to_digit(10).unwrap() * w;
        }
        let r = (12 - (sum % 11)) % 11;
        if r == 10 {
            'X'
        } else {
            char::from_digit(r, 10).unwrap()
        }
    }

    fn make_id(region: &str, birth_yyyymmdd: &str, seq: &str) -> String {
        let body = format!("{region}{birth_yyyymmdd}{seq}");
        format!("{body}{}", id_check_char(&body))
    }

    fn with(t: &CredentialType, changes: &[(&str, Value)]) -> Map<String, Value> {
        let mut m = t.example_claims();
        for (k, v) in changes {
            m.insert((*k).to_owned(), v.clone());
        }
        m
    }

    fn without(t: &CredentialType, key: &str) -> Map<String, Value> {
        let mut m = t.example_claims();
        m.remove(key);
        m
    }

    fn err_of(t: &CredentialType, claims: &Map<String, Value>) -> CatalogueError {
        t.prepare_claims(claims, NOW).unwrap_err()
    }

    fn assert_invalid(t: &CredentialType, field: &str, value: Value, rule_part: &str) {
        let bad = value.as_str().map(str::to_owned);
        let e = err_of(t, &with(t, &[(field, value)]));
        match &e {
            CatalogueError::InvalidClaim { field: f, rule } => {
                assert_eq!(f, field, "{e}");
                assert!(
                    rule.contains(rule_part),
                    "rule {rule:?} lacks {rule_part:?}"
                );
            }
            other => panic!("expected InvalidClaim for {field}, got {other:?}"),
        }
        assert_eq!(e.code(), "catalogue.invalid_claim");
        let msg = e.to_string();
        assert!(msg.contains(&format!("\"{field}\"")), "{msg}");
        if let Some(bad) = bad.filter(|b| !b.trim().is_empty()) {
            assert!(!msg.contains(&bad), "message leaks the value: {msg}");
        }
    }

    // --- check-digit algorithms ------------------------------------------------------

    #[test]
    fn gb11643_reference_example_is_valid() {
        assert!(check_resident_id("11010519491231002X").is_ok());
        assert_eq!(id_check_char("11010519491231002"), 'X');
        let parts = check_resident_id("11010519491231002X").ok().unwrap();
        assert_eq!(
            parts.birth_date,
            Date::from_calendar_date(1949, Month::December, 31).unwrap()
        );
        assert!(!parts.male, "sequence 002 is even: female");
    }

    #[test]
    fn resident_id_rejections() {
        let cases = [
            ("11010519491231002x", "digit or X"),
            ("110105194912310021", "check digit does not match"),
            ("11010519491231002", "18 characters"),
            ("1101051949123100200", "18 characters"),
            ("11010519490230002X", "real calendar date"),
            ("1101A519491231002X", "17 digits"),
            ("张张张张张张", "17 digits"), // 18 bytes, 6 chars
        ];
        for (id, rule) in cases {
            let e = check_resident_id(id).err().unwrap();
            assert!(e.contains(rule), "{id}: {e}");
        }
    }

    #[test]
    fn resident_id_error_display_names_field_and_rule_not_value() {
        let t = ty("resident-id");
        let bad = "310115199003151230";
        let e = err_of(t, &with(t, &[("id_number", json!(bad))]));
        assert_eq!(
            e.to_string(),
            "claim \"id_number\" is invalid: check digit does not match (GB 11643 / ISO 7064 MOD 11-2)"
        );
        assert!(!e.to_string().contains(bad));
    }

    #[test]
    fn example_check_digits_are_correct() {
        assert_eq!(
            EXAMPLE_ID_NUMBER.chars().last().unwrap(),
            id_check_char(&EXAMPLE_ID_NUMBER[..17])
        );
        assert_eq!(
            &EXAMPLE_ID_NUMBER[6..14],
            EXAMPLE_BIRTH_DATE.replace('-', "")
        );

        // VIN, recomputed with an explicit transliteration table.
        let vin = ty("vehicle-licence").example_claims()["vin"]
            .as_str()
            .unwrap()
            .to_owned();
        // Letters laid out in rows of nine (with a gap before S) give value = index mod 9 + 1.
        let table = "ABCDEFGHIJKLMNOPQR_STUVWXYZ";
        let value = |c: char| -> u32 {
            match c.to_digit(10) {
                Some(d) => d,
                None => table.find(c).unwrap() as u32 % 9 + 1,
            }
        };
        let weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
        let sum: u32 = vin.chars().zip(weights).map(|(c, w)| value(c) * w).sum();
        let expected = if sum % 11 == 10 {
            'X'
        } else {
            char::from_digit(sum % 11, 10).unwrap()
        };
        assert_eq!(vin.chars().nth(8).unwrap(), expected);

        // USCC.
        let uscc = ty("business-licence").example_claims()["uscc"]
            .as_str()
            .unwrap()
            .to_owned();
        let cs = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        let mut sum = 0u32;
        for (i, c) in uscc.chars().take(17).enumerate() {
            let w = 3u32.pow(i as u32) % 31;
            sum += cs.find(c).unwrap() as u32 * w;
        }
        let check = cs.chars().nth(((31 - sum % 31) % 31) as usize).unwrap();
        assert_eq!(uscc.chars().last().unwrap(), check);
    }

    #[test]
    fn vin_check_digit() {
        assert!(
            check_vin("1M8GDM9AXKP042788").is_ok(),
            "classic ISO 3779 example"
        );
        assert!(check_vin("11111111111111111").is_ok());
        assert!(check_vin("LCFCF7004RA234567").is_ok());
        assert!(
            check_vin("1M8GDM9A1KP042788")
                .unwrap_err()
                .contains("check digit")
        );
        assert!(
            check_vin("1M8GDM9AXKP04278")
                .unwrap_err()
                .contains("17 characters")
        );
        assert!(
            check_vin("1M8GDM9AXKP04278O")
                .unwrap_err()
                .contains("except I, O and Q")
        );
        assert!(
            check_vin("1M8GDM9AXKP04278q")
                .unwrap_err()
                .contains("except I, O and Q")
        );
    }

    #[test]
    fn uscc_check_character() {
        assert!(check_uscc("91350100M000100Y43").is_ok());
        assert!(check_uscc("91310115MA1G5W8N76").is_ok());
        assert!(
            check_uscc("91350100M000100Y44")
                .unwrap_err()
                .contains("check character")
        );
        assert!(
            check_uscc("91350100M000100I43")
                .unwrap_err()
                .contains("except I, O, S")
        );
        assert!(
            check_uscc("91350100m000100Y43")
                .unwrap_err()
                .contains("except I, O, S")
        );
        assert!(
            check_uscc("91350100M000100Y4")
                .unwrap_err()
                .contains("18 characters")
        );
    }

    #[test]
    fn driving_classes() {
        for ok in ["C1", "A2D", "B2E", "A1A2", "C1DEF", "M", "P", "C6", "A3"] {
            assert!(check_driving_classes(ok).is_ok(), "{ok}");
        }
        for (bad, rule) in [
            ("C1C1", "repeat"),
            ("DD", "repeat"),
            ("C", "concatenation"),
            ("c1", "concatenation"),
            ("C7", "concatenation"),
            ("G", "concatenation"),
            ("C1 D", "concatenation"),
            ("C1,D", "concatenation"),
        ] {
            assert!(
                check_driving_classes(bad).unwrap_err().contains(rule),
                "{bad}"
            );
        }
        let t = ty("driving-licence");
        assert_invalid(t, "licence_class", json!("C1C1"), "repeat");
        assert_invalid(t, "licence_class", json!(""), "empty");
    }

    #[test]
    fn plate_numbers() {
        for ok in ["沪AD12345", "京A12345", "粤B8C9D2", "琼EF12345", "藏A00000"] {
            assert!(check_plate(ok).is_ok(), "{ok}");
        }
        for (bad, rule) in [
            ("港A12345", "31 mainland provinces"),
            ("A12345", "31 mainland provinces"),
            ("京I12345", "office letter"),
            ("京a12345", "office letter"),
            ("京A1234", "5 (ordinary) or 6"),
            ("京A1234567", "5 (ordinary) or 6"),
            ("京A12O45", "5 (ordinary) or 6"),
            ("京A1234学", "5 (ordinary) or 6"),
        ] {
            assert!(check_plate(bad).unwrap_err().contains(rule), "{bad}");
        }
        assert_invalid(
            ty("vehicle-licence"),
            "plate_number",
            json!("京A12O45"),
            "except I and O",
        );
    }

    #[test]
    fn passport_numbers() {
        for ok in ["E12345678", "EA1234567", "EZ0000000", "G12345678"] {
            assert!(check_passport(ok).is_ok(), "{ok}");
        }
        for bad in [
            "EI1234567",
            "EO1234567",
            "E1234567",
            "E123456789",
            "G1234567A",
            "D12345678",
            "ea1234567",
            "GA1234567",
            "EAB123456",
        ] {
            assert!(check_passport(bad).is_err(), "{bad}");
        }
        assert_invalid(
            ty("passport"),
            "passport_number",
            json!("EI1234567"),
            "not I or O",
        );
    }

    #[test]
    fn real_estate_unit_numbers() {
        assert!(check_real_estate_unit("310115001002GB00123F00101201").is_ok());
        assert!(check_real_estate_unit("310115001002JC00007W00000000").is_ok());
        for bad in [
            "310115001002GB00123X00101201",
            "310115001002gb00123F00101201",
            "310115001002GB00123F0010120",
            "3101150010021B00123F00101201",
        ] {
            assert!(check_real_estate_unit(bad).is_err(), "{bad}");
        }
        assert_invalid(
            ty("real-estate-title"),
            "unit_number",
            json!("31011500100"),
            "GB/T 37346",
        );
    }

    #[test]
    fn country_codes_and_lists() {
        assert_eq!(ISO_3166_ALPHA3.len(), 249);
        assert!(
            ISO_3166_ALPHA3.windows(2).all(|w| w[0] < w[1]),
            "sorted and unique"
        );
        assert!(
            ISO_3166_ALPHA3
                .iter()
                .all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
        );
        assert_eq!(ETHNIC_GROUPS.len(), 56);
        let mut e = ETHNIC_GROUPS.to_vec();
        e.sort_unstable();
        e.dedup();
        assert_eq!(e.len(), 56);
        assert_eq!(PROVINCES.len(), 31);
        let mut p = PROVINCES.to_vec();
        p.sort_unstable();
        p.dedup();
        assert_eq!(p.len(), 31);
        assert_eq!(DRIVING_CLASSES.len(), 17);

        let t = ty("driving-licence");
        for ok in ["CHN", "USA", "DEU"] {
            assert!(
                t.prepare_claims(&with(t, &[("nationality", json!(ok))]), NOW)
                    .is_ok()
            );
        }
        for bad in ["chn", "XXX", "CN", "CHNA"] {
            assert_invalid(t, "nationality", json!(bad), "ISO 3166-1 alpha-3");
        }
    }

    #[test]
    fn ethnicity_forms() {
        let t = ty("resident-id");
        for ok in [
            "汉",
            "汉族",
            "蒙古族",
            "维吾尔",
            "其他",
            "外国血统中国籍人士",
        ] {
            assert!(
                t.prepare_claims(&with(t, &[("ethnicity", json!(ok))]), NOW)
                    .is_ok(),
                "{ok}"
            );
        }
        for bad in ["汉族族", "火星", "Han", "其他族"] {
            assert_invalid(t, "ethnicity", json!(bad), "GB/T 3304");
        }
    }

    #[test]
    fn dates_are_real_calendar_dates() {
        assert!(parse_date("2024-02-29").is_some());
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-04-31",
            "2024-1-01",
            "+024-01-01",
            "0000-01-01",
            "2024/01/01",
            "20240101",
            "2024-01-01T00",
            " 2024-01-1",
            "２０２４-01-01",
        ] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
        let t = ty("resident-id");
        assert_invalid(t, "valid_from", json!("2023-02-29"), "calendar date");
        assert_invalid(t, "valid_until", json!("2036-02-30"), "长期");
        let long_term = with(t, &[("valid_until", json!("长期"))]);
        assert!(t.prepare_claims(&long_term, NOW).is_ok());
    }

    #[test]
    fn other_formats() {
        let t = ty("resident-id");
        assert_invalid(t, "sex", json!("M"), "男 or 女");
        assert_invalid(
            t,
            "photo_digest",
            json!(EXAMPLE_PHOTO_DIGEST.to_uppercase()),
            "lowercase",
        );
        assert_invalid(t, "photo_digest", json!("abc"), "64");
        let p = ty("passport");
        assert_invalid(p, "surname_latin", json!("Zhang"), "uppercase");
        assert_invalid(p, "given_names_latin", json!("XIAO  MING"), "single spaces");
        assert!(
            p.prepare_claims(&with(p, &[("given_names_latin", json!("XIAO MING"))]), NOW)
                .is_ok()
        );
        let h = ty("household-register");
        assert_invalid(h, "household_type", json!("个人户"), "家庭户");
        assert_invalid(h, "household_number", json!("31-0115"), "digits 0-9");
    }

    #[test]
    fn numbers_positive_and_typed() {
        let r = ty("real-estate-title");
        assert_invalid(r, "floor_area", json!(0), "positive");
        assert_invalid(r, "floor_area", json!(-1.5), "positive");
        assert!(
            r.prepare_claims(&with(r, &[("floor_area", json!(120))]), NOW)
                .is_ok()
        );
        let v = ty("vehicle-licence");
        assert_invalid(v, "approved_passengers", json!(0), "positive");
        let e = err_of(v, &with(v, &[("approved_passengers", json!(5.5))]));
        assert_eq!(
            e,
            CatalogueError::WrongType {
                field: "approved_passengers".into(),
                expected: "integer"
            }
        );
        assert!(
            v.prepare_claims(&without(v, "approved_passengers"), NOW)
                .is_ok()
        );
    }

    // --- examples and the catalogue itself --------------------------------------------

    #[test]
    fn every_example_validates_without_derived_claims() {
        for t in all() {
            let ex = t.example_claims();
            assert!(!ex.is_empty(), "{}", t.short_name);
            for (k, _) in &ex {
                let spec = t
                    .claim(k)
                    .unwrap_or_else(|| panic!("{} has no {k}", t.short_name));
                assert!(
                    !spec.derived,
                    "{}: example supplies derived {k}",
                    t.short_name
                );
            }
            // Every defined non-derived claim is exemplified, so the examples exercise it.
            for c in t.claims.iter().filter(|c| !c.derived) {
                assert!(
                    ex.contains_key(c.name),
                    "{}: example lacks {}",
                    t.short_name,
                    c.name
                );
            }
            let out = t
                .prepare_claims(&ex, NOW)
                .unwrap_or_else(|e| panic!("{}: {e}", t.short_name));
            for c in t.claims {
                assert!(
                    out.contains_key(c.name),
                    "{}: output lacks {}",
                    t.short_name,
                    c.name
                );
            }
            // Also valid through the vct.
            assert_eq!(by_name(t.vct).unwrap().short_name, t.short_name);
        }
    }

    #[test]
    fn example_person_is_shared() {
        let id = ty("resident-id").example_claims();
        let dl = ty("driving-licence").example_claims();
        assert_eq!(id["id_number"], dl["licence_number"]);
        assert_eq!(id["birth_date"], dl["birth_date"]);
        assert_eq!(id["name"], dl["name"]);
        assert_eq!(id["birth_date"], json!("1990-03-15"));
        let out = ty("resident-id").prepare_claims(&id, NOW).unwrap();
        assert_eq!(out["age_over_18"], json!(true));
        assert_eq!(out["age_over_60"], json!(false));
    }

    #[test]
    fn catalogue_shape() {
        assert_eq!(all().len(), 8);
        let names: Vec<&str> = all().iter().map(|t| t.short_name).collect();
        assert_eq!(
            names,
            [
                "resident-id",
                "driving-licence",
                "vehicle-licence",
                "household-register",
                "real-estate-title",
                "social-security-card",
                "passport",
                "business-licence"
            ]
        );
        for t in all() {
            assert_eq!(t.vct, format!("urn:cn-wallet:{}:1", t.short_name));
            assert!(
                !t.claims.is_empty() && t.claims.len() <= 12,
                "{}",
                t.short_name
            );
            assert!(t.default_validity_days > 0 && t.default_validity_days <= 366);
            let mut seen = Vec::new();
            for c in t.claims {
                assert!(
                    !seen.contains(&c.name),
                    "{}: duplicate {}",
                    t.short_name,
                    c.name
                );
                seen.push(c.name);
                assert!(
                    c.name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                        && c.name.as_bytes()[0].is_ascii_lowercase(),
                    "{} is not snake_case",
                    c.name
                );
                assert!(!RESERVED_CLAIMS.contains(&c.name));
                assert!(c.format.applies_to(c.json_type), "{}", c.name);
                assert!(!c.label_zh.is_empty() && !c.label_en.is_empty());
                if c.derived {
                    assert!(!c.required && c.disclosable, "{}", c.name);
                    assert!(matches!(c.format, Format::AgeOver(_)));
                    let birth = t.claim("birth_date").unwrap();
                    assert!(birth.required && birth.format == Format::Date);
                }
            }
            // Nearly everything is selectively disclosable.
            assert!(
                t.claims.len() - t.max_disclosable() <= 2,
                "{}",
                t.short_name
            );
        }
        let dl = ty("driving-licence");
        assert_eq!(dl.claims.len(), 10);
        assert!(dl.claims.iter().all(|c| c.disclosable && !c.derived));
        assert_eq!(dl.max_disclosable(), 10);
        assert_eq!(
            dl.claims.iter().map(|c| c.name).collect::<Vec<_>>(),
            [
                "name",
                "sex",
                "nationality",
                "birth_date",
                "address",
                "licence_number",
                "licence_class",
                "first_issue_date",
                "valid_from",
                "valid_until"
            ]
        );
        assert_eq!(ty("resident-id").max_disclosable(), 11);
        assert_eq!(ty("business-licence").max_disclosable(), 8);
    }

    #[test]
    fn lookups_and_labels() {
        let e = by_name("urn:cn-wallet:resident-id:2").unwrap_err();
        assert_eq!(e.code(), "catalogue.unknown_type");
        assert!(by_name("Resident-ID").is_err());
        assert!(by_name("").is_err());
        let long = "x".repeat(10_000);
        let msg = by_name(&long).unwrap_err().to_string();
        assert!(msg.len() < 200, "bounded: {}", msg.len());

        assert_eq!(
            label_for("urn:cn-wallet:resident-id:1", "id_number", Lang::Zh),
            Some("公民身份号码")
        );
        assert_eq!(
            label_for("urn:cn-wallet:resident-id:1", "id_number", Lang::En),
            Some("Citizen identity number")
        );
        assert_eq!(
            label_for("driving-licence", "licence_class", Lang::Zh),
            Some("准驾车型")
        );
        assert_eq!(
            label_for("urn:cn-wallet:passport:1", "age_over_18", Lang::En),
            Some("Aged 18 or over")
        );
        assert_eq!(
            label_for("urn:cn-wallet:passport:1", "nope", Lang::En),
            None
        );
        assert_eq!(label_for("urn:other", "name", Lang::En), None);
        assert!(ty("passport").claim("passport_number").is_some());
        assert!(ty("passport").claim("id_number").is_none());
        assert_eq!(ty("passport").name(Lang::Zh), "护照");
    }

    // --- name-level rejections -------------------------------------------------------

    #[test]
    fn unknown_reserved_derived_and_missing_claims() {
        let t = ty("resident-id");
        let e = err_of(t, &with(t, &[("shoe_size", json!("42"))]));
        assert_eq!(
            e,
            CatalogueError::UnknownClaim {
                field: "shoe_size".into()
            }
        );
        assert_eq!(e.code(), "catalogue.unknown_claim");
        assert!(e.to_string().contains("\"shoe_size\""));
        assert!(!e.to_string().contains("42"));

        for r in RESERVED_CLAIMS {
            let e = err_of(t, &with(t, &[(r, json!("secret-value"))]));
            assert_eq!(
                e,
                CatalogueError::ReservedClaim { field: (*r).into() },
                "{r}"
            );
            assert_eq!(e.code(), "catalogue.reserved_claim");
            assert!(!e.to_string().contains("secret-value"));
        }

        for d in ["age_over_18", "age_over_60"] {
            let e = err_of(t, &with(t, &[(d, json!(true))]));
            assert_eq!(e, CatalogueError::DerivedClaimSupplied { field: d.into() });
            assert_eq!(e.code(), "catalogue.derived_claim_supplied");
        }

        let e = err_of(t, &without(t, "id_number"));
        assert_eq!(
            e,
            CatalogueError::MissingClaim {
                field: "id_number".into()
            }
        );
        assert_eq!(e.code(), "catalogue.missing_claim");
        assert!(
            t.prepare_claims(&without(t, "photo_digest"), NOW).is_ok(),
            "optional"
        );

        // Claims that exist in another type are still unknown here.
        let e = err_of(t, &with(t, &[("licence_class", json!("C1"))]));
        assert_eq!(e.code(), "catalogue.unknown_claim");

        let long_name = "k".repeat(1000);
        let e = err_of(t, &with(t, &[(long_name.as_str(), json!(1))]));
        assert!(e.to_string().len() < 200);
    }

    #[test]
    fn wrong_json_types() {
        let t = ty("resident-id");
        for v in [
            json!(1),
            json!(true),
            json!(null),
            json!(["张三"]),
            json!({"v": "张三"}),
        ] {
            let e = err_of(t, &with(t, &[("name", v)]));
            assert_eq!(
                e,
                CatalogueError::WrongType {
                    field: "name".into(),
                    expected: "string"
                }
            );
            assert_eq!(e.code(), "catalogue.wrong_type");
            assert_eq!(
                e.to_string(),
                "claim \"name\" has the wrong JSON type: expected string"
            );
        }
        let e = err_of(t, &with(t, &[("photo_digest", json!(null))]));
        assert_eq!(e.code(), "catalogue.wrong_type");
        let r = ty("real-estate-title");
        let e = err_of(r, &with(r, &[("floor_area", json!("89.5"))]));
        assert_eq!(
            e,
            CatalogueError::WrongType {
                field: "floor_area".into(),
                expected: "number"
            }
        );
    }

    // --- strings ---------------------------------------------------------------------

    #[test]
    fn emoji_and_unicode_accepted() {
        let t = ty("resident-id");
        for addr in [
            "上海市浦东新区🏠花木路1000弄10号",
            "👨‍👩‍👧‍👦 家",
            "🇨🇳 北京市",
            "𠮷野家路1号",
            "Ürümqi Straße 5 — 乌鲁木齐",
        ] {
            let out = t
                .prepare_claims(&with(t, &[("address", json!(addr))]), NOW)
                .unwrap_or_else(|e| panic!("{addr}: {e}"));
            assert_eq!(out["address"], json!(addr));
        }
    }

    #[test]
    fn text_rules() {
        let t = ty("resident-id");
        assert_invalid(t, "address", json!(""), "empty or blank");
        assert_invalid(t, "address", json!("   \u{3000}"), "empty or blank");
        assert_invalid(t, "address", json!("上海\n浦东"), "control");
        assert_invalid(t, "address", json!("上海\u{7}"), "control");
        assert_invalid(t, "address", json!("上海\u{85}"), "control");
        assert_invalid(t, "address", json!("上海\u{2028}"), "line-separator");
        assert_invalid(t, "name", json!("张\u{202E}三"), "bidirectional");
        assert_invalid(t, "name", json!("张\u{2067}三"), "bidirectional");
        let max = "址".repeat(256);
        assert!(
            t.prepare_claims(&with(t, &[("address", json!(max))]), NOW)
                .is_ok()
        );
        assert_invalid(t, "address", json!("址".repeat(257)), "at most 256");

        let b = ty("business-licence");
        assert!(
            b.prepare_claims(
                &with(b, &[("business_scope", json!("营".repeat(2000)))]),
                NOW
            )
            .is_ok()
        );
        assert_invalid(
            b,
            "business_scope",
            json!("营".repeat(2001)),
            "at most 2000",
        );
        assert_invalid(b, "company_name", json!("a".repeat(300)), "at most 256");
    }

    // --- cross-field rules -----------------------------------------------------------

    #[test]
    fn id_number_must_agree_with_birth_date_and_sex() {
        let t = ty("resident-id");
        assert_invalid(
            t,
            "birth_date",
            json!("1990-03-16"),
            "birth date encoded in the resident ID number",
        );
        assert_invalid(
            t,
            "sex",
            json!("女"),
            "sex encoded in the resident ID number",
        );

        let dl = ty("driving-licence");
        assert_invalid(dl, "birth_date", json!("1991-03-15"), "resident ID number");
        let female = make_id("310115", "19900315", "124");
        let m = with(
            dl,
            &[("licence_number", json!(female)), ("sex", json!("女"))],
        );
        assert!(dl.prepare_claims(&m, NOW).is_ok());

        let s = ty("social-security-card");
        assert_invalid(s, "sex", json!("女"), "17th digit");
        let h = ty("household-register");
        assert_invalid(h, "birth_date", json!("1990-05-15"), "digits 7 to 14");
    }

    #[test]
    fn date_order_rules() {
        let t = ty("resident-id");
        assert_invalid(
            t,
            "valid_until",
            json!("2016-05-31"),
            "must not be before valid_from",
        );
        // Equal dates are in order (issued while that one-day document was still valid).
        assert!(
            t.prepare_claims(
                &with(t, &[("valid_until", json!("2016-06-01"))]),
                ts(2016, 6, 1)
            )
            .is_ok()
        );
        // At NOW the same document has expired.
        assert_eq!(
            err_of(t, &with(t, &[("valid_until", json!("2016-06-01"))])),
            CatalogueError::DocumentExpired {
                field: "valid_until"
            }
        );
        assert_invalid(
            t,
            "valid_from",
            json!("1990-03-14"),
            "must not be before birth_date",
        );

        let dl = ty("driving-licence");
        assert_invalid(dl, "valid_from", json!("2012-08-19"), "first_issue_date");
        assert_invalid(dl, "first_issue_date", json!("1989-01-01"), "birth_date");
        assert!(
            dl.prepare_claims(&with(dl, &[("valid_until", json!("长期"))]), NOW)
                .is_ok()
        );

        let p = ty("passport");
        assert_invalid(p, "expiry_date", json!("2019-04-09"), "issue_date");
        let v = ty("vehicle-licence");
        assert_invalid(v, "issue_date", json!("2024-05-09"), "registration_date");
        assert_invalid(
            v,
            "inspection_valid_until",
            json!("2020-01-01"),
            "registration_date",
        );
        let b = ty("business-licence");
        assert_invalid(
            b,
            "registration_date",
            json!("2018-12-31"),
            "establishment_date",
        );
        assert_invalid(
            b,
            "business_term_until",
            json!("2018-12-31"),
            "establishment_date",
        );
        let s = ty("social-security-card");
        assert_invalid(s, "valid_until", json!("2020-10-31"), "issue_date");
    }

    #[test]
    fn birth_date_not_after_issuance() {
        let p = ty("passport");
        let m = with(
            p,
            &[
                ("birth_date", json!("2026-11-23")),
                ("issue_date", json!("2026-11-23")),
                ("expiry_date", json!("2031-11-22")),
            ],
        );
        let e = err_of(p, &m);
        assert_eq!(
            e,
            CatalogueError::InvalidClaim {
                field: "birth_date".into(),
                rule: "must not be after the issuance date"
            }
        );
        assert!(!e.to_string().contains("2026-11-23"));
        // Born on the issuance day is fine (and not yet 18).
        let m = with(
            p,
            &[
                ("birth_date", json!("2026-11-22")),
                ("issue_date", json!("2026-11-22")),
                ("expiry_date", json!("2031-11-21")),
            ],
        );
        let out = p.prepare_claims(&m, NOW + 86_399).unwrap();
        assert_eq!(out["age_over_18"], json!(false));
    }

    #[test]
    fn issued_at_out_of_range() {
        let t = ty("passport");
        let e = t.prepare_claims(&t.example_claims(), i64::MAX).unwrap_err();
        assert_eq!(e.code(), "catalogue.invalid_claim");
        assert!(e.to_string().contains("\"iat\""));
        assert!(t.prepare_claims(&t.example_claims(), i64::MIN).is_err());
    }

    // --- derived ages ----------------------------------------------------------------

    fn resident_born(birth: &str) -> Map<String, Value> {
        let t = ty("resident-id");
        let digits = birth.replace('-', "");
        with(
            t,
            &[
                ("birth_date", json!(birth)),
                ("id_number", json!(make_id("110105", &digits, "013"))),
                ("valid_from", json!(birth)),
                ("valid_until", json!("长期")),
            ],
        )
    }

    fn ages(birth: &str, at: i64) -> (bool, bool) {
        let out = ty("resident-id")
            .prepare_claims(&resident_born(birth), at)
            .unwrap();
        (
            out["age_over_18"].as_bool().unwrap(),
            out["age_over_60"].as_bool().unwrap(),
        )
    }

    #[test]
    fn age_over_18_boundary() {
        assert_eq!(
            ages("2008-11-22", ts(2026, 11, 21) + 86_399),
            (false, false)
        );
        assert_eq!(ages("2008-11-22", ts(2026, 11, 22)), (true, false));
        assert_eq!(ages("2008-11-22", ts(2026, 11, 23)), (true, false));
    }

    #[test]
    fn age_over_60_boundary() {
        assert_eq!(ages("1966-11-22", ts(2026, 11, 21)), (true, false));
        assert_eq!(ages("1966-11-22", ts(2026, 11, 22)), (true, true));
        assert_eq!(ages("1966-12-31", ts(2026, 12, 31)), (true, true));
        assert_eq!(ages("1967-01-01", ts(2026, 12, 31)), (true, false));
    }

    #[test]
    fn leap_day_birthdays() {
        // 18th birthday falls in 2026, a non-leap year: reached on 1 March, not 28 February.
        assert_eq!(ages("2008-02-29", ts(2026, 2, 28)), (false, false));
        assert_eq!(ages("2008-02-29", ts(2026, 3, 1)), (true, false));
        // 60th birthday falls in 2024, a leap year: reached on 29 February itself.
        assert_eq!(ages("1964-02-29", ts(2024, 2, 28)), (true, false));
        assert_eq!(ages("1964-02-29", ts(2024, 2, 29)), (true, true));
        // Someone born on 1 March is not yet 18 on 29 February of a leap year.
        let d = |s: &str| parse_date(s).unwrap();
        assert_eq!(age_on(d("2014-03-01"), d("2032-02-29")), 17);
        assert_eq!(age_on(d("2014-02-28"), d("2032-02-28")), 18);
        assert_eq!(age_on(d("2000-02-29"), d("2018-02-28")), 17);
        assert_eq!(age_on(d("2000-02-29"), d("2018-03-01")), 18);
    }

    #[test]
    fn age_uses_utc_date_of_issued_at() {
        // 2026-11-21T23:59:59Z is still 21 November in UTC even though it is the 22nd in
        // Beijing: the predicate flips at UTC midnight.
        assert_eq!(ages("2008-11-22", ts(2026, 11, 22) - 1), (false, false));
    }

    // --- privacy and robustness ------------------------------------------------------

    #[test]
    fn error_display_never_contains_the_value() {
        let cases: &[(&str, &str, &str)] = &[
            ("resident-id", "id_number", "310115199003151230"),
            ("resident-id", "birth_date", "1990-02-30"),
            ("resident-id", "birth_date", "1991-03-15"),
            ("resident-id", "name", "李四\u{1}"),
            ("resident-id", "sex", "男性"),
            ("resident-id", "ethnicity", "克林贡"),
            ("resident-id", "valid_until", "2001-01-01"),
            ("resident-id", "photo_digest", "deadbeef"),
            ("driving-licence", "licence_class", "C1C1"),
            ("driving-licence", "nationality", "ZZZ"),
            ("vehicle-licence", "plate_number", "沪Z1234"),
            ("vehicle-licence", "vin", "LCFCF7005RA234567"),
            ("business-licence", "uscc", "91310115MA1G5W8N77"),
            ("passport", "passport_number", "EI7654321"),
            ("passport", "surname_latin", "zhang"),
            (
                "real-estate-title",
                "unit_number",
                "310115001002GB00123X00101201",
            ),
            ("household-register", "household_type", "单身户"),
        ];
        for (tn, field, bad) in cases {
            let t = ty(tn);
            let e = err_of(t, &with(t, &[(field, json!(bad))]));
            let msg = e.to_string();
            assert!(msg.contains(&format!("\"{field}\"")), "{msg}");
            assert!(!msg.contains(bad), "{tn}.{field}: {msg}");
            assert!(!format!("{e:?}").contains(bad), "Debug leaks too: {e:?}");
            assert_eq!(msg, msg.trim_end_matches('.'), "no trailing period");
            assert!(msg.starts_with(char::is_lowercase));
        }
    }

    #[test]
    fn every_code_is_stable() {
        let f = || "x".to_owned();
        let all = [
            (
                CatalogueError::UnknownType { name: f() },
                "catalogue.unknown_type",
            ),
            (
                CatalogueError::MissingClaim { field: f() },
                "catalogue.missing_claim",
            ),
            (
                CatalogueError::UnknownClaim { field: f() },
                "catalogue.unknown_claim",
            ),
            (
                CatalogueError::WrongType {
                    field: f(),
                    expected: "string",
                },
                "catalogue.wrong_type",
            ),
            (
                CatalogueError::InvalidClaim {
                    field: f(),
                    rule: "r",
                },
                "catalogue.invalid_claim",
            ),
            (
                CatalogueError::DerivedClaimSupplied { field: f() },
                "catalogue.derived_claim_supplied",
            ),
            (
                CatalogueError::ReservedClaim { field: f() },
                "catalogue.reserved_claim",
            ),
        ];
        for (e, code) in all {
            assert_eq!(e.code(), code);
            let msg = e.to_string();
            assert!(
                msg.starts_with(char::is_lowercase) && !msg.ends_with('.'),
                "{msg}"
            );
        }
    }

    #[test]
    fn hostile_strings_never_panic() {
        let mut samples: Vec<String> = [
            "",
            "张",
            "张张张张张张",
            "2024-02-2张",
            "20张-01-01",
            "1101051949123100张",
            "沪",
            "沪A",
            "沪A张张张张张",
            "E张",
            "E",
            "G",
            "\u{0}",
            "长期",
            "C1D张",
            "A",
            "999999-99-99",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        samples.extend([
            "X".repeat(18),
            "9".repeat(17),
            "𠮷".repeat(28),
            "A".repeat(28),
            "0".repeat(64),
        ]);
        for t in all() {
            for c in t.claims.iter().filter(|c| c.json_type == JsonType::String) {
                for s in &samples {
                    let _ = t.prepare_claims(&with(t, &[(c.name, json!(s))]), NOW);
                }
            }
        }
    }

    #[test]
    fn catalogue_serializes() {
        let v = serde_json::to_value(all()).unwrap();
        assert_eq!(v[0]["vct"], json!("urn:cn-wallet:resident-id:1"));
        assert_eq!(v[0]["claims"][7]["format"], json!("date_or_long_term"));
        assert_eq!(v[0]["claims"][9]["format"], json!({"age_over": 18}));
        assert_eq!(v[4]["claims"][8]["json_type"], json!("number"));
    }

    // --- documentation ---------------------------------------------------------------

    #[test]
    fn markdown_lists_everything() {
        let md = render_markdown();
        assert_eq!(md, render_markdown(), "deterministic");
        assert!(md.starts_with("# Credential types\n"));
        assert!(md.ends_with('\n') && !md.ends_with("\n\n"));
        for t in all() {
            assert!(md.contains(&format!("`{}`", t.vct)));
            assert!(md.contains(t.name_zh) && md.contains(t.name_en));
            for c in t.claims {
                assert!(md.contains(&format!("| `{}` |", c.name)));
                // Table cells must not contain a pipe.
                for cell in [c.label_zh, c.label_en, c.format.name(), c.format.rule()] {
                    assert!(!cell.contains('|'), "{cell}");
                }
            }
        }
        for r in RESERVED_CLAIMS {
            assert!(md.contains(&format!("`{r}`")));
        }
        assert!(md.contains("GB 11643"));
    }
}
