//! Standard output, the way a well-kept Unix tool uses it (docs/cli.md, "Output"):
//!
//! - stdout carries data only (a credential, a payload, a report, JSON); summaries, warnings
//!   and progress go to stderr, so `wallet issue … > cred.txt` captures just the credential;
//! - a reader that goes away early (`wallet types | head -1`) ends the command quietly with
//!   exit 0, as ripgrep does — no panic, no message (Rust ignores SIGPIPE, so every write to a
//!   closed pipe returns `EPIPE`, which [`write_stdout`] turns into [`CliError::quiet`]);
//! - `-` as an output path means stdout ([`is_stdout`]); files that must be created atomically
//!   or locked refuse it ([`refuse_stdout`]);
//! - `--json` prints one object whose first members are `"version": 1` and `"command"`
//!   ([`print_json`]), and an error under `--json` is such an object too ([`json_error`]).

use crate::common::{CliError, CliResult};
use serde_json::{Map, Value};
use std::io::{self, ErrorKind, Write as _};
use std::path::Path;

/// Version of every `--json` object (the `"version"` member).
pub const JSON_VERSION: u64 = 1;

/// Writes `bytes` to stdout and flushes; a closed pipe is the quiet stop.
pub fn write_stdout(bytes: &[u8]) -> CliResult {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

/// The error for a failed write to stdout.
pub fn stdout_error(e: io::Error) -> CliError {
    if e.kind() == ErrorKind::BrokenPipe {
        CliError::quiet()
    } else {
        CliError::input(format!("cannot write to standard output: {e}"))
            .hint("check where standard output goes (a full disk?)")
            .with_code("cli.io")
    }
}

/// `print!` for data: formats, writes to stdout, stops quietly on a closed pipe.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format!($($arg)*).as_bytes())
    };
}

/// `println!` for data: formats, writes to stdout, stops quietly on a closed pipe.
macro_rules! outln {
    () => {
        $crate::output::write_stdout(b"\n")
    };
    ($($arg:tt)*) => {{
        let mut line = format!($($arg)*);
        line.push('\n');
        $crate::output::write_stdout(line.as_bytes())
    }};
}

pub(crate) use {out, outln};

/// Whether an output path is `-`, meaning stdout.
pub fn is_stdout(path: &Path) -> bool {
    path == Path::new("-")
}

/// Refuses `-` for an output that must be a real file: one created atomically with mode 0600
/// or locked (keys, status registries, stores, trust-list drafts that later commands edit).
pub fn refuse_stdout(path: &Path, flag: &str, what: &str) -> CliResult {
    if is_stdout(path) {
        return Err(CliError::usage(format!(
            "{flag} - is not possible here: the {what} cannot go to standard output"
        ))
        .hint(format!(
            "give {flag} a path: the {what} is created on disk atomically, and kept private or \
             locked while in use"
        )));
    }
    Ok(())
}

/// `members` as a `--json` object: `"version"` and `"command"` first, then the members in
/// their own (sorted) order. serde_json's maps are sorted, and the `preserve_order` feature
/// would change every JSON document the library signs, so the two leading members are
/// spliced into the pretty-printed text instead.
pub fn json_text(command: &str, members: Map<String, Value>) -> CliResult<String> {
    let head = format!(
        "{{\n  \"version\": {JSON_VERSION},\n  \"command\": {}",
        Value::from(command)
    );
    let body = serde_json::to_string_pretty(&Value::Object(members))
        .map_err(|e| CliError::input(format!("cannot format the JSON output: {e}")))?;
    let rest = body.strip_prefix('{').unwrap_or(&body);
    let mut text = if rest.trim() == "}" {
        format!("{head}\n}}")
    } else {
        format!("{head},{rest}")
    };
    text.push('\n');
    Ok(text)
}

/// Prints a `--json` object built from `value` (an object; anything else goes under
/// `"result"`).
pub fn print_json(command: &str, value: Value) -> CliResult {
    let members = match value {
        Value::Object(m) => m,
        other => {
            let mut m = Map::new();
            m.insert("result".into(), other);
            m
        }
    };
    write_stdout(json_text(command, members)?.as_bytes())
}

/// The `--json` form of an error: `{"version":1,"command":…,"error":{"code","message","hint"}}`.
pub fn json_error(command: &str, e: &CliError) -> String {
    let mut error = Map::new();
    error.insert("code".into(), Value::from(e.code.as_str()));
    error.insert("message".into(), Value::from(e.message.as_str()));
    error.insert(
        "hint".into(),
        e.hint.as_deref().map_or(Value::Null, Value::from),
    );
    let mut members = Map::new();
    members.insert("error".into(), Value::Object(error));
    json_text(command, members).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_members_lead_with_version_and_command() {
        let mut m = Map::new();
        m.insert("b".into(), Value::from(1));
        m.insert("a".into(), Value::from("x"));
        let text = json_text("issue", m).unwrap();
        assert!(text.starts_with("{\n  \"version\": 1,\n  \"command\": \"issue\",\n  \"a\""));
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["b"], 1);
        let empty = json_text("man", Map::new()).unwrap();
        let v: Value = serde_json::from_str(&empty).unwrap();
        assert_eq!(v["command"], "man");
        let e = json_error("verify", &CliError::usage("bad").hint("do x"));
        let v: Value = serde_json::from_str(&e).unwrap();
        assert_eq!(v["error"]["code"], "cli.usage");
        assert_eq!(v["error"]["hint"], "do x");
    }

    #[test]
    fn dash_is_stdout_and_refused_for_files_that_must_be_files() {
        assert!(is_stdout(Path::new("-")));
        assert!(!is_stdout(Path::new("./-")));
        let e = refuse_stdout(Path::new("-"), "--out", "key file").unwrap_err();
        assert_eq!(e.exit, crate::common::EXIT_ERROR);
        assert!(refuse_stdout(Path::new("k.pem"), "--out", "key file").is_ok());
    }
}
