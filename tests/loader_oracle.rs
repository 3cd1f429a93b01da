//! Oracle: what `shipcheck tree` says about loading must equal what the real dynamic loader says.
//!
//! Each test builds a small tree of ELF files at test time, from the C sources in
//! `tests/loader_trees/`, with the system compiler `cc` (glibc) or `musl-gcc` (musl), in a private
//! temporary folder. The real loader then lists each entry point in trace mode; no built program
//! is ever run:
//! - glibc: `LD_TRACE_LOADED_OBJECTS=1 /lib64/ld-linux-x86-64.so.2 FILE` (what `ldd` runs) gives the
//!   whole map, with `NAME => not found` for a missing library, and `ld.so --list FILE` gives the
//!   verdict. `--list` alone cannot give the map: glibc 2.36 stops at the first missing library
//!   with exit status 127 and prints nothing but `error while loading shared libraries: NAME`
//!   on stderr. The two runs must agree (a not-found in the trace exactly when `--list` fails).
//! - musl: `/lib/ld-musl-x86_64.so.1 --list FILE`: loaded objects on stdout, `Error loading shared
//!   library NAME: ...` on stderr, a non-zero exit status when something failed.
//! - a root filesystem: the glibc runs inside a chroot of the tree. The chroot is made by this
//!   process (`chroot(2)` between fork and exec), not by chroot(8): with LD_TRACE_LOADED_OBJECTS
//!   set, the dynamically linked chroot(8) is itself traced and never execs the loader.
//!
//! The loaders run with an empty environment but PATH, so no LD_LIBRARY_PATH leaks in.
//!
//! Then `shipcheck tree ROOT --format json` runs on the same tree. Per entry point, both sides
//! become a map from needed name to an outcome (in the tree at PATH, outside the tree, not found,
//! unknown), and the two maps must be equal; shipcheck's verdict must be "fails" exactly when the
//! loader failed. Tree paths on both sides are compared after resolving symlinks, so the file is
//! compared, not the spelling of its path. The vDSO and the loader itself (the
//! `/lib64/ld-linux-x86-64.so.2 (0x...)` line; libc.so.6 needs it) are left out on both sides.
//! Every test also pins what the loader said (the facts in its comment), so a tree that was not
//! built as intended cannot make both sides agree by accident.
//!
//! Needs x86_64 Linux with glibc, `cc`, `musl-gcc` and /lib/ld-musl-x86_64.so.1
//! (`apt-get install gcc musl-tools`), and root (or CAP_SYS_CHROOT) for the root-filesystem
//! tests. A missing tool fails the tests; nothing is skipped.

mod common;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{CString, OsStr, OsString};
use std::fmt::Write as _;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The machine the real loaders run on, as the system beyond each tree.
const HOST: &str = "host";

const GLIBC_LOADER: &str = "/lib64/ld-linux-x86-64.so.2";
const MUSL_LOADER: &str = "/lib/ld-musl-x86_64.so.1";
const SOURCES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/loader_trees");
const INSTALL_HINT: &str = "apt-get install gcc musl-tools";

/// Where one needed name ended up.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    /// Loaded from this file of the tree (tree-relative, symlinks resolved).
    Tree(String),
    /// Loaded from outside the tree.
    System,
    NotFound,
    /// shipcheck only: the answer cannot be known from the tree.
    Unknown,
}

/// Needed name → its outcomes. Usually one; a name can have two when it was not found for one
/// object and found for another (see nodeflib_hides_the_system_libc). Both loaders list a
/// missing name once per object that needs it; as a set, that is one outcome.
type LoadMap = BTreeMap<String, BTreeSet<Outcome>>;

fn load_map(entries: &[(&str, Outcome)]) -> LoadMap {
    let mut map = LoadMap::new();
    for (name, outcome) in entries {
        map.entry(name.to_string())
            .or_default()
            .insert(outcome.clone());
    }
    map
}

fn tree(path: &str) -> Outcome {
    Outcome::Tree(path.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Toolchain {
    Glibc,
    Musl,
}

impl Toolchain {
    fn compiler(self) -> &'static str {
        match self {
            Toolchain::Glibc => "cc",
            Toolchain::Musl => "musl-gcc",
        }
    }

    /// The value of an entry point's `loader` in shipcheck's JSON.
    fn loader_id(self) -> &'static str {
        match self {
            Toolchain::Glibc => "glibc",
            Toolchain::Musl => "musl",
        }
    }
}

/// Fails (never skips) when a compiler or a loader the oracle needs is missing.
fn require_tools() {
    static CHECK: OnceLock<Result<(), String>> = OnceLock::new();
    let check = CHECK.get_or_init(|| {
        let mut missing = Vec::new();
        for compiler in ["cc", "musl-gcc"] {
            let runs = Command::new(compiler)
                .arg("--version")
                .output()
                .is_ok_and(|out| out.status.success());
            if !runs {
                missing.push(format!("the C compiler `{compiler}`"));
            }
        }
        for loader in [GLIBC_LOADER, MUSL_LOADER] {
            if !Path::new(loader).exists() {
                missing.push(format!("the loader {loader}"));
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(missing.join(", "))
        }
    });
    if let Err(missing) = check {
        panic!("the loader oracle needs {missing}: {INSTALL_HINT} (x86_64 Debian/Ubuntu)");
    }
}

/// How the loader sees the tree: as a folder of this machine, or as the root of a chroot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    Host,
    Chroot,
}

/// A tree under construction in its own temporary folder, removed when the test passes and
/// kept for inspection when it fails.
struct Tree {
    dir: PathBuf,
    root: PathBuf,
    view: View,
}

impl Drop for Tree {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Tree {
    fn new(name: &str, view: View) -> Tree {
        require_tools();
        let dir = common::temp_dir(&format!("loader-{name}"));
        let root = dir.join(match view {
            View::Host => "tree",
            View::Chroot => "root",
        });
        std::fs::create_dir_all(&root).expect("create the tree root");
        Tree { dir, root, view }
    }

    /// A folder next to the tree (not in it), for files only the build needs.
    fn scratch(&self) -> PathBuf {
        let scratch = self.dir.join("scratch");
        std::fs::create_dir_all(&scratch).expect("create the scratch folder");
        scratch
    }

    fn mkdir(&self, rel: &str) {
        std::fs::create_dir_all(self.root.join(rel)).expect("create a tree folder");
    }

    /// `rel` (in the tree) becomes a symlink whose target is `target`, as written.
    fn symlink(&self, rel: &str, target: &str) {
        let link = self.root.join(rel);
        if let Some(parent) = link.parent() {
            std::fs::create_dir_all(parent).expect("create a symlink's folder");
        }
        std::os::unix::fs::symlink(target, &link).expect("create a symlink");
    }

    /// A shared library `out` (tree-relative, or absolute for a file outside the tree).
    fn lib(&self, toolchain: Toolchain, out: &str, source: &str) -> Link<'_> {
        Link::new(self, toolchain, out, source, true)
    }

    fn exe(&self, toolchain: Toolchain, out: &str, source: &str) -> Link<'_> {
        Link::new(self, toolchain, out, source, false)
    }

    /// The path the loader is given for a tree file.
    fn loader_arg(&self, rel: &str) -> PathBuf {
        match self.view {
            View::Host => self.root.join(rel),
            View::Chroot => Path::new("/").join(rel),
        }
    }

    /// Runs a loader with an empty environment but PATH (and the trace variable if asked).
    fn run_loader(&self, loader: &str, args: &[&OsStr], trace: bool, cwd: &Path) -> Output {
        let trace: &[(&str, &str)] = if trace {
            &[("LD_TRACE_LOADED_OBJECTS", "1")]
        } else {
            &[]
        };
        self.run_loader_with(loader, args, trace, cwd)
    }

    /// Runs a loader with an empty environment but PATH and `env`.
    fn run_loader_with(
        &self,
        loader: &str,
        args: &[&OsStr],
        env: &[(&str, &str)],
        cwd: &Path,
    ) -> Output {
        let mut cmd = Command::new(loader);
        cmd.args(args).env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        cmd.envs(env.iter().copied());
        match self.view {
            View::Host => {
                cmd.current_dir(cwd);
            }
            View::Chroot => {
                let root = CString::new(self.root.as_os_str().as_bytes())
                    .expect("a temporary path has no NUL byte");
                let enter_root = move || -> std::io::Result<()> {
                    // SAFETY: chroot(2) and chdir(2) are async-signal-safe system calls, so they may
                    // run between fork and exec; both paths were allocated before the fork.
                    let failed = unsafe {
                        libc::chroot(root.as_ptr()) != 0 || libc::chdir(c"/".as_ptr()) != 0
                    };
                    if failed {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                };
                // SAFETY: the closure only makes the two system calls above and allocates nothing.
                unsafe {
                    cmd.pre_exec(enter_root);
                }
            }
        }
        match cmd.output() {
            Ok(output) => output,
            Err(e) if self.view == View::Chroot => panic!(
                "cannot chroot into {} to run {loader} ({e}): the root-filesystem oracle must run \
                 as root (or with CAP_SYS_CHROOT)",
                self.root.display()
            ),
            Err(e) => panic!("cannot run {loader}: {e}"),
        }
    }

    /// glibc's answer for a tree file, with the loader run from the tree root.
    fn glibc(&self, rel: &str) -> LoaderRun {
        self.glibc_from(rel, &self.root)
    }

    /// glibc's answer for a tree file, with the loader run from `cwd` (host trees only).
    fn glibc_from(&self, rel: &str, cwd: &Path) -> LoaderRun {
        let target = self.loader_arg(rel);
        let trace = self.run_loader(GLIBC_LOADER, &[target.as_os_str()], true, cwd);
        let list = self.run_loader(
            GLIBC_LOADER,
            &[OsStr::new("--list"), target.as_os_str()],
            false,
            cwd,
        );
        let mut run = LoaderRun::new(
            Toolchain::Glibc,
            format!(
                "{}LD_TRACE_LOADED_OBJECTS=1 {GLIBC_LOADER} {} (in {})",
                if self.view == View::Chroot {
                    "chroot: "
                } else {
                    ""
                },
                target.display(),
                cwd.display()
            ),
            &trace,
        );
        let _ = write!(
            run.output,
            "\n--- {GLIBC_LOADER} --list: {}\nstdout:\n{}stderr:\n{}",
            list.status,
            String::from_utf8_lossy(&list.stdout),
            String::from_utf8_lossy(&list.stderr)
        );
        assert!(
            trace.status.success(),
            "glibc's trace mode failed (it reports missing libraries as data):\n{}",
            run.output
        );
        let stdout = String::from_utf8_lossy(&trace.stdout).into_owned();
        for line in stdout.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if line == "statically linked" && stdout.trim() == line {
                // What glibc prints for an object without DT_NEEDED: nothing to load.
                continue;
            }
            if let Some((name, rest)) = line.split_once(" => ") {
                if rest == "not found" {
                    run.record(name, Outcome::NotFound);
                } else if let Some(path) = strip_address(rest) {
                    let outcome = self.locate(path, cwd, &run.output);
                    run.record(name, outcome);
                } else {
                    run.unparsed(line);
                }
            } else if let Some(name) = strip_address(line) {
                // Printed without `=>` when the object's path is its name: the vDSO, the
                // loader, and a needed name with a slash that was found.
                if !is_left_out(name) {
                    let outcome = self.locate(name, cwd, &run.output);
                    run.record(name, outcome);
                }
            } else {
                run.unparsed(line);
            }
        }
        run.failed = run.not_found();
        assert_eq!(
            run.failed,
            !list.status.success(),
            "glibc's trace (a not-found) and `--list` (its exit status) disagree:\n{}",
            run.output
        );
        run.finish()
    }

    /// musl's answer for a tree file, with the loader run from the tree root.
    fn musl(&self, rel: &str) -> LoaderRun {
        let target = self.loader_arg(rel);
        let cwd = self.root.clone();
        let out = self.run_loader(
            MUSL_LOADER,
            &[OsStr::new("--list"), target.as_os_str()],
            false,
            &cwd,
        );
        let mut run = LoaderRun::new(
            Toolchain::Musl,
            format!("{MUSL_LOADER} --list {}", target.display()),
            &out,
        );
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        for line in stdout.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some((name, rest)) = line.split_once(" => ") {
                match strip_address(rest) {
                    Some(path) => {
                        let outcome = self.locate(path, &cwd, &run.output);
                        run.record(name, outcome);
                    }
                    None => run.unparsed(line),
                }
            } else if !strip_address(line).is_some_and(is_left_out) {
                run.unparsed(line);
            }
        }
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        for line in stderr.lines().filter(|l| !l.is_empty()) {
            if let Some(rest) = line.strip_prefix("Error loading shared library ") {
                match rest.split_once(": ") {
                    Some((name, _)) => run.record(name, Outcome::NotFound),
                    None => run.unparsed(line),
                }
            } else if !line.starts_with("Error relocating ") {
                // Unresolved symbols follow a missing library; anything else is unexpected.
                run.unparsed(line);
            }
        }
        run.failed = !out.status.success();
        assert_eq!(
            run.failed,
            run.not_found(),
            "musl failed without a missing library, or the reverse (a case this harness does \
             not expect):\n{}",
            run.output
        );
        run.finish()
    }

    /// The outcome of a path the loader opened (`cwd`-relative when relative).
    fn locate(&self, path: &str, cwd: &Path, output: &str) -> Outcome {
        let found = match self.view {
            View::Host => {
                let real = std::fs::canonicalize(cwd.join(path)).unwrap_or_else(|e| {
                    panic!("the loader opened {path}, which does not resolve ({e}):\n{output}")
                });
                Some(match real.strip_prefix(self.canonical_root()) {
                    Ok(rel) => tree(&slash_path(rel)),
                    Err(_) => Outcome::System,
                })
            }
            // Inside the chroot every path is in the tree.
            View::Chroot => resolve_in_root(&self.root, path).map(|rel| tree(&rel)),
        };
        found.unwrap_or_else(|| {
            panic!("the loader opened {path}, not a file of the tree:\n{output}")
        })
    }

    /// A tree-relative path as shipcheck reported it, with symlinks resolved the tree's way.
    fn resolve_reported(&self, rel: &str) -> Option<String> {
        match self.view {
            View::Host => {
                let real = std::fs::canonicalize(self.root.join(rel)).ok()?;
                real.strip_prefix(self.canonical_root())
                    .ok()
                    .map(slash_path)
            }
            View::Chroot => resolve_in_root(&self.root, rel),
        }
    }

    fn canonical_root(&self) -> PathBuf {
        std::fs::canonicalize(&self.root).expect("the tree root resolves")
    }

    /// Runs `shipcheck tree ROOT --format json [--baseline B]` and returns its document.
    /// `HOST` is this machine's own root filesystem (`--sysroot /`): the system beyond the tree
    /// for the real loader that runs here, so both sides look at the same libraries.
    fn shipcheck(&self, baseline: Option<&str>) -> Value {
        let mut cmd =
            assert_cmd::Command::cargo_bin("shipcheck").expect("the shipcheck binary is built");
        cmd.arg("tree").arg(&self.root).args(["--format", "json"]);
        match baseline {
            Some(HOST) => {
                cmd.args(["--sysroot", "/"]);
            }
            Some(baseline) => {
                cmd.args(["--baseline", baseline]);
            }
            None => {}
        }
        let output = cmd.env("NO_COLOR", "1").output().expect("shipcheck runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let doc: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!(
                "`shipcheck tree {} --format json` did not print JSON ({e}); exit {}; stderr: \
                 {stderr}; stdout: {stdout}",
                self.root.display(),
                output.status
            )
        });
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "shipcheck tree exits 0 (clean) or 1 (findings), got {}; stderr: {stderr}",
            output.status
        );
        doc
    }

    /// Runs shipcheck on the tree and asserts that it agrees with the loader on every expected
    /// entry point and reports no other entry point. All disagreements are listed at once.
    fn assert_shipcheck_agrees(&self, baseline: Option<&str>, layout: &str, expected: &[Expected]) {
        let doc = self.shipcheck(baseline);
        let mut problems = Vec::new();
        let root = self.root.to_string_lossy();
        if doc["schema_version"] != 3 {
            problems.push(format!(
                "schema_version is {}, not 3",
                doc["schema_version"]
            ));
        }
        let trees = doc["trees"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        if trees.len() != 1 {
            problems.push(format!("{} trees reported, not 1", trees.len()));
        }
        let Some(reported) = trees.iter().find(|t| t["root"] == *root) else {
            panic!("no tree with root {root} in shipcheck's output:\n{doc:#}");
        };
        if reported["layout"] != layout {
            problems.push(format!(
                "layout is {}, the loader's view is {layout:?}",
                reported["layout"]
            ));
        }
        let entries: BTreeMap<&str, &Value> = reported["entry_points"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|e| (e["path"].as_str().unwrap_or("<no path>"), e))
            .collect();
        let reported_paths: BTreeSet<&str> = entries.keys().copied().collect();
        let expected_paths: BTreeSet<&str> = expected.iter().map(|e| e.path.as_str()).collect();
        if reported_paths != expected_paths {
            problems.push(format!(
                "entry points: shipcheck {reported_paths:?}, expected {expected_paths:?}"
            ));
        }
        for want in expected {
            let Some(entry) = entries.get(want.path.as_str()) else {
                continue;
            };
            let path = &want.path;
            if entry["loader"] != want.loader.loader_id() {
                problems.push(format!(
                    "{path}: loader {}, expected {:?}",
                    entry["loader"],
                    want.loader.loader_id()
                ));
            }
            if entry["verdict"] != want.verdict {
                problems.push(format!(
                    "{path}: verdict {}, the loader says {:?} ({})",
                    entry["verdict"], want.verdict, want.command
                ));
            }
            let map = self.shipcheck_map(path, entry, &mut problems);
            if map != want.map {
                problems.push(format!(
                    "{path}: libraries differ ({})\n{}",
                    want.command,
                    describe_difference(&want.map, &map)
                ));
            }
        }
        if !problems.is_empty() {
            let mut loader_side = String::new();
            for want in expected {
                let _ = writeln!(
                    loader_side,
                    "{} [{}] {}:\n{}",
                    want.path, want.verdict, want.command, want.output
                );
            }
            panic!(
                "shipcheck disagrees with the real loader on {}:\n- {}\n\n=== loader side ===\n\
                 {loader_side}\n=== shipcheck side ===\n{reported:#}",
                self.root.display(),
                problems.join("\n- ")
            );
        }
    }

    /// shipcheck's `libraries` of one entry point as a map, checking the JSON contract on the way.
    fn shipcheck_map(
        &self,
        entry_path: &str,
        entry: &Value,
        problems: &mut Vec<String>,
    ) -> LoadMap {
        let mut map = LoadMap::new();
        let Some(libraries) = entry["libraries"].as_array() else {
            problems.push(format!("{entry_path}: `libraries` is not an array"));
            return map;
        };
        // Each needed_by must be an object of this closure: the entry point or a tree library.
        let mut loaded: BTreeSet<Option<String>> =
            BTreeSet::from([self.resolve_reported(entry_path)]);
        let mut needers = Vec::new();
        for lib in libraries {
            let name = lib["name"].as_str().unwrap_or("<no name>");
            let at = format!("{entry_path}: {name}");
            let path = &lib["path"];
            needers.push((at.clone(), lib["needed_by"].clone()));
            let outcome = match lib["status"].as_str() {
                Some("tree") => {
                    if lib["via"].as_str().is_none_or(str::is_empty) {
                        problems.push(format!("{at}: a tree hit without `via`"));
                    }
                    match path.as_str() {
                        Some(rel) => match self.resolve_reported(rel) {
                            Some(real) => {
                                loaded.insert(Some(real.clone()));
                                Outcome::Tree(real)
                            }
                            None => Outcome::Tree(format!("{rel} (no such file in the tree)")),
                        },
                        None => {
                            problems.push(format!("{at}: status tree with path {path}"));
                            Outcome::Tree(format!("{path}"))
                        }
                    }
                }
                Some("system") => Outcome::System,
                Some(status @ ("not-found" | "unknown")) => {
                    if !path.is_null() {
                        problems.push(format!("{at}: status {status} with path {path}"));
                    }
                    if status == "unknown" {
                        Outcome::Unknown
                    } else {
                        Outcome::NotFound
                    }
                }
                _ => {
                    problems.push(format!("{at}: unknown status {}", lib["status"]));
                    continue;
                }
            };
            // The loader loaded every library it found, so none lacks a version here.
            if lib["missing_versions"]
                .as_array()
                .is_none_or(|v| !v.is_empty())
            {
                problems.push(format!(
                    "{at}: missing_versions is {}, the loader reports no version error",
                    lib["missing_versions"]
                ));
            }
            if is_left_out(name) {
                continue;
            }
            if !map.entry(name.to_string()).or_default().insert(outcome) {
                problems.push(format!("{at}: listed twice with the same outcome"));
            }
        }
        for (at, needed_by) in needers {
            let resolved = needed_by.as_str().and_then(|p| self.resolve_reported(p));
            if resolved.is_none() || !loaded.contains(&resolved) {
                problems.push(format!(
                    "{at}: needed_by {needed_by} is neither the entry point nor a library of \
                     the tree in this list"
                ));
            }
        }
        map
    }
}

/// A compile-and-link command for one output file.
struct Link<'a> {
    tree: &'a Tree,
    toolchain: Toolchain,
    out: PathBuf,
    args: Vec<OsString>,
}

impl<'a> Link<'a> {
    fn new(tree: &'a Tree, toolchain: Toolchain, out: &str, source: &str, shared: bool) -> Self {
        let mut args: Vec<OsString> = Vec::new();
        if shared {
            args.extend(["-fPIC", "-shared"].map(OsString::from));
        }
        let out = tree.root.join(out);
        args.push("-o".into());
        args.push(out.clone().into());
        args.push(Path::new(SOURCES).join(source).into());
        Link {
            tree,
            toolchain,
            out,
            args,
        }
    }

    fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    fn soname(self, soname: &str) -> Self {
        self.arg(format!("-Wl,-soname,{soname}"))
    }

    /// Links against this library (a path relative to the tree root, as the compiler runs
    /// there): DT_NEEDED records its soname, or the path as given when it has none.
    fn needs(self, library: impl Into<OsString>) -> Self {
        self.arg(library)
    }

    /// DT_RPATH.
    fn rpath(self, value: &str) -> Self {
        self.arg("-Wl,--disable-new-dtags")
            .arg(format!("-Wl,-rpath,{value}"))
    }

    /// DT_RUNPATH.
    fn runpath(self, value: &str) -> Self {
        self.arg("-Wl,--enable-new-dtags")
            .arg(format!("-Wl,-rpath,{value}"))
    }

    /// Where the link editor finds the needs of the libraries linked against (link time only).
    fn link_dir(self, rel: &str) -> Self {
        let dir = self.tree.root.join(rel);
        self.arg(format!("-Wl,-rpath-link,{}", dir.display()))
    }

    fn build(self) -> PathBuf {
        if let Some(parent) = self.out.parent() {
            std::fs::create_dir_all(parent).expect("create the output's folder");
        }
        let compiler = self.toolchain.compiler();
        let output = Command::new(compiler)
            .current_dir(&self.tree.root)
            .args(&self.args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {compiler} ({e}): {INSTALL_HINT}"));
        assert!(
            output.status.success(),
            "{compiler} {:?} failed:\n{}",
            self.args,
            String::from_utf8_lossy(&output.stderr)
        );
        self.out
    }
}

/// What one loader run said about one file.
struct LoaderRun {
    loader: Toolchain,
    command: String,
    map: LoadMap,
    failed: bool,
    /// Everything the loader printed, for failure messages.
    output: String,
    unparsed: Vec<String>,
}

impl LoaderRun {
    fn new(loader: Toolchain, command: String, output: &Output) -> Self {
        LoaderRun {
            loader,
            output: format!(
                "$ {command}\nexit: {}\nstdout:\n{}stderr:\n{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
            command,
            map: LoadMap::new(),
            failed: false,
            unparsed: Vec::new(),
        }
    }

    fn record(&mut self, name: &str, outcome: Outcome) {
        if !is_left_out(name) {
            self.map
                .entry(name.to_string())
                .or_default()
                .insert(outcome);
        }
    }

    fn not_found(&self) -> bool {
        self.map.values().flatten().any(|o| *o == Outcome::NotFound)
    }

    fn unparsed(&mut self, line: &str) {
        self.unparsed.push(line.to_string());
    }

    fn finish(self) -> Self {
        assert!(
            self.unparsed.is_empty(),
            "lines of the loader's output this harness does not understand: {:?}\n{}",
            self.unparsed,
            self.output
        );
        self
    }

    /// Asserts what the loader said (the facts a test's comment records).
    fn assert_says(&self, expected: &[(&str, Outcome)], failed: bool) {
        let expected = load_map(expected);
        assert!(
            self.map == expected && self.failed == failed,
            "the loader did not say what this test records (was the tree built as intended?)\n\
             failed: loader {}, recorded {failed}\n{}\n{}",
            self.failed,
            describe_difference(&expected, &self.map),
            self.output
        );
    }
}

/// One entry point as shipcheck must report it.
struct Expected {
    path: String,
    loader: Toolchain,
    map: LoadMap,
    verdict: &'static str,
    command: String,
    output: String,
}

impl Expected {
    /// The loader's answer for `path`, taken as is.
    fn from_loader(path: &str, run: &LoaderRun) -> Self {
        Expected {
            path: path.to_string(),
            loader: run.loader,
            map: run.map.clone(),
            verdict: if run.failed { "fails" } else { "loads" },
            command: run.command.clone(),
            output: run.output.clone(),
        }
    }
}

/// `NAME (0x...)` → `NAME`.
fn strip_address(text: &str) -> Option<&str> {
    let (name, address) = text.rsplit_once(" (0x")?;
    address.ends_with(')').then_some(name)
}

/// The vDSO and the loader itself, which both sides leave out.
fn is_left_out(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    file == "linux-vdso.so.1" || file == "ld-linux-x86-64.so.2" || file.starts_with("ld-musl-")
}

fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Resolves `path` (absolute inside the root, or root-relative) the way a process chrooted into
/// `root` would: absolute symlink targets start again at the root and `..` stops there. Returns
/// the root-relative path of the file, or None if some component does not exist.
fn resolve_in_root(root: &Path, path: &str) -> Option<String> {
    let mut resolved: Vec<OsString> = Vec::new();
    let mut pending: Vec<OsString> = components_reversed(Path::new(path));
    let mut links = 0;
    while let Some(name) = pending.pop() {
        if name == ".." {
            resolved.pop();
            continue;
        }
        let candidate: PathBuf = std::iter::once(root.as_os_str())
            .chain(resolved.iter().map(OsString::as_os_str))
            .chain(std::iter::once(name.as_os_str()))
            .collect();
        let meta = std::fs::symlink_metadata(&candidate).ok()?;
        if meta.file_type().is_symlink() {
            links += 1;
            if links > 40 {
                return None;
            }
            let target = std::fs::read_link(&candidate).ok()?;
            if target.is_absolute() {
                resolved.clear();
            }
            pending.extend(components_reversed(&target));
        } else {
            resolved.push(name);
        }
    }
    Some(
        resolved
            .iter()
            .map(|c| c.to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// The normal and `..` components of a path, last first (a stack to pop from).
fn components_reversed(path: &Path) -> Vec<OsString> {
    let mut out: Vec<OsString> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            _ => None,
        })
        .collect();
    out.reverse();
    out
}

/// One line per name where two maps differ.
fn describe_difference(loader: &LoadMap, shipcheck: &LoadMap) -> String {
    let names: BTreeSet<&String> = loader.keys().chain(shipcheck.keys()).collect();
    let mut out = String::new();
    for name in names {
        let (l, s) = (loader.get(name), shipcheck.get(name));
        let mark = if l == s { "   " } else { "!= " };
        let _ = writeln!(
            out,
            "  {mark}{name}: loader {}, shipcheck {}",
            show(l),
            show(s)
        );
    }
    out
}

fn show(outcomes: Option<&BTreeSet<Outcome>>) -> String {
    let Some(outcomes) = outcomes else {
        return "(absent)".to_string();
    };
    outcomes
        .iter()
        .map(|outcome| match outcome {
            Outcome::Tree(path) => format!("tree {path}"),
            Outcome::System => "system".to_string(),
            Outcome::NotFound => "not found".to_string(),
            Outcome::Unknown => "unknown".to_string(),
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Sets DF_1_NODEFLIB in a built x86_64 ELF file's DT_FLAGS_1. GNU ld 2.40 ignores
/// `-z nodeflib` when linking an executable ("warning: -z nodeflib ignored"), so the flag is
/// patched in after the link.
fn set_nodeflib(path: &Path) {
    const PT_DYNAMIC: u32 = 2;
    const DT_NULL: u64 = 0;
    const DT_FLAGS_1: u64 = 0x6fff_fffb;
    const DF_1_NODEFLIB: u64 = 0x800;
    let mut bytes = std::fs::read(path).expect("read the built executable");
    let u16_at = |b: &[u8], at: usize| u16::from_le_bytes([b[at], b[at + 1]]) as usize;
    let u64_at =
        |b: &[u8], at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("eight bytes"));
    assert_eq!(&bytes[..5], b"\x7fELF\x02", "a 64-bit ELF file");
    let phoff = u64_at(&bytes, 0x20) as usize;
    let (phentsize, phnum) = (u16_at(&bytes, 0x36), u16_at(&bytes, 0x38));
    let dynamic = (0..phnum)
        .map(|i| phoff + i * phentsize)
        .find(|&ph| {
            u32::from_le_bytes(bytes[ph..ph + 4].try_into().expect("four bytes")) == PT_DYNAMIC
        })
        .map(|ph| u64_at(&bytes, ph + 8) as usize)
        .expect("the executable has PT_DYNAMIC");
    let mut entry = dynamic;
    loop {
        let tag = u64_at(&bytes, entry);
        assert_ne!(tag, DT_NULL, "the executable has no DT_FLAGS_1 to patch");
        if tag == DT_FLAGS_1 {
            let value = u64_at(&bytes, entry + 8) | DF_1_NODEFLIB;
            bytes[entry + 8..entry + 16].copy_from_slice(&value.to_le_bytes());
            break;
        }
        entry += 16;
    }
    std::fs::write(path, bytes).expect("write the patched executable");
}

/// libA.so needing libB.so, both in lib/, and bin/app needing libA.so with `search_path`
/// ($ORIGIN/../lib) as DT_RPATH or DT_RUNPATH.
fn app_with_chain(name: &str, toolchain: Toolchain, runpath: bool) -> Tree {
    let t = Tree::new(name, View::Host);
    t.lib(toolchain, "lib/libB.so", "libB.c")
        .soname("libB.so")
        .build();
    t.lib(toolchain, "lib/libA.so", "libA.c")
        .soname("libA.so")
        .needs("lib/libB.so")
        .build();
    let app = t
        .exe(toolchain, "bin/app", "app_a.c")
        .needs("lib/libA.so")
        .link_dir("lib");
    if runpath {
        app.runpath("$ORIGIN/../lib").build();
    } else {
        app.rpath("$ORIGIN/../lib").build();
    }
    t
}

// Facts (glibc 2.36, Debian 12): with DT_RPATH=$ORIGIN/../lib on bin/app only, ld.so finds
// libA.so in lib/ and then libA.so's need libB.so in lib/ too: an executable's DT_RPATH is searched
// for the needs of every object it loads (as long as that object has no DT_RUNPATH).
#[test]
fn rpath_is_inherited_by_dependencies() {
    let t = app_with_chain("rpath", Toolchain::Glibc, false);
    let run = t.glibc("bin/app");
    run.assert_says(
        &[
            ("libA.so", tree("lib/libA.so")),
            ("libB.so", tree("lib/libB.so")),
            ("libc.so.6", Outcome::System),
        ],
        false,
    );
    t.assert_shipcheck_agrees(Some(HOST), "app", &[Expected::from_loader("bin/app", &run)]);
}

// Facts (glibc 2.36): the same tree with DT_RUNPATH: libA.so is found, libB.so is
// "not found" (DT_RUNPATH serves only the object's own needs), and `ld.so --list` exits 127 with
// "error while loading shared libraries: libB.so: cannot open shared object file". This host
// (Debian 12, the baseline given) has no libB.so anywhere, so "fails" is the answer for it.
// Entry points: bin/app and lib/libB.so, which nothing in the tree loads (libA.so does not
// reach it); `ld.so lib/libB.so` prints "statically linked" (it needs nothing).
#[test]
fn runpath_is_not_inherited_by_dependencies() {
    let t = app_with_chain("runpath", Toolchain::Glibc, true);
    let run = t.glibc("bin/app");
    run.assert_says(
        &[
            ("libA.so", tree("lib/libA.so")),
            ("libB.so", Outcome::NotFound),
            ("libc.so.6", Outcome::System),
        ],
        true,
    );
    let lib_b = t.glibc("lib/libB.so");
    lib_b.assert_says(&[], false);
    t.assert_shipcheck_agrees(
        Some(HOST),
        "app",
        &[
            Expected::from_loader("bin/app", &run),
            Expected::from_loader("lib/libB.so", &lib_b),
        ],
    );
}

// Facts (glibc 2.36): bin/app (DT_RUNPATH=$ORIGIN/../lib) needs libA.so and libB.so; libA.so
// (no search path) needs libB.so. Everything loads: the needs are taken breadth-first, so libB.so
// is loaded for bin/app before libA.so's needs are looked at, and libA.so's need is met by the
// loaded object whose soname is libB.so, without a search (LD_DEBUG=files,libs shows no
// "needed by libA.so" line at all).
#[test]
fn a_need_is_met_by_an_already_loaded_library() {
    let t = Tree::new("loaded", View::Host);
    t.lib(Toolchain::Glibc, "lib/libB.so", "libB.c")
        .soname("libB.so")
        .build();
    t.lib(Toolchain::Glibc, "lib/libA.so", "libA.c")
        .soname("libA.so")
        .needs("lib/libB.so")
        .build();
    t.exe(Toolchain::Glibc, "bin/app", "app_ab.c")
        .needs("lib/libA.so")
        .needs("lib/libB.so")
        .runpath("$ORIGIN/../lib")
        .build();
    let run = t.glibc("bin/app");
    run.assert_says(
        &[
            ("libA.so", tree("lib/libA.so")),
            ("libB.so", tree("lib/libB.so")),
            ("libc.so.6", Outcome::System),
        ],
        false,
    );
    t.assert_shipcheck_agrees(Some(HOST), "app", &[Expected::from_loader("bin/app", &run)]);
}

// Tree: real/bin/app (DT_RPATH=$ORIGIN/../lib) needs libA.so; real/lib -> ../store/lib;
// store/lib/libA.so (DT_RPATH=$ORIGIN/../deps) needs libB.so; store/deps/libB.so; bin -> real/bin.
// Facts (glibc 2.36): both `ld.so real/bin/app` and `ld.so bin/app` load everything. $ORIGIN is
// the folder as spelled (libA.so's is `.../real/bin/../lib`), but the kernel resolves `..` after
// a symlinked folder physically: `real/bin/../lib/../deps` is store/deps, not real/deps, and
// `bin/../lib` is real/lib. Symlinked folders therefore never change an $ORIGIN answer; a lexical
// clean-up of the path would (it would say libB.so is not found). Entry point: real/bin/app only
// (bin/ is a symlink to its folder; symlinks are resolved inside the tree).
#[test]
fn origin_through_symlinked_folders_is_physical() {
    let t = Tree::new("origin-dirs", View::Host);
    t.lib(Toolchain::Glibc, "store/deps/libB.so", "libB.c")
        .soname("libB.so")
        .build();
    t.lib(Toolchain::Glibc, "store/lib/libA.so", "libA.c")
        .soname("libA.so")
        .needs("store/deps/libB.so")
        .rpath("$ORIGIN/../deps")
        .build();
    t.mkdir("real/bin");
    t.symlink("real/lib", "../store/lib");
    t.exe(Toolchain::Glibc, "real/bin/app", "app_a.c")
        .needs("real/lib/libA.so")
        .link_dir("store/deps")
        .rpath("$ORIGIN/../lib")
        .build();
    t.symlink("bin", "real/bin");

    let loaded = [
        ("libA.so", tree("store/lib/libA.so")),
        ("libB.so", tree("store/deps/libB.so")),
        ("libc.so.6", Outcome::System),
    ];
    let real = t.glibc("real/bin/app");
    real.assert_says(&loaded, false);
    t.glibc("bin/app").assert_says(&loaded, false);
    t.assert_shipcheck_agrees(
        Some(HOST),
        "app",
        &[Expected::from_loader("real/bin/app", &real)],
    );
}

// Tree: opt/bin/app (DT_RPATH=$ORIGIN/../lib) needs libA.so; opt/lib/libA.so is a symlink to
// ../../store/a/libA.so (DT_RPATH=$ORIGIN/../deps), which needs libB.so; opt/deps/libB.so exists,
// store/deps/ does not; bin/app is a symlink to ../opt/bin/app.
// Facts (glibc 2.36):
// - `ld.so opt/bin/app` loads everything, libB.so from opt/deps: a library's $ORIGIN is the
//   folder of the path it was found by (opt/lib), not the folder of the symlink's target
//   (store/a, whose ../deps does not exist).
// - `ld.so bin/app` (through the symlinked file) says libA.so is not found: the main program's
//   $ORIGIN is the folder of the path ld.so was given (bin/, and bin/../lib does not exist).
//   A kernel exec of bin/app would take $ORIGIN from /proc/self/exe (the target's folder) and
//   load everything; this harness never runs a built program, so that is glibc's source, not a
//   fact measured here. Entry point: opt/bin/app only (a symlink is not another program).
#[test]
fn origin_of_a_library_is_where_it_was_found_not_its_symlinks_target() {
    let t = Tree::new("origin-files", View::Host);
    t.lib(Toolchain::Glibc, "opt/deps/libB.so", "libB.c")
        .soname("libB.so")
        .build();
    t.lib(Toolchain::Glibc, "store/a/libA.so", "libA.c")
        .soname("libA.so")
        .needs("opt/deps/libB.so")
        .rpath("$ORIGIN/../deps")
        .build();
    t.symlink("opt/lib/libA.so", "../../store/a/libA.so");
    t.exe(Toolchain::Glibc, "opt/bin/app", "app_a.c")
        .needs("opt/lib/libA.so")
        .link_dir("opt/deps")
        .rpath("$ORIGIN/../lib")
        .build();
    t.symlink("bin/app", "../opt/bin/app");

    let real = t.glibc("opt/bin/app");
    real.assert_says(
        &[
            ("libA.so", tree("store/a/libA.so")),
            ("libB.so", tree("opt/deps/libB.so")),
            ("libc.so.6", Outcome::System),
        ],
        false,
    );
    t.glibc("bin/app").assert_says(
        &[
            ("libA.so", Outcome::NotFound),
            ("libc.so.6", Outcome::System),
        ],
        true,
    );
    t.assert_shipcheck_agrees(
        Some(HOST),
        "app",
        &[Expected::from_loader("opt/bin/app", &real)],
    );
}

// Tree: bin/app with DF_1_NODEFLIB and DT_RUNPATH=$ORIGIN/../lib needs libA.so and libc.so.6;
// lib/libA.so (DT_RUNPATH=$ORIGIN, no NODEFLIB) needs libB.so and libc.so.6; lib/libB.so.
// Facts (glibc 2.36):
// - bin/app's need libc.so.6 => not found: NODEFLIB drops the default folders and every
//   /etc/ld.so.cache entry that lies in them (LD_DEBUG shows the cache consulted and its
//   /lib/x86_64-linux-gnu/libc.so.6 entry refused).
// - libA.so and libB.so load from lib/.
// - libA.so's own need libc.so.6 is searched again (the placeholder of a missing library answers
//   no later need) and loads from /lib/x86_64-linux-gnu: the trace lists libc.so.6 twice, once
//   "not found" and once found.
// - `--list` exits 127 (a real start fails at bin/app's need).
#[test]
fn nodeflib_hides_the_system_libc() {
    let t = Tree::new("nodeflib", View::Host);
    t.lib(Toolchain::Glibc, "lib/libB.so", "libB.c")
        .soname("libB.so")
        .build();
    t.lib(Toolchain::Glibc, "lib/libA.so", "libA.c")
        .soname("libA.so")
        .needs("lib/libB.so")
        // libA.c calls nothing in libc; Debian's gcc links --as-needed.
        .arg("-Wl,--no-as-needed")
        .arg("-lc")
        .runpath("$ORIGIN")
        .build();
    let app = t
        .exe(Toolchain::Glibc, "bin/app", "app_a.c")
        .needs("lib/libA.so")
        .link_dir("lib")
        .runpath("$ORIGIN/../lib")
        .build();
    set_nodeflib(&app);
    let run = t.glibc("bin/app");
    run.assert_says(
        &[
            ("libA.so", tree("lib/libA.so")),
            ("libB.so", tree("lib/libB.so")),
            ("libc.so.6", Outcome::NotFound),
            ("libc.so.6", Outcome::System),
        ],
        true,
    );
    t.assert_shipcheck_agrees(Some(HOST), "app", &[Expected::from_loader("bin/app", &run)]);
}

// Tree: lib/libC.so without a soname; bin/app linked by the path lib/libC.so, so its DT_NEEDED is
// `lib/libC.so`.
// Facts (glibc 2.36): a needed name with a slash is opened as a path, relative to the working
// directory, with no search. Run from the tree root, `lib/libC.so (0x...)` loads (printed
// without `=>`, its name being its path); run from bin/, `lib/libC.so => not found`. The answer
// depends on where the program is started, so shipcheck must say "unknown" for that library
// and for the verdict. Entry points: bin/app and lib/libC.so (nothing in the tree loads it by a
// name the tree alone can resolve).
#[test]
fn a_needed_path_with_a_slash_depends_on_the_working_directory() {
    let t = Tree::new("slash", View::Host);
    t.lib(Toolchain::Glibc, "lib/libC.so", "libC.c").build();
    t.exe(Toolchain::Glibc, "bin/app", "app_c.c")
        .needs("lib/libC.so")
        .build();
    let from_root = t.glibc_from("bin/app", &t.root);
    from_root.assert_says(
        &[
            ("lib/libC.so", tree("lib/libC.so")),
            ("libc.so.6", Outcome::System),
        ],
        false,
    );
    t.glibc_from("bin/app", &t.root.join("bin")).assert_says(
        &[
            ("lib/libC.so", Outcome::NotFound),
            ("libc.so.6", Outcome::System),
        ],
        true,
    );
    let mut app = Expected::from_loader("bin/app", &from_root);
    app.map.insert(
        "lib/libC.so".to_string(),
        BTreeSet::from([Outcome::Unknown]),
    );
    app.verdict = "unknown";
    // libC.so needs nothing (glibc prints "statically linked").
    let lib = t.glibc("lib/libC.so");
    lib.assert_says(&[], false);
    t.assert_shipcheck_agrees(
        Some(HOST),
        "app",
        &[app, Expected::from_loader("lib/libC.so", &lib)],
    );
}

// Tree: plugins/plugin.so (no soname, DT_RPATH=$ORIGIN/deps) needs libdep.so;
// plugins/deps/libdep.so.
// Facts (glibc 2.36): `ld.so plugins/plugin.so` treats the library as the main program and loads
// libdep.so from plugins/deps (and nothing else: with Debian's --as-needed the plugin does not
// need libc.so.6). Nothing in the tree loads plugin.so, so it is an entry point;
// libdep.so is loaded by it, so it is not.
#[test]
fn a_plugin_nothing_loads_is_an_entry_point() {
    let t = Tree::new("plugin", View::Host);
    t.lib(Toolchain::Glibc, "plugins/deps/libdep.so", "libdep.c")
        .soname("libdep.so")
        .build();
    t.lib(Toolchain::Glibc, "plugins/plugin.so", "plugin.c")
        .needs("plugins/deps/libdep.so")
        .rpath("$ORIGIN/deps")
        .build();
    let run = t.glibc("plugins/plugin.so");
    run.assert_says(&[("libdep.so", tree("plugins/deps/libdep.so"))], false);
    t.assert_shipcheck_agrees(
        Some(HOST),
        "app",
        &[Expected::from_loader("plugins/plugin.so", &run)],
    );
}

// The tree of runpath_is_not_inherited_by_dependencies built with musl-gcc (DT_NEEDED libc.so).
// Facts (musl 1.2.3, Debian's musl-tools): `ld-musl --list bin/app` loads libB.so from lib/: musl
// searches the DT_RPATH/DT_RUNPATH of every object up the needed-by chain (it does not tell the
// two apart). `libc.so => /lib/ld-musl-x86_64.so.1`: musl answers libc.so with itself (its source,
// ldso/dynlink.c, does the same for every libc.*, libm, libpthread, libdl, librt, libutil and
// libxnet name).
#[test]
fn musl_follows_runpath_along_the_needed_by_chain() {
    let t = app_with_chain("musl-runpath", Toolchain::Musl, true);
    let run = t.musl("bin/app");
    run.assert_says(
        &[
            ("libA.so", tree("lib/libA.so")),
            ("libB.so", tree("lib/libB.so")),
            ("libc.so", Outcome::System),
        ],
        false,
    );
    t.assert_shipcheck_agrees(Some(HOST), "app", &[Expected::from_loader("bin/app", &run)]);
}

// Tree (musl): bin/app (DT_RUNPATH=$ORIGIN/../lib) needs libA.so; lib/libA.so needs libB.so,
// which is nowhere.
// Facts (musl 1.2.3): stdout lists libA.so and libc.so; stderr says `Error loading shared library
// libB.so: No such file or directory (needed by .../lib/libA.so)` and `Error relocating ...: b:
// symbol not found`; exit status 127.
#[test]
fn musl_missing_library_fails() {
    let t = Tree::new("musl-missing", View::Host);
    let scratch = t.scratch();
    let lib_b = t
        .lib(
            Toolchain::Musl,
            &scratch.join("libB.so").to_string_lossy(),
            "libB.c",
        )
        .soname("libB.so")
        .build();
    t.lib(Toolchain::Musl, "lib/libA.so", "libA.c")
        .soname("libA.so")
        .needs(lib_b)
        .build();
    t.exe(Toolchain::Musl, "bin/app", "app_a.c")
        .needs("lib/libA.so")
        .arg(format!("-Wl,-rpath-link,{}", scratch.display()))
        .runpath("$ORIGIN/../lib")
        .build();
    let run = t.musl("bin/app");
    run.assert_says(
        &[
            ("libA.so", tree("lib/libA.so")),
            ("libB.so", Outcome::NotFound),
            ("libc.so", Outcome::System),
        ],
        true,
    );
    t.assert_shipcheck_agrees(Some(HOST), "app", &[Expected::from_loader("bin/app", &run)]);
}

/// A minimal glibc root filesystem: this machine's loader and libc.so.6 in lib/x86_64-linux-gnu,
/// lib64/ld-linux-x86-64.so.2 pointing at it (as on Debian), etc/ld.so.conf, no ld.so.cache, and
/// usr/bin/app needing libz.so.1 (linked against a stand-in kept outside the root). Returns the
/// tree and the stand-in libz.so.1.
fn mini_root(name: &str) -> (Tree, PathBuf) {
    let t = Tree::new(name, View::Chroot);
    t.mkdir("lib/x86_64-linux-gnu");
    for file in [GLIBC_LOADER, "/lib/x86_64-linux-gnu/libc.so.6"] {
        let real = std::fs::canonicalize(file).expect("this machine's glibc files resolve");
        let name = real.file_name().expect("a file name");
        std::fs::copy(&real, t.root.join("lib/x86_64-linux-gnu").join(name))
            .expect("copy a glibc file into the root");
    }
    t.symlink(
        "lib64/ld-linux-x86-64.so.2",
        "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
    );
    t.mkdir("etc");
    std::fs::write(
        t.root.join("etc/ld.so.conf"),
        "/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n",
    )
    .expect("write etc/ld.so.conf");
    let libz = t.scratch().join("libz.so.1");
    t.lib(Toolchain::Glibc, &libz.to_string_lossy(), "libz_stub.c")
        .soname("libz.so.1")
        .build();
    t.exe(Toolchain::Glibc, "usr/bin/app", "app_z.c")
        .needs(&libz)
        .build();
    (t, libz)
}

// Facts (glibc 2.36, chrooted into the mini root): libz.so.1 => not found, libc.so.6 =>
// /lib/x86_64-linux-gnu/libc.so.6 (found in the default folders: there is no ld.so.cache, and
// only ldconfig reads ld.so.conf); `--list` exits 127.
#[test]
fn rootfs_missing_library_fails_in_chroot() {
    let (t, _) = mini_root("rootfs-missing");
    let run = t.glibc("usr/bin/app");
    run.assert_says(
        &[
            ("libz.so.1", Outcome::NotFound),
            ("libc.so.6", tree("lib/x86_64-linux-gnu/libc.so.6")),
        ],
        true,
    );
    t.assert_shipcheck_agrees(
        None,
        "rootfs",
        &[Expected::from_loader("usr/bin/app", &run)],
    );
}

// Facts (glibc 2.36, chrooted): with usr/lib/x86_64-linux-gnu/libz.so.1 in the root,
// libz.so.1 => /usr/lib/x86_64-linux-gnu/libz.so.1 (a default folder of Debian's glibc) and the
// app loads. Entry point: usr/bin/app only (libz.so.1, libc.so.6 and the loader are loaded by it).
#[test]
fn rootfs_library_in_the_root_loads_in_chroot() {
    let (t, libz) = mini_root("rootfs-present");
    t.mkdir("usr/lib/x86_64-linux-gnu");
    std::fs::copy(&libz, t.root.join("usr/lib/x86_64-linux-gnu/libz.so.1"))
        .expect("install libz.so.1 in the root");
    let run = t.glibc("usr/bin/app");
    run.assert_says(
        &[
            ("libz.so.1", tree("usr/lib/x86_64-linux-gnu/libz.so.1")),
            ("libc.so.6", tree("lib/x86_64-linux-gnu/libc.so.6")),
        ],
        false,
    );
    t.assert_shipcheck_agrees(
        None,
        "rootfs",
        &[Expected::from_loader("usr/bin/app", &run)],
    );
}

// Facts (glibc 2.36, chrooted into the mini root): with a libz.so.1 that does not define z_stub,
// the trace lists libz.so.1 and libc.so.6 in the root, and with relocation processing in trace
// mode (LD_BIND_NOW=1 LD_WARN=yes, what `ldd -r` sets) it prints
// "undefined symbol: z_stub	(/usr/bin/app)": the "symbol lookup error" the program would hit.
// Relocating in trace mode runs no code of the program: rtld exits after the relocation pass.
#[test]
fn rootfs_undefined_symbol_is_what_ldd_r_reports() {
    let (t, _) = mini_root("rootfs-undefined");
    t.mkdir("usr/lib/x86_64-linux-gnu");
    t.lib(
        Toolchain::Glibc,
        "usr/lib/x86_64-linux-gnu/libz.so.1",
        "libz_other.c",
    )
    .soname("libz.so.1")
    .build();
    let (undefined, said) = undefined_symbols(&t, OsStr::new("/usr/bin/app"));
    assert_eq!(undefined, ["z_stub"], "the loader said: {said}");

    let (status, doc) = check_json(&t.root, &[]);
    assert_eq!(status, Some(1), "{doc:#}");
    let app = doc["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| {
            f["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("usr/bin/app"))
        })
        .expect("usr/bin/app is reported");
    let found: Vec<&Value> = app["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "symbol-undefined")
        .collect();
    assert_eq!(found.len(), 1, "{app:#}");
    assert_eq!(
        found[0]["evidence"]["symbols"],
        serde_json::json!(["z_stub"])
    );
    // Nothing else of the closure (libc.so.6, the loader) has an undefined symbol.
    let others: Vec<&Value> = findings_coded(&doc, "symbol-undefined");
    assert_eq!(others.len(), 1, "{doc:#}");
}

// Facts (glibc 2.36): bin/app's DT_RPATH is $ORIGIN/../wrong:$ORIGIN/../lib and wrong/libA.so is
// an aarch64 ELF file (testdata/bin/hello-aarch64 under that name). `open_verify` rejects a file
// of another machine and `open_path` goes on to the next directory: libA.so =>
// <tree>/bin/../lib/libA.so, libB.so found the same way (DT_RPATH is inherited); loads.
// Entry points: bin/app only (an aarch64 program is not a dynamically linked x86_64 entry point
// of this tree's loader, but shipcheck lists every program: wrong/libA.so names an interpreter).
#[test]
fn a_file_of_another_machine_on_the_search_path_is_skipped() {
    let t = Tree::new("incompatible", View::Host);
    t.lib(Toolchain::Glibc, "lib/libB.so", "libB.c")
        .soname("libB.so")
        .build();
    t.lib(Toolchain::Glibc, "lib/libA.so", "libA.c")
        .soname("libA.so")
        .needs("lib/libB.so")
        .build();
    t.exe(Toolchain::Glibc, "bin/app", "app_a.c")
        .needs("lib/libA.so")
        .link_dir("lib")
        .rpath("$ORIGIN/../wrong:$ORIGIN/../lib")
        .build();
    t.mkdir("wrong");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/bin/hello-aarch64"),
        t.root.join("wrong/libA.so"),
    )
    .expect("copy the aarch64 test binary");
    let run = t.glibc("bin/app");
    run.assert_says(
        &[
            ("libA.so", tree("lib/libA.so")),
            ("libB.so", tree("lib/libB.so")),
            ("libc.so.6", Outcome::System),
        ],
        false,
    );
    let doc = t.shipcheck(Some(HOST));
    let app = doc["trees"][0]["entry_points"]
        .as_array()
        .expect("entry points")
        .iter()
        .find(|e| e["path"] == "bin/app")
        .expect("bin/app is an entry point");
    assert_eq!(app["verdict"], "loads", "{app:#}");
    let lib_a = app["libraries"]
        .as_array()
        .expect("libraries")
        .iter()
        .find(|l| l["name"] == "libA.so")
        .expect("libA.so is listed");
    assert_eq!(lib_a["path"], "lib/libA.so", "{app:#}");
}

// Facts (glibc 2.36 on x86_64): DT_RUNPATH $ORIGIN/../$PLATFORM expands to $ORIGIN/../x86_64
// (AT_PLATFORM of this CPU): libA.so => <tree>/bin/../x86_64/libA.so; loads. What $PLATFORM (and
// $LIB) expand to depends on the target's CPU and loader build, which no baseline records, so
// shipcheck must say "unknown" (load-path-unknown), neither "loads" nor "fails".
#[test]
fn platform_in_a_search_path_is_unknown_not_guessed() {
    let t = Tree::new("platform", View::Host);
    t.lib(Toolchain::Glibc, "x86_64/libA.so", "libz_stub.c")
        .soname("libA.so")
        .build();
    t.exe(Toolchain::Glibc, "bin/app", "app_z.c")
        .needs("x86_64/libA.so")
        .link_dir("x86_64")
        .runpath("$ORIGIN/../$PLATFORM")
        .build();
    let run = t.glibc("bin/app");
    run.assert_says(
        &[
            ("libA.so", tree("x86_64/libA.so")),
            ("libc.so.6", Outcome::System),
        ],
        false,
    );
    let doc = t.shipcheck(Some(HOST));
    let app = &doc["trees"][0]["entry_points"][0];
    assert_eq!(app["path"], "bin/app", "{doc:#}");
    assert_eq!(app["verdict"], "unknown", "{app:#}");
    let (_, doc) = check_json(&t.root, &["--sysroot", "/"]);
    let codes: Vec<&str> = findings_coded(&doc, "")
        .into_iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(codes.contains(&"load-path-unknown"), "{doc:#}");
    assert!(!codes.contains(&"soname-missing"), "{doc:#}");
}

/// The mini root with libz.so.1 installed in /usr/local/lib, a directory that only its
/// ld.so.conf names (it is no default directory of glibc's loader).
fn root_with_conf_only_library(name: &str) -> Tree {
    let (t, libz) = mini_root(name);
    t.mkdir("usr/local/lib");
    std::fs::copy(&libz, t.root.join("usr/local/lib/libz.so.1"))
        .expect("install libz.so.1 in /usr/local/lib");
    std::fs::write(
        t.root.join("etc/ld.so.conf"),
        "/usr/local/lib\n/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n",
    )
    .expect("write etc/ld.so.conf");
    t
}

// Facts (glibc 2.36, chrooted): the loader reads ld.so.conf only through /etc/ld.so.cache. With
// no cache, libz.so.1 in /usr/local/lib (named only by ld.so.conf) => not found, and --list
// exits 127 (and nothing loads libz.so.1, so it is an entry point). After `ldconfig -r ROOT` wrote ROOT/etc/ld.so.cache, libz.so.1 =>
// /usr/local/lib/libz.so.1 and the app loads.
#[test]
fn rootfs_ld_so_conf_reaches_the_loader_only_through_its_cache() {
    let t = root_with_conf_only_library("rootfs-conf");
    let run = t.glibc("usr/bin/app");
    run.assert_says(
        &[
            ("libz.so.1", Outcome::NotFound),
            ("libc.so.6", tree("lib/x86_64-linux-gnu/libc.so.6")),
        ],
        true,
    );
    // Nothing loads /usr/local/lib/libz.so.1 now: it is an entry point of its own.
    let libz = t.glibc("usr/local/lib/libz.so.1");
    t.assert_shipcheck_agrees(
        None,
        "rootfs",
        &[
            Expected::from_loader("usr/bin/app", &run),
            Expected::from_loader("usr/local/lib/libz.so.1", &libz),
        ],
    );
    let (_, doc) = check_json(&t.root, &[]);
    let missing: Vec<&Value> = findings_coded(&doc, "soname-missing");
    assert_eq!(missing.len(), 1, "{doc:#}");
    assert_eq!(
        missing[0]["evidence"]["needs_ldconfig"], "/usr/local/lib/libz.so.1",
        "{doc:#}"
    );

    let status = Command::new("/sbin/ldconfig")
        .arg("-r")
        .arg(&t.root)
        .status()
        .expect("ldconfig runs");
    assert!(status.success(), "ldconfig -r {}", t.root.display());
    let run = t.glibc("usr/bin/app");
    run.assert_says(
        &[
            ("libz.so.1", tree("usr/local/lib/libz.so.1")),
            ("libc.so.6", tree("lib/x86_64-linux-gnu/libc.so.6")),
        ],
        false,
    );
    t.assert_shipcheck_agrees(
        None,
        "rootfs",
        &[Expected::from_loader("usr/bin/app", &run)],
    );
}

// Facts (glibc 2.36): bin/app (DT_RUNPATH $ORIGIN/../lib) needs z_stub from lib/libz.so.1, and
// the shipped libz.so.1 does not define it. With relocation in trace mode (LD_BIND_NOW=1
// LD_WARN=yes, as `ldd -r`) the loader prints "undefined symbol: z_stub\t(<tree>/bin/app)" and
// nothing else: libc.so.6 and the loader come from this machine. shipcheck decides it with this
// machine as the sysroot (its libraries' symbols are read there), for that baseline's verdict.
#[test]
fn undefined_symbol_against_a_sysroot_is_what_ldd_r_reports() {
    let t = Tree::new("undefined-sysroot", View::Host);
    t.lib(Toolchain::Glibc, "lib/libz.so.1", "libz_other.c")
        .soname("libz.so.1")
        .build();
    let stub = t.scratch().join("libz.so.1");
    t.lib(Toolchain::Glibc, &stub.to_string_lossy(), "libz_stub.c")
        .soname("libz.so.1")
        .build();
    t.exe(Toolchain::Glibc, "bin/app", "app_z.c")
        .needs(&stub)
        .runpath("$ORIGIN/../lib")
        .build();
    let (undefined, said) = undefined_symbols(&t, t.root.join("bin/app").as_os_str());
    assert_eq!(undefined, ["z_stub"], "the loader said: {said}");

    let (status, doc) = check_json(&t.root, &["--sysroot", "/"]);
    let found: Vec<&Value> = findings_coded(&doc, "symbol-undefined");
    assert_eq!(found.len(), 1, "{doc:#}");
    assert_eq!(
        found[0]["evidence"]["symbols"],
        serde_json::json!(["z_stub"])
    );
    assert_eq!(found[0]["baseline"], "sysroot:/", "{doc:#}");
    assert_eq!(status, Some(1), "{doc:#}");

    // A database baseline knows no symbols: nothing is decided, nothing is claimed.
    let (_, doc) = check_json(&t.root, &["--baseline", "debian-12"]);
    assert!(!doc.to_string().contains("symbol-undefined"), "{doc:#}");
}

/// What glibc's loader says of `file` when it also relocates in trace mode (`ldd -r`:
/// LD_BIND_NOW=1 LD_WARN=yes; rtld exits after the relocation pass, no code of the program
/// runs): the symbol of each "undefined symbol" line, and everything it printed.
fn undefined_symbols(t: &Tree, file: &OsStr) -> (Vec<String>, String) {
    let output = t.run_loader_with(
        GLIBC_LOADER,
        &[file],
        &[
            ("LD_TRACE_LOADED_OBJECTS", "1"),
            ("LD_BIND_NOW", "1"),
            ("LD_WARN", "yes"),
        ],
        &t.root,
    );
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let undefined = said
        .lines()
        .filter_map(|line| line.trim().strip_prefix("undefined symbol: "))
        .map(|rest| {
            rest.split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    (undefined, said)
}

/// `shipcheck check --format json ARGS ROOT`: its exit status and document.
fn check_json(root: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let output = assert_cmd::Command::cargo_bin("shipcheck")
        .expect("the shipcheck binary is built")
        .args(["check", "--format", "json"])
        .args(args)
        .arg(root)
        .output()
        .expect("shipcheck runs");
    let doc = serde_json::from_slice(&output.stdout).expect("shipcheck prints JSON");
    (output.status.code(), doc)
}

/// Every finding of the document with this code (every finding for "").
fn findings_coded<'a>(doc: &'a Value, code: &str) -> Vec<&'a Value> {
    doc["files"]
        .as_array()
        .expect("files")
        .iter()
        .flat_map(|f| f["findings"].as_array().into_iter().flatten())
        .filter(|f| code.is_empty() || f["code"] == code)
        .collect()
}

/// What `ld.so --list FILE` prints on stderr (the words a real start prints).
fn list_error(t: &Tree, rel: &str) -> String {
    let file = t.loader_arg(rel);
    let output = t.run_loader(
        GLIBC_LOADER,
        &[OsStr::new("--list"), file.as_os_str()],
        false,
        &t.root,
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

// Facts (glibc 2.36, `ld.so --list`, what a real start prints):
// - a need no search entry reaches: "error while loading shared libraries: libB.so: cannot open
//   shared object file: No such file or directory";
// - a library of another machine on the search path (an x86_64 library marked aarch64 as
//   wrong/libq.so.1, the only copy): passed over, then "libq.so.1: cannot open shared object file: No such file or
//   directory" (glibc's loader never says "skipping incompatible": that is GNU ld's wording);
// - a library of the other class named by path (DT_NEEDED with a slash, an i386 file): "wrong
//   ELF class: ELFCLASS32".
// The findings quote those words.
#[test]
fn findings_quote_the_loaders_own_words() {
    let t = app_with_chain("words-runpath", Toolchain::Glibc, true);
    let said = list_error(&t, "bin/app");
    let words = "error while loading shared libraries: libB.so: cannot open shared object file";
    assert!(said.contains(words), "the loader said: {said}");
    let (_, doc) = check_json(&t.root, &["--sysroot", "/"]);
    let missing = findings_coded(&doc, "soname-missing");
    assert_eq!(missing.len(), 1, "{doc:#}");
    let message = missing[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(words), "{message}");

    let t = Tree::new("words-machine", View::Host);
    let i386 = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/bin/hello-i686");
    // Linked against a real x86_64 libq.so.1 kept outside the tree; the tree holds, where the
    // program's DT_RPATH leads, the same library marked as aarch64 (e_machine 183: no cross
    // compiler is needed to make a shared library of another machine).
    let stub = t.scratch().join("libq.so.1");
    t.lib(Toolchain::Glibc, &stub.to_string_lossy(), "libz_stub.c")
        .soname("libq.so.1")
        .build();
    t.exe(Toolchain::Glibc, "bin/app", "app_z.c")
        .needs(&stub)
        .rpath("$ORIGIN/../wrong")
        .build();
    t.mkdir("wrong");
    let mut aarch64 = std::fs::read(&stub).expect("read the stub");
    aarch64[18..20].copy_from_slice(&183u16.to_le_bytes());
    std::fs::write(t.root.join("wrong/libq.so.1"), aarch64).expect("write the aarch64 library");
    // A need by path: a library without DT_SONAME linked by its absolute path, then replaced by
    // a 32-bit file.
    let by_path = t.root.join("wrong/libp.so");
    t.lib(Toolchain::Glibc, &by_path.to_string_lossy(), "libz_stub.c")
        .build();
    t.exe(Toolchain::Glibc, "bin/app-by-path", "app_z.c")
        .needs(&by_path)
        .build();
    std::fs::copy(&i386, &by_path).expect("copy the i386 file");

    let said = list_error(&t, "bin/app");
    assert!(
        said.contains("libq.so.1: cannot open shared object file: No such file or directory"),
        "the loader said: {said}"
    );
    assert!(!said.contains("incompatible"), "the loader said: {said}");
    let said = list_error(&t, "bin/app-by-path");
    assert!(
        said.contains("wrong ELF class: ELFCLASS32"),
        "the loader said: {said}"
    );

    let (_, doc) = check_json(&t.root, &["--target", "linux-x64"]);
    let skipped: Vec<&str> = findings_coded(&doc, "arch-mismatch")
        .into_iter()
        .filter(|f| f["evidence"]["failure"] == "loader-skips-library")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert_eq!(skipped.len(), 1, "{doc:#}");
    assert!(
        skipped[0].contains("cannot open shared object file: No such file or directory")
            && skipped[0].contains("wrong ELF class"),
        "{}",
        skipped[0]
    );
}
