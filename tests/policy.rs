//! End-to-end: a policy file drives a mixed x64/arm64 release tree with two baselines.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A release folder as .NET and Rust publish them: one folder per RID.
fn release_tree(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("shipcheck-policy-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let copy = |from: &str, to: &str| {
        let to = root.join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(Path::new("testdata/bin").join(from), to).unwrap();
    };
    copy("hello-bullseye-x86_64", "release/linux-x64/app");
    copy("hello-bullseye-aarch64", "release/linux-arm64/app");
    // The classic mistake: an arm64 build in the x64 folder.
    copy("hello-aarch64", "release/linux-x64/helper");
    copy("debug-unstripped-x86_64", "release/linux-x64/tool");
    copy("not-a-binary.txt", "release/linux-x64/notes.txt");
    copy("hello-x86_64-static", "release/linux-x64/skip-me.bin");
    root
}

fn run(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let output = Command::cargo_bin("shipcheck")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let doc = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output.status.code().unwrap_or(-1), doc, stderr)
}

fn file<'a>(doc: &'a Value, suffix: &str) -> &'a Value {
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("{suffix} not in {doc:#}"))
}

fn codes(file: &Value) -> Vec<(String, Value)> {
    file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["baseline"].clone(),
            )
        })
        .collect()
}

const POLICY: &str = r#"
baselines = ["ubuntu-16.04", "debian-12"]
ignore = ["**/skip-me.bin"]

[[targets]]
paths = ["linux-x64/**"]
target = "linux-x64"

[[targets]]
paths = ["linux-arm64/**"]
target = "linux-arm64"

[severity]
debug-info-present = "error"
"#;

#[test]
fn policy_file_drives_a_mixed_tree() {
    let root = release_tree("mixed");
    std::fs::write(root.join("shipcheck.toml"), POLICY).unwrap();
    let (code, doc, stderr) = run(&root, &["check", "--format", "json", "release"]);
    assert_eq!(code, 1, "{stderr}");

    assert_eq!(file(&doc, "linux-x64/app")["target"], "linux-x64");
    assert_eq!(file(&doc, "linux-arm64/app")["target"], "linux-arm64");
    assert!(codes(file(&doc, "linux-x64/app")).is_empty());
    assert!(codes(file(&doc, "linux-arm64/app")).is_empty());
    let helper = codes(file(&doc, "linux-x64/helper"));
    assert!(
        helper.contains(&("arch-mismatch".into(), Value::Null)),
        "{helper:?}"
    );
    // The arm64 helper also needs glibc 2.34: too new for 16.04, fine for 12.
    assert!(
        helper.contains(&("symbol-version-too-new".into(), "ubuntu-16.04".into())),
        "{helper:?}"
    );
    assert!(
        !helper
            .iter()
            .any(|(c, b)| c == "symbol-version-too-new" && b == "debian-12")
    );
    let tool = codes(file(&doc, "linux-x64/tool"));
    let debug = file(&doc, "linux-x64/tool")["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "debug-info-present")
        .unwrap();
    assert_eq!(debug["severity"], "error", "the policy raised it: {tool:?}");

    let skipped: Vec<&str> = doc["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    assert!(
        skipped.iter().any(|r| r.contains("ignored by the policy")),
        "{skipped:?}"
    );
    assert!(
        doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !f["path"].as_str().unwrap().ends_with("skip-me.bin"))
    );

    let verdicts = doc["baselines"].as_array().unwrap();
    assert_eq!(verdicts.len(), 2);
    assert!(
        doc["baseline"].is_null(),
        "several baselines: no single one"
    );
    let xenial = verdicts.iter().find(|b| b["id"] == "ubuntu-16.04").unwrap();
    let bookworm = verdicts.iter().find(|b| b["id"] == "debian-12").unwrap();
    assert_eq!(xenial["verdict"], "fail");
    // arch-mismatch and the raised debug-info hold on every baseline.
    assert_eq!(bookworm["errors"], 2);
    assert!(xenial["errors"].as_u64().unwrap() > 2);

    // Flags override the policy.
    let (code, doc, _) = run(
        &root,
        &[
            "check",
            "--format",
            "json",
            "--baseline",
            "debian-12",
            "--severity",
            "debug-info-present=warning",
            "release/linux-arm64",
        ],
    );
    assert_eq!(doc["baseline"]["id"], "debian-12");
    // Checked from release/linux-arm64, the policy's rules (relative to the checked PATH) match
    // nothing: the only errors are the two rules that checked nothing.
    assert_eq!(code, 1, "{doc:#}");
    let errors: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["findings"].as_array().unwrap())
        .filter(|f| f["severity"] == "error")
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        errors,
        ["target-rule-unmatched", "target-rule-unmatched"],
        "{doc:#}"
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn matrix_views_show_files_by_baseline() {
    let root = release_tree("matrix");
    std::fs::write(root.join("shipcheck.toml"), POLICY).unwrap();
    let output = Command::cargo_bin("shipcheck")
        .unwrap()
        .current_dir(&root)
        .args(["check", "--format", "markdown", "release"])
        .output()
        .unwrap();
    let markdown = String::from_utf8_lossy(&output.stdout);
    assert!(
        markdown.contains("| file | `ubuntu-16.04` | `debian-12` |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| `release/linux-arm64/app` | ✅ | ✅ |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| `release/linux-x64/helper` | ❌ | ❌ |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("- ❌ fail on `ubuntu-16.04`"),
        "{markdown}"
    );

    let output = Command::cargo_bin("shipcheck")
        .unwrap()
        .current_dir(&root)
        .env("NO_COLOR", "1")
        .args(["check", "release"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.starts_with("FAIL: fails on ubuntu-16.04"), "{table}");
    assert!(
        table.contains("ubuntu-16.04") && table.contains("debian-12"),
        "{table}"
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn policy_errors_name_the_key_and_exit_2() {
    let root = release_tree("bad");
    std::fs::write(root.join("shipcheck.toml"), "baseline = \"debian-12\"\n").unwrap();
    let (code, _, stderr) = run(&root, &["check", "release"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unknown field `baseline`") && stderr.contains("shipcheck.toml"),
        "{stderr}"
    );
    // Where, as an editor says it (issue 14): line, column, key, and the line itself.
    assert!(
        stderr.contains("line 1, column 1, key `baseline`")
            && stderr.contains("  1 | baseline = \"debian-12\""),
        "{stderr}"
    );

    std::fs::write(
        root.join("other.toml"),
        "[[targets]]\npaths = [\"a/**\"]\ntarget = \"linux-amr64\"\n",
    )
    .unwrap();
    let (code, _, stderr) = run(&root, &["check", "--config", "other.toml", "release"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("targets[0].target") && stderr.contains("linux-arm64"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_target_rule_that_matches_nothing_is_a_finding() {
    let root = release_tree("unmatched");
    std::fs::write(
        root.join("shipcheck.toml"),
        r#"
target = "linux-x64"
[[targets]]
paths = ["linux-amd64/**"]
target = "linux-x64"
[[targets]]
paths = ["linux-arm64/**"]
target = "linux-arm64"
"#,
    )
    .unwrap();
    let (code, doc, stderr) = run(&root, &["check", "--format", "json", "release/linux-arm64"]);
    assert_eq!(code, 1, "{stderr} {doc:#}");
    let policy = file(&doc, "shipcheck.toml");
    let found: Vec<String> = codes(policy).into_iter().map(|(code, _)| code).collect();
    // Both rules: the checked PATH is release/linux-arm64, so `linux-arm64/**` (relative to
    // it) matches nothing either: the gate says so instead of checking app as linux-x64.
    assert_eq!(
        found,
        ["target-rule-unmatched", "target-rule-unmatched"],
        "{doc:#}"
    );
    // Checked from the release folder, the arm64 rule applies and only the typo is left.
    let (_, doc, _) = run(&root, &["check", "--format", "json", "release"]);
    let found: Vec<String> = codes(file(&doc, "shipcheck.toml"))
        .into_iter()
        .map(|(code, _)| code)
        .collect();
    assert_eq!(found, ["target-rule-unmatched"], "{doc:#}");
    let message = file(&doc, "shipcheck.toml")["findings"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("linux-amd64/**"), "{message}");
    std::fs::remove_dir_all(&root).unwrap();
}
