//! `soname-missing`, `soname-unknown` and `soname-not-on-search-path`: every DT_NEEDED must be
//! shipped where the loader looks, or provided by the baseline.

use crate::baseline::{Availability, Baseline};
use crate::binary::Binary;
use crate::report::finding::Issue;
use crate::resolve::Resolution;
use std::collections::{BTreeMap, BTreeSet};

pub fn check(
    binary: &Binary,
    resolved: &BTreeMap<String, Resolution>,
    baseline: &Baseline,
    allowed: &BTreeSet<String>,
) -> Vec<Issue> {
    let mut issues = Vec::new();
    for soname in binary.needed.iter().filter(|s| !allowed.contains(*s)) {
        let Some(Resolution::NotShipped {
            search_path,
            elsewhere,
        }) = resolved.get(soname)
        else {
            continue;
        };
        let other_versions = other_versions(baseline, soname);
        let elsewhere: Vec<String> = elsewhere.iter().map(|p| p.display().to_string()).collect();
        match baseline.soname(soname) {
            Availability::Provided => {
                if let Some(package) = baseline.packages.get(soname)
                    && package.minimal == Some(false)
                {
                    issues.push(Issue::SonameNeedsPackage {
                        soname: soname.clone(),
                        baseline: baseline.id.clone(),
                        package: package.package.clone(),
                    });
                }
            }
            Availability::Absent => issues.push(Issue::SonameMissing {
                soname: soname.clone(),
                baseline: baseline.id.clone(),
                shipped_elsewhere: elsewhere,
                baseline_has: other_versions,
            }),
            Availability::Unknown if !elsewhere.is_empty() => {
                issues.push(Issue::SonameNotOnSearchPath {
                    soname: soname.clone(),
                    shipped_at: elsewhere,
                    search_path: search_path.clone(),
                })
            }
            // The baseline's package data lists this library under other sonames only: a
            // different major version, which is known, so it is missing rather than unknown.
            Availability::Unknown if !other_versions.is_empty() => {
                issues.push(Issue::SonameMissing {
                    soname: soname.clone(),
                    baseline: baseline.id.clone(),
                    shipped_elsewhere: elsewhere,
                    baseline_has: other_versions,
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

/// Sonames of the same library with another version that the baseline's package data lists
/// (`libssl.so.3` when `libssl.so.1.1` is needed), with their packages.
fn other_versions(baseline: &Baseline, soname: &str) -> Vec<String> {
    let Some((stem, _)) = soname.split_once(".so") else {
        return Vec::new();
    };
    baseline
        .packages
        .iter()
        .filter(|(other, _)| {
            *other != soname && other.split_once(".so").is_some_and(|(s, _)| s == stem)
        })
        .map(|(other, package)| format!("{other} ({})", package.package))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::db::Package;
    use crate::baseline::tests::bullseye_like;
    use crate::binary::parse;

    fn needing(soname: &str) -> (Binary, BTreeMap<String, Resolution>) {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/bin/hello-x86_64"
        ))
        .expect("test binary");
        let crate::binary::Sniffed::Binary(binary) = parse(&bytes).expect("parses") else {
            panic!("not a binary");
        };
        let mut binary = *binary;
        binary.needed = vec![soname.to_string()];
        let resolved = [(
            soname.to_string(),
            Resolution::NotShipped {
                search_path: Vec::new(),
                elsewhere: Vec::new(),
            },
        )]
        .into();
        (binary, resolved)
    }

    #[test]
    fn package_data_names_what_to_install_and_what_the_distro_ships_instead() {
        let mut baseline = bullseye_like();
        let package = |name: &str, minimal| Package {
            package: name.into(),
            version: None,
            minimal: Some(minimal),
        };
        baseline.sonames_present.insert("libssl.so.1.1".into());
        baseline
            .packages
            .insert("libssl.so.1.1".into(), package("libssl1.1", false));
        baseline
            .packages
            .insert("libc.so.6".into(), package("libc6", true));

        let (binary, resolved) = needing("libssl.so.1.1");
        let issues = check(&binary, &resolved, &baseline, &BTreeSet::new());
        assert!(
            matches!(&issues[..], [Issue::SonameNeedsPackage { package, .. }] if package == "libssl1.1"),
            "{issues:?}"
        );

        let (binary, resolved) = needing("libssl.so.3");
        let issues = check(&binary, &resolved, &baseline, &BTreeSet::new());
        assert!(
            matches!(&issues[..], [Issue::SonameMissing { baseline_has, .. }] if baseline_has == &["libssl.so.1.1 (libssl1.1)"]),
            "{issues:?}"
        );

        let (binary, resolved) = needing("libc.so.6");
        assert!(check(&binary, &resolved, &baseline, &BTreeSet::new()).is_empty());
        let (binary, resolved) = needing("libfoo.so.1");
        assert!(matches!(
            &check(&binary, &resolved, &baseline, &BTreeSet::new())[..],
            [Issue::SonameUnknown { .. }]
        ));
    }
}
