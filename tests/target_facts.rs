//! Target facts of the embedded database (kernel, glibc's minimum kernel, page sizes, x86-64
//! level): known values, where they come from, and that unknown stays unknown.

use shipcheck::baseline::db::Database;
use shipcheck::baseline::{Baseline, KernelVersion, Method};

fn db() -> Database {
    Database::embedded()
}

fn baseline(id: &str, arch: &str) -> Baseline {
    db().find(id)
        .unwrap_or_else(|e| panic!("{e}"))
        .baseline(arch)
        .unwrap_or_else(|| panic!("{id} has no {arch}"))
}

fn version(text: &str) -> KernelVersion {
    KernelVersion::parse(text).expect("a kernel version")
}

#[test]
fn debian_facts_are_measured_from_the_archive() {
    let bookworm = baseline("debian-12", "x86_64");
    let min = bookworm.glibc_min_kernel.expect("measured");
    assert_eq!(min.value, version("3.2.0"));
    assert_eq!(min.method, Method::Measured);
    assert!(min.source.contains("NT_GNU_ABI_TAG"), "{}", min.source);
    assert!(min.source.contains("glibc-db/debian/bookworm.json"));
    let kernel = bookworm.kernel.expect("measured");
    assert_eq!(kernel.value, version("6.1"));
    assert_eq!(kernel.method, Method::Measured);
    assert!(
        kernel.source.contains("linux-image-amd64"),
        "{}",
        kernel.source
    );
    assert_eq!(
        baseline("debian-11", "x86_64").kernel.unwrap().value,
        version("5.10")
    );
    assert_eq!(
        baseline("debian-13", "x86_64").kernel.unwrap().value,
        version("6.12")
    );
    // Debian's arm64 kernel (the arm64 flavour) has 4 KiB pages.
    let arm64 = baseline("debian-12", "aarch64")
        .page_sizes
        .expect("measured");
    assert_eq!(arm64.value.default, 4096);
    assert_eq!(arm64.method, Method::Measured);
}

#[test]
fn stated_facts_name_their_documents() {
    let ubuntu = baseline("ubuntu-22.04", "x86_64");
    let kernel = ubuntu.kernel.expect("stated");
    assert_eq!(kernel.value, version("5.15"));
    assert_eq!(kernel.method, Method::Stated);
    assert!(kernel.source.contains("Livepatch"), "{}", kernel.source);

    let rhel9 = baseline("rhel-9", "x86_64").isa_level.expect("stated");
    assert_eq!((rhel9.value.level, rhel9.value.lowest()), (2, 2));
    assert!(rhel9.source.contains("x86_64-v2"), "{}", rhel9.source);
    assert_eq!(
        baseline("rhel-10", "x86_64").isa_level.unwrap().value.level,
        3
    );
    // AlmaLinux 10 builds x86-64-v3 by default and offers an x86_64_v2 build.
    let alma10 = baseline("almalinux-10", "x86_64").isa_level.unwrap().value;
    assert_eq!((alma10.level, alma10.lowest()), (3, 2));

    // Ubuntu 22.04 on: the generic arm64 kernel has 4 KiB pages, linux-generic-64k 64 KiB.
    let jammy = baseline("ubuntu-22.04", "aarch64")
        .page_sizes
        .expect("stated");
    assert_eq!((jammy.value.default, jammy.value.largest()), (4096, 65536));
    let el8 = baseline("rhel-8", "aarch64").page_sizes.expect("stated");
    assert_eq!((el8.value.default, el8.value.largest()), (65536, 65536));
    let el9 = baseline("rhel-9", "aarch64").page_sizes.expect("stated");
    assert_eq!((el9.value.default, el9.value.largest()), (4096, 65536));
    assert_eq!(
        baseline("amazonlinux-2023", "x86_64").kernel.unwrap().value,
        version("6.1")
    );
    // x86 has one page size, whatever the release.
    assert_eq!(
        baseline("fedora-41", "x86_64").page_sizes.unwrap().value,
        shipcheck::baseline::PageSizes {
            default: 4096,
            others: vec![]
        }
    );
}

#[test]
fn unknown_stays_unknown() {
    // Fedora rebases its kernel during a release's life; no document read states its glibc's
    // minimum kernel or its x86-64 level.
    let fedora = baseline("fedora-41", "x86_64");
    assert!(fedora.kernel.is_none());
    assert!(fedora.glibc_min_kernel.is_none());
    assert!(fedora.isa_level.is_none());
    // Only the Debian suites' libc.so.6 were measured.
    assert!(
        baseline("ubuntu-22.04", "x86_64")
            .glibc_min_kernel
            .is_none()
    );
    assert!(baseline("ubuntu-20.04", "aarch64").page_sizes.is_none());
    // A policy is an allow-list, not a system.
    let db = db();
    for release in db.releases().filter(|r| r.kind == "policy") {
        let set = release.baseline_set();
        assert!(set.kernel.is_none(), "{}", release.id);
        for b in set.arches.values() {
            assert!(
                b.page_sizes.is_none() && b.glibc_min_kernel.is_none() && b.isa_level.is_none(),
                "{} {}",
                release.id,
                b.arch
            );
        }
    }
}

#[test]
fn images_inherit_their_release_facts() {
    let image = baseline("runtime-deps:8.0-bookworm-slim", "x86_64");
    let release = baseline("debian-12", "x86_64");
    assert_eq!(image.kernel, release.kernel);
    assert_eq!(image.glibc_min_kernel, release.glibc_min_kernel);
    assert_eq!(image.page_sizes, release.page_sizes);
    let db = db();
    let jammy = db.find("runtime-deps-8.0-jammy-chiseled").unwrap();
    assert_eq!(
        jammy.baseline_set().kernel.map(|k| k.value),
        Some(version("5.15"))
    );
}

#[test]
fn every_known_fact_has_a_source() {
    let db = db();
    let mut counts = [0usize; 4];
    for release in db.releases() {
        let set = release.baseline_set();
        if let Some(kernel) = &set.kernel {
            assert!(!kernel.source.trim().is_empty(), "{}", release.id);
            counts[0] += 1;
        }
        for (arch, b) in &set.arches {
            let mut sources = vec![];
            if let Some(f) = &b.glibc_min_kernel {
                sources.push((f.method, &f.source));
                counts[1] += 1;
            }
            if let Some(f) = &b.page_sizes {
                assert!(f.value.others.iter().all(|&o| o != f.value.default));
                assert!(f.value.default.is_power_of_two());
                sources.push((f.method, &f.source));
                counts[2] += 1;
            }
            if let Some(f) = &b.isa_level {
                assert_eq!(arch, "x86_64", "{}", release.id);
                assert!((1..=4).contains(&f.value.level));
                sources.push((f.method, &f.source));
                counts[3] += 1;
            }
            for (method, source) in sources {
                assert!(!source.trim().is_empty(), "{} {arch}", release.id);
                // Only the Debian archive was measured here.
                if method == Method::Measured {
                    assert!(source.contains("glibc-db/debian/"), "{} {arch}", release.id);
                }
            }
        }
    }
    assert!(counts.iter().all(|&n| n > 0), "{counts:?}");
}

/// A `--sysroot` baseline measures its glibc's minimum kernel from its own libc.so.6; readelf
/// is the oracle. Uses this machine's libc.so.6, copied into a root of its own.
#[test]
fn a_sysroot_reads_its_libc_note() {
    let Some(host_libc) = [
        "/lib/x86_64-linux-gnu/libc.so.6",
        "/usr/lib/x86_64-linux-gnu/libc.so.6",
        "/lib/aarch64-linux-gnu/libc.so.6",
        "/usr/lib/aarch64-linux-gnu/libc.so.6",
        "/lib64/libc.so.6",
        "/usr/lib64/libc.so.6",
    ]
    .into_iter()
    .map(std::path::Path::new)
    .find(|p| p.is_file()) else {
        eprintln!("skipped: no glibc libc.so.6 on this machine");
        return;
    };
    let root = std::env::temp_dir().join(format!("shipcheck-facts-{}", std::process::id()));
    std::fs::create_dir_all(root.join("lib")).unwrap();
    std::fs::copy(host_libc, root.join("lib/libc.so.6")).unwrap();
    let set = shipcheck::baseline::sysroot::scan(&root).expect("a root with a libc");
    std::fs::remove_dir_all(&root).unwrap();
    assert!(
        set.kernel.is_none(),
        "a root filesystem does not name its kernel"
    );
    let baseline = set.arches.values().next().expect("one architecture");
    let min = baseline
        .glibc_min_kernel
        .as_ref()
        .expect("glibc has the note");
    assert_eq!(min.method, Method::Measured);
    assert!(min.source.contains("/lib/libc.so.6"), "{}", min.source);
    assert!(baseline.page_sizes.is_none() && baseline.isa_level.is_none());
    let readelf = std::process::Command::new("readelf")
        .args(["-n", "-W"])
        .arg(host_libc)
        .output();
    if let Ok(out) = readelf {
        let text = String::from_utf8_lossy(&out.stdout);
        let oracle = text
            .split("OS: Linux, ABI: ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("readelf shows the ABI tag");
        assert_eq!(min.value.to_string(), oracle);
    }
}
