#!/usr/bin/env python3
"""Write a minimal, valid Mach-O 64-bit arm64 MH_EXECUTE file.

One LC_SEGMENT_64 (__PAGEZERO, as every macOS executable has) and nothing
else: enough for `file` and for format sniffing, not meant to run.
Standard library only. usage: make_macho.py OUT
"""
import struct
import sys

MH_MAGIC_64 = 0xFEEDFACF
CPU_TYPE_ARM64 = 0x0100000C  # CPU_TYPE_ARM | CPU_ARCH_ABI64
CPU_SUBTYPE_ARM64_ALL = 0
MH_EXECUTE = 0x2
MH_NOUNDEFS, MH_DYLDLINK, MH_TWOLEVEL, MH_PIE = 0x1, 0x4, 0x80, 0x200000
LC_SEGMENT_64 = 0x19


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: make_macho.py OUT", file=sys.stderr)
        return 2
    segment = struct.pack(
        "<II16sQQQQiiII",
        LC_SEGMENT_64,
        72,                    # cmdsize: the segment_command_64 itself, no sections
        b"__PAGEZERO",         # segname, NUL-padded to 16 bytes by struct
        0, 0x100000000,        # vmaddr, vmsize
        0, 0,                  # fileoff, filesize
        0, 0,                  # maxprot, initprot
        0, 0,                  # nsects, flags
    )
    header = struct.pack(
        "<IiiIIIII",
        MH_MAGIC_64,
        CPU_TYPE_ARM64,
        CPU_SUBTYPE_ARM64_ALL,
        MH_EXECUTE,
        1,                     # ncmds
        len(segment),          # sizeofcmds
        MH_NOUNDEFS | MH_DYLDLINK | MH_TWOLEVEL | MH_PIE,
        0,                     # reserved
    )
    with open(sys.argv[1], "wb") as f:
        f.write(header + segment)
    return 0


if __name__ == "__main__":
    sys.exit(main())
