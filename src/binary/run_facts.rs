//! What the kernel and the dynamic loader check in an ELF file before it runs, beyond its
//! needs: the stack it asks for (PT_GNU_STACK), the oldest kernel it accepts (NT_GNU_ABI_TAG),
//! the CPU level and CET features it is marked with (NT_GNU_PROPERTY_TYPE_0), its segment
//! alignment, its TLS model, and the hardening a release sign-off asks about.

use super::RunFacts;
use goblin::elf::{Elf, dynamic, program_header};

/// `n_type` of the ABI tag note and of the GNU property note (elf.h).
const NT_GNU_ABI_TAG: u32 = 1;
const NT_GNU_PROPERTY_TYPE_0: u32 = 5;
/// GNU property types (binutils include/elf/common.h).
const GNU_PROPERTY_X86_FEATURE_1_AND: u32 = 0xc000_0002;
const GNU_PROPERTY_X86_ISA_1_NEEDED: u32 = 0xc000_8002;
const GNU_PROPERTY_AARCH64_FEATURE_1_AND: u32 = 0xc000_0000;
/// DT_FLAGS bits.
const DF_BIND_NOW: u64 = 0x8;
const DF_STATIC_TLS: u64 = 0x10;
const DF_1_NOW: u64 = 0x1;
/// Notes read per file at most: real files have a few hundred bytes of them.
const MAX_NOTE_BYTES: usize = 1 << 20;

/// The facts of one ELF file whose program headers and dynamic section goblin has read.
pub(super) fn read(elf: &Elf, data: &[u8]) -> RunFacts {
    let mut facts = RunFacts::default();
    for ph in &elf.program_headers {
        match ph.p_type {
            program_header::PT_GNU_STACK => {
                facts.exec_stack = Some(ph.p_flags & program_header::PF_X != 0);
            }
            program_header::PT_GNU_RELRO => facts.relro = true,
            program_header::PT_TLS => facts.tls_size = Some(ph.p_memsz),
            program_header::PT_LOAD => {
                facts.load_align = Some(facts.load_align.map_or(ph.p_align, |a| a.min(ph.p_align)));
            }
            program_header::PT_NOTE | program_header::PT_GNU_PROPERTY => {
                read_notes(elf, data, ph, &mut facts);
            }
            _ => {}
        }
    }
    if let Some(dynamic) = &elf.dynamic {
        let info = &dynamic.info;
        let has_bind_now = dynamic.dyns.iter().any(|d| d.d_tag == dynamic::DT_BIND_NOW);
        facts.bind_now =
            has_bind_now || info.flags & DF_BIND_NOW != 0 || info.flags_1 & DF_1_NOW != 0;
        facts.static_tls = info.flags & DF_STATIC_TLS != 0;
    }
    facts
}

/// The notes of one PT_NOTE or PT_GNU_PROPERTY segment (the same note is often in both).
fn read_notes(elf: &Elf, data: &[u8], ph: &program_header::ProgramHeader, facts: &mut RunFacts) {
    let Some(bytes) = usize::try_from(ph.p_offset)
        .ok()
        .zip(usize::try_from(ph.p_filesz).ok())
        .and_then(|(start, size)| data.get(start..start.checked_add(size.min(MAX_NOTE_BYTES))?))
    else {
        return;
    };
    // Notes are 4-byte aligned, except that in a segment aligned to 8 (ELF64 property notes)
    // the descriptor and the next note start at multiples of 8.
    let align = if ph.p_align == 8 { 8 } else { 4 };
    let little = elf.little_endian;
    let word = word_in(bytes, little);
    let mut at = 0usize;
    while let (Some(namesz), Some(descsz), Some(kind)) = (word(at), word(at + 4), word(at + 8)) {
        let (namesz, descsz) = (namesz as usize, descsz as usize);
        let name_at = at + 12;
        // The descriptor and the next note start at the next multiple of the alignment.
        let Some(desc_at) = name_at.checked_add(namesz).map(|end| padded(end, align)) else {
            return;
        };
        let Some(next) = desc_at.checked_add(descsz).map(|end| padded(end, align)) else {
            return;
        };
        let name = name_at
            .checked_add(namesz)
            .and_then(|end| bytes.get(name_at..end));
        let desc = desc_at
            .checked_add(descsz)
            .and_then(|end| bytes.get(desc_at..end));
        if let (Some(b"GNU\0"), Some(desc)) = (name, desc) {
            match kind {
                NT_GNU_ABI_TAG => facts.abi_kernel = abi_tag(desc, little),
                NT_GNU_PROPERTY_TYPE_0 => properties(desc, elf.is_64, little, facts),
                _ => {}
            }
        }
        if next <= at {
            return;
        }
        at = next;
    }
}

fn padded(size: usize, align: usize) -> usize {
    size.div_ceil(align).saturating_mul(align)
}

/// A reader of 32-bit words of `bytes` in the file's byte order.
fn word_in(bytes: &[u8], little: bool) -> impl Fn(usize) -> Option<u32> + '_ {
    move |at| {
        let raw: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if little {
            u32::from_le_bytes(raw)
        } else {
            u32::from_be_bytes(raw)
        })
    }
}

/// `os, major, minor, patch`; only os 0 (Linux) says a Linux kernel version.
fn abi_tag(desc: &[u8], little: bool) -> Option<[u32; 3]> {
    let word = word_in(desc, little);
    if desc.len() < 16 || word(0)? != 0 {
        return None;
    }
    Some([word(4)?, word(8)?, word(12)?])
}

/// The properties of NT_GNU_PROPERTY_TYPE_0: `pr_type`, `pr_datasz`, data padded to 8 (ELF64)
/// or 4 (ELF32).
fn properties(desc: &[u8], is_64: bool, little: bool, facts: &mut RunFacts) {
    let word = word_in(desc, little);
    let align = if is_64 { 8 } else { 4 };
    let mut at = 0usize;
    while let (Some(kind), Some(size)) = (word(at), word(at + 4)) {
        let size = size as usize;
        let value = if size >= 4 { word(at + 8) } else { None };
        match (kind, value) {
            (GNU_PROPERTY_X86_ISA_1_NEEDED, Some(bits)) => facts.x86_isa_needed = Some(bits),
            (GNU_PROPERTY_X86_FEATURE_1_AND, Some(bits)) => facts.x86_features = Some(bits),
            (GNU_PROPERTY_AARCH64_FEATURE_1_AND, Some(bits)) => facts.aarch64_features = Some(bits),
            _ => {}
        }
        let Some(next) = (at + 8).checked_add(padded(size, align)) else {
            return;
        };
        if next <= at {
            return;
        }
        at = next;
    }
}
