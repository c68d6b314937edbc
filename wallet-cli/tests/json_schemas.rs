//! Keeps docs/cli.md's `--json` examples and the commands in step: every command is run with
//! `--json` against a copy of the fixtures, and its output must have the members of the
//! documented example (`<!-- json-example: NAME -->` before a fenced block), with the same JSON
//! types, recursively (arrays: their first elements), and start with `"version": 1` and
//! `"command": NAME`. Every command whose man page offers `--json` must have an example.
//! `UPDATE_DOCS=1` rewrites the examples from the actual output (arrays cut to one element).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use serde_json::Value;
use std::collections::BTreeMap;
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use support::copy_dir;

const NOW: &str = "2026-06-01T00:00:20Z";
const T0: &str = "2026-01-01T00:00:00Z";
const MARK: &str = "<!-- json-example: ";

fn docs_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/cli.md")
}

struct Run {
    dir: PathBuf,
    outputs: BTreeMap<String, Value>,
}

impl Run {
    /// Runs `wallet args… --json`, expects `exit`, parses stdout as one JSON object.
    fn json(&mut self, name: &str, args: &[&str], exit: i32) -> Value {
        let out = Command::new(env!("CARGO_BIN_EXE_wallet"))
            .current_dir(&self.dir)
            .env("WALLET_PASSPHRASE", "fixture-passphrase")
            .args(args)
            .arg("--json")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(exit),
            "wallet {args:?}: {stderr}{stdout}"
        );
        let value: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("wallet {args:?} printed more than JSON ({e}): {stdout}"));
        // Members in order: version and command first.
        assert!(
            stdout.starts_with(&format!("{{\n  \"version\": 1,\n  \"command\": \"{name}\"")),
            "wallet {args:?}: {stdout}"
        );
        self.outputs.insert(name.to_owned(), value.clone());
        value
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Same members and types, recursively; `null` on either side matches any type (an optional
/// member), an empty array matches any array.
fn same_shape(path: &str, doc: &Value, actual: &Value, errors: &mut Vec<String>) {
    match (doc, actual) {
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Object(d), Value::Object(a)) => {
            for k in d.keys().filter(|k| !a.contains_key(*k)) {
                errors.push(format!("{path}.{k}: documented, not printed"));
            }
            for k in a.keys().filter(|k| !d.contains_key(*k)) {
                errors.push(format!("{path}.{k}: printed, not documented"));
            }
            for (k, dv) in d {
                if let Some(av) = a.get(k) {
                    same_shape(&format!("{path}.{k}"), dv, av, errors);
                }
            }
        }
        (Value::Array(d), Value::Array(a)) => {
            if let (Some(d0), Some(a0)) = (d.first(), a.first()) {
                same_shape(&format!("{path}[0]"), d0, a0, errors);
            }
        }
        (d, a) if kind(d) == kind(a) => {}
        (d, a) => errors.push(format!(
            "{path}: documented {}, printed {}",
            kind(d),
            kind(a)
        )),
    }
}

/// Arrays cut to their first element and long strings (payloads, tokens) to their start, for
/// a readable example.
fn trimmed(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().take(1).map(trimmed).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), trimmed(v))).collect()),
        Value::String(s) if s.chars().count() > 72 => {
            Value::from(format!("{}…", s.chars().take(40).collect::<String>()))
        }
        other => other.clone(),
    }
}

/// The documented examples: name → (value, byte range of the block's content).
fn examples(doc: &str) -> BTreeMap<String, (Value, std::ops::Range<usize>)> {
    let mut out = BTreeMap::new();
    let mut from = 0;
    while let Some(pos) = doc[from..].find(MARK) {
        let start = from + pos + MARK.len();
        let name_end = start + doc[start..].find(" -->").unwrap();
        let name = doc[start..name_end].to_owned();
        let open = name_end + doc[name_end..].find("```json\n").unwrap() + "```json\n".len();
        let close = open + doc[open..].find("```").unwrap();
        let value: Value = serde_json::from_str(&doc[open..close])
            .unwrap_or_else(|e| panic!("docs/cli.md example {name} is not JSON: {e}"));
        out.insert(name, (value, open..close));
        from = close;
    }
    out
}

fn pretty_example(name: &str, v: &Value) -> String {
    // The leading members as the CLI prints them, then the rest.
    let Value::Object(m) = trimmed(v) else {
        panic!("{name} is not an object")
    };
    let mut rest = m.clone();
    rest.remove("version");
    rest.remove("command");
    let body = serde_json::to_string_pretty(&Value::Object(rest)).unwrap();
    let tail = body.strip_prefix('{').unwrap();
    let head = format!("{{\n  \"version\": 1,\n  \"command\": \"{name}\"");
    if tail.trim() == "}" {
        format!("{head}\n}}\n")
    } else {
        format!("{head},{tail}\n")
    }
}

#[test]
fn json_outputs_match_the_documented_examples() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        &dir,
    );
    let mut r = Run {
        dir: dir.clone(),
        outputs: BTreeMap::new(),
    };
    let payload = std::fs::read_to_string(dir.join("valid-payload.txt")).unwrap();
    let payload = payload.trim().to_owned();
    let licence = std::fs::read_to_string(dir.join("licence-id.txt")).unwrap();
    let licence = licence.trim().to_owned();
    let trust = [
        "--trust-list",
        "trust-list.jwt",
        "--trust-root",
        "root.pub.jwk",
    ];

    r.json("key-generate", &["key", "generate", "--out", "new.pem"], 0);
    let other = r.json("key-public", &["key", "public", "other.pem"], 0);
    let other_kid = other["kid"].as_str().unwrap().to_owned();
    r.json("types", &["types"], 0);
    r.json(
        "trust-init",
        &["trust", "init", "--out", "d.json", "--list-id", "x"],
        0,
    );
    r.json(
        "trust-add-issuer",
        &[
            "trust",
            "add-issuer",
            "--list",
            "d.json",
            "--iss",
            "https://a.example",
            "--name-zh",
            "甲",
            "--name-en",
            "A",
            "--key",
            "agency.pub.jwk",
            "--types",
            "driving-licence",
            "--not-before",
            "2025-01-01",
        ],
        0,
    );
    r.json(
        "trust-add-key",
        &[
            "trust",
            "add-key",
            "--list",
            "d.json",
            "--iss",
            "https://a.example",
            "--key",
            "other.pub.jwk",
            "--not-before",
            "2025-01-01",
        ],
        0,
    );
    r.json(
        "trust-remove-key",
        &[
            "trust",
            "remove-key",
            "--list",
            "d.json",
            "--iss",
            "https://a.example",
            "--kid",
            &other_kid,
        ],
        0,
    );
    r.json(
        "trust-sign",
        &[
            "trust",
            "sign",
            "--list",
            "d.json",
            "--root-key",
            "root.pem",
            "--out",
            "t.jwt",
            "--now",
            T0,
        ],
        0,
    );
    r.json(
        "trust-remove-issuer",
        &[
            "trust",
            "remove-issuer",
            "--list",
            "d.json",
            "--iss",
            "https://a.example",
        ],
        0,
    );
    let show: Vec<&str> = [
        "trust",
        "show",
        "trust-list.jwt",
        "--trust-root",
        "root.pub.jwk",
    ]
    .into_iter()
    .chain(["--now", NOW])
    .collect();
    r.json("trust-show", &show, 0);
    let issue = |holder: &'static str, out: &'static str| -> Vec<&'static str> {
        vec![
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
            holder,
            "--status-registry",
            "status.registry",
            "--now",
            T0,
            "--valid-for",
            "3650d",
            "--out",
            out,
        ]
    };
    let issued = r.json("issue", &issue("holder1.pub.jwk", "issued.sd-jwt"), 0);
    r.json(
        "issue-batch",
        &[
            "issue-batch",
            "--issuer-key",
            "agency.pem",
            "--iss",
            "https://ga.sh.gov.cn/issuer",
            "--type",
            "driving-licence",
            "--status-registry",
            "status.registry",
            "--now",
            T0,
            "--input",
            "batch-ok.jsonl",
            "--out",
            "batch-out.jsonl",
        ],
        0,
    );
    let issued_id = issued["id"].as_str().unwrap().to_owned();
    r.json(
        "status-init",
        &[
            "status",
            "init",
            "--uri",
            "https://x.example/1",
            "--out",
            "r2",
        ],
        0,
    );
    r.json(
        "status-suspend",
        &[
            "status",
            "suspend",
            "--status-registry",
            "status.registry",
            "--credential-id",
            &issued_id,
        ],
        0,
    );
    r.json(
        "status-reinstate",
        &[
            "status",
            "reinstate",
            "--status-registry",
            "status.registry",
            "--credential-id",
            &issued_id,
        ],
        0,
    );
    r.json(
        "status-revoke",
        &[
            "status",
            "revoke",
            "--status-registry",
            "status.registry",
            "--credential-id",
            &issued_id,
        ],
        0,
    );
    r.json(
        "status-publish",
        &[
            "status",
            "publish",
            "--status-registry",
            "status.registry",
            "--issuer-key",
            "agency.pem",
            "--iss",
            "https://ga.sh.gov.cn/issuer",
            "--out",
            "p.jwt",
            "--ttl",
            "1h",
            "--now",
            T0,
        ],
        0,
    );
    let cache: Vec<&str> = ["status", "cache", "p.jwt", "--status-cache", "c2"]
        .into_iter()
        .chain(trust)
        .chain(["--now", T0])
        .collect();
    r.json("status-cache", &cache, 0);
    r.json("holder-init", &["holder", "init", "--store", "s2"], 0);
    r.json(
        "holder-new-key",
        &["holder", "new-key", "--store", "store"],
        0,
    );
    let import: Vec<&str> = ["holder", "import", "--store", "store", "issued.sd-jwt"]
        .into_iter()
        .chain(trust)
        .chain(["--now", T0])
        .collect();
    let imported = r.json("holder-import", &import, 0);
    let imported_id = imported["credential"]["id"].as_str().unwrap().to_owned();
    r.json("holder-list", &["holder", "list", "--store", "store"], 0);
    r.json(
        "holder-remove",
        &["holder", "remove", "--store", "store", &imported_id],
        0,
    );
    r.json(
        "present",
        &[
            "present",
            "--store",
            "store",
            "--credential",
            &licence,
            "--disclose",
            "name,licence_class",
            "--now",
            NOW,
        ],
        0,
    );
    let verify: Vec<&str> = ["verify", "--payload", payload.as_str()]
        .into_iter()
        .chain(trust)
        .chain(["--status-cache", "status-cache", "--now", NOW])
        .collect();
    let valid = r.json("verify", &verify, 0);
    assert_eq!(valid["status"]["list_issued_at"], T0);
    assert_eq!(valid["warnings"][0]["code"], "status_list_old");
    let batch: Vec<&str> = [
        "verify-batch",
        "--input",
        "scans.jsonl",
        "--out",
        "res.jsonl",
    ]
    .into_iter()
    .chain(trust)
    .chain(["--status-cache", "status-cache", "--now", NOW])
    .collect();
    r.json("verify-batch", &batch, 1);
    r.json("inspect", &["inspect", payload.as_str()], 0);
    // An exit-2 error under --json is an object too.
    let empty: Vec<&str> = ["verify", "--payload", ""]
        .into_iter()
        .chain(trust)
        .chain(["--now", NOW])
        .collect();
    let mut error_run = Run {
        dir: dir.clone(),
        outputs: BTreeMap::new(),
    };
    let err = error_run.json("verify", &empty, 2);
    assert_eq!(err["error"]["code"], "cli.usage");
    r.outputs.insert("error".into(), err);

    // Every command offering --json (per its man page) is covered here.
    let man = dir.join("man");
    let status = Command::new(env!("CARGO_BIN_EXE_wallet"))
        .args(["man", "--dir"])
        .arg(&man)
        .status()
        .unwrap();
    assert!(status.success());
    for entry in std::fs::read_dir(&man).unwrap() {
        let path = entry.unwrap().path();
        let page = std::fs::read_to_string(&path).unwrap();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        if page.contains("\\-\\-json") {
            let name = stem.strip_prefix("wallet-").unwrap_or(&stem);
            assert!(
                r.outputs.contains_key(name),
                "{name} takes --json but json_schemas.rs does not run it"
            );
        }
    }

    let path = docs_path();
    let mut doc = std::fs::read_to_string(&path).unwrap();
    let documented = examples(&doc);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        // Replace from the end so earlier ranges stay valid.
        let mut blocks: Vec<_> = documented.iter().collect();
        blocks.sort_by_key(|(_, (_, range))| std::cmp::Reverse(range.start));
        for (name, (_, range)) in blocks {
            if let Some(actual) = r.outputs.get(name) {
                let command = actual["command"].as_str().unwrap_or(name).to_owned();
                doc.replace_range(range.clone(), &pretty_example(&command, actual));
            }
        }
        std::fs::write(&path, &doc).unwrap();
    }
    let documented = examples(&std::fs::read_to_string(&path).unwrap());
    let mut errors = Vec::new();
    for (name, actual) in &r.outputs {
        match documented.get(name) {
            None => errors.push(format!(
                "{name}: no example in docs/cli.md ({MARK}{name} -->)"
            )),
            Some((doc_value, _)) => same_shape(name, doc_value, actual, &mut errors),
        }
    }
    for name in documented.keys().filter(|n| !r.outputs.contains_key(*n)) {
        errors.push(format!("{name}: documented but not run"));
    }
    assert!(
        errors.is_empty(),
        "docs/cli.md JSON examples drifted:\n{}",
        errors.join("\n")
    );
}
