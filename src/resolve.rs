//! Resolution: which file provides each DT_NEEDED soname, following the dynamic loader's rules
//! without running anything. DT_RPATH is used only when there is no DT_RUNPATH; `$ORIGIN` and
//! `${ORIGIN}` expand to the directory of the file; LD_LIBRARY_PATH is never assumed. Only
//! `$ORIGIN`-relative directories are looked up on this machine: absolute ones name directories
//! of the target system, which the baseline speaks for.

use crate::binary::{self, Binary, Sniffed};
use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// Where a needed soname comes from.
#[derive(Debug, Clone)]
pub enum Resolution {
    /// Found through the file's RPATH/RUNPATH. `library` is `None` when the file found there
    /// could not be parsed.
    Shipped {
        path: PathBuf,
        library: Option<Arc<Binary>>,
    },
    /// Not found in the shipped tree; the baseline decides. `elsewhere` lists files of that
    /// name in the checked tree that the loader would not find.
    NotShipped {
        search_path: Vec<String>,
        elsewhere: Vec<PathBuf>,
    },
}

/// The checked tree, indexed for resolution.
pub struct Resolver {
    /// Parsed binaries by canonical path.
    parsed: HashMap<PathBuf, Option<Arc<Binary>>>,
    /// Every file and symlink of the checked tree, by file name.
    by_name: HashMap<OsString, Vec<PathBuf>>,
}

impl Resolver {
    /// `parsed` maps canonical paths of checked files to their parse result; `tree` lists every
    /// file and symlink in the checked tree.
    pub fn new(parsed: HashMap<PathBuf, Option<Arc<Binary>>>, tree: &[&Path]) -> Self {
        let mut by_name: HashMap<OsString, Vec<PathBuf>> = HashMap::new();
        // Only names a DT_NEEDED could ask for: sonames contain ".so".
        let library_like = |name: &std::ffi::OsStr| {
            use std::os::unix::ffi::OsStrExt;
            name.as_bytes().windows(3).any(|w| w == b".so")
        };
        for path in tree {
            if let Some(name) = path.file_name().filter(|n| library_like(n)) {
                by_name
                    .entry(name.to_os_string())
                    .or_default()
                    .push(path.to_path_buf());
            }
        }
        Resolver { parsed, by_name }
    }

    /// Resolves every DT_NEEDED of `binary`, which lives at the canonical path `origin_file`.
    pub fn resolve_all(
        &mut self,
        binary: &Binary,
        origin_file: &Path,
    ) -> BTreeMap<String, Resolution> {
        let search_path = search_path(binary);
        let origin = origin_file.parent().unwrap_or(Path::new("/"));
        binary
            .needed
            .iter()
            .map(|soname| {
                let resolution = self.resolve(soname, &search_path, origin);
                (soname.clone(), resolution)
            })
            .collect()
    }

    fn resolve(&mut self, soname: &str, search_path: &[String], origin: &Path) -> Resolution {
        for dir in search_path {
            let Some(dir) = expand_origin(dir, origin) else {
                continue;
            };
            let candidate = dir.join(soname);
            // canonicalize follows the tree's own symlinks (libfoo.so.1 -> libfoo.so.1.2.3)
            // and fails cleanly on loops (ELOOP) and dangling links.
            let Ok(real) = candidate.canonicalize() else {
                continue;
            };
            if !real.is_file() {
                continue;
            }
            let library = self.library_at(&real);
            return Resolution::Shipped {
                path: real,
                library,
            };
        }
        Resolution::NotShipped {
            search_path: search_path.to_vec(),
            elsewhere: self
                .by_name
                .get(std::ffi::OsStr::new(soname))
                .cloned()
                .unwrap_or_default(),
        }
    }

    /// The parsed library at a canonical path: from the checked set, or read once on demand
    /// when `$ORIGIN` leads outside it (a single file was checked, its libraries beside it).
    fn library_at(&mut self, real: &Path) -> Option<Arc<Binary>> {
        if let Some(parsed) = self.parsed.get(real) {
            return parsed.clone();
        }
        let parsed = match binary::read_path(real) {
            Ok(Sniffed::Binary(binary)) => Some(Arc::from(binary)),
            _ => None,
        };
        self.parsed.insert(real.to_path_buf(), parsed.clone());
        parsed
    }
}

/// The directories the loader searches before the system ones: DT_RUNPATH if present,
/// otherwise DT_RPATH.
pub fn search_path(binary: &Binary) -> Vec<String> {
    if binary.runpath.is_empty() {
        binary.rpath.clone()
    } else {
        binary.runpath.clone()
    }
}

/// Expands `$ORIGIN` / `${ORIGIN}` at the start of a search entry. Entries without it are not
/// looked up on this machine (absolute ones belong to the target system; relative ones depend
/// on the working directory at run time).
pub fn expand_origin(entry: &str, origin: &Path) -> Option<PathBuf> {
    let rest = entry
        .strip_prefix("$ORIGIN")
        .or_else(|| entry.strip_prefix("${ORIGIN}"))?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    if rest.contains('$') {
        // $LIB and $PLATFORM depend on the target system.
        return None;
    }
    Some(normalize(&origin.join(rest.trim_start_matches('/'))))
}

/// Lexical normalisation of `.` and `..`, as the loader does on the expanded string.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_expands_in_both_spellings() {
        let origin = Path::new("/opt/app/bin");
        assert_eq!(
            expand_origin("$ORIGIN/../lib", origin),
            Some(PathBuf::from("/opt/app/lib"))
        );
        assert_eq!(
            expand_origin("${ORIGIN}/../lib", origin),
            Some(PathBuf::from("/opt/app/lib"))
        );
        assert_eq!(
            expand_origin("$ORIGIN", origin),
            Some(PathBuf::from("/opt/app/bin"))
        );
        assert_eq!(expand_origin("$ORIGINAL/lib", origin), None);
        assert_eq!(expand_origin("/usr/lib", origin), None);
        assert_eq!(expand_origin("$ORIGIN/$LIB", origin), None);
    }
}
