//! `--format github`: GitHub Actions workflow commands (`::error file=…::…`), one per finding,
//! so findings show up as annotations on the run and the pull request.

use super::view::{Renderer, View};
use super::{Outcome, Report};
use crate::findings::Severity;
use std::fmt::Write as _;

pub struct Github;

pub fn render(report: &Report) -> String {
    Github.render(&View::new(report))
}

impl Renderer for Github {
    fn render(&self, view: &View) -> String {
        let mut out = String::new();
        for file in &view.files {
            for finding in &file.findings {
                let level = match finding.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "notice",
                };
                let _ = writeln!(
                    out,
                    "::{level} file={},title={}::{}",
                    escape_property(&file.path),
                    escape_property(finding.code().as_str()),
                    escape_data(&format!(
                        "{}\nfix: {}",
                        finding.issue.message(),
                        finding.issue.hint()
                    ))
                );
            }
        }
        let verdict = view.overall;
        let (level, text) = match view.outcome {
            Outcome::Pass => ("notice", "pass: every check ran, no error".to_string()),
            Outcome::Fail => ("error", format!("fail: {} errors", verdict.errors)),
            Outcome::Unverified => (
                "warning",
                format!(
                    "unverified: no error, but {} findings say something could not be checked",
                    verdict.unverified
                ),
            ),
            Outcome::Error => ("error", "could not check: no binaries found".to_string()),
        };
        let _ = writeln!(
            out,
            "::{level} title=shipcheck verdict::{}",
            escape_data(&text)
        );
        out
    }
}

/// The annotation for a run that could not check anything (exit status 2).
pub fn render_error(message: &str) -> String {
    format!(
        "::error title=shipcheck verdict::{}\n",
        escape_data(&format!("could not check: {message}"))
    )
}

/// Workflow command data escaping (actions/toolkit `escapeData`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow command property escaping (actions/toolkit `escapeProperty`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_actions_toolkit() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
