#!/usr/bin/env bash
# Measurement harness for the dlopen-candidates heuristic (issue 12): how often `shipcheck check`
# names a library a file may dlopen, and how often that name is one it really loads.
#
# The files: real Debian 12 (bookworm, amd64) packages, each unpacked on its own with
# `dpkg-deb -x` (no dependencies: each is a tree that ships only itself, as an app folder does):
#   - $KNOWN: packages known to load libraries at run time (GTK, GLib, Python, SDL, PulseAudio,
#     Mesa and GLVND, Vulkan, GStreamer, NSS, OpenSSL, SASL, PAM, Kerberos, systemd, curl, FFmpeg,
#     Qt 5, ALSA, CUPS, unixODBC, libltdl, Ruby, PHP, Node, OpenJDK, Firefox ESR, ...);
#   - $RANDOM_COUNT packages drawn from the suite's amd64 index with a fixed seed (sections of
#     programs and libraries, at most $RANDOM_MAX_KB installed), for the ordinary case.
# Then, over every file of every tree:
#   1. the reading side: `Binary::dlopen_names` and whether the file imports dlopen, through the
#      ignored test `dump` of tests/dlopen_names.rs (cargo test --release);
#   2. the verdict: `shipcheck check TREE --baseline debian-12 --format json`, whose
#      `dlopen-candidates` findings are what users see.
# dlopen_candidates.py counts both and rewrites the generated part of dlopen-candidates.md; the
# classification of names (real or not) there is written by hand from the upstream sources.
# Nothing checked is ever run.
#
# Run by hand, as root or not, on an x86_64 Debian 12 host with network access to the package
# registries; the tests never run it. apt runs with a private configuration in the work dir
# (glibc-db/debian/apt-private.sh) on the mirror the machine's apt already uses, so no mirror
# host is written down here; downloads and trees stay in the work dir, never in the repository.
#
# usage: bash tests/oracle/dlopen-candidates.sh [--offline] [--no-report]
#   --offline    fetch nothing (use what the work dir holds)
#   --no-report  leave tests/oracle/dlopen-candidates.md alone (results JSON only)
# environment:
#   SHIPCHECK_DLOPEN_DIR     work dir (default ${TMPDIR:-/tmp}/shipcheck-dlopen)
#   SHIPCHECK_DEBIAN_MIRROR  mirror URI to use instead of the apt config's
#   SHIPCHECK                a shipcheck binary to use instead of `cargo build --release`
#   SHIPCHECK_REV            the revision that binary was built from, for the report
#   CARGO_TARGET_DIR         where cargo builds (as usual)
# exit status: 0 when it ran, 2 when it could not.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
WORK="${SHIPCHECK_DLOPEN_DIR:-${TMPDIR:-/tmp}/shipcheck-dlopen}"
SUITE=bookworm
ARCH=amd64
BASELINE=debian-12

KNOWN=(libgtk-3-0 libgtk-4-1 libglib2.0-0 python3.11-minimal libpython3.11 libpython3.11-stdlib
    libsdl2-2.0-0 libpulse0 libgl1 libegl1 libglx0 libglx-mesa0 libegl-mesa0 libgbm1 libvulkan1
    libgdk-pixbuf-2.0-0 libsane1 libgstreamer1.0-0 gstreamer1.0-plugins-base
    gstreamer1.0-plugins-good libnss3 libssl3 openssl libsasl2-2 libpam0g libpam-modules libkrb5-3
    libgssapi-krb5-2 libsystemd0 libnss-systemd systemd libcurl4 libavcodec59 libavformat59
    libavutil57 libavdevice59 libqt5core5a libqt5gui5 libqt5network5 libqt5dbus5 libasound2
    libasound2-plugins libcups2 libdbus-1-3 libp11-kit0 libva2 libvdpau1 libopenal1 libodbc2
    libltdl7 libruby3.1 php8.2-cli nodejs libnode108 openjdk-17-jre-headless firefox-esr
    libpipewire-0.3-0 libspa-0.2-modules libproxy1v5 glib-networking libgirepository-1.0-1
    libx11-6 libxkbcommon0 libwayland-client0 libcanberra0 libgphoto2-6 libmagickcore-6.q16-6
    libsdl2-mixer-2.0-0 libvlccore9 libmpv2 libtss2-tctildr0 libfido2-1 ocl-icd-libopencl1
    libcryptsetup12 libudev1 libkmod2 libgcrypt20 libgnutls30 libldap-2.5-0 libsqlite3-0
    libarchive13 libmagic1 apache2-bin libapr1 libperl5.36 liblua5.4-0 libspeechd2 libespeak-ng1
    libusb-1.0-0 libsndfile1 libwebkit2gtk-4.0-37)
RANDOM_COUNT=100
RANDOM_SEED=12
RANDOM_MAX_KB=20000

offline=0 report=1
for arg in "$@"; do
    case "$arg" in
        --offline) offline=1 ;;
        --no-report) report=0 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "dlopen-candidates.sh: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

NAME=dlopen-candidates.sh
. "$HERE/common.sh"

for tool in apt-get apt-cache dpkg-deb python3 cargo; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
done
mkdir -p "$WORK"

# ---------------------------------------------------------------- packages
. "$REPO/glibc-db/debian/apt-private.sh"
APT="$WORK/apt"
apt_private_opts "$APT" "$ARCH"
if [ "$offline" = 0 ] && [ ! -f "$APT/.updated" ]; then
    apt_private_init "$APT" "$(apt_first_mirror)" "$SUITE" unsigned-ok
    log "apt-get update ($SUITE $ARCH) from the machine's mirror"
    apt-get -q "${APT_O[@]}" update >&2
    touch "$APT/.updated"
fi
[ -f "$APT/.updated" ] || die "no package indices in $APT (run without --offline)"

apt-cache "${APT_O[@]}" dumpavail >"$WORK/avail.txt"
# The random sample, drawn once from the index and kept, so a rerun measures the same packages.
if [ ! -s "$WORK/random.txt" ]; then
    python3 "$HERE/dlopen_candidates.py" sample --avail "$WORK/avail.txt" --count "$RANDOM_COUNT" \
        --seed "$RANDOM_SEED" --max-kb "$RANDOM_MAX_KB" --exclude "${KNOWN[*]}" >"$WORK/random.txt"
fi
# package, version, kind (known or random); a name the suite lacks is left out with a note.
python3 "$HERE/dlopen_candidates.py" pick --avail "$WORK/avail.txt" --known "${KNOWN[*]}" \
    --random "$WORK/random.txt" >"$WORK/packages.tsv"
DEBS="$WORK/debs"
mkdir -p "$DEBS"
if [ "$offline" = 0 ]; then
    missing=()
    while IFS=$'\t' read -r p v _; do
        compgen -G "$DEBS/${p}_*.deb" >/dev/null || missing+=("$p=$v")
    done <"$WORK/packages.tsv"
    if [ "${#missing[@]}" -gt 0 ]; then
        log "apt-get download: ${#missing[@]} packages"
        (cd "$DEBS" && apt-get -q "${APT_O[@]}" download "${missing[@]}" >&2)
    fi
fi
TREES="$WORK/trees"
rm -rf "$TREES"
mkdir -p "$TREES"
log "unpacking $(wc -l <"$WORK/packages.tsv") packages into $TREES"
while IFS=$'\t' read -r p _ _; do
    deb="$(compgen -G "$DEBS/${p}_*.deb" | head -n1)" || die "$p: no .deb in $DEBS (run without --offline)"
    dpkg-deb -x "$deb" "$TREES/$p"
done <"$WORK/packages.tsv"

# ---------------------------------------------------------------- shipcheck
BIN="$(shipcheck_binary)" || exit 2

log "reading every file (tests/dlopen_names.rs, dump)"
(cd "$REPO" && SHIPCHECK_DLOPEN_DUMP_DIR="$TREES" SHIPCHECK_DLOPEN_DUMP_OUT="$WORK/names.jsonl" \
    cargo test --release --quiet --test dlopen_names -- --ignored --exact dump >&2) ||
    die "the dump test failed"

log "shipcheck check --baseline $BASELINE, one tree at a time"
mkdir -p "$WORK/check"
while IFS=$'\t' read -r p _ _; do
    # Exit status 1 (findings) and 3 (something unverified) are the usual cases; 2 means it
    # could not check.
    # A package of scripts only has nothing to check.
    status=0
    "$BIN" check "$TREES/$p" --baseline "$BASELINE" --format json >"$WORK/check/$p.json" \
        2>"$WORK/check/$p.err" || status=$?
    if [ "$status" = 2 ] && grep -q "no binaries found" "$WORK/check/$p.err"; then
        echo '{"files": []}' >"$WORK/check/$p.json"
    elif [ "$status" = 2 ]; then
        die "shipcheck check $TREES/$p failed: $(cat "$WORK/check/$p.err")"
    fi
done <"$WORK/packages.tsv"

{
    echo "shipcheck_version=$("$BIN" --version 2>/dev/null | head -n1)"
    echo "git=${SHIPCHECK_REV:-$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)}"
    echo "suite=$SUITE $ARCH"
    echo "baseline=$BASELINE"
} >"$WORK/meta.txt"
args=(count --packages "$WORK/packages.tsv" --names "$WORK/names.jsonl" --checks "$WORK/check"
    --meta "$WORK/meta.txt" --results "$WORK/results.json")
[ "$report" = 1 ] && args+=(--report "$HERE/dlopen-candidates.md")
python3 "$HERE/dlopen_candidates.py" "${args[@]}" || die "dlopen_candidates.py failed"
