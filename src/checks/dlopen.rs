//! `dlopen-candidates`: soname-like strings in the read-only data of a file that calls dlopen,
//! which the tree does not ship and the baseline does not provide.

use crate::baseline::{Availability, Baseline};
use crate::findings::Issue;

/// The candidates of one file that no baseline is asked about yet: not shipped in the tree.
/// Filled in by the dlopen-candidates work (binary layer: `Binary::dlopen_names`).
pub fn unshipped(names: &[String], shipped: &dyn Fn(&str) -> bool) -> Vec<String> {
    names
        .iter()
        .filter(|name| !shipped(name))
        .cloned()
        .collect()
}

/// The candidates a baseline does not provide (`None`: a root filesystem on its own, where
/// every unshipped candidate counts).
pub fn check(unshipped: &[String], baseline: Option<&Baseline>) -> Option<Issue> {
    let names: Vec<String> = unshipped
        .iter()
        .filter(|name| {
            baseline.is_none_or(|b| {
                !matches!(
                    crate::checks::sonames::provided_by(b, name),
                    Availability::Provided
                )
            })
        })
        .cloned()
        .collect();
    (!names.is_empty()).then(|| Issue::DlopenCandidates {
        names,
        baseline: baseline.map(|b| b.id.clone()),
    })
}
