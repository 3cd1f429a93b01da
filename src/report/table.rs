//! `--format table`: for people. One line per finding, the worst first, then a summary. Without
//! a baseline, a requirements table (what each file needs and where it runs).

use super::json::requires;
use super::{FileReport, Finding, Outcome, Report};
use crate::findings::Severity;
use comfy_table::{Cell, Color, ContentArrangement, Table, presets};
use std::fmt::Write as _;

pub fn render(report: &Report, color: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", heading(report));
    for note in report.layout_notes() {
        let _ = writeln!(out, "{note}");
    }
    if report.baselines.is_empty() && report.files.iter().any(|f| f.binary.is_some()) {
        let _ = writeln!(out, "{}", requirements_table(report, color));
    }
    if report.baselines.len() > 1 {
        let _ = writeln!(out, "{}", matrix(report, color));
    }
    let mut findings: Vec<(&FileReport, &Finding)> = report
        .files
        .iter()
        .flat_map(|file| file.findings.iter().map(move |f| (file, f)))
        .collect();
    findings.sort_by(|a, b| {
        b.1.severity
            .cmp(&a.1.severity)
            .then_with(|| a.0.path.cmp(&b.0.path))
            .then_with(|| a.1.code().cmp(&b.1.code()))
    });
    // Tables of a few hundred rows each: one table of a whole tree's findings would hold every
    // cell's laid-out lines in memory at once.
    let several = report.baselines.len() > 1;
    for chunk in findings.chunks(ROWS_PER_TABLE) {
        let mut table = new_table(color);
        let mut header = vec!["severity", "file", "code"];
        if several {
            header.push("baseline");
        }
        header.push("finding");
        table.set_header(header);
        for (file, finding) in chunk {
            let mut row = vec![
                severity_cell(finding.severity, color),
                Cell::new(file.path.display()),
                Cell::new(finding.code().as_str()),
            ];
            if several {
                row.push(Cell::new(finding.baseline.as_deref().unwrap_or("all")));
            }
            row.extend([Cell::new(format!(
                "{}\nfix: {}",
                finding.issue.message(),
                finding.issue.hint()
            ))]);
            table.add_row(row);
        }
        let _ = writeln!(out, "{table}");
    }
    let _ = writeln!(out, "{}", summary(report));
    out
}

const ROWS_PER_TABLE: usize = 250;

fn heading(report: &Report) -> String {
    let mut text = String::from("shipcheck");
    if let Some(target) = &report.target {
        let _ = write!(text, ": target {target}");
    }
    for (index, baseline) in report.baselines.iter().enumerate() {
        let version = baseline.version.as_deref().unwrap_or("unknown");
        let separator = if index > 0 || report.target.is_some() {
            ","
        } else {
            ":"
        };
        let _ = write!(
            text,
            "{separator} baseline {} ({} {version}; data: {})",
            baseline.id, baseline.libc, baseline.source
        );
    }
    text
}

fn requirements_table(report: &Report, color: bool) -> Table {
    let mut table = new_table(color);
    table.set_header(["file", "arch", "kind", "interpreter", "needs", "runs on"]);
    for file in &report.files {
        let Some(binary) = &file.binary else { continue };
        let arch = binary
            .arch
            .map(|a| a.to_string())
            .or_else(|| (!binary.fat_arches.is_empty()).then(|| binary.fat_arches.join(", ")))
            .unwrap_or_else(|| "unknown".into());
        let needs: Vec<String> = requires(binary)
            .into_iter()
            .map(|(family, version)| format!("{family} {version}"))
            .collect();
        let runs_on = match &file.runs_on {
            Some(list) if list.is_empty() => "no database baseline".to_string(),
            Some(list) => {
                let shown: Vec<&str> = list.iter().take(6).map(String::as_str).collect();
                let more = list.len().saturating_sub(shown.len());
                let more = if more > 0 {
                    format!(" +{more} more")
                } else {
                    String::new()
                };
                format!("{} baselines: {}{more}", list.len(), shown.join(", "))
            }
            None => "-".to_string(),
        };
        table.add_row([
            file.path.display().to_string(),
            format!("{} {arch}", binary.format.as_str()),
            binary.kind.as_str().to_string(),
            binary.interpreter.clone().unwrap_or_else(|| "-".into()),
            if needs.is_empty() {
                "-".into()
            } else {
                needs.join(", ")
            },
            runs_on,
        ]);
    }
    table
}

/// Files × baselines: whether each file passes on each baseline.
fn matrix(report: &Report, color: bool) -> Table {
    let mut table = new_table(color);
    let mut header = vec!["file".to_string()];
    header.extend(report.baselines.iter().map(|b| b.id.clone()));
    table.set_header(header);
    for file in &report.files {
        let mut row = vec![Cell::new(file.path.display())];
        for baseline in &report.baselines {
            let errors = Report::file_errors(file, &baseline.id);
            row.push(if errors == 0 {
                Cell::new("ok")
            } else {
                let cell = Cell::new(format!("{errors} errors"));
                if color { cell.fg(Color::Red) } else { cell }
            });
        }
        table.add_row(row);
    }
    table
}

fn summary(report: &Report) -> String {
    let overall = report.overall();
    let verdict = match report.outcome() {
        Outcome::Error => "ERROR: no binaries to check".to_string(),
        Outcome::Pass => "PASS".into(),
        Outcome::Fail => "FAIL".into(),
        Outcome::Unverified => format!("UNVERIFIED ({} not verified)", overall.unverified),
    };
    let per_baseline: String = if report.baselines.len() > 1 {
        report
            .baselines
            .iter()
            .map(|b| {
                let verdict = report.verdict(&b.id);
                format!(
                    "{} on {}: {} errors, {} warnings, {} not verified\n",
                    verdict.outcome().as_str().to_uppercase(),
                    b.id,
                    verdict.errors,
                    verdict.warnings,
                    verdict.unverified
                )
            })
            .collect()
    } else {
        String::new()
    };
    per_baseline
        + &format!(
            "{verdict}: {} errors, {} warnings, {} infos in {} files checked ({} skipped: {} not binaries, {} symlinks/special/ignored/unwalkable)",
            overall.errors,
            overall.warnings,
            report.count(Severity::Info),
            report.files_checked(),
            report.files_skipped(),
            report.not_binaries,
            report.skipped.len()
        )
}

fn new_table(color: bool) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table
}

fn severity_cell(severity: Severity, color: bool) -> Cell {
    let cell = Cell::new(severity.to_string());
    if !color {
        return cell;
    }
    cell.fg(match severity {
        Severity::Error => Color::Red,
        Severity::Warning => Color::Yellow,
        Severity::Info => Color::Blue,
    })
}
