#!/usr/bin/env bash
# Generates the synthetic benchmark tree: many small files, one in ten an ELF file.
#
#   bench/make-synthetic-tree.sh DIR [TOTAL_FILES] [ELF_FILES]
#
# Defaults: 50000 files in all, 5000 of them ELF. The ELF files are copies of the machine's
# small (<= 64 KiB) ELF files from /usr/bin and /usr/lib/<multiarch>, taken in sorted order and
# reused round-robin; set LINK=1 to hardlink them instead of copying (less disk, but every
# tool then reads the same few hundred inodes, which flatters cold-cache runs). The rest are
# small text files (100 B to ~2 KiB). Files are spread over 50 x 10 directories of ~100 each.
# DIR must not exist yet, or be empty.
set -euo pipefail

dir=${1:?usage: make-synthetic-tree.sh DIR [TOTAL_FILES] [ELF_FILES]}
total=${2:-50000}
elves=${3:-5000}
link=${LINK:-0}

if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
    echo "make-synthetic-tree: $dir exists and is not empty" >&2
    exit 2
fi
if [ "$elves" -gt "$total" ]; then
    echo "make-synthetic-tree: ELF_FILES ($elves) > TOTAL_FILES ($total)" >&2
    exit 2
fi

# Small regular ELF files of the machine, sorted so the tree is the same on the same machine.
mapfile -t sources < <(
    for d in /usr/bin /usr/lib/*-linux-gnu; do
        find "$d" -maxdepth 1 -type f -size -65k -print0
    done | xargs -0 -r sh -c '
        for f; do
            magic=$(head -c 4 "$f" | od -An -c | tr -d " ")
            [ "$magic" = "177ELF" ] && printf "%s\n" "$f"
        done' sh | sort
)
if [ "${#sources[@]}" -eq 0 ]; then
    echo "make-synthetic-tree: found no small ELF files under /usr/bin or /usr/lib/*-linux-gnu" >&2
    exit 1
fi

mkdir -p "$dir"
# One ELF file every `stride` files, so they are spread over all directories.
stride=$(( total / (elves > 0 ? elves : 1) ))
[ "$stride" -ge 1 ] || stride=1
text='Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.
'
made_elf=0
for ((i = 0; i < total; i++)); do
    printf -v sub '%s/d%02d/s%d' "$dir" $(( i % 50 )) $(( (i / 50) % 10 ))
    [ -d "$sub" ] || mkdir -p "$sub"
    if [ "$made_elf" -lt "$elves" ] && [ $(( i % stride )) -eq 0 ]; then
        src=${sources[$(( made_elf % ${#sources[@]} ))]}
        printf -v dst '%s/f%06d-%s' "$sub" "$i" "${src##*/}"
        if [ "$link" = 1 ]; then
            ln "$src" "$dst" 2>/dev/null || cp "$src" "$dst"
        else
            cp "$src" "$dst"
        fi
        made_elf=$(( made_elf + 1 ))
    else
        # 1 to 20 lines, ~90 bytes each.
        n=$(( i % 20 + 1 ))
        body=
        for ((l = 0; l < n; l++)); do body+=$text; done
        printf -v dst '%s/f%06d.txt' "$sub" "$i"
        printf '%s' "$body" > "$dst"
    fi
done

echo "make-synthetic-tree: $dir: $total files, $made_elf ELF (from ${#sources[@]} distinct sources, LINK=$link), $(du -sh "$dir" | cut -f1) on disk" >&2
