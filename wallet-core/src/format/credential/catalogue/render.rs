//! The Markdown rendering of the catalogue committed as `docs/credential-types.md` (a test in
//! `tests/docs.rs` compares the file with [`render_markdown`], so the documentation cannot drift
//! from the tables and rules it describes).
//!
//! It reads the built-in type documents and the validation rules directly and nothing reads it
//! back, which keeps the catalogue's module graph one-directional. [`types_json`] is the
//! versioned JSON listing of a set of types (`wallet types --json`).

use serde_json::{Value, json};

use super::builtin;
use super::document::FORMAT_NAMES;
use super::set::TypeSet;
use super::types::{CredentialType, Format, RESERVED_CLAIMS, Rule};
use super::validate::RULE_BIRTH_AFTER_ISSUANCE;

/// Version of the [`types_json`] object; a change that removes or renames a member bumps it.
pub const TYPES_JSON_VERSION: u32 = 1;

/// One versioned object listing the types of `set`: `{"version", "types": [{"short_name",
/// "vct", "builtin", "integrity", "document"}]}`, where `document` is the Type Metadata document
/// itself (as JSON; `integrity` covers its exact octets, which `wallet types show` prints).
pub fn types_json(set: &TypeSet) -> Value {
    let types: Vec<Value> = set
        .iter()
        .map(|t| {
            let document: Value =
                serde_json::from_str(t.document()).unwrap_or_else(|_| Value::from(t.document()));
            json!({
                "short_name": t.short_name,
                "vct": t.vct,
                "builtin": t.builtin,
                "integrity": t.integrity(),
                "document": document,
            })
        })
        .collect();
    json!({"version": TYPES_JSON_VERSION, "types": types})
}

/// Markdown for docs/credential-types.md generated from the catalogue (a test elsewhere
/// compares the committed file with it).
pub fn render_markdown() -> String {
    let mut out = String::new();
    out.push_str("# Credential types\n\n");
    out.push_str(
        "<!-- Generated from wallet-core/src/format/credential/catalogue/ by `render_markdown()`; do not edit by hand. -->\n\n",
    );
    out.push_str(
        "Credential types are data: each is an SD-JWT VC Type Metadata document \
         (draft-ietf-oauth-sd-jwt-vc, \"SD-JWT VC Type Metadata\"). The eight built-in ones \
         below ship embedded (`wallet-core/types/*.json`); an agency adds its own from a file \
         with no release (\"Adding a type\" below), and verifiers learn it from the trust list \
         (\"Types in the trust list\"). Each built-in `vct` has the form \
         `urn:cn-wallet:<short-name>:<schema-version>`; a change to the meaning or validation \
         of a claim bumps the schema version, never edits a published document in place.\n\n",
    );
    out.push_str(
        "| Short name | `vct` | 名称 | Name | Claims | Max disclosable | Default validity (days) |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|\n");
    let types = builtin::types();
    for t in types {
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

    for t in types {
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
        for c in &t.claims {
            let required = if c.derived() {
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
                if c.disclosable() { "yes" } else { "no" },
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

    out.push_str(TYPE_DOCUMENTS);
    out.push_str("\n## Formats\n\n");
    out.push_str(
        "Every string claim must be 1 to 256 characters (2000 for long text), not blank, and free \
         of control, line-separator and bidirectional-formatting characters; any other Unicode, \
         emoji included, is accepted. Dates are checked against the Gregorian calendar.\n\n",
    );
    out.push_str("| `cn_wallet.format` | Format | Rule |\n|---|---|---|\n");
    for (document_name, format) in FORMAT_NAMES {
        out.push_str(&format!(
            "| `{document_name}` | {} | {} |\n",
            format.name(),
            format.rule()
        ));
    }
    let age = Format::AgeOver(18);
    out.push_str(&format!(
        "| `derived: {{\"age_over\": N, \"from\": C}}` | {} | {} |\n",
        age.name(),
        age.rule().replace("birth_date", "the date claim C")
    ));

    out.push_str("\n## Reserved claim names\n\n");
    out.push_str(
        "These names belong to the JWT / SD-JWT VC envelope and are rejected as credential claims: ",
    );
    let reserved: Vec<String> = RESERVED_CLAIMS.iter().map(|r| format!("`{r}`")).collect();
    out.push_str(&reserved.join(", "));
    out.push_str(".\n");
    out
}

/// How the sex-versus-ID-number rule reads in the documentation (the error says "does not match").
const DOC_SEX_VS_ID: &str = "must equal the sex encoded in the resident ID number \
     (17th digit: odd for male, even for female)";

impl CredentialType {
    /// The cross-field rules that apply to this type, as `(field, rule)`, for documentation.
    fn cross_field_rules(&self) -> Vec<(&str, String)> {
        let mut rules: Vec<(&str, String)> = self
            .rules
            .iter()
            .map(|r| {
                let text = match r {
                    Rule::NotAfterIssuance { .. } => RULE_BIRTH_AFTER_ISSUANCE.to_owned(),
                    Rule::NotBefore { other, .. } => format!("must not be before {other}"),
                    Rule::ResidentIdBirthDate { .. } => DOC_BIRTH_VS_ID.to_owned(),
                    Rule::ResidentIdSex { .. } => DOC_SEX_VS_ID.to_owned(),
                };
                (r.claim(), text)
            })
            .collect();
        for c in &self.claims {
            if let Some(from) = &c.derived_from {
                rules.push((
                    &c.name,
                    format!("computed by the issuer from {from}; must not be supplied"),
                ));
            }
        }
        rules
    }
}

/// How the birth-date-versus-ID-number rule reads in the documentation (the error says "does
/// not match").
const DOC_BIRTH_VS_ID: &str =
    "must equal the birth date encoded in the resident ID number (digits 7 to 14)";

/// The documentation of the documents themselves: members, our extension, rules, adding a type
/// and the trust list's part.
const TYPE_DOCUMENTS: &str = r#"
## Type documents

A type document is a JSON object with the draft's members — `vct`; `name` and `description`
(for developers); `display[]`, one entry per `locale` (RFC 5646; the deprecated `lang` is
refused) with the user-facing `name`; `claims[]`, each with `path`, `display[]` (`locale`,
`label`), `sd` (`always`, `allowed` or `never`; default `allowed`) and `mandatory` (default
`false`) — and one extension member, `cn_wallet`, at the top level and in each claim, for what
the draft has no member for. This wallet's profile of the draft: every `display` list has a
`zh-CN` and an `en` entry (verifiers show either); a claim's `path` is one member name (claims
are top-level); `extends` is refused (a type must be self-contained to be checked offline);
documents are at most 64 KiB with at most 128 claims. Members the draft does not define are
ignored, as it requires — except inside `cn_wallet`, where an unknown member is an error, so a
misspelt rule is caught by `wallet types check` instead of silently not applied. Our documents
pass the Type Metadata schema of `@sd-jwt/sd-jwt-vc` (a CI gate).

| Member | Meaning |
|---|---|
| `claims[].cn_wallet.type` | JSON type of the value: `string`, `boolean`, `number` or `integer` |
| `claims[].cn_wallet.format` | name of the value format checked at issuance (table "Formats"); an unknown name is an error |
| `claims[].cn_wallet.derived` | instead of `format`: `{"age_over": N, "from": C}`, a boolean the issuer computes from the date claim `C` (never supplied, never `mandatory`) |
| `cn_wallet.short_name` | the name used on command lines (lowercase letters, digits, `-`) |
| `cn_wallet.aliases` | other names people use (e.g. `驾驶证`) |
| `cn_wallet.default_validity_days` | lifetime of an issued credential (1 to 3650 days) |
| `cn_wallet.validity_ends_with` | the date claims that end the document's own validity (`exp` is capped to the earliest) |
| `cn_wallet.status_required` | whether a credential must be revocable (default `true`) |
| `cn_wallet.rules` | cross-field rules, checked at issuance in this order (table below) |

| Rule | Members | Checks |
|---|---|---|
| `not_after_issuance` | `claim` (date) | the date is not after the issuance date |
| `not_before` | `claim`, `other` (dates) | `claim` is not before `other` (`长期` satisfies any order) |
| `resident_id_birth_date` | `claim` (date), `id_claim` (resident ID number) | the date equals the birth date encoded in the ID number |
| `resident_id_sex` | `claim` (sex), `id_claim` (resident ID number) | the sex equals the one encoded in the ID number |

At issuance, claims with `sd: always` or `allowed` become disclosures and `never` ones stay in
the signed payload. A verifier applies the draft's claim metadata rules to every credential whose
type it knows: a claim with `sd: never` in a disclosure is refused
(`vc.claim_must_not_be_disclosable`), one with `sd: always` in the signed payload too
(`vc.claim_must_be_disclosable`), and a `mandatory` claim that is provably absent — not visible
and unable to hide in an undisclosed digest (an `sd: never` claim, or no digest left undisclosed)
— is refused as `vc.mandatory_claim_missing`; an undisclosed claim is not a missing one.

## Adding a type

An agency adds a type from a file, with no release. `wallet types check FILE` reads and checks a
document (and that its `vct` and short name are free) and prints its integrity;
`wallet types add FILE --types-dir DIR` also copies it into the types directory, which every
command that names a type reads (`--types-dir DIR` or `WALLET_TYPES_DIR`). The walk-through with
the example 结婚证 document, `docs/types/marriage-certificate.json` (the CLI test
`wallet-cli/tests/cmd/walkthrough/types.trycmd` runs it):

```console
$ wallet types check marriage-certificate.json
$ wallet types add marriage-certificate.json --types-dir types
$ wallet trust add-issuer --list trust-list.draft.json --iss https://mzj.sh.gov.cn     --name-zh 上海市民政局 --name-en "Shanghai Civil Affairs Bureau"     --key civil.pub.jwk --types 结婚证 --types-dir types
$ wallet trust sign --list trust-list.draft.json --root-key root.pem --out trust-list.jwt
$ wallet issue --type 结婚证 --types-dir types --claims marriage-claims.json     --issuer-key civil.pem --iss https://mzj.sh.gov.cn --holder-jwk holder.pub.jwk --no-status
$ wallet verify --trust-list trust-list.jwt --trust-root root.pub.jwk --lang zh …
```

The verifier in the last step has no types directory: it learns the type, with its Chinese
labels, from the trust list. A published document is never edited: a change gets a new `vct`
(bump the version) and short name; `wallet types add` refuses a different document for a `vct`
or short name already known (`catalogue.type_conflict`).

## Types in the trust list

The trust list names, for each issuer, the types it may issue (`vct`) and pins each type's
document by its W3C Subresource Integrity (`vct#integrity`: an object from `vct` to
`sha256-<base64 of the SHA-256 of the document's exact octets>`; sha384 and sha512 are accepted,
the strongest given counts). It carries the documents themselves (`type_metadata`: base64url of
each document's octets, once however many issuers may issue the type), signed with the rest of
the list, so an offline verifier — CLI, FFI, browser — has every type's labels and rules without
fetching anything. A verifier refuses a credential whose type has no document (neither carried
nor built in: `vc.unknown_type`) or whose document does not match the issuer's pin
(`vc.type_integrity_mismatch`); a list may also pin a document without carrying it, for
documents distributed beside the list.

This is our extension of the draft, which puts `vct#integrity` in the credential. We keep it out
of the credential: it would cost every QR code about 60 characters for what the root-signed list
already says, and the list is where a verifier decides which issuer may issue which type. Lists
written before types were data have no pins; their types resolve to the built-in documents.
"#;
