//! What every command shares: the error type that carries the exit code, reading inputs with
//! size bounds, writing outputs without clobbering keys, keys, times and durations.

use std::fmt::Display;
use std::io::{self, ErrorKind, Read as _};
use std::path::Path;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use wallet_core::error::codes;
use wallet_core::keys::{PrivateKey, PublicKey};
use wallet_core::{ErrorClass, ErrorCode, ErrorInfo};
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
    /// 1 for a negative verification result, 2 for everything else; 0 for a command that
    /// stopped early without failing (standard output was closed: see [`CliError::quiet`]).
    pub exit: u8,
    /// Stable code of the error for `--json` (docs/cli.md): a wallet-core code, or one of the
    /// CLI's own `cli.usage`, `cli.input`, `cli.io`.
    pub code: String,
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
            code: "cli.input".to_owned(),
            message: message.to_string(),
            hint: None,
        }
    }

    /// A usage error (exit 2): the arguments cannot work together, or name the wrong thing.
    pub fn usage(message: impl Display) -> Self {
        Self::input(message).with_code("cli.usage")
    }

    /// Standard output was closed by its reader (`wallet types | head -1`): the command stops
    /// where it is and the process leaves with 0 and no message, as ripgrep does. Nothing
    /// reads the rest, so there is nothing to report.
    pub fn quiet() -> Self {
        Self {
            exit: EXIT_OK,
            code: "cli.closed_output".to_owned(),
            message: String::new(),
            hint: None,
        }
    }

    /// Whether this is the quiet stop of [`CliError::quiet`].
    pub fn is_quiet(&self) -> bool {
        self.exit == EXIT_OK
    }

    /// Sets the stable code (a wallet-core error's `code()`, or a `cli.*` code).
    pub fn with_code(mut self, code: impl Display) -> Self {
        self.code = code.to_string();
        self
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

/// The error for a failed read or write of `path`. A broken pipe (the reader of standard
/// output went away) is the quiet stop of [`CliError::quiet`], whichever writer saw it.
pub fn io_error(e: io::Error, what: &str, path: &Path) -> CliError {
    if e.kind() == ErrorKind::BrokenPipe {
        return CliError::quiet();
    }
    let hint = match e.kind() {
        ErrorKind::NotFound => "check the path, or create the file first",
        ErrorKind::PermissionDenied => "check the file's permissions",
        _ => "check the path and the disk",
    };
    CliError::input(format!("cannot access {what} {}: {e}", path.display()))
        .hint(hint)
        .with_code("cli.io")
}

/// Writes a new file with `mode`; an existing file is replaced only with `force`. Keys, stores
/// and registries go through here so nothing secret is ever clobbered by accident.
pub fn write_file(path: &Path, bytes: &[u8], mode: u32, force: bool, what: &str) -> CliResult {
    let result = if force {
        wallet_core::fsutil::write_atomic(path, bytes, mode)
    } else {
        // Whole or absent, never torn: a process killed mid-write (a Spark task, a batch
        // driver) must not leave a half-written key or registry that a retry then finds there.
        // A file system that can neither rename without replacing nor hard-link (exFAT, some
        // FUSE mounts: EPERM, EOPNOTSUPP) gets the in-place exclusive create it had before.
        match wallet_core::fsutil::create_atomic(path, bytes, mode) {
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::PermissionDenied | ErrorKind::Unsupported
                ) =>
            {
                wallet_core::fsutil::create_new(path, bytes, mode)
            }
            other => other,
        }
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
pub fn load_signing_key(path: &Path, what: &str) -> CliResult<PrivateKey> {
    let text = Zeroizing::new(read_text(path, what, MAX_SMALL_FILE)?);
    PrivateKey::from_text(&text).map_err(|e| {
        CliError::input(format!("{what} {} is not usable: {e}", path.display())).hint(
            "give an Ed25519, P-256 or SM2 private key file made by `wallet key generate` \
             (or PKCS#8 PEM from `openssl genpkey`)",
        )
    })
}

/// Reads a public JWK given inline (`{...}`) or as a file. A private key file is accepted too
/// when `allow_private`, and reduced to its public half (the private part is dropped at once).
pub fn load_public_key(arg: &str, what: &str) -> CliResult<PublicKey> {
    let text = if arg.trim_start().starts_with('{') {
        arg.to_owned()
    } else {
        read_text(Path::new(arg), what, MAX_SMALL_FILE)?
    };
    PublicKey::from_jwk_str(&text).map_err(|e| {
        let err = CliError::input(format!("{what} is not usable: {e}"));
        if *e.info() == codes::KEY_PRIVATE_IN_PUBLIC {
            err.hint("give the public key: `wallet key public FILE` prints it")
        } else {
            err.hint(
                "give a public JWK: Ed25519 ({\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":…}) or \
                 P-256 / SM2 ({\"kty\":\"EC\",\"crv\":\"P-256\" or \"SM2\",\"x\":…,\"y\":…})",
            )
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
    wallet_core::verifier::report::format_time(t)
}

/// Parses a duration: a number with `s`, `m`, `h`, `d` or `y` (365 days), e.g. `30d`. The one
/// duration syntax of every duration flag (`--valid-for`, `--ttl`, `--max-age`, `--clock-skew`,
/// `--refresh`, `--status-max-age`).
pub fn parse_duration(text: &str) -> CliResult<u64> {
    duration(text, false, false)
}

/// The duration syntax of [`parse_duration`], where a bare integer also counts as seconds
/// (flags that took seconds before the units came) and 0 is allowed (`--clock-skew 0`).
pub fn parse_seconds(text: &str) -> CliResult<u64> {
    duration(text, true, true)
}

/// Parses `--algs`: comma-separated JWS algorithm names, at least one.
pub fn algs_arg(text: &str) -> Result<wallet_core::keys::AlgSet, String> {
    let set =
        wallet_core::keys::AlgSet::from_names(text.split(',').map(str::trim)).map_err(|name| {
            format!("unknown algorithm {name:?} (known: EdDSA, Ed25519, ES256, SM2)")
        })?;
    if set.is_empty() {
        return Err("name at least one algorithm".to_owned());
    }
    Ok(set)
}

/// [`parse_seconds`] as a clap value parser, so that a bad value is a usage error naming the
/// flag, and the parsed field stays a number of seconds.
pub fn seconds_arg(text: &str) -> Result<u64, String> {
    parse_seconds(text).map_err(|e| match e.hint {
        Some(h) => format!("{}; {h}", e.message),
        None => e.message,
    })
}

fn duration(text: &str, bare_seconds: bool, zero: bool) -> CliResult<u64> {
    let bad = || {
        CliError::usage(format!("{text:?} is not a duration"))
            .hint("write a number with a unit: 90s, 15m, 12h, 30d or 5y")
    };
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .or(bare_seconds.then_some(text.len()))
        .ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().map_err(|_| bad())?;
    let factor: u64 = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "y" => 365 * 86_400,
        _ => return Err(bad()),
    };
    n.checked_mul(factor)
        .filter(|s| zero || *s > 0)
        .ok_or_else(bad)
}

/// A duration for people: `45 s`, `12 min 5 s`, `3 h 20 min`, `2 d 4 h`.
pub fn human_duration(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, _) if s == 0 => format!("{m} min"),
        (0, 0, _) => format!("{m} min {s} s"),
        (0, _, _) if m == 0 => format!("{h} h"),
        (0, _, _) => format!("{h} h {m} min"),
        _ if h == 0 => format!("{d} d"),
        _ => format!("{d} d {h} h"),
    }
}

/// Adds a duration to a time, saturating.
pub fn add_secs(t: i64, secs: u64) -> i64 {
    t.saturating_add(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// Hint for a wallet-core error: what the user can do about it, by the error's class in
/// wallet-core's error table.
pub fn hint_for(info: &ErrorInfo) -> &'static str {
    use ErrorClass as C;
    match info.class {
        C::Claims | C::UnknownType => {
            "fix the claims: `wallet types` lists each type's claims and formats"
        }
        C::Key | C::Signer => "check the key file: `wallet key generate` makes a usable one",
        C::StatusList | C::StatusListRollback | C::RegistryLocked | C::RegistryFull => {
            "check the status registry or list"
        }
        C::TrustList | C::TrustListSignature | C::TrustListStale => {
            "check the trust list and its root key; `wallet trust show` prints it"
        }
        C::StoreNotFound
        | C::StoreExists
        | C::StoreWrongKey
        | C::StoreDamaged
        | C::StoreNewerVersion
        | C::StoreLocked
        | C::StoreRekeyed
        | C::StoreUnknownId
        | C::StoreDuplicate
        | C::StoreHolderKeyNotHeld
        | C::StoreExternalSignerRequired
        | C::StoreFull
        | C::StoreIo
        | C::StoreRefused => "check the store directory and passphrase",
        _ => "see docs/errors.md for this code",
    }
}

/// A library error as a CLI input error (exit 2), with its code and a hint.
pub fn core_error(context: &str, e: &(impl ErrorCode + Display)) -> CliError {
    let code = e.code();
    CliError::input(format!("{context}: {e} ({code})"))
        .hint(hint_for(e.info()))
        .with_code(code)
}

/// The verifier's status cache: the directory given, or — when none is — an empty cache in
/// memory, so every status is "unknown list". Status checks through it keep each list they
/// verify and inflate in the cache's memo (`StatusListMemo`), which pays when one process checks
/// several credentials against a list; `wallet verify` checks one. A directory that does not
/// exist is a usage error: a mistyped path would otherwise read as "no list cached" and turn
/// every status into "unknown".
pub fn open_status_cache(dir: Option<&Path>) -> CliResult<wallet_core::verifier::StatusCache> {
    if let Some(d) = dir
        && !d.is_dir()
    {
        return Err(
            CliError::usage(format!("status cache {} is not a directory", d.display())).hint(
                "check --status-cache; `wallet status cache TOKEN --status-cache DIR` creates it",
            ),
        );
    }
    match dir {
        Some(d) => wallet_core::verifier::StatusCache::open(d)
            .map_err(|e| core_error("cannot open the status cache", &e)),
        None => Ok(wallet_core::verifier::StatusCache::in_memory()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s").unwrap(), 90);
        assert_eq!(parse_duration("15m").unwrap(), 900);
        assert_eq!(parse_duration("30d").unwrap(), 2_592_000);
        assert_eq!(parse_duration("1y").unwrap(), 31_536_000);
        assert_eq!(parse_seconds("300").unwrap(), 300);
        assert_eq!(parse_seconds("0").unwrap(), 0);
        assert_eq!(parse_seconds("5m").unwrap(), 300);
        assert!(parse_seconds("5 m").is_err());
        assert!(seconds_arg("soon").unwrap_err().contains("90s, 15m"));
        assert_eq!(human_duration(45), "45 s");
        assert_eq!(human_duration(725), "12 min 5 s");
        assert_eq!(human_duration(7200), "2 h");
        assert_eq!(human_duration(90_061), "1 d 1 h");
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
