//! Opens one file holding arbitrary bytes as an archive or image
//! (`shipcheck::artifact::open_file`), under limits small enough that a run stays within
//! libFuzzer's memory and time limits: must return, never panic, never hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shipcheck::artifact::{self, Limits};
use std::path::PathBuf;
use std::sync::OnceLock;

const LIMITS: Limits = Limits {
    max_bytes: 64 << 20,
    max_kept: 16 << 20,
    max_ratio: 500,
    max_members: 10_000,
    max_depth: 2,
};

/// One input file per fuzzing process: `open_file` reads archives from a path only.
fn input_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("shipcheck-fuzz-artifact-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        dir.join("input")
    })
}

fuzz_target!(|data: &[u8]| {
    let path = input_path();
    std::fs::write(path, data).expect("write input");
    // As a path the user named, then as a file found in a tree.
    let _ = artifact::open_file(path, "input", LIMITS, true);
    let _ = artifact::open_file(path, "input", LIMITS, false);
});
