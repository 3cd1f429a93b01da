//! Helpers shared by the integration tests; each test file that uses them has `mod common;`.

// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use std::fs::Metadata;
use std::path::{Path, PathBuf};

/// The regular files below `dir` that `keep` accepts, sorted. Symlinks are not followed;
/// subfolders are entered only if `recursive`. Unreadable folders are passed over.
pub fn files_below(
    dir: &Path,
    recursive: bool,
    keep: impl Fn(&Path, &Metadata) -> bool,
) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            // DirEntry::metadata does not follow a symlink.
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            let path = entry.path();
            if meta.is_dir() && recursive {
                stack.push(path);
            } else if meta.is_file() && keep(&path, &meta) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// A new, empty folder `shipcheck-<name>-<pid>` in the system's temporary directory.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shipcheck-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// glibc's loader, the one every test tree of this machine is listed with.
pub const GLIBC_LOADER: &str = "/lib64/ld-linux-x86-64.so.2";

/// Runs `/lib64/ld-linux-x86-64.so.2 --list FILE` chrooted into `root` (`file` is a path inside
/// it): what the root's own loader says about loading FILE, without running it. The chroot is
/// made between fork and exec (chroot(8) is itself dynamically linked). Needs root.
pub fn list_in_chroot(root: &Path, file: &str) -> std::process::Output {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::process::CommandExt;
    let root_c = std::ffi::CString::new(root.as_os_str().as_bytes())
        .expect("a temporary path has no NUL byte");
    let mut cmd = std::process::Command::new(GLIBC_LOADER);
    cmd.args(["--list", file])
        .env_clear()
        .env("PATH", "/usr/bin:/bin");
    let enter_root = move || -> std::io::Result<()> {
        // SAFETY: chroot(2) and chdir(2) are async-signal-safe system calls, so they may run
        // between fork and exec; the path was allocated before the fork.
        let failed =
            unsafe { libc::chroot(root_c.as_ptr()) != 0 || libc::chdir(c"/".as_ptr()) != 0 };
        if failed {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    };
    // SAFETY: the closure only makes the two system calls above and allocates nothing.
    unsafe {
        cmd.pre_exec(enter_root);
    }
    cmd.output().unwrap_or_else(|e| {
        panic!(
            "cannot chroot into {} to run {GLIBC_LOADER} --list ({e}): this oracle must run as \
             root (or with CAP_SYS_CHROOT)",
            root.display()
        )
    })
}

/// Compiles with the system C compiler; a failure fails the test with the compiler's words.
pub fn cc(args: &[&str]) {
    let out = std::process::Command::new("cc")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run cc ({e}): apt-get install gcc"));
    assert!(
        out.status.success(),
        "cc {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs the built shipcheck without colour: exit code, stdout and stderr.
pub fn shipcheck(args: &[&str]) -> (i32, String, String) {
    let output = assert_cmd::Command::cargo_bin("shipcheck")
        .expect("the shipcheck binary is built")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("shipcheck runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `shipcheck check ARGS --format json`: exit code and document.
pub fn check(args: &[&str]) -> (i32, serde_json::Value) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shipcheck"))
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("run shipcheck");
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "shipcheck {args:?} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), doc)
}
