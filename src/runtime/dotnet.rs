//! What the .NET runtime loads with `dlopen` on Linux, from dotnet/runtime's native shims, and
//! how an app's own settings switch a load off.
//!
//! A self-contained app folder (or a shared runtime) carries the shims as files: ICU is loaded
//! from `libcoreclr.so`, which links `System.Globalization.Native-Static`
//! (src/coreclr/dlls/mscoree/coreclr/CMakeLists.txt @ 05273c57; `libSystem.Globalization.Native.so`
//! is still built beside it), OpenSSL from `libSystem.Security.Cryptography.Native.OpenSsl.so`,
//! GSSAPI from `libSystem.Net.Security.Native.so`. A native AOT executable links the shims
//! statically and only those the app uses: with `InvariantGlobalization` the ICU shim is not
//! linked at all (Microsoft.NETCore.Native.Unix.targets @ 01225b2c, `NetCoreAppNativeLibrary
//! Include="System.Globalization.Native" Condition="… '$(InvariantGlobalization)' != 'true'"`),
//! so the library names in its read-only data say what it loads.
//!
//! Left out: the `suse` ICU prefix (`libicuuc.so.suse65`), minor-versioned ICU names (every
//! distribution also ships the major soname), the `CLR_ICU_VERSION_OVERRIDE` /
//! `CLR_OPENSSL_VERSION_OVERRIDE` environment variables, app-local ICU, and loads that fail
//! silently or only disable a feature quietly (libnuma, `libcoreclrtraceptprovider.so`,
//! `libmsquic.so.2`, `libgdiplus.so`).

use super::{DotnetFeature, Reason, RuntimeLoad, TreeFile};
use crate::tree::TreeIndex;
use std::path::{Path, PathBuf};

/// The ICU majors `FindLibWithMajorVersion` probes for `libicuuc.so.<N>` (and
/// `libicui18n.so.<N>` of the same N), newest first: `MinICUVersion` 50 up to `MaxICUVersion`,
/// `U_ICU_VERSION_MAJOR_NUM + 30` of the ICU headers the runtime was built with
/// (src/native/libs/System.Globalization.Native/pal_icushim.c @ 056c9b9d). The build's ICU is
/// not recorded in the binary; 100 covers every ICU release to date.
const ICU_NEWEST: u32 = 100;
const ICU_OLDEST: u32 = 50;

/// `InitializeOpenSSLShim`'s order, OpenSSL 3 first; only libssl is opened, libcrypto comes as
/// its DT_NEEDED (src/native/libs/System.Security.Cryptography.Native/opensslshim.c @ 03ed9353).
const OPENSSL: &[&str] = &[
    "libssl.so.3",
    "libssl.so.1.1",
    "libssl.so.1.0.2",
    "libssl.so.1.0.0",
    "libssl.so.10",
    "libssl.so.11",
    "libssl.so.111",
];

/// `gss_lib_name`, opened on first use (src/native/libs/System.Net.Security.Native/pal_gssapi.c
/// @ 023ec28a, `GSS_SHIM` on Linux).
const GSSAPI: &[&str] = &["libgssapi_krb5.so.2"];

/// The files of a self-contained app that hold each shim.
const CORECLR: &str = "libcoreclr.so";
const ICU_SHIM: &str = "libSystem.Globalization.Native.so";
const OPENSSL_SHIM: &str = "libSystem.Security.Cryptography.Native.OpenSsl.so";
const GSSAPI_SHIM: &str = "libSystem.Net.Security.Native.so";

/// The symbol a native AOT executable exports for debuggers unless `DebuggerSupport` is off
/// (src/coreclr/nativeaot/Runtime/DebugHeader.cpp @ 06b4ed91; the targets pass
/// `--export-dynamic-symbol:DotNetRuntimeDebugHeader`).
const NATIVE_AOT_MARKER: &str = "DotNetRuntimeDebugHeader";

/// The runtimeconfig.json property that turns ICU off.
const INVARIANT: &str = "System.Globalization.Invariant";

/// One `<app>.runtimeconfig.json` of the tree.
struct RuntimeConfig {
    path: PathBuf,
    /// `System.Globalization.Invariant` is true: the app never loads ICU.
    invariant: bool,
}

/// The run-time loads of the .NET apps and runtimes in a tree, by the file that loads them.
pub fn loads(
    tree: &TreeIndex,
    files: &[TreeFile],
    descriptions: &[PathBuf],
) -> Vec<(PathBuf, RuntimeLoad)> {
    let configs: Vec<RuntimeConfig> = descriptions
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(".runtimeconfig.json"))
        .map(|path| RuntimeConfig {
            path: path.clone(),
            invariant: tree.read_config(path).is_some_and(|text| invariant(&text)),
        })
        .collect();
    let mut loads = Vec::new();
    for file in files {
        let Some(name) = file.vpath.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let dir = file.vpath.parent().unwrap_or(Path::new("/"));
        let folder = |feature| Reason::Dotnet {
            feature,
            app: app_name(tree, dir, &configs),
        };
        // CoreCLR loads ICU itself; the separate shim only where no libcoreclr.so is beside it.
        let icu_here = name == CORECLR
            || (name == ICU_SHIM
                && !files
                    .iter()
                    .any(|f| f.vpath.parent() == Some(dir) && f.vpath.ends_with(CORECLR)));
        if icu_here && !invariant_in(dir, &configs) {
            loads.push((
                file.vpath.clone(),
                icu(folder(DotnetFeature::Globalization)),
            ));
        } else if name == OPENSSL_SHIM {
            loads.push((
                file.vpath.clone(),
                openssl(folder(DotnetFeature::Cryptography)),
            ));
        } else if name == GSSAPI_SHIM {
            let reason = folder(DotnetFeature::NegotiateAuthentication);
            loads.push((file.vpath.clone(), gssapi(reason)));
        } else if file.binary.interpreter.is_some() && looks_native_aot(tree, file) {
            loads.extend(
                native_aot(file)
                    .into_iter()
                    .map(|l| (file.vpath.clone(), l)),
            );
        }
    }
    loads
}

/// The loads a native AOT executable kept: its read-only data names the libraries of the
/// shims it links.
fn native_aot(file: &TreeFile) -> Vec<RuntimeLoad> {
    let reason = |feature| Reason::Dotnet {
        feature,
        app: "native AOT".into(),
    };
    let names = &file.binary.dlopen_names;
    let mentions = |prefix: &str| names.iter().any(|n| n.starts_with(prefix));
    let mut loads = Vec::new();
    if mentions("libicuuc.so") {
        loads.push(icu(reason(DotnetFeature::Globalization)));
    }
    if mentions("libssl.so") {
        loads.push(openssl(reason(DotnetFeature::Cryptography)));
    }
    if mentions("libgssapi_krb5.so") {
        loads.push(gssapi(reason(DotnetFeature::NegotiateAuthentication)));
    }
    loads
}

/// An ELF program whose strings name the shims' libraries and that exports the native AOT
/// debug header (read only for such candidates: it rereads the dynamic symbols).
fn looks_native_aot(tree: &TreeIndex, file: &TreeFile) -> bool {
    let names = &file.binary.dlopen_names;
    if !names
        .iter()
        .any(|n| n.starts_with("libicuuc.so") || n.starts_with("libssl.so"))
    {
        return false;
    }
    let mut exported = false;
    tree.visit_dynamic_symbols(&file.vpath, &mut |symbol| {
        exported |= symbol.defined && symbol.name == NATIVE_AOT_MARKER;
    });
    exported
}

fn icu(reason: Reason) -> RuntimeLoad {
    RuntimeLoad {
        names: (ICU_OLDEST..=ICU_NEWEST)
            .rev()
            .map(|major| format!("libicuuc.so.{major}"))
            .collect(),
        reason,
        search_first: Vec::new(),
    }
}

fn openssl(reason: Reason) -> RuntimeLoad {
    RuntimeLoad {
        names: OPENSSL.iter().map(|s| s.to_string()).collect(),
        reason,
        search_first: Vec::new(),
    }
}

fn gssapi(reason: Reason) -> RuntimeLoad {
    RuntimeLoad {
        names: GSSAPI.iter().map(|s| s.to_string()).collect(),
        reason,
        search_first: Vec::new(),
    }
}

/// `runtimeOptions.configProperties["System.Globalization.Invariant"]` is true (a boolean,
/// or the string "true" as MSBuild sometimes writes it).
fn invariant(text: &str) -> bool {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    match json
        .pointer("/runtimeOptions/configProperties")
        .and_then(|p| p.get(INVARIANT))
    {
        Some(serde_json::Value::Bool(on)) => *on,
        Some(serde_json::Value::String(on)) => on.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// Whether the app(s) a runtime in `dir` serves run in invariant mode: the runtimeconfig
/// beside it says so (a self-contained app), or, for a shared runtime, every app of the tree
/// does.
fn invariant_in(dir: &Path, configs: &[RuntimeConfig]) -> bool {
    let beside: Vec<&RuntimeConfig> = configs
        .iter()
        .filter(|c| c.path.parent() == Some(dir))
        .collect();
    if !beside.is_empty() {
        return beside.iter().all(|c| c.invariant);
    }
    !configs.is_empty() && configs.iter().all(|c| c.invariant)
}

/// How the app is named in findings: its runtimeconfig, else the runtime folder.
fn app_name(tree: &TreeIndex, dir: &Path, configs: &[RuntimeConfig]) -> String {
    match configs.iter().find(|c| c.path.parent() == Some(dir)) {
        Some(config) => tree.display(&config.path).display().to_string(),
        None => format!("runtime in {}", tree.display(dir).display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invariant_mode_is_read_from_runtimeconfig() {
        let on = r#"{"runtimeOptions":{"tfm":"net8.0","configProperties":{"System.Globalization.Invariant":true}}}"#;
        let off = r#"{"runtimeOptions":{"tfm":"net8.0","configProperties":{"System.Globalization.Invariant":false}}}"#;
        let absent = r#"{"runtimeOptions":{"tfm":"net8.0"}}"#;
        assert!(invariant(on));
        assert!(!invariant(off));
        assert!(!invariant(absent));
        assert!(!invariant("not json"));
    }
}
