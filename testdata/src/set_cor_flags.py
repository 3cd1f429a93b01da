#!/usr/bin/env python3
"""Set flags in the CLI header (IMAGE_COR20_HEADER) of a .NET assembly.

`dotnet build -p:PlatformTarget=x86` writes COMIMAGE_FLAGS_32BITREQUIRED (0x2) into an
otherwise AnyCPU PE32 IL-only assembly. No .NET SDK reaches this machine, so build.sh makes the
x86-only test assembly from a real AnyCPU one (Python.Runtime.dll) by setting that flag, exactly
the one field the compiler would write differently (the file is not strong-name signed).

usage: set_cor_flags.py IN OUT FLAGS   (FLAGS ORed in, e.g. 0x2)
"""
import struct
import sys


def main():
    src, dst, flags = sys.argv[1], sys.argv[2], int(sys.argv[3], 0)
    data = bytearray(open(src, "rb").read())
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    assert data[pe:pe + 4] == b"PE\0\0", "not a PE file"
    sections = struct.unpack_from("<H", data, pe + 6)[0]
    optional_size = struct.unpack_from("<H", data, pe + 20)[0]
    optional = pe + 24
    magic = struct.unpack_from("<H", data, optional)[0]
    directories = optional + (96 if magic == 0x10B else 112)
    rva, size = struct.unpack_from("<II", data, directories + 14 * 8)
    assert rva and size >= 72, "no CLI header"
    table = optional + optional_size
    for index in range(sections):
        header = table + index * 40
        vsize, vaddr, raw_size, raw_ptr = struct.unpack_from("<IIII", data, header + 8)
        if vaddr <= rva < vaddr + max(vsize, raw_size):
            offset = raw_ptr + (rva - vaddr)
            break
    else:
        raise SystemExit("the CLI header lies in no section")
    old = struct.unpack_from("<I", data, offset + 16)[0]
    struct.pack_into("<I", data, offset + 16, old | flags)
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main()
