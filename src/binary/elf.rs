//! ELF: goblin reads the dynamic-linking facts (interpreter, dynamic section, dynamic symbols and
//! the GNU version sections); object reads the section table (debug sections, build-id,
//! `.gnu_debuglink`).

use super::{
    AbiFlags, Binary, DebugInfo, DebugSection, FileKind, Format, NeededVersion, ReadError,
    VersionNeed, malformed,
};
use crate::arch::{Arch, Endian, FloatAbi, Machine};
use goblin::elf::{Elf, dynamic, header};
use object::{Object, ObjectSection};
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
    let elf = Elf::parse(data).map_err(|e| malformed("ELF", e))?;
    let arch = arch_of(&elf);
    let abi = abi_flags(&elf);
    let interpreter = elf.interpreter.map(str::to_string);
    let kind = kind_of(&elf);
    let version_needs = version_needs(&elf);
    let version_defs = version_defs(&elf);
    let debug = debug_info(data);
    Ok(Binary {
        format: Format::Elf,
        arch,
        fat_arches: Vec::new(),
        kind,
        abi,
        interpreter,
        needed: strings(&elf.libraries),
        soname: elf.soname.map(str::to_string),
        rpath: split_paths(&elf.rpaths),
        runpath: split_paths(&elf.runpaths),
        version_needs,
        version_defs,
        debug,
    })
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// DT_RPATH/DT_RUNPATH values are colon-separated lists; an empty entry means the current
/// directory to the loader, so it is kept.
fn split_paths(values: &[&str]) -> Vec<String> {
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

fn kind_of(elf: &Elf) -> FileKind {
    let has_interp = elf.interpreter.is_some();
    let flags_1 = elf.dynamic.as_ref().map_or(0, |d| d.info.flags_1);
    match elf.header.e_type {
        header::ET_EXEC if has_interp => FileKind::Executable,
        header::ET_EXEC => FileKind::StaticExecutable,
        header::ET_DYN if has_interp => FileKind::PieExecutable,
        header::ET_DYN if flags_1 & dynamic::DF_1_PIE != 0 => FileKind::StaticPieExecutable,
        header::ET_DYN => FileKind::SharedLibrary,
        header::ET_REL => FileKind::Relocatable,
        header::ET_CORE => FileKind::Core,
        _ => FileKind::Other,
    }
}

/// Every version need with the undefined dynamic symbols bound to it through `.gnu.version`.
fn version_needs(elf: &Elf) -> Vec<VersionNeed> {
    let Some(verneed) = &elf.verneed else {
        return Vec::new();
    };
    // version index → (library position, version position)
    let mut by_index: BTreeMap<u16, (usize, usize)> = BTreeMap::new();
    let mut needs: Vec<VersionNeed> = Vec::new();
    for need in verneed.iter() {
        let library = elf
            .dynstrtab
            .get_at(need.vn_file)
            .unwrap_or("?")
            .to_string();
        let mut versions = Vec::new();
        for aux in need.iter() {
            let name = elf
                .dynstrtab
                .get_at(aux.vna_name)
                .unwrap_or("?")
                .to_string();
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
    if let Some(versym) = &elf.versym {
        for (index, sym) in elf.dynsyms.iter().enumerate() {
            if sym.st_shndx != SHN_UNDEF {
                continue;
            }
            let Some(version) = versym.get_at(index) else {
                break;
            };
            if let Some(&(lib, ver)) = by_index.get(&(version.vs_val & VERSYM_VERSION))
                && let Some(name) = elf.dynstrtab.get_at(sym.st_name)
            {
                needs[lib].versions[ver].symbols.push(name.to_string());
            }
        }
    }
    for need in &mut needs {
        for version in &mut need.versions {
            version.symbols.sort();
            version.symbols.dedup();
        }
    }
    needs
}

fn version_defs(elf: &Elf) -> Vec<String> {
    let Some(verdef) = &elf.verdef else {
        return Vec::new();
    };
    verdef
        .iter()
        .filter(|def| def.vd_flags & VER_FLG_BASE == 0)
        .filter_map(|def| def.iter().next())
        .filter_map(|aux| elf.dynstrtab.get_at(aux.vda_name))
        .map(str::to_string)
        .collect()
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
        let file_size = section.file_range().map_or(0, |(_, size)| size);
        if name.starts_with(".debug_") || name.starts_with(".zdebug_") {
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
    info.symtab_bytes = symtab.map(|size| size + strtab);
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
