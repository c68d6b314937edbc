//! Tests of the value formats' checkers: check-digit algorithms (GB 11643, ISO 3779, GB 32100)
//! recomputed independently, the identifier formats, reference lists, dates, text and numbers.

use super::*;

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
