//! Embeds the generated database into the binary, prepared so that a run parses nothing:
//! - every release of `glibc-db/releases/` as tables of Rust values in `$OUT_DIR/releases.rs`
//!   (strings in `releases.txt`), of the types `src/baseline/db.rs` declares (module
//!   `embedded`). An architecture's long lists (version nodes, sonames, packages) are packed into
//!   plain text searched where it lies (see [`arch_entry`] and `src/baseline/names.rs`);
//! - every file of `glibc-db/symbols/` as `(file name, include_str!(path))` in
//!   `$OUT_DIR/glibc_symbols.rs`.
//!
//! This is where a release file is checked against the schema: one that is not JSON, lacks a
//! field the schema requires, has a field of the wrong type or a field the schema does not know
//! fails the build, naming the file and the field.

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

/// Writes the release tables (`$OUT_DIR/releases.rs`, `releases.txt`): every release as values
/// of the types `src/baseline/db.rs` declares in its module `embedded`, read from JSON and checked
/// here, so that a run parses nothing. The tables hold numbers only: every string lies once in
/// `releases.txt` and is named by its byte range, and every list by its range of a table, so the
/// loader has nothing to relocate at start (with a pointer per string it had 14,559 relative
/// relocations to apply, not 6,114, and `shipcheck --version` took 1.4 ms, not 1.2).
fn embed_releases(dir: &str, out_file: &str) {
    let mut tables = Tables::default();
    let mut releases: Vec<(String, String)> = json_files(dir)
        .iter()
        .map(|path| {
            let name = file_name(path).to_string();
            let text = std::fs::read_to_string(path)
                .unwrap_or_else(|e| panic!("glibc-db entry {name}: {e}"));
            let json: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("glibc-db entry {name}: not JSON: {e}"));
            release(&mut tables, &name, json)
                .unwrap_or_else(|e| panic!("glibc-db entry {name}: {e}"))
        })
        .collect();
    releases.sort();
    let table = |name: &str, kind: &str, items: &[String]| {
        format!(
            "pub static {name}: [{kind}; {}] = [\n{}];\n",
            items.len(),
            items
                .iter()
                .map(|item| format!("    {item},\n"))
                .collect::<String>()
        )
    };
    let releases: Vec<String> = releases.into_iter().map(|(_, code)| code).collect();
    let numbers: Vec<String> = tables.numbers.iter().map(u64::to_string).collect();
    let arch_keys: Vec<String> = std::mem::take(&mut tables.arch_keys)
        .iter()
        .map(|key| tables.text(key))
        .collect();
    let code = [
        table("RELEASES", "EmbeddedRelease", &releases),
        table("ARCHES", "EmbeddedArch", &tables.arches),
        table("TEXTS", "Text", &tables.texts),
        table("VERSIONS", "(Text, Text)", &tables.versions),
        table("BLACKLIST", "(Text, Span)", &tables.blacklist),
        table("NUMBERS", "u64", &numbers),
        table("ARCH_KEYS", "Text", &arch_keys),
    ]
    .concat();
    write_out(out_file, &code);
    write_out(&out_file.replace(".rs", ".txt"), &tables.text);
}

/// The tables of `releases.rs` as Rust source, filled as the releases are read.
#[derive(Default)]
struct Tables {
    /// Every string, each once (`releases.txt`).
    text: String,
    seen: std::collections::HashMap<String, String>,
    /// `TEXTS`: lists of strings, each a `Span` of it.
    texts: Vec<String>,
    /// `NUMBERS`: lists of numbers.
    numbers: Vec<u64>,
    /// `VERSIONS`: (family, its tags packed as a `NameSet`) pairs.
    versions: Vec<String>,
    /// `BLACKLIST`: (soname, span of `TEXTS`) pairs.
    blacklist: Vec<String>,
    /// `ARCHES`: every release's architecture entries, each release's a `Span` of it.
    arches: Vec<String>,
    /// `ARCH_KEYS`: every architecture key of `ARCHES`, sorted.
    arch_keys: std::collections::BTreeSet<String>,
}

impl Tables {
    /// `Text(start, end)`: the string's bytes in `releases.txt`.
    fn text(&mut self, text: &str) -> String {
        if let Some(known) = self.seen.get(text) {
            return known.clone();
        }
        let start = self.text.len();
        self.text.push_str(text);
        let code = format!("Text({start}, {})", self.text.len());
        self.seen.insert(text.to_string(), code.clone());
        code
    }

    /// `Span(start, end)` of `TEXTS`.
    fn texts(&mut self, list: &[String]) -> String {
        let start = self.texts.len();
        for item in list {
            let text = self.text(item);
            self.texts.push(text);
        }
        format!("Span({start}, {})", self.texts.len())
    }

    /// `Span(start, end)` of `NUMBERS`.
    fn numbers(&mut self, list: &[u64]) -> String {
        let start = self.numbers.len();
        self.numbers.extend_from_slice(list);
        format!("Span({start}, {})", self.numbers.len())
    }

    /// `None` or `Some(Text(…))`.
    fn optional_text(&mut self, text: Option<String>) -> String {
        match text {
            Some(text) => format!("Some({})", self.text(&text)),
            None => "None".into(),
        }
    }
}

/// One release file as Rust source for an `EmbeddedRelease`, with its id (to sort by).
fn release(
    tables: &mut Tables,
    file: &str,
    json: serde_json::Value,
) -> Result<(String, String), String> {
    let mut fields = Fields::of(json)?;
    let id = fields.string("id")?;
    let kind = match fields.take("kind") {
        serde_json::Value::Null => "distro".to_string(),
        kind => text(kind, "kind")?,
    };
    let libc = match fields.string("libc")?.as_str() {
        "glibc" => "Libc::Glibc",
        "musl" => "Libc::Musl",
        other => return Err(format!("`libc` is `{other}`, not glibc or musl")),
    };
    let architectures = match fields.take("architectures") {
        serde_json::Value::Null => "None".to_string(),
        value => {
            let mut built = Fields::of(value)?;
            let code = format!(
                "Some(EmbeddedArchitectures {{ built_for: {}, uncertain: {}, source: {} }})",
                tables.texts(&built.strings("built_for")?),
                tables.texts(&built.strings("uncertain")?),
                tables.text(&built.string("source")?),
            );
            built.done("architectures")?;
            code
        }
    };
    let serde_json::Value::Object(arches) = fields.take("arches") else {
        return Err("no `arches` object".into());
    };
    let mut entries = Vec::new();
    for (arch, entry) in arches {
        let entry = arch_entry(tables, &arch, entry).map_err(|e| format!("({arch}) {e}"))?;
        entries.push(entry);
    }
    let first_arch = tables.arches.len();
    tables.arches.extend(entries);
    let code = format!(
        "EmbeddedRelease {{ file: {file}, id: {id_text}, aliases: {aliases}, libc: {libc}, \
         generated_by: {generated_by}, name: {name}, distro: {distro}, release: {release}, \
         rolling: {rolling}, kind: {kind}, libc_version: {libc_version}, eol: {eol}, \
         eol_source: {eol_source}, architectures: {architectures}, kernel: {kernel}, \
         arches: Span({first_arch}, {end_arch}) }}",
        file = tables.text(file),
        id_text = tables.text(&id),
        aliases = tables.texts(&fields.strings("aliases")?),
        generated_by = tables.text(&fields.string("generated_by")?),
        name = tables.text(&fields.string("name")?),
        distro = tables.text(&fields.string("distro")?),
        release = tables.text(&fields.string("release")?),
        rolling = fields.boolean("rolling", None)?,
        kind = tables.text(&kind),
        libc_version = tables.optional_text(fields.optional_string("libc_version")?),
        eol = tables.optional_text(fields.optional_string("eol")?),
        eol_source = tables.optional_text(fields.optional_string("eol_source")?),
        kernel = kernel_fact(tables, fields.take("kernel"))?,
        end_arch = tables.arches.len(),
    );
    fields.done("the release")?;
    Ok((id, code))
}

/// One architecture's entry as Rust source for an `EmbeddedArch`: its long lists packed as
/// `src/baseline/names.rs` searches them (names hold no whitespace or NUL, so NULs, tabs and
/// newlines separate them), its other facts as values.
fn arch_entry(tables: &mut Tables, arch: &str, json: serde_json::Value) -> Result<String, String> {
    tables.arch_keys.insert(arch.to_string());
    let mut fields = Fields::of(json)?;
    let serde_json::Value::Object(versions) = fields.take("versions") else {
        return Err("`versions` is not an object".into());
    };
    // serde_json's map is sorted by key: the families come sorted.
    let first_family = tables.versions.len();
    for (family, tags) in versions {
        let pair = format!(
            "({}, {})",
            tables.text(word(&family)?),
            tables.text(&names(&tags, "versions")?)
        );
        tables.versions.push(pair);
    }
    let versions = format!("Span({first_family}, {})", tables.versions.len());
    let mut packages_text = Vec::new();
    if let serde_json::Value::Object(packages) = fields.take("packages") {
        for (soname, package) in packages {
            let mut package = Fields::of(package)?;
            let mut field = |key: &str| -> Result<String, String> {
                match package.take(key) {
                    serde_json::Value::Null => Ok(String::new()),
                    serde_json::Value::Bool(flag) => Ok(if flag { "y" } else { "n" }.into()),
                    serde_json::Value::String(text) => word(&text).map(str::to_string),
                    other => Err(format!("package field `{key}` is {other}")),
                }
            };
            let record = format!(
                "{}\t{}\t{}\t{}\n",
                word(&soname)?,
                field("package")?,
                field("version")?,
                field("minimal")?
            );
            package.done("a package")?;
            packages_text.push(record);
        }
    }
    packages_text.sort();
    let first_forbidden = tables.blacklist.len();
    match fields.take("blacklist") {
        serde_json::Value::Null => {}
        serde_json::Value::Object(blacklist) => {
            for (soname, symbols) in blacklist {
                let pair = format!(
                    "({}, {})",
                    tables.text(&soname),
                    tables.texts(&strings(symbols, "blacklist")?)
                );
                tables.blacklist.push(pair);
            }
        }
        _ => return Err("`blacklist` is not an object".into()),
    }
    let blacklist = format!("Span({first_forbidden}, {})", tables.blacklist.len());
    let page_size = number_fact(
        tables,
        fields.take("page_size"),
        ("EmbeddedPageSize", "page_size", "default"),
        u64::MAX,
    )?;
    let isa_level = number_fact(
        tables,
        fields.take("isa_level"),
        ("EmbeddedIsaLevel", "isa_level", "level"),
        u8::MAX.into(),
    )?;
    let mut source = Fields::of(fields.take("source"))?;
    let source_code = format!(
        "EmbeddedSource {{ dataset: {}, revision: {}, path: {}, method: {}, note: {} }}",
        tables.text(&source.string("dataset")?),
        tables.text(&source.string("revision")?),
        tables.text(&source.string("path")?),
        tables.text(&source.string("method")?),
        tables.optional_text(source.optional_string("note")?),
    );
    source.done("source")?;
    let code = format!(
        "EmbeddedArch {{ key: {}, libc_version: {}, interpreter: {}, sonames_complete: {}, \
         blacklist: {blacklist}, glibc_min_kernel: {}, page_size: {page_size}, \
         isa_level: {isa_level}, source: {source_code}, versions: {versions}, \
         sonames_present: {}, sonames_absent: {}, packages: {} }}",
        tables.text(arch),
        tables.optional_text(fields.optional_string("libc_version")?),
        tables.optional_text(fields.optional_string("interpreter")?),
        fields.boolean("sonames_complete", Some(false))?,
        kernel_fact(tables, fields.take("glibc_min_kernel"))?,
        tables.text(&names(&fields.take("sonames_present"), "sonames_present")?),
        tables.text(&names(&fields.take("sonames_absent"), "sonames_absent")?),
        tables.text(&packages_text.concat()),
    );
    fields.done("the entry")?;
    Ok(code)
}

/// `None` or `Some(TYPE { FIRST: n, others: Span(…), method, source })` of a
/// `{FIRST, others, method, source}` object of numbers up to `max` (`page_size`, `isa_level`).
fn number_fact(
    tables: &mut Tables,
    value: serde_json::Value,
    (type_name, key, first): (&str, &str, &str),
    max: u64,
) -> Result<String, String> {
    if value.is_null() {
        return Ok("None".into());
    }
    let mut fact = Fields::of(value)?;
    let code = format!(
        "Some({type_name} {{ {first}: {}, others: {}, method: {}, source: {} }})",
        number(fact.take(first), &format!("{key}.{first}"), max)?,
        tables.numbers(&numbers(
            fact.take("others"),
            &format!("{key}.others"),
            max
        )?),
        method(fact.take("method"))?,
        tables.text(&fact.string("source")?),
    );
    fact.done(key)?;
    Ok(code)
}

/// A JSON object read field by field: each field is taken once, and a field left when the
/// object is done is one the schema (`src/baseline/db.rs`, module `embedded`) does not know,
/// which fails the build rather than being dropped.
struct Fields(serde_json::Map<String, serde_json::Value>);

impl Fields {
    fn of(value: serde_json::Value) -> Result<Fields, String> {
        match value {
            serde_json::Value::Object(map) => Ok(Fields(map)),
            other => Err(format!("expected an object, found {other}")),
        }
    }

    /// The field's value; `null` when it is absent.
    fn take(&mut self, key: &str) -> serde_json::Value {
        self.0.remove(key).unwrap_or(serde_json::Value::Null)
    }

    fn string(&mut self, key: &str) -> Result<String, String> {
        text(self.take(key), key)
    }

    /// Absent and `null` are both none.
    fn optional_string(&mut self, key: &str) -> Result<Option<String>, String> {
        match self.take(key) {
            serde_json::Value::Null => Ok(None),
            value => text(value, key).map(Some),
        }
    }

    fn strings(&mut self, key: &str) -> Result<Vec<String>, String> {
        strings(self.take(key), key)
    }

    fn boolean(&mut self, key: &str, default: Option<bool>) -> Result<bool, String> {
        match (self.take(key), default) {
            (serde_json::Value::Bool(flag), _) => Ok(flag),
            (serde_json::Value::Null, Some(default)) => Ok(default),
            (other, _) => Err(format!("`{key}` is {other}, not true or false")),
        }
    }

    fn done(self, what: &str) -> Result<(), String> {
        match self.0.keys().next() {
            Some(key) => Err(format!("{what} has an unknown field `{key}`")),
            None => Ok(()),
        }
    }
}

fn text(value: serde_json::Value, key: &str) -> Result<String, String> {
    match value {
        serde_json::Value::String(text) => Ok(text),
        other => Err(format!("`{key}` is {other}, not a string")),
    }
}

fn strings(value: serde_json::Value, key: &str) -> Result<Vec<String>, String> {
    list(value, key, |item| text(item, key))
}

fn number(value: serde_json::Value, key: &str, max: u64) -> Result<u64, String> {
    value
        .as_u64()
        .filter(|&n| n <= max)
        .ok_or_else(|| format!("`{key}` is {value}, not a number up to {max}"))
}

fn numbers(value: serde_json::Value, key: &str, max: u64) -> Result<Vec<u64>, String> {
    list(value, key, |n| number(n, key, max))
}

fn list<T>(
    value: serde_json::Value,
    key: &str,
    item: impl Fn(serde_json::Value) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let serde_json::Value::Array(list) = value else {
        return Err(format!("`{key}` is not a list"));
    };
    list.into_iter().map(item).collect()
}

/// `Method::Measured` or `Method::Stated`.
fn method(value: serde_json::Value) -> Result<&'static str, String> {
    match text(value, "method")?.as_str() {
        "measured" => Ok("Method::Measured"),
        "stated" => Ok("Method::Stated"),
        other => Err(format!("`method` is `{other}`, not measured or stated")),
    }
}

/// `None` or `Some(EmbeddedKernel { … })` of a `{version, method, source}` object.
fn kernel_fact(tables: &mut Tables, value: serde_json::Value) -> Result<String, String> {
    if value.is_null() {
        return Ok("None".into());
    }
    let mut fact = Fields::of(value)?;
    let version = fact.string("version")?;
    // As `KernelVersion::parse` reads it: two or three numbers, and how many were written.
    let parts: Vec<u32> = version
        .split('.')
        .map(|part| part.parse().ok())
        .collect::<Option<_>>()
        .filter(|parts: &Vec<u32>| (2..=3).contains(&parts.len()))
        .ok_or_else(|| format!("`{version}` is not a kernel version"))?;
    let code = format!(
        "Some(EmbeddedKernel {{ version: KernelVersion::written({}, {}, {}, {}), method: {}, \
         source: {} }})",
        parts[0],
        parts[1],
        parts.get(2).copied().unwrap_or(0),
        parts.len(),
        method(fact.take("method"))?,
        tables.text(&fact.string("source")?),
    );
    fact.done("a kernel fact")?;
    Ok(code)
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
