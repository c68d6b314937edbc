//! Unit tests of the catalogue: lookups, the shape of the tables, name-level and cross-field
//! rejections, derived ages, privacy of error messages and the generated Markdown. The value
//! formats' checkers are tested in `formats.rs`. They reach the private checkers and example
//! constants through `pub(super)`, which keeps them out of the catalogue's public interface.

// clippy.toml exempts tests from the panic lints; these have no test setting.
#![allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use serde_json::{Map, Value, json};
use time::{Date, Month};

use super::examples::{EXAMPLE_BIRTH_DATE, EXAMPLE_ID_NUMBER, EXAMPLE_PHOTO_DIGEST};
use super::validate::{
    DRIVING_CLASSES, ETHNIC_GROUPS, ISO_3166_ALPHA3, PROVINCES, age_on, check_driving_classes,
    check_passport, check_plate, check_real_estate_unit, check_resident_id, check_uscc, check_vin,
    parse_date,
};
use super::*;

mod documents;
mod formats;

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
                !spec.derived(),
                "{}: example supplies derived {k}",
                t.short_name
            );
        }
        // Every defined non-derived claim is exemplified, so the examples exercise it.
        for c in t.claims.iter().filter(|c| !c.derived()) {
            assert!(
                ex.contains_key(&c.name),
                "{}: example lacks {}",
                t.short_name,
                c.name
            );
        }
        let out = t
            .prepare_claims(&ex, NOW)
            .unwrap_or_else(|e| panic!("{}: {e}", t.short_name));
        for c in &t.claims {
            assert!(
                out.contains_key(&c.name),
                "{}: output lacks {}",
                t.short_name,
                c.name
            );
        }
        // Also valid through the vct.
        assert_eq!(by_name(&t.vct).unwrap().short_name, t.short_name);
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
    let names: Vec<&str> = all().iter().map(|t| t.short_name.as_str()).collect();
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
        for c in &t.claims {
            assert!(
                !seen.contains(&c.name.as_str()),
                "{}: duplicate {}",
                t.short_name,
                c.name
            );
            seen.push(c.name.as_str());
            assert!(
                c.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                    && c.name.as_bytes()[0].is_ascii_lowercase(),
                "{} is not snake_case",
                c.name
            );
            assert!(!RESERVED_CLAIMS.contains(&c.name.as_str()));
            assert!(c.format.applies_to(c.json_type), "{}", c.name);
            assert!(!c.label_zh.is_empty() && !c.label_en.is_empty());
            if c.derived() {
                assert!(!c.required && c.disclosable(), "{}", c.name);
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
    assert!(dl.claims.iter().all(|c| c.disclosable() && !c.derived()));
    assert_eq!(dl.max_disclosable(), 10);
    assert_eq!(
        dl.claims
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
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
            field: "valid_until".into()
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
            rule: "must not be after the issuance date".into()
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
                rule: "r".into(),
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
                let _ = t.prepare_claims(&with(t, &[(&c.name, json!(s))]), NOW);
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
        assert!(md.contains(&t.name_zh) && md.contains(&t.name_en));
        for c in &t.claims {
            assert!(md.contains(&format!("| `{}` |", c.name)));
            // Table cells must not contain a pipe.
            for cell in [&*c.label_zh, &*c.label_en, c.format.name(), c.format.rule()] {
                assert!(!cell.contains('|'), "{cell}");
            }
        }
    }
    for r in RESERVED_CLAIMS {
        assert!(md.contains(&format!("`{r}`")));
    }
    assert!(md.contains("GB 11643"));
}
