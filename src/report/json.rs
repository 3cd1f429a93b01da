//! `--format json`: one document on stdout. The structs here are the wire format (documented in
//! README.md, pinned by tests/json_schema.rs); change them only with `SCHEMA_VERSION`.

use super::{FileReport, Report};
use crate::binary::ManagedPlatform;
use crate::findings::Severity;
use crate::version::{VersionNode, compare_numeric, parse_numeric};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::path::Path;

pub const SCHEMA_VERSION: u32 = 6;

#[derive(Serialize)]
pub struct Document<'a> {
    pub schema_version: u32,
    pub tool: Tool,
    pub target: Option<TargetJson>,
    /// The baseline when exactly one was given (null otherwise; see `baselines`).
    pub baseline: Option<BaselineJson>,
    /// Every baseline with its own verdict.
    pub baselines: Vec<BaselineVerdictJson>,
    /// Every PATH checked and how it was read (a root filesystem is checked as a system).
    pub trees: Vec<TreeJson>,
    pub summary: Summary,
    pub files: Files<'a>,
    pub skipped: Vec<SkippedJson>,
}

/// The file entries, built one at a time as they are written, so a large tree's JSON never
/// exists in memory as a whole.
pub struct Files<'a>(&'a [FileReport]);

impl Serialize for Files<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(file))
    }
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Serialize)]
pub struct TargetJson {
    pub name: String,
    pub arch: String,
    pub bits: u8,
    pub endian: String,
    pub float_abi: Option<String>,
    pub libc: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct TreeJson {
    pub path: String,
    /// `rootfs` or `app`.
    pub layout: &'static str,
    /// Programs, and libraries nothing in the tree loads.
    pub entry_points: usize,
    /// Set when the tree is an archive or image checked in place.
    pub artifact: Option<ArtifactJson>,
    /// Set for a Python wheel.
    pub wheel: Option<WheelJson>,
}

#[derive(Debug, Serialize)]
pub struct ArtifactJson {
    /// `tar`, `tar+gzip`, `tar+xz`, `tar+zstd`, `tar+bzip2`, `zip`, `wheel`, `nupkg`, `deb`,
    /// `rpm`, `apk`, `oci-layout`, `oci-archive`, `docker-archive`.
    pub kind: &'static str,
    /// The artifact it was found in.
    pub inside: Option<String>,
    /// An image's platform (`linux/arm64/v8`).
    pub platform: Option<String>,
    /// The target its files were checked for unless a path rule or `--target` named one.
    pub default_target: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct WheelJson {
    /// The `Tag:` lines of its `WHEEL` file.
    pub tags: Vec<String>,
    /// The tightest policy every file satisfies (`manylinux_2_17_x86_64`), `linux_<arch>` when
    /// none; null when not computed (with `--baseline`).
    pub policy: Option<String>,
    /// Whether the tags claim no more than that policy.
    pub matches_tags: Option<bool>,
}

#[derive(Debug, Serialize)]
pub struct BaselineJson {
    pub id: String,
    pub name: String,
    pub libc: String,
    pub version: Option<String>,
    pub source: String,
}

#[derive(Debug, Serialize)]
pub struct BaselineVerdictJson {
    pub id: String,
    pub name: String,
    pub libc: String,
    pub version: Option<String>,
    pub source: String,
    pub errors: usize,
    pub warnings: usize,
    /// Findings that say something could not be checked on this baseline.
    pub unverified: usize,
    /// `pass`, `fail` or `unverified`.
    pub verdict: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub files_checked: usize,
    pub files_skipped: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings that say something could not be checked.
    pub unverified: usize,
    /// `pass` (every check ran, no error), `fail`, `unverified` (no error, but something could
    /// not be checked) or `error` (nothing could be checked).
    pub verdict: &'static str,
}

#[derive(Debug, Serialize)]
pub struct FileJson<'a> {
    /// The path as UTF-8; bytes that are not UTF-8 become U+FFFD (see `path_bytes_hex`).
    pub path: String,
    /// Only when the path is not valid UTF-8: its exact bytes, hex-encoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_bytes_hex: Option<String>,
    /// The target this file was checked for (null: none).
    pub target: Option<String>,
    /// `elf`, `pe`, `mach-o`, `mach-o-fat`; null when unreadable.
    pub format: Option<String>,
    pub kind: Option<String>,
    pub arch: Option<String>,
    pub bits: Option<u8>,
    pub endian: Option<String>,
    pub float_abi: Option<String>,
    pub fat_arches: &'a [String],
    pub os_abi: Option<u8>,
    pub e_flags: Option<u32>,
    pub interpreter: Option<&'a str>,
    pub soname: Option<&'a str>,
    pub needed: &'a [String],
    pub rpath: &'a [String],
    pub runpath: &'a [String],
    /// Family → highest numeric version needed, e.g. {"GLIBC": "2.34"}.
    pub requires: BTreeMap<String, String>,
    pub version_needs: Vec<VersionNeedJson<'a>>,
    pub version_defs: &'a [String],
    /// For a .NET assembly (a PE file with a CLI header): where it runs, `any`, an
    /// architecture (`x86_64`, `i686`, `aarch64` …) or `mixed-mode` (native Windows code inside);
    /// `null` for native code.
    pub managed: Option<String>,
    pub debug: Option<DebugJson>,
    /// ELF: what the kernel and the loader check before it runs, beyond its needs.
    pub run: Option<RunJson>,
    /// ELF: hardening facts for sign-off, as checksec reads them.
    pub hardening: Option<HardeningJson>,
    /// Without a baseline: the database baselines this file runs on.
    pub runs_on: Option<&'a [String]>,
    /// `runs_on` by distribution family, image family and policy.
    pub runs_on_families: Option<Vec<FamilyJson<'a>>>,
    pub findings: Vec<FindingJson>,
}

#[derive(Debug, Serialize)]
pub struct FamilyJson<'a> {
    /// The database's distro key (`debian`, `runtime-deps`, `manylinux`).
    pub family: &'a str,
    /// For people (`Debian`, `runtime-deps (glibc)`).
    pub name: &'a str,
    /// `distro`, `image` or `policy`.
    pub kind: &'static str,
    pub libc: String,
    /// Releases (image tags, policy names) with data for the file's architecture, oldest first.
    pub releases: &'a [String],
    /// Those it runs on.
    pub runs_on: &'a [String],
    /// The answer for people: `Debian ≥ 10`, `Debian 10–12`, `Alpine Linux: no (glibc)`.
    pub summary: String,
}

#[derive(Debug, Serialize)]
pub struct VersionNeedJson<'a> {
    pub library: &'a str,
    pub versions: Vec<NeededVersionJson<'a>>,
}

#[derive(Debug, Serialize)]
pub struct NeededVersionJson<'a> {
    pub name: &'a str,
    pub weak: bool,
    pub symbols: &'a [String],
}

#[derive(Debug, Serialize)]
pub struct DebugJson {
    pub debug_sections: Vec<DebugSectionJson>,
    pub debug_bytes: u64,
    pub symtab: bool,
    pub symtab_bytes: Option<u64>,
    pub debuglink: Option<String>,
    pub build_id: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RunJson {
    /// PT_GNU_STACK asks for an executable stack (`null`: no PT_GNU_STACK).
    pub exec_stack: Option<bool>,
    /// NT_GNU_ABI_TAG: the oldest kernel it accepts (`3.2.0`).
    pub min_kernel: Option<String>,
    /// The x86-64 level its ISA note says it needs (`x86-64-v3`).
    pub x86_isa_needed: Option<String>,
    /// The smallest PT_LOAD alignment: the largest page size it can be mapped with.
    pub load_align: Option<u64>,
    /// DF_STATIC_TLS (initial-exec TLS) and the PT_TLS size.
    pub static_tls: bool,
    pub tls_bytes: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct HardeningJson {
    /// An executable built PIE (`null` for libraries).
    pub pie: Option<bool>,
    /// `full`, `partial` or `none`.
    pub relro: &'static str,
    pub nx_stack: Option<bool>,
    /// `null` for a static file (it imports nothing to tell by).
    pub stack_protector: Option<bool>,
    /// The fortified libc functions it imports.
    pub fortified: Vec<String>,
    /// x86-64 only: Intel CET marks.
    pub cet: Option<CetJson>,
}

#[derive(Debug, Serialize)]
pub struct CetJson {
    pub ibt: bool,
    pub shstk: bool,
}

#[derive(Debug, Serialize)]
pub struct DebugSectionJson {
    pub name: String,
    pub size: u64,
    pub uncompressed_size: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct FindingJson {
    pub code: String,
    pub severity: String,
    /// The baseline this finding is about; null when it holds on every baseline.
    pub baseline: Option<String>,
    pub message: String,
    pub hint: String,
    /// The typed values behind the message; its fields depend on `code`.
    pub evidence: serde_json::Value,
    /// Raw → demangled, for the C++ and Rust symbol names in `evidence` (which keeps them raw)
    /// that `message` shows demangled; absent when there are none.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub symbols_demangled: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
pub struct SkippedJson {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_bytes_hex: Option<String>,
    pub reason: String,
}

pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    // Writing our own plain structs into memory cannot fail.
    let _ = write(report, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// The document for a run that could not check anything (exit status 2): the same
/// `schema_version`, `tool` and `summary.verdict` ("error") as a full report, and the reason.
pub fn render_error(message: &str) -> String {
    let document = serde_json::json!({
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": env!("CARGO_PKG_NAME"), "version": env!("CARGO_PKG_VERSION")},
        "error": message,
        "summary": {"verdict": "error"},
    });
    format!("{document:#}\n")
}

/// Streams the document into `out` (a large tree's JSON never sits in memory twice).
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    // serde_json writes a few bytes at a time: through a buffer of a concrete type those writes
    // are inlined copies, not a call through `dyn Write` each (a fifth of a default run's time).
    use std::io::Write as _;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut out, &document(report))?;
    out.write_all(b"\n")?;
    out.flush()
}

pub fn document(report: &Report) -> Document<'_> {
    Document {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME").into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        target: report.target.as_ref().map(|t| TargetJson {
            name: t.name.clone(),
            arch: t.arch.linux_name(),
            bits: t.arch.bits,
            endian: t.arch.endian.to_string(),
            float_abi: t.arch.float_abi.map(|f| f.to_string()),
            libc: t.libc.map(|l| l.to_string()),
        }),
        baseline: match &report.baselines[..] {
            [b] => Some(BaselineJson {
                id: b.id.clone(),
                name: b.name.clone(),
                libc: b.libc.clone(),
                version: b.version.clone(),
                source: b.source.clone(),
            }),
            _ => None,
        },
        baselines: report
            .baselines
            .iter()
            .map(|b| {
                let verdict = report.verdict(&b.id);
                BaselineVerdictJson {
                    id: b.id.clone(),
                    name: b.name.clone(),
                    libc: b.libc.clone(),
                    version: b.version.clone(),
                    source: b.source.clone(),
                    errors: verdict.errors,
                    warnings: verdict.warnings,
                    unverified: verdict.unverified,
                    verdict: verdict.outcome().as_str(),
                }
            })
            .collect(),
        trees: report
            .trees
            .iter()
            .map(|tree| TreeJson {
                path: tree.path.display().to_string(),
                layout: tree.layout.as_str(),
                entry_points: tree.entry_points,
                artifact: tree.artifact.as_ref().map(|a| ArtifactJson {
                    kind: a.kind,
                    inside: a.inside.clone(),
                    platform: a.platform.clone(),
                    default_target: a.target.clone(),
                }),
                wheel: tree.wheel.as_ref().map(|w| WheelJson {
                    tags: w.tags.clone(),
                    policy: w.policy.clone(),
                    matches_tags: w.matches_tags,
                }),
            })
            .collect(),
        summary: Summary {
            files_checked: report.files_checked(),
            files_skipped: report.files_skipped(),
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            infos: report.count(Severity::Info),
            unverified: report.overall().unverified,
            verdict: report.outcome().as_str(),
        },
        files: Files(&report.files),
        skipped: report
            .skipped
            .iter()
            .map(|s| SkippedJson {
                path: path_text(&s.path),
                path_bytes_hex: path_hex(&s.path),
                reason: s.reason.clone(),
            })
            .collect(),
    }
}

fn file(report: &FileReport) -> FileJson<'_> {
    let findings = report
        .findings
        .iter()
        .map(|f| FindingJson {
            code: f.code().as_str().into(),
            severity: f.severity.to_string(),
            baseline: f.baseline.clone(),
            message: f.issue.message(),
            hint: f.issue.hint(),
            evidence: serde_json::to_value(&f.issue).unwrap_or_default(),
            symbols_demangled: f.issue.demangled_symbols(),
        })
        .collect();
    let Some(binary) = &report.binary else {
        return FileJson {
            path: path_text(&report.path),
            path_bytes_hex: path_hex(&report.path),
            target: None,
            format: None,
            kind: None,
            arch: None,
            bits: None,
            endian: None,
            float_abi: None,
            fat_arches: &[],
            os_abi: None,
            e_flags: None,
            interpreter: None,
            soname: None,
            needed: &[],
            rpath: &[],
            runpath: &[],
            requires: BTreeMap::new(),
            managed: None,
            version_needs: Vec::new(),
            version_defs: &[],
            debug: None,
            run: None,
            hardening: None,
            runs_on: None,
            runs_on_families: None,
            findings,
        };
    };
    let is_elf = binary.format == crate::binary::Format::Elf;
    FileJson {
        path: path_text(&report.path),
        path_bytes_hex: path_hex(&report.path),
        target: report.target.clone(),
        format: Some(binary.format.as_str().into()),
        kind: Some(binary.kind.as_str().into()),
        arch: binary.arch.map(|a| a.linux_name()),
        bits: binary.arch.map(|a| a.bits),
        endian: binary.arch.map(|a| a.endian.to_string()),
        float_abi: binary.arch.and_then(|a| a.float_abi).map(|f| f.to_string()),
        fat_arches: &binary.fat_arches,
        os_abi: is_elf.then_some(binary.abi.os_abi),
        e_flags: is_elf.then_some(binary.abi.e_flags),
        interpreter: binary.interpreter.as_deref(),
        soname: binary.soname.as_deref(),
        needed: &binary.needed,
        rpath: &binary.rpath,
        runpath: &binary.runpath,
        requires: requires(binary),
        managed: binary.managed_platform().map(|platform| match platform {
            ManagedPlatform::Any => "any".into(),
            ManagedPlatform::Only(arch) => arch.linux_name(),
            ManagedPlatform::MixedMode => "mixed-mode".into(),
        }),
        version_needs: binary
            .version_needs
            .iter()
            .map(|need| VersionNeedJson {
                library: &need.library,
                versions: need
                    .versions
                    .iter()
                    .map(|v| NeededVersionJson {
                        name: &v.name,
                        weak: v.weak,
                        symbols: &v.symbols,
                    })
                    .collect(),
            })
            .collect(),
        version_defs: &binary.version_defs,
        debug: is_elf.then(|| DebugJson {
            debug_sections: binary
                .debug
                .sections
                .iter()
                .map(|s| DebugSectionJson {
                    name: s.name.clone(),
                    size: s.file_size,
                    uncompressed_size: s.uncompressed_size,
                })
                .collect(),
            debug_bytes: binary.debug.debug_bytes(),
            symtab: binary.debug.symtab_bytes.is_some(),
            symtab_bytes: binary.debug.symtab_bytes,
            debuglink: binary.debug.debuglink.clone(),
            build_id: binary.debug.build_id.clone(),
        }),
        run: is_elf.then(|| {
            let run = &binary.run;
            RunJson {
                exec_stack: run.exec_stack,
                min_kernel: run.abi_kernel.map(|[a, b, c]| format!("{a}.{b}.{c}")),
                x86_isa_needed: run.x86_level_needed().map(|level| match level {
                    1 => "x86-64-baseline".to_string(),
                    level => format!("x86-64-v{level}"),
                }),
                load_align: run.load_align,
                static_tls: run.static_tls,
                tls_bytes: run.tls_size,
            }
        }),
        hardening: crate::checks::hardening::facts(binary).map(|h| HardeningJson {
            pie: h.pie,
            relro: h.relro.as_str(),
            nx_stack: h.nx_stack,
            stack_protector: h.stack_protector,
            fortified: h.fortified,
            cet: h.cet.map(|(ibt, shstk)| CetJson { ibt, shstk }),
        }),
        runs_on: report.runs_on.as_deref(),
        runs_on_families: report.families.as_ref().map(|families| {
            families
                .iter()
                .map(|f| FamilyJson {
                    family: &f.family,
                    name: &f.name,
                    kind: f.kind.as_str(),
                    libc: f.libc.to_string(),
                    releases: &f.releases,
                    runs_on: &f.runs_on,
                    summary: f.describe(),
                })
                .collect()
        }),
        findings,
    }
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Paths are bytes on Unix; JSON strings are Unicode. A name that is not UTF-8 keeps its
/// exact bytes here so that no file is misnamed.
fn path_hex(path: &Path) -> Option<String> {
    use std::os::unix::ffi::OsStrExt;
    path.to_str().is_none().then(|| {
        path.as_os_str()
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    })
}

/// Family → highest numeric version node the file needs.
pub fn requires(binary: &crate::binary::Binary) -> BTreeMap<String, String> {
    let mut highest: BTreeMap<String, (Vec<u64>, String)> = BTreeMap::new();
    for need in &binary.version_needs {
        for version in &need.versions {
            let node = VersionNode::parse(&version.name);
            let Some(numbers) = parse_numeric(node.tag) else {
                continue;
            };
            let entry = highest
                .entry(node.family.to_string())
                .or_insert_with(|| (numbers.clone(), node.tag.to_string()));
            if compare_numeric(&numbers, &entry.0).is_gt() {
                *entry = (numbers, node.tag.to_string());
            }
        }
    }
    highest.into_iter().map(|(k, (_, v))| (k, v)).collect()
}
