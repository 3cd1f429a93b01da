//! The one computed, sorted view of a finished [`Report`] that every format for people (and
//! SARIF) renders: files grouped under the PATH they were found in, each with its findings worst
//! first, per-file, per-baseline and overall verdicts computed once, paths relative to the
//! checked root and "runs on" by family. Renderers read it and only render.

use super::{BaselineInfo, FileReport, Outcome, Report, TreeInfo, Verdict, count_into};
use crate::baseline::families::{FamilySummary, Kind};
use crate::findings::{Finding, Severity};

/// A format for a finished run. JSON is not one: it is a wire format with its own structs
/// (`json.rs`), streamed from the [`Report`] itself.
pub trait Renderer {
    fn render(&self, view: &View) -> String;
}

pub struct View<'a> {
    pub report: &'a Report,
    /// The run's verdict (`Error` when there was nothing to check).
    pub outcome: Outcome,
    pub overall: Verdict,
    pub infos: usize,
    /// Every baseline with its own verdict, in the order given.
    pub baselines: Vec<BaselineView<'a>>,
    /// Files, grouped by tree in the order the PATHs were given, each group by relative path.
    pub files: Vec<FileView<'a>>,
    /// How PATHs were read (root filesystems, archives, wheels).
    pub notes: Vec<String>,
}

pub struct BaselineView<'a> {
    pub info: &'a BaselineInfo,
    pub verdict: Verdict,
}

pub struct FileView<'a> {
    pub file: &'a FileReport,
    /// The path as the walk produced it (what CI annotations and SARIF point at).
    pub path: String,
    /// The checked PATH (directory, archive or image) it was found in; `None` when the file
    /// was itself the PATH given, or belongs to none (the policy file).
    pub root: Option<&'a TreeInfo>,
    /// The path inside `root` (`lib/libfoo.so.1`), else `path`.
    pub relative: String,
    /// Worst first, then by code and baseline.
    pub findings: Vec<&'a Finding>,
    pub verdict: Verdict,
    pub outcome: Outcome,
    /// Error-level findings on each of `View::baselines`, in that order.
    pub errors_on: Vec<usize>,
}

impl<'a> View<'a> {
    pub fn new(report: &'a Report) -> View<'a> {
        let baselines = report
            .baselines
            .iter()
            .map(|info| BaselineView {
                info,
                verdict: report.verdict(&info.id),
            })
            .collect();
        let mut files: Vec<(usize, FileView<'a>)> = report
            .files
            .iter()
            .map(|file| {
                let path = file.path.to_string_lossy().into_owned();
                let (order, root, relative) = place(report, &path);
                let mut findings: Vec<&Finding> = file.findings.iter().collect();
                findings.sort_by(|a, b| {
                    b.severity
                        .cmp(&a.severity)
                        .then_with(|| a.code().cmp(&b.code()))
                        .then_with(|| a.baseline.cmp(&b.baseline))
                });
                let mut verdict = Verdict::default();
                count_into(&mut verdict, file.findings.iter());
                let outcome = verdict.outcome();
                let errors_on = report
                    .baselines
                    .iter()
                    .map(|b| Report::file_errors(file, &b.id))
                    .collect();
                let order = order.unwrap_or(usize::MAX);
                let view = FileView {
                    file,
                    path: path.clone(),
                    root,
                    relative,
                    findings,
                    verdict,
                    outcome,
                    errors_on,
                };
                (order, view)
            })
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.relative.cmp(&b.1.relative)));
        View {
            report,
            outcome: report.outcome(),
            overall: report.overall(),
            infos: report.count(Severity::Info),
            baselines,
            files: files.into_iter().map(|(_, view)| view).collect(),
            notes: report.layout_notes(),
        }
    }

    /// Whether "runs on" was computed (no baseline named).
    pub fn default_mode(&self) -> bool {
        self.report.baselines.is_empty()
    }

    /// Files with at least one finding.
    pub fn files_with_findings(&self) -> usize {
        self.files.iter().filter(|f| !f.findings.is_empty()).count()
    }

    /// Files with an error-level finding.
    pub fn failing_files(&self) -> usize {
        self.files.iter().filter(|f| f.verdict.errors > 0).count()
    }
}

/// Where a walked path sits: the index of its tree (for ordering), the tree when the path is
/// inside one (the longest root that holds it), and the path inside it.
fn place<'a>(report: &'a Report, path: &str) -> (Option<usize>, Option<&'a TreeInfo>, String) {
    let mut best: Option<(usize, &TreeInfo, usize, String)> = None;
    for (index, tree) in report.trees.iter().enumerate() {
        let root = tree.path.to_string_lossy();
        let root = root.trim_end_matches('/');
        let inside = path
            .strip_prefix(root)
            .and_then(|rest| rest.strip_prefix("!/").or_else(|| rest.strip_prefix('/')));
        if let Some(inside) = inside.filter(|i| !i.is_empty())
            && best.as_ref().is_none_or(|(_, _, len, _)| *len < root.len())
        {
            best = Some((index, tree, root.len(), inside.to_string()));
        }
    }
    match best {
        Some((index, tree, _, inside)) => (Some(index), Some(tree), inside),
        None => {
            let index = report
                .trees
                .iter()
                .position(|t| t.path.to_string_lossy() == path);
            (index, None, path.to_string())
        }
    }
}

/// "Runs on" for people, in up to three lines: distributions, images, policies.
pub struct RunsOn {
    /// `AlmaLinux ≥ 9, Debian ≥ 12, …; not: Alpine Linux (glibc)`.
    pub distros: Option<String>,
    pub images: Option<String>,
    pub policies: Option<String>,
}

impl RunsOn {
    pub fn of(families: &[FamilySummary]) -> RunsOn {
        RunsOn {
            distros: line(families, Kind::Distro),
            images: line(families, Kind::Image),
            policies: line(families, Kind::Policy),
        }
    }

    /// (label, text) for each line there is.
    pub fn lines(&self) -> Vec<(&'static str, &str)> {
        [
            ("runs on", &self.distros),
            ("images", &self.images),
            ("policies", &self.policies),
        ]
        .into_iter()
        .filter_map(|(label, text)| Some((label, text.as_deref()?)))
        .collect()
    }
}

/// The families of one kind it runs on, then those it runs on nowhere after `not:`.
fn line(families: &[FamilySummary], kind: Kind) -> Option<String> {
    let of_kind: Vec<&FamilySummary> = families.iter().filter(|f| f.kind == kind).collect();
    if of_kind.is_empty() {
        return None;
    }
    let yes: Vec<String> = of_kind
        .iter()
        .filter(|f| !f.runs_on.is_empty())
        .map(|f| f.describe())
        .collect();
    let no: Vec<String> = of_kind
        .iter()
        .filter(|f| f.runs_on.is_empty())
        .map(|f| match f.text.strip_prefix("no") {
            // An image family's name already says its C library.
            Some(reason) if !reason.is_empty() && kind != Kind::Image => {
                format!("{}{reason}", f.name)
            }
            _ => f.name.clone(),
        })
        .collect();
    // Image answers list tags with commas: families are set apart with semicolons.
    let separator = if kind == Kind::Image { "; " } else { ", " };
    let mut text = if yes.is_empty() {
        "none".to_string()
    } else {
        yes.join(separator)
    };
    if !no.is_empty() {
        text.push_str(&format!("; not: {}", no.join(separator)));
    }
    Some(text)
}
