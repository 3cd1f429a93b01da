//! What Mono loads for `[DllImport]`: the `dllmap` entries of an assembly's own config file
//! (`Foo.dll.config` beside `Foo.dll`, mono/metadata/mono-config.c @ 0558d51f,
//! `mono_config_for_assembly_internal`) map a library name to the file Mono opens at the first
//! call, and a missing one throws `System.DllNotFoundException`
//! (mono/metadata/native-library.c @ 0339fe11).
//!
//! Left out: Mono's global `etc/mono/config`, which maps libraries for every assembly Mono
//! ships (libgdiplus, sqlite, X11 …) whether or not the app uses them, `<dllentry>` per-function
//! maps, the `cpu`/`wordsize` filters (entries are kept whatever they say), and the configs
//! embedded in `mkbundle` executables.

use super::{Reason, RuntimeLoad, TreeFile};
use crate::tree::TreeIndex;
use std::path::{Path, PathBuf};

/// The Mono runtime's own files: the library that resolves `[DllImport]` and the programs that
/// link it statically.
fn is_mono_runtime(file: &TreeFile) -> bool {
    let soname = file.binary.soname.as_deref().unwrap_or("");
    let name = file
        .vpath
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("");
    soname.starts_with("libmonosgen-2.0.so")
        || soname.starts_with("libmono-2.0.so")
        || soname.starts_with("libmonoboehm-2.0.so")
        || (file.binary.interpreter.is_some()
            && matches!(name, "mono" | "mono-sgen" | "mono-boehm"))
}

/// One `<dllmap>` that applies on Linux.
#[derive(Debug, PartialEq, Eq)]
struct DllMap {
    dll: String,
    target: String,
}

/// The run-time loads the assemblies' dllmaps give the Mono runtime of the tree.
pub fn loads(
    tree: &TreeIndex,
    files: &[TreeFile],
    descriptions: &[PathBuf],
) -> Vec<(PathBuf, RuntimeLoad)> {
    // The library that does the loading, else a program that links the runtime statically.
    let runtime = files
        .iter()
        .filter(|f| is_mono_runtime(f))
        .min_by_key(|f| (f.binary.soname.is_none(), f.vpath.clone()));
    let Some(runtime) = runtime else {
        return Vec::new();
    };
    let mut loads = Vec::new();
    for config in descriptions.iter().filter(|p| is_assembly_config(tree, p)) {
        let Some(text) = tree.read_config(config) else {
            continue;
        };
        for map in dllmaps(&text) {
            let reason = Reason::MonoDllmap {
                dll: map.dll.clone(),
                config: tree.display(config).display().to_string(),
            };
            // mono_lookup_pinvoke_call: the assembly's directory, then the runtime's
            // `../lib`, then dlopen's own search (native-library.c, legacy_probe_for_module).
            let mut search_first = Vec::new();
            if !map.target.contains('/') {
                search_first.extend(config.parent().map(Path::to_path_buf));
                if let Some(dir) = runtime.vpath.parent().and_then(Path::parent) {
                    search_first.push(dir.join("lib"));
                }
            }
            loads.push((
                runtime.vpath.clone(),
                RuntimeLoad {
                    names: probed_names(&map.target),
                    reason,
                    search_first,
                },
            ));
        }
    }
    loads
}

/// `Foo.dll.config` or `app.exe.config` whose assembly is beside it.
fn is_assembly_config(tree: &TreeIndex, path: &Path) -> bool {
    let text = path.to_string_lossy();
    let Some(assembly) = text.strip_suffix(".config") else {
        return false;
    };
    (assembly.ends_with(".dll") || assembly.ends_with(".exe"))
        && tree.resolve(Path::new(assembly)).is_some()
}

/// The names Mono tries for a dllmap target: as written, without `.dll`, with `lib`, each
/// with `.so` appended where it has none (native-library.c `legacy_probe_for_module`,
/// mono-dl.c `mono_dl_build_path`).
fn probed_names(target: &str) -> Vec<String> {
    let mut names = vec![target.to_string()];
    if target.contains('/') || target.contains(".so") {
        return names;
    }
    let base = target.strip_suffix(".dll").unwrap_or(target);
    for name in [
        format!("{base}.so"),
        format!("lib{}.so", base.strip_prefix("lib").unwrap_or(base)),
    ] {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The `<dllmap>` entries of a config file that apply on Linux; a file that is not XML has none.
fn dllmaps(text: &str) -> Vec<DllMap> {
    let Ok(document) = roxmltree::Document::parse(text) else {
        return Vec::new();
    };
    document
        .descendants()
        .filter(|node| node.has_tag_name("dllmap"))
        .filter(|node| node.attribute("os").is_none_or(|os| applies("linux", os)))
        .filter_map(|node| {
            let dll = node.attribute("dll")?;
            let target = node.attribute("target")?;
            // `__Internal` is the program itself.
            (target != "__Internal").then(|| DllMap {
                dll: dll.trim_start_matches("i:").to_string(),
                target: target.to_string(),
            })
        })
        .collect()
}

/// Mono's filter syntax: a comma-separated list, negated as a whole by a leading `!`.
fn applies(value: &str, filter: &str) -> bool {
    let (negated, list) = match filter.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, filter),
    };
    let listed = list.split(',').any(|item| item.trim() == value);
    listed != negated
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dllmaps_for_linux_are_kept() {
        let config = r#"<configuration>
            <dllmap dll="MonoPosixHelper" target="libMonoPosixHelper.so" os="!windows"/>
            <dllmap dll="i:kernel32.dll" target="libc.so.6" os="!windows,osx"/>
            <dllmap dll="winonly" target="winonly.dll" os="windows"/>
            <dllmap dll="self" target="__Internal"/>
        </configuration>"#;
        assert_eq!(
            dllmaps(config),
            [
                DllMap {
                    dll: "MonoPosixHelper".into(),
                    target: "libMonoPosixHelper.so".into()
                },
                DllMap {
                    dll: "kernel32.dll".into(),
                    target: "libc.so.6".into()
                },
            ]
        );
        assert!(dllmaps("<not xml").is_empty());
    }
}
