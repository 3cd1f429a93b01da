//! Target names as users write them: Rust triples, .NET RIDs, Docker platforms, Debian
//! architecture names and `uname -m`, all parsed into one [`Target`].

use crate::arch::{Arch, Endian, FloatAbi, Libc, Machine};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The name as the user typed it.
    pub name: String,
    pub arch: Arch,
    /// `None` when the name does not say (Docker platforms, Debian names, `uname -m`).
    pub libc: Option<Libc>,
    /// The x86-64 microarchitecture level the name promises (`linux/amd64/v3`, `x86_64-v3`):
    /// the target's CPUs have at least it.
    pub x86_64_level: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown target `{name}`{}", suggest(.close_matches))]
pub struct UnknownTarget {
    pub name: String,
    pub close_matches: Vec<String>,
}

fn suggest(matches: &[String]) -> String {
    if matches.is_empty() {
        "; try a Rust triple (x86_64-unknown-linux-gnu), a .NET RID (linux-arm64), a Docker platform (linux/arm/v7), a Debian architecture (armhf) or `uname -m` (aarch64)".into()
    } else {
        format!("; did you mean {}?", matches.join(", "))
    }
}

const X86_64: Arch = Arch::new(Machine::X86_64, 64, Endian::Little);
const X86: Arch = Arch::new(Machine::X86, 32, Endian::Little);
const AARCH64: Arch = Arch::new(Machine::Aarch64, 64, Endian::Little);
const ARMHF: Arch = Arch::new(Machine::Arm, 32, Endian::Little).with_float(FloatAbi::Hard);
const ARMEL: Arch = Arch::new(Machine::Arm, 32, Endian::Little).with_float(FloatAbi::Soft);
const RISCV64: Arch = Arch::new(Machine::RiscV, 64, Endian::Little).with_float(FloatAbi::Double);
const PPC64LE: Arch = Arch::new(Machine::PowerPc64, 64, Endian::Little);
const PPC64: Arch = Arch::new(Machine::PowerPc64, 64, Endian::Big);
const S390X: Arch = Arch::new(Machine::S390, 64, Endian::Big);
const LOONGARCH64: Arch =
    Arch::new(Machine::LoongArch, 64, Endian::Little).with_float(FloatAbi::Double);
const MIPS64EL: Arch = Arch::new(Machine::Mips, 64, Endian::Little);

/// Fixed names: .NET RIDs, Docker platforms, Debian architectures and `uname -m`.
/// Sources: .NET RID catalog (runtime.json), OCI image-spec platform values, Debian's
/// `dpkg-architecture -L`, and the kernel's `uname -m` strings.
const NAMED: &[(&str, Arch, Option<Libc>)] = &[
    // .NET RIDs
    ("linux-x64", X86_64, Some(Libc::Glibc)),
    ("linux-x86", X86, Some(Libc::Glibc)),
    ("linux-arm64", AARCH64, Some(Libc::Glibc)),
    ("linux-arm", ARMHF, Some(Libc::Glibc)),
    ("linux-armel", ARMEL, Some(Libc::Glibc)),
    ("linux-riscv64", RISCV64, Some(Libc::Glibc)),
    ("linux-loongarch64", LOONGARCH64, Some(Libc::Glibc)),
    ("linux-s390x", S390X, Some(Libc::Glibc)),
    ("linux-ppc64le", PPC64LE, Some(Libc::Glibc)),
    ("linux-musl-x64", X86_64, Some(Libc::Musl)),
    ("linux-musl-x86", X86, Some(Libc::Musl)),
    ("linux-musl-arm64", AARCH64, Some(Libc::Musl)),
    ("linux-musl-arm", ARMHF, Some(Libc::Musl)),
    ("linux-musl-riscv64", RISCV64, Some(Libc::Musl)),
    ("linux-musl-loongarch64", LOONGARCH64, Some(Libc::Musl)),
    ("linux-musl-s390x", S390X, Some(Libc::Musl)),
    ("linux-musl-ppc64le", PPC64LE, Some(Libc::Musl)),
    // Docker / OCI platforms
    ("linux/amd64", X86_64, None),
    ("linux/amd64/v2", X86_64, None),
    ("linux/amd64/v3", X86_64, None),
    ("linux/amd64/v4", X86_64, None),
    ("linux/arm64", AARCH64, None),
    ("linux/arm64/v8", AARCH64, None),
    ("linux/arm/v7", ARMHF, None),
    ("linux/arm/v6", ARMHF, None),
    ("linux/arm/v5", ARMEL, None),
    ("linux/386", X86, None),
    ("linux/ppc64le", PPC64LE, None),
    ("linux/ppc64", PPC64, None),
    ("linux/s390x", S390X, None),
    ("linux/riscv64", RISCV64, None),
    ("linux/loong64", LOONGARCH64, None),
    ("linux/mips64le", MIPS64EL, None),
    // Debian architectures
    ("amd64", X86_64, Some(Libc::Glibc)),
    ("arm64", AARCH64, Some(Libc::Glibc)),
    ("armhf", ARMHF, Some(Libc::Glibc)),
    ("armel", ARMEL, Some(Libc::Glibc)),
    ("i386", X86, Some(Libc::Glibc)),
    ("ppc64el", PPC64LE, Some(Libc::Glibc)),
    ("ppc64", PPC64, Some(Libc::Glibc)),
    ("s390x", S390X, Some(Libc::Glibc)),
    ("riscv64", RISCV64, Some(Libc::Glibc)),
    ("loong64", LOONGARCH64, Some(Libc::Glibc)),
    ("mips64el", MIPS64EL, Some(Libc::Glibc)),
    ("musl-linux-amd64", X86_64, Some(Libc::Musl)),
    ("musl-linux-arm64", AARCH64, Some(Libc::Musl)),
    // uname -m
    ("x86_64", X86_64, None),
    // psABI levels, as RHEL (`x86_64_v2`) and compilers (`x86-64-v3`) name them
    ("x86_64-v2", X86_64, None),
    ("x86_64-v3", X86_64, None),
    ("x86_64-v4", X86_64, None),
    ("x86_64_v2", X86_64, None),
    ("x86_64_v3", X86_64, None),
    ("x86_64_v4", X86_64, None),
    ("x86-64-v2", X86_64, None),
    ("x86-64-v3", X86_64, None),
    ("x86-64-v4", X86_64, None),
    ("aarch64", AARCH64, None),
    ("armv7l", ARMHF, None),
    ("armv6l", ARMHF, None),
    ("armv8l", ARMHF, None),
    ("i686", X86, None),
    ("i586", X86, None),
    ("ppc64le", PPC64LE, None),
    ("riscv64gc", RISCV64, None),
    ("loongarch64", LOONGARCH64, None),
    ("mips64", Arch::new(Machine::Mips, 64, Endian::Big), None),
];

impl Target {
    pub fn parse(name: &str) -> Result<Target, UnknownTarget> {
        let key = name.trim().to_ascii_lowercase();
        let found = NAMED
            .iter()
            .find(|(known, _, _)| *known == key)
            .map(|&(_, arch, libc)| (arch, libc))
            .or_else(|| parse_triple(&key));
        match found {
            Some((arch, libc)) => Ok(Target {
                name: name.trim().to_string(),
                arch,
                libc,
                x86_64_level: x86_64_level(&key),
            }),
            None => Err(UnknownTarget {
                name: name.to_string(),
                close_matches: close_matches(&key),
            }),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", self.name, self.arch)?;
        if let Some(libc) = self.libc {
            write!(f, " {libc}")?;
        }
        Ok(())
    }
}

/// The level a name's `v2`/`v3`/`v4` suffix promises on x86-64.
fn x86_64_level(key: &str) -> Option<u8> {
    ["linux/amd64/v", "x86_64-v", "x86_64_v", "x86-64-v"]
        .iter()
        .find_map(|prefix| key.strip_prefix(prefix))
        .and_then(|level| level.parse().ok())
        .filter(|level| (2..=4).contains(level))
}

/// Rust/GCC target triples: `<arch>-<vendor>-linux-<env>` or `<arch>-linux-<env>`.
fn parse_triple(key: &str) -> Option<(Arch, Option<Libc>)> {
    let parts: Vec<&str> = key.split('-').collect();
    if parts.len() < 3 || !parts.contains(&"linux") {
        return None;
    }
    let env = *parts.last()?;
    let libc = if env.starts_with("gnu") {
        Some(Libc::Glibc)
    } else if env.starts_with("musl") {
        Some(Libc::Musl)
    } else {
        return None;
    };
    let arm_float = if env.ends_with("eabihf") {
        Some(FloatAbi::Hard)
    } else if env.ends_with("eabi") {
        Some(FloatAbi::Soft)
    } else {
        None
    };
    let cpu = parts[0];
    let arch = match cpu {
        "x86_64" if env == "gnux32" => Arch::new(Machine::X86_64, 32, Endian::Little),
        "x86_64" | "amd64" => X86_64,
        "i386" | "i486" | "i586" | "i686" => X86,
        "aarch64" => AARCH64,
        "aarch64_be" => Arch::new(Machine::Aarch64, 64, Endian::Big),
        "riscv64gc" | "riscv64" | "riscv64imac" => RISCV64,
        "powerpc64le" | "ppc64le" => PPC64LE,
        "powerpc64" | "ppc64" => PPC64,
        "powerpc" => Arch::new(Machine::PowerPc, 32, Endian::Big),
        "s390x" => S390X,
        "loongarch64" => LOONGARCH64,
        "mips64el" => MIPS64EL,
        "sparc64" => Arch::new(Machine::Sparc, 64, Endian::Big),
        _ if cpu.starts_with("arm") || cpu.starts_with("thumb") => {
            let endian = if cpu.ends_with("eb") {
                Endian::Big
            } else {
                Endian::Little
            };
            Arch {
                machine: Machine::Arm,
                bits: 32,
                endian,
                float_abi: arm_float,
            }
        }
        _ => return None,
    };
    Some((arch, libc))
}

/// Known names within a small edit distance of `key`, closest first.
fn close_matches(key: &str) -> Vec<String> {
    let examples = [
        "x86_64-unknown-linux-gnu",
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-gnu",
        "aarch64-unknown-linux-musl",
        "armv7-unknown-linux-gnueabihf",
        "arm-unknown-linux-gnueabi",
        "i686-unknown-linux-gnu",
        "riscv64gc-unknown-linux-gnu",
        "powerpc64le-unknown-linux-gnu",
        "s390x-unknown-linux-gnu",
        "loongarch64-unknown-linux-gnu",
    ];
    let mut scored: Vec<(usize, &str)> = NAMED
        .iter()
        .map(|(name, _, _)| *name)
        .chain(examples)
        .map(|name| (edit_distance(key, name), name))
        .filter(|(distance, name)| *distance <= (name.len() / 3).max(2))
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(4)
        .map(|(_, name)| name.to_string())
        .collect()
}

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arch(name: &str) -> Arch {
        Target::parse(name).unwrap().arch
    }

    #[test]
    fn every_spelling_of_arm64_is_aarch64() {
        for name in [
            "aarch64-unknown-linux-gnu",
            "aarch64-unknown-linux-musl",
            "linux-arm64",
            "linux-musl-arm64",
            "linux/arm64",
            "linux/arm64/v8",
            "arm64",
            "aarch64",
        ] {
            assert_eq!(arch(name), AARCH64, "{name}");
        }
    }

    #[test]
    fn arm_float_abi_follows_the_name() {
        assert_eq!(arch("armv7-unknown-linux-gnueabihf"), ARMHF);
        assert_eq!(arch("arm-unknown-linux-gnueabihf"), ARMHF);
        assert_eq!(arch("arm-unknown-linux-gnueabi"), ARMEL);
        assert_eq!(arch("armv5te-unknown-linux-musleabi"), ARMEL);
        assert_eq!(arch("linux/arm/v7"), ARMHF);
        assert_eq!(arch("linux/arm/v6"), ARMHF);
        assert_eq!(arch("linux-arm"), ARMHF);
        assert_eq!(arch("armhf"), ARMHF);
        assert_eq!(arch("armel"), ARMEL);
        assert_eq!(arch("armv7l"), ARMHF);
    }

    #[test]
    fn other_architectures() {
        assert_eq!(arch("x86_64-unknown-linux-gnu"), X86_64);
        assert_eq!(arch("linux-x64"), X86_64);
        assert_eq!(arch("linux/amd64"), X86_64);
        assert_eq!(arch("amd64"), X86_64);
        assert_eq!(arch("i686-unknown-linux-gnu"), X86);
        assert_eq!(arch("linux-x86"), X86);
        assert_eq!(arch("linux/386"), X86);
        assert_eq!(arch("i386"), X86);
        assert_eq!(arch("riscv64gc-unknown-linux-gnu"), RISCV64);
        assert_eq!(arch("linux-riscv64"), RISCV64);
        assert_eq!(arch("powerpc64le-unknown-linux-gnu"), PPC64LE);
        assert_eq!(arch("ppc64el"), PPC64LE);
        assert_eq!(arch("linux-ppc64le"), PPC64LE);
        assert_eq!(arch("s390x-unknown-linux-gnu"), S390X);
        assert_eq!(arch("linux/s390x"), S390X);
        assert_eq!(arch("linux-loongarch64"), LOONGARCH64);
        assert_eq!(arch("loong64"), LOONGARCH64);
    }

    #[test]
    fn libc_comes_from_the_name_when_it_says() {
        let libc = |name: &str| Target::parse(name).unwrap().libc;
        assert_eq!(libc("x86_64-unknown-linux-musl"), Some(Libc::Musl));
        assert_eq!(libc("linux-musl-x64"), Some(Libc::Musl));
        assert_eq!(libc("x86_64-unknown-linux-gnu"), Some(Libc::Glibc));
        assert_eq!(libc("linux-x64"), Some(Libc::Glibc));
        assert_eq!(libc("linux/amd64"), None);
    }

    #[test]
    fn unknown_names_list_close_matches() {
        let err = Target::parse("linux-amr64").unwrap_err();
        assert!(
            err.close_matches.contains(&"linux-arm64".to_string()),
            "{err:?}"
        );
        let err = Target::parse("aarch64-unknown-linux-gnx").unwrap_err();
        assert!(
            err.to_string().contains("aarch64-unknown-linux-gnu"),
            "{err}"
        );
        assert!(Target::parse("windows-x64").is_err());
        assert!(Target::parse("").is_err());
    }

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
