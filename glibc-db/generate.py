#!/usr/bin/env python3
"""Generate shipcheck's baseline database (glibc-db/releases/*.json).

The inputs are the measured data of mayeut/pep600_compliance and auditwheel's
policy files (both kept outside this repository, see glibc-db/README.md), real
Debian package data in glibc-db/debian/<suite>.json when present, and the
stated facts of the Alpine and .NET tables below (the .NET runtime-deps
images, read from dotnet/dotnet-docker's Dockerfiles); the output is our own
format, one file per baseline (distro release, auditwheel policy or container
image), each saying where every fact came from. Target facts (the release's
kernel, glibc's minimum kernel, page sizes, x86-64 level) are measured from the
Debian data or stated in the tables of "target facts" below; unknown ones are
left out.

    python3 glibc-db/generate.py                 # (re)write glibc-db/releases/
    python3 glibc-db/generate.py --check         # exit 1 if releases/ is stale
    python3 glibc-db/generate.py --reference DIR # default: ../shared/reference
    python3 glibc-db/generate.py --debian DIR    # default: glibc-db/debian

Python 3.11, standard library only. The output is deterministic: running the
generator twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.parse
from pathlib import Path

import genfiles

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "glibc-db" / "releases"
DEFAULT_REFERENCE = REPO_ROOT.parent / "shared" / "reference"

GENERATED_BY = "glibc-db/generate.py from pep600-compliance; do not edit, rerun the generator"
DATASET = "pep600-compliance"

# Commit of mayeut/pep600_compliance that cache/ and README.rst were copied from
# (reference/README.md, distro-facts.md key P600).
PEP600_REVISION = "2d70275"

# Releases dropped from pep600_compliance and recovered from its history: the
# commit each file was taken from, exactly as distro-facts.md's source-key table
# (key P600) names it. A removed/ file missing here is an error.
REMOVED_REVISIONS = {
    "ubuntu-14.04": "1a02571^",
    "ubuntu-16.04": "1a02571^",
    "centos-7": "1a02571^",
    "opensuse-15.4": "1a02571^",
    "amazonlinux-1": "1a02571^",
    "centos-8": "4a02ac4^",
    "opensuse-15.3": "4a02ac4^",
    "opensuse-42.3": "3e8f8c4^",
}

# End of life of removed releases (they have no README badge): the row of
# distro-facts.md's release table whose "EOL (standard)" cell applies to exactly
# this release. Releases not listed stay null (distro-facts.md only has proxies
# for them, e.g. SLES rows for openSUSE Leap). A date marked † is not used.
REMOVED_EOL_ROWS = {
    "ubuntu-14.04": "Ubuntu 14.04 trusty",
    "ubuntu-16.04": "Ubuntu 16.04 xenial",
    "centos-7": "RHEL/CentOS 7 (Oracle 7 same)",
}
DISTRO_FACTS_EOL_SOURCE = "distro-facts.md (endoflife.date @ a70eca337)"

# Releases whose architecture list in distro-facts.md's release table ("Architectures")
# says which architectures the release was ever built for, so that an architecture it never
# had is a hard failure rather than "no data". Rows whose list carries caveats that touch our
# architecture keys (CentOS 7 AltArch, Fedora's secondary riscv64, Rocky 10's riscv64, the
# unverified Alpine lists, SUSE's proxies) are left out: for them a missing architecture stays
# "unknown". Debian 8-10's lists are marked † (unverified) and are left out too.
ARCHITECTURE_ROWS = {
    "ubuntu-14.04": "Ubuntu 14.04 trusty",
    "ubuntu-16.04": "Ubuntu 16.04 xenial",
    "ubuntu-18.04": "Ubuntu 18.04 bionic",
    "ubuntu-20.04": "Ubuntu 20.04 focal",
    "ubuntu-22.04": "Ubuntu 22.04 jammy",
    "ubuntu-24.04": "Ubuntu 24.04 noble",
    "ubuntu-26.04": "Ubuntu 26.04 resolute (released 2026-04-23)",
    "debian-11": "Debian 11 bullseye",
    "debian-12": "Debian 12 bookworm",
    "debian-13": "Debian 13 trixie",
    "rhel-8": "RHEL/Rocky/Alma 8",
    "almalinux-8": "RHEL/Rocky/Alma 8",
    "rockylinux-8": "RHEL/Rocky/Alma 8",
    "rhel-9": "RHEL/Rocky/Alma 9",
    "almalinux-9": "RHEL/Rocky/Alma 9",
    "rockylinux-9": "RHEL/Rocky/Alma 9",
    "amazonlinux-2": "Amazon Linux 2",
    "amazonlinux-2023": "Amazon Linux 2023",
}
ARCHITECTURES_SOURCE = (
    "distro-facts.md release table, Architectures column, plus the architectures measured"
)

# Debian/Ubuntu and RPM architecture names -> the database's keys (INTERPRETERS).
ARCHITECTURE_NAMES = {
    "amd64": "x86_64", "x86_64": "x86_64", "i386": "i686", "x86": "i686",
    "arm64": "aarch64", "aarch64": "aarch64", "armhf": "armv7l", "armv7": "armv7l",
    "ppc64el": "ppc64le", "ppc64le": "ppc64le", "ppc64": "ppc64", "s390x": "s390x",
    "riscv64": "riscv64", "loong64": "loongarch64", "loongarch64": "loongarch64",
}

# The glibc dynamic loader (PT_INTERP) per architecture. An ABI fact of glibc,
# not of the distro. Sources: glibc sysdeps/unix/sysv/linux/*/ldconfig.h
# (SYSDEP_KNOWN_INTERPRETER_NAMES) and shlib-versions, the psABI / LSB
# documents; each path checked against `readelf -l usr/bin/getconf` of Debian's
# libc-bin 2.43-7 for amd64, i386, arm64, armhf, ppc64el, s390x, riscv64 and
# loong64 (see README.md). ppc64 (big-endian, ELFv1; no pep600 data, only the
# manylinux2014 policy has it): the PT_INTERP of libc.so.6 in Debian's
# libc6-ppc64-cross 2.43-3cross8, which also ships lib64/ld64.so.1. The key
# order is the output order of `arches`.
INTERPRETERS = {
    "x86_64": "/lib64/ld-linux-x86-64.so.2",
    "i686": "/lib/ld-linux.so.2",
    "aarch64": "/lib/ld-linux-aarch64.so.1",
    "armv7l": "/lib/ld-linux-armhf.so.3",
    "ppc64": "/lib64/ld64.so.1",
    "ppc64le": "/lib64/ld64.so.2",
    "s390x": "/lib/ld64.so.1",
    "riscv64": "/lib/ld-linux-riscv64-lp64d.so.1",
    "loongarch64": "/lib64/ld-linux-loongarch-lp64d.so.1",
}

# Sonames every glibc build ships (besides the loader). pep600 also probes each
# of them (they are in every manylinux lib_whitelist) and fails when one is
# missing, unless that library is in its skip list.
GLIBC_CORE = (
    "libc.so.6",
    "libdl.so.2",
    "libm.so.6",
    "libpthread.so.0",
    "libresolv.so.2",
    "librt.so.1",
    "libutil.so.1",
)

# Libraries pep600's tools/calculate_symbol_versions.py skips on some
# architectures (so a run there fails if it finds them: they are absent).
# @00ac911: loongarch64 adds libanl.so.1, libnsl.so.1, libutil.so.1 (glibc
# builds these compat libraries only for ABIs older than 2.34; Debian's
# libc6:loong64 2.43-7 indeed lacks all three).
ARCH_SKIPS = {
    "loongarch64": ("libanl.so.1", "libnsl.so.1", "libutil.so.1"),
}

# Further libraries pep600 probes in every measurement: the PEP 513 manylinux1
# lib_whitelist, which every later policy's whitelist contains (pep600's
# policies/__init__.py _validation rejects a policy whose whitelist is not a
# superset of the older ones), so every cache file was measured with them.
# Newer whitelist entries (libexpat, libz, libatomic, libmvec, libanl) were
# added over time, so their absence from a file is not evidence of anything.
STABLE_PROBED = (
    "libnsl.so.1",
    "libX11.so.6",
    "libXext.so.6",
    "libXrender.so.1",
    "libICE.so.6",
    "libSM.so.6",
    "libGL.so.1",
    "libgobject-2.0.so.0",
    "libgthread-2.0.so.0",
    "libglib-2.0.so.0",
)

# A symbol-version family that is measured non-empty proves its library.
RUNTIME_BY_FAMILY = (
    ("GLIBCXX", "libstdc++.so.6"),
    ("GCC", "libgcc_s.so.1"),
    ("LIBATOMIC", "libatomic.so.1"),
)
ZLIB_FAMILY = ("ZLIB", "libz.so.1")

# `extra` lists what the container's Python interpreters link to (ldd). These
# entries are not libraries a binary can link against.
def _is_pseudo_extra(soname: str) -> bool:
    return soname.startswith(("linux-vdso", "linux-gate")) or soname.startswith("libpypy")


MEASURE_NOTE = (
    "present = found by pep600 after it installed packages from the release's own "
    "repositories (libstdc++, libatomic, X11/GL/GLib libraries and others): "
    "installable, not necessarily in the minimal image"
)
IMAGE_NOTE = (
    "; `extra` (the Python interpreters' dependencies) is not used for manylinux "
    "images, whose interpreters under /opt/python may resolve libraries outside "
    "the system library directories"
)

# Codenames. Ubuntu: the release list on wiki.ubuntu.com/Releases (14.04-26.04
# cross-checked with distro-facts.md); Debian: debian.org/releases (8-13,
# cross-checked with distro-facts.md).
UBUNTU_CODENAMES = {
    "14.04": "trusty",
    "16.04": "xenial",
    "18.04": "bionic",
    "20.04": "focal",
    "22.04": "jammy",
    "23.10": "mantic",
    "24.04": "noble",
    "24.10": "oracular",
    "25.04": "plucky",
    "25.10": "questing",
    "26.04": "resolute",
}
DEBIAN_CODENAMES = {
    "8": "jessie",
    "9": "stretch",
    "10": "buster",
    "11": "bullseye",
    "12": "bookworm",
    "13": "trixie",
}

# Display names of distros whose name is not derived below.
DISTRO_NAMES = {
    "almalinux": "AlmaLinux",
    "alt": "ALT",
    "amazonlinux": "Amazon Linux",
    "anolisos": "Anolis OS",
    "archlinux": "Arch Linux",
    "centos": "CentOS",
    "debian": "Debian",
    "fedora": "Fedora",
    "mageia": "Mageia",
    "opencloudos": "OpenCloudOS",
    "openeuler": "openEuler",
    "opensuse": "openSUSE Leap",
    "oraclelinux": "Oracle Linux",
    "photon": "VMware Photon OS",
    "rockylinux": "Rocky Linux",
    "slackware": "Slackware",
    "ubuntu": "Ubuntu",
}

# Names of the auditwheel policies (entries of kind "policy"); no other entry
# may take one of them, and a policy takes no other name.
POLICY_NAME = re.compile(r"^(manylinux|musllinux)(_\d+_\d+|1|2010|2014)$")


# --------------------------------------------------------------------------- musl

# musl's loader is /lib/ld-musl-$(ARCH)$(SUBARCH).so.1 (musl Makefile:
# `syslibdir = /lib`, `LDSO_PATHNAME = $(syslibdir)/ld-musl-$(ARCH)$(SUBARCH).so.1`,
# read in bminor/musl @ 0650a05947c9). The name per architecture (our key ->
# musl's ARCH+SUBARCH) was measured in Debian's musl 1.2.6-2 packages for
# amd64, i386, arm64, armhf, ppc64el, s390x, riscv64 and loong64: each ships
# usr/lib/ld-musl-<name>.so.1 (Debian installs it under /usr/lib, upstream's
# default is /lib) and etc/ld-musl-<name>.path, and the ELF header of its
# libc.so matches the architecture (armhf: EABI5 hard-float).
MUSL_LDSO_ARCH = {
    "x86_64": "x86_64",
    "i686": "i386",
    "aarch64": "aarch64",
    "armv7l": "armhf",
    "ppc64le": "powerpc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
    "loongarch64": "loongarch64",
}

# Alpine's libc.musl-$CARCH.so.1 (its musl's DT_SONAME and a symlink to the
# loader) is named after Alpine's CARCH, not musl's ARCH: Alpine's
# main/musl/APKBUILD links with `-Wl,-soname,libc.musl-${CARCH}.so.1` and
# installs `ln -sf "$LDSO" "$pkgdir"/lib/libc.musl-${CARCH}.so.1`
# (alpinelinux/aports @ 172b1a67ce51). The per-architecture names are
# auditwheel 6.8.2's `_fixup_musl_libc_soname` (auditwheel/policy/__init__.py
# in the PyPI wheel), which replaces musllinux's "libc.so" with them.
ALPINE_LIBC_SONAME = {
    "x86_64": "libc.musl-x86_64.so.1",
    "i686": "libc.musl-x86.so.1",
    "aarch64": "libc.musl-aarch64.so.1",
    "armv7l": "libc.musl-armv7.so.1",
    "ppc64le": "libc.musl-ppc64le.so.1",
    "s390x": "libc.musl-s390x.so.1",
    "riscv64": "libc.musl-riscv64.so.1",
    "loongarch64": "libc.musl-loongarch64.so.1",
}
AUDITWHEEL_MUSL_NOTE = (
    "libc.musl-<arch>.so.1: auditwheel 6.8.2 replaces the policy's libc.so with it "
    "(auditwheel/policy/__init__.py, _fixup_musl_libc_soname)"
)


def musl_interpreter(arch: str) -> str:
    return f"/lib/ld-musl-{MUSL_LDSO_ARCH[arch]}.so.1"


# --------------------------------------------------------------------------- auditwheel

AUDITWHEEL_DATASET = "auditwheel-policy"
AUDITWHEEL_REVISION = "auditwheel 6.8.2"
POLICY_FILES = ("manylinux-policy.json", "musllinux-policy.json")
POLICY_ID = re.compile(r"^(?P<family>manylinux|musllinux)_(?P<major>\d+)_(?P<minor>\d+)$")
# auditwheel's architecture names, in the order of its policy files; also our keys.
POLICY_ARCHES = (
    "i686", "x86_64", "aarch64", "ppc64", "ppc64le", "s390x", "armv7l", "riscv64", "loongarch64",
)
GLIBC_POLICY_NOTE = (
    "an allow-list, not a system: a soname outside sonames_present must be bundled; "
    "interpreter and its soname are glibc's loader for the arch (generator table "
    "INTERPRETERS), not part of the policy"
)
MUSL_POLICY_NOTE = (
    "an allow-list, not a system: a soname outside sonames_present must be bundled; "
    "interpreter and its soname are musl's loader for the arch (generator table "
    "MUSL_LDSO_ARCH), not part of the policy; " + AUDITWHEEL_MUSL_NOTE
)


# --------------------------------------------------------------------------- Alpine

# Alpine releases (musl). Nothing here is measured in an Alpine image; every
# value is stated by the document named beside it.
# * arches: the official Docker image's root filesystems, one per Alpine arch,
#   committed in alpinelinux/docker-alpine as
#   <dir>/alpine-minirootfs-<point>-<arch>.tar.gz at `commit` (file listing
#   read; the tarballs themselves were not). Alpine's x86 -> i686, armv7 ->
#   armv7l; armhf (ARMv6 hard-float) has no key of ours and is left out.
#   No 3.18-3.22 image has riscv64 before 3.20 or loongarch64 at all, so those
#   are left out where the images lack them even if Alpine's package
#   repositories carry the architecture (distro-facts.md's list is marked †).
# * musl: the musl package of the amd64 image in docker-library/repo-info
#   repos/alpine/local/<file> @ 7859ce442d87; null where no such file was found
#   (3.18-3.20: distro-facts.md's values are marked †).
# * eol: distro-facts.md's "Alpine 3.xx" row (endoflife.date).
ALPINE_IMAGES_REPO = "alpinelinux/docker-alpine"
ALPINE_IMAGE_DIRS = {  # our key -> (docker-alpine directory, Alpine arch)
    "x86_64": ("x86_64", "x86_64"),
    "i686": ("x86", "x86"),
    "aarch64": ("aarch64", "aarch64"),
    "armv7l": ("armv7", "armv7"),
    "ppc64le": ("ppc64le", "ppc64le"),
    "s390x": ("s390x", "s390x"),
    "riscv64": ("riscv64", "riscv64"),
}
REPO_INFO = "docker-library/repo-info"
REPO_INFO_REVISION = "7859ce442d87"
_SEVEN = ("x86_64", "i686", "aarch64", "armv7l", "ppc64le", "s390x")
ALPINE_RELEASES = {
    "3.18": {"point": "3.18.9", "commit": "a8be5a35dd72", "arches": _SEVEN, "musl": None},
    "3.19": {"point": "3.19.4", "commit": "0822e580809e", "arches": _SEVEN, "musl": None},
    "3.20": {"point": "3.20.10", "commit": "0db70ae354ee", "arches": _SEVEN + ("riscv64",), "musl": None},
    "3.21": {
        "point": "3.21.8",
        "commit": "45ca5a796a9e",
        "arches": _SEVEN + ("riscv64",),
        "musl": ("1.2.5", "repos/alpine/local/3.21.8.md", "musl-1.2.5-r11"),
    },
    "3.22": {
        "point": "3.22.6",
        "commit": "32cb3f1f45f4",
        "arches": _SEVEN + ("riscv64",),
        "musl": ("1.2.5", "repos/alpine/local/3.22.md", "musl-1.2.5-r12"),
    },
}
ALPINE_NOTE = (
    "stated, not measured in an Alpine image: the architecture has an official image "
    "(the path above); interpreter from musl's Makefile (LDSO_PATHNAME, bminor/musl @ "
    "0650a05947c9) with the loader name per arch measured in Debian's musl 1.2.6-2; "
    "libc.musl-<CARCH>.so.1 from Alpine's main/musl/APKBUILD (alpinelinux/aports @ "
    "172b1a67ce51) with the names of auditwheel 6.8.2's _fixup_musl_libc_soname; other "
    "sonames unknown"
)


# --------------------------------------------------------------------------- .NET

# mcr.microsoft.com/dotnet/runtime-deps images: one entry (kind "image") per tag family,
# built from the image's Dockerfile in dotnet/dotnet-docker
# (src/runtime-deps/<version>/<os>/<arch>/Dockerfile) on top of the release it is based on.
# The tag listings below (README.runtime-deps.md, "Full Tag Listing") say which tags exist,
# on which OS and for which architectures.
DOTNET_SOURCES = {
    # key: (repository, commit, what the file documents)
    "main-2026": ("LadyK-21/dotnet-docker", "82488dbd7a87",
                  "a fork's copy of dotnet/dotnet-docker main: mcr.microsoft.com/dotnet/runtime-deps, .NET 8.0.27/9.0.16/10.0.8"),
    "nightly-2025": ("dotnet/dotnet-docker", "00976348560",
                     "the nightly branch: mcr.microsoft.com/dotnet/nightly/runtime-deps, .NET 8.0.21/9.0.10/10.0 rc.2"),
    "nightly-2022": ("mthalman/dotnet-docker", "811467849941",
                     "a fork's copy of the nightly branch: .NET 3.1.25/5.0.17/6.0.6"),
    "main-2021": ("dotnet/dotnet-docker", "d46b52539157",
                  "main: mcr.microsoft.com/dotnet/runtime-deps, .NET 3.1.18/5.0.9, 6.0 preview.7"),
    # Not a listing: the readme template that says where the `aot` variants are published.
    "aot-template": ("dotnet/dotnet-docker", "05cbd49b7012",
                     "eng/readme-templates/About.variants.md: `aot` images are only available as a "
                     "preview in the dotnet/nightly/sdk and dotnet/nightly/runtime-deps repos"),
}
NIGHTLY_SOURCES = ("nightly-2025", "nightly-2022", "aot-template")
DOTNET_REPOSITORIES = ("runtime-deps", "mcr.microsoft.com/dotnet/runtime-deps")
DOTNET_NIGHTLY_REPOSITORY = "mcr.microsoft.com/dotnet/nightly/runtime-deps"

# Tags that stay aliases of the release they are built on: no Dockerfile of theirs was found
# in the code index (3.1/5.0 use the shared src/runtime-deps/3.1/<os>/ files, most of them
# not stored; 10.0-alpine3.22 has only its -extra arm32v7 Dockerfile stored). The aliases say
# less than an entry would: the release's data, not the image's contents.
DOTNET_TAGS = (
    # (tag, our release id, DOTNET_SOURCES keys that list it with that OS)
    ("10.0-alpine3.22", "alpine-3.22", ("nightly-2025",)),
    ("5.0", "debian-10", ("nightly-2022", "main-2021")),
    ("5.0-buster-slim", "debian-10", ("nightly-2022", "main-2021")),
    ("5.0-bullseye-slim", "debian-11", ("nightly-2022",)),
    ("5.0-focal", "ubuntu-20.04", ("nightly-2022", "main-2021")),
    ("3.1", "debian-10", ("nightly-2022", "main-2021")),
    ("3.1-buster-slim", "debian-10", ("nightly-2022", "main-2021")),
    ("3.1-bullseye-slim", "debian-11", ("nightly-2022",)),
    ("3.1-focal", "ubuntu-20.04", ("nightly-2022", "main-2021")),
    ("3.1-bionic", "ubuntu-18.04", ("nightly-2022", "main-2021")),
)

# Dockerfile architecture directories -> our keys.
DOCKER_ARCHES = {"amd64": "x86_64", "arm64v8": "aarch64", "arm32v7": "armv7l"}


def _image(tag, release, style, contents, files, listed, *, also=(), arches=None, note=None):
    """One runtime-deps tag family.

    tag: `<version>-<os>[-variant]`, which is also the Dockerfile's directory
    (src/runtime-deps/<version>/<os>[-variant]/<arch>/Dockerfile); also: other tags of the
    same image (`8.0` for `8.0-bookworm-slim`); release: the release the image is built on;
    style: `apt` (Debian/Ubuntu + packages), `chisel` (Ubuntu Chiseled, FROM scratch) or
    `apk` (Alpine + packages); contents: the packages (apt/apk) or slices (chisel) the
    Dockerfile installs, exactly as it names them; files: Dockerfile architecture directory ->
    full commit of the version read in dotnet/dotnet-docker; arches: the architecture
    directories the image is built for (default: those of `files`), where one without a file
    read takes its contents from the first one read (the per-architecture Dockerfiles are
    generated from one template); listed: DOTNET_SOURCES keys documenting the tag; note:
    what differs between the versions read.
    """
    version, _, rest = tag.partition("-")
    return {
        "tag": tag, "version": version, "dir": rest, "release": release, "style": style,
        "contents": tuple(contents), "files": dict(files),
        "arches": tuple(arches) if arches is not None else tuple(files),
        "listed": tuple(listed), "also": tuple(also), "note": note,
    }


_MAIN_NIGHTLY = ("main-2026", "nightly-2025")
_NOT_LISTED = (
    "tag listed in dotnet-docker README listings of .NET 6.0.26-6.0.35 that the code index holds "
    "without a citable commit"
)
_PRE_RELEASE = (
    "the stored versions of the {arch} Dockerfile ({commits}) predate the release (they still "
    "name {names}), so the {template} one is used"
)
DOTNET_IMAGES = (
    # Debian slim (apt), sonames from the Debian package data.
    _image("6.0-bullseye-slim", "debian-11", "apt",
           ("ca-certificates", "libc6", "libgcc1", "libgssapi-krb5-2", "libicu67", "libssl1.1", "libstdc++6", "zlib1g"),
           {"amd64": "025d0e80d326a8c4db5a1c6fe455a5917732d8a7",
            "arm64v8": "372bb5535b388bfe1d2c7d12f1aab49c35b02f86",
            "arm32v7": "b4d90205c2c5d7a4fe3460d17a95e3e7d4942bd9"},
           ("nightly-2022", "main-2021"), also=("6.0",)),
    _image("8.0-bookworm-slim", "debian-12", "apt",
           ("ca-certificates", "libc6", "libgcc-s1", "libicu72", "libssl3", "libstdc++6", "tzdata", "zlib1g"),
           {"arm64v8": "e438e5c38f6a4280a8a7a2012a08d697a0725bbe",
            "arm32v7": "e438e5c38f6a4280a8a7a2012a08d697a0725bbe"},
           _MAIN_NIGHTLY, also=("8.0",), arches=("amd64", "arm64v8", "arm32v7"),
           note=_PRE_RELEASE.format(arch="amd64", commits="6c62d36f41ce, 00fae32bb0b7",
                                    names="libgcc1 and libgssapi-krb5-2, or libicu67 and libssl1.1",
                                    template="arm64v8")),
    _image("9.0-bookworm-slim", "debian-12", "apt",
           ("ca-certificates", "libc6", "libgcc-s1", "libicu72", "libssl3", "libstdc++6", "tzdata"),
           {"amd64": "5c55bb19d03334f3a771bace9b17982d639b4b30",
            "arm64v8": "ade8604c2f32c1ae5f3e4ef13e3b60705521e690",
            "arm32v7": "df689816aca3c5a3eb57117f714aceb0a2782869"},
           _MAIN_NIGHTLY, also=("9.0",)),
    # Ubuntu (apt), sonames stated from the package names.
    _image("6.0-focal", "ubuntu-20.04", "apt",
           ("ca-certificates", "libc6", "libgcc1", "libgssapi-krb5-2", "libicu66", "libssl1.1", "libstdc++6", "zlib1g"),
           {"amd64": "f071855e60f432682b38a93a89a4b77bc0079088",
            "arm32v7": "0413bd00a2530009394d0fd0a0542491c31db4e0"},
           ("nightly-2022", "main-2021"), arches=("amd64", "arm64v8", "arm32v7"),
           note="nightly-2022 lists arm64v8 with src/runtime-deps/3.1/focal/arm64v8/Dockerfile, which was not read"),
    _image("6.0-jammy", "ubuntu-22.04", "apt",
           ("ca-certificates", "libc6", "libgcc1", "libgssapi-krb5-2", "libicu70", "libssl3", "libstdc++6", "zlib1g"),
           {"amd64": "dcc508d238cd221147038362760c453134085c36",
            "arm64v8": "dcc508d238cd221147038362760c453134085c36",
            "arm32v7": "372bb5535b388bfe1d2c7d12f1aab49c35b02f86"},
           ("nightly-2022",)),
    _image("8.0-jammy", "ubuntu-22.04", "apt",
           ("ca-certificates", "libc6", "libgcc-s1", "libicu70", "libssl3", "libstdc++6", "tzdata", "zlib1g"),
           {"arm32v7": "edb6f7679528a2f5697e2d09b8e8eceb9ac1dea2"},
           _MAIN_NIGHTLY, arches=("amd64", "arm64v8", "arm32v7"),
           note=_PRE_RELEASE.format(arch="amd64 and arm64v8",
                                    commits="aa24687b3526, 0413bd00a253; d05c687dff5d, 4c3f51614a2b",
                                    names="libgcc1 and libgssapi-krb5-2, without tzdata", template="arm32v7")),
    _image("8.0-noble", "ubuntu-24.04", "apt",
           ("ca-certificates", "libc6", "libgcc-s1", "libicu74", "libssl3t64", "libstdc++6", "tzdata", "zlib1g"),
           {"amd64": "b27787641cd3caf586428b3d6e9b841fe1ae1ad4",
            "arm64v8": "b43151a46fe6b82bd1734a878c7a711a48ac2b1b"},
           _MAIN_NIGHTLY,
           note="the amd64 version read names libssl3, the package's name before Ubuntu 24.04's 64-bit "
                "time_t rename to libssl3t64 (arm64v8 version); same sonames"),
    _image("9.0-noble", "ubuntu-24.04", "apt",
           ("ca-certificates", "libc6", "libgcc-s1", "libicu74", "libssl3t64", "libstdc++6", "tzdata"),
           {"arm64v8": "6a5c8c478fe12e8d016cc05b2f180b2e61888583"},
           _MAIN_NIGHTLY, arches=("amd64", "arm64v8", "arm32v7")),
    _image("10.0-noble", "ubuntu-24.04", "apt",
           ("ca-certificates", "libc6", "libgcc-s1", "libicu74", "libssl3t64", "libstdc++6", "tzdata", "tzdata-legacy"),
           {"arm32v7": "bfd5a4cfd006355db213ce5ccb9d91a06f90f11f"},
           ("main-2026", "nightly-2025"), also=("10.0",), arches=("amd64", "arm64v8", "arm32v7")),
    _image("10.0-resolute", "ubuntu-26.04", "apt",
           ("ca-certificates", "libc6", "libgcc-s1", "libicu78", "libssl3t64", "libstdc++6", "tzdata", "tzdata-legacy"),
           {"amd64": "70f61d19a77ea5a9f72a8991b59edbbfad1666b9"},
           ("main-2026",), arches=("amd64", "arm64v8", "arm32v7")),
    # Ubuntu Chiseled (chisel slices, FROM scratch): complete soname sets.
    _image("6.0-jammy-chiseled", "ubuntu-22.04", "chisel",
           ("base-files_base", "base-files_release-info", "ca-certificates_data", "libc6_libs",
            "libgcc-s1_libs", "libssl3_libs", "libstdc++6_libs", "zlib1g_libs"),
           {"amd64": "ffef0f1690556765a62825ece0b78bcab51c2213",
            "arm64v8": "4b0f1a4e7e8ca0133c8f6638ddf5f6aa610fe90e",
            "arm32v7": "ffef0f1690556765a62825ece0b78bcab51c2213"},
           (), note=_NOT_LISTED),
    _image("6.0-jammy-chiseled-extra", "ubuntu-22.04", "chisel",
           ("base-files_base", "base-files_release-info", "ca-certificates_data", "libc6_libs",
            "libgcc-s1_libs", "libicu70_libs", "libssl3_libs", "libstdc++6_libs", "tzdata_zoneinfo",
            "tzdata_zoneinfo-icu", "zlib1g_libs"),
           {"amd64": "5abfe111b606dff9f3d981664230268bcfd709f1",
            "arm64v8": "4b0f1a4e7e8ca0133c8f6638ddf5f6aa610fe90e",
            "arm32v7": "a0bfd33a7e423629522d7ed36872b322dd760b7f"},
           (), note=_NOT_LISTED),
    _image("8.0-jammy-chiseled", "ubuntu-22.04", "chisel",
           ("base-files_base", "base-files_release-info", "ca-certificates_data", "libc6_libs",
            "libgcc-s1_libs", "libssl3_libs", "libstdc++6_libs", "zlib1g_libs"),
           {"amd64": "8eaf5912bcac1b06a070546d096bf90f1aafa222",
            "arm64v8": "8eaf5912bcac1b06a070546d096bf90f1aafa222",
            "arm32v7": "8eaf5912bcac1b06a070546d096bf90f1aafa222"},
           _MAIN_NIGHTLY),
    _image("8.0-jammy-chiseled-extra", "ubuntu-22.04", "chisel",
           ("base-files_base", "base-files_release-info", "ca-certificates_data", "libc6_libs",
            "libgcc-s1_libs", "libicu70_libs", "libssl3_libs", "libstdc++6_libs", "tzdata_zoneinfo",
            "tzdata_zoneinfo-icu", "zlib1g_libs"),
           {"amd64": "8eaf5912bcac1b06a070546d096bf90f1aafa222",
            "arm64v8": "8eaf5912bcac1b06a070546d096bf90f1aafa222",
            "arm32v7": "8eaf5912bcac1b06a070546d096bf90f1aafa222"},
           _MAIN_NIGHTLY),
    _image("8.0-jammy-chiseled-aot", "ubuntu-22.04", "chisel",
           ("base-files_base", "base-files_release-info", "ca-certificates_data", "libc6_libs",
            "libgcc-s1_libs", "libssl3_libs", "zlib1g_libs"),
           {"amd64": "ee390669cb99b9e4e993c8a30f89d5c1d41c69ea",
            "arm64v8": "dc9eca489156170a6e903f73c7b78aa8dd4ba575",
            "arm32v7": "ee390669cb99b9e4e993c8a30f89d5c1d41c69ea"},
           ("aot-template",)),
    _image("8.0-noble-chiseled", "ubuntu-24.04", "chisel",
           ("base-files_base", "base-files_release-info", "ca-certificates_data", "libc6_libs",
            "libgcc-s1_libs", "libssl3t64_libs", "libstdc++6_libs", "zlib1g_libs"),
           {"amd64": "49e3d7f0a2ce8df328cfb6bca5c54efe9c8e0cb2",
            "arm64v8": "49e3d7f0a2ce8df328cfb6bca5c54efe9c8e0cb2"},
           _MAIN_NIGHTLY),
    _image("8.0-noble-chiseled-extra", "ubuntu-24.04", "chisel",
           ("base-files_base", "base-files_release-info", "ca-certificates_data", "libc6_libs",
            "libgcc-s1_libs", "libicu74_libs", "libssl3t64_libs", "libstdc++6_libs", "tzdata_zoneinfo",
            "zlib1g_libs"),
           {"amd64": "49e3d7f0a2ce8df328cfb6bca5c54efe9c8e0cb2",
            "arm64v8": "49e3d7f0a2ce8df328cfb6bca5c54efe9c8e0cb2"},
           _MAIN_NIGHTLY),
    _image("8.0-noble-chiseled-aot", "ubuntu-24.04", "chisel",
           ("base-files_base", "base-files_release-info", "ca-certificates_data", "libc6_libs",
            "libgcc-s1_libs", "libssl3t64_libs", "zlib1g_libs"),
           {"amd64": "44b9ac2c4ff5e5aefa207aa225f3a689c5314201",
            "arm64v8": "4a89e5941edad354de6c108c192ff03bedffa1d4",
            "arm32v7": "711e647bfb32d735b1c618a458bf4dba6f269180"},
           ("aot-template",)),
    _image("9.0-noble-chiseled", "ubuntu-24.04", "chisel",
           ("base-files_base", "base-files_release-info", "ca-certificates_data", "libc6_libs",
            "libgcc-s1_libs", "libssl3t64_libs", "libstdc++6_libs"),
           {"amd64": "b63cef79008046dd2c3dd27e8c5ba5af261cdee7",
            "arm64v8": "54b58debb1908e1c567386be3d27c1d70d12731d",
            "arm32v7": "1603e7d1f5a29974a3940bb5488c96ad43abd96c"},
           _MAIN_NIGHTLY),
    _image("9.0-noble-chiseled-extra", "ubuntu-24.04", "chisel",
           ("base-files_base", "base-files_release-info", "ca-certificates_data", "libc6_libs",
            "libgcc-s1_libs", "libicu74_libs", "libssl3t64_libs", "libstdc++6_libs",
            "tzdata-legacy_zoneinfo", "tzdata_zoneinfo"),
           {"amd64": "906f02de9794775815623f00d2845bc72c0f0e32",
            "arm64v8": "1603e7d1f5a29974a3940bb5488c96ad43abd96c",
            "arm32v7": "050a351859bde44d7e77a5372673f6e2e163d635"},
           _MAIN_NIGHTLY,
           note="an older arm32v7 version (c799e7100035) still has zlib1g_libs and no tzdata-legacy_zoneinfo"),
    _image("9.0-noble-chiseled-aot", "ubuntu-24.04", "chisel",
           ("base-files_base", "base-files_release-info", "ca-certificates_data", "libc6_libs",
            "libgcc-s1_libs", "libssl3t64_libs"),
           {"amd64": "ed1a17a211806b21b421d2017ab77abdd3c6e46f",
            "arm64v8": "05682623df842554333c0144423d5083530180a5",
            "arm32v7": "26b993dba8a8dd0d6bdcbbf2959f3cd5bab4c250"},
           ("aot-template",)),
    _image("10.0-noble-chiseled", "ubuntu-24.04", "chisel",
           ("base-files_base", "base-files_chisel", "base-files_release-info", "ca-certificates_data",
            "libc6_libs", "libgcc-s1_libs", "libssl3t64_libs", "libstdc++6_libs"),
           {"amd64": "90964d7457674d785656d950624fe2f760ba6cd2",
            "arm64v8": "58e7f58a0a2e1ce57d3158672eacfd14e86f19b2",
            "arm32v7": "ecd232eccf688d38c33a950e1e509f98a2617802"},
           _MAIN_NIGHTLY),
    _image("10.0-noble-chiseled-extra", "ubuntu-24.04", "chisel",
           ("base-files_base", "base-files_chisel", "base-files_release-info", "ca-certificates_data",
            "libc6_libs", "libgcc-s1_libs", "libicu74_libs", "libssl3t64_libs", "libstdc++6_libs",
            "tzdata-legacy_zoneinfo", "tzdata_zoneinfo"),
           {"amd64": "f132676d70594f974a4bea583230cb6f709b9202",
            "arm64v8": "dce2d4d32cd272f8a76c60173b3fbc5e08448ed6",
            "arm32v7": "b98688ef4c47989e02b19622f87b7d5ff5ac7522"},
           _MAIN_NIGHTLY),
    _image("10.0-resolute-chiseled", "ubuntu-26.04", "chisel",
           ("base-files_base", "base-files_chisel", "base-files_release-info", "ca-certificates_data",
            "libc6_libs", "libgcc-s1_libs", "libssl3t64_libs", "libstdc++6_libs"),
           {"amd64": "11ce47cadcbc86fa295b83aa785d766500e4f577",
            "arm64v8": "11ce47cadcbc86fa295b83aa785d766500e4f577",
            "arm32v7": "11ce47cadcbc86fa295b83aa785d766500e4f577"},
           ("main-2026",)),
    _image("10.0-resolute-chiseled-extra", "ubuntu-26.04", "chisel",
           ("base-files_base", "base-files_chisel", "base-files_release-info", "ca-certificates_data",
            "libc6_libs", "libgcc-s1_libs", "libicu78_libs", "libssl3t64_libs", "libstdc++6_libs",
            "tzdata-legacy_zoneinfo", "tzdata_zoneinfo"),
           {"amd64": "5cf4f0cf5357e60cc3568fc2eff1f9b71a246c5d",
            "arm64v8": "5ec6563dd6024d57b7a57fc21931382bde0cbab6",
            "arm32v7": "11ce47cadcbc86fa295b83aa785d766500e4f577"},
           ("main-2026",)),
    # Alpine (apk).
    _image("8.0-alpine3.21", "alpine-3.21", "apk",
           ("ca-certificates-bundle", "libgcc", "libssl3", "libstdc++", "zlib"),
           {"amd64": "3c1051e888362161d38318c83f9a264a6df5355f",
            "arm64v8": "4f39b607e7f636811d76ace3a1f16e1a4f8c3380",
            "arm32v7": "d992bbd2da8ccbe45fbcc767a94b1615c5679ad8"},
           ("nightly-2025",), note="the amd64 version read names libssl (the arm64v8 and arm32v7 ones libssl3)"),
    _image("8.0-alpine3.21-extra", "alpine-3.21", "apk",
           ("ca-certificates-bundle", "icu-data-full", "icu-libs", "libgcc", "libssl", "libstdc++", "tzdata", "zlib"),
           {"amd64": "3c1051e888362161d38318c83f9a264a6df5355f"},
           ("nightly-2025",), arches=("amd64", "arm64v8", "arm32v7")),
    _image("8.0-alpine3.21-aot", "alpine-3.21", "apk",
           ("ca-certificates-bundle", "libgcc", "libssl", "zlib"),
           {"amd64": "3c1051e888362161d38318c83f9a264a6df5355f"},
           ("aot-template",), arches=("amd64", "arm64v8", "arm32v7")),
    _image("8.0-alpine3.22", "alpine-3.22", "apk",
           ("ca-certificates-bundle", "libgcc", "libssl", "libstdc++", "zlib"),
           {"amd64": "a2546a9ee204417f57b53093322707da3540785b"},
           ("nightly-2025",), arches=("amd64", "arm64v8", "arm32v7"),
           note="the stored arm64v8 version (9edd76247e1f) is FROM alpine:3.23 (the directory's move to 3.23)"),
    _image("8.0-alpine3.22-extra", "alpine-3.22", "apk",
           ("ca-certificates-bundle", "icu-data-full", "icu-libs", "libgcc", "libssl3", "libstdc++", "tzdata", "zlib"),
           {"amd64": "ffeed8fb10161551cff52f99388656005d2457e8"},
           ("nightly-2025",), arches=("amd64", "arm64v8", "arm32v7"),
           note="every stored version of this directory is FROM alpine:3.23 (the directory's move to 3.23); "
                "its package list is the one used here, the base is nightly-2025's Alpine 3.22"),
    _image("9.0-alpine3.21", "alpine-3.21", "apk",
           ("ca-certificates-bundle", "libgcc", "libssl3", "libstdc++"),
           {"amd64": "d992bbd2da8ccbe45fbcc767a94b1615c5679ad8"},
           ("nightly-2025",), arches=("amd64", "arm64v8", "arm32v7")),
    _image("9.0-alpine3.21-extra", "alpine-3.21", "apk",
           ("ca-certificates-bundle", "icu-data-full", "icu-libs", "libgcc", "libssl", "libstdc++", "tzdata"),
           {"amd64": "3c1051e888362161d38318c83f9a264a6df5355f"},
           ("nightly-2025",), arches=("amd64", "arm64v8", "arm32v7")),
    _image("9.0-alpine3.21-aot", "alpine-3.21", "apk",
           ("ca-certificates-bundle", "libgcc", "libssl"),
           {"amd64": "3c1051e888362161d38318c83f9a264a6df5355f"},
           ("aot-template",), arches=("amd64", "arm64v8", "arm32v7")),
    _image("9.0-alpine3.22", "alpine-3.22", "apk",
           ("ca-certificates-bundle", "libgcc", "libssl", "libstdc++"),
           {"amd64": "a2546a9ee204417f57b53093322707da3540785b"},
           ("nightly-2025",), arches=("amd64", "arm64v8", "arm32v7")),
    _image("9.0-alpine3.22-extra", "alpine-3.22", "apk",
           ("ca-certificates-bundle", "icu-data-full", "icu-libs", "libgcc", "libssl3", "libstdc++", "tzdata"),
           {"amd64": "1dda3ec5ec804c213fd694e5e022c9500fd11bc5"},
           ("nightly-2025",), arches=("amd64", "arm64v8", "arm32v7")),
    _image("10.0-alpine3.22-extra", "alpine-3.22", "apk",
           ("ca-certificates-bundle", "icu-data-full", "icu-libs", "libgcc", "libssl3", "libstdc++", "tzdata"),
           {"arm32v7": "d2401d0f2ae676c1dbd0d685ccfe917d2e406674"},
           ("nightly-2025",), arches=("amd64", "arm64v8", "arm32v7")),
)

# glibc's libc6 package, as the chisel slice libc6_libs selects it (every library of the
# package in the loader's directories): the loader of the architecture, these, and libmvec
# where glibc builds it. check_libc6_list() asserts that the measured Debian libc6 of glibc
# 2.36, 2.41 and 2.43 (glibc-db/debian/) holds exactly these sonames, so the list is that of
# every glibc >= 2.34 (libc_malloc_debug is new in 2.34, libSegFault gone in 2.35).
LIBC6_LIBS = (
    "libBrokenLocale.so.1", "libanl.so.1", "libc.so.6", "libc_malloc_debug.so.0", "libdl.so.2",
    "libm.so.6", "libmemusage.so", "libnsl.so.1", "libnss_compat.so.2", "libnss_dns.so.2",
    "libnss_files.so.2", "libnss_hesiod.so.2", "libpcprofile.so", "libpthread.so.0",
    "libresolv.so.2", "librt.so.1", "libthread_db.so.1", "libutil.so.1",
)
# Where libmvec.so.1 exists (libc6_libs: `libmvec.so.*: {arch: amd64}` in the 22.04 slices,
# `{arch: [amd64, arm64]}` in the later ones; measured Debian: x86_64 only at glibc 2.36,
# x86_64 and aarch64 at 2.41). Releases not listed get only pep600's measured glibc core.
LIBMVEC_ARCHES = {
    "ubuntu-22.04": ("x86_64",),
    "ubuntu-24.04": ("x86_64", "aarch64"),
    "ubuntu-26.04": ("x86_64", "aarch64"),
}

# Package -> the sonames it ships in the loader's directories. Stated from the package names
# (the soname is in the name); check_package_sonames() asserts every mapping against the
# measured Debian packages of the same name where glibc-db/debian/ has one.
PACKAGE_SONAMES = {
    "libgcc-s1": ("libgcc_s.so.1",),
    "libstdc++6": ("libstdc++.so.6",),
    "zlib1g": ("libz.so.1",),
    "libssl1.1": ("libcrypto.so.1.1", "libssl.so.1.1"),
    "libssl3": ("libcrypto.so.3", "libssl.so.3"),
    "libssl3t64": ("libcrypto.so.3", "libssl.so.3"),
    "libzstd1": ("libzstd.so.1",),
    "libgssapi-krb5-2": ("libgssapi_krb5.so.2",),
    "libkrb5-3": ("libkrb5.so.3",),
    "libk5crypto3": ("libk5crypto.so.3",),
    "libkrb5support0": ("libkrb5support.so.0",),
    "libcom-err2": ("libcom_err.so.2",),
    "libkeyutils1": ("libkeyutils.so.1",),
}
ICU_PACKAGE = re.compile(r"^libicu(\d+)$")
ICU_LIBS = ("libicudata", "libicui18n", "libicuio", "libicutest", "libicutu", "libicuuc")
# Packages without libraries in the loader's directories.
PACKAGES_WITHOUT_LIBS = frozenset({"ca-certificates", "tzdata", "tzdata-legacy"})
# Transitional package -> the package it installs.
PACKAGE_RENAMES = {"libgcc1": "libgcc-s1"}
# Depends that add libraries (stated; apt installs them with the package). Release-specific
# ones first: Ubuntu 26.04's OpenSSL 3.5 links zstd and zlib (its libssl3t64_libs slice needs
# libzstd1_libs and zlib1g_libs, canonical/chisel-releases @ cf42aeb0f89b).
PACKAGE_DEPENDS = {
    "libgcc1": ("libgcc-s1",),
    "libstdc++6": ("libgcc-s1",),
    "libgssapi-krb5-2": ("libkrb5-3", "libk5crypto3", "libkrb5support0", "libcom-err2"),
    "libkrb5-3": ("libk5crypto3", "libkrb5support0", "libcom-err2", "libkeyutils1"),
}
RELEASE_DEPENDS = {"ubuntu-26.04": {"libssl3t64": ("libzstd1", "zlib1g")}}

# Chisel slices: slice -> package whose libraries it carries, and the slices it needs
# (`essential`), as the slice definitions of canonical/chisel-releases say (CHISEL_SOURCES).
CHISEL_LIB_SLICES = {
    "libc6_libs": "libc6",
    "libgcc-s1_libs": "libgcc-s1",
    "libstdc++6_libs": "libstdc++6",
    "zlib1g_libs": "zlib1g",
    "libssl3_libs": "libssl3",
    "libssl3t64_libs": "libssl3t64",
    "libzstd1_libs": "libzstd1",
    "libicu70_libs": "libicu70",
    "libicu74_libs": "libicu74",
    "libicu78_libs": "libicu78",
}
CHISEL_ESSENTIALS = {
    "libgcc-s1_libs": ("libc6_libs",),
    "libstdc++6_libs": ("libc6_libs", "libgcc-s1_libs"),
    "zlib1g_libs": ("libc6_libs",),
    "libssl3_libs": ("libc6_libs",),
    "libssl3t64_libs": ("libc6_libs",),
    "libzstd1_libs": ("libc6_libs",),
    "libicu70_libs": ("libc6_libs", "libgcc-s1_libs", "libstdc++6_libs"),
    "libicu74_libs": ("libc6_libs", "libgcc-s1_libs", "libstdc++6_libs"),
    "libicu78_libs": ("libc6_libs", "libgcc-s1_libs", "libstdc++6_libs"),
}
CHISEL_RELEASE_ESSENTIALS = {
    "ubuntu-26.04": {"libssl3t64_libs": ("libc6_libs", "libzstd1_libs", "zlib1g_libs")},
}
# Slices that carry no library (files under /etc, /usr/share, /var).
CHISEL_SLICES_WITHOUT_LIBS = frozenset({
    "base-files_base", "base-files_chisel", "base-files_release-info", "ca-certificates_data",
    "tzdata_zoneinfo", "tzdata_zoneinfo-icu", "tzdata-legacy_zoneinfo",
})
# Where the slice definitions were read. The code index does not say which branch a stored
# version belongs to; each is placed by its content (paths, package versions).
CHISEL_SOURCES = {
    "ubuntu-22.04": (
        "canonical/chisel-releases @ 05b85a89ad97 slices/libc6.yaml and slices/libicu70.yaml (22.04: "
        "/lib paths, libicu70; libmvec commented out there, 'only available on amd64') and "
        "rebornplusplus/chisel-releases @ 2007a788d21f slices/libc6.yaml (a copy whose chisel.yaml "
        "is ubuntu 22.04: libmvec.so.* {arch: amd64})"
    ),
    "ubuntu-24.04": (
        "canonical/chisel-releases @ 52fd99dd9f36 slices/libicu74.yaml, @ 0233e5dba4fa "
        "slices/{libc6,libgcc-s1,libstdc++6,zlib1g}.yaml (libmvec.so.* {arch: [amd64, arm64]}), "
        "lczyk/chisel-releases @ 63745835d56d slices/libssl3t64.yaml (libssl.so.*, libcrypto.so.*, "
        "needing libc6_libs only)"
    ),
    "ubuntu-26.04": (
        "canonical/chisel-releases @ 1975aa403e9a slices/libicu78.yaml and slices/libzstd1.yaml, "
        "@ cf42aeb0f89b slices/libssl3t64.yaml (needs libc6_libs, libzstd1_libs, zlib1g_libs and "
        "openssl-provider-legacy_libs, a module outside the loader's directories), @ 0233e5dba4fa "
        "slices/{libc6,libgcc-s1,libstdc++6}.yaml"
    ),
}

# Alpine packages -> sonames (stated from the package names). The base image holds libssl3,
# libcrypto3 and zlib (docker-library/repo-info repos/alpine/local/<file> @ 7859ce442d87, as
# distro-facts.md's Alpine rows record), so every Alpine-based tag has their sonames.
ALPINE_PACKAGE_SONAMES = {
    "libcrypto3": ("libcrypto.so.3",),
    "libgcc": ("libgcc_s.so.1",),
    "libssl3": ("libssl.so.3",),
    "libstdc++": ("libstdc++.so.6",),
    "zlib": ("libz.so.1",),
}
ALPINE_RENAMES = {"libssl": "libssl3"}  # the name some Dockerfiles use for OpenSSL 3's libssl3
ALPINE_BASE_PACKAGES = ("libcrypto3", "libssl3", "zlib")
ALPINE_PACKAGES_WITHOUT_LIBS = frozenset({"ca-certificates-bundle", "tzdata", "icu-data-full"})
# icu-libs: Alpine 3.21/3.22's ICU version (hence the sonames) is not verified anywhere here
# (distro-facts.md marks it †), so its libraries stay unknown.
ALPINE_PACKAGES_UNKNOWN = frozenset({"icu-libs"})

# Symbol-version family -> the library that defines it; a family whose library the image
# lacks is dropped from the image's `versions`.
FAMILY_LIBRARY = {
    "GLIBCXX": "libstdc++.so.6",
    "CXXABI": "libstdc++.so.6",
    "GCC": "libgcc_s.so.1",
    "LIBATOMIC": "libatomic.so.1",
    "ZLIB": "libz.so.1",
}
IMAGE_ARCHITECTURES_SOURCE = (
    "dotnet/dotnet-docker: one Dockerfile per architecture the image is built for "
    "(amd64, arm64v8, arm32v7), and the tag listings"
)


def dotnet_aliases() -> dict[str, list[str]]:
    """Release id -> runtime-deps aliases of the tags that stay aliases, in DOTNET_TAGS order."""
    result: dict[str, list[str]] = {}
    for tag, release_id, sources in DOTNET_TAGS:
        for key in sources:
            if key not in DOTNET_SOURCES:
                raise GenerateError(f"DOTNET_TAGS {tag}: unknown source {key!r}")
        for repository in DOTNET_REPOSITORIES:
            result.setdefault(release_id, []).append(f"{repository}:{tag}")
    return result


def icu_sonames(package: str) -> tuple[str, ...] | None:
    m = ICU_PACKAGE.match(package)
    return tuple(f"{lib}.so.{m[1]}" for lib in ICU_LIBS) if m else None


def package_sonames(package: str) -> tuple[str, ...] | None:
    """The sonames a Debian/Ubuntu package ships; () if none; None if not known here."""
    if package in PACKAGES_WITHOUT_LIBS:
        return ()
    return PACKAGE_SONAMES.get(package) or icu_sonames(package)


def libc6_sonames(release_id: str, arch: str) -> list[str]:
    loader = INTERPRETERS[arch].rsplit("/", 1)[1]
    mvec = ["libmvec.so.1"] if arch in LIBMVEC_ARCHES[release_id] else []
    return [loader, *(s for s in LIBC6_LIBS if s not in ARCH_SKIPS.get(arch, ())), *mvec]


def check_libc6_list(debian: dict[str, dict[str, tuple[dict, str]]]) -> int:
    """Asserts LIBC6_LIBS against the measured libc6 of glibc >= 2.34; returns how many arches."""
    checked = 0
    for release_id, arches in sorted(debian.items()):
        for arch, (packages, described) in sorted(arches.items()):
            libc6 = {s for s, info in packages.items() if info["package"] == "libc6"}
            if "libSegFault.so" in libc6:  # glibc < 2.35 (bullseye): another list
                continue
            loader = INTERPRETERS[arch].rsplit("/", 1)[1]
            # loongarch64 has no compat libanl/libnsl/libutil (ARCH_SKIPS).
            expected = ({loader, *LIBC6_LIBS} - set(ARCH_SKIPS.get(arch, ()))) | ({"libmvec.so.1"} & libc6)
            if libc6 != expected:
                raise GenerateError(
                    f"{described} {arch}: libc6 ships {sorted(libc6 ^ expected)} unlike LIBC6_LIBS"
                )
            checked += 1
    if not checked:
        raise GenerateError("no Debian libc6 of glibc >= 2.35 to check LIBC6_LIBS against")
    return checked


def check_package_sonames(debian: dict[str, dict[str, tuple[dict, str]]]) -> None:
    """Every stated package -> sonames mapping that the measured Debian data has must agree."""
    for release_id, arches in sorted(debian.items()):
        for arch, (packages, described) in sorted(arches.items()):
            shipped: dict[str, set[str]] = {}
            for soname, info in packages.items():
                shipped.setdefault(info["package"], set()).add(soname)
            for package, sonames in sorted(shipped.items()):
                stated = package_sonames(package)
                if stated is not None and set(stated) != sonames:
                    raise GenerateError(
                        f"{described} {arch}: {package} ships {sorted(sonames)}, "
                        f"PACKAGE_SONAMES says {sorted(stated)}"
                    )


def _closure(names, edges, extra=None) -> list[str]:
    seen: list[str] = []
    todo = list(names)
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.append(name)
        todo.extend((extra or {}).get(name) or edges.get(name, ()))
    return seen


def _ordered_present(interpreter: str, sonames) -> list[str]:
    """Loader first, then glibc core, then the C++/GCC runtimes, then the rest sorted."""
    loader = interpreter.rsplit("/", 1)[-1]
    names = set(sonames)
    first = [s for s in [loader, *sorted(GLIBC_CORE), *(lib for _, lib in RUNTIME_BY_FAMILY)] if s in names]
    return first + sorted(names - set(first))


def _dockerfile(img: dict, docker_arch: str) -> str:
    return f"src/runtime-deps/{img['version']}/{img['dir']}/{docker_arch}/Dockerfile"


def dotnet_image_entry(img: dict, by_id: dict[str, dict], debian: dict) -> dict:
    where = f"DOTNET_IMAGES {img['tag']}"
    base = by_id.get(img["release"])
    if base is None:
        raise GenerateError(f"{where}: unknown release {img['release']}")
    for key in img["listed"]:
        if key not in DOTNET_SOURCES:
            raise GenerateError(f"{where}: unknown source {key!r}")
    unknown = set(img["arches"]) - set(DOCKER_ARCHES)
    if unknown or not set(img["files"]) <= set(img["arches"]) or not img["files"]:
        raise GenerateError(f"{where}: bad architectures {img['arches']} / files {sorted(img['files'])}")
    template = next(a for a in DOCKER_ARCHES if a in img["files"])
    contents = ", ".join(img["contents"])
    listed = "; ".join(
        f"{DOTNET_SOURCES[k][0]} @ {DOTNET_SOURCES[k][1]} ({k})" for k in img["listed"]
    ) or "no listing read"
    style, release_id = img["style"], img["release"]

    arches = {}
    for docker_arch, arch in DOCKER_ARCHES.items():
        if docker_arch not in img["arches"]:
            continue
        base_arch = base["arches"].get(arch)
        if base_arch is None:
            raise GenerateError(f"{where}: {release_id} has no {arch} data")
        sonames: dict[str, dict] = {}  # soname -> package entry

        def add(package: str, names, version=None):
            for soname in names:
                entry = {"package": package}
                if version is not None:
                    entry["version"] = version
                entry["minimal"] = True
                sonames[soname] = entry

        if style == "chisel":
            slices = list(img["contents"])
            for name in slices:
                if name not in CHISEL_LIB_SLICES and name not in CHISEL_SLICES_WITHOUT_LIBS:
                    raise GenerateError(f"{where}: unknown chisel slice {name}")
            lib_slices = _closure(
                [s for s in slices if s in CHISEL_LIB_SLICES],
                CHISEL_ESSENTIALS,
                CHISEL_RELEASE_ESSENTIALS.get(release_id),
            )
            for name in lib_slices:
                package = CHISEL_LIB_SLICES[name]
                names = libc6_sonames(release_id, arch) if package == "libc6" else package_sonames(package)
                add(package, names)
            how = (
                f"sonames: the libraries the slices (and the slices they need) select, stated from "
                f"{CHISEL_SOURCES[release_id]}, with {base['name']}'s library versions; complete: "
                f"the image is FROM scratch plus these slices"
            )
        elif style == "apt" and release_id in debian:
            measured = debian[release_id].get(arch)
            if measured is None:
                raise GenerateError(f"{where}: no Debian package data for {release_id} {arch}")
            packages, described = measured
            by_package: dict[str, list[tuple[str, dict]]] = {}
            for soname, info in packages.items():
                by_package.setdefault(info["package"], []).append((soname, info))
            wanted = {p for p, rows in by_package.items() if any(i.get("minimal") for _, i in rows)}
            named = [PACKAGE_RENAMES.get(p, p) for p in img["contents"]]
            for package in _closure(named, PACKAGE_DEPENDS):
                if package in by_package:
                    wanted.add(package)
                elif package not in PACKAGES_WITHOUT_LIBS and package != "libc6":
                    raise GenerateError(f"{where}: {described} has no {package} for {arch}")
            for package in sorted(wanted):
                for soname, info in by_package[package]:
                    add(package, [soname], info.get("version"))
            how = (
                f"sonames and packages: measured, {described}: the packages of the minimal Debian "
                f"image (debootstrap minbase) and the Dockerfile's packages; other packages of the "
                f"minimal image have no soname data here, so the list is not complete"
            )
        elif style == "apt":
            if release_id in LIBMVEC_ARCHES:
                add("libc6", libc6_sonames(release_id, arch))
                libc_how = "libc6: the glibc library list (LIBC6_LIBS, checked against measured Debian libc6)"
            else:
                core = [base_arch["sonames_present"][0]] + [
                    s for s in GLIBC_CORE if s in base_arch["sonames_present"]
                ]
                add("libc6", core)
                libc_how = f"libc6: the loader and glibc core measured in {release_id}"
            named = [PACKAGE_RENAMES.get(p, p) for p in img["contents"] if p != "libc6"]
            for package in _closure(named, PACKAGE_DEPENDS, RELEASE_DEPENDS.get(release_id)):
                names = package_sonames(package)
                if names is None:
                    raise GenerateError(f"{where}: no sonames known for {package} (PACKAGE_SONAMES)")
                add(package, names)
            how = (
                f"sonames: stated from the package names and their Depends ({libc_how}); the base "
                f"image's other packages are not listed, so the list is not complete"
            )
        elif style == "apk":
            add("musl", base_arch["sonames_present"])
            left_out = []
            for package in (*ALPINE_BASE_PACKAGES, *(ALPINE_RENAMES.get(p, p) for p in img["contents"])):
                if package in ALPINE_PACKAGES_UNKNOWN:
                    left_out.append(package)
                elif package in ALPINE_PACKAGE_SONAMES:
                    add(package, ALPINE_PACKAGE_SONAMES[package])
                elif package not in ALPINE_PACKAGES_WITHOUT_LIBS:
                    raise GenerateError(f"{where}: no sonames known for Alpine package {package}")
            how = (
                f"sonames: {base['id']}'s (musl) plus the base image's libssl3, libcrypto3 and zlib "
                f"(docker-library/repo-info @ {REPO_INFO_REVISION}) and the Dockerfile's packages, "
                f"stated from their names"
                + (f"; {', '.join(left_out)}: left out, the Alpine ICU version is not verified" if left_out else "")
                + "; not complete"
            )
        else:
            raise GenerateError(f"{where}: unknown style {style}")

        complete = style == "chisel"
        present = _ordered_present(base_arch["interpreter"], sonames)
        versions = {}
        for family, tags in base_arch["versions"].items():
            if family == "GLIBC":
                versions[family] = tags
            elif family not in FAMILY_LIBRARY:
                raise GenerateError(f"{where}: no library known for family {family} (FAMILY_LIBRARY)")
            elif FAMILY_LIBRARY[family] in sonames:
                versions[family] = tags
        absent = [] if complete else [s for s in base_arch["sonames_absent"] if s not in sonames]

        if docker_arch in img["files"]:
            file_arch, commit = docker_arch, img["files"][docker_arch]
            read = f"contents ({contents}) read in this Dockerfile"
        else:
            file_arch, commit = template, img["files"][template]
            read = (
                f"this architecture's Dockerfile ({_dockerfile(img, docker_arch)}) is not in the code "
                f"index; contents ({contents}) read in the {template} one, generated from the same template"
            )
        note = (
            f"runtime-deps:{img['tag']} on {base['name']} for {docker_arch}; tag listed by {listed}; "
            f"{read}" + (f"; {img['note']}" if img["note"] else "") + f"; {how}; "
            f"versions (families of libraries the image lacks dropped), libc_version and interpreter: "
            f"{base['id']}'s ({base_arch['source']['dataset']} @ {base_arch['source']['revision']}, "
            f"{base_arch['source']['path']}, {base_arch['source']['method']})"
        )
        arches[arch] = {
            "libc_version": base_arch["libc_version"],
            "interpreter": base_arch["interpreter"],
            "versions": versions,
            "sonames_present": present,
            "sonames_absent": absent,
            "sonames_complete": complete,
            "packages": {s: sonames[s] for s in sorted(sonames)},
            # the image is its base release's userland on the host's kernel: the release's facts
            **{key: base_arch[key] for key in ("glibc_min_kernel", "page_size", "isa_level") if key in base_arch},
            "source": {
                "dataset": "dotnet/dotnet-docker",
                "revision": commit[:12],
                "path": _dockerfile(img, file_arch),
                "method": "stated",
                "note": note,
            },
        }

    aliases = []
    nightly = any(k in NIGHTLY_SOURCES for k in img["listed"])
    aot_only = img["listed"] == ("aot-template",)
    # The short name, then the published ones (an aot image only in the nightly repository).
    repositories = DOTNET_REPOSITORIES[:1] if aot_only else DOTNET_REPOSITORIES
    for tag in (img["tag"], *img["also"]):
        aliases += [f"{repository}:{tag}" for repository in repositories]
        if nightly:
            aliases.append(f"{DOTNET_NIGHTLY_REPOSITORY}:{tag}")
    variant = "chiseled" if style == "chisel" else ""
    flavour = img["dir"].rsplit("-", 1)[1] if img["dir"].endswith(("-extra", "-aot")) else ""
    label = ", ".join(x for x in (base["name"], variant, flavour) if x)
    return {
        "generated_by": generated_by("dotnet/dotnet-docker's runtime-deps Dockerfiles (see README.md)"),
        "id": f"runtime-deps-{img['tag']}",
        "name": f".NET {img['version']} runtime-deps: {label}",
        "distro": "runtime-deps",
        "release": img["tag"],
        "aliases": aliases,
        "rolling": False,
        "kind": "image",
        "libc": base["libc"],
        "libc_version": base["libc_version"],
        "eol": None,
        "eol_source": None,
        "architectures": {
            "built_for": sorted(arches),
            "uncertain": [],
            "source": IMAGE_ARCHITECTURES_SOURCE,
        },
        **({"kernel": base["kernel"]} if "kernel" in base else {}),
        "arches": arches,
    }


# --------------------------------------------------------------------------- Debian packages

# glibc-db/debian/<suite>.json (written by glibc-db/debian/, real Debian
# packages): soname -> providing package, merged into the release measured by
# pep600. Suites and architectures not listed here are not merged.
DEBIAN_DIR = REPO_ROOT / "glibc-db" / "debian"
DEBIAN_SUITES = {
    "bullseye": "debian-11",
    "bookworm": "debian-12",
    "trixie": "debian-13",
    "forky": "debian-testing",
}
DEBIAN_ARCHES = {
    "amd64": "x86_64",
    "i386": "i686",
    "arm64": "aarch64",
    "armhf": "armv7l",
    "ppc64el": "ppc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
    "loong64": "loongarch64",
}


class GenerateError(Exception):
    pass


# --------------------------------------------------------------------------- input


def load_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise GenerateError(f"cannot read {path}: {err}") from err


def read_measurements(pep600: Path) -> dict[str, dict[str, tuple[dict, str, str]]]:
    """pep600 name -> arch -> (raw data, revision, path in pep600's repository)."""
    result: dict[str, dict[str, tuple[dict, str, str]]] = {}

    def add(name: str, arch: str, data: dict, revision: str, local: Path) -> None:
        if arch not in INTERPRETERS:
            raise GenerateError(f"{local}: unknown architecture {arch!r} (add it to INTERPRETERS)")
        arches = result.setdefault(name, {})
        if arch in arches:
            raise GenerateError(f"{local}: {name} {arch} is both in cache/ and removed/")
        arches[arch] = (data, revision, f"cache/{arch}/{name}.json")

    cache = pep600 / "cache"
    for arch_dir in sorted(p for p in cache.iterdir() if p.is_dir()):
        for path in sorted(arch_dir.glob("*.json")):
            add(path.stem, arch_dir.name, load_json(path), PEP600_REVISION, path)
    removed = pep600 / "removed"
    if removed.is_dir():
        for path in sorted(removed.glob("*.json")):
            arch, sep, name = path.stem.partition("-")
            if not sep:
                raise GenerateError(f"{path}: expected removed/<arch>-<release>.json")
            if name not in REMOVED_REVISIONS:
                raise GenerateError(f"{path}: no source commit known for {name} (REMOVED_REVISIONS)")
            add(name, arch, load_json(path), REMOVED_REVISIONS[name], path)
    if not result:
        raise GenerateError(f"no measurements under {pep600}")
    return result


BADGE = re.compile(r"^\.\. \|(?P<name>[^|]+)\| image:: (?P<url>\S+)\s*$")


def read_badges(readme: Path) -> dict[str, str]:
    """pep600 name -> decoded badge message, e.g. '22.04 (EOL:2027-04-30 / ELTS:…)'."""
    badges = {}
    in_block = False
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.startswith(".. begin distro_badges"):
            in_block = True
        elif line.startswith(".. end distro_badges"):
            in_block = False
        elif in_block and (m := BADGE.match(line)):
            query = urllib.parse.urlparse(m["url"]).query
            message = urllib.parse.parse_qs(query).get("message")
            if not message:
                raise GenerateError(f"{readme}: badge {m['name']} has no message")
            badges[m["name"]] = message[0]
    if not badges:
        raise GenerateError(f"{readme}: no distro badges found")
    return badges


def badge_eol(message: str) -> tuple[str | None, bool]:
    """(standard EOL date or None, rolling?) from a badge message."""
    m = re.search(r"\((?P<body>[^)]*)\)\s*$", message)
    if not m:
        raise GenerateError(f"badge message without '(...)': {message!r}")
    body = m["body"]
    if body == "rolling":
        return None, True
    if body == "unknown":
        return None, False
    first = body.split("/")[0].strip()
    d = re.fullmatch(r"EOL:(\d{4}-\d{2}-\d{2})", first)
    if not d:
        raise GenerateError(f"badge message with unexpected EOL part: {message!r}")
    return d[1], False


def read_unavailable_libs(readme: Path) -> dict[str, set[str]]:
    """pep600 name -> libraries its image declares unavailable (skip_lib).

    From README.rst's generated "Known compatibility issues" table, which
    make_policies.py fills from each image's skip_lib.
    """
    result: dict[str, set[str]] = {}
    in_block = False
    row = re.compile(r'^\s*"\|(?P<name>[^|]+)\|",\s*"[^"]*",\s*"(?P<libs>[^"]*)"\s*$')
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.startswith(".. begin compatibility_issues"):
            in_block = True
        elif line.startswith(".. end compatibility_issues"):
            in_block = False
        elif in_block and (m := row.match(line)):
            libs = {lib.strip() for lib in m["libs"].split(",") if lib.strip()}
            if libs:
                result[m["name"]] = libs
    return result


def read_distro_facts_architectures(facts: Path) -> dict[str, list[str]]:
    """Row label -> the database architecture keys its Architectures cell lists.

    Only the plain list before any parenthesis counts as "built for"; a key named in the
    parenthesis (multiarch libraries only, another distribution's port) or marked † is
    uncertain and comes out as "?key".
    """
    lines = facts.read_text(encoding="utf-8").splitlines()
    header = None
    result: dict[str, list[str]] = {}
    for line in lines:
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == "Release" and "Architectures" in cells:
            header = cells
            continue
        if header is None or set(cells[0]) <= set("-: ") or len(cells) != len(header):
            continue
        # "x86_64(-v2)" qualifies one entry (the ISA level); a parenthesis after a space is a
        # caveat about the list.
        value = re.sub(r"(?<=\w)\([^)]*\)", "", cells[header.index("Architectures")])
        plain, _, caveat = value.partition("(")
        keys = []
        for token in plain.split():
            name = token.rstrip("†")
            key = ARCHITECTURE_NAMES.get(name)
            if key is None:
                continue
            keys.append(f"?{key}" if token.endswith("†") else key)
        for token in re.findall(r"[A-Za-z0-9_]+", caveat):
            if ARCHITECTURE_NAMES.get(token) not in (None, *keys):
                keys.append(f"?{ARCHITECTURE_NAMES[token]}")
        result[cells[0]] = keys
    return result


def read_distro_facts_eol(facts: Path) -> dict[str, str | None]:
    """Row label -> standard EOL date of distro-facts.md's release table (None if †)."""
    lines = facts.read_text(encoding="utf-8").splitlines()
    header = None
    result: dict[str, str | None] = {}
    for line in lines:
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == "Release" and "EOL (standard)" in cells:
            header = cells
            continue
        if header is None or set(cells[0]) <= set("-: "):
            continue
        if len(cells) != len(header):
            continue
        value = cells[header.index("EOL (standard)")]
        date = re.match(r"^(\d{4}-\d{2}-\d{2})", value)
        result[cells[0]] = date[1] if date and "†" not in value else None
    return result


# --------------------------------------------------------------------------- naming


def identity(pep600_name: str, rolling: bool) -> dict:
    """id, name, distro, release, aliases of one pep600 entry."""
    distro, _, release = pep600_name.partition("-")
    aliases: list[str] = []

    if distro == "rhubi":
        rid = f"rhel-{release}"
        name = f"Red Hat Enterprise Linux {release} (UBI image)"
        aliases = [pep600_name, f"rhel:{release}", f"el{release}", f"ubi{release}", f"redhat/ubi{release}"]
        return _ident(rid, name, "rhel", release, aliases)

    if distro == "manylinux":
        # pep600's measurements of the pypa/manylinux *build images*; the
        # auditwheel policies of the same names are separate entries.
        tag = f"manylinux{release}" if "_" not in release else f"manylinux_{release}"
        rid = f"{tag}-image"
        name = f"{tag} build image (pypa/manylinux)"
        aliases = [pep600_name, f"pypa/{tag}"]
        return _ident(rid, name, "manylinux", release, aliases)

    rid = pep600_name
    if distro == "ubuntu":
        codename = UBUNTU_CODENAMES.get(release)
        if release in ("devel", "rolling"):
            name = f"Ubuntu {release}"
            aliases = [f"ubuntu:{release}"]
        elif codename is None:
            raise GenerateError(f"no Ubuntu codename for {release} (UBUNTU_CODENAMES)")
        else:
            name = f"Ubuntu {release} ({codename})"
            aliases = [f"ubuntu:{release}", codename, f"ubuntu:{codename}", f"ubuntu{release}"]
    elif distro == "debian":
        if release in DEBIAN_CODENAMES:
            codename = DEBIAN_CODENAMES[release]
            name = f"Debian {release} ({codename})"
            aliases = [
                f"debian:{release}",
                codename,
                f"debian:{codename}",
                f"debian:{codename}-slim",
                f"debian:{release}-slim",
            ]
        elif release == "unstable":
            name = "Debian unstable (sid)"
            aliases = ["debian:unstable", "debian:unstable-slim", "sid", "debian:sid", "debian:sid-slim"]
        elif release in ("testing", "experimental"):
            name = f"Debian {release}"
            aliases = [f"debian:{release}"] + ([f"debian:{release}-slim"] if release == "testing" else [])
        else:
            raise GenerateError(f"no Debian codename for {release} (DEBIAN_CODENAMES)")
    elif distro == "opensuse":
        if release == "tumbleweed":
            name = "openSUSE Tumbleweed"
            aliases = ["opensuse/tumbleweed", "tumbleweed"]
        else:
            name = f"openSUSE Leap {release}"
            aliases = [f"opensuse/leap:{release}", f"leap-{release}"]
    elif distro == "centos":
        if release.startswith("stream"):
            name = f"CentOS Stream {release[len('stream'):]}"
        else:
            name = f"CentOS {release}"
        aliases = [f"centos:{release}"]
    elif distro == "amazonlinux":
        name = f"Amazon Linux {release}"
        aliases = [f"amazonlinux:{release}"]
        aliases += {"2": ["al2", "amzn2"], "2023": ["al2023"], "1": ["al1", "amzn1"]}.get(release, [])
    elif distro == "rockylinux":
        name = f"Rocky Linux {release}"
        aliases = [f"rockylinux:{release}", f"rocky-{release}"]
    elif distro == "almalinux":
        name = f"AlmaLinux {release}"
        aliases = [f"almalinux:{release}", f"alma-{release}"]
    elif distro == "oraclelinux":
        name = f"Oracle Linux {release}"
        aliases = [f"oraclelinux:{release}", f"ol{release}"]
    elif distro == "archlinux":
        name = "Arch Linux"
        aliases = ["archlinux", "archlinux:latest"]
    elif distro in DISTRO_NAMES:
        label = release
        if rolling:
            label = release[:1].upper() + release[1:]
        name = f"{DISTRO_NAMES[distro]} {label}"
        aliases = [f"{distro}:{release}"]
    else:
        raise GenerateError(f"no display name for distro {distro!r} (DISTRO_NAMES)")
    return _ident(rid, name, distro, release, aliases)


def _ident(rid: str, name: str, distro: str, release: str, aliases: list[str]) -> dict:
    seen = set()
    unique = []
    for alias in aliases:
        if alias != rid and alias not in seen:
            seen.add(alias)
            unique.append(alias)
    return {"id": rid, "name": name, "distro": distro, "release": release, "aliases": unique}


def check_names(entries: list[dict]) -> None:
    owner: dict[str, str] = {}
    for entry in entries:
        is_policy = entry.get("kind") == "policy"
        for key in [entry["id"], *entry["aliases"]]:
            folded = key.casefold()
            # Policy names belong to the policies, and only policy names do.
            if bool(POLICY_NAME.match(folded)) != is_policy:
                what = "is not" if is_policy else "is"
                raise GenerateError(f"{entry['id']}: {key!r} {what} an auditwheel policy name")
            if folded in owner and owner[folded] != entry["id"]:
                raise GenerateError(f"name {key!r} used by both {owner[folded]} and {entry['id']}")
            if folded in owner:
                raise GenerateError(f"{entry['id']}: name {key!r} listed twice")
            owner[folded] = entry["id"]
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", entry["id"]):
            raise GenerateError(f"id {entry['id']!r} is not a plain lowercase file name")


# --------------------------------------------------------------------------- entries


def arch_entry(
    pep600_name: str,
    arch: str,
    data: dict,
    revision: str,
    path: str,
    unavailable: set[str],
    packages: tuple[dict, str] | None = None,
) -> dict:
    """One architecture of a pep600 release; `packages` is Debian package data
    (soname -> package entry, where it came from) to merge in."""
    where = f"{path} @ {revision}"
    glibc_version = data.get("glibc_version")
    symbols = data.get("symbols")
    if not isinstance(glibc_version, str) or not re.fullmatch(r"\d+\.\d+", glibc_version):
        raise GenerateError(f"{where}: bad glibc_version {glibc_version!r}")
    if not isinstance(symbols, dict):
        raise GenerateError(f"{where}: no symbols")
    versions = {}
    for family in sorted(symbols):
        values = symbols[family]
        if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
            raise GenerateError(f"{where}: symbols[{family!r}] is not a list of strings")
        if len(set(values)) != len(values):
            raise GenerateError(f"{where}: symbols[{family!r}] has duplicates")
        if values:
            versions[family] = list(values)
    if "GLIBC" not in versions:
        raise GenerateError(f"{where}: no GLIBC versions")
    extra = data.get("extra", [])
    if not isinstance(extra, list) or not all(isinstance(v, str) for v in extra):
        raise GenerateError(f"{where}: extra is not a list of strings")

    interpreter = INTERPRETERS[arch]
    absent = set(unavailable) | set(ARCH_SKIPS.get(arch, ()))
    core = [s for s in GLIBC_CORE if s not in absent]
    runtime = [lib for family, lib in RUNTIME_BY_FAMILY if versions.get(family)]
    others = set(s for s in STABLE_PROBED if s not in absent)
    if versions.get(ZLIB_FAMILY[0]):
        others.add(ZLIB_FAMILY[1])
    is_image = pep600_name.startswith("manylinux-")
    if not is_image:
        others.update(s for s in extra if not _is_pseudo_extra(s))
    if packages is not None:
        clash = set(packages[0]) & absent
        if clash:
            raise GenerateError(
                f"{where}: Debian packages provide {sorted(clash)}, which pep600 says are absent"
            )
        others.update(packages[0])
    first = [interpreter.rsplit("/", 1)[1], *sorted(core), *runtime]
    present = first + sorted(others - set(first))

    clash = absent & set(present)
    if clash:
        raise GenerateError(f"{where}: {sorted(clash)} both present and absent")

    source = {"dataset": DATASET, "revision": revision, "path": path, "method": "measured"}
    source["note"] = MEASURE_NOTE + (IMAGE_NOTE if is_image else "")
    result = {
        "libc_version": glibc_version,
        "interpreter": interpreter,
        "versions": versions,
        "sonames_present": present,
        "sonames_absent": sorted(absent),
        "source": source,
    }
    if packages is not None:
        result["packages"] = dict(sorted(packages[0].items()))
        source["note"] += f"; packages and their sonames: real Debian package data, {packages[1]}"
    return result


def generated_by(source: str) -> str:
    return f"glibc-db/generate.py from {source}; do not edit, rerun the generator"


def read_policies(reference: Path) -> list[tuple[str, dict]]:
    """(file name, policy object) of every auditwheel policy but the pseudo-policy `linux`."""
    result = []
    for file_name in POLICY_FILES:
        path = reference / "auditwheel-policy" / file_name
        data = load_json(path)
        if not isinstance(data, list):
            raise GenerateError(f"{path}: expected a JSON array of policies")
        for policy in data:
            if not isinstance(policy, dict) or not isinstance(policy.get("name"), str):
                raise GenerateError(f"{path}: a policy without a name")
            if policy["name"] == "linux":
                continue
            result.append((file_name, policy))
    if not result:
        raise GenerateError(f"no policies under {reference / 'auditwheel-policy'}")
    return result


def _string_list(value, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise GenerateError(f"{where} is not a list of strings")
    if len(set(value)) != len(value):
        raise GenerateError(f"{where} has duplicates")
    return list(value)


def policy_entry(file_name: str, policy: dict) -> dict:
    name = policy["name"]
    where = f"{file_name}#{name}"
    m = POLICY_ID.match(name)
    if not m:
        raise GenerateError(f"{where}: unexpected policy name")
    is_musl = m["family"] == "musllinux"
    if (file_name == "musllinux-policy.json") != is_musl:
        raise GenerateError(f"{where}: policy in the wrong file")
    version = f"{m['major']}.{m['minor']}"
    aliases = _string_list(policy.get("aliases", []), f"{where} aliases")
    whitelist = _string_list(policy.get("lib_whitelist"), f"{where} lib_whitelist")
    blacklist_raw = policy.get("blacklist", {})
    symbol_versions = policy.get("symbol_versions")
    if not isinstance(blacklist_raw, dict) or not isinstance(symbol_versions, dict):
        raise GenerateError(f"{where}: blacklist / symbol_versions are not objects")
    blacklist = {
        soname: _string_list(symbols, f"{where} blacklist[{soname!r}]")
        for soname, symbols in sorted(blacklist_raw.items())
        if symbols
    }
    unknown = set(symbol_versions) - set(POLICY_ARCHES)
    if unknown:
        raise GenerateError(f"{where}: unknown architectures {sorted(unknown)} (POLICY_ARCHES)")

    arches = {}
    for arch in POLICY_ARCHES:
        if arch not in symbol_versions:
            continue
        families = symbol_versions[arch]
        if not isinstance(families, dict):
            raise GenerateError(f"{where} symbol_versions[{arch!r}] is not an object")
        versions = {}
        for family in sorted(families):
            values = _string_list(families[family], f"{where} symbol_versions[{arch!r}][{family!r}]")
            if values:
                versions[family] = values
        if is_musl:
            if versions:
                raise GenerateError(f"{where}: musl policy with symbol versions for {arch}")
            if arch not in MUSL_LDSO_ARCH:
                raise GenerateError(f"{where}: no musl loader known for {arch} (MUSL_LDSO_ARCH)")
            interpreter = musl_interpreter(arch)
            # auditwheel itself turns "libc.so" into Alpine's libc.musl-<arch>.so.1.
            extra = [ALPINE_LIBC_SONAME[arch]] if "libc.so" in whitelist else []
            note = MUSL_POLICY_NOTE
        else:
            if "GLIBC" not in versions:
                raise GenerateError(f"{where}: no GLIBC versions for {arch}")
            interpreter = INTERPRETERS[arch]
            extra = []
            note = GLIBC_POLICY_NOTE
        loader = interpreter.rsplit("/", 1)[1]
        present = [loader] + sorted(set(whitelist + extra) - {loader})
        entry = {
            "libc_version": version,
            "interpreter": interpreter,
            "versions": versions,
            "sonames_present": present,
            "sonames_absent": [],
            "sonames_complete": True,
        }
        if blacklist:
            entry["blacklist"] = blacklist
        entry["source"] = {
            "dataset": AUDITWHEEL_DATASET,
            "revision": AUDITWHEEL_REVISION,
            "path": where,
            "method": "stated",
            "note": note,
        }
        arches[arch] = entry
    if not arches:
        raise GenerateError(f"{where}: no architectures")

    label = "musllinux" if is_musl else "manylinux"
    return {
        "generated_by": generated_by("auditwheel-policy"),
        "id": name,
        "name": f"{name} (auditwheel policy)",
        "distro": label,
        "release": f"{m['major']}_{m['minor']}",
        "aliases": [a for a in aliases if a != name],
        "rolling": False,
        "kind": "policy",
        "libc": "musl" if is_musl else "glibc",
        "libc_version": version,
        "eol": None,
        "eol_source": None,
        "arches": arches,
    }


def alpine_entry(release: str, facts: dict, facts_eol: dict[str, str | None]) -> dict:
    row = f"Alpine {release}"
    if row not in facts_eol:
        raise GenerateError(f"distro-facts.md has no release row {row!r}")
    eol = facts_eol[row]
    musl = facts["musl"]
    arches = {}
    for arch in MUSL_LDSO_ARCH:  # output order
        if arch not in facts["arches"]:
            continue
        directory, alpine_arch = ALPINE_IMAGE_DIRS[arch]
        interpreter = musl_interpreter(arch)
        note = ALPINE_NOTE
        if musl:
            note += f"; libc_version: {musl[2]} in {REPO_INFO} {musl[1]} @ {REPO_INFO_REVISION} (amd64 image)"
        arches[arch] = {
            "libc_version": None,
            "interpreter": interpreter,
            "versions": {},
            "sonames_present": [interpreter.rsplit("/", 1)[1], ALPINE_LIBC_SONAME[arch]],
            "sonames_absent": [],
            "source": {
                "dataset": ALPINE_IMAGES_REPO,
                "revision": facts["commit"],
                "path": f"{directory}/alpine-minirootfs-{facts['point']}-{alpine_arch}.tar.gz",
                "method": "stated",
                "note": note,
            },
        }
    return {
        "generated_by": generated_by("its Alpine tables (see README.md)"),
        "id": f"alpine-{release}",
        "name": f"Alpine Linux {release}",
        "distro": "alpine",
        "release": release,
        "aliases": [f"alpine:{release}", f"alpine{release}"],
        "rolling": False,
        "libc": "musl",
        "libc_version": musl[0] if musl else None,
        "eol": eol,
        "eol_source": DISTRO_FACTS_EOL_SOURCE if eol else None,
        "arches": arches,
    }


def read_debian_packages(directory: Path) -> dict[str, dict[str, tuple[dict, str]]]:
    """Release id -> our arch key -> (soname -> package entry, description of the source).

    Reads glibc-db/debian/<suite>.json if there are any; nothing if not.
    """
    result: dict[str, dict[str, tuple[dict, str]]] = {}
    if not directory.is_dir():
        return result
    for path in sorted(directory.glob("*.json")):
        where = f"glibc-db/debian/{path.name}"
        data = load_json(path)
        if not isinstance(data, dict):
            raise GenerateError(f"{where}: expected a JSON object")
        suite = data.get("suite")
        if suite != path.stem:
            raise GenerateError(f"{where}: suite {suite!r} does not match the file name")
        if suite not in DEBIAN_SUITES:
            raise GenerateError(f"{where}: no release known for suite {suite!r} (DEBIAN_SUITES)")
        arches = data.get("arches")
        if not isinstance(arches, dict):
            raise GenerateError(f"{where}: no arches object")
        source = data.get("source")
        summary = ""
        if isinstance(source, dict):
            parts = [f"{k} {v}" for k, v in sorted(source.items()) if isinstance(v, (str, int, float))]
            summary = ", ".join(parts)
        described = f"{where}" + (f" ({summary})" if summary else "")
        release_id = DEBIAN_SUITES[suite]
        for debian_arch in sorted(arches):
            libs = arches[debian_arch]
            if not isinstance(libs, dict):
                raise GenerateError(f"{where}: arches[{debian_arch!r}] is not an object")
            arch = DEBIAN_ARCHES.get(debian_arch)
            if arch is None:
                print(f"glibc-db: note: {where}: architecture {debian_arch} has no key of ours; not merged",
                      file=sys.stderr)
                continue
            packages = {}
            for soname in sorted(libs):
                info = libs[soname]
                item = f"{where}: arches[{debian_arch!r}][{soname!r}]"
                if not soname or "/" in soname or not isinstance(info, dict):
                    raise GenerateError(f"{item}: expected a soname and an object")
                unknown = set(info) - {"package", "version", "minimal"}
                if unknown:
                    raise GenerateError(f"{item}: unknown fields {sorted(unknown)}")
                package = info.get("package")
                version = info.get("version")
                minimal = info.get("minimal")
                if not isinstance(package, str) or not package:
                    raise GenerateError(f"{item}: no package name")
                if version is not None and not isinstance(version, str):
                    raise GenerateError(f"{item}: version is not a string")
                if minimal is not None and not isinstance(minimal, bool):
                    raise GenerateError(f"{item}: minimal is not true/false")
                entry = {"package": package}
                if version is not None:
                    entry["version"] = version
                if minimal is not None:
                    entry["minimal"] = minimal
                packages[soname] = entry
            if packages:
                result.setdefault(release_id, {})[arch] = (packages, described)
    return result


# --------------------------------------------------------------------------- target facts

# Facts about the target system beyond its libraries: the kernel a release ships, the oldest kernel
# its glibc accepts, the base page size of its kernels, and the x86-64 microarchitecture level its
# packages are built for. Each fact is {"<value fields>", "method", "source"}; a fact nobody measured
# or stated is left out (unknown), never guessed. Measured facts come from the Debian archive
# (glibc-db/debian/<suite>.json "targets", written by measure.py); stated ones from the tables below.

FACT_SOURCES = {
    # key -> the document, with its address and the date or commit of the copy read
    "livepatch": "Canonical, \"Kernels covered by Livepatch\", the \"(GA)\" rows, "
    "https://ubuntu.com/security/livepatch/docs/client/reference/platform/supported-kernels/ (read 2026-11-30)",
    "nodejs": "nodejs/build @ adb6aecb4cce doc/supported_systems_release_data.md, \"Linux kernel\" column",
    "questing": "packages.ubuntu.com/questing/linux-doc: linux-doc 6.17.0-41.41 from source linux in questing "
    "(read 2026-11-30)",
    "rhel-kernel": "Red Hat, RHEL 10 documentation, \"Examples on RHEL 8, RHEL 9, and RHEL 10\" (upstream base of the "
    "kernel version string: RHEL 8 Linux 4.18, RHEL 9 Linux 5.14, RHEL 10 Linux 6.12), "
    "https://docs.redhat.com/en/documentation/red_hat_enterprise_linux/10/administer-examples_of_rhel_kernel_version_strings "
    "(read 2026-11-30)",
    "rocky-kernel": "Rocky Linux wiki, release version table (\"Release Kernel\" 4.18.0-* for 8.3-8.10, 5.14.0-* for "
    "9.0-9.7, 6.12.0-* for 10.0-10.1), https://wiki.rockylinux.org/include/releng/version_table (read 2026-11-30)",
    "stream-kernel": "CentOS Stream kernel tags kernel-5.14.0-*.el9 and kernel-6.12.0-*.el10, "
    "https://gitlab.com/redhat/centos-stream/src/kernel/centos-stream-9/-/tags and .../centos-stream-10/-/tags "
    "(read 2026-11-30)",
    "al-kernel": "AWS, Amazon Linux 2 User Guide, \"AL2 supported kernels\": AL2 AMIs with kernel 4.14 and 5.10 "
    "(5.10 the default), AL2023 AMIs with kernel 6.1, https://docs.aws.amazon.com/linux/al2/ug/aml2-kernel.html "
    "(read 2026-11-30); the oldest kernel offered is recorded",
    "buster-kernel": "opendocs-md/do-tutorials md/en/what-s-new-in-debian-10-buster.md (DigitalOcean, 2019-07-08, "
    "from the Debian 10 release notes): \"Linux kernel 4.19 (from 4.9)\"; packages.debian.org/buster/linux-config-4.19 "
    "(read 2026-11-30)",
    "ubuntu-64k": "ArmDeveloperEcosystem/arm-learning-paths @ 66290fb7e6cb content/learning-paths/servers-and-cloud-computing/"
    "arm_linux_page_size/ubuntu.md: \"To install a 64K page size kernel on Ubuntu 22.04+\" (linux-generic-64k) from "
    "\"the original 4K kernel\"; packages.ubuntu.com lists linux-image-generic-64k in jammy, noble and resolute "
    "(read 2026-11-30)",
    "x86-page": "Linux torvalds/linux @ 02ac81a812fe arch/x86/include/asm/page_types.h: PAGE_SHIFT 12 "
    "(x86 has no other base page size)",
    "s390-page": "Linux torvalds/linux @ 014b020475d4 arch/s390/include/asm/page.h: _PAGE_SHIFT 12 "
    "(s390 has no other base page size)",
    "el-aarch64-page": "coreos/coreos-assembler#3617 (2023-09-14): \"The aarch64 RHEL8 kernel used a page size of 64K. "
    "In RHEL9, this was lowered to the usual 4K and a separate kernel was added for 64K\"; dotnet/runtime#75737 "
    "(2022-09-20): \"RHEL 8 arm64 has 64kB pages\"; CentOS Stream 9 kernel-5.14.0-265.el9 changelog: \"arm64-64k: Add new "
    "kernel variant to RHEL9/CS9 for 64K page-size'd ARM64\" (rhbz#2153073), "
    "https://gitlab.com/redhat/centos-stream/src/kernel/centos-stream-9/-/merge_requests/1820",
    "el-isa": "CentOS Stream 9 kernel merge request 3972 (RHEL-22439): \"RHEL9 has a minimum of the x86_64-v2 "
    "microarchitecture and RHEL10 has a minimum of the x86_64-v3 microarchitecture\", "
    "https://gitlab.com/redhat/centos-stream/src/kernel/centos-stream-9/-/merge_requests/3972; RHEL 9.5 release notes, "
    "chapter 2 \"Architectures\": AMD and Intel 64-bit (x86-64-v2), "
    "https://docs.redhat.com/en/documentation/red_hat_enterprise_linux/9/html/9.5_release_notes/architectures "
    "(read 2026-11-30)",
    "rocky-isa": "rocky-linux/documentation#745 docs/release_notes/9_0.md: minimum \"AMD and Intel 64-bit "
    "architectures (x86-64-v2)\" for Rocky Linux 9.0",
    "alma-isa": "AlmaLinux ALESCo meeting minutes 2024-07-24: \"AlmaLinux 10's default x86_64 microarchitecture build "
    "will be v3, following RHEL. Approved building and maintaining x86_64_v2 as a separate architecture\", "
    "https://wiki.almalinux.org/alesco/meeting-minutes/2024-07-24 (read 2026-11-30)",
}
# A rebuild of RHEL from the same sources: the RHEL statement, named as such.
REBUILD_NOTE = "; {rid} is built from the same sources as {of}"

# release id -> (kernel version, source key, note). The oldest kernel the release's own installer or
# cloud images ship (Ubuntu: the GA kernel, not the HWE ones; Amazon Linux 2: 4.14, not 5.10). Not
# listed (unknown): releases whose kernel moves to new versions during their life (Fedora, Arch,
# openSUSE Tumbleweed, rolling and development releases), releases whose default kernel is not the
# RHEL one (Oracle Linux: UEK), and those no document read here states (SUSE, Alpine, ...).
# Debian 11, 12, 13 and testing are measured (glibc-db/debian/).
STATED_KERNEL = {
    "ubuntu-14.04": ("3.13", "nodejs", ""),
    "ubuntu-16.04": ("4.4", "nodejs", ""),
    "ubuntu-18.04": ("4.15", "livepatch", ""),
    "ubuntu-20.04": ("5.4", "livepatch", ""),
    "ubuntu-22.04": ("5.15", "livepatch", ""),
    "ubuntu-24.04": ("6.8", "livepatch", ""),
    "ubuntu-25.10": ("6.17", "questing", ""),
    "ubuntu-26.04": ("7.0", "livepatch", ""),
    "debian-8": ("3.16", "nodejs", ""),
    "debian-9": ("4.9", "nodejs", ""),
    "debian-10": ("4.19", "buster-kernel", ""),
    "rhel-7": ("3.10", "nodejs", ""),
    "centos-7": ("3.10", "nodejs", "the RHEL 7 row; CentOS 7 is built from RHEL 7's sources"),
    "rhel-8": ("4.18", "rhel-kernel", ""),
    "rhel-9": ("5.14", "rhel-kernel", ""),
    "rhel-10": ("6.12", "rhel-kernel", ""),
    "rockylinux-8": ("4.18", "rocky-kernel", ""),
    "rockylinux-9": ("5.14", "rocky-kernel", ""),
    "rockylinux-10": ("6.12", "rocky-kernel", ""),
    "almalinux-8": ("4.18", "rhel-kernel", "the RHEL 8 row; AlmaLinux 8 is built from RHEL 8's sources"),
    "almalinux-9": ("5.14", "rhel-kernel", "the RHEL 9 row; AlmaLinux 9 is built from RHEL 9's sources"),
    "almalinux-10": ("6.12", "rhel-kernel", "the RHEL 10 row; AlmaLinux 10 is built from CentOS Stream 10"),
    "centos-8": ("4.18", "rhel-kernel", "the RHEL 8 row; CentOS 8 is built from RHEL 8's sources"),
    "centos-stream9": ("5.14", "stream-kernel", ""),
    "centos-stream10": ("6.12", "stream-kernel", ""),
    "amazonlinux-2": ("4.14", "al-kernel", ""),
    "amazonlinux-2023": ("6.1", "al-kernel", ""),
}

# Architectures whose Linux kernel has one base page size, whatever the distribution.
FIXED_PAGE_SIZE = {"x86_64": (4096, "x86-page"), "i686": (4096, "x86-page"), "s390x": (4096, "s390-page")}

# release id -> arch -> (default page size, other sizes offered by the release's own kernels, source key, note)
_EL8_AARCH64 = (65536, [], "el-aarch64-page", "RHEL 8's aarch64 kernel")
_EL9_AARCH64 = (4096, [65536], "el-aarch64-page", "RHEL 9's aarch64 kernel, and its kernel-64k variant (9.2 on)")
_UBUNTU_AARCH64 = (4096, [65536], "ubuntu-64k", "the generic arm64 kernel, and linux-generic-64k")
STATED_PAGE_SIZE = {
    **{f"ubuntu-{v}": {"aarch64": _UBUNTU_AARCH64} for v in ("22.04", "23.10", "24.04", "24.10", "25.04", "25.10", "26.04")},
    "rhel-8": {"aarch64": _EL8_AARCH64},
    "centos-8": {"aarch64": _EL8_AARCH64},
    "almalinux-8": {"aarch64": _EL8_AARCH64},
    "rockylinux-8": {"aarch64": _EL8_AARCH64},
    "rhel-9": {"aarch64": _EL9_AARCH64},
    "centos-stream9": {"aarch64": _EL9_AARCH64},
    "almalinux-9": {"aarch64": _EL9_AARCH64},
    "rockylinux-9": {"aarch64": _EL9_AARCH64},
}

# release id -> (minimum x86-64 microarchitecture level of its x86_64 packages, others offered, source key, note)
STATED_ISA_LEVEL = {
    "rhel-9": (2, [], "el-isa", ""),
    "centos-stream9": (2, [], "el-isa", "the RHEL 9 statement; CentOS Stream 9 is RHEL 9's development branch"),
    "almalinux-9": (2, [], "el-isa", "the RHEL 9 statement; AlmaLinux 9 is built from RHEL 9's sources"),
    "rockylinux-9": (2, [], "rocky-isa", ""),
    "rhel-10": (3, [], "el-isa", ""),
    "centos-stream10": (3, [], "el-isa", "the RHEL 10 statement; CentOS Stream 10 is RHEL 10's development branch"),
    "rockylinux-10": (3, [], "el-isa", "the RHEL 10 statement; Rocky Linux 10 is built from RHEL 10's sources"),
    "almalinux-10": (3, [2], "alma-isa", "the default x86_64 build; a separate x86_64_v2 build is offered"),
}


def _fact(method: str, source: str, **values) -> dict:
    return {**values, "method": method, "source": source}


def _stated(key: str, note: str) -> str:
    return FACT_SOURCES[key] + (f"; {note}" if note else "")


def read_debian_targets(directory: Path) -> dict[str, dict]:
    """Release id -> {"kernel": fact or None, "arches": {our arch: {fact name: fact}}}, from the
    "targets" object of glibc-db/debian/<suite>.json (measured by measure.py); empty without files."""
    result: dict[str, dict] = {}
    if not directory.is_dir():
        return result
    for path in sorted(directory.glob("*.json")):
        where = f"glibc-db/debian/{path.name}"
        data = load_json(path)
        targets = data.get("targets")
        if targets is None:
            continue
        if not isinstance(targets, dict):
            raise GenerateError(f"{where}: targets is not an object")
        source = data.get("source") or {}
        release = f"Debian {source['release']}, " if source.get("release") else ""
        dated = f"{where} ({release}Release file of {source.get('release_date', '?')})"
        release_id = DEBIAN_SUITES[data["suite"]]
        out = {"kernel": None, "arches": {}}
        kernels = {}
        for debian_arch in sorted(targets):
            facts = targets[debian_arch]
            item = f"{where}: targets[{debian_arch!r}]"
            unknown = set(facts) - {"glibc_min_kernel", "kernel"}
            if unknown:
                raise GenerateError(f"{item}: unknown fields {sorted(unknown)}")
            arch = DEBIAN_ARCHES.get(debian_arch)
            arch_facts = {}
            tag = facts.get("glibc_min_kernel")
            if tag is not None:
                if not re.fullmatch(r"\d+\.\d+\.\d+", tag):
                    raise GenerateError(f"{item}: glibc_min_kernel {tag!r} is not a kernel version")
                libc6 = source.get("packages", {}).get(debian_arch, {}).get("libc6", "?")
                arch_facts["glibc_min_kernel"] = _fact(
                    "measured", f"{dated}: NT_GNU_ABI_TAG note of libc.so.6 in libc6 {libc6} ({debian_arch})",
                    version=tag)
            kernel = facts.get("kernel")
            if kernel is not None:
                unknown = set(kernel) - {"version", "package", "default_flavour", "config_package", "page_sizes"}
                if unknown or not re.fullmatch(r"\d+\.\d+", kernel.get("version", "")):
                    raise GenerateError(f"{item}: bad kernel facts {kernel!r}")
                kernels[debian_arch] = kernel
                sizes = kernel.get("page_sizes", {})
                default = sizes.get(kernel["default_flavour"])
                if default is not None:
                    flavours = ", ".join(f"{name} {size}" for name, size in sizes.items())
                    arch_facts["page_size"] = _fact(
                        "measured",
                        f"{dated}: base page size in the configuration of each flavour with a linux-image-<flavour> "
                        f"metapackage ({kernel['config_package']}, {debian_arch}): {flavours}; default flavour "
                        f"{kernel['default_flavour']}",
                        default=default, others=sorted({s for s in sizes.values() if s != default}))
            if arch is not None and arch_facts:
                out["arches"][arch] = arch_facts
        versions = {k["version"] for k in kernels.values()}
        if len(versions) > 1:
            raise GenerateError(f"{where}: the arches' kernels differ: {sorted(versions)}")
        if versions:
            first = kernels["amd64"] if "amd64" in kernels else next(iter(kernels.values()))
            out["kernel"] = _fact(
                "measured", f"{dated}: {first['package']}, the default flavour's metapackage "
                f"({', '.join(sorted(kernels))} agree)", version=versions.pop())
        result[release_id] = out
    return result


def add_target_facts(entry: dict, debian_targets: dict[str, dict]) -> None:
    """Adds the facts known for a release entry (distro kind; policies describe no system)."""
    rid = entry["id"]
    if entry.get("kind", "distro") == "policy":
        return
    measured = debian_targets.get(rid, {"kernel": None, "arches": {}})
    if measured["kernel"] is not None:
        entry["kernel"] = measured["kernel"]
    elif rid in STATED_KERNEL:
        version, key, note = STATED_KERNEL[rid]
        entry["kernel"] = _fact("stated", _stated(key, note), version=version)
    for arch, arch_entry in entry["arches"].items():
        facts = dict(measured["arches"].get(arch, {}))
        if "page_size" not in facts and rid in STATED_PAGE_SIZE and arch in STATED_PAGE_SIZE[rid]:
            default, others, key, note = STATED_PAGE_SIZE[rid][arch]
            facts["page_size"] = _fact("stated", _stated(key, note), default=default, others=others)
        if "page_size" not in facts and arch in FIXED_PAGE_SIZE:
            size, key = FIXED_PAGE_SIZE[arch]
            facts["page_size"] = _fact("stated", FACT_SOURCES[key], default=size, others=[])
        if arch == "x86_64" and rid in STATED_ISA_LEVEL:
            level, others, key, note = STATED_ISA_LEVEL[rid]
            facts["isa_level"] = _fact("stated", _stated(key, note), level=level, others=others)
        arch_entry.update(facts)


def check_fact_tables(ids: set[str]) -> None:
    for table in (STATED_KERNEL, STATED_PAGE_SIZE, STATED_ISA_LEVEL):
        for rid in table:
            if rid not in ids:
                raise GenerateError(f"target facts name unknown release {rid}")


def order_arch_entry(arch_entry: dict) -> dict:
    """Field order of an arch entry, optional fields only where they differ from the default."""
    ordered = {}
    for key in ("libc_version", "interpreter", "versions", "sonames_present", "sonames_absent"):
        ordered[key] = arch_entry[key]
    if arch_entry.get("sonames_complete"):
        ordered["sonames_complete"] = True
    if arch_entry.get("blacklist"):
        ordered["blacklist"] = arch_entry["blacklist"]
    if arch_entry.get("packages"):
        ordered["packages"] = arch_entry["packages"]
    for key in ("glibc_min_kernel", "page_size", "isa_level"):
        if key in arch_entry:
            ordered[key] = arch_entry[key]
    ordered["source"] = arch_entry["source"]
    return ordered


def order_release(entry: dict) -> dict:
    ordered = {}
    for key in ("generated_by", "id", "name", "distro", "release", "aliases", "rolling"):
        ordered[key] = entry[key]
    if entry.get("kind", "distro") != "distro":
        ordered["kind"] = entry["kind"]
    for key in ("libc", "libc_version", "eol", "eol_source"):
        ordered[key] = entry[key]
    if "architectures" in entry:
        ordered["architectures"] = entry["architectures"]
    if "kernel" in entry:
        ordered["kernel"] = entry["kernel"]
    ordered["arches"] = {arch: order_arch_entry(a) for arch, a in entry["arches"].items()}
    return ordered


def build(reference: Path, debian_dir: Path = DEBIAN_DIR) -> dict[str, str]:
    """File name -> exact file content."""
    pep600 = reference / "pep600-compliance"
    measurements = read_measurements(pep600)
    readme = pep600 / "README.rst"
    badges = read_badges(readme)
    unavailable = read_unavailable_libs(readme)
    facts_eol = read_distro_facts_eol(reference / "distro-facts.md")
    facts_arches = read_distro_facts_architectures(reference / "distro-facts.md")
    for name in unavailable:
        if name not in measurements:
            raise GenerateError(f"README.rst compatibility issue for unknown release {name}")
    debian_packages = read_debian_packages(debian_dir)
    # A copy for the image entries: the merge below consumes debian_packages.
    debian_all = {rid: dict(arches) for rid, arches in debian_packages.items()}

    entries = []
    for pep600_name in sorted(measurements):
        arches_raw = measurements[pep600_name]
        removed = all(rev != PEP600_REVISION for _, rev, _ in arches_raw.values())
        if pep600_name in badges:
            eol, rolling = badge_eol(badges[pep600_name])
            eol_source = f"pep600-compliance README.rst distro badge @ {PEP600_REVISION}"
        elif removed:
            rolling = False
            row = REMOVED_EOL_ROWS.get(pep600_name)
            if row is not None and row not in facts_eol:
                raise GenerateError(f"distro-facts.md has no release row {row!r}")
            eol = facts_eol.get(row) if row is not None else None
            eol_source = DISTRO_FACTS_EOL_SOURCE if eol else None
        else:
            raise GenerateError(f"README.rst has no badge for {pep600_name}")

        ident = identity(pep600_name, rolling)
        packages = debian_packages.pop(ident["id"], {})
        arches = {}
        for arch in INTERPRETERS:
            if arch in arches_raw:
                data, revision, path = arches_raw[arch]
                arches[arch] = arch_entry(
                    pep600_name,
                    arch,
                    data,
                    revision,
                    path,
                    unavailable.get(pep600_name, set()),
                    packages.pop(arch, None),
                )
        for arch, (_, described) in sorted(packages.items()):
            print(
                f"glibc-db: note: {described}: {ident['id']} has no pep600 measurement for "
                f"{arch}; its package data is not merged",
                file=sys.stderr,
            )
        libc_versions = {a["libc_version"] for a in arches.values()}
        entry = {
            "generated_by": GENERATED_BY,
            **ident,
            "rolling": rolling,
            "libc": "glibc",
            "libc_version": libc_versions.pop() if len(libc_versions) == 1 else None,
            "eol": eol,
            "eol_source": eol_source,
            "arches": arches,
        }
        row = ARCHITECTURE_ROWS.get(ident["id"])
        if row is not None:
            if row not in facts_arches:
                raise GenerateError(f"distro-facts.md has no release row {row!r}")
            listed = [key for key in facts_arches[row] if not key.startswith("?")]
            uncertain = sorted(key[1:] for key in facts_arches[row] if key.startswith("?"))
            # A measured architecture exists whatever the table says (Debian 13's loong64 is a
            # debian-ports build the table's official list leaves out).
            built_for = sorted(set(listed) | set(arches))
            entry["architectures"] = {
                "built_for": built_for,
                # Named only with a caveat (Ubuntu 20.04's i386 multiarch libraries): neither
                # built for nor never built for.
                "uncertain": [key for key in uncertain if key not in built_for],
                "source": ARCHITECTURES_SOURCE,
            }
        entries.append(entry)
    for release_id in debian_packages:
        raise GenerateError(f"Debian package data for {release_id}, which pep600 does not measure")

    for release, facts in ALPINE_RELEASES.items():
        entries.append(alpine_entry(release, facts, facts_eol))
    debian_targets = read_debian_targets(debian_dir)
    check_fact_tables({entry["id"] for entry in entries})
    for entry in entries:
        add_target_facts(entry, debian_targets)
    for file_name, policy in read_policies(reference):
        entries.append(policy_entry(file_name, policy))

    by_id = {entry["id"]: entry for entry in entries}
    for release_id, aliases in dotnet_aliases().items():
        if release_id not in by_id:
            raise GenerateError(f"DOTNET_TAGS names unknown release {release_id}")
        by_id[release_id]["aliases"] += aliases
    check_libc6_list(debian_all)
    check_package_sonames(debian_all)
    for img in DOTNET_IMAGES:
        entries.append(dotnet_image_entry(img, by_id, debian_all))

    check_names(entries)
    files = {}
    for entry in entries:
        files[f"{entry['id']}.json"] = render(order_release(entry))
    return files


def render(entry: dict) -> str:
    """2-space JSON, but short string lists on one line (easier diffs and review)."""
    text = json.dumps(entry, indent=2, ensure_ascii=False)
    # Collapse arrays of plain strings onto one line.
    pattern = re.compile(r"\[\n(\s+\"[^\"\n]*\",?\n)+\s*\]")

    def collapse(m: re.Match) -> str:
        items = re.findall(r"\"[^\"\n]*\"", m.group(0))
        return "[" + ", ".join(items) + "]"

    text = pattern.sub(collapse, text)
    # And arrays of plain numbers (page sizes, ISA levels).
    numbers = re.compile(r"\[\n(\s+-?\d+,?\n)+\s*\]")
    text = numbers.sub(lambda m: "[" + ", ".join(re.findall(r"-?\d+", m.group(0))) + "]", text)
    return text + "\n"


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reference",
        type=Path,
        default=DEFAULT_REFERENCE,
        help=f"reference data directory (default: {DEFAULT_REFERENCE})",
    )
    parser.add_argument(
        "--debian",
        type=Path,
        default=DEBIAN_DIR,
        help=f"Debian package data to merge, <suite>.json files (default: {DEBIAN_DIR})",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if any file in glibc-db/releases/ is missing, stale or extra",
    )
    args = parser.parse_args(argv)

    pep600 = args.reference / "pep600-compliance"
    if not (pep600 / "cache").is_dir():
        if args.check:
            print(
                f"glibc-db: check skipped: reference data not found at {args.reference} "
                "(pep600-compliance/cache missing); releases/ was not compared",
                file=sys.stderr,
            )
            return 0
        print(f"glibc-db: error: reference data not found at {args.reference}", file=sys.stderr)
        return 2

    try:
        files = build(args.reference, args.debian)
    except GenerateError as err:
        print(f"glibc-db: error: {err}", file=sys.stderr)
        return 2

    return genfiles.sync(
        OUT_DIR, files, check=args.check, owned="*.json", prog="glibc-db", script="glibc-db/generate.py"
    )


if __name__ == "__main__":
    sys.exit(main())
