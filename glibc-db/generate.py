#!/usr/bin/env python3
"""Generate shipcheck's baseline database (glibc-db/releases/*.json).

The input is the measured data of mayeut/pep600_compliance (kept outside this
repository, see glibc-db/README.md); the output is our own format, one file per
distro release, each saying where every fact came from.

    python3 glibc-db/generate.py                 # (re)write glibc-db/releases/
    python3 glibc-db/generate.py --check         # exit 1 if releases/ is stale
    python3 glibc-db/generate.py --reference DIR # default: ../shared/reference

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

# The glibc dynamic loader (PT_INTERP) per architecture. An ABI fact of glibc,
# not of the distro. Sources: glibc sysdeps/unix/sysv/linux/*/ldconfig.h
# (SYSDEP_KNOWN_INTERPRETER_NAMES) and shlib-versions, the psABI / LSB
# documents; each path checked against `readelf -l usr/bin/getconf` of Debian's
# libc-bin 2.43-7 for amd64, i386, arm64, armhf, ppc64el, s390x, riscv64 and
# loong64 (see README.md). The key order is the output order of `arches`.
INTERPRETERS = {
    "x86_64": "/lib64/ld-linux-x86-64.so.2",
    "i686": "/lib/ld-linux.so.2",
    "aarch64": "/lib/ld-linux-aarch64.so.1",
    "armv7l": "/lib/ld-linux-armhf.so.3",
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

# Names users could type that belong to the auditwheel policies another part of
# the database adds; a release alias must never take one of them.
POLICY_NAME = re.compile(r"^(manylinux|musllinux)(_\d+_\d+|1|2010|2014)$")


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
        for key in [entry["id"], *entry["aliases"]]:
            folded = key.casefold()
            if POLICY_NAME.match(folded):
                raise GenerateError(f"{entry['id']}: {key!r} is an auditwheel policy name")
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
) -> dict:
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
    first = [interpreter.rsplit("/", 1)[1], *sorted(core), *runtime]
    present = first + sorted(others - set(first))

    clash = absent & set(present)
    if clash:
        raise GenerateError(f"{where}: {sorted(clash)} both present and absent")

    source = {"dataset": DATASET, "revision": revision, "path": path, "method": "measured"}
    source["note"] = MEASURE_NOTE + (IMAGE_NOTE if is_image else "")
    return {
        "libc_version": glibc_version,
        "interpreter": interpreter,
        "versions": versions,
        "sonames_present": present,
        "sonames_absent": sorted(absent),
        "source": source,
    }


def build(reference: Path) -> dict[str, str]:
    """File name -> exact file content."""
    pep600 = reference / "pep600-compliance"
    measurements = read_measurements(pep600)
    readme = pep600 / "README.rst"
    badges = read_badges(readme)
    unavailable = read_unavailable_libs(readme)
    facts_eol = read_distro_facts_eol(reference / "distro-facts.md")
    for name in unavailable:
        if name not in measurements:
            raise GenerateError(f"README.rst compatibility issue for unknown release {name}")

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
        arches = {}
        for arch in INTERPRETERS:
            if arch in arches_raw:
                data, revision, path = arches_raw[arch]
                arches[arch] = arch_entry(
                    pep600_name, arch, data, revision, path, unavailable.get(pep600_name, set())
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
        entries.append(entry)

    check_names(entries)
    files = {}
    for entry in entries:
        files[f"{entry['id']}.json"] = render(entry)
    return files


def render(entry: dict) -> str:
    """2-space JSON, but short string lists on one line (easier diffs and review)."""
    text = json.dumps(entry, indent=2, ensure_ascii=False)
    # Collapse arrays of plain strings onto one line.
    pattern = re.compile(r"\[\n(\s+\"[^\"\n]*\",?\n)+\s*\]")

    def collapse(m: re.Match) -> str:
        items = re.findall(r"\"[^\"\n]*\"", m.group(0))
        return "[" + ", ".join(items) + "]"

    return pattern.sub(collapse, text) + "\n"


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
        files = build(args.reference)
    except GenerateError as err:
        print(f"glibc-db: error: {err}", file=sys.stderr)
        return 2

    existing = {p.name for p in OUT_DIR.glob("*.json")} if OUT_DIR.is_dir() else set()
    missing = sorted(set(files) - existing)
    extra = sorted(existing - set(files))
    stale = sorted(
        name
        for name in set(files) & existing
        if (OUT_DIR / name).read_text(encoding="utf-8") != files[name]
    )

    if args.check:
        if not (missing or stale or extra):
            print(f"glibc-db: {len(files)} files up to date", file=sys.stderr)
            return 0
        for label, names in (("missing", missing), ("stale", stale), ("extra", extra)):
            for name in names:
                print(f"{label}: glibc-db/releases/{name}")
        print(
            "glibc-db: releases/ is out of date; run python3 glibc-db/generate.py",
            file=sys.stderr,
        )
        return 1

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name in missing + stale:
        (OUT_DIR / name).write_text(files[name], encoding="utf-8", newline="\n")
    for name in extra:
        (OUT_DIR / name).unlink()
    print(
        f"glibc-db: {len(files)} files ({len(missing)} new, {len(stale)} updated, "
        f"{len(extra)} removed)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
