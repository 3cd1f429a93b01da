//! PE and Mach-O: recognised and named (format, architecture) with `object`; their own checks
//! come later.

use super::{AbiFlags, Binary, DebugInfo, FileKind, Format, Managed, ReadError, malformed};
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
        strong_imports: Vec::new(),
        no_default_lib: false,
        managed: None,
        debug: DebugInfo::default(),
        dlopen_names: Vec::new(),
        run: super::RunFacts::default(),
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
    if format == Format::Pe {
        binary.managed = cli_header(data, file.is_64())?;
    }
    Ok(binary)
}

/// The CLI header (`IMAGE_COR20_HEADER`, data directory 14) of a .NET assembly: its presence
/// makes the file managed code; its flags say whether it is IL only and bound to 32 bits.
fn cli_header(data: &[u8], is_64: bool) -> Result<Option<Managed>, ReadError> {
    use object::LittleEndian as LE;
    use object::pe::{self, ImageCor20Header};
    use object::read::pe::{PeFile32, PeFile64};
    let bad = |e: object::Error| malformed("pe", e);
    let (directory, sections) = if is_64 {
        let file = PeFile64::parse(data).map_err(bad)?;
        (
            file.data_directory(pe::IMAGE_DIRECTORY_ENTRY_COM_DESCRIPTOR)
                .copied(),
            file.section_table(),
        )
    } else {
        let file = PeFile32::parse(data).map_err(bad)?;
        (
            file.data_directory(pe::IMAGE_DIRECTORY_ENTRY_COM_DESCRIPTOR)
                .copied(),
            file.section_table(),
        )
    };
    let Some(directory) = directory.filter(|d| d.virtual_address.get(LE) != 0) else {
        return Ok(None);
    };
    let bytes = directory.data(data, &sections).map_err(bad)?;
    let (header, _) = object::pod::from_bytes::<ImageCor20Header>(bytes)
        .map_err(|()| malformed("pe", "the CLI header is shorter than IMAGE_COR20_HEADER"))?;
    let flags = header.flags.get(LE).0;
    Ok(Some(Managed {
        il_only: flags & pe::COMIMAGE_FLAGS_ILONLY.0 != 0,
        requires_32bit: flags & pe::COMIMAGE_FLAGS_32BITREQUIRED.0 != 0,
    }))
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
