//! `kernel-too-old`, `kernel-note-newer`, `cpu-level-too-low`, `cpu-level-needed`,
//! `page-size-too-large` and `page-size-optional`: facts of a file (its ABI note, its x86-64
//! ISA note, its segment alignment) against facts of the target (its kernel, its CPUs' level,
//! its page size), from the command line or the baseline's data.
//!
//! glibc checks its own minimum kernel at start (`_dl_discover_osversion` against the
//! `--enable-kernel` it was built with: "FATAL: kernel too old"); a static program carries that
//! glibc, and its ABI note says which. A dynamic program runs on the target's glibc, so its own
//! note only says what it was built against. glibc's loader refuses objects whose ISA note needs
//! more than the CPU has (`dl_isa_level_check`: "CPU ISA level is lower than required"), and
//! cannot map a segment aligned below the page size.

use super::FileContext;
use crate::arch::Machine;
use crate::baseline::{Baseline, KernelVersion};
use crate::binary::Binary;
use crate::findings::Issue;

/// What the user says about the target's machine, beyond its name.
#[derive(Debug, Clone, Copy, Default)]
pub struct TargetMachine {
    /// `--kernel`: the kernel the target runs (a container's host).
    pub kernel: Option<KernelVersion>,
    /// `--page-size`: the target kernel's page size in bytes.
    pub page_size: Option<u64>,
}

fn abi_kernel(binary: &Binary) -> Option<KernelVersion> {
    binary
        .run
        .abi_kernel
        .map(|[major, minor, patch]| KernelVersion::new(major, minor, patch))
}

/// A statically linked glibc program: its own glibc checks the kernel at start.
fn carries_its_glibc(binary: &Binary) -> bool {
    binary.kind.is_static() && binary.run.abi_kernel.is_some()
}

fn kernel_issue(
    binary: &Binary,
    kernel: KernelVersion,
    // Made only for an issue: "runs on" asks every baseline about every file.
    whose: impl FnOnce() -> String,
    source: Option<&str>,
) -> Option<Issue> {
    let needs = abi_kernel(binary)?;
    (needs > kernel).then(|| Issue::KernelTooOld {
        needs: needs.to_string(),
        needed_by: if carries_its_glibc(binary) {
            "its own glibc (statically linked; its ABI note)".into()
        } else {
            "its ABI note".into()
        },
        enforced: carries_its_glibc(binary),
        kernel: kernel.to_string(),
        kernel_source: whose(),
        source: source.map(str::to_string),
    })
}

/// What holds whatever the baseline: the target's level, kernel and page size as given.
pub fn check(ctx: &FileContext) -> Vec<Issue> {
    let binary = ctx.binary;
    let mut issues = Vec::new();
    if let (Some(target), Some(needs)) = (ctx.target, binary.run.x86_level_needed())
        && let Some(level) = target.x86_64_level
        && needs > level
        && binary.arch.map(|a| a.machine) == Some(Machine::X86_64)
    {
        issues.push(Issue::CpuLevel {
            needs,
            lowest: Some(level),
            of: format!("target {}", target.name),
            target_named: true,
            source: None,
        });
    }
    if let Some(kernel) = ctx.machine.kernel {
        issues.extend(kernel_issue(binary, kernel, || "--kernel".into(), None));
    }
    if let (Some(page_size), Some(align)) = (ctx.machine.page_size, binary.run.load_align)
        && align < page_size
    {
        issues.push(Issue::PageSize {
            load_align: align,
            page_size,
            of: "the target (--page-size)".into(),
            optional: false,
            source: None,
        });
    }
    issues
}

/// The same against a baseline's own facts, where the user gave none.
pub fn against(ctx: &FileContext, baseline: &Baseline) -> Vec<Issue> {
    let binary = ctx.binary;
    let mut issues = Vec::new();
    match ctx.machine.kernel {
        // The release's own kernel: a static program's glibc, or the note of a dynamic one.
        None => {
            if let Some(kernel) = &baseline.kernel {
                issues.extend(kernel_issue(
                    binary,
                    kernel.value,
                    || format!("{}'s kernel", baseline.id),
                    Some(&kernel.source),
                ));
            }
        }
        // A host kernel older than the baseline's glibc accepts: every dynamic program stops.
        Some(kernel) => {
            if let Some(glibc) = &baseline.glibc_min_kernel
                && glibc.value > kernel
                && crate::loader::uses_loader(binary)
                && binary.interpreter.is_some()
            {
                issues.push(Issue::KernelTooOld {
                    needs: glibc.value.to_string(),
                    needed_by: format!("{}'s glibc", baseline.id),
                    enforced: true,
                    kernel: kernel.to_string(),
                    kernel_source: "--kernel".into(),
                    source: Some(glibc.source.clone()),
                });
            }
        }
    }
    let named_level = ctx.target.and_then(|t| t.x86_64_level);
    if named_level.is_none()
        && binary.arch.map(|a| a.machine) == Some(Machine::X86_64)
        && let Some(needs) = binary.run.x86_level_needed()
    {
        // Not recorded: nothing says the release's CPUs have more than the psABI's baseline,
        // so a file that needs more may meet CPUs without it.
        let (lowest, source) = match &baseline.isa_level {
            Some(fact) => (Some(fact.value.lowest()), Some(fact.source.clone())),
            None => (None, None),
        };
        if needs > lowest.unwrap_or(1) {
            issues.push(Issue::CpuLevel {
                needs,
                lowest,
                of: baseline.id.clone(),
                target_named: false,
                source,
            });
        }
    }
    if ctx.machine.page_size.is_none()
        && let (Some(pages), Some(align)) = (&baseline.page_sizes, binary.run.load_align)
    {
        let issue = |page_size, optional| Issue::PageSize {
            load_align: align,
            page_size,
            of: baseline.id.clone(),
            optional,
            source: Some(pages.source.clone()),
        };
        if pages.value.default > align {
            issues.push(issue(pages.value.default, false));
        } else if pages.value.largest() > align {
            issues.push(issue(pages.value.largest(), true));
        }
    }
    issues
}
