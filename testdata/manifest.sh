#!/usr/bin/env bash
# Prints testdata/MANIFEST.md: a hand-written description of every file in
# testdata/bin/ followed by the facts readelf and file(1) report for it, so
# the tests' expectations can be checked against the real tools. build.sh
# runs it; run it alone after editing a description:
#     testdata/manifest.sh > testdata/MANIFEST.md
# or check that the committed MANIFEST.md is current (exit 1 if stale):
#     testdata/manifest.sh --check
set -euo pipefail

if [ "${1:-}" = --check ]; then
    self="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
    if diff -u "$(dirname "$self")/MANIFEST.md" <("$self") >&2; then
        echo "MANIFEST.md is up to date" >&2
        exit 0
    fi
    echo "MANIFEST.md is stale: run testdata/manifest.sh > testdata/MANIFEST.md" >&2
    exit 1
fi

TD="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BIN="$TD/bin"
export LC_ALL=C

# ------------------------------------------------------------ descriptions
# Hand-written: what each output is and why it exists. One entry per file.
declare -A DESC=(
    [hello-x86_64]="hello.c, host gcc 12 (Debian 12, glibc 2.36), PIE. Needs GLIBC_2.34 only because of \`__libc_start_main\` (glibc 2.34 moved it)."
    [hello-aarch64]="hello.c, aarch64-linux-gnu-gcc 12 (bookworm cross, glibc 2.36). Base node GLIBC_2.17; 64 KiB segment alignment makes it ~66 KB."
    [hello-armhf]="hello.c, arm-linux-gnueabihf-gcc 12. 32-bit ARM, EABI5, hard-float ABI (e_flags 0x5000400); interpreter /lib/ld-linux-armhf.so.3."
    [hello-armel]="hello.c, arm-linux-gnueabi-gcc 12. 32-bit ARM, EABI5, soft-float ABI (e_flags 0x5000200); interpreter /lib/ld-linux.so.3."
    [hello-i686]="hello.c, i686-linux-gnu-gcc 12. Base node GLIBC_2.0; also GLIBC_2.1.3 (\`__cxa_finalize\`)."
    [hello-riscv64]="hello.c, riscv64-linux-gnu-gcc 12. e_flags 0x5 = RVC + double-float ABI (lp64d); base node GLIBC_2.27."
    [hello-ppc64le]="hello.c, powerpc64le-linux-gnu-gcc 12. ELFv2 ABI (e_flags 0x2); interpreter /lib64/ld64.so.2; 64 KiB pages."
    [hello-s390x]="hello.c, s390x-linux-gnu-gcc 12. The only big-endian file; base node GLIBC_2.2."
    [hello-x86_64-musl]="hello.c, musl-gcc (musl 1.2.3), dynamic. Interpreter /lib/ld-musl-x86_64.so.1, DT_NEEDED \`libc.so\` (musl's soname), no symbol versioning at all."
    [hello-x86_64-musl-static]="hello.c, \`musl-gcc -static\`: ET_EXEC, no PT_INTERP, no PT_DYNAMIC."
    [hello-x86_64-musl-static-pie]="hello.c, musl static PIE. Debian's musl-gcc.specs ignores \`-static-pie\` (it yields a dynamic PIE needing libc.so), so build.sh links by hand with musl's \`rcrt1.o\`. ET_DYN with PT_DYNAMIC but no PT_INTERP and no DT_NEEDED."
    [hello-x86_64-static]="hello.c, glibc \`-static\`: ET_EXEC, no PT_INTERP, no dynamic section."
    [hello-x86_64-static-pie]="hello.c, glibc \`-static-pie\`: ET_DYN with PT_DYNAMIC but no PT_INTERP and no DT_NEEDED. Must not be mistaken for a shared library or a dynamic PIE."
    [hello-bullseye-x86_64]="hello.c, host gcc 12 against the Debian 11 (bullseye, glibc 2.31) sysroot: needs only the x86_64 base node GLIBC_2.2.5."
    [hello-bullseye-aarch64]="hello.c, aarch64-linux-gnu-gcc 12 against the bullseye arm64 sysroot: needs only GLIBC_2.17."
    [getrandom-bullseye-x86_64]="getrandom.c against bullseye: \`getrandom@GLIBC_2.25\`."
    [fcntl64-bullseye-x86_64]="fcntl64.c against bullseye. The source defines \`_FILE_OFFSET_BITS 64\`, so glibc 2.31's <fcntl.h> redirects fcntl to \`fcntl64@GLIBC_2.28\` (without it, x86_64 binds \`fcntl@GLIBC_2.2.5\`; verified)."
    [relr-x86_64]="relr.c, host gcc, \`-fPIE -pie -Wl,-z,pack-relative-relocs\`: has DT_RELR/DT_RELRSZ/DT_RELRENT and the GLIBC_ABI_DT_RELR need (glibc 2.36+)."
    [cxx-x86_64]="cxx.cc, host g++ 12, libstdc++ linked dynamically. Newest nodes: GLIBCXX_3.4.30 (\`std::condition_variable::wait\`), GLIBCXX_3.4.29 (\`basic_string::reserve()\`), CXXABI_1.3.9 (sized \`operator delete\`), CXXABI_1.3.8; plus GCC_3.0 from libgcc_s."
    [cxx-bullseye-x86_64]="The same cxx.cc compiled by host g++ 12 with bullseye's GCC 10 libstdc++ headers and linked against bullseye's libstdc++.so.6.0.28: nothing newer than GLIBCXX_3.4.21 / CXXABI_1.3.9 / GLIBC_2.14."
    [debug-unstripped-x86_64]="debug.c, \`-O2 -g\` (DWARF 5), not stripped: .debug_* and .symtab."
    [debug-stripped-x86_64]="debug-unstripped-x86_64 after \`strip --strip-all\`: no .debug_*, no .symtab."
    [debug-split-x86_64]="debug-unstripped-x86_64 after \`strip --strip-debug --strip-unneeded\` and \`objcopy --add-gnu-debuglink=debug-split-x86_64.debug\`: no .debug_*, keeps a .gnu_debuglink."
    [debug-split-x86_64.debug]="The companion of debug-split-x86_64 (\`objcopy --only-keep-debug\`): .debug_* present, allocated sections are NOBITS. Same build-id as the stripped file."
    [debug-compressed-x86_64]="debug.c, \`-g -gz=zlib\`: SHF_COMPRESSED (ELFCOMPRESS_ZLIB) .debug_* sections. ld only compresses a section when that saves space, so some small ones stay uncompressed (see the flags)."
    [symtab-only-x86_64]="debug.c without -g, not stripped: .symtab/.strtab but no .debug_*."
    [weak-x86_64]="weak.c against bullseye: a weak reference to getrandom, bound to GLIBC_2.25 with **VER_FLG_WEAK** on the version need. GNU ld copies the flags of the version *definition* a symbol binds to (bfd/elflink.c: \`a->vna_flags = verdef->vd_flags\`) and itself only marks empty, unused version nodes weak; so build.sh links against a throw-away copy of bullseye's libc.so.6 whose GLIBC_2.25 definition carries VER_FLG_WEAK (src/set_verdef_weak.py). The shipped binary itself is unmodified ld output."
    [privat-x86_64]="privat.c, host gcc: reads \`__libc_enable_secure\`, which ld.so exports as GLIBC_PRIVATE. Adds DT_NEEDED ld-linux-x86-64.so.2 and the GLIBC_PRIVATE need."
    [app-runpath/bin/app]="app.c linked against libbundled.so.1 (BUNDLED_2.0 build) with DT_RUNPATH \`\$ORIGIN/../lib\`; uses bundled_hello (BUNDLED_1.0) and bundled_greet (BUNDLED_2.0)."
    [app-runpath/lib/libbundled.so.1]="libbundled.c (BUNDLED_API=2) with bundled-2.map: SONAME libbundled.so.1, defines BUNDLED_1.0 and BUNDLED_2.0."
    [app-rpath/bin/app]="Same app, linked with \`--disable-new-dtags\` and the literal \`\${ORIGIN}/../lib\`: DT_RPATH, no DT_RUNPATH."
    [app-rpath/lib/libbundled.so.1]="Identical copy of app-runpath/lib/libbundled.so.1."
    [app-oldlib/bin/app]="Byte-identical to app-runpath/bin/app (linked against the BUNDLED_2.0 library) ..."
    [app-oldlib/lib/libbundled.so.1]="... but shipped with the older libbundled.so.1 (BUNDLED_API=1, bundled-1.map) that defines only BUNDLED_1.0 and lacks bundled_greet: the \"shipped library too old\" case. Run on the build host, glibc's ld.so stops with \"version 'BUNDLED_2.0' not found (required by app-oldlib/bin/app)\"."
    [needs-nowhere-x86_64]="needs-nowhere.c: DT_NEEDED libnowhere.so.1 (unversioned), which nothing provides; the stub it was linked against is not shipped. Run, ld.so fails with \"libnowhere.so.1: cannot open shared object file\"."
    [rpath-absolute-x86_64]="hello.c with DT_RUNPATH \`/home/builder/work/build/out/lib\`: a leaked build directory."
    [libversioned.so.1]="versioned.c + versioned.map: a standalone library with SONAME libversioned.so.1 and version definitions VERS_1.0 and VERS_1.1 (parent VERS_1.0). \`versioned_get\` is defined twice: \`versioned_get@VERS_1.0\` (the old, non-default one) and \`versioned_get@@VERS_1.1\` (the default); the map lists the name in both nodes, as glibc's Versions files do."
    [hello-win64.exe]="win64.c, x86_64-w64-mingw32-gcc, \`--no-insert-timestamp\`: a PE32+ console executable; not ELF."
    [macho-arm64.bin]="Written by src/make_macho.py: a 104-byte Mach-O 64-bit arm64 MH_EXECUTE header with one LC_SEGMENT_64 (__PAGEZERO); not ELF."
    [not-a-binary.txt]="Plain text (copy of src/not-a-binary.txt)."
    [truncated-elf]="The first 40 bytes of hello-x86_64: valid ELF magic, class 64, little endian, but the header (64 bytes) is cut: readers must report an error, not panic."
)

# Output order: the order of the request, then anything unlisted.
ORDER=(
    hello-x86_64 hello-aarch64 hello-armhf hello-armel hello-i686 hello-riscv64 hello-ppc64le hello-s390x
    hello-x86_64-musl hello-x86_64-musl-static hello-x86_64-musl-static-pie hello-x86_64-static hello-x86_64-static-pie
    hello-bullseye-x86_64 hello-bullseye-aarch64 getrandom-bullseye-x86_64 fcntl64-bullseye-x86_64
    relr-x86_64 cxx-x86_64 cxx-bullseye-x86_64
    debug-unstripped-x86_64 debug-stripped-x86_64 debug-split-x86_64 debug-split-x86_64.debug debug-compressed-x86_64 symtab-only-x86_64
    weak-x86_64 privat-x86_64
    app-runpath/bin/app app-runpath/lib/libbundled.so.1 app-rpath/bin/app app-rpath/lib/libbundled.so.1
    app-oldlib/bin/app app-oldlib/lib/libbundled.so.1
    needs-nowhere-x86_64 rpath-absolute-x86_64 libversioned.so.1
    hello-win64.exe macho-arm64.bin not-a-binary.txt truncated-elf
)

is_elf() { [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] && [ "$(stat -c %s "$1")" -ge 64 ]; }

field() {  # field LABEL < readelf -h
    awk -v l="$1" -F: '$1 ~ "^ *" l "$" { sub(/^[^:]*:[ \t]*/, ""); print; exit }'
}

elf_facts() {
    local f="$1" h
    h="$(readelf -h -W "$f" 2>/dev/null)"
    local flags
    flags="$(field Flags <<<"$h")"
    echo "- class: $(field Class <<<"$h"); data: $(field Data <<<"$h"); OS/ABI: $(field OS/ABI <<<"$h")"
    echo "- machine: $(field Machine <<<"$h") (e_machine $(od -An -tu2 -j18 -N2 --endian="$( [ "$(field Data <<<"$h")" = "2's complement, big endian" ] && echo big || echo little)" "$f" | tr -d ' '))"
    echo "- type: $(field Type <<<"$h")"
    echo "- e_flags: \`$flags\`"

    local interp
    interp="$(readelf -l -W "$f" 2>/dev/null | sed -n 's/.*\[Requesting program interpreter: \(.*\)\]/\1/p')"
    local phdrs
    phdrs="$(readelf -l -W "$f" 2>/dev/null | awk '/^Program Headers:/ {p=1; next} p && /^ *$/ {exit} p && $1 ~ /^[A-Z_]+$/ && $1 != "Type" {print $1}' | sort -u | paste -sd' ')"
    if [ -n "$interp" ]; then
        echo "- interpreter (PT_INTERP): \`$interp\`"
    elif [[ " $phdrs " == *" INTERP "* ]]; then
        echo "- interpreter (PT_INTERP): segment present but its bytes are not in the file (readelf: \"Unable to find program interpreter name\")"
    else
        echo "- interpreter (PT_INTERP): none"
    fi
    echo "- program headers: ${phdrs:-none}"

    local d
    d="$(readelf -d -W "$f" 2>/dev/null || true)"
    list() { sed -n "s/.*($1) *[A-Za-z ]*: \[\(.*\)\]/\1/p" <<<"$d" | sed 's/^/`/; s/$/`/' | paste -sd' '; }
    local needed rpath runpath soname
    needed="$(list NEEDED)"; rpath="$(list RPATH)"; runpath="$(list RUNPATH)"; soname="$(list SONAME)"
    if grep -q 'There is no dynamic section' <<<"$d" || [ -z "$d" ]; then
        echo "- dynamic section: none"
    else
        echo "- DT_NEEDED: ${needed:-none}"
        echo "- DT_RPATH: ${rpath:-none}; DT_RUNPATH: ${runpath:-none}; DT_SONAME: ${soname:-none}"
        local relr flags1
        relr="$(grep -c '(RELR)' <<<"$d" || true)"
        flags1="$(sed -n 's/.*(FLAGS_1) *Flags: *//p' <<<"$d")"
        echo "- DT_RELR: $([ "$relr" -gt 0 ] && echo yes || echo no); DT_FLAGS_1: ${flags1:-none}"
    fi

    # version needs, with the dynamic symbols bound to each (by version index)
    local v syms
    v="$(readelf -V -W "$f" 2>/dev/null || true)"
    syms="$(readelf --dyn-syms -W "$f" 2>/dev/null || true)"
    if grep -q "'.gnu.version_r'" <<<"$v"; then
        echo "- version needs (.gnu.version_r):"
        awk '/^Version needs section/ {p=1; next} /^Version (definition|symbols) section/ {p=0}
             p && /File:/ { for (i = 1; i <= NF; i++) if ($i == "File:") file = $(i+1); print "  - `" file "`:" }
             p && /Name:/ { for (i = 1; i <= NF; i++) { if ($i == "Name:") n = $(i+1); if ($i == "Flags:") fl = $(i+1); if ($i == "Version:") ix = $(i+1) }
                            print "    - `" n "` flags " fl " (index " ix ")" "\t" ix }' <<<"$v" |
        while IFS=$'\t' read -r line ix; do
            if [ -z "${ix:-}" ]; then echo "$line"; continue; fi
            local bound
            bound="$(awk -v ix="$ix" '$NF == "(" ix ")" { n = $8; sub(/@.*/, "", n); print n ($5 == "WEAK" ? " (weak)" : "") ($7 == "UND" ? "" : " (defined here: copy relocation)") }' <<<"$syms" | sort -u | sed 's/^\([^ ]*\)/`\1`/' | paste -sd'|' | sed 's/|/, /g')"
            echo "$line: ${bound:-no symbol}"
        done
    else
        echo "- version needs: none"
    fi
    if grep -q "'.gnu.version_d'" <<<"$v"; then
        echo "- version definitions (.gnu.version_d):"
        awk '/^Version definition section/ {p=1; next} /^Version (needs|symbols) section/ {p=0}
             p && /Name:/ { for (i = 1; i <= NF; i++) { if ($i == "Flags:") fl = $(i+1); if ($i == "Index:") ix = $(i+1); if ($i == "Name:") n = $(i+1) }
                            printf "%s%s\t%s\t%s", (started ? "\n" : ""), n, fl, ix; started = 1 }
             p && /Parent/ { printf "\tparent %s", $NF }
             END { if (started) print "" }' <<<"$v" |
        while IFS=$'\t' read -r n fl ix parent; do
            local defs
            defs="$(awk -v v="$n" '$7 != "UND" && NF == 8 {
                        if (index($8, "@@" v) && substr($8, length($8) - length(v) - 1) == "@@" v) print "`" $8 "`"
                        else if (substr($8, length($8) - length(v)) == "@" v) print "`" $8 "` (non-default)" }' <<<"$syms" |
                    sort -u | paste -sd'|' | sed 's/|/, /g')"
            [ "$fl" = BASE ] && defs=""
            echo "  - \`$n\` flags $fl (index $ix)${parent:+, $parent}${defs:+: $defs}"
        done
    else
        echo "- version definitions: none"
    fi

    # sections
    local s dbg
    s="$(readelf -S -W "$f" 2>/dev/null || true)"
    dbg="$(awk '/\] \.(z?debug_[a-z_.]+) / {
               sub(/^.*\] /, "")
               print $1, $5, (($7 ~ /^[0-9]+$/) ? "-" : $7) }' <<<"$s" |
           while read -r name size fl; do
               printf '`%s` %d%s, ' "$name" "$((16#$size))" "$( [[ "$fl" == *C* ]] && echo ' (SHF_COMPRESSED)')"
           done | sed 's/, $//')"
    echo "- debug sections (name, sh_size in bytes): ${dbg:-none}"
    echo "- .symtab: $(grep -q '\] \.symtab ' <<<"$s" && echo yes || echo no)"
    local bid
    bid="$(readelf -n -W "$f" 2>/dev/null | sed -n 's/.*Build ID: *//p' | head -n1)"
    if [ -n "$bid" ]; then echo "- build-id (NT_GNU_BUILD_ID): \`$bid\`"; else echo "- build-id (NT_GNU_BUILD_ID): none"; fi
    if grep -q '\] \.gnu_debuglink ' <<<"$s"; then
        local k
        k="$(readelf --debug-dump=links -W "$f" 2>/dev/null)"
        echo "- .gnu_debuglink: \`$(sed -n 's/.*Separate debug info file: *//p' <<<"$k" | head -n1)\`, CRC $(sed -n 's/.*CRC value: *//p' <<<"$k" | head -n1)"
    else
        echo "- .gnu_debuglink: none"
    fi
}

# ------------------------------------------------------------ output
cat <<'EOF'
# testdata

<!-- generated by testdata/manifest.sh (descriptions are written in that script); do not edit -->

Real, tiny binaries for shipcheck's reading and CLI tests. Every file in `bin/` is built by
`build.sh` from `src/` (run it by hand; tests never need the network or a compiler). The facts
under each file are printed by `manifest.sh` from `readelf -h -l -d -V -S -n --dyn-syms`,
`readelf --debug-dump=links` and `file -b` (binutils 2.40, file 5.44), so they are what a
correct reader must report. Version needs list the dynamic symbols bound to each need (matched
by version index). Section sizes are `sh_size` (for SHF_COMPRESSED sections: the compressed
size on disk). The bullseye root filesystem in `sysroot/` is described in `sysroot/README.md`.

Deviations from a plain build, each explained in its entry: `weak-x86_64` (linked against a
copy of libc.so.6 with a weak GLIBC_2.25 definition), `hello-x86_64-musl-static-pie` (linked by
hand), `fcntl64-bullseye-x86_64` (needs `_FILE_OFFSET_BITS=64` on x86_64), and
`app-oldlib/bin/app` (identical to `app-runpath/bin/app`).

EOF

echo "## Files"
echo
echo "| file | bytes | file(1) |"
echo "| --- | ---: | --- |"
declare -A seen=()
all=()
for n in "${ORDER[@]}"; do
    [ -e "$BIN/$n" ] || { echo "manifest.sh: missing bin/$n" >&2; exit 1; }
    all+=("$n"); seen[$n]=1
done
while IFS= read -r n; do
    [ -n "${seen[$n]:-}" ] || all+=("$n")
done < <(cd "$BIN" && find . -type f | sed 's|^\./||' | sort)
for n in "${all[@]}"; do
    printf '| `%s` | %d | %s |\n' "$n" "$(stat -c %s "$BIN/$n")" "$(file -b "$BIN/$n" | sed 's/|/\\|/g')"
done
echo
total_bin=$(find "$BIN" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
total_all=$(find "$TD" -type f ! -path "$TD/MANIFEST.md" ! -name '*.tmp' -printf '%s\n' | awk '{s += $1} END {print s}')
total_sysroot=0
[ -d "$TD/sysroot" ] && total_sysroot=$(find "$TD/sysroot" -type f -printf '%s\n' | awk '{s += $1} END {print s+0}')
total_images=0
[ -d "$TD/images" ] && total_images=$(find "$TD/images" -type f ! -name '*.tmp' -printf '%s\n' | awk '{s += $1} END {print s+0}')
echo "Sizes (regular files, apparent bytes): \`bin/\` $total_bin; \`sysroot/\` $total_sysroot; \`images/\` $total_images;"
echo "all of \`testdata/\` except this MANIFEST.md $total_all (about $(( (total_all + 524288) / 1048576 )) MiB)."
echo

echo "## Facts per file"
for n in "${all[@]}"; do
    f="$BIN/$n"
    echo
    echo "### \`$n\`"
    echo
    echo "${DESC[$n]:-(no description: add one to manifest.sh)}"
    echo
    echo "- size: $(stat -c %s "$f") bytes; sha256 \`$(sha256sum "$f" | cut -d' ' -f1)\`"
    echo "- file(1): \`$(file -b "$f")\`"
    if is_elf "$f"; then
        elf_facts "$f"
    else
        echo "- readelf -h: \`$(cd "$BIN" && readelf -h "$n" 2>&1 >/dev/null | head -n1)\`"
    fi
done

if [ -d "$TD/images" ]; then
    echo
    echo "## Container images (\`images/\`)"
    echo
    echo "Built by \`build.sh\` (step 6) with umoci and skopeo from \`src/zapp.c\` and the files of"
    echo "\`sysroot/bullseye-amd64/\`: one OCI layout, \`images/oci/\`, with the tags \`complete\`"
    echo "(self-contained), \`lacking\` (no libz.so.1) and \`whiteout\` (libz.so.1 deleted by an upper"
    echo "layer's whiteout), which share blobs, and \`whiteout.docker.tar.gz\`, the \`whiteout\` image"
    echo "as a gzipped docker-archive. Their layers, digests, how each was built and what each"
    echo "image's own loader says of \`/app/zapp\` are in \`images/README.md\`."
    echo
    echo "| file | bytes | sha256 |"
    echo "| --- | ---: | --- |"
    (cd "$TD/images" && find . -type f ! -name README.md ! -name '*.tmp' -print | sed 's|^\./||' | sort |
        while IFS= read -r n; do
            printf '| `images/%s` | %d | `%s` |\n' "$n" "$(stat -c %s "$n")" "$(sha256sum <"$n" | cut -d' ' -f1)"
        done)
fi

if [ -f "$TD/bullseye-packages.txt" ]; then
    echo
    echo "## Bullseye packages used for the sysroot builds"
    echo
    echo '```'
    grep -v '^#' "$TD/bullseye-packages.txt"
    echo '```'
fi
