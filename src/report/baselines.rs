//! `shipcheck baselines`: the embedded database as a table or JSON.

use crate::baseline::BaselineSet;
use crate::baseline::db::{Database, Release};
use crate::version::{VersionNode, compare_numeric, highest, parse_numeric};
use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    name: &'a str,
    aliases: &'a [String],
    libc: String,
    libc_version: Option<&'a str>,
    /// Family → highest numeric node over the release's architectures.
    highest: std::collections::BTreeMap<&'static str, Option<String>>,
    arches: Vec<&'a str>,
    rolling: bool,
    eol: Option<&'a str>,
    source: String,
}

const FAMILIES: [&str; 4] = ["GLIBC", "GLIBCXX", "CXXABI", "GCC"];

fn row(release: &Release) -> Row<'_> {
    let highest = FAMILIES
        .iter()
        .map(|family| {
            let tags = release
                .arches
                .values()
                .flat_map(|a| a.versions.get(*family).into_iter().flatten())
                .map(String::as_str);
            (*family, highest(tags).map(str::to_string))
        })
        .collect();
    let source = release.source_summary();
    Row {
        id: &release.id,
        name: &release.name,
        aliases: &release.aliases,
        libc: release.libc.to_string(),
        libc_version: release.libc_version.as_deref(),
        highest,
        arches: release.arch_keys().collect(),
        rolling: release.rolling,
        eol: release.eol.as_deref(),
        source,
    }
}

pub fn json(db: &Database) -> String {
    let rows: Vec<Row> = db.releases().map(row).collect();
    serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n"
}

pub fn table(db: &Database) -> String {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header([
            "id", "aliases", "libc", "GLIBC", "GLIBCXX", "CXXABI", "GCC", "arches", "eol", "source",
        ]);
    for release in db.releases() {
        let r = row(release);
        let get = |family: &str| {
            r.highest
                .get(family)
                .cloned()
                .flatten()
                .unwrap_or_else(|| "-".into())
        };
        table.add_row([
            r.id.to_string(),
            short_list(r.aliases, 4),
            format!("{} {}", r.libc, r.libc_version.unwrap_or("unknown")),
            get("GLIBC"),
            get("GLIBCXX"),
            get("CXXABI"),
            get("GCC"),
            r.arches.join(" "),
            if r.rolling {
                "rolling".into()
            } else {
                r.eol.unwrap_or("unknown").to_string()
            },
            r.source,
        ]);
    }
    format!("{table}\n{} baselines\n", db.len())
}

#[derive(Serialize)]
struct MeasuredArch<'a> {
    libc_version: Option<&'a str>,
    interpreter: Option<&'a str>,
    loader_paths: &'a std::collections::BTreeSet<String>,
    /// Family → tags without the `FAMILY_` prefix, in numeric order, markers last.
    versions: std::collections::BTreeMap<&'a str, Vec<&'a str>>,
    /// soname → the version nodes that library defines.
    libraries: Option<&'a std::collections::BTreeMap<String, std::collections::BTreeSet<String>>>,
}

#[derive(Serialize)]
struct Measured<'a> {
    id: &'a str,
    libc: &'a str,
    version: Option<&'a str>,
    source: &'a str,
    arches: std::collections::BTreeMap<&'a str, MeasuredArch<'a>>,
}

/// `shipcheck baselines --sysroot DIR --format json`: what a root filesystem provides, in the
/// shape used to compare it with the database.
pub fn measured_json(set: &BaselineSet) -> String {
    let arches = set
        .arches
        .iter()
        .map(|(arch, baseline)| {
            let versions = baseline
                .nodes
                .iter()
                .map(|(family, nodes)| {
                    let mut tags: Vec<&str> =
                        nodes.iter().map(|n| VersionNode::parse(n).tag).collect();
                    tags.sort_by(|a, b| match (parse_numeric(a), parse_numeric(b)) {
                        (Some(x), Some(y)) => compare_numeric(&x, &y),
                        (Some(_), None) => std::cmp::Ordering::Less,
                        (None, Some(_)) => std::cmp::Ordering::Greater,
                        (None, None) => a.cmp(b),
                    });
                    (family.as_str(), tags)
                })
                .collect();
            let measured = MeasuredArch {
                libc_version: baseline.libc_version.as_deref(),
                interpreter: baseline.interpreter.as_deref(),
                loader_paths: &baseline.loader_paths,
                versions,
                libraries: baseline.libraries.as_ref(),
            };
            (arch.as_str(), measured)
        })
        .collect();
    let doc = Measured {
        id: &set.id,
        libc: &set.libc,
        version: set.version.as_deref(),
        source: &set.source,
        arches,
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// The first `shown` items and a count of the rest, to keep table cells narrow (JSON has all).
fn short_list(items: &[String], shown: usize) -> String {
    let mut text = items
        .iter()
        .take(shown)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > shown {
        text += &format!(" +{} more", items.len() - shown);
    }
    text
}
