//! `rpath-absolute`: RPATH/RUNPATH entries that point at absolute directories outside the
//! system library paths, usually a build directory that leaked into the release.

use crate::binary::Binary;
use crate::findings::Issue;

pub fn check(binary: &Binary) -> Vec<Issue> {
    let tagged = binary
        .rpath
        .iter()
        .map(|entry| ("DT_RPATH", entry))
        .chain(binary.runpath.iter().map(|entry| ("DT_RUNPATH", entry)));
    tagged
        .filter(|(_, entry)| entry.starts_with('/') && !is_system_dir(entry))
        .map(|(tag, entry)| Issue::RpathAbsolute {
            tag,
            entry: entry.clone(),
        })
        .collect()
}

/// The loader's default directories and their multiarch subdirectories
/// (`/usr/lib/x86_64-linux-gnu`).
fn is_system_dir(entry: &str) -> bool {
    const ROOTS: [&str; 10] = [
        "/lib",
        "/lib64",
        "/lib32",
        "/libx32",
        "/usr/lib",
        "/usr/lib64",
        "/usr/lib32",
        "/usr/libx32",
        "/usr/local/lib",
        "/usr/local/lib64",
    ];
    let entry = entry.trim_end_matches('/');
    ROOTS.iter().any(|root| {
        entry == *root
            || entry
                .strip_prefix(root)
                .and_then(|rest| rest.strip_prefix('/'))
                .is_some_and(|sub| !sub.contains('/') && sub.contains("-linux-"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_directories_are_fine() {
        assert!(is_system_dir("/usr/lib"));
        assert!(is_system_dir("/usr/lib/x86_64-linux-gnu"));
        assert!(is_system_dir("/lib/aarch64-linux-gnu/"));
        assert!(!is_system_dir("/home/builder/work/build/out/lib"));
        assert!(!is_system_dir("/usr/lib/x86_64-linux-gnu/deeper"));
        assert!(!is_system_dir("/usr/library"));
    }
}
