//! Artifacts checked in place. The differential test builds every archive form at test time,
//! with the real tools (tar and the compressors, dpkg-deb, rpmbuild, zip files written the way
//! `wheel` and `nuget` write them, an Alpine package laid out as abuild lays it out), from one
//! tree of committed test binaries, and asserts that each gives the findings of the same tree
//! checked as a directory, paths aside. Then the committed images (testdata/images, built by
//! umoci and skopeo) and hostile archives.

mod common;

use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

fn shipcheck(args: &[&str]) -> (Value, i32) {
    let output = Command::new(env!("CARGO_BIN_EXE_shipcheck"))
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("run shipcheck");
    let json = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}\n{}", String::from_utf8_lossy(&output.stderr)));
    (json, output.status.code().unwrap_or(-1))
}

/// Every finding as `path-inside-the-tree code severity message`, the tree's own name replaced.
fn findings(report: &Value, root: &str) -> Vec<String> {
    let mut found = Vec::new();
    for file in report["files"].as_array().unwrap() {
        let path = file["path"].as_str().unwrap();
        let Some(inside) = path
            .strip_prefix(&format!("{root}!/"))
            .or_else(|| path.strip_prefix(&format!("{root}/")))
            .or_else(|| (path == root).then_some(""))
        else {
            continue;
        };
        for finding in file["findings"].as_array().unwrap() {
            let message = finding["message"]
                .as_str()
                .unwrap()
                .replace(&format!("{root}!/"), "ROOT/")
                .replace(&format!("{root}/"), "ROOT/")
                .replace(root, "ROOT");
            found.push(format!(
                "{inside} {} {} {message}",
                finding["code"].as_str().unwrap(),
                finding["severity"].as_str().unwrap()
            ));
        }
    }
    found.sort();
    found
}

fn run(command: &mut Command) {
    let output = command.output().expect("run a tool");
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A root filesystem of real Debian 11 files with three programs: one that runs, one that needs
/// a newer glibc than the tree has, one that needs a library nothing provides.
fn build_tree(dir: &Path) -> PathBuf {
    let tree = dir.join("tree");
    run(Command::new("cp")
        .args(["-a", "testdata/sysroot/bullseye-amd64"])
        .arg(&tree));
    std::fs::create_dir_all(tree.join("app")).unwrap();
    for program in [
        "hello-bullseye-x86_64",
        "hello-x86_64",
        "needs-nowhere-x86_64",
    ] {
        std::fs::copy(
            Path::new("testdata/bin").join(program),
            tree.join("app").join(program),
        )
        .unwrap();
    }
    tree
}

/// Writes a zip of `tree` (symlinks as symlinks, as `wheel` and `zip -y` store them), with
/// extra text members.
fn write_zip(tree: &Path, out: &Path, extra: &[(&str, &str)]) {
    let script = r#"
import os, stat, sys, zipfile
tree, out = sys.argv[1], sys.argv[2]
extra = sys.argv[3:]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for top, dirs, files in os.walk(tree):
        dirs.sort()
        for name in sorted(files + [d for d in dirs if os.path.islink(os.path.join(top, d))]):
            path = os.path.join(top, name)
            rel = os.path.relpath(path, tree)
            if os.path.islink(path):
                info = zipfile.ZipInfo(rel)
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                z.writestr(info, os.readlink(path))
            else:
                z.write(path, rel)
    for i in range(0, len(extra), 2):
        z.writestr(extra[i], extra[i + 1])
"#;
    let mut command = Command::new("python3");
    command.args(["-c", script]).arg(tree).arg(out);
    for (name, text) in extra {
        command.args([name, text]);
    }
    run(&mut command);
}

fn build_deb(tree: &Path, dir: &Path) -> PathBuf {
    let staging = dir.join("deb-staging");
    run(Command::new("cp").arg("-a").arg(tree).arg(&staging));
    std::fs::create_dir_all(staging.join("DEBIAN")).unwrap();
    std::fs::write(
        staging.join("DEBIAN/control"),
        "Package: shipcheck-test\nVersion: 1\nArchitecture: amd64\nMaintainer: t <t@t>\nDescription: t\n",
    )
    .unwrap();
    let deb = dir.join("tree.deb");
    run(Command::new("dpkg-deb")
        .args(["--root-owner-group", "-Zxz", "--build"])
        .arg(&staging)
        .arg(&deb));
    deb
}

fn build_rpm(tree: &Path, dir: &Path) -> PathBuf {
    let top = dir.join("rpmbuild");
    std::fs::create_dir_all(top.join("SPECS")).unwrap();
    let spec = top.join("SPECS/t.spec");
    std::fs::write(
        &spec,
        format!(
            "Name: shipcheck-test\nVersion: 1\nRelease: 1\nSummary: t\nLicense: MIT\nBuildArch: x86_64\nAutoReqProv: no\n%description\nt\n%install\ncp -a {}/. %{{buildroot}}/\n%files\n/app\n/etc\n/lib\n/lib64\n/usr\n",
            tree.display()
        ),
    )
    .unwrap();
    // No post-install processing: the payload must hold the files byte for byte.
    run(Command::new("rpmbuild")
        .arg("-bb")
        .arg(format!("--define=_topdir {}", top.display()))
        .arg("--define=__os_install_post %{nil}")
        .arg("--define=debug_package %{nil}")
        .arg("--define=_build_id_links none")
        .arg("--define=_binary_payload w19.zstdio")
        .arg(&spec));
    let built = common::files_below(&top.join("RPMS"), true, |p, _| {
        p.extension().is_some_and(|e| e == "rpm")
    });
    built.into_iter().next().expect("rpmbuild wrote an rpm")
}

/// An Alpine package as abuild writes one: gzip streams of one tar, control (`.PKGINFO`) first,
/// then the data (unsigned: the signature stream is optional for `apk add --allow-untrusted`).
fn build_apk(tree: &Path, dir: &Path) -> PathBuf {
    let control = dir.join("apk-control");
    std::fs::create_dir_all(&control).unwrap();
    std::fs::write(
        control.join(".PKGINFO"),
        "pkgname = shipcheck-test\npkgver = 1-r0\n",
    )
    .unwrap();
    let control_tar = dir.join("control.tar");
    run(Command::new("tar")
        .arg("-C")
        .arg(&control)
        .args(["--format=posix", "-cf"])
        .arg(&control_tar)
        .arg(".PKGINFO"));
    // abuild cuts the end-of-archive blocks off the control tar so that the streams join.
    let mut control_bytes = std::fs::read(&control_tar).unwrap();
    while control_bytes.len() >= 512
        && control_bytes[control_bytes.len() - 512..]
            .iter()
            .all(|b| *b == 0)
    {
        control_bytes.truncate(control_bytes.len() - 512);
    }
    let data_tar = dir.join("data.tar");
    run(Command::new("tar")
        .arg("-C")
        .arg(tree)
        .args(["--format=posix", "-cf"])
        .arg(&data_tar)
        .arg("."));
    let mut apk = Vec::new();
    for part in [control_bytes, std::fs::read(&data_tar).unwrap()] {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&part).unwrap();
        apk.extend(gz.finish().unwrap());
    }
    let out = dir.join("tree.apk");
    std::fs::write(&out, apk).unwrap();
    out
}

#[test]
fn every_archive_form_gives_the_findings_of_the_directory() {
    let dir = common::temp_dir("artifact-forms");
    let tree = build_tree(&dir);
    let tree_name = tree.display().to_string();
    let (expected_report, expected_status) = shipcheck(&[&tree_name]);
    let expected = findings(&expected_report, &tree_name);
    // The tree has something to find: the differential test would pass on two empty reports.
    assert!(
        expected.iter().any(|f| f.contains("symbol-undefined")),
        "{expected:#?}"
    );
    assert!(
        expected.iter().any(|f| f.contains("soname-missing")),
        "{expected:#?}"
    );
    assert_eq!(expected_status, 1);

    let tar = dir.join("tree.tar");
    run(Command::new("tar")
        .arg("-C")
        .arg(&tree)
        .arg("-cf")
        .arg(&tar)
        .arg("."));
    let mut forms = vec![(tar.clone(), "tar")];
    for (tool, suffix, kind) in [
        ("gzip", "gz", "tar+gzip"),
        ("xz", "xz", "tar+xz"),
        ("zstd", "zst", "tar+zstd"),
        ("bzip2", "bz2", "tar+bzip2"),
    ] {
        let out = dir.join(format!("tree.tar.{suffix}"));
        let compressed = Command::new(tool).arg("-c").arg(&tar).output().unwrap();
        assert!(compressed.status.success(), "{tool}");
        std::fs::write(&out, compressed.stdout).unwrap();
        forms.push((out, kind));
    }
    let zip = dir.join("tree.zip");
    write_zip(&tree, &zip, &[]);
    forms.push((zip, "zip"));
    forms.push((build_deb(&tree, &dir), "deb"));
    forms.push((build_rpm(&tree, &dir), "rpm"));
    forms.push((build_apk(&tree, &dir), "apk"));
    // Named by content, not by name: a tarball called .bin is still a tarball.
    let renamed = dir.join("artifact.bin");
    std::fs::copy(dir.join("tree.tar.xz"), &renamed).unwrap();
    forms.push((renamed, "tar+xz"));

    for (artifact, kind) in forms {
        let label = artifact.display().to_string();
        let (report, status) = shipcheck(&[&label]);
        assert_eq!(report["trees"][0]["artifact"]["kind"], kind, "{label}");
        assert_eq!(report["trees"][0]["layout"], "rootfs", "{label}");
        assert_eq!(findings(&report, &label), expected, "{label}");
        assert_eq!(status, expected_status, "{label}");
    }
}

#[test]
fn archives_inside_a_tree_and_inside_archives_are_opened_and_say_where_they_came_from() {
    let dir = common::temp_dir("artifact-nested");
    let tree = build_tree(&dir);
    let release = dir.join("release");
    std::fs::create_dir_all(&release).unwrap();
    let deb = build_deb(&tree, &dir);
    std::fs::copy(&deb, release.join("tree.deb")).unwrap();
    // A release tarball that carries the package.
    let outer = dir.join("release.tar.gz");
    run(Command::new("tar")
        .arg("-C")
        .arg(&release)
        .arg("-czf")
        .arg(&outer)
        .arg("."));

    let release_name = release.display().to_string();
    let (in_dir, _) = shipcheck(&[&release_name]);
    let deb_label = format!("{release_name}/tree.deb");
    let tree_json = in_dir["trees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["path"] == deb_label.as_str())
        .unwrap_or_else(|| panic!("{:#}", in_dir["trees"]));
    assert_eq!(tree_json["artifact"]["kind"], "deb");

    let outer_name = outer.display().to_string();
    let (in_tar, status) = shipcheck(&[&outer_name]);
    let nested_label = format!("{outer_name}!/tree.deb");
    let nested = in_tar["trees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["path"] == nested_label.as_str())
        .unwrap_or_else(|| panic!("{:#}", in_tar["trees"]));
    assert_eq!(nested["artifact"]["inside"], outer_name.as_str());
    assert_eq!(status, 1);
    let tree_name = tree.display().to_string();
    let (direct, _) = shipcheck(&[&tree_name]);
    assert_eq!(
        findings(&in_tar, &nested_label),
        findings(&direct, &tree_name)
    );
}

#[test]
fn images_are_checked_as_systems_with_their_layers_and_whiteouts() {
    let (report, status) = shipcheck(&["testdata/images/oci"]);
    assert_eq!(status, 1);
    let trees = report["trees"].as_array().unwrap();
    assert_eq!(trees.len(), 3, "{trees:#?}");
    for tree in trees {
        assert_eq!(tree["layout"], "rootfs");
        assert_eq!(tree["artifact"]["kind"], "oci-layout");
        assert_eq!(tree["artifact"]["platform"], "linux/amd64");
    }
    let missing_in = |image: &str| -> Vec<String> {
        let label = format!("testdata/images/oci:{image}[linux/amd64]");
        findings(&report, &label)
            .into_iter()
            .filter(|f| f.starts_with("app/zapp soname-missing error") && f.contains("libz.so.1"))
            .collect()
    };
    // What the image's own loader says in a chroot (testdata/images/README.md): `complete`
    // loads, `lacking` and `whiteout` stop at "libz.so.1: cannot open shared object file".
    assert!(missing_in("complete").is_empty());
    assert_eq!(missing_in("lacking").len(), 1);
    assert_eq!(missing_in("whiteout").len(), 1);
    let complete = findings(&report, "testdata/images/oci:complete[linux/amd64]");
    assert!(
        !complete
            .iter()
            .any(|f| f.starts_with("app/") || f.contains(" error ")),
        "{complete:#?}"
    );

    // The same image as `docker save` writes it (gzipped) and as an OCI archive (a tar of the
    // layout) gives the same findings.
    let (docker, docker_status) = shipcheck(&["testdata/images/whiteout.docker.tar.gz"]);
    assert_eq!(docker_status, 1);
    assert_eq!(docker["trees"][0]["artifact"]["kind"], "docker-archive");
    assert_eq!(
        docker["trees"][0]["artifact"]["default_target"],
        "linux/amd64"
    );
    let whiteout_in_layout = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"].as_str().unwrap().contains(":whiteout["))
        .count();
    assert_eq!(
        docker["files"].as_array().unwrap().len(),
        whiteout_in_layout
    );
    let layout_whiteout: Vec<String> =
        findings(&report, "testdata/images/oci:whiteout[linux/amd64]")
            .into_iter()
            .filter(|f| !f.contains("oci:"))
            .collect();
    assert_eq!(
        findings(&docker, "testdata/images/whiteout.docker.tar.gz"),
        layout_whiteout
    );

    let dir = common::temp_dir("artifact-oci-archive");
    let archive = dir.join("images.tar");
    run(Command::new("tar")
        .args(["-C", "testdata/images/oci", "-cf"])
        .arg(&archive)
        .arg("."));
    let label = archive.display().to_string();
    let (oci_archive, _) = shipcheck(&[&label]);
    assert_eq!(oci_archive["trees"].as_array().unwrap().len(), 3);
    assert_eq!(oci_archive["trees"][0]["artifact"]["kind"], "oci-archive");
    assert_eq!(
        findings(&oci_archive, &format!("{label}:whiteout[linux/amd64]")),
        findings(&report, "testdata/images/oci:whiteout[linux/amd64]")
            .into_iter()
            .map(|f| f.replace("testdata/images/oci", &label))
            .collect::<Vec<_>>()
    );
}

/// One member: raw name bytes, type, data, link target.
type RawMember<'a> = (&'a [u8], tar::EntryType, &'a [u8], Option<&'a str>);

/// A tar built in memory with the `tar` crate, for names and links no tool writes willingly.
fn tar_of(entries: &[RawMember<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, kind, data, link) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(*kind);
        header.set_size(data.len() as u64);
        header.set_mode(0o755);
        {
            let raw = header.as_old_mut();
            raw.name[..name.len()].copy_from_slice(name);
        }
        if let Some(link) = link {
            header.set_link_name(link).unwrap();
        }
        header.set_cksum();
        builder.append(&header, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

#[test]
fn hostile_archives_are_errors_of_their_own_and_the_other_inputs_are_still_checked() {
    let dir = common::temp_dir("artifact-hostile");
    let app = std::fs::read("testdata/bin/needs-nowhere-x86_64").unwrap();
    let libc =
        std::fs::read("testdata/sysroot/bullseye-amd64/lib/x86_64-linux-gnu/libc-2.31.so").unwrap();

    // 1. A gzip bomb: 64 MiB of zeros in about 64 KiB (1,000:1).
    let bomb = dir.join("bomb.tar.gz");
    {
        let file = std::fs::File::create(&bomb).unwrap();
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::best());
        let mut builder = tar::Builder::new(gz);
        let mut header = tar::Header::new_gnu();
        header.set_size(64 << 20);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, "zeros", std::io::repeat(0).take(64 << 20))
            .unwrap();
        builder.into_inner().unwrap().finish().unwrap();
    }
    // 2. A truncated stream.
    let truncated = dir.join("truncated.tar.xz");
    let tar = tar_of(&[(b"app/program", tar::EntryType::Regular, &app, None)]);
    let mut xz = liblzma::write::XzEncoder::new(Vec::new(), 6);
    xz.write_all(&tar).unwrap();
    let xz = xz.finish().unwrap();
    std::fs::write(&truncated, &xz[..xz.len() / 2]).unwrap();
    // 3. Link loops, names that climb out, a name that is not UTF-8, and a member replaced by
    //    a later one of the same name (extraction keeps the last).
    let tricky = dir.join("tricky.tar");
    std::fs::write(
        &tricky,
        tar_of(&[
            (b"lib/a.so", tar::EntryType::Symlink, b"", Some("b.so")),
            (b"lib/b.so", tar::EntryType::Symlink, b"", Some("a.so")),
            (
                b"../../../tmp/escaped-program",
                tar::EntryType::Regular,
                &app,
                None,
            ),
            (b"bin/\xff\xfe-program", tar::EntryType::Regular, &app, None),
            (b"lib/libc.so.6", tar::EntryType::Regular, &libc, None),
            (
                b"lib/libc.so.6",
                tar::EntryType::Regular,
                b"not a library any more",
                None,
            ),
            (b"lib/hard.so", tar::EntryType::Link, b"", Some("lib/a.so")),
        ]),
    )
    .unwrap();
    let bomb_name = bomb.display().to_string();
    let truncated_name = truncated.display().to_string();
    let tricky_name = tricky.display().to_string();
    let (report, status) = shipcheck(&[
        &bomb_name,
        &truncated_name,
        &tricky_name,
        "testdata/bin/hello-x86_64",
    ]);
    assert_eq!(status, 1);
    let by_path = |path: &str| -> Vec<String> {
        report["files"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"] == path)
            .flat_map(|f| f["findings"].as_array().unwrap().iter())
            .map(|f| {
                format!(
                    "{} {}",
                    f["code"].as_str().unwrap(),
                    f["message"].as_str().unwrap()
                )
            })
            .collect()
    };
    let bomb_findings = by_path(&bomb_name);
    assert!(
        bomb_findings
            .iter()
            .any(|f| f.starts_with("archive-limit") && f.contains("decompression bomb")),
        "{bomb_findings:?}"
    );
    let truncated_findings = by_path(&truncated_name);
    assert!(
        truncated_findings
            .iter()
            .any(|f| f.starts_with("unreadable-file")),
        "{truncated_findings:?}"
    );
    let paths: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&format!("{tricky_name}!/tmp/escaped-program").as_str()),
        "{paths:?}"
    );
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with(&format!("{tricky_name}!/bin/")) && p.ends_with("-program")),
        "{paths:?}"
    );
    // The last member of a name wins: libc.so.6 is a text file in the extracted tree.
    assert!(
        !paths.contains(&format!("{tricky_name}!/lib/libc.so.6").as_str()),
        "{paths:?}"
    );
    assert!(paths.contains(&"testdata/bin/hello-x86_64"));
    // Nothing was written outside: the escaping member is a path inside the tree only.
    assert!(!Path::new("/tmp/escaped-program").exists());

    // 4. The member limit. Nothing else was given, so nothing could be checked: exit 2.
    let (limited, limited_status) = shipcheck(&[&tricky_name, "--max-archive-members", "3"]);
    assert_eq!(limited_status, 2);
    let limited_findings: Vec<&str> = limited["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(limited_findings, ["archive-limit"]);
}

#[test]
fn a_wheel_is_checked_against_its_own_tag_and_reports_its_tightest_policy() {
    let dir = common::temp_dir("artifact-wheel");
    let content = dir.join("content");
    std::fs::create_dir_all(content.join("pkg")).unwrap();
    // Needs GLIBC_2.34 (`__libc_start_main`): manylinux_2_34 at best.
    std::fs::copy("testdata/bin/hello-x86_64", content.join("pkg/_ext.so")).unwrap();
    let wheel = dir.join("pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.whl");
    write_zip(
        &content,
        &wheel,
        &[(
            "pkg-1.0.dist-info/WHEEL",
            "Wheel-Version: 1.0\nGenerator: bdist_wheel\nRoot-Is-Purelib: false\nTag: cp312-cp312-manylinux_2_17_x86_64\nTag: cp312-cp312-manylinux2014_x86_64\n",
        )],
    );
    let name = wheel.display().to_string();
    let (report, status) = shipcheck(&[&name]);
    assert_eq!(status, 1);
    let tree = &report["trees"][0];
    assert_eq!(tree["artifact"]["kind"], "wheel");
    assert_eq!(tree["artifact"]["default_target"], "manylinux_2_17_x86_64");
    assert_eq!(tree["wheel"]["policy"], "manylinux_2_34_x86_64");
    assert_eq!(tree["wheel"]["matches_tags"], false);
    assert_eq!(report["baselines"][0]["id"], "manylinux_2_17");
    // Checked against its tag's policy, exactly as the same files with that baseline named.
    let content_name = content.display().to_string();
    let (direct, _) = shipcheck(&[
        &content_name,
        "--baseline",
        "manylinux_2_17",
        "--target",
        "x86_64-unknown-linux-gnu",
    ]);
    assert_eq!(findings(&report, &name), findings(&direct, &content_name));
    assert!(
        findings(&report, &name)
            .iter()
            .any(|f| f.contains("GLIBC_2.34"))
    );
}

#[test]
fn a_nuget_package_checks_each_runtime_folder_for_its_rid() {
    let dir = common::temp_dir("artifact-nupkg");
    let content = dir.join("content");
    for rid in ["linux-x64", "linux-arm64"] {
        let native = content.join("runtimes").join(rid).join("native");
        std::fs::create_dir_all(&native).unwrap();
        // An x86-64 library in both folders: the arm64 one was packed by mistake.
        std::fs::copy(
            "testdata/bin/libversioned.so.1",
            native.join("libnative.so"),
        )
        .unwrap();
    }
    let package = dir.join("Native.Lib.1.0.0.nupkg");
    write_zip(
        &content,
        &package,
        &[(
            "Native.Lib.nuspec",
            "<package><metadata><id>Native.Lib</id></metadata></package>",
        )],
    );
    let name = package.display().to_string();
    let (report, status) = shipcheck(&[&name]);
    assert_eq!(status, 1);
    assert_eq!(report["trees"][0]["artifact"]["kind"], "nupkg");
    let by_rid = |rid: &str| -> (String, Vec<String>) {
        let file = report["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| {
                f["path"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("/runtimes/{rid}/"))
            })
            .unwrap();
        (
            file["target"].as_str().unwrap().to_string(),
            file["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["code"].as_str().unwrap().to_string())
                .collect(),
        )
    };
    assert_eq!(by_rid("linux-x64"), ("linux-x64".to_string(), vec![]));
    let (target, codes) = by_rid("linux-arm64");
    assert_eq!(target, "linux-arm64");
    assert!(codes.contains(&"arch-mismatch".to_string()), "{codes:?}");
}

/// Unpacks one image of the committed OCI layout the way a container runtime does (each
/// layer extracted in order by `tar`, then its `.wh.` markers delete what they name), so the
/// image's own loader can judge it.
fn unpack_image(layout: &Path, reference: &str, into: &Path) {
    let read_json =
        |path: PathBuf| -> Value { serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap() };
    let blob = |digest: &str| {
        layout
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:"))
    };
    let index = read_json(layout.join("index.json"));
    let digest = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == reference)
        .and_then(|m| m["digest"].as_str())
        .unwrap();
    let manifest = read_json(blob(digest));
    std::fs::create_dir_all(into).unwrap();
    for layer in manifest["layers"].as_array().unwrap() {
        run(Command::new("tar")
            .arg("-xzf")
            .arg(blob(layer["digest"].as_str().unwrap()))
            .arg("-C")
            .arg(into));
        for marker in common::files_below(into, true, |p, _| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".wh."))
        }) {
            let name = marker.file_name().unwrap().to_string_lossy().into_owned();
            let hidden = marker.with_file_name(name.trim_start_matches(".wh."));
            let _ = std::fs::remove_file(&hidden);
            std::fs::remove_file(&marker).unwrap();
        }
    }
}

/// The oracle for the image verdicts: each image's own glibc loader, in list mode in a chroot
/// of the unpacked image (`ld.so --list` maps the libraries and never runs the program),
/// fails exactly where shipcheck says `soname-missing`, with the words shipcheck quotes.
#[test]
fn the_images_own_loader_agrees_with_the_image_verdicts() {
    let (report, _) = shipcheck(&["testdata/images/oci"]);
    let dir = common::temp_dir("artifact-image-loader");
    for image in ["complete", "lacking", "whiteout"] {
        let root = dir.join(image);
        unpack_image(Path::new("testdata/images/oci"), image, &root);
        let loader = Command::new("chroot")
            .arg(&root)
            .args(["/lib64/ld-linux-x86-64.so.2", "--list", "/app/zapp"])
            .output()
            .expect("chroot runs (the loader oracle needs root)");
        let said = String::from_utf8_lossy(&loader.stderr);
        let missing: Vec<String> = findings(
            &report,
            &format!("testdata/images/oci:{image}[linux/amd64]"),
        )
        .into_iter()
        .filter(|f| f.starts_with("app/zapp soname-missing"))
        .collect();
        assert_eq!(
            loader.status.success(),
            missing.is_empty(),
            "{image}: loader said {said:?}; shipcheck {missing:?}"
        );
        for finding in &missing {
            assert!(
                said.contains("libz.so.1: cannot open shared object file")
                    && finding.contains("libz.so.1: cannot open shared object file"),
                "{image}: loader said {said:?}; shipcheck {finding}"
            );
        }
    }
}
