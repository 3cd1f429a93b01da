//! The report: findings per file, severities after overrides, the summary and the exit status.
//! Renderers (one per format) only render a finished [`Report`].

pub mod baselines;
pub mod finding;
pub mod github;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod table;

use crate::binary::Binary;
use crate::target::Target;
use finding::{Code, Issue, Severity};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// One finding as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub issue: Issue,
    /// The baseline the finding is about; `None` for findings that hold on every baseline.
    pub baseline: Option<String>,
}

impl Finding {
    pub fn code(&self) -> Code {
        self.issue.code()
    }

    /// Whether the finding counts for a baseline's verdict: its own findings and those that
    /// hold on every baseline.
    pub fn applies_to(&self, baseline: &str) -> bool {
        self.baseline.as_deref().is_none_or(|b| b == baseline)
    }
}

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
    pub runs_on: Option<Vec<String>>,
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

#[derive(Debug, Clone)]
pub struct Report {
    /// The default target (`--target`, or the policy's top-level `target`).
    pub target: Option<Target>,
    /// Every baseline checked against, in the order given.
    pub baselines: Vec<BaselineInfo>,
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
}

impl Verdict {
    pub fn passes(&self) -> bool {
        self.errors == 0
    }
}

/// How the process should exit (ruff's `ExitStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// No finding at error level.
    Clean = 0,
    /// At least one error-level finding.
    Failed = 1,
    /// The tool could not do its job.
    Error = 2,
}

/// Per-code severity changes from the command line; `None` turns a code off.
pub type SeverityOverrides = BTreeMap<Code, Option<Severity>>;

/// Applies the default severity of each issue and the user's overrides, in one place.
pub fn findings_from(
    issues: Vec<Issue>,
    overrides: &SeverityOverrides,
    baseline: Option<&str>,
) -> Vec<Finding> {
    issues
        .into_iter()
        .filter_map(|issue| {
            let code = issue.code();
            let severity = match overrides.get(&code) {
                Some(changed) => (*changed)?,
                None => code.default_severity(),
            };
            Some(Finding {
                severity,
                issue,
                baseline: baseline.map(str::to_string),
            })
        })
        .collect()
}

/// Worst first, then by code, baseline and message, so every output is deterministic.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.code().cmp(&b.code()))
            .then_with(|| a.baseline.cmp(&b.baseline))
            .then_with(|| a.issue.message().cmp(&b.issue.message()))
    });
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
        for finding in relevant {
            match finding.severity {
                Severity::Error => verdict.errors += 1,
                Severity::Warning => verdict.warnings += 1,
                Severity::Info => {}
            }
        }
        verdict
    }

    /// A file's error-level findings on a baseline (0: it passes there).
    pub fn file_errors(file: &FileReport, baseline: &str) -> usize {
        file.findings
            .iter()
            .filter(|f| f.severity == Severity::Error && f.applies_to(baseline))
            .count()
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

    pub fn exit_status(&self) -> ExitStatus {
        if !self.has_input() {
            ExitStatus::Error
        } else if self.count(Severity::Error) > 0 {
            ExitStatus::Failed
        } else {
            ExitStatus::Clean
        }
    }
}
