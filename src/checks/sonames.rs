//! `soname-missing`, `soname-unknown`, `soname-needs-package`, `soname-not-on-search-path` and
//! `load-path-unknown`: every need of a file, as the loader model resolved it, must be found in
//! the tree or provided by the system beyond it.

use crate::baseline::names::Package;
use crate::baseline::{Availability, Baseline};
use crate::checks::Detail;
use crate::findings::Issue;
use crate::loader::{Found, NeedOutcome};
use std::collections::BTreeSet;

/// Needs the loader cannot satisfy whatever the baseline: not found in a self-contained root
/// filesystem or under DF_1_NODEFLIB, or decided only at run time.
pub fn check_tree(needs: &[NeedOutcome], root: &str, allowed: &BTreeSet<String>) -> Vec<Issue> {
    let mut issues = Vec::new();
    for need in needs.iter().filter(|n| !allowed.contains(&n.name)) {
        match &need.found {
            Found::NotFound {
                no_default_lib,
                undecided,
                only_in_conf,
            } if undecided.is_empty() => issues.push(Issue::SonameMissing {
                soname: need.name.clone(),
                baseline: if *no_default_lib {
                    "the search path (DF_1_NODEFLIB: no system directories)".into()
                } else {
                    format!("the root filesystem {root}")
                },
                shipped_elsewhere: need.elsewhere.clone(),
                baseline_has: Vec::new(),
                chain: need.chain.clone(),
                runpath_not_inherited: not_inherited(need),
                plugin: need.plugin,
                needs_ldconfig: only_in_conf.as_ref().map(|p| p.display().to_string()),
            }),
            Found::NotFound { undecided, .. } => issues.push(Issue::LoadPathUnknown {
                soname: need.name.clone(),
                why: undecided.clone(),
                chain: need.chain.clone(),
            }),
            Found::Unknown { why } => issues.push(Issue::LoadPathUnknown {
                soname: need.name.clone(),
                why: vec![why.clone()],
                chain: need.chain.clone(),
            }),
            _ => {}
        }
    }
    issues
}

/// Needs left to the system, against one baseline.
pub fn check(
    needs: &[NeedOutcome],
    baseline: &Baseline,
    allowed: &BTreeSet<String>,
    detail: Detail,
) -> Vec<Issue> {
    system_needs(needs, allowed)
        .filter_map(|need| need_issue(need, baseline, detail))
        .collect()
}

/// A need the loader leaves to the system (not found in the tree), which the policy does not
/// allow: the baseline answers for it.
#[derive(Debug, Clone, Copy)]
pub struct SystemNeed<'a> {
    pub need: &'a NeedOutcome,
    /// Search entries that depend on the run time and were skipped.
    pub undecided: &'a [String],
}

pub fn system_needs<'a>(
    needs: &'a [NeedOutcome],
    allowed: &'a BTreeSet<String>,
) -> impl Iterator<Item = SystemNeed<'a>> {
    needs
        .iter()
        .filter(|need| !allowed.contains(&need.name))
        .filter_map(|need| match &need.found {
            Found::System { undecided } => Some(SystemNeed { need, undecided }),
            _ => None,
        })
}

/// One need left to the system, against the baseline.
pub fn need_issue(system: SystemNeed, baseline: &Baseline, detail: Detail) -> Option<Issue> {
    let SystemNeed { need, undecided } = system;
    let soname = &need.name;
    // Only a need the baseline lacks looks at the other versions; "runs on" only asks
    // whether there are any (that decides between missing and unknown).
    let availability = baseline.soname(soname);
    let (has_other_versions, other_versions) = match (availability, detail) {
        (Availability::Provided, _) => (false, Vec::new()),
        (_, Detail::Report) => {
            let others = other_versions(baseline, soname);
            (!others.is_empty(), others)
        }
        (_, Detail::CodesOnly) => (other_sonames(baseline, soname).next().is_some(), Vec::new()),
    };
    match availability {
        Availability::Provided => baseline
            .packages
            .get(soname.as_str())
            .filter(|package| package.minimal == Some(false))
            .map(|package| Issue::SonameNeedsPackage {
                soname: soname.clone(),
                baseline: baseline.id.clone(),
                package: package.package.to_string(),
            }),
        // A run-time-dependent entry (the working directory, $PLATFORM) might still find it.
        Availability::Absent if !undecided.is_empty() => Some(Issue::LoadPathUnknown {
            soname: soname.clone(),
            why: undecided.to_vec(),
            chain: need.chain.clone(),
        }),
        Availability::Absent => Some(missing(need, baseline, other_versions)),
        Availability::Unknown if !need.elsewhere.is_empty() => Some(Issue::SonameNotOnSearchPath {
            soname: soname.clone(),
            shipped_at: need.elsewhere.clone(),
            search_path: need.chain.clone(),
            baseline: baseline.id.clone(),
        }),
        // The baseline's package data lists this library under other sonames only: a
        // different major version, which is known, so it is missing rather than unknown.
        Availability::Unknown if has_other_versions => {
            Some(missing(need, baseline, other_versions))
        }
        Availability::Unknown => Some(Issue::SonameUnknown {
            soname: soname.clone(),
            baseline: baseline.id.clone(),
        }),
    }
}

fn missing(need: &NeedOutcome, baseline: &Baseline, other_versions: Vec<String>) -> Issue {
    Issue::SonameMissing {
        soname: need.name.clone(),
        baseline: baseline.id.clone(),
        shipped_elsewhere: need.elsewhere.clone(),
        baseline_has: other_versions,
        chain: need.chain.clone(),
        runpath_not_inherited: not_inherited(need),
        plugin: need.plugin,
        needs_ldconfig: None,
    }
}

fn not_inherited(need: &NeedOutcome) -> Vec<String> {
    need.runpath_not_inherited
        .iter()
        .map(|(owner, entry)| format!("{owner}: {entry}"))
        .collect()
}

/// Whether a baseline provides a soname, as the checks rate it (the load tree uses the same
/// rule): a soname the data does not cover is absent when the data lists the same library under
/// another version (`libssl.so.3` where `libssl.so.1.1` is needed), unknown otherwise.
pub fn provided_by(baseline: &Baseline, soname: &str) -> Availability {
    match baseline.soname(soname) {
        Availability::Unknown if !other_versions(baseline, soname).is_empty() => {
            Availability::Absent
        }
        availability => availability,
    }
}

/// Sonames of the same library with another version that the baseline's package data lists
/// (`libssl.so.3` when `libssl.so.1.1` is needed), with their packages.
pub(crate) fn other_versions(baseline: &Baseline, soname: &str) -> Vec<String> {
    other_sonames(baseline, soname)
        .map(|(other, package)| format!("{other} ({})", package.package))
        .collect()
}

/// The baseline's packaged sonames of the same library as `soname` (the same name up to its
/// first `.so`), other than `soname` itself.
fn other_sonames<'a>(
    baseline: &'a Baseline,
    soname: &'a str,
) -> impl Iterator<Item = (&'static str, Package)> + 'a {
    let end = soname.find(".so").map(|at| at + ".so".len());
    let prefix = end.map_or("", |end| &soname[..end]);
    // The packages are sorted by soname, so every `<stem>.so…` is in one range (the stem holds
    // no ".so", so a name starting with `<stem>.so` has its first `.so` there too).
    baseline
        .packages
        .from(prefix)
        .take_while(move |(other, _)| end.is_some() && other.starts_with(prefix))
        .filter(move |(other, _)| *other != soname)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::names::Packages;
    use crate::baseline::tests::bullseye_like;

    fn needing(soname: &str) -> Vec<NeedOutcome> {
        vec![NeedOutcome {
            name: soname.to_string(),
            found: Found::System {
                undecided: Vec::new(),
            },
            library: None,
            shown: None,
            chain: vec!["bin/app".into()],
            runpath_not_inherited: Vec::new(),
            elsewhere: Vec::new(),
            plugin: false,
        }]
    }

    #[test]
    fn package_data_names_what_to_install_and_what_the_distro_ships_instead() {
        let mut baseline = bullseye_like();
        baseline.sonames_present.insert("libssl.so.1.1");
        // As build.rs packs them: sorted by soname, `soname package version minimal`.
        baseline.packages =
            Packages::packed("libc.so.6\tlibc6\t\ty\nlibssl.so.1.1\tlibssl1.1\t\tn\n");
        let none = BTreeSet::new();

        let issues = check(&needing("libssl.so.1.1"), &baseline, &none, Detail::Report);
        assert!(
            matches!(&issues[..], [Issue::SonameNeedsPackage { package, .. }] if package == "libssl1.1"),
            "{issues:?}"
        );
        let issues = check(&needing("libssl.so.3"), &baseline, &none, Detail::Report);
        assert!(
            matches!(&issues[..], [Issue::SonameMissing { baseline_has, .. }] if baseline_has == &["libssl.so.1.1 (libssl1.1)"]),
            "{issues:?}"
        );
        // "Runs on" gets the same codes without the list of other versions.
        let codes_only = check(&needing("libssl.so.3"), &baseline, &none, Detail::CodesOnly);
        assert!(
            matches!(&codes_only[..], [Issue::SonameMissing { baseline_has, .. }] if baseline_has.is_empty()),
            "{codes_only:?}"
        );
        assert!(check(&needing("libc.so.6"), &baseline, &none, Detail::Report).is_empty());
        assert!(matches!(
            &check(&needing("libfoo.so.1"), &baseline, &none, Detail::Report)[..],
            [Issue::SonameUnknown { .. }]
        ));
    }

    #[test]
    fn a_run_time_search_entry_turns_missing_into_unknown() {
        let baseline = bullseye_like();
        let mut needs = needing("libexpat.so.1");
        assert!(matches!(
            &check(&needs, &baseline, &BTreeSet::new(), Detail::Report)[..],
            [Issue::SonameMissing { .. }]
        ));
        needs[0].found = Found::System {
            undecided: vec!["DT_RPATH lib (relative to the working directory)".into()],
        };
        assert!(matches!(
            &check(&needs, &baseline, &BTreeSet::new(), Detail::Report)[..],
            [Issue::LoadPathUnknown { .. }]
        ));
    }
}
