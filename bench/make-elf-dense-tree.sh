#!/usr/bin/env bash
# Generates the ELF-dense benchmark tree: only the ELF files of the machine's /usr/bin and
# /usr/lib/<multiarch>, like a publish folder or an image's root filesystem, where nearly every
# file is a binary (issue 14, "Start-up and ELF-dense trees").
#
#   bench/make-elf-dense-tree.sh DIR
#
# Regular files whose first four bytes are \177ELF are copied (not linked, so the tree has
# its own inodes) into DIR/bin and DIR/lib, keeping their names; symlinks, scripts and data
# files are left out, so each binary is there once. Subdirectories of /usr/lib/<multiarch>
# are not descended. Set LINK=1 to hardlink instead of copying (same filesystem only).
# Prints how many files went in and their size. DIR must not exist yet, or be empty.
set -euo pipefail

dir=${1:?usage: make-elf-dense-tree.sh DIR}
link=${LINK:-0}

if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
    echo "make-elf-dense-tree: $dir exists and is not empty" >&2
    exit 2
fi

copy() {
    local from=$1 to=$2 f n=0
    mkdir -p "$to"
    while IFS= read -r -d '' f; do
        [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
        if [ "$link" = 1 ]; then ln "$f" "$to/" ; else cp --preserve=mode "$f" "$to/"; fi
        n=$((n + 1))
    done < <(find "$from" -maxdepth 1 -type f -print0 | sort -z)
    echo "$n"
}

total=0
nbin=$(copy /usr/bin "$dir/bin")
total=$((total + nbin))
for lib in /usr/lib/*-linux-gnu; do
    [ -d "$lib" ] || continue
    nlib=$(copy "$lib" "$dir/lib")
    total=$((total + nlib))
done
echo "make-elf-dense-tree: $total ELF files ($nbin from /usr/bin), $(du -sh "$dir" | cut -f1) in $dir" >&2
