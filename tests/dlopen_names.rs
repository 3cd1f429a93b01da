//! `Binary::dlopen_names` on real programs built at test time with the system's `cc` (glibc),
//! in a private temporary folder; nothing built is ever run.
//!
//! Also the reading side of the measurement harness `tests/oracle/dlopen-candidates.sh`: the
//! ignored test `dump` writes, for every ELF file below `$SHIPCHECK_DLOPEN_DUMP_DIR`, one JSON
//! line with its path, whether it imports dlopen and the names read, to
//! `$SHIPCHECK_DLOPEN_DUMP_OUT`. It is run by that script only.
//!
//! Needs `cc` (`apt-get install gcc`); a missing compiler fails the tests.

mod common;

use shipcheck::binary::{Binary, Format, Sniffed, read_dynamic_symbols, read_path};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn read(path: &Path) -> Binary {
    match read_path(path).expect("read") {
        Sniffed::Binary(binary) => *binary,
        Sniffed::NotBinary => panic!("{} is not an object file", path.display()),
    }
}

/// Compiles `source` (C) in `dir` into `out` with `cc -o OUT SOURCE ARGS`.
fn cc(dir: &Path, source: &str, out: &str, args: &[&str]) -> PathBuf {
    let src = dir.join(format!("{out}.c"));
    std::fs::write(&src, source).expect("write source");
    let status = Command::new("cc")
        .current_dir(dir)
        .arg("-o")
        .arg(out)
        .arg(&src)
        .args(args)
        .status()
        .expect("cc runs (apt-get install gcc)");
    assert!(status.success(), "cc {args:?} {out}");
    dir.join(out)
}

const PLUGIN_HOST: &str = r#"
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
/* A name table, as plugin hosts keep them: the pointers live in .data.rel.ro, the bytes in
   .rodata. */
static const char *const fallbacks[] = { "libfallback.so", "/opt/app/lib/libabs.so.2" };
int main(int argc, char **argv) {
    void *h = dlopen("libplugin.so.1", RTLD_NOW);
    if (!h) h = dlopen(fallbacks[argc & 1], RTLD_NOW);
    if (!h) { char name[64]; snprintf(name, sizeof name, "libicuuc.so.%d", 72); h = dlopen(name, RTLD_LAZY); }
    if (!h) { fprintf(stderr, "cannot load libplugin.so.1: %s\n", dlerror()); return 1; }
    /* Its own DT_NEEDED name is never a candidate. */
    if (argc > 5) h = dlopen("libm.so.6", RTLD_NOW);
    puts("libwords.so.3 are not a name when more follows");
    return h == 0 && cos(argc) > 2;
}
"#;

#[test]
fn a_program_that_dlopens_names_it_in_its_read_only_data() {
    let dir = common::temp_dir("dlopen-names");
    let host = cc(&dir, PLUGIN_HOST, "host", &["-O0", "-lm"]);
    let binary = read(&host);
    assert!(binary.needed.iter().any(|n| n == "libm.so.6"), "{binary:?}");
    assert_eq!(
        binary.dlopen_names,
        ["libfallback.so", "libicuuc.so.%d", "libplugin.so.1",],
        "sorted, no repeats, no sentences, no paths, not the DT_NEEDED libm.so.6"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_library_that_dlopens_leaves_out_its_own_soname_and_keeps_prefix_forms() {
    let dir = common::temp_dir("dlopen-library");
    let source = r#"
#include <dlfcn.h>
#include <stdio.h>
void *load(const char *version) {
    char name[32];
    if (dlopen("libself.so.7", RTLD_NOLOAD)) return 0;
    /* Not strcpy: the compiler stores a short constant copied whole as immediates. */
    snprintf(name, sizeof name, "%s%s", "libicuuc.so.", version);
    return dlopen(name, RTLD_NOW);
}
"#;
    let lib = cc(
        &dir,
        source,
        "libself.so.7",
        &["-shared", "-fPIC", "-Wl,-soname,libself.so.7"],
    );
    let binary = read(&lib);
    assert_eq!(binary.soname.as_deref(), Some("libself.so.7"));
    assert_eq!(binary.dlopen_names, ["libicuuc.so."]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_program_that_dlopens_without_naming_a_library_has_no_names() {
    let dir = common::temp_dir("dlopen-none");
    let source = r#"
#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char **argv) {
    void *h = dlopen(argc > 1 ? argv[1] : 0, RTLD_NOW);
    printf("loaded %s: %p\n", argc > 1 ? argv[1] : "nothing", h);
    return 0;
}
"#;
    let program = cc(&dir, source, "loader", &["-O2"]);
    let binary = read(&program);
    assert!(
        binary.strong_imports.iter().any(|s| s == "dlopen"),
        "{:?}",
        binary.strong_imports
    );
    assert_eq!(binary.dlopen_names, Vec::<String>::new());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn names_in_a_program_that_does_not_import_dlopen_are_not_read() {
    let dir = common::temp_dir("dlopen-no-import");
    let source = r#"
#include <stdio.h>
int main(void) { puts("libplugin.so.1"); return 0; }
"#;
    let program = cc(&dir, source, "printer", &["-O0"]);
    assert_eq!(read(&program).dlopen_names, Vec::<String>::new());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_weak_dlopen_import_counts() {
    let dir = common::temp_dir("dlopen-weak");
    let source = r#"
#include <dlfcn.h>
#pragma weak dlopen
int main(void) { return dlopen ? dlopen("libweak.so.1", RTLD_NOW) != 0 : 2; }
"#;
    let program = cc(&dir, source, "weak", &["-O0"]);
    let binary = read(&program);
    assert!(!binary.strong_imports.iter().any(|s| s == "dlopen"));
    assert_eq!(binary.dlopen_names, ["libweak.so.1"]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The measurement harness's reader (see the module comment); does nothing unless asked.
#[test]
#[ignore = "run by tests/oracle/dlopen-candidates.sh"]
fn dump() {
    let (Some(dir), Some(out)) = (
        std::env::var_os("SHIPCHECK_DLOPEN_DUMP_DIR"),
        std::env::var_os("SHIPCHECK_DLOPEN_DUMP_OUT"),
    ) else {
        panic!("set SHIPCHECK_DLOPEN_DUMP_DIR and SHIPCHECK_DLOPEN_DUMP_OUT");
    };
    let files = common::files_below(Path::new(&dir), true, |_, meta| meta.len() >= 64);
    let mut out = std::io::BufWriter::new(std::fs::File::create(out).expect("create output"));
    for path in files {
        let Ok(Sniffed::Binary(binary)) = read_path(&path) else {
            continue;
        };
        let is_dlopen = |s: &str| s == "dlopen" || s == "dlmopen";
        let strong = binary.strong_imports.iter().any(|s| is_dlopen(s));
        let imports = binary.format == Format::Elf
            && read_dynamic_symbols(&path)
                .is_ok_and(|symbols| symbols.undefined.iter().any(|s| is_dlopen(&s.name)));
        let line = serde_json::json!({
            "path": path.strip_prefix(&dir).unwrap_or(&path),
            "format": binary.format.as_str(),
            "imports_dlopen": imports,
            "strong_import": strong,
            "needed": binary.needed,
            "soname": binary.soname,
            "names": binary.dlopen_names,
        });
        writeln!(out, "{line}").expect("write output");
    }
}
