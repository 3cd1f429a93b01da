#!/usr/bin/env python3
"""Measures the Debian root filesystems that fetch.sh unpacked and writes the committed data.

For every <cache>/sysroots/<suite>-<arch>/ it runs `shipcheck baselines --sysroot` (version
nodes, libc version) and `shipcheck check` (DT_SONAME of every ELF file), maps each soname in
the loader's directories to the package that shipped it, and writes:

  glibc-db/debian/<suite>.json   soname -> package, version, minimal (merged by ../generate.py)
  glibc-db/debian/COMPARISON.md  the measured version nodes against the imported pep600 data
  glibc-db/debian/README.md      only its generated part (package versions, notes, summary)

Only <suite>.json files may be JSON here: ../generate.py reads every *.json in this directory.

usage: glibc-db/debian/measure.py [--check] [--cache DIR] [--shipcheck PATH] [--releases DIR]
  --check      write nothing; exit 1 and list every missing or stale output
  --cache      fetch.sh's cache (default $SHIPCHECK_DEBIAN_CACHE or ~/.cache/shipcheck-debian)
  --shipcheck  the shipcheck binary (default $SHIPCHECK, else $CARGO_TARGET_DIR/release/shipcheck,
               else target/release/shipcheck)
  --releases   the pep600-derived database to compare with (default glibc-db/releases)

When the cache has no sysroots (a fresh clone, CI), --check prints that it was skipped and exits
0; write mode exits 2. Python 3.11, standard library only; `readelf` (binutils) is used as an
oracle for shipcheck's DT_SONAME and is optional.
"""

from __future__ import annotations

import argparse
import gzip
import json
import lzma
import os
import re
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

# glibc-db/: genfiles (writing and checking the outputs) and generate.py (the suite and arch tables).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import genfiles
from generate import DEBIAN_ARCHES, DEBIAN_SUITES

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
SCRIPT = "glibc-db/debian/measure.py"

# suite -> the pep600-derived release it is compared with (and merged into by generate.py)
RELEASE_OF_SUITE = DEBIAN_SUITES
SUITES = list(DEBIAN_SUITES)
# Debian arch -> pep600 / glibc-db arch key; arches not listed have no pep600 counterpart.
PEP600_ARCH = DEBIAN_ARCHES
# What pep600 probes: the manylinux policy's lib_whitelist (auditwheel / pep600 policy
# manylinux_2_24 and later; the same list for 2_31 and 2_36) and its symbol_versions families.
PEP600_PROBED = {
    "libatomic.so.1", "libgcc_s.so.1", "libstdc++.so.6", "libm.so.6", "libmvec.so.1",
    "libanl.so.1", "libdl.so.2", "librt.so.1", "libc.so.6", "libnsl.so.1", "libutil.so.1",
    "libpthread.so.0", "libX11.so.6", "libXext.so.6", "libXrender.so.1", "libICE.so.6",
    "libSM.so.6", "libGL.so.1", "libgobject-2.0.so.0", "libgthread-2.0.so.0",
    "libglib-2.0.so.0", "libresolv.so.2", "libexpat.so.1", "libz.so.1",
}
PEP600_FAMILIES = ["GLIBC", "GLIBCXX", "CXXABI", "GCC", "LIBATOMIC", "ZLIB"]

# Differences that no general rule below explains, explained by hand after reading the files.
# Key: (suite, debian arch, family); value: the exact (pep600-only, measured-only) node sets
# the explanation was written for, and the explanation. If the data changes, the key no
# longer matches and the difference shows up as UNEXPLAINED again.
_TLS_MARKERS = (
    "marker nodes that Debian 13's libc6 gained in a point-release update. glibc's 2.41 stable branch "
    "backported them; libc6 2.41-12+deb13u2 took the backport but reverted the new nodes (trixie's "
    "dpkg-shlibdeps could not handle version nodes used as ABI flags, Debian #1122107), and "
    "2.41-12+deb13u3 stopped reverting, so `libc.so.6` defines them from that version on (changelog "
    "lines below). pep600's set is the measured set without them, which is what libc6 before deb13u3 "
    "defined by that changelog: pep600 (whose data names glibc 2.41, not the package version) measured "
    "an older libc6. Both sides are right, at different dates; a trixie system with libc6 older than "
    "2.41-12+deb13u3 lacks these nodes"
)
HAND_EXPLANATIONS: dict[tuple[str, str, str], tuple[frozenset, frozenset, str]] = {
    ("trixie", "amd64", "GLIBC"): (
        frozenset(), frozenset({"ABI_DT_X86_64_PLT", "ABI_GNU2_TLS"}), "x86-64 " + _TLS_MARKERS),
    ("trixie", "i386", "GLIBC"): (
        frozenset(), frozenset({"ABI_GNU_TLS", "ABI_GNU2_TLS"}), "i386 " + _TLS_MARKERS),
}
# Sonames that the fetched packages ship when the release has them: pep600's sonames_present
# and sonames_absent are checked against these only (the X11/GL/GLib ones are not fetched).
FETCHED_SONAMES = {
    "libc.so.6", "libdl.so.2", "libm.so.6", "libpthread.so.0", "libresolv.so.2", "librt.so.1",
    "libutil.so.1", "libnsl.so.1", "libanl.so.1", "libmvec.so.1", "libstdc++.so.6",
    "libgcc_s.so.1", "libatomic.so.1", "libz.so.1", "libexpat.so.1", "libcrypt.so.1",
}


class MeasureError(Exception):
    pass


# "suite/arch" -> the package files the mirror lacked (fetch.sh's .unavailable), filled by build_outputs
UNAVAILABLE: dict[str, str] = {}


# --------------------------------------------------------------------------- reading the cache


def read_tsv(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text().splitlines() if line]


def read_release(cache: Path, suite: str) -> dict[str, str]:
    path = cache / "meta" / suite / "Release"
    fields = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def parse_stanzas(text: str) -> list[dict[str, str]]:
    stanzas = []
    for block in text.split("\n\n"):
        stanza = {}
        for line in block.splitlines():
            if line[:1] in (" ", "\t") or ":" not in line:
                continue
            key, _, value = line.partition(":")
            stanza[key] = value.strip()
        if "Package" in stanza:
            stanzas.append(stanza)
    return stanzas


def minbase(packages_index: Path, suite: str) -> tuple[set[str], dict[str, dict[str, str]]]:
    """The packages `debootstrap --variant=minbase` installs, computed as debootstrap
    (1.0.128, scripts/debian-common and functions) does: every `Priority: required` package
    of the index plus `apt`, closed over Depends and Pre-Depends (first alternative, version
    and arch qualifiers dropped, names without a stanza of their own dropped). bookworm adds
    usr-is-merged; bookworm and later never pull in usrmerge. Essential packages are added as
    well (all of them are required in practice). Returns (the set, first stanza by name)."""
    stanzas = parse_stanzas(packages_index.read_text())
    by_name: dict[str, dict[str, str]] = {}
    deps: dict[str, set[str]] = {}
    for stanza in stanzas:
        name = stanza["Package"]
        by_name.setdefault(name, stanza)
        for key in ("Depends", "Pre-Depends"):
            for dep in stanza.get(key, "").split(","):
                dep = dep.split("|")[0]
                dep = re.sub(r"\(.*?\)", "", dep).strip().split(":")[0].strip()
                if dep:
                    deps.setdefault(name, set()).add(dep)
    wanted = {n for n, s in by_name.items() if s.get("Priority") == "required"}
    wanted |= {n for n, s in by_name.items() if s.get("Essential") == "yes"}
    wanted.add("apt")
    excluded = set()
    if suite == "bookworm":
        wanted.add("usr-is-merged")
    if suite != "bullseye":
        excluded.add("usrmerge")
    done: set[str] = set()
    todo = [n for n in wanted if n in by_name]
    while todo:
        name = todo.pop()
        if name in done:
            continue
        done.add(name)
        for dep in deps.get(name, ()):
            if dep in by_name and dep not in done and dep not in excluded:
                todo.append(dep)
    return done, by_name


def resolve_inside(root: Path, path: str) -> PurePosixPath | None:
    """`path` (absolute, as seen inside the root) with every symlink resolved inside the root;
    None if it does not exist, loops or escapes."""
    parts = [p for p in PurePosixPath(path).parts if p != "/"]
    parts.reverse()
    current: list[str] = []
    hops = 0
    while parts:
        name = parts.pop()
        if name in ("", "."):
            continue
        if name == "..":
            if current:
                current.pop()
            continue
        candidate = root.joinpath(*current, name)
        if candidate.is_symlink():
            hops += 1
            if hops > 40:
                return None
            target = os.readlink(candidate)
            if target.startswith("/"):
                current = []
            parts.extend(reversed([p for p in PurePosixPath(target).parts if p != "/"]))
            continue
        if not candidate.exists():
            return None
        current.append(name)
    return PurePosixPath("/", *current)


def loader_dirs(root: Path) -> set[PurePosixPath]:
    """The loader's search directories inside the root, resolved: ld.so.conf and the
    ld.so.conf.d files (libc6 ships the latter; libc-bin, not fetched, the former),
    multiarch directories, and the defaults. The same list as shipcheck's --sysroot."""
    dirs: list[str] = []
    confs = [root / "etc/ld.so.conf", *sorted((root / "etc/ld.so.conf.d").glob("*.conf"))]
    for conf in confs:
        if conf.is_file():
            for line in conf.read_text(errors="replace").splitlines():
                line = line.split("#")[0].strip()
                if line.startswith("/"):
                    dirs.append(line)
    for base in ("/lib", "/usr/lib"):
        real = resolve_inside(root, base)
        if real is not None and (root / str(real).lstrip("/")).is_dir():
            for sub in sorted(os.listdir(root / str(real).lstrip("/"))):
                if "-linux-" in sub:
                    dirs.append(f"{base}/{sub}")
    dirs += ["/lib", "/lib64", "/lib32", "/usr/lib", "/usr/lib64", "/usr/lib32"]
    resolved = {resolve_inside(root, d) for d in dirs}
    return {d for d in resolved if d is not None}


# --------------------------------------------------------------------------- running tools


def run_json(argv: list[str], cwd: Path | None = None, ok: tuple[int, ...] = (0,)) -> dict:
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if proc.returncode not in ok:
        raise MeasureError(f"{' '.join(argv)}: exit {proc.returncode}: {proc.stderr.strip()[:500]}")
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        raise MeasureError(f"{' '.join(argv)}: output is not JSON: {e}") from e


def readelf_soname(path: Path) -> str | None:
    out = subprocess.run(["readelf", "-d", "-W", str(path)], capture_output=True, text=True).stdout
    m = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]*)\]", out)
    return m.group(1) if m else None


# --------------------------------------------------------------------------- measuring


@dataclass
class Sysroot:
    root: Path
    suite: str
    arch: str  # Debian's name
    shipcheck_arch: str
    libc_version: str | None
    interpreter: str | None
    versions: dict[str, list[str]]
    libraries: dict[str, list[str]]  # file name in a loader dir -> version definitions
    sonames: dict[str, dict]  # soname -> {"package", "version", "minimal"}
    soname_files: dict[str, list[str]]  # soname -> paths
    packages: dict[str, dict[str, str]]  # package -> version, priorities, essential, minbase
    not_in_loader_dirs: dict[str, str] = field(default_factory=dict)  # soname -> path
    unreachable: list[str] = field(default_factory=list)  # sonames with no file of that name
    unresolved_needed: dict[str, list[str]] = field(default_factory=dict)  # needed -> needers
    oracle: str = ""
    # NT_GNU_ABI_TAG of libc.so.6 ("3.2.0"): the oldest kernel this glibc accepts
    glibc_min_kernel: str | None = None
    # the suite's kernel for this arch, from the archive: see kernel_facts()
    kernel: dict | None = None


def measure(cache: Path, suite: str, arch: str, shipcheck: str, readelf: bool) -> Sysroot:
    name = f"{suite}-{arch}"
    root = cache / "sysroots" / name
    meta = cache / "meta" / name
    if not (meta / ".complete").is_file():
        raise MeasureError(f"{meta}: incomplete; rerun glibc-db/debian/fetch.sh {suite}")
    base = run_json([shipcheck, "baselines", "--sysroot", str(root), "--format", "json"])
    if len(base.get("arches", {})) != 1:
        raise MeasureError(f"{name}: expected one architecture, shipcheck found {sorted(base.get('arches', {}))}")
    (sc_arch, measured), = base["arches"].items()
    # `check` exits 1 when it has findings, which a sysroot of libraries has plenty of.
    check = run_json([shipcheck, "check", ".", "--format", "json"], cwd=root, ok=(0, 1))

    minimal_set, index = minbase(meta / "Packages", suite)
    packages = {}
    for row in read_tsv(meta / "packages.tsv"):
        pkg, version, _deb_arch, control_priority, essential = row[:5]
        packages[pkg] = {
            "version": version,
            "control_priority": control_priority,
            "index_priority": index.get(pkg, {}).get("Priority", "?"),
            "essential": essential or "no",
            "minbase": pkg in minimal_set,
        }
    owner: dict[str, str] = {}
    for listing in (meta / "files").iterdir():
        for path in listing.read_text().splitlines():
            owner[path] = listing.name

    dirs = loader_dirs(root)
    sonames: dict[str, dict] = {}
    soname_files: dict[str, list[str]] = {}
    not_in_dirs: dict[str, str] = {}
    mismatches = []
    checked = 0
    needed: dict[str, set[str]] = {}
    for f in check.get("files", []):
        soname = f.get("soname")
        path = "/" + f["path"].removeprefix("./")
        if readelf and f.get("format") == "elf":
            checked += 1
            oracle = readelf_soname(root / path.lstrip("/"))
            if oracle != soname:
                mismatches.append(f"{path}: shipcheck {soname!r}, readelf {oracle!r}")
        if not soname:
            continue
        parent = resolve_inside(root, str(PurePosixPath(path).parent))
        if parent not in dirs:
            not_in_dirs.setdefault(soname, path)
            continue
        pkg = owner.get(path)
        if pkg is None:
            raise MeasureError(f"{name}: {path} belongs to no fetched package")
        entry = {"package": pkg, "version": packages[pkg]["version"], "minimal": packages[pkg]["minbase"]}
        if soname in sonames and sonames[soname] != entry:
            raise MeasureError(f"{name}: {soname} shipped by {sonames[soname]} and {entry}")
        sonames[soname] = entry
        soname_files.setdefault(soname, []).append(path)
        for lib in f.get("needed", []):
            needed.setdefault(lib, set()).add(soname)
    odd = [f"{x.get('path')}: {x.get('reason')}" for x in check.get("skipped", [])
           if not str(x.get("reason", "")).startswith("symlink")]
    if odd:
        raise MeasureError(f"{name}: shipcheck check skipped files:\n  " + "\n  ".join(odd))
    if readelf:
        # The other direction: a library in a loader directory that shipcheck did not report.
        reported = {"/" + f["path"].removeprefix("./") for f in check.get("files", [])}
        for d in sorted(dirs):
            real_dir = root / str(d).lstrip("/")
            for entry in sorted(real_dir.iterdir()) if real_dir.is_dir() else []:
                path = "/" + str(entry.relative_to(root))
                if entry.is_file() and not entry.is_symlink() and ".so" in entry.name and path not in reported:
                    if readelf_soname(entry) is not None:
                        mismatches.append(f"{path}: readelf finds a DT_SONAME, shipcheck check did not report the file")
    if mismatches:
        raise MeasureError(f"{name}: shipcheck and readelf disagree on DT_SONAME:\n  " + "\n  ".join(mismatches))
    libraries = measured.get("libraries") or {}
    unreachable = sorted(s for s in sonames if s not in libraries)
    unresolved = {lib: sorted(users) for lib, users in sorted(needed.items()) if lib not in sonames}
    glibc_min_kernel = libc_abi_tag(root, soname_files.get("libc.so.6", []), name, readelf)
    return Sysroot(
        glibc_min_kernel=glibc_min_kernel,
        kernel=kernel_facts(cache, suite, arch, index),
        root=root,
        suite=suite,
        arch=arch,
        shipcheck_arch=sc_arch,
        libc_version=measured.get("libc_version"),
        interpreter=measured.get("interpreter"),
        versions=measured.get("versions", {}),
        libraries=libraries,
        sonames=dict(sorted(sonames.items())),
        soname_files=soname_files,
        packages=dict(sorted(packages.items())),
        not_in_loader_dirs=dict(sorted(not_in_dirs.items())),
        unreachable=unreachable,
        unresolved_needed=unresolved,
        oracle=f"readelf agreed on all {checked} ELF files" if readelf else "readelf not found; not cross-checked",
    )


# --------------------------------------------------------------------------- kernel facts

# Debian arch -> the kernel flavour named after it (linux-image-<flavour>), the one a plain install
# of that architecture gets (Debian's linux source package, debian/config/<arch>/defines). Other
# flavours (cloud-, rt-, arm64-16k, 686, armmp-lpae ...) are offered, not the default.
DEFAULT_FLAVOUR = {
    "amd64": "amd64", "i386": "686-pae", "arm64": "arm64", "armhf": "armmp", "ppc64el": "powerpc64le",
    "s390x": "s390x", "riscv64": "riscv64", "loong64": "loong64",
}
# Kernel configuration options that fix the base page size. CONFIG_PAGE_SHIFT (Linux 6.9 and later,
# every architecture) wins; older kernels name the choice per architecture, and architectures with
# a single page size (x86, s390, 32-bit ARM, RISC-V) had no option before 6.9.
PAGE_SIZE_OPTIONS = {
    "CONFIG_ARM64_4K_PAGES": 4096, "CONFIG_ARM64_16K_PAGES": 16384, "CONFIG_ARM64_64K_PAGES": 65536,
    "CONFIG_PPC_4K_PAGES": 4096, "CONFIG_PPC_64K_PAGES": 65536,
    "CONFIG_PAGE_SIZE_4KB": 4096, "CONFIG_PAGE_SIZE_16KB": 16384, "CONFIG_PAGE_SIZE_64KB": 65536,
}


def gnu_abi_tag(data: bytes) -> str | None:
    """The NT_GNU_ABI_TAG note of an ELF file (what `file` prints as "for GNU/Linux 3.2.0"):
    the oldest Linux kernel the file accepts; glibc's dynamic loader and libc refuse to start on
    an older one ("FATAL: kernel too old"). None without such a note or for another OS."""
    if data[:4] != b"\x7fELF" or data[4] not in (1, 2) or data[5] not in (1, 2):
        return None
    end = "<" if data[5] == 1 else ">"
    if data[4] == 2:
        phoff, = struct.unpack_from(end + "Q", data, 32)
        phentsize, phnum = struct.unpack_from(end + "HH", data, 54)
        ph = lambda off: struct.unpack_from(end + "IIQQQQQQ", data, off)  # noqa: E731
        fields = lambda e: (e[0], e[2], e[5], e[7])  # noqa: E731  type, offset, filesz, align
    else:
        phoff, = struct.unpack_from(end + "I", data, 28)
        phentsize, phnum = struct.unpack_from(end + "HH", data, 42)
        ph = lambda off: struct.unpack_from(end + "IIIIIIII", data, off)  # noqa: E731
        fields = lambda e: (e[0], e[1], e[4], e[7])  # noqa: E731
    for i in range(phnum):
        p_type, offset, size, align = fields(ph(phoff + i * phentsize))
        if p_type != 4:  # PT_NOTE
            continue
        step = 8 if align == 8 else 4
        pos, stop = offset, offset + size
        while pos + 12 <= stop:
            namesz, descsz, n_type = struct.unpack_from(end + "III", data, pos)
            name = data[pos + 12:pos + 12 + namesz]
            desc_at = pos + 12 + (namesz + step - 1) // step * step
            if name == b"GNU\0" and n_type == 1 and descsz >= 16:  # NT_GNU_ABI_TAG
                os_, major, minor, patch = struct.unpack_from(end + "IIII", data, desc_at)
                return f"{major}.{minor}.{patch}" if os_ == 0 else None  # 0: ELF_NOTE_OS_LINUX
            pos = desc_at + (descsz + step - 1) // step * step
    return None


def readelf_abi_tag(path: Path) -> str | None:
    out = subprocess.run(["readelf", "-n", "-W", str(path)], capture_output=True, text=True).stdout
    m = re.search(r"OS: Linux, ABI: (\d+\.\d+\.\d+)", out)
    return m.group(1) if m else None


def libc_abi_tag(root: Path, paths: list[str], name: str, readelf: bool) -> str | None:
    """The ABI tag of the root's libc.so.6, checked against readelf when it is there."""
    if not paths:
        return None
    path = root / paths[0].lstrip("/")
    tag = gnu_abi_tag(path.read_bytes())
    if readelf and readelf_abi_tag(path) != tag:
        raise MeasureError(f"{name}: NT_GNU_ABI_TAG of {paths[0]}: measure.py reads {tag!r}, "
                           f"readelf {readelf_abi_tag(path)!r}")
    return tag


def config_page_size(text: str) -> int | None:
    m = re.search(r"^CONFIG_PAGE_SHIFT=(\d+)$", text, re.M)
    if m:
        return 1 << int(m.group(1))
    sizes = {size for option, size in PAGE_SIZE_OPTIONS.items() if re.search(rf"^{option}=y$", text, re.M)}
    return sizes.pop() if len(sizes) == 1 else None


def kernel_facts(cache: Path, suite: str, arch: str, index: dict[str, dict[str, str]]) -> dict | None:
    """The suite's kernel for one architecture, from the archive: the version of the default
    flavour's metapackage (linux-image-<flavour>) in the arch's Packages index, and the base page
    size of every flavour that has a metapackage, read from the configuration files of the arch's
    linux-config-<version> package (fetch.sh unpacks it into meta/<suite>-<arch>/kernel-config/).
    None when the arch has no default flavour of ours or no metapackage for it."""
    flavour = DEFAULT_FLAVOUR.get(arch)
    meta = index.get(f"linux-image-{flavour}") if flavour else None
    if meta is None:
        return None
    upstream = meta["Version"].split(":")[-1].rsplit("-", 1)[0]
    facts: dict = {
        "version": ".".join(upstream.split(".")[:2]),
        "package": f"linux-image-{flavour} {meta['Version']}",
        "default_flavour": flavour,
    }
    kdir = cache / "meta" / f"{suite}-{arch}" / "kernel-config"
    info = cache / "meta" / f"{suite}-{arch}" / "kernel-config.package"
    # Only the configuration of the default kernel's series (linux-config-6.1 for a 6.1 kernel).
    if info.is_file() and info.read_text().startswith(f"linux-config-{facts['version']} "):
        facts["config_package"] = info.read_text().strip()
        page_sizes = {}
        for config in sorted(kdir.glob("usr/src/linux-config-*/config.*.xz")):
            # config.<arch>_<featureset>_<flavour>.xz; featureset "none" is the plain kernel
            _, featureset, name = config.name.removesuffix(".xz").split("_", 2)
            name = name if featureset == "none" else f"{featureset}-{name}"
            if f"linux-image-{name}" not in index:
                continue  # built for the installer or unused: no metapackage to install it by
            size = config_page_size(lzma.decompress(config.read_bytes()).decode("utf-8", "replace"))
            if size is not None:
                page_sizes[name] = size
        if page_sizes:
            facts["page_sizes"] = dict(sorted(page_sizes.items()))
    return facts


# --------------------------------------------------------------------------- suite files


def release_date(release: dict[str, str]) -> str:
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    m = re.match(r"\w+, (\d+) (\w+) (\d+)", release.get("Date", ""))
    if not m:
        return release.get("Date", "")
    return f"{m.group(3)}-{months.index(m.group(2)) + 1:02d}-{int(m.group(1)):02d}"


def suite_document(suite: str, release: dict[str, str], roots: list[Sysroot]) -> dict:
    source = {"dataset": "Debian archive", "method": "measured"}
    if release.get("Version"):
        source["release"] = release["Version"]
    source["release_date"] = release_date(release)
    source["packages"] = {r.arch: {p: info["version"] for p, info in r.packages.items()} for r in roots}
    return {
        "generated_by": f"{SCRIPT} from the Debian {suite} packages fetched by glibc-db/debian/fetch.sh; "
        "do not edit, rerun the scripts",
        "suite": suite,
        "source": source,
        "arches": {r.arch: r.sonames for r in roots},
        # the kernel facts of each arch: glibc's minimum kernel (libc.so.6's NT_GNU_ABI_TAG) and
        # the suite's kernel (kernel_facts); generate.py merges them as the release's kernel facts
        "targets": {r.arch: target_facts(r) for r in roots if target_facts(r)},
    }


def target_facts(root: Sysroot) -> dict:
    facts = {}
    if root.glibc_min_kernel:
        facts["glibc_min_kernel"] = root.glibc_min_kernel
    if root.kernel:
        facts["kernel"] = root.kernel
    return facts


def render_json(doc: dict) -> str:
    """2-space JSON; each soname's object on one line."""
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    pattern = re.compile(r"\{\n\s+(\"package\": [^\n]*)\n\s+(\"version\": [^\n]*)\n\s+(\"minimal\": [^\n]*)\n\s+\}")
    return pattern.sub(lambda m: "{" + " ".join(g for g in m.groups()) + "}", text) + "\n"


# --------------------------------------------------------------------------- comparison


def numeric_key(tag: str):
    parts = tag.split(".")
    if all(p.isdigit() for p in parts):
        return (0, [int(p) for p in parts], "")
    return (1, [], tag)


def fmt_nodes(family: str, nodes) -> str:
    return ", ".join(f"`{family}_{n}`" for n in sorted(nodes, key=numeric_key)) or "—"


@dataclass
class Difference:
    family: str
    pep600_only: frozenset
    measured_only: frozenset
    reasons: list[str]
    unexplained: bool


def defined_by(root: Sysroot, family: str, tag: str) -> list[str]:
    node = f"{family}_{tag}"
    return sorted(s for s in root.sonames if node in root.libraries.get(s, []))


def changelog_mentions(root: Sysroot, package: str, text: str) -> list[str]:
    """'version (date)' of each entry of the package's changelog.Debian that mentions `text`."""
    path = root.root / "usr/share/doc" / package / "changelog.Debian.gz"
    if not path.is_file():
        return []
    found, version, hit = [], None, False
    for line in gzip.decompress(path.read_bytes()).decode("utf-8", "replace").splitlines():
        head = re.match(r"^\S+ \(([^)]+)\) [^;]+;", line)
        if head:
            version, hit = head.group(1), False
        elif version and text in line:
            hit = True
        tail = re.match(r"^ -- .*>  \w+, (\d+ \w+ \d+)", line)
        if tail and version:
            if hit:
                found.append(f"{version} ({tail.group(1)})")
            version, hit = None, False
    return found


def highest(nodes) -> str | None:
    numeric = [n for n in nodes if numeric_key(n)[0] == 0]
    return max(numeric, key=numeric_key) if numeric else None


def explain(root: Sysroot, pep: dict, rolling: bool, family: str, p_only: set, m_only: set) -> tuple[list[str], bool]:
    """Reasons for one family's difference; the bool says whether something is left unexplained."""
    reasons = []
    left_p, left_m = set(p_only), set(m_only)
    libc_p, libc_m = pep["libc_version"], root.libc_version
    # Nodes only libraries outside pep600's whitelist define.
    outside = {}
    for tag in sorted(left_m, key=numeric_key):
        libs = defined_by(root, family, tag)
        if libs and not set(libs) & PEP600_PROBED:
            outside[tag] = libs
    if outside:
        by_libs: dict[tuple, list[str]] = {}
        for tag, libs in outside.items():
            by_libs.setdefault(tuple(libs), []).append(tag)
        for libs, tags in by_libs.items():
            reasons.append(
                f"{fmt_nodes(family, tags)} {'is' if len(tags) == 1 else 'are'} defined only by "
                f"{', '.join(f'`{l}`' for l in libs)}, which pep600 does not probe (not in the manylinux "
                "lib_whitelist); this sysroot has every library the packages ship"
            )
        left_m -= set(outside)
    if family == "GLIBC" and libc_p != libc_m:
        newer = [t for t in left_m if numeric_key(t)[0] == 0 and numeric_key(t)[1] > numeric_key(libc_p)[1]]
        older = [t for t in left_p if numeric_key(t)[0] == 0 and numeric_key(t)[1] > numeric_key(libc_m or "0")[1]]
        if newer or older or left_m or left_p:
            reasons.append(
                f"pep600 measured glibc {libc_p}; the archive's {root.suite} now has glibc {libc_m} "
                f"(libc6 {root.packages.get('libc6', {}).get('version', '?')}): a rolling suite measured "
                "at a different date"
            )
            left_m -= set(newer) | {t for t in left_m if numeric_key(t)[0] == 1}
            left_p -= set(older)
    if family in ("GLIBCXX", "CXXABI", "GCC", "LIBATOMIC") and (left_m or left_p):
        pkg = {"GLIBCXX": "libstdc++6", "CXXABI": "libstdc++6", "GCC": "libgcc-s1", "LIBATOMIC": "libatomic1"}[family]
        version = root.packages.get(pkg, {}).get("version", "?")
        hp, hm = highest(pep["versions"].get(family, [])), highest(root.versions.get(family, []))
        if hp != hm and rolling:
            reasons.append(
                f"the GCC runtime moved on: pep600's newest is `{family}_{hp}`, the archive's {pkg} "
                f"{version} has `{family}_{hm}`; {RELEASE_OF_SUITE[root.suite]} ({root.suite}) is rolling "
                "and pep600 measured it at an earlier date"
            )
            left_m = {t for t in left_m if numeric_key(t)[0] == 0 and hp and numeric_key(t)[1] <= numeric_key(hp)[1]}
            left_p = {t for t in left_p if numeric_key(t)[0] == 0 and hm and numeric_key(t)[1] <= numeric_key(hm)[1]}
    hand = HAND_EXPLANATIONS.get((root.suite, root.arch, family))
    if hand and (left_p or left_m):
        want_p, want_m, text = hand
        if frozenset(left_p) == want_p and frozenset(left_m) == want_m:
            reasons.append(text)
            left_p, left_m = set(), set()
    if family == "GLIBC":
        for tag in sorted(m_only | p_only, key=numeric_key):
            if numeric_key(tag)[0] == 1:
                entries = changelog_mentions(root, "libc6", f"GLIBC_{tag}")
                if entries:
                    reasons.append(f"libc6's changelog.Debian (in this sysroot) mentions `GLIBC_{tag}` in: "
                                   + ", ".join(entries))
    unexplained = bool(left_p or left_m)
    if unexplained:
        parts = []
        if left_p:
            parts.append(f"pep600 lists {fmt_nodes(family, left_p)} that the archive's files do not define")
        if left_m:
            libs = sorted({l for t in left_m for l in defined_by(root, family, t)})
            parts.append(
                f"the archive's files define {fmt_nodes(family, left_m)} (in {', '.join(f'`{l}`' for l in libs) or '?'}) "
                "that pep600 does not list"
            )
        reasons.append("**UNEXPLAINED**: " + "; ".join(parts) + ". A finding for the lead.")
    return reasons, unexplained


@dataclass
class ArchComparison:
    root: Sysroot
    pep_arch: str | None
    pep: dict | None
    agree: list[str]
    differ: list[Difference]
    libc_agree: bool | None
    measured_only_families: list[str]
    interpreter: str = ""  # "" when it resolves to the loader, else what is wrong
    soname_problems: list[str] = field(default_factory=list)


def compare(root: Sysroot, release: dict | None) -> ArchComparison:
    pep_arch = PEP600_ARCH.get(root.arch)
    pep = (release or {}).get("arches", {}).get(pep_arch) if pep_arch else None
    if pep is None:
        return ArchComparison(root, pep_arch, None, [], [], None, [])
    rolling = bool(release.get("rolling"))
    agree, differ = [], []
    families = [f for f in PEP600_FAMILIES if f in pep["versions"] or f in root.versions]
    for family in families:
        p = set(pep["versions"].get(family, []))
        m = set(root.versions.get(family, []))
        if family == "GLIBC":
            m.discard("PRIVATE")  # pep600 never lists GLIBC_PRIVATE
        if p == m:
            agree.append(family)
            continue
        reasons, unexplained = explain(root, pep, rolling, family, p - m, m - p)
        differ.append(Difference(family, frozenset(p - m), frozenset(m - p), reasons, unexplained))
    others = sorted(f for f in root.versions if f not in PEP600_FAMILIES)
    # The database's interpreter (glibc's ABI path) must lead to the loader in the real files.
    interp = pep.get("interpreter") or ""
    real = resolve_inside(root.root, interp) if interp else None
    loader = next((s for s in root.sonames if s.startswith("ld")), None)
    if real is None:
        interp_problem = f"`{interp}` does not exist in the sysroot"
    elif loader is None or str(real) not in root.soname_files.get(loader, []):
        interp_problem = f"`{interp}` resolves to `{real}`, which is not the loader"
    else:
        interp_problem = ""
    problems = []
    for soname in pep.get("sonames_present", []):
        if soname in FETCHED_SONAMES and soname not in root.sonames:
            problems.append(f"pep600 lists `{soname}` present; the archive's packages do not ship it")
    for soname in pep.get("sonames_absent", []):
        if soname in root.sonames:
            problems.append(f"pep600 lists `{soname}` absent; `{root.sonames[soname]['package']}` ships it")
    return ArchComparison(root, pep_arch, pep, agree, differ, pep["libc_version"] == root.libc_version, others,
                          interp_problem, problems)


def comparison_markdown(results: dict[str, list[ArchComparison]], releases_dir: Path) -> str:
    out = []
    w = out.append
    w("# Debian archive files vs the imported pep600 data")
    w("")
    w(f"<!-- generated by {SCRIPT}; do not edit, rerun it (see README.md) -->")
    w("")
    w("For every suite and architecture that has a pep600 counterpart, the version nodes of each family that")
    w("pep600 measures (GLIBC, GLIBCXX, CXXABI, GCC, LIBATOMIC, ZLIB) in `glibc-db/releases/<id>.json` are")
    w("compared with the nodes `shipcheck baselines --sysroot` measured in the root filesystem unpacked from the")
    w("archive's packages (every library in the loader's directories), and so is `libc_version`.")
    w("`GLIBC_PRIVATE` is left out of the measured side because pep600 never lists it.")
    w("")
    total_agree = sum(len(c.agree) for cs in results.values() for c in cs)
    total_differ = sum(len(c.differ) for cs in results.values() for c in cs)
    unexplained = sum(1 for cs in results.values() for c in cs for d in c.differ if d.unexplained)
    pairs = sum(1 for cs in results.values() for c in cs if c.pep is not None)
    libc_differ = [c for cs in results.values() for c in cs if c.libc_agree is False]
    w(f"**Summary**: {pairs} suite/arch pairs, {total_agree + total_differ} family comparisons: "
      f"{total_agree} agree, {total_differ} differ ({unexplained} unexplained). "
      f"`libc_version` differs in {len(libc_differ)} pair(s)"
      + (": " + ", ".join(f"{c.root.suite}/{c.root.arch}" for c in libc_differ) if libc_differ else "")
      + ".")
    w("")
    w("## Table")
    w("")
    w("| suite | release | arch | libc_version (pep600 / measured) | " + " | ".join(PEP600_FAMILIES) + " | interpreter | sonames |")
    w("| --- | --- | --- | --- | " + " | ".join("---" for _ in PEP600_FAMILIES) + " | --- | --- |")
    for suite, comps in results.items():
        for c in comps:
            if c.pep is None:
                continue
            cells = []
            for family in PEP600_FAMILIES:
                d = next((d for d in c.differ if d.family == family), None)
                if family in c.agree:
                    cells.append("agree")
                elif d is not None:
                    cells.append("**differ?**" if d.unexplained else "differ")
                else:
                    cells.append("—")
            libc = f"{c.pep['libc_version']} / {c.root.libc_version}"
            if not c.libc_agree:
                libc = f"**{libc}**"
            cells.append("**differ**" if c.interpreter else "agree")
            cells.append("**differ**" if c.soname_problems else "agree")
            w(f"| {suite} | {RELEASE_OF_SUITE[suite]} | {c.root.arch} ({c.pep_arch}) | {libc} | " + " | ".join(cells) + " |")
    w("")
    w("`—`: neither side has nodes of that family. `differ?`: a difference left unexplained.")
    w("`interpreter`: the database's ELF interpreter path (glibc's ABI path, from generate.py's table) leads to")
    w("the loader in the unpacked files. `sonames`: pep600's `sonames_present` / `sonames_absent` agree with")
    w("what the packages ship, for the sonames these packages can ship (" + ", ".join(f"`{s}`" for s in sorted(FETCHED_SONAMES)) + ").")
    w("")
    no_counterpart = [
        f"{c.root.suite}/{c.root.arch}" + (f" (pep600 has no `{c.pep_arch}` for {RELEASE_OF_SUITE[c.root.suite]})" if c.pep_arch else "")
        for cs in results.values() for c in cs if c.pep is None
    ]
    if no_counterpart:
        w("Measured but not compared (no pep600 counterpart): " + ", ".join(no_counterpart) + ".")
        w("")
    if UNAVAILABLE:
        w("Not measured, because the mirror lists these package versions in the suite's index but returned")
        w("404 for their files (fetch.sh records this in `<cache>/meta/<suite>-<arch>/.unavailable`):")
        w("")
        for where, what in UNAVAILABLE.items():
            suite, arch = where.split("/")
            pep_arch = PEP600_ARCH.get(arch)
            w(f"- {where}" + (f" (pep600 {RELEASE_OF_SUITE[suite]} {pep_arch} stays unchecked)" if pep_arch else "") + f": {what}")
        w("")
    w("## Differences")
    w("")
    for suite, comps in results.items():
        for c in comps:
            for d in c.differ:
                w(f"### {suite} / {c.root.arch} ({RELEASE_OF_SUITE[suite]} {c.pep_arch}): {d.family}")
                w("")
                w(f"- only in pep600: {fmt_nodes(d.family, d.pep600_only)}")
                w(f"- only in the archive's files: {fmt_nodes(d.family, d.measured_only)}")
                for r in d.reasons:
                    w(f"- {r}")
                w("")
            if c.interpreter or c.soname_problems:
                w(f"### {suite} / {c.root.arch} ({RELEASE_OF_SUITE[suite]} {c.pep_arch}): interpreter and sonames")
                w("")
                for problem in ([c.interpreter] if c.interpreter else []) + c.soname_problems:
                    w(f"- **{problem}**")
                w("")
    if total_differ == 0:
        w("None.")
        w("")
    w("## Families pep600 does not measure")
    w("")
    w("Nodes the archive's files define in other families (not compared; pep600 has no data for them):")
    w("")
    seen: dict[tuple, list[str]] = {}
    for suite, comps in results.items():
        for c in comps:
            seen.setdefault(tuple(c.root.versions.get(f) and f for f in sorted(c.root.versions) if f not in PEP600_FAMILIES), []).append(f"{suite}/{c.root.arch}")
    for families, where in seen.items():
        w(f"- {', '.join(f'`{f}`' for f in families if f) or 'none'}: {', '.join(where)}")
    w("")
    return "\n".join(out)


# --------------------------------------------------------------------------- README section

README_BEGIN = "<!-- begin: generated by glibc-db/debian/measure.py; do not edit this part -->"
README_END = "<!-- end: generated part -->"


def readme_section(roots_by_suite: dict[str, list[Sysroot]], releases: dict[str, dict[str, str]],
                   results: dict[str, list[ArchComparison]]) -> str:
    out = []
    w = out.append
    for suite, roots in roots_by_suite.items():
        rel = releases[suite]
        version = f"Debian {rel['Version']}" if rel.get("Version") else rel.get("Suite", "")
        measured = [r.arch for r in roots]
        skipped = [k.split("/")[1] for k in UNAVAILABLE if k.startswith(suite + "/")]
        w(f"### {suite} ({RELEASE_OF_SUITE[suite]}; {version}, Release file of {release_date(rel)})")
        w("")
        w(f"Measured: {', '.join(measured)}." + (f" Not measured (package files missing on the mirror): {', '.join(skipped)}." if skipped else ""))
        w("")
        w("| package | version | Priority (archive) | in minbase |")
        w("| --- | --- | --- | --- |")
        names = sorted({p for r in roots for p in r.packages})
        for name in names:
            versions: dict[str, list[str]] = {}
            prio, minimal = set(), set()
            for r in roots:
                info = r.packages.get(name)
                if info:
                    versions.setdefault(info["version"], []).append(r.arch)
                    prio.add(info["index_priority"] + ("/Essential" if info["essential"] == "yes" else ""))
                    minimal.add("yes" if info["minbase"] else "no")
            if len(versions) == 1:
                vtext = f"`{next(iter(versions))}`"
            else:
                vtext = "; ".join(f"`{v}` ({', '.join(a)})" for v, a in sorted(versions.items(), key=lambda kv: -len(kv[1])))
            w(f"| {name} | {vtext} | {', '.join(sorted(prio))} | {', '.join(sorted(minimal))} |")
        w("")
        notes = []
        unresolved = {(lib, tuple(users)) for r in roots for lib, users in r.unresolved_needed.items()}
        for lib, users in sorted(unresolved):
            notes.append(f"`{lib}` (needed by {', '.join(users)}) is not shipped by these packages")
        outside = sorted({s for r in roots for s in r.not_in_loader_dirs})
        if outside:
            notes.append("left out, not in a loader directory (plugins, gconv helpers): "
                         + ", ".join(f"`{s}`" for s in outside))
        unreachable = sorted({s for r in roots for s in r.unreachable})
        if unreachable:
            notes.append("no file of that name in a loader directory (ldconfig would create it): "
                         + ", ".join(f"`{s}`" for s in unreachable))
        no_interp = [r.arch for r in roots if not r.interpreter]
        if no_interp:
            notes.append("`shipcheck baselines --sysroot` reports no interpreter/loader_paths for "
                         + ", ".join(no_interp) + " (their loaders are not named `ld-*`)")
        tags: dict[str, list[str]] = {}
        for r in roots:
            tags.setdefault(r.glibc_min_kernel or "none", []).append(r.arch)
        notes.append("glibc's minimum kernel (`NT_GNU_ABI_TAG` of `libc.so.6`, readelf agreed): "
                     + "; ".join(f"{tag} ({', '.join(arches)})" for tag, arches in sorted(tags.items())))
        kernels = sorted({r.kernel["package"] for r in roots if r.kernel})
        if kernels:
            notes.append("kernel (default flavour's metapackage): " + ", ".join(f"`{k}`" for k in kernels))
        sizes = [f"{r.arch} " + "/".join(f"{n} {v}" for n, v in r.kernel["page_sizes"].items())
                 for r in roots if r.kernel and r.kernel.get("page_sizes")]
        if sizes:
            notes.append("page sizes by flavour (`linux-config-*`): " + "; ".join(sizes))
        oracles = sorted({r.oracle.split(" on all ")[0] for r in roots})
        notes.append("DT_SONAME: " + "; ".join(oracles) + " (every ELF file of every arch)")
        for note in notes:
            w(f"- {note}")
        w("")
    total_agree = sum(len(c.agree) for cs in results.values() for c in cs)
    diffs = [d for cs in results.values() for c in cs for d in c.differ]
    unexplained = sum(1 for d in diffs if d.unexplained)
    pairs = sum(1 for cs in results.values() for c in cs if c.pep is not None)
    interp = sum(1 for cs in results.values() for c in cs if c.interpreter)
    sonames = sum(1 for cs in results.values() for c in cs if c.soname_problems)
    w(f"Comparison (details in COMPARISON.md): {pairs} suite/arch pairs with a pep600 counterpart, "
      f"{total_agree + len(diffs)} family comparisons, {total_agree} agree, {len(diffs)} differ, "
      f"{unexplained} of them unexplained; interpreter path wrong in {interp} pair(s); "
      f"soname presence contradicts pep600 in {sonames} pair(s).")
    return "\n".join(out)


def splice_readme(text: str, section: str) -> str:
    if README_BEGIN not in text or README_END not in text:
        raise MeasureError(f"glibc-db/debian/README.md: markers {README_BEGIN!r} / {README_END!r} not found")
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    return f"{head}{README_BEGIN}\n\n{section}\n\n{README_END}{tail}"


# --------------------------------------------------------------------------- main


def default_shipcheck() -> str:
    if os.environ.get("SHIPCHECK"):
        return os.environ["SHIPCHECK"]
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO_ROOT / "target")
    return str(target / "release" / "shipcheck")


def build_outputs(cache: Path, shipcheck: str, releases_dir: Path) -> tuple[dict[str, str], dict[str, list[Sysroot]]]:
    readelf = shutil.which("readelf") is not None
    files: dict[str, str] = {}
    roots_by_suite: dict[str, list[Sysroot]] = {}
    results: dict[str, list[ArchComparison]] = {}
    releases: dict[str, dict[str, str]] = {}
    UNAVAILABLE.clear()
    for suite in SUITES:
        if not (cache / "meta" / suite / "Release").is_file():
            raise MeasureError(f"{cache}: no {suite} data; run glibc-db/debian/fetch.sh {suite}")
        release = read_release(cache, suite)
        releases[suite] = release
        arches = [a for a in release.get("Architectures", "").split() if a != "all"]
        roots = []
        for arch in arches:
            reason = cache / "meta" / f"{suite}-{arch}" / ".unavailable"
            if reason.is_file():
                missing = re.findall(r"^Err:\d+ \S+ \S+ (\S+) \S+ (\S+) (\S+)$", reason.read_text(), re.M)
                UNAVAILABLE[f"{suite}/{arch}"] = ", ".join(f"{p} {v}" for p, _, v in missing) or reason.read_text().strip()
                print(f"measure.py: {suite}-{arch}: not measured (fetch.sh could not download it)", file=sys.stderr)
                continue
            print(f"measure.py: {suite}-{arch}", file=sys.stderr)
            roots.append(measure(cache, suite, arch, shipcheck, readelf))
        roots_by_suite[suite] = roots
        files[f"{suite}.json"] = render_json(suite_document(suite, release, roots))
        rel_path = releases_dir / f"{RELEASE_OF_SUITE[suite]}.json"
        pep_release = json.loads(rel_path.read_text()) if rel_path.is_file() else None
        results[suite] = [compare(r, pep_release) for r in roots]
    files["COMPARISON.md"] = comparison_markdown(results, releases_dir)
    readme = HERE / "README.md"
    if readme.is_file():
        files["README.md"] = splice_readme(readme.read_text(), readme_section(roots_by_suite, releases, results))
    return files, roots_by_suite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--cache", type=Path, default=Path(
        os.environ.get("SHIPCHECK_DEBIAN_CACHE")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "shipcheck-debian"))
    parser.add_argument("--shipcheck", default=default_shipcheck())
    parser.add_argument("--releases", type=Path, default=REPO_ROOT / "glibc-db" / "releases")
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if not (args.cache / "sysroots").is_dir():
        if args.check:
            print(f"glibc-db/debian: check skipped: no sysroots in {args.cache} (run fetch.sh)", file=sys.stderr)
            return 0
        print(f"measure.py: error: no sysroots in {args.cache}; run glibc-db/debian/fetch.sh first", file=sys.stderr)
        return 2
    if not os.access(args.shipcheck, os.X_OK):
        print(f"measure.py: error: {args.shipcheck} is not an executable; build shipcheck "
              "(cargo build --release) or pass --shipcheck", file=sys.stderr)
        return 2
    # Absolute, because shipcheck runs with each sysroot as its working directory.
    shipcheck = os.path.abspath(args.shipcheck)
    try:
        files, roots = build_outputs(args.cache, shipcheck, args.releases)
    except (MeasureError, OSError) as e:
        print(f"measure.py: error: {e}", file=sys.stderr)
        return 2
    if args.dump:
        dump = {
            f"{r.suite}-{r.arch}": {k: v for k, v in r.__dict__.items() if k != "libraries"}
            for rs in roots.values() for r in rs
        }
        args.dump.write_text(json.dumps(dump, indent=1, sort_keys=True, default=str))
    return genfiles.sync(HERE, files, check=args.check, owned=None, prog="measure.py", script=SCRIPT)


if __name__ == "__main__":
    sys.exit(main())
