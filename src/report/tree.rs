//! `shipcheck tree`: the load tree of each entry point, as a table for people or JSON.

use crate::checks::load_tree::{EntryPoint, Status};
use crate::loader::Layout;
use serde_json::{Value, json};
use std::fmt::Write;
use std::path::PathBuf;

/// One checked PATH and its entry points.
pub struct TreeView {
    pub root: PathBuf,
    pub layout: Layout,
    pub entry_points: Vec<EntryPoint>,
    /// Statically linked programs: no loader, no libraries.
    pub static_programs: Vec<String>,
}

pub const SCHEMA_VERSION: u32 = 3;

pub fn json(trees: &[TreeView]) -> String {
    let trees: Vec<Value> = trees
        .iter()
        .map(|tree| {
            json!({
                "root": tree.root.display().to_string(),
                "layout": tree.layout.as_str(),
                "entry_points": tree.entry_points.iter().map(|entry| json!({
                    "path": entry.path,
                    "loader": entry.flavor.as_str(),
                    "verdict": entry.verdict.as_str(),
                    "libraries": entry.libraries.iter().map(|library| json!({
                        "name": library.name,
                        "needed_by": library.needed_by,
                        "depth": library.depth,
                        "status": library.status.as_str(),
                        "path": library.path,
                        "via": library.via,
                        "missing_versions": library.missing_versions,
                    })).collect::<Vec<_>>(),
                    "runtime": entry.runtime.iter().map(|library| json!({
                        "names": library.names,
                        "loaded_by": library.loaded_by,
                        "status": library.status.as_str(),
                        "path": library.path,
                        "reason": library.reason,
                    })).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "static_programs": tree.static_programs,
            })
        })
        .collect();
    let document = json!({"schema_version": SCHEMA_VERSION, "trees": trees});
    format!("{document:#}\n")
}

/// An lddtree-like tree per entry point, one line per library.
pub fn table(trees: &[TreeView]) -> String {
    let mut out = String::new();
    for tree in trees {
        let _ = writeln!(
            out,
            "{} (checked as {})",
            tree.root.display(),
            match tree.layout {
                Layout::RootFs => "a root filesystem: its own library directories are the system's",
                Layout::App => "an application tree: only $ORIGIN reaches into it",
            }
        );
        for entry in &tree.entry_points {
            let _ = writeln!(
                out,
                "  {} [{} loader] {}",
                entry.path,
                entry.flavor.as_str(),
                entry.verdict.as_str().to_uppercase()
            );
            for library in &entry.libraries {
                let indent = "    ".repeat(library.depth);
                let place = match (library.status, &library.path) {
                    (Status::Tree, Some(path)) => path.clone(),
                    (status, _) => status.as_str().to_string(),
                };
                let mut line = format!("  {indent}{} => {place} ({})", library.name, library.via);
                if !library.missing_versions.is_empty() {
                    let _ = write!(line, " lacks {}", library.missing_versions.join(", "));
                }
                let _ = writeln!(out, "{line}");
            }
            for library in &entry.runtime {
                let place = match (library.status, &library.path) {
                    (Status::Tree, Some(path)) => path.clone(),
                    (status, _) => status.as_str().to_string(),
                };
                let names = match library.names.as_slice() {
                    [one] => one.clone(),
                    [first, .., last] => format!("{first}|…|{last}"),
                    [] => String::new(),
                };
                let _ = writeln!(
                    out,
                    "      at run time: {} dlopens {names} => {place}",
                    library.loaded_by
                );
            }
        }
        for path in &tree.static_programs {
            let _ = writeln!(out, "  {path} [static] loads no libraries");
        }
    }
    out
}
