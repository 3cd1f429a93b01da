//! End-to-end tests: the real CLI on the real binaries of testdata/bin (built by
//! testdata/build.sh; facts in testdata/MANIFEST.md).

mod common;

use assert_cmd::Command;
use common::shipcheck;
use serde_json::Value;

const BIN: &str = "testdata/bin";

/// Runs `check` with JSON output; returns the exit code and the document.
fn check_json(paths: &[&str], extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    let owned: Vec<String> = paths.iter().map(|p| format!("{BIN}/{p}")).collect();
    args.extend(owned.iter().map(String::as_str));
    let (code, stdout, stderr) = shipcheck(&args);
    let doc = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is JSON ({e}); stderr: {stderr}; stdout: {stdout}"));
    (code, doc)
}

fn file<'a>(doc: &'a Value, suffix: &str) -> &'a Value {
    doc["files"]
        .as_array()
        .expect("files is an array")
        .iter()
        .find(|f| f["path"].as_str().is_some_and(|p| p.ends_with(suffix)))
        .unwrap_or_else(|| panic!("no file ending in {suffix} in {doc:#}"))
}

/// (code, message) of every finding of a file.
fn findings(file: &Value) -> Vec<(String, String)> {
    file["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn codes(file: &Value) -> Vec<String> {
    findings(file).into_iter().map(|(code, _)| code).collect()
}

fn too_new_versions(file: &Value) -> Vec<String> {
    file["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .filter(|f| f["code"] == "symbol-version-too-new")
        .map(|f| {
            f["evidence"]["version"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

#[test]
fn host_hello_needs_glibc_2_34_for_libc_start_main() {
    let (code, doc) = check_json(&["hello-x86_64"], &["--baseline", "debian-11"]);
    assert_eq!(code, 1, "an error-level finding fails the gate");
    let hello = file(&doc, "hello-x86_64");
    assert_eq!(hello["requires"]["GLIBC"], "2.34");
    let finding = &hello["findings"][0];
    assert_eq!(finding["code"], "symbol-version-too-new");
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["evidence"]["version"], "GLIBC_2.34");
    assert_eq!(finding["evidence"]["library"], "libc.so.6");
    assert_eq!(finding["evidence"]["symbols"][0], "__libc_start_main");
    assert_eq!(finding["evidence"]["baseline_highest"], "2.31");
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("__libc_start_main") && message.contains("2.31"),
        "{message}"
    );
    assert!(finding["hint"].as_str().unwrap().contains("sysroot"));
    assert_eq!(doc["baseline"]["id"], "debian-11");
    assert_eq!(doc["baseline"]["version"], "2.31");
    assert!(
        doc["baseline"]["source"]
            .as_str()
            .unwrap()
            .contains("pep600")
    );
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["summary"]["verdict"], "fail");

    let (code, doc) = check_json(&["hello-x86_64"], &["--baseline", "ubuntu:22.04"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["baseline"]["id"], "ubuntu-22.04");
}

#[test]
fn old_sysroot_build_runs_on_old_distros() {
    for baseline in ["ubuntu-16.04", "xenial", "rhel-7", "el7", "centos:7"] {
        let (code, doc) = check_json(&["hello-bullseye-x86_64"], &["--baseline", baseline]);
        assert_eq!(code, 0, "{baseline}: {doc:#}");
        assert_eq!(
            file(&doc, "hello-bullseye-x86_64")["requires"]["GLIBC"],
            "2.2.5"
        );
    }
    // The database has no aarch64 data for RHEL 7 (CentOS AltArch built it): not verified,
    // which is no pass (exit 3) unless the gate accepts it.
    let (code, doc) = check_json(&["hello-bullseye-aarch64"], &["--baseline", "rhel-7"]);
    assert_eq!(code, 3, "{doc:#}");
    assert_eq!(doc["summary"]["verdict"], "unverified", "{doc:#}");
    assert_eq!(doc["summary"]["unverified"], 1, "{doc:#}");
    assert_eq!(
        file(&doc, "hello-bullseye-aarch64")["requires"]["GLIBC"],
        "2.17"
    );
    let (code, _) = check_json(
        &["hello-bullseye-aarch64"],
        &["--baseline", "rhel-7", "--unverified", "pass"],
    );
    assert_eq!(code, 0);
}

#[test]
fn getrandom_needs_2_25_and_fcntl64_needs_2_28() {
    let (code, doc) = check_json(
        &["getrandom-bullseye-x86_64"],
        &["--baseline", "ubuntu-16.04"],
    );
    assert_eq!(code, 1);
    let f = file(&doc, "getrandom-bullseye-x86_64");
    assert_eq!(too_new_versions(f), ["GLIBC_2.25"]);
    assert_eq!(
        f["findings"][0]["evidence"]["symbols"],
        serde_json::json!(["getrandom"])
    );
    let advice = &f["findings"][0]["evidence"]["advice"];
    assert_eq!(
        advice,
        &serde_json::json!([{"fix": "code-change-or-shim", "symbol": "getrandom", "first_release": "2.25"}])
    );
    assert!(
        f["findings"][0]["hint"]
            .as_str()
            .unwrap()
            .contains("getrandom (added in glibc 2.25)")
    );
    let (code, _) = check_json(
        &["getrandom-bullseye-x86_64"],
        &["--baseline", "ubuntu-18.04"],
    );
    assert_eq!(code, 0);

    let (code, doc) = check_json(&["fcntl64-bullseye-x86_64"], &["--baseline", "bionic"]);
    assert_eq!(code, 1);
    let f = file(&doc, "fcntl64-bullseye-x86_64");
    assert_eq!(too_new_versions(f), ["GLIBC_2.28"]);
    assert_eq!(
        f["findings"][0]["evidence"]["symbols"],
        serde_json::json!(["fcntl64"])
    );
    let (code, _) = check_json(&["fcntl64-bullseye-x86_64"], &["--baseline", "debian-10"]);
    assert_eq!(code, 0);
}

#[test]
fn pack_relative_relocs_needs_glibc_abi_dt_relr() {
    let (code, doc) = check_json(&["relr-x86_64"], &["--baseline", "debian-11"]);
    assert_eq!(code, 1);
    let versions = too_new_versions(file(&doc, "relr-x86_64"));
    assert!(
        versions.contains(&"GLIBC_ABI_DT_RELR".to_string()),
        "{versions:?}"
    );
    let (code, doc) = check_json(&["relr-x86_64"], &["--baseline", "debian-12"]);
    assert_eq!(
        code, 0,
        "bookworm's glibc 2.36 has GLIBC_ABI_DT_RELR: {doc:#}"
    );
}

#[test]
fn cxx_needs_glibcxx_from_libstdcxx() {
    let (code, doc) = check_json(&["cxx-x86_64"], &["--baseline", "debian-11"]);
    assert_eq!(code, 1);
    let cxx = file(&doc, "cxx-x86_64");
    let versions = too_new_versions(cxx);
    assert!(
        versions.contains(&"GLIBCXX_3.4.30".to_string()),
        "{versions:?}"
    );
    assert!(
        versions.contains(&"GLIBCXX_3.4.29".to_string()),
        "{versions:?}"
    );
    assert!(cxx["requires"]["CXXABI"].is_string(), "{cxx:#}");
    let message = findings(cxx)
        .into_iter()
        .find(|(_, m)| m.contains("GLIBCXX_3.4.30"))
        .unwrap()
        .1;
    assert!(message.contains("up to 3.4.28"), "{message}");
    let (code, doc) = check_json(&["cxx-x86_64"], &["--baseline", "debian-12"]);
    assert_eq!(code, 0, "{doc:#}");
}

#[test]
fn every_architecture_is_read_exactly() {
    let (_, doc) = check_json(&[""], &[]);
    let expect = [
        (
            "hello-x86_64",
            "x86_64",
            64,
            "little-endian",
            "/lib64/ld-linux-x86-64.so.2",
        ),
        (
            "hello-aarch64",
            "aarch64",
            64,
            "little-endian",
            "/lib/ld-linux-aarch64.so.1",
        ),
        (
            "hello-armhf",
            "armv7l",
            32,
            "little-endian",
            "/lib/ld-linux-armhf.so.3",
        ),
        (
            "hello-armel",
            "armel",
            32,
            "little-endian",
            "/lib/ld-linux.so.3",
        ),
        (
            "hello-i686",
            "i686",
            32,
            "little-endian",
            "/lib/ld-linux.so.2",
        ),
        (
            "hello-riscv64",
            "riscv64",
            64,
            "little-endian",
            "/lib/ld-linux-riscv64-lp64d.so.1",
        ),
        (
            "hello-ppc64le",
            "ppc64le",
            64,
            "little-endian",
            "/lib64/ld64.so.2",
        ),
        ("hello-s390x", "s390x", 64, "big-endian", "/lib/ld64.so.1"),
        (
            "hello-x86_64-musl",
            "x86_64",
            64,
            "little-endian",
            "/lib/ld-musl-x86_64.so.1",
        ),
    ];
    for (name, arch, bits, endian, interpreter) in expect {
        let f = file(&doc, &format!("/{name}"));
        assert_eq!(f["format"], "elf", "{name}");
        assert_eq!(f["arch"], arch, "{name}");
        assert_eq!(f["bits"], bits, "{name}");
        assert_eq!(f["endian"], endian, "{name}");
        assert_eq!(f["interpreter"], interpreter, "{name}");
    }
    assert_eq!(file(&doc, "/hello-armhf")["float_abi"], "hard-float");
    assert_eq!(file(&doc, "/hello-armel")["float_abi"], "soft-float");
    assert_eq!(file(&doc, "/hello-riscv64")["float_abi"], "double-float");
    assert_eq!(
        file(&doc, "/hello-x86_64-static")["kind"],
        "static-executable"
    );
    assert_eq!(
        file(&doc, "/hello-x86_64-static-pie")["kind"],
        "static-pie-executable"
    );
    assert_eq!(
        file(&doc, "/hello-x86_64-musl-static")["kind"],
        "static-executable"
    );
    assert_eq!(file(&doc, "/hello-x86_64")["kind"], "pie-executable");
    assert_eq!(file(&doc, "/libversioned.so.1")["kind"], "shared-library");
    assert_eq!(
        file(&doc, "/libversioned.so.1")["soname"],
        "libversioned.so.1"
    );
    let defs = &file(&doc, "/libversioned.so.1")["version_defs"];
    assert_eq!(defs, &serde_json::json!(["VERS_1.0", "VERS_1.1"]));
    let pe = file(&doc, "/hello-win64.exe");
    assert_eq!(
        (&pe["format"], &pe["arch"]),
        (&"pe".into(), &"x86_64".into())
    );
    let macho = file(&doc, "/macho-arm64.bin");
    assert_eq!(
        (&macho["format"], &macho["arch"]),
        (&"mach-o".into(), &"aarch64".into())
    );
    // Skipped but counted: the text file.
    assert!(doc["summary"]["files_skipped"].as_u64().unwrap() >= 1);
}

#[test]
fn wrong_architecture_is_exec_format_error() {
    let (code, doc) = check_json(
        &["hello-aarch64"],
        &["--target", "x86_64-unknown-linux-gnu"],
    );
    assert_eq!(code, 1);
    let (arch_code, message) = findings(file(&doc, "hello-aarch64")).remove(0);
    assert_eq!(arch_code, "arch-mismatch");
    assert!(message.contains("Exec format error"), "{message}");
    assert_eq!(doc["target"]["arch"], "x86_64");

    for target in [
        "linux-arm64",
        "linux/arm64/v8",
        "arm64",
        "aarch64",
        "aarch64-unknown-linux-gnu",
    ] {
        let (code, doc) = check_json(&["hello-aarch64"], &["--target", target]);
        assert_eq!(code, 0, "{target}: {doc:#}");
    }
    let (code, doc) = check_json(&["hello-armel"], &["--target", "armhf"]);
    assert_eq!(code, 1);
    let evidence = &file(&doc, "hello-armel")["findings"][0]["evidence"];
    assert_eq!(evidence["differs"], serde_json::json!(["float ABI"]));
    let (code, _) = check_json(&["hello-armhf"], &["--target", "linux/arm/v7"]);
    assert_eq!(code, 0);
    let (_, doc) = check_json(&["hello-s390x"], &["--target", "linux/ppc64le"]);
    let evidence = &file(&doc, "hello-s390x")["findings"][0]["evidence"];
    assert_eq!(
        evidence["differs"],
        serde_json::json!(["machine", "endianness"])
    );
    let (_, doc) = check_json(&["hello-i686"], &["--target", "linux-x64"]);
    let evidence = &file(&doc, "hello-i686")["findings"][0]["evidence"];
    assert_eq!(evidence["differs"], serde_json::json!(["machine", "class"]));
}

#[test]
fn musl_binary_on_glibc_distro_has_no_interpreter() {
    let (code, doc) = check_json(&["hello-x86_64-musl"], &["--baseline", "debian-12"]);
    assert_eq!(code, 1);
    let musl = file(&doc, "hello-x86_64-musl");
    let (first, message) = findings(musl).remove(0);
    assert_eq!(first, "interpreter-missing");
    assert!(message.contains("No such file or directory"), "{message}");
    let (code, doc) = check_json(
        &["hello-x86_64-musl"],
        &["--target", "x86_64-unknown-linux-gnu"],
    );
    assert_eq!(code, 1);
    assert_eq!(codes(file(&doc, "hello-x86_64-musl")), ["libc-mismatch"]);
    let (code, _) = check_json(&["hello-x86_64-musl"], &["--target", "linux-musl-x64"]);
    assert_eq!(code, 0);
}

#[test]
fn static_binaries_need_nothing_from_the_distro() {
    for name in [
        "hello-x86_64-static",
        "hello-x86_64-static-pie",
        "hello-x86_64-musl-static",
        "hello-x86_64-musl-static-pie",
    ] {
        let (code, doc) = check_json(&[name], &["--baseline", "ubuntu-16.04"]);
        assert_eq!(code, 0, "{name}: {doc:#}");
        let f = file(&doc, name);
        assert!(f["interpreter"].is_null(), "{name}");
        assert_eq!(f["needed"], serde_json::json!([]), "{name}");
    }
}

#[test]
fn bundled_library_via_runpath_is_checked_against_the_shipped_file() {
    let (code, doc) = check_json(&["app-runpath", "app-rpath"], &["--baseline", "debian-12"]);
    assert_eq!(code, 0, "{doc:#}");
    let app = file(&doc, "app-runpath/bin/app");
    assert_eq!(app["runpath"], serde_json::json!(["$ORIGIN/../lib"]));
    let app = file(&doc, "app-rpath/bin/app");
    assert_eq!(app["rpath"], serde_json::json!(["${ORIGIN}/../lib"]));
    assert!(app["runpath"].as_array().unwrap().is_empty());

    // Checking the executable alone still finds the library through $ORIGIN.
    let (code, doc) = check_json(&["app-runpath/bin/app"], &["--baseline", "debian-12"]);
    assert_eq!(code, 0, "{doc:#}");

    let (code, doc) = check_json(&["app-oldlib"], &["--baseline", "debian-12"]);
    assert_eq!(code, 1);
    let app = file(&doc, "app-oldlib/bin/app");
    let finding = &app["findings"][0];
    assert_eq!(finding["evidence"]["version"], "BUNDLED_2.0");
    assert!(
        finding["evidence"]["shipped_at"]
            .as_str()
            .unwrap()
            .ends_with("app-oldlib/lib/libbundled.so.1"),
        "{finding:#}"
    );
}

#[test]
fn unknown_soname_is_unknown_not_missing() {
    let (code, doc) = check_json(&["needs-nowhere-x86_64"], &["--baseline", "debian-12"]);
    assert_eq!(
        code, 3,
        "a library the data does not cover is not verified: no pass"
    );
    assert_eq!(doc["summary"]["verdict"], "unverified");
    assert_eq!(doc["baselines"][0]["verdict"], "unverified");
    let (soname_code, message) = findings(file(&doc, "needs-nowhere-x86_64")).remove(0);
    assert_eq!(soname_code, "soname-unknown");
    assert!(message.contains("libnowhere.so.1"), "{message}");
    let (code, _) = check_json(
        &["needs-nowhere-x86_64"],
        &[
            "--baseline",
            "debian-12",
            "--severity",
            "soname-unknown=error",
        ],
    );
    assert_eq!(code, 1, "severities can be raised");
}

#[test]
fn leaked_build_directory_in_runpath() {
    let (code, doc) = check_json(&["rpath-absolute-x86_64"], &["--baseline", "debian-12"]);
    assert_eq!(code, 0);
    let f = file(&doc, "rpath-absolute-x86_64");
    assert!(codes(f).contains(&"rpath-absolute".to_string()), "{f:#}");
    assert!(
        findings(f)[0]
            .1
            .contains("/home/builder/work/build/out/lib")
    );
}

#[test]
fn debug_info_is_reported_with_sizes() {
    let (code, doc) = check_json(
        &[
            "debug-unstripped-x86_64",
            "debug-stripped-x86_64",
            "debug-compressed-x86_64",
            "symtab-only-x86_64",
            "debug-split-x86_64",
            "debug-split-x86_64.debug",
        ],
        &["--baseline", "debian-12"],
    );
    assert_eq!(code, 0, "debug info is a warning by default");
    let unstripped = file(&doc, "debug-unstripped-x86_64");
    assert_eq!(codes(unstripped), ["debug-info-present"]);
    assert!(unstripped["debug"]["debug_bytes"].as_u64().unwrap() > 0);
    assert_eq!(unstripped["debug"]["symtab"], true);
    assert!(codes(file(&doc, "debug-stripped-x86_64")).is_empty());
    let compressed = file(&doc, "debug-compressed-x86_64");
    let sections = compressed["debug"]["debug_sections"].as_array().unwrap();
    // The linker compresses a section only where that saves space.
    let info = sections
        .iter()
        .find(|s| s["name"] == ".debug_info")
        .unwrap();
    assert!(info["uncompressed_size"].as_u64().unwrap() > info["size"].as_u64().unwrap());
    assert!(
        compressed["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("compressed")
    );
    let symtab = file(&doc, "symtab-only-x86_64");
    assert_eq!(symtab["debug"]["debug_bytes"], 0);
    // A symbol table without DWARF is not debug info: only "not stripped".
    assert_eq!(codes(symtab), ["not-stripped"]);
    let split = file(&doc, "debug-split-x86_64");
    assert_eq!(codes(split), ["debug-link"]);
    assert_eq!(split["debug"]["debuglink"], "debug-split-x86_64.debug");
    assert_eq!(
        codes(file(&doc, "debug-split-x86_64.debug")),
        ["debug-file"]
    );
    assert!(split["debug"]["build_id"].as_str().unwrap().len() == 40);

    let (code, _) = check_json(
        &["debug-unstripped-x86_64"],
        &["--baseline", "debian-12", "--deny", "debug-info-present"],
    );
    assert_eq!(code, 1, "--deny raises debug-info-present to an error");
}

#[test]
fn weak_version_need_is_a_warning() {
    let (code, doc) = check_json(&["weak-x86_64"], &["--baseline", "ubuntu-16.04"]);
    assert_eq!(code, 0, "{doc:#}");
    let f = file(&doc, "weak-x86_64");
    assert_eq!(codes(f), ["weak-symbol-version-too-new"]);
    assert_eq!(f["version_needs"][0]["versions"][0]["weak"], true);
}

#[test]
fn glibc_private_is_always_an_error() {
    let (code, doc) = check_json(&["privat-x86_64"], &["--baseline", "debian-13"]);
    assert_eq!(code, 1);
    assert!(codes(file(&doc, "privat-x86_64")).contains(&"glibc-private".to_string()));
}

#[test]
fn broken_file_is_reported_and_the_rest_checked() {
    let (code, doc) = check_json(
        &["truncated-elf", "hello-x86_64"],
        &["--baseline", "debian-12"],
    );
    assert_eq!(code, 1);
    let broken = file(&doc, "truncated-elf");
    assert_eq!(codes(broken), ["unreadable-file"]);
    assert!(broken["format"].is_null());
    assert_eq!(file(&doc, "hello-x86_64")["arch"], "x86_64");
    assert_eq!(doc["summary"]["files_checked"], 2);

    // Severity overrides reach every finding, this one too (they are applied in one place).
    let (code, doc) = check_json(
        &["truncated-elf", "hello-bullseye-x86_64"],
        &[
            "--baseline",
            "debian-12",
            "--severity",
            "unreadable-file=warning",
        ],
    );
    assert_eq!(code, 0, "{doc:#}");
    let broken = file(&doc, "truncated-elf");
    assert_eq!(broken["findings"][0]["severity"], "warning", "{doc:#}");
}

#[test]
fn without_a_baseline_lists_where_it_runs() {
    let (code, doc) = check_json(&["hello-bullseye-x86_64", "hello-x86_64"], &[]);
    assert_eq!(code, 0);
    let runs_on = |name: &str| -> Vec<String> {
        serde_json::from_value(file(&doc, name)["runs_on"].clone()).unwrap()
    };
    let old = runs_on("hello-bullseye-x86_64");
    assert!(
        old.contains(&"ubuntu-16.04".into()) && old.contains(&"rhel-7".into()),
        "{old:?}"
    );
    let new = runs_on("/hello-x86_64");
    assert!(new.contains(&"debian-12".into()), "{new:?}");
    assert!(
        !new.contains(&"debian-11".into()) && !new.contains(&"rhel-8".into()),
        "{new:?}"
    );
    assert!(new.len() < old.len());
}

#[test]
fn mixed_architectures_without_target_are_flagged() {
    let (_, doc) = check_json(
        &["hello-x86_64", "hello-bullseye-x86_64", "hello-aarch64"],
        &[],
    );
    assert_eq!(codes(file(&doc, "hello-aarch64")), ["arch-inconsistent"]);
    assert!(codes(file(&doc, "/hello-x86_64")).is_empty());
}

#[test]
fn table_output_names_finding_and_fix() {
    let (code, stdout, _) = shipcheck(&[
        "check",
        "--baseline",
        "debian-11",
        "testdata/bin/hello-x86_64",
    ]);
    assert_eq!(code, 1);
    assert!(stdout.contains("symbol-version-too-new"), "{stdout}");
    assert!(stdout.contains("fix:"), "{stdout}");
    assert!(
        stdout.starts_with("FAIL: 1 error in 1 file against debian-11\n"),
        "the verdict comes first: {stdout}"
    );
    assert!(stdout.contains("1 error, 0 warnings"), "{stdout}");
    assert!(!stdout.contains('\u{1b}'), "no colour when not a terminal");
}

#[test]
fn usage_errors_exit_2_with_one_clear_line() {
    let (code, _, stderr) = shipcheck(&[
        "check",
        "--target",
        "linux-amr64",
        "testdata/bin/hello-x86_64",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unknown target `linux-amr64`") && stderr.contains("linux-arm64"),
        "{stderr}"
    );
    let (code, _, stderr) = shipcheck(&[
        "check",
        "--baseline",
        "ubuntu-22.4",
        "testdata/bin/hello-x86_64",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("ubuntu-22.04"), "{stderr}");
    let (code, _, stderr) = shipcheck(&["check", "testdata/bin/does-not-exist"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("does-not-exist"), "{stderr}");
    let (code, _, stderr) = shipcheck(&["check", "testdata/bin/not-a-binary.txt"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no binaries found"), "{stderr}");
    let (code, _, stderr) = shipcheck(&[
        "check",
        "--deny",
        "no-such-code",
        "testdata/bin/hello-x86_64",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown finding code"), "{stderr}");
    let empty = std::env::temp_dir().join(format!("shipcheck-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let (code, _, stderr) = shipcheck(&["check", empty.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    std::fs::remove_dir_all(&empty).unwrap();
}

#[test]
fn sysroot_is_an_exact_baseline() {
    let sysroot = ["--sysroot", "testdata/sysroot/bullseye-amd64"];
    let (code, doc) = check_json(
        &[
            "hello-bullseye-x86_64",
            "cxx-bullseye-x86_64",
            "fcntl64-bullseye-x86_64",
        ],
        &sysroot,
    );
    assert_eq!(
        code, 0,
        "bullseye builds run on the bullseye root filesystem: {doc:#}"
    );
    assert_eq!(
        doc["baseline"]["version"], "2.31",
        "read from libc.so.6's banner"
    );

    let (code, doc) = check_json(&["hello-x86_64", "cxx-x86_64", "relr-x86_64"], &sysroot);
    assert_eq!(code, 1);
    assert_eq!(
        too_new_versions(file(&doc, "/hello-x86_64")),
        ["GLIBC_2.34"]
    );
    let cxx = too_new_versions(file(&doc, "cxx-x86_64"));
    assert!(cxx.contains(&"GLIBCXX_3.4.30".to_string()), "{cxx:?}");
    let relr = too_new_versions(file(&doc, "relr-x86_64"));
    assert!(relr.contains(&"GLIBC_ABI_DT_RELR".to_string()), "{relr:?}");

    // With real files, an unlisted library is known to be missing.
    let (code, doc) = check_json(&["needs-nowhere-x86_64"], &sysroot);
    assert_eq!(code, 1);
    assert!(codes(file(&doc, "needs-nowhere-x86_64")).contains(&"soname-missing".to_string()));
    let (code, doc) = check_json(&["hello-x86_64-musl"], &sysroot);
    assert_eq!(code, 1);
    assert!(codes(file(&doc, "hello-x86_64-musl")).contains(&"interpreter-missing".to_string()));
    // The sysroot is x86_64: an aarch64 program does not run there (its architecture is known,
    // unlike a database release without data for one).
    let (code, doc) = check_json(&["hello-bullseye-aarch64"], &sysroot);
    assert_eq!(code, 1);
    assert_eq!(
        codes(file(&doc, "hello-bullseye-aarch64")),
        ["arch-mismatch"]
    );

    let (code, _, stderr) = shipcheck(&[
        "check",
        "--sysroot",
        "testdata/bin",
        "testdata/bin/hello-x86_64",
    ]);
    assert_eq!(code, 2, "a directory without libraries is not a sysroot");
    assert!(stderr.contains("no ELF shared libraries"), "{stderr}");
}

#[test]
fn baselines_and_explain() {
    let (code, stdout, _) = shipcheck(&["baselines", "--format", "json"]);
    assert_eq!(code, 0);
    let rows: Value = serde_json::from_str(&stdout).unwrap();
    let xenial = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "ubuntu-16.04")
        .unwrap();
    assert_eq!(xenial["libc_version"], "2.23");
    assert_eq!(xenial["highest"]["GLIBCXX"], "3.4.21");
    assert!(
        xenial["aliases"]
            .as_array()
            .unwrap()
            .contains(&"xenial".into())
    );
    let (code, stdout, _) = shipcheck(&["explain", "symbol-version-too-new"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("How to fix") && stdout.contains("sysroot"),
        "{stdout}"
    );
    let (code, _, _) = shipcheck(&["explain", "no-such-code"]);
    assert_eq!(code, 2);
}

#[test]
fn github_and_markdown_formats() {
    let (code, stdout, _) = shipcheck(&[
        "check",
        "--format",
        "github",
        "--baseline",
        "debian-11",
        "testdata/bin/hello-x86_64",
        "testdata/bin/rpath-absolute-x86_64",
    ]);
    assert_eq!(code, 1, "the exit status does not depend on the format");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.contains(&"::warning file=testdata/bin/rpath-absolute-x86_64,title=rpath-absolute::DT_RUNPATH entry /home/builder/work/build/out/lib is an absolute path outside the system library directories (a leaked build directory?)%0Afix: replace it with a $ORIGIN-relative path (patchelf --set-rpath '$ORIGIN/../lib') or remove it (patchelf --remove-rpath)"), "{stdout}");
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("::error file="))
            .count(),
        2,
        "{stdout}"
    );

    let (code, stdout, _) = shipcheck(&[
        "check",
        "--format",
        "markdown",
        "--baseline",
        "debian-11",
        "testdata/bin/hello-x86_64",
    ]);
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with("### shipcheck: ❌ fail on `debian-11`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| error | `testdata/bin/hello-x86_64` | `symbol-version-too-new` |"),
        "{stdout}"
    );
}

#[test]
fn manylinux_policies_are_allow_lists() {
    let (code, doc) = check_json(&["hello-bullseye-x86_64"], &["--baseline", "manylinux2014"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["baseline"]["id"], "manylinux_2_17");
    let (code, doc) = check_json(&["cxx-bullseye-x86_64"], &["--baseline", "manylinux_2_17"]);
    assert_eq!(code, 1, "GLIBCXX_3.4.21 is beyond manylinux2014's 3.4.19");
    let versions = too_new_versions(file(&doc, "cxx-bullseye-x86_64"));
    assert!(
        versions.contains(&"GLIBCXX_3.4.21".to_string()),
        "{versions:?}"
    );
    // A library outside the whitelist must be bundled: missing, not unknown.
    let (code, doc) = check_json(&["needs-nowhere-x86_64"], &["--baseline", "manylinux_2_34"]);
    assert_eq!(code, 1);
    assert!(codes(file(&doc, "needs-nowhere-x86_64")).contains(&"soname-missing".to_string()));
}

#[test]
fn musl_baselines_take_musl_binaries_and_refuse_glibc_ones() {
    for baseline in ["alpine-3.20", "musllinux_1_2"] {
        let (code, doc) = check_json(&["hello-x86_64-musl"], &["--baseline", baseline]);
        assert_eq!(code, 0, "{baseline}: {doc:#}");
        let (code, doc) = check_json(&["hello-bullseye-x86_64"], &["--baseline", baseline]);
        assert_eq!(code, 1, "{baseline}");
        assert!(
            codes(file(&doc, "hello-bullseye-x86_64")).contains(&"interpreter-missing".to_string())
        );
    }
}

#[test]
fn output_is_deterministic_and_sorted() {
    let run = || {
        shipcheck(&[
            "check",
            "--format",
            "json",
            "--baseline",
            "debian-11",
            "testdata",
        ])
        .1
    };
    let first = run();
    for _ in 0..3 {
        assert_eq!(
            run(),
            first,
            "same input, same bytes, whatever the thread timing"
        );
    }
    let doc: Value = serde_json::from_str(&first).unwrap();
    let paths: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort_by(|a, b| std::path::Path::new(a).cmp(std::path::Path::new(b)));
    assert_eq!(paths, sorted);
    assert!(
        paths.len() > 40,
        "the sysroot's libraries are checked too: {}",
        paths.len()
    );
}

#[test]
fn a_root_filesystem_is_checked_as_the_system_itself() {
    // The committed bullseye sysroot is a root filesystem: libraries find each other through its
    // own ld.so.conf, glibc's GLIBC_PRIVATE needs are met by the same build, and nothing fails.
    let (code, doc) = check_json(&["../sysroot/bullseye-amd64"], &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["trees"][0]["layout"], "rootfs");
    assert_eq!(doc["summary"]["errors"], 0, "{doc:#}");
    let (_, table, _) = shipcheck(&["check", "testdata/sysroot/bullseye-amd64"]);
    assert!(
        table.contains("bullseye-amd64 checked as a root filesystem (self-contained"),
        "{table}"
    );

    // The same tree without libgcc_s.so.1: libstdc++ cannot load, and no baseline is asked.
    let root = std::env::temp_dir().join(format!("shipcheck-rootfs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let status = std::process::Command::new("cp")
        .args(["-a", "testdata/sysroot/bullseye-amd64"])
        .arg(&root)
        .status()
        .expect("cp runs");
    assert!(status.success());
    std::fs::remove_file(root.join("lib/x86_64-linux-gnu/libgcc_s.so.1")).expect("remove");
    let (code, stdout, _) = shipcheck(&["check", "--format", "json", root.to_str().unwrap()]);
    let doc: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(code, 1, "{doc:#}");
    let libstdcxx = file(&doc, "libstdc++.so.6.0.28");
    let (soname_code, message) = findings(libstdcxx).remove(0);
    assert_eq!(soname_code, "soname-missing");
    assert!(message.contains("libgcc_s.so.1"), "{message}");
    assert!(message.contains("root filesystem"), "{message}");

    // Read as an application tree instead, the missing library is the target system's business.
    let (_, stdout, _) = shipcheck(&[
        "check",
        "--format",
        "json",
        "--layout",
        "app",
        root.to_str().unwrap(),
    ]);
    let doc: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(doc["trees"][0]["layout"], "app");
    assert!(
        !codes(file(&doc, "libstdc++.so.6.0.28")).contains(&"soname-missing".to_string()),
        "{doc:#}"
    );
    std::fs::remove_dir_all(&root).expect("clean up");
}

/// The verdict says the same thing, with the same exit status, in every format: pass only when
/// every check ran, unverified when something could not be checked, error when nothing could.
#[test]
fn every_format_gives_the_same_three_valued_verdict() {
    let bin = |name: &str| format!("{BIN}/{name}");
    let arg = |text: &str| text.to_string();
    let cases: [(&str, Vec<String>, i32); 11] = [
        (
            "pass",
            vec![
                bin("hello-bullseye-x86_64"),
                "--baseline".into(),
                "debian-12".into(),
            ],
            0,
        ),
        (
            "fail",
            vec![
                bin("hello-x86_64"),
                "--baseline".into(),
                "ubuntu-16.04".into(),
            ],
            1,
        ),
        (
            "unverified",
            vec![
                bin("needs-nowhere-x86_64"),
                "--baseline".into(),
                "debian-12".into(),
            ],
            3,
        ),
        ("error", vec![bin("not-a-binary.txt")], 2),
        // The cases of issue 10, each in every format.
        (
            "fail",
            vec![
                bin("hello-win64.exe"),
                bin("macho-arm64.bin"),
                arg("--target"),
                arg("linux-x64"),
            ],
            1,
        ),
        (
            "fail",
            vec![bin("hello-riscv64"), arg("--baseline"), arg("ubuntu-16.04")],
            1,
        ),
        (
            "unverified",
            vec![bin("hello-riscv64"), arg("--baseline"), arg("rhel-7")],
            3,
        ),
        (
            "fail",
            vec![
                bin("hello-aarch64"),
                arg("--sysroot"),
                arg("testdata/sysroot/bullseye-amd64"),
            ],
            1,
        ),
        (
            "fail",
            vec![bin("hello-i686"), arg("--target"), arg("linux-x64")],
            1,
        ),
        (
            "pass",
            vec![
                bin("dotnet/Python.Runtime.dll"),
                arg("--target"),
                arg("linux-x64"),
            ],
            0,
        ),
        (
            "error",
            vec![
                bin("hello-x86_64"),
                "--target".into(),
                "no-such-target".into(),
            ],
            2,
        ),
    ];
    for (verdict, args, status) in cases {
        let run = |format: &str| {
            let mut all = vec!["check".to_string(), "--format".into(), format.into()];
            all.extend(args.iter().cloned());
            let all: Vec<&str> = all.iter().map(String::as_str).collect();
            let (code, stdout, _) = shipcheck(&all);
            assert_eq!(code, status, "{verdict} {format}: {stdout}");
            stdout
        };
        let json: Value = serde_json::from_str(&run("json")).expect("JSON");
        assert_eq!(json["summary"]["verdict"], verdict, "{json:#}");
        let sarif: Value = serde_json::from_str(&run("sarif")).expect("SARIF");
        let invocation = &sarif["runs"][0]["invocations"][0];
        assert_eq!(invocation["properties"]["verdict"], verdict, "{sarif:#}");
        assert_eq!(invocation["executionSuccessful"], verdict != "error");
        let (markdown_word, github_word, table_word) = match verdict {
            "pass" => ("✅ pass", "::notice title=shipcheck verdict::pass", "PASS"),
            "fail" => ("❌ fail", "::error title=shipcheck verdict::fail", "FAIL"),
            "unverified" => (
                "⚠️ unverified",
                "::warning title=shipcheck verdict::unverified",
                "UNVERIFIED",
            ),
            _ => (
                "🛑 could not check",
                "::error title=shipcheck verdict::could not check",
                "",
            ),
        };
        let markdown = run("markdown");
        assert!(
            markdown.starts_with(&format!("### shipcheck: {markdown_word}")),
            "{markdown}"
        );
        let github = run("github");
        assert!(github.contains(github_word), "{github}");
        let table = run("table");
        if verdict == "error" {
            assert!(!table.contains("PASS"), "{table}");
        } else {
            assert!(
                table.lines().any(|line| line.starts_with(table_word)),
                "{table}"
            );
        }
    }
    // A gate may accept what could not be checked; the report still says so.
    let (code, stdout, _) = shipcheck(&[
        "check",
        "--format",
        "json",
        "--unverified",
        "pass",
        "--baseline",
        "debian-12",
        &bin("needs-nowhere-x86_64"),
    ]);
    assert_eq!(code, 0);
    assert!(stdout.contains("\"verdict\": \"unverified\""), "{stdout}");
}

#[test]
fn native_code_for_another_os_fails_and_managed_assemblies_run_where_their_runtime_runs() {
    let (code, doc) = check_json(
        &["hello-win64.exe", "macho-arm64.bin", "dotnet"],
        &["--target", "linux-x64"],
    );
    assert_eq!(code, 1, "{doc:#}");
    for native in [
        "hello-win64.exe",
        "macho-arm64.bin",
        "dotnet/ClrLoader-amd64.dll",
    ] {
        let (found, message) = findings(file(&doc, native)).remove(0);
        assert_eq!(found, "foreign-format", "{native}: {message}");
        assert!(message.contains("Exec format error"), "{message}");
    }
    let any = file(&doc, "dotnet/Python.Runtime.dll");
    assert_eq!(any["managed"], "any");
    assert!(codes(any).is_empty(), "{any:#}");
    let x86 = file(&doc, "dotnet/Python.Runtime-x86.dll");
    assert_eq!(x86["managed"], "i686");
    let (found, message) = findings(x86).remove(0);
    assert_eq!(found, "arch-mismatch");
    assert!(message.contains("BadImageFormatException"), "{message}");
    assert_eq!(
        file(&doc, "dotnet/ClrLoader-amd64.dll")["managed"],
        "mixed-mode"
    );

    // A baseline says the release is for Linux as well.
    let (code, doc) = check_json(&["hello-win64.exe"], &["--baseline", "debian-12"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(codes(file(&doc, "hello-win64.exe")), ["foreign-format"]);

    // A publish folder's assets for another platform (runtimes/<rid>/) are loaded only there.
    let root = std::env::temp_dir().join(format!("shipcheck-rid-{}", std::process::id()));
    let native = root.join("runtimes/win-x64/native");
    std::fs::create_dir_all(&native).expect("mkdir");
    std::fs::copy(
        format!("{BIN}/hello-win64.exe"),
        native.join("e_sqlite3.dll"),
    )
    .expect("copy");
    let (code, stdout, _) = shipcheck(&[
        "check",
        "--format",
        "json",
        "--target",
        "linux-x64",
        root.to_str().expect("UTF-8 temp path"),
    ]);
    let doc: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(code, 0, "{doc:#}");
    assert!(codes(file(&doc, "e_sqlite3.dll")).is_empty(), "{doc:#}");
    std::fs::remove_dir_all(&root).expect("clean up");
}

/// README "What happens on the target": each (file, target) pair users meet gets the failure
/// that really happens there, not a blanket "Exec format error".
#[test]
fn each_architecture_pair_names_the_failure_that_really_happens() {
    let cases = [
        (
            "hello-i686",
            "linux-x64",
            "arch-mismatch",
            "compat-needs-32-bit-loader",
            "/lib/ld-linux.so.2",
        ),
        (
            "hello-armhf",
            "linux-arm64",
            "arch-mismatch",
            "aarch32-only-on-some-cpus",
            "AArch32",
        ),
        (
            "hello-aarch64",
            "linux-x64",
            "arch-mismatch",
            "kernel-refuses",
            "Exec format error",
        ),
        (
            "hello-x86_64",
            "linux-arm64",
            "arch-mismatch",
            "kernel-refuses",
            "Exec format error",
        ),
        (
            "hello-riscv64",
            "linux-x64",
            "arch-mismatch",
            "kernel-refuses",
            "Exec format error",
        ),
        (
            "hello-armel",
            "linux-arm",
            "arch-mismatch",
            "wrong-float-abi",
            "float",
        ),
        (
            "libversioned.so.1",
            "linux-arm64",
            "arch-mismatch",
            "loader-skips-library",
            "cannot open shared object file",
        ),
        (
            "hello-x86_64-musl",
            "linux-x64",
            "libc-mismatch",
            "",
            "musl",
        ),
        (
            "hello-win64.exe",
            "linux-x64",
            "foreign-format",
            "",
            "Exec format error",
        ),
        (
            "macho-arm64.bin",
            "linux-arm64",
            "foreign-format",
            "",
            "Exec format error",
        ),
    ];
    for (name, target, code, failure, words) in cases {
        let (status, doc) = check_json(&[name], &["--target", target]);
        assert_eq!(status, 1, "{name} on {target}: {doc:#}");
        let finding = file(&doc, name)["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["code"] == code)
            .unwrap_or_else(|| panic!("{name} on {target}: no {code}: {doc:#}"))
            .clone();
        if !failure.is_empty() {
            assert_eq!(
                finding["evidence"]["failure"], failure,
                "{name} on {target}"
            );
        }
        let message = finding["message"].as_str().unwrap_or_default();
        assert!(message.contains(words), "{name} on {target}: {message}");
    }
}

#[test]
fn a_root_filesystem_of_another_architecture_runs_nothing_of_this_one() {
    let sysroot = "testdata/sysroot/bullseye-amd64";
    for name in ["hello-aarch64", "hello-riscv64"] {
        let (code, doc) = check_json(&[name], &["--sysroot", sysroot]);
        assert_eq!(code, 1, "{name}: {doc:#}");
        let (found, message) = findings(file(&doc, name)).remove(0);
        assert_eq!(found, "arch-mismatch", "{message}");
        assert!(message.contains("Exec format error"), "{message}");
    }
    // A database release without data for an architecture is not verified, not failed.
    let (code, doc) = check_json(&["hello-bullseye-aarch64"], &["--baseline", "rhel-7"]);
    assert_eq!(code, 3, "{doc:#}");
}

/// README's gate example: `--deny debug-info-present` catches an unstripped binary, and only
/// `--deny debug-file` catches a shipped separate debug file (app.dbg).
#[test]
fn the_readme_gate_example_catches_a_shipped_debug_file() {
    let (code, _) = check_json(
        &["debug-split-x86_64.debug"],
        &["--deny", "debug-info-present"],
    );
    assert_eq!(code, 0, "a separate debug file is no unstripped binary");
    let (code, doc) = check_json(
        &["debug-split-x86_64.debug", "debug-unstripped-x86_64"],
        &["--deny", "debug-info-present", "--deny", "debug-file"],
    );
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(
        codes(file(&doc, "debug-split-x86_64.debug")),
        ["debug-file"]
    );
    assert!(
        codes(file(&doc, "debug-unstripped-x86_64")).contains(&"debug-info-present".to_string())
    );
}

/// GLIBC_PRIVATE is decided by a real root filesystem's own glibc; the database records no
/// private symbols, so there it stays an error that says why.
#[test]
fn glibc_private_against_a_sysroot_is_decided_by_its_glibc() {
    let sysroot = ["--sysroot", "testdata/sysroot/bullseye-amd64"];
    let (_, doc) = check_json(&["privat-x86_64"], &sysroot);
    let found = findings(file(&doc, "privat-x86_64"));
    let private: Vec<&(String, String)> = found
        .iter()
        .filter(|(code, _)| code.starts_with("glibc-private"))
        .collect();
    assert_eq!(private.len(), 1, "{found:?}");
    assert_eq!(private[0].0, "glibc-private-present", "{found:?}");
    let (_, doc) = check_json(&["privat-x86_64"], &["--baseline", "debian-12"]);
    let (code, message) = findings(file(&doc, "privat-x86_64")).remove(0);
    assert_eq!(code, "glibc-private");
    assert!(message.contains("records none"), "{message}");
}

/// Ubuntu 16.04 never had riscv64 (a hard failure); the database's RHEL 7 has no riscv64 data
/// and its architecture list is not known for sure (not verified, not failed).
#[test]
fn a_release_never_built_for_the_architecture_fails() {
    let (code, doc) = check_json(&["hello-riscv64"], &["--baseline", "ubuntu-16.04"]);
    assert_eq!(code, 1, "{doc:#}");
    let (found, message) = findings(file(&doc, "hello-riscv64")).remove(0);
    assert_eq!(found, "arch-unsupported");
    assert!(message.contains("never built for riscv64"), "{message}");
    let (code, doc) = check_json(&["hello-riscv64"], &["--baseline", "rhel-7"]);
    assert_eq!(code, 3, "{doc:#}");
    assert_eq!(
        codes(file(&doc, "hello-riscv64")),
        ["baseline-arch-unknown"]
    );
    // Static programs too.
    let (code, doc) = check_json(&["hello-x86_64-static"], &["--baseline", "ubuntu-16.04"]);
    assert_eq!(code, 0, "{doc:#}");
}

/// `shipcheck tree` and `shipcheck check` rate a need left to the system by one rule: a
/// soname the baseline's data does not cover is missing when the data lists the same library
/// under another version (Debian 12 ships libssl.so.3, not libssl.so.1.1), unknown otherwise.
#[test]
fn tree_and_check_agree_on_a_soname_of_another_major_version() {
    let dir = common::temp_dir("cli-other-major");
    std::fs::write(dir.join("ssl.c"), "int SSL_new(void) { return 0; }\n").unwrap();
    std::fs::write(
        dir.join("app.c"),
        "int SSL_new(void);\nint main(void) { return SSL_new(); }\n",
    )
    .unwrap();
    let cc = |args: &[&str]| {
        let status = std::process::Command::new("cc")
            .current_dir(&dir)
            .args(args)
            .status()
            .expect("cc runs");
        assert!(status.success(), "cc {args:?}");
    };
    cc(&[
        "-shared",
        "-fPIC",
        "-Wl,-soname,libssl.so.1.1",
        "-o",
        "libssl.so.1.1",
        "ssl.c",
    ]);
    cc(&["-o", "app", "app.c", "./libssl.so.1.1"]);
    // The library is not shipped: the system must provide it.
    std::fs::remove_file(dir.join("libssl.so.1.1")).unwrap();
    let app = dir.join("app");
    for (baseline, code, status) in [
        ("debian-12", "soname-missing", "not-found"),
        ("ubuntu-22.04", "soname-unknown", "unknown"),
    ] {
        let checked = Command::cargo_bin("shipcheck")
            .unwrap()
            .arg("check")
            .arg(&app)
            .args(["--baseline", baseline, "--format", "json"])
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&checked.stdout).unwrap();
        let codes: Vec<&str> = report["files"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["message"].as_str().unwrap().contains("libssl.so.1.1"))
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, [code], "{baseline}");
        let tree = Command::cargo_bin("shipcheck")
            .unwrap()
            .arg("tree")
            .arg(&app)
            .args(["--baseline", baseline, "--format", "json"])
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&tree.stdout).unwrap();
        let ssl = doc["trees"][0]["entry_points"][0]["libraries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == "libssl.so.1.1")
            .expect("the tree lists libssl.so.1.1");
        assert_eq!(ssl["status"], status, "{baseline}: {ssl}");
    }
}

/// Issue 14: one release named through two aliases is one baseline, and `baselines` refuses
/// formats it cannot write instead of ignoring them.
#[test]
fn aliases_of_one_baseline_are_one_and_unsupported_formats_are_refused() {
    let (_, doc) = check_json(
        &["hello-x86_64"],
        &[
            "--baseline",
            "manylinux2014",
            "--baseline",
            "manylinux_2_17",
        ],
    );
    let ids: Vec<&str> = doc["baselines"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["id"].as_str())
        .collect();
    assert_eq!(ids, ["manylinux_2_17"]);
    let (code, stdout, stderr) = shipcheck(&["baselines", "--format", "sarif"]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("invalid value 'sarif'"), "{stderr}");
}

/// A statically linked program has no load tree, and `tree` says so instead of failing: the
/// kernel maps it without a loader (FROM-scratch images hold nothing else). A path holding no
/// object file at all is still an error.
#[test]
fn tree_lists_static_programs_as_loading_nothing() {
    let (code, stdout, _) = shipcheck(&[
        "tree",
        "testdata/bin/hello-x86_64-static",
        "testdata/bin/hello-x86_64",
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("testdata/bin/hello-x86_64-static [static] loads no libraries"),
        "{stdout}"
    );
    assert!(!stdout.contains("hello-x86_64 [static]"), "{stdout}");
    // The host's glibc loader agrees in list mode: it loads nothing for a static PIE and says
    // "statically linked". (A non-PIE static program cannot be handed to ld.so at all: here it
    // crashes the loader, so that case is left to the ELF facts.)
    let (code, stdout, _) = shipcheck(&["tree", "testdata/bin/hello-x86_64-static-pie"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("[static] loads no libraries"), "{stdout}");
    let listed = std::process::Command::new("/lib64/ld-linux-x86-64.so.2")
        .args(["--list", "testdata/bin/hello-x86_64-static-pie"])
        .output()
        .expect("the host's glibc loader runs in list mode");
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout).trim(),
        "statically linked",
        "{listed:?}"
    );
    let (code, _, stderr) = shipcheck(&["tree", "testdata/bin/not-a-binary.txt"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("no programs or libraries found"),
        "{stderr}"
    );
}
