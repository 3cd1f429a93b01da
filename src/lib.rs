//! shipcheck: will this build run where we are sending it?
//!
//! Data flows one way: discover → read → tree index → loader model → checks → findings (rated
//! once) → report → exit status. This file conducts the stages and holds nothing else.

pub mod arch;
pub mod artifact;
pub mod baseline;
pub mod binary;
pub mod checks;
pub mod config;
pub mod demangle;
pub mod discover;
pub mod findings;
pub mod loader;
pub mod report;
pub mod runtime;
pub mod target;
pub mod tree;
pub mod version;

use baseline::BaselineSet;
use baseline::db::Database;
use binary::{Binary, Format};
use checks::runs_on::AllBaselines;
use checks::{BaselineFor, FileContext};
use discover::MissingPath;
use findings::{Issue, SeverityOverrides, findings_from, sort_findings};
use loader::{Layout, Model, NeedOutcome, RuntimeOutcome, Setting};
use report::{ArtifactInfo, BaselineInfo, FileReport, Report, SkippedEntry, TreeInfo, WheelInfo};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use target::Target;
use tree::TreeIndex;

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
    /// How to read checked directories: `None` recognises root filesystems by their layout.
    pub layout: Option<Layout>,
    /// Bounds on reading archives and images.
    pub limits: artifact::Limits,
    /// The policy file's `[dlopen]` entries: what files load at run time.
    pub dlopen_rules: Vec<runtime::DlopenRule>,
    /// What the user says about the target's kernel and page size (`--kernel`, `--page-size`).
    pub machine: checks::target_facts::TargetMachine,
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
    /// The rule as the policy names it (`targets[1]`), and the policy file.
    pub rule: String,
    pub defined_in: PathBuf,
}

/// What an artifact's own metadata says about checking its tree.
#[derive(Debug, Clone)]
pub struct ArtifactDefaults {
    pub kind: artifact::Kind,
    /// The file or image layout directory on disk that holds it (the outermost, when nested).
    pub on_disk: PathBuf,
    /// The artifact it was found in.
    pub inside: Option<String>,
    /// An image's platform.
    pub platform: Option<artifact::Platform>,
    /// The target its files get unless the user names one (an image's platform, a wheel's
    /// architecture and C library).
    pub target: Option<Target>,
    /// A NuGet package's `runtimes/<rid>/native/` folders with the target each RID names
    /// (`linux-musl-arm64`): the files below them are checked for it.
    pub rid_targets: Vec<(PathBuf, Target)>,
    /// A wheel's platform tags and the policies they claim.
    pub wheel_tags: Vec<String>,
    pub wheel_claims: Vec<checks::wheel::TagClaim>,
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
    let Indexed {
        trees,
        unreadable,
        failed,
        ignored,
        not_binaries,
        skipped,
    } = index(options, db, progress)?;
    // Only needed for "runs on" lists, i.e. without a baseline, and only for the
    // architectures of the files that get one.
    let runs_on_arches: Option<Vec<(String, Option<arch::Libc>)>> =
        options.baselines.is_empty().then(|| {
            trees
                .iter()
                .flat_map(|loaded| &loaded.files)
                .filter(|(_, binary)| gets_runs_on(binary))
                .filter_map(|(_, binary)| {
                    let libc = arch::libc_of(binary.interpreter.as_deref(), &binary.needed);
                    Some((binary.arch?.db_key(), libc))
                })
                .collect()
        });
    let all_baselines = runs_on_arches.as_ref().map(|arches| {
        AllBaselines::new(
            db,
            arches.iter().map(|(key, libc)| (key.as_str(), *libc)),
            &options.overrides,
        )
    });
    // Release metadata for summarising "runs on" by family, read once if any file has one.
    let family_index = std::cell::OnceCell::new();
    let family_arches = || -> Vec<&str> {
        let mut keys: Vec<&str> = runs_on_arches
            .iter()
            .flatten()
            .map(|(key, _)| key.as_str())
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    };
    // Files with the same list (shared by AllBaselines) share one summary.
    let mut family_summaries: HashMap<_, Arc<[baseline::families::FamilySummary]>> = HashMap::new();
    let mut report_baselines: Vec<BaselineSet> = options.baselines.clone();
    // Each file's report with its issues and their baselines, rated once at the end.
    let mut files: Vec<(FileReport, Vec<BaselineIssue>)> = Vec::new();
    let mut tree_infos = Vec::new();
    for loaded in &trees {
        let root = loaded.tree.given.display().to_string();
        // The user's baselines, else the artifact's own (a wheel's tag policy).
        let baselines: &[BaselineSet] = if options.baselines.is_empty() {
            &loaded.default_baselines
        } else {
            &options.baselines
        };
        for set in baselines {
            if !report_baselines.iter().any(|known| known.id == set.id) {
                report_baselines.push(set.clone());
            }
        }
        let known_arches: Vec<Vec<String>> = baselines
            .iter()
            .map(|set| set.arches.keys().cloned().collect())
            .collect();
        let mut undefined = checks::undefined::check(loaded, None);
        // A root filesystem given as a baseline provides symbols of its own: what it decides
        // beyond the tree alone belongs to its verdict.
        let mut undefined_on: Vec<(String, HashMap<PathBuf, Vec<Issue>>)> = baselines
            .iter()
            .filter(|set| set.arches.values().any(|b| !b.files.is_empty()))
            .map(|set| (set.id.clone(), checks::undefined::check(loaded, Some(set))))
            .collect();
        let loader_in_tree = loaded.model.layout == Layout::RootFs
            && loader::root_filesystem_loader(&loaded.tree).is_some();
        let first_file = files.len();
        // Read once per tree, and only when a file names libraries it may dlopen: it walks
        // every node of the tree.
        let library_names = std::cell::OnceCell::new();
        let debug_owners = debug_owners(&loaded.files);
        for (path, binary) in &loaded.files {
            let vpath = loaded.tree.inside(path);
            let needs: &[NeedOutcome] = loaded.needs.get(&vpath).map_or(&[], Vec::as_slice);
            let runtime: &[RuntimeOutcome] = loaded.runtime.get(&vpath).map_or(&[], Vec::as_slice);
            // Names checked exactly as run-time loads are no longer candidates.
            let dlopen_unshipped = checks::dlopen::unshipped(&binary.dlopen_names, &|name| {
                library_names
                    .get_or_init(|| loaded.tree.library_names())
                    .contains_key(std::ffi::OsStr::new(name))
                    || runtime
                        .iter()
                        .any(|o| o.load.names.iter().any(|n| n.starts_with(name)))
            });
            let relative = loaded.tree.relative_for_policy(path);
            let target = target_for(options, &relative, loaded.artifact.as_ref());
            let interpreter_in_tree = (loaded.model.layout == Layout::RootFs)
                .then(|| binary.interpreter.as_ref())
                .flatten()
                .map(|interp| loaded.tree.resolve(Path::new(interp)).is_some());
            let ctx = FileContext {
                path,
                binary,
                needs,
                root: &root,
                interpreter_in_tree,
                loader_in_tree,
                has_baselines: !baselines.is_empty(),
                self_contained: baselines.is_empty(),
                target,
                allowed_sonames: &options.allowed_sonames,
                runtime,
                dlopen_unshipped: &dlopen_unshipped,
                dlopened: loaded.dlopened.contains(&vpath),
                machine: options.machine,
                debug_owner: debug_owners.get(path).map(String::as_str),
            };
            let mut issues: Vec<BaselineIssue> = checks::file_checks(&ctx)
                .into_iter()
                .map(|issue| (issue, None))
                .collect();
            let everywhere = undefined.remove(&vpath).unwrap_or_default();
            for (id, found) in &mut undefined_on {
                let only_here = found.remove(&vpath).unwrap_or_default();
                issues.extend(
                    only_here
                        .into_iter()
                        .filter(|issue| !everywhere.contains(issue))
                        .map(|issue| (issue, Some(id.clone()))),
                );
            }
            issues.extend(everywhere.into_iter().map(|issue| (issue, None)));
            let arch_key = binary.arch.map(|a| a.db_key());
            if let Some(key) = &arch_key {
                for (set, known) in baselines.iter().zip(&known_arches) {
                    let baseline = match set.arches.get(key) {
                        Some(baseline) => BaselineFor::Known(baseline),
                        None if set.arches.values().any(|b| b.libraries.is_some()) => {
                            BaselineFor::OtherArch { id: &set.id, known }
                        }
                        None if set
                            .never_built_for
                            .as_ref()
                            .is_some_and(|never| never.excludes(key)) =>
                        {
                            let never = set.never_built_for.as_ref();
                            BaselineFor::NeverBuiltFor {
                                id: &set.id,
                                arch: key,
                                built_for: never.map_or(&[][..], |n| &n.known_arches),
                                source: never.map_or("", |n| &n.source),
                            }
                        }
                        None => BaselineFor::ArchUnknown {
                            id: &set.id,
                            arch: key,
                            known,
                        },
                    };
                    issues.extend(
                        checks::against(&ctx, baseline)
                            .into_iter()
                            .map(|issue| (issue, Some(set.id.clone()))),
                    );
                }
            }
            let runs_on = match (&all_baselines, &arch_key) {
                (Some(all), Some(key)) if gets_runs_on(binary) => Some(all.runs_on(&ctx, key)),
                _ => None,
            };
            let families = runs_on.as_ref().zip(arch_key.as_ref()).map(|(list, key)| {
                let libc = arch::libc_of(binary.interpreter.as_deref(), &binary.needed);
                let summary = family_summaries
                    .entry((key.clone(), libc, Arc::clone(list)))
                    .or_insert_with(|| {
                        family_index
                            .get_or_init(|| {
                                baseline::families::Families::from_database(db, &family_arches())
                            })
                            .summarise(key, libc, list)
                            .into()
                    });
                Arc::clone(summary)
            });
            let report = FileReport {
                path: path.clone(),
                binary: Some(binary.clone()),
                target: target.map(|t| t.name.clone()),
                findings: Vec::new(),
                runs_on,
                families,
                relative,
                container: loaded.artifact.as_ref().map(|a| a.on_disk.clone()),
            };
            files.push((report, issues));
        }
        tree_infos.push(TreeInfo {
            path: loaded.tree.given.clone(),
            layout: loaded.model.layout,
            entry_points: loaded.model.closures.len(),
            artifact: loaded.artifact.as_ref().map(|a| ArtifactInfo {
                kind: a.kind.as_str(),
                inside: a.inside.clone(),
                platform: a.platform.as_ref().map(ToString::to_string),
                target: a.target.as_ref().map(|t| t.name.clone()),
            }),
            wheel: loaded
                .artifact
                .as_ref()
                .filter(|a| a.kind == artifact::Kind::Wheel)
                .map(|a| wheel_info(a, &files[first_file..])),
        });
    }
    for (path, reason) in unreadable {
        let issue = Issue::UnreadableFile { reason };
        files.push((FileReport::without_binary(path), vec![(issue, None)]));
    }
    for (path, error) in failed {
        let issue = match error {
            artifact::ArtifactError::Limit(hit) => Issue::ArchiveLimit {
                reason: hit.to_string(),
            },
            error => Issue::UnreadableFile {
                reason: error.to_string(),
            },
        };
        files.push((FileReport::without_binary(path), vec![(issue, None)]));
    }
    // A rule that matches no file checked nothing: its files are elsewhere, or missing. The
    // finding belongs to the policy file.
    let mut unmatched: Vec<(PathBuf, Vec<BaselineIssue>)> = Vec::new();
    for rule in &options.path_targets {
        let used = files
            .iter()
            .any(|(file, _)| rule.globs.first_match(&file.relative).is_some());
        if used {
            continue;
        }
        let issue = Issue::TargetRuleUnmatched {
            rule: rule.rule.clone(),
            paths: rule.globs.patterns.clone(),
            target: rule.target.name.clone(),
        };
        match unmatched
            .iter_mut()
            .find(|(path, _)| *path == rule.defined_in)
        {
            Some((_, issues)) => issues.push((issue, None)),
            None => unmatched.push((rule.defined_in.clone(), vec![(issue, None)])),
        }
    }
    for (index, rule) in options.dlopen_rules.iter().enumerate() {
        if trees
            .iter()
            .any(|t| t.dlopen_rules_matched.get(index) == Some(&true))
        {
            continue;
        }
        let issue = Issue::DlopenRuleUnmatched {
            rule: rule.rule.clone(),
            loads: rule.loads.iter().map(|names| names.join("|")).collect(),
        };
        match unmatched.iter_mut().find(|(path, _)| *path == rule.policy) {
            Some((_, issues)) => issues.push((issue, None)),
            None => unmatched.push((rule.policy.clone(), vec![(issue, None)])),
        }
    }
    for (path, issues) in unmatched {
        files.push((FileReport::without_binary(path), issues));
    }
    files.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    let arches: Vec<Option<String>> = files
        .iter()
        .map(|(file, _)| {
            let binary = file.binary.as_ref().filter(|_| file.target.is_none())?;
            (binary.format == Format::Elf)
                .then_some(binary.arch?)
                .map(|arch| arch.to_string())
        })
        .collect();
    for (index, issue) in checks::arch::inconsistent(&arches) {
        files[index].1.push((issue, None));
    }
    let files = files
        .into_iter()
        .map(|(mut file, issues)| {
            file.findings = findings_from(issues, &options.overrides);
            sort_findings(&mut file.findings);
            file
        })
        .collect();
    let mut skipped: Vec<SkippedEntry> = skipped.into_iter().chain(ignored).collect();
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Report {
        target: options.target.clone(),
        baselines: report_baselines.iter().map(baseline_info).collect(),
        trees: tree_infos,
        files,
        not_binaries,
        skipped,
    })
}

/// Whether a file gets a "runs on" list: ELF files that run, not separate debug files.
fn gets_runs_on(binary: &Binary) -> bool {
    binary.format == Format::Elf && !binary.debug.separate_debug_file
}

/// Each separate debug file of a tree with the file it belongs to: the one whose
/// `.gnu_debuglink` names it (in the same directory), else an object with the same build-id.
fn debug_owners(files: &[(PathBuf, Arc<Binary>)]) -> HashMap<PathBuf, String> {
    let mut by_build_id: HashMap<&str, &Path> = HashMap::new();
    let mut by_link: HashMap<PathBuf, &Path> = HashMap::new();
    for (path, binary) in files.iter().filter(|(_, b)| !b.debug.separate_debug_file) {
        if let Some(id) = &binary.debug.build_id {
            by_build_id.insert(id, path);
        }
        if let (Some(link), Some(dir)) = (&binary.debug.debuglink, path.parent()) {
            by_link.insert(dir.join(link), path);
        }
    }
    files
        .iter()
        .filter(|(_, b)| b.debug.separate_debug_file)
        .filter_map(|(path, binary)| {
            let owner = by_link.get(path).or_else(|| {
                let id = binary.debug.build_id.as_deref()?;
                by_build_id.get(id)
            })?;
            Some((path.clone(), owner.display().to_string()))
        })
        .collect()
}

/// An issue and the baseline it is about (`None`: every baseline).
type BaselineIssue = (Issue, Option<String>);

/// One checked PATH with its loader model.
pub struct LoadedTree {
    pub tree: TreeIndex,
    pub model: Model,
    /// Each file's needs as the model resolved them, by path inside the tree.
    pub needs: HashMap<PathBuf, Vec<NeedOutcome>>,
    /// Each file's run-time loads as `dlopen` finds them, by path inside the tree.
    pub runtime: HashMap<PathBuf, Vec<RuntimeOutcome>>,
    /// For each `[dlopen]` rule of the policy, whether it matched a file of this tree.
    pub dlopen_rules_matched: Vec<bool>,
    /// Files loaded with dlopen: libraries nothing in the tree loads (plugins) and the files
    /// run-time loads find in the tree.
    pub dlopened: std::collections::HashSet<PathBuf>,
    /// The object files read, by walk path, in walk order.
    pub files: Vec<(PathBuf, Arc<Binary>)>,
    /// For an archive or image: what its metadata says.
    pub artifact: Option<ArtifactDefaults>,
    /// Baselines the artifact names itself (a wheel's tag policy), used without `--baseline`.
    pub default_baselines: Vec<BaselineSet>,
}

/// What discovery, reading and the loader model produced.
struct Indexed {
    trees: Vec<LoadedTree>,
    /// Files that could not be read, with the reason.
    unreadable: Vec<(PathBuf, String)>,
    /// Archives and images that could not be read.
    failed: Vec<(PathBuf, artifact::ArtifactError)>,
    ignored: Vec<SkippedEntry>,
    not_binaries: usize,
    skipped: Vec<SkippedEntry>,
}

/// Walks and reads every PATH, indexes each as a tree (archives and images as trees of their
/// own) and runs the loader model over it.
fn index(
    options: &CheckOptions,
    db: &Database,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Indexed, CheckError> {
    let roots = discover::roots(&options.paths)?;
    let walked = discover::read_while_walking(
        roots.clone(),
        options.ignore.as_ref(),
        options.limits,
        progress,
    );
    let consumed: Vec<PathBuf> = walked.artifacts.iter().map(|(p, _)| p.clone()).collect();
    let (indexes, unreadable) = tree::index_walk(walked.read, &walked.inventory, &consumed);
    let mut unreadable: Vec<(PathBuf, String)> = unreadable
        .into_iter()
        .map(|(path, error)| (path, error.to_string()))
        .collect();
    let mut trees: Vec<(TreeIndex, tree::TreeFiles, Option<ArtifactDefaults>)> =
        indexes.into_iter().map(|(t, f)| (t, f, None)).collect();
    let mut failed = Vec::new();
    let mut not_binaries = walked.not_binaries;
    for (on_disk, opened) in walked.artifacts {
        for fault in opened.failed {
            failed.push((PathBuf::from(fault.label), fault.error));
        }
        for found in opened.artifacts {
            not_binaries += found.members.not_binaries;
            let defaults = artifact_defaults(&found, &on_disk);
            let tree = TreeIndex::in_memory(found.label, found.members);
            let mut files = Vec::new();
            for (vpath, binary) in tree.objects() {
                let path = tree.member_path(&vpath);
                match binary {
                    Some(binary) => files.push((path, binary)),
                    None => unreadable.push((path, unreadable_reason(&tree, &vpath))),
                }
            }
            trees.push((tree, files, Some(defaults)));
        }
    }
    let setting = |tree: &TreeIndex, defaults: Option<&ArtifactDefaults>, has_baselines: bool| {
        let image = defaults.is_some_and(|d| d.kind.is_image());
        Setting {
            layout: options.layout.unwrap_or(
                if image || loader::looks_like_root_filesystem(tree) {
                    Layout::RootFs
                } else {
                    Layout::App
                },
            ),
            system_beyond: has_baselines,
            libc: options
                .target
                .as_ref()
                .and_then(|t| t.libc)
                .or_else(|| defaults.and_then(|d| d.target.as_ref()?.libc))
                .or_else(|| {
                    options
                        .baselines
                        .iter()
                        .find_map(|set| set.arches.values().next().map(|b| b.libc))
                }),
        }
    };
    let trees = trees
        .into_iter()
        .map(|(tree, files, defaults)| {
            let default_baselines = match &defaults {
                Some(d) if options.baselines.is_empty() => {
                    checks::wheel::strictest(&d.wheel_claims)
                        .and_then(|claim| db.find(&claim.baseline_id()).ok())
                        .map(|release| vec![release.baseline_set()])
                        .unwrap_or_default()
                }
                _ => Vec::new(),
            };
            let has_baselines = !options.baselines.is_empty() || !default_baselines.is_empty();
            let tree_files: Vec<runtime::TreeFile> = files
                .iter()
                .map(|(path, binary)| runtime::TreeFile {
                    vpath: tree.inside(path),
                    relative: tree.relative_for_policy(path),
                    binary,
                })
                .collect();
            let (runtime_loads, dlopen_rules_matched) =
                runtime::loads_of_tree(&tree, &tree_files, &options.dlopen_rules);
            let model = loader::model(
                &tree,
                setting(&tree, defaults.as_ref(), has_baselines),
                &runtime_loads,
            );
            let needs = model.needs_by_file(&tree);
            let runtime = model.runtime_by_file(&tree);
            let dlopened = model.dlopened();
            LoadedTree {
                dlopened,
                tree,
                model,
                needs,
                runtime,
                dlopen_rules_matched,
                files,
                artifact: defaults,
                default_baselines,
            }
        })
        .collect();
    let skipped = walked
        .inventory
        .skipped
        .iter()
        .map(|s| SkippedEntry {
            path: s.path.clone(),
            reason: s.reason.describe(),
        })
        .collect();
    Ok(Indexed {
        trees,
        unreadable,
        failed,
        ignored: walked.ignored,
        not_binaries,
        skipped,
    })
}

/// Why an object member of an artifact could not be parsed.
fn unreadable_reason(tree: &TreeIndex, vpath: &Path) -> String {
    tree.member_error(vpath)
        .unwrap_or_else(|| "could not be parsed".to_string())
}

/// The defaults an artifact's own metadata gives its tree.
fn artifact_defaults(found: &artifact::Artifact, on_disk: &Path) -> ArtifactDefaults {
    let wheel_tags = if found.kind == artifact::Kind::Wheel {
        artifact::wheel_tags(&found.members)
    } else {
        Vec::new()
    };
    let wheel_claims = checks::wheel::claims(&wheel_tags);
    let target = match &found.platform {
        Some(platform) => Target::parse(&platform.to_string()).ok(),
        None => checks::wheel::strictest(&wheel_claims).and_then(|claim| {
            let mut target = Target::parse(&claim.arch).ok()?;
            target.name = claim.tag();
            target.libc = Some(claim.libc);
            Some(target)
        }),
    };
    let mut rid_targets: Vec<(PathBuf, Target)> = Vec::new();
    if found.kind == artifact::Kind::Nupkg {
        for path in found.members.nodes.keys() {
            let parts: Vec<&std::ffi::OsStr> = path.iter().skip(1).take(3).collect();
            if let [runtimes, rid, native] = parts.as_slice()
                && *runtimes == "runtimes"
                && *native == "native"
            {
                let folder = Path::new("runtimes").join(rid).join(native);
                if rid_targets.iter().all(|(known, _)| *known != folder)
                    && let Some(target) = rid.to_str().and_then(|r| Target::parse(r).ok())
                {
                    rid_targets.push((folder, target));
                }
            }
        }
    }
    ArtifactDefaults {
        kind: found.kind,
        on_disk: on_disk.to_path_buf(),
        inside: found.inside.clone(),
        platform: found.platform.clone(),
        target,
        rid_targets,
        wheel_tags,
        wheel_claims,
    }
}

/// What `auditwheel show` says of a wheel, from the baselines each of its files runs on.
fn wheel_info(
    defaults: &ArtifactDefaults,
    files: &[(FileReport, Vec<BaselineIssue>)],
) -> WheelInfo {
    let files_arch = files
        .iter()
        .find_map(|(f, _)| Some(f.binary.as_ref()?.arch?.db_key()));
    let runs_on = files
        .iter()
        .filter_map(|(file, _)| file.runs_on.as_deref())
        .collect();
    let verdict = checks::wheel::verdict(&defaults.wheel_claims, runs_on, files_arch);
    WheelInfo {
        tags: defaults.wheel_tags.clone(),
        policy: verdict.policy,
        matches_tags: verdict.matches_tags,
    }
}

/// The load trees of every entry point, for `shipcheck tree`.
pub fn load_trees(options: &CheckOptions, db: &Database) -> Result<Vec<LoadedTree>, CheckError> {
    Ok(index(options, db, &|_, _| {})?.trees)
}

/// The target of the first path rule matching, else a NuGet package's RID folder, else the
/// default target, else the artifact's own (an image's platform, a wheel's tag).
fn target_for<'a>(
    options: &'a CheckOptions,
    relative: &Path,
    artifact: Option<&'a ArtifactDefaults>,
) -> Option<&'a Target> {
    let rid = artifact.and_then(|a| {
        a.rid_targets
            .iter()
            .find(|(folder, _)| relative.starts_with(folder))
            .map(|(_, target)| target)
    });
    options
        .path_targets
        .iter()
        .find(|rule| rule.globs.first_match(relative).is_some())
        .map(|rule| &rule.target)
        .or(rid)
        .or(options.target.as_ref())
        .or_else(|| artifact?.target.as_ref())
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
