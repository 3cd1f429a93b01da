//! Oracle: what shipcheck reads from an ELF file must match what GNU `readelf` prints for it
//! (machine, class, endianness, interpreter, DT_NEEDED/SONAME/RPATH/RUNPATH, version needs
//! with their weak flags, version definitions).
//!
//! The default test compares testdata/bin plus a deterministic sample of about 150 system
//! files. `SHIPCHECK_ORACLE_FULL=1 cargo test --release --test readelf_oracle -- --ignored`
//! (or `tests/oracle/readelf-diff.sh`) compares every ELF file under /usr/bin, /usr/sbin,
//! /usr/lib, /usr/libexec and the cross sysroots /usr/<triple>. Both skip when `readelf` is
//! not installed.

mod common;

use shipcheck::arch::Machine;
use shipcheck::binary::{Binary, Format, Sniffed};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The facts both sides report, in a form that compares directly.
#[derive(Debug, Default, PartialEq, Eq)]
struct Facts {
    class: String,
    endian: String,
    machine: String,
    interpreter: Option<String>,
    needed: Vec<String>,
    soname: Option<String>,
    rpath: Vec<String>,
    runpath: Vec<String>,
    /// (library, [(version, weak)]) in file order.
    version_needs: Vec<(String, Vec<(String, bool)>)>,
    /// Non-base version definitions in file order.
    version_defs: Vec<String>,
}

/// readelf's name for a machine (binutils `get_machine_name`).
fn readelf_machine(machine: Machine, e_machine_hint: &str) -> String {
    match machine {
        Machine::X86_64 => "Advanced Micro Devices X86-64",
        Machine::X86 => "Intel 80386",
        Machine::Aarch64 => "AArch64",
        Machine::Arm => "ARM",
        Machine::RiscV => "RISC-V",
        Machine::PowerPc64 => "PowerPC64",
        Machine::PowerPc => "PowerPC",
        Machine::S390 => "IBM S/390",
        Machine::LoongArch => "LoongArch",
        Machine::Mips => "MIPS R3000",
        // Three e_machine values share our name; readelf's own spelling is the evidence.
        Machine::Sparc if e_machine_hint.starts_with("Sparc") => e_machine_hint,
        Machine::Sparc => "Sparc",
        Machine::Other(n) => return format!("e_machine {n:#x}"),
    }
    .to_string()
}

/// DT_RPATH/DT_RUNPATH strings split the way shipcheck splits them.
fn split_paths(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(':'))
        .map(str::to_string)
        .collect()
}

fn ours(binary: &Binary, readelf_machine_name: &str) -> Facts {
    let arch = binary.arch;
    Facts {
        class: match arch.map(|a| a.bits) {
            Some(64) => "ELF64".into(),
            Some(32) => "ELF32".into(),
            other => format!("{other:?}"),
        },
        endian: arch.map_or("?".into(), |a| a.endian.to_string()),
        machine: arch.map_or("?".into(), |a| {
            readelf_machine(a.machine, readelf_machine_name)
        }),
        interpreter: binary.interpreter.clone(),
        needed: binary.needed.clone(),
        soname: binary.soname.clone(),
        rpath: binary.rpath.clone(),
        runpath: binary.runpath.clone(),
        version_needs: binary
            .version_needs
            .iter()
            .map(|n| {
                let versions = n
                    .versions
                    .iter()
                    .map(|v| (v.name.clone(), v.weak))
                    .collect();
                (n.library.clone(), versions)
            })
            .collect(),
        version_defs: binary.version_defs.clone(),
    }
}

/// The text inside the last `[...]` of a line.
fn bracketed(line: &str) -> Option<String> {
    let start = line.find('[')? + 1;
    let end = line.rfind(']')?;
    (start <= end).then(|| line[start..end].to_string())
}

/// The value after `key` up to the next run of two spaces (readelf's column separator).
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = &line[line.find(key)? + key.len()..];
    let rest = rest.trim_start();
    Some(rest.split("  ").next().unwrap_or(rest).trim_end())
}

/// Parses `readelf -h -l -d -V -W` output. `None` when readelf printed no ELF header.
fn theirs(output: &str) -> Option<(Facts, String)> {
    let mut facts = Facts::default();
    let mut machine_name = String::new();
    let (mut rpath, mut runpath) = (Vec::new(), Vec::new());
    #[derive(PartialEq)]
    enum In {
        Other,
        Needs,
        Defs,
    }
    let mut section = In::Other;
    for line in output.lines() {
        let trimmed = line.trim();
        if let Some(v) = trimmed.strip_prefix("Class:") {
            facts.class = v.trim().to_string();
        } else if let Some(v) = trimmed.strip_prefix("Data:") {
            facts.endian = if v.contains("little endian") {
                "little-endian".into()
            } else if v.contains("big endian") {
                "big-endian".into()
            } else {
                v.trim().to_string()
            };
        } else if let Some(v) = trimmed.strip_prefix("Machine:") {
            machine_name = v.trim().to_string();
        } else if trimmed.starts_with("[Requesting program interpreter:") {
            facts.interpreter = trimmed
                .strip_prefix("[Requesting program interpreter: ")
                .and_then(|s| s.strip_suffix(']'))
                .map(str::to_string);
        } else if trimmed.contains("(NEEDED)") {
            facts.needed.extend(bracketed(trimmed));
        } else if trimmed.contains("(SONAME)") {
            facts.soname = bracketed(trimmed);
        } else if trimmed.contains("(RPATH)") {
            rpath.extend(bracketed(trimmed));
        } else if trimmed.contains("(RUNPATH)") {
            runpath.extend(bracketed(trimmed));
        } else if trimmed.starts_with("Version needs section") {
            section = In::Needs;
        } else if trimmed.starts_with("Version definition section") {
            section = In::Defs;
        } else if trimmed.starts_with("Version symbols section") || trimmed.is_empty() {
            section = In::Other;
        } else if section == In::Needs && trimmed.contains("File: ") {
            let file = field(trimmed, "File:").unwrap_or_default().to_string();
            facts.version_needs.push((file, Vec::new()));
        } else if section == In::Needs && trimmed.contains("Name: ") {
            let name = field(trimmed, "Name:").unwrap_or_default().to_string();
            let weak = field(trimmed, "Flags:").is_some_and(|f| f.contains("WEAK"));
            if let Some(need) = facts.version_needs.last_mut() {
                need.1.push((name, weak));
            }
        } else if section == In::Defs && trimmed.contains("Rev: ") {
            let base = field(trimmed, "Flags:").is_some_and(|f| f.contains("BASE"));
            if !base {
                facts
                    .version_defs
                    .push(field(trimmed, "Name:").unwrap_or_default().to_string());
            }
        }
    }
    if facts.class.is_empty() {
        return None;
    }
    facts.machine = machine_name.clone();
    facts.rpath = split_paths(&rpath);
    facts.runpath = split_paths(&runpath);
    Some((facts, machine_name))
}

fn have_readelf() -> bool {
    Command::new("readelf")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn is_elf(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == *b"\x7fELF"
}

/// Regular ELF files below `dir` (symlinks not followed), sorted.
fn elf_files(dir: &Path, recursive: bool, max_size: u64) -> Vec<PathBuf> {
    common::files_below(dir, recursive, |path, meta| {
        meta.len() <= max_size && is_elf(path)
    })
}

/// Every `step`-th element, so the sample spreads over the whole sorted list.
fn sample(files: Vec<PathBuf>, at_most: usize) -> Vec<PathBuf> {
    let step = files.len().div_ceil(at_most.max(1)).max(1);
    files.into_iter().step_by(step).collect()
}

#[derive(Default)]
struct Outcome {
    compared: usize,
    agreed: usize,
    /// Both sides call the file broken.
    both_rejected: usize,
    /// Facts that agreed: DT_NEEDED entries, needed versions, version definitions.
    needed: usize,
    versions_needed: usize,
    versions_defined: usize,
    disagreements: Vec<String>,
}

fn compare(path: &Path, outcome: &mut Outcome) {
    let output = Command::new("readelf")
        .args(["-h", "-l", "-d", "-V", "-W"])
        .arg(path)
        .env("LC_ALL", "C")
        .output();
    let Ok(output) = output else {
        return;
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    outcome.compared += 1;
    let readelf = theirs(&stdout);
    let readelf_errors = stderr.contains("Error:");
    let shipcheck = shipcheck::binary::read_path(path);
    let mut disagree = |why: String| {
        if outcome.disagreements.len() < 200 {
            outcome
                .disagreements
                .push(format!("{}: {why}", path.display()));
        }
    };
    match (readelf, shipcheck) {
        (None, Err(_)) => outcome.both_rejected += 1,
        (Some(_), Err(e)) if readelf_errors => {
            // readelf complained too; we refuse rather than report part of the facts.
            let _ = e;
            outcome.both_rejected += 1;
        }
        (Some(_), Err(e)) => disagree(format!("readelf reads it, shipcheck says {e}")),
        (None, Ok(_)) => disagree(format!("readelf cannot read it: {}", stderr.trim())),
        (Some(_), Ok(Sniffed::NotBinary)) => disagree("shipcheck says not a binary".into()),
        (Some((theirs, machine_name)), Ok(Sniffed::Binary(binary))) => {
            if binary.format != Format::Elf {
                disagree(format!("shipcheck says {:?}", binary.format));
                return;
            }
            let ours = ours(&binary, &machine_name);
            if ours == theirs {
                outcome.agreed += 1;
                outcome.needed += ours.needed.len();
                outcome.versions_needed +=
                    ours.version_needs.iter().map(|n| n.1.len()).sum::<usize>();
                outcome.versions_defined += ours.version_defs.len();
            } else {
                disagree(format!("\n  shipcheck {ours:?}\n  readelf   {theirs:?}"));
            }
        }
    }
}

fn run(files: &[PathBuf]) -> Outcome {
    let mut outcome = Outcome::default();
    for path in files {
        compare(path, &mut outcome);
    }
    outcome
}

fn report(name: &str, files: usize, outcome: &Outcome, started: Instant) {
    eprintln!(
        "readelf oracle ({name}): {files} files, {} compared, {} agreed, {} rejected by both ({} DT_NEEDED, {} needed versions, {} version definitions agreed), {} disagreements, {:?}",
        outcome.compared,
        outcome.agreed,
        outcome.both_rejected,
        outcome.needed,
        outcome.versions_needed,
        outcome.versions_defined,
        outcome.disagreements.len(),
        started.elapsed()
    );
    assert!(
        outcome.disagreements.is_empty(),
        "shipcheck and readelf disagree:\n{}",
        outcome.disagreements.join("\n")
    );
}

#[test]
fn agrees_with_readelf_on_testdata_and_a_system_sample() {
    if !have_readelf() {
        eprintln!("skipping: readelf is not installed");
        return;
    }
    let started = Instant::now();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = elf_files(&root.join("testdata/bin"), true, u64::MAX);
    // Big libraries are slow to read in a debug build; the full run covers them.
    let cap = 16 << 20;
    files.extend(sample(elf_files(Path::new("/usr/bin"), false, cap), 75));
    files.extend(sample(
        elf_files(Path::new("/usr/lib/x86_64-linux-gnu"), false, cap),
        75,
    ));
    let outcome = run(&files);
    report("bounded", files.len(), &outcome, started);
}

#[test]
#[ignore = "slow: every ELF file on the system; run with SHIPCHECK_ORACLE_FULL=1 and --ignored"]
fn agrees_with_readelf_on_every_system_file() {
    if std::env::var_os("SHIPCHECK_ORACLE_FULL").is_none() {
        eprintln!("skipping: set SHIPCHECK_ORACLE_FULL=1 to compare every system ELF file");
        return;
    }
    if !have_readelf() {
        eprintln!("skipping: readelf is not installed");
        return;
    }
    let started = Instant::now();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![
        root.join("testdata"),
        PathBuf::from("/usr/bin"),
        PathBuf::from("/usr/sbin"),
        PathBuf::from("/usr/lib"),
        PathBuf::from("/usr/libexec"),
    ];
    // Cross sysroots (/usr/aarch64-linux-gnu, ...): other architectures and endiannesses.
    if let Ok(entries) = std::fs::read_dir("/usr") {
        let mut cross: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.contains("-linux-"))
            })
            .collect();
        cross.sort();
        dirs.extend(cross);
    }
    let mut files: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| elf_files(d, true, u64::MAX))
        .collect();
    files.sort();
    files.dedup();
    let outcome = run(&files);
    report("full", files.len(), &outcome, started);
}
