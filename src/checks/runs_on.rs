//! "Runs on": without `--baseline`, the database baselines on which a file has no error.

use super::{FileContext, baseline_checks};
use crate::baseline::Baseline;
use crate::baseline::db::Database;
use crate::findings::{Severity, SeverityOverrides, severity_of};
use std::collections::HashMap;

/// Every database baseline by architecture.
pub struct AllBaselines {
    by_arch: HashMap<String, Vec<Baseline>>,
}

impl AllBaselines {
    pub fn new(db: &Database) -> Self {
        let mut by_arch: HashMap<String, Vec<Baseline>> = HashMap::new();
        for release in &db.releases {
            for key in release.arch_keys() {
                if let Some(baseline) = release.baseline(key) {
                    by_arch.entry(key.to_string()).or_default().push(baseline);
                }
            }
        }
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
        baselines
            .iter()
            .filter(|baseline| {
                baseline_checks(ctx, baseline)
                    .iter()
                    .all(|issue| severity_of(issue.code(), overrides) < Some(Severity::Error))
            })
            .map(|baseline| baseline.id.clone())
            .collect()
    }
}
