//! `wallet types`: the credential types — the eight built-in Type Metadata documents and the ones
//! an agency adds from files (docs/credential-types.md, "Adding a type"). The library reads and
//! checks documents ([`TypeSet`]); this module finds the types directory, formats and writes.
//!
//! Every command that needs types (issue, issue-batch, trust add-issuer, types) sees the
//! built-in types plus the documents of the types directory (`--types-dir`, or
//! `WALLET_TYPES_DIR`), read once per run on first use.

use crate::cli::{TypesArgs, TypesCommand};
use crate::common::{CliError, CliResult, write_file};
use crate::output::{outln, print_json};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use wallet_core::credential::catalogue::{self, CatalogueError, CredentialType, TypeSet};

static TYPES_DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
static TYPES: OnceLock<TypeSet> = OnceLock::new();

/// Records the `--types-dir` of this run (called once, before any command runs).
pub fn set_types_dir(dir: Option<PathBuf>) {
    let _ = TYPES_DIR.set(dir);
}

fn types_dir() -> Option<&'static Path> {
    TYPES_DIR.get().and_then(Option::as_deref)
}

fn catalogue_err(e: &CatalogueError) -> CliError {
    let hint = match e {
        CatalogueError::InvalidDocument { .. } => {
            "docs/credential-types.md, \"Type documents\", lists every member and rule"
        }
        CatalogueError::TypeConflict { .. } => {
            "a published type is never edited in place: give the changed document a new vct (bump its version) and short name"
        }
        CatalogueError::Io { .. } => "check the --types-dir path and its files",
        _ => crate::common::hint_for(e.info()),
    };
    CliError::input(format!("{e} ({})", e.code()))
        .hint(hint)
        .with_code(e.code())
}

/// The built-in types plus those of the types directory, read on first use.
pub fn type_set() -> CliResult<&'static TypeSet> {
    if let Some(set) = TYPES.get() {
        return Ok(set);
    }
    let mut set = TypeSet::new();
    if let Some(dir) = types_dir() {
        set.add_dir(dir).map_err(|e| catalogue_err(&e))?;
    }
    Ok(TYPES.get_or_init(|| set))
}

/// Looks a type up by short name, vct or name (e.g. 驾驶证), with the known names as the hint.
pub fn credential_type(name: &str) -> CliResult<&'static CredentialType> {
    let set = type_set()?;
    set.lookup(name).map_err(|e| {
        let names: Vec<&str> = set.iter().map(|t| t.short_name.as_str()).collect();
        CliError::input(e).hint(format!(
            "known types: {} (an agency's own: `wallet types add FILE --types-dir DIR`)",
            names.join(", ")
        ))
    })
}

/// `wallet types [list|add|check|show]`
pub fn types(a: &TypesArgs) -> CliResult {
    match &a.command {
        None | Some(TypesCommand::List) => list(a.json),
        Some(TypesCommand::Check(c)) => check(&c.file),
        Some(TypesCommand::Add(c)) => add(&c.file, c.force),
        Some(TypesCommand::Show(c)) => show(&c.name),
    }
}

/// Reads a document and checks it against the built-in types and the types directory.
fn read_checked(file: &Path) -> CliResult<(Vec<u8>, CredentialType)> {
    let octets = catalogue::read_document(file).map_err(|e| catalogue_err(&e))?;
    let mut set = type_set()?.clone();
    let ty = set
        .add_document(&octets)
        .map_err(|e| catalogue_err(&e))?
        .clone();
    Ok((octets, ty))
}

fn check(file: &Path) -> CliResult {
    let (_, ty) = read_checked(file)?;
    outln!(
        "ok: {} ({}), {} / {}, {} claims",
        ty.short_name,
        ty.vct,
        ty.name_zh,
        ty.name_en,
        ty.claims.len()
    )?;
    outln!("integrity: {}", ty.integrity())
}

fn add(file: &Path, force: bool) -> CliResult {
    let dir = types_dir().ok_or_else(|| {
        CliError::input("no types directory to add the type to")
            .hint("give --types-dir DIR (or set WALLET_TYPES_DIR); later commands read the same directory")
    })?;
    // The first type added creates the directory (the other commands refuse a missing one: a
    // mistyped path must not silently mean "no agency types").
    std::fs::create_dir_all(dir).map_err(|e| crate::common::io_error(e, "types directory", dir))?;
    let (octets, ty) = read_checked(file)?;
    let out = dir.join(format!("{}.json", ty.short_name));
    let already = std::fs::read(&out).is_ok_and(|existing| existing == octets);
    if ty.builtin {
        return Err(CliError::input(format!(
            "{} is a built-in type: nothing to add",
            ty.short_name
        )));
    }
    if !already {
        write_file(&out, &octets, 0o644, force, "type document")?;
    }
    eprintln!(
        "{} {} ({}) in {}",
        if already { "already present:" } else { "added" },
        ty.short_name,
        ty.vct,
        out.display()
    );
    outln!("integrity: {}", ty.integrity())
}

fn show(name: &str) -> CliResult {
    let ty = credential_type(name)?;
    crate::output::write_stdout(ty.document().as_bytes())
}

fn list(json: bool) -> CliResult {
    let set = type_set()?;
    if json {
        return print_json("types", catalogue::types_json(set));
    }
    for t in set.iter() {
        outln!("{}  {}  {} / {}", t.short_name, t.vct, t.name_zh, t.name_en)?;
        let mut about = Vec::new();
        if !t.builtin {
            about.push("added".to_owned());
        }
        if !t.aliases.is_empty() {
            about.push(format!("also named {}", t.aliases.join(", ")));
        }
        if !t.validity_claims.is_empty() {
            about.push(format!(
                "document validity ends with {}",
                t.validity_claims.join(", ")
            ));
        }
        if t.status_required {
            about.push("revocable: --status-registry required".to_owned());
        }
        if !about.is_empty() {
            outln!("  ({})", about.join("; "))?;
        }
        let examples = t.example_claims();
        for c in &t.claims {
            let mut flags = Vec::new();
            flags.push(if c.required { "required" } else { "optional" });
            flags.push(match c.sd {
                catalogue::Sd::Always => "selectively disclosable",
                catalogue::Sd::Allowed => "selectively disclosable (allowed)",
                catalogue::Sd::Never => "always visible",
            });
            if c.derived() {
                flags.push("derived by the issuer");
            }
            outln!(
                "    {:<24} {:<8} {} / {}  ({})",
                c.name,
                c.json_type.as_str(),
                c.label_zh,
                c.label_en,
                flags.join(", ")
            )?;
            let example = match (examples.get(&c.name), &c.derived_from) {
                (Some(v), _) => v.to_string(),
                (None, Some(from)) => format!("computed from {from}"),
                (None, None) => "-".to_owned(),
            };
            outln!("        format: {}; example: {example}", c.format.name())?;
        }
    }
    Ok(())
}
