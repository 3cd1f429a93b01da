//! `--format markdown`: a verdict line and a compact table, for a CI job summary or a pull
//! request comment.

use super::Report;
use super::finding::Severity;
use std::fmt::Write as _;

pub fn render(report: &Report) -> String {
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let mut out = String::new();
    let verdict = if errors == 0 { "✅ pass" } else { "❌ fail" };
    let against = match (&report.target, &report.baseline) {
        (Some(t), Some(b)) => format!(" for `{}` on `{}`", t.name, b.id),
        (Some(t), None) => format!(" for `{}`", t.name),
        (None, Some(b)) => format!(" on `{}`", b.id),
        (None, None) => String::new(),
    };
    let _ = writeln!(
        out,
        "### shipcheck: {verdict}{against}\n\n{errors} errors, {warnings} warnings in {} files checked ({} skipped).\n",
        report.files_checked(),
        report.files_skipped()
    );
    let rows: Vec<_> = report
        .files
        .iter()
        .flat_map(|file| file.findings.iter().map(move |f| (file, f)))
        .collect();
    if rows.is_empty() {
        return out;
    }
    out.push_str("| severity | file | code | finding | fix |\n| --- | --- | --- | --- | --- |\n");
    let mut rows = rows;
    rows.sort_by(|a, b| {
        b.1.severity
            .cmp(&a.1.severity)
            .then_with(|| a.0.path.cmp(&b.0.path))
    });
    for (file, finding) in rows {
        let _ = writeln!(
            out,
            "| {} | `{}` | `{}` | {} | {} |",
            finding.severity,
            cell(&file.path.to_string_lossy()),
            finding.code(),
            cell(&finding.issue.message()),
            cell(&finding.issue.hint())
        );
    }
    out
}

/// Keeps a value inside one table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
