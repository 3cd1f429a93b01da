//! `--format markdown`: a verdict line and a compact table, for a CI job summary or a pull
//! request comment. With several baselines, one verdict each and a files × baselines matrix.

use super::{Outcome, Report};
use crate::findings::Severity;
use std::fmt::Write as _;

pub fn render(report: &Report) -> String {
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let outcome = report.outcome();
    let mut out = String::new();
    let target = report
        .target
        .as_ref()
        .map(|t| format!(" for `{}`", t.name))
        .unwrap_or_default();
    match &report.baselines[..] {
        [] => {
            let _ = writeln!(out, "### shipcheck: {}{target}\n", mark(outcome));
        }
        [only] => {
            let _ = writeln!(
                out,
                "### shipcheck: {}{target} on `{}`\n",
                mark(outcome),
                only.id
            );
        }
        several => {
            let _ = writeln!(out, "### shipcheck: {}{target}\n", mark(outcome));
            for baseline in several {
                let verdict = report.verdict(&baseline.id);
                let _ = writeln!(
                    out,
                    "- {} on `{}`: {} errors, {} warnings, {} not verified",
                    mark(verdict.outcome()),
                    baseline.id,
                    verdict.errors,
                    verdict.warnings,
                    verdict.unverified
                );
            }
            out.push('\n');
        }
    }
    for note in report.layout_notes() {
        let _ = writeln!(out, "- {note}");
    }
    let _ = writeln!(
        out,
        "{errors} errors, {warnings} warnings, {} not verified in {} files checked ({} skipped).\n",
        report.overall().unverified,
        report.files_checked(),
        report.files_skipped()
    );
    if report.baselines.len() > 1 {
        matrix(report, &mut out);
    }
    let mut rows: Vec<_> = report
        .files
        .iter()
        .flat_map(|file| file.findings.iter().map(move |f| (file, f)))
        .collect();
    if rows.is_empty() {
        return out;
    }
    out.push_str("| severity | file | code | baseline | finding | fix |\n| --- | --- | --- | --- | --- | --- |\n");
    rows.sort_by(|a, b| {
        b.1.severity
            .cmp(&a.1.severity)
            .then_with(|| a.0.path.cmp(&b.0.path))
    });
    for (file, finding) in rows {
        let _ = writeln!(
            out,
            "| {} | `{}` | `{}` | {} | {} | {} |",
            finding.severity,
            cell(&file.path.to_string_lossy()),
            finding.code(),
            finding.baseline.as_deref().unwrap_or("all"),
            cell(&finding.issue.message()),
            cell(&finding.issue.hint())
        );
    }
    out
}

fn mark(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "✅ pass",
        Outcome::Fail => "❌ fail",
        Outcome::Unverified => "⚠️ unverified",
        Outcome::Error => "🛑 could not check",
    }
}

/// The document for a run that could not check anything (exit status 2).
pub fn render_error(message: &str) -> String {
    format!("### shipcheck: {}\n\n{message}\n", mark(Outcome::Error))
}

fn matrix(report: &Report, out: &mut String) {
    out.push_str("| file |");
    for baseline in &report.baselines {
        let _ = write!(out, " `{}` |", baseline.id);
    }
    out.push_str("\n| --- |");
    out.push_str(&" --- |".repeat(report.baselines.len()));
    out.push('\n');
    for file in &report.files {
        let _ = write!(out, "| `{}` |", cell(&file.path.to_string_lossy()));
        for baseline in &report.baselines {
            let passes = Report::file_errors(file, &baseline.id) == 0;
            out.push_str(if passes { " ✅ |" } else { " ❌ |" });
        }
        out.push('\n');
    }
    out.push('\n');
}

/// Keeps a value inside one table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
