//! The tree an artifact unpacks to, built in memory as extraction would build it on disk:
//! member names contained below the root, the last member of a name wins, hardlinks copy what
//! their target holds at that moment, and image layers delete lower files by whiteout. Only
//! what the checks need is kept: object files, the loader's configuration, a wheel's metadata.

use super::{ArtifactError, Bytes, Meter};
use crate::binary::{self, Binary, DynamicSymbols, Format, ReadError, Sniffed};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// One kept path of the tree.
#[derive(Debug, Clone)]
pub enum Member {
    /// An object file: its model (`Err` when it could not be parsed) and what the checks read
    /// of it again later.
    Object(Result<Arc<Binary>, Arc<ReadError>>, ObjectData),
    /// A small file the checks read (`etc/ld.so.conf`, a wheel's `WHEEL`).
    Text(Bytes),
    Symlink(PathBuf),
}

/// What is kept of an object file beside its model: its dynamic symbols (the undefined-symbol
/// check reads them), not its bytes, except for a glibc loader (`ld-*`), whose compiled-in
/// library directories are read from its bytes.
#[derive(Debug, Clone)]
pub struct ObjectData {
    pub symbols: Arc<DynamicSymbols>,
    pub bytes: Option<Bytes>,
}

/// The kept paths of one tree, by absolute path inside it (`/usr/lib/libz.so.1`).
#[derive(Debug, Default, Clone)]
pub struct Members {
    pub nodes: HashMap<PathBuf, Member>,
    /// Regular members that are not object files (only counted, as discovery counts the
    /// files of a directory; for an image, across its layers).
    pub not_binaries: usize,
}

/// What to do with a regular member, from its name and first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    Object,
    Text,
    /// Another archive: opened as a tree of its own once this one is read.
    Nested,
    Drop,
}

/// Bytes of a file the loader or the wheel checks read; larger ones are not configuration.
pub const MAX_TEXT_BYTES: u64 = 1 << 20;

impl Members {
    /// Decides what to keep of a regular member named `path` whose data starts with `head`.
    pub fn keep(path: &Path, head: &[u8], size: u64) -> Keep {
        if binary::is_object(head) {
            Keep::Object
        } else if super::sniff(head).is_some() {
            Keep::Nested
        } else if size <= MAX_TEXT_BYTES && is_text_we_read(path) {
            Keep::Text
        } else {
            Keep::Drop
        }
    }

    /// Reads a regular member (whose first bytes `head` were already read from `rest`) and
    /// stores it as `keep` says. Returns the bytes of a nested archive for the caller.
    pub fn add_file(
        &mut self,
        path: PathBuf,
        keep: Keep,
        head: &[u8],
        rest: &mut dyn Read,
        size: u64,
        meter: &Meter,
    ) -> Result<Option<Bytes>, ArtifactError> {
        if keep == Keep::Drop {
            self.nodes.remove(&path);
            self.not_binaries += 1;
            return Ok(None);
        }
        let bytes = meter.keep_whole(head, rest, size)?;
        Ok(self.add_read(path, keep, bytes, meter))
    }

    /// Stores a member already read whole (counted by `meter` as kept) as `keep` says, without
    /// copying it. Returns the bytes of a nested archive for the caller.
    pub fn add_read(
        &mut self,
        path: PathBuf,
        keep: Keep,
        bytes: Bytes,
        meter: &Meter,
    ) -> Option<Bytes> {
        match keep {
            Keep::Object => {
                let model = match binary::read_bytes(&bytes) {
                    Ok(Sniffed::Binary(binary)) => Ok(Arc::<Binary>::from(binary)),
                    Ok(Sniffed::NotBinary) => {
                        self.nodes.remove(&path);
                        meter.release(bytes.len());
                        return None;
                    }
                    Err(error) => Err(Arc::new(error)),
                };
                // Only ELF files have the dynamic symbols the undefined-symbol check reads.
                let symbols = match &model {
                    Ok(binary) if binary.format == Format::Elf => {
                        binary::read_dynamic_symbols_in(&bytes).unwrap_or_default()
                    }
                    _ => DynamicSymbols::default(),
                };
                let is_loader = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("ld-"));
                if !is_loader {
                    meter.release(bytes.len());
                }
                let data = ObjectData {
                    symbols: Arc::new(symbols),
                    bytes: is_loader.then_some(bytes),
                };
                self.nodes.insert(path, Member::Object(model, data));
                None
            }
            Keep::Text => {
                self.not_binaries += 1;
                self.nodes.insert(path, Member::Text(bytes));
                None
            }
            Keep::Nested => {
                self.nodes.remove(&path);
                Some(bytes)
            }
            Keep::Drop => {
                self.nodes.remove(&path);
                self.not_binaries += 1;
                meter.release(bytes.len());
                None
            }
        }
    }

    /// Whether any object file is kept (an artifact found in a tree is dropped without one).
    pub fn has_objects(&self) -> bool {
        self.nodes.values().any(|m| matches!(m, Member::Object(..)))
    }

    pub fn add_symlink(&mut self, path: PathBuf, target: PathBuf) {
        self.nodes.insert(path, Member::Symlink(target));
    }

    /// A hardlink is the file its target names at this point of the extraction.
    pub fn add_hardlink(&mut self, path: PathBuf, target: &Path) {
        match self.nodes.get(target).cloned() {
            Some(member) => {
                self.nodes.insert(path, member);
            }
            None => {
                self.nodes.remove(&path);
            }
        }
    }

    /// A member that is neither a file we keep nor a link replaces what the name held.
    pub fn replace_with_nothing(&mut self, path: &Path) {
        self.nodes.remove(path);
    }

    /// Applies an upper image layer: its whiteouts delete what lower layers hold (OCI image
    /// spec, "Whiteouts": `.wh.<name>` deletes `<name>`, `.wh..wh..opq` hides every lower entry
    /// of its directory), then its own entries replace lower ones.
    pub fn apply_layer(&mut self, layer: Layer) {
        if !layer.opaque_dirs.is_empty() || !layer.whiteouts.is_empty() {
            let opaque: HashSet<&Path> = layer.opaque_dirs.iter().map(PathBuf::as_path).collect();
            let deleted: HashSet<&Path> = layer.whiteouts.iter().map(PathBuf::as_path).collect();
            // One pass, each path's ancestors looked up: linear in the tree, whatever the
            // number of whiteouts.
            self.nodes.retain(|path, _| {
                !deleted.contains(path.as_path())
                    && !path
                        .ancestors()
                        .skip(1)
                        .any(|dir| deleted.contains(dir) || opaque.contains(dir))
            });
        }
        for removed in &layer.removed {
            self.nodes.remove(removed);
        }
        self.nodes.extend(layer.members.nodes);
        self.not_binaries += layer.members.not_binaries;
    }
}

/// One image layer as read: its own entries and what it deletes below it.
#[derive(Debug, Default)]
pub struct Layer {
    pub members: Members,
    pub whiteouts: Vec<PathBuf>,
    pub opaque_dirs: Vec<PathBuf>,
    /// Names this layer replaced by something not kept (a plain data file over an old object).
    pub removed: Vec<PathBuf>,
}

/// The whiteout a member name stands for, if it is one.
pub enum Whiteout {
    Opaque(PathBuf),
    Delete(PathBuf),
}

pub fn whiteout(path: &Path) -> Option<Whiteout> {
    use std::os::unix::ffi::OsStrExt;
    let name = path.file_name()?.as_bytes();
    let dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
    if name == b".wh..wh..opq" {
        Some(Whiteout::Opaque(dir))
    } else {
        let hidden = name.strip_prefix(b".wh.")?;
        Some(Whiteout::Delete(
            dir.join(std::ffi::OsStr::from_bytes(hidden)),
        ))
    }
}

/// A member name as a path inside the tree: absolute, `.` dropped, `..` never above the root,
/// so `../../etc/passwd` and `/etc/passwd` both name `/etc/passwd` of the tree.
pub fn contained(name: &Path) -> PathBuf {
    let mut path = PathBuf::from("/");
    for component in name.components() {
        match component {
            Component::Normal(part) => path.push(part),
            Component::ParentDir => {
                path.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    path
}

/// Files the loader model and the wheel check read from a tree.
fn is_text_we_read(path: &Path) -> bool {
    let Some(text) = path.to_str() else {
        return false;
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    crate::runtime::is_description(path)
        || text == "/etc/ld.so.conf"
        || text == "/etc/ld.so.cache"
        || text.starts_with("/etc/ld.so.conf.d/")
        || (text.starts_with("/etc/ld-musl-") && name.ends_with(".path"))
        || (name == "WHEEL"
            && path
                .parent()
                .and_then(Path::file_name)
                .and_then(|d| d.to_str())
                .is_some_and(|d| d.ends_with(".dist-info")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_stay_inside_the_tree() {
        assert_eq!(
            contained(Path::new("../../etc/passwd")),
            PathBuf::from("/etc/passwd")
        );
        assert_eq!(
            contained(Path::new("/usr/./lib/../lib/x")),
            PathBuf::from("/usr/lib/x")
        );
        assert_eq!(contained(Path::new("./")), PathBuf::from("/"));
    }

    #[test]
    fn whiteouts_delete_lower_entries_only() {
        let mut lower = Members::default();
        lower.add_symlink("/lib/a".into(), "x".into());
        lower.add_symlink("/lib/b".into(), "x".into());
        lower.add_symlink("/opt/d/e".into(), "x".into());
        let mut upper = Layer::default();
        upper.whiteouts.push("/lib/a".into());
        upper.opaque_dirs.push("/opt/d".into());
        upper.members.add_symlink("/opt/d/f".into(), "y".into());
        lower.apply_layer(upper);
        let mut kept: Vec<_> = lower.nodes.keys().cloned().collect();
        kept.sort();
        assert_eq!(
            kept,
            vec![PathBuf::from("/lib/b"), PathBuf::from("/opt/d/f")]
        );
    }

    #[test]
    fn whiteout_names_are_recognised() {
        assert!(matches!(
            whiteout(Path::new("/lib/.wh.libz.so.1")),
            Some(Whiteout::Delete(p)) if p == Path::new("/lib/libz.so.1")
        ));
        assert!(matches!(
            whiteout(Path::new("/opt/.wh..wh..opq")),
            Some(Whiteout::Opaque(p)) if p == Path::new("/opt")
        ));
        assert!(whiteout(Path::new("/lib/libz.so.1")).is_none());
    }
}
