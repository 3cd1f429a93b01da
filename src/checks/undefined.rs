//! `symbol-undefined` and `symbol-from-host`: undefined symbols that no object of the load
//! closure defines, the "symbol lookup error: undefined symbol" that `ldd -r` finds only by
//! relocating. Symbols are matched as glibc's `do_lookup_x`/`check_match` (elf/dl-lookup.c) do:
//! a versioned reference takes a definition of that version, or an unversioned one, or any from
//! an object without version tables; an unversioned reference takes any default (not hidden)
//! definition. Checked only where every provider is known: a reference bound by version to a
//! library the tree ships, or any reference when the whole closure (loader included) is in the
//! tree. A library nobody in the tree loads (a plugin) may get symbols from the program that
//! loads it: those are said, not failed.

use crate::LoadedTree;
use crate::baseline::{Baseline, BaselineSet};
use crate::binary::{self, DynamicSymbols, UndefinedSymbol};
use crate::findings::Issue;
use crate::loader::{Closure, Found, Layout, root_filesystem_loader};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Issues by the path inside the tree of the object that has the undefined references.
/// `system`: a root filesystem given as the baseline (`--sysroot`), whose libraries then provide
/// symbols too; a database baseline knows no symbols.
pub fn check(loaded: &LoadedTree, system: Option<&BaselineSet>) -> HashMap<PathBuf, Vec<Issue>> {
    let tree = &loaded.tree;
    // The loader's own file, when the tree is a root filesystem that holds it.
    let loader_file = (loaded.model.layout == Layout::RootFs)
        .then(|| root_filesystem_loader(tree))
        .flatten()
        .and_then(|path| tree.resolve(Path::new(path)))
        .map(|(real, _)| real);
    let mut out: HashMap<PathBuf, Vec<Issue>> = HashMap::new();
    // Read once per file for this check only, and dropped with it.
    let mut tables: HashMap<Source, Option<Arc<SymbolIndex>>> = HashMap::new();
    for closure in &loaded.model.closures {
        let system = system.and_then(|set| {
            let arch = closure.objects[0].binary.as_ref()?.arch?.db_key();
            set.arches.get(&arch)
        });
        let sources: Vec<Option<Source>> = (0..closure.objects.len())
            .map(|index| source_of(closure, index, loader_file.as_ref(), system))
            .collect();
        let complete = sources.iter().all(Option::is_some);
        if !complete && !versioned_on_shipped(closure) {
            continue;
        }
        let mut providers: Vec<(usize, Arc<SymbolIndex>)> = Vec::new();
        for (index, source) in sources.into_iter().enumerate() {
            let Some(source) = source else { continue };
            let symbols = tables
                .entry(source.clone())
                .or_insert_with(|| {
                    let symbols = match &source {
                        Source::Tree(real) => tree.dynamic_symbols(real),
                        Source::System(file) => binary::read_dynamic_symbols(file).ok(),
                    };
                    symbols.map(|symbols| Arc::new(SymbolIndex::new(symbols)))
                })
                .clone();
            if let Some(symbols) = symbols {
                providers.push((index, symbols));
            }
        }
        let complete = complete && providers.len() == closure.objects.len();
        let plugin = closure.objects[0]
            .binary
            .as_ref()
            .is_none_or(|b| b.interpreter.is_none());
        for (index, symbols) in &providers {
            // The loader's own file provides symbols; its references are its own business.
            let Found::Tree { real, .. } = &closure.objects[*index].found else {
                continue;
            };
            let chain: Vec<String> = closure
                .chain(*index)
                .into_iter()
                .filter_map(|o| closure.real_path(o))
                .map(|p| tree.display(p).display().to_string())
                .collect();
            // (version, library) → symbols; unversioned ones left to the host apart.
            let mut missing: BTreeMap<(Option<String>, Option<String>), Vec<String>> =
                BTreeMap::new();
            let mut from_host = Vec::new();
            for undefined in symbols.undefined.iter().filter(|u| !u.weak) {
                let found = providers
                    .iter()
                    .any(|(_, provider)| provider.defines(undefined));
                if found {
                    continue;
                }
                let decided = match &undefined.library {
                    Some(library) => shipped(closure, *index, library),
                    None => complete,
                };
                if !decided {
                    continue;
                }
                if plugin && undefined.version.is_none() {
                    from_host.push(undefined.name.clone());
                } else {
                    missing
                        .entry((undefined.version.clone(), undefined.library.clone()))
                        .or_default()
                        .push(undefined.name.clone());
                }
            }
            let issues = out.entry(real.clone()).or_default();
            for ((version, library), mut names) in missing {
                names.sort();
                names.dedup();
                let issue = Issue::SymbolUndefined {
                    symbols: names,
                    version,
                    library,
                    chain: chain.clone(),
                };
                if !issues.contains(&issue) {
                    issues.push(issue);
                }
            }
            if !from_host.is_empty() {
                from_host.sort();
                from_host.dedup();
                let issue = Issue::SymbolFromHost {
                    symbols: from_host,
                    chain: chain.clone(),
                };
                if !issues.contains(&issue) {
                    issues.push(issue);
                }
            }
        }
    }
    out.retain(|_, issues| !issues.is_empty());
    out
}

/// Where an object's symbols can be read: the tree's own file, or a file of the root
/// filesystem given as the baseline. Objects that are neither (a database baseline's libraries)
/// define unknown symbols.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Source {
    Tree(PathBuf),
    System(PathBuf),
}

fn source_of(
    closure: &Closure,
    index: usize,
    loader_file: Option<&PathBuf>,
    system: Option<&Baseline>,
) -> Option<Source> {
    let object = &closure.objects[index];
    let system_file = |name: &str| system?.files.get(name).cloned().map(Source::System);
    match &object.found {
        Found::Tree { real, .. } => Some(Source::Tree(real.clone())),
        Found::Loader => loader_file
            .cloned()
            .map(Source::Tree)
            .or_else(|| {
                let interpreter = closure.objects[0].binary.as_ref()?.interpreter.as_deref()?;
                let name = Path::new(interpreter).file_name()?.to_str()?;
                system_file(name)
            })
            .or_else(|| system_file(&object.name)),
        Found::System { .. } => system_file(&object.name),
        _ => None,
    }
}

/// Whether some object has version needs on a library the tree ships: those references are
/// decided by the shipped file whatever the system holds.
fn versioned_on_shipped(closure: &Closure) -> bool {
    closure.objects.iter().enumerate().any(|(index, object)| {
        object.binary.as_ref().is_some_and(|binary| {
            binary
                .version_needs
                .iter()
                .any(|need| shipped(closure, index, &need.library))
        })
    })
}

/// What one object defines, as fingerprints (a tree of large C++ libraries defines hundreds of
/// thousands of symbols), and what it needs.
struct SymbolIndex {
    versioned: bool,
    /// (name, version) of every versioned definition.
    exact: HashSet<u64>,
    /// Names of definitions that are not hidden (`name@@VER` or unversioned).
    default: HashSet<u64>,
    /// Names of unversioned definitions that are not hidden.
    unversioned: HashSet<u64>,
    undefined: Vec<UndefinedSymbol>,
}

impl SymbolIndex {
    fn new(symbols: DynamicSymbols) -> SymbolIndex {
        let mut index = SymbolIndex {
            versioned: symbols.versioned,
            exact: HashSet::new(),
            default: HashSet::new(),
            unversioned: HashSet::new(),
            undefined: symbols.undefined,
        };
        for def in &symbols.defined {
            if let Some(version) = &def.version {
                index.exact.insert(fingerprint(&def.name, Some(version)));
            }
            if !def.hidden {
                index.default.insert(fingerprint(&def.name, None));
                if def.version.is_none() {
                    index.unversioned.insert(fingerprint(&def.name, None));
                }
            }
        }
        index
    }

    /// glibc `check_match`: a versioned reference takes a definition of that version, an
    /// unversioned default one, or any from an object without version tables; an unversioned
    /// reference takes any definition that is not hidden.
    fn defines(&self, wanted: &UndefinedSymbol) -> bool {
        let name = fingerprint(&wanted.name, None);
        match &wanted.version {
            Some(version) => {
                (!self.versioned && self.default.contains(&name))
                    || self
                        .exact
                        .contains(&fingerprint(&wanted.name, Some(version)))
                    || self.unversioned.contains(&name)
            }
            None => self.default.contains(&name),
        }
    }
}

fn fingerprint(name: &str, version: Option<&str>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    name.hash(&mut hasher);
    version.hash(&mut hasher);
    hasher.finish()
}

/// Whether the library a versioned reference names resolves, from this object, to a file of
/// the tree (whose definitions are then all known).
fn shipped(closure: &Closure, from: usize, library: &str) -> bool {
    closure.edges.iter().any(|edge| {
        edge.from == from
            && edge.name == library
            && matches!(closure.objects[edge.to].found, Found::Tree { .. })
    })
}
