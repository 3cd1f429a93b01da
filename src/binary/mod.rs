//! Reading: the only code that touches `object` and `goblin`. Bytes in, a plain [`Binary`]
//! model out; nothing here knows about targets or baselines.

mod elf;
mod foreign;
mod run_facts;

use crate::arch::Arch;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// The object file formats we recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Elf,
    Pe,
    MachO,
    MachOFat,
}

impl Format {
    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Elf => "elf",
            Format::Pe => "pe",
            Format::MachO => "mach-o",
            Format::MachOFat => "mach-o-fat",
        }
    }
}

/// What the ELF file type and program headers say the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// ET_EXEC with an interpreter.
    Executable,
    /// ET_DYN with an interpreter.
    PieExecutable,
    /// ET_EXEC without an interpreter or dynamic section.
    StaticExecutable,
    /// ET_DYN without an interpreter, flagged DF_1_PIE: self-relocating static PIE.
    StaticPieExecutable,
    SharedLibrary,
    Relocatable,
    Core,
    Other,
}

impl FileKind {
    /// The name used in JSON output.
    pub fn as_str(&self) -> &'static str {
        match self {
            FileKind::Executable => "executable",
            FileKind::PieExecutable => "pie-executable",
            FileKind::StaticExecutable => "static-executable",
            FileKind::StaticPieExecutable => "static-pie-executable",
            FileKind::SharedLibrary => "shared-library",
            FileKind::Relocatable => "relocatable",
            FileKind::Core => "core",
            FileKind::Other => "other",
        }
    }

    /// Statically linked: no loader, no libraries, no symbol versions.
    pub fn is_static(&self) -> bool {
        matches!(
            self,
            FileKind::StaticExecutable | FileKind::StaticPieExecutable
        )
    }
}

/// ABI details from `e_flags` and the ELF identification bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AbiFlags {
    pub os_abi: u8,
    pub e_flags: u32,
    /// ARM EABI version (`e_flags >> 24`), 0 for old-ABI binaries.
    pub arm_eabi: Option<u8>,
    /// PowerPC64 ELF ABI version (1 = ELFv1 big-endian AIX style, 2 = ELFv2).
    pub ppc64_abi: Option<u8>,
}

/// One library a file needs versions from (`.gnu.version_r`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionNeed {
    pub library: String,
    pub versions: Vec<NeededVersion>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeededVersion {
    pub name: String,
    /// VER_FLG_WEAK: the loader only warns when the version is missing.
    pub weak: bool,
    /// Undefined dynamic symbols bound to this version through `.gnu.version`, sorted.
    pub symbols: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebugSection {
    pub name: String,
    /// Bytes the section occupies in the file.
    pub file_size: u64,
    /// Set for SHF_COMPRESSED and `.zdebug_*` sections: the size once decompressed.
    pub uncompressed_size: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DebugInfo {
    pub sections: Vec<DebugSection>,
    /// Size of `.symtab` plus its string table, when present.
    pub symtab_bytes: Option<u64>,
    pub debuglink: Option<String>,
    pub build_id: Option<String>,
    /// A separate debug file (`objcopy --only-keep-debug`): debug sections, no loadable bytes.
    pub separate_debug_file: bool,
}

impl DebugInfo {
    pub fn debug_bytes(&self) -> u64 {
        self.sections
            .iter()
            .fold(0u64, |total, s| total.saturating_add(s.file_size))
    }
}

/// Everything the checks need to know about one file, read once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binary {
    pub format: Format,
    /// `None` when the format's machine field is one we cannot name.
    pub arch: Option<Arch>,
    /// Architectures of the slices of a fat Mach-O file.
    pub fat_arches: Vec<String>,
    pub kind: FileKind,
    pub abi: AbiFlags,
    pub interpreter: Option<String>,
    pub needed: Vec<String>,
    pub soname: Option<String>,
    pub rpath: Vec<String>,
    pub runpath: Vec<String>,
    pub version_needs: Vec<VersionNeed>,
    /// Version definitions of a shared library (without the base entry that repeats the soname).
    pub version_defs: Vec<String>,
    /// Undefined dynamic symbols bound STB_GLOBAL (what the file imports and cannot run
    /// without), sorted. Weak references are left out: glibc's loader binds a missing one to 0
    /// without an error (`_dl_lookup_symbol_x`), so a policy's forbidden symbol imported
    /// weakly is a fallback the program checks, not a failure (auditwheel skips them too,
    /// pypa/auditwheel#665).
    pub strong_imports: Vec<String>,
    /// DF_1_NODEFLIB: the loader skips its cache and default directories for this file's needs.
    pub no_default_lib: bool,
    /// A PE file with a CLI header: a .NET/Mono assembly, run by its runtime, not by the kernel.
    pub managed: Option<Managed>,
    pub debug: DebugInfo,
    /// Soname-like strings (`libfoo.so.1`, `libicuuc.so.`) in the read-only data of a file that
    /// imports `dlopen`: names it may load at run time, which no DT_NEEDED lists.
    pub dlopen_names: Vec<String>,
    /// What the kernel and the loader check before it runs, beyond its needs (ELF only).
    pub run: RunFacts,
}

/// What the kernel and the loader check in an ELF file before it runs, and the hardening a
/// release sign-off asks about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFacts {
    /// PT_GNU_STACK asks for an executable stack; `None`: no PT_GNU_STACK at all.
    pub exec_stack: Option<bool>,
    /// NT_GNU_ABI_TAG: the oldest Linux kernel the file says it runs on (`[3, 2, 0]`).
    pub abi_kernel: Option<[u32; 3]>,
    /// GNU_PROPERTY_X86_ISA_1_NEEDED: bit 0 x86-64 baseline, 1 v2, 2 v3, 3 v4.
    pub x86_isa_needed: Option<u32>,
    /// GNU_PROPERTY_X86_FEATURE_1_AND: bit 0 IBT, bit 1 SHSTK.
    pub x86_features: Option<u32>,
    /// GNU_PROPERTY_AARCH64_FEATURE_1_AND: bit 0 BTI, bit 1 PAC.
    pub aarch64_features: Option<u32>,
    /// The smallest `p_align` of the PT_LOAD segments: the largest page size it can be mapped
    /// with.
    pub load_align: Option<u64>,
    /// DF_STATIC_TLS: initial-exec TLS, which a dlopened library takes from the static TLS block.
    pub static_tls: bool,
    /// PT_TLS `p_memsz`.
    pub tls_size: Option<u64>,
    /// PT_GNU_RELRO.
    pub relro: bool,
    /// DT_BIND_NOW, DF_BIND_NOW or DF_1_NOW: every symbol bound at start (full RELRO with
    /// `relro`).
    pub bind_now: bool,
    /// It defines `__stack_chk_fail`/`__stack_chk_guard` itself (the C library, a sanitizer):
    /// its own protected functions import nothing to tell by.
    pub defines_stack_chk: bool,
    /// It defines fortified functions (`__*_chk`) itself (the C library, a sanitizer).
    pub defines_chk: bool,
}

impl RunFacts {
    /// The highest x86-64 level the ISA note says the file needs (1 = baseline … 4 = v4).
    pub fn x86_level_needed(&self) -> Option<u8> {
        let bits = self.x86_isa_needed?;
        (0..4u8)
            .rev()
            .find(|bit| bits & (1 << bit) != 0)
            .map(|bit| bit + 1)
    }
}

/// Where a .NET assembly runs, from its CLI header and PE header (`dotnet build
/// -p:PlatformTarget=AnyCPU` writes a PE32 i386 IL-only file; `x64` and `ARM64` write PE32+ for
/// that machine; `x86` sets 32BITREQUIRED).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagedPlatform {
    /// Wherever its runtime runs.
    Any,
    /// Only on this architecture.
    Only(Arch),
    /// Mixed-mode (C++/CLI): native Windows code inside.
    MixedMode,
}

impl DynamicSymbols {
    /// Hands every symbol to `visit` as [`visit_dynamic_symbols`] would; returns `versioned`.
    pub fn visit(&self, visit: &mut dyn FnMut(SymbolRef<'_>)) -> bool {
        for symbol in &self.defined {
            visit(SymbolRef {
                name: &symbol.name,
                version: symbol.version.as_deref(),
                library: None,
                defined: true,
                weak: false,
                hidden: symbol.hidden,
            });
        }
        for symbol in &self.undefined {
            visit(SymbolRef {
                name: &symbol.name,
                version: symbol.version.as_deref(),
                library: symbol.library.as_deref(),
                defined: false,
                weak: symbol.weak,
                hidden: false,
            });
        }
        self.versioned
    }
}

impl Binary {
    /// For a .NET assembly, where it runs; `None` for native code.
    pub fn managed_platform(&self) -> Option<ManagedPlatform> {
        let managed = self.managed?;
        let arch = self.arch?;
        Some(if !managed.il_only {
            ManagedPlatform::MixedMode
        } else if arch.bits == 64 || managed.requires_32bit {
            ManagedPlatform::Only(arch)
        } else {
            ManagedPlatform::Any
        })
    }
}

/// What the CLI header of a .NET assembly says about where it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Managed {
    /// COMIMAGE_FLAGS_ILONLY: no native code. Without it the assembly is mixed-mode (C++/CLI):
    /// native Windows code that no Linux runtime loads.
    pub il_only: bool,
    /// COMIMAGE_FLAGS_32BITREQUIRED: built for x86 only.
    pub requires_32bit: bool,
}

/// An ELF file's dynamic symbols with their versions: what it defines for others and what it
/// needs from them (glibc `do_lookup_x`/`check_match` match the two).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DynamicSymbols {
    /// The file has a `.gnu.version` table (without one, any version matches its definitions).
    pub versioned: bool,
    pub defined: Vec<DefinedSymbol>,
    pub undefined: Vec<UndefinedSymbol>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinedSymbol {
    pub name: String,
    /// The version definition it belongs to (`None`: unversioned global).
    pub version: Option<String>,
    /// A non-default version (`name@VER`, not `name@@VER`): unversioned references skip it.
    pub hidden: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndefinedSymbol {
    pub name: String,
    /// The version needed and the library the need names (`vn_file`).
    pub version: Option<String>,
    pub library: Option<String>,
    /// STB_WEAK: an unresolved weak reference is not an error.
    pub weak: bool,
}

/// One dynamic symbol as the file stores it, borrowed while the file is read.
#[derive(Debug, Clone, Copy)]
pub struct SymbolRef<'a> {
    pub name: &'a str,
    /// Defined: its version definition; undefined: the version it needs.
    pub version: Option<&'a str>,
    /// Undefined: the library the version need names (`vn_file`).
    pub library: Option<&'a str>,
    pub defined: bool,
    pub weak: bool,
    /// A non-default version (`name@VER`).
    pub hidden: bool,
}

/// Hands every dynamic symbol of the ELF file at `path` to `visit` (read on demand: the model
/// kept from the first read does not hold them). Returns whether the file has version tables.
pub fn visit_dynamic_symbols(
    path: &Path,
    visit: &mut dyn FnMut(SymbolRef<'_>),
) -> Result<bool, ReadError> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(malformed("ELF", "not a regular file"));
    }
    // SAFETY: as in `read_path`: a read-only private map; a concurrent truncation may SIGBUS.
    let map = unsafe { memmap2::Mmap::map(&file)? };
    visit_dynamic_symbols_in(&map, visit)
}

/// [`visit_dynamic_symbols`] of an ELF file already in memory (a member of an archive).
pub fn visit_dynamic_symbols_in(
    data: &[u8],
    visit: &mut dyn FnMut(SymbolRef<'_>),
) -> Result<bool, ReadError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        elf::visit_dynamic_symbols(data, visit)
    }))
    .unwrap_or_else(|_| Err(malformed("ELF", "the parser failed on this input")))
}

/// [`visit_dynamic_symbols`], collected.
pub fn read_dynamic_symbols(path: &Path) -> Result<DynamicSymbols, ReadError> {
    collect_dynamic_symbols(&mut |visit| visit_dynamic_symbols(path, visit))
}

/// [`visit_dynamic_symbols_in`], collected: what an archive keeps of an object file instead of
/// its bytes (the symbol tables are a small part of a library).
pub fn read_dynamic_symbols_in(data: &[u8]) -> Result<DynamicSymbols, ReadError> {
    collect_dynamic_symbols(&mut |visit| visit_dynamic_symbols_in(data, visit))
}

type SymbolVisitor<'a> = dyn FnMut(SymbolRef<'_>) + 'a;

fn collect_dynamic_symbols(
    read: &mut dyn FnMut(&mut SymbolVisitor<'_>) -> Result<bool, ReadError>,
) -> Result<DynamicSymbols, ReadError> {
    let mut symbols = DynamicSymbols::default();
    symbols.versioned = read(&mut |symbol| {
        if symbol.defined {
            symbols.defined.push(DefinedSymbol {
                name: symbol.name.to_string(),
                version: symbol.version.map(str::to_string),
                hidden: symbol.hidden,
            });
        } else {
            symbols.undefined.push(UndefinedSymbol {
                name: symbol.name.to_string(),
                version: symbol.version.map(str::to_string),
                library: symbol.library.map(str::to_string),
                weak: symbol.weak,
            });
        }
    })?;
    Ok(symbols)
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("malformed {format}: {reason}")]
    Malformed {
        format: &'static str,
        reason: String,
    },
}

/// What a file turned out to be.
#[derive(Debug)]
pub enum Sniffed {
    Binary(Box<Binary>),
    /// Not an object file we know (a script, a text file, an image...).
    NotBinary,
}

/// Reads the file at `path`: sniffs its magic with a small read, then memory-maps it only if it
/// is an object file, so a tree of data files costs one small read each.
pub fn read_path(path: &Path) -> Result<Sniffed, ReadError> {
    read_path_or_head(path, &mut |_| {})
}

/// [`read_path`], handing the first bytes (up to 512) of a file that is not an object file to
/// `other` (discovery recognises archives by them without opening the file again).
pub fn read_path_or_head(path: &Path, other: &mut dyn FnMut(&[u8])) -> Result<Sniffed, ReadError> {
    // Discovery never hands us a FIFO, but a file can be swapped for one between the walk and
    // this open; a blocking open of a FIFO waits forever for a writer. O_NONBLOCK makes that
    // open return at once and changes nothing for regular files.
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    // Discovery already knows this is a regular file, so the common case (not an object file)
    // costs open, one small read and close; the stat comes only for object files.
    let mut head = [0u8; 512];
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    if sniff(&head[..filled]).is_none() {
        other(&head[..filled]);
        return Ok(Sniffed::NotBinary);
    }
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Ok(Sniffed::NotBinary);
    }
    if metadata.len() <= READ_WHOLE_BELOW {
        // Small files: one read beats mapping and unmapping.
        let mut data = Vec::with_capacity(metadata.len() as usize);
        data.extend_from_slice(&head[..filled]);
        file.take(READ_WHOLE_BELOW).read_to_end(&mut data)?;
        return parse_guarded(&data);
    }
    // SAFETY: the map is read-only and private. If another process truncates the file while we
    // read it we may get SIGBUS; a checker of release artefacts accepts that risk for the speed
    // of touching only the pages it needs.
    let map = unsafe { memmap2::Mmap::map(&file)? };
    parse_guarded(&map)
}

/// Whether the first bytes of a file are those of an object file we read.
pub fn is_object(head: &[u8]) -> bool {
    sniff(head).is_some()
}

/// Reads an object file already in memory (a member of an archive); a parser panic is this
/// file's error.
pub fn read_bytes(data: &[u8]) -> Result<Sniffed, ReadError> {
    parse_guarded(data)
}

/// Files up to this size are read whole instead of memory-mapped.
const READ_WHOLE_BELOW: u64 = 256 * 1024;

/// [`parse`], with a panic in a parser turned into this file's error: one hostile file must
/// not take the whole run down (fuzzing found none; this is the seat belt).
fn parse_guarded(data: &[u8]) -> Result<Sniffed, ReadError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse(data))).unwrap_or_else(|_| {
        Err(malformed(
            "object file",
            "the parser failed on this input (an internal error: please report it with the file)",
        ))
    })
}

/// Parses bytes already in memory.
pub fn parse(data: &[u8]) -> Result<Sniffed, ReadError> {
    match sniff(data) {
        Some(Format::Elf) => elf::read(data).map(|b| Sniffed::Binary(Box::new(b))),
        Some(format) => foreign::read(data, format).map(|b| Sniffed::Binary(Box::new(b))),
        None => Ok(Sniffed::NotBinary),
    }
}

/// Recognises a format from the first bytes. Java class files share Mach-O fat's magic; they
/// are told apart by the architecture count (a class file's version puts it at 45 or more).
fn sniff(head: &[u8]) -> Option<Format> {
    match head {
        [0x7f, b'E', b'L', b'F', ..] => Some(Format::Elf),
        [b'M', b'Z', ..] => Some(Format::Pe),
        [0xfe, 0xed, 0xfa, 0xce | 0xcf, ..] | [0xce | 0xcf, 0xfa, 0xed, 0xfe, ..] => {
            Some(Format::MachO)
        }
        [0xca, 0xfe, 0xba, 0xbe | 0xbf, a, b, c, d, ..] => {
            let count = u32::from_be_bytes([*a, *b, *c, *d]);
            (count > 0 && count < 20).then_some(Format::MachOFat)
        }
        _ => None,
    }
}

fn malformed(format: &'static str, reason: impl ToString) -> ReadError {
    ReadError::Malformed {
        format,
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic_numbers() {
        assert_eq!(sniff(b"\x7fELF\x02\x01\x01\x00"), Some(Format::Elf));
        assert_eq!(sniff(b"MZ\x90\x00"), Some(Format::Pe));
        assert_eq!(
            sniff(&[0xcf, 0xfa, 0xed, 0xfe, 0, 0, 0, 0]),
            Some(Format::MachO)
        );
        assert_eq!(
            sniff(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]),
            Some(Format::MachOFat)
        );
        // A Java class file, version 52.0.
        assert_eq!(sniff(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52]), None);
        assert_eq!(sniff(b"#!/bin/sh"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn truncated_elf_is_an_error_not_a_panic() {
        let result = parse(b"\x7fELF\x02\x01\x01\x00\x00\x00");
        assert!(
            matches!(result, Err(ReadError::Malformed { .. })),
            "{result:?}"
        );
    }
}
