//! `exec-stack`, `exec-stack-dlopen` and `static-tls-dlopen`: what the loader refuses or runs
//! short of when a file is mapped, beyond its needs.

use super::hardening::exec_stack;
use crate::baseline::Baseline;
use crate::binary::{Binary, FileKind};
use crate::findings::Issue;
use crate::version::parse_numeric;

/// The first glibc whose dlopen refuses a library that needs an executable stack
/// (NEWS for 2.41: "dlopen and dlmopen no longer make the stack executable").
const GLIBC_REFUSES_EXEC_STACK: &str = "2.41";

/// What holds whatever the baseline: an executable stack, static TLS in a dlopened library.
pub fn check(binary: &Binary, dlopened: bool) -> Vec<Issue> {
    let mut issues = Vec::new();
    let is_library = binary.kind == FileKind::SharedLibrary;
    if exec_stack(binary) == Some(true) && crate::loader::uses_loader(binary) {
        issues.push(Issue::ExecStack {
            flagged: binary.run.exec_stack == Some(true),
            dlopened: dlopened && is_library,
            refused_by: None,
        });
    }
    if dlopened && is_library && binary.run.static_tls {
        issues.push(Issue::StaticTlsDlopen {
            tls_bytes: binary.run.tls_size,
        });
    }
    issues
}

/// A dlopened library that needs an executable stack, on a baseline whose glibc refuses it.
pub fn against(binary: &Binary, dlopened: bool, baseline: &Baseline) -> Option<Issue> {
    // The file's own facts first: they rule out nearly every file before any version is read.
    if !(dlopened && binary.kind == FileKind::SharedLibrary && exec_stack(binary) == Some(true)) {
        return None;
    }
    let glibc = baseline.libc_version.as_deref()?;
    let refuses = baseline.libc == crate::arch::Libc::Glibc
        && parse_numeric(glibc)? >= parse_numeric(GLIBC_REFUSES_EXEC_STACK)?;
    refuses.then(|| Issue::ExecStack {
        flagged: binary.run.exec_stack == Some(true),
        dlopened: true,
        refused_by: Some((baseline.id.clone(), glibc.to_string())),
    })
}
