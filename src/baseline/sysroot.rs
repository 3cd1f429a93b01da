//! `--sysroot DIR`: a real root filesystem as the baseline. Its library directories (the
//! loader's defaults, multiarch directories, and `/etc/ld.so.conf` with its includes, all
//! resolved inside DIR) are scanned for ELF libraries; their sonames and version definitions
//! become the baseline, exactly. Symlinks are resolved inside DIR and never lead out of it.

use super::{Baseline, BaselineSet};
use crate::arch::Libc;
use crate::binary::{self, Binary, FileKind, Sniffed};
use crate::version::VersionNode;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

/// Symlink hops allowed while resolving one path (the kernel's own limit is 40).
const MAX_LINK_HOPS: usize = 40;
/// `include` nesting allowed in ld.so.conf.
const MAX_INCLUDE_DEPTH: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum SysrootError {
    #[error("sysroot {}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("sysroot {}: no ELF shared libraries found in its library directories", path.display())]
    Empty { path: PathBuf },
}

/// Scans `root` and returns one baseline per architecture found in it.
pub fn scan(root: &Path) -> Result<BaselineSet, SysrootError> {
    let root = root
        .canonicalize()
        .map_err(|source| SysrootError::Unreadable {
            path: root.to_path_buf(),
            source,
        })?;
    if !root.is_dir() {
        return Err(SysrootError::Unreadable {
            path: root.clone(),
            source: std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory"),
        });
    }
    let dirs = library_dirs(&root);
    let mut parsed: HashMap<PathBuf, Option<Binary>> = HashMap::new();
    // arch key → soname → version definitions
    let mut libraries: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    let mut loader_paths: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // arch key → soname → the file on this machine (the first directory that has it wins)
    let mut files: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    let mut libc_versions: BTreeMap<String, String> = BTreeMap::new();
    for dir in &dirs {
        let Some(real_dir) = resolve_inside(&root, dir) else {
            continue;
        };
        let Ok(entries) = std::fs::read_dir(&real_dir) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|name| name.contains(".so"))
            .collect();
        names.sort();
        for name in names {
            let Some(real) = resolve_inside(&root, &dir.join(&name)) else {
                continue;
            };
            let binary = parsed
                .entry(real.clone())
                .or_insert_with(|| read_library(&real));
            let Some(binary) = binary else { continue };
            let Some(arch) = binary.arch.map(|a| a.db_key()) else {
                continue;
            };
            let defs: BTreeSet<String> = binary.version_defs.iter().cloned().collect();
            if is_loader_name(&name) {
                loader_paths
                    .entry(arch.clone())
                    .or_default()
                    .insert(dir.join(&name).display().to_string());
            }
            if name == "libc.so.6"
                && let Some(version) = glibc_release(&real)
            {
                libc_versions.insert(arch.clone(), version);
            }
            files
                .entry(arch.clone())
                .or_default()
                .entry(name.clone())
                .or_insert(real);
            libraries
                .entry(arch)
                .or_default()
                .entry(name)
                .or_insert(defs);
        }
    }
    if libraries.is_empty() {
        return Err(SysrootError::Empty { path: root });
    }
    let id = format!("sysroot:{}", root.display());
    let arches = libraries
        .into_iter()
        .map(|(arch, libs)| {
            let mut baseline = baseline_for(&id, &arch, libs, &loader_paths, &libc_versions);
            baseline.files = files.remove(&arch).unwrap_or_default();
            (arch, baseline)
        })
        .collect();
    let version = libc_versions.values().next().cloned();
    Ok(BaselineSet {
        id: id.clone(),
        name: format!("root filesystem {}", root.display()),
        libc: "glibc".into(),
        version,
        source: format!("measured from the ELF files under {}", root.display()),
        never_built_for: None,
        arches,
    })
}

fn baseline_for(
    id: &str,
    arch: &str,
    libs: BTreeMap<String, BTreeSet<String>>,
    loader_paths: &BTreeMap<String, BTreeSet<String>>,
    libc_versions: &BTreeMap<String, String>,
) -> Baseline {
    let mut nodes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in libs.values().flatten() {
        let node = VersionNode::parse(name);
        nodes
            .entry(node.family.to_string())
            .or_default()
            .insert(name.clone());
    }
    let loaders = loader_paths.get(arch).cloned().unwrap_or_default();
    Baseline {
        id: id.to_string(),
        name: id.to_string(),
        libc: if libs.keys().any(|n| n.starts_with("libc.musl-")) {
            Libc::Musl
        } else {
            Libc::Glibc
        },
        libc_version: libc_versions.get(arch).cloned(),
        arch: arch.to_string(),
        // For messages: a loader under its ABI name rather than its versioned file name.
        interpreter: loaders
            .iter()
            .find(|path| path.contains("/ld-linux") || path.contains("/ld64.so"))
            .or(loaders.iter().next())
            .cloned(),
        nodes,
        sonames_present: libs.keys().cloned().collect(),
        sonames_absent: BTreeSet::new(),
        sonames_complete: true,
        blacklist: BTreeMap::new(),
        packages: BTreeMap::new(),
        source: format!("{id} ({arch}, measured)"),
        libraries: Some(libs),
        loader_paths: loaders,
        files: BTreeMap::new(),
    }
}

/// Dynamic loaders' file names: glibc's `ld-linux*.so.N` and `ld-2.31.so`, `ld64.so.1/2`
/// (s390x, ppc64), `ld.so.1` (MIPS, 32-bit PowerPC), musl's `ld-musl-<arch>.so.1`.
fn is_loader_name(name: &str) -> bool {
    name.starts_with("ld-") || name.starts_with("ld64.so.") || name == "ld.so.1"
}

fn read_library(path: &Path) -> Option<Binary> {
    // Any ET_DYN: glibc's libc.so.6 has an interpreter and ld.so an entry point, and both
    // are still the libraries the loader maps.
    match binary::read_path(path) {
        Ok(Sniffed::Binary(binary))
            if matches!(
                binary.kind,
                FileKind::SharedLibrary | FileKind::PieExecutable | FileKind::StaticPieExecutable
            ) =>
        {
            Some(*binary)
        }
        _ => None,
    }
}

/// The glibc release from the version banner compiled into libc.so.6
/// ("... release version 2.31."), read from the file itself; `None` if absent.
fn glibc_release(libc: &Path) -> Option<String> {
    const MARKER: &[u8] = b"release version ";
    let data = std::fs::read(libc).ok()?;
    let start = data.windows(MARKER.len()).position(|w| w == MARKER)? + MARKER.len();
    let version: String = data[start..]
        .iter()
        .take(16)
        .take_while(|b| b.is_ascii_digit() || **b == b'.')
        .map(|b| char::from(*b))
        .collect();
    let version = version.trim_end_matches('.').to_string();
    (!version.is_empty()).then_some(version)
}

/// The loader's search directories inside the root, as paths relative to it ("/lib/...").
fn library_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut push = |dir: PathBuf| {
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    };
    let mut conf_dirs = Vec::new();
    read_ld_so_conf(root, Path::new("/etc/ld.so.conf"), 0, &mut conf_dirs);
    for dir in conf_dirs {
        push(dir);
    }
    for base in ["/lib", "/usr/lib"] {
        // Multiarch directories (Debian: /usr/lib/x86_64-linux-gnu).
        if let Some(real) = resolve_inside(root, Path::new(base))
            && let Ok(entries) = std::fs::read_dir(real)
        {
            let mut subdirs: Vec<String> = entries
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|name| name.contains("-linux-"))
                .collect();
            subdirs.sort();
            for sub in subdirs {
                push(Path::new(base).join(sub));
            }
        }
    }
    for default in [
        "/lib",
        "/lib64",
        "/lib32",
        "/usr/lib",
        "/usr/lib64",
        "/usr/lib32",
    ] {
        push(PathBuf::from(default));
    }
    dirs
}

/// Reads an ld.so.conf file (relative to the root), following `include` lines with `*`
/// globs in their last component.
fn read_ld_so_conf(root: &Path, conf: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > MAX_INCLUDE_DEPTH {
        return;
    }
    let Some(real) = resolve_inside(root, conf) else {
        return;
    };
    let Ok(text) = read_small_file(&real) else {
        return;
    };
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(pattern) = line.strip_prefix("include").map(str::trim) {
            for file in glob_inside(root, conf, pattern) {
                read_ld_so_conf(root, &file, depth + 1, out);
            }
        } else if line.starts_with('/') {
            out.push(PathBuf::from(line));
        }
    }
}

fn read_small_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(1 << 20)
        .read_to_string(&mut text)?;
    Ok(text)
}

/// Expands `dir/*.conf` (a `*` only in the last component), relative to the including file.
fn glob_inside(root: &Path, including: &Path, pattern: &str) -> Vec<PathBuf> {
    let pattern = if pattern.starts_with('/') {
        PathBuf::from(pattern)
    } else {
        including.parent().unwrap_or(Path::new("/")).join(pattern)
    };
    let (Some(dir), Some(name)) = (
        pattern.parent(),
        pattern.file_name().and_then(|n| n.to_str()),
    ) else {
        return Vec::new();
    };
    if !name.contains('*') {
        return vec![pattern.clone()];
    }
    let (prefix, suffix) = name.split_once('*').unwrap_or((name, ""));
    let Some(real_dir) = resolve_inside(root, dir) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(real_dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| {
            n.starts_with(prefix) && n.ends_with(suffix) && n.len() >= prefix.len() + suffix.len()
        })
        .map(|n| dir.join(n))
        .collect();
    files.sort();
    files
}

/// Resolves `path` (absolute, as seen from inside the root) to a real path under `root`,
/// following symlinks as the target system would: absolute link targets are taken relative
/// to the root, and no step may leave it. `None` when it does not exist, loops, or escapes.
pub fn resolve_inside(root: &Path, path: &Path) -> Option<PathBuf> {
    let mut pending: Vec<std::ffi::OsString> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name.to_os_string()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        })
        .rev()
        .collect();
    let mut current = PathBuf::new(); // relative to root
    let mut hops = 0;
    while let Some(name) = pending.pop() {
        if name == ".." {
            current.pop();
            continue;
        }
        let candidate = current.join(&name);
        let full = root.join(&candidate);
        let metadata = std::fs::symlink_metadata(&full).ok()?;
        if metadata.file_type().is_symlink() {
            hops += 1;
            if hops > MAX_LINK_HOPS {
                return None;
            }
            let target = std::fs::read_link(&full).ok()?;
            if target.is_absolute() {
                current = PathBuf::new();
            }
            let parts: Vec<std::ffi::OsString> = target
                .components()
                .filter_map(|c| match c {
                    Component::Normal(n) => Some(n.to_os_string()),
                    Component::ParentDir => Some("..".into()),
                    _ => None,
                })
                .collect();
            pending.extend(parts.into_iter().rev());
        } else {
            current = candidate;
        }
    }
    Some(root.join(current))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loaders_of_every_architecture_are_recognised() {
        for name in [
            "ld-linux-x86-64.so.2",
            "ld-2.31.so",
            "ld64.so.1",
            "ld64.so.2",
            "ld.so.1",
            "ld-musl-aarch64.so.1",
        ] {
            assert!(is_loader_name(name), "{name}");
        }
        assert!(!is_loader_name("libld.so.1"));
        assert!(!is_loader_name("ldap.so.2"));
    }

    #[test]
    fn links_resolve_inside_the_root_and_never_escape() {
        let root = std::env::temp_dir().join(format!("shipcheck-sysroot-{}", std::process::id()));
        let lib = root.join("lib");
        std::fs::create_dir_all(&lib).unwrap();
        std::fs::write(lib.join("real.so.1"), b"x").unwrap();
        let link = |target: &str, name: &str| {
            std::os::unix::fs::symlink(target, lib.join(name)).unwrap();
        };
        link("/lib/real.so.1", "absolute.so.1");
        link("real.so.1", "relative.so.1");
        link("../../../../etc/passwd", "escape");
        link("loop-b", "loop-a");
        link("loop-a", "loop-b");
        assert_eq!(
            resolve_inside(&root, Path::new("/lib/absolute.so.1")),
            Some(lib.join("real.so.1"))
        );
        assert_eq!(
            resolve_inside(&root, Path::new("/lib/relative.so.1")),
            Some(lib.join("real.so.1"))
        );
        // `..` stops at the root, so this looks for <root>/etc/passwd, which does not exist.
        assert_eq!(resolve_inside(&root, Path::new("/lib/escape")), None);
        assert_eq!(resolve_inside(&root, Path::new("/lib/loop-a")), None);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
