//! Our own model of a CPU architecture and ABI, shared by what a binary *is* (read from its
//! headers) and what a user *asks for* (a target name).

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Machine {
    X86_64,
    X86,
    Aarch64,
    Arm,
    RiscV,
    PowerPc64,
    PowerPc,
    S390,
    LoongArch,
    Mips,
    Sparc,
    /// An ELF `e_machine` value we do not name.
    Other(u16),
}

impl Machine {
    /// Maps an ELF `e_machine` value (System V gABI, `elf.h`).
    pub fn from_elf(e_machine: u16) -> Self {
        match e_machine {
            62 => Machine::X86_64,
            3 => Machine::X86,
            183 => Machine::Aarch64,
            40 => Machine::Arm,
            243 => Machine::RiscV,
            21 => Machine::PowerPc64,
            20 => Machine::PowerPc,
            22 => Machine::S390,
            258 => Machine::LoongArch,
            8 => Machine::Mips,
            43 | 2 | 18 => Machine::Sparc,
            other => Machine::Other(other),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Endian {
    Little,
    Big,
}

impl fmt::Display for Endian {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Endian::Little => "little-endian",
            Endian::Big => "big-endian",
        })
    }
}

/// How floating-point arguments are passed. A binary built for one cannot call a libc built for
/// the other (armel vs armhf, RISC-V lp64 vs lp64d).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FloatAbi {
    Soft,
    Hard,
    Single,
    Double,
    Quad,
}

impl fmt::Display for FloatAbi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FloatAbi::Soft => "soft-float",
            FloatAbi::Hard => "hard-float",
            FloatAbi::Single => "single-float",
            FloatAbi::Double => "double-float",
            FloatAbi::Quad => "quad-float",
        })
    }
}

/// The architecture of a binary or of a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Arch {
    pub machine: Machine,
    pub bits: u8,
    pub endian: Endian,
    /// `None` when the headers do not say (old ARM binaries, PE, Mach-O) or it does not apply.
    pub float_abi: Option<FloatAbi>,
}

impl Arch {
    pub const fn new(machine: Machine, bits: u8, endian: Endian) -> Self {
        Arch {
            machine,
            bits,
            endian,
            float_abi: None,
        }
    }

    pub const fn with_float(mut self, float_abi: FloatAbi) -> Self {
        self.float_abi = Some(float_abi);
        self
    }

    /// The name `uname -m` (or the Linux kernel) uses, which is also the architecture key of the
    /// baseline database.
    pub fn linux_name(&self) -> String {
        use Endian::*;
        use Machine::*;
        match (self.machine, self.bits, self.endian) {
            (X86_64, 64, _) => "x86_64".into(),
            (X86_64, _, _) => "x86_64-x32".into(),
            (X86, _, _) => "i686".into(),
            (Aarch64, 64, Little) => "aarch64".into(),
            (Aarch64, 64, Big) => "aarch64_be".into(),
            (Aarch64, _, _) => "aarch64-ilp32".into(),
            (Arm, _, Little) => match self.float_abi {
                Some(FloatAbi::Soft) => "armel".into(),
                _ => "armv7l".into(),
            },
            (Arm, _, Big) => "armeb".into(),
            (RiscV, 64, _) => "riscv64".into(),
            (RiscV, _, _) => "riscv32".into(),
            (PowerPc64, _, Little) => "ppc64le".into(),
            (PowerPc64, _, Big) => "ppc64".into(),
            (PowerPc, _, _) => "ppc".into(),
            (S390, 64, _) => "s390x".into(),
            (S390, _, _) => "s390".into(),
            (LoongArch, 64, _) => "loongarch64".into(),
            (LoongArch, _, _) => "loongarch32".into(),
            (Mips, 64, Little) => "mips64el".into(),
            (Mips, 64, Big) => "mips64".into(),
            (Mips, _, Little) => "mipsel".into(),
            (Mips, _, Big) => "mips".into(),
            (Sparc, 64, _) => "sparc64".into(),
            (Sparc, _, _) => "sparc".into(),
            (Other(n), bits, endian) => format!("elf-machine-{n}-{bits}bit-{endian}"),
        }
    }

    /// The key of this architecture in the baseline database (pep600 naming).
    pub fn db_key(&self) -> String {
        match (self.machine, self.float_abi) {
            (Machine::Arm, Some(FloatAbi::Soft)) => "armel".into(),
            _ => self.linux_name(),
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}-bit, {}",
            self.linux_name(),
            self.bits,
            self.endian
        )?;
        if let Some(float_abi) = self.float_abi {
            write!(f, ", {float_abi}")?;
        }
        f.write_str(")")
    }
}

/// Which C library a binary or target uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Libc {
    Glibc,
    Musl,
}

impl fmt::Display for Libc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Libc::Glibc => "glibc",
            Libc::Musl => "musl",
        })
    }
}

/// Tells the C library from the ELF interpreter path: glibc's loaders are `ld-linux*.so.N`,
/// `ld.so.1`/`ld64.so.N`; musl's are `ld-musl-<arch>.so.1`.
pub fn libc_of_interpreter(interpreter: &str) -> Option<Libc> {
    let file = interpreter.rsplit('/').next().unwrap_or(interpreter);
    if file.starts_with("ld-musl-") {
        Some(Libc::Musl)
    } else if file.starts_with("ld-linux") || file.starts_with("ld64.so") || file == "ld.so.1" {
        Some(Libc::Glibc)
    } else {
        None
    }
}

/// The C library a file is linked against: its interpreter says, or a library's own needs.
pub fn libc_of(interpreter: Option<&str>, needed: &[String]) -> Option<Libc> {
    match interpreter {
        Some(interpreter) => libc_of_interpreter(interpreter),
        None => libc_of_needed(needed),
    }
}

/// The C library a file's DT_NEEDED entries name: glibc's `libc.so.6`, musl's `libc.so` (what
/// its linker records) or Alpine's `libc.musl-<arch>.so.1`.
pub fn libc_of_needed(needed: &[String]) -> Option<Libc> {
    needed.iter().find_map(|name| {
        if name == "libc.so.6" {
            Some(Libc::Glibc)
        } else if name == "libc.so" || name.starts_with("libc.musl-") {
            Some(Libc::Musl)
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpreters_name_their_libc() {
        assert_eq!(
            libc_of_interpreter("/lib64/ld-linux-x86-64.so.2"),
            Some(Libc::Glibc)
        );
        assert_eq!(
            libc_of_interpreter("/lib/ld-musl-aarch64.so.1"),
            Some(Libc::Musl)
        );
        assert_eq!(libc_of_interpreter("/lib64/ld64.so.2"), Some(Libc::Glibc));
        assert_eq!(libc_of_interpreter("/system/bin/linker64"), None);
    }

    #[test]
    fn db_keys_follow_pep600_names() {
        let armhf = Arch::new(Machine::Arm, 32, Endian::Little).with_float(FloatAbi::Hard);
        assert_eq!(armhf.db_key(), "armv7l");
        let armel = Arch::new(Machine::Arm, 32, Endian::Little).with_float(FloatAbi::Soft);
        assert_eq!(armel.db_key(), "armel");
        assert_eq!(Arch::new(Machine::X86, 32, Endian::Little).db_key(), "i686");
    }
}
