//! shipcheck: will this build run where we are sending it?
//!
//! Data flows one way: discover → read → resolve → check → report → exit status.

pub mod arch;
pub mod baseline;
pub mod binary;
pub mod checks;
pub mod discover;
pub mod report;
pub mod resolve;
pub mod target;
pub mod version;

use baseline::db::Database;
use baseline::{Baseline, BaselineSet};
use binary::{Binary, Format, ReadError, Sniffed};
use checks::{BaselineFor, FileContext};
use discover::{Inventory, MissingPath};
use report::finding::{Issue, Severity};
use report::{BaselineInfo, FileReport, Report, SeverityOverrides, SkippedEntry, findings_from};
use resolve::Resolver;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use target::Target;

/// What `shipcheck check` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    pub target: Option<Target>,
    /// From the database (`Release::baseline_set`) or a root filesystem (`sysroot::scan`).
    pub baseline: Option<BaselineSet>,
    pub overrides: SeverityOverrides,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("no such path {0}")]
    MissingPath(#[from] MissingPath),
}

/// Runs the whole check and returns the finished report.
pub fn check(options: &CheckOptions, db: &Database) -> Result<Report, CheckError> {
    let inventory = discover::discover(&options.paths)?;
    let outcomes = read_all(&inventory.files);
    let canonical: Vec<PathBuf> = inventory
        .files
        .iter()
        .map(|path| canonical_path(&inventory, path))
        .collect();

    let parsed: HashMap<PathBuf, Option<Arc<Binary>>> = canonical
        .iter()
        .zip(&outcomes)
        .filter_map(|(path, outcome)| match outcome {
            Ok(Sniffed::Binary(binary)) => Some((path.clone(), Some(Arc::from(binary.clone())))),
            Err(_) => Some((path.clone(), None)),
            Ok(Sniffed::NotBinary) => None,
        })
        .collect();
    let tree: Vec<PathBuf> = inventory
        .files
        .iter()
        .chain(&inventory.symlinks)
        .cloned()
        .collect();
    let mut resolver = Resolver::new(parsed.clone(), &tree);

    let known_arches: Vec<String> = options
        .baseline
        .iter()
        .flat_map(|set| set.arches.keys().cloned())
        .collect();
    let all_baselines = AllBaselines::new(db);
    let mut files = Vec::new();
    let mut not_binaries = 0;
    for ((path, canonical), outcome) in inventory.files.iter().zip(&canonical).zip(outcomes) {
        let binary = match outcome {
            Ok(Sniffed::NotBinary) => {
                not_binaries += 1;
                continue;
            }
            Err(error) => {
                files.push(unreadable(path.clone(), &error));
                continue;
            }
            Ok(Sniffed::Binary(_)) => match parsed.get(canonical).cloned().flatten() {
                Some(binary) => binary,
                None => continue,
            },
        };
        let resolved = if binary.format == Format::Elf {
            resolver.resolve_all(&binary, canonical)
        } else {
            BTreeMap::new()
        };
        let arch_key = binary.arch.map(|a| a.db_key());
        let baseline = match (&options.baseline, arch_key.as_deref()) {
            (Some(set), Some(key)) => Some(match set.arches.get(key) {
                Some(baseline) => BaselineFor::Known(baseline),
                None => BaselineFor::ArchUnknown {
                    id: &set.id,
                    arch: key,
                    known: &known_arches,
                },
            }),
            _ => None,
        };
        let ctx = FileContext {
            path,
            binary: &binary,
            resolved: &resolved,
            target: options.target.as_ref(),
            baseline,
        };
        let issues = checks::check_file(&ctx);
        let runs_on = match (&options.baseline, &arch_key) {
            (None, Some(key))
                if binary.format == Format::Elf && !binary.debug.separate_debug_file =>
            {
                Some(all_baselines.runs_on(&ctx, key, &options.overrides))
            }
            _ => None,
        };
        files.push(FileReport {
            path: path.clone(),
            binary: Some(binary.clone()),
            findings: findings_from(issues, &options.overrides),
            runs_on,
        });
    }
    if options.target.is_none() {
        flag_inconsistent_arches(&mut files, &options.overrides);
    }
    Ok(Report {
        target: options.target.clone(),
        baseline: options.baseline.as_ref().map(baseline_info),
        files,
        not_binaries,
        skipped: inventory
            .skipped
            .iter()
            .map(|s| SkippedEntry {
                path: s.path.clone(),
                reason: s.reason.describe(),
            })
            .collect(),
    })
}

fn unreadable(path: PathBuf, error: &ReadError) -> FileReport {
    let issue = Issue::UnreadableFile {
        reason: error.to_string(),
    };
    FileReport {
        path,
        binary: None,
        findings: findings_from(vec![issue], &SeverityOverrides::new()),
        runs_on: None,
    }
}

/// The canonical path of a walked file: its root's canonical path plus the part below the
/// root. The walk does not follow symlinks below the root, so this is exact without a
/// syscall per file.
fn canonical_path(inventory: &Inventory, path: &Path) -> PathBuf {
    for (given, canonical) in &inventory.roots {
        if let Ok(rest) = path.strip_prefix(given) {
            return if rest.as_os_str().is_empty() {
                canonical.clone()
            } else {
                canonical.join(rest)
            };
        }
    }
    path.to_path_buf()
}

/// Reads every file on all cores; results come back in input order.
fn read_all(files: &[PathBuf]) -> Vec<Result<Sniffed, ReadError>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let mut indexed: Vec<(usize, Result<Sniffed, ReadError>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = files.get(index) else { break };
                        done.push((index, binary::read_path(path)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap_or_default())
            .collect()
    });
    indexed.sort_by_key(|(index, _)| *index);
    indexed.into_iter().map(|(_, outcome)| outcome).collect()
}

/// Every database baseline by architecture, for "runs on" lists.
struct AllBaselines {
    by_arch: HashMap<String, Vec<Baseline>>,
}

impl AllBaselines {
    fn new(db: &Database) -> Self {
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

    fn runs_on(&self, ctx: &FileContext, arch: &str, overrides: &SeverityOverrides) -> Vec<String> {
        let Some(baselines) = self.by_arch.get(arch) else {
            return Vec::new();
        };
        baselines
            .iter()
            .filter(|baseline| {
                let issues = checks::baseline_checks(ctx, baseline);
                findings_from(issues, overrides)
                    .iter()
                    .all(|f| f.severity < Severity::Error)
            })
            .map(|baseline| baseline.id.clone())
            .collect()
    }
}

/// Without a target, binaries whose architecture differs from the tree's majority.
fn flag_inconsistent_arches(files: &mut [FileReport], overrides: &SeverityOverrides) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for file in files.iter() {
        if let Some(arch) = elf_arch(file) {
            *counts.entry(arch).or_default() += 1;
        }
    }
    if counts.len() < 2 {
        return;
    }
    let Some(majority) = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(arch, _)| arch.clone())
    else {
        return;
    };
    for file in files.iter_mut() {
        if let Some(arch) = elf_arch(file).filter(|arch| *arch != majority) {
            let issue = Issue::ArchInconsistent {
                found: arch,
                majority: majority.clone(),
            };
            file.findings.extend(findings_from(vec![issue], overrides));
            file.findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        }
    }
}

fn elf_arch(file: &FileReport) -> Option<String> {
    let binary = file.binary.as_ref()?;
    (binary.format == Format::Elf)
        .then_some(binary.arch?)
        .map(|arch| arch.to_string())
}

fn baseline_info(set: &BaselineSet) -> BaselineInfo {
    BaselineInfo {
        id: set.id.clone(),
        name: set.name.clone(),
        libc: set.libc.clone(),
        version: set.version.clone(),
        source: set.source.clone(),
    }
}
