//! Discovery: walks the given paths (without following symlinks), keeps regular files for
//! reading, and notes everything else. Never opens FIFOs, sockets or devices.

use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// A path that was not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: SkipReason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// A symlink inside the tree: its target is checked where it lives; it still counts for
    /// library resolution.
    Symlink,
    /// A FIFO, socket or device node.
    Special(&'static str),
    /// The walk could not enter or stat it (permissions, symlink loop, vanished).
    WalkError(String),
}

impl SkipReason {
    pub fn describe(&self) -> String {
        match self {
            SkipReason::Symlink => "symlink (not followed)".into(),
            SkipReason::Special(kind) => format!("{kind} (not opened)"),
            SkipReason::WalkError(reason) => reason.clone(),
        }
    }
}

/// What a walk found: regular files to read and everything else.
#[derive(Debug, Default)]
pub struct Inventory {
    /// The roots as given, each with its canonical form.
    pub roots: Vec<(PathBuf, PathBuf)>,
    /// Regular files, sorted.
    pub files: Vec<PathBuf>,
    /// Symlinks inside the tree (for library resolution), sorted.
    pub symlinks: Vec<PathBuf>,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct MissingPath {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// Walks every path. A path that does not exist at all is an error (a usage error for the
/// CLI); problems inside a tree are recorded and the walk goes on.
pub fn discover(paths: &[PathBuf]) -> Result<Inventory, MissingPath> {
    let mut inventory = Inventory::default();
    for root in paths {
        let canonical = root.canonicalize().map_err(|source| MissingPath {
            path: root.clone(),
            source,
        })?;
        inventory.roots.push((root.clone(), canonical));
        for entry in WalkDir::new(root)
            .follow_links(false)
            .follow_root_links(true)
        {
            match entry {
                Ok(entry) => {
                    // A root given as a symlink is followed: the user named it.
                    let file_type = if entry.depth() == 0 && entry.path_is_symlink() {
                        match std::fs::metadata(entry.path()) {
                            Ok(metadata) => metadata.file_type(),
                            Err(_) => entry.file_type(),
                        }
                    } else {
                        entry.file_type()
                    };
                    classify(&mut inventory, entry.path(), file_type)
                }
                Err(error) => {
                    let path = error.path().unwrap_or(root).to_path_buf();
                    let reason = error
                        .io_error()
                        .map_or_else(|| error.to_string(), |e| e.to_string());
                    inventory.skipped.push(Skipped {
                        path,
                        reason: SkipReason::WalkError(reason),
                    });
                }
            }
        }
    }
    inventory.files.sort();
    inventory.files.dedup();
    inventory.symlinks.sort();
    inventory.symlinks.dedup();
    inventory.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    inventory.skipped.dedup();
    Ok(inventory)
}

fn classify(inventory: &mut Inventory, path: &Path, file_type: std::fs::FileType) {
    use std::os::unix::fs::FileTypeExt;
    let special = if file_type.is_fifo() {
        Some("FIFO")
    } else if file_type.is_socket() {
        Some("socket")
    } else if file_type.is_block_device() {
        Some("block device")
    } else if file_type.is_char_device() {
        Some("character device")
    } else {
        None
    };
    if file_type.is_file() {
        inventory.files.push(path.to_path_buf());
    } else if file_type.is_symlink() {
        inventory.symlinks.push(path.to_path_buf());
        inventory.skipped.push(Skipped {
            path: path.to_path_buf(),
            reason: SkipReason::Symlink,
        });
    } else if let Some(kind) = special {
        inventory.skipped.push(Skipped {
            path: path.to_path_buf(),
            reason: SkipReason::Special(kind),
        });
    }
}
