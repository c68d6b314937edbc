//! Issuance-time validation of issuer-supplied claims (the issuer's step before signing an SD-JWT
//! VC): JSON types, value formats (calendar dates, GB 11643 resident ID numbers, GA 36 plates,
//! ISO 3779 VINs, GB 32100 unified social credit codes, passport numbers, GB/T 37346 real-estate
//! unit numbers, GB/T 3304 ethnic groups, ISO 3166 country codes), cross-field rules, document
//! expiry, and the derived age predicates (`age_over_18`, `age_over_60`).
//!
//! [`CredentialType::prepare_claims`] collects every broken rule instead of stopping at the first,
//! so an issuer can fix a claims file in one pass; error messages name the claim and the rule but
//! never the value. Input is untrusted: every check is total and never panics. The checks are
//! methods and private functions here so that the data types (`types.rs`) stay free of them.

use serde_json::{Map, Value};
use time::{Date, Month, OffsetDateTime};

use super::error::{CatalogueError, Collected, bounded, invalid};
use super::types::{ClaimSpec, CredentialType, Format, JsonType, LONG_TERM, RESERVED_CLAIMS, Rule};

/// Maximum length of an ordinary text claim, in Unicode scalar values. Long enough for any
/// name or address on these documents, short enough to keep credentials QR-friendly.
const MAX_TEXT_CHARS: usize = 256;
/// Maximum length of a [`Format::LongText`] claim, in Unicode scalar values.
const MAX_LONG_TEXT_CHARS: usize = 2000;

impl Format {
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

pub(super) const RULE_BIRTH_AFTER_ISSUANCE: &str = "must not be after the issuance date";
pub(super) const RULE_BIRTH_VS_ID: &str =
    "does not match the birth date encoded in the resident ID number (digits 7 to 14)";
pub(super) const RULE_SEX_VS_ID: &str = "does not match the sex encoded in the resident ID number (17th digit: odd for male, even for female)";
const RULE_ISSUED_AT: &str = "issuance time must be a unix timestamp between the years 1 and 9999";

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

impl CredentialType {
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
                Some(spec) if spec.derived() => errors.push(CatalogueError::DerivedClaimSupplied {
                    field: spec.name.clone(),
                }),
                Some(_) => {}
            }
        }

        for spec in self.claims.iter().filter(|c| !c.derived()) {
            match claims.get(&spec.name) {
                None if spec.required => errors.push(CatalogueError::MissingClaim {
                    field: spec.name.clone(),
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
            errors.push(invalid("iat", RULE_ISSUED_AT));
            // `finish` is an error now: one was just pushed.
            errors.finish()?;
            return Err(invalid("iat", RULE_ISSUED_AT));
        };

        self.check_cross_field(claims, issuance_date, &mut errors);
        // Cross-field rules only read values that passed their format check, so an expired
        // date is reported even when other claims are wrong — but not on top of another error
        // about the same date (e.g. before `valid_from`), which is the one to fix first.
        for field in &self.validity_claims {
            if self
                .claim_validity_end(claims, field)
                .is_some_and(|end| end <= issued_at)
                && !errors.names(field)
            {
                errors.push(CatalogueError::DocumentExpired {
                    field: field.clone(),
                });
            }
        }
        errors.finish()?;

        let mut out = claims.clone();
        for spec in &self.claims {
            if let (Format::AgeOver(age), Some(from)) = (spec.format, &spec.derived_from)
                && let Some(birth) = date_claim(claims, from)
            {
                let reached = age_on(birth, issuance_date) >= i32::from(age);
                out.insert(spec.name.clone(), Value::Bool(reached));
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
    pub fn document_validity_end(&self, claims: &Map<String, Value>) -> Option<(&str, i64)> {
        self.validity_claims
            .iter()
            .filter_map(|field| {
                self.claim_validity_end(claims, field)
                    .map(|end| (field.as_str(), end))
            })
            .min_by_key(|(_, end)| *end)
    }

    /// The type's cross-field rules ([`CredentialType::rules`]), in document order. A rule only
    /// reads values that passed their format check, so one bad value is reported once.
    fn check_cross_field(
        &self,
        claims: &Map<String, Value>,
        issuance_date: Date,
        errors: &mut Collected,
    ) {
        for rule in &self.rules {
            match rule {
                Rule::NotAfterIssuance { claim } => {
                    if date_claim(claims, claim).is_some_and(|d| d > issuance_date) {
                        errors.push(invalid(claim, RULE_BIRTH_AFTER_ISSUANCE));
                    }
                }
                Rule::NotBefore { claim, other } => {
                    if let (Some(a), Some(b)) =
                        (date_claim(claims, other), date_claim(claims, claim))
                        && b < a
                    {
                        errors.push(invalid(claim, format!("must not be before {other}")));
                    }
                }
                // Every type that carries a resident ID number also carries the holder's birth
                // date and usually sex; both are encoded in the number, and a mismatch means the
                // issuer's source record is inconsistent.
                Rule::ResidentIdBirthDate { claim, id_claim } => {
                    if let Some(parts) = resident_id_claim(claims, id_claim)
                        && date_claim(claims, claim).is_some_and(|b| b != parts.birth_date)
                    {
                        errors.push(invalid(claim, RULE_BIRTH_VS_ID));
                    }
                }
                Rule::ResidentIdSex { claim, id_claim } => {
                    // A sex that breaks its own format is reported by that check alone.
                    if let Some(parts) = resident_id_claim(claims, id_claim)
                        && let Some(sex) = claims
                            .get(claim)
                            .and_then(Value::as_str)
                            .filter(|s| Format::Sex.check_str(s).is_ok())
                    {
                        let expected = if parts.male { "男" } else { "女" };
                        if sex != expected {
                            errors.push(invalid(claim, RULE_SEX_VS_ID));
                        }
                    }
                }
            }
        }
    }
}

/// The parts of the resident ID number in claim `name`, when it is present and well formed.
fn resident_id_claim(claims: &Map<String, Value>, name: &str) -> Option<ResidentId> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .and_then(|id| check_resident_id(id).ok())
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
                .map_err(|rule| invalid(&spec.name, rule))
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
                    return Err(invalid(&spec.name, "must be a positive, finite number"));
                }
            }
            Ok(())
        }
    }
}

/// The rules every string claim obeys. Control characters could forge log lines or break
/// renderers; bidirectional overrides can make a name display as something else. Zero-width
/// joiners stay allowed because emoji sequences need them.
pub(super) fn check_text(s: &str, max_chars: usize) -> Result<(), &'static str> {
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
pub(super) fn parse_date(s: &str) -> Option<Date> {
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
pub(super) fn age_on(birth: Date, on: Date) -> i32 {
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
pub(super) struct ResidentId {
    pub(super) birth_date: Date,
    pub(super) male: bool,
}

/// GB 11643 citizen identity number: 6-digit region, 8-digit birth date, 3-digit sequence
/// (odd for men, even for women), ISO 7064 MOD 11-2 check character.
pub(super) fn check_resident_id(s: &str) -> Result<ResidentId, &'static str> {
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
pub(super) const DRIVING_CLASSES: &[&str] = &[
    "A1", "A2", "A3", "B1", "B2", "C1", "C2", "C3", "C4", "C5", "C6", "D", "E", "F", "M", "N", "P",
];

const RULE_CLASS_CODES: &str =
    "must be a concatenation of class codes A1 A2 A3 B1 B2 C1 C2 C3 C4 C5 C6 D E F M N P";

pub(super) fn check_driving_classes(s: &str) -> Result<(), &'static str> {
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
pub(super) const PROVINCES: &[char] = &[
    '京', '津', '沪', '渝', '冀', '豫', '云', '辽', '黑', '湘', '皖', '鲁', '新', '苏', '浙', '赣',
    '鄂', '桂', '甘', '晋', '蒙', '陕', '吉', '闽', '贵', '粤', '青', '藏', '川', '宁', '琼',
];

fn is_plate_char(c: char) -> bool {
    // I and O are never used because they are confused with 1 and 0.
    c.is_ascii_digit() || (c.is_ascii_uppercase() && c != 'I' && c != 'O')
}

pub(super) fn check_plate(s: &str) -> Result<(), &'static str> {
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

pub(super) fn check_vin(s: &str) -> Result<(), &'static str> {
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

pub(super) fn check_uscc(s: &str) -> Result<(), &'static str> {
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

pub(super) fn check_passport(s: &str) -> Result<(), &'static str> {
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

pub(super) fn check_real_estate_unit(s: &str) -> Result<(), &'static str> {
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
pub(super) const ETHNIC_GROUPS: &[&str] = &[
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
pub(super) const ISO_3166_ALPHA3: &[&str] = &[
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
