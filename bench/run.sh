#!/usr/bin/env bash
# Times shipcheck against the floor (bench/floor.c: walk, open and read the first bytes of every
# file), a bare walk and the usual ELF tools on the same trees, in one run.
# See bench/README.md for what is measured and why.
#
#   bench/run.sh [--trees usr,synthetic,usr-bin,elf-dense,small,big,big-nosyms] [--runs N] [--warmup N]
#                [--cold-runs N] [--no-cold] [--rounds N] [--small-runs N] [--work DIR] [--rev GIT-REV]
#                [--summary-only]
#
# --rounds N splits each group's runs over N hyperfine invocations of all its commands in turn,
# so that a burst of load on a shared machine falls on every command, not on one; the rounds'
# timings are merged into one export (default 5; 1 is one hyperfine invocation).
# --small-runs is the number of warm runs on the one-file tree `small` (default 200).
# --summary-only rewrites bench/results/summary.md from the results already there.
# --rev builds that commit from a clean `git archive` export (to compare before/after a change
# without the work tree's edits); the default builds the work tree as it is.
# Environment: SHIPCHECK=/path/to/shipcheck skips the build; CARGO_TARGET_DIR is honoured.
# Writes hyperfine JSON/Markdown, peak memory, machine facts and load to bench/results/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
results=$here/results

# The one baseline of "with one baseline" (default mode is without --baseline).
baseline=debian-12
# Names of the commands the goals are computed from (the summary finds them by these).
N_FLOOR="floor (nftw, open+read 64 B of every file)"
N_SC_DEFAULT="shipcheck check --format json (default: every baseline)"
N_SC_ONE="shipcheck check --baseline $baseline --format json"
N_SCANELF="scanelf -R"
N_FIND="find -type f (floor)"
N_READELF_FILE="readelf -d -V FILE"
N_VERSION="shipcheck --version"

trees=usr,synthetic,usr-bin,elf-dense,small,big,big-nosyms
runs=10
rounds=5
small_runs=200
warmup=2
cold_runs=3
cold=1
work=${TMPDIR:-/tmp}/shipcheck-bench
rev=
summary_only=0

while [ $# -gt 0 ]; do
    case $1 in
        --trees) trees=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --cold-runs) cold_runs=$2; shift 2 ;;
        --no-cold) cold=0; shift ;;
        --rounds) rounds=$2; shift 2 ;;
        --small-runs) small_runs=$2; shift 2 ;;
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
# The floor, built here so that it is the same program on every machine.
floor=$work/floor
gcc -O2 -Wall -o "$floor" "$here/floor.c"
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
    echo "hyperfine: $(hyperfine --version), scanelf: $(scanelf -V 2>&1 | head -1), readelf: $(readelf --version | head -1), floor: $(gcc --version | head -1) -O2"
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
        usr-bin) echo /usr/bin ;;
        elf-dense) echo "$work/elf-dense" ;;
        small) echo "$repo/testdata/bin/hello-x86_64" ;;
        big) echo "$work/big-unstripped" ;;
        big-nosyms) echo "$work/big-nosyms" ;;
        *) echo "run.sh: unknown tree $1 (usr, synthetic, usr-bin, elf-dense, small, big, big-nosyms)" >&2; exit 2 ;;
    esac
}
prepare_tree() {
    case $1 in
        synthetic) [ -d "$work/synthetic" ] || "$here/make-synthetic-tree.sh" "$work/synthetic" ;;
        elf-dense) [ -d "$work/elf-dense" ] || "$here/make-elf-dense-tree.sh" "$work/elf-dense" ;;
        big) [ -f "$work/big-unstripped" ] || "$here/make-big-binary.sh" "$work/big-unstripped" ;;
        big-nosyms) [ -f "$work/big-nosyms" ] || SYMBOLS=0 "$here/make-big-binary.sh" "$work/big-nosyms" ;;
    esac
}

# Fills the arrays `names`, `cmds` and `in_cold` (1: also timed with a cold cache) with what to
# time on tree $1 at path $2. The commands the goals need come first and are always timed; the
# others are the tools people use for the same job, timed warm (and cold on the big files, where
# a cold run is cheap).
commands_for() {
    local tree=$1 path=$2 list=$work/$1.elf-files
    names=() cmds=() in_cold=()
    add() { names+=("$1"); cmds+=("$2"); in_cold+=("$3"); }
    add "$N_FLOOR" "$floor $path" 1
    add "$N_SC_DEFAULT" "$SHIPCHECK check $path --format json" 1
    add "$N_SC_ONE" "$SHIPCHECK check $path --baseline $baseline --format json" 1
    add "$N_SCANELF" "scanelf -R $path" 1
    if [ "$tree" = small ]; then
        add "$N_READELF_FILE" "readelf -d -V $path" 1
        add "$N_VERSION" "$SHIPCHECK --version" 1
        return
    fi
    local big=0
    [ -f "$path" ] && big=1
    # The ELF files of the tree, for the readelf loop (listing them is not timed).
    scanelf -R -y -B -F '%F' "$path" 2>/dev/null > "$list" || true
    case $tree in
        usr-bin | elf-dense) ;;
        *)
            add "$N_FIND" "find $path -type f" 1
            add "find + head -c8 (open+read every file)" "find $path -type f -exec head -q -c8 {} +" "$big"
            add "scanelf -R -n -i" "scanelf -R -n -i $path" "$big"
            ;;
    esac
    add "scanelf -R -y -n -i -r -S" "scanelf -R -y -n -i -r -S $path" "$big"
    add "readelf -d -V (xargs -P2, $(wc -l < "$list") ELF files)" "xargs -a $list -d '\\n' -P2 -n64 readelf -d -V" "$big"
    if [ "$big" = 1 ]; then
        add "lddtree" "lddtree $path" 1
    fi
}

# Merges the hyperfine exports of the rounds ($@) into one: every run's time, the statistics
# recomputed over all of them (stddev as hyperfine's, n - 1), user and sys weighted by runs.
merge_rounds() {
    jq -s '
        def median: sort | if length % 2 == 1 then .[length / 2 | floor]
                           else (.[length / 2 - 1] + .[length / 2]) / 2 end;
        { results: [ range(0; .[0].results | length) as $i | [ .[].results[$i] ] as $r
            | ($r | map(.times) | add) as $t | ($t | length) as $n | ($t | add / $n) as $m
            | { command: $r[0].command,
                mean: $m,
                stddev: (if $n > 1 then ($t | map((. - $m) * (. - $m)) | add / ($n - 1) | sqrt) else null end),
                median: ($t | median),
                user: ($r | map(.user * (.times | length)) | add / $n),
                system: ($r | map(.system * (.times | length)) | add / $n),
                min: ($t | min), max: ($t | max),
                rounds: ($r | length),
                times: $t,
                exit_codes: ($r | map(.exit_codes) | add) } ] }' "$@"
}

markdown_of() {
    echo "| Command | Mean [s] | Min [s] | Max [s] | Median [s] | User [s] | System [s] | Runs |"
    echo "|:---|---:|---:|---:|---:|---:|---:|---:|"
    jq -r '.results[] | [.command, .mean, (.stddev // 0), .min, .max, .median, .user, .system, (.times | length)] | @tsv' "$1" |
        awk -F'\t' '{ printf "| `%s` | %.4f ± %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %d |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }'
}

bench() {
    local tree=$1 mode=$2 n
    local total=$runs warm=$warmup
    [ "$tree" = small ] && { total=$small_runs; warm=$((warmup * 5)); }
    [ "$mode" = cold ] && total=$cold_runs
    local r=$rounds
    [ "$r" -gt "$total" ] && r=$total
    [ "$r" -lt 1 ] && r=1
    local args=(-N -i)
    [ "$mode" = cold ] && args+=(--prepare "$drop")
    local i
    for i in "${!cmds[@]}"; do
        [ "$mode" = cold ] && [ "${in_cold[$i]}" != 1 ] && continue
        args+=(-n "${names[$i]}" "${cmds[$i]}")
    done
    local before tmp
    tmp=$(mktemp -d)
    before=$(uptime | sed 's/.*load average: //')
    echo "$tree $mode before: $(uptime)" | tee -a "$loadlog" >&2
    for n in $(seq 1 "$r"); do
        # Round n takes its share of the runs; only the first warms up (later rounds run on
        # caches the first left warm).
        local share=$(( total / r + (n <= total % r ? 1 : 0) ))
        local w=0
        [ "$mode" = warm ] && [ "$n" = 1 ] && w=$warm
        echo "run.sh: $tree $mode round $n of $r ($share runs per command, load $(uptime | sed 's/.*load average: //'))" >&2
        hyperfine --warmup "$w" --runs "$share" --export-json "$tmp/$n.json" "${args[@]}" >&2
    done
    merge_rounds "$tmp"/*.json > "$results/$tree-$mode.json"
    markdown_of "$results/$tree-$mode.json" > "$results/$tree-$mode.md"
    rm -rf "$tmp"
    echo "$tree $mode after:  $(uptime)" | tee -a "$loadlog" >&2
    echo "shipcheck $sc_commit, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $before before, $(uptime | sed 's/.*load average: //') after, $r round(s)" \
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
tree_list=(usr synthetic usr-bin elf-dense small big big-nosyms)
summary=$results/summary.md
# Field $2 (median, mean, user, system, cpu = user + system) of command $3 in export $1; empty if absent.
stat_of() {
    [ -f "$1" ] || return 0
    jq -r --arg n "$3" --arg f "$2" '.results[] | select(.command == $n)
        | if $f == "cpu" then .user + .system else .[$f] end' "$1" | head -1
}
# The 1-minute load average before group $1-$2 was timed, from its .about file.
load_of() {
    sed -n 's/.*load average \([0-9.]*\),.*/\1/p' "$results/$1-$2.about" 2>/dev/null | head -1
}
# A goal row: tree, cache, mode, numerator, denominator, "le"/"ge", goal, what the two are, unit.
goal_row() {
    local tree=$1 mode=$2 which=$3 num=$4 den=$5 op=$6 goal=$7 unit=$8
    if [ -z "$num" ] || [ -z "$den" ]; then
        printf '| %s | %s | %s | – | – | – | %s %s× | not measured |\n' "$tree" "$mode" "$which" \
            "$([ "$op" = le ] && echo '≤' || echo '≥')" "$goal"
        return
    fi
    awk -v t="$tree" -v m="$mode" -v w="$which" -v a="$num" -v b="$den" -v op="$op" -v g="$goal" \
        -v u="$unit" -v l="$(load_of "$tree" "$mode")" 'BEGIN {
        r = a / b; ok = (op == "le" ? r <= g : r >= g); v = (op == "ref" ? "(reference)" : (ok ? "pass" : "FAIL"))
        f = (u == "ms" ? 1000 : 1); fmt = (u == "ms" ? "%.2f" : "%.3f")
        printf "| %s | %s, load %s | %s | " fmt " | " fmt " | **%.2f×** | %s %s× | %s |\n", t, m, (l == "" ? "?" : l), w,
            a * f, b * f, r, (op == "ge" ? "≥" : "≤"), g, v }'
}
{
    echo "# shipcheck benchmark summary"
    echo
    sed 's/^/    /' "$results/machine.txt"
    echo
    echo "Goal tables first (issue 14, then issue 5), then every command of every group. \"load\" is the"
    echo "1-minute load average just before the group was timed (2 cores); the noise it brings is why"
    echo "CPU ratios are given beside wall-clock ones, and why each group's runs are split into rounds."
    echo
    echo "## Issue 14: shipcheck CPU (user + sys) ÷ the floor's CPU, goal ≤ 1.5× in both modes"
    echo
    echo "The floor is \`bench/floor.c\`: walk without following symlinks, open every regular file, read 64 bytes,"
    echo "close; one thread. Mean CPU seconds per run."
    echo
    echo "| tree | cache | shipcheck mode | shipcheck CPU s | floor CPU s | ratio | goal | verdict |"
    echo "| --- | --- | --- | ---: | ---: | ---: | ---: | --- |"
    for tree in usr synthetic; do
        for mode in warm cold; do
            f=$results/$tree-$mode.json
            [ -f "$f" ] || continue
            fl=$(stat_of "$f" cpu "$N_FLOOR")
            goal_row "$tree" "$mode" "default (every baseline)" "$(stat_of "$f" cpu "$N_SC_DEFAULT")" "$fl" le 1.5 s
            goal_row "$tree" "$mode" "--baseline $baseline" "$(stat_of "$f" cpu "$N_SC_ONE")" "$fl" le 1.5 s
        done
    done
    echo
    echo "Wall clock for the same runs (median; the floor is one thread, shipcheck uses both cores):"
    echo
    echo "| tree | cache | shipcheck mode | shipcheck wall s | floor wall s | ratio |"
    echo "| --- | --- | --- | ---: | ---: | ---: |"
    for tree in usr synthetic; do
        for mode in warm cold; do
            f=$results/$tree-$mode.json
            [ -f "$f" ] || continue
            fl=$(stat_of "$f" median "$N_FLOOR")
            [ -n "$fl" ] || continue
            for which in default one; do
                if [ "$which" = default ]; then n=$N_SC_DEFAULT; w="default (every baseline)"; else n=$N_SC_ONE; w="--baseline $baseline"; fi
                s=$(stat_of "$f" median "$n")
                [ -n "$s" ] && awk -v t="$tree" -v m="$mode" -v w="$w" -v a="$s" -v b="$fl" -v l="$(load_of "$tree" "$mode")" \
                    'BEGIN { printf "| %s | %s, load %s | %s | %.3f | %.3f | %.2f× |\n", t, m, l, w, a, b, a / b }'
            done
        done
    done
    echo
    echo "## Issue 14: scanelf -R wall ÷ shipcheck wall, goal ≥ 3× in both modes"
    echo
    echo "| tree | cache | shipcheck mode | scanelf -R s | shipcheck s | ratio | goal | verdict |"
    echo "| --- | --- | --- | ---: | ---: | ---: | ---: | --- |"
    for tree in usr synthetic; do
        for mode in warm cold; do
            f=$results/$tree-$mode.json
            [ -f "$f" ] || continue
            sc=$(stat_of "$f" median "$N_SCANELF")
            goal_row "$tree" "$mode" "default (every baseline)" "$sc" "$(stat_of "$f" median "$N_SC_DEFAULT")" ge 3 s
            goal_row "$tree" "$mode" "--baseline $baseline" "$sc" "$(stat_of "$f" median "$N_SC_ONE")" ge 3 s
        done
    done
    echo
    echo "## Issue 14: ELF-dense trees, shipcheck wall ÷ scanelf -R wall, goal ≤ 2× in both modes"
    echo
    echo "\`usr-bin\` is /usr/bin as it is; \`elf-dense\` only the ELF files of /usr/bin and /usr/lib/<multiarch>"
    echo "(\`make-elf-dense-tree.sh\`). Medians in ms."
    echo
    echo "| tree | cache | shipcheck mode | shipcheck ms | scanelf -R ms | ratio | goal | verdict |"
    echo "| --- | --- | --- | ---: | ---: | ---: | ---: | --- |"
    for tree in usr-bin elf-dense; do
        for mode in warm cold; do
            f=$results/$tree-$mode.json
            [ -f "$f" ] || continue
            sc=$(stat_of "$f" median "$N_SCANELF")
            goal_row "$tree" "$mode" "default (every baseline)" "$(stat_of "$f" median "$N_SC_DEFAULT")" "$sc" le 2 ms
            goal_row "$tree" "$mode" "--baseline $baseline" "$(stat_of "$f" median "$N_SC_ONE")" "$sc" le 2 ms
        done
    done
    echo
    echo "## Issue 14: one small file, shipcheck wall ÷ readelf -d -V wall, goal ≤ 2× in both modes"
    echo
    echo "\`testdata/bin/hello-x86_64\`. Medians in ms; \`shipcheck --version\` is the start-up alone, for reference."
    echo
    echo "| tree | cache | command | it, ms | readelf -d -V ms | ratio | goal | verdict |"
    echo "| --- | --- | --- | ---: | ---: | ---: | ---: | --- |"
    for mode in warm cold; do
        f=$results/small-$mode.json
        [ -f "$f" ] || continue
        re=$(stat_of "$f" median "$N_READELF_FILE")
        goal_row small "$mode" "shipcheck, default (every baseline)" "$(stat_of "$f" median "$N_SC_DEFAULT")" "$re" le 2 ms
        goal_row small "$mode" "shipcheck, --baseline $baseline" "$(stat_of "$f" median "$N_SC_ONE")" "$re" le 2 ms
        goal_row small "$mode" "shipcheck --version (start-up alone)" "$(stat_of "$f" median "$N_VERSION")" "$re" ref 2 ms
    done
    echo
    echo "## Issue 5 goals"
    echo
    for mode in warm cold; do
        f=$results/usr-$mode.json
        [ -f "$f" ] || continue
        walk=$(stat_of "$f" median "$N_FIND")
        sc=$(stat_of "$f" median "$N_SC_ONE")
        scan=$(stat_of "$f" median "$N_SCANELF")
        [ -n "$walk" ] && [ -n "$sc" ] && [ -n "$scan" ] || continue
        awk -v w="$walk" -v s="$sc" -v n="$scan" -v m="$mode" -v l="$(load_of usr "$mode")" 'BEGIN {
            r = s / w; q = n / s
            printf "- /usr, %s (load %s), --baseline debian-12: shipcheck / walk (find -type f) = %.2fx (goal <= 1.5x: %s); scanelf -R / shipcheck = %.2fx (goal >= 3x: %s)\n",
                m, l, r, (r <= 1.5 ? "met" : "MISSED"), q, (q >= 3 ? "met" : "MISSED") }'
    done
    for big in big big-nosyms; do
        for mode in warm cold; do
            f=$results/$big-$mode.json
            s=$(stat_of "$f" median "$N_SC_ONE")
            [ -n "$s" ] || continue
            d=$(stat_of "$f" median "$N_SC_DEFAULT")
            awk -v s="$s" -v d="$d" -v m="$mode" -v t="$big" 'BEGIN {
                printf "- 2 GB binary (%s), %s: shipcheck --baseline debian-12 %.1f ms (goal < 50 ms: %s)", t, m, s * 1000, (s < 0.05 ? "met" : "MISSED")
                if (d != "") printf "; default mode %.1f ms (%s)", d * 1000, (d < 0.05 ? "met" : "MISSED")
                printf "\n" }'
        done
    done
    awk -F'\t' '$2 ~ /^shipcheck check/ { if ($3 > max) { max = $3; t = $1; c = $2 } }
        END { printf "- peak memory: shipcheck %.1f MiB at most (tree %s, %s; goal < 100 MiB: %s)\n",
              max / 1024, t, c, (max < 102400 ? "met" : "MISSED") }' "$memfile"
    echo
    for tree in "${tree_list[@]}"; do
        for mode in warm cold; do
            f=$results/$tree-$mode.json
            [ -f "$f" ] || continue
            echo "## $tree, $mode cache (seconds; user and sys are mean CPU times)"
            echo
            [ -f "$results/$tree-$mode.about" ] && { cat "$results/$tree-$mode.about"; echo; }
            echo "| command | median | mean ± σ | min | user | sys | user + sys | runs | peak RSS |"
            echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
            jq -r '.results[] | [.command, .median, .mean, (.stddev // 0), .min, .user, .system, .user + .system, (.times | length)] | @tsv' "$f" |
                while IFS=$'\t' read -r name median mean sd min user sys cpu n; do
                    rss=$(awk -F'\t' -v t="$tree" -v n="$name" '$1 == t && $2 == n { printf "%.1f MiB", $3 / 1024 }' "$memfile")
                    printf '| %s | %.4f | %.4f ± %.4f | %.4f | %.4f | %.4f | %.4f | %s | %s |\n' "$name" "$median" "$mean" "$sd" "$min" "$user" "$sys" "$cpu" "$n" "$rss"
                done
            echo
        done
    done
} > "$summary"
cat "$summary"
