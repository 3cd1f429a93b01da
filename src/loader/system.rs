//! A root filesystem's own library directories, read from the tree: glibc's `/etc/ld.so.cache`
//! and its compiled-in system directories (`ld.so.conf` reaches the loader only through the
//! cache that `ldconfig` writes from it), musl's `/etc/ld-musl-<arch>.path` or its default path.

use super::Flavor;
use crate::binary::Binary;
use crate::tree::TreeIndex;
use std::path::{Path, PathBuf};

/// `include` nesting allowed in ld.so.conf.
const MAX_INCLUDE_DEPTH: usize = 8;
/// Bytes read of `/etc/ld.so.cache` (a full desktop system's is about 100 KiB).
const MAX_CACHE_BYTES: u64 = 64 << 20;
/// Bytes read of a dynamic loader (glibc's is about 200 KiB).
const MAX_LOADER_BYTES: u64 = 16 << 20;

/// How a checked directory is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The tree is the system itself: its library directories are the loader's.
    RootFs,
    /// An application folder to be installed somewhere: only `$ORIGIN` reaches into it.
    App,
}

impl Layout {
    pub fn as_str(&self) -> &'static str {
        match self {
            Layout::RootFs => "rootfs",
            Layout::App => "app",
        }
    }
}

/// Whether a walked directory is a root filesystem: it has the loader's configuration
/// (`etc/ld.so.conf`, `etc/ld-musl-*.path`), or a dynamic loader under `lib*/` beside a `usr/`.
pub fn looks_like_root_filesystem(tree: &TreeIndex) -> bool {
    if !tree.is_directory() {
        return false;
    }
    if tree.read_config(Path::new("/etc/ld.so.conf")).is_some()
        || tree
            .list_config_dir(Path::new("/etc"))
            .iter()
            .any(|name| name.starts_with("ld-musl-") && name.ends_with(".path"))
    {
        return true;
    }
    tree.has_dir(Path::new("/usr")) && root_filesystem_loader(tree).is_some()
}

/// The first dynamic loader of a known architecture that the tree holds at its PT_INTERP path.
pub fn root_filesystem_loader(tree: &TreeIndex) -> Option<&'static str> {
    LOADER_PATHS
        .iter()
        .copied()
        .find(|path| tree.resolve(Path::new(path)).is_some())
}

/// Loader paths of the architectures we know (PT_INTERP values).
const LOADER_PATHS: &[&str] = &[
    "/lib64/ld-linux-x86-64.so.2",
    "/lib/ld-linux-aarch64.so.1",
    "/lib/ld-linux-armhf.so.3",
    "/lib/ld-linux.so.3",
    "/lib/ld-linux.so.2",
    "/lib64/ld64.so.2",
    "/lib/ld64.so.1",
    "/lib/ld-linux-riscv64-lp64d.so.1",
    "/lib64/ld-linux-loongarch-lp64d.so.1",
    "/lib/ld-musl-x86_64.so.1",
    "/lib/ld-musl-aarch64.so.1",
    "/lib/ld-musl-armhf.so.1",
    "/lib/ld-musl-i386.so.1",
];

/// The system part of the search inside a root filesystem.
#[derive(Debug, Clone, Default)]
pub struct SystemDirs {
    /// glibc: `/etc/ld.so.cache` (soname, path), when the tree has one.
    pub cache: Option<Vec<(String, PathBuf)>>,
    /// glibc: the loader's compiled-in directories.
    glibc: Vec<(PathBuf, &'static str)>,
    /// glibc: `ld.so.conf` directories, which only reach the loader through the cache; searched
    /// only to say why a library is not found.
    pub conf: Vec<PathBuf>,
    /// musl: `/etc/ld-musl-<arch>.path` or its default path.
    musl: Vec<(PathBuf, &'static str)>,
    /// glibc loaders' compiled-in directories, by loader path, read once.
    compiled: std::cell::RefCell<std::collections::HashMap<String, Option<Vec<PathBuf>>>>,
}

impl SystemDirs {
    pub fn of_tree(tree: &TreeIndex) -> SystemDirs {
        let cache = tree
            .read_small(Path::new("/etc/ld.so.cache"), MAX_CACHE_BYTES)
            .and_then(|data| super::cache::parse(&data))
            .map(|entries| {
                entries
                    .into_iter()
                    .map(|(soname, path)| (soname, PathBuf::from(path)))
                    .collect()
            });
        let mut conf = Vec::new();
        read_ld_so_conf(tree, Path::new("/etc/ld.so.conf"), 0, &mut conf);
        // glibc's compiled-in system directories: Debian's multiarch ones, the lib64 pair of
        // 64-bit distributions, then /lib and /usr/lib (`ld.so --help`, "system search path").
        let mut glibc: Vec<(PathBuf, &'static str)> = Vec::new();
        for base in ["/lib", "/usr/lib"] {
            for name in tree.list_config_dir(Path::new(base)) {
                if name.contains("-linux-") {
                    push_unique(&mut glibc, Path::new(base).join(name), "system directory");
                }
            }
        }
        for dir in ["/lib64", "/usr/lib64", "/lib", "/usr/lib"] {
            push_unique(&mut glibc, PathBuf::from(dir), "system directory");
        }
        let musl_path = tree
            .list_config_dir(Path::new("/etc"))
            .into_iter()
            .find(|name| name.starts_with("ld-musl-") && name.ends_with(".path"))
            .and_then(|name| tree.read_config(&Path::new("/etc").join(name)));
        let musl = match musl_path {
            Some(text) => text
                .split(['\n', ':'])
                .map(str::trim)
                .filter(|dir| dir.starts_with('/'))
                .map(|dir| (PathBuf::from(dir), "ld-musl path file"))
                .collect(),
            None => ["/lib", "/usr/local/lib", "/usr/lib"]
                .iter()
                .map(|dir| (PathBuf::from(dir), "musl default path"))
                .collect(),
        };
        SystemDirs {
            cache,
            glibc,
            conf,
            musl,
            compiled: Default::default(),
        }
    }

    /// The system directories the loader of `entry`'s closure searches: musl's path; for
    /// glibc the list compiled into that loader's file in the tree (its `SYSTEM_DIRS`, read as
    /// ldd's `--help` prints them), else the union of the usual layouts.
    pub fn for_loader(
        &self,
        flavor: Flavor,
        tree: &TreeIndex,
        entry: &Binary,
    ) -> std::borrow::Cow<'_, [(PathBuf, &'static str)]> {
        use std::borrow::Cow;
        if flavor == Flavor::Musl {
            return Cow::Borrowed(&self.musl);
        }
        let loader = entry
            .interpreter
            .clone()
            .or_else(|| loader_path_for(entry).map(str::to_string));
        let compiled = loader.and_then(|path| {
            let mut cache = self.compiled.borrow_mut();
            cache
                .entry(path.clone())
                .or_insert_with(|| {
                    tree.read_small(Path::new(&path), MAX_LOADER_BYTES)
                        .and_then(|data| compiled_system_dirs(&data))
                })
                .clone()
        });
        match compiled {
            Some(dirs) => Cow::Owned(
                dirs.into_iter()
                    .map(|dir| (dir, "the loader's system directory"))
                    .collect(),
            ),
            None => Cow::Borrowed(&self.glibc),
        }
    }
}

/// The PT_INTERP path of a machine's glibc loader, for a library (which names none).
fn loader_path_for(binary: &Binary) -> Option<&'static str> {
    use crate::arch::Machine;
    let arch = binary.arch?;
    Some(match (arch.machine, arch.bits) {
        (Machine::X86_64, 64) => "/lib64/ld-linux-x86-64.so.2",
        (Machine::X86, 32) => "/lib/ld-linux.so.2",
        (Machine::Aarch64, 64) => "/lib/ld-linux-aarch64.so.1",
        (Machine::Arm, 32) => "/lib/ld-linux-armhf.so.3",
        (Machine::PowerPc64, 64) => "/lib64/ld64.so.2",
        (Machine::S390, 64) => "/lib/ld64.so.1",
        (Machine::LoongArch, 64) => "/lib64/ld-linux-loongarch-lp64d.so.1",
        (Machine::RiscV, 64) => "/lib/ld-linux-riscv64-lp64d.so.1",
        _ => return None,
    })
}

/// glibc's loader keeps its `SYSTEM_DIRS` as consecutive NUL-terminated absolute paths that end
/// in `/` (elf/dl-load.c, `system_dirs`: "/lib/x86_64-linux-gnu/\0/usr/lib/x86_64-linux-gnu/\0
/// /lib/\0/usr/lib/\0" on Debian's amd64 build). The first run of at least two such strings
/// that name a lib directory is that list.
fn compiled_system_dirs(data: &[u8]) -> Option<Vec<PathBuf>> {
    let looks_like_dir = |s: &[u8]| {
        s.len() > 2
            && s.len() < 128
            && s.starts_with(b"/")
            && s.ends_with(b"/")
            && s.windows(3).any(|w| w == b"lib")
            && s.iter().all(|b| b.is_ascii_graphic())
    };
    let mut run: Vec<&[u8]> = Vec::new();
    for piece in data.split(|&b| b == 0) {
        if looks_like_dir(piece) {
            run.push(piece);
            continue;
        }
        if run.len() >= 2 {
            break;
        }
        run.clear();
    }
    (run.len() >= 2).then(|| {
        run.into_iter()
            .map(|dir| {
                let text = String::from_utf8_lossy(dir);
                PathBuf::from(text.trim_end_matches('/'))
            })
            .collect()
    })
}

fn push_unique(dirs: &mut Vec<(PathBuf, &'static str)>, dir: PathBuf, source: &'static str) {
    if !dirs.iter().any(|(known, _)| *known == dir) {
        dirs.push((dir, source));
    }
}

/// Reads an ld.so.conf file of the tree, following `include` lines (a `*` glob in the last
/// component, relative to the including file), as `ldconfig` does.
pub fn read_ld_so_conf(tree: &TreeIndex, conf: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > MAX_INCLUDE_DEPTH {
        return;
    }
    let Some(text) = tree.read_config(conf) else {
        return;
    };
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(patterns) = line.strip_prefix("include") {
            for pattern in patterns.split_whitespace() {
                for file in glob(tree, conf, pattern) {
                    read_ld_so_conf(tree, &file, depth + 1, out);
                }
            }
        } else if line.starts_with('/') {
            out.extend(
                line.split([' ', '\t', ',', ':'])
                    .filter(|d| d.starts_with('/'))
                    .map(PathBuf::from),
            );
        }
    }
}

/// Expands `dir/*.conf` (a `*` only in the last component) inside the tree.
fn glob(tree: &TreeIndex, including: &Path, pattern: &str) -> Vec<PathBuf> {
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
    let Some((prefix, suffix)) = name.split_once('*') else {
        return vec![pattern.clone()];
    };
    tree.list_config_dir(dir)
        .into_iter()
        .filter(|n| {
            n.starts_with(prefix) && n.ends_with(suffix) && n.len() >= prefix.len() + suffix.len()
        })
        .map(|n| dir.join(n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_system_directories_compiled_into_a_loader() {
        let data = b"\x7fELF junk\0/etc/ld.so.cache\0/lib/x86_64-linux-gnu/\0/usr/lib/x86_64-linux-gnu/\0/lib/\0/usr/lib/\0more\0";
        assert_eq!(
            compiled_system_dirs(data),
            Some(
                [
                    "/lib/x86_64-linux-gnu",
                    "/usr/lib/x86_64-linux-gnu",
                    "/lib",
                    "/usr/lib"
                ]
                .map(PathBuf::from)
                .to_vec()
            )
        );
        assert_eq!(compiled_system_dirs(b"/lib/\0nothing else\0"), None);
        // This machine's own loader, as `ld.so --help` prints its "system search path".
        let host = std::fs::read("/lib64/ld-linux-x86-64.so.2").expect("this machine's loader");
        let dirs = compiled_system_dirs(&host).expect("found in the host's loader");
        assert!(dirs.contains(&PathBuf::from("/usr/lib")), "{dirs:?}");
    }
}
