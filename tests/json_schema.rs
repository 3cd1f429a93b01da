//! Pins the JSON wire format documented in README.md: real output over all of testdata/bin
//! decodes into these test-side structs, which reject unknown fields. Adding, renaming or
//! removing a field fails here until README, `SCHEMA_VERSION` and this file agree.

use assert_cmd::Command;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Document {
    schema_version: u32,
    tool: Tool,
    target: Option<Target>,
    baseline: Option<Baseline>,
    baselines: Vec<BaselineVerdict>,
    trees: Vec<Tree>,
    summary: Summary,
    files: Vec<File>,
    skipped: Vec<Skipped>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Tree {
    path: String,
    layout: String,
    entry_points: usize,
    artifact: Option<TreeArtifact>,
    wheel: Option<TreeWheel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct TreeArtifact {
    kind: String,
    inside: Option<String>,
    platform: Option<String>,
    default_target: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct TreeWheel {
    tags: Vec<String>,
    policy: Option<String>,
    matches_tags: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Tool {
    name: String,
    version: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Target {
    name: String,
    arch: String,
    bits: u8,
    endian: String,
    float_abi: Option<String>,
    libc: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Baseline {
    id: String,
    name: String,
    libc: String,
    version: Option<String>,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct BaselineVerdict {
    id: String,
    name: String,
    libc: String,
    version: Option<String>,
    source: String,
    errors: usize,
    warnings: usize,
    unverified: usize,
    verdict: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Summary {
    files_checked: usize,
    files_skipped: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    unverified: usize,
    verdict: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct File {
    path: String,
    #[serde(default)]
    path_bytes_hex: Option<String>,
    target: Option<String>,
    format: Option<String>,
    kind: Option<String>,
    arch: Option<String>,
    bits: Option<u8>,
    endian: Option<String>,
    float_abi: Option<String>,
    fat_arches: Vec<String>,
    os_abi: Option<u8>,
    e_flags: Option<u32>,
    interpreter: Option<String>,
    soname: Option<String>,
    needed: Vec<String>,
    rpath: Vec<String>,
    runpath: Vec<String>,
    requires: BTreeMap<String, String>,
    version_needs: Vec<VersionNeed>,
    version_defs: Vec<String>,
    managed: Option<String>,
    debug: Option<Debug>,
    run: Option<Run>,
    hardening: Option<Hardening>,
    runs_on: Option<Vec<String>>,
    runs_on_families: Option<Vec<Family>>,
    findings: Vec<Finding>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Family {
    family: String,
    name: String,
    kind: String,
    libc: String,
    releases: Vec<String>,
    runs_on: Vec<String>,
    summary: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Run {
    exec_stack: Option<bool>,
    min_kernel: Option<String>,
    x86_isa_needed: Option<String>,
    load_align: Option<u64>,
    static_tls: bool,
    tls_bytes: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Hardening {
    pie: Option<bool>,
    relro: String,
    nx_stack: Option<bool>,
    stack_protector: Option<bool>,
    fortified: Vec<String>,
    cet: Option<Cet>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Cet {
    ibt: bool,
    shstk: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct VersionNeed {
    library: String,
    versions: Vec<NeededVersion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct NeededVersion {
    name: String,
    weak: bool,
    symbols: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Debug {
    debug_sections: Vec<DebugSection>,
    debug_bytes: u64,
    symtab: bool,
    symtab_bytes: Option<u64>,
    debuglink: Option<String>,
    build_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct DebugSection {
    name: String,
    size: u64,
    uncompressed_size: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Finding {
    code: String,
    severity: String,
    baseline: Option<String>,
    message: String,
    hint: String,
    evidence: serde_json::Value,
    /// Raw C++/Rust symbol name → demangled; absent when the finding names none.
    #[serde(default)]
    symbols_demangled: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Skipped {
    path: String,
    #[serde(default)]
    path_bytes_hex: Option<String>,
    reason: String,
}

fn decode(args: &[&str]) -> Document {
    let output = Command::cargo_bin("shipcheck")
        .unwrap()
        .args(["check", "--format", "json"])
        .args(args)
        .arg("testdata/bin")
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "output does not match the documented schema: {e}\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

#[test]
fn output_matches_the_documented_schema() {
    for args in [
        &[][..],
        &["--baseline", "debian-11"][..],
        &["--baseline", "ubuntu-16.04", "--target", "linux-x64"][..],
        &["--baseline", "ubuntu-16.04", "--baseline", "debian-12"][..],
        &[
            "--sysroot",
            "testdata/sysroot/bullseye-amd64",
            "--baseline",
            "rhel-8",
        ][..],
    ] {
        let doc = decode(args);
        assert_eq!(doc.schema_version, 6);
        assert_eq!(doc.tool.name, "shipcheck");
        // testdata/bin is an application tree, not a root filesystem.
        assert_eq!(doc.trees.len(), 1);
        assert_eq!(doc.trees[0].layout, "app");
        assert!(
            doc.trees[0].entry_points >= 20,
            "{}",
            doc.trees[0].entry_points
        );
        assert!(doc.files.len() >= 30);
        let severities = ["error", "warning", "info"];
        assert!(
            ["pass", "fail", "unverified"].contains(&doc.summary.verdict.as_str()),
            "{}",
            doc.summary.verdict
        );
        let default_mode = args.is_empty();
        let mut demangled = false;
        for file in &doc.files {
            // Families summarise exactly the runs-on list: each baseline it runs on is in one
            // family, among that family's releases.
            assert_eq!(
                file.runs_on.is_some(),
                file.runs_on_families.is_some(),
                "{}",
                file.path
            );
            if default_mode
                && file.format.as_deref() == Some("elf")
                && !file.path.ends_with(".debug")
            {
                assert!(file.runs_on.is_some(), "{} has no runs_on", file.path);
            }
            if let (Some(ids), Some(families)) = (&file.runs_on, &file.runs_on_families) {
                let summarised: usize = families.iter().map(|f| f.runs_on.len()).sum();
                assert_eq!(summarised, ids.len(), "{}", file.path);
                for family in families {
                    assert!(["distro", "image", "policy"].contains(&family.kind.as_str()));
                    assert!(family.runs_on.iter().all(|r| family.releases.contains(r)));
                    assert!(!family.releases.is_empty() && !family.summary.is_empty());
                }
            }
            for finding in &file.findings {
                assert!(severities.contains(&finding.severity.as_str()));
                assert!(!finding.hint.is_empty(), "{} has no hint", finding.code);
                assert!(finding.evidence.is_object(), "{}", finding.code);
                // Each demangled name belongs to a raw name the evidence holds.
                for raw in finding.symbols_demangled.iter().flat_map(|m| m.keys()) {
                    assert!(finding.evidence.to_string().contains(raw), "{raw}");
                }
                demangled |= finding.symbols_demangled.is_some();
            }
        }
        // testdata/bin/cxx-x86_64 needs GLIBCXX_3.4.30, newer than every baseline and sysroot
        // above has, and its C++ names are demangled; without a baseline there is no finding.
        assert_eq!(demangled, !default_mode, "symbols_demangled in {args:?}");
    }
}

/// The README's example document: `shipcheck check testdata/bin/hello-x86_64 --target linux-x64
/// --baseline debian-11 --format json`, with long values elided as "…".
fn readme_example() -> serde_json::Value {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let section = readme
        .split("## JSON output")
        .nth(1)
        .expect("README has a JSON output section");
    let block = section
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("the JSON output section has a json block");
    serde_json::from_str(block).expect("the README's JSON example is JSON")
}

/// Object keys, recursively (an array by its first element); evidence is per code.
fn shape(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let inner = if key == "evidence" {
                        Value::Null
                    } else {
                        shape(value)
                    };
                    (key.clone(), inner)
                })
                .collect(),
        ),
        Value::Array(items) => items.first().map(shape).unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

#[test]
fn the_readme_example_is_real_output() {
    let example = readme_example();
    // It decodes into the documented schema …
    let decoded: Document =
        serde_json::from_value(example.clone()).expect("the README example fits the schema");
    assert_eq!(decoded.schema_version, 6);
    // … and has the shape of what the command it shows prints.
    let output = Command::cargo_bin("shipcheck")
        .unwrap()
        .args([
            "check",
            "testdata/bin/hello-x86_64",
            "--target",
            "linux-x64",
            "--baseline",
            "debian-11",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let real: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let mut real_shape = shape(&real);
    // The example also shows a skipped entry, which this command has none of.
    real_shape["skipped"] = shape(&example)["skipped"].clone();
    assert_eq!(shape(&example), real_shape);
    assert_eq!(example["summary"], real["summary"]);
    assert_eq!(example["baselines"], real["baselines"]);
}
