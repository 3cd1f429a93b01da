//! The embedded baseline database (`glibc-db/releases/*.json`, written by
//! `glibc-db/generate.py`): loading, lookup by id or alias, and turning one release's
//! architecture entry into a [`Baseline`].

use super::names::{NameSet, Packages};
use super::{
    Baseline, BaselineSet, Fact, IsaLevel, KernelVersion, Method, Name, NeverBuiltFor, PageSizes,
};
use crate::arch::Libc;
use crate::target::edit_distance;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The database as build.rs prepared it from `glibc-db/releases/*.json`: every release as
/// Rust values, checked against this schema at build time, so that a run parses nothing (a
/// default run makes the baselines of every release for a file's architecture; parsing and
/// copying their facts was most of a small run's time). The tables hold numbers only: a string
/// is a byte range of one text, a list a range of a table, so the loader relocates nothing.
pub mod embedded {
    use crate::arch::Libc;
    use crate::baseline::{KernelVersion, Method};

    /// A string: its byte range in [`TEXT`].
    #[derive(Debug, Clone, Copy)]
    pub struct Text(u32, u32);

    impl Text {
        pub fn get(self) -> &'static str {
            &TEXT[self.0 as usize..self.1 as usize]
        }
    }

    /// A list: its range of one of the tables.
    #[derive(Debug, Clone, Copy)]
    pub struct Span(u32, u32);

    impl Span {
        pub fn of<T>(self, table: &'static [T]) -> &'static [T] {
            &table[self.0 as usize..self.1 as usize]
        }

        /// A list of strings (a range of [`TEXTS`]).
        pub fn texts(self) -> impl ExactSizeIterator<Item = &'static str> {
            self.of(&TEXTS).iter().map(|text| text.get())
        }
    }

    /// One release file.
    #[derive(Debug)]
    pub struct EmbeddedRelease {
        pub file: Text,
        pub id: Text,
        pub aliases: Span,
        pub libc: Libc,
        pub generated_by: Text,
        pub name: Text,
        pub distro: Text,
        pub release: Text,
        pub rolling: bool,
        /// `distro` when the file does not say.
        pub kind: Text,
        pub libc_version: Option<Text>,
        pub eol: Option<Text>,
        pub eol_source: Option<Text>,
        pub architectures: Option<EmbeddedArchitectures>,
        pub kernel: Option<EmbeddedKernel>,
        /// Its entries of [`ARCHES`], sorted by key.
        pub arches: Span,
    }

    impl EmbeddedRelease {
        pub fn arches(&self) -> &'static [EmbeddedArch] {
            self.arches.of(&ARCHES)
        }
    }

    /// One architecture's entry.
    #[derive(Debug)]
    pub struct EmbeddedArch {
        pub key: Text,
        pub libc_version: Option<Text>,
        pub interpreter: Option<Text>,
        pub sonames_complete: bool,
        /// soname → forbidden symbols ([`BLACKLIST`]), sorted by soname.
        pub blacklist: Span,
        pub glibc_min_kernel: Option<EmbeddedKernel>,
        pub page_size: Option<EmbeddedPageSize>,
        pub isa_level: Option<EmbeddedIsaLevel>,
        pub source: EmbeddedSource,
        /// (family, its tags packed as a `NameSet`) of [`VERSIONS`], sorted by family.
        pub versions: Span,
        /// `NameSet`s: sorted, each name ended by a NUL.
        pub sonames_present: Text,
        pub sonames_absent: Text,
        /// A `Packages` table: one line per soname, sorted,
        /// `soname<TAB>package<TAB>version<TAB>minimal`.
        pub packages: Text,
    }

    #[derive(Debug, Clone, Copy)]
    pub struct EmbeddedArchitectures {
        pub built_for: Span,
        pub uncertain: Span,
        pub source: Text,
    }

    #[derive(Debug, Clone, Copy)]
    pub struct EmbeddedKernel {
        pub version: KernelVersion,
        pub method: Method,
        pub source: Text,
    }

    #[derive(Debug, Clone, Copy)]
    pub struct EmbeddedPageSize {
        pub default: u64,
        /// Of [`NUMBERS`].
        pub others: Span,
        pub method: Method,
        pub source: Text,
    }

    #[derive(Debug, Clone, Copy)]
    pub struct EmbeddedIsaLevel {
        pub level: u8,
        /// Of [`NUMBERS`].
        pub others: Span,
        pub method: Method,
        pub source: Text,
    }

    #[derive(Debug, Clone, Copy)]
    pub struct EmbeddedSource {
        pub dataset: Text,
        pub revision: Text,
        pub path: Text,
        pub method: Text,
        pub note: Option<Text>,
    }

    /// Every string of the tables, each once.
    const TEXT: &str = include_str!(concat!(env!("OUT_DIR"), "/releases.txt"));

    // RELEASES (sorted by id), ARCHES, TEXTS, VERSIONS, BLACKLIST, NUMBERS, ARCH_KEYS (sorted).
    include!(concat!(env!("OUT_DIR"), "/releases.rs"));
}

use embedded::{EmbeddedArch, EmbeddedKernel, EmbeddedRelease, Text};

/// One release with every architecture's entry.
#[derive(Debug, Clone)]
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
    pub kind: String,
    pub libc: Libc,
    pub libc_version: Option<String>,
    pub eol: Option<String>,
    pub eol_source: Option<String>,
    /// The architectures the release was ever built for, where that is known.
    pub architectures: Option<Architectures>,
    /// The kernel the release ships, where measured or stated; absent = unknown.
    pub kernel: Option<KernelFact>,
    pub arches: BTreeMap<String, ArchEntry>,
    embedded: &'static EmbeddedRelease,
}

/// A kernel version with where it comes from (`kernel`, `arches.*.glibc_min_kernel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KernelFact {
    pub version: KernelVersion,
    pub method: Method,
    pub source: &'static str,
}

impl KernelFact {
    fn of(kernel: &EmbeddedKernel) -> KernelFact {
        KernelFact {
            version: kernel.version,
            method: kernel.method,
            source: kernel.source.get(),
        }
    }

    fn fact(&self) -> Fact<KernelVersion> {
        Fact {
            value: self.version,
            method: self.method,
            source: self.source.to_string(),
        }
    }
}

/// `arches.*.page_size`: the default base page size and the others the release's kernels offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSizeFact {
    pub default: u64,
    pub others: &'static [u64],
    pub method: Method,
    pub source: &'static str,
}

/// `arches.x86_64.isa_level`: the x86-64 microarchitecture level of the default build and of
/// other builds offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsaLevelFact {
    pub level: u8,
    pub others: Vec<u8>,
    pub method: Method,
    pub source: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Architectures {
    pub built_for: Vec<&'static str>,
    /// Named only with a caveat (multiarch libraries only): neither built for nor not.
    pub uncertain: Vec<&'static str>,
    pub source: &'static str,
}

/// One architecture's facts; the long lists (nodes, sonames, packages) are searched where
/// build.rs packed them (see `names.rs`).
#[derive(Debug, Clone)]
pub struct ArchEntry {
    pub libc_version: Option<&'static str>,
    pub interpreter: Option<&'static str>,
    /// family → tags, as a baseline's `nodes`.
    pub versions: BTreeMap<Name, NameSet>,
    pub sonames_present: NameSet,
    pub sonames_absent: NameSet,
    /// True when `sonames_present` is the whole list (a policy's lib whitelist): any other
    /// soname is then absent, not unknown.
    pub sonames_complete: bool,
    /// soname → symbols that must not be imported from it even though it is allowed (policies).
    pub blacklist: BTreeMap<&'static str, Vec<&'static str>>,
    /// soname → the package that provides it, where real package data says so.
    pub packages: Packages,
    /// The oldest kernel this arch's glibc accepts (libc.so.6's NT_GNU_ABI_TAG); absent = unknown.
    pub glibc_min_kernel: Option<KernelFact>,
    /// Base page sizes of the release's kernels for this arch; absent = unknown.
    pub page_size: Option<PageSizeFact>,
    /// x86_64: the microarchitecture level the packages are built for; absent = unknown.
    pub isa_level: Option<IsaLevelFact>,
    pub source: Source,
}

impl ArchEntry {
    fn of(packed: &'static EmbeddedArch) -> ArchEntry {
        let isa_level = packed.isa_level.map(|isa| IsaLevelFact {
            level: isa.level,
            others: isa
                .others
                .of(&embedded::NUMBERS)
                .iter()
                // build.rs took them from 0..=255.
                .map(|&level| level as u8)
                .collect(),
            method: isa.method,
            source: isa.source.get(),
        });
        ArchEntry {
            libc_version: packed.libc_version.map(Text::get),
            interpreter: packed.interpreter.map(Text::get),
            versions: packed
                .versions
                .of(&embedded::VERSIONS)
                .iter()
                .map(|(family, tags)| (Name::from(family.get()), NameSet::packed(tags.get())))
                .collect(),
            sonames_present: NameSet::packed(packed.sonames_present.get()),
            sonames_absent: NameSet::packed(packed.sonames_absent.get()),
            sonames_complete: packed.sonames_complete,
            blacklist: packed
                .blacklist
                .of(&embedded::BLACKLIST)
                .iter()
                .map(|(soname, symbols)| (soname.get(), symbols.texts().collect()))
                .collect(),
            packages: Packages::packed(packed.packages.get()),
            glibc_min_kernel: packed.glibc_min_kernel.as_ref().map(KernelFact::of),
            page_size: packed.page_size.map(|page| PageSizeFact {
                default: page.default,
                others: page.others.of(&embedded::NUMBERS),
                method: page.method,
                source: page.source.get(),
            }),
            isa_level,
            source: Source {
                dataset: packed.source.dataset.get(),
                revision: packed.source.revision.get(),
                path: packed.source.path.get(),
                method: packed.source.method.get(),
                note: packed.source.note.map(Text::get),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    pub dataset: &'static str,
    pub revision: &'static str,
    pub path: &'static str,
    /// `measured` (read from real files) or `stated` (documented fact).
    pub method: &'static str,
    pub note: Option<&'static str>,
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

/// Every release of the embedded database, sorted by id. A release is made on first use, and
/// "runs on" makes the baselines of one architecture straight from the prepared entries, so a
/// run pays for what it checks against.
#[derive(Debug)]
pub struct Database {
    /// One slot per release of [`embedded::RELEASES`]. Boxed: most runs make none, and 142 slots the size of a release cost more to set up
    /// than one small run's baselines.
    releases: Vec<OnceLock<Box<Release>>>,
    /// Every architecture key the data has, with the baselines of that architecture made on
    /// first use: of every C library, of glibc only, of musl only.
    by_arch: Vec<(&'static str, [OnceLock<Vec<Baseline>>; 3])>,
}

impl Database {
    /// The database compiled into the binary, checked by build.rs.
    pub fn embedded() -> Database {
        Database {
            releases: embedded::RELEASES.iter().map(|_| OnceLock::new()).collect(),
            by_arch: embedded::ARCH_KEYS
                .iter()
                .map(|arch| (arch.get(), Default::default()))
                .collect(),
        }
    }

    pub fn len(&self) -> usize {
        embedded::RELEASES.len()
    }

    pub fn is_empty(&self) -> bool {
        embedded::RELEASES.is_empty()
    }

    /// Every release, sorted by id (each made on first use).
    pub fn releases(&self) -> impl ExactSizeIterator<Item = &Release> {
        (0..self.len()).map(|index| self.release(index))
    }

    fn release(&self, index: usize) -> &Release {
        self.releases[index].get_or_init(|| Box::new(Release::of(&embedded::RELEASES[index])))
    }

    /// Every release as build.rs prepared it, sorted by id: what needs a few facts of every
    /// release (the families of "runs on") reads them here without making releases.
    pub fn prepared(&self) -> &'static [EmbeddedRelease] {
        &embedded::RELEASES
    }

    /// The baselines of every release for one architecture key (only of releases with C
    /// library `libc`, when given), sorted by id, made once per database.
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
            embedded::RELEASES
                .iter()
                .filter(|entry| libc.is_none_or(|libc| entry.libc == libc))
                .filter_map(|entry| {
                    let packed = entry
                        .arches()
                        .iter()
                        .find(|packed| packed.key.get() == arch)?;
                    Some(baseline_of(entry, arch, ArchEntry::of(packed)))
                })
                .collect()
        })
    }

    /// Finds a release by id or alias, ignoring case.
    pub fn find(&self, name: &str) -> Result<&Release, UnknownBaseline> {
        let key = name.trim().to_ascii_lowercase();
        embedded::RELEASES
            .iter()
            .position(|r| {
                r.id.get().eq_ignore_ascii_case(&key)
                    || r.aliases.texts().any(|a| a.eq_ignore_ascii_case(&key))
            })
            .map(|index| self.release(index))
            .ok_or_else(|| UnknownBaseline {
                name: name.to_string(),
                close_matches: self.close_matches(&key),
            })
    }

    fn close_matches(&self, key: &str) -> Vec<String> {
        let mut scored: Vec<(usize, &str)> = embedded::RELEASES
            .iter()
            .flat_map(|r| std::iter::once(r.id.get()).chain(r.aliases.texts()))
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

impl Release {
    fn of(entry: &'static EmbeddedRelease) -> Release {
        let owned = |text: Option<Text>| text.map(|text| text.get().to_string());
        Release {
            generated_by: entry.generated_by.get().to_string(),
            id: entry.id.get().to_string(),
            name: entry.name.get().to_string(),
            distro: entry.distro.get().to_string(),
            release: entry.release.get().to_string(),
            aliases: entry.aliases.texts().map(str::to_string).collect(),
            rolling: entry.rolling,
            kind: entry.kind.get().to_string(),
            libc: entry.libc,
            libc_version: owned(entry.libc_version),
            eol: owned(entry.eol),
            eol_source: owned(entry.eol_source),
            architectures: entry.architectures.map(|a| Architectures {
                built_for: a.built_for.texts().collect(),
                uncertain: a.uncertain.texts().collect(),
                source: a.source.get(),
            }),
            kernel: entry.kernel.as_ref().map(KernelFact::of),
            arches: entry
                .arches()
                .iter()
                .map(|packed| (packed.key.get().to_string(), ArchEntry::of(packed)))
                .collect(),
            embedded: entry,
        }
    }

    /// The baseline for one architecture key, if the data has it.
    pub fn baseline(&self, arch: &str) -> Option<Baseline> {
        Some(baseline_of(
            self.embedded,
            arch,
            self.arches.get(arch)?.clone(),
        ))
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
                let known: BTreeSet<&str> =
                    a.built_for.iter().chain(&a.uncertain).copied().collect();
                NeverBuiltFor {
                    known_arches: known.into_iter().map(str::to_string).collect(),
                    source: a.source.to_string(),
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

/// The baseline of `release` for `arch`, whose entry is `entry`.
fn baseline_of(release: &EmbeddedRelease, arch: &str, entry: ArchEntry) -> Baseline {
    Baseline {
        id: release.id.get().to_string(),
        name: release.name.get().to_string(),
        libc: release.libc,
        libc_version: entry
            .libc_version
            .or(release.libc_version.map(Text::get))
            .map(str::to_string),
        arch: arch.to_string(),
        interpreter: entry.interpreter.map(str::to_string),
        nodes: entry.versions,
        sonames_present: entry.sonames_present,
        sonames_absent: entry.sonames_absent,
        sonames_complete: entry.sonames_complete,
        blacklist: entry
            .blacklist
            .into_iter()
            .map(|(soname, symbols)| (soname.into(), symbols.into_iter().map(Name::from).collect()))
            .collect(),
        packages: entry.packages,
        source: entry.source.describe(),
        libraries: None,
        loader_paths: BTreeSet::new(),
        files: BTreeMap::new(),
        kernel: release
            .kernel
            .as_ref()
            .map(|kernel| KernelFact::of(kernel).fact()),
        glibc_min_kernel: entry.glibc_min_kernel.as_ref().map(KernelFact::fact),
        page_sizes: entry.page_size.map(|p| Fact {
            value: PageSizes {
                default: p.default,
                others: p.others.to_vec(),
            },
            method: p.method,
            source: p.source.to_string(),
        }),
        isa_level: entry.isa_level.map(|i| Fact {
            value: IsaLevel {
                level: i.level,
                others: i.others,
            },
            method: i.method,
            source: i.source.to_string(),
        }),
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
