//! Hardening facts for release sign-off (what `checksec` reports): PIE, RELRO, BIND_NOW, NX
//! stack, stack protector, FORTIFY and CET, from one file's model. Each is a fact in JSON and a
//! code that is off unless a gate denies it (`--deny no-relro`).

use crate::arch::Machine;
use crate::binary::{Binary, FileKind, Format};
use crate::findings::{Code, Issue};

/// `full` (PT_GNU_RELRO and BIND_NOW), `partial` (PT_GNU_RELRO only) or `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relro {
    Full,
    Partial,
    None,
}

impl Relro {
    pub fn as_str(&self) -> &'static str {
        match self {
            Relro::Full => "full",
            Relro::Partial => "partial",
            Relro::None => "none",
        }
    }
}

/// One ELF file's hardening, as checksec reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hardening {
    /// An executable built position-independent (a library always is: `None`).
    pub pie: Option<bool>,
    pub relro: Relro,
    /// The stack is not executable (`None`: no PT_GNU_STACK on an architecture whose default
    /// is not known here).
    pub nx_stack: Option<bool>,
    /// Imports `__stack_chk_fail` (`None` for a static file, which imports nothing).
    pub stack_protector: Option<bool>,
    /// The fortified libc functions it imports (`__printf_chk` …).
    pub fortified: Vec<String>,
    /// x86-64 only: (IBT, SHSTK) from its GNU property note.
    pub cet: Option<(bool, bool)>,
}

/// Whether the stack is executable: PT_GNU_STACK says, else glibc's DEFAULT_STACK_PERMS for the
/// machine (PF_X everywhere but AArch64: sysdeps/*/stackinfo.h); `None` where that default is
/// not known here.
pub fn exec_stack(binary: &Binary) -> Option<bool> {
    if binary.format != Format::Elf {
        return None;
    }
    if let Some(flagged) = binary.run.exec_stack {
        return Some(flagged);
    }
    match binary.arch?.machine {
        Machine::Aarch64 => Some(false),
        Machine::X86_64
        | Machine::X86
        | Machine::Arm
        | Machine::PowerPc
        | Machine::PowerPc64
        | Machine::S390
        | Machine::Mips => Some(true),
        _ => None,
    }
}

/// The hardening facts of an ELF file (`None` for other formats and separate debug files).
pub fn facts(binary: &Binary) -> Option<Hardening> {
    // Executables and libraries only: a relocatable object's facts are in its symbol table and
    // `.note.GNU-stack`, which the loader never reads.
    let loadable = matches!(
        binary.kind,
        FileKind::Executable
            | FileKind::PieExecutable
            | FileKind::StaticExecutable
            | FileKind::StaticPieExecutable
            | FileKind::SharedLibrary
    );
    if binary.format != Format::Elf || binary.debug.separate_debug_file || !loadable {
        return None;
    }
    let pie = match binary.kind {
        FileKind::Executable | FileKind::StaticExecutable => Some(false),
        FileKind::PieExecutable | FileKind::StaticPieExecutable => Some(true),
        _ => None,
    };
    let relro = match (binary.run.relro, binary.run.bind_now) {
        (true, true) => Relro::Full,
        (true, false) => Relro::Partial,
        (false, _) => Relro::None,
    };
    let imports = &binary.strong_imports;
    // A static file imports nothing, and a file that defines the canary's failure path (the C
    // library) calls it internally: neither says by its imports.
    let stack_protector = (!binary.kind.is_static() && !binary.run.defines_stack_chk).then(|| {
        imports
            .iter()
            .any(|s| s == "__stack_chk_fail" || s == "__stack_chk_guard")
    });
    let fortified = imports
        .iter()
        .filter(|s| s.starts_with("__") && s.ends_with("_chk") && *s != "__stack_chk_fail")
        .cloned()
        .collect();
    let cet = (binary.arch.map(|a| a.machine) == Some(Machine::X86_64)).then(|| {
        let bits = binary.run.x86_features.unwrap_or(0);
        (bits & 1 != 0, bits & 2 != 0)
    });
    Some(Hardening {
        pie,
        relro,
        nx_stack: exec_stack(binary).map(|exec| !exec),
        stack_protector,
        fortified,
        cet,
    })
}

/// One issue per missing hardening fact (off unless denied).
pub fn check(binary: &Binary) -> Vec<Issue> {
    let Some(facts) = facts(binary) else {
        return Vec::new();
    };
    let dynamic = !binary.kind.is_static();
    let mut issues = Vec::new();
    let mut fact = |code, what: &str| {
        issues.push(Issue::Hardening {
            code,
            what: what.to_string(),
        })
    };
    if facts.pie == Some(false) {
        fact(
            Code::NoPie,
            "not a position-independent executable (no ASLR for its own code)",
        );
    }
    match facts.relro {
        Relro::None => fact(Code::NoRelro, "no RELRO: relocated data stays writable"),
        Relro::Partial if dynamic => fact(
            Code::NoRelro,
            "partial RELRO (no BIND_NOW): the GOT stays writable",
        ),
        _ => {}
    }
    if facts.stack_protector == Some(false) {
        fact(
            Code::NoStackProtector,
            "no stack protector (no __stack_chk_fail import)",
        );
    }
    if dynamic && facts.fortified.is_empty() && !binary.run.defines_chk {
        fact(
            Code::NoFortify,
            "no fortified libc calls (no __*_chk import)",
        );
    }
    if let Some((ibt, shstk)) = facts.cet
        && !(ibt && shstk)
    {
        let missing: Vec<&str> = [(ibt, "IBT"), (shstk, "SHSTK")]
            .iter()
            .filter(|(on, _)| !on)
            .map(|(_, name)| *name)
            .collect();
        fact(
            Code::NoCet,
            &format!("not marked for Intel CET: no {}", missing.join(", no ")),
        );
    }
    issues
}
