//! `arch-mismatch` and `libc-mismatch`: the file against the requested target.

use crate::arch::libc_of_interpreter;
use crate::binary::{Binary, Format};
use crate::report::finding::Issue;
use crate::target::Target;

pub fn check(binary: &Binary, target: &Target) -> Vec<Issue> {
    // PE and Mach-O files (managed .NET assemblies, Windows tools) are recognised and listed,
    // but a Linux target says nothing about them.
    if binary.format != Format::Elf {
        return Vec::new();
    }
    let Some(found) = binary.arch else {
        return Vec::new();
    };
    let expected = target.arch;
    let mut differs = Vec::new();
    if found.machine != expected.machine {
        differs.push("machine");
    }
    if found.bits != expected.bits {
        differs.push("class");
    }
    if found.endian != expected.endian {
        differs.push("endianness");
    }
    if let (Some(a), Some(b)) = (found.float_abi, expected.float_abi)
        && a != b
        && differs.is_empty()
    {
        differs.push("float ABI");
    }
    let mut issues = Vec::new();
    if !differs.is_empty() {
        issues.push(Issue::ArchMismatch {
            target: target.name.clone(),
            expected: expected.to_string(),
            found: found.to_string(),
            differs,
        });
    }
    if let (Some(expected), Some(interpreter)) = (target.libc, &binary.interpreter)
        && let Some(found) = libc_of_interpreter(interpreter)
        && found != expected
    {
        issues.push(Issue::LibcMismatch {
            target: target.name.clone(),
            expected: expected.to_string(),
            found: found.to_string(),
            interpreter: interpreter.clone(),
        });
    }
    issues
}
