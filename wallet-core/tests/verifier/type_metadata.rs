//! Credential types as data at the verifier (draft-ietf-oauth-sd-jwt-vc "Type Metadata"): a type
//! learned from the trust list alone labels its claims; the claim metadata rules (`sd: never`,
//! `sd: always`, `mandatory`) refuse credentials that break them; and a type without a document,
//! or whose document does not match the list's `vct#integrity`, is refused — each with its code.

use crate::support::trust::*;
use serde_json::{Map, Value, json};
use wallet_core::credential::catalogue::{CredentialType, TypeSet};
use wallet_core::holder::{KeyBindingRequest, present};
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::sdjwt::{ClaimPath, DecoyPolicy};
use wallet_core::trust::{StalePolicy, TrustListBuilder, VerifiedTrustList};
use wallet_core::verifier::verify_presentation;

const NOW: i64 = T0 + DAY;
const CIVIL: &str = "https://mzj.sh.gov.cn";
const MARRIAGE: &str = include_str!("../../../docs/types/marriage-certificate.json");
const MARRIAGE_CLAIMS: &str = include_str!("../../../docs/types/marriage-certificate.claims.json");

fn civil_key() -> wallet_core::keys::SigningKey {
    key("civil affairs bureau 2026")
}

fn marriage() -> CredentialType {
    let mut set = TypeSet::new();
    set.add_document(MARRIAGE.as_bytes()).unwrap().clone()
}

/// The civil affairs bureau listed for the marriage certificate (its document carried in the
/// list), after `authorise` has run.
fn list_with(authorise: impl FnOnce(&mut TrustListBuilder)) -> VerifiedTrustList {
    let mut b = TrustListBuilder::new(LIST_ID, 1);
    b.add_issuer(CIVIL, "上海市民政局", "Shanghai Civil Affairs Bureau", &[])
        .unwrap()
        .add_key(CIVIL, &civil_key().verifying_key(), T0 - DAY, None)
        .unwrap();
    authorise(&mut b);
    let token = b.sign(T0, T0 + 7 * DAY, &root()).unwrap();
    VerifiedTrustList::verify(&token, &root().verifying_key(), NOW, 60, StalePolicy::Fail).unwrap()
}

fn listed() -> VerifiedTrustList {
    list_with(|b| {
        b.authorise_type(CIVIL, &marriage()).unwrap();
    })
}

fn request() -> CredentialRequest {
    let claims: Map<String, Value> = serde_json::from_str(MARRIAGE_CLAIMS).unwrap();
    CredentialRequest::for_type(&marriage(), CIVIL, &claims, holder().verifying_key(), T0)
        .unwrap()
        .without_status()
}

/// Issues `request` and presents it disclosing `disclose`, with key binding.
fn shown(request: &CredentialRequest, disclose: &[&str]) -> String {
    let credential = issue_credential(request, &civil_key(), &mut rng(7)).unwrap();
    let paths: Vec<ClaimPath> = disclose.iter().map(|n| ClaimPath::top(n)).collect();
    let kb = KeyBindingRequest {
        audience: AUD.into(),
        nonce: NONCE.into(),
        issued_at: NOW,
    };
    present(&credential, &paths, Some(&kb), &holder()).unwrap()
}

fn code(list: &VerifiedTrustList, presentation: &str) -> String {
    match verify_presentation(presentation, list, &policy(NOW)) {
        Ok(_) => "ok".into(),
        Err(e) => e.code().into(),
    }
}

#[test]
fn type_learned_from_the_trust_list_labels_in_chinese() {
    // A verifier with no types of its own: the list carries the document.
    let list = listed();
    assert!(list.types().by_name("marriage-certificate").is_ok());
    let report = verify_presentation(
        &shown(
            &request(),
            &["holder_name", "spouse_name", "registration_date"],
        ),
        &list,
        &policy(NOW),
    )
    .unwrap();
    assert_eq!(report.type_name.as_deref(), Some("marriage-certificate"));
    assert_eq!(report.type_name_zh.as_deref(), Some("结婚证"));
    let labels: Vec<(&str, &str)> = report
        .disclosed
        .iter()
        .map(|c| (c.path.as_str(), c.label_zh.as_deref().unwrap()))
        .collect();
    assert_eq!(
        labels,
        [
            ("holder_name", "持证人"),
            ("registration_date", "登记日期"),
            ("spouse_name", "配偶姓名")
        ]
    );
    // The sd: never claim is plain in the payload, visible without a disclosure.
    assert_eq!(report.claims["certificate_number"], "J310115-2021-005201");
}

#[test]
fn sd_never_claim_in_a_disclosure_is_refused() {
    let mut r = request();
    r.disclosable.push(ClaimPath::top("certificate_number"));
    assert_eq!(
        code(&listed(), &shown(&r, &["certificate_number"])),
        "vc.claim_must_not_be_disclosable"
    );
    // Undisclosed, it is missing from view; the mandatory rule cannot tell it from a hidden
    // one, but sd: never says it cannot be hidden: refused as missing.
    assert_eq!(
        code(&listed(), &shown(&r, &[])),
        "vc.mandatory_claim_missing"
    );
}

#[test]
fn sd_always_claim_in_the_signed_payload_is_refused() {
    let mut r = request();
    r.disclosable
        .retain(|p| *p != ClaimPath::top("holder_name"));
    assert_eq!(
        code(&listed(), &shown(&r, &[])),
        "vc.claim_must_be_disclosable"
    );
    // sd: allowed (registry_office) may be either.
    let mut r = request();
    r.disclosable
        .retain(|p| *p != ClaimPath::top("registry_office"));
    assert_eq!(code(&listed(), &shown(&r, &[])), "ok");
}

#[test]
fn mandatory_claims_missing_only_when_provably_absent() {
    // An undisclosed mandatory claim is not a missing one.
    assert_eq!(code(&listed(), &shown(&request(), &[])), "ok");
    // A mandatory sd: never claim the issuer left out is provably missing.
    let mut r = request();
    r.claims.remove("certificate_number");
    assert_eq!(
        code(&listed(), &shown(&r, &[])),
        "vc.mandatory_claim_missing"
    );
    // A selectively disclosable one is provably missing only when no digest is left undisclosed
    // (no decoys, everything disclosed).
    let mut r = request();
    r.claims.remove("registry_office");
    r.disclosable
        .retain(|p| *p != ClaimPath::top("registry_office"));
    r.decoys = DecoyPolicy::None;
    let all: Vec<&str> = [
        "holder_name",
        "registration_date",
        "holder_id_number",
        "holder_birth_date",
        "spouse_name",
        "spouse_id_number",
    ]
    .to_vec();
    assert_eq!(
        code(&listed(), &shown(&r, &all)),
        "vc.mandatory_claim_missing"
    );
    assert_eq!(code(&listed(), &shown(&r, &all[1..])), "ok");
}

#[test]
fn type_without_a_document_is_refused() {
    // Authorised by vct alone, with no document carried or built in.
    let list = list_with(|b| {
        b.authorise(CIVIL, "urn:cn-wallet:marriage-certificate:1")
            .unwrap();
    });
    assert_eq!(code(&list, &shown(&request(), &[])), "vc.unknown_type");
    // The same list with the verifier's own copy of the document: verified.
    let mut list = list;
    let mut local = TypeSet::new();
    local.add_document(MARRIAGE.as_bytes()).unwrap();
    list.add_types(&local).unwrap();
    assert_eq!(code(&list, &shown(&request(), &[])), "ok");
}

#[test]
fn document_not_matching_the_pinned_integrity_is_refused() {
    let ty = marriage();
    // The list pins another version of the document (one digit of the digest changed) and
    // carries none; the verifier's own copy does not match the pin.
    let mut other = ty.integrity().to_owned();
    let last = if other.ends_with('A') { "B=" } else { "A=" };
    other.truncate(other.len() - 2);
    other.push_str(last);
    let mut list = list_with(|b| {
        b.authorise_pinned(CIVIL, &ty.vct, &other).unwrap();
    });
    let mut local = TypeSet::new();
    local.add_document(MARRIAGE.as_bytes()).unwrap();
    list.add_types(&local).unwrap();
    assert_eq!(
        code(&list, &shown(&request(), &[])),
        "vc.type_integrity_mismatch"
    );
    // Pinned with the right integrity (as sha384, not the builder's own sha256 text): verified.
    use base64::Engine as _;
    use sha2::Digest as _;
    let sha384 = format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha384::digest(MARRIAGE))
    );
    let mut list = list_with(|b| {
        b.authorise_pinned(CIVIL, &ty.vct, &sha384).unwrap();
    });
    list.add_types(&local).unwrap();
    assert_eq!(code(&list, &shown(&request(), &[])), "ok");
}

#[test]
fn built_in_types_are_pinned_and_carried_by_the_builder() {
    let list = verified_builder_list();
    let entry = list.issuer(PSB).unwrap();
    let id = wallet_core::credential::catalogue::by_name("resident-id").unwrap();
    assert_eq!(entry.integrity[&id.vct], id.integrity());
    assert!(
        list.list()
            .type_documents
            .iter()
            .any(|d| d == id.document())
    );
    // A built-in business licence with its sd: never claim disclosed is refused even without a
    // trust list (the built-in document applies wherever the vct is known).
    let t = wallet_core::credential::catalogue::by_name("business-licence").unwrap();
    let mut r =
        CredentialRequest::for_type(t, PSB, &t.example_claims(), holder().verifying_key(), T0)
            .unwrap()
            .without_status();
    r.disclosable.push(ClaimPath::top("uscc"));
    let credential = issue_credential(&r, &psb_key(), &mut rng(3)).unwrap();
    let kb = KeyBindingRequest {
        audience: AUD.into(),
        nonce: NONCE.into(),
        issued_at: NOW,
    };
    let shown = present(&credential, &[ClaimPath::top("uscc")], Some(&kb), &holder()).unwrap();
    let mut issuers = wallet_core::trust::StaticIssuers::new();
    issuers.add(PSB, psb_key().verifying_key());
    let e = verify_presentation(&shown, &issuers, &policy(NOW)).unwrap_err();
    assert_eq!(e.code(), "vc.claim_must_not_be_disclosable");
}

fn verified_builder_list() -> VerifiedTrustList {
    VerifiedTrustList::verify(
        &signed_list(&builder(1)),
        &root().verifying_key(),
        NOW,
        60,
        StalePolicy::Fail,
    )
    .unwrap()
}

#[test]
fn a_carried_document_this_verifier_cannot_read_refuses_only_its_type() {
    // A list signed by a newer operator tool carrying a document with a rule this version does
    // not know: the list still loads, its other types verify, that type is unknown.
    let mut doc: Value = serde_json::from_str(MARRIAGE).unwrap();
    doc["cn_wallet"]["rules"][0]["rule"] = json!("a_rule_from_the_future");
    let future = serde_json::to_string(&doc).unwrap();
    let mut list = wallet_core::trust::TrustList::from_payload(
        serde_json::from_str::<Value>(&format!(
            r#"{{"list_id":"{LIST_ID}","seq":1,"iat":{T0},"next_update":{},"issuers":[]}}"#,
            T0 + 7 * DAY
        ))
        .unwrap()
        .as_object()
        .unwrap(),
    )
    .unwrap();
    list.type_documents.push(future);
    assert!(list.types().is_err(), "the operator's side is strict");
    assert_eq!(list.types_for_verifier().added().len(), 0);
}

#[test]
fn signing_refuses_a_pin_that_contradicts_the_carried_document() {
    let ty = marriage();
    let mut b = TrustListBuilder::new(LIST_ID, 1);
    b.add_issuer(CIVIL, "上海市民政局", "Shanghai Civil Affairs Bureau", &[])
        .unwrap()
        .authorise_type(CIVIL, &ty)
        .unwrap()
        .authorise_pinned(
            CIVIL,
            &ty.vct,
            "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        )
        .unwrap();
    let e = b.sign(T0, T0 + DAY, &root()).unwrap_err();
    assert_eq!(e.code(), "trust.malformed");
}

#[test]
fn drafts_keep_every_pin_as_written() {
    use base64::Engine as _;
    use sha2::Digest as _;
    let ty = marriage();
    let sha384 = format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha384::digest(MARRIAGE))
    );
    let mut b = TrustListBuilder::new(LIST_ID, 1);
    b.add_issuer(CIVIL, "上海市民政局", "Shanghai Civil Affairs Bureau", &[])
        .unwrap()
        .authorise_type(CIVIL, &ty)
        .unwrap()
        .authorise_pinned(CIVIL, &ty.vct, &sha384)
        .unwrap();
    b.add_issuer(PSB, "上海市公安局", "Shanghai PSB", &[])
        .unwrap()
        .authorise_pinned(PSB, "urn:example:elsewhere:1", "sha256-AAAA")
        .unwrap();
    let again = wallet_core::issuer::trust_draft::builder_from(b.list()).unwrap();
    assert_eq!(again.list().issuers, b.list().issuers);
    assert_eq!(again.list().type_documents, b.list().type_documents);
}
