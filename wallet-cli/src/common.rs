//! What every command shares: the error type that carries the exit code, reading inputs with
//! size bounds, writing outputs without clobbering keys, keys, times and durations.

use std::fmt::Display;
use std::io::{self, ErrorKind, Read as _};
use std::path::Path;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use wallet_core::keys::{SigningKey, VerifyingKey};
use zeroize::Zeroizing;

/// Exit code of a successful command or a valid verification.
pub const EXIT_OK: u8 = 0;
/// Exit code of a negative verification result (invalid, expired, revoked, untrusted).
pub const EXIT_NEGATIVE: u8 = 1;
/// Exit code of a usage, input or I/O error.
pub const EXIT_ERROR: u8 = 2;

/// Largest key, JWK, claims or trust file read (bytes): far above any real one, small enough
/// that a wrong path (a disk image, /dev/zero) fails fast instead of filling memory.
pub const MAX_SMALL_FILE: u64 = 4 * 1024 * 1024;

/// A failed command: what happened, what to do next, and the exit code to leave with.
#[derive(Debug)]
pub struct CliError {
    /// 1 for a negative verification result, 2 for everything else.
    pub exit: u8,
    /// What happened (lowercase, no secrets).
    pub message: String,
    /// What to do next, if there is something useful to say.
    pub hint: Option<String>,
}

impl CliError {
    /// A usage, input or I/O error (exit 2).
    pub fn input(message: impl Display) -> Self {
        Self {
            exit: EXIT_ERROR,
            message: message.to_string(),
            hint: None,
        }
    }

    /// Adds what the user should do next.
    pub fn hint(mut self, hint: impl Display) -> Self {
        self.hint = Some(hint.to_string());
        self
    }
}

/// Result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;

/// Reads a whole file of at most `max` bytes; `-` reads standard input.
pub fn read_bytes(path: &Path, what: &str, max: u64) -> CliResult<Vec<u8>> {
    let mut bytes = Vec::new();
    let result = if path == Path::new("-") {
        io::stdin()
            .lock()
            .take(max.saturating_add(1))
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path)
            .and_then(|f| f.take(max.saturating_add(1)).read_to_end(&mut bytes))
    };
    result.map_err(|e| io_error(e, what, path))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > max {
        return Err(CliError::input(format!(
            "{what} {} is larger than {max} bytes",
            path.display()
        ))
        .hint("check that the path names the right file"));
    }
    Ok(bytes)
}

/// Reads a whole UTF-8 text file of at most `max` bytes; `-` reads standard input.
pub fn read_text(path: &Path, what: &str, max: u64) -> CliResult<String> {
    let bytes = read_bytes(path, what, max)?;
    String::from_utf8(bytes).map_err(|_| {
        CliError::input(format!("{what} {} is not UTF-8 text", path.display()))
            .hint("check that the path names the right file")
    })
}

/// The error for a failed read or write of `path`.
pub fn io_error(e: io::Error, what: &str, path: &Path) -> CliError {
    let hint = match e.kind() {
        ErrorKind::NotFound => "check the path, or create the file first",
        ErrorKind::PermissionDenied => "check the file's permissions",
        _ => "check the path and the disk",
    };
    CliError::input(format!("cannot access {what} {}: {e}", path.display())).hint(hint)
}

/// Writes a new file with `mode`; an existing file is replaced only with `force`. Keys, stores
/// and registries go through here so nothing secret is ever clobbered by accident.
pub fn write_file(path: &Path, bytes: &[u8], mode: u32, force: bool, what: &str) -> CliResult {
    let result = if force {
        wallet_core::fsutil::write_atomic(path, bytes, mode)
    } else {
        wallet_core::fsutil::create_new(path, bytes, mode)
    };
    result.map_err(|e| {
        if e.kind() == ErrorKind::AlreadyExists {
            CliError::input(format!("{what} {} already exists", path.display()))
                .hint("pass --force to replace it, or choose another path")
        } else {
            io_error(e, what, path)
        }
    })
}

/// Replaces (or creates) a public output file atomically: a trust list, a status list, a QR
/// image. These are meant to be re-published, so no `--force` is needed.
pub fn write_public(path: &Path, bytes: &[u8], what: &str) -> CliResult {
    wallet_core::fsutil::write_atomic(path, bytes, 0o644).map_err(|e| io_error(e, what, path))
}

/// Reads a private key file: PKCS#8 PEM or a private JWK.
pub fn load_signing_key(path: &Path, what: &str) -> CliResult<SigningKey> {
    let text = Zeroizing::new(read_text(path, what, MAX_SMALL_FILE)?);
    SigningKey::from_text(&text).map_err(|e| {
        CliError::input(format!("{what} {} is not usable: {e}", path.display()))
            .hint("give an Ed25519 private key file made by `wallet key generate`")
    })
}

/// Reads a public JWK given inline (`{...}`) or as a file. A private key file is accepted too
/// when `allow_private`, and reduced to its public half (the private part is dropped at once).
pub fn load_public_key(arg: &str, what: &str) -> CliResult<VerifyingKey> {
    let text = if arg.trim_start().starts_with('{') {
        arg.to_owned()
    } else {
        read_text(Path::new(arg), what, MAX_SMALL_FILE)?
    };
    VerifyingKey::from_jwk_str(&text).map_err(|e| {
        let err = CliError::input(format!("{what} is not usable: {e}"));
        if e.code() == "key.private_in_public" {
            err.hint("give the public key: `wallet key public FILE` prints it")
        } else {
            err.hint("give an Ed25519 public JWK ({\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":…})")
        }
    })
}

/// Parses a JSON file or inline JSON value.
pub fn parse_json(text: &str, what: &str) -> CliResult<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| {
        CliError::input(format!("{what} is not valid JSON: {e}"))
            .hint("check the file with a JSON validator")
    })
}

/// The clock, as unix seconds (the library never reads it itself).
pub fn clock_now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// `--now` if given, else the clock.
pub fn now_or(arg: Option<&str>) -> CliResult<i64> {
    arg.map_or_else(|| Ok(clock_now()), parse_time)
}

/// Parses an RFC 3339 time (`2026-01-01T08:00:00Z`) or a date (`2026-01-01`, midnight UTC).
pub fn parse_time(text: &str) -> CliResult<i64> {
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format)
        .map(|d| d.midnight().assume_utc().unix_timestamp())
        .map_err(|_| {
            CliError::input(format!("{text:?} is not a time"))
                .hint("write an RFC 3339 time such as 2026-01-01T08:00:00Z, or a date 2026-01-01")
        })
}

/// Formats unix seconds as RFC 3339 (UTC); out-of-range values print as a number.
pub fn format_time(t: i64) -> String {
    wallet_core::report::format_time(t)
}

/// Parses a duration: a number with `s`, `m`, `h`, `d` or `y` (365 days), e.g. `30d`.
pub fn parse_duration(text: &str) -> CliResult<u64> {
    let bad = || {
        CliError::input(format!("{text:?} is not a duration"))
            .hint("write a number with a unit: 90s, 15m, 12h, 30d or 5y")
    };
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().map_err(|_| bad())?;
    let factor: u64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "y" => 365 * 86_400,
        _ => return Err(bad()),
    };
    n.checked_mul(factor).filter(|s| *s > 0).ok_or_else(bad)
}

/// Adds a duration to a time, saturating.
pub fn add_secs(t: i64, secs: u64) -> i64 {
    t.saturating_add(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// Hint for a wallet-core error code: what the user can do about it.
pub fn hint_for(code: &str) -> &'static str {
    match code.split('.').next().unwrap_or("") {
        "catalogue" => "fix the claims: `wallet types` lists each type's claims and formats",
        "key" => "check the key file: `wallet key generate` makes a usable one",
        "status" => "check the status registry or list",
        "trust" => "check the trust list and its root key; `wallet trust show` prints it",
        "store" => "check the store directory and passphrase",
        _ => "see docs/errors.md for this code",
    }
}

/// A library error as a CLI input error (exit 2), with its code and a hint.
pub fn core_error(context: &str, message: impl Display, code: &str) -> CliError {
    CliError::input(format!("{context}: {message} ({code})")).hint(hint_for(code))
}

/// The verifier's status cache: the directory given, or — when none is — an empty cache in
/// memory, so every status is "unknown list". Status checks through it keep each list they
/// verify and inflate in the cache's memo (`StatusListMemo`), which pays when one process checks
/// several credentials against a list; `wallet verify` checks one.
pub fn open_status_cache(dir: Option<&Path>) -> CliResult<wallet_core::status::StatusCache> {
    match dir {
        Some(d) => wallet_core::status::StatusCache::open(d)
            .map_err(|e| core_error("cannot open the status cache", &e, e.code())),
        None => Ok(wallet_core::status::StatusCache::in_memory()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s").unwrap(), 90);
        assert_eq!(parse_duration("15m").unwrap(), 900);
        assert_eq!(parse_duration("30d").unwrap(), 2_592_000);
        assert_eq!(parse_duration("1y").unwrap(), 31_536_000);
        for bad in [
            "",
            "d",
            "10",
            "10 d",
            "0s",
            "-5d",
            "5w",
            "99999999999999999999y",
        ] {
            let e = parse_duration(bad).unwrap_err();
            assert_eq!(e.exit, EXIT_ERROR, "{bad}");
        }
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("2026-01-01T00:00:00Z").unwrap(), 1_767_225_600);
        assert_eq!(
            parse_time("2026-01-01T08:00:00+08:00").unwrap(),
            1_767_225_600
        );
        assert_eq!(parse_time("2026-01-01").unwrap(), 1_767_225_600);
        assert!(parse_time("2026-02-30").is_err());
        assert!(parse_time("tomorrow").is_err());
        assert_eq!(format_time(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(add_secs(i64::MAX, 10), i64::MAX);
    }
}
