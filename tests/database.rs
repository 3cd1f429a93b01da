//! The embedded baseline database: every entry loads, names are unambiguous, and facts known
//! from real distro files hold.

use shipcheck::arch::Libc;
use shipcheck::baseline::db::Database;
use shipcheck::version::VersionNode;
use std::collections::BTreeMap;

fn db() -> Database {
    Database::embedded()
}

#[test]
fn every_entry_loads_with_provenance() {
    let db = db();
    assert!(db.len() >= 70, "{} releases", db.len());
    for release in db.releases() {
        assert!(
            !release.arches.is_empty(),
            "{} has no architectures",
            release.id
        );
        assert!(
            release.generated_by.contains("generate.py"),
            "{}",
            release.id
        );
        for (key, entry) in &release.arches {
            let source = &entry.source;
            assert!(
                !source.dataset.is_empty()
                    && !source.revision.is_empty()
                    && !source.path.is_empty(),
                "{} {key} has no provenance",
                release.id
            );
            assert!(
                matches!(source.method, "measured" | "stated"),
                "{}",
                release.id
            );
            let baseline = release.baseline(key).expect("listed arch builds");
            assert!(baseline.interpreter.is_some(), "{} {key}", release.id);
            let glibc = baseline.highest("GLIBC");
            match release.libc {
                shipcheck::arch::Libc::Glibc => {
                    assert!(glibc.is_some(), "{} {key} has no GLIBC nodes", release.id)
                }
                shipcheck::arch::Libc::Musl => assert!(glibc.is_none(), "{}", release.id),
            }
        }
    }
}

#[test]
fn every_name_points_at_one_release() {
    let db = db();
    let mut owners: BTreeMap<String, &str> = BTreeMap::new();
    for release in db.releases() {
        for name in std::iter::once(&release.id).chain(&release.aliases) {
            let previous = owners.insert(name.to_ascii_lowercase(), &release.id);
            assert!(
                previous.is_none(),
                "{name} names {previous:?} and {}",
                release.id
            );
        }
    }
    for (name, id) in [
        ("ubuntu-16.04", "ubuntu-16.04"),
        ("ubuntu:16.04", "ubuntu-16.04"),
        ("xenial", "ubuntu-16.04"),
        ("debian-11", "debian-11"),
        ("bullseye", "debian-11"),
        ("debian:bullseye-slim", "debian-11"),
        ("rhel-8", "rhel-8"),
        ("el8", "rhel-8"),
        ("rockylinux-8", "rockylinux-8"),
        ("almalinux:8", "almalinux-8"),
        ("amazonlinux:2023", "amazonlinux-2023"),
        ("al2023", "amazonlinux-2023"),
        ("manylinux2014", "manylinux_2_17"),
        ("manylinux_2_28", "manylinux_2_28"),
        ("musllinux_1_2", "musllinux_1_2"),
        ("alpine:3.20", "alpine-3.20"),
    ] {
        assert_eq!(db.find(name).map(|r| r.id.as_str()), Ok(id), "{name}");
    }
    let unknown = db.find("ubuntu-22.4").unwrap_err();
    assert!(
        unknown.close_matches.contains(&"ubuntu-22.04".to_string()),
        "{unknown}"
    );
}

fn has(db: &Database, id: &str, arch: &str, node: &str) -> bool {
    let baseline = db.find(id).unwrap().baseline(arch).unwrap();
    let node = VersionNode::parse(node);
    baseline
        .nodes
        .get(node.family)
        .is_some_and(|tags| tags.contains(node.tag))
}

#[test]
fn known_facts_from_real_files() {
    let db = db();
    let xenial = db.find("ubuntu-16.04").unwrap().baseline("x86_64").unwrap();
    assert_eq!(xenial.libc_version.as_deref(), Some("2.23"));
    assert_eq!(xenial.highest("GLIBC"), Some("2.23"));
    assert_eq!(xenial.highest("GLIBCXX"), Some("3.4.21"));
    assert!(has(&db, "debian-11", "x86_64", "GLIBC_2.31"));
    assert!(!has(&db, "debian-11", "x86_64", "GLIBC_ABI_DT_RELR"));
    assert!(has(&db, "debian-12", "x86_64", "GLIBC_ABI_DT_RELR"));
    assert!(has(&db, "debian-12", "aarch64", "GLIBC_ABI_DT_RELR"));
    let rhel7 = db.find("rhel-7").unwrap().baseline("x86_64").unwrap();
    assert_eq!(rhel7.libc_version.as_deref(), Some("2.17"));
    assert_eq!(rhel7.highest("GLIBC"), Some("2.17"));
    // x86_64 glibc never had GLIBC_2.19..2.21 nodes; aarch64 starts at 2.17.
    assert!(!has(&db, "debian-13", "x86_64", "GLIBC_2.20"));
    assert!(has(&db, "debian-13", "aarch64", "GLIBC_2.17"));
    assert!(!has(&db, "debian-13", "aarch64", "GLIBC_2.16"));
    let interpreter =
        |id: &str, arch: &str| db.find(id).unwrap().baseline(arch).unwrap().interpreter;
    assert_eq!(
        interpreter("debian-12", "x86_64").as_deref(),
        Some("/lib64/ld-linux-x86-64.so.2")
    );
    assert_eq!(
        interpreter("debian-12", "armv7l").as_deref(),
        Some("/lib/ld-linux-armhf.so.3")
    );
}

/// "Runs on" builds baselines from the per-architecture texts build.rs prepared, without
/// parsing whole releases; they must be the very baselines the whole releases give.
#[test]
fn per_architecture_baselines_are_the_whole_releases_baselines() {
    let whole = db();
    let arches: std::collections::BTreeSet<String> = whole
        .releases()
        .flat_map(|release| release.arch_keys().map(str::to_string).collect::<Vec<_>>())
        .collect();
    assert!(arches.len() >= 8, "{arches:?}");
    for arch in &arches {
        // A fresh database: nothing parsed yet, so only the architecture's texts are read.
        let fresh = db();
        let prepared = fresh.baselines_for_arch(arch, None);
        let expected: Vec<_> = whole
            .releases()
            .filter_map(|release| release.baseline(arch))
            .collect();
        assert_eq!(prepared.len(), expected.len(), "{arch}");
        for (got, want) in prepared.iter().zip(&expected) {
            assert_eq!(
                format!("{got:?}"),
                format!("{want:?}"),
                "{arch}: {}",
                want.id
            );
        }
        // Asked for one C library, the same baselines of that C library and no others.
        for libc in [Libc::Glibc, Libc::Musl] {
            let one: Vec<String> = db()
                .baselines_for_arch(arch, Some(libc))
                .iter()
                .map(|b| b.id.clone())
                .collect();
            let want: Vec<String> = expected
                .iter()
                .filter(|b| b.libc == libc)
                .map(|b| b.id.clone())
                .collect();
            assert_eq!(one, want, "{arch} {libc}");
        }
    }
}
