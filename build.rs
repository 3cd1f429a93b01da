//! Embeds the generated database into the binary, prepared so that a run parses only what it
//! uses:
//! - every release of `glibc-db/releases/` as an index entry in `$OUT_DIR/releases.rs`: its id
//!   and aliases (to find it without parsing anything), its C library, its header (the release without its
//!   architectures) and one entry per architecture, each read on first use. An architecture's
//!   long lists (version nodes, sonames, packages) are packed into plain text that needs no
//!   JSON parsing (see [`pack_arch`]); the rest of its facts stay a small JSON text;
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
            .map(|(arch, entry)| {
                let packed = pack_arch(entry)
                    .unwrap_or_else(|e| panic!("glibc-db entry {name} ({arch}): {e}"));
                (arch, packed)
            })
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
         \x20   /// Architecture key and its entry, sorted by key.\n\
         \x20   pub arches: &'static [(&'static str, EmbeddedArch)],\n\
         }\n\n\
         /// One architecture's entry: its long lists packed by build.rs, the rest JSON.\n\
         #[derive(Debug)]\n\
         pub struct EmbeddedArch {\n\
         \x20   /// The entry's JSON without `versions`, `sonames_present`, `sonames_absent`, `packages`.\n\
         \x20   pub json: &'static str,\n\
         \x20   /// One line per family, sorted: the family, a NUL, its tags (a `NameSet`).\n\
         \x20   pub versions: &'static str,\n\
         \x20   /// `NameSet`s: sorted, each name ended by a NUL.\n\
         \x20   pub sonames_present: &'static str,\n\
         \x20   pub sonames_absent: &'static str,\n\
         \x20   /// A `Packages` table: one line per soname, sorted,\n\
         \x20   /// `soname<TAB>package<TAB>version<TAB>minimal`.\n\
         \x20   pub packages: &'static str,\n\
         }\n\n\
         pub const RELEASES: &[EmbeddedRelease] = &[\n",
    );
    for (id, file, aliases, libc, header, arches) in &releases {
        writeln!(
            code,
            "    EmbeddedRelease {{ file: {file:?}, id: {id:?}, aliases: &{aliases:?}, libc: {libc:?}, header: {header:?}, arches: &[{}] }},",
            arches
                .iter()
                .map(|(arch, packed)| format!("({arch:?}, {packed})"))
                .collect::<Vec<_>>()
                .join(", ")
        )
        .expect("writing to a String cannot fail");
    }
    code.push_str("];\n");
    write_out(out_file, &code);
}

/// One architecture's entry as Rust source for an `EmbeddedArch`: its long lists packed as
/// `src/baseline/names.rs` searches them (names hold no whitespace or NUL, so NULs, tabs and
/// newlines separate them), the rest of its facts as JSON.
fn pack_arch(mut entry: serde_json::Value) -> Result<String, String> {
    let object = entry.as_object_mut().ok_or("not a JSON object")?;
    let mut take = |key: &str| object.remove(key).unwrap_or(serde_json::Value::Null);
    let versions = take("versions");
    let present = take("sonames_present");
    let absent = take("sonames_absent");
    let packages = take("packages");
    let mut versions_text = Vec::new();
    for (family, tags) in versions.as_object().ok_or("`versions` is not an object")? {
        let tags = names(tags, "versions")?;
        versions_text.push(format!("{}\0{tags}", word(family)?));
    }
    versions_text.sort();
    let mut packages_text = Vec::new();
    if let Some(packages) = packages.as_object() {
        for (soname, package) in packages {
            let fields = package.as_object().ok_or("a package is not an object")?;
            if let Some(key) = fields
                .keys()
                .find(|key| !["package", "version", "minimal"].contains(&key.as_str()))
            {
                return Err(format!("unknown package field `{key}`"));
            }
            let field = |key: &str| -> Result<String, String> {
                match fields.get(key) {
                    None | Some(serde_json::Value::Null) => Ok(String::new()),
                    Some(serde_json::Value::Bool(flag)) => Ok(if *flag { "y" } else { "n" }.into()),
                    Some(serde_json::Value::String(text)) => word(text).map(str::to_string),
                    Some(other) => Err(format!("package field `{key}` is {other}")),
                }
            };
            packages_text.push(format!(
                "{}\t{}\t{}\t{}\n",
                word(soname)?,
                field("package")?,
                field("version")?,
                field("minimal")?
            ));
        }
    }
    packages_text.sort();
    Ok(format!(
        "EmbeddedArch {{ json: {:?}, versions: {:?}, sonames_present: {:?}, sonames_absent: {:?}, packages: {:?} }}",
        entry.to_string(),
        versions_text.join("\n"),
        names(&present, "sonames_present")?,
        names(&absent, "sonames_absent")?,
        packages_text.concat(),
    ))
}

/// A list of strings as `NameSet` packs them: sorted by bytes, without repeats, each ended by
/// a NUL.
fn names(list: &serde_json::Value, key: &str) -> Result<String, String> {
    let list = list.as_array().ok_or(format!("`{key}` is not a list"))?;
    let mut words = list
        .iter()
        .map(|name| word(name.as_str().ok_or(format!("`{key}` holds a non-string"))?))
        .collect::<Result<Vec<&str>, String>>()?;
    words.sort_unstable();
    words.dedup();
    Ok(words.iter().map(|word| format!("{word}\0")).collect())
}

/// A name that can be packed: not empty, no whitespace, no NUL.
fn word(text: &str) -> Result<&str, String> {
    if text.is_empty() || text.contains(|c: char| c.is_whitespace() || c == '\0') {
        Err(format!(
            "`{text}` cannot be packed (empty, or holds whitespace or a NUL)"
        ))
    } else {
        Ok(text)
    }
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
