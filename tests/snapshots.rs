//! Snapshots of every output for people (table, Markdown, GitHub, SARIF) of `shipcheck check`
//! on the committed test binaries, so a change of wording or layout shows in review
//! (`cargo insta review`, or `INSTA_UPDATE=always cargo test --test snapshots` and read the
//! diff). The table is laid out at 100 columns (`COLUMNS`, piped), the tool's version is
//! redacted; paths are relative to the package, so nothing depends on the machine.

use assert_cmd::cargo::CommandCargoExt;
use std::process::Command;

/// The output of `shipcheck check ARGS --format FORMAT` and its exit status.
fn check(args: &[&str], format: &str) -> (i32, String) {
    let output = Command::cargo_bin("shipcheck")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("COLUMNS", "100")
        .env("NO_COLOR", "1")
        .arg("check")
        .args(args)
        .args(["--format", format])
        .output()
        .expect("runs");
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let version = format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION"));
    let text = text.replace(&version, "\"version\": \"[version]\"");
    (output.status.code().unwrap_or(-1), text)
}

/// SARIF with its rules (one per finding code, the same in every run) left to the `pass`
/// snapshot, so adding a code changes one snapshot, not every one.
fn without_rules(sarif: &str) -> String {
    let mut doc: serde_json::Value = serde_json::from_str(sarif).expect("SARIF is JSON");
    let rules = &mut doc["runs"][0]["tool"]["driver"]["rules"];
    let count = rules.as_array().map_or(0, Vec::len);
    assert!(count > 10, "{sarif}");
    *rules = serde_json::json!(format!("[{count} rules, as in the pass-sarif snapshot]"));
    serde_json::to_string_pretty(&doc).expect("JSON") + "\n"
}

/// Every format of one run, each its own snapshot (`<case>-<format>`), all with `status`.
fn snapshots(case: &str, args: &[&str], status: i32) {
    for format in ["table", "markdown", "github", "sarif"] {
        let (code, text) = check(args, format);
        assert_eq!(code, status, "{case} {format}: {text}");
        let text = match format {
            "sarif" if case != "pass" => without_rules(&text),
            _ => text,
        };
        insta::with_settings!({
            description => format!("shipcheck check {} --format {format}", args.join(" ")),
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("{case}-{format}"), text);
        });
    }
}

#[test]
fn a_passing_file() {
    snapshots(
        "pass",
        &["testdata/bin/hello-x86_64", "--baseline", "debian-12"],
        0,
    );
}

#[test]
fn glibc_too_new_for_ubuntu_16_04() {
    snapshots(
        "glibc-too-new",
        &["testdata/bin/hello-x86_64", "--baseline", "ubuntu-16.04"],
        1,
    );
}

#[test]
fn several_baselines() {
    snapshots(
        "several-baselines",
        &[
            "testdata/bin/hello-x86_64",
            "testdata/bin/cxx-x86_64",
            "--baseline",
            "ubuntu-16.04",
            "--baseline",
            "debian-12",
        ],
        1,
    );
}

#[test]
fn runs_on_without_a_baseline() {
    snapshots(
        "runs-on",
        &[
            "testdata/bin/hello-x86_64",
            "testdata/bin/hello-x86_64-musl",
            "testdata/bin/hello-riscv64",
        ],
        0,
    );
}

#[test]
fn a_tree_with_a_missing_soname() {
    snapshots(
        "missing-soname",
        // A Docker image whose last layer deletes libz.so.1, which its program needs.
        &["testdata/images/whiteout.docker.tar.gz"],
        1,
    );
}
