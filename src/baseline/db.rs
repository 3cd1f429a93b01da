//! The embedded baseline database (`glibc-db/releases/*.json`, written by
//! `glibc-db/generate.py`): loading, lookup by id or alias, and turning one release's
//! architecture entry into a [`Baseline`].

use super::names::{NameSet, Packages};
use super::{
    Baseline, BaselineSet, Fact, IsaLevel, KernelVersion, Method, Name, NeverBuiltFor, PageSizes,
};
use crate::arch::Libc;
use crate::target::edit_distance;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

mod embedded {
    // build.rs writes NUL as `\0`, and a name after it may start with a digit.
    #![allow(clippy::octal_escapes)]
    include!(concat!(env!("OUT_DIR"), "/releases.rs"));
}

/// Parsed from the embedded text only (`'de: 'static`), so that its architecture entries can
/// borrow it (see [`ArchEntry`]).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "'de: 'static"))]
pub struct Release {
    pub generated_by: String,
    pub id: String,
    pub name: String,
    pub distro: String,
    pub release: String,
    pub aliases: Vec<String>,
    pub rolling: bool,
    /// `distro` (a release's containers), `image` (one container image whose contents are
    /// known: a .NET runtime-deps tag, built from its Dockerfile on top of a release), or
    /// `policy` (an auditwheel manylinux/musllinux policy: an allow-list, not a system).
    #[serde(default = "default_kind")]
    pub kind: String,
    pub libc: Libc,
    pub libc_version: Option<String>,
    pub eol: Option<String>,
    pub eol_source: Option<String>,
    /// The architectures the release was ever built for, where that is known.
    #[serde(default)]
    pub architectures: Option<Architectures>,
    /// The kernel the release ships, where measured or stated; absent = unknown.
    #[serde(default)]
    pub kernel: Option<KernelFact>,
    pub arches: BTreeMap<String, ArchEntry>,
}

/// A kernel version with where it comes from (`kernel`, `arches.*.glibc_min_kernel`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KernelFact {
    pub version: KernelVersion,
    pub method: Method,
    pub source: String,
}

/// `arches.*.page_size`: the default base page size and the others the release's kernels offer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageSizeFact {
    pub default: u64,
    pub others: Vec<u64>,
    pub method: Method,
    pub source: String,
}

/// `arches.x86_64.isa_level`: the x86-64 microarchitecture level of the default build and of
/// other builds offered.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IsaLevelFact {
    pub level: u8,
    pub others: Vec<u8>,
    pub method: Method,
    pub source: String,
}

impl KernelFact {
    fn fact(&self) -> Fact<KernelVersion> {
        Fact {
            value: self.version,
            method: self.method,
            source: self.source.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Architectures {
    pub built_for: Vec<String>,
    /// Named only with a caveat (multiarch libraries only): neither built for nor not.
    pub uncertain: Vec<String>,
    pub source: String,
}

/// One architecture's facts. A default run makes the baselines of every release for a file's
/// architecture, and copying their thousands of names was most of a small run's time: the long
/// lists (nodes, sonames, packages) come packed by build.rs and are searched in place (see
/// `names.rs`), and the other names borrow the embedded JSON. A name that needs JSON escapes
/// would not borrow; `tests/database.rs` parses every entry, so that fails a test.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "'de: 'static"))]
pub struct ArchEntry {
    pub libc_version: Option<String>,
    pub interpreter: Option<String>,
    /// The long lists come packed by build.rs, not in the JSON (see `parse_arch`).
    #[serde(skip)]
    pub versions: BTreeMap<&'static str, NameSet>,
    #[serde(skip)]
    pub sonames_present: NameSet,
    #[serde(skip)]
    pub sonames_absent: NameSet,
    /// True when `sonames_present` is the whole list (a policy's lib whitelist): any other
    /// soname is then absent, not unknown.
    #[serde(default)]
    pub sonames_complete: bool,
    /// soname → symbols that must not be imported from it even though it is allowed (policies).
    #[serde(default)]
    pub blacklist: BTreeMap<&'static str, Vec<&'static str>>,
    /// soname → the package that provides it, where real package data says so.
    #[serde(skip)]
    pub packages: Packages,
    /// The oldest kernel this arch's glibc accepts (libc.so.6's NT_GNU_ABI_TAG); absent = unknown.
    #[serde(default)]
    pub glibc_min_kernel: Option<KernelFact>,
    /// Base page sizes of the release's kernels for this arch; absent = unknown.
    #[serde(default)]
    pub page_size: Option<PageSizeFact>,
    /// x86_64: the microarchitecture level the packages are built for; absent = unknown.
    #[serde(default)]
    pub isa_level: Option<IsaLevelFact>,
    pub source: Source,
}

fn default_kind() -> String {
    "distro".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub dataset: &'static str,
    pub revision: &'static str,
    pub path: &'static str,
    /// `measured` (read from real files) or `stated` (documented fact).
    pub method: &'static str,
    #[serde(default)]
    pub note: Option<String>,
}

impl Source {
    pub fn describe(&self) -> String {
        format!(
            "{} @ {}, {} ({})",
            self.dataset, self.revision, self.path, self.method
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown baseline `{name}`{}", suggest(.close_matches))]
pub struct UnknownBaseline {
    pub name: String,
    pub close_matches: Vec<String>,
}

fn suggest(matches: &[String]) -> String {
    if matches.is_empty() {
        "; `shipcheck baselines` lists them all".into()
    } else {
        format!(
            "; did you mean {}? (`shipcheck baselines` lists them all)",
            matches.join(", ")
        )
    }
}

/// Every release of the embedded database, sorted by id. Parsed lazily: finding a release by
/// name reads only the index build.rs prepared, and a release's JSON is parsed on first use
/// (for "runs on", only the architecture asked for), so a run pays for what it checks against.
#[derive(Debug)]
pub struct Database {
    entries: &'static [embedded::EmbeddedRelease],
    /// Each release's own facts (its `arches` left empty), parsed on first use.
    headers: Vec<OnceLock<Release>>,
    parsed: Vec<OnceLock<Release>>,
    /// Every architecture key the data has, with the baselines of that architecture made on
    /// first use: of every C library, of glibc only, of musl only.
    by_arch: Vec<(&'static str, [OnceLock<Vec<Baseline>>; 3])>,
}

impl Database {
    /// The database compiled into the binary. Nothing is parsed yet: every entry is parsed by
    /// `tests/database.rs` (which also checks that each id and alias names one release), so an
    /// entry that does not parse fails `cargo test`, not a run.
    pub fn embedded() -> Database {
        let entries = embedded::RELEASES;
        let arch_keys: BTreeSet<&'static str> = entries
            .iter()
            .flat_map(|entry| entry.arches.iter().map(|(arch, _)| *arch))
            .collect();
        Database {
            entries,
            headers: entries.iter().map(|_| OnceLock::new()).collect(),
            parsed: entries.iter().map(|_| OnceLock::new()).collect(),
            by_arch: arch_keys
                .into_iter()
                .map(|arch| (arch, Default::default()))
                .collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every release, sorted by id (each parsed on first use).
    pub fn releases(&self) -> impl ExactSizeIterator<Item = &Release> {
        (0..self.entries.len()).map(|index| self.release(index))
    }

    fn release(&self, index: usize) -> &Release {
        self.parsed[index].get_or_init(|| {
            let entry = &self.entries[index];
            let mut release = self.header(index).clone();
            release.arches = entry
                .arches
                .iter()
                .map(|(arch, packed)| (arch.to_string(), parse_arch(entry, arch, packed)))
                .collect();
            release
        })
    }

    fn header(&self, index: usize) -> &Release {
        self.headers[index].get_or_init(|| parse_header(&self.entries[index]))
    }

    /// Every release's own facts (its `arches` left empty) with the architecture keys it has
    /// data for, sorted by id: no architecture's data is parsed.
    pub fn headers(&self) -> impl ExactSizeIterator<Item = (&Release, Vec<&'static str>)> {
        self.entries.iter().enumerate().map(|(index, entry)| {
            let arches = entry.arches.iter().map(|(arch, _)| *arch).collect();
            (self.header(index), arches)
        })
    }

    /// The baselines of every release for one architecture key (only of releases with C
    /// library `libc`, when given), sorted by id. Made once per database, parsing only that
    /// architecture's entries, on two threads (a default run of one small file would otherwise
    /// spend most of its time here).
    pub fn baselines_for_arch(&self, arch: &str, libc: Option<Libc>) -> &[Baseline] {
        let Some((_, slots)) = self.by_arch.iter().find(|(key, _)| *key == arch) else {
            return &[];
        };
        let slot = match libc {
            None => 0,
            Some(Libc::Glibc) => 1,
            Some(Libc::Musl) => 2,
        };
        slots[slot].get_or_init(|| {
            let wanted: Vec<(usize, &'static embedded::EmbeddedArch)> = self
                .entries
                .iter()
                .enumerate()
                .filter(|(_, entry)| libc.is_none_or(|libc| entry.libc == libc.to_string()))
                .filter_map(|(index, entry)| {
                    let (_, packed) = entry.arches.iter().find(|(key, _)| *key == arch)?;
                    Some((index, packed))
                })
                .collect();
            let make = |part: &[(usize, &'static embedded::EmbeddedArch)]| -> Vec<Baseline> {
                part.iter()
                    .filter_map(|&(index, packed)| match self.parsed[index].get() {
                        Some(release) => release.baseline(arch),
                        None => {
                            let entry = parse_arch(&self.entries[index], arch, packed);
                            Some(self.header(index).baseline_from(arch, entry))
                        }
                    })
                    .collect()
            };
            let (first, second) = wanted.split_at(wanted.len() / 2);
            std::thread::scope(|scope| {
                let first = scope.spawn(|| make(first));
                let mut baselines = make(second);
                // A panic there is a broken embedded entry (see parse_arch): the build's fault.
                let mut all = first
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e));
                all.append(&mut baselines);
                all
            })
        })
    }

    /// Finds a release by id or alias, ignoring case.
    pub fn find(&self, name: &str) -> Result<&Release, UnknownBaseline> {
        let key = name.trim().to_ascii_lowercase();
        self.entries
            .iter()
            .position(|r| {
                r.id.eq_ignore_ascii_case(&key)
                    || r.aliases.iter().any(|a| a.eq_ignore_ascii_case(&key))
            })
            .map(|index| self.release(index))
            .ok_or_else(|| UnknownBaseline {
                name: name.to_string(),
                close_matches: self.close_matches(&key),
            })
    }

    fn close_matches(&self, key: &str) -> Vec<String> {
        let mut scored: Vec<(usize, &str)> = self
            .entries
            .iter()
            .flat_map(|r| std::iter::once(r.id).chain(r.aliases.iter().copied()))
            .map(|name| (edit_distance(key, &name.to_ascii_lowercase()), name))
            .filter(|(distance, name)| *distance <= (name.len() / 3).max(2))
            .collect();
        scored.sort();
        scored.dedup_by(|a, b| a.1 == b.1);
        scored
            .into_iter()
            .take(5)
            .map(|(_, n)| n.to_string())
            .collect()
    }
}

// The embedded entries are compiled in and every one is parsed by tests/database.rs (and their
// JSON syntax by build.rs): a failure here is a broken build, not bad input.
fn parse_header(entry: &'static embedded::EmbeddedRelease) -> Release {
    serde_json::from_str(entry.header)
        .unwrap_or_else(|e| panic!("glibc-db entry {} is broken: {e}", entry.file))
}

fn parse_arch(
    entry: &embedded::EmbeddedRelease,
    arch: &str,
    packed: &'static embedded::EmbeddedArch,
) -> ArchEntry {
    let broken = |e: &dyn std::fmt::Display| -> ! {
        panic!("glibc-db entry {} ({arch}) is broken: {e}", entry.file)
    };
    let mut facts: ArchEntry = serde_json::from_str(packed.json).unwrap_or_else(|e| broken(&e));
    facts.versions = packed
        .versions
        .lines()
        .map(|line| {
            let (family, tags) = line.split_once('\0').unwrap_or((line, ""));
            (family, NameSet::packed(tags))
        })
        .collect();
    facts.sonames_present = NameSet::packed(packed.sonames_present);
    facts.sonames_absent = NameSet::packed(packed.sonames_absent);
    facts.packages = Packages::packed(packed.packages);
    facts
}

impl Release {
    /// The baseline for one architecture key, if the data has it.
    pub fn baseline(&self, arch: &str) -> Option<Baseline> {
        Some(self.baseline_from(arch, self.arches.get(arch)?.clone()))
    }

    /// The baseline of this release for `arch` whose entry is `entry`.
    fn baseline_from(&self, arch: &str, entry: ArchEntry) -> Baseline {
        let nodes = entry
            .versions
            .into_iter()
            .map(|(family, tags)| (family.into(), tags))
            .collect();
        Baseline {
            id: self.id.clone(),
            name: self.name.clone(),
            libc: self.libc,
            libc_version: entry.libc_version.or_else(|| self.libc_version.clone()),
            arch: arch.to_string(),
            interpreter: entry.interpreter,
            nodes,
            sonames_present: entry.sonames_present,
            sonames_absent: entry.sonames_absent,
            sonames_complete: entry.sonames_complete,
            blacklist: entry
                .blacklist
                .into_iter()
                .map(|(soname, symbols)| {
                    (soname.into(), symbols.into_iter().map(Name::from).collect())
                })
                .collect(),
            packages: entry.packages,
            source: entry.source.describe(),
            libraries: None,
            loader_paths: BTreeSet::new(),
            files: BTreeMap::new(),
            kernel: self.kernel.as_ref().map(KernelFact::fact),
            glibc_min_kernel: entry.glibc_min_kernel.as_ref().map(KernelFact::fact),
            page_sizes: entry.page_size.map(|p| Fact {
                value: PageSizes {
                    default: p.default,
                    others: p.others,
                },
                method: p.method,
                source: p.source,
            }),
            isa_level: entry.isa_level.map(|i| Fact {
                value: IsaLevel {
                    level: i.level,
                    others: i.others,
                },
                method: i.method,
                source: i.source,
            }),
        }
    }

    /// Where the release's facts come from, once per distinct dataset and revision
    /// ("pep600-compliance @ 2d70275 (measured)"). An image names its files too, since each
    /// architecture has its own ("dotnet/dotnet-docker @ 8eaf5912bcac,
    /// src/runtime-deps/8.0/jammy-chiseled/{amd64,arm32v7,arm64v8}/Dockerfile (stated)").
    pub fn source_summary(&self) -> String {
        let mut groups: BTreeMap<(&str, &str, &str), BTreeSet<&str>> = BTreeMap::new();
        for a in self.arches.values() {
            let key = (a.source.dataset, a.source.revision, a.source.method);
            groups.entry(key).or_default().insert(a.source.path);
        }
        groups
            .into_iter()
            .map(|((dataset, revision, method), paths)| {
                if self.kind == "image" {
                    format!("{dataset} @ {revision}, {} ({method})", join_paths(&paths))
                } else {
                    format!("{dataset} @ {revision} ({method})")
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn baseline_set(&self) -> BaselineSet {
        BaselineSet {
            id: self.id.clone(),
            name: self.name.clone(),
            libc: self.libc.to_string(),
            version: self.libc_version.clone(),
            source: self.source_summary(),
            never_built_for: self.architectures.as_ref().map(|a| {
                let known: BTreeSet<&str> = a
                    .built_for
                    .iter()
                    .chain(&a.uncertain)
                    .map(String::as_str)
                    .collect();
                NeverBuiltFor {
                    known_arches: known.into_iter().map(str::to_string).collect(),
                    source: a.source.clone(),
                }
            }),
            kernel: self.kernel.as_ref().map(KernelFact::fact),
            arches: self
                .arch_keys()
                .filter_map(|key| Some((key.to_string(), self.baseline(key)?)))
                .collect(),
        }
    }

    pub fn arch_keys(&self) -> impl Iterator<Item = &str> {
        self.arches.keys().map(String::as_str)
    }
}

/// Paths that differ in one component only, written once with that component in braces
/// (`src/x/{amd64,arm64v8}/Dockerfile`); others joined with ", ".
fn join_paths(paths: &BTreeSet<&str>) -> String {
    let split: Vec<Vec<&str>> = paths.iter().map(|p| p.split('/').collect()).collect();
    if let [first, rest @ ..] = split.as_slice()
        && !rest.is_empty()
        && rest.iter().all(|p| p.len() == first.len())
    {
        let differing: Vec<usize> = (0..first.len())
            .filter(|&i| rest.iter().any(|p| p[i] != first[i]))
            .collect();
        if let [i] = differing[..] {
            let mut parts: Vec<String> = first.iter().map(|s| s.to_string()).collect();
            let choices: BTreeSet<&str> = split.iter().map(|p| p[i]).collect();
            parts[i] = format!("{{{}}}", choices.into_iter().collect::<Vec<_>>().join(","));
            return parts.join("/");
        }
    }
    paths.iter().copied().collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_differing_in_one_component_are_written_once() {
        let paths: BTreeSet<&str> = ["a/amd64/D", "a/arm64v8/D", "a/arm32v7/D"].into();
        assert_eq!(join_paths(&paths), "a/{amd64,arm32v7,arm64v8}/D");
        let paths: BTreeSet<&str> = ["a/amd64/D"].into();
        assert_eq!(join_paths(&paths), "a/amd64/D");
        let paths: BTreeSet<&str> = ["a/amd64/D", "b/arm64v8/D"].into();
        assert_eq!(join_paths(&paths), "a/amd64/D, b/arm64v8/D");
    }
}
