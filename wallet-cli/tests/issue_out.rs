//! A `wallet issue --out FILE` that cannot write its file (it exists and `--force` is not
//! given, or its directory does not exist) fails before a status index is allocated: the
//! registry's allocation count and the issuance log stay as they were, so no index is spent
//! on a credential nobody receives. And a successful one creates the file with mode 0600.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod support;

use std::path::Path;
use std::process::{Command, Output};

fn wallet(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wallet"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn issue(dir: &Path, out: &str) -> Output {
    let args: Vec<&str> = support::ISSUE_LICENCE
        .into_iter()
        .chain(["--out", out])
        .collect();
    wallet(dir, &args)
}

/// (allocated indices, issuance-log lines)
fn spent(dir: &Path) -> (u64, usize) {
    let registry = wallet_core::issuer::StatusRegistry::load(&dir.join("status.registry")).unwrap();
    let log = std::fs::read_to_string(dir.join("status.registry.issued.jsonl")).unwrap_or_default();
    (registry.allocated_count(), log.lines().count())
}

#[test]
fn a_failed_out_spends_no_index() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for name in ["agency.pem", "claims-dl.json", "holder1.pub.jwk"] {
        std::fs::copy(Path::new("tests/fixtures").join(name), d.join(name)).unwrap();
    }
    let init = wallet(
        d,
        &[
            "status",
            "init",
            "--uri",
            "https://x/status/3",
            "--out",
            "status.registry",
        ],
    );
    assert_eq!(init.status.code(), Some(0));
    std::fs::write(d.join("taken.sd-jwt"), "not mine\n").unwrap();
    let before = spent(d);

    let out = issue(d, "taken.sd-jwt");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("credential file taken.sd-jwt already exists"),
        "{stderr}"
    );
    assert_eq!(spent(d), before, "an existing --out file spent an index");
    assert_eq!(
        std::fs::read_to_string(d.join("taken.sd-jwt")).unwrap(),
        "not mine\n"
    );

    let out = issue(d, "no-such-dir/new.sd-jwt");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no-such-dir/new.sd-jwt"), "{stderr}");
    assert_eq!(spent(d), before, "a bad --out directory spent an index");

    let out = issue(d, ".");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(spent(d), before, "a directory as --out spent an index");

    // No temporary file is left behind by the refusals.
    let leftovers: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // The same command with a free name works and spends exactly one index and one log line.
    let out = issue(d, "new.sd-jwt");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(spent(d), (before.0 + 1, before.1 + 1));
    let text = std::fs::read_to_string(d.join("new.sd-jwt")).unwrap();
    assert!(text.trim_end().ends_with('~'));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(d.join("new.sd-jwt"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
