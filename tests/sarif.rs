//! `--format sarif` validates against the SARIF 2.1.0 schema (vendored in tests/fixtures/sarif
//! with its licence) and carries one rule per code and one result per finding.

use assert_cmd::Command;
use serde_json::Value;

fn sarif(args: &[&str]) -> (i32, Value) {
    let output = Command::cargo_bin("shipcheck")
        .unwrap()
        .args(["check", "--format", "sarif"])
        .args(args)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&output.stdout).expect("SARIF is JSON");
    (output.status.code().unwrap_or(-1), doc)
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string("tests/fixtures/sarif/sarif-schema-2.1.0.json").unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

#[test]
fn output_is_valid_sarif() {
    let validator = validator();
    for args in [
        &["--baseline", "debian-11", "testdata/bin"][..],
        &[
            "--baseline",
            "ubuntu-16.04",
            "--baseline",
            "debian-12",
            "--target",
            "linux-x64",
            "testdata/bin",
        ][..],
        &["testdata/bin/hello-x86_64"][..],
        // Members of images: the artifact on disk is the location, the member a logical one.
        &[
            "testdata/images/oci",
            "testdata/images/whiteout.docker.tar.gz",
        ][..],
        // Nothing to check, and a usage error: the documents that say "could not check".
        &["testdata/bin/not-a-binary.txt"][..],
        &["--target", "no-such-target", "testdata/bin/hello-x86_64"][..],
    ] {
        let (_, doc) = sarif(args);
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
    }
}

#[test]
fn the_validator_rejects_broken_sarif() {
    // Proves the schema check can fail: a result without a message is invalid SARIF.
    let (_, mut doc) = sarif(&["--baseline", "debian-11", "testdata/bin/hello-x86_64"]);
    doc["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    assert!(!validator().is_valid(&doc));
}

#[test]
fn rules_and_results_carry_codes_locations_and_fixes() {
    let (code, doc) = sarif(&[
        "--baseline",
        "debian-11",
        "testdata/bin/hello-x86_64",
        "testdata/bin/rpath-absolute-x86_64",
    ]);
    assert_eq!(code, 1);
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = rules
        .iter()
        .find(|r| r["id"] == "symbol-version-too-new")
        .unwrap();
    assert_eq!(rule["defaultConfiguration"]["level"], "error");
    assert!(rule["help"]["text"].as_str().unwrap().contains("sysroot"));
    let results = run["results"].as_array().unwrap();
    let too_new = results
        .iter()
        .find(|r| r["ruleId"] == "symbol-version-too-new")
        .unwrap();
    assert_eq!(
        too_new["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "testdata/bin/hello-x86_64"
    );
    assert_eq!(
        rules[too_new["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "symbol-version-too-new"
    );
    assert_eq!(too_new["properties"]["baseline"], "debian-11");
    let rpath = results
        .iter()
        .find(|r| r["ruleId"] == "rpath-absolute")
        .unwrap();
    assert_eq!(rpath["level"], "warning");
}

#[test]
fn a_member_of_an_artifact_is_located_at_the_artifact_on_disk() {
    let (_, doc) = sarif(&["testdata/images/whiteout.docker.tar.gz"]);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let missing = results
        .iter()
        .find(|r| r["ruleId"] == "soname-missing")
        .expect("the whiteout image lacks libz.so.1");
    let location = &missing["locations"][0];
    assert_eq!(
        location["physicalLocation"]["artifactLocation"]["uri"],
        "testdata/images/whiteout.docker.tar.gz"
    );
    assert_eq!(
        location["logicalLocations"][0]["fullyQualifiedName"],
        "testdata/images/whiteout.docker.tar.gz!/app/zapp"
    );
}
