//! `--format table`: for people, at any width. The verdict line first; then what was checked
//! against; then each file under the PATH it was found in (paths relative to it), with its
//! findings worst first and, without a baseline, what it needs and where it runs; then the
//! counts. Lines are wrapped at spaces to the width given, never inside a word: a path breaks
//! only after a `/`, and only a word longer than a whole line is cut.

use super::json::requires;
use super::view::{FileView, Renderer, RunsOn, View, plural};
use super::{Outcome, Report, Verdict};
use crate::baseline::families::Kind;
use crate::findings::Severity;
use std::fmt::Write as _;

/// The width used when stdout is not a terminal and `COLUMNS` is not set.
pub const DEFAULT_WIDTH: usize = 100;
/// A space no line breaks at (turned back into a space when written).
const GLUE: char = '\u{a0}';
/// Narrower than this, lines are laid out as if it were this wide.
const MIN_WIDTH: usize = 40;

/// The table renderer: colour and the width to wrap to.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub color: bool,
    pub width: usize,
}

impl Table {
    /// For this process's stdout: its terminal's width when it is one, else `COLUMNS`, else
    /// [`DEFAULT_WIDTH`]; colour only on a terminal with `NO_COLOR` unset.
    pub fn for_stdout() -> Table {
        use std::io::IsTerminal;
        let tty = std::io::stdout().is_terminal();
        let columns = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|&c| c > 0);
        let width = tty
            .then(terminal_width)
            .flatten()
            .or(columns)
            .unwrap_or(DEFAULT_WIDTH);
        Table {
            color: tty && std::env::var_os("NO_COLOR").is_none(),
            width,
        }
    }
}

/// The column count of the terminal on stdout.
fn terminal_width() -> Option<usize> {
    // SAFETY: `winsize` is plain integers, for which all zeroes is a valid value.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ writes one `winsize` through the pointer, which points at ours; on a
    // descriptor that is no terminal it fails and writes nothing.
    let result = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) };
    (result == 0 && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

/// The table of a report, without colour, at `width` columns.
pub fn render(report: &Report, color: bool) -> String {
    Table {
        color,
        width: DEFAULT_WIDTH,
    }
    .render(&View::new(report))
}

impl Renderer for Table {
    fn render(&self, view: &View) -> String {
        let width = self.width.max(MIN_WIDTH);
        let mut out = Lines {
            width,
            color: self.color,
            text: String::new(),
        };
        out.verdict(view);
        out.wrapped(&heading(view), "", "  ");
        for note in &view.notes {
            out.wrapped(note, "", "  ");
        }
        let mut group: Option<&std::path::Path> = None;
        let mut unlisted = 0;
        for file in &view.files {
            let listed =
                !file.findings.is_empty() || (view.default_mode() && file.file.binary.is_some());
            if !listed {
                unlisted += 1;
                continue;
            }
            let root = file.root.map(|tree| tree.path.as_path());
            if root.is_some()
                && root != group
                && let Some(tree) = file.root
            {
                out.blank();
                let given = tree.path.to_string_lossy();
                let separator = if tree.artifact.is_some() { "!/" } else { "/" };
                out.wrapped(
                    &format!("{}{separator}", given.trim_end_matches('/')),
                    "",
                    "",
                );
            } else if root.is_none() {
                out.blank();
            }
            group = root;
            let indent = if file.root.is_some() { "  " } else { "" };
            out.file(view, file, indent);
        }
        out.blank();
        if unlisted > 0 && !view.default_mode() {
            out.wrapped(
                &format!("{} without findings not listed", plural(unlisted, "file")),
                "",
                "  ",
            );
        }
        out.wrapped(&summary(view), "", "  ");
        out.text
    }
}

struct Lines {
    width: usize,
    color: bool,
    text: String,
}

impl Lines {
    fn blank(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with("\n\n") {
            self.text.push('\n');
        }
    }

    fn push(&mut self, line: &str) {
        self.text.push_str(&line.trim_end().replace(GLUE, " "));
        self.text.push('\n');
    }

    fn wrapped(&mut self, text: &str, first: &str, rest: &str) {
        for line in wrap(text, first, rest, self.width) {
            self.push(&line);
        }
    }

    /// `text` wrapped, with `word` (which it starts with after `first`) in colour.
    fn painted(&mut self, text: &str, first: &str, rest: &str, word: &str, color: &str) {
        let lines = wrap(text, first, rest, self.width);
        for (index, line) in lines.iter().enumerate() {
            if index == 0 && self.color && line[first.len()..].starts_with(word) {
                let after = &line[first.len() + word.len()..];
                self.push(&format!("{first}\u{1b}[{color}m{word}\u{1b}[0m{after}"));
            } else {
                self.push(line);
            }
        }
    }

    fn verdict(&mut self, view: &View) {
        let (word, color) = outcome_word(view.outcome);
        let text = verdict_line(view);
        self.painted(&text, "", "  ", word, color);
    }

    fn file(&mut self, view: &View, file: &FileView, indent: &str) {
        let mut heading = format!("{}: {}", file.relative, file.outcome.as_str());
        if view.baselines.len() > 1 {
            let each: Vec<String> = view
                .baselines
                .iter()
                .zip(&file.errors_on)
                .map(|(b, errors)| match errors {
                    0 => format!("{}: ok", b.info.id),
                    n => format!("{}: {}", b.info.id, plural(*n, "error")),
                })
                .collect();
            let _ = write!(heading, " ({})", each.join(", "));
        }
        let inner = format!("{indent}  ");
        self.wrapped(&heading, indent, &format!("{inner}  "));
        let hanging = format!("{inner}        ");
        for finding in &file.findings {
            let severity = finding.severity.to_string();
            let pad = GLUE
                .to_string()
                .repeat(7usize.saturating_sub(severity.len()));
            let mut line = format!("{severity}{pad} {}", finding.code().as_str());
            if view.baselines.len() > 1 {
                let _ = write!(line, " [{}]", finding.baseline.as_deref().unwrap_or("all"));
            }
            let _ = write!(line, ": {}", finding.issue.message());
            let color = match finding.severity {
                Severity::Error => "31",
                Severity::Warning => "33",
                Severity::Info => "34",
            };
            self.painted(&line, &inner, &hanging, &severity, color);
            self.wrapped(
                &format!("fix: {}", finding.issue.hint()),
                &hanging,
                &format!("{hanging}     "),
            );
        }
        if view.default_mode()
            && let Some(binary) = &file.file.binary
        {
            self.wrapped(&facts(binary), &inner, &format!("{inner}  "));
            if let Some(families) = &file.file.families {
                for (label, line) in RunsOn::of(families).lines() {
                    // A distribution's or policy's answer (`Red Hat Enterprise Linux ≥ 9`)
                    // stays on one line; an image family's list of tags may wrap.
                    let text = line.text_with(|entry| match line.kind {
                        Kind::Image => entry.to_string(),
                        _ => entry.replace(' ', &GLUE.to_string()),
                    });
                    self.wrapped(&format!("{label}: {text}"), &inner, &format!("{inner}  "));
                }
            }
        }
    }
}

fn outcome_word(outcome: Outcome) -> (&'static str, &'static str) {
    match outcome {
        Outcome::Pass => ("PASS", "32"),
        Outcome::Fail => ("FAIL", "31"),
        Outcome::Unverified => ("UNVERIFIED", "33"),
        Outcome::Error => ("ERROR", "31"),
    }
}

/// The first line: the verdict, and on which baselines.
fn verdict_line(view: &View) -> String {
    let (word, _) = outcome_word(view.outcome);
    let files = view.files.len();
    match view.outcome {
        Outcome::Error => return format!("{word}: no binaries to check"),
        _ if view.baselines.len() > 1 => {
            let each: Vec<String> = view
                .baselines
                .iter()
                .map(|b| {
                    let v = b.verdict;
                    match v.outcome() {
                        Outcome::Fail => {
                            format!("fails on {} ({})", b.info.id, plural(v.errors, "error"))
                        }
                        Outcome::Unverified => format!(
                            "is unverified on {} ({} not verified)",
                            b.info.id,
                            plural(v.unverified, "finding")
                        ),
                        _ => format!("passes on {}", b.info.id),
                    }
                })
                .collect();
            return format!(
                "{word}: {} ({} checked)",
                each.join(", "),
                plural(files, "file")
            );
        }
        _ => {}
    }
    let against = match &view.baselines[..] {
        [only] => format!(" against {}", only.info.id),
        _ => String::new(),
    };
    let overall: Verdict = view.overall;
    match view.outcome {
        Outcome::Fail if files == 1 => format!(
            "{word}: {} in 1 file{against}",
            plural(overall.errors, "error"),
        ),
        Outcome::Fail => format!(
            "{word}: {} in {} of {files} files{against}",
            plural(overall.errors, "error"),
            view.failing_files(),
        ),
        Outcome::Unverified => format!(
            "{word}: no errors, but {} could not be checked, in {}{against}",
            plural(overall.unverified, "finding says something"),
            plural(files, "file")
        ),
        _ => format!(
            "{word}: no errors in {} checked{against}",
            plural(files, "file")
        ),
    }
}

/// What the verdict was measured against.
fn heading(view: &View) -> String {
    let report = view.report;
    let mut parts = Vec::new();
    if let Some(target) = &report.target {
        parts.push(format!("target {target}"));
    }
    for baseline in &view.baselines {
        let info = baseline.info;
        let version = info.version.as_deref().unwrap_or("unknown");
        parts.push(format!(
            "baseline {} ({} {version}; data: {})",
            info.id, info.libc, info.source
        ));
    }
    if view.baselines.is_empty() {
        parts.push(
            "no baseline named: what each file needs, and where it runs (embedded database)".into(),
        );
    }
    format!("shipcheck: {}", parts.join(", "))
}

/// A binary's kind and needs, for the default mode.
fn facts(binary: &crate::binary::Binary) -> String {
    let arch = binary
        .arch
        .map(|a| a.to_string())
        .or_else(|| (!binary.fat_arches.is_empty()).then(|| binary.fat_arches.join(", ")))
        .unwrap_or_else(|| "unknown arch".into());
    let mut text = format!("{} {arch} {}", binary.format.as_str(), binary.kind.as_str());
    if let Some(interpreter) = &binary.interpreter {
        let _ = write!(text, "; interpreter {interpreter}");
    }
    let needs: Vec<String> = requires(binary)
        .into_iter()
        .map(|(family, version)| format!("{family} {version}"))
        .collect();
    if !needs.is_empty() {
        let _ = write!(text, "; needs {}", needs.join(", "));
    }
    text
}

fn summary(view: &View) -> String {
    let report = view.report;
    let overall = view.overall;
    let skipped = match report.files_skipped() {
        0 => "0 skipped".to_string(),
        n => format!(
            "{n} skipped: {} not binaries, {} symlinks/special/ignored/unwalkable",
            report.not_binaries,
            report.skipped.len()
        ),
    };
    format!(
        "{}, {}, {}, {} not verified in {} checked ({skipped})",
        plural(overall.errors, "error"),
        plural(overall.warnings, "warning"),
        plural(view.infos, "info"),
        overall.unverified,
        plural(report.files_checked(), "file"),
    )
}

/// `text` in lines of at most `width` columns, the first starting with `first`, the others with
/// `rest`. Breaks only at spaces; a word longer than a line breaks after a `/` (paths), `,`, `;`
/// or `::`, and only a piece that is still longer than a line is cut.
pub fn wrap(text: &str, first: &str, rest: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut used = columns(first);
    let mut empty = true;
    let room = |prefix: &str| width.saturating_sub(columns(prefix)).max(1);
    for word in text.split([' ', '\n', '\t']).filter(|w| !w.is_empty()) {
        let size = columns(word);
        let gap = usize::from(!empty);
        if used + gap + size <= width {
            if !empty {
                line.push(' ');
            }
            line.push_str(word);
            used += gap + size;
            empty = false;
            continue;
        }
        if size <= room(rest) {
            if !empty {
                lines.push(std::mem::take(&mut line));
                line = rest.to_string();
                used = columns(rest);
            }
            line.push_str(word);
            used += size;
            empty = false;
            continue;
        }
        // Longer than a whole line: in pieces, each as large as fits.
        if !empty {
            if used + 1 < width {
                line.push(' ');
                used += 1;
            } else {
                lines.push(std::mem::take(&mut line));
                line = rest.to_string();
                used = columns(rest);
            }
        }
        for piece in pieces(word, room(rest)) {
            let size = columns(&piece);
            if used + size > width && used > columns(rest) {
                lines.push(std::mem::take(&mut line));
                line = rest.to_string();
                used = columns(rest);
            }
            line.push_str(&piece);
            used += size;
        }
        empty = false;
    }
    lines.push(line);
    lines
}

/// A word cut after each `/`, `,`, `;` or `::`; a piece longer than `room` cut at `room`.
fn pieces(word: &str, room: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut piece = String::new();
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        piece.push(c);
        let ends = matches!(c, '/' | ',' | ';') || (c == ':' && piece.ends_with("::"));
        if ends && chars.peek().is_some() {
            out.push(std::mem::take(&mut piece));
        }
    }
    if !piece.is_empty() {
        out.push(piece);
    }
    out.into_iter()
        .flat_map(|piece| {
            let chars: Vec<char> = piece.chars().collect();
            chars
                .chunks(room.max(1))
                .map(|chunk| chunk.iter().collect::<String>())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn columns(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_with_a_hanging_indent() {
        let lines = wrap("one two three four five six", "> ", "    ", 14);
        assert_eq!(lines, ["> one two", "    three four", "    five six"]);
        for line in &lines {
            assert!(columns(line) <= 14);
        }
    }

    #[test]
    fn a_long_path_breaks_only_after_a_slash() {
        let lines = wrap(
            "in /usr/lib/x86_64-linux-gnu/libstdc++.so.6 now",
            "",
            "  ",
            24,
        );
        assert_eq!(
            lines,
            [
                "in /usr/lib/",
                "  x86_64-linux-gnu/",
                "  libstdc++.so.6 now"
            ]
        );
        let joined: String = lines
            .iter()
            .map(|l| l.trim_start())
            .collect::<Vec<_>>()
            .join("");
        assert!(joined.contains("/usr/lib/x86_64-linux-gnu/libstdc++.so.6"));
    }

    #[test]
    fn only_a_piece_longer_than_a_line_is_cut() {
        let lines = wrap("abcdefghijklmnop", "", "", 6);
        assert_eq!(lines, ["abcdef", "ghijkl", "mnop"]);
        let lines = wrap("a std::vector::push_back", "", "", 14);
        assert_eq!(lines, ["a std::", "vector::", "push_back"]);
    }

    #[test]
    fn counts_are_plural_only_when_not_one() {
        assert_eq!(plural(1, "error"), "1 error");
        assert_eq!(plural(0, "error"), "0 errors");
        assert_eq!(
            plural(2, "finding says something"),
            "2 findings say something"
        );
    }
}
