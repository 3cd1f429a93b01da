//! Beyond symbol versions (issue 13): what the kernel and the loader check before a file runs,
//! and the hardening facts of a release, on the binaries `testdata/build.sh` builds with the
//! flags that produce each case (each property confirmed there with readelf).

mod common;

use common::check;

use serde_json::Value;
use std::process::Command;

const BIN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/bin");

fn file(name: &str) -> String {
    format!("{BIN}/{name}")
}

/// (code, severity, baseline) of every finding of the only file.
fn codes(doc: &Value) -> Vec<(String, String, Option<String>)> {
    doc["files"][0]["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_string(),
                f["severity"].as_str().unwrap_or("").to_string(),
                f["baseline"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn has(doc: &Value, code: &str) -> bool {
    codes(doc).iter().any(|(c, _, _)| c == code)
}

#[test]
fn an_exec_stack_library_is_refused_by_dlopen_from_glibc_2_41() {
    let lib = file("libexecstack.so.1");
    // Debian 13 has glibc 2.41: dlopen refuses it. Debian 12 (2.36) still maps it.
    let (status, doc) = check(&[&lib, "--baseline", "debian-13", "--baseline", "debian-12"]);
    assert_eq!(status, 1, "{doc}");
    let found = codes(&doc);
    assert!(
        found.contains(&(
            "exec-stack-dlopen".into(),
            "error".into(),
            Some("debian-13".into())
        )),
        "{found:?}"
    );
    assert!(
        !found
            .iter()
            .any(|(c, _, b)| c == "exec-stack-dlopen" && b.as_deref() == Some("debian-12")),
        "{found:?}"
    );
    assert!(
        found.contains(&("exec-stack".into(), "warning".into(), None)),
        "{found:?}"
    );
    let message = doc["files"][0]["findings"][0]["message"]
        .as_str()
        .unwrap_or("");
    assert!(
        message.contains("cannot enable executable stack as shared object requires"),
        "{message}"
    );
    assert_eq!(doc["files"][0]["run"]["exec_stack"], true);
    assert_eq!(doc["files"][0]["hardening"]["nx_stack"], false);

    // A program with an executable stack only weakens itself; a normal library says nothing.
    let (_, doc) = check(&[&file("execstack-x86_64"), "--baseline", "debian-13"]);
    assert_eq!(
        codes(&doc)
            .iter()
            .filter(|(c, _, _)| c.starts_with("exec-stack"))
            .collect::<Vec<_>>(),
        [&("exec-stack".to_string(), "warning".to_string(), None)]
    );
    let (_, doc) = check(&[&file("libversioned.so.1"), "--baseline", "debian-13"]);
    assert!(
        !has(&doc, "exec-stack") && !has(&doc, "exec-stack-dlopen"),
        "{doc}"
    );
}

#[test]
fn static_tls_matters_only_for_a_dlopened_library() {
    let lib = file("libstatictls.so.1");
    let (_, doc) = check(&[&lib, "--baseline", "debian-12"]);
    let tls: Vec<&Value> = doc["files"][0]["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["code"] == "static-tls-dlopen")
        .collect();
    assert_eq!(tls.len(), 1, "{doc}");
    assert_eq!(tls[0]["evidence"]["tls_bytes"], 4096);
    assert!(
        tls[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("cannot allocate memory in static TLS block")),
        "{doc}"
    );
    assert_eq!(doc["files"][0]["run"]["static_tls"], true);

    // Needed by a program (DT_NEEDED), it is loaded at start, where static TLS is sized for it.
    let dir = common::temp_dir("static-tls-needed");
    std::fs::create_dir_all(dir.join("lib")).expect("mkdir");
    std::fs::copy(&lib, dir.join("lib/libstatictls.so.1")).expect("copy");
    let main = dir.join("main.c");
    std::fs::write(
        &main,
        "int static_tls_touch(int);\nint main(void) { return static_tls_touch(1); }\n",
    )
    .expect("write");
    let lib_dir = format!("-L{}", dir.join("lib").display());
    let exe = dir.join("app");
    common::cc(&[
        main.to_str().expect("utf-8"),
        "-s",
        &lib_dir,
        "-l:libstatictls.so.1",
        "-Wl,-rpath,$ORIGIN/lib",
        "-o",
        exe.to_str().expect("utf-8"),
    ]);
    std::fs::remove_file(&main).expect("remove source");
    let (_, doc) = check(&[dir.to_str().expect("utf-8"), "--baseline", "debian-12"]);
    let all = doc["files"].to_string();
    assert!(!all.contains("static-tls-dlopen"), "{doc}");
}

#[test]
fn hardening_facts_agree_with_the_flags_they_were_built_with() {
    let (_, doc) = check(&[&file("hardened-x86_64")]);
    assert_eq!(
        doc["files"][0]["hardening"],
        serde_json::json!({
            "pie": true, "relro": "full", "nx_stack": true, "stack_protector": true,
            "fortified": ["__printf_chk"], "cet": {"ibt": true, "shstk": true}
        })
    );
    let (_, doc) = check(&[&file("unhardened-x86_64")]);
    assert_eq!(
        doc["files"][0]["hardening"],
        serde_json::json!({
            "pie": false, "relro": "none", "nx_stack": true, "stack_protector": false,
            "fortified": [], "cet": {"ibt": false, "shstk": false}
        })
    );
    // Facts, not findings, unless a gate denies them.
    let hardening = [
        "no-pie",
        "no-relro",
        "no-stack-protector",
        "no-fortify",
        "no-cet",
    ];
    assert!(hardening.iter().all(|code| !has(&doc, code)), "{doc}");
    let mut args = vec![file("unhardened-x86_64")];
    for code in hardening {
        args.push("--deny".into());
        args.push(code.into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (status, doc) = check(&args);
    assert_eq!(status, 1, "{doc}");
    for code in hardening {
        assert!(
            codes(&doc).contains(&(code.to_string(), "error".to_string(), None)),
            "{code}: {doc}"
        );
    }
    let mut args: Vec<String> = vec![file("hardened-x86_64")];
    for code in hardening {
        args.push("--deny".into());
        args.push(code.into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (status, doc) = check(&args);
    assert_eq!(status, 0, "{doc}");
}

#[test]
fn run_facts_are_read_from_the_notes_and_segments() {
    let (_, doc) = check(&[&file("isa-v3-x86_64")]);
    assert_eq!(doc["files"][0]["run"]["x86_isa_needed"], "x86-64-v3");
    let (_, doc) = check(&[&file("kernel-6.8-x86_64")]);
    assert_eq!(doc["files"][0]["run"]["min_kernel"], "6.8.0");
    let (_, doc) = check(&[&file("hello-x86_64")]);
    assert_eq!(doc["files"][0]["run"]["min_kernel"], "3.2.0");
    assert_eq!(doc["files"][0]["run"]["x86_isa_needed"], "x86-64-baseline");
    let (_, doc) = check(&[&file("pagesize-4k-aarch64")]);
    assert_eq!(doc["files"][0]["run"]["load_align"], 4096);
    let (_, doc) = check(&[&file("hello-aarch64")]);
    assert_eq!(doc["files"][0]["run"]["load_align"], 65536);
}

/// (code, severity, baseline) of the findings with one of `prefixes`.
fn coded(doc: &Value, prefixes: &[&str]) -> Vec<(String, String, Option<String>)> {
    codes(doc)
        .into_iter()
        .filter(|(c, _, _)| prefixes.iter().any(|p| c.starts_with(p)))
        .collect()
}

fn one(code: &str, severity: &str, baseline: Option<&str>) -> (String, String, Option<String>) {
    (code.into(), severity.into(), baseline.map(str::to_string))
}

#[test]
fn an_x86_64_v3_program_against_the_cpu_levels_of_its_targets() {
    let v3 = file("isa-v3-x86_64");
    // RHEL 9 runs from x86-64-v2 (its stated floor), Ubuntu from the baseline level: both have
    // CPUs that lack v3.
    let (_, doc) = check(&[&v3, "--baseline", "rhel-9", "--baseline", "ubuntu-24.04"]);
    assert_eq!(
        coded(&doc, &["cpu-level"]),
        [
            one("cpu-level-needed", "warning", Some("rhel-9")),
            one("cpu-level-needed", "warning", Some("ubuntu-24.04")),
        ]
    );
    // A target that names its level decides: below v3 an error, v3 nothing.
    let (status, doc) = check(&[&v3, "--target", "x86_64-v2"]);
    assert_eq!(status, 1, "{doc}");
    assert_eq!(
        coded(&doc, &["cpu-level"]),
        [one("cpu-level-too-low", "error", None)]
    );
    let message = doc["files"][0]["findings"][0]["message"]
        .as_str()
        .unwrap_or("");
    assert!(
        message.contains("CPU ISA level is lower than required"),
        "{message}"
    );
    let (_, doc) = check(&[&v3, "--target", "linux/amd64/v3", "--baseline", "rhel-9"]);
    assert!(coded(&doc, &["cpu-level"]).is_empty(), "{doc}");
    // The baseline level needs nothing anywhere.
    let (_, doc) = check(&[
        &file("hello-x86_64"),
        "--baseline",
        "rhel-9",
        "--target",
        "x86_64-v2",
    ]);
    assert!(coded(&doc, &["cpu-level"]).is_empty(), "{doc}");
}

#[test]
fn a_4k_aligned_arm64_program_against_64k_page_kernels() {
    let small = file("pagesize-4k-aarch64");
    // RHEL 8's arm64 kernel runs with 64 KiB pages; RHEL 9 offers kernel-64k; Debian 12's
    // arm64 kernel uses 4 KiB pages.
    let (_, doc) = check(&[
        &small,
        "--baseline",
        "rhel-8",
        "--baseline",
        "rhel-9",
        "--baseline",
        "debian-12",
    ]);
    assert_eq!(
        coded(&doc, &["page-size"]),
        [
            one("page-size-too-large", "error", Some("rhel-8")),
            one("page-size-optional", "warning", Some("rhel-9")),
        ]
    );
    // The toolchain default (64 KiB alignment) maps everywhere; --page-size decides for both.
    let (_, doc) = check(&[&file("hello-aarch64"), "--baseline", "rhel-8"]);
    assert!(coded(&doc, &["page-size"]).is_empty(), "{doc}");
    let (_, doc) = check(&[&small, "--page-size", "16384"]);
    assert_eq!(
        coded(&doc, &["page-size"]),
        [one("page-size-too-large", "error", None)]
    );
    let (_, doc) = check(&[&small, "--page-size", "4096"]);
    assert!(coded(&doc, &["page-size"]).is_empty(), "{doc}");
}

#[test]
fn kernel_notes_against_the_target_kernel() {
    // A static glibc program carries the glibc that checks the kernel at start.
    let (status, doc) = check(&[&file("hello-x86_64-static"), "--kernel", "2.6.32"]);
    assert_eq!(status, 1, "{doc}");
    assert_eq!(
        coded(&doc, &["kernel"]),
        [one("kernel-too-old", "error", None)]
    );
    let message = doc["files"][0]["findings"][0]["message"]
        .as_str()
        .unwrap_or("");
    assert!(message.contains("FATAL: kernel too old"), "{message}");
    let (_, doc) = check(&[&file("hello-x86_64-static"), "--kernel", "3.2"]);
    assert!(coded(&doc, &["kernel"]).is_empty(), "{doc}");
    // A dynamic program's note (6.8.0 here) only says what it was built against: a warning on
    // Ubuntu 22.04's 5.15, nothing on 24.04's 6.8.
    let noted = file("kernel-6.8-x86_64");
    let (_, doc) = check(&[
        &noted,
        "--baseline",
        "ubuntu-22.04",
        "--baseline",
        "ubuntu-24.04",
    ]);
    assert_eq!(
        coded(&doc, &["kernel"]),
        [one("kernel-note-newer", "warning", Some("ubuntu-22.04"))]
    );
}

#[test]
fn debug_hygiene_tells_dwarf_symbols_and_shipped_debug_files_apart() {
    // `.debug_gdb_scripts` (every Rust binary has 34 bytes of it) is neither DWARF nor symbols.
    let dir = common::temp_dir("gdb-scripts");
    let scripts = dir.join("scripts");
    std::fs::write(&scripts, b"\x01gdb_load_rust_pretty_printers.py\0").expect("write");
    let with_scripts = dir.join("hello");
    let out = Command::new("objcopy")
        .arg(format!(
            "--add-section=.debug_gdb_scripts={}",
            scripts.display()
        ))
        .arg(file("hello-x86_64"))
        .arg(&with_scripts)
        .output()
        .expect("run objcopy (binutils)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_file(&scripts).expect("remove");
    let (_, doc) = check(&[with_scripts.to_str().expect("utf-8")]);
    assert!(codes(&doc).is_empty(), "{doc}");
    assert_eq!(doc["files"][0]["debug"]["debug_bytes"], 0);

    // A .gnu_debuglink whose companion is not shipped (every distribution package) says nothing;
    // a shipped companion is a debug-file warning naming the file it belongs to.
    let release = dir.join("release");
    std::fs::create_dir_all(&release).expect("mkdir");
    std::fs::copy(file("debug-split-x86_64"), release.join("app")).expect("copy");
    let (_, doc) = check(&[release.to_str().expect("utf-8")]);
    assert!(codes(&doc).is_empty(), "{doc}");
    std::fs::copy(
        file("debug-split-x86_64.debug"),
        release.join("debug-split-x86_64.debug"),
    )
    .expect("copy");
    let (_, doc) = check(&[release.to_str().expect("utf-8")]);
    let all: Vec<&Value> = doc["files"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|f| f["findings"].as_array().into_iter().flatten())
        .filter(|f| f["code"] == "debug-file")
        .collect();
    assert_eq!(all.len(), 1, "{doc}");
    assert_eq!(all[0]["severity"], "warning");
    assert!(
        all[0]["evidence"]["belongs_to"]
            .as_str()
            .is_some_and(|p| p.ends_with("release/app")),
        "{doc}"
    );
}

// Found by the checksec differential (tests/oracle/checksec-diff.md): glibc's libc.so.6 has
// PT_INTERP but is a shared object (no DF_1_PIE, no DT_DEBUG), and defines __stack_chk_fail
// and the __*_chk functions, so its imports say nothing about its own canary or FORTIFY; a
// relocatable object has no loader-visible facts at all.
#[test]
fn a_runnable_library_and_an_object_file_are_not_judged_as_programs() {
    let libc = std::fs::canonicalize("/lib/x86_64-linux-gnu/libc.so.6").expect("this glibc");
    let (_, doc) = check(&[libc.to_str().expect("utf-8"), "--deny", "no-fortify"]);
    let file = &doc["files"][0];
    assert_eq!(file["kind"], "shared-library", "{doc}");
    assert_eq!(file["hardening"]["pie"], Value::Null);
    assert_eq!(file["hardening"]["stack_protector"], Value::Null);
    assert!(!has(&doc, "no-fortify"), "{doc}");

    let dir = common::temp_dir("relocatable");
    let source = dir.join("t.c");
    std::fs::write(&source, "#include <string.h>\nvoid f(char *d, const char *s) { char b[8]; strcpy(b, s); strcpy(d, b); }\n").expect("write");
    let object = dir.join("t.o");
    common::cc(&[
        "-O2",
        "-fstack-protector-strong",
        "-D_FORTIFY_SOURCE=2",
        "-c",
        source.to_str().expect("utf-8"),
        "-o",
        object.to_str().expect("utf-8"),
    ]);
    let (_, doc) = check(&[object.to_str().expect("utf-8")]);
    assert_eq!(doc["files"][0]["kind"], "relocatable", "{doc}");
    assert_eq!(doc["files"][0]["hardening"], Value::Null, "{doc}");
}
