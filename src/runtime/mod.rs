//! Libraries a program loads at run time with `dlopen`, which no DT_NEEDED entry lists: those
//! the policy file declares, and those the runtimes in our users' stories load by their own
//! rules (.NET: ICU, OpenSSL, GSSAPI; Mono: `dllmap` entries). Each becomes a [`RuntimeLoad`] of
//! the tree file that calls `dlopen`; the loader model resolves it as `dlopen` searches.

use serde::Serialize;

/// One library a file loads at run time: the names it tries, in order (the first found is
/// loaded), and why it is known to load it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuntimeLoad {
    pub names: Vec<String>,
    pub reason: Reason,
    /// Directories of the tree the runtime tries before `dlopen`'s own search (Mono: the
    /// assembly's directory), each name opened there by path.
    #[serde(skip)]
    pub search_first: Vec<PathBuf>,
}

/// Where the knowledge of a run-time load comes from, and what fails without it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "source", rename_all = "kebab-case")]
pub enum Reason {
    /// The policy file's `[dlopen]` table lists it for this file.
    Declared { policy: String, rule: String },
    /// The .NET runtime loads it for a feature of the app.
    Dotnet {
        feature: DotnetFeature,
        /// How the app was recognised (`publish/app.runtimeconfig.json`, "native AOT").
        app: String,
    },
    /// A Mono `dllmap` entry maps a `[DllImport]` name to it.
    MonoDllmap { dll: String, config: String },
}

/// What a .NET app cannot do without a library it loads at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DotnetFeature {
    /// ICU: the app stops at start unless invariant globalization is on.
    Globalization,
    /// OpenSSL: cryptography, TLS and HTTPS.
    Cryptography,
    /// GSSAPI: Negotiate/Kerberos authentication.
    NegotiateAuthentication,
}

impl Reason {
    /// The program cannot start, or stops for good, without it (else one feature fails when used).
    pub fn fatal(&self) -> bool {
        !matches!(
            self,
            Reason::Dotnet {
                feature: DotnetFeature::Cryptography | DotnetFeature::NegotiateAuthentication,
                ..
            }
        )
    }
}

pub mod dotnet;
pub mod mono;

use crate::PathGlobs;
use crate::binary::Binary;
use crate::tree::TreeIndex;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A `[dlopen]` entry of the policy file.
#[derive(Debug, Clone)]
pub struct DlopenRule {
    /// The key as written: a glob relative to the checked PATH.
    pub rule: String,
    pub glob: PathGlobs,
    /// Each library the matching files load, as the names tried in order.
    pub loads: Vec<Vec<String>>,
    pub policy: PathBuf,
}

impl DlopenRule {
    /// Parses one `[dlopen]` entry (`"libssl.so.3|libssl.so.1.1"`: alternatives in order).
    pub fn new(rule: &str, loads: &[String], policy: &Path) -> Result<DlopenRule, String> {
        let glob = PathGlobs::new(&[rule.to_string()]).map_err(|e| e.to_string())?;
        let loads = loads
            .iter()
            .map(|entry| {
                let names: Vec<String> = entry.split('|').map(|n| n.trim().to_string()).collect();
                match names.iter().find(|n| n.is_empty() || n.contains('\0')) {
                    Some(_) => Err(format!("\"{entry}\" has an empty name")),
                    None => Ok(names),
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(DlopenRule {
            rule: rule.to_string(),
            glob,
            loads,
            policy: policy.to_path_buf(),
        })
    }
}

/// Files that say what a runtime loads, recognised by name: a .NET app's
/// `<app>.runtimeconfig.json` and a Mono assembly's `<assembly>.config`.
pub fn is_description(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name.ends_with(".runtimeconfig.json")
        || name.ends_with(".dll.config")
        || name.ends_with(".exe.config")
}

/// One object file of a tree: its path inside the tree, its walk path, and its model.
pub struct TreeFile<'a> {
    pub vpath: PathBuf,
    /// Relative to the checked PATH, as policy globs see it.
    pub relative: PathBuf,
    pub binary: &'a Arc<Binary>,
}

/// What every file of a tree loads at run time, by path inside the tree; and for each policy
/// rule, whether it matched a file.
pub fn loads_of_tree(
    tree: &TreeIndex,
    files: &[TreeFile],
    rules: &[DlopenRule],
) -> (HashMap<PathBuf, Vec<RuntimeLoad>>, Vec<bool>) {
    let mut loads: HashMap<PathBuf, Vec<RuntimeLoad>> = HashMap::new();
    let mut matched = vec![false; rules.len()];
    for file in files {
        for (index, rule) in rules.iter().enumerate() {
            if rule.glob.first_match(&file.relative).is_none() {
                continue;
            }
            matched[index] = true;
            let reason = Reason::Declared {
                policy: rule.policy.display().to_string(),
                rule: rule.rule.clone(),
            };
            for names in &rule.loads {
                let load = RuntimeLoad {
                    names: names.clone(),
                    reason: reason.clone(),
                    search_first: Vec::new(),
                };
                add(&mut loads, file.vpath.clone(), load);
            }
        }
    }
    let descriptions = tree.runtime_descriptions();
    for (vpath, load) in dotnet::loads(tree, files, &descriptions)
        .into_iter()
        .chain(mono::loads(tree, files, &descriptions))
    {
        add(&mut loads, vpath, load);
    }
    (loads, matched)
}

/// Adds a load to a file's list, once.
fn add(loads: &mut HashMap<PathBuf, Vec<RuntimeLoad>>, vpath: PathBuf, load: RuntimeLoad) {
    let list = loads.entry(vpath).or_default();
    if !list.contains(&load) {
        list.push(load);
    }
}
