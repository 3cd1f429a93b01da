//! Hostile input: thousands of deterministic variants of every file under `testdata/bin`
//! (truncations, byte flips, and header fields, counts, offsets and chain links set to
//! hostile values), plus the regression inputs under `tests/regressions/`. Reading any of
//! them must not panic, must finish quickly, and must either succeed or report a per-file
//! error; what it reports must come from the file (no invented names).

mod common;

use shipcheck::baseline::db::Database;
use shipcheck::binary::{self, Binary, Sniffed};
use shipcheck::checks;
use shipcheck::{CheckOptions, check};
use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};

/// One variant may take this long to read (debug build, shared machine).
const PER_VARIANT_LIMIT: Duration = Duration::from_secs(2);
/// Every this many variants of a small file, also run the whole check on it.
const FULL_CHECK_EVERY: usize = 151;
/// Files above this size are only read, never fully checked (the walk is the slow part).
const FULL_CHECK_MAX_SIZE: usize = 100_000;

/// xorshift64*: deterministic, seeded, no dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn seed_of(name: &str) -> u64 {
    // FNV-1a, so each file's variants do not depend on the order files are listed in.
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Values that break naive readers: zero, one, sign bits, all ones, and sizes near the file's.
fn hostile_values(len: usize) -> [u64; 11] {
    let len = len as u64;
    [
        0,
        1,
        0xffff,
        0x7fff_ffff,
        0x8000_0000,
        0xffff_ffff,
        0xffff_ffff_ffff_fff0,
        u64::MAX,
        len.saturating_sub(1),
        len,
        len + 1,
    ]
}

/// Where things are in an ELF file, read by hand so the test does not trust the code it tests.
#[derive(Debug, Default)]
struct Layout {
    is64: bool,
    le: bool,
    phoff: usize,
    phentsize: usize,
    phnum: usize,
    shoff: usize,
    shentsize: usize,
    shnum: usize,
    sections: Vec<Section>,
}

#[derive(Debug, Clone)]
struct Section {
    name: String,
    sh_type: u32,
    /// Offset of this section's header in the file.
    header: usize,
    offset: usize,
    size: usize,
}

/// Dynamic tags naming strings, string and symbol tables, hash tables and version tables:
/// every hostile value goes into these; other tags get a few.
const STRING_AND_TABLE_TAGS: [u64; 13] = [
    1,           // DT_NEEDED
    4,           // DT_HASH
    5,           // DT_STRTAB
    6,           // DT_SYMTAB
    10,          // DT_STRSZ
    14,          // DT_SONAME
    15,          // DT_RPATH
    29,          // DT_RUNPATH
    0x6fff_fef5, // DT_GNU_HASH
    0x6fff_fff0, // DT_VERSYM
    0x6fff_fffc, // DT_VERDEF
    0x6fff_fffe, // DT_VERNEED
    0x6fff_ffff, // DT_VERNEEDNUM
];

const SHT_DYNAMIC: u32 = 6;
const SHT_DYNSYM: u32 = 11;
const SHT_GNU_VERDEF: u32 = 0x6fff_fffd;
const SHT_GNU_VERNEED: u32 = 0x6fff_fffe;
const SHT_GNU_VERSYM: u32 = 0x6fff_ffff;

fn read_uint(data: &[u8], offset: usize, width: usize, le: bool) -> Option<u64> {
    let bytes = data.get(offset..offset.checked_add(width)?)?;
    let mut value = 0u64;
    for i in 0..width {
        let b = if le { bytes[width - 1 - i] } else { bytes[i] };
        value = (value << 8) | u64::from(b);
    }
    Some(value)
}

/// Writes the low `width` bytes of `value`, clipped to the buffer.
fn write_uint(data: &mut [u8], offset: usize, width: usize, value: u64, le: bool) {
    for i in 0..width {
        let shift = if le { i * 8 } else { (width - 1 - i) * 8 };
        if let Some(b) = data.get_mut(offset + i) {
            *b = (value >> shift) as u8;
        }
    }
}

impl Layout {
    fn word(&self) -> usize {
        if self.is64 { 8 } else { 4 }
    }

    fn read(data: &[u8]) -> Option<Layout> {
        if data.get(..4)? != b"\x7fELF" {
            return None;
        }
        let is64 = *data.get(4)? == 2;
        let le = *data.get(5)? == 1;
        let r = |off: usize, w: usize| read_uint(data, off, w, le).map(|v| v as usize);
        let mut layout = if is64 {
            Layout {
                is64,
                le,
                phoff: r(32, 8)?,
                shoff: r(40, 8)?,
                phentsize: r(54, 2)?,
                phnum: r(56, 2)?,
                shentsize: r(58, 2)?,
                shnum: r(60, 2)?,
                sections: Vec::new(),
            }
        } else {
            Layout {
                is64,
                le,
                phoff: r(28, 4)?,
                shoff: r(32, 4)?,
                phentsize: r(42, 2)?,
                phnum: r(44, 2)?,
                shentsize: r(46, 2)?,
                shnum: r(48, 2)?,
                sections: Vec::new(),
            }
        };
        let shstrndx = if is64 { r(62, 2)? } else { r(50, 2)? };
        let mut raw = Vec::new();
        for i in 0..layout.shnum.min(4096) {
            let header = layout.shoff + i * layout.shentsize;
            let (name, sh_type, offset, size) = if is64 {
                (
                    r(header, 4)?,
                    r(header + 4, 4)? as u32,
                    r(header + 24, 8)?,
                    r(header + 32, 8)?,
                )
            } else {
                (
                    r(header, 4)?,
                    r(header + 4, 4)? as u32,
                    r(header + 16, 4)?,
                    r(header + 20, 4)?,
                )
            };
            raw.push((name, sh_type, header, offset, size));
        }
        let strtab = raw.get(shstrndx).map(|s| (s.3, s.4));
        for (name, sh_type, header, offset, size) in raw {
            let name = strtab
                .and_then(|(start, len)| {
                    let table = data.get(start..start.checked_add(len)?)?;
                    let tail = table.get(name..)?;
                    let end = tail.iter().position(|&b| b == 0)?;
                    Some(String::from_utf8_lossy(&tail[..end]).into_owned())
                })
                .unwrap_or_default();
            layout.sections.push(Section {
                name,
                sh_type,
                header,
                offset,
                size,
            });
        }
        Some(layout)
    }

    fn section(&self, sh_type: u32) -> Option<&Section> {
        self.sections.iter().find(|s| s.sh_type == sh_type)
    }
}

/// A named way to damage a file.
struct Variant {
    label: String,
    bytes: Vec<u8>,
}

/// Collects variants of one original.
struct Variants<'a> {
    original: &'a [u8],
    le: bool,
    out: Vec<Variant>,
}

impl Variants<'_> {
    fn push(&mut self, label: String, edit: impl FnOnce(&mut Vec<u8>)) {
        let mut bytes = self.original.to_vec();
        edit(&mut bytes);
        self.out.push(Variant { label, bytes });
    }

    /// Every hostile value written into one field.
    fn field(&mut self, what: &str, offset: usize, width: usize) {
        let le = self.le;
        for value in hostile_values(self.original.len()) {
            let value = if width < 8 {
                value & ((1u64 << (width * 8)) - 1)
            } else {
                value
            };
            self.push(format!("{what}@{offset:#x}={value:#x}"), |b| {
                write_uint(b, offset, width, value, le)
            });
        }
    }

    /// A few values only: for fields repeated many times (one per entry).
    fn field_few(&mut self, what: &str, offset: usize, width: usize, rng: &mut Rng) {
        let le = self.le;
        let values = hostile_values(self.original.len());
        for _ in 0..3 {
            let value = values[rng.below(values.len())];
            self.push(format!("{what}@{offset:#x}={value:#x}"), |b| {
                write_uint(b, offset, width, value, le)
            });
        }
    }

    /// Random byte flips and overwrites inside one region.
    fn scramble(&mut self, what: &str, start: usize, len: usize, count: usize, rng: &mut Rng) {
        let end = start.saturating_add(len).min(self.original.len());
        if start >= end {
            return;
        }
        for _ in 0..count {
            let at = start + rng.below(end - start);
            let kind = rng.below(3);
            let value = rng.next() as u8;
            let run = 1 + rng.below(8);
            self.push(format!("{what}:scramble{kind}@{at:#x}"), |b| {
                for byte in &mut b[at..(at + run).min(end)] {
                    match kind {
                        0 => *byte ^= 1 << (value % 8),
                        1 => *byte = value,
                        _ => *byte = 0xff,
                    }
                }
            });
        }
    }

    fn truncate(&mut self, at: usize) {
        if at < self.original.len() {
            self.push(format!("truncate@{at:#x}"), |b| b.truncate(at));
        }
    }
}

fn variants_of(name: &str, original: &[u8]) -> Vec<Variant> {
    let mut rng = Rng::new(seed_of(name));
    let layout = Layout::read(original);
    let mut v = Variants {
        original,
        le: layout.as_ref().is_none_or(|l| l.le),
        out: Vec::new(),
    };
    let len = original.len();

    // Truncations: every byte of the first 128, then structure boundaries, then random cuts.
    for at in 0..len.min(128) {
        v.truncate(at);
    }
    for _ in 0..24 {
        v.truncate(rng.below(len));
    }
    v.scramble("whole-file", 0, len, 40, &mut rng);

    let Some(layout) = layout else {
        // Not ELF (PE, Mach-O, text): headers are in the first bytes.
        v.scramble("head", 0, 512, 120, &mut rng);
        return v.out;
    };
    let w = layout.word();
    let le = layout.le;

    // ELF header fields.
    let (phoff_at, shoff_at, phnum_at) = if layout.is64 {
        (32, 40, 54)
    } else {
        (28, 32, 42)
    };
    v.field("e_phoff", phoff_at, w);
    v.field("e_shoff", shoff_at, w);
    for (i, field) in [
        "e_phentsize",
        "e_phnum",
        "e_shentsize",
        "e_shnum",
        "e_shstrndx",
    ]
    .iter()
    .enumerate()
    {
        v.field(field, phnum_at + 2 * i, 2);
    }
    v.field("e_machine", 18, 2);
    v.field("e_type", 16, 2);
    v.field("ei_class", 4, 1);
    v.field("ei_data", 5, 1);
    v.push("e_shnum=0,sh0.size=huge".into(), |b| {
        write_uint(b, phnum_at + 6, 2, 0, le);
        let size_at = layout.shoff + if layout.is64 { 32 } else { 20 };
        write_uint(b, size_at, w, u64::MAX / 2, le);
    });
    v.push("e_shstrndx=SHN_XINDEX,sh0.link=huge".into(), |b| {
        write_uint(b, phnum_at + 8, 2, 0xffff, le);
        let link_at = layout.shoff + if layout.is64 { 40 } else { 24 };
        write_uint(b, link_at, 4, 0xffff_ffff, le);
    });
    v.scramble(
        "elf-header",
        0,
        if layout.is64 { 64 } else { 52 },
        60,
        &mut rng,
    );

    // Program headers: every offset and size of every entry.
    let ph_table = layout.phentsize * layout.phnum;
    v.scramble("phdrs", layout.phoff, ph_table, 60, &mut rng);
    v.truncate(layout.phoff + ph_table / 2);
    for i in 0..layout.phnum.min(16) {
        let at = layout.phoff + i * layout.phentsize;
        let fields: &[(&str, usize, usize)] = if layout.is64 {
            &[("p_offset", 8, 8), ("p_vaddr", 16, 8), ("p_filesz", 32, 8)]
        } else {
            &[("p_offset", 4, 4), ("p_vaddr", 8, 4), ("p_filesz", 16, 4)]
        };
        for &(name, off, width) in fields {
            v.field_few(&format!("phdr{i}.{name}"), at + off, width, &mut rng);
        }
    }

    // Section headers: offsets, sizes, links, infos (the version sections' counts) and
    // entry sizes of every section.
    let sh_table = layout.shentsize * layout.shnum;
    v.scramble("shdrs", layout.shoff, sh_table, 60, &mut rng);
    v.truncate(layout.shoff + sh_table / 2);
    for section in layout.sections.clone() {
        let fields: &[(&str, usize, usize)] = if layout.is64 {
            &[
                ("sh_name", 0, 4),
                ("sh_type", 4, 4),
                ("sh_offset", 24, 8),
                ("sh_size", 32, 8),
                ("sh_link", 40, 4),
                ("sh_info", 44, 4),
                ("sh_entsize", 56, 8),
            ]
        } else {
            &[
                ("sh_name", 0, 4),
                ("sh_type", 4, 4),
                ("sh_offset", 16, 4),
                ("sh_size", 20, 4),
                ("sh_link", 24, 4),
                ("sh_info", 28, 4),
                ("sh_entsize", 36, 4),
            ]
        };
        let interesting = matches!(
            section.sh_type,
            SHT_DYNAMIC | SHT_DYNSYM | SHT_GNU_VERDEF | SHT_GNU_VERNEED | SHT_GNU_VERSYM
        ) || section.name == ".dynstr"
            || section.name == ".interp";
        for &(name, off, width) in fields {
            let what = format!("{}.{name}", section.name);
            if interesting {
                v.field(&what, section.header + off, width);
            } else {
                v.field_few(&what, section.header + off, width, &mut rng);
            }
        }
        if interesting {
            v.scramble(&section.name, section.offset, section.size, 40, &mut rng);
            v.truncate(section.offset + section.size / 2);
        }
    }

    // The dynamic section: every tag's value.
    if let Some(dynamic) = layout.section(SHT_DYNAMIC) {
        for i in 0..(dynamic.size / (2 * w)).min(64) {
            let at = dynamic.offset + i * 2 * w;
            let Some(tag) = read_uint(original, at, w, le) else {
                break;
            };
            if tag == 0 {
                break;
            }
            let what = format!("dyn[{i}].tag{tag:#x}.val");
            if STRING_AND_TABLE_TAGS.contains(&tag) {
                v.field(&what, at + w, w);
            } else {
                v.field_few(&what, at + w, w, &mut rng);
            }
            v.field_few(&format!("dyn[{i}].tag"), at, w, &mut rng);
        }
    }

    // .dynstr: no terminators, invalid UTF-8.
    if let Some(dynstr) = layout.sections.iter().find(|s| s.name == ".dynstr") {
        let (start, end) = (dynstr.offset, (dynstr.offset + dynstr.size).min(len));
        v.push(".dynstr:no-nul".into(), |b| {
            b[start..end].iter_mut().for_each(|c| *c |= 0x41)
        });
        v.push(".dynstr:invalid-utf8".into(), |b| {
            b[start..end]
                .iter_mut()
                .filter(|c| **c != 0)
                .for_each(|c| *c = 0xc3)
        });
    }

    // Version needs: walk the chain, then break every count and link.
    if let Some(verneed) = layout.section(SHT_GNU_VERNEED) {
        let mut at = verneed.offset;
        for need in 0..64 {
            let (Some(cnt), Some(aux), Some(next)) = (
                read_uint(original, at + 2, 2, le),
                read_uint(original, at + 8, 4, le),
                read_uint(original, at + 12, 4, le),
            ) else {
                break;
            };
            v.field(&format!("vn[{need}].vn_cnt"), at + 2, 2);
            v.field(&format!("vn[{need}].vn_file"), at + 4, 4);
            v.field(&format!("vn[{need}].vn_aux"), at + 8, 4);
            v.field(&format!("vn[{need}].vn_next"), at + 12, 4);
            let mut aux_at = at + aux as usize;
            for a in 0..cnt.min(64) {
                let Some(aux_next) = read_uint(original, aux_at + 12, 4, le) else {
                    break;
                };
                let what = format!("vn[{need}].aux[{a}]");
                v.field(&format!("{what}.vna_flags"), aux_at + 4, 2);
                v.field_few(&format!("{what}.vna_other"), aux_at + 6, 2, &mut rng);
                v.field(&format!("{what}.vna_name"), aux_at + 8, 4);
                v.field(&format!("{what}.vna_next"), aux_at + 12, 4);
                if aux_next == 0 {
                    break;
                }
                aux_at += aux_next as usize;
            }
            if next == 0 {
                break;
            }
            at += next as usize;
        }
        let start = verneed.offset;
        v.push("verneed:all-counts-huge".into(), |b| {
            let mut at = start;
            for _ in 0..64 {
                let next = read_uint(b, at + 12, 4, le).unwrap_or(0);
                write_uint(b, at + 2, 2, 0xffff, le);
                if next == 0 {
                    break;
                }
                at += next as usize;
            }
        });
        v.push("verneed:first-aux-next=0x10-self-loop".into(), |b| {
            let aux = read_uint(b, start + 8, 4, le).unwrap_or(0) as usize;
            write_uint(b, start + 2, 2, 0xffff, le);
            write_uint(b, start + aux + 12, 4, 1, le);
        });
    }

    // Version definitions.
    if let Some(verdef) = layout.section(SHT_GNU_VERDEF) {
        let mut at = verdef.offset;
        for def in 0..64 {
            let (Some(aux), Some(next)) = (
                read_uint(original, at + 12, 4, le),
                read_uint(original, at + 16, 4, le),
            ) else {
                break;
            };
            v.field(&format!("vd[{def}].vd_flags"), at + 2, 2);
            v.field(&format!("vd[{def}].vd_cnt"), at + 6, 2);
            v.field(&format!("vd[{def}].vd_aux"), at + 12, 4);
            v.field(&format!("vd[{def}].vd_next"), at + 16, 4);
            let aux_at = at + aux as usize;
            v.field(&format!("vd[{def}].vda_name"), aux_at, 4);
            v.field(&format!("vd[{def}].vda_next"), aux_at + 4, 4);
            if next == 0 {
                break;
            }
            at += next as usize;
        }
    }

    if let Some(versym) = layout.section(SHT_GNU_VERSYM) {
        v.scramble(".gnu.version", versym.offset, versym.size, 40, &mut rng);
    }
    v.out
}

/// Every string the model reports, for the "nothing invented" check.
fn reported_strings(binary: &Binary) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    out.extend(binary.interpreter.as_deref());
    out.extend(binary.soname.as_deref());
    out.extend(binary.needed.iter().map(String::as_str));
    out.extend(binary.rpath.iter().map(String::as_str));
    out.extend(binary.runpath.iter().map(String::as_str));
    out.extend(binary.version_defs.iter().map(String::as_str));
    for need in &binary.version_needs {
        out.push(&need.library);
        for version in &need.versions {
            out.push(&version.name);
            out.extend(version.symbols.iter().map(String::as_str));
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

#[derive(Default)]
struct Tally {
    variants: usize,
    ok: usize,
    errors: usize,
    full_checks: usize,
    read_time: Duration,
    check_time: Duration,
    slowest: (Duration, String),
    failures: Vec<String>,
}

impl Tally {
    fn fail(&mut self, message: String) {
        if self.failures.len() < 50 {
            self.failures.push(message);
        }
    }
}

/// Reads one variant and, when asked, runs the whole check on it from a temp dir.
fn exercise(
    tally: &mut Tally,
    label: &str,
    bytes: &[u8],
    known: &HashSet<String>,
    full: Option<(&Path, &CheckOptions, &Database)>,
) {
    tally.variants += 1;
    let start = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| binary::parse(bytes)));
    let elapsed = start.elapsed();
    tally.read_time += elapsed;
    if elapsed > tally.slowest.0 {
        tally.slowest = (elapsed, label.to_string());
    }
    if elapsed > PER_VARIANT_LIMIT {
        tally.fail(format!("{label}: reading took {elapsed:?}"));
    }
    match outcome {
        Err(_) => tally.fail(format!("{label}: panicked while reading")),
        Ok(Err(_)) => tally.errors += 1,
        Ok(Ok(Sniffed::NotBinary)) => tally.ok += 1,
        Ok(Ok(Sniffed::Binary(binary))) => {
            tally.ok += 1;
            // The per-file checks that need no baseline are cheap: run them on every variant
            // (the whole pipeline runs on a sample below).
            let derived = catch_unwind(AssertUnwindSafe(|| {
                let mut issues = checks::debug::check(&binary, Path::new("variant"));
                issues.extend(checks::rpath::check(&binary));
                issues.extend(checks::symbols::check_private(&binary, &[], false, None));
                let _ = shipcheck::report::json::requires(&binary);
                issues.len()
            }));
            if derived.is_err() {
                tally.fail(format!("{label}: panicked in the per-file checks"));
            }
            for s in reported_strings(&binary) {
                // Names that are not UTF-8 are reported lossily: each valid run must be there.
                let invented = || {
                    s.split('\u{fffd}')
                        .any(|part| !contains(bytes, part.as_bytes()))
                };
                if !known.contains(s) && invented() {
                    tally.fail(format!("{label}: reported {s:?}, which is not in the file"));
                }
            }
        }
    }
    let Some((dir, options, db)) = full else {
        return;
    };
    tally.full_checks += 1;
    let path = dir.join("variant");
    if let Err(e) = std::fs::write(&path, bytes) {
        tally.fail(format!("{label}: cannot write temp file: {e}"));
        return;
    }
    let options = CheckOptions {
        paths: vec![path],
        ..options.clone()
    };
    let start = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| check(&options, db)));
    let elapsed = start.elapsed();
    tally.check_time += elapsed;
    if elapsed > PER_VARIANT_LIMIT {
        tally.fail(format!("{label}: full check took {elapsed:?}"));
    }
    match outcome {
        Err(_) => tally.fail(format!("{label}: panicked in the full check")),
        Ok(Err(e)) => tally.fail(format!("{label}: full check failed as a whole: {e}")),
        Ok(Ok(report)) if report.files.len() > 1 => tally.fail(format!(
            "{label}: one file gave {} reports",
            report.files.len()
        )),
        Ok(Ok(_)) => {}
    }
}

fn quiet_panics<T>(f: impl FnOnce() -> T) -> T {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let out = f();
    std::panic::set_hook(hook);
    out
}

#[test]
fn damaged_files_never_panic_hang_or_invent() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let originals = common::files_below(&root.join("testdata/bin"), true, |_, _| true);
    assert!(!originals.is_empty(), "no test data under testdata/bin");
    let db = Database::embedded().expect("embedded database");
    let options = CheckOptions {
        baselines: vec![db.find("debian-11").expect("debian-11").baseline_set()],
        ..CheckOptions::default()
    };
    let dir = common::temp_dir("mutation");
    let started = Instant::now();
    let mut tally = Tally::default();
    quiet_panics(|| {
        for path in &originals {
            let original = std::fs::read(path).expect("read test data");
            let name = path
                .strip_prefix(root)
                .unwrap_or(path)
                .display()
                .to_string();
            let known: HashSet<String> = match binary::parse(&original) {
                Ok(Sniffed::Binary(b)) => reported_strings(&b)
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
                _ => HashSet::new(),
            };
            for (i, variant) in variants_of(&name, &original).iter().enumerate() {
                let full = (i % FULL_CHECK_EVERY == 0 && original.len() <= FULL_CHECK_MAX_SIZE)
                    .then_some((dir.as_path(), &options, &db));
                let label = format!("{name}: {}", variant.label);
                exercise(&mut tally, &label, &variant.bytes, &known, full);
            }
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!(
        "mutation: {} variants of {} files ({} read, {} per-file errors), {} full checks; {:?} total, {:?} reading, {:?} checking; slowest read {:?} ({})",
        tally.variants,
        originals.len(),
        tally.ok,
        tally.errors,
        tally.full_checks,
        started.elapsed(),
        tally.read_time,
        tally.check_time,
        tally.slowest.0,
        tally.slowest.1,
    );
    assert!(
        tally.failures.is_empty(),
        "{} problems:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
}

/// Inputs that once crashed, hung or misled the reader (found by this test or by fuzzing):
/// each is read and fully checked.
#[test]
fn regression_inputs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let inputs = common::files_below(&root.join("tests/regressions"), true, |p, _| {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        !name.starts_with('.') && !name.ends_with(".md")
    });
    assert!(!inputs.is_empty(), "no inputs under tests/regressions");
    let db = Database::embedded().expect("embedded database");
    let options = CheckOptions {
        baselines: vec![db.find("debian-11").expect("debian-11").baseline_set()],
        ..CheckOptions::default()
    };
    let dir = common::temp_dir("regressions");
    let mut tally = Tally::default();
    quiet_panics(|| {
        for path in &inputs {
            let bytes = std::fs::read(path).expect("read regression input");
            let label = path.display().to_string();
            exercise(
                &mut tally,
                &label,
                &bytes,
                &HashSet::new(),
                Some((&dir, &options, &db)),
            );
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("regressions: {} inputs", tally.variants);
    assert!(
        tally.failures.is_empty(),
        "{} problems:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
}

fn parse_binary(bytes: &[u8]) -> Result<Binary, String> {
    match binary::parse(bytes) {
        Ok(Sniffed::Binary(b)) => Ok(*b),
        Ok(Sniffed::NotBinary) => Err("not a binary".into()),
        Err(e) => Err(e.to_string()),
    }
}

fn testdata(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/bin")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `sstrip` and some packers drop the section headers; the loader still finds the version
/// tables through DT_VERNEED/DT_VERDEF/DT_VERSYM, and so must we, or a binary needing
/// GLIBC_2.34 would pass as needing nothing.
#[test]
fn version_tables_are_read_without_section_headers() {
    for name in [
        "hello-x86_64",
        "libversioned.so.1",
        "hello-i686",
        "hello-s390x",
    ] {
        let original = testdata(name);
        let layout = Layout::read(&original).expect("an ELF file");
        let mut stripped = original.clone();
        let (shoff_at, shnum_at) = if layout.is64 { (40, 60) } else { (32, 48) };
        write_uint(&mut stripped, shoff_at, layout.word(), 0, layout.le);
        write_uint(&mut stripped, shnum_at, 2, 0, layout.le);
        write_uint(&mut stripped, shnum_at + 2, 2, 0, layout.le);
        let before = parse_binary(&original).expect("original parses");
        let after = parse_binary(&stripped).expect("stripped parses");
        assert!(
            !before.version_needs.is_empty() || !before.version_defs.is_empty(),
            "{name}: test data has version tables"
        );
        assert_eq!(after.version_needs, before.version_needs, "{name}");
        assert_eq!(after.version_defs, before.version_defs, "{name}");
        assert_eq!(after.needed, before.needed, "{name}");
        assert_eq!(after.interpreter, before.interpreter, "{name}");
    }
}

/// A version need whose name lies outside .dynstr was reported as a library or version
/// called "?"; it is now a per-file error, never a made-up name.
#[test]
fn unreadable_version_names_are_errors_not_placeholders() {
    let original = testdata("hello-x86_64");
    let layout = Layout::read(&original).expect("an ELF file");
    let verneed = layout.section(SHT_GNU_VERNEED).expect(".gnu.version_r");
    let aux = read_uint(&original, verneed.offset + 8, 4, true).expect("vn_aux") as usize;
    for (what, at) in [
        ("vn_file", verneed.offset + 4),
        ("vna_name", verneed.offset + aux + 8),
    ] {
        let mut bytes = original.clone();
        write_uint(&mut bytes, at, 4, 0x7fff_0000, true);
        let result = parse_binary(&bytes);
        assert!(
            result
                .as_ref()
                .is_err_and(|e| e.contains("outside the dynamic string table")),
            "{what}: {result:?}"
        );
    }
}

/// DT_NEEDED entries with an out-of-range name used to vanish silently (goblin skips them),
/// hiding a dependency; now the file is reported as malformed.
#[test]
fn unreadable_needed_entries_are_errors_not_omissions() {
    let original = testdata("hello-x86_64");
    let layout = Layout::read(&original).expect("an ELF file");
    let dynamic = layout.section(SHT_DYNAMIC).expect(".dynamic");
    let mut bytes = original.clone();
    let mut at = dynamic.offset;
    while read_uint(&bytes, at, 8, true).is_some_and(|tag| tag != 1) {
        at += 16;
    }
    write_uint(&mut bytes, at + 8, 8, 0x7fff_0000, true);
    let result = parse_binary(&bytes);
    assert!(
        result.as_ref().is_err_and(|e| e.contains("DT_NEEDED")),
        "{result:?}"
    );
}

/// An interpreter path that is not UTF-8 made goblin drop PT_INTERP, and the file was then
/// called a static executable.
#[test]
fn non_utf8_interpreter_is_kept() {
    let original = testdata("hello-x86_64");
    let before = parse_binary(&original).expect("original parses");
    let interp = before.interpreter.clone().expect("has an interpreter");
    let at = original
        .windows(interp.len())
        .position(|w| w == interp.as_bytes())
        .expect("interpreter string in the file");
    let mut bytes = original.clone();
    bytes[at + 1] = 0xff;
    let after = parse_binary(&bytes).expect("parses");
    assert_eq!(after.kind, before.kind);
    assert_eq!(
        after.interpreter.as_deref(),
        Some(format!("/\u{fffd}{}", &interp[2..]).as_str())
    );
}
