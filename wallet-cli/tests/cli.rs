//! CLI tests as data: every `tests/cmd/*.toml` case (and each step of a
//! `tests/cmd/walkthrough/*.trycmd` walk-through, in one sandbox made from its `*.in` directory)
//! runs the `wallet` binary with its arguments
//! (most against the fixtures in `tests/fixtures`, at fixed `--now` times) and compares the exit
//! code, stdout and stderr. `tests/fixtures/regenerate.sh` rebuilds the fixtures.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .case("tests/cmd/*.toml")
        .case("tests/cmd/walkthrough/*.trycmd");
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod batch {
    use serde_json::Value;
    use std::path::Path;
    use std::process::Command;

    fn copy_fixtures(to: &Path) {
        for name in ["agency.pem", "batch-bad.jsonl", "holder1.pub.jwk"] {
            std::fs::copy(Path::new("tests/fixtures").join(name), to.join(name)).unwrap();
        }
    }

    /// Good lines come out in input order with their line numbers and distinct status indices,
    /// each logged for revocation by id; bad lines are reported with line number and code.
    #[test]
    fn batch_output_order_errors_and_log() {
        let dir = tempfile::tempdir().unwrap();
        copy_fixtures(dir.path());
        let init = Command::new(env!("CARGO_BIN_EXE_wallet"))
            .current_dir(dir.path())
            .args([
                "status",
                "init",
                "--uri",
                "https://x/status/9",
                "--out",
                "status.registry",
            ])
            .args(["--capacity", "65536"])
            .output()
            .unwrap();
        assert_eq!(init.status.code(), Some(0));
        // 1,200 lines (several chunks, so the reordering is exercised) with a bad line every 100.
        let good = std::fs::read_to_string(dir.path().join("batch-bad.jsonl")).unwrap();
        let good = good.lines().next().unwrap().to_owned();
        let mut input = String::new();
        for i in 1..=1200 {
            if i % 100 == 0 {
                input.push_str("{\"claims\": 5}\n");
            } else {
                input.push_str(&good);
                input.push('\n');
            }
        }
        std::fs::write(dir.path().join("in.jsonl"), input).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_wallet"))
            .current_dir(dir.path())
            .args([
                "issue-batch",
                "--issuer-key",
                "agency.pem",
                "--iss",
                "https://ga.sh.gov.cn/issuer",
            ])
            .args([
                "--type",
                "driving-licence",
                "--input",
                "in.jsonl",
                "--output",
                "out.jsonl",
            ])
            .args(["--status-registry", "status.registry", "--jobs", "3"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let issued: Vec<Value> = std::fs::read_to_string(dir.path().join("out.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(issued.len(), 1188);
        let lines: Vec<u64> = issued.iter().map(|v| v["line"].as_u64().unwrap()).collect();
        let expected: Vec<u64> = (1..=1200).filter(|i| i % 100 != 0).collect();
        assert_eq!(lines, expected);
        let mut idx: Vec<u64> = issued
            .iter()
            .map(|v| v["status_idx"].as_u64().unwrap())
            .collect();
        idx.sort_unstable();
        idx.dedup();
        assert_eq!(idx.len(), 1188, "status indices must be distinct");
        assert!(
            issued
                .iter()
                .all(|v| v["credential"].as_str().unwrap().ends_with('~'))
        );
        let errors: Vec<Value> = std::fs::read_to_string(dir.path().join("out.jsonl.errors.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let bad: Vec<u64> = errors.iter().map(|v| v["line"].as_u64().unwrap()).collect();
        assert_eq!(bad, (1..=12).map(|i| i * 100).collect::<Vec<u64>>());
        assert!(errors.iter().all(|v| v["code"] == "input.claims"));
        let log = std::fs::read_to_string(dir.path().join("status.registry.issued.jsonl")).unwrap();
        assert_eq!(log.lines().count(), 1188);
        let first_id = issued[0]["id"].as_str().unwrap();
        assert!(log.contains(first_id));
        // Revocation by id finds the batch-issued credential's index.
        let out = Command::new(env!("CARGO_BIN_EXE_wallet"))
            .current_dir(dir.path())
            .args([
                "status",
                "revoke",
                "--registry",
                "status.registry",
                "--credential-id",
                first_id,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        // The summary is on stderr: stdout is for data.
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.starts_with(&format!("revoked index {}\n", issued[0]["status_idx"])),
            "{stderr}"
        );
    }
}
