#!/usr/bin/env bash
# Differential harness: compares shipcheck's loader model (`shipcheck tree`) with the real loaders,
# in list/trace mode, on real trees, and rewrites the figures in tests/oracle/loader-diff.md.
#
# The trees:
#   1. Debian 12 (bookworm, amd64) root filesystems: the packages below with their dependencies,
#      unpacked into one merged-/usr root, with the ld.so.cache that ldconfig makes from the
#      root's own /etc/ld.so.conf (as on an installed Debian system); and a second root from the
#      same packages minus one library package ($REMOVED), so that things fail for real. The
#      root's own glibc loader lists every entry point inside a chroot of the root.
#   2. auditwheel-repaired wheels from PyPI (manylinux2014 and musllinux_1_2), each unzipped into
#      a folder; the host's glibc loader (this host is Debian 12) or musl loader lists each
#      extension module.
# No checked program is ever run: the loaders only map and list (loader_diff.py says how).
#
# Run by hand as root (chroot) on an x86_64 Debian 12 host with network access to the package
# registries; the tests never run it. Downloads stay in the cache, never in the repository. apt
# runs with a private configuration under the cache (glibc-db/debian/apt-private.sh), on the
# mirror the machine's apt already uses, so no mirror host is written down here. Only the suite
# itself is used (its current point release), not bookworm-updates or the security archive.
#
# usage: bash tests/oracle/loader-diff.sh [--refresh] [--offline] [--no-report]
#   --refresh    update the package indices and download again even if cached
#   --offline    use only what the cache holds (no apt-get update, no pip download)
#   --no-report  leave tests/oracle/loader-diff.md alone (results JSON only)
# environment:
#   SHIPCHECK_ORACLE_CACHE   cache dir (default ~/.cache/shipcheck-oracle)
#   SHIPCHECK_DEBIAN_MIRROR  mirror URI to use instead of the apt config's
#   SHIPCHECK                a shipcheck binary to use instead of `cargo build --release`
#   SHIPCHECK_REV            the revision that binary was built from, for the report
#   CARGO_TARGET_DIR         where cargo builds (as usual)
# exit status: 0 when every entry point agrees, 1 when some differ, 2 when it could not run.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${SHIPCHECK_ORACLE_CACHE:-$HOME/.cache/shipcheck-oracle}"
SUITE=bookworm
ARCH=amd64

# Real packages with many ELF files between them: programs, libraries, plugins (gconv, Python
# lib-dynload, Perl XS, OpenSSL engines, SASL, PAM, NSS), private library directories reached
# through DT_RUNPATH (systemd's /usr/lib/x86_64-linux-gnu/systemd) and $ORIGIN (OpenJDK's
# /usr/lib/jvm/*/lib), and the i386 biarch libraries in /usr/lib32 (found through
# ld.so.conf.d/zz_i386-biarch-compat.conf; x86_64 objects must skip them).
PACKAGES=(libc6 libc-bin libgcc-s1 libstdc++6 zlib1g libssl3 curl libcurl4 openssl
    python3.11-minimal libpython3.11 coreutils bash tar xz-utils libxml2 sqlite3 libsqlite3-0 git
    systemd libc6-i386 lib32gcc-s1 lib32stdc++6 lib32z1 openjdk-17-jre-headless libsasl2-modules
    libpam-modules libnss3)
# Left out of the second root. lib32z1 stays, so an x86_64 search for libz.so.1 meets the i386
# /usr/lib32/libz.so.1 and must pass over it.
REMOVED=zlib1g
# Pinned, so that the figures can be reproduced; pip picks the platform's own build.
WHEELS_MANYLINUX=(numpy==2.2.6 pillow==12.2.0 psycopg2-binary==2.9.13)
WHEELS_MUSLLINUX=(numpy==2.4.6 pillow==13.0.0 psycopg2-binary==2.9.13)

refresh=0 offline=0 report=1
for arg in "$@"; do
    case "$arg" in
        --refresh) refresh=1 ;;
        --offline) offline=1 ;;
        --no-report) report=0 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "loader-diff.sh: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

NAME=loader-diff.sh
. "$HERE/common.sh"

[ "$(id -u)" = 0 ] || die "must run as root (chroot into the Debian roots)"
[ "$(uname -m)" = x86_64 ] || die "needs an x86_64 host"
for tool in apt-get dpkg-deb tar python3 unzip ldconfig; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
done
python3 -m pip --version >/dev/null 2>&1 || die "pip not found (python3 -m pip)"
[ -x /lib64/ld-linux-x86-64.so.2 ] || die "the host's glibc loader /lib64/ld-linux-x86-64.so.2 is missing"
[ -e /lib/ld-musl-x86_64.so.1 ] || die "musl's loader /lib/ld-musl-x86_64.so.1 is missing (apt-get install musl)"

# ---------------------------------------------------------------- shipcheck
BIN="$(shipcheck_binary)" || exit 2

# ---------------------------------------------------------------- Debian packages
. "$REPO/glibc-db/debian/apt-private.sh"
APT="$CACHE/apt"
apt_private_opts "$APT" "$ARCH"
if [ "$offline" = 0 ] && { [ "$refresh" = 1 ] || [ ! -f "$APT/.updated" ]; }; then
    mirror="$(apt_first_mirror)"
    apt_private_init "$APT" "$mirror" "$SUITE" signed
    log "apt-get update ($SUITE $ARCH) from the machine's mirror"
    apt-get -q "${APT_O[@]}" update >&2
    touch "$APT/.updated"
fi
[ -f "$APT/.updated" ] || die "no package indices in $APT (run without --offline)"

# The closure apt chooses (Depends and Pre-Depends, no Recommends) with an empty dpkg status:
# "package version" per line.
apt-get -q "${APT_O[@]}" install -s --no-install-recommends -y "${PACKAGES[@]}" 2>/dev/null |
    awk '$1 == "Inst" { v = $3; gsub(/[()]/, "", v); print $2, v }' | sort >"$CACHE/closure.txt"
[ -s "$CACHE/closure.txt" ] || die "apt found no packages (see: apt-get ${APT_O[*]} install -s ${PACKAGES[*]})"
if [ "$offline" = 0 ]; then
    log "apt-get install --download-only: $(wc -l <"$CACHE/closure.txt") packages"
    apt-get -q "${APT_O[@]}" install --download-only --no-install-recommends -y "${PACKAGES[@]}" >&2
fi
# The .deb of each package of the closure (older downloads may lie beside them).
declare -A DEB=()
for deb in "$APT"/cache/archives/*.deb; do
    [ -e "$deb" ] || continue
    read -r p v < <(dpkg-deb --show --showformat='${Package} ${Version}\n' "$deb")
    grep -qxF "$p $v" "$CACHE/closure.txt" && DEB[$p]="$deb"
done
while read -r p v; do
    [ -n "${DEB[$p]:-}" ] || die "$p $v is not in $APT/cache/archives (run without --offline)"
done <"$CACHE/closure.txt"

# make_root DIR [EXCLUDED]: a merged-/usr root from the closure's packages, as debootstrap makes
# one since bookworm (/bin, /sbin, /lib, /lib32, /lib64 -> usr/...; the packages still ship files
# under /lib and /bin, and tar keeps the links), then the ld.so.cache of its own ld.so.conf.
make_root() {
    local root="$1" excluded="${2:-}" p v d
    rm -rf "$root"
    mkdir -p "$root/usr"
    for d in bin sbin lib lib32 lib64; do
        mkdir -p "$root/usr/$d"
        ln -s "usr/$d" "$root/$d"
    done
    while read -r p v; do
        [ "$p" = "$excluded" ] && continue
        dpkg-deb --fsys-tarfile "${DEB[$p]}" | tar -x --keep-directory-symlink --no-same-owner -C "$root"
    done <"$CACHE/closure.txt"
    [ -f "$root/etc/ld.so.conf" ] || die "$root: no etc/ld.so.conf (libc-bin ships it)"
    # The host's ldconfig (Debian 12's, as the root's) chroots into the root itself (-r), reads
    # the root's ld.so.conf and writes etc/ld.so.cache; like the libc-bin trigger on a Debian
    # system, it also makes the soname links the packages lack. Nothing of the root runs.
    find "$root" -type l | sort >"$root.links-before"
    ldconfig -r "$root"
    find "$root" -type l | sort | comm -13 "$root.links-before" - | sed "s|^$root/||" >"$root.ldconfig-links"
    rm -f "$root.links-before"
}

ROOTS="$CACHE/roots"
mkdir -p "$ROOTS"
log "unpacking $(wc -l <"$CACHE/closure.txt") packages into $ROOTS/$SUITE"
make_root "$ROOTS/$SUITE"
log "unpacking the same minus $REMOVED into $ROOTS/$SUITE-no-$REMOVED"
make_root "$ROOTS/$SUITE-no-$REMOVED" "$REMOVED"

# ---------------------------------------------------------------- probes
# Each probe is the first root with one change that real systems see (a library copied into
# /usr/local/lib without ldconfig, a hwcaps build, ...), to test one rule of the model that the
# plain roots do not reach. Hard-linked copies: every change makes new files, never writes into
# a shared one. The figures of the real trees do not include them.
PROBES="$CACHE/probes"
rm -rf "$PROBES"
mkdir -p "$PROBES"
: >"$CACHE/probes.tsv"
ML=usr/lib/x86_64-linux-gnu
# probe NAME DESCRIPTION: a fresh copy of the first root at $PROBES/NAME (in $P).
probe() {
    P="$PROBES/$1"
    cp -al "$ROOTS/$SUITE" "$P"
    printf '%s\t%s\n' "$1" "$2" >>"$CACHE/probes.tsv"
}
move_libz() { mkdir -p "$P/$1" && mv "$P/$ML"/libz.so.1* "$P/$1/"; }

probe no-cache "the root without etc/ld.so.cache (the loader then searches only its compiled-in directories)"
rm "$P/etc/ld.so.cache"

probe stale-cache "zlib1g's libz.so.1* moved to /usr/local/lib (an ld.so.conf directory) after ldconfig ran"
move_libz usr/local/lib

probe local-no-cache "libz.so.1* moved to /usr/local/lib, and no etc/ld.so.cache"
move_libz usr/local/lib
rm "$P/etc/ld.so.cache"

probe local-cache "libz.so.1* moved to /usr/local/lib, ldconfig run again (a control: this must agree)"
move_libz usr/local/lib
ldconfig -r "$P"

probe nodeflib "libz.so.1* moved to /usr/local/lib, ldconfig run again, and DF_1_NODEFLIB set in /usr/sbin/fsck.cramfs (which needs libz.so.1 and libc.so.6)"
move_libz usr/local/lib
python3 "$HERE/loader_diff.py" --set-nodeflib "$P/usr/sbin/fsck.cramfs"
ldconfig -r "$P"

probe lib64 "libz.so.1* moved to /usr/lib64, ldconfig run again"
move_libz usr/lib64
ldconfig -r "$P"

probe hwcaps "a copy of libz.so.1.2.13 at $ML/glibc-hwcaps/x86-64-v2/libz.so.1, ldconfig run again"
mkdir -p "$P/$ML/glibc-hwcaps/x86-64-v2"
cp "$P/$ML/libz.so.1.2.13" "$P/$ML/glibc-hwcaps/x86-64-v2/libz.so.1"
ldconfig -r "$P"

probe hwcaps-no-cache "a copy of libz.so.1.2.13 at $ML/glibc-hwcaps/x86-64-v2/libz.so.1, and no etc/ld.so.cache"
mkdir -p "$P/$ML/glibc-hwcaps/x86-64-v2"
cp "$P/$ML/libz.so.1.2.13" "$P/$ML/glibc-hwcaps/x86-64-v2/libz.so.1"
rm "$P/etc/ld.so.cache"

# Which glibc-hwcaps levels the loader uses depends on the CPU: x86-64-v4 needs AVX-512 (this
# probe's result is the host CPU's; `ld.so --help` lists the levels it supports).
probe hwcaps-v4 "a copy of libz.so.1.2.13 at $ML/glibc-hwcaps/x86-64-v4/libz.so.1, ldconfig run again (host CPU: $(/lib64/ld-linux-x86-64.so.2 --help | grep -q 'x86-64-v4 (supported' && echo with || echo without) x86-64-v4)"
mkdir -p "$P/$ML/glibc-hwcaps/x86-64-v4"
cp "$P/$ML/libz.so.1.2.13" "$P/$ML/glibc-hwcaps/x86-64-v4/libz.so.1"
ldconfig -r "$P"

probe legacy-hwcaps "a copy of libz.so.1.2.13 at $ML/tls/libz.so.1, ldconfig run again"
mkdir -p "$P/$ML/tls"
cp "$P/$ML/libz.so.1.2.13" "$P/$ML/tls/libz.so.1"
ldconfig -r "$P"

# ---------------------------------------------------------------- wheels
WHEELS="$CACHE/wheels"
# fetch_wheels PLATFORM REQUIREMENT...: pip download into $WHEELS/PLATFORM (by package name, from
# the registry pip is configured for).
fetch_wheels() {
    local platform="$1"; shift
    mkdir -p "$WHEELS/$platform"
    if [ "$offline" = 0 ]; then
        log "pip download ($platform): $*"
        python3 -m pip download --quiet --no-deps --only-binary=:all: --platform "${platform}_x86_64" \
            --python-version 3.11 -d "$WHEELS/$platform" "$@" >&2
    fi
}
fetch_wheels manylinux2014 "${WHEELS_MANYLINUX[@]}"
fetch_wheels musllinux_1_2 "${WHEELS_MUSLLINUX[@]}"

# wheel_file PLATFORM REQUIREMENT: the downloaded wheel of NAME==VERSION.
wheel_file() {
    local name="${2%%==*}" version="${2##*==}"
    ls "$WHEELS/$1/${name//-/_}-$version-"*.whl 2>/dev/null | head -n1
}

TREES=(
    "$SUITE=rootfs:$ROOTS/$SUITE"
    "$SUITE-no-$REMOVED=rootfs:$ROOTS/$SUITE-no-$REMOVED"
)
while IFS=$'\t' read -r name _; do
    TREES+=("probe-$name=rootfs:$PROBES/$name")
done <"$CACHE/probes.tsv"
rm -rf "$WHEELS/unpacked"
: >"$CACHE/wheels.txt"
for spec in "manylinux2014 ${WHEELS_MANYLINUX[*]}" "musllinux_1_2 ${WHEELS_MUSLLINUX[*]}"; do
    read -r platform reqs <<<"$spec"
    kind=glibc-app
    [ "$platform" = musllinux_1_2 ] && kind=musl-app
    for req in $reqs; do
        whl="$(wheel_file "$platform" "$req")"
        [ -n "$whl" ] || die "no wheel for $req ($platform) in $WHEELS/$platform (run without --offline)"
        dir="$WHEELS/unpacked/$platform/$(basename "$whl" .whl)"
        mkdir -p "$dir"
        unzip -q "$whl" -d "$dir"
        basename "$whl" >>"$CACHE/wheels.txt"
        TREES+=("${req%%==*}-${req##*==}-$platform=$kind:$dir:$platform")
    done
done

# ---------------------------------------------------------------- compare
{
    echo "shipcheck_version=$("$BIN" --version 2>/dev/null | head -n1)"
    if [ -n "${SHIPCHECK:-}" ]; then
        echo "git=${SHIPCHECK_REV:-unknown: a given binary}"
    else
        echo "git=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)"
    fi
    echo "suite=$SUITE $ARCH"
    echo "packages_requested=${PACKAGES[*]}"
    echo "removed=$REMOVED"
    echo "host_glibc=$(dpkg-query -W -f='${Version}' libc6 2>/dev/null || echo unknown)"
    echo "host_musl=$(dpkg-query -W -f='${Version}' musl 2>/dev/null || echo unknown)"
    echo "host_ldconfig=$(dpkg-query -W -f='${Version}' libc-bin 2>/dev/null || echo unknown)"
} >"$CACHE/meta.txt"

args=(--shipcheck "$BIN" --results "$CACHE/results.json" --meta "$CACHE/meta.txt"
    --packages "$CACHE/closure.txt" --wheels "$CACHE/wheels.txt" --probes "$CACHE/probes.tsv"
    --ldconfig-links "$ROOTS/$SUITE.ldconfig-links")
[ "$report" = 1 ] && args+=(--report "$HERE/loader-diff.md")
set +e
python3 "$HERE/loader_diff.py" "${args[@]}" "${TREES[@]}"
status=$?
set -e
[ "$status" -le 1 ] || die "loader_diff.py failed ($status)"
exit "$status"
