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
use crate::binary::{self, SymbolRef, UndefinedSymbol};
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
    // Keyed by file and by whether every definition is kept: a closure that is not complete
    // decides only references bound by version, so there a library's definitions of versions
    // that no file of the tree needs are skipped (most of a large C++ library's).
    let mut tables: HashMap<(Source, bool), Option<Arc<SymbolIndex>>> = HashMap::new();
    let needed_versions: std::collections::HashSet<&str> = loaded
        .files
        .iter()
        .flat_map(|(_, binary)| &binary.version_needs)
        .flat_map(|need| &need.versions)
        .map(|version| version.name.as_str())
        .collect();
    // A requester checked once against a set of providers: the hundreds of programs that share
    // a closure (an office suite's) would otherwise repeat the same answer.
    let mut checked: std::collections::HashSet<(PathBuf, u64, bool)> = Default::default();
    for closure in &loaded.model.closures {
        let system = system.and_then(|set| {
            let arch = closure.objects[0].binary.as_ref()?.arch?.db_key();
            set.arches.get(&arch)
        });
        let sources: Vec<Option<Source>> = (0..closure.objects.len())
            .map(|index| source_of(closure, index, loader_file.as_ref(), system))
            .collect();
        let complete = sources.iter().all(Option::is_some);
        // Without the whole closure only references bound by version to a shipped library are
        // decided: read just those objects and the libraries they name.
        let wanted: Vec<bool> = if complete {
            vec![true; sources.len()]
        } else {
            let mut wanted = vec![false; sources.len()];
            for (index, object) in closure.objects.iter().enumerate() {
                let Some(binary) = &object.binary else {
                    continue;
                };
                for need in &binary.version_needs {
                    for edge in closure.edges.iter().filter(|e| {
                        e.from == index
                            && e.name == need.library
                            && matches!(closure.objects[e.to].found, Found::Tree { .. })
                    }) {
                        wanted[index] = true;
                        wanted[edge.to] = true;
                    }
                }
            }
            if !wanted.iter().any(|&w| w) {
                continue;
            }
            wanted
        };
        let mut providers: Vec<(usize, Arc<SymbolIndex>)> = Vec::new();
        let mut provider_sources: Vec<Source> = Vec::new();
        for (index, source) in sources.into_iter().enumerate() {
            let Some(source) = source.filter(|_| wanted[index]) else {
                continue;
            };
            let symbols = tables
                .entry((source.clone(), complete))
                .or_insert_with(|| {
                    let mut index = SymbolIndex::default();
                    let mut add = |symbol: SymbolRef<'_>| {
                        let kept = complete
                            || !symbol.defined
                            || symbol
                                .version
                                .is_none_or(|version| needed_versions.contains(version));
                        if kept {
                            index.add(symbol);
                        }
                    };
                    let versioned = match &source {
                        Source::Tree(real) => tree.visit_dynamic_symbols(real, &mut add),
                        Source::System(file) => binary::visit_dynamic_symbols(file, &mut add).ok(),
                    };
                    versioned.map(|versioned| {
                        index.versioned = versioned;
                        Arc::new(index)
                    })
                })
                .clone();
            if let Some(symbols) = symbols {
                providers.push((index, symbols));
                provider_sources.push(source);
            }
        }
        let complete = complete && providers.len() == closure.objects.len();
        let provider_set = {
            let mut sources: Vec<&Source> = provider_sources.iter().collect();
            sources.sort();
            let mut hash = Fnv::default();
            for source in sources {
                std::hash::Hash::hash(source, &mut hash);
            }
            std::hash::Hasher::finish(&hash)
        };
        let plugin = closure.objects[0]
            .binary
            .as_ref()
            .is_none_or(|b| b.interpreter.is_none());
        for (index, symbols) in &providers {
            // The loader's own file provides symbols; its references are its own business.
            let Found::Tree { real, .. } = &closure.objects[*index].found else {
                continue;
            };
            if !checked.insert((real.clone(), provider_set, complete)) {
                continue;
            }
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
            if missing.is_empty() && from_host.is_empty() {
                continue;
            }
            let chain: Vec<String> = closure
                .chain_files(*index)
                .into_iter()
                .map(|p| tree.display(p).display().to_string())
                .collect();
            let issues = out.entry(real.clone()).or_default();
            for ((version, library), mut names) in missing {
                names.sort();
                names.dedup();
                let known = issues.iter().any(|known| {
                    matches!(known, Issue::SymbolUndefined { symbols, version: v, library: l, .. }
                        if *symbols == names && *v == version && *l == library)
                });
                if !known {
                    issues.push(Issue::SymbolUndefined {
                        symbols: names,
                        version,
                        library,
                        chain: chain.clone(),
                    });
                }
            }
            if !from_host.is_empty() {
                from_host.sort();
                from_host.dedup();
                let known = issues.iter().any(
                    |known| matches!(known, Issue::SymbolFromHost { symbols, .. } if *symbols == from_host),
                );
                if !known {
                    issues.push(Issue::SymbolFromHost {
                        symbols: from_host,
                        chain: chain.clone(),
                    });
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
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

/// What one object defines, as fingerprints (a tree of large C++ libraries defines hundreds of
/// thousands of symbols), and what it needs.
#[derive(Default)]
struct SymbolIndex {
    versioned: bool,
    /// (name, version) of every versioned definition.
    exact: Fingerprints,
    /// Names of definitions that are not hidden (`name@@VER` or unversioned).
    default: Fingerprints,
    /// Names of unversioned definitions that are not hidden.
    unversioned: Fingerprints,
    undefined: Vec<UndefinedSymbol>,
}

impl SymbolIndex {
    fn add(&mut self, symbol: SymbolRef<'_>) {
        if !symbol.defined {
            // Weak references never fail a load.
            if !symbol.weak {
                self.undefined.push(UndefinedSymbol {
                    name: symbol.name.to_string(),
                    version: symbol.version.map(str::to_string),
                    library: symbol.library.map(str::to_string),
                    weak: false,
                });
            }
            return;
        }
        if let Some(version) = symbol.version {
            self.exact.insert(fingerprint(symbol.name, Some(version)));
        }
        if !symbol.hidden {
            let name = fingerprint(symbol.name, None);
            self.default.insert(name);
            if symbol.version.is_none() {
                self.unversioned.insert(name);
            }
        }
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
    let mut hasher = Fnv::default();
    name.hash(&mut hasher);
    version.hash(&mut hasher);
    hasher.finish()
}

/// Fingerprints are hashes already: the set hashes them again only cheaply.
type Fingerprints = HashSet<u64, std::hash::BuildHasherDefault<Fnv>>;

/// FNV-1a: symbol names are short and many; SipHash's DoS resistance buys nothing here.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x100_0000_01b3);
        }
    }
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
