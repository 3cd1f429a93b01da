#!/usr/bin/env bash
# Builds a release binary of shipcheck that runs on old Linux distributions, into dist/.
#
#   release/build.sh                      # x86_64, linked against glibc 2.17 (CentOS 7, Ubuntu 14.04 on)
#   release/build.sh --static             # statically linked, for the host's architecture
#   release/build.sh --target TRIPLE      # another target, see below
#   release/build.sh --out DIR            # write into DIR instead of dist/
#
# Writes dist/shipcheck-<version>-<target>[-static] and prints its path as the last line of
# stdout (everything else goes to stderr).
#
# Old glibc (default). `cargo zigbuild` links with zig's linker against stub libraries of the
# glibc release named after the triple (`x86_64-unknown-linux-gnu.2.17`), so the binary needs no
# symbol version newer than that release, whatever glibc this machine has. 2.17 is the oldest
# glibc the Rust standard library supports. ziglang and cargo-zigbuild are installed from PyPI
# with pip into a virtual environment under ${XDG_CACHE_HOME:-~/.cache}/shipcheck-release/
# (set SHIPCHECK_RELEASE_VENV to use another); no other download.
#
# Other architectures: the same script with another triple and the same glibc suffix, e.g.
#   release/build.sh --target aarch64-unknown-linux-gnu.2.17
#   release/build.sh --target powerpc64le-unknown-linux-gnu.2.17
#   release/build.sh --target armv7-unknown-linux-gnueabihf.2.17
# once that Rust target's standard library is installed (`rustup target add
# aarch64-unknown-linux-gnu`); zig brings the cross linker and the glibc stubs. The glibc suffix
# is the oldest release the binary will need; leave it off for the toolchain's default.
#
# Static builds, the kind a `FROM scratch` container image holds:
#   release/build.sh --target x86_64-unknown-linux-musl    # musl, static by default in Rust
#   release/build.sh --target aarch64-unknown-linux-musl   # zig brings musl for each arch
# (needs `rustup target add x86_64-unknown-linux-musl`), or, with only the gnu target installed,
#   release/build.sh --static
# which links glibc statically (`-C target-feature=+crt-static`) for the host triple with the
# system C toolchain (gcc and libc6-dev's libc.a; zig has no static glibc). shipcheck uses no NSS
# or iconv function, the parts of glibc that load shared objects even in a static program.
#
# Check what you built with shipcheck itself (.ci/run does):
#   shipcheck check dist/shipcheck-* --baseline centos-7 --baseline ubuntu-16.04
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-unknown-linux-gnu.2.17
static=0
out=dist
while [ $# -gt 0 ]; do
    case "$1" in
        --target) target="${2:?--target needs a triple}"; shift 2 ;;
        --target=*) target="${1#--target=}"; shift ;;
        --static) static=1; shift ;;
        --out) out="${2:?--out needs a directory}"; shift 2 ;;
        --out=*) out="${1#--out=}"; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "build.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

host=$(rustc -vV | sed -n 's/^host: //p')
# `cargo pkgid` prints path+file:///...#shipcheck@0.1.0 (or #0.1.0).
pkgid=$(cargo pkgid --quiet)
version=${pkgid##*[#@]}
# The triple without the glibc suffix is the Rust target, and the folder cargo builds into.
rust_target=$(printf '%s' "$target" | sed -E 's/\.[0-9]+\.[0-9]+$//')
target_dir=${CARGO_TARGET_DIR:-target}
mkdir -p "$out"

if ! rustup target list --installed 2>/dev/null | grep -qx "$rust_target" \
    && [ "$rust_target" != "$host" ]; then
    echo "build.sh: the Rust target $rust_target is not installed (rustup target add $rust_target)" >&2
    exit 1
fi

# Release binaries carry no symbol table (shipcheck's own not-stripped finding); the profile in
# Cargo.toml stays as it is for local release builds.
export CARGO_PROFILE_RELEASE_STRIP=${CARGO_PROFILE_RELEASE_STRIP:-symbols}
started=$(date +%s)
if [ "$static" = 1 ] && [[ "$rust_target" == *-gnu* ]]; then
    if [ "$rust_target" != "$host" ]; then
        echo "build.sh: --static links glibc with the system toolchain, for the host ($host) only;" \
            "for $rust_target use a musl target" >&2
        exit 1
    fi
    name="shipcheck-$version-$rust_target-static"
    echo "==> cargo build --release --target $rust_target (glibc, +crt-static)" >&2
    # --target keeps RUSTFLAGS off build scripts and proc-macros, which must stay dynamic.
    RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
        cargo build --release --locked --target "$rust_target" >&2
else
    venv=${SHIPCHECK_RELEASE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/shipcheck-release/venv}
    if [ ! -x "$venv/bin/cargo-zigbuild" ] || ! "$venv/bin/python3" -m ziglang version >/dev/null 2>&1; then
        echo "==> installing ziglang and cargo-zigbuild (pip) into $venv" >&2
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet ziglang cargo-zigbuild >&2
    fi
    # cargo-zigbuild finds zig through `python3 -m ziglang` of the venv.
    export PATH="$venv/bin:$PATH"
    # A musl target is static already; --static changes nothing there.
    name="shipcheck-$version-$rust_target"
    echo "==> cargo zigbuild --release --target $target (zig $("$venv/bin/python3" -m ziglang version))" >&2
    cargo zigbuild --release --locked --target "$target" >&2
fi

cp "$target_dir/$rust_target/release/shipcheck" "$out/$name"
(cd "$out" && sha256sum "$name" > "$name.sha256")
echo "==> $out/$name ($(stat -c %s "$out/$name") bytes, built in $(( $(date +%s) - started )) s)" >&2
echo "$out/$name"
