//! `--format sarif`: SARIF 2.1.0 for code-scanning dashboards. One rule per finding code (its
//! description and how to fix it), one result per finding with the file as its location.
//! Validated against the SARIF 2.1.0 schema in tests/sarif.rs.

use super::view::{Renderer, View};
use super::{Outcome, Report};
use crate::findings::{Code, Severity};
use serde_json::{Value, json};

pub struct Sarif;

pub fn render(report: &Report) -> String {
    Sarif.render(&View::new(report))
}

impl Renderer for Sarif {
    fn render(&self, view: &View) -> String {
        document(view)
    }
}

fn document(view: &View) -> String {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|code| {
            json!({
                "id": code.as_str(),
                "name": rule_name(*code),
                "shortDescription": {"text": code.description()},
                "fullDescription": {"text": code.description()},
                "help": {"text": code.fix()},
                "defaultConfiguration": {"level": if code.off_by_default() { "none" } else { level(code.default_severity()) }},
            })
        })
        .collect();
    let results = Lazy(|| {
        view.files
            .iter()
            .flat_map(|file| file.findings.iter().map(move |finding| (file.file, *finding)))
            .map(|(file, finding)| {
            let code = finding.code();
            let rule_index = Code::ALL.iter().position(|c| *c == code).unwrap_or(0);
            let mut properties = json!({ "evidence": finding.issue });
            if let Some(baseline) = &finding.baseline {
                properties["baseline"] = json!(baseline);
            }
            json!({
                "ruleId": code.as_str(),
                "ruleIndex": rule_index,
                "level": level(finding.severity),
                "message": {"text": format!("{} Fix: {}", finding.issue.message(), finding.issue.hint())},
                "locations": [location(file)],
                "properties": properties,
            })
            })
    });
    let document = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: json!({
                "driver": {
                    "name": env!("CARGO_PKG_NAME"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            }),
            results,
            invocations: [invocation(view.outcome, view.overall.unverified, None)],
        }],
    };
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}

/// The verdict in SARIF: `executionSuccessful` is false when nothing could be checked, and the
/// verdict itself is a property (SARIF has no word for "unverified").
fn invocation(outcome: Outcome, unverified: usize, error: Option<&str>) -> Value {
    let mut invocation = json!({
        "executionSuccessful": outcome != Outcome::Error,
        "properties": {"verdict": outcome.as_str(), "unverified": unverified},
    });
    if let Some(message) = error {
        invocation["toolExecutionNotifications"] =
            json!([{"level": "error", "message": {"text": message}}]);
    }
    invocation
}

/// The document for a run that could not check anything (exit status 2).
pub fn render_error(message: &str) -> String {
    let document = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: json!({"driver": {"name": env!("CARGO_PKG_NAME"), "version": env!("CARGO_PKG_VERSION")}}),
            results: Vec::<Value>::new(),
            invocations: [invocation(Outcome::Error, 0, Some(message))],
        }],
    };
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}

#[derive(serde::Serialize)]
struct Log<R> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<R>; 1],
}

#[derive(serde::Serialize)]
struct Run<R> {
    tool: Value,
    results: R,
    invocations: [Value; 1],
}

/// A sequence serialised straight from an iterator: each result is built, written and dropped
/// in turn instead of the whole run existing as one JSON tree.
struct Lazy<F>(F);

impl<F, I> serde::Serialize for Lazy<F>
where
    F: Fn() -> I,
    I: Iterator<Item = Value>,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((self.0)())
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// `symbol-version-too-new` → `SymbolVersionTooNew`, SARIF's conventional rule name.
fn rule_name(code: Code) -> String {
    code.as_str()
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Where a finding is: the file itself, or for a member of an archive or image the artifact on
/// disk (code scanning can only point at files in the repository) with the member as a logical
/// location (`runtime.tar!/usr/lib/libz.so.1`).
fn location(file: &crate::report::FileReport) -> serde_json::Value {
    match &file.container {
        Some(container) => serde_json::json!({
            "physicalLocation": {"artifactLocation": {"uri": uri(container)}},
            "logicalLocations": [{"fullyQualifiedName": file.path.to_string_lossy()}],
        }),
        None => serde_json::json!({
            "physicalLocation": {"artifactLocation": {"uri": uri(&file.path)}},
        }),
    }
}

/// A relative URI reference for a path: unreserved bytes as they are, everything else
/// percent-encoded, so names that are not UTF-8 survive exactly.
fn uri(path: &std::path::Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut out = String::new();
    for &byte in path.as_os_str().as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    #[test]
    fn uris_are_percent_encoded_losslessly() {
        let path = std::path::Path::new(OsStr::from_bytes(b"dir/a b\xff+.so"));
        assert_eq!(uri(path), "dir/a%20b%FF%2B.so");
    }

    #[test]
    fn rule_names_are_camel_case() {
        assert_eq!(rule_name(Code::SymbolVersionTooNew), "SymbolVersionTooNew");
        assert_eq!(rule_name(Code::ArchMismatch), "ArchMismatch");
    }
}
