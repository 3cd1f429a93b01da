#!/usr/bin/env bash
# Fetches the real wheels of the wheel differential (tests/oracle/wheel-diff.sh) and installs the
# oracle, auditwheel, into a venv beside them. Everything goes to a work dir outside the
# repository; nothing of it is ever committed.
#
# The set: ~45 wheels of well-known projects with native code (C, C++, Rust, Fortran), pinned by
# version, chosen to reach every kind of platform tag: manylinux2014 (manylinux_2_17) and
# manylinux_2_28 on x86_64 and aarch64, a manylinux_2_24 and a manylinux_2_34 one, musllinux_1_1
# and musllinux_1_2 on x86_64, old manylinux1 (manylinux_2_5) and manylinux2010 (manylinux_2_12)
# ones, and i686 ones. pip picks, for each (requirement, platform, Python version), the wheel it
# would install on such a platform (the most specific tag it accepts, so a `manylinux_2_28`
# request may get a `manylinux_2_17` wheel when the project has no newer one); the list file
# records what came. Wheels over $MAX_MB (pyarrow, torch …) are left out.
#
# pip download uses the index pip is configured for; no host is named here.
#
# usage: bash tests/oracle/fetch-wheels.sh [--offline]
#   --offline    download nothing: only check what the work dir holds and rewrite the list
# environment:
#   SHIPCHECK_WHEELS_DIR   work dir (default ${TMPDIR:-/tmp}/shipcheck-wheels)
#   AUDITWHEEL_VERSION     the auditwheel to install (default 6.8.2)
# writes, under the work dir:
#   wheels/                 the wheel files
#   wheels.tsv              file<TAB>size<TAB>sha256<TAB>requirement<TAB>requested platform, one a wheel
#   venv/                   a venv with auditwheel (venv/bin/auditwheel)
# exit status: 0 when every wheel and auditwheel are there, 2 otherwise.
set -euo pipefail

WORK="${SHIPCHECK_WHEELS_DIR:-${TMPDIR:-/tmp}/shipcheck-wheels}"
AUDITWHEEL_VERSION="${AUDITWHEEL_VERSION:-6.8.2}"
MAX_MB=60

# requirement  platform  python-version
WHEELS="
numpy==2.2.6               manylinux2014_x86_64   3.11
scipy==1.15.3              manylinux2014_x86_64   3.11
pandas==2.3.0              manylinux2014_x86_64   3.11
pillow==11.3.0             manylinux2014_x86_64   3.11
orjson==3.10.18            manylinux2014_x86_64   3.11
psycopg2-binary==2.9.10    manylinux2014_x86_64   3.11
grpcio==1.71.0             manylinux2014_x86_64   3.11
pydantic-core==2.33.2      manylinux2014_x86_64   3.11
regex==2024.11.6           manylinux2014_x86_64   3.11
ujson==5.10.0              manylinux2014_x86_64   3.11
msgpack==1.1.0             manylinux2014_x86_64   3.11
markupsafe==3.0.2          manylinux2014_x86_64   3.11
cffi==1.17.1               manylinux2014_x86_64   3.11
zstandard==0.23.0          manylinux2014_x86_64   3.11
pyyaml==6.0.2              manylinux2014_x86_64   3.11
h5py==3.14.0               manylinux2014_x86_64   3.11
shapely==2.1.1             manylinux2014_x86_64   3.11
rpds-py==0.25.1            manylinux2014_x86_64   3.11
greenlet==3.2.3            manylinux_2_24_x86_64  3.11
numpy==2.3.1               manylinux_2_28_x86_64  3.11
cryptography==45.0.5       manylinux_2_28_x86_64  3.11
lxml==5.4.0                manylinux_2_28_x86_64  3.11
pyzmq==26.4.0              manylinux_2_28_x86_64  3.11
pillow==11.3.0             manylinux_2_28_x86_64  3.11
bcrypt==4.3.0              manylinux_2_34_x86_64  3.11
numpy==2.2.6               manylinux2014_aarch64  3.11
orjson==3.10.18            manylinux2014_aarch64  3.11
grpcio==1.75.0             manylinux2014_aarch64  3.11
pydantic-core==2.33.2      manylinux2014_aarch64  3.11
psycopg2-binary==2.9.10    manylinux2014_aarch64  3.11
psutil==7.0.0              manylinux2014_aarch64  3.11
cryptography==45.0.5       manylinux_2_28_aarch64 3.11
lxml==5.4.0                manylinux_2_28_aarch64 3.11
pillow==11.3.0             manylinux_2_28_aarch64 3.11
bcrypt==4.3.0              manylinux_2_28_aarch64 3.11
cffi==1.17.1               musllinux_1_1_x86_64   3.11
pyyaml==6.0.2              musllinux_1_1_x86_64   3.11
pydantic-core==2.33.2      musllinux_1_1_x86_64   3.11
numpy==2.2.6               musllinux_1_2_x86_64   3.11
orjson==3.10.18            musllinux_1_2_x86_64   3.11
cryptography==45.0.5       musllinux_1_2_x86_64   3.11
zstandard==0.23.0          musllinux_1_2_x86_64   3.11
numpy==1.19.5              manylinux1_x86_64      3.8
psutil==7.0.0              manylinux2010_x86_64   3.11
numpy==1.19.5              manylinux1_i686        3.8
msgpack==1.1.0             manylinux2014_i686     3.11
markupsafe==3.0.2          manylinux2014_i686     3.11
"

offline=0
for arg in "$@"; do
    case "$arg" in
        --offline) offline=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "fetch-wheels.sh: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

NAME=fetch-wheels.sh
. "$(dirname "$0")/common.sh"

command -v python3 >/dev/null 2>&1 || die "python3 not found"
python3 -m pip --version >/dev/null 2>&1 || die "pip not found (python3 -m pip)"
mkdir -p "$WORK/wheels" "$WORK/dl"

# ---------------------------------------------------------------- auditwheel
AW="$WORK/venv/bin/auditwheel"
have_aw="$("$WORK/venv/bin/python" -c 'import importlib.metadata as m; print(m.version("auditwheel"))' 2>/dev/null || true)"
if [ "$have_aw" != "$AUDITWHEEL_VERSION" ]; then
    [ "$offline" = 0 ] || die "no auditwheel $AUDITWHEEL_VERSION in $WORK/venv (run without --offline)"
    log "installing auditwheel==$AUDITWHEEL_VERSION into $WORK/venv"
    [ -x "$WORK/venv/bin/python" ] || python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/python" -m pip install --quiet "auditwheel==$AUDITWHEEL_VERSION" >&2
fi
[ -x "$AW" ] || die "no $AW"

# ---------------------------------------------------------------- wheels
# Each line downloads into its own folder first (dl/PLATFORM/REQUIREMENT), so that the file it
# brought is known without guessing pip's file-name normalisation; then it is copied into wheels/.
list="$WORK/wheels.tsv.new"
: >"$list"
missing=0
while read -r req platform pyver; do
    [ -n "$req" ] || continue
    dl="$WORK/dl/$platform/$req"
    mkdir -p "$dl"
    if [ "$offline" = 0 ] && ! ls "$dl"/*.whl >/dev/null 2>&1; then
        log "pip download $req ($platform, Python $pyver)"
        if ! python3 -m pip download --quiet --disable-pip-version-check --only-binary=:all: --no-deps \
            --platform "$platform" --python-version "$pyver" --dest "$dl" "$req" >&2; then
            echo "fetch-wheels.sh: warning: no wheel for $req on $platform (Python $pyver)" >&2
        fi
    fi
    files=("$dl"/*.whl)
    if [ ! -e "${files[0]}" ]; then
        echo "fetch-wheels.sh: warning: $req ($platform) is not in $dl" >&2
        missing=$((missing + 1))
        continue
    fi
    whl="${files[0]}"
    size="$(stat -c %s "$whl")"
    if [ "$size" -gt $((MAX_MB * 1024 * 1024)) ]; then
        echo "fetch-wheels.sh: warning: $(basename "$whl") is over $MAX_MB MB, left out" >&2
        continue
    fi
    name="$(basename "$whl")"
    if grep -q "^$name	" "$list"; then
        echo "fetch-wheels.sh: warning: $name came twice ($req, $platform), kept once" >&2
        continue
    fi
    cp -p "$whl" "$WORK/wheels/$name"
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$size" "$(sha256sum "$whl" | cut -d' ' -f1)" "$req" "$platform" >>"$list"
done <<<"$WHEELS"
mv "$list" "$WORK/wheels.tsv"
log "$(wc -l <"$WORK/wheels.tsv") wheels listed in $WORK/wheels.tsv ($(du -sh "$WORK/wheels" | cut -f1)); auditwheel $AUDITWHEEL_VERSION at $AW"
[ "$missing" = 0 ] || die "$missing wheel(s) missing"
