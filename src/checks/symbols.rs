//! `symbol-version-too-new`, `weak-symbol-version-too-new` and `glibc-private`: every version
//! node a file needs, checked against the library that will provide it — the shipped one when
//! the tree ships it, otherwise the baseline's.

use crate::baseline::glibc_symbols::{self, SymbolAdvice};
use crate::baseline::{Availability, Baseline};
use crate::binary::Binary;
use crate::report::finding::{Issue, SymbolFix};
use crate::resolve::Resolution;
use crate::version::VersionNode;
use std::collections::BTreeMap;

const GLIBC_PRIVATE: &str = "GLIBC_PRIVATE";

pub fn check(
    binary: &Binary,
    resolved: &BTreeMap<String, Resolution>,
    baseline: &Baseline,
) -> Vec<Issue> {
    let mut issues = Vec::new();
    for need in &binary.version_needs {
        let shipped = match resolved.get(&need.library) {
            Some(Resolution::Shipped { path, library }) => Some((path, library)),
            _ => None,
        };
        for version in &need.versions {
            if version.name == GLIBC_PRIVATE {
                continue;
            }
            let node = VersionNode::parse(&version.name);
            let shipped_at = match shipped {
                // A shipped library without version definitions only makes the loader warn.
                Some((path, Some(library))) if !library.version_defs.is_empty() => {
                    if library.version_defs.contains(&version.name) {
                        continue;
                    }
                    Some(path.display().to_string())
                }
                Some(_) => continue,
                None if baseline.defines(&need.library, &node) == Availability::Absent => None,
                None => continue,
            };
            let advice = if shipped_at.is_none() && node.family == "GLIBC" {
                glibc_advice(&version.symbols, baseline)
            } else {
                Vec::new()
            };
            issues.push(Issue::SymbolVersionTooNew {
                library: need.library.clone(),
                family: node.family.to_string(),
                version: version.name.clone(),
                symbols: version.symbols.clone(),
                baseline: baseline.id.clone(),
                baseline_highest: baseline.highest(node.family).map(str::to_string),
                shipped_at,
                weak: version.weak,
                advice,
            });
        }
    }
    issues
}

/// For each symbol, whether the baseline's glibc release has an older node of it (rebuild
/// against that glibc) or none at all (code change or shim), from glibc's symbol lists.
/// Symbols the data does not know get no advice rather than a guess.
fn glibc_advice(symbols: &[String], baseline: &Baseline) -> Vec<SymbolFix> {
    let Some(release) = &baseline.libc_version else {
        return Vec::new();
    };
    symbols
        .iter()
        .filter_map(
            |symbol| match glibc_symbols::advise(&baseline.arch, symbol, release) {
                SymbolAdvice::OlderNodeExists { node } => {
                    Some(SymbolFix::RebuildAgainstOlderGlibc {
                        symbol: symbol.clone(),
                        node,
                    })
                }
                SymbolAdvice::NotInRelease { first_release } => Some(SymbolFix::CodeChangeOrShim {
                    symbol: symbol.clone(),
                    first_release,
                }),
                SymbolAdvice::Unknown => None,
            },
        )
        .collect()
}

/// GLIBC_PRIVATE is an error whatever the baseline: it is only promised to the glibc build
/// that defined it.
pub fn check_private(binary: &Binary) -> Vec<Issue> {
    binary
        .version_needs
        .iter()
        .flat_map(|need| {
            need.versions
                .iter()
                .filter(|v| v.name == GLIBC_PRIVATE)
                .map(|v| Issue::GlibcPrivate {
                    library: need.library.clone(),
                    symbols: v.symbols.clone(),
                })
        })
        .collect()
}
