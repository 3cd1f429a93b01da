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
        let roots = Roots::new(report);
        let mut files: Vec<(usize, FileView<'a>)> = report
            .files
            .iter()
            .map(|file| {
                let path = file.path.to_string_lossy().into_owned();
                let (order, root, relative) = roots.place(&path);
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

/// Each checked PATH as its path string, for finding the tree of a file.
struct Roots<'a> {
    by_path: std::collections::HashMap<String, (usize, &'a TreeInfo)>,
}

impl<'a> Roots<'a> {
    fn new(report: &'a Report) -> Roots<'a> {
        let mut by_path = std::collections::HashMap::new();
        for (index, tree) in report.trees.iter().enumerate() {
            let root = tree.path.to_string_lossy();
            by_path
                .entry(root.trim_end_matches('/').to_string())
                .or_insert((index, tree));
        }
        Roots { by_path }
    }

    /// Where a walked path sits: the index of its tree (for ordering), the tree when the path
    /// is inside one (the longest root that holds it, which for a member of an archive found in
    /// a checked directory is the archive), and the path inside it.
    fn place(&self, path: &str) -> (Option<usize>, Option<&'a TreeInfo>, String) {
        if let Some((index, _)) = self.by_path.get(path) {
            return (Some(*index), None, path.to_string());
        }
        // Longest root first: each `/` or `!/` from the end is where a root could end.
        for (at, _) in path.rmatch_indices('/') {
            let (root, inside) = (&path[..at], &path[at + 1..]);
            let found = self.by_path.get(root).or_else(|| {
                // An archive's members: `image.tar!/usr/lib/x`.
                root.strip_suffix('!').and_then(|r| self.by_path.get(r))
            });
            if let Some((index, tree)) = found
                && !inside.is_empty()
            {
                return (Some(*index), Some(tree), inside.to_string());
            }
        }
        (None, None, path.to_string())
    }
}

/// "Runs on" for people, in up to three lines: distributions, images, policies.
pub struct RunsOn {
    /// `AlmaLinux ≥ 9`, `Debian ≥ 12` … then `not:` `Alpine Linux (glibc)`.
    pub distros: Option<RunsOnLine>,
    pub images: Option<RunsOnLine>,
    pub policies: Option<RunsOnLine>,
}

/// The families of one kind a file runs on, and those it runs on nowhere.
pub struct RunsOnLine {
    pub kind: Kind,
    pub yes: Vec<String>,
    pub no: Vec<String>,
}

impl RunsOnLine {
    /// Entries joined: image answers list tags with commas, so their families are set apart
    /// with semicolons.
    pub fn text(&self) -> String {
        self.join(&self.yes, &self.no)
    }

    /// [`Self::text`] with each entry passed through `entry` first (the table keeps an entry
    /// on one line).
    pub fn text_with(&self, entry: impl Fn(&str) -> String) -> String {
        let yes: Vec<String> = self.yes.iter().map(|e| entry(e)).collect();
        let no: Vec<String> = self.no.iter().map(|e| entry(e)).collect();
        self.join(&yes, &no)
    }

    fn join(&self, yes: &[String], no: &[String]) -> String {
        let separator = if self.kind == Kind::Image { "; " } else { ", " };
        let mut text = if yes.is_empty() {
            "none".to_string()
        } else {
            yes.join(separator)
        };
        if !no.is_empty() {
            text.push_str(&format!("; not: {}", no.join(separator)));
        }
        text
    }
}

impl RunsOn {
    pub fn of(families: &[FamilySummary]) -> RunsOn {
        RunsOn {
            distros: line(families, Kind::Distro),
            images: line(families, Kind::Image),
            policies: line(families, Kind::Policy),
        }
    }

    /// (label, line) for each line there is.
    pub fn lines(&self) -> Vec<(&'static str, &RunsOnLine)> {
        [
            ("runs on", &self.distros),
            ("images", &self.images),
            ("policies", &self.policies),
        ]
        .into_iter()
        .filter_map(|(label, line)| Some((label, line.as_ref()?)))
        .collect()
    }
}

fn line(families: &[FamilySummary], kind: Kind) -> Option<RunsOnLine> {
    let of_kind: Vec<&FamilySummary> = families.iter().filter(|f| f.kind == kind).collect();
    if of_kind.is_empty() {
        return None;
    }
    let yes = of_kind
        .iter()
        .filter(|f| !f.runs_on.is_empty())
        .map(|f| f.describe())
        .collect();
    let refused: Vec<&&FamilySummary> = of_kind.iter().filter(|f| f.runs_on.is_empty()).collect();
    // Families of the other C library are many and say one thing: counted, not named.
    let other_libc = |f: &FamilySummary| f.text != "no" && kind != Kind::Image;
    let mut no: Vec<String> = Vec::new();
    let mut counted: std::collections::BTreeMap<(String, &str), usize> = Default::default();
    for family in &refused {
        match family.text.strip_prefix("no") {
            Some(reason) if other_libc(family) => {
                *counted
                    .entry((family.libc.to_string(), reason))
                    .or_default() += 1;
            }
            _ => no.push(family.name.to_string()),
        }
    }
    for ((libc, reason), count) in counted {
        if count >= 3 {
            no.push(format!("{count} {libc} families{reason}"));
        } else {
            no.extend(
                refused
                    .iter()
                    .filter(|f| other_libc(f) && f.libc.to_string() == libc)
                    .map(|f| format!("{}{reason}", f.name)),
            );
        }
    }
    Some(RunsOnLine { kind, yes, no })
}

/// `1 error`, `2 errors`; for a phrase, the first word is the noun (`finding says something`).
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        return format!("{count} {noun}");
    }
    match noun.split_once(' ') {
        Some((word, rest)) => {
            let rest = rest.replacen("says", "say", 1);
            format!("{count} {word}s {rest}")
        }
        None => format!("{count} {noun}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::Libc;

    fn family(name: &str, kind: Kind, libc: Libc, runs_on: &[&str], text: &str) -> FamilySummary {
        FamilySummary {
            family: name.to_lowercase().into(),
            name: name.into(),
            kind,
            libc,
            releases: vec!["1".to_string(), "2".to_string()].into(),
            runs_on: runs_on.iter().map(|r| r.to_string()).collect(),
            text: text.into(),
        }
    }

    fn tree(path: &str) -> TreeInfo {
        TreeInfo {
            path: path.into(),
            layout: crate::loader::Layout::App,
            entry_points: 0,
            artifact: None,
            wheel: None,
        }
    }

    #[test]
    fn files_sit_in_the_longest_root_that_holds_them() {
        let report = Report {
            target: None,
            baselines: Vec::new(),
            trees: vec![
                tree("dist/"),
                tree("dist/app.tar"),
                tree("single/prog"),
                tree("/"),
            ],
            files: Vec::new(),
            not_binaries: 0,
            skipped: Vec::new(),
        };
        let roots = Roots::new(&report);
        let place = |path: &str| {
            let (index, tree, inside) = roots.place(path);
            (index, tree.map(|t| t.path.display().to_string()), inside)
        };
        assert_eq!(
            place("dist/lib/libx.so"),
            (Some(0), Some("dist/".into()), "lib/libx.so".into())
        );
        assert_eq!(
            place("dist/app.tar!/usr/bin/app"),
            (Some(1), Some("dist/app.tar".into()), "usr/bin/app".into())
        );
        assert_eq!(place("single/prog"), (Some(2), None, "single/prog".into()));
        assert_eq!(
            place("/usr/bin/ls"),
            (Some(3), Some("/".into()), "usr/bin/ls".into())
        );
        assert_eq!(
            place("shipcheck.toml"),
            (None, None, "shipcheck.toml".into())
        );
    }

    #[test]
    fn families_of_the_other_c_library_are_counted_when_many() {
        let mut families = vec![family(
            "Alpine Linux",
            Kind::Distro,
            Libc::Musl,
            &["1", "2"],
            "≥ 1",
        )];
        for name in ["Debian", "Fedora", "Ubuntu"] {
            families.push(family(name, Kind::Distro, Libc::Glibc, &[], "no (musl)"));
        }
        families.push(family("Odd", Kind::Distro, Libc::Musl, &[], "no"));
        let runs = RunsOn::of(&families);
        let distros = runs.distros.as_ref().expect("a distro line");
        assert_eq!(
            distros.text(),
            "Alpine Linux ≥ 1; not: Odd, 3 glibc families (musl)"
        );
        assert!(runs.images.is_none() && runs.policies.is_none());
        families.truncate(3);
        let runs = RunsOn::of(&families);
        assert_eq!(
            runs.distros.expect("a distro line").text(),
            "Alpine Linux ≥ 1; not: Debian (musl), Fedora (musl)"
        );
    }

    #[test]
    fn image_families_are_set_apart_with_semicolons() {
        let families = vec![
            family(
                "runtime-deps (glibc)",
                Kind::Image,
                Libc::Glibc,
                &["1"],
                "all but a, b",
            ),
            family(
                "runtime-deps (musl)",
                Kind::Image,
                Libc::Musl,
                &[],
                "no (glibc)",
            ),
        ];
        let runs = RunsOn::of(&families);
        assert_eq!(
            runs.images.expect("an image line").text(),
            "runtime-deps (glibc): all but a, b; not: runtime-deps (musl)"
        );
    }
}
