#!/usr/bin/env python3
"""Set VER_FLG_WEAK on one version definition of a 64-bit little-endian ELF shared object.

GNU ld copies the vd_flags of the version definition a symbol binds to into
the vna_flags of the version need it writes (bfd/elflink.c,
_bfd_elf_link_find_version_dependencies: `a->vna_flags = verdef->vd_flags`).
ld itself only marks a definition weak when its version node is empty and
unused, which no symbol can then bind to, so a link against an unmodified
library never yields a weak version need. build.sh therefore links
weak-x86_64 against a throw-away copy of libc.so.6 whose GLIBC_2.25
definition carries VER_FLG_WEAK; the shipped binary is untouched ld output.

usage: set_verdef_weak.py IN OUT VERSION
"""
import struct
import sys

SHT_GNU_VERDEF = 0x6FFFFFFD
VER_FLG_WEAK = 0x2


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    src, dst, version = sys.argv[1], sys.argv[2], sys.argv[3].encode()
    data = bytearray(open(src, "rb").read())
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit(f"{src}: not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)

    def section(i):
        # sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link, ...
        return struct.unpack_from("<IIQQQQI", data, shoff + i * shentsize)

    for i in range(shnum):
        _, sh_type, _, _, off, size, link = section(i)
        if sh_type != SHT_GNU_VERDEF:
            continue
        stroff = section(link)[4]
        pos = off
        while True:
            _, flags, _, _, _, aux, nxt = struct.unpack_from("<HHHHIII", data, pos)
            name_off, = struct.unpack_from("<I", data, pos + aux)
            start = stroff + name_off
            name = bytes(data[start:data.index(b"\0", start)])
            if name == version:
                struct.pack_into("<H", data, pos + 2, flags | VER_FLG_WEAK)
                open(dst, "wb").write(data)
                return 0
            if nxt == 0:
                break
            pos += nxt
    sys.exit(f"{src}: no version definition named {version.decode()}")


if __name__ == "__main__":
    sys.exit(main())
