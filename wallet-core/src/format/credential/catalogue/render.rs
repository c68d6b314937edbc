//! The Markdown rendering of the catalogue committed as `docs/credential-types.md` (a test in
//! `tests/docs.rs` compares the file with [`render_markdown`], so the documentation cannot drift
//! from the tables and rules it describes).
//!
//! It reads the static table and the validation rules directly and nothing reads it back, which
//! keeps the catalogue's module graph one-directional.

use super::tables::TYPES;
use super::types::{CredentialType, Format, RESERVED_CLAIMS};
use super::validate::{DATE_ORDER, RULE_BIRTH_AFTER_ISSUANCE};

/// Markdown for docs/credential-types.md generated from the catalogue (a test elsewhere
/// compares the committed file with it).
pub fn render_markdown() -> String {
    let mut out = String::new();
    out.push_str("# Credential types\n\n");
    out.push_str(
        "<!-- Generated from wallet-core/src/format/credential/catalogue/ by `render_markdown()`; do not edit by hand. -->\n\n",
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
    for t in &TYPES {
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

    for t in &TYPES {
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
    for c in TYPES.iter().flat_map(|t| t.claims.iter()) {
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

/// How the sex-versus-ID-number rule reads in the documentation (the error says "does not match").
const DOC_SEX_VS_ID: &str = "must equal the sex encoded in the resident ID number \
     (17th digit: odd for male, even for female)";

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
