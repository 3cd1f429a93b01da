# Shared by the hand-run harnesses of tests/oracle/ (sourced, never run): their messages and the
# shipcheck binary they measure. The sourcing script sets NAME (its file name, for errors) and,
# for shipcheck_binary, REPO (the repository root).

log() { printf '==> %s\n' "$*" >&2; }
die() { printf '%s: error: %s\n' "$NAME" "$*" >&2; exit 2; }

# Prints the shipcheck to measure: $SHIPCHECK, else a release build of the work tree.
shipcheck_binary() {
    local bin
    if [ -n "${SHIPCHECK:-}" ]; then
        bin="$SHIPCHECK"
    else
        log "cargo build --release"
        (cd "$REPO" && cargo build --release --quiet) || die "cargo build failed"
        bin="${CARGO_TARGET_DIR:-$REPO/target}/release/shipcheck"
    fi
    [ -x "$bin" ] || die "no shipcheck binary at $bin"
    printf '%s\n' "$bin"
}
