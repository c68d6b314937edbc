//! Holder commands: the encrypted store (docs/store.md) and showing a credential as a QR code.

use crate::cli::{
    HolderImportArgs, HolderInitArgs, HolderListArgs, HolderNewKeyArgs, HolderRemoveArgs,
    PresentArgs, StoreArg,
};
use crate::common::{
    CliError, CliResult, MAX_SMALL_FILE, format_time, now_or, read_text, write_public,
};
use crate::output::{is_stdout, out, outln, print_json, refuse_stdout, write_stdout};
use serde_json::{Value, json};
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use wallet_core::error::codes;
use wallet_core::holder::KeyBindingRequest;
use wallet_core::holder::{KdfParams, Store, StoreError, StoreOptions, StoreSecret};
use wallet_core::qr::freshness::offline_key_binding;
use wallet_core::qr::render;
use wallet_core::qr::render::{RenderOptions, TerminalStyle};
use wallet_core::qr::transport;
use wallet_core::sdjwt::ClaimPath;
use wallet_core::trust::StalePolicy;
use zeroize::Zeroizing;

/// File name of the store inside its directory.
pub const STORE_FILE: &str = "wallet.store";

/// The store file of a store directory.
pub fn store_file(dir: &Path) -> PathBuf {
    dir.join(STORE_FILE)
}

/// The error for a store failure, with the library's message and code.
pub fn store_err(e: &StoreError) -> CliError {
    let hint = match *e.info() {
        codes::STORE_NOT_FOUND => "create the store with `wallet holder init --store DIR`",
        codes::STORE_EXISTS => {
            "pass --force to replace it (its credentials are lost), or choose another directory"
        }
        codes::STORE_WRONG_KEY => "check WALLET_PASSPHRASE",
        codes::STORE_UNKNOWN_CREDENTIAL => "`wallet holder list` shows the stored credential ids",
        codes::STORE_HOLDER_KEY_NOT_HELD => {
            "request the credential with a key from `wallet holder new-key`"
        }
        _ => crate::common::hint_for(e.info()),
    };
    CliError::input(format!("{e} ({})", e.code()))
        .hint(hint)
        .with_code(e.code())
}

/// The passphrase: `$WALLET_PASSPHRASE`, else a prompt on the terminal (twice when creating).
pub fn passphrase(confirm: bool) -> CliResult<Zeroizing<String>> {
    if let Ok(p) = std::env::var("WALLET_PASSPHRASE") {
        return Ok(Zeroizing::new(p));
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::input("no passphrase given")
            .hint("set WALLET_PASSPHRASE, or run the command in a terminal to be asked"));
    }
    let first = Zeroizing::new(
        rpassword::prompt_password("store passphrase: ")
            .map_err(|e| CliError::input(format!("cannot read the passphrase: {e}")))?,
    );
    if confirm {
        let second = Zeroizing::new(
            rpassword::prompt_password("repeat the passphrase: ")
                .map_err(|e| CliError::input(format!("cannot read the passphrase: {e}")))?,
        );
        if *first != *second {
            return Err(CliError::input("the passphrases differ").hint("run the command again"));
        }
    }
    Ok(first)
}

/// Creates a store in `dir` under `pass`.
pub fn create_store(dir: &Path, pass: &str, force: bool) -> CliResult<Store> {
    refuse_stdout(dir, "--store", "store")?;
    std::fs::create_dir_all(dir).map_err(|e| crate::common::io_error(e, "store directory", dir))?;
    let file = store_file(dir);
    if force && file.exists() {
        std::fs::remove_file(&file).map_err(|e| crate::common::io_error(e, "store", &file))?;
    }
    Store::create(
        &file,
        StoreSecret::Passphrase(pass),
        &KdfParams::RECOMMENDED,
        &StoreOptions::default(),
        &mut rand_core::OsRng,
    )
    .map_err(|e| store_err(&e))
}

/// Opens the store in `dir` under `pass`.
pub fn open_store(dir: &Path, pass: &str) -> CliResult<Store> {
    Store::open(
        &store_file(dir),
        StoreSecret::Passphrase(pass),
        &StoreOptions::default(),
        &mut rand_core::OsRng,
    )
    .map_err(|e| store_err(&e))
}

fn open(arg: &StoreArg) -> CliResult<Store> {
    let pass = passphrase(false)?;
    open_store(&arg.store, &pass)
}

/// `wallet holder init`
pub fn init(a: &HolderInitArgs) -> CliResult {
    let pass = passphrase(true)?;
    let store = create_store(&a.store.store, &pass, a.force)?;
    eprintln!("created encrypted store {}", store.path().display());
    if a.json {
        return print_json(
            "holder-init",
            json!({"store": store.path().display().to_string()}),
        );
    }
    Ok(())
}

/// `wallet holder new-key`: the public JWK on stdout.
pub fn new_key(a: &HolderNewKeyArgs) -> CliResult {
    let store = open(&a.store)?;
    let info = store
        .new_holder_key_with(a.alg.algorithm(), &mut rand_core::OsRng)
        .map_err(|e| store_err(&e))?;
    eprintln!(
        "new holder key {}: give the public JWK to the issuing agency",
        info.id
    );
    if a.json {
        return print_json(
            "holder-new-key",
            json!({"id": info.id, "public_jwk": info.jwk()}),
        );
    }
    outln!("{}", info.jwk())
}

/// A stored credential's metadata as JSON, times as RFC 3339.
fn info_json(info: &wallet_core::holder::CredentialInfo) -> CliResult<Value> {
    let mut v = serde_json::to_value(info)
        .map_err(|e| CliError::input(format!("cannot format the credential: {e}")))?;
    if let Value::Object(m) = &mut v {
        for key in ["issued_at", "not_before", "expires_at", "imported_at"] {
            if let Some(t) = m.get(key).and_then(Value::as_i64) {
                m.insert(key.into(), Value::from(format_time(t)));
            }
        }
    }
    Ok(v)
}

/// `wallet holder import`
pub fn import(a: &HolderImportArgs) -> CliResult {
    let now = now_or(a.now.as_deref())?;
    let trust =
        crate::trust_cmd::load_trust_list(&a.trust_list, &a.trust_root, now, StalePolicy::Fail)?;
    let credential = read_text(&a.file, "credential file", MAX_SMALL_FILE)?;
    let store = open(&a.store)?;
    let info = store
        .import(credential.trim(), &trust, now, &mut rand_core::OsRng)
        .map_err(|e| store_err(&e))?;
    eprintln!(
        "imported {} {} (expires {})",
        info.type_name.as_deref().unwrap_or(&info.vct),
        info.id,
        format_time(info.expires_at)
    );
    if a.json {
        return print_json("holder-import", json!({"credential": info_json(&info)?}));
    }
    Ok(())
}

/// `wallet holder list`
pub fn list(a: &HolderListArgs) -> CliResult {
    let store = open(&a.store)?;
    let items = store.list().map_err(|e| store_err(&e))?;
    if a.json {
        let list = items.iter().map(info_json).collect::<CliResult<Vec<_>>>()?;
        return print_json("holder-list", json!({ "credentials": list }));
    }
    if items.is_empty() {
        eprintln!("the store holds no credentials");
    }
    for c in &items {
        outln!(
            "{}  {}  {} / {}  issuer {}  expires {}",
            c.id,
            c.type_name.as_deref().unwrap_or(&c.vct),
            c.name_zh.as_deref().unwrap_or("-"),
            c.name_en.as_deref().unwrap_or("-"),
            c.issuer,
            format_time(c.expires_at)
        )?;
    }
    Ok(())
}

/// `wallet holder remove`
pub fn remove(a: &HolderRemoveArgs) -> CliResult {
    let store = open(&a.store)?;
    let removed = store
        .remove(&a.id, &mut rand_core::OsRng)
        .map_err(|e| store_err(&e))?;
    eprintln!("removed {}", removed.credential.id);
    if a.json {
        return print_json(
            "holder-remove",
            json!({"removed": info_json(&removed.credential)?,
                   "deleted_key": removed.deleted_key.as_ref().map(|k| k.id.clone())}),
        );
    }
    Ok(())
}

/// Parses `--disclose` values into claim paths.
pub fn claim_paths(names: &[String]) -> CliResult<Vec<ClaimPath>> {
    names
        .iter()
        .filter(|n| !n.trim().is_empty())
        .map(|n| {
            n.trim().parse::<ClaimPath>().map_err(|e| {
                CliError::input(format!("{n:?} is not a claim path: {}", e.0))
                    .hint("name claims as in `wallet types`, e.g. name,age_over_18")
            })
        })
        .collect()
}

/// The id `given` names: a stored credential's id, or else a type (short name, vct or name such
/// as 结婚证) of which the store holds exactly one credential.
fn credential_id(store: &Store, given: &str) -> CliResult<String> {
    let list = store.list().map_err(|e| store_err(&e))?;
    if list.iter().any(|c| c.id == given) {
        return Ok(given.to_owned());
    }
    if let Ok(ty) = crate::types_cmd::credential_type(given) {
        let mut of_type = list.iter().filter(|c| c.vct == ty.vct);
        if let (Some(only), None) = (of_type.next(), of_type.next()) {
            return Ok(only.id.clone());
        }
    }
    // Not an id and not a type held once: the store's own error names the problem.
    Ok(given.to_owned())
}

/// A fresh presentation of `id` (or of the one credential of type `id`) and its QR payload.
pub fn presentation(
    store: &Store,
    id: &str,
    disclose: &[ClaimPath],
    kb: &KeyBindingRequest,
) -> CliResult<(String, String)> {
    let id = credential_id(store, id)?;
    let shown = store
        .present(&id, disclose, Some(kb), None)
        .map_err(|e| store_err(&e))?;
    let payload = transport::encode(&shown).map_err(|e| {
        CliError::input(format!("cannot encode the QR payload: {e} ({})", e.code()))
    })?;
    Ok((shown, payload))
}

/// Draws `payload` for the terminal: ANSI colours on a terminal, plain blocks otherwise.
pub fn terminal_qr(payload: &str) -> CliResult<String> {
    let style = if std::io::stdout().is_terminal() {
        TerminalStyle::Ansi
    } else {
        TerminalStyle::DarkOnLight
    };
    render::render_terminal(payload, &RenderOptions::default(), style)
        .map_err(|e| CliError::input(format!("cannot draw the QR code: {e} ({})", e.code())))
}

/// Writes `payload` as a PNG QR code (`-`: to stdout).
pub fn write_png(payload: &str, path: &Path) -> CliResult {
    let png = render::render_png(payload, &RenderOptions::default())
        .map_err(|e| CliError::input(format!("cannot draw the QR code: {e} ({})", e.code())))?;
    if is_stdout(path) {
        return write_stdout(&png);
    }
    write_public(path, &png, "QR image")
}

/// Terminal width in columns: `$COLUMNS` when set (shells export it, and it lets a test or a
/// user state the width), else the size of the terminal on stdout, if it is one.
fn terminal_columns() -> Option<usize> {
    if let Some(c) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
    {
        return Some(c);
    }
    console::Term::stdout()
        .size_checked()
        .map(|(_rows, cols)| usize::from(cols))
}

/// Warns on stderr when a terminal QR code is wider than the terminal: a wrapped code does not
/// scan, and nothing else would tell the holder why.
pub fn warn_if_too_narrow(drawing: &str) {
    let width = drawing
        .lines()
        .map(|l| {
            // Escape sequences take no columns.
            let mut cols = 0usize;
            let mut in_escape = false;
            for c in l.chars() {
                match (in_escape, c) {
                    (false, '\x1b') => in_escape = true,
                    (true, c) if c.is_ascii_alphabetic() => in_escape = false,
                    (true, _) => {}
                    (false, _) => cols = cols.saturating_add(1),
                }
            }
            cols
        })
        .max()
        .unwrap_or(0);
    if let Some(cols) = terminal_columns()
        && width > cols
    {
        eprintln!(
            "warning: the QR code is {width} columns wide but the terminal has {cols}: it will \
             wrap and not scan; widen the window or use a smaller font (or --qr-png FILE)"
        );
    }
}

/// `wallet present`
pub fn present(a: &PresentArgs) -> CliResult {
    let store = open(&a.store)?;
    let disclose = claim_paths(&a.disclose)?;
    if let Some(every) = a.refresh {
        // The terminal drawing owns stdout while refreshing; an image there would interleave.
        if a.qr_png.as_deref().is_some_and(is_stdout) || a.qr_svg.as_deref().is_some_and(is_stdout)
        {
            return Err(CliError::usage(
                "--refresh draws on standard output: --qr-png - and --qr-svg - cannot share it",
            )
            .hint("write the image to a file (--qr-png code.png)"));
        }
        return refresh(&store, a, &disclose, every.max(1));
    }
    let now = now_or(a.now.as_deref())?;
    let kb = match (&a.aud, &a.nonce) {
        (Some(aud), Some(nonce)) => KeyBindingRequest {
            audience: aud.clone(),
            nonce: nonce.clone(),
            issued_at: now,
        },
        _ => offline_key_binding(now, &mut rand_core::OsRng),
    };
    let (shown, payload) = presentation(&store, &a.credential, &disclose, &kb)?;
    let png_out = a.qr_png.as_deref().is_some_and(is_stdout);
    let svg_out = a.qr_svg.as_deref().is_some_and(is_stdout);
    let image_out = png_out || svg_out;
    if (png_out && svg_out) || (image_out && (a.qr_terminal || a.json)) {
        return Err(CliError::usage(
            "only one of --qr-png -, --qr-svg -, --qr-terminal and --json can use standard output",
        )
        .hint("write the other images to files"));
    }
    if let Some(p) = &a.qr_png {
        write_png(&payload, p)?;
    }
    if let Some(p) = &a.qr_svg {
        let svg = render::render_svg(&payload, &RenderOptions::default())
            .map_err(|e| CliError::input(format!("cannot draw the QR code: {e} ({})", e.code())))?;
        if is_stdout(p) {
            write_stdout(svg.as_bytes())?;
        } else {
            write_public(p, svg.as_bytes(), "QR image")?;
        }
    }
    let text = if a.sd_jwt { &shown } else { &payload };
    if a.json {
        return print_json(
            "present",
            json!({"credential": a.credential, "payload": payload,
                   "presentation": shown, "disclosed": a.disclose,
                   "issued_at": format_time(kb.issued_at),
                   "qr_png": a.qr_png.as_ref().map(|p| p.display().to_string()),
                   "qr_svg": a.qr_svg.as_ref().map(|p| p.display().to_string())}),
        );
    }
    if a.qr_terminal {
        let drawing = terminal_qr(&payload)?;
        warn_if_too_narrow(&drawing);
        out!("{drawing}")?;
    }
    if image_out {
        // The image is the data on stdout; the text goes beside it for the operator.
        eprintln!("{text}");
        return Ok(());
    }
    outln!("{text}")
}

/// `--refresh`: a new offline code (new KB-JWT `iat` and nonce) every `every` seconds.
fn refresh(store: &Store, a: &PresentArgs, disclose: &[ClaimPath], every: u64) -> CliResult {
    let mut shown: u64 = 0;
    loop {
        let now = crate::common::clock_now();
        let kb = offline_key_binding(now, &mut rand_core::OsRng);
        let (_, payload) = presentation(store, &a.credential, disclose, &kb)?;
        if std::io::stdout().is_terminal() {
            // Clear the screen and home the cursor so the code is redrawn in place.
            out!("\x1b[2J\x1b[H")?;
        }
        let drawing = terminal_qr(&payload)?;
        if shown == 0 {
            warn_if_too_narrow(&drawing);
        }
        out!("{drawing}")?;
        outln!("{payload}")?;
        outln!(
            "{} — a fresh code every {}; Ctrl-C to stop",
            format_time(now),
            crate::common::human_duration(every)
        )?;
        if let Some(p) = &a.qr_png {
            write_png(&payload, p)?;
        }
        shown = shown.saturating_add(1);
        if a.count.is_some_and(|c| shown >= c) {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_secs(every));
    }
}
