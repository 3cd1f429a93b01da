//! `shipcheck baselines`: the embedded database as a table or JSON.

use crate::baseline::BaselineSet;
use crate::baseline::db::{ArchEntry, Database, Release};
use crate::baseline::names::NameSet;
use crate::version::{compare_numeric, highest, natural_cmp, parse_numeric};
use serde::Serialize;
use std::collections::BTreeSet;

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
                .flat_map(|a| a.versions.get(*family).into_iter().flat_map(NameSet::iter));
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

/// The width the listing is laid out for; `--verbose` wraps its text to it too.
const WIDTH: usize = 100;

/// Architecture keys in the order and with the letters of the listing's `arch` column: one
/// position per architecture, `-` where the release has no data for it.
const ARCH_LETTERS: [(&str, char); 9] = [
    ("x86_64", 'x'),
    ("i686", 'i'),
    ("aarch64", 'a'),
    ("armv7l", '7'),
    ("ppc64le", 'p'),
    ("ppc64", 'P'),
    ("s390x", 's'),
    ("riscv64", 'r'),
    ("loongarch64", 'l'),
];

/// Sections in their order, by `kind`, with their titles and what they hold; other kinds
/// follow under their name.
const SECTIONS: [(&str, &str, &str); 3] = [
    ("distro", "Distributions", ""),
    ("image", "Container images", ": .NET runtime-deps tags"),
    (
        "policy",
        "Policies",
        ": auditwheel's manylinux/musllinux allow-lists, not systems",
    ),
];

/// `shipcheck baselines`: one line per release, in sections by kind, each sorted by
/// distribution and release number, laid out for 100 columns.
pub fn table(db: &Database) -> String {
    let mut out = format!(
        "{} baselines; `shipcheck baselines --verbose` adds aliases, sources and each architecture\n",
        db.len()
    );
    out += &arch_legend();
    for (title, releases) in sections(db) {
        out += &format!("\n{title}\n");
        out += &compact_rows(&releases);
    }
    out
}

/// `shipcheck baselines --verbose`: every release with its name, aliases, sources and each
/// architecture's facts, wrapped at 100 columns, in the order of [`table`].
pub fn verbose(db: &Database) -> String {
    let mut out = String::new();
    for (title, releases) in sections(db) {
        out += &format!("{title}\n\n");
        for release in releases {
            out += &release_detail(release);
            out += "\n";
        }
    }
    out + &format!("{} baselines\n", db.len())
}

/// The releases in sections by kind, each sorted by distribution, then numbered releases in
/// numeric order (16.04 < 18.04; 9 < 10; p9 < p10), then rolling ones.
fn sections(db: &Database) -> Vec<(String, Vec<&Release>)> {
    let mut by_kind: std::collections::BTreeMap<&str, Vec<&Release>> = Default::default();
    for release in db.releases() {
        by_kind
            .entry(release.kind.as_str())
            .or_default()
            .push(release);
    }
    let mut sections = Vec::new();
    for (kind, title, what) in SECTIONS {
        if let Some(releases) = by_kind.remove(kind) {
            sections.push((format!("{title} ({}){what}", releases.len()), releases));
        }
    }
    sections.extend(
        by_kind
            .into_iter()
            .map(|(kind, releases)| (format!("{kind} ({})", releases.len()), releases)),
    );
    for (_, releases) in &mut sections {
        releases.sort_by(|a, b| {
            a.distro
                .cmp(&b.distro)
                .then(a.rolling.cmp(&b.rolling))
                .then_with(|| natural_cmp(&a.release, &b.release))
                .then_with(|| a.id.cmp(&b.id))
        });
    }
    sections
}

fn arch_legend() -> String {
    let letters: Vec<String> = ARCH_LETTERS
        .iter()
        .map(|(arch, letter)| format!("{letter} {arch}"))
        .collect();
    format!("arch: {}\n", letters.join(", "))
}

/// `xia7p-srl`: the release's architectures at their positions; keys the legend does not know
/// are written out after it.
fn arch_mask(release: &Release) -> String {
    let mut mask: String = ARCH_LETTERS
        .iter()
        .map(|(arch, letter)| {
            if release.arches.contains_key(*arch) {
                *letter
            } else {
                '-'
            }
        })
        .collect();
    for arch in release.arch_keys() {
        if !ARCH_LETTERS.iter().any(|(known, _)| *known == arch) {
            mask += &format!(" +{arch}");
        }
    }
    mask
}

fn libc_text(release: &Release) -> String {
    match &release.libc_version {
        Some(version) => format!("{} {version}", release.libc),
        None => release.libc.to_string(),
    }
}

fn eol_text(release: &Release) -> Option<String> {
    if release.rolling {
        Some("rolling".into())
    } else {
        release.eol.clone()
    }
}

/// Aligned columns; a column no release of the section has a value for is left out.
fn compact_rows(releases: &[&Release]) -> String {
    let header = [
        "id", "arch", "libc", "GLIBC", "GLIBCXX", "CXXABI", "GCC", "eol",
    ];
    let rows: Vec<[Option<String>; 8]> = releases
        .iter()
        .map(|release| {
            let r = row(release);
            let family = |name: &str| r.highest.get(name).cloned().flatten();
            [
                Some(release.id.clone()),
                Some(arch_mask(release)),
                Some(libc_text(release)),
                family("GLIBC"),
                family("GLIBCXX"),
                family("CXXABI"),
                family("GCC"),
                eol_text(release),
            ]
        })
        .collect();
    let shown: Vec<usize> = (0..header.len())
        .filter(|&column| rows.iter().any(|row| row[column].is_some()))
        .collect();
    let widths: Vec<usize> = shown
        .iter()
        .map(|&column| {
            rows.iter()
                .filter_map(|row| row[column].as_deref())
                .map(|cell| cell.chars().count())
                .chain([header[column].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| -> String {
        let mut text = String::new();
        for (cell, width) in cells.iter().zip(&widths) {
            text += &format!("{cell:<width$}  ");
        }
        text.trim_end().to_string() + "\n"
    };
    let mut out = line(shown.iter().map(|&column| header[column]).collect());
    for row in &rows {
        out += &line(
            shown
                .iter()
                .map(|&column| row[column].as_deref().unwrap_or("-"))
                .collect(),
        );
    }
    out
}

fn method_word(method: crate::baseline::Method) -> &'static str {
    match method {
        crate::baseline::Method::Measured => "measured",
        crate::baseline::Method::Stated => "stated",
    }
}

/// One release in full, wrapped at [`WIDTH`].
fn release_detail(release: &Release) -> String {
    let mut head = format!("{}: {}, {}", release.id, release.name, libc_text(release));
    head += &match (release.rolling, &release.eol) {
        (true, _) => ", rolling".to_string(),
        (false, Some(eol)) => format!(", end of life {eol}"),
        (false, None) => ", end of life unknown".to_string(),
    };
    let mut out = wrap("", "    ", &head);
    let mut field =
        |name: &str, text: &str| out.push_str(&wrap(&format!("  {name}: "), "    ", text));
    if !release.aliases.is_empty() {
        field("aliases", &release.aliases.join(", "));
    }
    if let Some(source) = &release.eol_source {
        field("end of life from", source);
    }
    if let Some(kernel) = &release.kernel {
        field(
            "kernel",
            &format!(
                "{} ({}: {})",
                kernel.version,
                method_word(kernel.method),
                kernel.source
            ),
        );
    }
    if let Some(built) = &release.architectures {
        let mut text = built.built_for.join(" ");
        if !built.uncertain.is_empty() {
            text += &format!("; uncertain: {}", built.uncertain.join(" "));
        }
        field("built for", &format!("{text} ({})", built.source));
    }
    field("source", &release.source_summary());
    let notes: BTreeSet<Option<&str>> = release
        .arches
        .values()
        .map(|entry| entry.source.note)
        .collect();
    let shared_note = match notes.into_iter().collect::<Vec<_>>()[..] {
        [Some(note)] => Some(note),
        _ => None,
    };
    if let Some(note) = shared_note {
        field("note", note);
    }
    for (arch, entry) in &release.arches {
        out += &arch_detail(release, arch, entry, shared_note.is_none());
    }
    out
}

/// One architecture's facts; `note`: whether to show its source's note (not when every
/// architecture has the same one, shown once for the release).
fn arch_detail(release: &Release, arch: &str, entry: &ArchEntry, note: bool) -> String {
    let families: Vec<String> = entry
        .versions
        .iter()
        .filter_map(|(family, tags)| highest(tags.iter()).map(|tag| format!("{family} {tag}")))
        .collect();
    let mut head = if families.is_empty() {
        "no version nodes".to_string()
    } else {
        families.join(", ")
    };
    if entry.libc_version != release.libc_version.as_deref()
        && let Some(version) = &entry.libc_version
    {
        head = format!("{} {version}; {head}", release.libc);
    }
    let mut out = wrap(&format!("  {arch}: "), "        ", &head);
    let mut line = |text: String| out.push_str(&wrap("      ", "        ", &text));
    if let Some(interpreter) = &entry.interpreter {
        line(format!("interpreter {interpreter}"));
    }
    let mut sonames = format!("{} sonames present", entry.sonames_present.len());
    if entry.sonames_complete {
        sonames += " (the whole list: any other is absent)";
    }
    if !entry.sonames_absent.is_empty() {
        sonames += &format!(", {} absent", entry.sonames_absent.len());
    }
    if !entry.blacklist.is_empty() {
        let symbols: usize = entry.blacklist.values().map(Vec::len).sum();
        sonames += &format!(", {symbols} symbols forbidden");
    }
    line(sonames);
    if let Some(kernel) = &entry.glibc_min_kernel {
        line(format!(
            "glibc accepts kernels from {} ({}: {})",
            kernel.version,
            method_word(kernel.method),
            kernel.source
        ));
    }
    if let Some(page) = &entry.page_size {
        let mut sizes = format!("page size {}", page.default);
        if !page.others.is_empty() {
            let others: Vec<String> = page.others.iter().map(u64::to_string).collect();
            sizes += &format!(" (others: {})", others.join(", "));
        }
        line(format!(
            "{sizes} ({}: {})",
            method_word(page.method),
            page.source
        ));
    }
    if let Some(isa) = &entry.isa_level {
        let mut level = format!("x86-64-v{}", isa.level);
        if !isa.others.is_empty() {
            let others: Vec<String> = isa.others.iter().map(|l| format!("v{l}")).collect();
            level += &format!(" (also {})", others.join(", "));
        }
        line(format!(
            "ISA level {level} ({}: {})",
            method_word(isa.method),
            isa.source
        ));
    }
    line(format!("source: {}", entry.source.describe()));
    if note && let Some(note) = &entry.source.note {
        line(format!("note: {note}"));
    }
    out
}

/// `first` then `text`, broken at spaces before [`WIDTH`] columns, later lines after `rest`;
/// a word longer than a line (a URL) is not broken.
fn wrap(first: &str, rest: &str, text: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            out += line.trim_end();
            out += "\n";
            line = rest.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line += word;
        empty = false;
    }
    out += line.trim_end();
    out + "\n"
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
                .map(|(family, tags)| {
                    let mut tags: Vec<&str> = tags.iter().collect();
                    tags.sort_by(|a, b| match (parse_numeric(a), parse_numeric(b)) {
                        (Some(x), Some(y)) => compare_numeric(&x, &y),
                        (Some(_), None) => std::cmp::Ordering::Less,
                        (None, Some(_)) => std::cmp::Ordering::Greater,
                        (None, None) => a.cmp(b),
                    });
                    (family.as_ref(), tags)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_before_the_width() {
        let text = "word ".repeat(60);
        let wrapped = wrap("  aliases: ", "    ", &text);
        let lines: Vec<&str> = wrapped.lines().collect();
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| l.chars().count() <= WIDTH));
        assert!(lines[0].starts_with("  aliases: word"));
        assert!(lines[1..].iter().all(|l| l.starts_with("    word")));
        assert_eq!(
            wrapped.split_whitespace().filter(|w| *w == "word").count(),
            60
        );
        // A word longer than a line stays whole on its own line.
        let url = format!("https://{}", "x".repeat(120));
        let wrapped = wrap("  kernel: ", "    ", &format!("5.4 ({url})"));
        assert_eq!(wrapped, format!("  kernel: 5.4\n    ({url})\n"));
    }
}
