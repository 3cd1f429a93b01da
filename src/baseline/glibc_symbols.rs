//! Per-symbol glibc data: at which version nodes each glibc symbol is defined, per
//! architecture. It answers what a `symbol-version-too-new` finding leaves open: does the
//! baseline's glibc have the symbol under an older node (rebuilding against that glibc binds
//! it), or not at all (the code needs a change or a shim)?
//!
//! # Data
//!
//! `glibc-db/symbols/<arch>.json`, one file per architecture key of the baseline database
//! (`x86_64 i686 aarch64 armv7l ppc64le s390x riscv64 loongarch64`), written by
//! `glibc-db/abilists.py` from Zig's consolidated glibc `abilists` file and embedded at build
//! time (`build.rs` → `$OUT_DIR/glibc_symbols.rs`). Layout, one symbol per line:
//!
//! ```json
//! {
//! "generated_by": "glibc-db/abilists.py from zig-glibc-abilists; …",
//! "source": {"dataset": "zig-glibc-abilists", "revision": "…", "method": "stated", "target": "x86_64-linux-gnu", "sha256": "…"},
//! "arch": "x86_64",
//! "libraries": ["m", "c", "ld", "resolv", "pthread", "dl", "rt", "util"],
//! "glibc_releases": ["2.0", "2.1", "2.1.1", …, "2.44"],
//! "functions": {
//! "memcpy":["c 2.2.5","c 2.14"],
//! "pthread_create":["pthread 2.2.5","c 2.34"],
//! …
//! },
//! "objects": {
//! "sys_errlist":["c 2.2.5 1000","c 2.3 1008","c 2.4 1056","c 2.12 1080"],
//! …
//! },
//! "tls": {}
//! }
//! ```
//!
//! An entry `"<library> <version>"` (objects and TLS: `"<library> <version> <size>"`) says the
//! symbol is defined at node `GLIBC_<version>` in `lib<library>`; `<library>` is one of
//! `libraries`, `<version>` one of `glibc_releases` (ascending). Entries are sorted by version.
//!
//! # Meaning
//!
//! glibc never withdraws a symbol version (an old one stays as a compatibility symbol), so
//! `symbol@GLIBC_x` exists in every release ≥ x: the node's number is also the first release that
//! has the definition, and no last release is recorded. A release *R* has the symbol when some
//! entry's version ≤ *R*; the newest such node is the one a link against *R* binds. This was
//! checked against every measured node set of `glibc-db/releases/` (a test keeps it so).

use crate::version::parse_numeric;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/glibc_symbols.rs"));
}

/// What the baseline's glibc offers for a symbol the binary needs under a newer node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SymbolAdvice {
    /// The baseline's glibc has this symbol under an older node: rebuilding against that glibc (an older sysroot) binds it.
    OlderNodeExists { node: String },
    /// The symbol does not exist at all in the baseline's glibc release: a code change, or a shim, is needed.
    NotInRelease { first_release: Option<String> },
    /// No data (architecture not covered, symbol not a glibc symbol, release unknown).
    Unknown,
}

/// Which section of the data a symbol is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Function,
    Object,
    Tls,
}

/// One definition of a symbol: `symbol@<node>` in `lib<library>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// `GLIBC_2.14`.
    pub node: String,
    /// The first release with this definition, the node's number: `2.14`.
    pub first_release: String,
    /// Zig's library name: `c`, `m`, `pthread`, `ld` … (`libc.so.6`, `libm.so.6`, …).
    pub library: String,
    pub kind: SymbolKind,
    /// Size in bytes of an object or TLS variable at this node (copy relocations depend on it).
    pub size: Option<u32>,
}

/// Where a file's facts come from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub dataset: String,
    pub revision: String,
    /// `stated`: taken from glibc's own ABI lists, not measured on a system.
    pub method: String,
    /// The Zig target triple the file was cut from (`x86_64-linux-gnu`).
    pub target: String,
    /// SHA-256 of the input file.
    pub sha256: String,
}

/// A file of `glibc-db/symbols/` that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SymbolDbError {
    #[error("glibc-db/symbols/{file}: {source}")]
    Json {
        file: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("glibc-db/symbols/{file}: {reason}")]
    Invalid { file: String, reason: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    generated_by: String,
    source: Source,
    arch: String,
    libraries: Vec<String>,
    glibc_releases: Vec<String>,
    functions: BTreeMap<String, Vec<String>>,
    objects: BTreeMap<String, Vec<String>>,
    tls: BTreeMap<String, Vec<String>>,
}

/// A definition as stored: indices into the table's libraries and releases.
#[derive(Debug, Clone, Copy)]
struct Def {
    release: usize,
    library: usize,
    kind: SymbolKind,
    size: Option<u32>,
}

/// The symbol data of one architecture.
#[derive(Debug, Clone)]
pub struct SymbolTable {
    arch: String,
    generated_by: String,
    source: Source,
    libraries: Vec<String>,
    releases: Vec<String>,
    numbers: Vec<Vec<u64>>,
    symbols: HashMap<String, Vec<Def>>,
}

impl SymbolTable {
    /// Parses and checks one file's text; `file` (`x86_64.json`) names it in errors and must
    /// match its `arch`.
    pub fn parse(file: &str, text: &str) -> Result<Self, SymbolDbError> {
        let invalid = |reason: String| SymbolDbError::Invalid {
            file: file.to_string(),
            reason,
        };
        let raw: RawFile = serde_json::from_str(text).map_err(|source| SymbolDbError::Json {
            file: file.to_string(),
            source,
        })?;
        if file.strip_suffix(".json") != Some(raw.arch.as_str()) {
            return Err(invalid(format!("`arch` is {:?}", raw.arch)));
        }
        if !raw.generated_by.contains("abilists.py") {
            return Err(invalid("`generated_by` does not name the generator".into()));
        }
        if raw.source.dataset.is_empty() || raw.source.revision.is_empty() {
            return Err(invalid(
                "`source` does not say where the data came from".into(),
            ));
        }
        let mut numbers = Vec::with_capacity(raw.glibc_releases.len());
        for release in &raw.glibc_releases {
            let number = parse_numeric(release)
                .ok_or_else(|| invalid(format!("release {release:?} is not a version")))?;
            if numbers.last().is_some_and(|previous| *previous >= number) {
                return Err(invalid(format!("release {release:?} is out of order")));
            }
            numbers.push(number);
        }
        if numbers.is_empty() || raw.libraries.is_empty() {
            return Err(invalid("no releases or no libraries".into()));
        }

        let mut symbols: HashMap<String, Vec<Def>> = HashMap::new();
        let sections = [
            (SymbolKind::Function, raw.functions),
            (SymbolKind::Object, raw.objects),
            (SymbolKind::Tls, raw.tls),
        ];
        for (kind, section) in sections {
            for (symbol, entries) in section {
                if entries.is_empty() {
                    return Err(invalid(format!("`{symbol}` has no definitions")));
                }
                let mut defs = Vec::with_capacity(entries.len());
                for entry in &entries {
                    let def = parse_entry(entry, kind, &raw.libraries, &raw.glibc_releases)
                        .ok_or_else(|| invalid(format!("`{symbol}`: bad entry {entry:?}")))?;
                    if defs
                        .last()
                        .is_some_and(|previous: &Def| previous.release > def.release)
                    {
                        return Err(invalid(format!("`{symbol}`: entries out of order")));
                    }
                    defs.push(def);
                }
                if symbols.insert(symbol.clone(), defs).is_some() {
                    return Err(invalid(format!("`{symbol}` is in two sections")));
                }
            }
        }
        if symbols.is_empty() {
            return Err(invalid("no symbols".into()));
        }
        Ok(SymbolTable {
            arch: raw.arch,
            generated_by: raw.generated_by,
            source: raw.source,
            libraries: raw.libraries,
            releases: raw.glibc_releases,
            numbers,
            symbols,
        })
    }

    /// Our architecture key (`x86_64`).
    pub fn arch(&self) -> &str {
        &self.arch
    }

    pub fn generated_by(&self) -> &str {
        &self.generated_by
    }

    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The glibc versions the data knows, ascending (`2.0` … `2.44`).
    pub fn releases(&self) -> &[String] {
        &self.releases
    }

    /// Every symbol name, in no particular order.
    pub fn symbols(&self) -> impl Iterator<Item = &str> {
        self.symbols.keys().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.symbols.len()
    }

    pub fn is_empty(&self) -> bool {
        self.symbols.is_empty()
    }

    /// Every definition of `symbol` on this architecture, oldest node first; empty when the
    /// data does not know the symbol.
    pub fn definitions(&self, symbol: &str) -> Vec<Definition> {
        self.symbols
            .get(symbol)
            .map(|defs| {
                defs.iter()
                    .map(|def| Definition {
                        node: self.node(def.release),
                        first_release: self.releases[def.release].clone(),
                        library: self.libraries[def.library].clone(),
                        kind: def.kind,
                        size: def.size,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// See [`advise`]. A release outside the data's range (older than its first, newer than its
    /// last) or not a version number is unknown: a newer glibc may have added the symbol.
    pub fn advise(&self, symbol: &str, baseline_glibc_release: &str) -> SymbolAdvice {
        let Some(defs) = self.symbols.get(symbol) else {
            return SymbolAdvice::Unknown;
        };
        let Some(release) = parse_numeric(baseline_glibc_release) else {
            return SymbolAdvice::Unknown;
        };
        let (Some(first), Some(last)) = (self.numbers.first(), self.numbers.last()) else {
            return SymbolAdvice::Unknown;
        };
        if release < *first || release > *last {
            return SymbolAdvice::Unknown;
        }
        // Releases are ascending: the ones the baseline has are a prefix.
        let known = self.numbers.partition_point(|number| *number <= release);
        let newest_present = defs
            .iter()
            .filter(|def| def.release < known)
            .map(|def| def.release)
            .max();
        match newest_present {
            Some(index) => SymbolAdvice::OlderNodeExists {
                node: self.node(index),
            },
            None => SymbolAdvice::NotInRelease {
                first_release: defs
                    .iter()
                    .map(|def| def.release)
                    .min()
                    .map(|index| self.releases[index].clone()),
            },
        }
    }

    fn node(&self, release: usize) -> String {
        format!("GLIBC_{}", self.releases[release])
    }
}

/// `c 2.2.5` (functions) or `c 2.2.5 568` (objects, TLS).
fn parse_entry(
    entry: &str,
    kind: SymbolKind,
    libraries: &[String],
    releases: &[String],
) -> Option<Def> {
    let mut parts = entry.split(' ');
    let (library, release) = (parts.next()?, parts.next()?);
    let library = libraries.iter().position(|l| l == library)?;
    let release = releases.iter().position(|r| r == release)?;
    let size = match kind {
        SymbolKind::Function => None,
        SymbolKind::Object | SymbolKind::Tls => Some(parts.next()?.parse().ok()?),
    };
    if parts.next().is_some() {
        return None;
    }
    Some(Def {
        release,
        library,
        kind,
        size,
    })
}

const COUNT: usize = embedded::SYMBOLS.len();
static TABLES: [OnceLock<Option<SymbolTable>>; COUNT] = [const { OnceLock::new() }; COUNT];

/// The architecture keys the embedded data covers (`aarch64`, `armv7l`, …), sorted.
pub fn arch_keys() -> impl Iterator<Item = &'static str> {
    embedded::SYMBOLS
        .iter()
        .filter_map(|(file, _)| file.strip_suffix(".json"))
}

/// Parses every embedded file afresh, reporting the first that is broken. Tests call this so
/// a bad file fails `cargo test`; [`table`] never fails, it degrades to "no data".
pub fn load_all() -> Result<Vec<SymbolTable>, SymbolDbError> {
    embedded::SYMBOLS
        .iter()
        .map(|(file, text)| SymbolTable::parse(file, text))
        .collect()
}

/// The embedded table of one architecture key, parsed on first use; `None` when the
/// architecture is not covered or its file does not load.
pub fn table(arch_key: &str) -> Option<&'static SymbolTable> {
    let index = embedded::SYMBOLS
        .iter()
        .position(|(file, _)| file.strip_suffix(".json") == Some(arch_key))?;
    let (file, text) = embedded::SYMBOLS[index];
    TABLES[index]
        .get_or_init(|| SymbolTable::parse(file, text).ok())
        .as_ref()
}

/// What the glibc `baseline_glibc_release` (`2.31`) of architecture `arch_key` (`x86_64`)
/// offers for `symbol`. Asked for a symbol whose required node the baseline lacks:
/// `OlderNodeExists` names the newest node that release has (the one a rebuild binds),
/// `NotInRelease` the first release with any node of it. (Asked for a node the release has,
/// `OlderNodeExists` names that very node.)
pub fn advise(arch_key: &str, symbol: &str, baseline_glibc_release: &str) -> SymbolAdvice {
    table(arch_key).map_or(SymbolAdvice::Unknown, |table| {
        table.advise(symbol, baseline_glibc_release)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"{
"generated_by": "glibc-db/abilists.py test",
"source": {"dataset": "test", "revision": "hand-written", "method": "stated", "target": "x86_64-linux-gnu", "sha256": "0"},
"arch": "x86_64",
"libraries": ["m", "c", "pthread"],
"glibc_releases": ["2.2.5", "2.14", "2.28", "2.34"],
"functions": {
"fcntl64":["c 2.28"],
"memcpy":["c 2.2.5","c 2.14"],
"pthread_create":["pthread 2.2.5","c 2.34"]
},
"objects": {
"_res":["c 2.2.5 568"]
},
"tls": {}
}"#;

    fn older(node: &str) -> SymbolAdvice {
        SymbolAdvice::OlderNodeExists { node: node.into() }
    }

    fn not_in(first: &str) -> SymbolAdvice {
        SymbolAdvice::NotInRelease {
            first_release: Some(first.into()),
        }
    }

    #[test]
    fn advises_from_a_hand_written_table() {
        let table = SymbolTable::parse("x86_64.json", SMALL).expect("test data parses");
        assert_eq!(table.advise("fcntl64", "2.27"), not_in("2.28"));
        assert_eq!(table.advise("fcntl64", "2.28"), older("GLIBC_2.28"));
        assert_eq!(table.advise("memcpy", "2.13"), older("GLIBC_2.2.5"));
        assert_eq!(table.advise("memcpy", "2.14"), older("GLIBC_2.14"));
        assert_eq!(table.advise("memcpy", "2.3.6"), older("GLIBC_2.2.5"));
        assert_eq!(table.advise("pthread_create", "2.31"), older("GLIBC_2.2.5"));
        assert_eq!(table.advise("_res", "2.31"), older("GLIBC_2.2.5"));
        // Outside the data: a newer glibc may have the symbol; not a version; not glibc's.
        assert_eq!(table.advise("fcntl64", "2.35"), SymbolAdvice::Unknown);
        assert_eq!(table.advise("memcpy", "2.1"), SymbolAdvice::Unknown);
        assert_eq!(table.advise("memcpy", "bullseye"), SymbolAdvice::Unknown);
        assert_eq!(table.advise("SSL_new", "2.31"), SymbolAdvice::Unknown);
        let defs = table.definitions("pthread_create");
        assert_eq!(defs.len(), 2);
        assert_eq!(
            (defs[0].node.as_str(), defs[0].library.as_str()),
            ("GLIBC_2.2.5", "pthread")
        );
        assert_eq!(table.definitions("_res")[0].size, Some(568));
        assert_eq!(table.definitions("_res")[0].kind, SymbolKind::Object);
        assert!(table.definitions("SSL_new").is_empty());
    }

    #[test]
    fn broken_files_are_errors() {
        // (replace, with, file name, what the error must say)
        let cases = [
            ("\"c 2.28\"", "\"c 2.29\"", "x86_64.json", "bad entry"),
            ("\"c 2.28\"", "\"libc 2.28\"", "x86_64.json", "bad entry"),
            ("\"c 2.28\"", "\"c 2.28 4\"", "x86_64.json", "bad entry"),
            ("\"c 2.2.5 568\"", "\"c 2.2.5\"", "x86_64.json", "bad entry"),
            (
                "\"c 2.2.5\",\"c 2.14\"",
                "\"c 2.14\",\"c 2.2.5\"",
                "x86_64.json",
                "out of order",
            ),
            (
                "\"2.14\", \"2.28\"",
                "\"2.28\", \"2.14\"",
                "x86_64.json",
                "out of order",
            ),
            (
                "\"2.14\", \"2.28\"",
                "\"2.14\", \"next\"",
                "x86_64.json",
                "not a version",
            ),
            ("\"_res\"", "\"memcpy\"", "x86_64.json", "two sections"),
            (
                "\"tls\": {}",
                "\"tls\": {}, \"x\": 1",
                "x86_64.json",
                "unknown field",
            ),
            ("[\"c 2.28\"]", "[]", "x86_64.json", "no definitions"),
            ("abilists.py", "by hand", "x86_64.json", "generator"),
            (
                "\"dataset\": \"test\"",
                "\"dataset\": \"\"",
                "x86_64.json",
                "came from",
            ),
            ("", "", "aarch64.json", "`arch` is"),
            ("\"tls\": {}\n}", "", "x86_64.json", "EOF"),
        ];
        for (from, to, file, expected) in cases {
            let text = SMALL.replace(from, to);
            assert!(from.is_empty() || text != SMALL, "{from} is not in SMALL");
            match SymbolTable::parse(file, &text) {
                Ok(_) => panic!("accepted:\n{text}"),
                Err(err) => assert!(
                    err.to_string().contains(expected),
                    "{err} does not say {expected:?}"
                ),
            }
        }
    }

    #[test]
    fn every_embedded_file_loads() {
        let tables = load_all().expect("every glibc-db/symbols file loads");
        assert_eq!(tables.len(), 8);
        for key in arch_keys() {
            assert!(table(key).is_some(), "{key}");
        }
    }

    #[test]
    fn embedded_facts() {
        assert_eq!(advise("x86_64", "fcntl64", "2.27"), not_in("2.28"));
        assert_eq!(advise("x86_64", "memcpy", "2.13"), older("GLIBC_2.2.5"));
        assert_eq!(
            advise("x86_64", "__libc_start_main", "2.31"),
            older("GLIBC_2.2.5")
        );
        assert_eq!(advise("aarch64", "getrandom", "2.17"), not_in("2.25"));
        assert_eq!(advise("sparc64", "memcpy", "2.31"), SymbolAdvice::Unknown);
    }
}
