//! "Runs on" against its definition: without `--baseline`, a file runs on exactly the database
//! baselines on which `check --baseline ID` finds no error for it. The default run computes the
//! list its own (faster) way; here every baseline of the database is named in one run and the
//! two answers are compared file by file, on the committed test binaries and, where the machine
//! has them, on its own /usr/bin and libraries. (Not on images: a root filesystem checked
//! without a baseline must provide every library itself, and with one it may leave libraries to
//! the baseline, so the two runs load it differently.)

mod common;

use serde_json::Value;
use shipcheck::arch::libc_of;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A database baseline's C library and the architectures it has data for.
struct Known {
    libc: String,
    arches: BTreeSet<String>,
}

/// Every database baseline by id.
fn all_ids() -> BTreeMap<String, Known> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shipcheck"))
        .args(["baselines", "--format", "json"])
        .output()
        .expect("run shipcheck baselines");
    let list: Value = serde_json::from_slice(&out.stdout).expect("baselines JSON");
    list.as_array()
        .expect("a list of baselines")
        .iter()
        .map(|b| {
            let field = |key: &str| b[key].as_str().expect("id and libc").to_string();
            let arches = b["arches"].as_array().expect("arches").iter();
            let arches = arches.map(|a| a.as_str().expect("arch").to_string());
            let known = Known {
                libc: field("libc"),
                arches: arches.collect(),
            };
            (field("id"), known)
        })
        .collect()
}

fn files(doc: &Value) -> &Vec<Value> {
    doc["files"].as_array().expect("files")
}

/// path → the baselines named in the run on which the file has an error finding.
fn failing(doc: &Value) -> BTreeMap<String, BTreeSet<String>> {
    files(doc)
        .iter()
        .map(|file| {
            let path = file["path"].as_str().expect("path").to_string();
            let failed = file["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|f| f["severity"] == "error")
                .filter_map(|f| f["baseline"].as_str().map(str::to_string))
                .collect();
            (path, failed)
        })
        .collect()
}

/// Compares the default run's `runs_on` with the per-baseline run over `path`; returns how
/// many files had a list.
fn compare(path: &Path, ids: &BTreeMap<String, Known>) -> usize {
    let path = path.to_str().expect("UTF-8 test path");
    let (_, default) = common::check(&[path]);
    let mut args: Vec<&str> = vec![path];
    for id in ids.keys() {
        args.extend(["--baseline", id]);
    }
    let (_, every) = common::check(&args);
    let failed = failing(&every);
    let mut compared = 0;
    for file in files(&default) {
        let Some(runs_on) = file["runs_on"].as_array() else {
            continue;
        };
        let file_path = file["path"].as_str().expect("path");
        let runs_on: BTreeSet<&str> = runs_on.iter().filter_map(Value::as_str).collect();
        let arch = file["arch"].as_str().unwrap_or_default();
        let failed_here = &failed[file_path];
        // A file linked against one C library is never listed for a system of the other.
        let strings = |key: &str| -> Vec<String> {
            let values = file[key].as_array().into_iter().flatten();
            values
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        let libc = libc_of(file["interpreter"].as_str(), &strings("needed"));
        let expected: BTreeSet<&str> = ids
            .iter()
            .filter(|(_, known)| known.arches.contains(arch))
            .filter(|(_, known)| libc.is_none_or(|libc| libc.to_string() == known.libc))
            .map(|(id, _)| id.as_str())
            .filter(|id| !failed_here.contains(*id))
            .collect();
        let listed_only: Vec<&&str> = runs_on.difference(&expected).collect();
        let checks_only: Vec<&&str> = expected.difference(&runs_on).collect();
        assert!(
            listed_only.is_empty() && checks_only.is_empty(),
            "{file_path} ({arch}): runs on lists {listed_only:?} where the per-baseline checks \
             find an error, and leaves out {checks_only:?} where they find none"
        );
        compared += 1;
    }
    compared
}

#[test]
fn runs_on_is_every_baseline_without_an_error() {
    let ids = all_ids();
    assert!(ids.len() > 100, "the database has {} baselines", ids.len());
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut compared = compare(&testdata.join("bin"), &ids);
    assert!(compared >= 40, "only {compared} files had a runs-on list");
    // The machine's own programs and libraries: hundreds of real needs and version nodes.
    for dir in ["/usr/bin", "/usr/lib/x86_64-linux-gnu"] {
        if Path::new(dir).is_dir() {
            compared += compare(Path::new(dir), &ids);
        }
    }
    eprintln!("compared {compared} files");
}
