//! `foreign-format`: native code for another operating system (a Windows PE, a macOS Mach-O,
//! a mixed-mode .NET assembly) in a release for Linux, and .NET assemblies built for one
//! architecture only on a target of another. A .NET assembly that is IL only (AnyCPU) runs
//! wherever its runtime runs and is never foreign.

use crate::binary::{Binary, Format, ManagedPlatform};
use crate::findings::Issue;
use crate::target::Target;
use std::path::{Component, Path};

/// A .NET publish folder or NuGet package keeps each platform's native assets under
/// `runtimes/<rid>/`; the runtime loads only those of the platform it runs on, so a Windows or
/// macOS file there is not part of what runs on Linux.
fn other_platform_asset(path: &Path) -> bool {
    let mut components = path.components();
    while let Some(component) = components.next() {
        if component == Component::Normal("runtimes".as_ref()) {
            let rid = components
                .next()
                .and_then(|c| c.as_os_str().to_str())
                .unwrap_or_default();
            const OTHER: [&str; 7] = [
                "win",
                "osx",
                "maccatalyst",
                "ios",
                "tvos",
                "android",
                "browser",
            ];
            return OTHER.iter().any(|os| rid.starts_with(os));
        }
    }
    false
}

/// `on`: the Linux target (or baseline) the release is for, as the user named it.
pub fn check(path: &Path, binary: &Binary, on: &str, target: Option<&Target>) -> Option<Issue> {
    if other_platform_asset(path) {
        return None;
    }
    let what = match (binary.format, binary.managed_platform()) {
        (Format::Elf, _) => return None,
        (Format::Pe, None) => "a native Windows PE file",
        (Format::Pe, Some(ManagedPlatform::MixedMode)) => {
            "a mixed-mode .NET assembly (native Windows code beside its IL)"
        }
        (Format::Pe, Some(ManagedPlatform::Any)) => return None,
        (Format::Pe, Some(ManagedPlatform::Only(arch))) => {
            let target = target?;
            let expected = target.arch;
            if arch.machine == expected.machine && arch.bits == expected.bits {
                return None;
            }
            return Some(Issue::ManagedArchMismatch {
                target: target.name.clone(),
                expected: expected.to_string(),
                found: arch.to_string(),
            });
        }
        (Format::MachO | Format::MachOFat, _) => "a macOS Mach-O file",
    };
    Some(Issue::ForeignFormat {
        what: what.to_string(),
        on: on.to_string(),
    })
}
