//! The embedded per-symbol glibc data (`glibc-db/symbols/`): every file loads with provenance,
//! known glibc facts hold through `advise`, and the data agrees with the measured node sets of
//! the release database.

use shipcheck::arch::Libc;
use shipcheck::baseline::db::Database;
use shipcheck::baseline::glibc_symbols::{
    SymbolAdvice, SymbolKind, SymbolTable, advise, arch_keys, load_all, table,
};
use shipcheck::version::parse_numeric;
use std::collections::{BTreeMap, BTreeSet};

const ARCHES: [&str; 8] = [
    "aarch64",
    "armv7l",
    "i686",
    "loongarch64",
    "ppc64le",
    "riscv64",
    "s390x",
    "x86_64",
];

fn older(node: &str) -> SymbolAdvice {
    SymbolAdvice::OlderNodeExists { node: node.into() }
}

fn not_in(first: &str) -> SymbolAdvice {
    SymbolAdvice::NotInRelease {
        first_release: Some(first.into()),
    }
}

fn get(arch: &str) -> &'static SymbolTable {
    table(arch).unwrap_or_else(|| panic!("no symbol table for {arch}"))
}

fn nodes(arch: &str, symbol: &str) -> Vec<(String, String)> {
    get(arch)
        .definitions(symbol)
        .into_iter()
        .map(|def| (def.library, def.node))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(lib, node)| (lib.to_string(), node.to_string()))
        .collect()
}

#[test]
fn every_file_loads_with_provenance() {
    let tables = load_all().expect("every glibc-db/symbols file loads");
    assert_eq!(arch_keys().collect::<Vec<_>>(), ARCHES);
    assert_eq!(tables.len(), ARCHES.len());
    for table in &tables {
        let source = table.source();
        assert_eq!(source.dataset, "zig-glibc-abilists", "{}", table.arch());
        assert_eq!(
            source.revision,
            "ziglang 0.17.1 (PyPI) lib/libc/glibc/abilists"
        );
        assert_eq!(source.method, "stated");
        assert_eq!(source.sha256.len(), 64);
        assert!(table.generated_by().contains("glibc-db/abilists.py"));
        assert_eq!(
            table.releases().first().map(String::as_str),
            Some("2.0"),
            "{}",
            table.arch()
        );
        assert_eq!(table.releases().last().map(String::as_str), Some("2.44"));
        assert!(
            table.len() > 3000,
            "{}: {} symbols",
            table.arch(),
            table.len()
        );
    }
    assert_eq!(get("i686").source().target, "x86-linux-gnu");
    assert_eq!(get("armv7l").source().target, "arm-linux-gnueabihf");
    assert_eq!(get("ppc64le").source().target, "powerpc64le-linux-gnu");
}

#[test]
fn the_facts_in_the_data() {
    assert_eq!(nodes("x86_64", "fcntl64"), pairs(&[("c", "GLIBC_2.28")]));
    assert_eq!(
        nodes("x86_64", "memcpy"),
        pairs(&[("c", "GLIBC_2.2.5"), ("c", "GLIBC_2.14")])
    );
    assert_eq!(
        nodes("x86_64", "__libc_start_main"),
        pairs(&[("c", "GLIBC_2.2.5"), ("c", "GLIBC_2.34")])
    );
    assert_eq!(nodes("x86_64", "getrandom"), pairs(&[("c", "GLIBC_2.25")]));
    assert_eq!(
        nodes("x86_64", "reallocarray"),
        pairs(&[("c", "GLIBC_2.26")])
    );
    assert_eq!(nodes("x86_64", "stat"), pairs(&[("c", "GLIBC_2.33")]));
    assert_eq!(
        nodes("x86_64", "pthread_create"),
        pairs(&[("pthread", "GLIBC_2.2.5"), ("c", "GLIBC_2.34")])
    );
    let errlist = get("x86_64").definitions("sys_errlist");
    assert_eq!(errlist.len(), 4);
    assert!(errlist.iter().all(|def| def.kind == SymbolKind::Object));
    assert_eq!(errlist[0].size, Some(1000));
    assert_eq!(errlist[0].first_release, "2.2.5");
}

#[test]
fn every_arch_starts_at_its_base_node() {
    // reference/README.md: each architecture's base node; nothing older exists there.
    let base = [
        ("x86_64", "2.2.5"),
        ("i686", "2.0"),
        ("aarch64", "2.17"),
        ("armv7l", "2.4"),
        ("ppc64le", "2.17"),
        ("s390x", "2.2"),
        ("riscv64", "2.27"),
        ("loongarch64", "2.36"),
    ];
    for (arch, want) in base {
        let table = get(arch);
        let oldest = table
            .symbols()
            .flat_map(|symbol| table.definitions(symbol))
            .filter_map(|def| parse_numeric(&def.first_release).map(|n| (n, def.first_release)))
            .min()
            .map(|(_, release)| release);
        assert_eq!(oldest.as_deref(), Some(want), "{arch}");
    }
}

#[test]
fn advice_follows_the_facts() {
    assert_eq!(advise("x86_64", "fcntl64", "2.27"), not_in("2.28"));
    assert_eq!(advise("x86_64", "fcntl64", "2.28"), older("GLIBC_2.28"));
    assert_eq!(advise("x86_64", "memcpy", "2.13"), older("GLIBC_2.2.5"));
    assert_eq!(advise("x86_64", "memcpy", "2.14"), older("GLIBC_2.14"));
    assert_eq!(
        advise("x86_64", "__libc_start_main", "2.31"),
        older("GLIBC_2.2.5")
    );
    assert_eq!(
        advise("x86_64", "__libc_start_main", "2.34"),
        older("GLIBC_2.34")
    );
    assert_eq!(advise("x86_64", "getrandom", "2.24"), not_in("2.25"));
    assert_eq!(advise("x86_64", "reallocarray", "2.25"), not_in("2.26"));
    assert_eq!(
        advise("x86_64", "reallocarray", "2.31"),
        older("GLIBC_2.26")
    );
    assert_eq!(advise("x86_64", "stat", "2.31"), not_in("2.33"));
    assert_eq!(advise("i686", "stat", "2.28"), not_in("2.33"));
    assert_eq!(
        advise("x86_64", "pthread_create", "2.31"),
        older("GLIBC_2.2.5")
    );
    assert_eq!(advise("aarch64", "getrandom", "2.17"), not_in("2.25"));
    assert_eq!(advise("aarch64", "getrandom", "2.28"), older("GLIBC_2.25"));
    assert_eq!(advise("aarch64", "memcpy", "2.17"), older("GLIBC_2.17"));
    assert_eq!(
        advise("aarch64", "__libc_start_main", "2.31"),
        older("GLIBC_2.17")
    );
    assert_eq!(advise("i686", "memcpy", "2.17"), older("GLIBC_2.0"));
}

#[test]
fn no_data_is_unknown() {
    assert_eq!(advise("sparc64", "memcpy", "2.31"), SymbolAdvice::Unknown);
    assert_eq!(advise("x86_64", "SSL_new", "2.31"), SymbolAdvice::Unknown);
    assert_eq!(advise("x86_64", "memcpy", "unknown"), SymbolAdvice::Unknown);
    // Newer than the data: that glibc may have added the symbol.
    assert_eq!(advise("x86_64", "fcntl64", "2.45"), SymbolAdvice::Unknown);
    assert_eq!(advise("x86_64", "memcpy", "1.9"), SymbolAdvice::Unknown);
}

/// The stated data (Zig's abilists) against the measured node sets (pep600): every node this
/// data says release R defines on an arch is among the `GLIBC_*` nodes measured on a real
/// system with glibc R. (The measured side can have more: libgcc_s.so.1 defines GLIBC_2.0 on
/// aarch64, EL7 aarch64 lists GLIBC_2.18, see glibc-db/README.md "Known quirks".)
#[test]
fn agrees_with_the_measured_releases() {
    // arch → every node number the data defines there, with its spelling.
    let stated: BTreeMap<&str, BTreeSet<(Vec<u64>, String)>> = arch_keys()
        .map(|arch| {
            let table = get(arch);
            let nodes = table
                .symbols()
                .flat_map(|symbol| table.definitions(symbol))
                .filter_map(|def| parse_numeric(&def.first_release).map(|n| (n, def.first_release)))
                .collect();
            (arch, nodes)
        })
        .collect();
    let db = Database::embedded();
    let mut compared = 0;
    for release in db.releases() {
        // Policies are allow-lists, not systems.
        if release.kind == "policy" || release.libc != Libc::Glibc {
            continue;
        }
        for (arch, entry) in &release.arches {
            let (Some(stated), Some(version)) = (stated.get(arch.as_str()), entry.libc_version)
            else {
                continue;
            };
            let (Some(limit), Some(measured)) =
                (parse_numeric(version), entry.versions.get("GLIBC"))
            else {
                continue;
            };
            let missing: Vec<&str> = stated
                .iter()
                .filter(|(number, node)| *number <= limit && !measured.contains(node))
                .map(|(_, node)| node.as_str())
                .collect();
            assert!(
                missing.is_empty(),
                "{} {arch} (glibc {version}): stated nodes not measured: {missing:?}",
                release.id
            );
            compared += 1;
        }
    }
    assert!(
        compared > 100,
        "only {compared} release/arch pairs compared"
    );
}
