#!/usr/bin/env bash
# Fetches real Debian packages (glibc, the GCC runtimes, zlib, OpenSSL, ICU,
# Kerberos/GSSAPI, libatomic, expat, libxcrypt) for every architecture each
# suite carries on the mirror and unpacks them into one root filesystem per
# suite and architecture: <cache>/sysroots/<suite>-<arch>/; and the arch's
# kernel configuration package (linux-config-<version>) beside it. measure.py then
# measures those roots and writes the committed glibc-db/debian/<suite>.json.
#
# Run by hand; the tests never run it and never need the network. Everything
# it downloads stays in the cache directory, never in the repository. apt runs
# with a private configuration under the cache (its own sources.list, lists,
# archives and an empty dpkg status), so the machine's own apt state is never
# touched. The mirror is the one the machine's apt already uses, read from
# /etc/apt/sources.list* at run time, so no mirror host is written down here.
# Only the suite itself is used (its current point release), not
# <suite>-updates or the security archive.
#
# usage: glibc-db/debian/fetch.sh [--refresh] [SUITE...]
#   SUITE      bullseye bookworm trixie forky (default: all four)
#   --refresh  update the package indices and fetch again even if cached
# environment:
#   SHIPCHECK_DEBIAN_CACHE   cache dir (default ~/.cache/shipcheck-debian)
#   SHIPCHECK_DEBIAN_MIRROR  mirror URI to use instead of the apt config's
#
# Cache layout (measure.py reads meta/ and sysroots/):
#   apt/<suite>/                private apt configuration, lists and archives
#   sysroots/<suite>-<arch>/    the unpacked packages (dpkg-deb -x)
#   meta/<suite>-<arch>/packages.tsv   package version arch priority essential source deb
#   meta/<suite>-<arch>/files/<pkg>    paths each package unpacked (dpkg-deb's tar listing)
#   meta/<suite>-<arch>/Packages       the arch's Packages index, only the fields
#                                      measure.py needs (for the minbase closure)
#   meta/<suite>/Release               the suite's Release fields (date, version, architectures)
#   meta/<suite>-<arch>/kernel-config/ the arch's linux-config-<version> package, unpacked (the
#                                      configuration of every kernel flavour: page sizes)
#   meta/<suite>-<arch>/kernel-config.package   "<package> <version>" of that package
set -euo pipefail

ALL_SUITES=(bullseye bookworm trixie forky)
CACHE="${SHIPCHECK_DEBIAN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipcheck-debian}"

# Packages measured in every suite. libssl and libicu have per-suite names and
# are looked up below. libkeyutils1 (needed by libkrb5-3 and libkrb5support0)
# and libzstd1 (needed by libcrypto.so.3 since trixie) are there so that every
# DT_NEEDED of the unpacked libraries resolves inside the root.
PACKAGES=(libc6 libstdc++6 libgcc-s1 zlib1g libgssapi-krb5-2 libkrb5-3 libk5crypto3
    libkrb5support0 libcom-err2 libkeyutils1 libzstd1 libatomic1 libexpat1 libcrypt1)
# The first of these the suite has (per arch) is fetched.
SSL_CANDIDATES=(libssl3t64 libssl3 libssl1.1)

refresh=0
suites=()
for arg in "$@"; do
    case "$arg" in
        --refresh) refresh=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "fetch.sh: unknown option: $arg" >&2; exit 2 ;;
        *) suites+=("$arg") ;;
    esac
done
[ ${#suites[@]} -gt 0 ] || suites=("${ALL_SUITES[@]}")

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'fetch.sh: error: %s\n' "$*" >&2; exit 1; }

for tool in apt-get apt-cache dpkg-deb awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (this needs a Debian-like host)"
done

# ---------------------------------------------------------------- apt
# apt_mirror, apt_private_init, apt_private_opts: shared with testdata/build.sh.
. "$(dirname "${BASH_SOURCE[0]}")/apt-private.sh"

MIRROR="$(apt_first_mirror)"

# apt_opts SUITE ARCH ARCHES: sets the array APT_O to the suite's private apt
# configuration with native architecture ARCH and the architectures ARCHES
# (space separated). Only `update` gets all the suite's arches; the look-ups
# and downloads for one arch name just that one, so that apt reads one
# Packages index instead of all of them.
apt_opts() { apt_private_opts "$CACHE/apt/$1" "$2" "$3"; }

# release_field SUITE FIELD: a field of the suite's (In)Release file as apt stored it.
release_field() {
    local f
    f="$(ls "$CACHE/apt/$1/lists/"*"_dists_$1_InRelease" "$CACHE/apt/$1/lists/"*"_dists_$1_Release" 2>/dev/null | head -n1)"
    [ -n "$f" ] || die "$1: apt stored no Release file"
    awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$f"
}

# setup_suite SUITE: private apt config + indices for every arch the suite carries.
# Sets ARCHES.
setup_suite() {
    local suite="$1" dir="$CACHE/apt/$1"
    apt_private_init "$dir" "$MIRROR" "$suite" signed
    if [ "$refresh" = 1 ] || [ ! -f "$dir/.updated" ]; then
        # First amd64 only, to learn from the Release file which arches the suite has.
        log "$suite: apt-get update (amd64) from $MIRROR"
        apt_opts "$suite" amd64 amd64
        apt-get -q "${APT_O[@]}" update >&2
        ARCHES="$(release_field "$suite" Architectures | tr ' ' '\n' | grep -vx all | paste -sd' ')"
        [ -n "$ARCHES" ] || die "$suite: Release file lists no architectures"
        log "$suite: apt-get update ($ARCHES)"
        apt_opts "$suite" amd64 "$ARCHES"
        apt-get -q "${APT_O[@]}" update >&2
        echo "$ARCHES" >"$dir/.updated"
    fi
    ARCHES="$(cat "$dir/.updated")"
    mkdir -p "$CACHE/meta/$suite"
    local k
    for k in Origin Suite Codename Version Date Architectures; do
        printf '%s: %s\n' "$k" "$(release_field "$suite" "$k")"
    done >"$CACHE/meta/$suite/Release"
}

# available SUITE ARCH PKG: true if the suite has PKG for ARCH.
available() {
    apt_opts "$1" "$2" "$2"
    [ -n "$(apt-cache "${APT_O[@]}" show --no-all-versions "$3:$2" 2>/dev/null | awk '/^Package:/ { print; exit }')" ]
}

# icu_package SUITE ARCH: the suite's libicuNN (the highest NN if several).
icu_package() {
    apt_opts "$1" "$2" "$2"
    local p
    for p in $(apt-cache "${APT_O[@]}" pkgnames libicu 2>/dev/null | grep -E '^libicu[0-9]+$' | sort -rV); do
        if available "$1" "$2" "$p"; then echo "$p"; return; fi
    done
}

# ---------------------------------------------------------------- sysroots
# fetch_sysroot SUITE ARCH: download the packages and unpack them.
fetch_sysroot() {
    local suite="$1" arch="$2"
    local name="$suite-$arch"
    local debs="$CACHE/apt/$suite/debs/$arch" root="$CACHE/sysroots/$name" meta="$CACHE/meta/$name"
    local want=("${PACKAGES[@]}") p ssl="" icu
    for p in "${SSL_CANDIDATES[@]}"; do
        if available "$suite" "$arch" "$p"; then ssl="$p"; break; fi
    done
    [ -n "$ssl" ] || die "$name: none of ${SSL_CANDIDATES[*]} exists"
    icu="$(icu_package "$suite" "$arch")"
    [ -n "$icu" ] || die "$name: no libicuNN package"
    want+=("$ssl" "$icu")
    if [ "$refresh" = 0 ] && [ -f "$meta/.complete" ] && [ "$(cat "$meta/.complete")" = "${want[*]}" ]; then
        log "$name: cached"
        return
    fi
    log "$name: fetching ${want[*]}"
    apt_opts "$suite" "$arch" "$arch"
    rm -rf "$debs" "$root" "$meta"
    mkdir -p "$debs" "$root" "$meta/files"
    # The mirror may list a package whose file it does not carry (seen for trixie
    # armel: 404 for libc6). Then the arch is skipped, and measure.py reports it.
    if ! (cd "$debs" && apt-get -q "${APT_O[@]}" download "${want[@]/%/:$arch}") >"$meta/download.log" 2>&1; then
        cat "$meta/download.log" >&2
        rm -rf "$root"
        {
            echo "apt-get download failed on the mirror:"
            grep -E '^(Err:|  [0-9]{3} )|^E: ' "$meta/download.log" | sed 's/ \[IP: [^]]*\]//' || true
        } >"$meta/.unavailable"
        log "$name: NOT MEASURED: $(grep -c '^Err:' "$meta/download.log") package file(s) missing on the mirror (see $meta/.unavailable)"
        return 0
    fi
    cat "$meta/download.log" >&2
    local deb pkg
    for deb in "$debs"/*.deb; do
        dpkg-deb -x "$deb" "$root"
        pkg="$(dpkg-deb -f "$deb" Package)"
        dpkg-deb --fsys-tarfile "$deb" | tar -t | sed 's|^\./|/|; s|/$||' | grep -v '^$' | sort >"$meta/files/$pkg"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$pkg" \
            "$(dpkg-deb -f "$deb" Version)" "$(dpkg-deb -f "$deb" Architecture)" \
            "$(dpkg-deb -f "$deb" Priority)" "$(dpkg-deb -f "$deb" Essential)" \
            "$(dpkg-deb -f "$deb" Source)" "$(basename "$deb")" >>"$meta/packages.tsv"
    done
    sort -o "$meta/packages.tsv" "$meta/packages.tsv"
    # A merged-/usr system (debootstrap's default since bookworm; the only
    # layout after it) has /lib -> usr/lib etc.; those aliases come from
    # base-files or debootstrap, not from these packages, so add the ones whose
    # target the packages populated and whose top-level name they left free.
    local d
    for d in bin sbin lib lib32 lib64 libx32; do
        if [ -d "$root/usr/$d" ] && [ ! -e "$root/$d" ] && [ ! -L "$root/$d" ]; then
            ln -s "usr/$d" "$root/$d"
        fi
    done
    # The arch's Packages index, reduced to what measure.py needs.
    local lists
    lists="$(ls "$CACHE/apt/$suite/lists/"*"_dists_${suite}_main_binary-${arch}_Packages"* | head -n1)"
    /usr/lib/apt/apt-helper cat-file "$lists" |
        awk '/^(Package|Version|Architecture|Priority|Essential|Depends|Pre-Depends|Provides):/ || /^$/' \
        >"$meta/Packages"
    echo "${want[*]}" >"$meta/.complete"
}

# fetch_kernel_config SUITE ARCH: the arch's linux-config-<version> package (the kernel
# configuration of every flavour the suite builds for the arch; small, no kernel image),
# unpacked apart from the sysroot into meta/<suite>-<arch>/kernel-config/. measure.py reads the
# page size of each flavour from it. An arch without one keeps its page sizes unknown.
fetch_kernel_config() {
    local suite="$1" arch="$2" meta="$CACHE/meta/$1-$2" pkg version
    [ -d "$meta" ] && [ ! -f "$meta/.unavailable" ] || return 0
    apt_opts "$suite" "$arch" "$arch"
    pkg="$(apt-cache "${APT_O[@]}" pkgnames linux-config- 2>/dev/null | sort -V | tail -n1)"
    if [ -z "$pkg" ]; then
        log "$suite-$arch: no linux-config package; page sizes stay unknown"
        return 0
    fi
    version="$(apt-cache "${APT_O[@]}" show --no-all-versions "$pkg:$arch" 2>/dev/null | awk '/^Version:/ && !v { v = $2 } END { print v }')"
    if [ "$refresh" = 0 ] && [ "$(cat "$meta/kernel-config.package" 2>/dev/null)" = "$pkg $version" ]; then
        return 0
    fi
    local debs="$CACHE/apt/$suite/debs-kernel/$arch"
    rm -rf "$debs" "$meta/kernel-config" "$meta/kernel-config.package"
    mkdir -p "$debs"
    if ! (cd "$debs" && apt-get -q "${APT_O[@]}" download "$pkg:$arch") >&2; then
        log "$suite-$arch: $pkg could not be downloaded; page sizes stay unknown"
        return 0
    fi
    dpkg-deb -x "$debs"/*.deb "$meta/kernel-config"
    echo "$pkg $version" >"$meta/kernel-config.package"
}

# ================================================================ main
for suite in "${suites[@]}"; do
    case " ${ALL_SUITES[*]} " in
        *" $suite "*) ;;
        *) die "unknown suite $suite (known: ${ALL_SUITES[*]})" ;;
    esac
    setup_suite "$suite"
    for arch in $ARCHES; do
        fetch_sysroot "$suite" "$arch"
        fetch_kernel_config "$suite" "$arch"
    done
done
log "done: $(du -sh "$CACHE" | cut -f1) in $CACHE"
