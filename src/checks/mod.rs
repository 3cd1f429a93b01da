//! Checks: each module turns the facts of one file, what the loader model found for its needs,
//! a target and a baseline into typed [`Issue`]s. They never print, never rate severities and
//! never decide exit codes.

pub mod arch;
pub mod blacklist;
pub mod debug;
pub mod dlopen;
pub mod foreign;
pub mod hardening;
pub mod interpreter;
pub mod load_tree;
pub mod rpath;
pub mod run;
pub mod runs_on;
pub mod runtime;
pub mod sonames;
pub mod symbols;
pub mod target_facts;
pub mod undefined;
pub mod wheel;

use crate::baseline::Baseline;
use crate::binary::Binary;
use crate::findings::Issue;
use crate::loader::{NeedOutcome, RuntimeOutcome};
use crate::target::Target;
use std::collections::BTreeSet;
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
    /// A measured root filesystem (`--sysroot`) of other architectures: what it is, is known.
    OtherArch {
        id: &'a str,
        known: &'a [String],
    },
    /// A release that was never built for this architecture (its list is known).
    NeverBuiltFor {
        id: &'a str,
        arch: &'a str,
        built_for: &'a [String],
        source: &'a str,
    },
}

/// Everything a check may look at for one file.
pub struct FileContext<'a> {
    pub path: &'a Path,
    pub binary: &'a Binary,
    /// Where the loader finds each of the file's needs, through every entry point that loads it.
    pub needs: &'a [NeedOutcome],
    /// The checked tree's root as shown (for "the root filesystem …" in messages).
    pub root: &'a str,
    /// In a root filesystem: whether the file's PT_INTERP exists inside it (`None` otherwise).
    pub interpreter_in_tree: Option<bool>,
    /// A root filesystem that holds a dynamic loader of its own (glibc's GLIBC_PRIVATE needs are
    /// then met by the same build).
    pub loader_in_tree: bool,
    /// Baselines are given: GLIBC_PRIVATE is judged per baseline.
    pub has_baselines: bool,
    /// A root filesystem checked with no baseline: it must provide everything itself.
    pub self_contained: bool,
    pub target: Option<&'a Target>,
    /// Sonames the policy says the target provides, whatever the baseline says.
    pub allowed_sonames: &'a BTreeSet<String>,
    /// What the file loads at run time, as `dlopen` finds it.
    pub runtime: &'a [RuntimeOutcome],
    /// The soname-like strings of a file that calls dlopen that the tree does not ship.
    pub dlopen_unshipped: &'a [String],
    /// Loaded with dlopen: a library nothing in the tree loads (a plugin), or a run-time load.
    pub dlopened: bool,
    /// What the user said about the target's kernel and page size.
    pub machine: target_facts::TargetMachine,
    /// For a separate debug file: the file of the tree it belongs to.
    pub debug_owner: Option<&'a str>,
}

/// The checks that do not depend on a baseline: architecture, RPATH, debug info,
/// GLIBC_PRIVATE.
pub fn file_checks(ctx: &FileContext) -> Vec<Issue> {
    // A separate debug file is never loaded: only its presence matters.
    if ctx.binary.debug.separate_debug_file {
        return debug::check(ctx.binary, ctx.path, ctx.debug_owner);
    }
    let mut issues = Vec::new();
    if let Some(target) = ctx.target {
        issues.extend(arch::check(ctx.binary, target));
        issues.extend(foreign::check(
            ctx.path,
            ctx.binary,
            &target.name,
            Some(target),
        ));
    }
    issues.extend(rpath::check(ctx.binary));
    issues.extend(debug::check(ctx.binary, ctx.path, None));
    issues.extend(run::check(ctx.binary, ctx.dlopened));
    issues.extend(hardening::check(ctx.binary));
    issues.extend(target_facts::check(ctx));
    if !ctx.has_baselines {
        issues.extend(symbols::check_private(
            ctx.binary,
            ctx.needs,
            ctx.loader_in_tree,
            None,
        ));
    }
    if ctx.self_contained && ctx.interpreter_in_tree == Some(false) {
        issues.extend(interpreter::check_in_tree(ctx.binary, ctx.root));
    }
    issues.extend(sonames::check_tree(
        ctx.needs,
        ctx.root,
        ctx.allowed_sonames,
    ));
    issues.extend(runtime::check_tree(
        ctx.runtime,
        ctx.root,
        ctx.allowed_sonames,
    ));
    if ctx.self_contained {
        issues.extend(dlopen::check(ctx.dlopen_unshipped, None));
    }
    issues
}

/// The checks against one baseline, or the note that it has no data for this architecture.
pub fn against(ctx: &FileContext, baseline: BaselineFor) -> Vec<Issue> {
    if ctx.target.is_none() {
        // A Linux baseline says the release is for Linux even without a target.
        let on = match baseline {
            BaselineFor::Known(baseline) => &baseline.id,
            BaselineFor::ArchUnknown { id, .. }
            | BaselineFor::OtherArch { id, .. }
            | BaselineFor::NeverBuiltFor { id, .. } => id,
        };
        if let Some(issue) = foreign::check(ctx.path, ctx.binary, on, None) {
            return vec![issue];
        }
    }
    // Static programs too: a root filesystem of another architecture runs none of them.
    if let BaselineFor::OtherArch { id, known } = baseline
        && !ctx.binary.debug.separate_debug_file
    {
        return known
            .iter()
            .filter_map(|key| crate::target::Target::parse(key).ok())
            .flat_map(|machine| arch::check(ctx.binary, &machine))
            .filter_map(|issue| match issue {
                Issue::ArchMismatch {
                    expected,
                    found,
                    differs,
                    failure,
                    ..
                } => Some(Issue::ArchMismatch {
                    target: id.to_string(),
                    expected,
                    found,
                    differs,
                    failure,
                }),
                _ => None,
            })
            .take(1)
            .collect();
    }
    // A release that never existed for the architecture runs none of its programs, static or not.
    if let BaselineFor::NeverBuiltFor {
        id,
        arch,
        built_for,
        source,
    } = baseline
        && !ctx.binary.debug.separate_debug_file
        && (crate::loader::uses_loader(ctx.binary) || ctx.binary.kind.is_static())
    {
        return vec![Issue::ArchUnsupported {
            baseline: id.to_string(),
            arch: arch.to_string(),
            built_for: built_for.to_vec(),
            source: source.to_string(),
        }];
    }
    if ctx.binary.debug.separate_debug_file {
        return Vec::new();
    }
    match baseline {
        BaselineFor::Known(baseline) => baseline_checks(ctx, baseline, Detail::Report),
        _ if !needs_loader(ctx.binary) => Vec::new(),
        BaselineFor::OtherArch { .. } | BaselineFor::NeverBuiltFor { .. } => Vec::new(),
        BaselineFor::ArchUnknown { id, arch, known } => vec![Issue::BaselineArchUnknown {
            baseline: id.to_string(),
            arch: arch.to_string(),
            known: known.to_vec(),
        }],
    }
}

/// How much the checks must tell: everything, for the report, or only which codes are found,
/// for "runs on" (which keeps nothing but whether an error is found on each baseline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Report,
    /// Fix advice that takes a lookup in glibc's symbol lists is left out.
    CodesOnly,
}

/// The checks that compare a file with a baseline: also used to list the baselines a file
/// runs on.
pub fn baseline_checks(ctx: &FileContext, baseline: &Baseline, detail: Detail) -> Vec<Issue> {
    let mut issues = whole_file_against(ctx, baseline);
    if needs_loader(ctx.binary) {
        issues.extend(symbols::check(ctx.binary, ctx.needs, baseline, detail));
        issues.extend(sonames::check(
            ctx.needs,
            baseline,
            ctx.allowed_sonames,
            detail,
        ));
    }
    issues
}

/// The checks against a baseline that look at the file as a whole. [`baseline_checks`] adds
/// one check per version node ([`symbols::version_issue`]) and per need left to the system
/// ([`sonames::need_issue`]), which "runs on" answers once per run for all baselines.
pub fn whole_file_against(ctx: &FileContext, baseline: &Baseline) -> Vec<Issue> {
    // A library with no needs at all is still mapped by the baseline's loader when dlopened.
    let mut issues: Vec<Issue> = run::against(ctx.binary, ctx.dlopened, baseline)
        .into_iter()
        .collect();
    issues.extend(target_facts::against(ctx, baseline));
    if !needs_loader(ctx.binary) {
        return issues;
    }
    if ctx.interpreter_in_tree != Some(true) {
        issues.extend(interpreter::check(ctx.binary, baseline));
    }
    issues.extend(symbols::check_private(
        ctx.binary,
        ctx.needs,
        ctx.loader_in_tree,
        Some(baseline),
    ));
    issues.extend(blacklist::check(ctx.binary, ctx.needs, baseline));
    issues.extend(runtime::check(ctx.runtime, baseline, ctx.allowed_sonames));
    issues.extend(dlopen::check(ctx.dlopen_unshipped, Some(baseline)));
    issues
}

/// Whether the file depends on the target's dynamic loader and libraries at all.
pub fn needs_loader(binary: &Binary) -> bool {
    binary.interpreter.is_some() || !binary.needed.is_empty()
}
