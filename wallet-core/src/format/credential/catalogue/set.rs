//! A set of credential types: the built-in ones plus the documents an agency adds from files
//! (`wallet types add`, a types directory) or a verifier learns from its trust list, so that a
//! new type needs no release. Lookups search the built-in types first; a document may only be
//! added once per `vct` and short name (the same octets again are a no-op, different ones a
//! [`CatalogueError::TypeConflict`]), so a lookup never depends on the order of adding.

use std::path::Path;

use super::builtin;
use super::document::{MAX_DOCUMENT_BYTES, parse_document};
use super::error::{CatalogueError, bounded};
use super::types::CredentialType;

/// Most documents one types directory may hold.
pub const MAX_DIRECTORY_DOCUMENTS: usize = 1024;

/// The built-in credential types and any added ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeSet {
    added: Vec<CredentialType>,
}

impl TypeSet {
    /// The built-in types only.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every type: the built-in ones in catalogue order, then the added ones in the order added.
    pub fn iter(&self) -> impl Iterator<Item = &CredentialType> {
        builtin::types().iter().chain(self.added.iter())
    }

    /// The added types only.
    pub fn added(&self) -> &[CredentialType] {
        &self.added
    }

    /// Reads a Type Metadata document and adds its type.
    ///
    /// # Errors
    ///
    /// [`CatalogueError::InvalidDocument`] for a document that breaks the draft or this
    /// wallet's profile; [`CatalogueError::TypeConflict`] when its `vct` or short name belongs
    /// to a different document already in the set.
    pub fn add_document(&mut self, octets: &[u8]) -> Result<&CredentialType, CatalogueError> {
        let ty = parse_document(octets, false)?;
        let index = self.insert(ty)?;
        match index {
            Position::Builtin(i) => builtin::types().get(i),
            Position::Added(i) => self.added.get(i),
        }
        .ok_or(CatalogueError::UnknownType {
            name: String::new(),
        })
    }

    /// Adds an already parsed type (see [`TypeSet::add_document`]).
    ///
    /// # Errors
    ///
    /// [`CatalogueError::TypeConflict`] as for [`TypeSet::add_document`].
    pub fn add(&mut self, ty: CredentialType) -> Result<(), CatalogueError> {
        self.insert(ty).map(|_| ())
    }

    fn insert(&mut self, ty: CredentialType) -> Result<Position, CatalogueError> {
        let clash = |t: &CredentialType| t.vct == ty.vct || t.short_name == ty.short_name;
        // A name a person may type (display names, aliases) must lead to one type only: an
        // agency's document may not take 居民身份证 or 驾驶证 from the type that has it.
        let names = |t: &CredentialType| {
            let mut n: Vec<String> = vec![t.name_zh.clone(), t.name_en.to_lowercase()];
            n.extend(t.aliases.iter().cloned());
            n
        };
        let new_names = names(&ty);
        let name_taken = builtin::types()
            .iter()
            .chain(self.added.iter())
            .filter(|t| !clash(t))
            .any(|t| names(t).iter().any(|n| new_names.contains(n)));
        if name_taken {
            return Err(CatalogueError::TypeConflict {
                name: bounded(&ty.vct),
            });
        }
        let existing = builtin::types()
            .iter()
            .position(clash)
            .map(Position::Builtin)
            .or_else(|| self.added.iter().position(clash).map(Position::Added));
        if let Some(position) = existing {
            let same = match position {
                Position::Builtin(i) => builtin::types().get(i),
                Position::Added(i) => self.added.get(i),
            }
            .is_some_and(|t| t.document() == ty.document());
            return if same {
                Ok(position)
            } else {
                Err(CatalogueError::TypeConflict {
                    name: bounded(&ty.vct),
                })
            };
        }
        self.added.push(ty);
        Ok(Position::Added(self.added.len().saturating_sub(1)))
    }

    /// Adds every `*.json` document of `dir`, in file-name order.
    ///
    /// # Errors
    ///
    /// [`CatalogueError::Io`] when the directory or a file cannot be read (or a file is larger
    /// than a type document may be); the errors of [`TypeSet::add_document`], with the file
    /// named.
    pub fn add_dir(&mut self, dir: &Path) -> Result<usize, CatalogueError> {
        let io = |what: &str, e: &std::io::Error| CatalogueError::Io {
            reason: format!("{what}: {}", e.kind()),
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| io(&dir.display().to_string(), &e))? {
            let path = entry
                .map_err(|e| io(&dir.display().to_string(), &e))?
                .path();
            if path.extension().is_some_and(|x| x == "json") && path.is_file() {
                files.push(path);
            }
            if files.len() > MAX_DIRECTORY_DOCUMENTS {
                return Err(CatalogueError::Io {
                    reason: format!(
                        "{}: more than {MAX_DIRECTORY_DOCUMENTS} documents",
                        dir.display()
                    ),
                });
            }
        }
        files.sort();
        for path in &files {
            let octets = read_document(path)?;
            self.add_document(&octets).map_err(|e| in_file(path, e))?;
        }
        Ok(files.len())
    }

    /// Looks a type up by its short name or its `vct`, exactly.
    ///
    /// # Errors
    ///
    /// [`CatalogueError::UnknownType`] if no type matches.
    pub fn by_name(&self, short_name_or_vct: &str) -> Result<&CredentialType, CatalogueError> {
        self.iter()
            .find(|t| t.short_name == short_name_or_vct || t.vct == short_name_or_vct)
            .ok_or_else(|| CatalogueError::UnknownType {
                name: bounded(short_name_or_vct),
            })
    }

    /// Looks a type up by any name a person may give it (see [`super::lookup`]).
    ///
    /// # Errors
    ///
    /// [`CatalogueError::UnknownType`] if no type has that name.
    pub fn lookup(&self, name: &str) -> Result<&CredentialType, CatalogueError> {
        let name = name.trim();
        self.iter()
            .find(|t| t.answers_to(name))
            .ok_or_else(|| CatalogueError::UnknownType {
                name: bounded(name),
            })
    }
}

#[derive(Clone, Copy)]
enum Position {
    Builtin(usize),
    Added(usize),
}

impl CredentialType {
    /// Whether a person naming the type `name` means this one: the short name, the `vct`, the
    /// Chinese or English display name (English case-insensitively) or an alias.
    pub(super) fn answers_to(&self, name: &str) -> bool {
        self.short_name == name
            || self.vct == name
            || self.name_zh == name
            || self.name_en.eq_ignore_ascii_case(name)
            || self.aliases.iter().any(|a| a == name)
    }
}

/// Reads one type document file, bounded by [`MAX_DOCUMENT_BYTES`].
///
/// # Errors
///
/// [`CatalogueError::Io`] naming the file.
pub fn read_document(path: &Path) -> Result<Vec<u8>, CatalogueError> {
    use std::io::Read as _;
    let io = |e: std::io::Error| CatalogueError::Io {
        reason: format!("{}: {}", path.display(), e.kind()),
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let limit = u64::try_from(MAX_DOCUMENT_BYTES).unwrap_or(u64::MAX);
    let mut octets = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut octets)
        .map_err(io)?;
    if octets.len() > MAX_DOCUMENT_BYTES {
        return Err(CatalogueError::Io {
            reason: format!("{}: larger than {MAX_DOCUMENT_BYTES} bytes", path.display()),
        });
    }
    Ok(octets)
}

/// The error of a document read from `path`, with the file named.
fn in_file(path: &Path, e: CatalogueError) -> CatalogueError {
    match e {
        CatalogueError::InvalidDocument { reason } => CatalogueError::InvalidDocument {
            reason: format!("{}: {reason}", path.display()),
        },
        other => other,
    }
}
