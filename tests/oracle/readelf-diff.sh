#!/bin/sh
# Compares shipcheck's ELF reading with GNU readelf on every ELF file under /usr/bin,
# /usr/sbin, /usr/lib, /usr/libexec, the cross sysroots /usr/<triple> and testdata/.
# Prints the counts; exits non-zero on any disagreement. Extra arguments go to cargo
# (e.g. --target-dir).
set -eu
cd "$(dirname "$0")/../.."
command -v readelf >/dev/null || { echo "readelf not found (install binutils)" >&2; exit 2; }
SHIPCHECK_ORACLE_FULL=1 exec cargo test --release "$@" --test readelf_oracle -- \
    --ignored --nocapture agrees_with_readelf_on_every_system_file
