//! `soname-missing`, `soname-unknown` and `soname-not-on-search-path`: every DT_NEEDED must be
//! shipped where the loader looks, or provided by the baseline.

use crate::baseline::{Availability, Baseline};
use crate::binary::Binary;
use crate::report::finding::Issue;
use crate::resolve::Resolution;
use std::collections::BTreeMap;

pub fn check(
    binary: &Binary,
    resolved: &BTreeMap<String, Resolution>,
    baseline: &Baseline,
) -> Vec<Issue> {
    let mut issues = Vec::new();
    for soname in &binary.needed {
        let Some(Resolution::NotShipped {
            search_path,
            elsewhere,
        }) = resolved.get(soname)
        else {
            continue;
        };
        let elsewhere: Vec<String> = elsewhere.iter().map(|p| p.display().to_string()).collect();
        match baseline.soname(soname) {
            Availability::Provided => {}
            Availability::Absent => issues.push(Issue::SonameMissing {
                soname: soname.clone(),
                baseline: baseline.id.clone(),
                shipped_elsewhere: elsewhere,
            }),
            Availability::Unknown if !elsewhere.is_empty() => {
                issues.push(Issue::SonameNotOnSearchPath {
                    soname: soname.clone(),
                    shipped_at: elsewhere,
                    search_path: search_path.clone(),
                })
            }
            Availability::Unknown => issues.push(Issue::SonameUnknown {
                soname: soname.clone(),
                baseline: baseline.id.clone(),
            }),
        }
    }
    issues
}
