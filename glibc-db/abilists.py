#!/usr/bin/env python3
"""Generate glibc-db/symbols/<arch>.json: the glibc version nodes of every symbol.

The input is Zig's consolidated glibc `abilists` file (kept outside this repository,
see glibc-db/README.md, "Per-symbol data"); the output is our own format, one compact
file per architecture of the baseline database, each saying where its facts came from.

    python3 glibc-db/abilists.py                  # (re)write glibc-db/symbols/
    python3 glibc-db/abilists.py --check          # exit 1 if symbols/ is stale
    python3 glibc-db/abilists.py --abilists PATH  # default: ../shared/reference/zig-glibc-abilists/abilists
    python3 glibc-db/abilists.py --self-test      # parser test on a hand-built file, then the known facts

What an inclusion means (read in Zig's glibc stub generator, which picks "the
greatest version <= the target one" as the default and emits `sym@GLIBC_<v>` for
every listed version <= the target): its version list names the version *nodes*
the symbol is defined at (`memcpy` on x86_64: 2.2.5 and 2.14), not the releases
that contain it. glibc never withdraws a symbol version (old ones stay as
compatibility symbols), so `sym@GLIBC_x` exists in every release >= x: the node's
number is also the first release that has it, and the data records no last release.
Checked against the measured node sets of glibc-db/releases/ (see README).

Python 3.11, standard library only. The output is deterministic: running the
generator twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import genfiles

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "glibc-db" / "symbols"
DEFAULT_ABILISTS = REPO_ROOT.parent / "shared" / "reference" / "zig-glibc-abilists" / "abilists"

GENERATED_BY = "glibc-db/abilists.py from zig-glibc-abilists; do not edit, rerun the generator"
DATASET = "zig-glibc-abilists"
# Where the input file came from (reference/README.md). The digest pins that exact
# file: a different input must come with a new REVISION, so provenance stays true.
REVISION = "ziglang 0.17.1 (PyPI) lib/libc/glibc/abilists"
INPUT_SHA256 = "9327bdbeae15b383481c7a821f58d3ade9d2c6745ff19bb8b646df4c7a953037"

# Our architecture keys (glibc-db/releases/*.json `arches`) → Zig's target name.
# Looked up by name in the file's header, never by position.
ARCH_TARGETS = {
    "x86_64": "x86_64-linux-gnu",
    "i686": "x86-linux-gnu",
    "aarch64": "aarch64-linux-gnu",
    "armv7l": "arm-linux-gnueabihf",
    "ppc64le": "powerpc64le-linux-gnu",
    "s390x": "s390x-linux-gnu",
    "riscv64": "riscv64-linux-gnu",
    "loongarch64": "loongarch64-linux-gnu",
}

# Section order in the file, and the key each one gets in our output.
SECTIONS = ("functions", "objects", "tls")

# Flag bits of an inclusion's library byte (libc-abi-tools README).
UNVERSIONED = 1 << 5
WEAK = 1 << 6
LAST_INCLUSION = 1 << 7
LAST_VERSION = 1 << 7


class AbilistsError(Exception):
    """The input is not a well-formed abilists file, or breaks a fact we rely on."""


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Inclusion:
    section: str  # "functions", "objects" or "tls"
    symbol: str
    targets: int  # bit i set: applies to header target i
    size: int | None  # objects and TLS only
    library: int  # index into the header's libraries
    unversioned: bool
    weak: bool
    versions: tuple[int, ...]  # indices into the header's versions: the nodes


@dataclass(frozen=True)
class Abilists:
    libraries: tuple[str, ...]
    versions: tuple[tuple[int, int, int], ...]
    targets: tuple[str, ...]
    inclusions: tuple[Inclusion, ...]

    def version_name(self, index: int) -> str:
        """Zig's spelling of a version: `2.28`, or `2.2.5` when the patch is non-zero."""
        major, minor, patch = self.versions[index]
        return f"{major}.{minor}.{patch}" if patch else f"{major}.{minor}"


class Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def _need(self, n: int, what: str) -> None:
        if self.pos + n > len(self.data):
            raise AbilistsError(f"truncated at byte {self.pos}: expected {what}")

    def u8(self, what: str) -> int:
        self._need(1, what)
        value = self.data[self.pos]
        self.pos += 1
        return value

    def u16(self, what: str) -> int:
        self._need(2, what)
        value = int.from_bytes(self.data[self.pos : self.pos + 2], "little")
        self.pos += 2
        return value

    def cstr(self, what: str) -> str:
        end = self.data.find(b"\0", self.pos)
        if end < 0:
            raise AbilistsError(f"truncated at byte {self.pos}: unterminated {what}")
        raw = self.data[self.pos : end]
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError as err:
            raise AbilistsError(f"byte {self.pos}: {what} is not ASCII") from err
        if not text:
            raise AbilistsError(f"byte {self.pos}: empty {what}")
        self.pos = end + 1
        return text

    def uleb128(self, what: str, bits: int) -> int:
        start = self.pos
        value = 0
        shift = 0
        while True:
            byte = self.u8(what)
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        if value >> bits:
            raise AbilistsError(f"byte {start}: {what} does not fit in {bits} bits")
        return value


def parse(data: bytes) -> Abilists:
    r = Reader(data)
    libraries = tuple(r.cstr("library name") for _ in range(r.u8("library count")))
    versions = tuple(
        (r.u8("major"), r.u8("minor"), r.u8("patch")) for _ in range(r.u8("version count"))
    )
    targets = tuple(r.cstr("target name") for _ in range(r.u8("target count")))
    if len(set(libraries)) != len(libraries) or len(set(targets)) != len(targets):
        raise AbilistsError("duplicate library or target name in the header")
    if list(versions) != sorted(set(versions)):
        raise AbilistsError("header versions are not strictly ascending")
    if len(targets) > 64 or len(versions) > 128 or len(libraries) > 32:
        raise AbilistsError("header lists more targets, versions or libraries than the format can index")

    inclusions: list[Inclusion] = []
    for section in SECTIONS:
        count = r.u16(f"{section} inclusion count")
        done = 0
        while done < count:
            symbol = r.cstr(f"{section} symbol name")
            while True:
                if done == count:
                    raise AbilistsError(f"{section} `{symbol}`: more inclusions than the count {count}")
                mask = r.uleb128("target set", 64)
                size = r.uleb128("object size", 16) if section != "functions" else None
                flags = r.u8("library index")
                library = flags & 0x1F
                if library >= len(libraries):
                    raise AbilistsError(f"`{symbol}`: library index {library} out of range")
                if mask == 0 or mask >> len(targets):
                    raise AbilistsError(f"`{symbol}`: target set {mask:#x} names no or unknown targets")
                nodes: list[int] = []
                while True:
                    byte = r.u8("version index")
                    index = byte & 0x7F
                    if index >= len(versions):
                        raise AbilistsError(f"`{symbol}`: version index {index} out of range")
                    nodes.append(index)
                    if byte & LAST_VERSION:
                        break
                inclusions.append(
                    Inclusion(
                        section=section,
                        symbol=symbol,
                        targets=mask,
                        size=size,
                        library=library,
                        unversioned=bool(flags & UNVERSIONED),
                        weak=bool(flags & WEAK),
                        versions=tuple(nodes),
                    )
                )
                done += 1
                if flags & LAST_INCLUSION:
                    break
    if r.pos != len(data):
        raise AbilistsError(f"{len(data) - r.pos} unexpected bytes after the TLS section")
    return Abilists(libraries, versions, targets, tuple(inclusions))


# --------------------------------------------------------------------------- per arch


@dataclass(frozen=True)
class Definition:
    """`symbol@GLIBC_<version>` in lib<library>."""

    version: int
    library: int
    size: int | None


def per_arch(abi: Abilists, arch: str) -> dict[str, dict[str, list[Definition]]]:
    """section → symbol → its definitions on `arch`, sorted by (version, library)."""
    target = ARCH_TARGETS[arch]
    if target not in abi.targets:
        raise AbilistsError(f"{arch}: target {target} is not in the file's header ({', '.join(abi.targets)})")
    bit = 1 << abi.targets.index(target)
    found: dict[str, dict[str, set[Definition]]] = {s: {} for s in SECTIONS}
    for inc in abi.inclusions:
        if not inc.targets & bit:
            continue
        if inc.unversioned:
            # Our format says every definition has a node; extend it before accepting these.
            raise AbilistsError(f"{arch}: `{inc.symbol}` is unversioned in lib{abi.libraries[inc.library]}")
        defs = found[inc.section].setdefault(inc.symbol, set())
        for version in inc.versions:
            defs.add(Definition(version, inc.library, inc.size))
    seen: dict[str, str] = {}
    for section in SECTIONS:
        for symbol in found[section]:
            if symbol in seen:
                raise AbilistsError(f"{arch}: `{symbol}` is in both {seen[symbol]} and {section}")
            seen[symbol] = section
    return {
        section: {
            symbol: sorted(defs, key=lambda d: (d.version, d.library, d.size or 0))
            for symbol, defs in sorted(found[section].items())
        }
        for section in SECTIONS
    }


def render(abi: Abilists, arch: str, digest: str) -> str:
    """Compact JSON, one symbol per line: `"memcpy":["c 2.2.5","c 2.14"]`.

    Each entry is `<library> <version>` (objects and TLS: `<library> <version> <size>`):
    the symbol is defined at node GLIBC_<version> in lib<library>.
    """
    data = per_arch(abi, arch)
    head = {
        "generated_by": GENERATED_BY,
        "source": {
            "dataset": DATASET,
            "revision": REVISION,
            "method": "stated",
            "target": ARCH_TARGETS[arch],
            "sha256": digest,
        },
        "arch": arch,
        "libraries": list(abi.libraries),
        "glibc_releases": [abi.version_name(i) for i in range(len(abi.versions))],
    }
    lines = ["{"]
    for key, value in head.items():
        lines.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=True)},")
    for n, section in enumerate(SECTIONS):
        symbols = data[section]
        closing = "}" if n == len(SECTIONS) - 1 else "},"
        if not symbols:
            lines.append(f'"{section}": {{{closing}')
            continue
        lines.append(f'"{section}": {{')
        items = list(symbols.items())
        for i, (symbol, defs) in enumerate(items):
            entries = [
                f"{abi.libraries[d.library]} {abi.version_name(d.version)}"
                + (f" {d.size}" if d.size is not None else "")
                for d in defs
            ]
            comma = "," if i < len(items) - 1 else ""
            lines.append(f"{json.dumps(symbol)}:{json.dumps(entries, separators=(',', ':'))}{comma}")
        lines.append(closing)
    lines.append("}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- facts


def nodes(abi: Abilists, arch: str, symbol: str) -> list[tuple[str, str]]:
    """[(library, version)] of a symbol on an arch, for the fact checks."""
    data = per_arch(abi, arch)
    for section in SECTIONS:
        if symbol in data[section]:
            return [(abi.libraries[d.library], abi.version_name(d.version)) for d in data[section][symbol]]
    return []


def check_facts(abi: Abilists) -> None:
    """Known glibc facts; a parser (or an input) that disagrees is wrong."""
    failures: list[str] = []

    def expect(what: str, got: object, want: object) -> None:
        if got != want:
            failures.append(f"{what}: got {got!r}, want {want!r}")

    expect("x86_64 fcntl64", nodes(abi, "x86_64", "fcntl64"), [("c", "2.28")])
    expect("x86_64 memcpy", nodes(abi, "x86_64", "memcpy"), [("c", "2.2.5"), ("c", "2.14")])
    expect(
        "x86_64 __libc_start_main",
        nodes(abi, "x86_64", "__libc_start_main"),
        [("c", "2.2.5"), ("c", "2.34")],
    )
    expect("x86_64 getrandom", nodes(abi, "x86_64", "getrandom"), [("c", "2.25")])
    expect("x86_64 reallocarray", nodes(abi, "x86_64", "reallocarray"), [("c", "2.26")])
    # Before 2.33, stat() was a header wrapper around __xstat.
    expect("x86_64 stat", nodes(abi, "x86_64", "stat"), [("c", "2.33")])
    expect("x86_64 __xstat", nodes(abi, "x86_64", "__xstat"), [("c", "2.2.5")])
    # pthread_create moved into libc in 2.34 under a new node; the old one stays in libpthread's data.
    expect(
        "x86_64 pthread_create",
        nodes(abi, "x86_64", "pthread_create"),
        [("pthread", "2.2.5"), ("c", "2.34")],
    )
    expect("aarch64 getrandom", nodes(abi, "aarch64", "getrandom"), [("c", "2.25")])
    expect("aarch64 memcpy", nodes(abi, "aarch64", "memcpy"), [("c", "2.17")])
    expect("i686 fcntl64", nodes(abi, "i686", "fcntl64"), [("c", "2.28")])

    # Each architecture's base node (reference/README.md): nothing older exists there
    # (on aarch64 nothing below GLIBC_2.17).
    base = {
        "x86_64": "2.2.5",
        "i686": "2.0",
        "aarch64": "2.17",
        "armv7l": "2.4",
        "ppc64le": "2.17",
        "s390x": "2.2",
        "riscv64": "2.27",
        "loongarch64": "2.36",
    }
    for arch, want in base.items():
        data = per_arch(abi, arch)
        used = {d.version for section in data.values() for defs in section.values() for d in defs}
        expect(f"{arch} oldest node", abi.version_name(min(used)) if used else None, want)

    # x86_64 defines no GLIBC_2.19-2.21 or 2.37 node (matches the measured distro data).
    x86_64 = per_arch(abi, "x86_64")
    used = {abi.version_name(d.version) for s in x86_64.values() for defs in s.values() for d in defs}
    for missing in ("2.19", "2.20", "2.21", "2.37"):
        if missing in used:
            failures.append(f"x86_64 has a GLIBC_{missing} node")
    if failures:
        raise AbilistsError("known facts do not hold:\n  " + "\n  ".join(failures))


# --------------------------------------------------------------------------- self-test


def _encode_for_test(
    libraries: list[str],
    versions: list[tuple[int, int, int]],
    targets: list[str],
    sections: list[list[tuple[str, list[tuple[int, int | None, int, list[int]]]]]],
) -> bytes:
    """A tiny abilists writer for the self-test: sections[i] = [(symbol, [(mask, size, lib, versions)])]."""

    def uleb(value: int) -> bytes:
        out = bytearray()
        while True:
            byte = value & 0x7F
            value >>= 7
            out.append(byte | (0x80 if value else 0))
            if not value:
                return bytes(out)

    out = bytearray([len(libraries)])
    for name in libraries:
        out += name.encode() + b"\0"
    out.append(len(versions))
    for v in versions:
        out += bytes(v)
    out.append(len(targets))
    for name in targets:
        out += name.encode() + b"\0"
    for n, section in enumerate(sections):
        out += sum(len(incs) for _, incs in section).to_bytes(2, "little")
        for symbol, incs in section:
            out += symbol.encode() + b"\0"
            for i, (mask, size, lib, vers) in enumerate(incs):
                out += uleb(mask)
                if n > 0:
                    out += uleb(size or 0)
                out.append(lib | (LAST_INCLUSION if i == len(incs) - 1 else 0))
                out += bytes(v | (LAST_VERSION if j == len(vers) - 1 else 0) for j, v in enumerate(vers))
    return bytes(out)


def self_test(abilists: Path) -> None:
    # A hand-built file: libraries and targets in an order no fixed list would guess,
    # a target past bit 7 (two-byte uleb128 set), a multi-inclusion symbol, an object, a TLS entry.
    targets = [f"t{i}-linux-gnu" for i in range(9)]
    targets[8] = "x86_64-linux-gnu"
    targets[3] = "aarch64-linux-gnu"
    blob = _encode_for_test(
        ["m", "c", "pthread"],
        [(2, 0, 0), (2, 2, 5), (2, 14, 0), (2, 17, 0), (2, 34, 0)],
        targets,
        [
            [
                ("memcpy", [(1 << 8, None, 1, [1, 2]), (1 << 3, None, 1, [3])]),
                ("pthread_create", [(1 << 8, None, 2, [1]), ((1 << 8) | (1 << 3), None, 1, [4])]),
            ],
            [("_res", [(1 << 8, 568, 1, [1])])],
            [("errno_tls", [(1 << 3, 4, 1, [3])])],
        ],
    )
    abi = parse(blob)
    assert abi.libraries == ("m", "c", "pthread")
    assert abi.targets[8] == "x86_64-linux-gnu"
    assert len(abi.inclusions) == 6
    assert nodes(abi, "x86_64", "memcpy") == [("c", "2.2.5"), ("c", "2.14")]
    assert nodes(abi, "aarch64", "memcpy") == [("c", "2.17")]
    assert nodes(abi, "x86_64", "pthread_create") == [("pthread", "2.2.5"), ("c", "2.34")]
    assert nodes(abi, "aarch64", "pthread_create") == [("c", "2.34")]
    x86 = per_arch(abi, "x86_64")
    assert x86["objects"]["_res"] == [Definition(1, 1, 568)] and not x86["tls"]
    assert per_arch(abi, "aarch64")["tls"]["errno_tls"] == [Definition(3, 1, 4)]
    text = render(abi, "x86_64", "0" * 64)
    loaded = json.loads(text)
    assert loaded["functions"]["memcpy"] == ["c 2.2.5", "c 2.14"]
    assert loaded["objects"] == {"_res": ["c 2.2.5 568"]} and loaded["tls"] == {}
    assert loaded["glibc_releases"] == ["2.0", "2.2.5", "2.14", "2.17", "2.34"]
    for cut in (1, len(blob) // 2, len(blob) - 1):
        try:
            parse(blob[:cut])
        except AbilistsError:
            pass
        else:
            raise AssertionError(f"a file truncated to {cut} bytes parsed")
    try:
        parse(blob + b"\0")
    except AbilistsError:
        pass
    else:
        raise AssertionError("trailing bytes were accepted")
    print("glibc-db/abilists.py: parser self-test passed", file=sys.stderr)

    if not abilists.is_file():
        print(f"glibc-db/abilists.py: facts skipped: {abilists} not found", file=sys.stderr)
        return
    check_facts(parse(abilists.read_bytes()))
    print("glibc-db/abilists.py: known facts hold", file=sys.stderr)


# --------------------------------------------------------------------------- main


def build(abilists: Path) -> dict[str, str]:
    data = abilists.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != INPUT_SHA256:
        raise AbilistsError(
            f"{abilists} has sha256 {digest}, not the file REVISION names ({INPUT_SHA256}); "
            "update REVISION and INPUT_SHA256 together"
        )
    abi = parse(data)
    check_facts(abi)
    return {f"{arch}.json": render(abi, arch, digest) for arch in ARCH_TARGETS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--abilists",
        type=Path,
        default=DEFAULT_ABILISTS,
        help=f"Zig's glibc abilists file (default: {DEFAULT_ABILISTS})",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if any file in glibc-db/symbols/ is missing, stale or extra",
    )
    mode.add_argument(
        "--self-test",
        action="store_true",
        help="test the parser on a hand-built file, then check known facts against --abilists",
    )
    args = parser.parse_args(argv)

    if args.self_test:
        try:
            self_test(args.abilists)
        except (AssertionError, AbilistsError) as err:
            print(f"glibc-db/abilists.py: self-test failed: {err}", file=sys.stderr)
            return 1
        return 0

    if not args.abilists.is_file():
        if args.check:
            print(
                f"glibc-db/abilists.py: check skipped: abilists file not found at {args.abilists}; "
                "symbols/ was not compared",
                file=sys.stderr,
            )
            return 0
        print(f"glibc-db/abilists.py: error: abilists file not found at {args.abilists}", file=sys.stderr)
        return 2

    try:
        files = build(args.abilists)
    except AbilistsError as err:
        print(f"glibc-db/abilists.py: error: {err}", file=sys.stderr)
        return 2

    return genfiles.sync(
        OUT_DIR, files, check=args.check, owned="*.json", prog="glibc-db/abilists.py", script="glibc-db/abilists.py"
    )


if __name__ == "__main__":
    sys.exit(main())
