//! No false "pass": every committed test binary against every target dialect shipcheck parses.
//! A file may pass a target only when it can run there: its format is ELF (or an IL-only .NET
//! assembly, or one built for the target's architecture), its machine, class and byte order are the target's, and its C library (by its
//! interpreter) is the target's. Everything else must fail or be unverified.

use assert_cmd::Command;
use serde_json::Value;

const TARGETS: &[&str] = &[
    "x86_64-unknown-linux-gnu",
    "linux-arm64",
    "linux/arm/v7",
    "armel",
    "i686",
    "riscv64gc-unknown-linux-gnu",
    "ppc64le",
    "s390x",
    "linux-musl-x64",
];

#[test]
fn no_test_binary_passes_a_target_it_cannot_run_on() {
    let mut checked = 0;
    for target in TARGETS {
        let output = Command::cargo_bin("shipcheck")
            .expect("the shipcheck binary is built")
            .args([
                "check",
                "--format",
                "json",
                "--target",
                target,
                "testdata/bin",
            ])
            .output()
            .expect("shipcheck runs");
        let doc: Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let want = &doc["target"];
        for file in doc["files"].as_array().expect("files") {
            let path = file["path"].as_str().unwrap_or_default();
            let passes = file["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .all(|f| f["severity"] != "error" && !unverified(f["code"].as_str()));
            if !passes {
                continue;
            }
            checked += 1;
            let runs = match file["format"].as_str() {
                Some("elf") => {
                    file["arch"] == want["arch"]
                        && file["bits"] == want["bits"]
                        && file["endian"] == want["endian"]
                        && libc_fits(file, want)
                        && file["float_abi"]
                            .as_str()
                            .zip(want["float_abi"].as_str())
                            .is_none_or(|(a, b)| a == b)
                }
                Some("pe") => file["managed"] == "any" || file["managed"] == want["arch"],
                _ => false,
            };
            // Separate debug files are never run: what they hold is reported, not judged.
            let debug_file = file["findings"]
                .as_array()
                .is_some_and(|f| f.iter().any(|f| f["code"] == "debug-file"));
            assert!(
                runs || debug_file,
                "{path} passes {target} but cannot run there: {file:#}"
            );
        }
    }
    assert!(checked > 20, "too few passes to mean anything: {checked}");
}

fn unverified(code: Option<&str>) -> bool {
    matches!(
        code,
        Some(
            "soname-unknown"
                | "soname-not-on-search-path"
                | "load-path-unknown"
                | "baseline-arch-unknown"
        )
    )
}

/// Static files run with any C library; a dynamic one needs the target's loader.
fn libc_fits(file: &Value, target: &Value) -> bool {
    let Some(interpreter) = file["interpreter"].as_str() else {
        return true;
    };
    let musl = interpreter.contains("ld-musl-");
    match target["libc"].as_str() {
        Some("musl") => musl,
        Some("glibc") => !musl,
        _ => true,
    }
}
