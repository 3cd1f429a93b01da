//! Helpers shared by the integration tests; each test file that uses them has `mod common;`.

// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use std::fs::Metadata;
use std::path::{Path, PathBuf};

/// The regular files below `dir` that `keep` accepts, sorted. Symlinks are not followed;
/// subfolders are entered only if `recursive`. Unreadable folders are passed over.
pub fn files_below(
    dir: &Path,
    recursive: bool,
    keep: impl Fn(&Path, &Metadata) -> bool,
) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            // DirEntry::metadata does not follow a symlink.
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            let path = entry.path();
            if meta.is_dir() && recursive {
                stack.push(path);
            } else if meta.is_file() && keep(&path, &meta) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// A new, empty folder `shipcheck-<name>-<pid>` in the system's temporary directory.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shipcheck-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}
