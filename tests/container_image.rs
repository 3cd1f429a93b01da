//! The container image (`Dockerfile`): its root filesystem is assembled by
//! `release/image-rootfs.sh`, here at test time exactly as the Dockerfile's build stage does, and
//! checked with shipcheck as a root filesystem (`--layout rootfs`, self-contained: nothing
//! outside the tree exists), as `check` and as `tree`.
//!
//! Which static binary goes in: `.ci/run` builds the release binary the image ships
//! (`release/build.sh --static`) and names it in `SHIPCHECK_STATIC_BINARY`; the test then checks
//! the very tree the image holds and runs that binary's `--version` (shipcheck itself, not a
//! checked program). Without the variable (a plain `cargo test`, where a static release build
//! would cost minutes), a small C program linked with `cc -static` stands in for it: what is
//! tested, that the script's tree has no loader and no library so that only a self-contained
//! program passes, does not depend on which static program it is. The stand-in is never run.
//!
//! The tree is also checked as the image `docker save` writes (a hand-made archive: no daemon
//! is needed, and none runs on CI machines).
//!
//! The counter-case that must fail: the same tree around a dynamically linked binary (the
//! shipcheck `cargo test` built, linked against this machine's glibc) has no interpreter and no
//! libc.so.6, the mistake a `FROM scratch` image with a default `cargo build` makes.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

const IN_IMAGE: &str = "usr/local/bin/shipcheck";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The static program to put in the image: `SHIPCHECK_STATIC_BINARY`, else a `cc -static`
/// stand-in built in `dir`. The flag says whether it is the real shipcheck.
fn static_binary(dir: &Path) -> (PathBuf, bool) {
    if let Some(path) = std::env::var_os("SHIPCHECK_STATIC_BINARY") {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "SHIPCHECK_STATIC_BINARY={} is not a file",
            path.display()
        );
        return (path, true);
    }
    let source = dir.join("hello.c");
    std::fs::write(
        &source,
        "#include <stdio.h>\nint main(void) { puts(\"hello from scratch\"); return 0; }\n",
    )
    .expect("write hello.c");
    let output = dir.join("hello-static");
    let out = output.to_str().expect("UTF-8 temp path");
    common::cc(&[
        "-static",
        "-O2",
        "-o",
        out,
        source.to_str().expect("UTF-8 temp path"),
    ]);
    (output, false)
}

/// `release/image-rootfs.sh OUT BINARY`, as the Dockerfile's build stage runs it.
fn assemble(out: &Path, binary: &Path) {
    let run = std::process::Command::new("bash")
        .arg(repo().join("release/image-rootfs.sh"))
        .arg(out)
        .arg(binary)
        .output()
        .expect("run bash");
    assert!(
        run.status.success(),
        "image-rootfs.sh failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
}

fn codes(file: &Value) -> Vec<&str> {
    file["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "error")
        .filter_map(|f| f["code"].as_str())
        .collect()
}

/// The file of the report at `IN_IMAGE` of the tree, and that it is the only binary there.
fn only_file(report: &Value) -> &Value {
    let files = report["files"].as_array().expect("files");
    assert_eq!(
        files.len(),
        1,
        "the image holds one binary, got {:?}",
        files.iter().map(|f| &f["path"]).collect::<Vec<_>>()
    );
    let path = files[0]["path"].as_str().expect("path");
    assert!(path.ends_with(IN_IMAGE), "unexpected file {path}");
    &files[0]
}

#[test]
fn the_image_root_filesystem_is_self_contained() {
    let dir = common::temp_dir("image-static");
    let (binary, real) = static_binary(&dir);
    let rootfs = dir.join("rootfs");
    assemble(&rootfs, &binary);
    let root = rootfs.to_str().expect("UTF-8 temp path");

    let (code, report) = common::check(&[root, "--layout", "rootfs"]);
    assert_eq!(code, 0, "the image's tree must pass: {:#}", report["files"]);
    assert_eq!(report["summary"]["verdict"], "pass");
    assert_eq!(report["trees"][0]["layout"], "rootfs");
    let file = only_file(&report);
    assert_eq!(
        file["interpreter"],
        Value::Null,
        "a static program has none"
    );
    assert_eq!(file["needed"], serde_json::json!([]), "no DT_NEEDED");
    let kind = file["kind"].as_str().expect("kind");
    assert!(kind.starts_with("static"), "kind {kind}");
    assert_eq!(codes(file), Vec::<&str>::new());
    // The same tree under the oldest baselines of the release binary's promise: a static
    // program needs no C library of theirs.
    let (code, report) = common::check(&[
        root,
        "--layout",
        "rootfs",
        "--baseline",
        "centos-7",
        "--baseline",
        "ubuntu-16.04",
    ]);
    assert_eq!(code, 0, "{:#}", report["files"]);

    // `tree` has no load to show for it: the program is listed as static, and that is a pass.
    let out = Command::cargo_bin("shipcheck")
        .expect("built")
        .args(["tree", root, "--layout", "rootfs", "--format", "json"])
        .output()
        .expect("run shipcheck tree");
    let tree: Value = serde_json::from_slice(&out.stdout).expect("tree JSON");
    for entry in tree["trees"][0]["entry_points"]
        .as_array()
        .expect("entry_points")
    {
        assert_ne!(entry["verdict"], "fails", "{entry:#}");
    }
    assert_eq!(
        tree["trees"][0]["static_programs"],
        serde_json::json!([IN_IMAGE]),
        "{tree:#}"
    );
    assert_eq!(out.status.code(), Some(0), "{tree:#}");

    if real {
        // The image's entry point, run outside the image: it needs nothing from this machine.
        let version = std::process::Command::new(rootfs.join(IN_IMAGE))
            .arg("--version")
            .env_clear()
            .output()
            .expect("run the static shipcheck");
        assert_eq!(
            String::from_utf8_lossy(&version.stdout).trim(),
            format!("shipcheck {}", env!("CARGO_PKG_VERSION"))
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The tree as `docker save` writes an image made of it (no daemon needed): one layer, a config
/// with the platform and the Dockerfile's entry point, and the manifest naming both.
fn docker_save(rootfs: &Path, out: &Path) {
    let mut layer = tar::Builder::new(Vec::new());
    layer.follow_symlinks(false);
    layer
        .append_dir_all(".", rootfs)
        .expect("layer of the tree");
    let layer = layer.into_inner().expect("layer bytes");
    let config = serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {"Entrypoint": [format!("/{IN_IMAGE}")], "WorkingDir": "/work"},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:0"]},
    });
    let manifest = serde_json::json!([{
        "Config": "config.json",
        "RepoTags": ["shipcheck:test"],
        "Layers": ["layer/layer.tar"],
    }]);
    let mut image = tar::Builder::new(std::fs::File::create(out).expect("create image.tar"));
    for (name, bytes) in [
        ("layer/layer.tar", layer),
        ("config.json", config.to_string().into_bytes()),
        ("manifest.json", manifest.to_string().into_bytes()),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        image
            .append_data(&mut header, name, bytes.as_slice())
            .expect("append to image.tar");
    }
    image.finish().expect("finish image.tar");
}

#[test]
fn the_saved_image_passes_as_an_image() {
    let dir = common::temp_dir("image-saved");
    let (binary, _) = static_binary(&dir);
    let rootfs = dir.join("rootfs");
    assemble(&rootfs, &binary);
    let image = dir.join("image.tar");
    docker_save(&rootfs, &image);
    let (code, report) = common::check(&[image.to_str().expect("UTF-8 temp path")]);
    assert_eq!(code, 0, "{:#}", report["files"]);
    assert_eq!(
        report["trees"][0]["layout"], "rootfs",
        "an image is a root filesystem"
    );
    assert!(
        !report["trees"][0]["artifact"].is_null(),
        "read as an artifact: {:#}",
        report["trees"][0]
    );
    let file = only_file(&report);
    assert!(
        file["path"]
            .as_str()
            .is_some_and(|p| p.contains("image.tar!/")),
        "{}",
        file["path"]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_dynamically_linked_binary_in_the_same_tree_fails() {
    let dir = common::temp_dir("image-dynamic");
    let rootfs = dir.join("rootfs");
    // The shipcheck `cargo test` built: linked against this machine's glibc.
    assemble(&rootfs, Path::new(env!("CARGO_BIN_EXE_shipcheck")));
    let root = rootfs.to_str().expect("UTF-8 temp path");

    let (code, report) = common::check(&[root, "--layout", "rootfs"]);
    assert_eq!(code, 1, "{:#}", report["files"]);
    assert_eq!(report["summary"]["verdict"], "fail");
    let file = only_file(&report);
    let found = codes(file);
    assert!(found.contains(&"interpreter-missing"), "{found:?}");
    let missing: Vec<&str> = file["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "soname-missing")
        .filter_map(|f| f["evidence"]["soname"].as_str())
        .collect();
    assert!(missing.contains(&"libc.so.6"), "{missing:?}");

    let out = Command::cargo_bin("shipcheck")
        .expect("built")
        .args(["tree", root, "--layout", "rootfs", "--format", "json"])
        .output()
        .expect("run shipcheck tree");
    assert_eq!(out.status.code(), Some(1));
    let tree: Value = serde_json::from_slice(&out.stdout).expect("tree JSON");
    let entry = &tree["trees"][0]["entry_points"][0];
    assert_eq!(entry["path"], IN_IMAGE);
    assert_eq!(entry["verdict"], "fails");
    let libc = entry["libraries"]
        .as_array()
        .expect("libraries")
        .iter()
        .find(|lib| lib["name"] == "libc.so.6")
        .expect("libc.so.6 in the load tree");
    assert_eq!(libc["status"], "not-found");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_dockerfile_ships_the_tree_the_script_assembles() {
    let dockerfile = std::fs::read_to_string(repo().join("Dockerfile")).expect("read Dockerfile");
    let lines: Vec<&str> = dockerfile
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .collect();
    let last_from = lines
        .iter()
        .rposition(|line| line.starts_with("FROM "))
        .expect("a FROM");
    assert_eq!(
        lines[last_from], "FROM scratch",
        "the final stage is scratch"
    );
    let final_stage = &lines[last_from..];
    assert!(
        final_stage.contains(&"COPY --from=build /rootfs/ /"),
        "the final stage is the assembled tree and nothing else: {final_stage:?}"
    );
    assert!(
        !final_stage
            .iter()
            .any(|line| line.starts_with("RUN ") || line.starts_with("ADD ")),
        "nothing else goes into the final stage: {final_stage:?}"
    );
    let build_stage = lines[..last_from].join("\n");
    assert!(
        build_stage.contains("release/image-rootfs.sh /rootfs"),
        "the build stage assembles /rootfs with the script"
    );
    assert!(
        build_stage.contains("check /rootfs --layout rootfs"),
        "the build stage checks the tree before it ships"
    );

    // The entry point is the file the script puts there, executable.
    let entrypoint = final_stage
        .iter()
        .find_map(|line| line.strip_prefix("ENTRYPOINT "))
        .expect("an ENTRYPOINT");
    let entrypoint: Vec<String> = serde_json::from_str(entrypoint).expect("exec form");
    assert_eq!(entrypoint[0], format!("/{IN_IMAGE}"));
    let dir = common::temp_dir("image-layout");
    let (binary, _) = static_binary(&dir);
    let rootfs = dir.join("rootfs");
    assemble(&rootfs, &binary);
    let installed = rootfs.join(&entrypoint[0][1..]);
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&installed)
            .expect("the entry point exists in the tree")
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o755);
    let workdir = final_stage
        .iter()
        .find_map(|line| line.strip_prefix("WORKDIR "))
        .expect("a WORKDIR");
    assert!(
        rootfs.join(&workdir[1..]).is_dir(),
        "WORKDIR {workdir} exists in the tree"
    );
    // The script refuses to assemble over something else.
    let again = std::process::Command::new("bash")
        .arg(repo().join("release/image-rootfs.sh"))
        .arg(&rootfs)
        .arg(&binary)
        .output()
        .expect("run bash");
    assert_eq!(again.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
