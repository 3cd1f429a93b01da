//! "Runs on": without `--baseline`, the database baselines on which a file has no error.

use super::{Detail, FileContext, baseline_checks};
use crate::arch::{Libc, libc_of};
use crate::baseline::Baseline;
use crate::baseline::db::Database;
use crate::findings::{Severity, SeverityOverrides, severity_of};
use std::collections::HashMap;

/// Every database baseline of the architectures checked files have.
pub struct AllBaselines {
    by_arch: HashMap<String, Vec<Baseline>>,
}

impl AllBaselines {
    /// The baselines of each architecture key of `files` (architecture key, C library), and of
    /// only that C library where every file of the architecture names the same one: a file never
    /// runs on a system of the other, so those baselines are not even parsed.
    pub fn new<'a>(
        db: &Database,
        files: impl IntoIterator<Item = (&'a str, Option<Libc>)>,
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
            .map(|(arch, libc)| (arch.to_string(), db.baselines_for_arch(arch, libc)))
            .collect();
        AllBaselines { by_arch }
    }

    /// The ids of the baselines of `arch` on which no check finds an error (after overrides).
    pub fn runs_on(
        &self,
        ctx: &FileContext,
        arch: &str,
        overrides: &SeverityOverrides,
    ) -> Vec<String> {
        let Some(baselines) = self.by_arch.get(arch) else {
            return Vec::new();
        };
        let libc = libc_of(ctx.binary.interpreter.as_deref(), &ctx.binary.needed);
        baselines
            .iter()
            // A file linked against one C library never runs on a system of the other.
            .filter(|baseline| libc.is_none_or(|libc| baseline.libc == libc))
            .filter(|baseline| {
                baseline_checks(ctx, baseline, Detail::CodesOnly)
                    .iter()
                    .all(|issue| severity_of(issue.code(), overrides) < Some(Severity::Error))
            })
            .map(|baseline| baseline.id.clone())
            .collect()
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
        let all = AllBaselines::new(&db, [("x86_64", None)]);
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
        let runs_on = all.runs_on(&ctx, "x86_64", &SeverityOverrides::new());
        assert!(!runs_on.is_empty());
        // Alpine releases, musllinux policies and the Alpine-based .NET images.
        for id in &runs_on {
            let release = db.find(id).expect("a listed id is in the database");
            assert_eq!(release.libc, Libc::Musl, "{id}");
        }
    }
}
