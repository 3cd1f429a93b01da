//! Baselines: what a target system provides (C library, loader, sonames, symbol version nodes).
//! Loaded from the embedded `glibc-db/`; checks ask a [`Baseline`] questions and never see how
//! it was built.

pub mod db;
pub mod families;
pub mod glibc_symbols;
pub mod names;
pub mod sysroot;

use crate::arch::Libc;
use crate::version::VersionNode;
use names::{NameSet, Packages};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The answer to "does the baseline have X?": the database only knows what was measured, so
/// "no data" is a third answer, never a silent "no".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    Provided,
    Absent,
    Unknown,
}

/// A name a baseline lists (a version node's tag, a soname, a package): borrowed from the
/// embedded database, owned when measured from a root filesystem.
pub type Name = std::borrow::Cow<'static, str>;

/// One baseline for one architecture, ready for the checks.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub id: String,
    pub name: String,
    pub libc: Libc,
    pub libc_version: Option<String>,
    /// Architecture key (`x86_64`, `aarch64`, `armv7l` ...).
    pub arch: String,
    /// The dynamic loader this system has for that architecture.
    pub interpreter: Option<String>,
    /// family → the tag of every node of that family the system's libraries define (`GLIBC` →
    /// {`2.2.5`, ..., `ABI_DT_RELR`}, for `GLIBC_2.2.5` ... `GLIBC_ABI_DT_RELR`).
    pub nodes: BTreeMap<Name, NameSet>,
    pub sonames_present: NameSet,
    pub sonames_absent: NameSet,
    /// `sonames_present` is the whole list (a policy whitelist): anything else is absent.
    pub sonames_complete: bool,
    /// soname → symbols that must not be imported from it (policies).
    pub blacklist: BTreeMap<Name, Vec<Name>>,
    /// soname → providing package, where real package data says so.
    pub packages: Packages,
    /// Where the facts come from, for people and for JSON.
    pub source: String,
    /// Measured from a real root filesystem: soname → the version nodes that very file
    /// defines. Knowledge is then complete: a soname not listed is absent.
    pub libraries: Option<BTreeMap<String, BTreeSet<String>>>,
    /// Measured loader paths (`/lib64/ld-linux-x86-64.so.2`) that exist in a root filesystem.
    pub loader_paths: BTreeSet<String>,
    /// A root filesystem's libraries: soname (file name in a library directory) → the file on
    /// this machine, for reading their symbols. Empty for the database.
    pub files: BTreeMap<String, std::path::PathBuf>,
    /// The kernel the release ships (the oldest its own images or installer install). Containers
    /// run on the host's kernel, so this is only the default guess about the target's kernel.
    pub kernel: Option<Fact<KernelVersion>>,
    /// The oldest kernel the release's glibc accepts for this architecture (libc.so.6's
    /// NT_GNU_ABI_TAG note); on an older kernel every program fails with "FATAL: kernel too old".
    pub glibc_min_kernel: Option<Fact<KernelVersion>>,
    /// Base page sizes of the release's kernels for this architecture.
    pub page_sizes: Option<Fact<PageSizes>>,
    /// x86_64 only: the x86-64 microarchitecture level the release's packages are built for.
    pub isa_level: Option<Fact<IsaLevel>>,
}

/// How a target fact is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Read from a real file (a package, a library's note).
    Measured,
    /// Said by a named document.
    Stated,
}

/// A fact about the target with where it comes from. Where a fact is not known, the field that
/// would hold it is `None`: unknown is never replaced by a guess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact<T> {
    pub value: T,
    pub method: Method,
    /// The file or document, with its address and its date or commit.
    pub source: String,
}

/// A Linux kernel version (`5.15`, `3.2.0`): compared numerically, a missing part counts as 0
/// (`5.15` == `5.15.0`); shown as it was written.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct KernelVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
    /// How many parts were written (2 or 3), for display only.
    parts: u8,
}

impl KernelVersion {
    pub fn new(major: u32, minor: u32, patch: u32) -> KernelVersion {
        KernelVersion {
            major,
            minor,
            patch,
            parts: 3,
        }
    }

    /// A version as written with `parts` numbers (2 or 3): how build.rs writes the database's.
    pub const fn written(major: u32, minor: u32, patch: u32, parts: u8) -> KernelVersion {
        KernelVersion {
            major,
            minor,
            patch,
            parts,
        }
    }

    /// `"5.15"` or `"3.2.0"`; `None` for anything else.
    pub fn parse(text: &str) -> Option<KernelVersion> {
        let parts: Vec<u32> = text
            .split('.')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        match parts[..] {
            [major, minor] => Some(KernelVersion {
                major,
                minor,
                patch: 0,
                parts: 2,
            }),
            [major, minor, patch] => Some(KernelVersion::new(major, minor, patch)),
            _ => None,
        }
    }

    fn key(&self) -> (u32, u32, u32) {
        (self.major, self.minor, self.patch)
    }
}

impl TryFrom<String> for KernelVersion {
    type Error = String;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        KernelVersion::parse(&text).ok_or_else(|| format!("`{text}` is not a kernel version"))
    }
}

impl PartialEq for KernelVersion {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for KernelVersion {}
impl PartialOrd for KernelVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for KernelVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl fmt::Display for KernelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.parts == 2 {
            write!(f, "{}.{}", self.major, self.minor)
        } else {
            write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
        }
    }
}

/// Base page sizes (bytes) of a release's kernels for one architecture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSizes {
    /// The page size of the kernel a plain install gets.
    pub default: u64,
    /// Page sizes of other kernels the release offers (`kernel-64k`, `linux-image-arm64-16k`),
    /// sorted; empty when every kernel of the release has the default.
    pub others: Vec<u64>,
}

impl PageSizes {
    /// The largest page size a system of this release can run with.
    pub fn largest(&self) -> u64 {
        self.others
            .iter()
            .copied()
            .chain([self.default])
            .max()
            .unwrap_or(self.default)
    }
}

/// The x86-64 microarchitecture level (psABI `x86-64-v2` = 2) a release's x86_64 packages are
/// built for: the release runs only on CPUs of that level or above.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsaLevel {
    /// The level of the release's default build.
    pub level: u8,
    /// Levels of other builds the release offers (AlmaLinux 10's x86_64_v2), sorted.
    pub others: Vec<u8>,
}

impl IsaLevel {
    /// The lowest level any build of the release runs on.
    pub fn lowest(&self) -> u8 {
        self.others
            .iter()
            .copied()
            .chain([self.level])
            .min()
            .unwrap_or(self.level)
    }
}

/// A baseline for every architecture it has data for, with where the verdict comes from.
#[derive(Debug, Clone)]
pub struct BaselineSet {
    pub id: String,
    pub name: String,
    pub libc: String,
    pub version: Option<String>,
    pub source: String,
    /// Where the release's architecture list is known: an architecture outside it never had
    /// this release (a hard failure, not "no data").
    pub never_built_for: Option<NeverBuiltFor>,
    /// The kernel the release ships (see [`Baseline::kernel`]); `None` when unknown.
    pub kernel: Option<Fact<KernelVersion>>,
    pub arches: BTreeMap<String, Baseline>,
}

/// A release's architectures (built for, or named with a caveat), and where that comes from.
#[derive(Debug, Clone)]
pub struct NeverBuiltFor {
    pub known_arches: Vec<String>,
    pub source: String,
}

impl NeverBuiltFor {
    /// Whether the release never existed for this architecture key.
    pub fn excludes(&self, arch: &str) -> bool {
        !self.known_arches.iter().any(|known| known == arch)
    }
}

/// The symbol version families each system library carries, by soname. Only these libraries'
/// version needs are checked against the database's per-family node sets.
pub fn families_of(soname: &str) -> &'static [&'static str] {
    if is_glibc_soname(soname) {
        &["GLIBC"]
    } else {
        match soname {
            "libstdc++.so.6" => &["GLIBCXX", "CXXABI"],
            "libgcc_s.so.1" => &["GCC"],
            "libatomic.so.1" => &["LIBATOMIC"],
            "libz.so.1" => &["ZLIB"],
            _ => &[],
        }
    }
}

/// musl's loader is its libc and answers for these names itself (musl `ldso/dynlink.c`,
/// `load_library`: "Catch and block attempts to reload the implementation itself").
pub fn is_musl_builtin(soname: &str) -> bool {
    const RESERVED: [&str; 7] = ["c", "pthread", "rt", "m", "dl", "util", "xnet"];
    if soname.starts_with("ld-musl-") {
        return true;
    }
    let Some(rest) = soname.strip_prefix("lib") else {
        return false;
    };
    let stem = rest.split('.').next().unwrap_or_default();
    RESERVED.contains(&stem) && rest[stem.len()..].starts_with('.')
}

/// Libraries built from the glibc source tree (glibc `shlib-versions`).
pub fn is_glibc_soname(soname: &str) -> bool {
    matches!(
        soname,
        "libc.so.6"
            | "libm.so.6"
            | "libpthread.so.0"
            | "libdl.so.2"
            | "librt.so.1"
            | "libutil.so.1"
            | "libresolv.so.2"
            | "libanl.so.1"
            | "libnsl.so.1"
            | "libBrokenLocale.so.1"
            | "libmvec.so.1"
            | "libthread_db.so.1"
            | "libc_malloc_debug.so.0"
    ) || soname.starts_with("ld-linux")
        || soname.starts_with("ld64.so.")
        || soname == "ld.so.1"
}

impl Baseline {
    pub fn soname(&self, soname: &str) -> Availability {
        if self.libc == Libc::Musl && is_musl_builtin(soname) {
            return Availability::Provided;
        }
        if self.libraries.is_some() || self.sonames_complete {
            return if self.sonames_present.contains(soname) {
                Availability::Provided
            } else {
                Availability::Absent
            };
        }
        if self.sonames_present.contains(soname) {
            Availability::Provided
        } else if self.sonames_absent.contains(soname) {
            Availability::Absent
        } else {
            Availability::Unknown
        }
    }

    /// Whether the library `soname` on this system defines the version node `node`.
    pub fn defines(&self, soname: &str, node: &VersionNode) -> Availability {
        if let Some(libraries) = &self.libraries {
            // An unversioned library only makes the loader warn; a missing one is reported
            // by the soname check.
            return match libraries.get(soname) {
                Some(defs) if defs.contains(node.name) => Availability::Provided,
                Some(defs) if !defs.is_empty() => Availability::Absent,
                _ => Availability::Unknown,
            };
        }
        if !families_of(soname).contains(&node.family) {
            return Availability::Unknown;
        }
        match self.nodes.get(node.family) {
            Some(tags) if tags.contains(node.tag) => Availability::Provided,
            Some(_) => Availability::Absent,
            None => Availability::Unknown,
        }
    }

    /// Whether the loader path a file asks for exists on this system.
    pub fn has_interpreter(&self, path: &str) -> bool {
        if self.loader_paths.is_empty() {
            self.interpreter.as_deref() == Some(path)
        } else {
            self.loader_paths.contains(path)
        }
    }

    /// The highest numeric node of a family, e.g. `GLIBC` → `2.35`.
    pub fn highest(&self, family: &str) -> Option<&str> {
        crate::version::highest(self.nodes.get(family)?.iter())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A hand-built glibc 2.31 x86_64 baseline for unit tests of the checks.
    pub fn bullseye_like() -> Baseline {
        let glibc = [
            "2.2.5", "2.2.6", "2.3", "2.3.2", "2.3.3", "2.3.4", "2.4", "2.5", "2.6", "2.7", "2.8",
            "2.9", "2.10", "2.11", "2.12", "2.13", "2.14", "2.15", "2.16", "2.17", "2.18", "2.22",
            "2.23", "2.24", "2.25", "2.26", "2.27", "2.28", "2.29", "2.30", "2.31",
        ];
        let mut nodes = BTreeMap::new();
        nodes.insert("GLIBC".into(), glibc.into_iter().collect());
        let glibcxx: Vec<String> = (0..=28).map(|n| format!("3.4.{n}")).collect();
        nodes.insert(
            "GLIBCXX".into(),
            glibcxx.iter().map(String::as_str).collect(),
        );
        Baseline {
            id: "test-2.31".into(),
            name: "Test glibc 2.31".into(),
            libc: Libc::Glibc,
            libc_version: Some("2.31".into()),
            arch: "x86_64".into(),
            interpreter: Some("/lib64/ld-linux-x86-64.so.2".into()),
            nodes,
            sonames_present: ["libc.so.6", "libm.so.6", "libstdc++.so.6"]
                .into_iter()
                .collect(),
            sonames_absent: ["libexpat.so.1"].into_iter().collect(),
            sonames_complete: false,
            blacklist: BTreeMap::new(),
            packages: Packages::default(),
            source: "hand-built test data".into(),
            libraries: None,
            loader_paths: BTreeSet::new(),
            files: BTreeMap::new(),
            kernel: None,
            glibc_min_kernel: None,
            page_sizes: None,
            isa_level: None,
        }
    }

    #[test]
    fn kernel_versions_compare_numerically() {
        let v = |s| KernelVersion::parse(s).unwrap();
        assert!(v("3.2.0") < v("3.10"));
        assert!(v("4.4") < v("4.15"));
        assert_eq!(v("5.15"), v("5.15.0"));
        assert!(v("5.15.1") > v("5.15"));
        assert_eq!(v("5.15").to_string(), "5.15");
        assert_eq!(v("3.2.0").to_string(), "3.2.0");
        for bad in ["", "5", "5.x", "5.15.0.1", "v5.15", "5..1"] {
            assert!(KernelVersion::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn page_sizes_and_isa_levels_span_the_builds_offered() {
        let pages = PageSizes {
            default: 4096,
            others: vec![16384, 65536],
        };
        assert_eq!(pages.largest(), 65536);
        let isa = IsaLevel {
            level: 3,
            others: vec![2],
        };
        assert_eq!(isa.lowest(), 2);
    }

    #[test]
    fn musl_answers_for_its_own_names() {
        assert!(is_musl_builtin("libc.so"));
        assert!(is_musl_builtin("libc.musl-x86_64.so.1"));
        assert!(is_musl_builtin("libpthread.so.0"));
        assert!(is_musl_builtin("ld-musl-aarch64.so.1"));
        assert!(!is_musl_builtin("libcrypto.so.3"));
        assert!(!is_musl_builtin("libcrypt.so.1"));
        assert!(!is_musl_builtin("libmvec.so.1"));
    }

    #[test]
    fn answers_three_ways() {
        let baseline = bullseye_like();
        assert_eq!(baseline.soname("libc.so.6"), Availability::Provided);
        assert_eq!(baseline.soname("libexpat.so.1"), Availability::Absent);
        assert_eq!(baseline.soname("libssl.so.3"), Availability::Unknown);
        let node = |n| VersionNode::parse(n);
        assert_eq!(
            baseline.defines("libc.so.6", &node("GLIBC_2.28")),
            Availability::Provided
        );
        assert_eq!(
            baseline.defines("libc.so.6", &node("GLIBC_2.34")),
            Availability::Absent
        );
        assert_eq!(
            baseline.defines("libc.so.6", &node("GLIBC_PRIVATE")),
            Availability::Absent
        );
        assert_eq!(
            baseline.defines("libssl.so.3", &node("OPENSSL_3.0.0")),
            Availability::Unknown
        );
        // A family the data has no nodes for is unknown, not absent.
        assert_eq!(
            baseline.defines("libgcc_s.so.1", &node("GCC_3.0")),
            Availability::Unknown
        );
        assert_eq!(baseline.highest("GLIBC"), Some("2.31"));
        assert_eq!(baseline.highest("GLIBCXX"), Some("3.4.28"));
    }
}
