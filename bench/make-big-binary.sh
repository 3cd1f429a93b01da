#!/usr/bin/env bash
# Generates the "huge unstripped binary" benchmark input: a dynamically linked hello world built
# with -g, carrying SYMBOLS symbols with long C++-like names in .symtab/.strtab (default
# 1,000,000: ~24 MB .symtab + ~110 MB .strtab, as in a large unstripped C++ program), padded to
# SIZE bytes in all (default 2 GiB) with a zero-filled .debug_junk section.
#
#   bench/make-big-binary.sh OUT [SIZE]          SYMBOLS=N to change the symbol count (0: none)
#
# objcopy writes the section's zeros for real; `fallocate --dig-holes` then punches them out,
# so the file is sparse where the filesystem supports it (the script prints apparent size and
# disk use: the symbol tables are real data, the padding is holes). A sparse file reads back as
# zeros without disk I/O, so cold-cache numbers understate what reading a real 2 GB file *whole*
# would cost; a tool that reads only headers and the tables it needs is not affected.
set -euo pipefail

out=${1:?usage: make-big-binary.sh OUT [SIZE]}
size=${2:-2G}
symbols=${SYMBOLS:-1000000}
for tool in gcc objcopy truncate fallocate awk numfmt; do
    command -v "$tool" >/dev/null || {
        echo "make-big-binary: needs $tool (apt-get install gcc binutils coreutils util-linux gawk)" >&2
        exit 1
    }
done
total=$(numfmt --from=iec "$size")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/hello.c" <<'EOF'
#include <stdio.h>
int main(void) { puts("hello"); return 0; }
EOF
# Absolute local symbols: they land in .symtab/.strtab only, not in the dynamic symbol table.
awk -v n="$symbols" 'BEGIN {
    print ".section .note.GNU-stack,\"\",@progbits"
    for (i = 0; i < n; i++)
        printf "_ZN9shipcheck5bench9synthetic%07d17some_long_method_name_to_look_like_cxx28with_template_argumentsIJiEEEvv = 0\n", i
}' > "$work/symbols.s"
gcc -g -O0 -o "$work/hello" "$work/hello.c" "$work/symbols.s"
rm -f "$work/symbols.s"

base=$(stat -c %s "$work/hello")
pad=$(( total - base - 4096 ))   # objcopy adds a section header and some alignment
[ "$pad" -gt 0 ] || pad=1
truncate -s "$pad" "$work/junk"
objcopy --add-section .debug_junk="$work/junk" \
    --set-section-flags .debug_junk=noload,readonly,debug \
    "$work/hello" "$out"
rm -f "$work/junk"
fallocate --dig-holes "$out" 2>/dev/null || echo "make-big-binary: fallocate --dig-holes failed; $out is not sparse" >&2

apparent=$(stat -c %s "$out")
on_disk=$(( $(stat -c %b "$out") * $(stat -c %B "$out") ))
sparse=no
[ "$on_disk" -lt $(( apparent / 2 )) ] && sparse=yes
echo "make-big-binary: $out: $apparent bytes apparent, $on_disk bytes on disk (sparse: $sparse), $symbols extra symbols" >&2
