#!/usr/bin/env bash
# CI self-check of the release binaries (.ci/run runs it after the test suite):
#   1. release/build.sh: the x86_64 binary linked against glibc 2.17 with cargo zigbuild;
#   2. shipcheck (the host build cargo test made, SHIPCHECK) checks it against the oldest release
#      of each family and some newer ones that still lack GLIBC_2.34: every baseline must pass;
#   3. the host build itself, linked against this machine's glibc, must fail every one of those
#      baselines, each with symbol-version-too-new for a GLIBC node above the baseline's: the
#      old-glibc link is what makes the difference, not a baseline that passes everything;
#   4. release/build.sh --static: the container image's binary must pass them as well, and
#      tests/container_image.rs checks the image's root filesystem around it.
# Prints how long each build took.
set -euo pipefail
cd "$(dirname "$0")/.."

shipcheck=${SHIPCHECK:-${CARGO_TARGET_DIR:-target}/debug/shipcheck}
[ -x "$shipcheck" ] || { echo "self-check: no host build at $shipcheck (run cargo test first)" >&2; exit 1; }
# Oldest: glibc 2.17 (the Rust standard library's floor) in RHEL/CentOS 7 and Amazon Linux 1,
# 2.19 in Debian 8 and Ubuntu 14.04, 2.23 in Ubuntu 16.04. Newer, still without GLIBC_2.34:
# RHEL 8 (2.28), Debian 11 (2.31), Ubuntu 20.04 (2.31).
baselines=(rhel-7 centos-7 amazonlinux-1 debian-8 ubuntu-14.04 ubuntu-16.04 rhel-8 debian-11 ubuntu-20.04)
args=()
for name in "${baselines[@]}"; do args+=(--baseline "$name"); done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

SECONDS=0
release=$(release/build.sh)
echo "self-check: release/build.sh took ${SECONDS} s: $release" >&2
"$shipcheck" check "$release" "${args[@]}"
echo "self-check: $release passes ${baselines[*]}" >&2

status=0
"$shipcheck" check "$shipcheck" "${args[@]}" --format json > "$work/host.json" || status=$?
if [ "$status" != 1 ]; then
    echo "self-check: the host build $shipcheck should fail (exit 1) against the same baselines, got $status" >&2
    exit 1
fi
python3 - "$work/host.json" "${baselines[@]}" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
expected = sys.argv[2:]
verdicts = {b["id"]: b["verdict"] for b in report["baselines"]}
assert sorted(verdicts) == sorted(expected), f"baselines {sorted(verdicts)} != {sorted(expected)}"
for name, verdict in verdicts.items():
    assert verdict == "fail", f"the host build passes {name}"
(file,) = report["files"]
for name in expected:
    nodes = [f["evidence"]["version"] for f in file["findings"]
             if f["code"] == "symbol-version-too-new" and f["baseline"] == name
             and f["evidence"]["version"].startswith("GLIBC_")]
    assert nodes, f"{name}: no symbol-version-too-new for GLIBC"
print(f"self-check: the host build needs GLIBC {file['requires']['GLIBC']} and fails "
      f"{len(expected)} of {len(expected)} baselines with symbol-version-too-new", file=sys.stderr)
EOF

SECONDS=0
static=$(release/build.sh --static)
echo "self-check: release/build.sh --static took ${SECONDS} s: $static" >&2
"$shipcheck" check "$static" "${args[@]}"
SHIPCHECK_STATIC_BINARY="$(realpath "$static")" cargo test --test container_image
