//! `debug-info-present` and `debug-link`: debug sections, `.symtab`, and separate debug files.

use crate::binary::{Binary, Format};
use crate::findings::Issue;
use std::path::Path;

pub fn check(binary: &Binary, path: &Path) -> Vec<Issue> {
    if binary.format != Format::Elf {
        return Vec::new();
    }
    let debug = &binary.debug;
    let mut issues = Vec::new();
    if debug.separate_debug_file {
        issues.push(Issue::DebugFile {
            debug_bytes: debug.debug_bytes(),
            build_id: debug.build_id.clone(),
        });
    } else if !debug.sections.is_empty() || debug.symtab_bytes.is_some() {
        issues.push(Issue::DebugInfoPresent {
            debug_sections: debug.sections.len(),
            debug_bytes: debug.debug_bytes(),
            symtab_bytes: debug.symtab_bytes,
            compressed: debug.sections.iter().any(|s| s.uncompressed_size.is_some()),
        });
    }
    if let Some(link) = &debug.debuglink {
        issues.push(Issue::DebugLink {
            debuglink: link.clone(),
            companion_found: companion(path, link),
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
