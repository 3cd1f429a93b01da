//! Findings: codes, their default severities and descriptions, the wording of every message and
//! hint, and the one place where severities are decided. Checks build typed [`Issue`]s; the
//! report layer renders [`Finding`]s; neither words nor rates anything itself.

use crate::demangle::{demangle, demangled};
use crate::runtime::{DotnetFeature, Reason};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "error" | "deny" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" | "allow" => Some(Severity::Info),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

macro_rules! codes {
    ($($variant:ident = $name:literal, $severity:ident, $description:literal, $fix:literal;)*) => {
        /// Stable finding codes. A published code never changes meaning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(&self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            pub fn default_severity(&self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            pub fn description(&self) -> &'static str {
                match self { $(Code::$variant => $description,)* }
            }

            /// What to do about it, in general (each finding's hint says it for its values).
            pub fn fix(&self) -> &'static str {
                match self { $(Code::$variant => $fix,)* }
            }
        }
    };
}

codes! {
    ArchMismatch = "arch-mismatch", Error,
        "The file's machine, class, endianness or float ABI differs from the target.",
        "Build for the target (cargo build --target <triple>, dotnet publish -r <rid>, docker buildx --platform <platform>) or ship the file to a machine of its own architecture.";
    ForeignFormat = "foreign-format", Error,
        "Native code for another operating system (a Windows PE, a macOS Mach-O, a mixed-mode .NET assembly): a Linux target cannot run it.",
        "Build the file for Linux (dotnet publish -r linux-x64, cargo build --target x86_64-unknown-linux-gnu …) or leave it out of the Linux release.";
    LibcMismatch = "libc-mismatch", Error,
        "The file is linked against a different C library (glibc or musl) than the target uses.",
        "Use a -musl target for Alpine and a -gnu target for glibc distros, or link statically.";
    ArchInconsistent = "arch-inconsistent", Warning,
        "Without a target, the checked binaries disagree on their architecture.",
        "Pass --target to say which architecture the tree is for, and rebuild the odd binaries for it.";
    InterpreterMissing = "interpreter-missing", Error,
        "The ELF interpreter (dynamic loader) the file asks for does not exist on the baseline.",
        "Build against the baseline's C library (glibc or musl), link statically, or install the loader the file names.";
    SymbolVersionTooNew = "symbol-version-too-new", Error,
        "The file needs a symbol version node that the baseline's library does not define.",
        "Rebuild against an older sysroot (the baseline's own -dev packages with --sysroot, a manylinux or old-distro build image, zig cc -target <arch>-linux-gnu.<version>), avoid the listed symbols, or for libstdc++ link it statically (-static-libstdc++).";
    WeakSymbolVersionTooNew = "weak-symbol-version-too-new", Warning,
        "A weak (VER_FLG_WEAK) version need the baseline lacks: the loader only warns.",
        "Usually nothing: the program must cope with the symbol being absent. Raise it with --deny if you want it gone.";
    SymbolBlacklisted = "symbol-blacklisted", Error,
        "The file imports a symbol that the policy forbids from a library it otherwise allows.",
        "Stop using the symbol, or bundle your own copy of the library (auditwheel repair does this for wheels).";
    SymbolUndefined = "symbol-undefined", Error,
        "An undefined symbol that no object of the load closure defines (with the version it needs): the loader stops with \"symbol lookup error: undefined symbol\" when it binds it.",
        "Ship the library build that defines the symbol (the one the file was linked against), or rebuild the file against the library you ship.";
    SymbolFromHost = "symbol-from-host", Info,
        "A library nothing in the tree loads (a plugin, a Python extension) uses symbols no object of its closure defines: the program that loads it must provide them.",
        "Nothing, if the host program provides them (a Python extension's Py* symbols come from the interpreter); otherwise link the plugin against the library that defines them.";
    GlibcPrivate = "glibc-private", Error,
        "The file needs GLIBC_PRIVATE, which ties it to one exact glibc build.",
        "Stop using glibc internals; rebuild without the listed symbols.";
    GlibcPrivatePresent = "glibc-private-present", Warning,
        "The file needs GLIBC_PRIVATE symbols that the --sysroot's glibc defines today: it runs there, but the next glibc build may drop them.",
        "For portability, stop using glibc internals, or ship with the glibc that defines them.";
    SonameMissing = "soname-missing", Error,
        "A DT_NEEDED library that neither the baseline nor the checked tree provides.",
        "Install the package that provides the library on the target, or ship it beside the binary with an RPATH/RUNPATH of $ORIGIN.";
    SonameUnknown = "soname-unknown", Warning,
        "A DT_NEEDED library that is not shipped and that the baseline data does not cover.",
        "Check against a real root filesystem with --sysroot, make sure the target installs the library, or ship it with an $ORIGIN RUNPATH.";
    SonameNeedsPackage = "soname-needs-package", Info,
        "A DT_NEEDED library the baseline provides only through a package outside its minimal image.",
        "Install the named package in the target image (apt-get install …), or ship the library.";
    SonameNotOnSearchPath = "soname-not-on-search-path", Warning,
        "A DT_NEEDED library is shipped in the tree but not where the loader looks for it, and the baseline data does not say whether the system has it.",
        "Link with -Wl,-rpath,'$ORIGIN' (or '$ORIGIN/../lib'), or patchelf --set-rpath, so the loader finds the shipped copy.";
    LoadPathUnknown = "load-path-unknown", Warning,
        "Where the loader finds a DT_NEEDED library depends on the run time (a relative path or RPATH entry resolves against the working directory; $LIB and $PLATFORM depend on the target's loader).",
        "Use $ORIGIN-relative RPATH/RUNPATH entries and plain sonames (link with -Wl,-soname and -Wl,-rpath,'$ORIGIN/...'), so the loader's answer does not depend on where the program is started.";
    RpathAbsolute = "rpath-absolute", Warning,
        "An RPATH/RUNPATH entry points at an absolute directory outside the system library paths.",
        "Replace the entry with an $ORIGIN-relative one (patchelf --set-rpath '$ORIGIN/../lib') or remove it (patchelf --remove-rpath).";
    ExecStackDlopen = "exec-stack-dlopen", Error,
        "A library that asks for an executable stack (PT_GNU_STACK RWE, or none where the loader then assumes one) and is loaded with dlopen: glibc 2.41 and later refuse it.",
        "Link the library with -Wl,-z,noexecstack (and find the object that asks for it: an assembly file without .note.GNU-stack, or a nested function), or patch the flag with `patchelf --clear-execstack`.";
    ExecStack = "exec-stack", Warning,
        "The file asks for an executable stack: the whole process gets one (a hardening gap), and a dlopened library fails on glibc 2.41 and later.",
        "Link with -Wl,-z,noexecstack and give every assembly file a .note.GNU-stack section; `patchelf --clear-execstack` clears the flag of a built file.";
    StaticTlsDlopen = "static-tls-dlopen", Warning,
        "A library with initial-exec TLS (DF_STATIC_TLS) that is loaded with dlopen: it needs room in the static TLS block, which the loader reserves only a little of.",
        "Build the library with -ftls-model=global-dynamic (the default for -fPIC), or load it at start (DT_NEEDED, LD_PRELOAD) instead of with dlopen; glibc's tunable glibc.rtld.optional_static_tls reserves more.";
    KernelTooOld = "kernel-too-old", Error,
        "The target's kernel is older than the glibc that starts the file accepts (a static program's own glibc, or the target's glibc against --kernel): it stops with \"FATAL: kernel too old\".",
        "Run on a newer kernel (a container uses the host's: --kernel says which), or build against a glibc configured for an older kernel (an older sysroot), or link statically against musl.";
    KernelNoteNewer = "kernel-note-newer", Warning,
        "The file's ABI note (NT_GNU_ABI_TAG) names a newer kernel than the target runs: it was built against a glibc that requires that kernel.",
        "Build against the target's own sysroot (or a glibc configured with an older --enable-kernel).";
    CpuLevelTooLow = "cpu-level-too-low", Error,
        "The file is marked as needing a higher x86-64 level (GNU_PROPERTY_X86_ISA_1_NEEDED) than the target names: the loader refuses it (\"CPU ISA level is lower than required\"), or it dies with \"Illegal instruction\".",
        "Build for the target's level (-march=x86-64-v2 or lower), or ship a build per level.";
    CpuLevelNeeded = "cpu-level-needed", Warning,
        "The file needs an x86-64 level above the lowest CPUs the baseline release runs on: on those it fails (\"CPU ISA level is lower than required\", or \"Illegal instruction\").",
        "Build for the release's lowest level (-march=x86-64 or x86-64-v2), or say with --target x86_64-v3 that your machines have the level.";
    PageSizeTooLarge = "page-size-too-large", Error,
        "The file's PT_LOAD segments are aligned to less than the target kernel's page size (arm64 kernels with 16 or 64 KiB pages, ppc64le): it cannot be mapped.",
        "Link with -Wl,-z,max-page-size=65536 (the largest page size of the target's architecture), or build on a toolchain whose default is that.";
    PageSizeOptional = "page-size-optional", Warning,
        "The file's PT_LOAD segments are aligned to less than the page size of a kernel the baseline offers as an option (Ubuntu's and RHEL's 64k arm64 kernels): there it cannot be mapped.",
        "Link with -Wl,-z,max-page-size=65536 so that every kernel of the architecture can map it.";
    NoPie = "no-pie", Info,
        "A hardening fact: the executable is not position independent (no ASLR for its own code).",
        "Build with -fPIE -pie (the default of most distribution compilers; Rust and Go -buildmode=pie produce PIE).";
    NoRelro = "no-relro", Info,
        "A hardening fact: no PT_GNU_RELRO (relocated data stays writable), or RELRO without BIND_NOW (partial: the GOT stays writable).",
        "Link with -Wl,-z,relro,-z,now for full RELRO.";
    NoStackProtector = "no-stack-protector", Info,
        "A hardening fact: the file imports no __stack_chk_fail, so no function was built with a stack canary.",
        "Build with -fstack-protector-strong.";
    NoFortify = "no-fortify", Info,
        "A hardening fact: the file imports no fortified libc functions (__memcpy_chk, __printf_chk …).",
        "Build C and C++ with -O2 -D_FORTIFY_SOURCE=2 (or 3).";
    NoCet = "no-cet", Info,
        "A hardening fact: an x86-64 file not marked for Intel CET (IBT and SHSTK in its GNU property note), so the process runs without shadow stack and indirect branch tracking.",
        "Build every object with -fcf-protection=full (and assembly with the CET notes); one unmarked object drops the mark.";
    DebugInfoPresent = "debug-info-present", Warning,
        "The file carries DWARF debug sections (.debug_*, .zdebug_*).",
        "Strip release builds (strip --strip-debug; Cargo: [profile.release] strip = true) and keep the debug info in a separate file (objcopy --only-keep-debug).";
    NotStripped = "not-stripped", Info,
        "The file keeps its symbol table (.symtab) but carries no DWARF: bigger than it needs to be, and its internals are named.",
        "Strip it (strip --strip-all, or -s when linking; Cargo: [profile.release] strip = true).";
    DebugLink = "debug-link", Info,
        "The file names a separate debug file (.gnu_debuglink) and that file is shipped beside it.",
        "Nothing in the binary; the shipped debug file is reported as debug-file.";
    DebugFile = "debug-file", Warning,
        "A separate debug file (objcopy --only-keep-debug, a native AOT .dbg, a .build-id/ tree) is shipped in the release.",
        "Move the debug file out of the release into your symbol server (or a -dbg/-debuginfo package).";
    DlopenMissing = "dlopen-missing", Error,
        "A library the program loads at run time with dlopen (declared in the policy file, or loaded by its runtime: .NET's ICU, a Mono dllmap target) that neither the checked tree nor the baseline provides.",
        "Install the package that provides it in the target image, ship it where the file that loads it finds it (its RUNPATH), or turn off the feature that needs it (.NET: InvariantGlobalization for ICU).";
    DlopenFeatureMissing = "dlopen-feature-missing", Warning,
        "A library the runtime loads only when a feature is used (.NET: OpenSSL for cryptography, TLS and HTTPS; GSSAPI for Negotiate authentication) that neither the checked tree nor the baseline provides: that feature fails.",
        "Install the package (libssl3, libgssapi-krb5-2, …) in the target image, or make sure the app never uses the feature.";
    DlopenUnknown = "dlopen-unknown", Warning,
        "A library loaded at run time that is not shipped and that the baseline data does not cover: not verified.",
        "Check against a real root filesystem with --sysroot, or make sure the target installs the library.";
    DlopenCandidates = "dlopen-candidates", Info,
        "The file calls dlopen and its read-only data names libraries (libfoo.so.1) that are neither shipped nor provided by the baseline: it may load them at run time.",
        "If the program needs them, list them in shipcheck.toml's [dlopen] table so the gate checks them, and ship or install them; otherwise nothing.";
    ArchUnsupported = "arch-unsupported", Error,
        "The baseline release was never built for the file's architecture: there is no such system to run it on.",
        "Build for an architecture the release exists for, or pick a release that exists for this one (shipcheck baselines).";
    BaselineArchUnknown = "baseline-arch-unknown", Warning,
        "The baseline data has no entry for the file's architecture, so nothing was verified.",
        "Use --sysroot with a root filesystem of that architecture, or a baseline that has it (shipcheck baselines).";
    TargetRuleUnmatched = "target-rule-unmatched", Error,
        "A [[targets]] rule of the policy matches no checked file: the files it was meant for were not checked for its target.",
        "Fix the rule's paths globs (relative to the checked PATH; `*` does not cross `/`, `**` does), or remove the rule.";
    DlopenRuleUnmatched = "dlopen-rule-unmatched", Error,
        "A [dlopen] entry of the policy matches no checked file: what it declares was not checked.",
        "Fix the entry's glob (relative to the checked PATH; `*` does not cross `/`, `**` does), or remove it.";
    UnreadableFile = "unreadable-file", Error,
        "The file could not be read or parsed.",
        "Make sure the file is complete and readable; a truncated copy or a corrupt download looks like this.";
    ArchiveLimit = "archive-limit", Error,
        "An archive or image crossed a reading limit (bytes, compression ratio, member count): it was not checked.",
        "If the artifact is what you meant to ship, raise the limit (--max-archive-bytes, --max-archive-ratio); a decompression bomb looks like this.";
}

impl Code {
    /// Codes that are only facts for sign-off: reported when asked for (`--deny CODE`,
    /// `--severity CODE=info`), and in JSON's `hardening` of every file either way.
    pub fn off_by_default(&self) -> bool {
        matches!(
            self,
            Code::NoPie | Code::NoRelro | Code::NoStackProtector | Code::NoFortify | Code::NoCet
        )
    }

    /// Findings that say something could not be checked (no data, a run-time dependent path):
    /// they never make a verdict "pass", only "unverified".
    pub fn leaves_unverified(&self) -> bool {
        matches!(
            self,
            Code::SonameUnknown
                | Code::DlopenUnknown
                | Code::SonameNotOnSearchPath
                | Code::LoadPathUnknown
                | Code::BaselineArchUnknown
        )
    }

    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == text)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// What a too-new glibc symbol needs to run on the baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "fix", rename_all = "kebab-case")]
pub enum SymbolFix {
    /// The baseline's glibc has the symbol under an older node: building against that glibc
    /// binds it there.
    RebuildAgainstOlderGlibc { symbol: String, node: String },
    /// The symbol does not exist in the baseline's glibc at all.
    CodeChangeOrShim {
        symbol: String,
        first_release: Option<String>,
    },
}

/// What really happens when a file meets a machine of another architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArchFailure {
    /// The kernel cannot execute it: "Exec format error".
    KernelRefuses,
    /// An x86-64 kernel runs i386 programs, but a typical x86-64 image has no 32-bit loader.
    #[serde(rename = "compat-needs-32-bit-loader")]
    CompatNeeds32BitLoader,
    /// An arm64 kernel runs 32-bit ARM programs only on CPUs with AArch32 at EL0.
    Aarch32OnlyOnSomeCpus,
    /// Same machine, other float ABI (armel on armhf): the loader path differs, and mixing
    /// libraries of the two ABIs corrupts float arguments.
    WrongFloatAbi,
    /// A library is never executed: the loader skips it on the search path.
    LoaderSkipsLibrary,
    /// Same machine, another OS's ELF (FreeBSD, Solaris): Linux's binfmt_elf ignores EI_OSABI and
    /// starts it, and then its loader or its system calls are not there.
    OtherOperatingSystem,
}

/// What a check found, with typed values; serialised as the finding's evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Issue {
    ArchMismatch {
        target: String,
        expected: String,
        found: String,
        differs: Vec<&'static str>,
        /// What happens on the target, in the kernel's or loader's words.
        failure: ArchFailure,
    },
    ForeignFormat {
        /// What the file is ("a native Windows PE file").
        what: String,
        /// The Linux target or baseline it was checked for.
        on: String,
    },
    /// A .NET assembly built for one architecture only (PlatformTarget x64, ARM64, x86).
    ManagedArchMismatch {
        target: String,
        expected: String,
        found: String,
    },
    LibcMismatch {
        target: String,
        expected: String,
        found: String,
        interpreter: String,
    },
    ArchInconsistent {
        found: String,
        majority: String,
    },
    InterpreterMissing {
        interpreter: String,
        baseline: String,
        baseline_interpreter: Option<String>,
        baseline_libc: String,
    },
    SymbolVersionTooNew {
        library: String,
        family: String,
        version: String,
        symbols: Vec<String>,
        baseline: String,
        baseline_highest: Option<String>,
        shipped_at: Option<String>,
        weak: bool,
        /// Per symbol, what the baseline's glibc has of it (glibc nodes only).
        advice: Vec<SymbolFix>,
    },
    GlibcPrivate {
        library: String,
        symbols: Vec<String>,
        /// The baseline it was judged against (`None`: no baseline).
        baseline: Option<String>,
        /// Against a real root filesystem: the symbols its library does not define.
        absent: Option<Vec<String>>,
    },
    GlibcPrivatePresent {
        library: String,
        symbols: Vec<String>,
        baseline: String,
    },
    SymbolUndefined {
        symbols: Vec<String>,
        version: Option<String>,
        library: Option<String>,
        /// The objects that led to the file, entry point first, the file last.
        chain: Vec<String>,
    },
    SymbolFromHost {
        symbols: Vec<String>,
        chain: Vec<String>,
    },
    SymbolBlacklisted {
        library: String,
        symbols: Vec<String>,
        baseline: String,
    },
    SonameMissing {
        soname: String,
        baseline: String,
        shipped_elsewhere: Vec<String>,
        /// Other versions of the library the baseline has, with their packages.
        baseline_has: Vec<String>,
        /// The objects that led to the need, entry point first, the requesting file last.
        chain: Vec<String>,
        /// DT_RUNPATH entries up the chain that do not apply to this need (`owner: entry`).
        runpath_not_inherited: Vec<String>,
        /// The chain starts at a library nothing in the tree loads (a plugin): the program that
        /// loads it may have loaded the library already.
        plugin: bool,
        /// Where the root filesystem holds it in an `ld.so.conf` directory that the loader only
        /// reaches through an `/etc/ld.so.cache` that does not list it.
        needs_ldconfig: Option<String>,
    },
    LoadPathUnknown {
        soname: String,
        /// The search entries or names that depend on the run time, and why.
        why: Vec<String>,
        chain: Vec<String>,
    },
    SonameNeedsPackage {
        soname: String,
        baseline: String,
        package: String,
    },
    SonameUnknown {
        soname: String,
        baseline: String,
    },
    SonameNotOnSearchPath {
        soname: String,
        shipped_at: Vec<String>,
        /// The objects that led to the need, entry point first.
        search_path: Vec<String>,
        baseline: String,
    },
    RpathAbsolute {
        tag: &'static str,
        entry: String,
    },
    /// `exec-stack-dlopen` when `refused_by` names a glibc that refuses it, else `exec-stack`.
    ExecStack {
        /// PT_GNU_STACK asks for it (`false`: there is none, and the loader assumes one).
        flagged: bool,
        /// Loaded with dlopen (a plugin nothing in the tree loads, or a run-time load).
        dlopened: bool,
        /// The baseline whose glibc (2.41 or later) refuses it, with that glibc.
        refused_by: Option<(String, String)>,
    },
    StaticTlsDlopen {
        tls_bytes: Option<u64>,
    },
    /// `kernel-too-old`, or `kernel-note-newer` for a note no loader enforces (`enforced`).
    KernelTooOld {
        /// The kernel the file (or the glibc it runs on) needs.
        needs: String,
        /// What says so: "its ABI note" or "<baseline>'s glibc".
        needed_by: String,
        enforced: bool,
        /// The target's kernel, whose it is (`--kernel`, `ubuntu-22.04's kernel`) and the
        /// data's source.
        kernel: String,
        kernel_source: String,
        source: Option<String>,
    },
    /// `cpu-level-too-low` when the target names its level, else `cpu-level-needed`.
    CpuLevel {
        needs: u8,
        /// The lowest level of the target's CPUs (`None`: not recorded), and what says so.
        lowest: Option<u8>,
        of: String,
        target_named: bool,
        source: Option<String>,
    },
    /// `page-size-too-large` for the default kernel, `page-size-optional` for an optional one.
    PageSize {
        load_align: u64,
        page_size: u64,
        of: String,
        optional: bool,
        source: Option<String>,
    },
    /// A hardening fact (`no-pie`, `no-relro`, `no-stack-protector`, `no-fortify`, `no-cet`).
    Hardening {
        #[serde(skip)]
        code: Code,
        what: String,
    },
    DebugInfoPresent {
        debug_sections: usize,
        debug_bytes: u64,
        symtab_bytes: Option<u64>,
        compressed: bool,
    },
    NotStripped {
        symtab_bytes: u64,
    },
    DebugLink {
        debuglink: String,
        companion_found: Option<String>,
    },
    DebugFile {
        debug_bytes: u64,
        build_id: Option<String>,
        /// The file of the tree it belongs to (same build-id, or whose .gnu_debuglink names it).
        belongs_to: Option<String>,
    },
    /// `dlopen-missing`, or `dlopen-feature-missing` when only one feature fails without it.
    DlopenMissing {
        /// The names tried, in order.
        names: Vec<String>,
        reason: Reason,
        /// The objects that led to the file that loads it, entry point first, that file last.
        chain: Vec<String>,
        baseline: String,
        /// Other versions of the library the baseline has.
        baseline_has: Vec<String>,
    },
    DlopenUnknown {
        names: Vec<String>,
        reason: Reason,
        chain: Vec<String>,
        baseline: String,
    },
    DlopenCandidates {
        names: Vec<String>,
        /// The baseline that lacks them (`None`: a root filesystem checked on its own).
        baseline: Option<String>,
    },
    ArchUnsupported {
        baseline: String,
        arch: String,
        built_for: Vec<String>,
        source: String,
    },
    BaselineArchUnknown {
        baseline: String,
        arch: String,
        known: Vec<String>,
    },
    TargetRuleUnmatched {
        rule: String,
        paths: Vec<String>,
        target: String,
    },
    DlopenRuleUnmatched {
        rule: String,
        loads: Vec<String>,
    },
    UnreadableFile {
        reason: String,
    },
    ArchiveLimit {
        reason: String,
    },
}

impl Issue {
    pub fn code(&self) -> Code {
        match self {
            Issue::ArchMismatch { .. } => Code::ArchMismatch,
            Issue::LibcMismatch { .. } => Code::LibcMismatch,
            Issue::ForeignFormat { .. } => Code::ForeignFormat,
            Issue::ManagedArchMismatch { .. } => Code::ArchMismatch,
            Issue::ArchInconsistent { .. } => Code::ArchInconsistent,
            Issue::InterpreterMissing { .. } => Code::InterpreterMissing,
            Issue::SymbolVersionTooNew { weak: false, .. } => Code::SymbolVersionTooNew,
            Issue::SymbolVersionTooNew { weak: true, .. } => Code::WeakSymbolVersionTooNew,
            Issue::GlibcPrivate { .. } => Code::GlibcPrivate,
            Issue::GlibcPrivatePresent { .. } => Code::GlibcPrivatePresent,
            Issue::SymbolUndefined { .. } => Code::SymbolUndefined,
            Issue::SymbolFromHost { .. } => Code::SymbolFromHost,
            Issue::SymbolBlacklisted { .. } => Code::SymbolBlacklisted,
            Issue::SonameMissing { .. } => Code::SonameMissing,
            Issue::SonameUnknown { .. } => Code::SonameUnknown,
            Issue::SonameNeedsPackage { .. } => Code::SonameNeedsPackage,
            Issue::SonameNotOnSearchPath { .. } => Code::SonameNotOnSearchPath,
            Issue::LoadPathUnknown { .. } => Code::LoadPathUnknown,
            Issue::RpathAbsolute { .. } => Code::RpathAbsolute,
            Issue::ExecStack {
                refused_by: Some(_),
                ..
            } => Code::ExecStackDlopen,
            Issue::ExecStack { .. } => Code::ExecStack,
            Issue::StaticTlsDlopen { .. } => Code::StaticTlsDlopen,
            Issue::KernelTooOld { enforced: true, .. } => Code::KernelTooOld,
            Issue::KernelTooOld { .. } => Code::KernelNoteNewer,
            Issue::CpuLevel {
                target_named: true, ..
            } => Code::CpuLevelTooLow,
            Issue::CpuLevel { .. } => Code::CpuLevelNeeded,
            Issue::PageSize {
                optional: false, ..
            } => Code::PageSizeTooLarge,
            Issue::PageSize { .. } => Code::PageSizeOptional,
            Issue::Hardening { code, .. } => *code,
            Issue::DebugInfoPresent { .. } => Code::DebugInfoPresent,
            Issue::NotStripped { .. } => Code::NotStripped,
            Issue::DebugLink { .. } => Code::DebugLink,
            Issue::DebugFile { .. } => Code::DebugFile,
            Issue::DlopenMissing { reason, .. } if reason.fatal() => Code::DlopenMissing,
            Issue::DlopenMissing { .. } => Code::DlopenFeatureMissing,
            Issue::DlopenUnknown { .. } => Code::DlopenUnknown,
            Issue::DlopenCandidates { .. } => Code::DlopenCandidates,
            Issue::ArchUnsupported { .. } => Code::ArchUnsupported,
            Issue::BaselineArchUnknown { .. } => Code::BaselineArchUnknown,
            Issue::TargetRuleUnmatched { .. } => Code::TargetRuleUnmatched,
            Issue::DlopenRuleUnmatched { .. } => Code::DlopenRuleUnmatched,
            Issue::UnreadableFile { .. } => Code::UnreadableFile,
            Issue::ArchiveLimit { .. } => Code::ArchiveLimit,
        }
    }

    /// Raw → demangled, for each C++ or Rust symbol name the evidence holds: the message shows
    /// the demangled name, JSON keeps both. Empty when no name is mangled.
    pub fn demangled_symbols(&self) -> BTreeMap<String, String> {
        let names: Vec<&String> = match self {
            Issue::SymbolVersionTooNew {
                symbols, advice, ..
            } => symbols
                .iter()
                .chain(advice.iter().map(|fix| match fix {
                    SymbolFix::RebuildAgainstOlderGlibc { symbol, .. }
                    | SymbolFix::CodeChangeOrShim { symbol, .. } => symbol,
                }))
                .collect(),
            Issue::GlibcPrivate {
                symbols, absent, ..
            } => symbols.iter().chain(absent.iter().flatten()).collect(),
            Issue::GlibcPrivatePresent { symbols, .. }
            | Issue::SymbolUndefined { symbols, .. }
            | Issue::SymbolFromHost { symbols, .. }
            | Issue::SymbolBlacklisted { symbols, .. } => symbols.iter().collect(),
            _ => Vec::new(),
        };
        names
            .into_iter()
            .filter_map(|raw| demangled(raw).map(|text| (raw.clone(), text)))
            .collect()
    }

    pub fn message(&self) -> String {
        match self {
            Issue::ArchMismatch {
                target,
                expected,
                found,
                differs,
                failure,
            } => {
                let what = format!(
                    "built for {found}, target {target} is {expected} ({} differ)",
                    differs.join(", ")
                );
                let happens = match failure {
                    ArchFailure::KernelRefuses => {
                        "the kernel refuses it: \"cannot execute binary file: Exec format error\""
                    }
                    ArchFailure::CompatNeeds32BitLoader => {
                        "x86-64 kernels run i386 programs, but a typical x86-64 image has no 32-bit loader: starting it fails with \"No such file or directory\" for /lib/ld-linux.so.2"
                    }
                    ArchFailure::Aarch32OnlyOnSomeCpus => {
                        "arm64 kernels run 32-bit ARM programs only on CPUs with AArch32 (not on Graviton 2 or later, Ampere Altra, Apple silicon): elsewhere \"Exec format error\", and where it runs the image also needs the 32-bit ARM loader and libraries"
                    }
                    ArchFailure::WrongFloatAbi => {
                        "its loader (another float ABI) is not on the target: \"No such file or directory\"; a library of the other ABI passes float arguments in the wrong registers"
                    }
                    ArchFailure::OtherOperatingSystem => {
                        "Linux starts it, but its loader belongs to another operating system (\"No such file or directory\"), and a static one dies at its first system call"
                    }
                    ArchFailure::LoaderSkipsLibrary => {
                        "the loader passes over it on the search path and, with no other copy, fails with \"cannot open shared object file: No such file or directory\"; named by path, a file of the other class gives \"wrong ELF class\""
                    }
                };
                format!("{what}: {happens}")
            }
            Issue::ForeignFormat { what, on } => format!(
                "{what}: {on} cannot run it; the kernel refuses it (\"cannot execute binary file: Exec format error\") and no Linux loader or runtime maps it"
            ),
            Issue::ManagedArchMismatch {
                target,
                expected,
                found,
            } => format!(
                "a .NET assembly built for {found} only; target {target} is {expected}: the runtime refuses it (\"BadImageFormatException\")"
            ),
            Issue::LibcMismatch {
                target,
                expected,
                found,
                interpreter,
            } => format!(
                "linked against {found} (interpreter {interpreter}) but target {target} uses {expected}"
            ),
            Issue::ArchInconsistent { found, majority } => {
                format!("built for {found} while most binaries in the tree are {majority}")
            }
            Issue::InterpreterMissing {
                interpreter,
                baseline,
                baseline_interpreter,
                baseline_libc,
            } => {
                let has = match baseline_interpreter {
                    Some(path) => format!("{baseline} ({baseline_libc}) has {path}"),
                    None => format!(
                        "{baseline} ({baseline_libc}) has no known loader for this architecture"
                    ),
                };
                format!(
                    "asks for interpreter {interpreter}, but {has}: the shell reports \"No such file or directory\" although the file exists"
                )
            }
            Issue::SymbolVersionTooNew {
                library,
                version,
                symbols,
                baseline,
                baseline_highest,
                shipped_at,
                weak,
                family,
                ..
            } => {
                let needed_by = symbol_list(symbols);
                let has = match (shipped_at, baseline_highest) {
                    (Some(path), _) => format!("the shipped {path} does not define it"),
                    (None, Some(highest)) => {
                        format!("{baseline} provides {family} up to {highest}")
                    }
                    (None, None) => format!("{baseline} does not define it"),
                };
                let weak = if *weak {
                    " (weak: the loader only warns)"
                } else {
                    ""
                };
                format!("needs {version} from {library}{needed_by}; {has}{weak}")
            }
            Issue::SymbolBlacklisted {
                library,
                symbols,
                baseline,
            } => format!(
                "imports {} from {library}, which {baseline} forbids although it allows {library}",
                readable(symbols)
            ),
            Issue::SymbolUndefined {
                symbols,
                version,
                library,
                chain,
            } => {
                let bound = match (version, library) {
                    (Some(version), Some(library)) => format!(" {version} from {library}"),
                    _ => String::new(),
                };
                format!(
                    "{}: no loaded object defines{bound}{}: \"symbol lookup error: {}: undefined symbol: {}\"",
                    chain.join(" → "),
                    symbol_list(symbols),
                    chain.last().map_or("", String::as_str),
                    symbols.first().map_or("", String::as_str)
                )
            }
            Issue::SymbolFromHost { symbols, chain } => format!(
                "{}: {} undefined symbols that no object of the tree defines{}: the program that loads it must provide them",
                chain.join(" → "),
                symbols.len(),
                symbol_list(symbols)
            ),
            Issue::GlibcPrivate {
                library,
                symbols,
                baseline,
                absent,
            } => match (baseline, absent) {
                (Some(baseline), Some(absent)) => format!(
                    "needs GLIBC_PRIVATE from {library}{}; {baseline}'s {library} does not define {}: \"symbol lookup error: undefined symbol: {}\"",
                    symbol_list(symbols),
                    readable(absent),
                    absent.first().map_or("", String::as_str)
                ),
                (Some(baseline), None) => format!(
                    "needs GLIBC_PRIVATE from {library}{}: private symbols change between glibc builds, and the {baseline} data records none of them",
                    symbol_list(symbols)
                ),
                (None, _) => format!(
                    "needs GLIBC_PRIVATE from {library}{}: only the exact glibc build it was linked against provides it",
                    symbol_list(symbols)
                ),
            },
            Issue::GlibcPrivatePresent {
                library,
                symbols,
                baseline,
            } => format!(
                "needs GLIBC_PRIVATE from {library}{}; {baseline}'s {library} defines them all today, but the next glibc build may not",
                symbol_list(symbols)
            ),
            Issue::SonameMissing {
                soname,
                baseline,
                shipped_elsewhere,
                baseline_has,
                chain,
                runpath_not_inherited,
                plugin,
                needs_ldconfig,
            } => {
                let mut text = format!(
                    "{}: not found, and {baseline} does not provide it",
                    chain_to(chain, soname)
                );
                if !baseline_has.is_empty() {
                    text += &format!(" (it ships {}, not {soname})", baseline_has.join(", "));
                }
                if !runpath_not_inherited.is_empty() {
                    let requester = chain.last().map_or("the file", String::as_str);
                    text += &format!(
                        " ({requester} has no search path of its own that finds it; DT_RUNPATH {} applies only to its own object's needs)",
                        runpath_not_inherited.join(", ")
                    );
                }
                if !shipped_elsewhere.is_empty() {
                    text += &format!(
                        " (shipped at {} but not on the search path)",
                        shipped_elsewhere.join(", ")
                    );
                }
                if let Some(path) = needs_ldconfig {
                    text += &format!(
                        " (it is at {path}, in an ld.so.conf directory, but the loader reads ld.so.conf only through /etc/ld.so.cache, which does not list it)"
                    );
                }
                if *plugin {
                    let entry = chain.first().map_or("the library", String::as_str);
                    text += &format!(
                        " (nothing in the tree loads {entry}: it loads only if the program that loads it has already loaded {soname})"
                    );
                }
                text + &format!(
                    ": \"error while loading shared libraries: {soname}: cannot open shared object file\""
                )
            }
            Issue::LoadPathUnknown { soname, why, chain } => format!(
                "{}: where the loader finds it depends on the run time ({}): not verified",
                chain_to(chain, soname),
                why.join("; ")
            ),
            Issue::SonameNeedsPackage {
                soname,
                baseline,
                package,
            } => format!(
                "needs {soname}, which {baseline} provides in package {package}, not in its minimal image"
            ),
            Issue::SonameUnknown { soname, baseline } => format!(
                "needs {soname}, which the checked tree does not ship and the {baseline} data does not cover (unknown whether it is installed)"
            ),
            Issue::SonameNotOnSearchPath {
                soname,
                shipped_at,
                search_path,
                baseline,
            } => format!(
                "{}: shipped at {} but no RPATH/RUNPATH of the chain leads there; the loader looks in {baseline}'s system directories, and the data does not say whether it has {soname}",
                chain_to(search_path, soname),
                shipped_at.join(", ")
            ),
            Issue::RpathAbsolute { tag, entry } => format!(
                "{tag} entry {entry} is an absolute path outside the system library directories (a leaked build directory?)"
            ),
            Issue::ExecStack {
                flagged,
                dlopened,
                refused_by,
            } => {
                let asks = if *flagged {
                    "PT_GNU_STACK asks for an executable stack"
                } else {
                    "no PT_GNU_STACK, so the loader gives it an executable stack"
                };
                match (refused_by, dlopened) {
                    (Some((baseline, glibc)), _) => format!(
                        "{asks}, and it is loaded with dlopen: {baseline}'s glibc {glibc} refuses it (\"cannot enable executable stack as shared object requires: Invalid argument\")"
                    ),
                    (None, true) => format!(
                        "{asks}, and it is loaded with dlopen: glibc 2.41 and later refuse it (\"cannot enable executable stack as shared object requires: Invalid argument\"); older glibc makes every thread's stack executable"
                    ),
                    (None, false) => format!(
                        "{asks}: the process runs with an executable stack (no NX protection for it)"
                    ),
                }
            }
            Issue::StaticTlsDlopen { tls_bytes } => format!(
                "initial-exec TLS (DF_STATIC_TLS{}) in a library loaded with dlopen: it needs room in the static TLS block, and when the loader's reserve is used up dlopen fails (\"cannot allocate memory in static TLS block\")",
                tls_bytes
                    .map(|b| format!(", {} of TLS", human_bytes(b)))
                    .unwrap_or_default()
            ),
            Issue::Hardening { what, .. } => what.clone(),
            Issue::KernelTooOld {
                needs,
                needed_by,
                enforced: true,
                kernel,
                kernel_source,
                ..
            } => format!(
                "{needed_by} needs Linux {needs}; the target runs {kernel} ({kernel_source}): it stops at start with \"FATAL: kernel too old\""
            ),
            Issue::KernelTooOld {
                needs,
                kernel,
                kernel_source,
                ..
            } => format!(
                "its ABI note says Linux {needs}; the target runs {kernel} ({kernel_source}): it was built against a glibc that requires {needs}, while the target's own glibc decides whether it starts"
            ),
            Issue::CpuLevel {
                needs,
                lowest,
                of,
                target_named,
                ..
            } => {
                let level = |l: u8| match l {
                    1 => "x86-64 (baseline)".to_string(),
                    l => format!("x86-64-v{l}"),
                };
                let failure = "glibc's loader refuses it (\"CPU ISA level is lower than required\"; older loaders run it until an instruction fails: \"Illegal instruction\")";
                let needs = level(*needs);
                match (lowest, target_named) {
                    (Some(lowest), true) => {
                        format!(
                            "needs {needs} (its ISA note); {of} is {}: {failure}",
                            level(*lowest)
                        )
                    }
                    (Some(lowest), false) => format!(
                        "needs {needs} (its ISA note); {of} runs on CPUs from {}: on those below {needs} {failure}",
                        level(*lowest)
                    ),
                    (None, _) => format!(
                        "needs {needs} (its ISA note); the lowest CPU level {of} runs on is not recorded: on CPUs below {needs} {failure}"
                    ),
                }
            }
            Issue::PageSize {
                load_align,
                page_size,
                of,
                optional,
                ..
            } => format!(
                "its segments are aligned to {}; {of} {} {} pages: the file cannot be mapped there (the loader says \"ELF load command address/offset not properly aligned\")",
                human_bytes(*load_align),
                if *optional {
                    "offers kernels with"
                } else {
                    "runs with"
                },
                human_bytes(*page_size)
            ),
            Issue::DebugInfoPresent {
                debug_sections,
                debug_bytes,
                symtab_bytes,
                compressed,
            } => {
                let mut parts = Vec::new();
                if *debug_sections > 0 {
                    let compressed = if *compressed { " compressed" } else { "" };
                    parts.push(format!(
                        "{debug_sections}{compressed} debug sections ({})",
                        human_bytes(*debug_bytes)
                    ));
                }
                if let Some(bytes) = symtab_bytes {
                    parts.push(format!(".symtab ({})", human_bytes(*bytes)));
                }
                format!("ships {}", parts.join(" and "))
            }
            Issue::DebugLink {
                debuglink,
                companion_found,
            } => match companion_found {
                Some(path) => format!("separate debug info {debuglink} (found at {path})"),
                None => format!("separate debug info {debuglink} (not found beside the file)"),
            },
            Issue::NotStripped { symtab_bytes } => format!(
                "not stripped: .symtab ({}) and no DWARF",
                human_bytes(*symtab_bytes)
            ),
            Issue::DebugFile {
                debug_bytes,
                build_id,
                belongs_to,
            } => format!(
                "a separate debug file ({} of debug info{}){} is shipped in the release",
                human_bytes(*debug_bytes),
                build_id
                    .as_ref()
                    .map(|id| format!(", build-id {id}"))
                    .unwrap_or_default(),
                belongs_to
                    .as_ref()
                    .map(|path| format!(" for {path}"))
                    .unwrap_or_default()
            ),
            Issue::DlopenMissing {
                names,
                reason,
                chain,
                baseline,
                baseline_has,
            } => {
                let mut text = format!(
                    "{}: not found, and {baseline} does not provide it",
                    loads_at_run_time(chain, names, reason)
                );
                if !baseline_has.is_empty() {
                    text += &format!(" (it ships {})", baseline_has.join(", "));
                }
                format!("{text}: {}", run_time_failure(names, reason))
            }
            Issue::DlopenUnknown {
                names,
                reason,
                chain,
                baseline,
            } => format!(
                "{}: not shipped, and the {baseline} data does not say whether it is installed: not verified",
                loads_at_run_time(chain, names, reason)
            ),
            Issue::DlopenCandidates { names, baseline } => format!(
                "calls dlopen, and its read-only data names {} that {}: it may load them at run time",
                names_list(names),
                match baseline {
                    Some(baseline) =>
                        format!("the tree does not ship and {baseline} does not provide"),
                    None => "the root filesystem does not hold".into(),
                }
            ),
            Issue::ArchUnsupported {
                baseline,
                arch,
                built_for,
                source,
            } => format!(
                "{baseline} was never built for {arch} (it exists for {}; {source}): there is no {baseline} system to run it on",
                built_for.join(", ")
            ),
            Issue::BaselineArchUnknown {
                baseline,
                arch,
                known,
            } => format!(
                "{baseline} data has no {arch} entry (it has {}): not verified",
                known.join(", ")
            ),
            Issue::TargetRuleUnmatched {
                rule,
                paths,
                target,
            } => format!(
                "{rule} (paths {}, target {target}) matches no checked file: nothing was checked for {target} by this rule",
                paths.join(", ")
            ),
            Issue::DlopenRuleUnmatched { rule, loads } => format!(
                "[dlopen] \"{rule}\" (loads {}) matches no checked file: nothing was checked for it",
                loads.join(", ")
            ),
            Issue::UnreadableFile { reason } => reason.clone(),
            Issue::ArchiveLimit { reason } => {
                format!("not checked: the artifact {reason}")
            }
        }
    }

    pub fn hint(&self) -> String {
        match self {
            Issue::ArchMismatch { target, .. } => format!(
                "build for {target} (e.g. `cargo build --target <triple>`, `dotnet publish -r <rid>`, `docker buildx --platform <platform>`), or ship this file to a matching machine"
            ),
            Issue::ForeignFormat { .. } => "build the file for Linux (dotnet publish -r linux-x64, cargo build --target x86_64-unknown-linux-gnu, …) or leave it out of the Linux release".into(),
            Issue::ManagedArchMismatch { target, .. } => format!(
                "build the assembly as AnyCPU (PlatformTarget AnyCPU) or for {target} (dotnet publish -r {target})"
            ),
            Issue::LibcMismatch { expected, .. } => format!(
                "build against {expected} (a -musl target for Alpine, a -gnu target for glibc distros), or link statically"
            ),
            Issue::ArchInconsistent { .. } => "check that every binary in the tree was built for the same target, or pass --target".into(),
            Issue::InterpreterMissing { baseline_libc, .. } => format!(
                "build for {baseline_libc} (the baseline's C library), link statically, or install the matching loader on the target"
            ),
            Issue::SymbolVersionTooNew { library, shipped_at: Some(_), .. } => format!(
                "ship a newer build of {library} beside the binary, or rebuild the binary against the shipped one"
            ),
            Issue::SymbolVersionTooNew { version, .. } if version == "GLIBC_ABI_DT_RELR" => {
                "relink without -z pack-relative-relocs (RELR needs glibc 2.36 or newer), e.g. drop -Wl,-z,pack-relative-relocs or add -Wl,-z,nopack-relative-relocs".into()
            }
            Issue::SymbolVersionTooNew { advice, .. } if !advice.is_empty() => advice_text(advice),
            Issue::SymbolVersionTooNew { family, baseline, baseline_highest, .. } => {
                match family.as_str() {
                    "GLIBC" => format!("rebuild against an older glibc sysroot (glibc {} or older, e.g. the baseline's own libc6-dev with --sysroot, or zig cc -target <arch>-linux-gnu.{}), or avoid the symbols listed", baseline_highest.as_deref().unwrap_or("?"), baseline_highest.as_deref().unwrap_or("?")),
                    "GLIBCXX" | "CXXABI" => format!("build with the GCC/libstdc++ of {baseline} or older, or link libstdc++ statically (-static-libstdc++)"),
                    "GCC" => "link libgcc statically (-static-libgcc) or build with an older GCC".into(),
                    _ => format!("build against the library version {baseline} ships, or bundle the library"),
                }
            }
            Issue::SymbolBlacklisted { library, .. } => format!(
                "stop using these symbols, or bundle your own {library} (auditwheel repair does this for wheels)"
            ),
            Issue::SymbolUndefined { library: Some(library), .. } => format!(
                "ship the {library} the file was linked against (one that defines these symbols), or rebuild the file against the {library} you ship"
            ),
            Issue::SymbolUndefined { .. } => "ship the library that defines these symbols and add it to the file's DT_NEEDED (link with -l<name>), or rebuild without them".into(),
            Issue::SymbolFromHost { .. } => "nothing if the program that loads this plugin provides them (a Python extension's Py* symbols come from the interpreter); otherwise link the plugin against the library that defines them".into(),
            Issue::GlibcPrivatePresent { .. } => "nothing for this root filesystem; for portability, stop using glibc internals or ship with the glibc that defines them".into(),
            Issue::GlibcPrivate { .. } => "do not link against GLIBC_PRIVATE symbols; rebuild without them (they are glibc internals)".into(),
            Issue::SonameMissing { chain, runpath_not_inherited, shipped_elsewhere, .. }
                if !runpath_not_inherited.is_empty() && !shipped_elsewhere.is_empty() =>
            {
                let requester = chain.last().map_or("the library", String::as_str);
                format!(
                    "give {requester} a search path of its own that reaches the shipped copy (patchelf --set-rpath '$ORIGIN' {requester}, or link it with -Wl,-rpath,'$ORIGIN'), or link the program with DT_RPATH instead (-Wl,--disable-new-dtags), which its dependencies inherit"
                )
            }
            Issue::SonameMissing { needs_ldconfig: Some(_), .. } => "run ldconfig when building the image (RUN ldconfig in the Dockerfile, or ldconfig -r <root> on the packed tree) so /etc/ld.so.cache lists the ld.so.conf directories".into(),
            Issue::SonameMissing { soname, baseline_has, .. } if !baseline_has.is_empty() => format!(
                "rebuild against the version the target ships ({}), or ship {soname} beside the binary with -Wl,-rpath,'$ORIGIN'",
                baseline_has.join(", ")
            ),
            Issue::SonameNeedsPackage { package, .. } => format!(
                "install {package} in the target image (e.g. apt-get install {package}), or ship the library beside the binary"
            ),
            Issue::SonameMissing { soname, .. } => format!(
                "install the package that provides {soname} on the target, or ship {soname} beside the binary and link with -Wl,-rpath,'$ORIGIN' (or '$ORIGIN/../lib')"
            ),
            Issue::SonameUnknown { soname, baseline } => format!(
                "make sure {baseline} installs {soname}, or ship it beside the binary with -Wl,-rpath,'$ORIGIN'; check with --sysroot against a real root filesystem"
            ),
            Issue::LoadPathUnknown { .. } => "use $ORIGIN-relative RPATH/RUNPATH entries and plain sonames (-Wl,-soname,libfoo.so.1; -Wl,-rpath,'$ORIGIN/../lib') so the answer does not depend on the working directory or the loader build".into(),
            Issue::SonameNotOnSearchPath { .. } => "link with -Wl,-rpath,'$ORIGIN' (or '$ORIGIN/../lib'), e.g. patchelf --set-rpath '$ORIGIN/../lib'".into(),
            Issue::RpathAbsolute { .. } => "replace it with a $ORIGIN-relative path (patchelf --set-rpath '$ORIGIN/../lib') or remove it (patchelf --remove-rpath)".into(),
            Issue::ExecStack { .. } => "link with -Wl,-z,noexecstack and give every assembly file a .note.GNU-stack section (`patchelf --clear-execstack FILE` clears the flag of a built file)".into(),
            Issue::StaticTlsDlopen { .. } => "build the library with -ftls-model=global-dynamic (the -fPIC default), or load it at start (DT_NEEDED) instead of with dlopen; the glibc.rtld.optional_static_tls tunable reserves more".into(),
            Issue::Hardening { code, .. } => code.fix().into(),
            Issue::KernelTooOld { enforced: true, .. } => "run on a newer kernel (a container uses the host's kernel: say which with --kernel), or build against a glibc configured for an older kernel (an older sysroot), or link statically against musl".into(),
            Issue::KernelTooOld { .. } => "build against the target's own sysroot, or a glibc configured with an older --enable-kernel".into(),
            Issue::CpuLevel { lowest, .. } => match lowest.filter(|l| *l > 1) {
                Some(level) => format!("build for x86-64-v{level} (-march=x86-64-v{level}), or ship one build per level"),
                None => "build for the x86-64 baseline (-march=x86-64), or ship one build per level; --target x86_64-v3 says your machines have v3".into(),
            },
            Issue::PageSize { page_size, .. } => format!(
                "link with -Wl,-z,max-page-size={page_size} (or 65536, the largest of the architecture)"
            ),
            Issue::DebugInfoPresent { .. } => "strip release builds (strip --strip-debug, or [profile.release] strip = true / -s), keeping the debug info in a separate file with objcopy --only-keep-debug".into(),
            Issue::NotStripped { .. } => "strip it (strip --strip-all, or link with -s; Cargo: [profile.release] strip = true)".into(),
            Issue::DebugLink { .. } => "nothing in the binary; the shipped debug file beside it is reported as debug-file".into(),
            Issue::DebugFile { .. } => "move the debug file out of the release into your symbol server (or a -dbg/-debuginfo package); debuggers find it there by build-id".into(),
            Issue::DlopenMissing { names, reason, chain, .. } => run_time_fix(names, reason, chain),
            Issue::DlopenUnknown { .. } => "check against a real root filesystem with --sysroot (or a baseline that lists the library), or make sure the target installs it".into(),
            Issue::DlopenCandidates { .. } => "if the program needs them, list them for this file in shipcheck.toml's [dlopen] table so the gate checks them, and ship or install them; otherwise nothing".into(),
            Issue::ArchUnsupported { built_for, .. } => format!(
                "build for an architecture the release exists for ({}), or pick a release that exists for this one (`shipcheck baselines`)",
                built_for.join(", ")
            ),
            Issue::BaselineArchUnknown { .. } => "check this architecture with --sysroot against a real root filesystem, or pick a baseline that has it (`shipcheck baselines`)".into(),
            Issue::TargetRuleUnmatched { .. } => "fix the rule's paths globs (relative to the checked PATH; `*` does not cross `/`, `**` does) or remove the rule".into(),
            Issue::DlopenRuleUnmatched { .. } => "fix the entry's glob (relative to the checked PATH; `*` does not cross `/`, `**` does) or remove it".into(),
            Issue::UnreadableFile { .. } => "check that the file is complete (not truncated by an interrupted copy) and readable".into(),
            Issue::ArchiveLimit { .. } => "if this artifact is what you meant to ship, raise the limit (--max-archive-bytes, --max-archive-ratio, --max-archive-members); nothing in it was checked".into(),
        }
    }
}

/// One finding as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub issue: Issue,
    /// The baseline the finding is about; `None` for findings that hold on every baseline.
    pub baseline: Option<String>,
}

impl Finding {
    pub fn code(&self) -> Code {
        self.issue.code()
    }

    /// Whether the finding counts for a baseline's verdict: its own findings and those that
    /// hold on every baseline.
    pub fn applies_to(&self, baseline: &str) -> bool {
        self.baseline.as_deref().is_none_or(|b| b == baseline)
    }
}

/// Per-code severity changes from the command line; `None` turns a code off.
pub type SeverityOverrides = BTreeMap<Code, Option<Severity>>;

/// The severity a code has in this run: the user's override, else its default; `None` when the
/// user turned it off. The only place severities are decided.
pub fn severity_of(code: Code, overrides: &SeverityOverrides) -> Option<Severity> {
    match overrides.get(&code) {
        Some(changed) => *changed,
        None if code.off_by_default() => None,
        None => Some(code.default_severity()),
    }
}

/// Rates every issue with [`severity_of`], dropping those turned off.
pub fn findings_from(
    issues: Vec<(Issue, Option<String>)>,
    overrides: &SeverityOverrides,
) -> Vec<Finding> {
    issues
        .into_iter()
        .filter_map(|(issue, baseline)| {
            Some(Finding {
                severity: severity_of(issue.code(), overrides)?,
                issue,
                baseline,
            })
        })
        .collect()
}

/// Worst first, then by code, baseline and message, so every output is deterministic.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.code().cmp(&b.code()))
            .then_with(|| a.baseline.cmp(&b.baseline))
            .then_with(|| a.issue.message().cmp(&b.issue.message()))
    });
}

fn advice_text(advice: &[SymbolFix]) -> String {
    let mut older = Vec::new();
    let mut missing = Vec::new();
    for fix in advice {
        match fix {
            SymbolFix::RebuildAgainstOlderGlibc { symbol, node } => {
                older.push(format!("{}@{node}", demangle(symbol)))
            }
            SymbolFix::CodeChangeOrShim {
                symbol,
                first_release: Some(release),
            } => missing.push(format!("{} (added in glibc {release})", demangle(symbol))),
            SymbolFix::CodeChangeOrShim { symbol, .. } => missing.push(demangle(symbol).into()),
        }
    }
    let mut parts = Vec::new();
    if !older.is_empty() {
        parts.push(format!(
            "the baseline's glibc has {}: rebuild against an older glibc sysroot (the baseline's own libc6-dev/glibc-devel with --sysroot, or zig cc -target <arch>-linux-gnu.<version>) so the link binds those",
            older.join(", ")
        ));
    }
    if !missing.is_empty() {
        parts.push(format!(
            "{} does not exist in the baseline's glibc: build against the baseline's glibc headers (they do not redirect calls to it, as newer headers redirect fcntl to fcntl64), change the code to do without it, or provide a shim (e.g. a syscall wrapper)",
            missing.join(", ")
        ));
    }
    parts.join("; ")
}

/// `shipcheck explain CODE`.
pub fn explain(code: Code) -> String {
    let severity = if code.off_by_default() {
        format!("off; --deny {code} makes it an error")
    } else {
        code.default_severity().to_string()
    };
    format!(
        "{code} (default severity: {severity})\n\n{}\n\nHow to fix: {}\n",
        code.description(),
        code.fix()
    )
}

/// Many names (ICU's probed versions) shown as the first and last.
fn names_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        few if few.len() <= 4 => few.join(", "),
        many => format!(
            "{} … {} ({} names)",
            many[0],
            many[many.len() - 1],
            many.len()
        ),
    }
}

/// `bin/app loads libicuuc.so.<N> at run time (…)`: who loads what, and how that is known.
fn loads_at_run_time(chain: &[String], names: &[String], reason: &Reason) -> String {
    let path = chain.join(" → ");
    let names = names_list(names);
    match reason {
        Reason::Declared { policy, rule } => {
            format!("{path} loads {names} at run time (declared in {policy}, [dlopen] \"{rule}\")")
        }
        Reason::Dotnet { feature, app } => {
            let what = match feature {
                DotnetFeature::Globalization => "ICU at start (globalization)",
                DotnetFeature::Cryptography => {
                    "OpenSSL at the first use of cryptography, TLS or HTTPS"
                }
                DotnetFeature::NegotiateAuthentication => {
                    "GSSAPI for Negotiate/Kerberos authentication"
                }
            };
            format!("{path}: the .NET runtime ({app}) loads {what}, trying {names}")
        }
        Reason::MonoDllmap { dll, config } => format!(
            "{path}: {config} maps [DllImport(\"{dll}\")] to {names}, which Mono loads at the first call"
        ),
    }
}

/// What the program says on the target when the library is not there.
fn run_time_failure(names: &[String], reason: &Reason) -> String {
    let first = names.first().map_or("", String::as_str);
    match reason {
        Reason::Declared { .. } => format!(
            "dlopen fails (\"{first}: cannot open shared object file: No such file or directory\")"
        ),
        Reason::Dotnet { feature: DotnetFeature::Globalization, .. } => "the app stops at start: \"Couldn't find a valid ICU package installed on the system\"".into(),
        Reason::Dotnet { feature: DotnetFeature::Cryptography, .. } => "the first use of cryptography or TLS ends the process: \"No usable version of libssl was found\"".into(),
        Reason::Dotnet { feature: DotnetFeature::NegotiateAuthentication, .. } => format!(
            "Negotiate/Kerberos authentication fails (\"{first}: cannot open shared object file\")"
        ),
        Reason::MonoDllmap { dll, .. } => format!(
            "calls into {dll} throw System.DllNotFoundException"
        ),
    }
}

/// The two ways out: provide the library, or turn off what needs it.
fn run_time_fix(names: &[String], reason: &Reason, chain: &[String]) -> String {
    let first = names.first().map_or("the library", String::as_str);
    let loader = chain.last().map_or("the file", String::as_str);
    match reason {
        Reason::Dotnet { feature: DotnetFeature::Globalization, .. } => "install ICU in the image (Debian/Ubuntu libicu<N>, RHEL libicu, Alpine icu-libs; or use a runtime-deps image with ICU, e.g. the -extra chiseled tags), or, if the app needs no culture data, set <InvariantGlobalization>true</InvariantGlobalization> in the project (\"System.Globalization.Invariant\": true in runtimeconfig.json)".into(),
        Reason::Dotnet { feature: DotnetFeature::Cryptography, .. } => "install OpenSSL in the image (Debian/Ubuntu libssl3, RHEL openssl-libs, Alpine libssl3), or make sure the app never uses cryptography, TLS or HTTPS".into(),
        Reason::Dotnet { feature: DotnetFeature::NegotiateAuthentication, .. } => "install GSSAPI in the image (Debian/Ubuntu libgssapi-krb5-2, RHEL krb5-libs, Alpine krb5-libs), or do not use Negotiate/Kerberos authentication".into(),
        Reason::MonoDllmap { dll, config } => format!(
            "ship {first} (and what it needs) where Mono finds it (beside the assembly or in the library path) or install the package that provides it; or remove the {dll} mapping from {config} if the app never calls it"
        ),
        Reason::Declared { .. } => format!(
            "install the package that provides {first} in the target image, or ship it where {loader} finds it (a directory of its RUNPATH, e.g. -Wl,-rpath,'$ORIGIN')"
        ),
    }
}

/// `bin/app → lib/libA.so → libB.so`: how the loader came to need a library.
fn chain_to(chain: &[String], soname: &str) -> String {
    let mut parts: Vec<&str> = chain.iter().map(String::as_str).collect();
    parts.push(soname);
    parts.join(" → ")
}

/// ` (a, b, and 3 more)`: symbols as people read them (C++ and Rust names demangled).
fn symbol_list(symbols: &[String]) -> String {
    const SHOWN: usize = 6;
    match symbols.len() {
        0 => String::new(),
        n if n <= SHOWN => format!(" ({})", readable(symbols)),
        n => format!(" ({}, and {} more)", readable(&symbols[..SHOWN]), n - SHOWN),
    }
}

/// Symbol names joined with ", ", C++ and Rust names demangled. Where a message quotes the
/// loader ("undefined symbol: …") it keeps the raw name, as the loader prints it.
fn readable(symbols: &[String]) -> String {
    symbols
        .iter()
        .map(|symbol| demangle(symbol))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = "B";
    for next in UNITS {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    format!("{value:.1} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every published code, in order: a rename or removal shows up here in review.
    #[test]
    fn codes_are_stable_and_unique() {
        let names: Vec<&str> = Code::ALL.iter().map(Code::as_str).collect();
        assert_eq!(
            names,
            [
                "arch-mismatch",
                "foreign-format",
                "libc-mismatch",
                "arch-inconsistent",
                "interpreter-missing",
                "symbol-version-too-new",
                "weak-symbol-version-too-new",
                "symbol-blacklisted",
                "symbol-undefined",
                "symbol-from-host",
                "glibc-private",
                "glibc-private-present",
                "soname-missing",
                "soname-unknown",
                "soname-needs-package",
                "soname-not-on-search-path",
                "load-path-unknown",
                "rpath-absolute",
                "exec-stack-dlopen",
                "exec-stack",
                "static-tls-dlopen",
                "kernel-too-old",
                "kernel-note-newer",
                "cpu-level-too-low",
                "cpu-level-needed",
                "page-size-too-large",
                "page-size-optional",
                "no-pie",
                "no-relro",
                "no-stack-protector",
                "no-fortify",
                "no-cet",
                "debug-info-present",
                "not-stripped",
                "debug-link",
                "debug-file",
                "dlopen-missing",
                "dlopen-feature-missing",
                "dlopen-unknown",
                "dlopen-candidates",
                "arch-unsupported",
                "baseline-arch-unknown",
                "target-rule-unmatched",
                "dlopen-rule-unmatched",
                "unreadable-file",
                "archive-limit",
            ]
        );
        for code in Code::ALL {
            assert_eq!(Code::parse(code.as_str()), Some(*code));
            assert!(code.description().ends_with('.'));
        }
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(2048), "2.0 KiB");
        assert_eq!(human_bytes(3 * 1024 * 1024 + 512 * 1024), "3.5 MiB");
    }

    #[test]
    fn symbol_lists_are_capped() {
        let symbols: Vec<String> = (0..9).map(|i| format!("s{i}")).collect();
        assert_eq!(
            symbol_list(&symbols),
            " (s0, s1, s2, s3, s4, s5, and 3 more)"
        );
        assert_eq!(symbol_list(&[]), "");
    }
}
