//! `debug-info-present`, `not-stripped`, `debug-file` and `debug-link`: DWARF sections, a
//! bare symbol table, and separate debug files shipped in the release.

use crate::binary::{Binary, Format};
use crate::findings::Issue;
use std::path::Path;

/// `owner`: the file of the tree a separate debug file belongs to (same build-id, or named by
/// its `.gnu_debuglink`).
pub fn check(binary: &Binary, path: &Path, owner: Option<&str>) -> Vec<Issue> {
    if binary.format != Format::Elf {
        return Vec::new();
    }
    let debug = &binary.debug;
    let mut issues = Vec::new();
    if debug.separate_debug_file {
        issues.push(Issue::DebugFile {
            debug_bytes: debug.debug_bytes(),
            build_id: debug.build_id.clone(),
            belongs_to: owner.map(str::to_string),
        });
    } else if !debug.sections.is_empty() {
        issues.push(Issue::DebugInfoPresent {
            debug_sections: debug.sections.len(),
            debug_bytes: debug.debug_bytes(),
            symtab_bytes: debug.symtab_bytes,
            compressed: debug.sections.iter().any(|s| s.uncompressed_size.is_some()),
        });
    } else if let Some(symtab_bytes) = debug.symtab_bytes {
        issues.push(Issue::NotStripped { symtab_bytes });
    }
    // A companion that is not shipped is where it belongs (every distribution package works
    // so): nothing to say.
    if let Some(link) = &debug.debuglink
        && let Some(found) = companion(path, link)
    {
        issues.push(Issue::DebugLink {
            debuglink: link.clone(),
            companion_found: Some(found),
        });
    }
    issues
}
/// Looks where gdb looks first: beside the file and in its `.debug/` directory. A link that
/// names a path (not a bare file name) is not followed.
fn companion(path: &Path, link: &str) -> Option<String> {
    if link.contains('/') {
        return None;
    }
    let dir = path.parent()?;
    [dir.join(link), dir.join(".debug").join(link)]
        .into_iter()
        .find(|candidate| candidate.symlink_metadata().is_ok_and(|m| m.is_file()))
        .map(|found| found.display().to_string())
}
