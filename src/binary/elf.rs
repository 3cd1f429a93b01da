//! ELF: goblin reads the dynamic-linking facts (interpreter, dynamic section, dynamic symbols and
//! the GNU version sections); object reads the section table (debug sections, build-id,
//! `.gnu_debuglink`).

use super::{
    AbiFlags, Binary, DebugInfo, DebugSection, FileKind, Format, NeededVersion, ReadError,
    SymbolRef, VersionNeed, malformed,
};
use crate::arch::{Arch, Endian, FloatAbi, Machine};
use goblin::container::{self, Container};
use goblin::elf::{Elf, Sym, dynamic, header, program_header, section_header, symver};
use object::{Endian as _, Endianness, Object, ObjectSection};
use std::collections::BTreeMap;

const VER_FLG_BASE: u16 = 0x1;
const VER_FLG_WEAK: u16 = 0x2;
const VERSYM_VERSION: u16 = 0x7fff;
const EF_ARM_ABI_FLOAT_SOFT: u32 = 0x200;
const EF_ARM_ABI_FLOAT_HARD: u32 = 0x400;
const EF_RISCV_FLOAT_ABI: u32 = 0x6;
const EF_LARCH_ABI_MODIFIER_MASK: u32 = 0x7;
const SHN_UNDEF: usize = 0;

pub(super) fn read(data: &[u8]) -> Result<Binary, ReadError> {
    let mut elf = parse_lazily(data)?;
    version_tables_from_dynamic(&mut elf, data)?;
    let arch = arch_of(&elf);
    let abi = abi_flags(&elf);
    let interpreter = interpreter(&elf, data)?;
    let kind = kind_of(&elf, interpreter.is_some());
    let (mut version_needs, need_index) = version_needs(&elf, data.len())?;
    let version_defs = version_defs(&elf, data.len())?;
    let debug = debug_info(data);
    let needed = dynamic_strings(&elf, dynamic::DT_NEEDED)?;
    let soname = dynamic_strings(&elf, dynamic::DT_SONAME)?.pop();
    let symbols = SymbolScan::of(&elf, data, &need_index, &mut version_needs);
    let dlopen_names = if symbols.imports_dlopen {
        dlopen_names(&elf, data, &needed, soname.as_deref())
    } else {
        Vec::new()
    };
    let mut run = super::run_facts::read(&elf, data);
    run.defines_stack_chk = symbols.defines_stack_chk;
    run.defines_chk = symbols.defines_chk;
    Ok(Binary {
        format: Format::Elf,
        arch,
        fat_arches: Vec::new(),
        kind,
        abi,
        interpreter,
        needed,
        soname,
        rpath: split_paths(&dynamic_strings(&elf, dynamic::DT_RPATH)?),
        runpath: split_paths(&dynamic_strings(&elf, dynamic::DT_RUNPATH)?),
        version_needs,
        version_defs,
        strong_imports: symbols.strong_imports,
        no_default_lib: elf
            .dynamic
            .as_ref()
            .is_some_and(|d| d.info.flags_1 & dynamic::DF_1_NODEFLIB != 0),
        managed: None,
        debug,
        dlopen_names,
        run,
    })
}

/// Every dynamic symbol with its version, handed to `visit` as borrowed strings (a large C++
/// library has 100,000 of them; the undefined-symbol check keeps only fingerprints). Returns
/// whether the file has a `.gnu.version` table.
pub(super) fn visit_dynamic_symbols(
    data: &[u8],
    visit: &mut dyn FnMut(SymbolRef<'_>),
) -> Result<bool, ReadError> {
    let mut elf = parse_lazily(data)?;
    version_tables_from_dynamic(&mut elf, data)?;
    let mut budget = entry_budget(&elf, section_header::SHT_GNU_VERDEF, data.len());
    let mut defined_versions: BTreeMap<u16, &str> = BTreeMap::new();
    if let Some(verdef) = &elf.verdef {
        for def in verdef.iter() {
            budget = budget
                .checked_sub(1)
                .ok_or_else(|| too_many(".gnu.version_d"))?;
            if let Some(aux) = def.iter().next() {
                let name = dynstr(&elf, aux.vda_name, "version definition (vda_name)")?;
                defined_versions.insert(def.vd_ndx & VERSYM_VERSION, name);
            }
        }
    }
    let mut budget = entry_budget(&elf, section_header::SHT_GNU_VERNEED, data.len());
    let mut needed_versions: BTreeMap<u16, (&str, &str)> = BTreeMap::new();
    if let Some(verneed) = &elf.verneed {
        for need in verneed.iter() {
            let library = dynstr(&elf, need.vn_file, "version need (vn_file)")?;
            for aux in need.iter() {
                budget = budget
                    .checked_sub(1)
                    .ok_or_else(|| too_many(".gnu.version_r"))?;
                let name = dynstr(&elf, aux.vna_name, "version need (vna_name)")?;
                needed_versions.insert(aux.vna_other & VERSYM_VERSION, (library, name));
            }
        }
    }
    for (index, sym) in RawSymbols::of(&elf, data).iter().enumerate().skip(1) {
        let Some(name) = dynstr_at(&elf, sym.st_name).filter(|n| !n.is_empty()) else {
            continue;
        };
        let versym = elf.versym.as_ref().and_then(|v| v.get_at(index));
        let version_index = versym.as_ref().map(|v| v.vs_val & VERSYM_VERSION);
        let bind = goblin::elf::sym::st_bind(sym.st_info);
        if usize::from(sym.st_shndx) == SHN_UNDEF {
            let needed = version_index.and_then(|i| needed_versions.get(&i));
            visit(SymbolRef {
                name,
                version: needed.map(|(_, version)| *version),
                library: needed.map(|(library, _)| *library),
                defined: false,
                weak: bind == goblin::elf::sym::STB_WEAK,
                hidden: false,
            });
        } else if bind != goblin::elf::sym::STB_LOCAL
            && goblin::elf::sym::st_type(sym.st_info) != goblin::elf::sym::STT_SECTION
            && version_index != Some(0)
        {
            visit(SymbolRef {
                name,
                version: version_index.and_then(|i| defined_versions.get(&i).copied()),
                library: None,
                defined: true,
                weak: bind == goblin::elf::sym::STB_WEAK,
                hidden: versym.as_ref().is_some_and(|v| v.is_hidden()),
            });
        }
    }
    Ok(elf.versym.is_some())
}

/// What one walk of the dynamic symbols tells (goblin decodes each symbol again on every walk,
/// and a large C++ library has 100,000 of them).
struct SymbolScan {
    /// Names of the undefined, non-weak dynamic symbols, sorted, without repeats.
    strong_imports: Vec<String>,
    /// Imports `dlopen` or `dlmopen` (weakly too: since glibc 2.34 dlopen lives in libc.so.6,
    /// so a `#pragma weak dlopen` reference is bound whenever libc is loaded).
    imports_dlopen: bool,
    /// Defines `__stack_chk_fail`/`__stack_chk_guard` itself.
    defines_stack_chk: bool,
    /// Defines a `__*_chk` function itself.
    defines_chk: bool,
}

impl SymbolScan {
    /// Also files each undefined symbol under the version it needs (`need_index`: version
    /// index → positions in `needs`), as `.gnu.version` says.
    fn of(elf: &Elf, data: &[u8], need_index: &NeedIndex, needs: &mut [VersionNeed]) -> SymbolScan {
        let mut scan = SymbolScan {
            strong_imports: Vec::new(),
            imports_dlopen: false,
            defines_stack_chk: false,
            defines_chk: false,
        };
        let strings = dynstr_bytes(elf, data);
        // The first entry is the null symbol.
        for (index, sym) in RawSymbols::of(elf, data).iter().enumerate().skip(1) {
            if usize::from(sym.st_shndx) != SHN_UNDEF {
                // Most symbols of a library are definitions: only the names of the checks
                // below are made strings.
                let name = strings.get(sym.st_name..).unwrap_or_default();
                if !name.starts_with(b"__") {
                    continue;
                }
                let name = &name[..memchr::memchr(0, name).unwrap_or(name.len())];
                // `__stack_chk_fail` and `__stack_chk_guard` start with `__` too.
                let hardening = name.ends_with(b"_chk")
                    || name == b"__stack_chk_fail"
                    || name == b"__stack_chk_guard";
                let Some(name) = hardening.then(|| dynstr_at(elf, sym.st_name)).flatten() else {
                    continue;
                };
                if name == "__stack_chk_fail" || name == "__stack_chk_guard" {
                    scan.defines_stack_chk = true;
                } else if name.starts_with("__") && name.ends_with("_chk") {
                    scan.defines_chk = true;
                }
                continue;
            }
            let Some(name) = dynstr_at(elf, sym.st_name).filter(|n| !n.is_empty()) else {
                continue;
            };
            let version = elf.versym.as_ref().and_then(|v| v.get_at(index));
            if let Some(&(lib, ver)) =
                version.and_then(|v| need_index.get(&(v.vs_val & VERSYM_VERSION)))
            {
                needs[lib].versions[ver].symbols.push(name.to_string());
            }
            scan.imports_dlopen |= name == "dlopen" || name == "dlmopen";
            if goblin::elf::sym::st_bind(sym.st_info) != goblin::elf::sym::STB_WEAK {
                scan.strong_imports.push(name.to_string());
            }
        }
        scan.strong_imports.sort();
        scan.strong_imports.dedup();
        for version in needs.iter_mut().flat_map(|need| &mut need.versions) {
            version.symbols.sort();
            version.symbols.dedup();
        }
        scan
    }
}

/// At most this many names are kept per file: a program that names more libraries than this is a
/// plugin host whose list no one reads whole.
const DLOPEN_NAMES_MAX: usize = 64;
/// Longer strings are not names (glibc's own NAME_MAX is 255).
const DLOPEN_NAME_LEN_MAX: usize = 255;
/// Read-only data read per file, at most: the largest `.rodata` of a Debian 12 file that
/// imports dlopen is far below this.
const DLOPEN_SCAN_BYTES_MAX: usize = 64 << 20;

/// Soname-like strings (`libfoo.so.1`, `libfoo.so`, and the forms programs build names from:
/// `libicuuc.so.`, `libfoo.so.%d`) in the read-only data of a file that imports `dlopen` or
/// `dlmopen`, sorted, without repeats, without the file's own soname and DT_NEEDED names. (Sorted
/// rather than in file order: the order compilers lay strings out in means nothing.)
///
/// Called only for such files ([`SymbolScan::imports_dlopen`]; weak imports count).
///
/// Only whole NUL-terminated strings are names: a C string literal handed to dlopen is one, while
/// a name inside a sentence ("cannot load libfoo.so.1: %s") is a message. (So the strings of
/// Rust and Go programs, which are not NUL-terminated, give no names.) The strings live in the
/// allocated, read-only, non-executable `.rodata` sections (`.rodata`, `.rodata.str1.1`, ...).
/// `.data.rel.ro` holds the pointers of name tables, not their bytes; `.dynstr` holds the
/// DT_NEEDED names and symbol names, never a dlopen argument. A file without a section table
/// (`sstrip`) gives no names.
fn dlopen_names(elf: &Elf, data: &[u8], needed: &[String], soname: Option<&str>) -> Vec<String> {
    let section_names = elf
        .section_headers
        .get(usize::from(elf.header.e_shstrndx))
        .and_then(|sh| section_bytes(data, sh))
        .unwrap_or_default();
    let mut budget = DLOPEN_SCAN_BYTES_MAX;
    let mut names: Vec<String> = Vec::new();
    for sh in &elf.section_headers {
        let flags = sh.sh_flags;
        if sh.sh_type != section_header::SHT_PROGBITS
            || flags & u64::from(section_header::SHF_ALLOC) == 0
            || flags & u64::from(section_header::SHF_WRITE | section_header::SHF_EXECINSTR) != 0
        {
            continue;
        }
        let name = c_string_at(section_names, sh.sh_name);
        if !name.is_some_and(|n| n == b".rodata" || n.starts_with(b".rodata.")) {
            continue;
        }
        let Some(bytes) = section_bytes(data, sh) else {
            continue;
        };
        let bytes = &bytes[..bytes.len().min(budget)];
        budget -= bytes.len();
        for string in library_strings(bytes) {
            let Some(name) = soname_like(string) else {
                continue;
            };
            if soname == Some(name)
                || needed.iter().any(|n| n == name)
                || names.iter().any(|n| n == name)
            {
                continue;
            }
            names.push(name.to_string());
            if names.len() == DLOPEN_NAMES_MAX {
                budget = 0;
                break;
            }
        }
        if budget == 0 {
            break;
        }
    }
    names.sort();
    names
}

/// The bytes of a section that lie in the file (none for SHT_NOBITS or a header pointing past
/// the end).
fn section_bytes<'a>(data: &'a [u8], sh: &section_header::SectionHeader) -> Option<&'a [u8]> {
    if sh.sh_type == section_header::SHT_NOBITS {
        return None;
    }
    let start = usize::try_from(sh.sh_offset).ok()?;
    let size = usize::try_from(sh.sh_size).ok()?;
    data.get(start..start.checked_add(size)?)
}

/// The NUL-terminated string at `at` in a string table (at most a name's length).
fn c_string_at(table: &[u8], at: usize) -> Option<&[u8]> {
    let rest = table.get(at..)?;
    let rest = &rest[..rest.len().min(DLOPEN_NAME_LEN_MAX + 1)];
    let end = rest.iter().position(|&b| b == 0)?;
    Some(&rest[..end])
}

/// `string` as a library name if it is one: `lib<stem>.so` and any number of `.<version>` parts,
/// where a part is digits or a printf conversion (`%d`), and a trailing `.` ends a prefix the
/// program completes at run time (`libicuuc.so.`). The stem is letters, digits and `_+-.`, or
/// a conversion (`lib%s.so`).
///
/// A string with a `/` is not kept. Measured on Debian 12 packages (tests/oracle/
/// dlopen-candidates.md), such strings were mostly not names: ends of paths a program joins to a
/// directory it finds at run time (OpenJDK's `/libjvm.so`, `/hotspot/libjvm.so`), a library's
/// path to itself (libnss_systemd), binutils' default interpreter of old targets
/// (`/usr/lib/libc.so.1`); and dlopen looks an absolute path up as it is, never by the search
/// that makes a soname shipped or provided.
fn soname_like(string: &[u8]) -> Option<&str> {
    if string.len() < "libx.so".len() || string.len() > DLOPEN_NAME_LEN_MAX {
        return None;
    }
    let rest = string.strip_prefix(b"lib")?;
    // Every `.so` that could end the stem: what follows is nothing or version parts.
    let mut from = 0;
    while let Some(found) = find(&rest[from..], b".so") {
        let at = from + found;
        let (stem, version) = (&rest[..at], &rest[at + 3..]);
        if !stem.is_empty() && valid_stem(stem) && valid_version(version) {
            return std::str::from_utf8(string).ok();
        }
        from = at + 1;
    }
    None
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-' | b'.')
}

fn valid_stem(stem: &[u8]) -> bool {
    let mut at = 0;
    while at < stem.len() {
        match printf_conversion(&stem[at..]) {
            Some(len) => at += len,
            None if is_name_byte(stem[at]) => at += 1,
            None => return false,
        }
    }
    true
}

/// `.1.2`, `.`, `.1.`, `.%d` or nothing.
fn valid_version(version: &[u8]) -> bool {
    let Some(parts) = version.strip_prefix(b".") else {
        return version.is_empty();
    };
    let mut parts = parts.split(|&b| b == b'.').peekable();
    while let Some(part) = parts.next() {
        let last = parts.peek().is_none();
        let ok = (part.is_empty() && last)
            || (!part.is_empty() && part.iter().all(u8::is_ascii_digit))
            || printf_conversion(part) == Some(part.len());
        if !ok {
            return false;
        }
    }
    true
}

/// The length of the printf conversion (`%d`, `%s`, `%lu`, `%02d` ...) that `bytes` starts with.
fn printf_conversion(bytes: &[u8]) -> Option<usize> {
    let rest = bytes.strip_prefix(b"%")?;
    let spec = rest
        .iter()
        .position(|b| !(b.is_ascii_digit() || matches!(b, b'l' | b'z' | b'h')))?;
    matches!(rest[spec], b'd' | b'i' | b'u' | b's' | b'x').then_some(spec + 2)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The NUL-terminated strings of `bytes` that contain `.so` (at most a name's length each).
/// A whole `.rodata` is tens of megabytes in large programs (node, libLLVM), so the bytes are
/// searched for `.so` with SIMD and only the strings around a match are looked at. Every
/// byte is looked at a bounded number of times whatever the bytes: after a match the search
/// goes on past the end of its string, so no string is looked at twice.
fn library_strings(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let next_nul = |at: usize| {
        bytes
            .get(at..)
            .and_then(|rest| rest.iter().position(|&b| b == 0))
            .map_or(bytes.len(), |nul| at + nul)
    };
    let mut from = 0;
    std::iter::from_fn(move || {
        loop {
            let dot = from + find_dot_so(bytes.get(from..)?)?;
            let window = dot.saturating_sub(DLOPEN_NAME_LEN_MAX);
            let start = match bytes[window..dot].iter().rposition(|&b| b == 0) {
                Some(nul) => window + nul + 1,
                None if dot <= DLOPEN_NAME_LEN_MAX => 0,
                // Longer than a name: on to the next string.
                None => {
                    from = next_nul(dot) + 1;
                    continue;
                }
            };
            let end = next_nul(dot);
            from = end + 1;
            if end - start <= DLOPEN_NAME_LEN_MAX {
                return Some(&bytes[start..end]);
            }
        }
    })
}

/// The offset of the first `.so` in `bytes` (memchr's SIMD substring search).
fn find_dot_so(bytes: &[u8]) -> Option<usize> {
    static DOT_SO: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(".so"));
    DOT_SO.find(bytes)
}

/// Parses only what the checks read: headers, the dynamic section with `.dynstr`, the dynamic
/// symbols and the version tables. `Elf::parse` would also split `.strtab` and `.shstrtab` into
/// vectors and walk every relocation: on an unstripped multi-GB binary that touches hundreds of
/// megabytes that nothing here looks at (section sizes come from the section table via object).
fn parse_lazily(data: &[u8]) -> Result<Elf<'_>, ReadError> {
    let bad = |e: goblin::error::Error| malformed("ELF", e);
    let header = Elf::parse_header(data).map_err(bad)?;
    let mut elf = Elf::lazy_parse(header).map_err(bad)?;
    let ctx = ctx_of(&elf);
    elf.program_headers = program_header::ProgramHeader::parse(
        data,
        usize::try_from(header.e_phoff).unwrap_or(usize::MAX),
        usize::from(header.e_phnum),
        ctx,
    )
    .map_err(bad)?;
    // The loader never reads section headers; a table that is missing or broken only costs the
    // facts that live there (and the version tables are also found through the dynamic section).
    elf.section_headers = if header.e_shoff == 0 {
        Vec::new()
    } else {
        section_header::SectionHeader::parse(
            data,
            usize::try_from(header.e_shoff).unwrap_or(usize::MAX),
            usize::from(header.e_shnum),
            ctx,
        )
        .unwrap_or_default()
    };
    elf.dynamic = dynamic::Dynamic::parse(data, &elf.program_headers, ctx).map_err(bad)?;
    if let Some(dynamic) = &elf.dynamic {
        let info = &dynamic.info;
        // Left unsplit: strings are read one at a time where they are needed (dynstr_at).
        let table = info
            .strtab
            .checked_add(info.strsz)
            .and_then(|end| data.get(info.strtab..end))
            .ok_or_else(|| malformed("ELF", "DT_STRTAB/DT_STRSZ lie outside the file"))?;
        elf.dynstrtab = goblin::strtab::Strtab::new(table, 0);
        let count = dynamic_symbol_count(&elf, data, ctx);
        elf.dynsyms = goblin::elf::Symtab::parse(data, info.symtab, count, ctx).map_err(bad)?;
    }
    let sections = &elf.section_headers;
    elf.versym = symver::VersymSection::parse(data, sections, ctx).unwrap_or(None);
    elf.verneed = symver::VerneedSection::parse(data, sections, ctx).unwrap_or(None);
    elf.verdef = symver::VerdefSection::parse(data, sections, ctx).unwrap_or(None);
    Ok(elf)
}

/// How many dynamic symbols there are: the `.dynsym` section's size when the section table
/// says, else the hash table's count (DT_HASH nchain, or the end of the DT_GNU_HASH chains),
/// never more than fit between the table and the end of the file.
fn dynamic_symbol_count(elf: &Elf, data: &[u8], ctx: container::Ctx) -> usize {
    let Some(dynamic) = &elf.dynamic else {
        return 0;
    };
    let info = &dynamic.info;
    let entry_size = if elf.is_64 { 24 } else { 16 };
    let fits = data.len().saturating_sub(info.symtab) / entry_size;
    let from_section = elf
        .section_headers
        .iter()
        .find(|sh| sh.sh_type == section_header::SHT_DYNSYM)
        .map(|sh| usize::try_from(sh.sh_size).unwrap_or(usize::MAX) / entry_size);
    let count = from_section
        .or_else(|| {
            info.hash
                .and_then(|offset| hash_nchain(data, offset, elf, ctx))
        })
        .or_else(|| {
            info.gnu_hash
                .and_then(|offset| gnu_hash_count(data, offset, ctx))
        })
        .unwrap_or(0);
    count.min(fits)
}

/// The file's word size and byte order, as goblin's readers take them.
fn ctx_of(elf: &Elf) -> container::Ctx {
    let container = if elf.is_64 {
        Container::Big
    } else {
        Container::Little
    };
    let endian = if elf.little_endian {
        container::Endian::Little
    } else {
        container::Endian::Big
    };
    container::Ctx::new(container, endian)
}

/// `N` bytes at `offset`, if the data has them.
fn bytes_at<const N: usize>(data: &[u8], offset: usize) -> Option<[u8; N]> {
    data.get(offset..offset.checked_add(N)?)?.try_into().ok()
}

/// The file's byte order, as object's readers take it.
fn endian_of(ctx: container::Ctx) -> Endianness {
    if ctx.le.is_little() {
        Endianness::Little
    } else {
        Endianness::Big
    }
}

fn read_u16(data: &[u8], offset: usize, ctx: container::Ctx) -> Option<u16> {
    Some(endian_of(ctx).read_u16(bytes_at(data, offset)?))
}

fn read_u32(data: &[u8], offset: usize, ctx: container::Ctx) -> Option<u32> {
    Some(endian_of(ctx).read_u32(bytes_at(data, offset)?))
}

/// DT_HASH: `nbucket, nchain, ...`; nchain is the number of symbols. (64-bit s390 uses 8-byte
/// entries there, as readelf knows.)
fn hash_nchain(data: &[u8], offset: u64, elf: &Elf, ctx: container::Ctx) -> Option<usize> {
    let offset = usize::try_from(offset).ok()?;
    if elf.is_64 && elf.header.e_machine == header::EM_S390 {
        let high = read_u32(data, offset.checked_add(8)?, ctx)?;
        let low = read_u32(data, offset.checked_add(12)?, ctx)?;
        let value = if ctx.le.is_little() {
            (u64::from(low) << 32) | u64::from(high)
        } else {
            (u64::from(high) << 32) | u64::from(low)
        };
        return usize::try_from(value).ok();
    }
    read_u32(data, offset.checked_add(4)?, ctx).map(|n| n as usize)
}

/// DT_GNU_HASH has no symbol count: it is one past the last symbol of the highest bucket's
/// chain (the entry whose low bit ends the chain). Every read is bounds-checked and the chain
/// walk stops at the end of the file.
fn gnu_hash_count(data: &[u8], offset: u64, ctx: container::Ctx) -> Option<usize> {
    let offset = usize::try_from(offset).ok()?;
    let buckets = read_u32(data, offset, ctx)? as usize;
    let symoffset = read_u32(data, offset.checked_add(4)?, ctx)? as usize;
    let bloom_size = read_u32(data, offset.checked_add(8)?, ctx)? as usize;
    let word = if ctx.container.is_big() { 8 } else { 4 };
    let buckets_at = offset
        .checked_add(16)?
        .checked_add(bloom_size.checked_mul(word)?)?;
    if buckets.checked_mul(4)? > data.len() {
        return None;
    }
    let mut last = 0usize;
    for bucket in 0..buckets {
        last = last.max(read_u32(data, buckets_at.checked_add(bucket * 4)?, ctx)? as usize);
    }
    if last < symoffset {
        return Some(symoffset);
    }
    let chains_at = buckets_at.checked_add(buckets * 4)?;
    let mut at = chains_at.checked_add((last - symoffset).checked_mul(4)?)?;
    loop {
        let hash = read_u32(data, at, ctx)?;
        last += 1;
        if hash & 1 != 0 {
            return Some(last);
        }
        at = at.checked_add(4)?;
    }
}

/// The dynamic symbol table read in place, only the fields the walks look at. (goblin's
/// `Symtab` decodes all six fields of every symbol through scroll on each access, which was a
/// tenth of a run's time on a tree of libraries with 100,000 symbols each.)
struct RawSymbols<'a> {
    table: &'a [u8],
    ctx: container::Ctx,
}

/// The fields of one symbol the walks use.
struct RawSymbol {
    st_name: usize,
    st_info: u8,
    st_shndx: u16,
}

impl<'a> RawSymbols<'a> {
    /// The table goblin's `Symtab::parse` already bounded (`parse_lazily`): DT_SYMTAB, with
    /// the count it was given.
    fn of(elf: &Elf, data: &'a [u8]) -> RawSymbols<'a> {
        let ctx = ctx_of(elf);
        let table = elf
            .dynamic
            .as_ref()
            .and_then(|dynamic| {
                let start = dynamic.info.symtab;
                let size = elf.dynsyms.len().checked_mul(Sym::size(ctx.container))?;
                data.get(start..start.checked_add(size)?)
            })
            .unwrap_or_default();
        RawSymbols { table, ctx }
    }

    /// Symbols by index, the null symbol (index 0) included.
    fn iter(&self) -> impl Iterator<Item = RawSymbol> + '_ {
        // Elf64_Sym: name, info, other, shndx, value, size; Elf32_Sym: name, value, size,
        // info, other, shndx.
        let (info_at, shndx_at) = if self.ctx.is_big() { (4, 6) } else { (12, 14) };
        self.table
            .chunks_exact(Sym::size(self.ctx.container))
            .map(move |entry| RawSymbol {
                st_name: read_u32(entry, 0, self.ctx).unwrap_or_default() as usize,
                st_info: entry[info_at],
                st_shndx: read_u16(entry, shndx_at, self.ctx).unwrap_or_default(),
            })
    }
}

/// The bytes of `.dynstr` (DT_STRTAB, DT_STRSZ), which `parse_lazily` checked lie in the file.
fn dynstr_bytes<'a>(elf: &Elf, data: &'a [u8]) -> &'a [u8] {
    elf.dynamic
        .as_ref()
        .and_then(|dynamic| {
            let info = &dynamic.info;
            data.get(info.strtab..info.strtab.checked_add(info.strsz)?)
        })
        .unwrap_or_default()
}

/// The `.dynstr` string at `offset` (which may point into the middle of another string, as
/// linkers share suffixes). Reading the table one string at a time instead of splitting it up
/// front saves megabytes of work on large libraries; an invalid string fails only where used.
#[allow(deprecated)] // `get` reads one string of an unsplit table, exactly what is wanted here.
pub(super) fn dynstr_at<'a>(elf: &Elf<'a>, offset: usize) -> Option<&'a str> {
    elf.dynstrtab.get(offset)?.ok()
}

/// PT_INTERP's path, up to its first NUL. goblin drops an interpreter that is not UTF-8, which
/// would make a dynamic executable look static, and keeps NUL padding (s390x libc.so.6 has
/// `/lib/ld64.so.1\0\0`); a PT_INTERP outside the file is an error. A separate debug file keeps
/// the segment with no bytes (p_filesz 0): no interpreter, as readelf says.
fn interpreter(elf: &Elf, data: &[u8]) -> Result<Option<String>, ReadError> {
    let Some(ph) = elf
        .program_headers
        .iter()
        .find(|ph| ph.p_type == program_header::PT_INTERP && ph.p_filesz != 0)
    else {
        return Ok(None);
    };
    let bytes = usize::try_from(ph.p_offset)
        .ok()
        .zip(usize::try_from(ph.p_filesz).ok())
        .and_then(|(start, len)| data.get(start..start.checked_add(len)?))
        .ok_or_else(|| malformed("ELF", "PT_INTERP lies outside the file"))?;
    let path = bytes.split(|&b| b == 0).next().unwrap_or_default();
    Ok(Some(String::from_utf8_lossy(path).into_owned()))
}

/// goblin finds the GNU version tables through section headers only, which `sstrip` and
/// careless tools remove while the loader keeps using them through DT_VERNEED, DT_VERDEF and
/// DT_VERSYM. Without this a file with stripped sections would look as if it needed no symbol
/// versions at all.
fn version_tables_from_dynamic<'a>(elf: &mut Elf<'a>, data: &'a [u8]) -> Result<(), ReadError> {
    let Some(dynamic) = &elf.dynamic else {
        return Ok(());
    };
    let tag = |wanted: u64| {
        dynamic
            .dyns
            .iter()
            .find(|d| d.d_tag == wanted)
            .map(|d| usize::try_from(d.d_val).unwrap_or(usize::MAX))
    };
    let info = &dynamic.info;
    let ctx = ctx_of(elf);
    // A stand-in section header covering the table up to the end of the file; the entry
    // budget and the readers' own bounds checks keep the walk inside it.
    let table = |sh_type: u32, offset: usize, what: &str| -> Result<_, ReadError> {
        if offset == 0 || offset >= data.len() {
            return Err(malformed(
                "ELF",
                format!("{what} points outside the file's loadable segments"),
            ));
        }
        Ok(section_header::SectionHeader {
            sh_type,
            sh_offset: offset as u64,
            sh_size: (data.len() - offset) as u64,
            ..Default::default()
        })
    };
    let unreadable = |what: &str, e: goblin::error::Error| malformed("ELF", format!("{what}: {e}"));
    let (mut verneed, mut verdef, mut versym) = (None, None, None);
    if elf.verneed.is_none()
        && let Some(count) =
            tag(dynamic::DT_VERNEEDNUM).filter(|_| tag(dynamic::DT_VERNEED).is_some())
    {
        let mut sh = table(
            section_header::SHT_GNU_VERNEED,
            info.verneed as usize,
            "DT_VERNEED",
        )?;
        sh.sh_info = u32::try_from(count).unwrap_or(u32::MAX);
        verneed = symver::VerneedSection::parse(data, &[sh], ctx)
            .map_err(|e| unreadable("DT_VERNEED", e))?;
    }
    if elf.verdef.is_none()
        && let Some(count) =
            tag(dynamic::DT_VERDEFNUM).filter(|_| tag(dynamic::DT_VERDEF).is_some())
    {
        let mut sh = table(
            section_header::SHT_GNU_VERDEF,
            info.verdef as usize,
            "DT_VERDEF",
        )?;
        sh.sh_info = u32::try_from(count).unwrap_or(u32::MAX);
        verdef = symver::VerdefSection::parse(data, &[sh], ctx)
            .map_err(|e| unreadable("DT_VERDEF", e))?;
    }
    if elf.versym.is_none() && tag(dynamic::DT_VERSYM).is_some() {
        let mut sh = table(
            section_header::SHT_GNU_VERSYM,
            info.versym as usize,
            "DT_VERSYM",
        )?;
        sh.sh_size = sh.sh_size.min(elf.dynsyms.len() as u64 * 2);
        versym = symver::VersymSection::parse(data, &[sh], ctx)
            .map_err(|e| unreadable("DT_VERSYM", e))?;
    }
    elf.verneed = elf.verneed.take().or(verneed);
    elf.verdef = elf.verdef.take().or(verdef);
    elf.versym = elf.versym.take().or(versym);
    Ok(())
}

/// A string from `.dynstr`. An offset that does not land on a string is an error, not a
/// placeholder or a silent omission: a dropped DT_NEEDED or version need would make a broken
/// file look clean.
fn dynstr<'a>(elf: &Elf<'a>, offset: usize, what: &str) -> Result<&'a str, ReadError> {
    dynstr_at(elf, offset).ok_or_else(|| {
        malformed(
            "ELF",
            format!("{what} names string offset {offset:#x}, outside the dynamic string table"),
        )
    })
}

/// The strings of every dynamic entry with this tag, in file order.
fn dynamic_strings(elf: &Elf, tag: u64) -> Result<Vec<String>, ReadError> {
    let Some(dynamic) = &elf.dynamic else {
        return Ok(Vec::new());
    };
    dynamic
        .dyns
        .iter()
        .filter(|d| d.d_tag == tag)
        .map(|d| {
            let offset = usize::try_from(d.d_val).unwrap_or(usize::MAX);
            dynstr(elf, offset, dynamic::tag_to_str(tag)).map(str::to_string)
        })
        .collect()
}

/// DT_RPATH/DT_RUNPATH values are colon-separated lists; an empty entry means the current
/// directory to the loader, so it is kept.
fn split_paths(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|value| value.split(':'))
        .map(str::to_string)
        .collect()
}

fn arch_of(elf: &Elf) -> Option<Arch> {
    let bits = if elf.is_64 { 64 } else { 32 };
    let endian = if elf.little_endian {
        Endian::Little
    } else {
        Endian::Big
    };
    let machine = Machine::from_elf(elf.header.e_machine);
    let flags = elf.header.e_flags;
    let float_abi = match machine {
        Machine::Arm if flags & EF_ARM_ABI_FLOAT_HARD != 0 => Some(FloatAbi::Hard),
        Machine::Arm if flags & EF_ARM_ABI_FLOAT_SOFT != 0 => Some(FloatAbi::Soft),
        Machine::RiscV => Some(match flags & EF_RISCV_FLOAT_ABI {
            0 => FloatAbi::Soft,
            2 => FloatAbi::Single,
            4 => FloatAbi::Double,
            _ => FloatAbi::Quad,
        }),
        Machine::LoongArch => match flags & EF_LARCH_ABI_MODIFIER_MASK {
            1 => Some(FloatAbi::Soft),
            2 => Some(FloatAbi::Single),
            3 => Some(FloatAbi::Double),
            _ => None,
        },
        _ => None,
    };
    Some(Arch {
        machine,
        bits,
        endian,
        float_abi,
    })
}

fn abi_flags(elf: &Elf) -> AbiFlags {
    let e_flags = elf.header.e_flags;
    AbiFlags {
        os_abi: elf.header.e_ident[header::EI_OSABI],
        e_flags,
        arm_eabi: (elf.header.e_machine == header::EM_ARM).then_some((e_flags >> 24) as u8),
        ppc64_abi: (elf.header.e_machine == header::EM_PPC64).then_some((e_flags & 0x3) as u8),
    }
}

/// DT_DEBUG: the slot the loader fills for debuggers, which linkers give executables only.
fn has_debug_slot(elf: &Elf) -> bool {
    elf.dynamic
        .as_ref()
        .is_some_and(|d| d.dyns.iter().any(|dyn_| dyn_.d_tag == dynamic::DT_DEBUG))
}

fn kind_of(elf: &Elf, has_interp: bool) -> FileKind {
    let flags_1 = elf.dynamic.as_ref().map_or(0, |d| d.info.flags_1);
    match elf.header.e_type {
        header::ET_EXEC if has_interp => FileKind::Executable,
        header::ET_EXEC => FileKind::StaticExecutable,
        // A PIE executable says so (DF_1_PIE) or, from older linkers, has the DT_DEBUG slot only
        // executables get; a library with PT_INTERP (glibc's libc.so.6, libcap) is a library
        // that can also be run.
        header::ET_DYN
            if has_interp && (flags_1 & dynamic::DF_1_PIE != 0 || has_debug_slot(elf)) =>
        {
            FileKind::PieExecutable
        }
        header::ET_DYN if has_interp => FileKind::SharedLibrary,
        header::ET_DYN if flags_1 & dynamic::DF_1_PIE != 0 => FileKind::StaticPieExecutable,
        header::ET_DYN => FileKind::SharedLibrary,
        header::ET_REL => FileKind::Relocatable,
        header::ET_CORE => FileKind::Core,
        _ => FileKind::Other,
    }
}

/// The most version entries a section of `size` bytes can hold without entries overlapping
/// (each is at least 8 bytes). Links are only checked to stay inside the section, so hostile
/// `vn_next`/`vna_next` values could otherwise revisit the same bytes for every one of
/// `sh_info` × `vn_cnt` entries.
fn entry_budget(elf: &Elf, sh_type: u32, data_len: usize) -> usize {
    elf.section_headers
        .iter()
        .filter(|sh| sh.sh_type == sh_type)
        .map(|sh| usize::try_from(sh.sh_size).unwrap_or(usize::MAX) / 8)
        .max()
        // Read through the dynamic section (no section header): the file bounds the table.
        .unwrap_or(data_len / 8)
}

fn too_many(section: &str) -> ReadError {
    malformed(
        "ELF",
        format!("{section} links more entries than the section can hold"),
    )
}

/// Every version need with the undefined dynamic symbols bound to it through `.gnu.version`.
/// Version index → (library position, version position) in the version needs.
type NeedIndex = BTreeMap<u16, (usize, usize)>;

/// The version needs of `.gnu.version_r`, without their symbols yet ([`SymbolScan::of`] files
/// them), and where each version index is among them.
fn version_needs(elf: &Elf, data_len: usize) -> Result<(Vec<VersionNeed>, NeedIndex), ReadError> {
    let mut by_index = NeedIndex::new();
    let Some(verneed) = &elf.verneed else {
        return Ok((Vec::new(), by_index));
    };
    let mut budget = entry_budget(elf, section_header::SHT_GNU_VERNEED, data_len);
    let mut needs: Vec<VersionNeed> = Vec::new();
    for need in verneed.iter() {
        budget = budget
            .checked_sub(1)
            .ok_or_else(|| too_many(".gnu.version_r"))?;
        let library = dynstr(elf, need.vn_file, "version need (vn_file)")?.to_string();
        let mut versions = Vec::new();
        for aux in need.iter() {
            budget = budget
                .checked_sub(1)
                .ok_or_else(|| too_many(".gnu.version_r"))?;
            let name = dynstr(elf, aux.vna_name, "version need (vna_name)")?.to_string();
            by_index.insert(
                aux.vna_other & VERSYM_VERSION,
                (needs.len(), versions.len()),
            );
            versions.push(NeededVersion {
                name,
                weak: aux.vna_flags & VER_FLG_WEAK != 0,
                symbols: Vec::new(),
            });
        }
        needs.push(VersionNeed { library, versions });
    }
    Ok((needs, by_index))
}

fn version_defs(elf: &Elf, data_len: usize) -> Result<Vec<String>, ReadError> {
    let Some(verdef) = &elf.verdef else {
        return Ok(Vec::new());
    };
    let mut budget = entry_budget(elf, section_header::SHT_GNU_VERDEF, data_len);
    let mut defs = Vec::new();
    for def in verdef.iter() {
        budget = budget
            .checked_sub(1)
            .ok_or_else(|| too_many(".gnu.version_d"))?;
        if def.vd_flags & VER_FLG_BASE != 0 {
            continue;
        }
        // The first auxiliary entry names the version; the others name its parents.
        if let Some(aux) = def.iter().next() {
            defs.push(dynstr(elf, aux.vda_name, "version definition (vda_name)")?.to_string());
        }
    }
    Ok(defs)
}

fn debug_info(data: &[u8]) -> DebugInfo {
    let Ok(file) = object::File::parse(data) else {
        return DebugInfo::default();
    };
    let mut info = DebugInfo::default();
    let mut symtab = None;
    let mut strtab = 0;
    let mut loaded_sections = 0;
    let mut loaded_with_bytes = 0;
    for section in file.sections() {
        // Notes (build-id) keep their bytes in a separate debug file; code and data do not.
        if let object::SectionFlags::Elf { sh_flags, sh_type } = section.flags()
            && sh_flags.contains(object::elf::SHF_ALLOC)
            && sh_type != object::elf::SHT_NOTE
        {
            loaded_sections += 1;
            if section.file_range().is_some() {
                loaded_with_bytes += 1;
            }
        }
        let Ok(name) = section.name() else { continue };
        // Section headers may claim any size; count only the bytes the file really holds, so
        // a hostile header cannot make the totals lie (or overflow).
        let file_size = section
            .file_range()
            .map_or(0, |(offset, size)| bytes_in_file(offset, size, data.len()));
        // `.debug_gdb_scripts` (34 bytes in every Rust binary) names gdb helper scripts: it is
        // neither DWARF nor symbols.
        if (name.starts_with(".debug_") || name.starts_with(".zdebug_"))
            && name != ".debug_gdb_scripts"
        {
            let uncompressed_size = section
                .compressed_file_range()
                .ok()
                .filter(|range| range.format != object::CompressionFormat::None)
                .map(|range| range.uncompressed_size);
            info.sections.push(DebugSection {
                name: name.to_string(),
                file_size,
                uncompressed_size,
            });
        } else if name == ".symtab" {
            symtab = Some(file_size);
        } else if name == ".strtab" {
            strtab = file_size;
        }
    }
    info.symtab_bytes = symtab.map(|size: u64| size.saturating_add(strtab));
    // `objcopy --only-keep-debug` keeps the section table but empties every loaded section.
    info.separate_debug_file =
        !info.sections.is_empty() && loaded_sections > 0 && loaded_with_bytes == 0;
    info.build_id = file.build_id().ok().flatten().map(hex);
    info.debuglink = file
        .gnu_debuglink()
        .ok()
        .flatten()
        .map(|(name, _crc)| String::from_utf8_lossy(name).into_owned());
    info
}

/// How many of a section's `size` bytes at `offset` lie inside a file of `len` bytes.
fn bytes_in_file(offset: u64, size: u64, len: usize) -> u64 {
    let len = len as u64;
    if offset >= len {
        0
    } else {
        size.min(len - offset)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_in(bytes: &[u8]) -> Vec<&str> {
        library_strings(bytes).filter_map(soname_like).collect()
    }

    #[test]
    fn soname_like_takes_library_names_and_their_run_time_forms() {
        for name in [
            "libfoo.so",
            "libfoo.so.1",
            "libfoo.so.1.2.3",
            "libz.so.1",
            "libgdk_pixbuf-2.0.so.0",
            "libstdc++.so.6",
            "libicuuc.so.",
            "libfoo.so.1.",
            "libGLX_%s.so.0",
            "lib%s.so",
            "libfoo.so.%d",
            "libv8-%d.%d.%d%s%s.so",
        ] {
            assert_eq!(soname_like(name.as_bytes()), Some(name), "{name}");
        }
        for not in [
            "",
            "lib.so",
            "lib.so.1",
            "foo.so.1",
            "libfoo.so.1a",
            "libfoo.so..1",
            "libfoo.sock",
            "libfoo.so.1 is missing",
            "cannot load libfoo.so.1",
            "/usr/lib/libfoo.so.1",
            "lib/libfoo.so.1",
            "libfoo.so.%q",
            "libfoo\u{e9}.so.1",
        ] {
            assert_eq!(soname_like(not.as_bytes()), None, "{not:?}");
        }
        let long = format!("lib{}.so.1", "x".repeat(DLOPEN_NAME_LEN_MAX));
        assert_eq!(soname_like(long.as_bytes()), None);
    }

    #[test]
    fn strings_are_whole_nul_terminated_strings() {
        let bytes = b"libfirst.so.1\0text\0libsecond.so\0\x01\x02libbinary.so.2\0libtail.so.3";
        assert_eq!(
            names_in(bytes),
            ["libfirst.so.1", "libsecond.so", "libtail.so.3"],
            "a string begins after a NUL or at the section start and ends at a NUL or the end"
        );
        // A string longer than a name is passed over, whatever it ends with.
        let mut long = vec![b'a'; 300];
        long.extend_from_slice(b"libfoo.so.1\0libbar.so.2\0");
        assert_eq!(names_in(&long), ["libbar.so.2"]);
        // Matches in every position of the eight-byte words, and at the very end.
        for pad in 0..16 {
            let mut bytes = vec![0u8; pad];
            bytes.extend_from_slice(b"libpad.so.1");
            assert_eq!(names_in(&bytes), ["libpad.so.1"], "pad {pad}");
        }
    }

    #[test]
    fn the_word_search_finds_what_a_plain_search_finds() {
        // A small generator: the bytes of a section of strings, dots and `so`s, every pass
        // compared with the plain search.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let alphabet = b".so\0lib1x";
        for _ in 0..2_000 {
            let len = (state % 64) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    alphabet[(state % alphabet.len() as u64) as usize]
                })
                .collect();
            assert_eq!(find_dot_so(&bytes), find(&bytes, b".so"), "{bytes:?}");
        }
        assert_eq!(find_dot_so(b""), None);
        assert_eq!(find_dot_so(b".s"), None);
    }

    #[test]
    fn hostile_bytes_never_panic_and_stay_bounded() {
        // One long string of `.so`s: passed over once, not once per match.
        let so = b".so".repeat(100_000);
        assert!(names_in(&so).is_empty());
        assert!(library_strings(&so).count() <= 1);
        let mut many = Vec::new();
        for i in 0..1_000 {
            many.extend_from_slice(format!("lib{i}.so.1\0").as_bytes());
        }
        assert_eq!(names_in(&many).len(), 1_000);
        assert_eq!(c_string_at(b"abc", 7), None);
        assert_eq!(c_string_at(b"abc", 0), None, "no NUL: no name");
        assert_eq!(c_string_at(b".rodata\0", 0), Some(&b".rodata"[..]));
    }
}
