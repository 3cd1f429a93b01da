//! `symbol-version-too-new`, `weak-symbol-version-too-new` and `glibc-private`: every version
//! node a file needs, checked against the library that will provide it — the shipped one when
//! the tree ships it, otherwise the baseline's.

use crate::baseline::glibc_symbols::{self, SymbolAdvice};
use crate::baseline::{Availability, Baseline};
use crate::binary::Binary;
use crate::findings::{Issue, SymbolFix};
use crate::loader::{Found, NeedOutcome};
use crate::version::VersionNode;

const GLIBC_PRIVATE: &str = "GLIBC_PRIVATE";

/// Every version node the file needs, against the object the loader maps for that library
/// (glibc `_dl_check_map_versions` looks the library up among the loaded objects by name).
/// musl does not check version needs, so a musl baseline has no nodes to compare.
pub fn check(binary: &Binary, needs: &[NeedOutcome], baseline: &Baseline) -> Vec<Issue> {
    let mut issues = Vec::new();
    for need in &binary.version_needs {
        let shipped = needs.iter().find_map(|n| match &n.found {
            Found::Tree { .. } if n.name == need.library => Some((&n.shown, &n.library)),
            _ => None,
        });
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
                    Some(path.clone().unwrap_or_default())
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
/// that defined it, unless the loader maps that very build from the same tree (glibc's own
/// libraries in a root filesystem).
pub fn check_private(binary: &Binary, needs: &[NeedOutcome], loader_in_tree: bool) -> Vec<Issue> {
    let same_build = |library: &str| {
        needs.iter().any(|n| {
            n.name == library
                && match &n.found {
                    Found::Tree { .. } => n
                        .library
                        .as_ref()
                        .is_some_and(|l| l.version_defs.iter().any(|d| d == GLIBC_PRIVATE)),
                    Found::Loader => loader_in_tree,
                    _ => false,
                }
        })
    };
    binary
        .version_needs
        .iter()
        .filter(|need| !same_build(&need.library))
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
