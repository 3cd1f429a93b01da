//! Runs the whole check (discover → read → resolve → check → report) on one file holding
//! arbitrary bytes, then renders the report as JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shipcheck::baseline::db::Database;
use shipcheck::{CheckOptions, check};
use std::path::PathBuf;
use std::sync::OnceLock;

struct Setup {
    db: Database,
    options: CheckOptions,
    path: PathBuf,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let db = Database::embedded().expect("embedded database");
        let options = CheckOptions {
            baselines: vec![db.find("debian-11").expect("debian-11").baseline_set()],
            ..CheckOptions::default()
        };
        let dir = std::env::temp_dir().join(format!("shipcheck-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        let path = dir.join("input");
        Setup { db, options, path }
    })
}

fuzz_target!(|data: &[u8]| {
    let setup = setup();
    std::fs::write(&setup.path, data).expect("write input");
    let options = CheckOptions {
        paths: vec![setup.path.clone()],
        ..setup.options.clone()
    };
    let report = check(&options, &setup.db).expect("one existing file is always checkable");
    assert!(report.files.len() <= 1);
    let _ = shipcheck::report::json::render(&report);
});
