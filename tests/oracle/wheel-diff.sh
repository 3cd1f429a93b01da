#!/usr/bin/env bash
# Differential harness: compares the platform policy `shipcheck check` gives a real wheel with the
# one `auditwheel show` gives it, on ~45 wheels from the package index (tests/oracle/fetch-wheels.sh
# says which), and rewrites the figures in tests/oracle/wheel-diff.md. Both tools only read the
# wheels; nothing in them runs.
#
# Run by hand; the tests never run it. The wheels and auditwheel (in a venv) stay in the work dir,
# never in the repository.
#
# usage: bash tests/oracle/wheel-diff.sh [--offline] [--no-report] [--no-shipcheck] [--only TEXT]...
#   --offline       fetch nothing (use what the work dir holds)
#   --no-report     leave tests/oracle/wheel-diff.md alone (results JSON only)
#   --no-shipcheck  run auditwheel's side only (the report then has no comparison)
#   --only TEXT     only the wheels whose file name contains TEXT (implies --no-report)
# environment:
#   SHIPCHECK_WHEELS_DIR  work dir (default ${TMPDIR:-/tmp}/shipcheck-wheels)
#   AUDITWHEEL_VERSION    the auditwheel to install (default 6.8.2)
#   SHIPCHECK             a shipcheck binary to use instead of `cargo build --release`
#   SHIPCHECK_REV         the revision that binary was built from, for the report
#   CARGO_TARGET_DIR      where cargo builds (as usual)
# exit status: 0 when every wheel agrees, 1 when some differ, 2 when it could not run.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
WORK="${SHIPCHECK_WHEELS_DIR:-${TMPDIR:-/tmp}/shipcheck-wheels}"
export SHIPCHECK_WHEELS_DIR="$WORK"

offline=0 report=1 with_shipcheck=1
only=()
while [ $# -gt 0 ]; do
    case "$1" in
        --offline) offline=1 ;;
        --no-report) report=0 ;;
        --no-shipcheck) with_shipcheck=0 ;;
        --only) [ $# -ge 2 ] || { echo "wheel-diff.sh: --only needs a value" >&2; exit 2; }
                only+=(--only "$2"); report=0; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "wheel-diff.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done

NAME=wheel-diff.sh
. "$HERE/common.sh"

command -v python3 >/dev/null 2>&1 || die "python3 not found"

# ---------------------------------------------------------------- wheels and auditwheel
fetch_args=()
[ "$offline" = 1 ] && fetch_args+=(--offline)
bash "$HERE/fetch-wheels.sh" "${fetch_args[@]}" || die "fetch-wheels.sh failed"
AW="$WORK/venv/bin/auditwheel"

# ---------------------------------------------------------------- shipcheck
BIN=
if [ "$with_shipcheck" = 1 ]; then
    BIN="$(shipcheck_binary)" || exit 2
fi

# ---------------------------------------------------------------- compare
{
    echo "auditwheel_version=$("$WORK/venv/bin/python" -c 'import importlib.metadata as m; print(m.version("auditwheel"))')"
    if [ -n "$BIN" ]; then
        echo "shipcheck_version=$("$BIN" --version 2>/dev/null | head -n1)"
        if [ -n "${SHIPCHECK:-}" ]; then
            echo "git=${SHIPCHECK_REV:-unknown: a given binary}"
        else
            echo "git=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)"
        fi
    fi
    echo "python=$(python3 --version 2>&1)"
    echo "host=$(uname -m), $(nproc) CPUs"
    echo "load_average=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')"
} >"$WORK/meta.txt"

args=(--list "$WORK/wheels.tsv" --wheels-dir "$WORK/wheels" --auditwheel "$AW"
    --results "$WORK/results.json" --meta "$WORK/meta.txt" "${only[@]}")
[ -n "$BIN" ] && args+=(--shipcheck "$BIN")
[ "$report" = 1 ] && args+=(--report "$HERE/wheel-diff.md")
set +e
python3 "$HERE/wheel_diff.py" "${args[@]}"
status=$?
set -e
[ "$status" -le 1 ] || die "wheel_diff.py failed ($status)"
exit "$status"
