#!/usr/bin/env bash
# Assembles the root filesystem of the shipcheck container image: the Dockerfile's build stage
# runs it and the final `FROM scratch` stage copies OUT_DIR as `/`. tests/container_image.rs
# assembles the same tree at test time and checks it with `shipcheck check OUT_DIR --layout
# rootfs`, so what the test checks is what the image holds.
#
#   release/image-rootfs.sh OUT_DIR BINARY
#
# OUT_DIR (created; must not exist or be empty) gets:
#   usr/local/bin/shipcheck   BINARY, mode 0755
#   tmp/                      mode 1777 (shipcheck writes nothing, but users' wrappers may)
#   work/                     the image's working directory, where users mount what to check
#   etc/passwd, etc/group     root and nobody (65534), so `--user 65534` has a name
# Nothing else: no loader, no C library. A dynamically linked BINARY makes a tree that does not
# run, and `shipcheck check OUT_DIR --layout rootfs` says so (interpreter-missing); this script
# does not judge, shipcheck does.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 OUT_DIR BINARY" >&2
    exit 2
fi
out=$1
binary=$2
if [ ! -f "$binary" ]; then
    echo "image-rootfs.sh: $binary is not a file" >&2
    exit 2
fi
if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
    echo "image-rootfs.sh: $out exists and is not empty" >&2
    exit 2
fi

mkdir -p "$out/usr/local/bin" "$out/etc" "$out/work" "$out/tmp"
chmod 1777 "$out/tmp"
install -m 0755 "$binary" "$out/usr/local/bin/shipcheck"
printf '%s\n' 'root:x:0:0:root:/:/sbin/nologin' \
    'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' > "$out/etc/passwd"
printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' > "$out/etc/group"
chmod 0644 "$out/etc/passwd" "$out/etc/group"
