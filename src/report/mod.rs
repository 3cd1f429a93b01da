//! The report: findings per file, severities after overrides, the summary and the exit status.
//! Renderers (one per format) only render a finished [`Report`].

pub mod baselines;
pub mod github;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod table;
pub mod tree;
pub mod view;

use crate::binary::Binary;
use crate::findings::{Finding, Severity};
use crate::target::Target;
use std::path::PathBuf;
use std::sync::Arc;

/// What a finished file entry holds.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The path as the walk produced it (relative to what the user gave).
    pub path: PathBuf,
    /// `None` when the file could not be read or parsed (see its `unreadable-file` finding).
    pub binary: Option<Arc<Binary>>,
    /// The target this file was checked for (the policy can give each path its own).
    pub target: Option<String>,
    pub findings: Vec<Finding>,
    /// Without `--baseline`: database baselines this file runs on (`None` when not computed).
    /// Files with the same answer share one list.
    pub runs_on: Option<Arc<[String]>>,
    /// `runs_on` by distribution family, image and policy (`None` when not computed).
    pub families: Option<Arc<[crate::baseline::families::FamilySummary]>>,
    /// The path policy globs match: relative to the checked PATH, or inside its artifact.
    pub relative: PathBuf,
    /// For a member of an archive or image: the file (or layout directory) on disk holding it.
    pub container: Option<PathBuf>,
}

impl FileReport {
    /// An entry for a path that is no readable object file (an unreadable file, the policy
    /// file): only its findings.
    pub fn without_binary(path: PathBuf) -> FileReport {
        FileReport {
            binary: None,
            target: None,
            findings: Vec::new(),
            runs_on: None,
            families: None,
            relative: path.file_name().map_or_else(|| path.clone(), PathBuf::from),
            container: None,
            path,
        }
    }
}

/// A path that was seen but not checked, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedEntry {
    pub path: PathBuf,
    pub reason: String,
}

/// Which baseline the verdict came from.
#[derive(Debug, Clone)]
pub struct BaselineInfo {
    pub id: String,
    pub name: String,
    pub libc: String,
    pub version: Option<String>,
    pub source: String,
}

/// How one checked PATH was read.
#[derive(Debug, Clone)]
pub struct TreeInfo {
    pub path: PathBuf,
    /// A root filesystem is checked as the system itself.
    pub layout: crate::loader::Layout,
    /// Programs, and libraries nothing in the tree loads.
    pub entry_points: usize,
    /// Set when the PATH (or an archive found in it) is an archive or image.
    pub artifact: Option<ArtifactInfo>,
    /// Set for a Python wheel: what `auditwheel show` reports.
    pub wheel: Option<WheelInfo>,
}

/// An archive or image checked in place.
#[derive(Debug, Clone)]
pub struct ArtifactInfo {
    /// How its content was recognised (`tar+gzip`, `wheel`, `docker-archive` ...).
    pub kind: &'static str,
    /// The artifact it was found in.
    pub inside: Option<String>,
    /// An image's platform (`linux/arm64/v8`).
    pub platform: Option<String>,
    /// The target its files were checked for unless a path rule or `--target` named one.
    pub target: Option<String>,
}

/// A wheel's platform tags and the tightest policy its files satisfy.
#[derive(Debug, Clone)]
pub struct WheelInfo {
    pub tags: Vec<String>,
    /// `manylinux_2_17_x86_64`, or `linux_<arch>` when no policy holds; `None` when it was not
    /// computed (with `--baseline`, or without ELF files).
    pub policy: Option<String>,
    /// Whether the tags claim no more than that policy; `None` when not computed.
    pub matches_tags: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct Report {
    /// The default target (`--target`, or the policy's top-level `target`).
    pub target: Option<Target>,
    /// Every baseline checked against, in the order given.
    pub baselines: Vec<BaselineInfo>,
    /// Every PATH checked, with how it was read.
    pub trees: Vec<TreeInfo>,
    pub files: Vec<FileReport>,
    /// Regular files that are not object files.
    pub not_binaries: usize,
    /// Symlinks, special files and walk errors.
    pub skipped: Vec<SkippedEntry>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Verdict {
    pub errors: usize,
    pub warnings: usize,
    /// Findings that say something could not be checked.
    pub unverified: usize,
}

impl Verdict {
    pub fn outcome(&self) -> Outcome {
        if self.errors > 0 {
            Outcome::Fail
        } else if self.unverified > 0 {
            Outcome::Unverified
        } else {
            Outcome::Pass
        }
    }
}

/// The verdict's value: never "pass" unless every check ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail,
    /// Nothing failed, but something could not be checked.
    Unverified,
    /// The check could not be done at all (nothing to check, unusable input).
    Error,
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Unverified => "unverified",
            Outcome::Error => "error",
        }
    }
}

/// How the process should exit (ruff's `ExitStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Every check ran and none found an error.
    Clean = 0,
    /// At least one error-level finding.
    Failed = 1,
    /// The tool could not do its job.
    Error = 2,
    /// No error, but something could not be checked (`--unverified pass` makes this 0).
    Unverified = 3,
}

/// What an unverified verdict does to the exit status (`unverified` in the policy file).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnverifiedPolicy {
    /// Exit 3: a gate stays red until everything was checked.
    #[default]
    Fail,
    /// Exit 0: the gate accepts what could not be checked (it is still reported).
    Pass,
}

fn count_into<'a>(verdict: &mut Verdict, findings: impl Iterator<Item = &'a Finding>) {
    for finding in findings {
        match finding.severity {
            Severity::Error => verdict.errors += 1,
            Severity::Warning => verdict.warnings += 1,
            Severity::Info => {}
        }
        if finding.code().leaves_unverified() {
            verdict.unverified += 1;
        }
    }
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.files
            .iter()
            .flat_map(|f| &f.findings)
            .filter(|f| f.severity == severity)
            .count()
    }

    /// The verdict for one baseline: its own findings plus those that hold everywhere.
    pub fn verdict(&self, baseline: &str) -> Verdict {
        let mut verdict = Verdict::default();
        let relevant = self
            .files
            .iter()
            .flat_map(|f| &f.findings)
            .filter(|f| f.applies_to(baseline));
        count_into(&mut verdict, relevant);
        verdict
    }

    /// The verdict over every finding (every baseline at once).
    pub fn overall(&self) -> Verdict {
        let mut verdict = Verdict::default();
        count_into(&mut verdict, self.files.iter().flat_map(|f| &f.findings));
        verdict
    }

    /// The run's outcome: an error when there was nothing to check.
    pub fn outcome(&self) -> Outcome {
        if self.has_input() {
            self.overall().outcome()
        } else {
            Outcome::Error
        }
    }

    /// A file's error-level findings on a baseline (0: it passes there).
    pub fn file_errors(file: &FileReport, baseline: &str) -> usize {
        file.findings
            .iter()
            .filter(|f| f.severity == Severity::Error && f.applies_to(baseline))
            .count()
    }

    /// Lines about how PATHs were read: each one read as a root filesystem (people must know
    /// the tree was checked as the system itself), each archive or image, and each wheel's
    /// policy as `auditwheel show` reports it.
    pub fn layout_notes(&self) -> Vec<String> {
        let beyond = if self.baselines.is_empty() {
            "self-contained: every library must resolve inside it"
        } else {
            "it provides what it holds, the baseline the rest"
        };
        let mut notes = Vec::new();
        for tree in &self.trees {
            let path = tree.path.display();
            if let Some(artifact) = &tree.artifact {
                let mut note = format!("{path}: {} read in place", artifact.kind);
                if let Some(inside) = &artifact.inside {
                    note.push_str(&format!(", found in {inside}"));
                }
                if let Some(target) = &artifact.target {
                    note.push_str(&format!(", files checked for {target} by default"));
                }
                notes.push(note);
            }
            if let Some(wheel) = &tree.wheel {
                let policy = wheel
                    .policy
                    .as_deref()
                    .unwrap_or("not computed (with --baseline)");
                let verdict = match wheel.matches_tags {
                    Some(true) => "its tags claim no more than that",
                    Some(false) => "its tags claim more than its files allow",
                    None => "tags not compared",
                };
                notes.push(format!(
                    "{path}: wheel tagged {}; its files satisfy {policy}: {verdict}",
                    wheel.tags.join(", ")
                ));
            }
            if tree.layout == crate::loader::Layout::RootFs {
                notes.push(format!(
                    "{path} checked as a root filesystem ({beyond}; --layout app reads it as an application tree)"
                ));
            }
        }
        notes
    }

    pub fn files_checked(&self) -> usize {
        self.files.len()
    }

    pub fn files_skipped(&self) -> usize {
        self.not_binaries + self.skipped.len()
    }

    /// Whether any file could be read as a binary; without one there is no verdict to give.
    pub fn has_input(&self) -> bool {
        self.files.iter().any(|f| f.binary.is_some())
    }

    pub fn exit_status(&self, unverified: UnverifiedPolicy) -> ExitStatus {
        match self.outcome() {
            Outcome::Error => ExitStatus::Error,
            Outcome::Fail => ExitStatus::Failed,
            Outcome::Unverified if unverified == UnverifiedPolicy::Fail => ExitStatus::Unverified,
            Outcome::Unverified | Outcome::Pass => ExitStatus::Clean,
        }
    }
}
