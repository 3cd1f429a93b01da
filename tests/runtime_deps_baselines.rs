//! The .NET runtime-deps images as baselines of their own (glibc-db `kind: image` entries,
//! from dotnet/dotnet-docker's Dockerfiles): a chiseled image's soname list is complete, a
//! Debian slim tag has the packages its Dockerfile installs, and `shipcheck baselines` names
//! the Dockerfiles the facts come from.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use shipcheck::baseline::Availability;
use shipcheck::baseline::db::Database;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn db() -> Database {
    Database::embedded()
}

/// Builds `app`, which needs each of `sonames` (one stub library per soname, linked and then
/// deleted, so that the system must provide them), in a new folder; returns the app's path.
fn app_needing(name: &str, sonames: &[&str]) -> PathBuf {
    let dir = common::temp_dir(name);
    let cc = |args: &[&str]| {
        let status = std::process::Command::new("cc")
            .current_dir(&dir)
            .args(args)
            .status()
            .expect("cc runs");
        assert!(status.success(), "cc {args:?}");
    };
    let mut calls = String::new();
    let mut link = vec!["-o".to_string(), "app".to_string(), "app.c".to_string()];
    for (i, soname) in sonames.iter().enumerate() {
        let source = format!("stub{i}.c");
        std::fs::write(
            dir.join(&source),
            format!("int stub{i}(void) {{ return 0; }}\n"),
        )
        .unwrap();
        cc(&[
            "-shared",
            "-fPIC",
            &format!("-Wl,-soname,{soname}"),
            "-o",
            soname,
            &source,
        ]);
        calls += &format!("int stub{i}(void);\n");
        link.push(format!("./{soname}"));
    }
    let body: String = (0..sonames.len())
        .map(|i| format!(" + stub{i}()"))
        .collect();
    std::fs::write(
        dir.join("app.c"),
        format!("{calls}int main(void) {{ return 0{body}; }}\n"),
    )
    .unwrap();
    cc(&link.iter().map(String::as_str).collect::<Vec<_>>());
    for soname in sonames {
        std::fs::remove_file(dir.join(soname)).unwrap();
    }
    dir.join("app")
}

/// `shipcheck check APP --baseline BASELINE --format json`: the codes of the findings whose
/// message names `soname`.
fn codes_for(app: &Path, baseline: &str, soname: &str) -> Vec<String> {
    let output = Command::cargo_bin("shipcheck")
        .unwrap()
        .arg("check")
        .arg(app)
        .args(["--baseline", baseline, "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    report["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["message"].as_str().unwrap().contains(soname))
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// The chisel slices of src/runtime-deps/8.0/jammy-chiseled/amd64/Dockerfile (libc6_libs,
/// libgcc-s1_libs, libssl3_libs, libstdc++6_libs, zlib1g_libs; the others carry no library)
/// select exactly these libraries of Ubuntu 22.04's packages, and nothing else is in the image.
#[test]
fn jammy_chiseled_has_exactly_the_libraries_of_its_slices() {
    let db = db();
    let release = db.find("runtime-deps:8.0-jammy-chiseled").unwrap();
    assert_eq!(release.id, "runtime-deps-8.0-jammy-chiseled");
    assert_eq!(release.kind, "image");
    let baseline = release.baseline("x86_64").unwrap();
    assert!(baseline.sonames_complete);
    let expected: BTreeSet<&str> = [
        // libc6_libs (glibc 2.35; libmvec on amd64 only)
        "ld-linux-x86-64.so.2",
        "libBrokenLocale.so.1",
        "libanl.so.1",
        "libc.so.6",
        "libc_malloc_debug.so.0",
        "libdl.so.2",
        "libm.so.6",
        "libmemusage.so",
        "libmvec.so.1",
        "libnsl.so.1",
        "libnss_compat.so.2",
        "libnss_dns.so.2",
        "libnss_files.so.2",
        "libnss_hesiod.so.2",
        "libpcprofile.so",
        "libpthread.so.0",
        "libresolv.so.2",
        "librt.so.1",
        "libthread_db.so.1",
        "libutil.so.1",
        // libgcc-s1_libs, libssl3_libs, libstdc++6_libs, zlib1g_libs
        "libgcc_s.so.1",
        "libcrypto.so.3",
        "libssl.so.3",
        "libstdc++.so.6",
        "libz.so.1",
    ]
    .into();
    assert_eq!(
        baseline.sonames_present.iter().collect::<BTreeSet<_>>(),
        expected
    );
    // Complete: anything else is absent, not unknown.
    assert_eq!(baseline.soname("libicuuc.so.70"), Availability::Absent);
    assert_eq!(baseline.soname("libssl.so.1.1"), Availability::Absent);
    assert_eq!(
        baseline.packages.get("libssl.so.3").map(|p| p.package),
        Some("libssl3"),
        "findings can name the package"
    );
    // The aot variant has no libstdc++6 slice; the extra one adds ICU 70.
    let aot = db
        .find("runtime-deps:8.0-jammy-chiseled-aot")
        .unwrap()
        .baseline("x86_64")
        .unwrap();
    assert_eq!(aot.soname("libstdc++.so.6"), Availability::Absent);
    assert_eq!(aot.soname("libssl.so.3"), Availability::Provided);
    assert!(
        aot.highest("GLIBCXX").is_none(),
        "no libstdc++, no GLIBCXX nodes"
    );
    let extra = db
        .find("mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled-extra")
        .unwrap()
        .baseline("x86_64")
        .unwrap();
    assert_eq!(extra.soname("libicuuc.so.70"), Availability::Provided);
    assert_eq!(extra.sonames_present.len(), expected.len() + 6);
}

/// runtime-deps:6.0 is Debian 11 slim plus libicu67, libssl1.1, …: the image has ICU, so
/// shipcheck must not ask for `libicu67` to be installed (as it does on plain Debian 11).
#[test]
fn runtime_deps_6_0_has_icu_67() {
    let db = db();
    let release = db.find("runtime-deps:6.0").unwrap();
    assert_eq!(release.id, "runtime-deps-6.0-bullseye-slim");
    let baseline = release.baseline("x86_64").unwrap();
    assert_eq!(baseline.soname("libicuuc.so.67"), Availability::Provided);
    let icu = baseline.packages.get("libicuuc.so.67").unwrap();
    assert_eq!(icu.package, "libicu67");
    assert_eq!(
        icu.minimal,
        Some(true),
        "in the image, not just installable"
    );
    assert!(
        !baseline.sonames_complete,
        "a slim image is only partly known"
    );

    let app = app_needing("runtime-deps-icu", &["libicuuc.so.67"]);
    assert_eq!(
        codes_for(&app, "debian-11", "libicuuc.so.67"),
        ["soname-needs-package"],
        "plain Debian 11 needs the package"
    );
    assert!(
        codes_for(&app, "runtime-deps:6.0", "libicuuc.so.67").is_empty(),
        "the runtime-deps image has it"
    );
}

/// A C program linked against OpenSSL 1.1 does not run on the chiseled 8.0 image, which holds
/// OpenSSL 3 only: the soname is missing (the list is complete), not unknown.
#[test]
fn openssl_1_1_is_missing_on_jammy_chiseled() {
    let app = app_needing("runtime-deps-ssl11", &["libssl.so.1.1"]);
    assert_eq!(
        codes_for(&app, "runtime-deps:8.0-jammy-chiseled", "libssl.so.1.1"),
        ["soname-missing"]
    );
    // The libraries the image has are found.
    let app = app_needing("runtime-deps-ssl3", &["libssl.so.3", "libz.so.1"]);
    for soname in ["libssl.so.3", "libz.so.1"] {
        assert!(
            codes_for(&app, "runtime-deps:8.0-jammy-chiseled", soname).is_empty(),
            "{soname}"
        );
    }
    // 9.0's chiseled images dropped zlib.
    assert_eq!(
        codes_for(&app, "runtime-deps:9.0-noble-chiseled", "libz.so.1"),
        ["soname-missing"]
    );
}

#[test]
fn baselines_lists_the_runtime_deps_tags_with_their_dockerfiles() {
    let output = Command::cargo_bin("shipcheck")
        .unwrap()
        .args(["baselines", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let rows: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    for (id, tag, dockerfile) in [
        (
            "runtime-deps-8.0-jammy-chiseled",
            "runtime-deps:8.0-jammy-chiseled",
            "src/runtime-deps/8.0/jammy-chiseled/{amd64,arm32v7,arm64v8}/Dockerfile",
        ),
        (
            "runtime-deps-8.0-bookworm-slim",
            "mcr.microsoft.com/dotnet/runtime-deps:8.0",
            "src/runtime-deps/8.0/bookworm-slim/",
        ),
        (
            "runtime-deps-10.0-noble-chiseled-extra",
            "runtime-deps:10.0-noble-chiseled-extra",
            "src/runtime-deps/10.0/noble-chiseled-extra/",
        ),
        (
            "runtime-deps-9.0-noble-chiseled-aot",
            "mcr.microsoft.com/dotnet/nightly/runtime-deps:9.0-noble-chiseled-aot",
            "src/runtime-deps/9.0/noble-chiseled-aot/",
        ),
    ] {
        let row = rows
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no {id}"));
        assert!(
            row["aliases"].as_array().unwrap().contains(&tag.into()),
            "{row}"
        );
        let source = row["source"].as_str().unwrap();
        assert!(
            source.starts_with("dotnet/dotnet-docker @ ") && source.contains(dockerfile),
            "{id}: {source}"
        );
    }
    // Every runtime-deps tag is one entry's name only (the releases no longer claim them).
    let db = db();
    for name in [
        "runtime-deps:8.0-jammy",
        "runtime-deps:6.0-jammy",
        "runtime-deps:10.0",
    ] {
        assert_eq!(db.find(name).unwrap().kind, "image", "{name}");
    }
    assert_eq!(db.find("runtime-deps:3.1").unwrap().id, "debian-10");
}
