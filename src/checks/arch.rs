//! `arch-mismatch` and `libc-mismatch`: the file against the requested target.

use crate::arch::{Arch, Endian, Machine, libc_of_interpreter};
use crate::binary::{Binary, Format};
use crate::findings::{ArchFailure, Issue};
use crate::target::Target;

const ELFOSABI_NONE: u8 = 0;
const ELFOSABI_GNU: u8 = 3;

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
    // Linux runs ELFOSABI_NONE (System V) and ELFOSABI_GNU files; FreeBSD's, Solaris' … are
    // for other kernels.
    if !matches!(binary.abi.os_abi, ELFOSABI_NONE | ELFOSABI_GNU) {
        differs.push("OS/ABI");
    }
    // ppc64le's ABI is ELFv2; an ELFv1 (big-endian style) object cannot be loaded there.
    if found.machine == Machine::PowerPc64
        && found.endian == expected.endian
        && expected.endian == Endian::Little
        && binary.abi.ppc64_abi == Some(1)
    {
        differs.push("ELF ABI version");
    }
    let mut issues = Vec::new();
    if !differs.is_empty() {
        issues.push(Issue::ArchMismatch {
            target: target.name.clone(),
            expected: expected.to_string(),
            found: found.to_string(),
            differs: differs.clone(),
            failure: failure(binary, found, expected, &differs),
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

/// What really happens when a file of architecture `found` meets a `expected` machine: the
/// kernel refuses only what it cannot execute; a 64-bit kernel runs its 32-bit sibling, and
/// then the loader is what is missing; a library is never executed, the loader skips it.
pub fn failure(
    binary: &Binary,
    found: Arch,
    expected: Arch,
    differs: &[&'static str],
) -> ArchFailure {
    let program = binary.interpreter.is_some() || binary.kind.is_static();
    if !program {
        return ArchFailure::LoaderSkipsLibrary;
    }
    if differs.iter().all(|d| *d == "float ABI") {
        return ArchFailure::WrongFloatAbi;
    }
    if differs.iter().all(|d| *d == "OS/ABI") {
        return ArchFailure::OtherOperatingSystem;
    }
    match (expected.machine, found.machine, found.bits) {
        (Machine::X86_64, Machine::X86, 32) => ArchFailure::CompatNeeds32BitLoader,
        (Machine::Aarch64, Machine::Arm, 32) => ArchFailure::Aarch32OnlyOnSomeCpus,
        _ => ArchFailure::KernelRefuses,
    }
}

/// `arch-inconsistent`: among files checked without a target, the ELF files whose
/// architecture differs from the majority (by index into `arches`).
pub fn inconsistent(arches: &[Option<String>]) -> Vec<(usize, Issue)> {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for arch in arches.iter().flatten() {
        *counts.entry(arch).or_default() += 1;
    }
    if counts.len() < 2 {
        return Vec::new();
    }
    let Some(majority) = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(arch, _)| arch.to_string())
    else {
        return Vec::new();
    };
    arches
        .iter()
        .enumerate()
        .filter_map(|(index, arch)| {
            let arch = arch.as_ref().filter(|arch| **arch != majority)?;
            Some((
                index,
                Issue::ArchInconsistent {
                    found: arch.clone(),
                    majority: majority.clone(),
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binary::{Sniffed, parse};

    fn hello() -> Binary {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/bin/hello-x86_64"
        ))
        .expect("test binary");
        match parse(&bytes) {
            Ok(Sniffed::Binary(binary)) => *binary,
            other => panic!("{other:?}"),
        }
    }

    fn differs(binary: &Binary, target: &str) -> Vec<&'static str> {
        match &check(binary, &Target::parse(target).unwrap())[..] {
            [] => Vec::new(),
            [Issue::ArchMismatch { differs, .. }] => differs.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn compares_machine_class_endianness_and_os_abi() {
        let mut binary = hello();
        assert!(differs(&binary, "linux-x64").is_empty());
        assert_eq!(differs(&binary, "linux-x86"), ["machine", "class"]);
        assert_eq!(differs(&binary, "s390x"), ["machine", "endianness"]);
        binary.abi.os_abi = 9; // ELFOSABI_FREEBSD
        assert_eq!(differs(&binary, "linux-x64"), ["OS/ABI"]);
        binary.abi.os_abi = ELFOSABI_GNU;
        assert!(differs(&binary, "linux-x64").is_empty());
    }

    #[test]
    fn ppc64le_needs_elfv2() {
        let mut binary = hello();
        binary.arch = Some(crate::arch::Arch::new(
            Machine::PowerPc64,
            64,
            Endian::Little,
        ));
        binary.abi.ppc64_abi = Some(2);
        assert!(differs(&binary, "ppc64el").is_empty());
        binary.abi.ppc64_abi = Some(1);
        assert_eq!(differs(&binary, "ppc64el"), ["ELF ABI version"]);
    }
}
