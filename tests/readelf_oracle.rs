//! Oracle: what shipcheck reads from an ELF file must match what GNU `readelf` prints for it
//! (machine, class, endianness, interpreter, DT_NEEDED/SONAME/RPATH/RUNPATH, version needs
//! with their weak flags, version definitions), and what the kernel and loader check before it
//! runs (PT_GNU_STACK, PT_GNU_RELRO, PT_LOAD alignment, BIND_NOW, STATIC_TLS, the ABI tag note,
//! the x86 ISA level and CET feature properties).
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
    /// What the kernel and loader check before running it (issue 13).
    run: RunFacts,
}

/// PT_GNU_STACK, PT_GNU_RELRO, PT_LOAD alignment, BIND_NOW, STATIC_TLS and the GNU notes, as
/// readelf spells them.
#[derive(Debug, Default, PartialEq, Eq)]
struct RunFacts {
    exec_stack: Option<bool>,
    relro: bool,
    bind_now: bool,
    static_tls: bool,
    /// The smallest PT_LOAD alignment, `0x1000`.
    load_align: Option<String>,
    /// `3.2.0` from "OS: Linux, ABI: 3.2.0".
    abi_kernel: Option<String>,
    /// "x86 ISA needed: x86-64-baseline, x86-64-v3".
    x86_isa_needed: Option<String>,
    /// "x86 feature: IBT, SHSTK".
    x86_features: Option<String>,
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
        run: our_run_facts(binary),
    }
}

fn bit_names(bits: Option<u32>, names: &[&str]) -> Option<String> {
    let bits = bits?;
    let named: Vec<&str> = names
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect();
    Some(named.join(", "))
}

fn our_run_facts(binary: &Binary) -> RunFacts {
    let run = &binary.run;
    RunFacts {
        exec_stack: run.exec_stack,
        relro: run.relro,
        bind_now: run.bind_now,
        static_tls: run.static_tls,
        load_align: run.load_align.map(|a| format!("{a:#x}")),
        abi_kernel: run.abi_kernel.map(|[a, b, c]| format!("{a}.{b}.{c}")),
        x86_isa_needed: bit_names(
            run.x86_isa_needed,
            &["x86-64-baseline", "x86-64-v2", "x86-64-v3", "x86-64-v4"],
        ),
        x86_features: bit_names(run.x86_features, &["IBT", "SHSTK"]),
    }
}

/// One program header line of `readelf -l -W`: type, flags (`R E` has a space) and alignment.
fn program_header(line: &str) -> Option<(&str, String, &str)> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    if tokens.len() < 8 || !tokens[1].starts_with("0x") {
        return None;
    }
    let flags = tokens[6..tokens.len() - 1].concat();
    Some((tokens[0], flags, tokens[tokens.len() - 1]))
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
    let mut load_align: Option<u64> = None;
    for line in output.lines() {
        let trimmed = line.trim();
        if let Some((kind, flags, align)) = program_header(trimmed) {
            match kind {
                "GNU_STACK" => facts.run.exec_stack = Some(flags.contains('E')),
                "GNU_RELRO" => facts.run.relro = true,
                "LOAD" => {
                    if let Ok(align) = u64::from_str_radix(align.trim_start_matches("0x"), 16) {
                        load_align = Some(load_align.map_or(align, |a| a.min(align)));
                    }
                }
                _ => {}
            }
        }
        if trimmed.contains("(BIND_NOW)")
            || (trimmed.contains("(FLAGS)") && trimmed.contains("BIND_NOW"))
            || (trimmed.contains("(FLAGS_1)")
                && trimmed.split_whitespace().any(|word| word == "NOW"))
        {
            facts.run.bind_now = true;
        }
        if trimmed.contains("(FLAGS)") && trimmed.contains("STATIC_TLS") {
            facts.run.static_tls = true;
        }
        if let Some(at) = trimmed.find("OS: Linux, ABI: ") {
            facts.run.abi_kernel = Some(trimmed[at + 16..].trim().to_string());
        }
        if let Some(at) = trimmed.find("x86 ISA needed: ") {
            let rest = &trimmed[at + 16..];
            let value = rest.split(", x86 ").next().unwrap_or(rest);
            facts.run.x86_isa_needed = Some(value.trim().to_string());
        }
        if let Some(at) = trimmed.find("x86 feature: ") {
            // With -W readelf prints a note's properties on one line, comma-separated.
            let rest = &trimmed[at + 13..];
            let value = rest.split(", x86 ").next().unwrap_or(rest);
            facts.run.x86_features = Some(value.trim().to_string());
        }
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
    facts.run.load_align = load_align.map(|a| format!("{a:#x}"));
    // Without segments (a separate debug file) readelf reads notes from sections, which no
    // loader maps: shipcheck reads notes from segments only.
    if load_align.is_none() {
        facts.run.abi_kernel = None;
        facts.run.x86_isa_needed = None;
        facts.run.x86_features = None;
    }
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
        .args(["-h", "-l", "-d", "-V", "-n", "-W"])
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
