//! Libraries loaded at run time (dlopen), which no DT_NEEDED lists: declared in the policy file,
//! known from .NET's and Mono's own rules. Each tree is built at test time from small C stand-ins
//! (no .NET SDK or Mono is needed to reproduce the file layout and the settings) inside a root
//! filesystem that holds this machine's glibc loader and libc, checked once lacking the library
//! and once holding it.
//!
//! The oracle is the root's own loader, chrooted, in list mode: `dlopen(NAME)` from a program
//! without DT_RPATH/DT_RUNPATH searches exactly as a DT_NEEDED entry NAME of that program does
//! (glibc `dl_open_worker_begin` → `_dl_map_object` with the caller's link map), so a probe
//! program that only needs NAME, listed with `ld.so --list`, says whether dlopen would find it
//! and where. No checked program is run.

mod common;

use common::check;

use common::{cc, list_in_chroot};
use serde_json::Value;
use std::path::{Path, PathBuf};

const LIBDIR: &str = "usr/lib/x86_64-linux-gnu";

/// A root filesystem with this machine's glibc loader and libc only.
fn mini_root(name: &str) -> PathBuf {
    let dir = common::temp_dir(&format!("runtime-{name}"));
    let root = dir.join("root");
    let lib = root.join("lib/x86_64-linux-gnu");
    std::fs::create_dir_all(&lib).expect("create lib");
    std::fs::create_dir_all(root.join("lib64")).expect("create lib64");
    std::fs::create_dir_all(root.join(LIBDIR)).expect("create usr/lib");
    for file in [common::GLIBC_LOADER, "/lib/x86_64-linux-gnu/libc.so.6"] {
        let real = std::fs::canonicalize(file).expect("this machine's glibc files resolve");
        let name = real.file_name().expect("a file name");
        std::fs::copy(&real, lib.join(name)).expect("copy a glibc file into the root");
    }
    std::os::unix::fs::symlink(
        "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
        root.join("lib64/ld-linux-x86-64.so.2"),
    )
    .expect("symlink the loader");
    root
}

/// A stripped C program at `path`.
fn program(path: &Path, source: &str, extra: &[&str]) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("create dir");
    let c = path.with_extension("c");
    std::fs::write(&c, source).expect("write source");
    let mut args = vec![
        c.to_str().expect("utf-8"),
        "-s",
        "-o",
        path.to_str().expect("utf-8"),
    ];
    args.extend_from_slice(extra);
    cc(&args);
    std::fs::remove_file(&c).expect("remove source");
}

/// A stripped stub library with a soname, linked against `needs` (paths of other stubs).
fn stub_library(path: &Path, soname: &str, needs: &[&Path]) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("create dir");
    let c = path.with_extension("stub.c");
    std::fs::write(
        &c,
        format!("int stub_{}(void) {{ return 1; }}\n", soname.len()),
    )
    .expect("write");
    let soname_flag = format!("-Wl,-soname,{soname}");
    let mut args = vec![
        "-shared",
        "-fPIC",
        "-s",
        &soname_flag,
        c.to_str().expect("utf-8"),
        "-o",
        path.to_str().expect("utf-8"),
        "-Wl,--no-as-needed",
    ];
    let needs: Vec<String> = needs.iter().map(|p| p.display().to_string()).collect();
    args.extend(needs.iter().map(String::as_str));
    cc(&args);
    std::fs::remove_file(&c).expect("remove source");
}

/// Where the root's loader finds `soname` for a program with no search path of its own (what
/// `dlopen(soname)` from such a program searches): `Some(path)` or `None` with its error.
fn loader_finds(root: &Path, soname: &str) -> Result<String, String> {
    let scratch = root
        .parent()
        .expect("root has a parent")
        .join("probe-build");
    let stub = scratch.join(soname);
    stub_library(&stub, soname, &[]);
    let probe = root.join("probe");
    let lib_arg = stub.display().to_string();
    program(
        &probe,
        "int main(void) { return 0; }\n",
        &["-Wl,--no-as-needed", &lib_arg],
    );
    let out = list_in_chroot(root, "/probe");
    std::fs::remove_file(&probe).expect("remove the probe");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{soname} => ")));
    match (out.status.success(), line) {
        (true, Some(line)) => Ok(line
            .split(" => ")
            .nth(1)
            .and_then(|rest| rest.split(" (").next())
            .unwrap_or_default()
            .to_string()),
        _ => Err(stderr),
    }
}

/// Every finding of `code`, with its file.
fn findings<'a>(doc: &'a Value, code: &str) -> Vec<(&'a str, &'a Value)> {
    doc["files"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|file| {
            let path = file["path"].as_str().unwrap_or("");
            file["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(move |f| f["code"] == code)
                .map(move |f| (path, f))
        })
        .collect()
}

fn codes(doc: &Value) -> Vec<String> {
    doc["files"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|f| f["findings"].as_array().into_iter().flatten())
        .filter_map(|f| f["code"].as_str().map(str::to_string))
        .filter(|code| code != "debug-link")
        .collect()
}

const DLOPENS_PLUGIN: &str = r#"#include <dlfcn.h>
int main(void) { return dlopen("libplugin.so.1", RTLD_NOW) == 0; }
"#;

// Facts (glibc 2.36, chrooted): the probe's `libplugin.so.1` is "not found" until the root has
// usr/lib/x86_64-linux-gnu/libplugin.so.1, then `libplugin.so.1 => /usr/lib/x86_64-linux-gnu/…`.
#[test]
fn a_declared_dlopen_is_checked_where_the_loader_looks() {
    let root = mini_root("declared");
    program(&root.join("usr/bin/app"), DLOPENS_PLUGIN, &[]);
    let policy = root.parent().expect("parent").join("shipcheck.toml");
    std::fs::write(
        &policy,
        "[dlopen]\n\"usr/bin/app\" = [\"libplugin.so.1\"]\n",
    )
    .expect("policy");
    let root_arg = root.to_str().expect("utf-8");
    let policy_arg = policy.to_str().expect("utf-8");

    let loader = loader_finds(&root, "libplugin.so.1");
    assert!(
        loader.as_ref().is_err_and(|e| e.contains("libplugin.so.1")),
        "{loader:?}"
    );
    let (status, doc) = check(&[root_arg, "--config", policy_arg]);
    assert_eq!(status, 1, "{doc}");
    let missing = findings(&doc, "dlopen-missing");
    assert_eq!(missing.len(), 1, "{doc}");
    let (path, finding) = missing[0];
    assert!(path.ends_with("usr/bin/app"), "{path}");
    assert_eq!(
        finding["evidence"]["names"],
        serde_json::json!(["libplugin.so.1"])
    );
    assert_eq!(finding["evidence"]["reason"]["source"], "declared");
    let message = finding["message"].as_str().unwrap_or("");
    assert!(
        message.contains("libplugin.so.1: cannot open shared object file"),
        "{message}"
    );

    stub_library(
        &root.join(LIBDIR).join("libplugin.so.1"),
        "libplugin.so.1",
        &[],
    );
    assert_eq!(
        loader_finds(&root, "libplugin.so.1").as_deref(),
        Ok("/usr/lib/x86_64-linux-gnu/libplugin.so.1")
    );
    let (status, doc) = check(&[root_arg, "--config", policy_arg]);
    assert!(
        codes(&doc).iter().all(|c| !c.starts_with("dlopen")),
        "{doc}"
    );
    assert_eq!(status, 0, "{doc}");

    // A rule that matches nothing checked nothing: an error on the policy file.
    std::fs::write(&policy, "[dlopen]\n\"usr/bin/ap\" = [\"libplugin.so.1\"]\n").expect("policy");
    let (status, doc) = check(&[root_arg, "--config", policy_arg]);
    assert_eq!(status, 1, "{doc}");
    assert_eq!(findings(&doc, "dlopen-rule-unmatched").len(), 1, "{doc}");
}

/// A Mono app: the runtime (a stand-in program named `mono`), an assembly (a real IL-only .NET
/// assembly from testdata) and its config mapping `MonoPosixHelper`.
fn mono_root(name: &str) -> PathBuf {
    let root = mini_root(name);
    program(
        &root.join("usr/bin/mono"),
        "int main(void) { return 0; }\n",
        &[],
    );
    let app = root.join("usr/lib/app");
    std::fs::create_dir_all(&app).expect("create app dir");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/bin/dotnet/Python.Runtime.dll"
        ),
        app.join("App.exe"),
    )
    .expect("copy the assembly");
    std::fs::write(
        app.join("App.exe.config"),
        r#"<configuration>
  <dllmap dll="MonoPosixHelper" target="libMonoPosixHelper.so" os="!windows" />
  <dllmap dll="gdi32" target="gdi32.dll" os="windows" />
</configuration>
"#,
    )
    .expect("write the config");
    root
}

// Facts (glibc 2.36, chrooted): libMonoPosixHelper.so is "not found" for the probe until the
// root's library directory holds it; listed itself, it fails on its own need libz.so.1 until
// that is there too.
#[test]
fn a_mono_dllmap_target_and_its_own_needs_must_be_in_the_root() {
    let root = mono_root("mono");
    let root_arg = root.to_str().expect("utf-8");
    assert!(loader_finds(&root, "libMonoPosixHelper.so").is_err());
    let (status, doc) = check(&[root_arg]);
    assert_eq!(status, 1, "{doc}");
    let missing = findings(&doc, "dlopen-missing");
    assert_eq!(missing.len(), 1, "{doc}");
    let (path, finding) = missing[0];
    assert!(path.ends_with("usr/bin/mono"), "{path}");
    assert_eq!(finding["evidence"]["reason"]["source"], "mono-dllmap");
    assert_eq!(finding["evidence"]["reason"]["dll"], "MonoPosixHelper");
    assert_eq!(finding["evidence"]["names"][0], "libMonoPosixHelper.so");
    let message = finding["message"].as_str().unwrap_or("");
    assert!(message.contains("System.DllNotFoundException"), "{message}");

    // In the system directory, with its own need missing: the loader fails on libz.so.1.
    let scratch = root.parent().expect("parent").join("libs");
    let libz = scratch.join("libz.so.1");
    stub_library(&libz, "libz.so.1", &[]);
    stub_library(
        &root.join(LIBDIR).join("libMonoPosixHelper.so"),
        "libMonoPosixHelper.so",
        &[&libz],
    );
    // The probe's listing maps libMonoPosixHelper.so's own needs too.
    let probe = loader_finds(&root, "libMonoPosixHelper.so");
    assert!(
        probe.as_ref().is_err_and(|e| e.contains("libz.so.1")),
        "{probe:?}"
    );
    let own = list_in_chroot(&root, "/usr/lib/x86_64-linux-gnu/libMonoPosixHelper.so");
    assert!(!own.status.success());
    assert!(
        String::from_utf8_lossy(&own.stderr).contains("libz.so.1"),
        "{own:?}"
    );
    let (status, doc) = check(&[root_arg]);
    assert_eq!(status, 1, "{doc}");
    assert!(findings(&doc, "dlopen-missing").is_empty(), "{doc}");
    let libz_missing: Vec<_> = findings(&doc, "soname-missing")
        .into_iter()
        .filter(|(path, f)| {
            path.ends_with("libMonoPosixHelper.so") && f["evidence"]["soname"] == "libz.so.1"
        })
        .collect();
    assert_eq!(libz_missing.len(), 1, "{doc}");

    std::fs::copy(&libz, root.join(LIBDIR).join("libz.so.1")).expect("install libz");
    assert_eq!(
        loader_finds(&root, "libMonoPosixHelper.so").as_deref(),
        Ok("/usr/lib/x86_64-linux-gnu/libMonoPosixHelper.so")
    );
    let (status, doc) = check(&[root_arg]);
    assert!(codes(&doc).is_empty(), "{doc}");
    assert_eq!(status, 0, "{doc}");
}

/// Mono looks in the assembly's directory before dlopen's search path.
#[test]
fn a_mono_dllmap_target_beside_the_assembly_is_found() {
    let root = mono_root("mono-beside");
    stub_library(
        &root.join("usr/lib/app/libMonoPosixHelper.so"),
        "libMonoPosixHelper.so",
        &[],
    );
    let (status, doc) = check(&[root.to_str().expect("utf-8")]);
    assert!(codes(&doc).is_empty(), "{doc}");
    assert_eq!(status, 0, "{doc}");
}

/// A self-contained .NET publish folder in /app: the apphost, libcoreclr.so (which loads ICU)
/// and the OpenSSL shim, as stand-ins with the real file names, and the runtimeconfig.
fn dotnet_root(name: &str, invariant: bool) -> PathBuf {
    let root = mini_root(name);
    let app = root.join("app");
    program(&app.join("app"), "int main(void) { return 0; }\n", &[]);
    stub_library(&app.join("libcoreclr.so"), "libcoreclr.so", &[]);
    stub_library(
        &app.join("libSystem.Security.Cryptography.Native.OpenSsl.so"),
        "libSystem.Security.Cryptography.Native.OpenSsl.so",
        &[],
    );
    let config = serde_json::json!({
        "runtimeOptions": {
            "tfm": "net8.0",
            "includedFrameworks": [{"name": "Microsoft.NETCore.App", "version": "8.0.11"}],
            "configProperties": {"System.Globalization.Invariant": invariant}
        }
    });
    std::fs::write(app.join("app.runtimeconfig.json"), config.to_string()).expect("write");
    std::fs::write(app.join("app.deps.json"), "{}").expect("write");
    root
}

// Facts (glibc 2.36, chrooted): libicuuc.so.72 and libssl.so.3 are "not found" for the probe in
// the bare root and found in usr/lib/x86_64-linux-gnu once stubs of those sonames are there.
#[test]
fn a_dotnet_app_needs_icu_unless_invariant_and_openssl_for_cryptography() {
    let root = dotnet_root("dotnet", false);
    let root_arg = root.to_str().expect("utf-8");
    assert!(loader_finds(&root, "libicuuc.so.72").is_err());
    let (status, doc) = check(&[root_arg, "--layout", "rootfs"]);
    assert_eq!(status, 1, "{doc}");
    let icu = findings(&doc, "dlopen-missing");
    assert_eq!(icu.len(), 1, "{doc}");
    assert!(icu[0].0.ends_with("app/libcoreclr.so"), "{}", icu[0].0);
    assert_eq!(icu[0].1["evidence"]["reason"]["feature"], "globalization");
    let message = icu[0].1["message"].as_str().unwrap_or("");
    assert!(
        message.contains("Couldn't find a valid ICU package installed on the system"),
        "{message}"
    );
    assert!(
        icu[0].1["hint"]
            .as_str()
            .is_some_and(|h| h.contains("InvariantGlobalization")),
        "{doc}"
    );
    let ssl = findings(&doc, "dlopen-feature-missing");
    assert_eq!(ssl.len(), 1, "{doc}");
    assert_eq!(ssl[0].1["severity"], "warning");
    assert_eq!(ssl[0].1["evidence"]["names"][0], "libssl.so.3");
    assert!(
        ssl[0].1["message"]
            .as_str()
            .is_some_and(|m| m.contains("No usable version of libssl was found")),
        "{doc}"
    );

    for soname in ["libicuuc.so.72", "libssl.so.3"] {
        stub_library(&root.join(LIBDIR).join(soname), soname, &[]);
        assert_eq!(
            loader_finds(&root, soname),
            Ok(format!("/usr/lib/x86_64-linux-gnu/{soname}"))
        );
    }
    let (status, doc) = check(&[root_arg, "--layout", "rootfs"]);
    assert!(
        codes(&doc).iter().all(|c| !c.starts_with("dlopen")),
        "{doc}"
    );
    assert_eq!(status, 0, "{doc}");
}

#[test]
fn invariant_globalization_switches_icu_off() {
    let root = dotnet_root("dotnet-invariant", true);
    let (_, doc) = check(&[root.to_str().expect("utf-8"), "--layout", "rootfs"]);
    assert!(findings(&doc, "dlopen-missing").is_empty(), "{doc}");
    assert_eq!(findings(&doc, "dlopen-feature-missing").len(), 1, "{doc}");
}

/// A native AOT executable stand-in: it exports `DotNetRuntimeDebugHeader` (writable data that
/// starts with the "DNDH" cookie, as DebugHeader.cpp defines it)
/// and calls dlopen with names built as pal_icushim.c builds them; `uses_icu` false is what
/// `InvariantGlobalization` leaves (the ICU shim is not linked, so its strings are not there).
fn native_aot(path: &Path, uses_icu: bool) {
    let icu = if uses_icu {
        r#"snprintf(name, sizeof name, "%s.%d", "libicuuc.so", argc + 70); dlopen(name, RTLD_LAZY);"#
    } else {
        ""
    };
    let source = format!(
        r#"#include <dlfcn.h>
#include <stdio.h>
__attribute__((visibility("default"))) unsigned char DotNetRuntimeDebugHeader[16] = {{0x44, 0x4E, 0x44, 0x48}};
int main(int argc, char **argv) {{
    char name[64];
    (void)argv; (void)name;
    {icu}
    return dlopen("libssl.so.3", RTLD_LAZY) == 0;
}}
"#
    );
    program(
        path,
        &source,
        &["-Wl,--export-dynamic-symbol=DotNetRuntimeDebugHeader"],
    );
}

#[test]
fn a_native_aot_executable_loads_what_its_shims_name() {
    let root = mini_root("native-aot");
    native_aot(&root.join("app/app"), true);
    let root_arg = root.to_str().expect("utf-8");
    let (status, doc) = check(&[root_arg, "--layout", "rootfs"]);
    assert_eq!(status, 1, "{doc}");
    let icu = findings(&doc, "dlopen-missing");
    assert_eq!(icu.len(), 1, "{doc}");
    assert!(icu[0].0.ends_with("app/app"), "{}", icu[0].0);
    assert_eq!(icu[0].1["evidence"]["reason"]["app"], "native AOT");
    assert_eq!(icu[0].1["evidence"]["reason"]["feature"], "globalization");
    assert_eq!(findings(&doc, "dlopen-feature-missing").len(), 1, "{doc}");
    // The names it loads exactly are not also candidates.
    assert!(findings(&doc, "dlopen-candidates").is_empty(), "{doc}");

    for soname in ["libicuuc.so.72", "libssl.so.3"] {
        stub_library(&root.join(LIBDIR).join(soname), soname, &[]);
    }
    let (status, doc) = check(&[root_arg, "--layout", "rootfs"]);
    assert!(
        codes(&doc).iter().all(|c| !c.starts_with("dlopen")),
        "{doc}"
    );
    assert_eq!(status, 0, "{doc}");

    // Built with InvariantGlobalization: no ICU shim, no ICU need; a program that is not native
    // AOT (no DotNetRuntimeDebugHeader) is not taken for one.
    let root = mini_root("native-aot-invariant");
    native_aot(&root.join("app/app"), false);
    program(
        &root.join("app/tool"),
        "#include <dlfcn.h>\nint main(void) { return dlopen(\"libicuuc.so.72\", RTLD_LAZY) == 0; }\n",
        &[],
    );
    let (_, doc) = check(&[root.to_str().expect("utf-8"), "--layout", "rootfs"]);
    assert!(findings(&doc, "dlopen-missing").is_empty(), "{doc}");
    let crypto = findings(&doc, "dlopen-feature-missing");
    assert_eq!(crypto.len(), 1, "{doc}");
    assert!(crypto[0].0.ends_with("app/app"), "{}", crypto[0].0);
}

/// The same publish folder checked as an app against the .NET runtime-deps images: the chiseled
/// image's soname set is complete and has no ICU, its `-extra` variant has ICU.
#[test]
fn an_icu_need_fails_on_the_chiseled_image_unless_invariant() {
    for (invariant, baseline, icu_missing) in [
        (false, "runtime-deps:8.0-jammy-chiseled", true),
        (false, "runtime-deps:8.0-jammy-chiseled-extra", false),
        (true, "runtime-deps:8.0-jammy-chiseled", false),
    ] {
        let root = dotnet_root(&format!("chiseled-{invariant}-{icu_missing}"), invariant);
        let app = root.join("app");
        let (status, doc) = check(&[app.to_str().expect("utf-8"), "--baseline", baseline]);
        let icu = findings(&doc, "dlopen-missing");
        assert_eq!(icu.len(), usize::from(icu_missing), "{baseline}: {doc}");
        if icu_missing {
            assert_eq!(status, 1, "{doc}");
            assert_eq!(icu[0].1["evidence"]["reason"]["feature"], "globalization");
            assert_eq!(icu[0].1["baseline"], "runtime-deps-8.0-jammy-chiseled");
        }
        // Both images have OpenSSL 3 (the libssl3_libs slice).
        assert!(findings(&doc, "dlopen-feature-missing").is_empty(), "{doc}");
        assert!(findings(&doc, "dlopen-unknown").is_empty(), "{doc}");
    }
}
