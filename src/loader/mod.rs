//! The loader model: for every entry point of a checked tree, the objects the target's dynamic
//! loader maps and where it finds each, following the loader's own rules without running it.
//!
//! glibc (`elf/dl-deps.c`, `elf/dl-load.c`):
//! - `_dl_map_object_deps` walks DT_NEEDED breadth-first from the program.
//! - `_dl_map_object`: an object already loaded whose name or DT_SONAME matches
//!   (`_dl_name_match_p`) satisfies a need before any search; a name with `/` is a path; else,
//!   when the requesting object has no DT_RUNPATH, the DT_RPATH of the requester and of each
//!   object up its `l_loader` chain, then of the executable; LD_LIBRARY_PATH (never assumed
//!   here); the requester's own DT_RUNPATH; then ld.so.cache and the system directories unless
//!   the requester has DF_1_NODEFLIB.
//! - `open_path` / `open_verify` skip a file of another ELF class or machine and go on.
//! - `_dl_new_object`: `$ORIGIN` is the directory of the path the object was found at.
//! - In trace mode a name that is not found is entered once (`l_faked`), so later needs of the
//!   same name match it and it is listed once.
//!
//! musl (`ldso/dynlink.c`):
//! - `load_deps` is breadth-first too.
//! - `load_library`: its own names (libc, libpthread, …, `ld-musl-*`) are the loader itself; an
//!   object requested under the same name (`shortname`, not DT_SONAME) is reused; a name with `/`
//!   is a path; else the DT_RUNPATH (or DT_RPATH: musl treats them alike) of every object up the
//!   `needed_by` chain (`fixup_rpath` expands `$ORIGIN`), then `/etc/ld-musl-<arch>.path` or
//!   `/lib:/usr/local/lib:/usr/lib`. A name not found is retried at every need.
//!
//! The model asks only the tree index where files are. What lies beyond the tree (the target
//! system: a database baseline or a `--sysroot`) is a [`Found::System`] object; the checks ask the
//! baseline about it. In a root filesystem the tree's own library directories come first.

mod cache;
mod system;

pub use system::{
    Layout, SystemDirs, looks_like_root_filesystem, read_ld_so_conf, root_filesystem_loader,
};

use crate::arch::{Libc, libc_of_interpreter, libc_of_needed};
use crate::binary::{Binary, FileKind, Format};
use crate::runtime::RuntimeLoad;
use crate::tree::TreeIndex;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Which dynamic loader's rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Glibc,
    Musl,
}

impl Flavor {
    pub fn as_str(&self) -> &'static str {
        match self {
            Flavor::Glibc => "glibc",
            Flavor::Musl => "musl",
        }
    }
}

/// Where the loader finds a needed library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A file of the checked tree: `path` as the loader opened it (its `$ORIGIN` is this
    /// path's directory), `real` with symlinks resolved.
    Tree { path: PathBuf, real: PathBuf },
    /// Not in the tree where the loader looks: the target system beyond the tree provides it
    /// or not (the baseline answers). `undecided` lists search entries that depend on the run
    /// time and were skipped.
    System { undecided: Vec<String> },
    /// The dynamic loader itself answers for this name (glibc's `ld-linux*.so.2`, musl's libc).
    Loader,
    /// Not found, and nothing beyond the tree is searched: a self-contained root filesystem,
    /// or DF_1_NODEFLIB on the requesting object.
    NotFound {
        no_default_lib: bool,
        undecided: Vec<String>,
        /// Where an `ld.so.conf` directory of the root filesystem holds it, which the loader
        /// reaches only through an `/etc/ld.so.cache` that does not list it.
        only_in_conf: Option<PathBuf>,
    },
    /// Where it is found depends on something only known at run time.
    Unknown { why: String },
}

/// How a need was satisfied: the search entry that found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// An object already loaded under this name (or, glibc, with this DT_SONAME).
    AlreadyLoaded,
    /// The needed name is a path.
    Path,
    /// A DT_RPATH or DT_RUNPATH entry (`tag`) of the object at `owner`.
    SearchEntry {
        tag: &'static str,
        owner: PathBuf,
        entry: String,
    },
    /// A directory of the root filesystem (`ld.so.conf`, the loader's defaults, musl's path file).
    SystemDir { dir: PathBuf, source: &'static str },
    /// Left to the target system.
    System,
    /// The loader itself.
    Loader,
    /// Not found.
    Nowhere,
}

/// One object of a load closure.
#[derive(Debug, Clone)]
pub struct Object {
    /// The name it was first needed as (the entry point: its path).
    pub name: String,
    pub found: Found,
    /// The parsed file, for tree objects.
    pub binary: Option<Arc<Binary>>,
    /// The object whose need loaded it first (glibc `l_loader`, musl `needed_by`).
    pub loader: Option<usize>,
}

/// One DT_NEEDED entry of one loaded object and the object it resolved to.
#[derive(Debug, Clone)]
pub struct Edge {
    pub from: usize,
    pub name: String,
    pub to: usize,
    pub via: Via,
    /// DT_RUNPATH entries of objects up the chain that the loader did not consult for this
    /// need (glibc: DT_RUNPATH applies only to its own object's needs).
    pub runpath_not_inherited: Vec<(PathBuf, String)>,
}

/// Everything the loader maps for one entry point.
#[derive(Debug, Clone)]
pub struct Closure {
    /// Path of the entry point inside the tree.
    pub entry: PathBuf,
    pub flavor: Flavor,
    /// Breadth-first, the entry point first.
    pub objects: Vec<Object>,
    pub edges: Vec<Edge>,
    /// What objects of the closure load at run time, resolved as `dlopen` searches.
    pub runtime: Vec<RuntimeEdge>,
}

/// One run-time load of one object of a closure: each name tried, in order, until one is
/// found in the tree (or by the loader itself), and where the search finds it.
#[derive(Debug, Clone)]
pub struct RuntimeEdge {
    pub from: usize,
    pub load: RuntimeLoad,
    pub tried: Vec<(String, Found)>,
}

impl Closure {
    /// The chain of objects that led to `object`, entry point first.
    pub fn chain(&self, object: usize) -> Vec<usize> {
        let mut chain = vec![object];
        let mut current = object;
        while let Some(parent) = self.objects.get(current).and_then(|o| o.loader) {
            if chain.contains(&parent) {
                break;
            }
            chain.push(parent);
            current = parent;
        }
        chain.reverse();
        chain
    }

    /// The tree path of an object (the path it was found at), if it is in the tree.
    pub fn tree_path(&self, object: usize) -> Option<&Path> {
        match &self.objects.get(object)?.found {
            Found::Tree { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The files of the chain that led to `object`, entry point first (symlinks resolved):
    /// what findings show.
    pub fn chain_files(&self, object: usize) -> Vec<&Path> {
        self.chain(object)
            .into_iter()
            .filter_map(|o| self.real_path(o))
            .collect()
    }

    /// The file an object is (symlinks resolved), if it is in the tree: what people are shown.
    pub fn real_path(&self, object: usize) -> Option<&Path> {
        match &self.objects.get(object)?.found {
            Found::Tree { real, .. } => Some(real),
            _ => None,
        }
    }
}

/// The loader model of one tree: which files are entry points and what each loads.
#[derive(Debug)]
pub struct Model {
    pub layout: Layout,
    pub closures: Vec<Closure>,
}

/// What the model needs to know beyond the tree.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub layout: Layout,
    /// A baseline or sysroot answers for what the tree does not hold (in a root filesystem:
    /// an image built FROM a base). Without one a root filesystem must be self-contained.
    pub system_beyond: bool,
    /// The C library the target or baseline uses, when known.
    pub libc: Option<Libc>,
}

/// What files of a tree load at run time, by path inside the tree.
pub type RuntimeLoads = HashMap<PathBuf, Vec<RuntimeLoad>>;

/// Builds the load closure of every entry point of the tree, with what its objects load at run
/// time.
pub fn model(tree: &TreeIndex, setting: Setting, runtime: &RuntimeLoads) -> Model {
    let dirs = match setting.layout {
        Layout::RootFs => SystemDirs::of_tree(tree),
        Layout::App => SystemDirs::default(),
    };
    let loader = Loader {
        tree,
        setting,
        dirs: &dirs,
        runtime,
    };
    let objects: Vec<(PathBuf, Arc<Binary>)> = tree
        .objects()
        .into_iter()
        .filter_map(|(path, binary)| Some((path, binary?)))
        .filter(|(_, binary)| {
            binary.format == Format::Elf && uses_loader(binary) && !is_loader_file(binary)
        })
        .collect();
    let mut reached: HashSet<PathBuf> = HashSet::new();
    let mut closures = Vec::new();
    for (path, binary) in objects.iter().filter(|(_, b)| is_program(b)) {
        let closure = loader.closure(path, binary);
        mark_reached(&closure, &mut reached);
        closures.push(closure);
    }
    // Libraries no program loads: each is an entry point unless another such library loads
    // it (a plugin's own dependencies). Libraries that only load each other in a cycle take
    // the first of them, by path.
    let mut pending: Vec<(PathBuf, HashSet<PathBuf>, Closure)> = objects
        .iter()
        .filter(|(path, binary)| !is_program(binary) && !reached.contains(path))
        .map(|(path, binary)| {
            let closure = loader.closure(path, binary);
            let loads = tree_objects(&closure)
                .filter(|real| *real != path)
                .cloned()
                .collect();
            (path.clone(), loads, closure)
        })
        .collect();
    while !pending.is_empty() {
        let loaded_by_other: HashSet<&PathBuf> =
            pending.iter().flat_map(|(_, loads, _)| loads).collect();
        let is_entry: Vec<bool> = pending
            .iter()
            .map(|(path, _, _)| !loaded_by_other.contains(path))
            .collect();
        let any = is_entry.iter().any(|&entry| entry);
        let mut rest = Vec::new();
        for (index, item) in pending.into_iter().enumerate() {
            // Libraries that only load each other (a cycle): the first, by path, is the entry.
            if is_entry[index] || (!any && index == 0) {
                mark_reached(&item.2, &mut reached);
                closures.push(item.2);
            } else {
                rest.push(item);
            }
        }
        rest.retain(|(path, _, _)| !reached.contains(path));
        pending = rest;
    }
    closures.sort_by(|a, b| a.entry.cmp(&b.entry));
    Model {
        layout: setting.layout,
        closures,
    }
}

fn mark_reached(closure: &Closure, reached: &mut HashSet<PathBuf>) {
    reached.insert(closure.entry.clone());
    reached.extend(tree_objects(closure).cloned());
}

/// The real paths of the tree files a closure maps.
fn tree_objects(closure: &Closure) -> impl Iterator<Item = &PathBuf> {
    closure
        .objects
        .iter()
        .filter_map(|object| match &object.found {
            Found::Tree { real, .. } => Some(real),
            _ => None,
        })
}

/// Dynamically linked: the loader maps it or its needs.
pub fn uses_loader(binary: &Binary) -> bool {
    !binary.debug.separate_debug_file
        && matches!(
            binary.kind,
            FileKind::Executable | FileKind::PieExecutable | FileKind::SharedLibrary
        )
}

/// A program the kernel starts: it names an interpreter and has no DT_SONAME (glibc's libc.so.6
/// also names one and runs, but it is loaded as a library).
fn is_program(binary: &Binary) -> bool {
    binary.interpreter.is_some() && binary.soname.is_none()
}

/// The dynamic loader's own file: loaded by the kernel, never an entry point.
fn is_loader_file(binary: &Binary) -> bool {
    binary
        .soname
        .as_deref()
        .is_some_and(|soname| libc_of_interpreter(soname).is_some())
}

/// Which loader's rules apply to a closure: the entry's interpreter says; a library follows the
/// target or baseline, else its own needs.
fn flavor_of(binary: &Binary, libc: Option<Libc>) -> Flavor {
    let libc = match &binary.interpreter {
        Some(interpreter) => libc_of_interpreter(interpreter),
        None => libc.or_else(|| libc_of_needed(&binary.needed)),
    };
    match libc {
        Some(Libc::Musl) => Flavor::Musl,
        _ => Flavor::Glibc,
    }
}

struct Loader<'a> {
    tree: &'a TreeIndex,
    setting: Setting,
    dirs: &'a SystemDirs,
    runtime: &'a RuntimeLoads,
}

/// A search entry after `$ORIGIN` expansion.
enum Expanded {
    /// A directory inside the tree.
    Tree(PathBuf),
    /// An absolute directory of the target system outside the tree (app layout).
    TargetSystem,
    /// Depends on the run time (working directory, `$LIB`, `$PLATFORM`).
    Undecided(String),
}

impl Loader<'_> {
    fn closure(&self, entry: &Path, binary: &Arc<Binary>) -> Closure {
        let flavor = flavor_of(binary, self.setting.libc);
        // The kernel starts a program by its real path, so its $ORIGIN is that directory.
        let mut closure = Closure {
            entry: entry.to_path_buf(),
            flavor,
            objects: vec![Object {
                name: entry.display().to_string(),
                found: Found::Tree {
                    path: entry.to_path_buf(),
                    real: entry.to_path_buf(),
                },
                binary: Some(binary.clone()),
                loader: None,
            }],
            edges: Vec::new(),
            runtime: Vec::new(),
        };
        let mut names: HashMap<String, usize> = HashMap::new();
        let mut next = 0;
        while next < closure.objects.len() {
            let Some(requester) = closure.objects[next].binary.clone() else {
                next += 1;
                continue;
            };
            if !matches!(closure.objects[next].found, Found::Tree { .. }) {
                next += 1;
                continue;
            }
            for name in &requester.needed {
                let edge = self.resolve(&mut closure, &mut names, next, name, binary);
                closure.edges.push(edge);
            }
            next += 1;
        }
        if !self.runtime.is_empty() {
            self.resolve_runtime(&mut closure, binary);
        }
        closure
    }

    /// The run-time loads of every tree object of the closure, after the program has started
    /// (`dlopen` runs once the DT_NEEDED closure is mapped). A library found in the tree is
    /// not added to the closure: nothing else loads it, so it is an entry point of its own
    /// whose needs are checked there.
    ///
    /// glibc `dl_open_worker_begin` → `_dl_map_object` with the caller's link map: an object
    /// already loaded under the name or DT_SONAME, else the caller's search path as for its
    /// DT_NEEDED. musl `dlopen` → `load_library(file, head)`: the search runs as for a need
    /// of the program itself.
    fn resolve_runtime(&self, closure: &mut Closure, entry: &Binary) {
        let mut runtime = Vec::new();
        for from in 0..closure.objects.len() {
            let Found::Tree { real, .. } = &closure.objects[from].found else {
                continue;
            };
            let Some(loads) = self.runtime.get(real) else {
                continue;
            };
            for load in loads {
                let mut tried = Vec::new();
                for name in &load.names {
                    let in_dirs = load
                        .search_first
                        .iter()
                        .find_map(|dir| self.accepted(&dir.join(name), entry));
                    let found = match in_dirs {
                        Some((found, _)) => found,
                        None => self.runtime_search(closure, from, name, entry),
                    };
                    let done = matches!(found, Found::Tree { .. } | Found::Loader);
                    tried.push((name.clone(), found));
                    if done {
                        break;
                    }
                }
                runtime.push(RuntimeEdge {
                    from,
                    load: load.clone(),
                    tried,
                });
            }
        }
        closure.runtime = runtime;
    }

    fn runtime_search(&self, closure: &Closure, from: usize, name: &str, entry: &Binary) -> Found {
        let loaded = closure.objects.iter().find(|o| {
            matches!(o.found, Found::Tree { .. })
                && (o.name == name
                    || (closure.flavor == Flavor::Glibc
                        && o.binary.as_ref().and_then(|b| b.soname.as_deref()) == Some(name)))
        });
        if let Some(object) = loaded {
            return object.found.clone();
        }
        let requester = match closure.flavor {
            Flavor::Glibc => from,
            Flavor::Musl => 0,
        };
        let mut edge = Edge {
            from: requester,
            name: name.to_string(),
            to: 0,
            via: Via::Nowhere,
            runpath_not_inherited: Vec::new(),
        };
        self.search(closure, requester, name, entry, &mut edge).0
    }

    /// One need of object `from`: an already-loaded object, or a new one.
    fn resolve(
        &self,
        closure: &mut Closure,
        names: &mut HashMap<String, usize>,
        from: usize,
        name: &str,
        entry: &Binary,
    ) -> Edge {
        let mut edge = Edge {
            from,
            name: name.to_string(),
            to: 0,
            via: Via::Nowhere,
            runpath_not_inherited: Vec::new(),
        };
        if let Some(&loaded) = names.get(name) {
            // A name not found is searched again at every need: musl keeps nothing for it, and
            // glibc's trace-mode stand-in (`l_faked`) is not matched by later needs.
            let retry = matches!(closure.objects[loaded].found, Found::NotFound { .. });
            if !retry {
                edge.to = loaded;
                edge.via = Via::AlreadyLoaded;
                return edge;
            }
        }
        if closure.flavor == Flavor::Glibc
            && let Some(loaded) = closure.objects.iter().position(|o| {
                o.binary.as_ref().and_then(|b| b.soname.as_deref()) == Some(name)
                    && matches!(o.found, Found::Tree { .. })
            })
        {
            names.insert(name.to_string(), loaded);
            edge.to = loaded;
            edge.via = Via::AlreadyLoaded;
            return edge;
        }
        let (found, via, binary) = self.search(closure, from, name, entry, &mut edge);
        // The same file reached under another name is the same object
        // (glibc `_dl_file_id_match_p`, musl's st_dev/st_ino check).
        if let Found::Tree { real, .. } = &found
            && let Some(loaded) = closure
                .objects
                .iter()
                .position(|o| matches!(&o.found, Found::Tree { real: r, .. } if r == real))
        {
            names.insert(name.to_string(), loaded);
            edge.to = loaded;
            edge.via = via;
            return edge;
        }
        closure.objects.push(Object {
            name: name.to_string(),
            found,
            binary,
            loader: Some(from),
        });
        let index = closure.objects.len() - 1;
        names.insert(name.to_string(), index);
        edge.to = index;
        edge.via = via;
        edge
    }

    fn search(
        &self,
        closure: &Closure,
        from: usize,
        name: &str,
        entry: &Binary,
        edge: &mut Edge,
    ) -> (Found, Via, Option<Arc<Binary>>) {
        let flavor = closure.flavor;
        if is_loader_itself(name, flavor, entry) {
            return (Found::Loader, Via::Loader, None);
        }
        if name.contains('/') {
            return self.by_path(name);
        }
        let mut undecided = Vec::new();
        let requester = closure.objects[from].binary.clone();
        let requester = requester.as_deref();
        let chain = closure.chain(from);
        // The search entries in the loader's order, each with the object whose $ORIGIN it uses.
        let mut entries: Vec<(&'static str, usize, String)> = Vec::new();
        match flavor {
            Flavor::Glibc => {
                let has_runpath = requester.is_some_and(|b| !b.runpath.is_empty());
                if !has_runpath {
                    // The requester, then up its l_loader chain to the executable. Only the
                    // executable's DT_RPATH is dropped when it also has DT_RUNPATH
                    // (`_dl_init_paths`); `cache_rpath` reads any other object's DT_RPATH.
                    for &object in chain.iter().rev() {
                        if let Some(binary) = &closure.objects[object].binary
                            && (object != 0 || binary.runpath.is_empty())
                        {
                            for entry in &binary.rpath {
                                entries.push(("DT_RPATH", object, entry.clone()));
                            }
                        }
                    }
                }
                if let Some(binary) = requester {
                    for entry in &binary.runpath {
                        entries.push(("DT_RUNPATH", from, entry.clone()));
                    }
                }
                for &object in chain.iter().filter(|&&o| o != from) {
                    if let (Some(binary), Some(path)) =
                        (&closure.objects[object].binary, closure.tree_path(object))
                    {
                        for entry in &binary.runpath {
                            edge.runpath_not_inherited
                                .push((path.to_path_buf(), entry.clone()));
                        }
                    }
                }
            }
            Flavor::Musl => {
                // Each object's DT_RUNPATH, or its DT_RPATH when it has none, up the chain.
                for &object in chain.iter().rev() {
                    if let Some(binary) = &closure.objects[object].binary {
                        let (tag, list) = if binary.runpath.is_empty() {
                            ("DT_RPATH", &binary.rpath)
                        } else {
                            ("DT_RUNPATH", &binary.runpath)
                        };
                        for entry in list {
                            entries.push((tag, object, entry.clone()));
                        }
                    }
                }
            }
        }
        for (tag, owner, text) in entries {
            let Some(owner_path) = closure.tree_path(owner) else {
                continue;
            };
            match self.expand(&text, owner_path) {
                Expanded::Tree(dir) => {
                    if let Some((found, binary)) = self.accepted(&dir.join(name), entry) {
                        let via = Via::SearchEntry {
                            tag,
                            owner: owner_path.to_path_buf(),
                            entry: text,
                        };
                        return (found, via, Some(binary));
                    }
                }
                Expanded::TargetSystem => {}
                Expanded::Undecided(why) => undecided.push(format!("{tag} {text} ({why})")),
            }
        }
        let no_default_lib = flavor == Flavor::Glibc && requester.is_some_and(|b| b.no_default_lib);
        // The compiled-in directories of the loader this closure runs under (a 32-bit program's
        // loader searches /lib32, not /lib/x86_64-linux-gnu). Only a root filesystem's own: an
        // application tree's system is the target's, and its cache is unknown.
        let system_dirs = match self.setting.layout {
            Layout::RootFs => self.dirs.for_loader(flavor, self.tree, entry),
            Layout::App => std::borrow::Cow::Borrowed(&[][..]),
        };
        if flavor == Flavor::Glibc
            && let Some(cache) = &self.dirs.cache
        {
            for (_, path) in cache.iter().filter(|(soname, _)| soname == name) {
                let dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
                // DF_1_NODEFLIB refuses only cache entries in the system directories
                // (`_dl_map_object`, "the loader has the DF_1_NODEFLIB flag set").
                if no_default_lib && system_dirs.iter().any(|(system, _)| *system == dir) {
                    continue;
                }
                if let Some((found, binary)) = self.accepted(path, entry) {
                    let via = Via::SystemDir {
                        dir,
                        source: "ld.so.cache",
                    };
                    return (found, via, Some(binary));
                }
            }
        }
        if no_default_lib {
            let found = Found::NotFound {
                no_default_lib,
                undecided,
                only_in_conf: None,
            };
            return (found, Via::Nowhere, None);
        }
        for (dir, source) in system_dirs.iter() {
            if let Some((found, binary)) = self.accepted(&dir.join(name), entry) {
                let via = Via::SystemDir {
                    dir: dir.clone(),
                    source,
                };
                return (found, via, Some(binary));
            }
        }
        match self.beyond_tree(undecided) {
            // Say why when an ld.so.conf directory holds it: only ldconfig's cache would lead
            // the loader there.
            (
                Found::NotFound {
                    no_default_lib,
                    undecided,
                    ..
                },
                via,
            ) if flavor == Flavor::Glibc => {
                let only_in_conf = self
                    .dirs
                    .conf
                    .iter()
                    .map(|dir| dir.join(name))
                    .find(|path| self.accepted(path, entry).is_some());
                let found = Found::NotFound {
                    no_default_lib,
                    undecided,
                    only_in_conf,
                };
                (found, via, None)
            }
            (found, via) => (found, via, None),
        }
    }

    /// A name with a slash: an absolute path is a path of the target system (inside the tree for
    /// a root filesystem); a relative one resolves against the working directory.
    fn by_path(&self, name: &str) -> (Found, Via, Option<Arc<Binary>>) {
        if !name.starts_with('/') {
            let why = format!(
                "{name} is a relative path: the loader opens it relative to the working directory"
            );
            return (Found::Unknown { why }, Via::Path, None);
        }
        if self.setting.layout == Layout::RootFs
            && let Some((real, Some(binary))) = self.tree.resolve(Path::new(name))
        {
            let found = Found::Tree {
                path: PathBuf::from(name),
                real,
            };
            return (found, Via::Path, Some(binary));
        }
        let (found, via) = self.beyond_tree(Vec::new());
        (found, via, None)
    }

    fn beyond_tree(&self, undecided: Vec<String>) -> (Found, Via) {
        if self.setting.layout == Layout::RootFs && !self.setting.system_beyond {
            (
                Found::NotFound {
                    no_default_lib: false,
                    undecided,
                    only_in_conf: None,
                },
                Via::Nowhere,
            )
        } else {
            (Found::System { undecided }, Via::System)
        }
    }

    /// The object file at `path` in the tree, if the loader accepts it: glibc's `open_verify`
    /// skips a file of another class or machine and searches on.
    fn accepted(&self, path: &Path, entry: &Binary) -> Option<(Found, Arc<Binary>)> {
        let (real, binary) = self.tree.resolve(path)?;
        let binary = binary.filter(|binary| compatible(binary, entry))?;
        let found = Found::Tree {
            path: path.to_path_buf(),
            real,
        };
        Some((found, binary))
    }

    fn expand(&self, entry: &str, owner: &Path) -> Expanded {
        let origin = owner.parent().unwrap_or(Path::new("/"));
        let origin_text = origin.display().to_string();
        let mut expanded = entry.replace("${ORIGIN}", &origin_text);
        if expanded.contains("$ORIGIN")
            && !expanded
                .match_indices("$ORIGIN")
                .any(|(i, _)| expanded[i + 7..].starts_with(|c: char| c.is_alphanumeric()))
        {
            expanded = expanded.replace("$ORIGIN", &origin_text);
        }
        if expanded.contains('$') {
            return Expanded::Undecided(
                "$LIB and $PLATFORM depend on the target's loader build and CPU".into(),
            );
        }
        if expanded.is_empty() || !expanded.starts_with('/') {
            return Expanded::Undecided("relative to the working directory".into());
        }
        let from_origin = entry.starts_with("$ORIGIN") || entry.starts_with("${ORIGIN}");
        if from_origin || self.setting.layout == Layout::RootFs {
            Expanded::Tree(PathBuf::from(expanded))
        } else {
            Expanded::TargetSystem
        }
    }
}

/// Same ELF class and machine (what `open_verify` compares).
fn compatible(library: &Binary, entry: &Binary) -> bool {
    library.format == Format::Elf
        && match (library.arch, entry.arch) {
            (Some(a), Some(b)) => a.machine == b.machine && a.bits == b.bits,
            _ => false,
        }
}

/// Names the loader answers for itself: glibc's loader is always loaded (libc.so.6 needs it by
/// its soname); musl's loader is its libc and reserves libc, libpthread, … (`load_library`).
fn is_loader_itself(name: &str, flavor: Flavor, entry: &Binary) -> bool {
    match flavor {
        Flavor::Musl => crate::baseline::is_musl_builtin(name),
        Flavor::Glibc => {
            libc_of_interpreter(name) == Some(Libc::Glibc)
                && entry
                    .interpreter
                    .as_deref()
                    .is_none_or(|interp| Path::new(interp).file_name() == Some(name.as_ref()))
        }
    }
}

/// One need of one file as the checks see it: where the loader finds it, and how it got there.
#[derive(Debug, Clone)]
pub struct NeedOutcome {
    pub name: String,
    pub found: Found,
    /// The library found in the tree, parsed, and its path as shown to the user.
    pub library: Option<Arc<Binary>>,
    pub shown: Option<String>,
    /// Entry point first, the requesting file last (paths as shown to the user).
    pub chain: Vec<String>,
    /// DT_RUNPATH entries up the chain that do not apply to this need (glibc).
    pub runpath_not_inherited: Vec<(String, String)>,
    /// Files of this name in the tree that the loader does not find.
    pub elsewhere: Vec<String>,
    /// The entry point is a library nothing in the tree loads (a plugin, an extension module).
    pub plugin: bool,
}

impl Model {
    /// Every need of every file reached, by the file's path in the tree; the same need reached
    /// through several entry points with the same result is listed once.
    pub fn needs_by_file(&self, tree: &TreeIndex) -> HashMap<PathBuf, Vec<NeedOutcome>> {
        // Paths as shown, made once each: a tree's thousands of needs share a few objects.
        let mut names: HashMap<PathBuf, String> = HashMap::new();
        let mut shown = |path: &Path| -> String {
            if let Some(text) = names.get(path) {
                return text.clone();
            }
            let text = tree.display(path).display().to_string();
            names.insert(path.to_path_buf(), text.clone());
            text
        };
        let mut by_name: Option<HashMap<std::ffi::OsString, Vec<PathBuf>>> = None;
        let mut out: HashMap<PathBuf, Vec<NeedOutcome>> = HashMap::new();
        for closure in &self.closures {
            let mut chains: HashMap<usize, Vec<String>> = HashMap::new();
            for edge in &closure.edges {
                let Some(Found::Tree {
                    real: requester, ..
                }) = closure.objects.get(edge.from).map(|o| &o.found)
                else {
                    continue;
                };
                let target = &closure.objects[edge.to];
                let outcomes = out.entry(requester.clone()).or_default();
                if outcomes
                    .iter()
                    .any(|o| o.name == edge.name && o.found == target.found)
                {
                    continue;
                }
                let elsewhere = match &target.found {
                    Found::System { .. } | Found::NotFound { .. } => by_name
                        .get_or_insert_with(|| tree.library_names())
                        .get(std::ffi::OsStr::new(&edge.name))
                        .map(|paths| paths.iter().map(|p| shown(p)).collect())
                        .unwrap_or_default(),
                    _ => Vec::new(),
                };
                outcomes.push(NeedOutcome {
                    name: edge.name.clone(),
                    found: target.found.clone(),
                    library: target.binary.clone(),
                    shown: match &target.found {
                        Found::Tree { real, .. } => Some(shown(real)),
                        _ => None,
                    },
                    chain: chains
                        .entry(edge.from)
                        .or_insert_with(|| {
                            closure
                                .chain_files(edge.from)
                                .into_iter()
                                .map(&mut shown)
                                .collect()
                        })
                        .clone(),
                    runpath_not_inherited: edge
                        .runpath_not_inherited
                        .iter()
                        .map(|(owner, entry)| (shown(owner), entry.clone()))
                        .collect(),
                    elsewhere,
                    plugin: closure.objects[0]
                        .binary
                        .as_ref()
                        .is_some_and(|b| !is_program(b)),
                });
            }
        }
        out
    }
}

/// One run-time load of one file as the checks see it.
#[derive(Debug, Clone)]
pub struct RuntimeOutcome {
    pub load: RuntimeLoad,
    /// Each name tried, in order, and where the search finds it.
    pub tried: Vec<(String, Found)>,
    /// The objects that led to the loading file, entry point first, that file last (as shown).
    pub chain: Vec<String>,
}

impl Model {
    /// The tree files loaded with dlopen: what run-time loads find, and in an application tree
    /// (a wheel, a publish folder) the libraries nothing in it loads (plugins, extension
    /// modules). A root filesystem's unused libraries are only that: nothing says who loads them.
    pub fn dlopened(&self) -> HashSet<PathBuf> {
        let mut dlopened = HashSet::new();
        for closure in &self.closures {
            if self.layout == Layout::App
                && closure.objects[0]
                    .binary
                    .as_ref()
                    .is_some_and(|b| !is_program(b))
            {
                dlopened.insert(closure.entry.clone());
            }
            for edge in &closure.runtime {
                for (_, found) in &edge.tried {
                    if let Found::Tree { real, .. } = found {
                        dlopened.insert(real.clone());
                    }
                }
            }
        }
        dlopened
    }

    /// Every run-time load of every file reached, by the file's path in the tree; the same
    /// load reached through several entry points with the same result is listed once.
    pub fn runtime_by_file(&self, tree: &TreeIndex) -> HashMap<PathBuf, Vec<RuntimeOutcome>> {
        let mut out: HashMap<PathBuf, Vec<RuntimeOutcome>> = HashMap::new();
        for closure in &self.closures {
            for edge in &closure.runtime {
                let Some(real) = closure.real_path(edge.from) else {
                    continue;
                };
                let outcomes = out.entry(real.to_path_buf()).or_default();
                if outcomes
                    .iter()
                    .any(|o| o.load == edge.load && o.tried == edge.tried)
                {
                    continue;
                }
                outcomes.push(RuntimeOutcome {
                    load: edge.load.clone(),
                    tried: edge.tried.clone(),
                    chain: closure
                        .chain_files(edge.from)
                        .into_iter()
                        .map(|p| tree.display(p).display().to_string())
                        .collect(),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binary::{Sniffed, parse};

    /// A real x86_64 library model (testdata's libversioned.so.1) with the dynamic section
    /// replaced: the loader model reads nothing else.
    fn library(soname: &str, needed: &[&str], rpath: &[&str], runpath: &[&str]) -> Arc<Binary> {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/bin/libversioned.so.1"
        ))
        .expect("test library");
        let Ok(Sniffed::Binary(binary)) = parse(&bytes) else {
            panic!("libversioned.so.1 parses");
        };
        let mut binary = *binary;
        binary.soname = Some(soname.into());
        binary.needed = needed.iter().map(|s| s.to_string()).collect();
        binary.rpath = rpath.iter().map(|s| s.to_string()).collect();
        binary.runpath = runpath.iter().map(|s| s.to_string()).collect();
        binary.version_needs.clear();
        Arc::new(binary)
    }

    fn program(needed: &[&str], rpath: &[&str], runpath: &[&str], interp: &str) -> Arc<Binary> {
        let mut binary = (*library("x", needed, rpath, runpath)).clone();
        binary.soname = None;
        binary.interpreter = Some(interp.into());
        binary.kind = FileKind::PieExecutable;
        Arc::new(binary)
    }

    fn tree(objects: Vec<(&str, Arc<Binary>)>) -> TreeIndex {
        let given = PathBuf::from("t");
        TreeIndex::walked(
            given.clone(),
            PathBuf::from("/nonexistent"),
            objects
                .into_iter()
                .map(|(path, binary)| (given.join(path), Some(binary)))
                .collect(),
            Vec::new(),
            Vec::new(),
        )
    }

    const APP: Setting = Setting {
        layout: Layout::App,
        system_beyond: true,
        libc: None,
    };

    /// Entry point → (needed name → where it was found), for every closure.
    fn found(model: &Model) -> Vec<(String, Vec<(String, String)>)> {
        model
            .closures
            .iter()
            .map(|closure| {
                let libraries = closure.objects[1..]
                    .iter()
                    .map(|o| {
                        let place = match &o.found {
                            Found::Tree { real, .. } => real.display().to_string(),
                            Found::System { .. } => "system".into(),
                            Found::NotFound { .. } => "not found".into(),
                            Found::Loader => "loader".into(),
                            Found::Unknown { .. } => "unknown".into(),
                        };
                        (o.name.clone(), place)
                    })
                    .collect();
                (closure.entry.display().to_string(), libraries)
            })
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn glibc_inherits_rpath_but_not_runpath_and_musl_follows_both() {
        const GLIBC: &str = "/lib64/ld-linux-x86-64.so.2";
        const MUSL: &str = "/lib/ld-musl-x86_64.so.1";
        for (tags, interp, finds_b) in [
            ("rpath", GLIBC, true),
            ("runpath", GLIBC, false),
            ("runpath", MUSL, true),
        ] {
            let entry = ["$ORIGIN/../lib"];
            let app = if tags == "rpath" {
                program(&["libA.so"], &entry, &[], interp)
            } else {
                program(&["libA.so"], &[], &entry, interp)
            };
            let t = tree(vec![
                ("bin/app", app),
                ("lib/libA.so", library("libA.so", &["libB.so"], &[], &[])),
                ("lib/libB.so", library("libB.so", &[], &[], &[])),
            ]);
            let model = model(&t, APP, &RuntimeLoads::new());
            let b = if finds_b { "/lib/libB.so" } else { "system" };
            let expected = vec![(
                "/bin/app".to_string(),
                pairs(&[("libA.so", "/lib/libA.so"), ("libB.so", b)]),
            )];
            // Without the inherited search path libB.so is reached by nothing: its own entry.
            let mut expected = expected;
            if !finds_b {
                expected.push(("/lib/libB.so".into(), Vec::new()));
            }
            assert_eq!(found(&model), expected, "{tags} {interp}");
        }
    }

    #[test]
    fn a_root_filesystem_without_a_baseline_must_hold_everything() {
        let t = tree(vec![(
            "usr/bin/app",
            program(&["libz.so.1"], &[], &[], "/lib64/ld-linux-x86-64.so.2"),
        )]);
        let rootfs = |system_beyond| Setting {
            layout: Layout::RootFs,
            system_beyond,
            libc: None,
        };
        let not_found = vec![(
            "/usr/bin/app".to_string(),
            pairs(&[("libz.so.1", "not found")]),
        )];
        assert_eq!(
            found(&model(&t, rootfs(false), &RuntimeLoads::new())),
            not_found
        );
        let system = vec![(
            "/usr/bin/app".to_string(),
            pairs(&[("libz.so.1", "system")]),
        )];
        assert_eq!(
            found(&model(&t, rootfs(true), &RuntimeLoads::new())),
            system
        );
    }

    #[test]
    fn plugins_are_entry_points_and_their_dependencies_are_not() {
        let t = tree(vec![
            (
                "plugins/p.so",
                library("p.so", &["libdep.so"], &["$ORIGIN/deps"], &[]),
            ),
            (
                "plugins/deps/libdep.so",
                library("libdep.so", &[], &[], &[]),
            ),
            // Two libraries that only load each other: one entry point, the first by path.
            (
                "cycle/libx.so",
                library("libx.so", &["liby.so"], &["$ORIGIN"], &[]),
            ),
            (
                "cycle/liby.so",
                library("liby.so", &["libx.so"], &["$ORIGIN"], &[]),
            ),
        ]);
        let entries: Vec<String> = found(&model(&t, APP, &RuntimeLoads::new()))
            .into_iter()
            .map(|(e, _)| e)
            .collect();
        assert_eq!(entries, ["/cycle/libx.so", "/plugins/p.so"]);
    }

    #[test]
    fn search_entries_that_depend_on_the_run_time_are_undecided() {
        let t = tree(vec![
            ("lib/libA.so", library("libA.so", &[], &[], &[])),
            (
                "bin/app",
                program(
                    &["libA.so"],
                    &[],
                    &["lib", "$ORIGIN/../$LIB"],
                    "/lib64/ld-linux-x86-64.so.2",
                ),
            ),
        ]);
        let model = model(&t, APP, &RuntimeLoads::new());
        let closure = &model.closures[0];
        assert_eq!(closure.entry, Path::new("/bin/app"));
        let Found::System { undecided } = &closure.objects[1].found else {
            panic!("{:?}", closure.objects[1].found);
        };
        assert_eq!(undecided.len(), 2, "{undecided:?}");
    }
}
