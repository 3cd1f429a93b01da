//! The load tree of each entry point (`shipcheck tree`): every object the loader maps, where it
//! is found, and the version needs that fail there, answered against one baseline.

use crate::LoadedTree;
use crate::baseline::{Availability, Baseline, BaselineSet};
use crate::loader::{Closure, Flavor, Found, Via};
use crate::version::VersionNode;

/// How one entry point loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadVerdict {
    Loads,
    Fails,
    /// Something depends on the run time or on data the baseline lacks.
    Unknown,
}

impl LoadVerdict {
    pub fn as_str(&self) -> &'static str {
        match self {
            LoadVerdict::Loads => "loads",
            LoadVerdict::Fails => "fails",
            LoadVerdict::Unknown => "unknown",
        }
    }
}

/// Where one library of a load tree is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A file of the checked tree.
    Tree,
    /// The target system provides it (or, with no baseline, is left to it).
    System,
    NotFound,
    Unknown,
}

impl Status {
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Tree => "tree",
            Status::System => "system",
            Status::NotFound => "not-found",
            Status::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone)]
pub struct LoadedLibrary {
    pub name: String,
    /// The object that first needed it, relative to the tree's root.
    pub needed_by: String,
    /// How many needs deep it is (1: needed by the entry point).
    pub depth: usize,
    pub status: Status,
    /// Relative to the tree's root for tree files.
    pub path: Option<String>,
    /// Which search entry found it, or why it was not found.
    pub via: String,
    /// Non-weak version nodes needed from it that it does not define.
    pub missing_versions: Vec<String>,
}

/// A library an object of the closure loads at run time (dlopen), where it is found.
#[derive(Debug, Clone)]
pub struct RuntimeLibrary {
    /// The names tried, in order.
    pub names: Vec<String>,
    pub loaded_by: String,
    /// The first name found in the tree (`Tree`), else the best answer for the others.
    pub status: Status,
    pub path: Option<String>,
    pub reason: crate::runtime::Reason,
}

#[derive(Debug, Clone)]
pub struct EntryPoint {
    pub path: String,
    pub flavor: Flavor,
    /// What the loader says when it starts the entry point (run-time loads aside).
    pub verdict: LoadVerdict,
    pub libraries: Vec<LoadedLibrary>,
    pub runtime: Vec<RuntimeLibrary>,
}

/// The load trees of every entry point of a tree, against `baseline` (one per architecture;
/// without one, what the tree does not hold is left to the target system).
/// The tree's statically linked programs (paths inside the tree): the kernel runs them without a
/// loader, so they have no load tree, and that is an answer, not a failure to find one.
pub fn static_programs(loaded: &LoadedTree) -> Vec<String> {
    loaded
        .files
        .iter()
        .filter(|(_, binary)| binary.kind.is_static())
        .map(|(path, _)| {
            let tree = &loaded.tree;
            tree.relative(&tree.inside(path)).display().to_string()
        })
        .collect()
}

pub fn entry_points(loaded: &LoadedTree, baseline: Option<&BaselineSet>) -> Vec<EntryPoint> {
    let tree = &loaded.tree;
    let relative = |path: &std::path::Path| tree.relative(path).display().to_string();
    loaded
        .model
        .closures
        .iter()
        .map(|closure| {
            let arch = closure.objects[0]
                .binary
                .as_ref()
                .and_then(|b| b.arch)
                .map(|a| a.db_key());
            let baseline = baseline.zip(arch).map(|(set, key)| set.arches.get(&key));
            let mut libraries = Vec::new();
            for (index, object) in closure.objects.iter().enumerate().skip(1) {
                let loader = object.loader.unwrap_or(0);
                let (status, path) = match (&object.found, baseline) {
                    (Found::Tree { real, .. }, _) => (Status::Tree, Some(relative(real))),
                    (Found::Loader, _) => (Status::System, None),
                    (Found::System { .. }, None) => (Status::System, None),
                    // The baseline has no data for this architecture.
                    (Found::System { .. }, Some(None)) => (Status::Unknown, None),
                    (Found::System { undecided }, Some(Some(baseline))) => {
                        match super::sonames::provided_by(baseline, &object.name) {
                            Availability::Provided => (Status::System, None),
                            Availability::Absent if undecided.is_empty() => {
                                (Status::NotFound, None)
                            }
                            _ => (Status::Unknown, None),
                        }
                    }
                    (Found::NotFound { undecided, .. }, _) if undecided.is_empty() => {
                        (Status::NotFound, None)
                    }
                    (Found::NotFound { .. } | Found::Unknown { .. }, _) => (Status::Unknown, None),
                };
                let via = closure
                    .edges
                    .iter()
                    .find(|e| e.to == index && e.from == loader)
                    .map(|edge| describe_via(&edge.via, tree, baseline.flatten()))
                    .unwrap_or_default();
                let via = match &object.found {
                    Found::Unknown { why } => why.clone(),
                    Found::System { .. } if status == Status::NotFound => match baseline {
                        Some(Some(baseline)) => format!("not in the tree's search path, and {} does not have it", baseline.id),
                        _ => via,
                    },
                    Found::NotFound {
                        no_default_lib: true,
                        ..
                    } => "not found: DF_1_NODEFLIB skips the system directories".into(),
                    Found::NotFound {
                        only_in_conf: Some(path),
                        ..
                    } => format!(
                        "not found: {} is in an ld.so.conf directory, which the loader reads only through an /etc/ld.so.cache that does not list it (run ldconfig)",
                        path.display()
                    ),
                    _ => via,
                };
                libraries.push(LoadedLibrary {
                    name: object.name.clone(),
                    needed_by: closure.tree_path(loader).map(relative).unwrap_or_default(),
                    depth: closure.chain(index).len() - 1,
                    status,
                    path,
                    via,
                    missing_versions: missing_versions(closure, index, baseline.flatten()),
                });
            }
            let verdict = if libraries
                .iter()
                .any(|l| l.status == Status::NotFound || !l.missing_versions.is_empty())
            {
                LoadVerdict::Fails
            } else if libraries.iter().any(|l| l.status == Status::Unknown)
                || (baseline.is_none()
                    && closure
                        .objects
                        .iter()
                        .any(|o| matches!(o.found, Found::System { .. })))
            {
                // Without a baseline the system's part was not checked: not a pass.
                LoadVerdict::Unknown
            } else {
                LoadVerdict::Loads
            };
            let runtime = closure
                .runtime
                .iter()
                .map(|edge| runtime_library(edge, closure, baseline, &relative))
                .collect();
            EntryPoint {
                path: relative(&closure.entry),
                flavor: closure.flavor,
                verdict,
                libraries,
                runtime,
            }
        })
        .collect()
}

/// Where a run-time load is found: in the tree, else provided by the baseline if one name is,
/// not found if none is (and the baseline knows), unknown otherwise.
fn runtime_library(
    edge: &crate::loader::RuntimeEdge,
    closure: &Closure,
    baseline: Option<Option<&Baseline>>,
    relative: &dyn Fn(&std::path::Path) -> String,
) -> RuntimeLibrary {
    let mut status = Status::NotFound;
    let mut path = None;
    for (name, found) in &edge.tried {
        let here = match (found, baseline) {
            (Found::Tree { real, .. }, _) => {
                path = Some(relative(real));
                Status::Tree
            }
            (Found::Loader, _) | (Found::System { .. }, None) => Status::System,
            (Found::System { .. }, Some(None)) => Status::Unknown,
            (Found::System { undecided }, Some(Some(baseline))) => {
                match super::sonames::provided_by(baseline, name) {
                    Availability::Provided => Status::System,
                    Availability::Absent if undecided.is_empty() => Status::NotFound,
                    _ => Status::Unknown,
                }
            }
            (Found::NotFound { undecided, .. }, _) if undecided.is_empty() => Status::NotFound,
            (Found::NotFound { .. } | Found::Unknown { .. }, _) => Status::Unknown,
        };
        status = match (status, here) {
            (_, Status::Tree) | (Status::Tree, _) => Status::Tree,
            (_, Status::System) | (Status::System, _) => Status::System,
            (_, Status::Unknown) | (Status::Unknown, _) => Status::Unknown,
            _ => Status::NotFound,
        };
    }
    RuntimeLibrary {
        names: edge.load.names.clone(),
        loaded_by: closure
            .tree_path(edge.from)
            .map(relative)
            .unwrap_or_default(),
        status,
        path,
        reason: edge.load.reason.clone(),
    }
}

/// Non-weak version nodes that objects of the closure need from object `index` and that it
/// does not define (glibc `_dl_check_map_versions`; musl does not check versions).
fn missing_versions(closure: &Closure, index: usize, baseline: Option<&Baseline>) -> Vec<String> {
    if closure.flavor == Flavor::Musl {
        return Vec::new();
    }
    let target = &closure.objects[index];
    let mut missing = Vec::new();
    for edge in closure.edges.iter().filter(|e| e.to == index) {
        let Some(requester) = &closure.objects[edge.from].binary else {
            continue;
        };
        for need in requester
            .version_needs
            .iter()
            .filter(|n| n.library == edge.name)
        {
            for version in need
                .versions
                .iter()
                .filter(|v| !v.weak && v.name != "GLIBC_PRIVATE")
            {
                let lacks = match (&target.found, &target.binary, baseline) {
                    (Found::Tree { .. }, Some(library), _) => {
                        !library.version_defs.is_empty()
                            && !library.version_defs.contains(&version.name)
                    }
                    (Found::System { .. } | Found::Loader, _, Some(baseline)) => {
                        baseline.defines(&edge.name, &VersionNode::parse(&version.name))
                            == Availability::Absent
                    }
                    _ => false,
                };
                if lacks && !missing.contains(&version.name) {
                    missing.push(version.name.clone());
                }
            }
        }
    }
    missing
}

fn describe_via(via: &Via, tree: &crate::tree::TreeIndex, baseline: Option<&Baseline>) -> String {
    match via {
        Via::AlreadyLoaded => "already loaded".into(),
        Via::Path => "the needed name is a path".into(),
        Via::SearchEntry { tag, owner, entry } => {
            format!("{tag} of {} ({entry})", tree.relative(owner).display())
        }
        Via::SystemDir { dir, source } => format!("{} ({source})", dir.display()),
        Via::System => match baseline {
            Some(baseline) => format!("the system: {}", baseline.id),
            None => "the target system (not checked without a baseline)".into(),
        },
        Via::Loader => "the dynamic loader itself".into(),
        Via::Nowhere => "not found".into(),
    }
}
