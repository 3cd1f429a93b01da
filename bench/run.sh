#!/usr/bin/env bash
# Times shipcheck against a bare walk and the usual ELF tools on the same trees, in one run.
# See bench/README.md for what is measured and why.
#
#   bench/run.sh [--trees usr,synthetic,big,big-nosyms] [--runs N] [--warmup N] [--cold-runs N] [--no-cold]
#                [--work DIR] [--rev GIT-REV] [--summary-only]
#
# --summary-only rewrites bench/results/summary.md from the results already there.
# --rev builds that commit from a clean `git archive` export (to compare before/after a change
# without the work tree's edits); the default builds the work tree as it is.
# Environment: SHIPCHECK=/path/to/shipcheck skips the build; CARGO_TARGET_DIR is honoured.
# Writes hyperfine JSON/Markdown, peak memory, machine facts and load to bench/results/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
results=$here/results

trees=usr,synthetic,big,big-nosyms
runs=10
warmup=2
cold_runs=3
cold=1
work=${TMPDIR:-/tmp}/shipcheck-bench
baseline=debian-12
rev=
summary_only=0

while [ $# -gt 0 ]; do
    case $1 in
        --trees) trees=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --cold-runs) cold_runs=$2; shift 2 ;;
        --no-cold) cold=0; shift ;;
        --work) work=$2; shift 2 ;;
        --rev) rev=$2; shift 2 ;;
        --summary-only) summary_only=1; shift ;;
        -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

results_ok() { [ -f "$results/machine.txt" ] && [ -f "$results/memory.tsv" ]; }
if [ "$summary_only" = 1 ]; then
    results_ok || { echo "run.sh: no results in $results yet" >&2; exit 1; }
    memfile=$results/memory.tsv
else
# --- tools: checked, never installed -------------------------------------------------------
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$1 (apt-get install $2)"); }
need hyperfine hyperfine
need scanelf pax-utils
need lddtree pax-utils
need readelf binutils
need objcopy binutils
need gcc gcc
need jq jq
need fallocate util-linux
[ -x /usr/bin/time ] && /usr/bin/time --version 2>&1 | grep -q 'GNU' || missing+=("/usr/bin/time, GNU (apt-get install time)")
[ -n "${SHIPCHECK:-}" ] || need cargo "rustup, https://rustup.rs"
if [ ${#missing[@]} -gt 0 ]; then
    echo "run.sh: missing tools:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    echo "On Debian/Ubuntu: apt-get install hyperfine pax-utils binutils gcc jq util-linux time" >&2
    exit 1
fi

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
    echo "run.sh: building shipcheck $sc_commit (release, clean export in $src)" >&2
    target_dir=${CARGO_TARGET_DIR:-$work/target}
    CARGO_TARGET_DIR=$target_dir cargo build --release --quiet --manifest-path "$src/Cargo.toml"
    SHIPCHECK=$target_dir/release/shipcheck
else
    sc_commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
    if ! git -C "$repo" diff --quiet HEAD -- src Cargo.toml build.rs glibc-db 2>/dev/null; then
        sc_commit="$sc_commit + uncommitted changes"
    fi
    echo "run.sh: building shipcheck (release, work tree)" >&2
    cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
    SHIPCHECK=${CARGO_TARGET_DIR:-$repo/target}/release/shipcheck
fi
[ -x "$SHIPCHECK" ] || { echo "run.sh: $SHIPCHECK is not executable" >&2; exit 1; }
sc_version=$("$SHIPCHECK" --version 2>/dev/null || echo "shipcheck (unknown version)")

# --- cold cache possible? ------------------------------------------------------------------
drop='sh -c "sync; echo 3 > /proc/sys/vm/drop_caches"'
if [ "$cold" = 1 ]; then
    if ! (sync; echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null; then
        echo "run.sh: cannot write /proc/sys/vm/drop_caches (not root, or a container): warm cache only" >&2
        echo "run.sh: cannot write /proc/sys/vm/drop_caches: no cold-cache numbers" >> "$results/load.log" 2>/dev/null || true
        cold=0
    fi
fi

mkdir -p "$results"
loadlog=$results/load.log
memfile=$results/memory.tsv

# --- machine -------------------------------------------------------------------------------
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "shipcheck: $sc_version, commit $sc_commit"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "cores: $(nproc) online"
    echo "ram: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "kernel: $(uname -sr)"
    root_dev=$(df --output=source / | tail -1)
    echo "disk: $root_dev, $(df -h --output=fstype,size / | tail -1 | xargs), rotational=$(cat /sys/block/"$(basename "$root_dev")"/queue/rotational 2>/dev/null || echo '?')"
    echo "hyperfine: $(hyperfine --version), scanelf: $(scanelf -V 2>&1 | head -1), readelf: $(readelf --version | head -1)"
    echo "cold cache in this run: $([ "$cold" = 1 ] && echo "yes (drop_caches before each run)" || echo "no (--no-cold, or drop_caches not writable)")"
} > "$results/machine.txt"
cat "$results/machine.txt" >&2
IFS=, read -r -a tree_list <<< "$trees"
# Keep the other trees' rows, so that a run of some trees updates only theirs.
if [ -f "$memfile" ]; then
    awk -F'\t' -v trees=",$trees," 'NR == 1 || index(trees, "," $1 ",") == 0' "$memfile" > "$memfile.tmp"
    mv "$memfile.tmp" "$memfile"
else
    printf 'tree\tcommand\tmax_rss_kib\telapsed_s\n' > "$memfile"
fi
echo "--- run of $trees, shipcheck $sc_commit" >> "$loadlog"

# --- trees ---------------------------------------------------------------------------------
tree_path() {
    case $1 in
        usr) echo /usr ;;
        synthetic) echo "$work/synthetic" ;;
        big) echo "$work/big-unstripped" ;;
        big-nosyms) echo "$work/big-nosyms" ;;
        *) echo "run.sh: unknown tree $1 (usr, synthetic, big, big-nosyms)" >&2; exit 2 ;;
    esac
}
prepare_tree() {
    case $1 in
        synthetic) [ -d "$work/synthetic" ] || "$here/make-synthetic-tree.sh" "$work/synthetic" ;;
        big) [ -f "$work/big-unstripped" ] || "$here/make-big-binary.sh" "$work/big-unstripped" ;;
        big-nosyms) [ -f "$work/big-nosyms" ] || SYMBOLS=0 "$here/make-big-binary.sh" "$work/big-nosyms" ;;
    esac
}

# Fills the arrays `names` and `cmds` with what to time on tree $1 at path $2.
commands_for() {
    local tree=$1 path=$2 list=$work/$1.elf-files
    # The ELF files of the tree, for the readelf loop (listing them is not timed).
    scanelf -R -y -B -F '%F' "$path" 2>/dev/null > "$list" || true
    names=(
        "find -type f (floor)"
        "find + head -c8 (open+read every file)"
        "shipcheck check --baseline $baseline --format json"
        "scanelf -R"
        "scanelf -R -n -i"
        "scanelf -R -y -n -i -r -S"
        "readelf -d -V (xargs -P2, $(wc -l < "$list") ELF files)"
    )
    cmds=(
        "find $path -type f"
        "find $path -type f -exec head -q -c8 {} +"
        "$SHIPCHECK check $path --baseline $baseline --format json"
        "scanelf -R $path"
        "scanelf -R -n -i $path"
        "scanelf -R -y -n -i -r -S $path"
        "xargs -a $list -d '\\n' -P2 -n64 readelf -d -V"
    )
    if [ -f "$path" ]; then
        names+=("lddtree")
        cmds+=("lddtree $path")
    fi
}

bench() {
    local tree=$1 mode=$2
    shift 2
    local args=(-N -i --export-json "$results/$tree-$mode.json" --export-markdown "$results/$tree-$mode.md")
    if [ "$mode" = cold ]; then
        args+=(--warmup 0 --runs "$cold_runs" --prepare "$drop")
    else
        args+=(--warmup "$warmup" --runs "$runs")
    fi
    local i
    for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
    local before
    before=$(uptime | sed 's/.*load average: //')
    echo "$tree $mode before: $(uptime)" | tee -a "$loadlog" >&2
    hyperfine "${args[@]}" >&2
    echo "$tree $mode after:  $(uptime)" | tee -a "$loadlog" >&2
    echo "shipcheck $sc_commit, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $before before, $(uptime | sed 's/.*load average: //') after" \
        > "$results/$tree-$mode.about"
}

memory() {
    local tree=$1 i out
    out=$(mktemp)
    for i in "${!cmds[@]}"; do
        # sh execs the command, so the process measured is the command itself.
        /usr/bin/time -f '%M %e' -o "$out" sh -c "exec ${cmds[$i]}" >/dev/null 2>&1 || true
        # For the xargs loop this is the largest single process (GNU time reports the
        # children's ru_maxrss), not the sum over the parallel readelf processes.
        printf '%s\t%s\t%s\t%s\n' "$tree" "${names[$i]}" $(tail -1 "$out") >> "$memfile"
    done
    rm -f "$out"
}

for tree in "${tree_list[@]}"; do
    path=$(tree_path "$tree")
    prepare_tree "$tree"
    commands_for "$tree" "$path"
    bench "$tree" warm
    memory "$tree"
    [ "$cold" = 1 ] && bench "$tree" cold
done

fi

# --- summary -------------------------------------------------------------------------------
# Every tree that has results, from this run or an earlier one.
tree_list=(usr synthetic big big-nosyms)
summary=$results/summary.md
{
    echo "# shipcheck benchmark summary"
    echo
    sed 's/^/    /' "$results/machine.txt"
    echo
    for tree in "${tree_list[@]}"; do
        for mode in warm cold; do
            f=$results/$tree-$mode.json
            [ -f "$f" ] || continue
            echo "## $tree, $mode cache (seconds; user and sys are mean CPU times)"
            echo
            [ -f "$results/$tree-$mode.about" ] && { cat "$results/$tree-$mode.about"; echo; }
            echo "| command | median | mean ± σ | min | user | sys | peak RSS |"
            echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
            jq -r '.results[] | [.command, .median, .mean, .stddev, .min, .user, .system] | @tsv' "$f" |
                while IFS=$'\t' read -r name median mean sd min user sys; do
                    rss=$(awk -F'\t' -v t="$tree" -v n="$name" '$1 == t && $2 == n { printf "%.1f MiB", $3 / 1024 }' "$memfile")
                    printf '| %s | %.4f | %.4f ± %.4f | %.4f | %.4f | %.4f | %s |\n' "$name" "$median" "$mean" "$sd" "$min" "$user" "$sys" "$rss"
                done
            echo
        done
    done
    echo "## goals"
    echo
    median() { jq -r --arg n "$2" '.results[] | select(.command | startswith($n)) | .median' "$1" | head -1; }
    for mode in warm cold; do
        f=$results/usr-$mode.json
        [ -f "$f" ] || continue
        walk=$(median "$f" "find")
        sc=$(median "$f" "shipcheck")
        scan=$(median "$f" "scanelf -R")
        awk -v w="$walk" -v s="$sc" -v n="$scan" -v m="$mode" 'BEGIN {
            r = s / w; q = n / s
            printf "- /usr, %s: shipcheck / walk = %.2fx (goal <= 1.5x: %s); scanelf -R / shipcheck = %.2fx (goal >= 3x: %s)\n",
                m, r, (r <= 1.5 ? "met" : "MISSED"), q, (q >= 3 ? "met" : "MISSED") }'
    done
    for big in big big-nosyms; do
        for mode in warm cold; do
            f=$results/$big-$mode.json
            [ -f "$f" ] || continue
            awk -v s="$(median "$f" "shipcheck")" -v m="$mode" -v t="$big" 'BEGIN {
                printf "- 2 GB binary (%s), %s: shipcheck %.1f ms (goal < 50 ms: %s)\n", t, m, s * 1000, (s < 0.05 ? "met" : "MISSED") }'
        done
    done
    awk -F'\t' '$2 ~ /^shipcheck/ { if ($3 > max) { max = $3; t = $1 } }
        END { printf "- peak memory: shipcheck %.1f MiB at most (tree %s; goal < 100 MiB: %s)\n",
              max / 1024, t, (max < 102400 ? "met" : "MISSED") }' "$memfile"
} > "$summary"
cat "$summary"
