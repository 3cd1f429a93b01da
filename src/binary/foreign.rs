//! PE and Mach-O: recognised and named (format, architecture) with `object`; their own checks
//! come later.

use super::{AbiFlags, Binary, DebugInfo, FileKind, Format, ReadError, malformed};
use crate::arch::{Arch, Endian, Machine};
use object::read::macho::{FatArch, MachOFatFile32, MachOFatFile64};
use object::{Architecture, Object};

pub(super) fn read(data: &[u8], format: Format) -> Result<Binary, ReadError> {
    let mut binary = Binary {
        format,
        arch: None,
        fat_arches: Vec::new(),
        kind: FileKind::Other,
        abi: AbiFlags::default(),
        interpreter: None,
        needed: Vec::new(),
        soname: None,
        rpath: Vec::new(),
        runpath: Vec::new(),
        version_needs: Vec::new(),
        version_defs: Vec::new(),
        imported_symbols: Vec::new(),
        no_default_lib: false,
        debug: DebugInfo::default(),
    };
    if format == Format::MachOFat {
        binary.fat_arches = fat_arches(data)?;
        return Ok(binary);
    }
    let file = object::File::parse(data).map_err(|e| malformed(format.as_str(), e))?;
    let endian = if file.is_little_endian() {
        Endian::Little
    } else {
        Endian::Big
    };
    binary.arch = machine(file.architecture()).map(|machine| {
        let bits = if file.is_64() { 64 } else { 32 };
        Arch::new(machine, bits, endian)
    });
    binary.kind = match file.kind() {
        object::ObjectKind::Executable => FileKind::Executable,
        object::ObjectKind::Dynamic => FileKind::SharedLibrary,
        object::ObjectKind::Relocatable => FileKind::Relocatable,
        _ => FileKind::Other,
    };
    Ok(binary)
}

fn fat_arches(data: &[u8]) -> Result<Vec<String>, ReadError> {
    fn names<A: FatArch>(arches: &[A]) -> Vec<String> {
        arches
            .iter()
            .map(|arch| match machine(arch.architecture()) {
                Some(m) => format!("{m:?}").to_lowercase(),
                None => format!("{:?}", arch.architecture()).to_lowercase(),
            })
            .collect()
    }
    if data.get(3) == Some(&0xbf) {
        let fat = MachOFatFile64::parse(data).map_err(|e| malformed("mach-o-fat", e))?;
        Ok(names(fat.arches()))
    } else {
        let fat = MachOFatFile32::parse(data).map_err(|e| malformed("mach-o-fat", e))?;
        Ok(names(fat.arches()))
    }
}

fn machine(architecture: Architecture) -> Option<Machine> {
    Some(match architecture {
        Architecture::X86_64 | Architecture::X86_64_X32 => Machine::X86_64,
        Architecture::I386 => Machine::X86,
        Architecture::Aarch64 | Architecture::Aarch64_Ilp32 => Machine::Aarch64,
        Architecture::Arm => Machine::Arm,
        Architecture::PowerPc64 => Machine::PowerPc64,
        Architecture::PowerPc => Machine::PowerPc,
        Architecture::Riscv64 | Architecture::Riscv32 => Machine::RiscV,
        _ => return None,
    })
}
