//! `--format markdown`: a verdict line and a compact table, for a CI job summary or a pull
//! request comment. With several baselines, one verdict each and a files × baselines matrix.

use super::view::{Renderer, RunsOn, RunsOnLine, View, plural};
use super::{Outcome, Report};
use std::fmt::Write as _;

pub struct Markdown;

pub fn render(report: &Report) -> String {
    Markdown.render(&View::new(report))
}

impl Renderer for Markdown {
    fn render(&self, view: &View) -> String {
        let overall = view.overall;
        let mut out = String::new();
        let target = view
            .report
            .target
            .as_ref()
            .map(|t| format!(" for `{}`", t.name))
            .unwrap_or_default();
        match &view.baselines[..] {
            [] => {
                let _ = writeln!(out, "### shipcheck: {}{target}\n", mark(view.outcome));
            }
            [only] => {
                let _ = writeln!(
                    out,
                    "### shipcheck: {}{target} on `{}`\n",
                    mark(view.outcome),
                    only.info.id
                );
            }
            several => {
                let _ = writeln!(out, "### shipcheck: {}{target}\n", mark(view.outcome));
                for baseline in several {
                    let verdict = baseline.verdict;
                    let _ = writeln!(
                        out,
                        "- {} on `{}`: {} errors, {} warnings, {} not verified",
                        mark(verdict.outcome()),
                        baseline.info.id,
                        verdict.errors,
                        verdict.warnings,
                        verdict.unverified
                    );
                }
                out.push('\n');
            }
        }
        for note in &view.notes {
            let _ = writeln!(out, "- {note}");
        }
        let _ = writeln!(
            out,
            "{}, {}, {} not verified in {} checked ({} skipped).\n",
            plural(overall.errors, "error"),
            plural(overall.warnings, "warning"),
            overall.unverified,
            plural(view.report.files_checked(), "file"),
            view.report.files_skipped()
        );
        if view.baselines.len() > 1 {
            matrix(view, &mut out);
        }
        if view.default_mode() {
            runs_on(view, &mut out);
        }
        let mut rows: Vec<_> = view
            .files
            .iter()
            .enumerate()
            .flat_map(|(index, file)| file.findings.iter().map(move |f| (index, file, *f)))
            .collect();
        if rows.is_empty() {
            return out;
        }
        out.push_str("| severity | file | code | baseline | finding | fix |\n| --- | --- | --- | --- | --- | --- |\n");
        // Worst first over the whole run; files in the view's order within a severity.
        rows.sort_by(|a, b| b.2.severity.cmp(&a.2.severity).then_with(|| a.0.cmp(&b.0)));
        for (_, file, finding) in rows {
            let _ = writeln!(
                out,
                "| {} | `{}` | `{}` | {} | {} | {} |",
                finding.severity,
                code_cell(&file.path),
                finding.code(),
                finding.baseline.as_deref().unwrap_or("all"),
                text_cell(&finding.issue.message()),
                text_cell(&finding.issue.hint())
            );
        }
        out
    }
}

/// Without a baseline: where each file runs, by family.
fn runs_on(view: &View, out: &mut String) {
    let files: Vec<_> = view
        .files
        .iter()
        .filter_map(|f| Some((f, f.file.families.as_deref()?)))
        .collect();
    if files.is_empty() {
        return;
    }
    out.push_str("| file | runs on | images | policies |\n| --- | --- | --- | --- |\n");
    for (file, families) in files {
        let runs = RunsOn::of(families);
        let text = |line: &Option<RunsOnLine>| {
            line.as_ref()
                .map_or_else(|| "-".to_string(), |l| text_cell(&l.text()))
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            code_cell(&file.path),
            text(&runs.distros),
            text(&runs.images),
            text(&runs.policies)
        );
    }
    out.push('\n');
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

fn matrix(view: &View, out: &mut String) {
    out.push_str("| file |");
    for baseline in &view.baselines {
        let _ = write!(out, " `{}` |", baseline.info.id);
    }
    out.push_str("\n| --- |");
    out.push_str(&" --- |".repeat(view.baselines.len()));
    out.push('\n');
    for file in &view.files {
        let _ = write!(out, "| `{}` |", code_cell(&file.path));
        for errors in &file.errors_on {
            out.push_str(if *errors == 0 { " ✅ |" } else { " ❌ |" });
        }
        out.push('\n');
    }
    out.push('\n');
}

/// Keeps a value inside one table cell.
/// Text for a table cell inside a code span: only the cell separator is escaped (GFM reads
/// `\|` as a pipe even in code spans).
fn code_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Prose for a table cell: characters Markdown would read as emphasis, HTML or links are
/// escaped, so `__libc_start_main` keeps its underscores and a demangled
/// `std::vector<int>` keeps its brackets (GitHub strips what looks like a tag).
fn text_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push(' '),
            '\\' | '`' | '*' | '_' | '<' | '>' | '[' | ']' | '~' | '|' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_cells_keep_underscores_brackets_and_pipes_literal() {
        assert_eq!(
            text_cell("needs __libc_start_main and std::vector<int> | x\n*y*"),
            "needs \\_\\_libc\\_start\\_main and std::vector\\<int\\> \\| x \\*y\\*"
        );
        assert_eq!(code_cell("a|b"), "a\\|b");
    }
}
