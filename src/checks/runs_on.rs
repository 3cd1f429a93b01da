//! "Runs on": without `--baseline`, the database baselines on which a file has no error.
//!
//! By definition that is every baseline of the file's architecture and C library on which
//! [`baseline_checks`](super::baseline_checks) finds no error (`tests/runs_on_oracle.rs` checks
//! exactly that). Most of those checks are one per version node and one per need left to the
//! system, and a tree's files share them (`libc.so.6`, `GLIBC_2.14`): each is answered once per
//! run on every baseline, as the set of baselines it fails on, and a file's answer is the union
//! of its sets with those of the checks of the file as a whole.

use super::{Detail, FileContext, needs_loader, sonames, symbols, whole_file_against};
use crate::arch::{Libc, libc_of};
use crate::baseline::Baseline;
use crate::baseline::db::Database;
use crate::findings::{Issue, Severity, SeverityOverrides, severity_of};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// Every database baseline of the architectures checked files have.
pub struct AllBaselines<'db> {
    by_arch: HashMap<String, ArchBaselines<'db>>,
    overrides: SeverityOverrides,
}

/// The baselines of one architecture, and the checks already answered on all of them.
struct ArchBaselines<'db> {
    baselines: &'db [Baseline],
    /// library → version node → the baselines it fails on, by [`variant`] of (weak, shipped).
    versions: RefCell<HashMap<String, HashMap<String, Variants>>>,
    /// soname → the baselines it fails on, by [`variant`] of (no run-time-dependent search entry
    /// was skipped, the tree ships no file of that name where the loader does not look).
    needs: RefCell<HashMap<String, Variants>>,
    /// The list of ids for each set of failing baselines met: files share a few lists.
    lists: RefCell<HashMap<Failing, Arc<[String]>>>,
}

/// The answers for the four variants of one check, as they are met.
type Variants = [Option<Failing>; 4];

/// Baselines of one architecture, as bits of their index in its list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Failing(Vec<u64>);

impl Failing {
    fn none(len: usize) -> Failing {
        Failing(vec![0; len.div_ceil(64)])
    }

    fn insert(&mut self, index: usize) {
        self.0[index / 64] |= 1 << (index % 64);
    }

    fn contains(&self, index: usize) -> bool {
        self.0[index / 64] & (1 << (index % 64)) != 0
    }

    fn union(&mut self, other: &Failing) {
        for (word, more) in self.0.iter_mut().zip(&other.0) {
            *word |= more;
        }
    }
}

fn variant(a: bool, b: bool) -> usize {
    usize::from(a) * 2 + usize::from(b)
}

impl<'db> AllBaselines<'db> {
    /// The baselines of each architecture key of `files` (architecture key, C library), and of
    /// only that C library where every file of the architecture names the same one: a file never
    /// runs on a system of the other, so those baselines are not even parsed. `overrides` are
    /// the run's severities, which decide what an error is.
    pub fn new<'a>(
        db: &'db Database,
        files: impl IntoIterator<Item = (&'a str, Option<Libc>)>,
        overrides: &SeverityOverrides,
    ) -> Self {
        let mut wanted: HashMap<&str, Option<Libc>> = HashMap::new();
        for (arch, libc) in files {
            let entry = wanted.entry(arch).or_insert(libc);
            if *entry != libc {
                *entry = None;
            }
        }
        let by_arch = wanted
            .into_iter()
            .map(|(arch, libc)| {
                let baselines = ArchBaselines {
                    baselines: db.baselines_for_arch(arch, libc),
                    versions: RefCell::default(),
                    needs: RefCell::default(),
                    lists: RefCell::default(),
                };
                (arch.to_string(), baselines)
            })
            .collect();
        AllBaselines {
            by_arch,
            overrides: overrides.clone(),
        }
    }

    /// The ids of the baselines of `arch` on which no check finds an error (after overrides).
    /// Files with the same answer share one list.
    pub fn runs_on(&self, ctx: &FileContext, arch: &str) -> Arc<[String]> {
        let Some(arch) = self.by_arch.get(arch) else {
            return Arc::from([]);
        };
        let baselines = arch.baselines;
        let is_error = |issues: &[Issue]| {
            issues
                .iter()
                .any(|issue| severity_of(issue.code(), &self.overrides) >= Some(Severity::Error))
        };
        // The set of baselines a check fails on, asking each baseline once.
        let failing_on = |check: &dyn Fn(&Baseline) -> Option<Issue>| {
            let mut failing = Failing::none(baselines.len());
            for (index, baseline) in baselines.iter().enumerate() {
                if is_error(check(baseline).as_slice()) {
                    failing.insert(index);
                }
            }
            failing
        };
        let libc = libc_of(ctx.binary.interpreter.as_deref(), &ctx.binary.needed);
        let mut failing = Failing::none(baselines.len());
        for (index, baseline) in baselines.iter().enumerate() {
            // A file linked against one C library never runs on a system of the other.
            if libc.is_some_and(|libc| baseline.libc != libc)
                || is_error(&whole_file_against(ctx, baseline))
            {
                failing.insert(index);
            }
        }
        if needs_loader(ctx.binary) {
            let mut versions = arch.versions.borrow_mut();
            for open in symbols::open_versions(ctx.binary, ctx.needs) {
                let by_node = match versions.get_mut(open.library) {
                    Some(by_node) => by_node,
                    None => versions.entry(open.library.to_string()).or_default(),
                };
                let variants = match by_node.get_mut(&open.version.name) {
                    Some(variants) => variants,
                    None => by_node.entry(open.version.name.clone()).or_default(),
                };
                let answer = variants[variant(open.version.weak, open.shipped_at.is_some())]
                    .get_or_insert_with(|| {
                        failing_on(&|baseline| {
                            symbols::version_issue(&open, baseline, Detail::CodesOnly)
                        })
                    });
                failing.union(answer);
            }
            let mut needs = arch.needs.borrow_mut();
            for system in sonames::system_needs(ctx.needs, ctx.allowed_sonames) {
                let variants = match needs.get_mut(&system.need.name) {
                    Some(variants) => variants,
                    None => needs.entry(system.need.name.clone()).or_default(),
                };
                let key = variant(
                    system.undecided.is_empty(),
                    system.need.elsewhere.is_empty(),
                );
                let answer = variants[key].get_or_insert_with(|| {
                    failing_on(&|baseline| sonames::need_issue(system, baseline, Detail::CodesOnly))
                });
                failing.union(answer);
            }
        }
        let mut lists = arch.lists.borrow_mut();
        let list = lists.entry(failing).or_insert_with_key(|failing| {
            baselines
                .iter()
                .enumerate()
                .filter(|(index, _)| !failing.contains(*index))
                .map(|(_, baseline)| baseline.id.clone())
                .collect()
        });
        Arc::clone(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::db::Database;
    use crate::binary::{FileKind, Sniffed, parse};
    use crate::findings::SeverityOverrides;
    use std::collections::BTreeSet;

    #[test]
    fn a_musl_library_runs_on_no_glibc_system() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/bin/hello-x86_64-musl"
        ))
        .expect("test binary");
        let Ok(Sniffed::Binary(binary)) = parse(&bytes) else {
            panic!("parses");
        };
        // The same file as a library: no interpreter, only its needs say musl.
        let mut library = *binary;
        library.interpreter = None;
        library.kind = FileKind::SharedLibrary;
        assert_eq!(library.needed, ["libc.so"]);
        assert_eq!(
            libc_of(library.interpreter.as_deref(), &library.needed),
            Some(Libc::Musl)
        );
        let db = Database::embedded();
        let all = AllBaselines::new(&db, [("x86_64", None)], &SeverityOverrides::new());
        let allowed = BTreeSet::new();
        let ctx = FileContext {
            path: std::path::Path::new("libfoo.so"),
            binary: &library,
            needs: &[],
            root: "",
            interpreter_in_tree: None,
            loader_in_tree: false,
            has_baselines: false,
            self_contained: false,
            target: None,
            allowed_sonames: &allowed,
            runtime: &[],
            dlopen_unshipped: &[],
            dlopened: false,
            machine: Default::default(),
            debug_owner: None,
        };
        let runs_on = all.runs_on(&ctx, "x86_64");
        assert!(!runs_on.is_empty());
        // Alpine releases, musllinux policies and the Alpine-based .NET images.
        for id in runs_on.iter() {
            let release = db.find(id).expect("a listed id is in the database");
            assert_eq!(release.libc, Libc::Musl, "{id}");
        }
    }
}
