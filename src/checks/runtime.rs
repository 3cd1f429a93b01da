//! `dlopen-missing`, `dlopen-feature-missing` and `dlopen-unknown`: every library a file loads
//! at run time (declared in the policy file, or known from its runtime) must be found where
//! `dlopen` looks: in the tree, or provided by the system beyond it.

use crate::baseline::{Availability, Baseline};
use crate::checks::sonames::{other_versions, provided_by};
use crate::findings::Issue;
use crate::loader::{Found, RuntimeOutcome};
use std::collections::BTreeSet;

/// Found in the tree, or by the loader itself: nothing for a baseline to say.
fn found_in_tree(outcome: &RuntimeOutcome) -> bool {
    outcome
        .tried
        .iter()
        .any(|(_, found)| matches!(found, Found::Tree { .. } | Found::Loader))
}

/// The names left to the system beyond the tree.
fn left_to_system(outcome: &RuntimeOutcome) -> impl Iterator<Item = &String> {
    outcome
        .tried
        .iter()
        .filter(|(_, found)| matches!(found, Found::System { .. }))
        .map(|(name, _)| name)
}

/// Loads no baseline can satisfy: a self-contained root filesystem that holds none of the
/// names, or names whose search depends on the run time.
pub fn check_tree(
    outcomes: &[RuntimeOutcome],
    root: &str,
    allowed: &BTreeSet<String>,
) -> Vec<Issue> {
    let mut issues = Vec::new();
    for outcome in outcomes {
        if found_in_tree(outcome)
            || left_to_system(outcome).next().is_some()
            || outcome.load.names.iter().any(|n| allowed.contains(n))
        {
            continue;
        }
        let decided = outcome.tried.iter().all(
            |(_, found)| matches!(found, Found::NotFound { undecided, .. } if undecided.is_empty()),
        );
        let names = outcome.load.names.clone();
        let reason = outcome.load.reason.clone();
        let chain = outcome.chain.clone();
        issues.push(if decided {
            Issue::DlopenMissing {
                names,
                reason,
                chain,
                baseline: format!("the root filesystem {root}"),
                baseline_has: Vec::new(),
            }
        } else {
            Issue::DlopenUnknown {
                names,
                reason,
                chain,
                baseline: "the run time (its search path depends on it)".into(),
            }
        });
    }
    issues
}

/// Loads left to the system, against one baseline: one name it provides is enough.
pub fn check(
    outcomes: &[RuntimeOutcome],
    baseline: &Baseline,
    allowed: &BTreeSet<String>,
) -> Vec<Issue> {
    let mut issues = Vec::new();
    for outcome in outcomes {
        if found_in_tree(outcome) || outcome.load.names.iter().any(|n| allowed.contains(n)) {
            continue;
        }
        let names: Vec<&String> = left_to_system(outcome).collect();
        if names.is_empty() {
            continue;
        }
        let availability: Vec<Availability> =
            names.iter().map(|n| provided_by(baseline, n)).collect();
        if availability.contains(&Availability::Provided) {
            continue;
        }
        let reason = outcome.load.reason.clone();
        let chain = outcome.chain.clone();
        if availability.iter().all(|a| *a == Availability::Absent) {
            let mut baseline_has: Vec<String> = names
                .iter()
                .flat_map(|n| other_versions(baseline, n))
                .collect();
            baseline_has.sort();
            baseline_has.dedup();
            issues.push(Issue::DlopenMissing {
                names: outcome.load.names.clone(),
                reason,
                chain,
                baseline: baseline.id.clone(),
                baseline_has,
            });
        } else {
            issues.push(Issue::DlopenUnknown {
                names: outcome.load.names.clone(),
                reason,
                chain,
                baseline: baseline.id.clone(),
            });
        }
    }
    issues
}
