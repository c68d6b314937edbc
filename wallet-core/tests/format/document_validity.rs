//! The document's own validity and revocability at issuance and verification: `exp` is capped
//! at the end of the printed validity (24:00 China Standard Time of the date), strict mode
//! refuses instead, an expired document is refused at issuance naming the claim, a disclosed
//! validity date that has passed is its own negative result, and the catalogue's types are
//! not issued without a status list entry unless the issuer opts out.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng as _;
use serde_json::{Map, Value, json};
use wallet_core::credential::catalogue;
use wallet_core::credential::catalogue::{CatalogueError, CredentialType};
use wallet_core::credential::{StatusRef, VcError};
use wallet_core::holder::present;
use wallet_core::issuer::{CredentialRequest, check_status_choice, issue_credential};
use wallet_core::keys::SigningKey;
use wallet_core::sdjwt::ClaimPath;
use wallet_core::trust::StaticIssuers;
use wallet_core::verifier::{KeyBindingPolicy, VerifyPolicy, verify_presentation};

/// 2026-01-01T00:00:00Z.
const T0: i64 = 1_767_225_600;
const DAY: i64 = 86_400;
const ISS: &str = "https://jtgl.sh.gov.cn/issuer";
/// 2026-03-01T16:00:00Z: 24:00 China Standard Time on 2026-03-01.
const END_2026_03_01: i64 = 1_772_380_800;

fn issuer() -> SigningKey {
    SigningKey::from_seed(&[11; 32])
}
fn holder() -> SigningKey {
    SigningKey::from_seed(&[12; 32])
}
fn licence() -> &'static CredentialType {
    catalogue::by_name("driving-licence").unwrap()
}
fn status() -> StatusRef {
    StatusRef {
        idx: 7,
        uri: "https://jtgl.sh.gov.cn/status/1".into(),
    }
}

fn licence_claims(valid_until: &str) -> Map<String, Value> {
    let mut claims = licence().example_claims();
    claims.insert("valid_until".into(), json!(valid_until));
    claims
}

fn request(claims: &Map<String, Value>, iat: i64) -> Result<CredentialRequest, VcError> {
    let mut r = CredentialRequest::for_type(licence(), ISS, claims, holder().verifying_key(), iat)?;
    r.status = Some(status());
    Ok(r)
}

fn issue(r: &CredentialRequest) -> Result<String, VcError> {
    issue_credential(r, &issuer(), &mut ChaCha20Rng::seed_from_u64(3))
}

/// Verifies the credential at `now` (no clock skew), disclosing `shown`.
fn verify(credential: &str, shown: &[&str], now: i64) -> Result<i64, VcError> {
    let paths: Vec<ClaimPath> = shown.iter().map(|p| p.parse().unwrap()).collect();
    let presentation = present(credential, &paths, None, &holder()).unwrap();
    let mut issuers = StaticIssuers::new();
    issuers.add(ISS, issuer().verifying_key());
    let policy = VerifyPolicy {
        now,
        clock_skew: 0,
        key_binding: KeyBindingPolicy::IfPresent,
    };
    verify_presentation(&presentation, &issuers, &policy).map(|r| r.expires_at)
}

#[test]
fn end_of_day_is_midnight_china_standard_time() {
    let date = time::macros::date!(2026 - 03 - 01);
    assert_eq!(catalogue::end_of_day_cst(date), END_2026_03_01);
    let end = time::OffsetDateTime::from_unix_timestamp(END_2026_03_01)
        .unwrap()
        .to_offset(time::macros::offset!(+8));
    assert_eq!(
        (end.date(), end.hour()),
        (time::macros::date!(2026 - 03 - 02), 0)
    );
}

#[test]
fn every_type_names_its_validity_claims() {
    for t in catalogue::all() {
        for field in &t.validity_claims {
            let spec = t
                .claim(field)
                .unwrap_or_else(|| panic!("{}: {field}", t.short_name));
            assert!(
                matches!(
                    spec.format,
                    catalogue::Format::Date | catalogue::Format::DateOrLongTerm
                ),
                "{field}"
            );
        }
        assert!(t.status_required, "{}", t.short_name);
    }
    let names = |s: &str| catalogue::by_name(s).unwrap().validity_claims.clone();
    assert_eq!(names("driving-licence"), ["valid_until"]);
    assert_eq!(names("passport"), ["expiry_date"]);
    assert_eq!(names("business-licence"), ["business_term_until"]);
    assert_eq!(names("social-security-card"), ["valid_until"]);
    assert_eq!(names("resident-id"), ["valid_until"]);
    assert_eq!(names("vehicle-licence"), ["inspection_valid_until"]);
    assert!(names("household-register").is_empty());
}

#[test]
fn expired_document_is_refused_at_issuance_naming_the_field() {
    let e = request(&licence_claims("2022-05-10"), T0).unwrap_err();
    assert_eq!(e.code(), "catalogue.document_expired");
    assert_eq!(
        e,
        VcError::Catalogue(CatalogueError::DocumentExpired {
            field: "valid_until".into()
        })
    );
    assert!(e.to_string().contains("\"valid_until\""), "{e}");
    assert!(
        !e.to_string().contains("2022"),
        "no claim value in messages: {e}"
    );
    // The last second of the day (CST) is still valid; its end is not.
    assert!(request(&licence_claims("2026-03-01"), END_2026_03_01 - 1).is_ok());
    assert_eq!(
        request(&licence_claims("2026-03-01"), END_2026_03_01)
            .unwrap_err()
            .code(),
        "catalogue.document_expired"
    );
    // 长期 never ends.
    assert!(request(&licence_claims("长期"), T0).is_ok());
}

#[test]
fn expiry_is_capped_at_the_document_validity() {
    // Default validity (365 days) outlives a licence ending 2026-03-01: capped.
    let r = request(&licence_claims("2026-03-01"), T0).unwrap();
    assert_eq!(r.expires_at, T0 + 365 * DAY);
    assert_eq!(
        r.document_validity,
        Some(("valid_until".to_owned(), END_2026_03_01))
    );
    assert_eq!(r.effective_expiry(), Ok(END_2026_03_01));
    let credential = issue(&r).unwrap();
    assert_eq!(verify(&credential, &[], T0 + DAY), Ok(END_2026_03_01));

    // An explicit ten-year expiry (`--valid-for 10y`) is capped the same way.
    let mut ten_years = r.clone();
    ten_years.expires_at = T0 + 3650 * DAY;
    assert_eq!(
        verify(&issue(&ten_years).unwrap(), &[], T0 + DAY),
        Ok(END_2026_03_01)
    );

    // An expiry before the document's end is kept.
    let mut short = r.clone();
    short.expires_at = T0 + 30 * DAY;
    assert_eq!(
        verify(&issue(&short).unwrap(), &[], T0 + DAY),
        Ok(T0 + 30 * DAY)
    );

    // 长期: the type's default validity.
    let long_term = request(&licence_claims("长期"), T0).unwrap();
    assert_eq!(long_term.document_validity, None);
    assert_eq!(
        verify(&issue(&long_term).unwrap(), &[], T0 + DAY),
        Ok(T0 + 365 * DAY)
    );
}

#[test]
fn strict_validity_refuses_instead_of_capping() {
    let mut r = request(&licence_claims("2026-03-01"), T0).unwrap();
    r.strict_validity = true;
    let e = issue(&r).unwrap_err();
    assert_eq!(e, VcError::ExpiryAfterDocument("valid_until".into()));
    assert_eq!(e.code(), "vc.expiry_after_document");
    assert_eq!(r.effective_expiry(), Err(e));
    // Within the document's validity, strict mode issues.
    r.expires_at = END_2026_03_01;
    assert_eq!(
        verify(&issue(&r).unwrap(), &[], T0 + DAY),
        Ok(END_2026_03_01)
    );
}

#[test]
fn disclosed_expired_validity_is_its_own_result() {
    // A capped credential: after the end, a disclosed valid_until names the document's expiry;
    // undisclosed, the capped exp refuses it.
    let capped = issue(&request(&licence_claims("2026-03-01"), T0).unwrap()).unwrap();
    assert_eq!(
        verify(&capped, &["name", "valid_until"], END_2026_03_01 - 1),
        Ok(END_2026_03_01)
    );
    assert_eq!(
        verify(&capped, &["name", "valid_until"], END_2026_03_01),
        Err(VcError::DocumentExpired("valid_until".into()))
    );
    assert_eq!(
        verify(&capped, &["name"], END_2026_03_01),
        Err(VcError::Expired)
    );

    // A credential from an issuer that did not cap `exp`: the disclosed date still refuses it.
    let mut uncapped = request(&licence_claims("2026-03-01"), T0).unwrap();
    uncapped.document_validity = None;
    let uncapped = issue(&uncapped).unwrap();
    let e = verify(&uncapped, &["valid_until"], END_2026_03_01 + DAY).unwrap_err();
    assert_eq!(e.code(), "vc.document_expired");
    assert!(e.to_string().contains("valid_until"), "{e}");
    assert!(verify(&uncapped, &["name"], END_2026_03_01 + DAY).is_ok());
}

#[test]
fn revocability_is_required_unless_waived() {
    let mut r = request(&licence_claims("2028-08-20"), T0).unwrap();
    assert!(r.status_required);
    r.status = None;
    assert_eq!(issue(&r).unwrap_err(), VcError::StatusRequired);
    assert_eq!(VcError::StatusRequired.code(), "vc.status_required");
    let waived = r.clone().without_status();
    assert!(issue(&waived).is_ok());
    assert_eq!(
        check_status_choice(licence(), false, false),
        Err(VcError::StatusRequired)
    );
    assert!(check_status_choice(licence(), true, false).is_ok());
    assert!(check_status_choice(licence(), false, true).is_ok());
}

#[test]
fn all_claim_errors_are_reported_at_once() {
    let mut claims = licence().example_claims();
    claims.remove("name");
    claims.insert("sex".into(), json!("M"));
    claims.insert("licence_class".into(), json!(3));
    claims.insert("shoe_size".into(), json!("42"));
    claims.insert("valid_until".into(), json!("2022-05-10"));
    let e = licence().prepare_claims(&claims, T0).unwrap_err();
    assert_eq!(e.code(), "catalogue.several_errors");
    let got: Vec<(&str, String)> = e
        .errors()
        .iter()
        .map(|one| (one.code(), one.to_string()))
        .collect();
    let codes: Vec<&str> = got.iter().map(|(c, _)| *c).collect();
    assert_eq!(
        codes,
        [
            "catalogue.unknown_claim",
            "catalogue.missing_claim",
            "catalogue.invalid_claim",
            "catalogue.wrong_type",
            "catalogue.document_expired",
        ],
        "{e}"
    );
    for (field, (_, message)) in ["shoe_size", "name", "sex", "licence_class", "valid_until"]
        .iter()
        .zip(&got)
    {
        assert!(message.contains(field), "{message}");
    }
    let text = e.to_string();
    assert!(text.starts_with("5 claim errors: "), "{text}");
    assert!(!text.contains("2022") && !text.contains("42"), "{text}");

    // Hostile input: thousands of unknown claims make a bounded error.
    let mut many = licence().example_claims();
    for i in 0..5000 {
        many.insert(format!("x{i}"), json!(1));
    }
    match licence().prepare_claims(&many, T0).unwrap_err() {
        CatalogueError::Several { errors, total } => {
            assert_eq!(total, 5000);
            assert_eq!(errors.len(), catalogue::MAX_REPORTED_ERRORS);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn types_are_found_by_any_of_their_names() {
    for name in [
        "driving-licence",
        "urn:cn-wallet:driving-licence:1",
        "机动车驾驶证",
        "驾驶证",
        "Motor Vehicle Driving Licence",
        "motor vehicle driving licence",
        " 驾驶证 ",
    ] {
        assert_eq!(
            catalogue::lookup(name).unwrap().short_name,
            "driving-licence",
            "{name}"
        );
    }
    assert_eq!(
        catalogue::lookup("身份证").unwrap().short_name,
        "resident-id"
    );
    assert_eq!(
        catalogue::lookup("营业执照").unwrap().short_name,
        "business-licence"
    );
    assert_eq!(
        catalogue::lookup("驾驶").unwrap_err().code(),
        "catalogue.unknown_type"
    );
    // A credential's vct is still matched exactly.
    assert!(catalogue::by_name("驾驶证").is_err());
}
