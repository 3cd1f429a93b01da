//! Embeds the generated database into the binary: every file of `glibc-db/releases/` as a
//! table of `(file name, include_str!(path))` in `$OUT_DIR/releases.rs`, and every file of
//! `glibc-db/symbols/` the same way in `$OUT_DIR/glibc_symbols.rs`.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    embed_json_dir("glibc-db/releases", "RELEASES", "releases.rs");
    embed_json_dir("glibc-db/symbols", "SYMBOLS", "glibc_symbols.rs");
}

/// Writes `pub const <constant>: &[(&str, &str)]` listing every `*.json` of `dir`, sorted
/// by file name, to `$OUT_DIR/<out_file>`. A missing directory gives an empty table.
fn embed_json_dir(dir: &str, constant: &str, out_file: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut table = format!("pub const {constant}: &[(&str, &str)] = &[\n");
    for path in &names {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        writeln!(
            table,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("writing to a String cannot fail");
    }
    table.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(out_file);
    std::fs::write(out, table).expect("OUT_DIR is writable");
}
