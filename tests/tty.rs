//! The table under a real terminal: the binary runs inside a pseudo-terminal of 80 and 120
//! columns (util-linux `script`, with `stty cols N`), and piped with `COLUMNS` set. No line may
//! be wider than the terminal, no finding code or path segment may be split across lines, and
//! the verdict is the first line.

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;

fn binary() -> String {
    Command::cargo_bin("shipcheck")
        .expect("binary")
        .get_program()
        .to_string_lossy()
        .into_owned()
}

/// `shipcheck ARGS` inside a pseudo-terminal `columns` wide; its output with `\r\n` as `\n`,
/// or `None` when `script` is not installed.
fn in_terminal(columns: u16, args: &[&str], color: bool) -> Option<String> {
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    let command = format!(
        "stty cols {columns} rows 50; exec '{}' {}",
        binary(),
        quoted.join(" ")
    );
    let mut script = Command::new("script");
    script
        .args(["-qec", &command, "/dev/null"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("COLUMNS");
    if color {
        script.env_remove("NO_COLOR");
    } else {
        script.env("NO_COLOR", "1");
    }
    let output = script.output().ok()?;
    Some(String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n"))
}

fn piped(columns: &str, args: &[&str]) -> String {
    let output = Command::cargo_bin("shipcheck")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("COLUMNS", columns)
        .args(args)
        .output()
        .expect("runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The words that must never be split: every finding code and every path segment of the
/// files in the JSON output of the same check (and the sonames they need).
fn unsplittable(args: &[&str]) -> BTreeSet<String> {
    let mut json_args: Vec<&str> = args.to_vec();
    json_args.extend(["--format", "json"]);
    let output = Command::cargo_bin("shipcheck")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(&json_args)
        .output()
        .expect("runs");
    let doc: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let mut words = BTreeSet::new();
    for file in doc["files"].as_array().expect("files") {
        for segment in file["path"].as_str().expect("path").split(['/', '!']) {
            words.insert(segment.to_string());
        }
        for needed in file["needed"].as_array().into_iter().flatten() {
            words.insert(needed.as_str().unwrap_or_default().to_string());
        }
        for finding in file["findings"].as_array().expect("findings") {
            words.insert(finding["code"].as_str().expect("code").to_string());
        }
    }
    words.retain(|w| w.len() > 2);
    words
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Every property a table at `columns` must have; returns the widest line.
fn assert_laid_out(table: &str, columns: usize, words: &BTreeSet<String>, what: &str) -> usize {
    let table = strip_ansi(table);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines.len() > 3, "{what}: {table}");
    let first = lines[0];
    assert!(
        ["PASS", "FAIL", "UNVERIFIED"]
            .iter()
            .any(|word| first.starts_with(word)),
        "{what}: the verdict is not the first line: {table}"
    );
    let widest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    for line in &lines {
        assert!(
            line.chars().count() <= columns,
            "{what}: a line of {} columns at {columns}: {line:?}",
            line.chars().count()
        );
        assert!(!line.trim_end().ends_with('≥'), "{what}: {line:?}");
    }
    // A word split across a line break shows whole only once the lines are joined.
    let joined: String = lines.iter().map(|l| l.trim()).collect();
    for word in words {
        if joined.contains(word.as_str()) {
            assert!(
                lines.iter().any(|line| line.contains(word.as_str())),
                "{what}: `{word}` is split across lines: {table}"
            );
        }
    }
    widest
}

const FINDINGS: &[&str] = &["check", "testdata/bin", "--baseline", "ubuntu-16.04"];
const RUNS_ON: &[&str] = &["check", "testdata/bin/hello-x86_64"];
const SEVERAL: &[&str] = &[
    "check",
    "testdata/bin/hello-x86_64",
    "testdata/bin/cxx-x86_64",
    "testdata/bin/needs-nowhere-x86_64",
    "--baseline",
    "ubuntu-16.04",
    "--baseline",
    "debian-12",
];

#[test]
fn the_table_fits_a_terminal_of_80_and_120_columns() {
    for args in [FINDINGS, RUNS_ON, SEVERAL] {
        let words = unsplittable(args);
        assert!(words.iter().any(|w| w.contains('-')), "{words:?}");
        for columns in [80u16, 120] {
            let Some(table) = in_terminal(columns, args, false) else {
                eprintln!("`script` (util-linux) is not installed: no terminal test");
                return;
            };
            let what = format!("{args:?} in a terminal of {columns} columns");
            let widest = assert_laid_out(&table, usize::from(columns), &words, &what);
            assert!(
                !table.contains('\u{1b}'),
                "{what}: colour with NO_COLOR set"
            );
            if columns == 120 && args == FINDINGS {
                // The terminal's width is used, not the default for pipes (100).
                assert!(widest > 100, "{what}: widest line {widest}: {table}");
            }
        }
    }
}

#[test]
fn a_terminal_gets_colour_unless_no_color_is_set() {
    let Some(table) = in_terminal(80, FINDINGS, true) else {
        return;
    };
    assert!(table.contains("\u{1b}[31m"), "{table}");
    assert!(table.contains("\u{1b}[31mFAIL\u{1b}[0m"), "{table}");
    // Colour does not count towards the width.
    assert_laid_out(&table, 80, &unsplittable(FINDINGS), "colour at 80");
}

#[test]
fn piped_output_follows_columns() {
    for args in [FINDINGS, RUNS_ON, SEVERAL] {
        let words = unsplittable(args);
        let narrow = piped("80", args);
        assert!(!narrow.contains('\u{1b}'), "no colour when piped");
        assert_laid_out(&narrow, 80, &words, &format!("{args:?} piped, COLUMNS=80"));
        let wide = piped("200", args);
        let widest = assert_laid_out(&wide, 200, &words, &format!("{args:?} piped, COLUMNS=200"));
        // At 200 columns long lines stay whole: fewer lines, some wider than 80.
        assert!(widest > 80, "{args:?}: widest {widest} at 200: {wide}");
        assert!(wide.lines().count() < narrow.lines().count(), "{args:?}");
    }
}

#[test]
fn findings_are_grouped_under_their_file_with_paths_relative_to_the_checked_root() {
    let table = piped("100", FINDINGS);
    let lines: Vec<&str> = table.lines().collect();
    // The PATH once, then each file relative to it, then its findings indented below.
    let root = lines
        .iter()
        .position(|l| *l == "testdata/bin/")
        .expect("the checked root as a heading");
    let file = lines
        .iter()
        .position(|l| l.starts_with("  cxx-x86_64: fail"))
        .expect("the file heading, relative to the root");
    assert!(root < file);
    assert!(
        lines[file + 1].starts_with("    error   symbol-version-too-new: needs GLIBCXX_"),
        "{table}"
    );
    assert!(
        !lines.iter().any(|l| l.starts_with("  testdata/bin/")),
        "{table}"
    );
    // Worst first within a file: no error after a warning.
    let mut seen_warning = false;
    for line in &lines[file + 1..] {
        if line.starts_with("  ") && !line.starts_with("    ") {
            break;
        }
        let severity = line.trim_start().split(' ').next().unwrap_or_default();
        seen_warning |= severity == "warning";
        assert!(!(seen_warning && severity == "error"), "{table}");
    }
    // The counts come last (their line may wrap, with an indent).
    let summary = lines
        .iter()
        .rposition(|l| l.contains(" not verified in ") && l.contains("errors"))
        .expect("the counts");
    assert!(summary > file, "{table}");
    assert!(
        lines[summary + 1..].iter().all(|l| l.starts_with("  ")),
        "{table}"
    );
}
