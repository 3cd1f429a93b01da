//! The policy file (`shipcheck.toml`): targets per path glob, baselines, allowed sonames,
//! ignored paths and severities per code. Unknown keys are an error that names the key.

use crate::report::UnverifiedPolicy;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The file looked for in the current directory when `--config` is not given.
pub const DEFAULT_FILE: &str = "shipcheck.toml";

/// A policy file is small; anything larger is not one.
const MAX_BYTES: u64 = 1 << 20;

#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Policy {
    /// The target of files no `[[targets]]` rule matches.
    pub target: Option<String>,
    /// Baselines, each with its own verdict.
    #[serde(default)]
    pub baselines: Vec<String>,
    /// A root filesystem as one more baseline; relative to the policy file's directory.
    pub sysroot: Option<PathBuf>,
    /// Targets per path glob, first match wins: a release folder often holds `linux-x64/` and
    /// `linux-arm64/` side by side.
    #[serde(default)]
    pub targets: Vec<PathRule>,
    /// Sonames the target provides whatever the baselines say (e.g. from a package you install).
    #[serde(default)]
    pub allow_sonames: Vec<String>,
    /// Path globs not to check.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// What a file loads at run time with `dlopen`, by path glob: each entry is a soname, or
    /// alternatives tried in order (`"libssl.so.3|libssl.so.1.1"`).
    #[serde(default)]
    pub dlopen: BTreeMap<String, Vec<String>>,
    /// Severity per finding code: `error`, `warning`, `info` or `off`.
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    /// What an unverified verdict does to the exit status: `fail` (exit 3, the default) or
    /// `pass` (exit 0).
    pub unverified: Option<UnverifiedPolicy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathRule {
    /// Globs relative to the checked PATH, e.g. `linux-arm64/**`.
    pub paths: Vec<String>,
    pub target: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read policy file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("policy file {} is larger than 1 MiB", path.display())]
    TooLarge { path: PathBuf },
    #[error("policy file {}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

/// Reads and parses a policy file; relative paths in it are made relative to its directory.
pub fn load(path: &Path) -> Result<Policy, PolicyError> {
    let read_error = |source| PolicyError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    if !file.metadata().map_err(read_error)?.is_file() {
        return Err(PolicyError::Invalid {
            path: path.to_path_buf(),
            message: "not a regular file".into(),
        });
    }
    let mut text = String::new();
    file.take(MAX_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(read_error)?;
    if text.len() as u64 > MAX_BYTES {
        return Err(PolicyError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    let mut policy = parse(&text).map_err(|message| PolicyError::Invalid {
        path: path.to_path_buf(),
        message,
    })?;
    if let (Some(sysroot), Some(dir)) = (&policy.sysroot, path.parent())
        && sysroot.is_relative()
    {
        policy.sysroot = Some(dir.join(sysroot));
    }
    Ok(policy)
}

pub fn parse(text: &str) -> Result<Policy, String> {
    toml::from_str(text).map_err(|e| describe(text, &e))
}

/// `line 3, column 7, key `foo` in [severity]: invalid type …` and the line with a caret under
/// the place: where the error is, in the words of an editor.
fn describe(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim();
    let Some(span) = error.span().filter(|span| span.start <= text.len()) else {
        return message.to_string();
    };
    let before = &text[..span.start];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let column = text[line_start..span.start].chars().count() + 1;
    let line_text = text[line_start..].lines().next().unwrap_or("");
    // The key of the line the error points at (at the key itself, or at its value), and the
    // table it is in (the last `[table]` header above it).
    let key = line_text
        .split_once('=')
        .map(|(key, _)| key.trim())
        .filter(|key| !key.is_empty() && !key.starts_with('['))
        .map(|key| format!(", key `{key}`"))
        .unwrap_or_default();
    let table = before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|header| format!(" in {header}"))
        .unwrap_or_default();
    let number = line.to_string();
    format!(
        "line {line}, column {column}{key}{table}: {message}\n  {number} | {line_text}\n  {} | {}^",
        " ".repeat(number.len()),
        " ".repeat(column - 1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_key() {
        let policy = parse(
            r#"
            target = "linux-x64"
            baselines = ["ubuntu-16.04", "debian-12"]
            allow-sonames = ["libfoo.so.1"]
            ignore = ["**/*.pdb"]
            [severity]
            debug-info-present = "error"
            [dlopen]
            "app/server" = ["libMonoPosixHelper.so", "libssl.so.3|libssl.so.1.1"]
            [[targets]]
            paths = ["linux-arm64/**"]
            target = "linux-arm64"
            "#,
        )
        .unwrap();
        assert_eq!(policy.target.as_deref(), Some("linux-x64"));
        assert_eq!(policy.baselines, ["ubuntu-16.04", "debian-12"]);
        assert_eq!(policy.targets[0].target, "linux-arm64");
        assert_eq!(policy.severity["debug-info-present"], "error");
        assert_eq!(
            policy.dlopen["app/server"],
            ["libMonoPosixHelper.so", "libssl.so.3|libssl.so.1.1"]
        );
    }

    #[test]
    fn errors_say_where_with_line_column_key_and_table() {
        let error = parse("baselines = []\n[severity]\nfoo = 1\n").unwrap_err();
        assert!(
            error.starts_with(
                "line 3, column 7, key `foo` in [severity]: invalid type: integer `1`"
            ),
            "{error}"
        );
        assert!(error.contains("\n  3 | foo = 1\n    |       ^"), "{error}");
        let error = parse("[[targets]]\npaths = []\ntarget = \"x\"\narch = \"y\"\n").unwrap_err();
        assert!(
            error.starts_with("line 4, column 1, key `arch` in [[targets]]: unknown field `arch`"),
            "{error}"
        );
    }

    #[test]
    fn unknown_keys_are_named() {
        let error = parse("baseline = \"debian-12\"").unwrap_err();
        assert!(error.contains("unknown field `baseline`"), "{error}");
        let error = parse("[[targets]]\npaths = []\ntarget = \"x\"\narch = \"y\"").unwrap_err();
        assert!(error.contains("unknown field `arch`"), "{error}");
    }
}
