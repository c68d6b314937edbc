//! Helpers shared by the CLI's integration tests (each test file is its own binary and
//! includes this module with `mod support;`).

#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;

/// Copies the directory `from` (the fixtures) to `to`, recursively, so a test can change files.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `wallet issue` of the fixtures' driving licence by the fixture agency, with its status
/// registry, at 2026-01-01 (the arguments after the binary name; add `--out` and others).
pub const ISSUE_LICENCE: [&str; 15] = [
    "issue",
    "--issuer-key",
    "agency.pem",
    "--iss",
    "https://ga.sh.gov.cn/issuer",
    "--type",
    "driving-licence",
    "--claims",
    "claims-dl.json",
    "--holder-jwk",
    "holder1.pub.jwk",
    "--status-registry",
    "status.registry",
    "--now",
    "2026-01-01T00:00:00Z",
];
