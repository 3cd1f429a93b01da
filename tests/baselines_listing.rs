//! `shipcheck baselines`: the default listing fits a screen's width and one line per release,
//! in sections by kind and numeric release order; `--verbose` has the rest. The ids, aliases and
//! sources come from `--format json` and the kinds from glibc-db/releases, never from this file.

mod common;

use common::shipcheck;
use serde_json::Value;
use std::collections::BTreeMap;

fn rows() -> Vec<Value> {
    let (code, stdout, stderr) = shipcheck(&["baselines", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let rows: Value = serde_json::from_str(&stdout).expect("JSON");
    rows.as_array().expect("an array").clone()
}

fn listing() -> String {
    let (code, stdout, stderr) = shipcheck(&["baselines"]);
    assert_eq!(code, 0, "{stderr}");
    stdout
}

/// id → `kind` of each release file (`distro` when absent, as the database reads it).
fn kinds() -> BTreeMap<String, String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("glibc-db/releases");
    std::fs::read_dir(&dir)
        .expect("glibc-db/releases")
        .map(|entry| {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("readable");
            let release: Value = serde_json::from_str(&text).expect("JSON");
            let kind = release["kind"].as_str().unwrap_or("distro").to_string();
            (release["id"].as_str().expect("id").to_string(), kind)
        })
        .collect()
}

/// The ids of the listing's release lines, in order (a release line starts with its id).
fn listed_ids(listing: &str, ids: &[String]) -> Vec<String> {
    listing
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|word| ids.iter().any(|id| id == word))
        .map(str::to_string)
        .collect()
}

fn ids() -> Vec<String> {
    rows()
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect()
}

#[test]
fn the_listing_is_one_line_per_release_within_100_columns() {
    let ids = ids();
    assert!(ids.len() > 100, "the database has {} releases", ids.len());
    let listing = listing();
    let lines: Vec<&str> = listing.lines().collect();
    // One line per release, and a few for the legend and each section's title and header.
    assert!(
        lines.len() <= ids.len() + 15,
        "{} lines for {} releases:\n{listing}",
        lines.len(),
        ids.len()
    );
    for line in &lines {
        assert!(
            line.chars().count() <= 100,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    // Not one release's text spread over several lines: no line is indented.
    assert!(lines.iter().all(|line| !line.starts_with(' ')), "{listing}");
}

#[test]
fn every_id_is_listed_exactly_once() {
    let ids = ids();
    let listing = listing();
    for id in &ids {
        let count = listing
            .lines()
            .filter(|line| line.split_whitespace().next() == Some(id))
            .count();
        assert_eq!(count, 1, "{id} starts {count} lines:\n{listing}");
    }
    assert_eq!(listed_ids(&listing, &ids).len(), ids.len());
}

/// `ubuntu-16.04` → ("ubuntu-", [16, 4]); `manylinux_2_17` → ("manylinux_", [2, 17]).
fn numbered(id: &str) -> Option<(&str, Vec<u64>)> {
    let start = id.rfind(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))? + 1;
    let number = id[start..].trim_start_matches(['.', '_']);
    let name = &id[..id.len() - number.len()];
    let parts: Option<Vec<u64>> = number
        .split(['.', '_'])
        .map(|part| part.parse().ok())
        .collect();
    Some((name, parts?)).filter(|(_, parts)| !parts.is_empty())
}

#[test]
fn releases_of_a_distribution_are_in_numeric_order() {
    let ids = ids();
    let listed = listed_ids(&listing(), &ids);
    let mut pairs = 0;
    for (i, earlier) in listed.iter().enumerate() {
        for later in &listed[i + 1..] {
            if let (Some((a, x)), Some((b, y))) = (numbered(earlier), numbered(later))
                && a == b
            {
                assert!(x < y, "{earlier} is listed before {later}");
                pairs += 1;
            }
        }
    }
    // Enough pairs that an alphabetical sort (debian-10 before debian-9) would have failed.
    assert!(pairs > 100, "{pairs} pairs compared");
    let position = |id: &str| listed.iter().position(|l| l == id);
    for (before, after) in [
        ("ubuntu-16.04", "ubuntu-18.04"),
        ("ubuntu-18.04", "ubuntu-20.04"),
        ("debian-9", "debian-10"),
        ("manylinux_2_5", "manylinux_2_17"),
    ] {
        if let (Some(x), Some(y)) = (position(before), position(after)) {
            assert!(x < y, "{before} after {after}");
        }
    }
    // A distribution's releases are listed together.
    let mut seen: Vec<&str> = Vec::new();
    for id in &listed {
        let Some((name, _)) = numbered(id) else {
            continue;
        };
        if seen.last() != Some(&name) {
            assert!(
                !seen.contains(&name),
                "{name} releases are split: {listed:?}"
            );
            seen.push(name);
        }
    }
}

#[test]
fn images_and_policies_have_their_own_sections() {
    let kinds = kinds();
    let ids = ids();
    assert_eq!(kinds.len(), ids.len(), "one release file per id");
    let listing = listing();
    // Each release line with the section title it is under.
    let mut section = String::new();
    let mut sections: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in listing.lines() {
        let first = line.split_whitespace().next().unwrap_or("");
        if ids.iter().any(|id| id == first) {
            sections
                .entry(kinds[first].clone())
                .or_default()
                .push(section.clone());
        } else if !line.is_empty() && !line.starts_with("id ") {
            section = line.to_string();
        }
    }
    assert!(
        sections.contains_key("distro")
            && sections.contains_key("image")
            && sections.contains_key("policy"),
        "{sections:?}"
    );
    let mut titles = Vec::new();
    for (kind, under) in &sections {
        let title = &under[0];
        assert!(
            under.iter().all(|t| t == title),
            "{kind} releases under several titles: {under:?}"
        );
        assert!(
            title.contains(&format!("({})", under.len())),
            "the title counts them: {title}"
        );
        titles.push(title.clone());
    }
    titles.dedup();
    assert_eq!(
        titles.len(),
        sections.len(),
        "one title per kind: {titles:?}"
    );
}

/// Lines joined with single spaces: `--verbose` wraps at spaces.
fn unwrapped(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn verbose_shows_names_aliases_sources_and_each_architecture() {
    let (code, verbose, stderr) = shipcheck(&["baselines", "--verbose"]);
    assert_eq!(code, 0, "{stderr}");
    let flat = unwrapped(&verbose);
    let rows = rows();
    for row in &rows {
        let id = row["id"].as_str().unwrap();
        let start = flat
            .find(&format!("{id}: {}", row["name"].as_str().unwrap()))
            .unwrap_or_else(|| panic!("{id} with its name"));
        let block = &flat[start..];
        for alias in row["aliases"].as_array().unwrap() {
            assert!(
                block.contains(alias.as_str().unwrap()),
                "{id}: alias {alias}"
            );
        }
        let source = unwrapped(row["source"].as_str().unwrap());
        assert!(
            block.contains(&format!("source: {source}")),
            "{id}: {source}"
        );
        for arch in row["arches"].as_array().unwrap() {
            assert!(
                block.contains(&format!(" {}: ", arch.as_str().unwrap())),
                "{id}: {arch}"
            );
        }
    }
    // The compact listing does not carry them.
    let compact = listing();
    assert!(!compact.contains("mcr.microsoft.com"), "{compact}");
    assert!(verbose.contains("mcr.microsoft.com"));
    // `-v` is the same.
    let (_, short, _) = shipcheck(&["baselines", "-v"]);
    assert_eq!(short, verbose);
}

#[test]
fn verbose_is_refused_where_it_cannot_apply() {
    let (code, stdout, stderr) = shipcheck(&["baselines", "--verbose", "--format", "json"]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("--verbose"), "{stderr}");
    let (code, _, stderr) = shipcheck(&["baselines", "--verbose", "--sysroot", "/"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--verbose") || stderr.contains("--sysroot"),
        "{stderr}"
    );
}
