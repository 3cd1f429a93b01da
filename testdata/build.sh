#!/usr/bin/env bash
# Builds shipcheck's test binaries (testdata/bin/) and the tiny bullseye root
# filesystem (testdata/sysroot/bullseye-amd64/) from testdata/src/.
#
# Run by hand when a source changes; the tests only read the committed
# outputs and never need this script or the network. It needs the network
# to fetch Debian 11 (bullseye) packages for the old-glibc sysroots. Those are
# fetched with a private apt configuration under the cache directory, so the
# machine's own apt state is never touched; the mirror is the one the
# machine's apt already uses (read from /etc/apt/sources.list*), so no mirror
# host is written down here.
#
# usage: testdata/build.sh [--install-deps] [--refresh] [--no-sysroot]
#   --install-deps  apt-get install the missing tools (needs root)
#   --refresh       fetch the bullseye packages again even if cached
#   --no-sysroot    do not rebuild testdata/sysroot/ (step 5)
# environment:
#   SHIPCHECK_TESTDATA_CACHE  cache dir (default ~/.cache/shipcheck-testdata)
#   SHIPCHECK_DEBIAN_MIRROR   mirror URI to use instead of the apt config's
set -euo pipefail

TD="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${SHIPCHECK_TESTDATA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipcheck-testdata}"
SUITE=bullseye

install_deps=0 refresh=0 do_sysroot=1
for arg in "$@"; do
    case "$arg" in
        --install-deps) install_deps=1 ;;
        --refresh) refresh=1 ;;
        --no-sysroot) do_sysroot=0 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "build.sh: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- tools
# command -> Debian package that provides it
TOOLS=(
    "gcc gcc" "g++ g++" "musl-gcc musl-tools"
    "aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu"
    "arm-linux-gnueabihf-gcc gcc-arm-linux-gnueabihf"
    "arm-linux-gnueabi-gcc gcc-arm-linux-gnueabi"
    "i686-linux-gnu-gcc gcc-i686-linux-gnu"
    "riscv64-linux-gnu-gcc gcc-riscv64-linux-gnu"
    "powerpc64le-linux-gnu-gcc gcc-powerpc64le-linux-gnu"
    "s390x-linux-gnu-gcc gcc-s390x-linux-gnu"
    "x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64"
    "readelf binutils" "objcopy binutils" "strip binutils"
    "python3 python3" "file file" "apt-get apt" "dpkg-deb dpkg"
)
# file that must exist -> package (static glibc for the -static variants)
FILES=("/usr/lib/x86_64-linux-gnu/libc.a libc6-dev")

check_tools() {
    local missing=() t cmd pkg
    for t in "${TOOLS[@]}"; do
        read -r cmd pkg <<<"$t"
        command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
    done
    for t in "${FILES[@]}"; do
        read -r cmd pkg <<<"$t"
        [ -e "$cmd" ] || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local line
    line="apt-get install -y $(printf '%s\n' "${missing[@]}" | sort -u | paste -sd' ')"
    if [ "$install_deps" = 1 ]; then
        log "installing: $line"
        apt-get update && DEBIAN_FRONTEND=noninteractive $line
    else
        echo "build.sh: missing tools; install them with:" >&2
        echo "    $line" >&2
        echo "(or rerun with --install-deps)" >&2
        exit 1
    fi
}

# ---------------------------------------------------------------- apt
# apt_mirror, apt_private_init, apt_private_opts: shared with glibc-db/debian/fetch.sh.
. "$TD/../glibc-db/debian/apt-private.sh"

# ---------------------------------------------------------------- sysroots
# fetch_sysroot ARCH PKG... : download bullseye packages for ARCH with a
# private apt configuration and unpack them into $CACHE/$SUITE-ARCH/root.
# Absolute symlinks are made relative there, so that the linker finds
# e.g. lib64/ld-linux-x86-64.so.2 inside the sysroot. The .debs stay in
# $CACHE/$SUITE-ARCH/debs for the committed sysroot (step 5).
fetch_sysroot() {
    local arch="$1"; shift
    local dir="$CACHE/$SUITE-$arch" want="$*"
    if [ "$refresh" = 0 ] && [ -f "$dir/.complete" ] && [ "$(cat "$dir/.complete")" = "$want" ]; then
        log "sysroot $SUITE-$arch: cached in $dir"
        return
    fi
    local mirror
    mirror="$(apt_first_mirror)"
    log "sysroot $SUITE-$arch: fetching $want from $mirror"
    rm -rf "$dir"
    mkdir -p "$dir/debs"
    apt_private_init "$dir/apt" "$mirror" "$SUITE" unsigned-ok
    apt_private_opts "$dir/apt" "$arch"
    apt-get -q "${APT_O[@]}" update >&2
    (cd "$dir/debs" && apt-get -q "${APT_O[@]}" download "$@" >&2)
    mkdir -p "$dir/root"
    local deb
    for deb in "$dir"/debs/*.deb; do
        dpkg-deb -x "$deb" "$dir/root"
        dpkg-deb --show --showformat='${Package} ${Version} ${Architecture}\n' "$deb" >>"$dir/versions.txt"
    done
    local link target
    while IFS= read -r -d '' link; do
        target="$(readlink "$link")"
        ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$dir/root$target")" "$link"
    done < <(find "$dir/root" -type l -lname '/*' -print0)
    sort -o "$dir/versions.txt" "$dir/versions.txt"
    echo "$want" >"$dir/.complete"
}

# ---------------------------------------------------------------- checks
# expect FILE DESCRIPTION COMMAND... : fail the build if COMMAND (run with the
# file's readelf output on stdin) fails.
expect() {
    local f="$1" what="$2"; shift 2
    local out
    out="$(readelf -W -h -l -d -V -S "$f" 2>/dev/null || true)"
    # a here-string, not a pipe: grep -q exiting early must not fail pipefail
    if ! "$@" <<<"$out" >/dev/null; then
        die "$f: expected $what"
    fi
}
needs() {  # needs FILE VERSION [FLAGS]: the version need exists (with flags)
    local flags="${3:-none}"
    expect "$1" "version need $2 (flags $flags)" grep -Eq "Name: $2  Flags: $flags "
}
lacks() {  # lacks FILE REGEX: no line of readelf's output matches
    local out
    out="$(readelf -W -h -l -d -V -S "$1" 2>/dev/null || true)"
    if grep -Eq "$2" <<<"$out"; then
        die "$1: expected no match for /$2/"
    fi
}

# ================================================================ main
check_tools

export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C TZ=UTC
umask 022
WORK="$(mktemp -d "${TMPDIR:-/tmp}/shipcheck-testdata.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

fetch_sysroot amd64 libc6 libc6-dev linux-libc-dev libgcc-s1 libstdc++6 \
    libgcc-10-dev libstdc++-10-dev zlib1g libc-bin
fetch_sysroot arm64 libc6 libc6-dev linux-libc-dev libgcc-s1
S64="$CACHE/$SUITE-amd64/root"
SA64="$CACHE/$SUITE-arm64/root"

# Every compile runs in testdata/ with relative source paths, and the prefix
# maps keep absolute paths out of the outputs, so two checkouts build the
# same bytes.
cd "$TD"
BIN="$TD/bin"
rm -rf "$BIN"
mkdir -p "$BIN"
REPRO=(-ffile-prefix-map="$TD"=. -ffile-prefix-map="$WORK"=/tmp -Wl,--build-id=sha1)
CF=(-O2 "${REPRO[@]}")

# Host gcc 12 against the bullseye sysroot: -B and the first -L make the
# sysroot's crt*.o and libc win over the host's multiarch directories,
# which Debian's gcc searches even with --sysroot.
BULLSEYE_X64=(--sysroot="$S64" -B"$S64/usr/lib/x86_64-linux-gnu"
    -L"$S64/usr/lib/x86_64-linux-gnu" -L"$S64/lib/x86_64-linux-gnu")
BULLSEYE_A64=(--sysroot="$SA64" -B"$SA64/usr/lib/aarch64-linux-gnu"
    -L"$SA64/usr/lib/aarch64-linux-gnu" -L"$SA64/lib/aarch64-linux-gnu")

log "hello, one per architecture (distro cross compilers, glibc 2.36)"
gcc "${CF[@]}" -s src/hello.c -o "$BIN/hello-x86_64"
for pair in aarch64:aarch64-linux-gnu armhf:arm-linux-gnueabihf armel:arm-linux-gnueabi \
            i686:i686-linux-gnu riscv64:riscv64-linux-gnu ppc64le:powerpc64le-linux-gnu \
            s390x:s390x-linux-gnu; do
    "${pair#*:}-gcc" "${CF[@]}" -s src/hello.c -o "$BIN/hello-${pair%%:*}"
done
for a in x86_64 aarch64 armhf armel i686 riscv64 ppc64le s390x; do
    needs "$BIN/hello-$a" GLIBC_2.34
done

log "musl and static variants"
musl-gcc "${CF[@]}" -s src/hello.c -o "$BIN/hello-x86_64-musl"
musl-gcc "${CF[@]}" -s -static src/hello.c -o "$BIN/hello-x86_64-musl-static"
# Debian's musl-gcc.specs ignores -static-pie (the result would be a dynamic
# PIE needing libc.so), so link by hand with musl's rcrt1.o.
MUSL=/usr/lib/x86_64-linux-musl
musl-gcc -O2 -ffile-prefix-map="$TD"=. -fPIE -c src/hello.c -o "$WORK/hello-musl.o"
gcc -nostdlib -static-pie -s -Wl,--build-id=sha1 -o "$BIN/hello-x86_64-musl-static-pie" \
    "$MUSL/rcrt1.o" "$MUSL/crti.o" "$(gcc -print-file-name=crtbeginS.o)" \
    "$WORK/hello-musl.o" -L"$MUSL" -lc "$(gcc -print-libgcc-file-name)" \
    "$(gcc -print-file-name=crtendS.o)" "$MUSL/crtn.o"
gcc "${CF[@]}" -s -static src/hello.c -o "$BIN/hello-x86_64-static"
gcc "${CF[@]}" -s -static-pie src/hello.c -o "$BIN/hello-x86_64-static-pie"
expect "$BIN/hello-x86_64-musl" "musl interpreter" grep -q 'interpreter: /lib/ld-musl-x86_64.so.1'
for f in hello-x86_64-musl-static hello-x86_64-static; do
    expect "$BIN/$f" "type EXEC" grep -q 'Type: *EXEC'
    lacks "$BIN/$f" 'INTERP|\(NEEDED\)'
done
for f in hello-x86_64-static-pie hello-x86_64-musl-static-pie; do
    expect "$BIN/$f" "type DYN" grep -q 'Type: *DYN'
    lacks "$BIN/$f" 'INTERP|\(NEEDED\)'
done

log "bullseye (glibc 2.31) builds"
gcc "${BULLSEYE_X64[@]}" "${CF[@]}" -s src/hello.c -o "$BIN/hello-bullseye-x86_64"
aarch64-linux-gnu-gcc "${BULLSEYE_A64[@]}" "${CF[@]}" -s src/hello.c -o "$BIN/hello-bullseye-aarch64"
gcc "${BULLSEYE_X64[@]}" "${CF[@]}" -s src/getrandom.c -o "$BIN/getrandom-bullseye-x86_64"
gcc "${BULLSEYE_X64[@]}" "${CF[@]}" -s src/fcntl64.c -o "$BIN/fcntl64-bullseye-x86_64"
needs "$BIN/hello-bullseye-x86_64" 'GLIBC_2\.2\.5'
needs "$BIN/hello-bullseye-aarch64" 'GLIBC_2\.17'
needs "$BIN/getrandom-bullseye-x86_64" 'GLIBC_2\.25'
needs "$BIN/fcntl64-bullseye-x86_64" 'GLIBC_2\.28'
for f in hello-bullseye-x86_64 hello-bullseye-aarch64 getrandom-bullseye-x86_64 fcntl64-bullseye-x86_64; do
    lacks "$BIN/$f" 'Name: GLIBC_2\.(29|[3-9][0-9])'
done

log "DT_RELR"
gcc "${CF[@]}" -s -fPIE -pie -Wl,-z,pack-relative-relocs src/relr.c -o "$BIN/relr-x86_64"
needs "$BIN/relr-x86_64" GLIBC_ABI_DT_RELR
expect "$BIN/relr-x86_64" "DT_RELR" grep -q '(RELR) '

log "C++"
g++ "${CF[@]}" -s src/cxx.cc -o "$BIN/cxx-x86_64"
needs "$BIN/cxx-x86_64" 'GLIBCXX_3\.4\.30'
needs "$BIN/cxx-x86_64" 'CXXABI_1\.3\.9'
# Bullseye's libstdc++ (GCC 10) headers and library with the host g++ 12:
# compile with g++, link with gcc so g++ 12's own libstdc++ stays out.
g++ --sysroot="$S64" -nostdinc++ -isystem "$S64/usr/include/c++/10" \
    -isystem "$S64/usr/include/x86_64-linux-gnu/c++/10" -O2 -ffile-prefix-map="$TD"=. \
    -c src/cxx.cc -o "$WORK/cxx-bullseye.o"
gcc "${BULLSEYE_X64[@]}" -L"$S64/usr/lib/gcc/x86_64-linux-gnu/10" -Wl,--build-id=sha1 -s \
    "$WORK/cxx-bullseye.o" -o "$BIN/cxx-bullseye-x86_64" -lstdc++ -lm
needs "$BIN/cxx-bullseye-x86_64" 'GLIBCXX_3\.4\.21'
lacks "$BIN/cxx-bullseye-x86_64" 'Name: (GLIBCXX_3\.4\.(2[2-9]|3[0-9])|GLIBC_2\.(29|3[0-9]))'

log "debug-info variants"
DBG=(-g -gno-record-gcc-switches)
gcc "${CF[@]}" "${DBG[@]}" src/debug.c -o "$BIN/debug-unstripped-x86_64"
strip --strip-all -o "$BIN/debug-stripped-x86_64" "$BIN/debug-unstripped-x86_64"
(
    cd "$BIN"
    objcopy --only-keep-debug debug-unstripped-x86_64 debug-split-x86_64.debug
    strip --strip-debug --strip-unneeded -o debug-split-x86_64 debug-unstripped-x86_64
    objcopy --add-gnu-debuglink=debug-split-x86_64.debug debug-split-x86_64
)
gcc "${CF[@]}" "${DBG[@]}" -gz=zlib src/debug.c -o "$BIN/debug-compressed-x86_64"
gcc "${CF[@]}" src/debug.c -o "$BIN/symtab-only-x86_64"
expect "$BIN/debug-unstripped-x86_64" ".debug_info" grep -q ' \.debug_info '
lacks "$BIN/debug-stripped-x86_64" '\.debug_|\.symtab'
lacks "$BIN/debug-split-x86_64" '\.debug_(info|line|str|abbrev)'
expect "$BIN/debug-split-x86_64" ".gnu_debuglink" grep -q ' \.gnu_debuglink '
expect "$BIN/debug-compressed-x86_64" "compressed .debug_info" grep -Eq ' \.debug_info .* [A-Z]*C[A-Z]* '
expect "$BIN/symtab-only-x86_64" ".symtab" grep -q ' \.symtab '
lacks "$BIN/symtab-only-x86_64" '\.debug_'

log "weak version need"
# See src/set_verdef_weak.py for why the throw-away libc copy is needed.
mkdir -p "$WORK/weaklibc"
python3 src/set_verdef_weak.py "$S64/lib/x86_64-linux-gnu/libc.so.6" "$WORK/weaklibc/libc.so.6" GLIBC_2.25
printf 'GROUP ( %s %s AS_NEEDED ( %s ) )\n' "$WORK/weaklibc/libc.so.6" \
    "$S64/usr/lib/x86_64-linux-gnu/libc_nonshared.a" "$S64/lib64/ld-linux-x86-64.so.2" \
    >"$WORK/weaklibc/libc.so"
gcc "${BULLSEYE_X64[@]:0:2}" -L"$WORK/weaklibc" "${BULLSEYE_X64[@]:2}" "${CF[@]}" -s \
    src/weak.c -o "$BIN/weak-x86_64"
needs "$BIN/weak-x86_64" 'GLIBC_2\.25' WEAK
needs "$BIN/weak-x86_64" 'GLIBC_2\.2\.5' none

log "GLIBC_PRIVATE"
gcc "${CF[@]}" -s src/privat.c -o "$BIN/privat-x86_64"
needs "$BIN/privat-x86_64" GLIBC_PRIVATE

log "bundled-library trees"
LIBCF=("${CF[@]}" -s -shared -fPIC -Wl,-soname,libbundled.so.1)
mkdir -p "$WORK/v2" "$BIN"/app-runpath/{bin,lib} "$BIN"/app-rpath/{bin,lib} "$BIN"/app-oldlib/{bin,lib}
gcc "${LIBCF[@]}" -DBUNDLED_API=2 -Wl,--version-script=src/bundled/bundled-2.map \
    src/bundled/libbundled.c -o "$WORK/v2/libbundled.so.1"
cp "$WORK/v2/libbundled.so.1" "$BIN/app-runpath/lib/"
cp "$WORK/v2/libbundled.so.1" "$BIN/app-rpath/lib/"
gcc "${LIBCF[@]}" -DBUNDLED_API=1 -Wl,--version-script=src/bundled/bundled-1.map \
    src/bundled/libbundled.c -o "$BIN/app-oldlib/lib/libbundled.so.1"
gcc "${CF[@]}" -s src/bundled/app.c -L"$WORK/v2" -l:libbundled.so.1 \
    -Wl,--enable-new-dtags -Wl,-rpath,'$ORIGIN/../lib' -o "$BIN/app-runpath/bin/app"
gcc "${CF[@]}" -s src/bundled/app.c -L"$WORK/v2" -l:libbundled.so.1 \
    -Wl,--disable-new-dtags -Wl,-rpath,'${ORIGIN}/../lib' -o "$BIN/app-rpath/bin/app"
# Linked against the new library, shipped with the old one.
cp "$BIN/app-runpath/bin/app" "$BIN/app-oldlib/bin/app"
expect "$BIN/app-runpath/bin/app" 'RUNPATH $ORIGIN/../lib' grep -qF '(RUNPATH)            Library runpath: [$ORIGIN/../lib]'
expect "$BIN/app-rpath/bin/app" 'RPATH ${ORIGIN}/../lib' grep -qF '(RPATH)              Library rpath: [${ORIGIN}/../lib]'
needs "$BIN/app-runpath/bin/app" 'BUNDLED_2\.0'
needs "$BIN/app-runpath/bin/app" 'BUNDLED_1\.0'
lacks "$BIN/app-oldlib/lib/libbundled.so.1" 'BUNDLED_2\.0'

log "missing soname, leaked build dir, versioned library"
mkdir -p "$WORK/nowhere"
gcc "${CF[@]}" -s -shared -fPIC -Wl,-soname,libnowhere.so.1 src/nowhere.c -o "$WORK/nowhere/libnowhere.so.1"
gcc "${CF[@]}" -s src/needs-nowhere.c -L"$WORK/nowhere" -l:libnowhere.so.1 -o "$BIN/needs-nowhere-x86_64"
gcc "${CF[@]}" -s src/hello.c -Wl,--enable-new-dtags -Wl,-rpath,/home/builder/work/build/out/lib \
    -o "$BIN/rpath-absolute-x86_64"
gcc "${CF[@]}" -s -shared -fPIC -Wl,-soname,libversioned.so.1 -Wl,--version-script=src/versioned.map \
    src/versioned.c -o "$BIN/libversioned.so.1"
expect "$BIN/needs-nowhere-x86_64" "NEEDED libnowhere.so.1" grep -qF 'Shared library: [libnowhere.so.1]'
expect "$BIN/libversioned.so.1" "VERS_1.1 definition" grep -q 'Name: VERS_1\.1'

log "non-ELF and broken inputs"
x86_64-w64-mingw32-gcc -O2 -ffile-prefix-map="$TD"=. -s -Wl,--no-insert-timestamp src/win64.c -o "$BIN/hello-win64.exe"
python3 src/make_macho.py "$BIN/macho-arm64.bin"
cp src/not-a-binary.txt "$BIN/not-a-binary.txt"
head -c 40 "$BIN/hello-x86_64" >"$BIN/truncated-elf"
file -b "$BIN/hello-win64.exe" | grep -q 'PE32+ executable' || die "hello-win64.exe is not PE32+"
file -b "$BIN/macho-arm64.bin" | grep -q 'Mach-O 64-bit arm64 executable' || die "macho-arm64.bin not recognised"

log ".NET assemblies (real ones, from PyPI wheels: no .NET SDK reaches this machine)"
# Python.Runtime.dll (pythonnet, MIT): IL-only AnyCPU. ClrLoader.dll (clr_loader, MIT, its
# amd64 build): mixed-mode, native Windows exports beside its IL. The x86-only variant is the
# AnyCPU file with COMIMAGE_FLAGS_32BITREQUIRED set, the field `PlatformTarget=x86` writes.
mkdir -p "$BIN/dotnet" "$WORK/wheels"
python3 -m pip download -q --no-deps --only-binary=:all: -d "$WORK/wheels" \
    pythonnet==3.2.1 clr_loader==0.3.1 || die "pip download of the .NET test wheels failed"
python3 - "$WORK/wheels" "$BIN/dotnet" <<'PY'
import glob, sys, zipfile
wheels, out = sys.argv[1], sys.argv[2]
for pattern, member, name in [
    ("pythonnet-*.whl", "pythonnet/runtime/Python.Runtime.dll", "Python.Runtime.dll"),
    ("clr_loader-*.whl", "clr_loader/ffi/dlls/amd64/ClrLoader.dll", "ClrLoader-amd64.dll"),
]:
    with zipfile.ZipFile(glob.glob(f"{wheels}/{pattern}")[0]) as wheel:
        open(f"{out}/{name}", "wb").write(wheel.read(member))
PY
python3 src/set_cor_flags.py "$BIN/dotnet/Python.Runtime.dll" "$BIN/dotnet/Python.Runtime-x86.dll" 0x2
file -b "$BIN/dotnet/Python.Runtime.dll" | grep -q 'Mono/.Net assembly' || die "Python.Runtime.dll is no .NET assembly"

# ---------------------------------------------------------------- step 5
# A tiny real root filesystem: the library files a loader-style baseline
# reads, exactly as bullseye's packages ship them (absolute symlinks
# included), plus the two ld.so.conf files.
if [ "$do_sysroot" = 1 ]; then
    log "sysroot/bullseye-amd64"
    RAW="$WORK/raw-amd64"
    mkdir -p "$RAW"
    VERS=()
    for p in libc6 libc-bin libgcc-s1 libstdc++6 zlib1g; do
        deb=$(ls "$CACHE/$SUITE-amd64/debs/${p}_"*_amd64.deb)
        dpkg-deb -x "$deb" "$RAW"
        VERS+=("$(dpkg-deb --show --showformat='${Package} ${Version} ${Architecture}' "$deb")")
    done
    SR="$TD/sysroot/$SUITE-amd64"
    rm -rf "$SR"
    mkdir -p "$SR"
    (
        cd "$RAW"
        # each library: the soname link and the file it points to
        paths=(etc/ld.so.conf etc/ld.so.conf.d/x86_64-linux-gnu.conf lib64/ld-linux-x86-64.so.2)
        for l in lib/x86_64-linux-gnu/{ld-linux-x86-64.so.2,libc.so.6,libm.so.6,libpthread.so.0,libdl.so.2,libgcc_s.so.1,libz.so.1} \
                 usr/lib/x86_64-linux-gnu/libstdc++.so.6; do
            paths+=("$l")
            if [ -L "$l" ]; then paths+=("$(dirname "$l")/$(readlink "$l")"); fi
        done
        cp -a --parents "${paths[@]}" "$SR/"
    )
    {
        echo "# testdata/sysroot/"
        echo
        echo "## $SUITE-amd64"
        echo
        echo "<!-- generated by testdata/build.sh; edit the script, not this file -->"
        echo
        echo "A tiny real root filesystem of Debian 11 ($SUITE) amd64 for \`--sysroot\` and loader-style"
        echo "baseline tests: only the shared libraries such a baseline reads (each soname link and the"
        echo "file it points to) and the ld.so configuration, copied byte for byte from the packages below."
        echo "Nothing was stripped or edited. \`lib64/ld-linux-x86-64.so.2\` is an *absolute* symlink, as in"
        echo "the package (\`-> /lib/x86_64-linux-gnu/ld-2.31.so\`): resolve it inside the sysroot, not on"
        echo "the host. The other links are relative."
        echo
        echo "| package | version | architecture |"
        echo "| --- | --- | --- |"
        printf '%s\n' "${VERS[@]}" | sort | awk '{printf "| %s | %s | %s |\n", $1, $2, $3}'
        echo
        echo "Files:"
        echo
        echo '```'
        (cd "$SR" && find . \( -type f -o -type l \) -print | sort | while read -r p; do
            if [ -L "$p" ]; then printf '%s -> %s\n' "${p#./}" "$(readlink "$p")"
            else printf '%s  %s bytes  sha256 %s\n' "${p#./}" "$(stat -c %s "$p")" "$(sha256sum <"$p" | cut -c1-16)…"; fi
        done)
        echo '```'
    } >"$TD/sysroot/README.md.tmp"
    mv "$TD/sysroot/README.md.tmp" "$TD/sysroot/README.md"
fi

# Bullseye package versions used for the builds above, for the manifest.
{
    echo "# generated by testdata/build.sh: bullseye packages the sysroot builds used"
    for a in amd64 arm64; do sed "s/^/$a: /" "$CACHE/$SUITE-$a/versions.txt"; done
} >"$TD/bullseye-packages.txt"

log "writing MANIFEST.md"
"$TD/manifest.sh" >"$TD/MANIFEST.md.tmp"
mv "$TD/MANIFEST.md.tmp" "$TD/MANIFEST.md"
log "done: $(du -sh --apparent-size "$TD" | cut -f1) in $TD"
