//! The tree index: one checked PATH as the loader model sees it. Paths inside the tree are
//! absolute in the tree's own coordinates (`/usr/lib/libz.so.1`), symlinks resolve inside the
//! tree and never on this machine, and the loader model asks only this index where files are.
//!
//! A directory PATH is indexed from its walk (object files and symlinks; other files are only
//! counted by discovery). A single-file PATH is the one case that reaches beyond the walk: the
//! libraries its `$ORIGIN` entries name are looked up beside it on disk, on demand, because the
//! user pointed at one binary of an installed tree.

use crate::artifact::{self, Member, Members};
use crate::binary::{self, Binary, ReadError, Sniffed};
use crate::discover::Inventory;
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// Symlink hops allowed while resolving one path (the kernel's own limit is 40).
const MAX_LINK_HOPS: usize = 40;
/// Bytes read of a configuration file inside the tree (`etc/ld.so.conf`).
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// What a path of the tree is.
#[derive(Debug, Clone)]
pub enum Node {
    /// An object file; `None` when it could not be read or parsed.
    Object(Option<Arc<Binary>>),
    /// A symlink and its target, as stored.
    Symlink(PathBuf),
}

#[derive(Debug)]
enum Source {
    /// A walked directory: every object file and symlink, by path inside the tree, and the
    /// runtime description files the walk saw.
    Walked {
        nodes: HashMap<PathBuf, Node>,
        descriptions: Vec<PathBuf>,
    },
    /// Read from disk on demand below `disk_root`: one file given on its own (the tree is
    /// this machine's filesystem, `file` is it), or a `--sysroot` directory (no `file`).
    Disk {
        file: Option<PathBuf>,
        cache: RefCell<HashMap<PathBuf, Option<Node>>>,
    },
    /// An artifact unpacked in memory (an archive, a package, an image), shown as
    /// `label!/path`.
    Memory { label: String, members: Members },
}

/// One checked PATH, indexed.
#[derive(Debug)]
pub struct TreeIndex {
    /// The PATH as the user gave it.
    pub given: PathBuf,
    /// Where the tree's `/` lies on disk (canonical).
    disk_root: PathBuf,
    source: Source,
}

impl TreeIndex {
    /// A walked directory. `objects` and `symlinks` are the walk's paths (below `given`).
    pub fn walked(
        given: PathBuf,
        disk_root: PathBuf,
        objects: Vec<(PathBuf, Option<Arc<Binary>>)>,
        symlinks: Vec<(PathBuf, PathBuf)>,
        descriptions: Vec<PathBuf>,
    ) -> TreeIndex {
        let mut nodes = HashMap::with_capacity(objects.len() + symlinks.len());
        let inside = |path: &Path| Path::new("/").join(path.strip_prefix(&given).unwrap_or(path));
        for (path, binary) in objects {
            nodes.insert(inside(&path), Node::Object(binary));
        }
        for (path, target) in symlinks {
            nodes.insert(inside(&path), Node::Symlink(target));
        }
        let descriptions = descriptions.iter().map(|path| inside(path)).collect();
        TreeIndex {
            given,
            disk_root,
            source: Source::Walked {
                nodes,
                descriptions,
            },
        }
    }

    /// A single file: its path inside the tree is its canonical path on this machine.
    pub fn single_file(given: PathBuf, canonical: PathBuf, binary: Option<Arc<Binary>>) -> Self {
        let mut cache = HashMap::new();
        cache.insert(canonical.clone(), Some(Node::Object(binary)));
        TreeIndex {
            given,
            disk_root: PathBuf::from("/"),
            source: Source::Disk {
                file: Some(canonical),
                cache: RefCell::new(cache),
            },
        }
    }

    /// A directory read on demand (a `--sysroot`): nothing is walked up front.
    pub fn on_disk(root: PathBuf) -> Self {
        TreeIndex {
            given: root.clone(),
            disk_root: root,
            source: Source::Disk {
                file: None,
                cache: RefCell::default(),
            },
        }
    }

    /// An artifact's tree, held in memory.
    pub fn in_memory(label: String, members: Members) -> Self {
        TreeIndex {
            given: PathBuf::from(&label),
            disk_root: PathBuf::new(),
            source: Source::Memory { label, members },
        }
    }

    /// The walk path of a path inside an artifact's tree (`label!/usr/lib/x`).
    pub fn member_path(&self, vpath: &Path) -> PathBuf {
        match &self.source {
            Source::Memory { label, .. } => PathBuf::from(artifact::member_label(label, vpath)),
            _ => self.display(vpath),
        }
    }

    /// Why an object member of an artifact could not be parsed.
    pub fn member_error(&self, vpath: &Path) -> Option<String> {
        match &self.source {
            Source::Memory { members, .. } => match members.nodes.get(vpath)? {
                Member::Object(Err(error), _) => Some(error.to_string()),
                _ => None,
            },
            _ => None,
        }
    }

    /// Where a path inside the tree is on this machine.
    pub fn on_this_machine(&self, vpath: &Path) -> PathBuf {
        self.disk_root
            .join(vpath.strip_prefix("/").unwrap_or(vpath))
    }

    /// Whether the tree is a walked directory (a single file is never a root filesystem).
    pub fn is_directory(&self) -> bool {
        matches!(self.source, Source::Walked { .. } | Source::Memory { .. })
    }

    /// The path inside the tree of a path the walk produced.
    pub fn inside(&self, walked: &Path) -> PathBuf {
        match &self.source {
            Source::Walked { .. } => {
                Path::new("/").join(walked.strip_prefix(&self.given).unwrap_or(walked))
            }
            Source::Disk { file, .. } => file.clone().unwrap_or_else(|| walked.to_path_buf()),
            Source::Memory { .. } => artifact::split_member(walked)
                .map_or_else(|| walked.to_path_buf(), |(_, inside)| inside.to_path_buf()),
        }
    }

    /// A path relative to the checked PATH, for matching policy globs: below a directory, the
    /// member path inside an artifact, the file name of a single file.
    pub fn relative_for_policy(&self, walked: &Path) -> PathBuf {
        match &self.source {
            Source::Walked { .. } | Source::Memory { .. } => {
                let inside = self.inside(walked);
                inside.strip_prefix("/").unwrap_or(&inside).to_path_buf()
            }
            Source::Disk { .. } => walked
                .file_name()
                .map_or_else(|| walked.to_path_buf(), PathBuf::from),
        }
    }

    /// The path to show for a path inside the tree: below the PATH as given.
    pub fn display(&self, vpath: &Path) -> PathBuf {
        match &self.source {
            Source::Walked { .. } => {
                let rest = vpath.strip_prefix("/").unwrap_or(vpath);
                if rest.as_os_str().is_empty() {
                    self.given.clone()
                } else {
                    self.given.join(rest)
                }
            }
            Source::Disk {
                file: Some(file), ..
            } if vpath == file => self.given.clone(),
            Source::Disk { file: Some(_), .. } => vpath.to_path_buf(),
            Source::Disk { file: None, .. } => self.on_this_machine(vpath),
            Source::Memory { .. } => self.member_path(vpath),
        }
    }

    /// The path relative to the tree's root (`bin/app`), for the load tree's JSON.
    pub fn relative(&self, vpath: &Path) -> PathBuf {
        match &self.source {
            Source::Walked { .. } | Source::Memory { .. } => {
                vpath.strip_prefix("/").unwrap_or(vpath).to_path_buf()
            }
            Source::Disk { .. } => self.display(vpath),
        }
    }

    /// Every object file of a walked tree with its path inside the tree.
    pub fn objects(&self) -> Vec<(PathBuf, Option<Arc<Binary>>)> {
        match &self.source {
            Source::Walked { nodes, .. } => {
                let mut objects: Vec<(PathBuf, Option<Arc<Binary>>)> = nodes
                    .iter()
                    .filter_map(|(path, node)| match node {
                        Node::Object(binary) => Some((path.clone(), binary.clone())),
                        Node::Symlink(_) => None,
                    })
                    .collect();
                objects.sort_by(|a, b| a.0.cmp(&b.0));
                objects
            }
            Source::Memory { members, .. } => {
                let mut objects: Vec<(PathBuf, Option<Arc<Binary>>)> = members
                    .nodes
                    .iter()
                    .filter_map(|(path, member)| match member {
                        Member::Object(binary, _) => Some((path.clone(), binary.clone().ok())),
                        _ => None,
                    })
                    .collect();
                objects.sort_by(|a, b| a.0.cmp(&b.0));
                objects
            }
            Source::Disk { file, cache } => {
                match file.as_ref().map(|f| (f, cache.borrow().get(f).cloned())) {
                    Some((file, Some(Some(Node::Object(binary))))) => vec![(file.clone(), binary)],
                    _ => Vec::new(),
                }
            }
        }
    }

    /// The runtime description files of the tree (`app.runtimeconfig.json`, `Foo.dll.config`),
    /// by path inside it, sorted.
    pub fn runtime_descriptions(&self) -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = match &self.source {
            Source::Walked { descriptions, .. } => descriptions.clone(),
            Source::Memory { members, .. } => members
                .nodes
                .iter()
                .filter(|(path, member)| {
                    matches!(member, Member::Text(_)) && crate::runtime::is_description(path)
                })
                .map(|(path, _)| path.clone())
                .collect(),
            Source::Disk { .. } => Vec::new(),
        };
        found.sort();
        found
    }

    /// Every object file and symlink whose name could be a soname (it contains `.so`), by name.
    pub fn library_names(&self) -> HashMap<OsString, Vec<PathBuf>> {
        use std::os::unix::ffi::OsStrExt;
        let mut by_name: HashMap<OsString, Vec<PathBuf>> = HashMap::new();
        let paths: Box<dyn Iterator<Item = &PathBuf>> = match &self.source {
            Source::Walked { nodes, .. } => Box::new(nodes.keys()),
            Source::Memory { members, .. } => Box::new(
                members
                    .nodes
                    .iter()
                    .filter(|(_, m)| !matches!(m, Member::Text(_)))
                    .map(|(path, _)| path),
            ),
            Source::Disk { .. } => Box::new(std::iter::empty()),
        };
        {
            for path in paths {
                if let Some(name) = path
                    .file_name()
                    .filter(|n| n.as_bytes().windows(3).any(|w| w == b".so"))
                {
                    by_name
                        .entry(name.to_os_string())
                        .or_default()
                        .push(path.clone());
                }
            }
        }
        for paths in by_name.values_mut() {
            paths.sort();
        }
        by_name
    }

    /// Whether a directory of the tree holds an object file or a symlink (walked trees only).
    pub fn has_dir(&self, vpath: &Path) -> bool {
        match &self.source {
            Source::Walked { nodes, .. } => nodes.keys().any(|path| path.starts_with(vpath)),
            Source::Memory { members, .. } => {
                members.nodes.keys().any(|path| path.starts_with(vpath))
            }
            Source::Disk { .. } => false,
        }
    }

    fn node(&self, vpath: &Path) -> Option<Node> {
        match &self.source {
            Source::Walked { nodes, .. } => nodes.get(vpath).cloned(),
            Source::Memory { members, .. } => match members.nodes.get(vpath)? {
                Member::Object(binary, _) => Some(Node::Object(binary.clone().ok())),
                Member::Symlink(target) => Some(Node::Symlink(target.clone())),
                Member::Text(_) => None,
            },
            Source::Disk { cache, .. } => {
                if let Some(known) = cache.borrow().get(vpath) {
                    return known.clone();
                }
                let node = disk_node(&self.on_this_machine(vpath));
                cache.borrow_mut().insert(vpath.to_path_buf(), node.clone());
                node
            }
        }
    }

    /// Resolves `path` (inside the tree) to the object file it names, following symlinks as
    /// the target system would: absolute link targets start at the tree's root, and `..`
    /// never climbs above it. Returns the object's own path (symlinks resolved) and its
    /// parsed model; `None` when nothing is there, the link loops, or it is not an object file.
    pub fn resolve(&self, path: &Path) -> Option<(PathBuf, Option<Arc<Binary>>)> {
        let real = self.follow(path)?;
        match self.node(&real)? {
            Node::Object(binary) => Some((real, binary)),
            Node::Symlink(_) => None,
        }
    }

    /// `path` with every symlink along it resolved inside the tree; `None` when links loop.
    pub fn follow(&self, path: &Path) -> Option<PathBuf> {
        let mut pending: Vec<OsString> = components(path);
        pending.reverse();
        let mut current = PathBuf::from("/");
        let mut hops = 0;
        while let Some(name) = pending.pop() {
            if name == ".." {
                current.pop();
                continue;
            }
            let candidate = current.join(&name);
            match self.node(&candidate) {
                Some(Node::Symlink(target)) => {
                    hops += 1;
                    if hops > MAX_LINK_HOPS {
                        return None;
                    }
                    if target.is_absolute() {
                        current = PathBuf::from("/");
                    }
                    let mut parts = components(&target);
                    parts.reverse();
                    pending.extend(parts);
                }
                _ => current = candidate,
            }
        }
        Some(current)
    }

    /// Hands the dynamic symbols of the object file at `real` (a resolved path inside the tree)
    /// to `visit`, read from the file again; `None` when it cannot be read, else whether it has
    /// version tables.
    pub fn visit_dynamic_symbols(
        &self,
        real: &Path,
        visit: &mut dyn FnMut(binary::SymbolRef<'_>),
    ) -> Option<bool> {
        match &self.source {
            Source::Memory { members, .. } => match members.nodes.get(real)? {
                Member::Object(_, data) => Some(data.symbols.visit(visit)),
                _ => None,
            },
            _ => binary::visit_dynamic_symbols(&self.on_this_machine(real), visit).ok(),
        }
    }

    /// A small text file inside the tree (`/etc/ld.so.conf`), symlinks resolved inside it.
    pub fn read_config(&self, path: &Path) -> Option<String> {
        String::from_utf8(self.read_small(path, MAX_CONFIG_BYTES)?).ok()
    }

    /// The bytes of a file inside the tree, symlinks resolved inside it; `None` when it is
    /// missing or larger than `limit`.
    pub fn read_small(&self, path: &Path, limit: u64) -> Option<Vec<u8>> {
        use std::io::Read;
        let real = self.follow(path)?;
        if let Source::Memory { members, .. } = &self.source {
            let bytes = match members.nodes.get(&real)? {
                Member::Object(_, data) => data.bytes.as_ref()?,
                Member::Text(bytes) => bytes,
                Member::Symlink(_) => return None,
            };
            return (bytes.len() as u64 <= limit).then(|| bytes.to_vec());
        }
        let on_disk = self.on_this_machine(&real);
        let mut data = Vec::new();
        std::fs::File::open(on_disk)
            .ok()?
            .take(limit.saturating_add(1))
            .read_to_end(&mut data)
            .ok()?;
        (data.len() as u64 <= limit).then_some(data)
    }

    /// The file names directly in a directory of the tree, sorted (for `include
    /// /etc/ld.so.conf.d/*.conf`, `etc/ld-musl-*.path`, a sysroot's library directories).
    pub fn list_config_dir(&self, dir: &Path) -> Vec<String> {
        let Some(real) = self.follow(dir) else {
            return Vec::new();
        };
        if let Source::Memory { members, .. } = &self.source {
            let mut names: Vec<String> = members
                .nodes
                .keys()
                .filter(|path| path.parent() == Some(real.as_path()))
                .filter_map(|path| path.file_name()?.to_str().map(str::to_string))
                .collect();
            names.sort();
            return names;
        }
        let Ok(entries) = std::fs::read_dir(self.on_this_machine(&real)) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        names
    }
}

/// Object files of one tree, by walk path, in walk order.
pub type TreeFiles = Vec<(PathBuf, Arc<Binary>)>;

/// Files that could not be read, with the reason.
pub type Unreadable = Vec<(PathBuf, ReadError)>;

/// Indexes the walk: one tree per PATH given, with the object files read in it; files that
/// could not be read are returned apart (they are reported, and the loader sees them as
/// unusable files).
pub fn index_walk(
    read: Vec<(PathBuf, Result<Box<Binary>, ReadError>)>,
    inventory: &Inventory,
    artifacts: &[PathBuf],
) -> (Vec<(TreeIndex, TreeFiles)>, Unreadable) {
    let roots = &inventory.roots;
    // One PATH (the usual case) needs no comparison of components per file.
    let root_of = |path: &Path| match roots.len() {
        1 => Some(0),
        _ => roots.iter().position(|(given, _)| path.starts_with(given)),
    };
    let mut objects: Vec<Vec<(PathBuf, Option<Arc<Binary>>)>> = vec![Vec::new(); roots.len()];
    let mut files: Vec<TreeFiles> = vec![Vec::new(); roots.len()];
    let mut unreadable = Vec::new();
    for (path, outcome) in read {
        let root = root_of(&path);
        match outcome {
            Ok(binary) => {
                let binary: Arc<Binary> = Arc::from(binary);
                if let Some(root) = root {
                    objects[root].push((path.clone(), Some(binary.clone())));
                    files[root].push((path, binary));
                }
            }
            Err(error) => {
                if let Some(root) = root {
                    objects[root].push((path.clone(), None));
                }
                unreadable.push((path, error));
            }
        }
    }
    let mut symlinks: Vec<Vec<(PathBuf, PathBuf)>> = vec![Vec::new(); roots.len()];
    for link in &inventory.symlinks {
        if let (Some(root), Ok(target)) = (root_of(link), std::fs::read_link(link)) {
            symlinks[root].push((link.clone(), target));
        }
    }
    let mut descriptions: Vec<Vec<PathBuf>> = vec![Vec::new(); roots.len()];
    for path in &inventory.runtime_descriptions {
        if let Some(root) = root_of(path) {
            descriptions[root].push(path.clone());
        }
    }
    let trees = roots
        .iter()
        .zip(objects)
        .zip(symlinks)
        .zip(files)
        .zip(descriptions)
        // A PATH that is itself an archive or an image is only the trees it unpacked to.
        .filter(|(((((given, _), _), _), _), _)| !artifacts.contains(given))
        .map(
            |(((((given, canonical), objects), symlinks), files), descriptions)| {
                let tree = if canonical.is_dir() {
                    TreeIndex::walked(
                        given.clone(),
                        canonical.clone(),
                        objects,
                        symlinks,
                        descriptions,
                    )
                } else {
                    let binary = objects.into_iter().next().and_then(|(_, b)| b);
                    TreeIndex::single_file(given.clone(), canonical.clone(), binary)
                };
                (tree, files)
            },
        )
        .collect();
    (trees, unreadable)
}

/// The named components of a path, with `..` kept (it is resolved against symlinks).
fn components(path: &Path) -> Vec<OsString> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            _ => None,
        })
        .collect()
}

/// A path of this machine's filesystem as a node, for trees read on demand.
fn disk_node(path: &Path) -> Option<Node> {
    let metadata = std::fs::symlink_metadata(path).ok()?;
    if metadata.file_type().is_symlink() {
        return std::fs::read_link(path).ok().map(Node::Symlink);
    }
    if !metadata.is_file() {
        return None;
    }
    match binary::read_path(path) {
        Ok(Sniffed::Binary(binary)) => Some(Node::Object(Some(Arc::from(binary)))),
        Ok(Sniffed::NotBinary) => None,
        Err(_) => Some(Node::Object(None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(objects: &[&str], links: &[(&str, &str)]) -> TreeIndex {
        let given = PathBuf::from("t");
        TreeIndex::walked(
            given.clone(),
            PathBuf::from("/nonexistent"),
            objects.iter().map(|p| (given.join(p), None)).collect(),
            links
                .iter()
                .map(|(p, t)| (given.join(p), PathBuf::from(t)))
                .collect(),
            Vec::new(),
        )
    }

    #[test]
    fn symlinks_resolve_inside_the_tree_and_never_escape() {
        let t = tree(
            &["usr/lib/libz.so.1.2.13", "etc/passwd"],
            &[
                ("usr/lib/libz.so.1", "libz.so.1.2.13"),
                ("lib", "usr/lib"),
                ("usr/lib/abs.so", "/usr/lib/libz.so.1"),
                ("usr/lib/escape.so", "../../../../etc/passwd"),
                ("usr/lib/loop-a", "loop-b"),
                ("usr/lib/loop-b", "loop-a"),
            ],
        );
        let real = |p: &str| t.resolve(Path::new(p)).map(|(path, _)| path);
        let libz = Some(PathBuf::from("/usr/lib/libz.so.1.2.13"));
        assert_eq!(real("/lib/libz.so.1"), libz);
        assert_eq!(real("/usr/lib/abs.so"), libz);
        // `..` is physical: after the symlinked /lib it is /usr.
        assert_eq!(real("/lib/../lib/libz.so.1"), libz);
        assert_eq!(real("/lib/../usr/lib/libz.so.1"), None);
        // `..` stops at the tree's root: the link names /etc/passwd of the tree.
        assert_eq!(
            real("/usr/lib/escape.so"),
            Some(PathBuf::from("/etc/passwd"))
        );
        assert_eq!(real("/usr/lib/loop-a"), None);
        assert_eq!(real("/usr/lib/libnone.so"), None);
        assert!(t.has_dir(Path::new("/usr/lib")));
        assert_eq!(
            t.display(Path::new("/usr/lib/libz.so.1")),
            PathBuf::from("t/usr/lib/libz.so.1")
        );
    }
}
