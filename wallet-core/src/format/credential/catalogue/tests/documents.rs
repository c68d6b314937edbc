//! Type documents: the embedded ones read completely and keep their integrity; every broken
//! member of an agency's document is refused with `catalogue.invalid_document` naming the
//! member; [`TypeSet`] refuses conflicting documents; SRI integrity follows W3C SRI.

use serde_json::{Value, json};

use super::super::builtin::DOCUMENTS;
use super::super::document::parse_document;
use super::*;

const MARRIAGE: &str = include_str!("../../../../../../docs/types/marriage-certificate.json");
const MARRIAGE_CLAIMS: &str =
    include_str!("../../../../../../docs/types/marriage-certificate.claims.json");

#[test]
fn every_embedded_document_is_read() {
    assert_eq!(all().len(), DOCUMENTS.len());
    for (t, doc) in all().iter().zip(DOCUMENTS) {
        let again = parse_document(doc.as_bytes(), true).unwrap();
        assert_eq!(&again, t);
        assert!(t.builtin);
        assert_eq!(t.document(), doc);
        assert_eq!(t.integrity(), integrity_of(doc.as_bytes()));
        assert!(integrity_matches(t.integrity(), doc.as_bytes()));
        // File name = short name, as `wallet types add` writes it.
        let value: Value = serde_json::from_str(doc).unwrap();
        assert_eq!(value["cn_wallet"]["short_name"], json!(t.short_name));
    }
}

#[test]
fn built_in_sd_follows_the_former_disclosable_flag() {
    // Disclosable claims are `sd: always`, the two visible business-licence claims `never`.
    let bl = by_name("business-licence").unwrap();
    let never: Vec<&str> = bl
        .claims
        .iter()
        .filter(|c| c.sd == Sd::Never)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(never, ["uscc", "company_name"]);
    for t in all() {
        for c in &t.claims {
            assert!(c.sd != Sd::Allowed, "{}.{}", t.short_name, c.name);
            assert!(!(c.derived() && c.required), "{}.{}", t.short_name, c.name);
        }
    }
}

fn marriage() -> Value {
    serde_json::from_str(MARRIAGE).unwrap()
}

fn refused(doc: &Value) -> String {
    let bytes = serde_json::to_vec(doc).unwrap();
    match parse_document(&bytes, false) {
        Err(e @ CatalogueError::InvalidDocument { .. }) => {
            assert_eq!(e.code(), "catalogue.invalid_document");
            e.to_string()
        }
        other => panic!("expected invalid_document, got {other:?}"),
    }
}

#[test]
fn agency_document_issues_with_its_rules() {
    let t = parse_document(MARRIAGE.as_bytes(), false).unwrap();
    assert_eq!(t.short_name, "marriage-certificate");
    assert_eq!(t.name_zh, "结婚证");
    assert_eq!(t.claim("spouse_name").unwrap().label_zh, "配偶姓名");
    assert_eq!(t.claim("registry_office").unwrap().sd, Sd::Allowed);
    assert!(!t.builtin && t.status_required);
    let claims: serde_json::Map<String, Value> = serde_json::from_str(MARRIAGE_CLAIMS).unwrap();
    let out = t.prepare_claims(&claims, NOW).unwrap();
    assert_eq!(out.len(), 8);
    // Its rules are applied: a birth date that contradicts the ID number.
    let mut bad = claims.clone();
    bad.insert("holder_birth_date".into(), json!("1991-03-15"));
    let e = t.prepare_claims(&bad, NOW).unwrap_err();
    assert_eq!(e.code(), "catalogue.invalid_claim");
    assert_eq!(e.field(), Some("holder_birth_date"));
    // And its formats: a spouse ID number with a wrong check digit.
    let mut bad = claims;
    bad.insert("spouse_id_number".into(), json!("310104199207082028"));
    let e = t.prepare_claims(&bad, NOW).unwrap_err();
    assert_eq!(e.field(), Some("spouse_id_number"));
}

#[test]
fn each_broken_member_is_named() {
    type Edit = fn(&mut Value);
    let cases: &[(&str, Edit)] = &[
        ("vct is missing", |d| {
            d.as_object_mut().unwrap().remove("vct");
        }),
        ("extends is not supported", |d| {
            d["extends"] = json!("urn:x")
        }),
        ("display[0] uses lang", |d| {
            d["display"][0] = json!({"lang": "zh-CN", "name": "结婚证"})
        }),
        ("display has no zh-CN entry", |d| {
            d["display"] = json!([{"locale": "en", "name": "Marriage"}])
        }),
        ("claims[0].display has no en entry", |d| {
            d["claims"][0]["display"] = json!([{"locale": "zh-CN", "label": "持证人"}])
        }),
        ("claims[0].path must be one member name", |d| {
            d["claims"][0]["path"] = json!(["holder", "name"])
        }),
        ("claims[0].path must be one member name", |d| {
            d["claims"][0]["path"] = json!(["list", null])
        }),
        ("claims[1].path names a reserved", |d| {
            d["claims"][1]["path"] = json!(["exp"])
        }),
        ("claims[1].path repeats", |d| {
            d["claims"][1]["path"] = json!(["holder_name"])
        }),
        ("claims[0].sd must be", |d| {
            d["claims"][0]["sd"] = json!("sometimes")
        }),
        ("claims[0].mandatory is not a boolean", |d| {
            d["claims"][0]["mandatory"] = json!("yes")
        }),
        ("claims[0].cn_wallet.format is not a known validator", |d| {
            d["claims"][0]["cn_wallet"]["format"] = json!("marriage_number")
        }),
        (
            "claims[0].cn_wallet has a member this version does not know",
            |d| d["claims"][0]["cn_wallet"]["pattern"] = json!("^J"),
        ),
        ("claims[0].cn_wallet: the format does not apply", |d| {
            d["claims"][0]["cn_wallet"]["type"] = json!("integer")
        }),
        (
            "claims[0].cn_wallet must give exactly one of format and derived",
            |d| d["claims"][0]["cn_wallet"]["derived"] = json!({"age_over": 18, "from": "x"}),
        ),
        ("cn_wallet.rules[0].rule is not a known rule", |d| {
            d["cn_wallet"]["rules"][0]["rule"] = json!("not_after_death")
        }),
        ("cn_wallet.rules[1].id_claim must name a claim", |d| {
            d["cn_wallet"]["rules"][1]["id_claim"] = json!("spouse_name")
        }),
        (
            "cn_wallet.rules[2] has a member this version does not know",
            |d| d["cn_wallet"]["rules"][2]["id_claim"] = json!("holder_id_number"),
        ),
        ("cn_wallet.short_name must be lowercase", |d| {
            d["cn_wallet"]["short_name"] = json!("Marriage")
        }),
        ("cn_wallet.default_validity_days must be", |d| {
            d["cn_wallet"]["default_validity_days"] = json!(0)
        }),
        ("cn_wallet.validity_ends_with[0] must name a claim", |d| {
            d["cn_wallet"]["validity_ends_with"] = json!(["spouse_name"])
        }),
        ("cn_wallet has a member this version does not know", |d| {
            d["cn_wallet"]["revocable"] = json!(true)
        }),
        ("claims must hold 1 to 128 claims", |d| {
            d["claims"] = json!([])
        }),
        ("display[1].name must not contain control", |d| {
            d["display"][1]["name"] = json!("Marriage\u{202e}")
        }),
    ];
    for (expected, edit) in cases {
        let mut doc = marriage();
        edit(&mut doc);
        let message = refused(&doc);
        assert!(
            message.contains(expected),
            "{expected:?} not in {message:?}"
        );
    }
}

#[test]
fn derived_claims_are_checked() {
    let mut doc = marriage();
    doc["claims"].as_array_mut().unwrap().push(json!({
        "path": ["holder_age_over_18"],
        "display": [{"locale": "zh-CN", "label": "年满18周岁"}, {"locale": "en", "label": "18+"}],
        "sd": "always",
        "cn_wallet": {"type": "boolean", "derived": {"age_over": 18, "from": "holder_birth_date"}}
    }));
    let t = parse_document(&serde_json::to_vec(&doc).unwrap(), false).unwrap();
    let claims: serde_json::Map<String, Value> = serde_json::from_str(MARRIAGE_CLAIMS).unwrap();
    assert_eq!(
        t.prepare_claims(&claims, NOW).unwrap()["holder_age_over_18"],
        json!(true)
    );
    doc["claims"][8]["cn_wallet"]["derived"]["from"] = json!("spouse_name");
    assert!(refused(&doc).contains("derived.from must name a non-derived claim of format date"));
    doc["claims"][8]["cn_wallet"]["derived"]["from"] = json!("holder_birth_date");
    doc["claims"][8]["mandatory"] = json!(true);
    assert!(refused(&doc).contains("cannot be mandatory"));
}

#[test]
fn hostile_octets_are_refused_not_panicked_on() {
    for bytes in [
        &b""[..],
        b"[]",
        b"{\"vct\":\"a\",\"vct\":\"b\"}",
        b"\xff\xfe",
        b"{\"vct\": 1}",
    ] {
        let e = parse_document(bytes, false).unwrap_err();
        assert_eq!(e.code(), "catalogue.invalid_document");
    }
    let big = vec![b' '; MAX_DOCUMENT_BYTES + 1];
    assert!(
        parse_document(&big, false)
            .unwrap_err()
            .to_string()
            .contains("larger than")
    );
}

#[test]
fn type_set_adds_once_and_refuses_conflicts() {
    let mut set = TypeSet::new();
    assert_eq!(set.iter().count(), 8);
    set.add_document(MARRIAGE.as_bytes()).unwrap();
    // The same octets again: nothing changes.
    set.add_document(MARRIAGE.as_bytes()).unwrap();
    assert_eq!(set.added().len(), 1);
    assert_eq!(
        set.lookup("结婚证").unwrap().short_name,
        "marriage-certificate"
    );
    assert_eq!(
        set.lookup("结婚登记证").unwrap().short_name,
        "marriage-certificate"
    );
    // Different octets for the same vct: a conflict, whichever set holds the first.
    let mut changed = marriage();
    changed["name"] = json!("Marriage certificate, edited");
    let e = set
        .add_document(&serde_json::to_vec(&changed).unwrap())
        .unwrap_err();
    assert_eq!(e.code(), "catalogue.type_conflict");
    // A built-in document added again is a no-op; a different one with its vct a conflict.
    set.add_document(DOCUMENTS[0].as_bytes()).unwrap();
    assert_eq!(set.added().len(), 1);
    let mut id: Value = serde_json::from_str(DOCUMENTS[0]).unwrap();
    id["name"] = json!("edited");
    let e = set
        .add_document(&serde_json::to_vec(&id).unwrap())
        .unwrap_err();
    assert_eq!(e.code(), "catalogue.type_conflict");
    // The built-in lookups do not see added types.
    assert!(lookup("结婚证").is_err());
}

#[test]
fn sri_integrity_uses_the_strongest_algorithm() {
    use base64::Engine as _;
    use sha2::Digest as _;
    let doc = MARRIAGE.as_bytes();
    let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
    let s256 = format!("sha256-{}", b64(&sha2::Sha256::digest(doc)));
    let s384 = format!("sha384-{}", b64(&sha2::Sha384::digest(doc)));
    let s512 = format!("sha512-{}", b64(&sha2::Sha512::digest(doc)));
    let wrong512 = format!("sha512-{}", b64(&sha2::Sha512::digest(b"other")));
    assert_eq!(integrity_of(doc), s256);
    for good in [&s256, &s384, &s512] {
        assert!(integrity_matches(good, doc));
        assert!(!integrity_matches(good, b"other"));
    }
    // Options are ignored; several expressions of the strongest algorithm: any may match.
    assert!(integrity_matches(&format!("{s256}?ct=json"), doc));
    assert!(integrity_matches(&format!("{wrong512} {s512}"), doc));
    // Only the strongest algorithm counts: a right sha256 beside a wrong sha512 fails.
    assert!(!integrity_matches(&format!("{s256} {wrong512}"), doc));
    // Unknown algorithms are skipped; none supported matches nothing.
    assert!(integrity_matches(&format!("md5-AAAA {s384}"), doc));
    assert!(!integrity_matches("md5-AAAA", doc));
    assert!(!integrity_matches("", doc));
    assert!(!integrity_matches("sha256-not base64!", doc));
}

/// The published built-in documents, byte for byte: trust lists pin these integrity strings,
/// so a changed document (an edit, or a checkout that converted line endings: see
/// .gitattributes) would make every verifier refuse that type. A change gets a new `vct`.
#[test]
fn built_in_documents_are_the_published_ones() {
    let published = [
        (
            "resident-id",
            "sha256-hFJ4Xz9om5ew5LUzMdxPDB0s8+C5wlag62Tt4y9CrJI=",
        ),
        (
            "driving-licence",
            "sha256-SnhLMEe3I3VLhsGxjaIlXtTUFUrDmTWqeWWkLv3ogTc=",
        ),
        (
            "vehicle-licence",
            "sha256-WqNXu664lWXGK4fCz2p6Ze32ywPlqsuzTUdeU1hJu+c=",
        ),
        (
            "household-register",
            "sha256-r6qNaAY0jSXtkpVCnyr0B0Ris2pv/t6H9fkzsrTEsTc=",
        ),
        (
            "real-estate-title",
            "sha256-cS4/QDf4H96xUUZMwmvuktSYh8qtJuWHJTac/pSm1e4=",
        ),
        (
            "social-security-card",
            "sha256-7NKBsIPZe9z+Gs+arbpIp1Zr/M1tGst+6v1zb+USIKc=",
        ),
        (
            "passport",
            "sha256-w10fKbTaW3LfQmMPSwvpHgckKnqlunuxpLTUQ1WZe/U=",
        ),
        (
            "business-licence",
            "sha256-1AUSCAW4F4c7kCyS03Zc9gq6CMnYrsvj0ldQaAnNXL8=",
        ),
    ];
    let actual: Vec<(&str, &str)> = all()
        .iter()
        .map(|t| (t.short_name.as_str(), t.integrity()))
        .collect();
    assert_eq!(actual, published);
}

#[test]
fn display_names_and_aliases_lead_to_one_type() {
    let mut doc = marriage();
    doc["cn_wallet"]["aliases"] = json!(["驾驶证"]);
    let mut set = TypeSet::new();
    let e = set
        .add_document(&serde_json::to_vec(&doc).unwrap())
        .unwrap_err();
    assert_eq!(e.code(), "catalogue.type_conflict");
    let mut doc = marriage();
    doc["display"][0]["name"] = json!("居民身份证");
    assert_eq!(
        set.add_document(&serde_json::to_vec(&doc).unwrap())
            .unwrap_err()
            .code(),
        "catalogue.type_conflict"
    );
}
