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

/// "Runs on" makes the baselines of one architecture straight from the tables build.rs
/// prepared, without making whole releases; they must be the very baselines the whole releases
/// give.
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

/// build.rs writes every release file into tables (a run parses no JSON), checking it against
/// the schema as it goes: every fact a file holds must come out of the database as the file
/// says it, read here from the files themselves.
#[test]
fn every_release_file_is_embedded_as_written() {
    use serde_json::Value;
    let db = db();
    let text = |value: &Value| value.as_str().map(str::to_string);
    let texts = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(text)
            .collect()
    };
    // A name list as the database keeps it: sorted by bytes, each name once.
    let set = |value: &Value| -> Vec<String> {
        let mut names = texts(value);
        names.sort();
        names.dedup();
        names
    };
    let numbers = |value: &Value| -> Vec<u64> {
        value
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(Value::as_u64)
            .collect()
    };
    let method = |method: shipcheck::baseline::Method| serde_json::to_value(method).unwrap();
    let kernel = |fact: Option<shipcheck::baseline::db::KernelFact>, json: &Value| match fact {
        None => assert!(json.is_null(), "{json}"),
        Some(fact) => {
            assert_eq!(Some(fact.version.to_string()), text(&json["version"]));
            assert_eq!(method(fact.method), json["method"]);
            assert_eq!(Some(fact.source.to_string()), text(&json["source"]));
        }
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("glibc-db/releases");
    let mut files = 0;
    for path in std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
    {
        if path.extension().is_none_or(|ext| ext != "json") {
            continue;
        }
        files += 1;
        let json: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let id = json["id"].as_str().unwrap();
        let release = db.find(id).unwrap();
        assert_eq!(release.id, id);
        for (field, got) in [
            ("generated_by", Some(&release.generated_by)),
            ("name", Some(&release.name)),
            ("distro", Some(&release.distro)),
            ("release", Some(&release.release)),
            ("libc_version", release.libc_version.as_ref()),
            ("eol", release.eol.as_ref()),
            ("eol_source", release.eol_source.as_ref()),
        ] {
            assert_eq!(got.cloned(), text(&json[field]), "{id} {field}");
        }
        assert_eq!(release.aliases, texts(&json["aliases"]), "{id}");
        assert_eq!(Some(release.rolling), json["rolling"].as_bool(), "{id}");
        assert_eq!(
            release.kind,
            json["kind"].as_str().unwrap_or("distro"),
            "{id}"
        );
        assert_eq!(Some(release.libc.to_string()), text(&json["libc"]), "{id}");
        match &release.architectures {
            None => assert!(json["architectures"].is_null(), "{id}"),
            Some(built) => {
                let json = &json["architectures"];
                assert_eq!(built.built_for, texts(&json["built_for"]), "{id}");
                assert_eq!(built.uncertain, texts(&json["uncertain"]), "{id}");
                assert_eq!(
                    Some(built.source.to_string()),
                    text(&json["source"]),
                    "{id}"
                );
            }
        }
        kernel(release.kernel, &json["kernel"]);
        let arches = json["arches"].as_object().unwrap();
        let keys: Vec<&String> = release.arches.keys().collect();
        assert_eq!(keys, arches.keys().collect::<Vec<_>>(), "{id}");
        for (arch, json) in arches {
            let entry = &release.arches[arch];
            let context = format!("{id} {arch}");
            let owned = |text: Option<&str>| text.map(str::to_string);
            assert_eq!(
                owned(entry.libc_version),
                text(&json["libc_version"]),
                "{context}"
            );
            assert_eq!(
                owned(entry.interpreter),
                text(&json["interpreter"]),
                "{context}"
            );
            assert_eq!(
                entry.sonames_complete,
                json["sonames_complete"].as_bool().unwrap_or(false),
                "{context}"
            );
            let blacklist: BTreeMap<String, Vec<String>> = json["blacklist"]
                .as_object()
                .map(|map| map.iter().map(|(k, v)| (k.clone(), texts(v))).collect())
                .unwrap_or_default();
            let got: BTreeMap<String, Vec<String>> = entry
                .blacklist
                .iter()
                .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
                .collect();
            assert_eq!(got, blacklist, "{context}");
            kernel(entry.glibc_min_kernel, &json["glibc_min_kernel"]);
            match &entry.page_size {
                None => assert!(json["page_size"].is_null(), "{context}"),
                Some(page) => {
                    let json = &json["page_size"];
                    assert_eq!(Some(page.default), json["default"].as_u64(), "{context}");
                    let others = numbers(&json["others"]);
                    assert_eq!(page.others, others, "{context}");
                    assert_eq!(method(page.method), json["method"], "{context}");
                    assert_eq!(Some(page.source.to_string()), text(&json["source"]));
                }
            }
            match &entry.isa_level {
                None => assert!(json["isa_level"].is_null(), "{context}"),
                Some(isa) => {
                    let json = &json["isa_level"];
                    assert_eq!(
                        Some(u64::from(isa.level)),
                        json["level"].as_u64(),
                        "{context}"
                    );
                    let others = numbers(&json["others"]);
                    let got: Vec<u64> = isa.others.iter().map(|&l| u64::from(l)).collect();
                    assert_eq!(got, others, "{context}");
                    assert_eq!(method(isa.method), json["method"], "{context}");
                    assert_eq!(Some(isa.source.to_string()), text(&json["source"]));
                }
            }
            let source = &json["source"];
            for (field, got) in [
                ("dataset", Some(entry.source.dataset)),
                ("revision", Some(entry.source.revision)),
                ("path", Some(entry.source.path)),
                ("method", Some(entry.source.method)),
                ("note", entry.source.note),
            ] {
                assert_eq!(owned(got), text(&source[field]), "{context} source.{field}");
            }
            let versions = json["versions"].as_object().unwrap();
            let families: Vec<&str> = entry.versions.keys().map(|f| f.as_ref()).collect();
            assert_eq!(
                families,
                versions.keys().map(String::as_str).collect::<Vec<_>>()
            );
            for (family, tags) in versions {
                let got: Vec<&str> = entry.versions[family.as_str()].iter().collect();
                assert_eq!(got, set(tags), "{context} {family}");
            }
            for (field, got) in [
                ("sonames_present", &entry.sonames_present),
                ("sonames_absent", &entry.sonames_absent),
            ] {
                assert_eq!(
                    got.iter().collect::<Vec<_>>(),
                    set(&json[field]),
                    "{context}"
                );
            }
            let packages = json["packages"].as_object();
            let count = entry.packages.from("").count();
            assert_eq!(count, packages.map_or(0, |p| p.len()), "{context}");
            for (soname, package) in packages.into_iter().flatten() {
                let got = entry.packages.get(soname).expect("every package is found");
                assert_eq!(Some(got.package), package["package"].as_str(), "{context}");
                assert_eq!(got.version, package["version"].as_str(), "{context}");
                assert_eq!(got.minimal, package["minimal"].as_bool(), "{context}");
            }
        }
    }
    assert_eq!(files, db.len());
}
