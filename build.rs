//! Embeds the generated database into the binary, prepared so that a run parses only what it
//! uses:
//! - every release of `glibc-db/releases/` as an index entry in `$OUT_DIR/releases.rs`: its id
//!   and aliases (to find it without parsing anything), its C library, its header (the release without its
//!   architectures) and one JSON text per architecture, each parsed on first use;
//! - every file of `glibc-db/symbols/` as `(file name, include_str!(path))` in
//!   `$OUT_DIR/glibc_symbols.rs`.
//!
//! A release file that is not JSON, or lacks an id, aliases, C library or architectures, fails the
//! build.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    embed_releases("glibc-db/releases", "releases.rs");
    embed_json_dir("glibc-db/symbols", "SYMBOLS", "glibc_symbols.rs");
}

/// Every `*.json` of `dir`, sorted by file name (a missing directory has none).
fn json_files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    for path in &names {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    names
}

fn file_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
}

fn write_out(out_file: &str, text: &str) {
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(out_file);
    std::fs::write(out, text).expect("OUT_DIR is writable");
}

/// Writes `RELEASES: &[EmbeddedRelease]`, sorted by id (see `src/baseline/db.rs`).
fn embed_releases(dir: &str, out_file: &str) {
    let mut releases = Vec::new();
    for path in json_files(dir) {
        let name = file_name(&path).to_string();
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("glibc-db entry {name}: {e}"));
        let mut release: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("glibc-db entry {name}: not JSON: {e}"));
        let object = release
            .as_object_mut()
            .unwrap_or_else(|| panic!("glibc-db entry {name}: not a JSON object"));
        let id = object
            .get("id")
            .and_then(|id| id.as_str())
            .unwrap_or_else(|| panic!("glibc-db entry {name}: no string `id`"))
            .to_string();
        let aliases: Vec<String> = object
            .get("aliases")
            .and_then(|a| a.as_array())
            .unwrap_or_else(|| panic!("glibc-db entry {name}: no `aliases` list"))
            .iter()
            .map(|alias| {
                alias
                    .as_str()
                    .unwrap_or_else(|| panic!("glibc-db entry {name}: an alias is not a string"))
                    .to_string()
            })
            .collect();
        let libc = object
            .get("libc")
            .and_then(|libc| libc.as_str())
            .unwrap_or_else(|| panic!("glibc-db entry {name}: no string `libc`"))
            .to_string();
        let arches = object
            .insert("arches".into(), serde_json::json!({}))
            .and_then(|arches| match arches {
                serde_json::Value::Object(map) => Some(map),
                _ => None,
            })
            .unwrap_or_else(|| panic!("glibc-db entry {name}: no `arches` object"));
        let arches: Vec<(String, String)> = arches
            .into_iter()
            .map(|(arch, entry)| (arch, entry.to_string()))
            .collect();
        releases.push((id, name, aliases, libc, release.to_string(), arches));
    }
    releases.sort_by(|a, b| a.0.cmp(&b.0));
    let mut code = String::from(
        "/// One release of glibc-db, as build.rs prepared it.\n\
         #[derive(Debug)]\n\
         pub struct EmbeddedRelease {\n\
         \x20   pub file: &'static str,\n\
         \x20   pub id: &'static str,\n\
         \x20   pub aliases: &'static [&'static str],\n\
         \x20   /// `glibc` or `musl`.\n\
         \x20   pub libc: &'static str,\n\
         \x20   /// The release's JSON with an empty `arches` object.\n\
         \x20   pub header: &'static str,\n\
         \x20   /// Architecture key and the JSON of its entry, sorted by key.\n\
         \x20   pub arches: &'static [(&'static str, &'static str)],\n\
         }\n\n\
         pub const RELEASES: &[EmbeddedRelease] = &[\n",
    );
    for (id, file, aliases, libc, header, arches) in &releases {
        writeln!(
            code,
            "    EmbeddedRelease {{ file: {file:?}, id: {id:?}, aliases: &{aliases:?}, libc: {libc:?}, header: {header:?}, arches: &{arches:?} }},"
        )
        .expect("writing to a String cannot fail");
    }
    code.push_str("];\n");
    write_out(out_file, &code);
}

/// Writes `pub const <constant>: &[(&str, &str)]` listing every `*.json` of `dir`, sorted
/// by file name, to `$OUT_DIR/<out_file>`. A missing directory gives an empty table.
fn embed_json_dir(dir: &str, constant: &str, out_file: &str) {
    let mut table = format!("pub const {constant}: &[(&str, &str)] = &[\n");
    for path in json_files(dir) {
        writeln!(
            table,
            "    ({:?}, include_str!({:?})),",
            file_name(&path),
            path.display().to_string()
        )
        .expect("writing to a String cannot fail");
    }
    table.push_str("];\n");
    write_out(out_file, &table);
}
