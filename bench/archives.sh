#!/usr/bin/env bash
# Issue 11: what checking an image in place costs, against decompressing it and against
# extracting it and checking the tree. One hyperfine run times, on one real root filesystem:
#   floors:            cat image.tar, gzip -dc image.tar.gz, zstd -dc image.tar.zst (read or
#                      decompress only), and tar -x of each into a directory
#   extract + check:   tar -x of each, then shipcheck check on the extracted tree, one command
#   in place:          shipcheck check on image.tar, .tar.gz, .tar.zst (with --baseline
#                      debian-12 and without), the OCI layout and the docker-archive
#   tree:              shipcheck check tree/ (with and without the baseline)
# then peak RSS (GNU time) of one more run of each. See bench/README.md, "Archives and images".
#
#   bench/archives.sh [--runs N] [--warmup N] [--work DIR] [--source debs|usr] [--rev GIT-REV]
#                     [--summary-only]
#
# Inputs are built once by make-rootfs-image.sh in DIR/archives (default
# $TMPDIR/shipcheck-bench/archives, about 2.6 GB with the extraction directory) and reused.
# --rev builds that commit from a clean `git archive` export (in DIR/src-COMMIT, target in
# DIR/target unless CARGO_TARGET_DIR is set); the default builds the work tree as it is.
# Either way the binary is copied to DIR/shipcheck-bin first, so that a rebuild of target/
# during the run (another engineer's `cargo build` in a shared work tree) cannot swap it.
# Environment: SHIPCHECK=/path/to/shipcheck skips the build; CARGO_TARGET_DIR is honoured.
# Writes bench/results/archives.md (hyperfine export in archives.json, peak RSS in
# archives-memory.tsv, the packages in archives-packages.tsv); the "## Notes" section of an
# existing archives.md is kept.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
results=$here/results

runs=6
warmup=1
work=${TMPDIR:-/tmp}/shipcheck-bench
source=debs
baseline=debian-12
summary_only=0
rev=

while [ $# -gt 0 ]; do
    case $1 in
        --runs) runs=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        --source) source=$2; shift 2 ;;
        --rev) rev=$2; shift 2 ;;
        --summary-only) summary_only=1; shift ;;
        -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "archives.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

in=$work/archives
json=$results/archives.json
memfile=$results/archives-memory.tsv
facts=$results/archives-machine.txt
out=$results/archives.md

if [ "$summary_only" = 0 ]; then
# --- tools: checked, never installed -------------------------------------------------------
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$1 (apt-get install $2)"); }
need hyperfine hyperfine
need jq jq
need tar tar
need gzip gzip
need zstd zstd
if [ "$source" = debs ]; then need dpkg-deb dpkg; need apt-get apt; fi
[ -x /usr/bin/time ] && /usr/bin/time --version 2>&1 | grep -q 'GNU' || missing+=("/usr/bin/time, GNU (apt-get install time)")
[ -n "${SHIPCHECK:-}" ] || need cargo "rustup, https://rustup.rs"
if [ ${#missing[@]} -gt 0 ]; then
    echo "archives.sh: missing tools:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    exit 1
fi
for t in umoci skopeo; do
    command -v "$t" >/dev/null 2>&1 || echo "archives.sh: no $t (apt-get install $t): no OCI layout or docker-archive input" >&2
done

# --- build ---------------------------------------------------------------------------------
mkdir -p "$work"
if [ -n "${SHIPCHECK:-}" ]; then
    sc_commit="prebuilt $SHIPCHECK"
elif [ -n "$rev" ]; then
    sc_commit=$(git -C "$repo" rev-parse --short "$rev")
    src=$work/src-$sc_commit
    if [ ! -f "$src/Cargo.toml" ]; then
        mkdir -p "$src"
        git -C "$repo" archive "$sc_commit" | tar -x -C "$src"
    fi
    echo "archives.sh: building shipcheck $sc_commit (release, clean export in $src)" >&2
    target_dir=${CARGO_TARGET_DIR:-$work/target}
    CARGO_TARGET_DIR=$target_dir cargo build --release --quiet --manifest-path "$src/Cargo.toml"
    SHIPCHECK=$target_dir/release/shipcheck
else
    sc_commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
    if ! git -C "$repo" diff --quiet HEAD -- src Cargo.toml build.rs glibc-db 2>/dev/null; then
        sc_commit="$sc_commit + uncommitted changes"
    fi
    echo "archives.sh: building shipcheck (release, work tree)" >&2
    cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
    SHIPCHECK=${CARGO_TARGET_DIR:-$repo/target}/release/shipcheck
fi
[ -x "$SHIPCHECK" ] || { echo "archives.sh: $SHIPCHECK is not executable" >&2; exit 1; }
cp "$SHIPCHECK" "$work/shipcheck-bin"
SHIPCHECK=$work/shipcheck-bin
sc_version=$("$SHIPCHECK" --version 2>/dev/null || echo "shipcheck (unknown version)")

# --- inputs --------------------------------------------------------------------------------
"$here/make-rootfs-image.sh" "$in" --source "$source"
mkdir -p "$results"
cp "$in/packages.txt" "$results/archives-packages.tsv"

# --- machine -------------------------------------------------------------------------------
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "shipcheck: $sc_version, commit $sc_commit (binary sha256 $(sha256sum "$SHIPCHECK" | cut -c1-12))"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "cores: $(nproc) online"
    echo "ram: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "kernel: $(uname -sr)"
    work_dev=$(df --output=source "$in" | tail -1)
    echo "disk (work dir): $work_dev, $(df -h --output=fstype,size "$in" | tail -1 | xargs), rotational=$(cat /sys/block/"$(basename "$work_dev")"/queue/rotational 2>/dev/null || echo '?')"
    echo "tools: hyperfine $(hyperfine --version | awk '{print $2}'), $(tar --version | head -1), gzip $(gzip --version | head -1 | awk '{print $2}'), zstd $(zstd --version | grep -o 'v[0-9.]*' | head -1), $(umoci --version 2>/dev/null || echo 'no umoci'), $(skopeo --version 2>/dev/null || echo 'no skopeo')"
    echo "runs: $warmup warmup, $runs timed, per command"
} > "$facts"

# --- commands ------------------------------------------------------------------------------
# Everything runs in $in with relative paths, so the commands read the same on any machine.
# Extractions go to x/ (emptied before every run, untimed); every command is preceded by
# `sync`, so no run pays for the write-back of an earlier extraction. tar -x returns when the
# files are in the page cache, not on disk: the extraction floors are page-cache writes.
cd "$in"
sc=$SHIPCHECK
bl="--baseline $baseline"
fresh='sh -c "rm -rf x && mkdir x && sync"'
# The same extractions into a tmpfs, when /dev/shm is one with room: no disk under the writes,
# the best case for extracting first.
shm=
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] &&
    [ "$(df -k --output=avail /dev/shm | tail -1)" -gt $(( $(stat -c %s image.tar) / 1024 * 2 )) ]; then
    shm=/dev/shm/shipcheck-bench-x
    fresh_shm="sh -c \"rm -rf $shm && mkdir $shm && sync\""
else
    echo "archives.sh: /dev/shm is not a tmpfs with room for the tree: no tmpfs extractions" >&2
fi
names=() cmds=() preps=()
add() { names+=("$1"); cmds+=("$2"); preps+=("${3:-sync}"); }
add "cat image.tar (read floor)"        "cat image.tar"
add "gzip -dc image.tar.gz"             "gzip -dc image.tar.gz"
add "zstd -dc image.tar.zst"            "zstd -dc image.tar.zst"
# zstd decompresses gzip through zlib: a faster gzip floor than GNU gzip's own inflate.
add "zstd -dc image.tar.gz (zlib inflate)" "zstd -dc image.tar.gz"
add "tar -xf image.tar"                 "tar -xf image.tar -C x" "$fresh"
add "tar -xzf image.tar.gz"             "tar -xzf image.tar.gz -C x" "$fresh"
add "tar --zstd -xf image.tar.zst"      "tar --zstd -xf image.tar.zst -C x" "$fresh"
add "tar -xf image.tar + shipcheck x"             "sh -c 'tar -xf image.tar -C x && exec $sc check x $bl --format json'" "$fresh"
add "tar -xzf image.tar.gz + shipcheck x"         "sh -c 'tar -xzf image.tar.gz -C x && exec $sc check x $bl --format json'" "$fresh"
add "tar --zstd -xf image.tar.zst + shipcheck x"  "sh -c 'tar --zstd -xf image.tar.zst -C x && exec $sc check x $bl --format json'" "$fresh"
if [ -n "$shm" ]; then
    add "tar -xf image.tar → tmpfs"               "tar -xf image.tar -C $shm" "$fresh_shm"
    add "tar -xzf image.tar.gz → tmpfs"           "tar -xzf image.tar.gz -C $shm" "$fresh_shm"
    add "tar --zstd -xf image.tar.zst → tmpfs"    "tar --zstd -xf image.tar.zst -C $shm" "$fresh_shm"
    add "tar -xf image.tar → tmpfs + shipcheck"            "sh -c 'tar -xf image.tar -C $shm && exec $sc check $shm $bl --format json'" "$fresh_shm"
    add "tar -xzf image.tar.gz → tmpfs + shipcheck"        "sh -c 'tar -xzf image.tar.gz -C $shm && exec $sc check $shm $bl --format json'" "$fresh_shm"
    add "tar --zstd -xf image.tar.zst → tmpfs + shipcheck" "sh -c 'tar --zstd -xf image.tar.zst -C $shm && exec $sc check $shm $bl --format json'" "$fresh_shm"
fi
add "shipcheck image.tar"               "$sc check image.tar $bl --format json"
add "shipcheck image.tar.gz"            "$sc check image.tar.gz $bl --format json"
add "shipcheck image.tar.zst"           "$sc check image.tar.zst $bl --format json"
[ -f oci/index.json ] && add "shipcheck oci (OCI layout, gzip layer)" "$sc check oci $bl --format json"
[ -f image.docker.tar ] && add "shipcheck image.docker.tar (docker-archive)" "$sc check image.docker.tar $bl --format json"
add "shipcheck image.tar, no baseline"     "$sc check image.tar --format json"
add "shipcheck image.tar.gz, no baseline"  "$sc check image.tar.gz --format json"
add "shipcheck image.tar.zst, no baseline" "$sc check image.tar.zst --format json"
add "shipcheck tree"                    "$sc check tree $bl --format json"
add "shipcheck tree, no baseline"       "$sc check tree --format json"

# Same findings in place as on the tree, or the timings compare different work.
{
    printf 'input\tverdict\tfiles_checked\twarnings\tinfos\tlayout\tentry_points\tcodes\n'
    for p in tree image.tar image.tar.gz image.tar.zst oci image.docker.tar; do
        [ -e "$p" ] || continue
        "$sc" check "$p" $bl --format json 2>/dev/null |
            jq -r --arg p "$p" '[$p, .summary.verdict, .summary.files_checked, .summary.warnings, .summary.infos,
                .trees[0].layout, .trees[0].entry_points,
                ([.files[]? | .findings[]? | .code] | group_by(.) | map("\(.[0])=\(length)") | join(" "))] | @tsv' || true
    done
} > "$results/archives-findings.tsv"

# The commands as the report shows them: shipcheck by name, the baseline flag as $BL.
for i in "${!cmds[@]}"; do
    c=${cmds[$i]//$sc/shipcheck}
    [ -n "$shm" ] && c=${c//$shm/\$SHM}
    printf '%s\t%s\n' "${names[$i]}" "${c//$bl/\$BL}"
done > "$results/archives-commands.tsv"

args=(-N -i --warmup "$warmup" --runs "$runs" --export-json "$json")
for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" --prepare "${preps[$i]}" "${cmds[$i]}"); done
echo "archives.sh: before: $(uptime)" >&2
load_before=$(uptime | sed 's/.*load average: //')
hyperfine "${args[@]}" >&2
load_after=$(uptime | sed 's/.*load average: //')
echo "archives.sh: after: $(uptime)" >&2
echo "load average (1, 5, 15 min): $load_before before the timed runs, $load_after after" >> "$facts"

# Peak RSS: one more run of each, prepared the same way. For the tar + shipcheck commands
# GNU time reports the largest single process (shipcheck), not the sum.
printf 'command\tmax_rss_kib\telapsed_s\n' > "$memfile"
tmp=$(mktemp)
for i in "${!cmds[@]}"; do
    sh -c "${preps[$i]}"
    /usr/bin/time -f '%M %e' -o "$tmp" sh -c "exec ${cmds[$i]}" >/dev/null 2>&1 || true
    printf '%s\t%s\t%s\n' "${names[$i]}" $(tail -1 "$tmp") >> "$memfile"
done
rm -f "$tmp"
rm -rf x
[ -n "$shm" ] && rm -rf "$shm"

# Sizes of the inputs, for the report.
{
    echo "tree: $(du -s --apparent-size -B1 tree | cut -f1) bytes, $(find tree -type f | wc -l) regular files, $(find tree -type l | wc -l) symlinks, $(awk -F'\t' '$1 == "tree" { print $3 }' "$results/archives-findings.tsv") ELF files checked"
    for f in image.tar image.tar.gz image.tar.zst image.docker.tar; do
        [ -f "$f" ] && echo "$f: $(stat -c %s "$f") bytes"
    done
    [ -d oci ] && echo "oci: $(du -s --apparent-size -B1 oci | cut -f1) bytes"
    echo "source: $source$([ "$source" = debs ] && echo ", $(wc -l < packages.txt) Debian packages ($(awk -F'\t' '{ s += $3 } END { printf "%.0f MB", s / 1e6 }' packages.txt) of .deb files)")"
} > "$results/archives-inputs.txt"
fi

# --- report --------------------------------------------------------------------------------
[ -f "$json" ] && [ -f "$memfile" ] || { echo "archives.sh: no results in $results yet" >&2; exit 1; }
notes=
if [ -f "$out" ]; then notes=$(awk '/^## Notes/ { keep = 1 } keep' "$out"); fi
med() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median' "$json"; }
rss() { awk -F'\t' -v n="$1" '$1 == n { printf "%.1f", $2 / 1024 }' "$memfile"; }
ratio() {
    local a b
    a=$(med "$1"); b=$(med "$2")
    [ -n "$a" ] && [ -n "$b" ] || { echo "–"; return; }
    awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f×", a / b }'
}
rss_ratio() {
    local a b
    a=$(rss "$1"); b=$(rss "$2")
    [ -n "$a" ] && [ -n "$b" ] || { echo "–"; return; }
    awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f×", a / b }'
}
{
    echo "# Archives and images: shipcheck in place against decompress and extract (issue 11)"
    echo
    echo "Written by \`bench/archives.sh\`; the Notes section at the end is kept from run to run."
    echo "Medians over the timed runs in seconds; machines are shared, so read the ratios."
    echo
    sed 's/^/    /' "$(dirname "$json")/archives-machine.txt"
    echo
    echo "Inputs (built by \`bench/make-rootfs-image.sh\`, packages in \`archives-packages.tsv\`):"
    echo
    sed 's/^/    /' "$results/archives-inputs.txt"
    echo
    echo "## Same findings in place as on the tree"
    echo
    echo "| input | verdict | ELF files checked | warnings | infos | layout | entry points | codes |"
    echo "| --- | --- | ---: | ---: | ---: | --- | ---: | --- |"
    tail -n +2 "$results/archives-findings.tsv" | awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8 }'
    echo
    echo "## Times and peak memory"
    echo
    echo "Every command runs in the inputs' directory; \`shipcheck\` is the release build, \`\$BL\` is"
    echo "\`--baseline $baseline\`. The commands that extract into \`x\` start from an empty \`x\` (emptied"
    echo "untimed, then \`sync\`); every other command is preceded by \`sync\`. \`\$SHM\` is an empty"
    echo "directory on the tmpfs \`/dev/shm\`, emptied the same way."
    echo
    echo "| what | command | median | mean ± σ | min | user | sys | peak RSS MiB |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    jq -r '.results[] | [.command, .median, .mean, .stddev, .min, .user, .system] | @tsv' "$json" |
        while IFS=$'\t' read -r name median mean sd min user sys; do
            cmd=$(awk -F'\t' -v n="$name" '$1 == n { print $2 }' "$results/archives-commands.tsv")
            printf '| %s | `%s` | %.3f | %.3f ± %.3f | %.3f | %.2f | %.2f | %s |\n' "$name" "$cmd" \
                "$median" "$mean" "$sd" "$min" "$user" "$sys" "$(rss "$name")"
        done
    echo
    echo "## Ratios (medians)"
    echo
    echo "| ratio | tar | tar.gz | tar.zst |"
    echo "| --- | ---: | ---: | ---: |"
    echo "| shipcheck on the archive ÷ read/decompress only (\`cat\`, \`gzip -dc\`, \`zstd -dc\`) | $(ratio "shipcheck image.tar" "cat image.tar (read floor)") | $(ratio "shipcheck image.tar.gz" "gzip -dc image.tar.gz") | $(ratio "shipcheck image.tar.zst" "zstd -dc image.tar.zst") |"
    echo "| the same, no baseline | $(ratio "shipcheck image.tar, no baseline" "cat image.tar (read floor)") | $(ratio "shipcheck image.tar.gz, no baseline" "gzip -dc image.tar.gz") | $(ratio "shipcheck image.tar.zst, no baseline" "zstd -dc image.tar.zst") |"
    echo "| the same against zlib's inflate (\`zstd -dc image.tar.gz\`) | | $(ratio "shipcheck image.tar.gz" "zstd -dc image.tar.gz (zlib inflate)") | |"
    echo "| shipcheck on the archive ÷ \`tar -x\` only | $(ratio "shipcheck image.tar" "tar -xf image.tar") | $(ratio "shipcheck image.tar.gz" "tar -xzf image.tar.gz") | $(ratio "shipcheck image.tar.zst" "tar --zstd -xf image.tar.zst") |"
    echo "| **shipcheck on the archive ÷ (\`tar -x\` + shipcheck on the tree)** | **$(ratio "shipcheck image.tar" "tar -xf image.tar + shipcheck x")** | **$(ratio "shipcheck image.tar.gz" "tar -xzf image.tar.gz + shipcheck x")** | **$(ratio "shipcheck image.tar.zst" "tar --zstd -xf image.tar.zst + shipcheck x")** |"
    echo "| shipcheck on the archive ÷ \`tar -x\` to tmpfs only | $(ratio "shipcheck image.tar" "tar -xf image.tar → tmpfs") | $(ratio "shipcheck image.tar.gz" "tar -xzf image.tar.gz → tmpfs") | $(ratio "shipcheck image.tar.zst" "tar --zstd -xf image.tar.zst → tmpfs") |"
    echo "| **shipcheck on the archive ÷ (\`tar -x\` to tmpfs + shipcheck on the tree)** | **$(ratio "shipcheck image.tar" "tar -xf image.tar → tmpfs + shipcheck")** | **$(ratio "shipcheck image.tar.gz" "tar -xzf image.tar.gz → tmpfs + shipcheck")** | **$(ratio "shipcheck image.tar.zst" "tar --zstd -xf image.tar.zst → tmpfs + shipcheck")** |"
    echo "| shipcheck on the archive ÷ shipcheck on the extracted tree alone | $(ratio "shipcheck image.tar" "shipcheck tree") | $(ratio "shipcheck image.tar.gz" "shipcheck tree") | $(ratio "shipcheck image.tar.zst" "shipcheck tree") |"
    echo "| peak RSS on the archive ÷ on the tree | $(rss_ratio "shipcheck image.tar" "shipcheck tree") | $(rss_ratio "shipcheck image.tar.gz" "shipcheck tree") | $(rss_ratio "shipcheck image.tar.zst" "shipcheck tree") |"
    echo
    if [ -n "$(med "shipcheck oci (OCI layout, gzip layer)")" ] || [ -n "$(med "shipcheck image.docker.tar (docker-archive)")" ]; then
        echo "Images: the OCI layout (one gzip layer) ÷ image.tar.gz: $(ratio "shipcheck oci (OCI layout, gzip layer)" "shipcheck image.tar.gz") in time,"
        echo "$(rss_ratio "shipcheck oci (OCI layout, gzip layer)" "shipcheck image.tar.gz") in peak RSS; the docker-archive (one plain layer) ÷ image.tar:"
        echo "$(ratio "shipcheck image.docker.tar (docker-archive)" "shipcheck image.tar") in time, $(rss_ratio "shipcheck image.docker.tar (docker-archive)" "shipcheck image.tar") in peak RSS."
        echo
    fi
    if [ -n "$notes" ]; then echo "$notes"; fi
} > "$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
