//! Keeps the documentation honest: the credential-type catalogue page is generated from the
//! code, and every error code in the source is listed in docs/errors.md (and nothing else is).
//! Set `UPDATE_DOCS=1` to rewrite docs/credential-types.md.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn credential_types_doc_matches_catalogue() {
    let path = root().join("docs/credential-types.md");
    let generated = wallet_core::credential::catalogue::render_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/credential-types.md is out of date: run UPDATE_DOCS=1 cargo test -p wallet-core --test docs"
    );
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every code wallet-core can return: its one error table (`wallet_core::error::ERRORS`), which
/// each layer's error enum maps its variants into.
fn codes_in_source() -> BTreeSet<String> {
    wallet_core::error::ERRORS
        .iter()
        .map(|info| info.code.to_owned())
        .collect()
}

#[test]
fn error_codes_are_documented() {
    let doc = std::fs::read_to_string(root().join("docs/errors.md")).unwrap();
    let documented: BTreeSet<String> = doc
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| l.split('`').nth(1).map(str::to_owned))
        .collect();
    let source = codes_in_source();
    assert!(
        source.len() >= 60,
        "only {} codes found in source",
        source.len()
    );
    let missing: Vec<_> = source.difference(&documented).collect();
    let stale: Vec<_> = documented.difference(&source).collect();
    assert!(
        missing.is_empty(),
        "codes missing from docs/errors.md: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "codes in docs/errors.md that no longer exist: {stale:?}"
    );
}

/// A row of the error table that no error enum maps a variant to would be a code the library
/// documents but can never return.
#[test]
fn every_code_in_the_table_is_returned_by_some_error() {
    let mut files = Vec::new();
    rust_files(&root().join("wallet-core/src"), &mut files);
    let mut used = BTreeSet::new();
    for file in files.iter().filter(|f| !f.ends_with("src/error.rs")) {
        let text = std::fs::read_to_string(file).unwrap();
        for piece in text.split("codes::").skip(1) {
            let name: String = piece
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            used.insert(name);
        }
    }
    let unused: Vec<_> = wallet_core::error::ERRORS
        .iter()
        .map(|info| info.code)
        .filter(|code| !used.contains(&code.replace('.', "_").to_uppercase()))
        .collect();
    assert!(unused.is_empty(), "codes no error returns: {unused:?}");
}
