//! `--sysroot DIR`: a real root filesystem as the baseline. Its library directories (the
//! loader's defaults, multiarch directories, and `/etc/ld.so.conf` with its includes, all
//! resolved inside DIR) are scanned for ELF libraries; their sonames and version definitions
//! become the baseline, exactly. Symlinks are resolved inside DIR and never lead out of it.

use super::names::{NameSet, Packages};
use super::{Baseline, BaselineSet, Fact, KernelVersion, Method};
use crate::arch::Libc;
use crate::binary::FileKind;
use crate::loader::read_ld_so_conf;
use crate::tree::TreeIndex;
use crate::version::VersionNode;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

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
    // The root is read through the same index the loader model uses: symlinks resolve inside
    // it, `ld.so.conf` is read as the loader model reads it.
    let tree = TreeIndex::on_disk(root.clone());
    let dirs = library_dirs(&tree);
    // arch key → soname → version definitions
    let mut libraries: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    let mut loader_paths: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // arch key → soname → the file on this machine (the first directory that has it wins)
    let mut files: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    let mut libc_versions: BTreeMap<String, String> = BTreeMap::new();
    // arch key → libc.so.6's NT_GNU_ABI_TAG and the path it was read from
    let mut min_kernels: BTreeMap<String, Fact<KernelVersion>> = BTreeMap::new();
    for dir in &dirs {
        let names = tree
            .list_config_dir(dir)
            .into_iter()
            .filter(|name| name.contains(".so"));
        for name in names {
            let Some((real, Some(binary))) = tree.resolve(&dir.join(&name)) else {
                continue;
            };
            // Any ET_DYN: glibc's libc.so.6 has an interpreter and ld.so an entry point, and
            // both are still the libraries the loader maps.
            if !matches!(
                binary.kind,
                FileKind::SharedLibrary | FileKind::PieExecutable | FileKind::StaticPieExecutable
            ) {
                continue;
            }
            let Some(arch) = binary.arch.map(|a| a.db_key()) else {
                continue;
            };
            let on_disk = tree.on_this_machine(&real);
            let defs: BTreeSet<String> = binary.version_defs.iter().cloned().collect();
            if is_loader_name(&name) {
                loader_paths
                    .entry(arch.clone())
                    .or_default()
                    .insert(dir.join(&name).display().to_string());
            }
            if name == "libc.so.6"
                && let Some(version) = glibc_release(&on_disk)
            {
                libc_versions.insert(arch.clone(), version);
            }
            if name == "libc.so.6"
                && let Some([major, minor, patch]) = binary.run.abi_kernel
            {
                min_kernels.entry(arch.clone()).or_insert_with(|| Fact {
                    value: KernelVersion::new(major, minor, patch),
                    method: Method::Measured,
                    source: format!("NT_GNU_ABI_TAG note of {}", dir.join(&name).display()),
                });
            }
            files
                .entry(arch.clone())
                .or_default()
                .entry(name.clone())
                .or_insert(on_disk);
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
            baseline.glibc_min_kernel = min_kernels.remove(&arch);
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
        kernel: None,
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
            .insert(node.tag.to_string());
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
        nodes: nodes
            .into_iter()
            .map(|(family, tags)| (family.into(), tags.iter().map(String::as_str).collect()))
            .collect(),
        sonames_present: libs.keys().map(String::as_str).collect(),
        sonames_absent: NameSet::default(),
        sonames_complete: true,
        blacklist: BTreeMap::new(),
        packages: Packages::default(),
        source: format!("{id} ({arch}, measured)"),
        libraries: Some(libs),
        loader_paths: loaders,
        files: BTreeMap::new(),
        // A root filesystem says nothing of the kernel it will run on or of its CPU. Its glibc's
        // minimum kernel (libc.so.6's note) is filled in by `scan`.
        kernel: None,
        glibc_min_kernel: None,
        page_sizes: None,
        isa_level: None,
    }
}

/// Dynamic loaders' file names: glibc's `ld-linux*.so.N` and `ld-2.31.so`, `ld64.so.1/2`
/// (s390x, ppc64), `ld.so.1` (MIPS, 32-bit PowerPC), musl's `ld-musl-<arch>.so.1`.
fn is_loader_name(name: &str) -> bool {
    name.starts_with("ld-") || name.starts_with("ld64.so.") || name == "ld.so.1"
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

/// The loader's search directories inside the root, as paths relative to it ("/lib/..."):
/// `ld.so.conf` with its includes, the multiarch directories, then the usual defaults.
fn library_dirs(tree: &TreeIndex) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut push = |dir: PathBuf| {
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    };
    let mut conf_dirs = Vec::new();
    read_ld_so_conf(tree, Path::new("/etc/ld.so.conf"), 0, &mut conf_dirs);
    for dir in conf_dirs {
        push(dir);
    }
    for base in ["/lib", "/usr/lib"] {
        // Multiarch directories (Debian: /usr/lib/x86_64-linux-gnu).
        for sub in tree.list_config_dir(Path::new(base)) {
            if sub.contains("-linux-") {
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
        let tree = TreeIndex::on_disk(root.clone());
        let real = |path: &str| tree.follow(Path::new(path));
        assert_eq!(
            real("/lib/absolute.so.1"),
            Some(PathBuf::from("/lib/real.so.1"))
        );
        assert_eq!(
            real("/lib/relative.so.1"),
            Some(PathBuf::from("/lib/real.so.1"))
        );
        // `..` stops at the root: the link names the root's /etc/passwd, never this machine's.
        assert_eq!(real("/lib/escape"), Some(PathBuf::from("/etc/passwd")));
        assert!(tree.read_config(Path::new("/lib/escape")).is_none());
        assert_eq!(real("/lib/loop-a"), None);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
