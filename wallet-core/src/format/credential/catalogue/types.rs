//! The public vocabulary of the catalogue: a claim's JSON type and value [`Format`], its schema
//! ([`ClaimSpec`]), a credential type ([`CredentialType`]), display languages, and the claim names
//! reserved for the JWT / SD-JWT VC envelope.
//!
//! These are plain data with no behaviour beyond accessors and the documented rule of each
//! format, so that the document reader (`document.rs`), the validators (`validate.rs`), the
//! examples and the Markdown renderer can all build on them without depending on one another;
//! the checks themselves live in `validate.rs`.

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

/// `长期`: "long-term", printed instead of an expiry date on documents that never expire.
pub(super) const LONG_TERM: &str = "长期";

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
}

/// Whether a claim is selectively disclosable: the `sd` member of SD-JWT VC Type Metadata claim
/// metadata (draft-ietf-oauth-sd-jwt-vc, "Claim Selective Disclosure Metadata"; default
/// `allowed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sd {
    /// The issuer must make the claim selectively disclosable; a verifier refuses it in the
    /// issuer-signed payload.
    Always,
    /// The issuer may choose; this wallet's issuer makes it disclosable (the private choice).
    #[default]
    Allowed,
    /// The issuer must not make the claim disclosable; a verifier refuses it in a disclosure.
    Never,
}

impl Sd {
    /// The member value (`always`, `allowed`, `never`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Always => "always",
            Self::Allowed => "allowed",
            Self::Never => "never",
        }
    }
}

/// Schema of one claim of a credential type: one entry of the type document's `claims` (path
/// of one member name, display labels, `sd`, `mandatory`) with our `cn_wallet` extension (JSON
/// type, value format or derivation).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClaimSpec {
    /// Claim name in the credential (`snake_case` English): the single segment of its `path`.
    pub name: String,
    /// JSON type of the value.
    pub json_type: JsonType,
    /// Whether the issuer must supply the claim (`mandatory`; never true for derived claims,
    /// which the issuer computes instead).
    pub required: bool,
    /// Whether the claim is selectively disclosable (an SD-JWT disclosure) rather than
    /// always visible in the issuer-signed payload.
    pub sd: Sd,
    /// The claim the issuer computes this one from (a date claim, for an age predicate);
    /// callers must not supply a derived claim.
    pub derived_from: Option<String>,
    /// Value format checked at issuance.
    pub format: Format,
    /// Display label in Simplified Chinese (`zh-CN`), as printed on the physical document.
    pub label_zh: String,
    /// Display label in English (`en`).
    pub label_en: String,
}

impl ClaimSpec {
    /// The display label in `lang`.
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.label_zh,
            Lang::En => &self.label_en,
        }
    }

    /// Whether the issuer computes the claim from other claims.
    pub fn derived(&self) -> bool {
        self.derived_from.is_some()
    }

    /// Whether this wallet's issuer makes the claim selectively disclosable (`sd` is `always`
    /// or `allowed`).
    pub fn disclosable(&self) -> bool {
        self.sd != Sd::Never
    }
}

/// A cross-field rule of a credential type, named in the type document's `cn_wallet.rules`
/// and implemented here (an unknown rule name makes the document invalid). Each rule reports
/// its error on `claim`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rule {
    /// The date `claim` is not after the issuance date (a birth date).
    NotAfterIssuance {
        /// The date claim.
        claim: String,
    },
    /// The date `claim` is not before the date `other`; `长期` satisfies any order.
    NotBefore {
        /// The later date.
        claim: String,
        /// The earlier date.
        other: String,
    },
    /// The date `claim` equals the birth date encoded in the resident ID number `id_claim`.
    ResidentIdBirthDate {
        /// The birth-date claim.
        claim: String,
        /// The resident ID number claim.
        id_claim: String,
    },
    /// The sex `claim` (`男` / `女`) equals the sex encoded in the resident ID number
    /// `id_claim` (17th digit: odd for male, even for female).
    ResidentIdSex {
        /// The sex claim.
        claim: String,
        /// The resident ID number claim.
        id_claim: String,
    },
}

impl Rule {
    /// The claim an error of this rule is reported on.
    pub fn claim(&self) -> &str {
        match self {
            Self::NotAfterIssuance { claim }
            | Self::NotBefore { claim, .. }
            | Self::ResidentIdBirthDate { claim, .. }
            | Self::ResidentIdSex { claim, .. } => claim,
        }
    }
}

/// One credential type: a parsed SD-JWT VC Type Metadata document (docs/credential-types.md,
/// "Type documents"), built in or added by an agency. The exact octets it was read from are
/// kept, so that its SRI integrity ([`CredentialType::integrity`]) is that of the file a trust
/// list pins.
///
/// Serializes (e.g. for a CLI or FFI listing) with every field except the document octets.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CredentialType {
    /// Short name (kebab-case), `cn_wallet.short_name`: what people type on a command line.
    pub short_name: String,
    /// The SD-JWT VC `vct` identifier.
    pub vct: String,
    /// Name of the document in Simplified Chinese (`display` entry of locale `zh-CN`).
    pub name_zh: String,
    /// Name of the document in English (`display` entry of locale `en`).
    pub name_en: String,
    /// Claim schema, in display order.
    pub claims: Vec<ClaimSpec>,
    /// Default lifetime of an issued credential, in days: how often the holder's wallet is
    /// expected to refresh it from the issuer, not the document's own validity.
    pub default_validity_days: u32,
    /// The claims whose date ends the document's own validity (its printed expiry date). A
    /// credential's `exp` never outlives the earliest of them, an expired document is refused
    /// at issuance, and a verifier refuses a disclosed one that has passed. A date ends at
    /// 24:00 China Standard Time (UTC+8) of that day
    /// ([`end_of_day_cst`](super::end_of_day_cst)); `长期` never ends.
    pub validity_claims: Vec<String>,
    /// Whether a credential of this type must be revocable (carry a `status` claim): true for
    /// the government documents of the built-in types, so that issuing one that can never be
    /// revoked takes an explicit decision ([`crate::issuer::issue::CredentialRequest::status_required`]).
    pub status_required: bool,
    /// Other names a person may use for the type (common Chinese short names such as
    /// `驾驶证`), accepted by [`lookup`](super::lookup) besides the short name, `vct` and both
    /// display names.
    pub aliases: Vec<String>,
    /// Cross-field rules checked at issuance, in the order they are reported.
    pub rules: Vec<Rule>,
    /// Whether the type ships with the wallet (one of the embedded documents).
    pub builtin: bool,
    /// The document's exact octets.
    #[serde(skip)]
    pub(super) document: std::sync::Arc<str>,
    /// `sha256-…` SRI integrity of the document octets.
    #[serde(skip)]
    pub(super) integrity: String,
}

impl CredentialType {
    /// The schema of the claim called `name`, if the type defines it.
    pub fn claim(&self, name: &str) -> Option<&ClaimSpec> {
        self.claims.iter().find(|c| c.name == name)
    }

    /// The document name in `lang`.
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.name_zh,
            Lang::En => &self.name_en,
        }
    }

    /// Number of claims that may be selectively disclosed (incl. derived ones) — used to
    /// pad decoy digests to a constant count, so the number of real digests does not reveal
    /// which optional claims a credential carries.
    pub fn max_disclosable(&self) -> usize {
        self.claims.iter().filter(|c| c.disclosable()).count()
    }

    /// The Type Metadata document exactly as read (the octets its integrity covers).
    pub fn document(&self) -> &str {
        &self.document
    }

    /// The W3C Subresource Integrity string of the document octets (`sha256-` and the
    /// base64 of their SHA-256), as a trust list pins it.
    pub fn integrity(&self) -> &str {
        &self.integrity
    }
}
