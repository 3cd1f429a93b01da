//! Checks: each module turns the facts of one file (plus a target and a baseline) into typed
//! [`Issue`]s. They never print and never decide exit codes.

pub mod arch;
pub mod blacklist;
pub mod debug;
pub mod interpreter;
pub mod rpath;
pub mod sonames;
pub mod symbols;

use crate::baseline::Baseline;
use crate::binary::Binary;
use crate::report::finding::Issue;
use crate::resolve::Resolution;
use crate::target::Target;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The baseline as it applies to one file's architecture.
#[derive(Debug, Clone, Copy)]
pub enum BaselineFor<'a> {
    Known(&'a Baseline),
    /// The release exists but has no data for this architecture.
    ArchUnknown {
        id: &'a str,
        arch: &'a str,
        known: &'a [String],
    },
}

/// Everything a check may look at for one file.
pub struct FileContext<'a> {
    pub path: &'a Path,
    pub binary: &'a Binary,
    pub resolved: &'a BTreeMap<String, Resolution>,
    pub target: Option<&'a Target>,
    /// Sonames the policy says the target provides, whatever the baseline says.
    pub allowed_sonames: &'a BTreeSet<String>,
}

/// The checks that do not depend on a baseline: architecture, RPATH, debug info,
/// GLIBC_PRIVATE.
pub fn file_checks(ctx: &FileContext) -> Vec<Issue> {
    // A separate debug file is never loaded: only its presence matters.
    if ctx.binary.debug.separate_debug_file {
        return debug::check(ctx.binary, ctx.path);
    }
    let mut issues = Vec::new();
    if let Some(target) = ctx.target {
        issues.extend(arch::check(ctx.binary, target));
    }
    issues.extend(rpath::check(ctx.binary));
    issues.extend(debug::check(ctx.binary, ctx.path));
    issues.extend(symbols::check_private(ctx.binary));
    issues
}

/// The checks against one baseline, or the note that it has no data for this architecture.
pub fn against(ctx: &FileContext, baseline: BaselineFor) -> Vec<Issue> {
    if ctx.binary.debug.separate_debug_file || !needs_loader(ctx.binary) {
        return Vec::new();
    }
    match baseline {
        BaselineFor::Known(baseline) => baseline_checks(ctx, baseline),
        BaselineFor::ArchUnknown { id, arch, known } => vec![Issue::BaselineArchUnknown {
            baseline: id.to_string(),
            arch: arch.to_string(),
            known: known.to_vec(),
        }],
    }
}

/// The checks that compare a file with a baseline: also used to list the baselines a file
/// runs on.
pub fn baseline_checks(ctx: &FileContext, baseline: &Baseline) -> Vec<Issue> {
    let mut issues = Vec::new();
    issues.extend(interpreter::check(ctx.binary, baseline));
    issues.extend(symbols::check(ctx.binary, ctx.resolved, baseline));
    issues.extend(blacklist::check(ctx.binary, ctx.resolved, baseline));
    issues.extend(sonames::check(
        ctx.binary,
        ctx.resolved,
        baseline,
        ctx.allowed_sonames,
    ));
    issues
}

/// Whether the file depends on the target's dynamic loader and libraries at all.
pub fn needs_loader(binary: &Binary) -> bool {
    binary.interpreter.is_some() || !binary.needed.is_empty()
}
