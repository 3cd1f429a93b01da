//! shipcheck: will this build run where we are sending it?
//!
//! Data flows one way: discover → read → resolve → check → report → exit status.

pub mod arch;
pub mod baseline;
pub mod binary;
pub mod checks;
pub mod config;
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
use report::{
    BaselineInfo, FileReport, Report, SeverityOverrides, SkippedEntry, findings_from, sort_findings,
};
use resolve::Resolver;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use target::Target;

/// What `shipcheck check` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    /// The target for files no path rule matches.
    pub target: Option<Target>,
    /// Targets for paths matching globs (relative to the checked PATH), first match wins.
    pub path_targets: Vec<PathTarget>,
    /// From the database (`Release::baseline_set`) or a root filesystem (`sysroot::scan`);
    /// each gets its own verdict.
    pub baselines: Vec<BaselineSet>,
    /// Sonames the target is known to provide whatever the baselines say.
    pub allowed_sonames: BTreeSet<String>,
    /// Paths (globs relative to the checked PATH) not to check.
    pub ignore: Option<PathGlobs>,
    pub overrides: SeverityOverrides,
}

/// A set of globs with the patterns as written (for messages).
#[derive(Debug, Clone)]
pub struct PathGlobs {
    pub patterns: Vec<String>,
    set: globset::GlobSet,
}

impl PathGlobs {
    pub fn new(patterns: &[String]) -> Result<PathGlobs, globset::Error> {
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in patterns {
            builder.add(
                globset::GlobBuilder::new(pattern)
                    .literal_separator(true)
                    .build()?,
            );
        }
        Ok(PathGlobs {
            patterns: patterns.to_vec(),
            set: builder.build()?,
        })
    }

    /// The first pattern matching `relative`, if any.
    pub fn first_match(&self, relative: &Path) -> Option<&str> {
        self.set
            .matches(relative)
            .first()
            .map(|&index| self.patterns[index].as_str())
    }
}

#[derive(Debug, Clone)]
pub struct PathTarget {
    pub globs: PathGlobs,
    pub target: Target,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("no such path {0}")]
    MissingPath(#[from] MissingPath),
}

/// Runs the whole check and returns the finished report.
pub fn check(options: &CheckOptions, db: &Database) -> Result<Report, CheckError> {
    check_with_progress(options, db, &|_, _| {})
}

/// [`check`], calling `progress(files_read, files_total)` from the reading threads as files
/// are read (for a progress line on a terminal; the library itself never prints).
pub fn check_with_progress(
    options: &CheckOptions,
    db: &Database,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Report, CheckError> {
    let roots = discover::roots(&options.paths)?;
    let walked = read_while_walking(roots, options.ignore.as_ref(), progress);
    let (inventory, ignored, not_binaries) =
        (walked.inventory, walked.ignored, walked.not_binaries);

    // Object files and files that failed to read; their canonical paths key the resolver,
    // which finds shipped libraries among them.
    let entries: Vec<(PathBuf, PathBuf, Result<Arc<Binary>, ReadError>)> = walked
        .read
        .into_iter()
        .map(|(path, outcome)| {
            let canonical = canonical_path(&inventory, &path);
            (path, canonical, outcome.map(Arc::from))
        })
        .collect();
    let parsed: HashMap<PathBuf, Option<Arc<Binary>>> = entries
        .iter()
        .map(|(_, canonical, outcome)| (canonical.clone(), outcome.as_ref().ok().cloned()))
        .collect();
    let tree: Vec<&Path> = entries
        .iter()
        .map(|(path, _, _)| path.as_path())
        .chain(inventory.symlinks.iter().map(PathBuf::as_path))
        .collect();
    let mut resolver = Resolver::new(parsed, &tree);

    let known_arches: Vec<Vec<String>> = options
        .baselines
        .iter()
        .map(|set| set.arches.keys().cloned().collect())
        .collect();
    // Only needed for "runs on" lists, i.e. without a baseline.
    let all_baselines = options.baselines.is_empty().then(|| AllBaselines::new(db));
    let mut files = Vec::new();
    for (path, canonical, outcome) in &entries {
        let binary = match outcome {
            Ok(binary) => binary.clone(),
            Err(error) => {
                files.push(unreadable(path.clone(), error));
                continue;
            }
        };
        let canonical = canonical.as_path();
        let resolved = if binary.format == Format::Elf {
            resolver.resolve_all(&binary, canonical)
        } else {
            BTreeMap::new()
        };
        let target = target_for(options, &relative_to_root(&inventory.roots, path));
        let ctx = FileContext {
            path,
            binary: &binary,
            resolved: &resolved,
            target,
            allowed_sonames: &options.allowed_sonames,
        };
        let mut findings = findings_from(checks::file_checks(&ctx), &options.overrides, None);
        let arch_key = binary.arch.map(|a| a.db_key());
        if let Some(key) = &arch_key {
            for (set, known) in options.baselines.iter().zip(&known_arches) {
                let baseline = match set.arches.get(key) {
                    Some(baseline) => BaselineFor::Known(baseline),
                    None => BaselineFor::ArchUnknown {
                        id: &set.id,
                        arch: key,
                        known,
                    },
                };
                let issues = checks::against(&ctx, baseline);
                findings.extend(findings_from(issues, &options.overrides, Some(&set.id)));
            }
        }
        sort_findings(&mut findings);
        let runs_on = match (&all_baselines, &arch_key) {
            (Some(all), Some(key))
                if binary.format == Format::Elf && !binary.debug.separate_debug_file =>
            {
                Some(all.runs_on(&ctx, key, &options.overrides))
            }
            _ => None,
        };
        files.push(FileReport {
            path: path.clone(),
            binary: Some(binary.clone()),
            target: target.map(|t| t.name.clone()),
            findings,
            runs_on,
        });
    }
    flag_inconsistent_arches(&mut files, &options.overrides);
    let mut skipped: Vec<SkippedEntry> = inventory
        .skipped
        .iter()
        .map(|s| SkippedEntry {
            path: s.path.clone(),
            reason: s.reason.describe(),
        })
        .chain(ignored)
        .collect();
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Report {
        target: options.target.clone(),
        baselines: options.baselines.iter().map(baseline_info).collect(),
        files,
        not_binaries,
        skipped,
    })
}

/// The target of the first path rule matching, else the default target.
fn target_for<'a>(options: &'a CheckOptions, relative: &Path) -> Option<&'a Target> {
    options
        .path_targets
        .iter()
        .find(|rule| rule.globs.first_match(relative).is_some())
        .map(|rule| &rule.target)
        .or(options.target.as_ref())
}

/// A walked path relative to the PATH it was found under (the file name when PATH is the
/// file itself), for matching policy globs.
fn relative_to_root(roots: &[(PathBuf, PathBuf)], path: &Path) -> PathBuf {
    for (given, _) in roots {
        if let Ok(rest) = path.strip_prefix(given)
            && !rest.as_os_str().is_empty()
        {
            return rest.to_path_buf();
        }
    }
    path.file_name()
        .map_or_else(|| path.to_path_buf(), PathBuf::from)
}

fn unreadable(path: PathBuf, error: &ReadError) -> FileReport {
    let issue = Issue::UnreadableFile {
        reason: error.to_string(),
    };
    FileReport {
        path,
        binary: None,
        target: None,
        findings: findings_from(vec![issue], &SeverityOverrides::new(), None),
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

/// What the walk and the readers found.
struct Walked {
    inventory: Inventory,
    /// Object files and files that could not be read, in walk order.
    read: Vec<(PathBuf, Result<Box<Binary>, ReadError>)>,
    ignored: Vec<SkippedEntry>,
    /// Regular files that are not object files: only counted, never kept (most of a tree).
    not_binaries: usize,
}

/// One walk and many readers at once: the walk hands each regular file to reader threads as
/// it finds it, so reading overlaps walking. More threads than cores, because opening files is
/// mostly waiting (cold caches, network filesystems). Results come back in walk order.
fn read_while_walking(
    roots: Vec<(PathBuf, PathBuf)>,
    ignore: Option<&PathGlobs>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Walked {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .saturating_mul(4)
        .clamp(4, 32);
    let (sender, receiver) = std::sync::mpsc::channel::<(usize, PathBuf)>();
    let receiver = std::sync::Mutex::new(receiver);
    let found = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let not_binaries = AtomicUsize::new(0);
    let mut ignored = Vec::new();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let job = match receiver.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => break,
                        };
                        let Ok((index, path)) = job else { break };
                        let outcome = match binary::read_path(&path) {
                            Ok(Sniffed::NotBinary) => None,
                            Ok(Sniffed::Binary(binary)) => Some(Ok(binary)),
                            Err(error) => Some(Err(error)),
                        };
                        let count = finished.fetch_add(1, Ordering::Relaxed) + 1;
                        progress(count, found.load(Ordering::Relaxed));
                        match outcome {
                            Some(outcome) => done.push((index, path, outcome)),
                            None => {
                                not_binaries.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                    done
                })
            })
            .collect();
        let root_paths = roots.clone();
        let mut next = 0;
        let inventory = discover::discover(roots, &mut |path| {
            if let Some(pattern) =
                ignore.and_then(|globs| globs.first_match(&relative_to_root(&root_paths, path)))
            {
                ignored.push(SkippedEntry {
                    path: path.to_path_buf(),
                    reason: format!("ignored by the policy (`{pattern}`)"),
                });
                return;
            }
            found.fetch_add(1, Ordering::Relaxed);
            // The receivers outlive the walk, so sending cannot fail.
            let _ = sender.send((next, path.to_path_buf()));
            next += 1;
        });
        drop(sender);
        let mut read: Vec<(usize, PathBuf, Result<Box<Binary>, ReadError>)> = workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap_or_default())
            .collect();
        read.sort_by_key(|(index, _, _)| *index);
        Walked {
            inventory,
            read: read
                .into_iter()
                .map(|(_, path, outcome)| (path, outcome))
                .collect(),
            ignored,
            not_binaries: not_binaries.load(Ordering::Relaxed),
        }
    })
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
                findings_from(issues, overrides, None)
                    .iter()
                    .all(|f| f.severity < Severity::Error)
            })
            .map(|baseline| baseline.id.clone())
            .collect()
    }
}

/// Among files checked without a target, binaries whose architecture differs from the
/// majority.
fn flag_inconsistent_arches(files: &mut [FileReport], overrides: &SeverityOverrides) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for file in files.iter().filter(|f| f.target.is_none()) {
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
    for file in files.iter_mut().filter(|f| f.target.is_none()) {
        if let Some(arch) = elf_arch(file).filter(|arch| *arch != majority) {
            let issue = Issue::ArchInconsistent {
                found: arch,
                majority: majority.clone(),
            };
            file.findings
                .extend(findings_from(vec![issue], overrides, None));
            sort_findings(&mut file.findings);
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
