//! `symbol-version-too-new`, `weak-symbol-version-too-new` and `glibc-private`: every version
//! node a file needs, checked against the library that will provide it — the shipped one when
//! the tree ships it, otherwise the baseline's.

use crate::baseline::glibc_symbols::{self, SymbolAdvice};
use crate::baseline::{Availability, Baseline};
use crate::binary::{Binary, NeededVersion};
use crate::checks::Detail;
use crate::findings::{Issue, SymbolFix};
use crate::loader::{Found, NeedOutcome};
use crate::version::VersionNode;

const GLIBC_PRIVATE: &str = "GLIBC_PRIVATE";

/// A version node a file needs that no shipped library already defines: the system's library
/// must define it, or the shipped one lacks it.
#[derive(Debug, Clone, Copy)]
pub struct OpenVersion<'a> {
    pub library: &'a str,
    pub version: &'a NeededVersion,
    /// The shipped library the loader maps for `library` (its path as shown), which lacks the
    /// node; `None` when the system provides `library`.
    pub shipped_at: Option<&'a str>,
}

/// Every version node the file needs, less those the shipped library the loader maps for that
/// library defines (glibc `_dl_check_map_versions` looks the library up among the loaded
/// objects by name). GLIBC_PRIVATE is judged by [`check_private`].
pub fn open_versions<'a>(
    binary: &'a Binary,
    needs: &'a [NeedOutcome],
) -> impl Iterator<Item = OpenVersion<'a>> {
    binary.version_needs.iter().flat_map(move |need| {
        let shipped = needs.iter().find_map(|n| match &n.found {
            Found::Tree { .. } if n.name == need.library => Some((&n.shown, &n.library)),
            _ => None,
        });
        need.versions
            .iter()
            .filter(|version| version.name != GLIBC_PRIVATE)
            .filter_map(move |version| {
                let shipped_at = match shipped {
                    // A shipped library without version definitions only makes the loader warn.
                    Some((path, Some(library))) if !library.version_defs.is_empty() => {
                        if library.version_defs.contains(&version.name) {
                            return None;
                        }
                        Some(path.as_deref().unwrap_or_default())
                    }
                    Some(_) => return None,
                    None => None,
                };
                Some(OpenVersion {
                    library: &need.library,
                    version,
                    shipped_at,
                })
            })
    })
}

/// Every open version node against the baseline.
pub fn check(
    binary: &Binary,
    needs: &[NeedOutcome],
    baseline: &Baseline,
    detail: Detail,
) -> Vec<Issue> {
    open_versions(binary, needs)
        .filter_map(|open| version_issue(&open, baseline, detail))
        .collect()
}

/// One open version node against the baseline: missing where the shipped library lacks it, or
/// where the system's library does not define it. musl does not check version needs, so a musl
/// baseline has no nodes to compare.
pub fn version_issue(open: &OpenVersion, baseline: &Baseline, detail: Detail) -> Option<Issue> {
    let OpenVersion {
        library,
        version,
        shipped_at,
    } = *open;
    let node = VersionNode::parse(&version.name);
    if shipped_at.is_none() && baseline.defines(library, &node) != Availability::Absent {
        return None;
    }
    let advice = if shipped_at.is_none() && node.family == "GLIBC" && detail == Detail::Report {
        glibc_advice(&version.symbols, baseline)
    } else {
        Vec::new()
    };
    Some(Issue::SymbolVersionTooNew {
        library: library.to_string(),
        family: node.family.to_string(),
        version: version.name.clone(),
        // Only the code counts for "runs on": the symbols are not copied for it.
        symbols: match detail {
            Detail::Report => version.symbols.clone(),
            Detail::CodesOnly => Vec::new(),
        },
        baseline: baseline.id.clone(),
        baseline_highest: (detail == Detail::Report)
            .then(|| baseline.highest(node.family).map(str::to_string))
            .flatten(),
        shipped_at: shipped_at.map(str::to_string),
        weak: version.weak,
        advice,
    })
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

/// GLIBC_PRIVATE is only promised to the glibc build that defined it. Without a baseline, and
/// against the database (which records no private symbols), it is an error. Against a real root
/// filesystem it is decided by the symbols: the `--sysroot`'s library defines every private
/// symbol the file binds (a portability warning: the next glibc build may drop them), or not
/// (an error: "symbol lookup error"). Nothing is said when the loader maps that very build from
/// the same tree (glibc's own libraries in a root filesystem).
pub fn check_private(
    binary: &Binary,
    needs: &[NeedOutcome],
    loader_in_tree: bool,
    baseline: Option<&Baseline>,
) -> Vec<Issue> {
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
    let mut issues = Vec::new();
    for need in binary
        .version_needs
        .iter()
        .filter(|need| !same_build(&need.library))
    {
        for version in need.versions.iter().filter(|v| v.name == GLIBC_PRIVATE) {
            let provider = baseline
                .and_then(|b| b.files.get(&need.library))
                .and_then(|file| crate::binary::read_dynamic_symbols(file).ok());
            let Some(provider) = provider else {
                issues.push(Issue::GlibcPrivate {
                    library: need.library.clone(),
                    symbols: version.symbols.clone(),
                    baseline: baseline.map(|b| b.id.clone()),
                    absent: None,
                });
                continue;
            };
            // The node itself is checked first (`_dl_check_map_versions`), then each symbol.
            let node_defined = provider
                .defined
                .iter()
                .any(|def| def.version.as_deref() == Some(GLIBC_PRIVATE));
            let absent: Vec<String> = if !node_defined {
                vec![format!("the {GLIBC_PRIVATE} version node")]
            } else {
                Vec::new()
            };
            let absent: Vec<String> = absent
                .into_iter()
                .chain(
                    version
                        .symbols
                        .iter()
                        .filter(|symbol| {
                            !provider.defined.iter().any(|def| {
                                &def.name == *symbol
                                    && def.version.as_deref() == Some(GLIBC_PRIVATE)
                            })
                        })
                        .cloned(),
                )
                .collect();
            let id = baseline.map(|b| b.id.clone());
            issues.push(if absent.is_empty() {
                Issue::GlibcPrivatePresent {
                    library: need.library.clone(),
                    symbols: version.symbols.clone(),
                    baseline: id.unwrap_or_default(),
                }
            } else {
                Issue::GlibcPrivate {
                    library: need.library.clone(),
                    symbols: version.symbols.clone(),
                    baseline: id,
                    absent: Some(absent),
                }
            });
        }
    }
    issues
}
