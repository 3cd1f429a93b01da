#!/usr/bin/env bash
# Differential harness: compares the hardening facts `shipcheck check --format json` gives every
# ELF file (files[].hardening: PIE, RELRO, NX stack, stack protector, FORTIFY) with the ones
# Debian's checksec (checksec.sh) gives it, on this machine's /usr/bin, /usr/sbin and
# /usr/lib/x86_64-linux-gnu, and rewrites the figures in tests/oracle/checksec-diff.md. Both tools
# only read the files; nothing in them runs. tests/oracle/checksec_diff.py does the comparing;
# its docstring says how each fact is mapped.
#
# Run by hand; the tests never run it. It installs checksec with apt-get when it is missing (as
# root). Its work files (both tools' JSON, results.json) go to the work dir, never into the
# repository; only the report is rewritten.
#
# usage: bash tests/oracle/checksec-diff.sh [--foreign] [--no-report] [--rerender] [DIR...]
#   DIR          directories to compare instead of the default three (implies --no-report)
#   --foreign    also the bookworm root filesystems of other architectures that
#                glibc-db/debian/fetch.sh unpacked (arm64, armel, armhf, i386, mips64el, mipsel,
#                ppc64el, s390x: glibc, the GCC runtimes, zlib, OpenSSL ...), when they are there
#   --no-report  leave tests/oracle/checksec-diff.md alone (print the section instead)
#   --rerender   run neither tool: rewrite the report from the work dir's last results (the
#                disagreements' readelf evidence is read again)
# environment:
#   SHIPCHECK_CHECKSEC_DIR   work dir (default ${TMPDIR:-/tmp}/shipcheck-checksec)
#   SHIPCHECK_DEBIAN_CACHE   glibc-db/debian/fetch.sh's cache (default ~/.cache/shipcheck-debian)
#   SHIPCHECK                a shipcheck binary to use instead of `cargo build --release`
#   SHIPCHECK_REV            the revision that binary was built from, for the report
#   CARGO_TARGET_DIR         where cargo builds (as usual)
# exit status: 0 when every file agrees on every fact, 1 when some differ, 2 when it could not run.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
WORK="${SHIPCHECK_CHECKSEC_DIR:-${TMPDIR:-/tmp}/shipcheck-checksec}"
CACHE="${SHIPCHECK_DEBIAN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipcheck-debian}"

foreign=0 report=1 rerender=0
dirs=()
while [ $# -gt 0 ]; do
    case "$1" in
        --foreign) foreign=1 ;;
        --no-report) report=0 ;;
        --rerender) rerender=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "checksec-diff.sh: unknown argument: $1" >&2; exit 2 ;;
        *) dirs+=("$(cd "$1" && pwd -P)"); report=0 ;;
    esac
    shift
done

NAME=checksec-diff.sh
. "$HERE/common.sh"

for tool in python3 readelf file; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (python3, binutils, file)"
done

if [ "$rerender" = 1 ]; then
    [ -f "$WORK/results.json" ] && [ -f "$WORK/meta.txt" ] || die "--rerender: no results in $WORK"
    args=(--shipcheck - --checksec - --work "$WORK" --meta "$WORK/meta.txt" --summary-only)
    [ "$report" = 1 ] && args+=(--report "$HERE/checksec-diff.md")
    set +e
    python3 "$HERE/checksec_diff.py" "${args[@]}"
    status=$?
    set -e
    [ "$status" -le 1 ] || die "checksec_diff.py failed ($status)"
    exit "$status"
fi

# ---------------------------------------------------------------- checksec
if ! command -v checksec >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || die "checksec is missing: apt-get install checksec (as root)"
    log "apt-get install checksec"
    apt-get update -qq >&2 || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq checksec >&2 || die "apt-get install checksec failed"
fi
CHECKSEC="$(command -v checksec)"

# ---------------------------------------------------------------- shipcheck
BIN="$(shipcheck_binary)" || exit 2

# ---------------------------------------------------------------- corpus
if [ ${#dirs[@]} -eq 0 ]; then
    dirs=(/usr/bin /usr/sbin /usr/lib/x86_64-linux-gnu)
    if [ "$foreign" = 1 ]; then
        found=0
        for arch in arm64 armel armhf i386 mips64el mipsel ppc64el s390x; do
            d="$CACHE/sysroots/bookworm-$arch"
            [ -d "$d" ] && { dirs+=("$(cd "$d" && pwd -P)"); found=1; }
        done
        [ "$found" = 1 ] || die "--foreign: no $CACHE/sysroots/bookworm-*: run glibc-db/debian/fetch.sh bookworm first"
    fi
fi

mkdir -p "$WORK"
{
    echo "checksec=$(dpkg-query -W -f='${Package} ${Version}' checksec 2>/dev/null || echo "checksec ?") (checksec.sh $(
        sed -n 's/^SCRIPT_\(MAJOR\|MINOR\|REVISION\)=//p' "$CHECKSEC" | paste -sd. -
    ), \`$CHECKSEC\`)"
    echo "shipcheck=$("$BIN" --version 2>/dev/null | head -n1)"
    if [ -n "${SHIPCHECK:-}" ]; then
        echo "git=${SHIPCHECK_REV:-unknown: a given binary}"
    else
        echo "git=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)"
    fi
    echo "readelf=$(readelf --version | head -n1)"
    echo "file=$(file --version 2>/dev/null | head -n1)"
    echo "system=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"), $(uname -m), $(nproc) CPUs"
    echo "load_average=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')"
} >"$WORK/meta.txt"

args=(--shipcheck "$BIN" --checksec "$CHECKSEC" --work "$WORK" --meta "$WORK/meta.txt")
[ "$report" = 1 ] && args+=(--report "$HERE/checksec-diff.md")
set +e
python3 "$HERE/checksec_diff.py" "${args[@]}" "${dirs[@]}"
status=$?
set -e
[ "$status" -le 1 ] || die "checksec_diff.py failed ($status)"
exit "$status"
