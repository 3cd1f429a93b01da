#!/usr/bin/env bash
# Builds shipcheck's test binaries (testdata/bin/), the tiny bullseye root
# filesystem (testdata/sysroot/bullseye-amd64/) and the container images
# (testdata/images/, step 6) from testdata/src/.
#
# Run by hand when a source changes; the tests only read the committed
# outputs and never need this script or the network. It needs the network
# to fetch Debian 11 (bullseye) packages for the old-glibc sysroots. Those are
# fetched with a private apt configuration under the cache directory, so the
# machine's own apt state is never touched; the mirror is the one the
# machine's apt already uses (read from /etc/apt/sources.list*), so no mirror
# host is written down here.
#
# usage: testdata/build.sh [--install-deps] [--refresh] [--no-sysroot]
#                          [--no-images | --only-images]
#   --install-deps  apt-get install the missing tools (needs root)
#   --refresh       fetch the bullseye packages again even if cached
#   --no-sysroot    do not rebuild testdata/sysroot/ (step 5)
#   --no-images     do not rebuild testdata/images/ (step 6, which needs root
#                   for chroot and for umoci unpack without --rootless)
#   --only-images   rebuild only testdata/images/ and MANIFEST.md, from the
#                   committed sysroot/ (fetches only the amd64 bullseye packages)
# environment:
#   SHIPCHECK_TESTDATA_CACHE  cache dir (default ~/.cache/shipcheck-testdata)
#   SHIPCHECK_DEBIAN_MIRROR   mirror URI to use instead of the apt config's
set -euo pipefail

TD="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${SHIPCHECK_TESTDATA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipcheck-testdata}"
SUITE=bullseye

install_deps=0 refresh=0 do_sysroot=1 do_images=1 only_images=0
for arg in "$@"; do
    case "$arg" in
        --install-deps) install_deps=1 ;;
        --refresh) refresh=1 ;;
        --no-sysroot) do_sysroot=0 ;;
        --no-images) do_images=0 ;;
        --only-images) only_images=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "build.sh: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }
[ "$only_images" = 0 ] || [ "$do_images" = 1 ] || die "--no-images and --only-images exclude each other"

# ---------------------------------------------------------------- tools
# command -> Debian package that provides it
TOOLS=(
    "gcc gcc" "g++ g++" "musl-gcc musl-tools"
    "aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu"
    "arm-linux-gnueabihf-gcc gcc-arm-linux-gnueabihf"
    "arm-linux-gnueabi-gcc gcc-arm-linux-gnueabi"
    "i686-linux-gnu-gcc gcc-i686-linux-gnu"
    "riscv64-linux-gnu-gcc gcc-riscv64-linux-gnu"
    "powerpc64le-linux-gnu-gcc gcc-powerpc64le-linux-gnu"
    "s390x-linux-gnu-gcc gcc-s390x-linux-gnu"
    "x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64"
    "readelf binutils" "objcopy binutils" "strip binutils"
    "python3 python3" "file file" "apt-get apt" "dpkg-deb dpkg"
)
# file that must exist -> package (static glibc for the -static variants)
FILES=("/usr/lib/x86_64-linux-gnu/libc.a libc6-dev")
# step 6 (container images) only
IMAGE_TOOLS=("umoci umoci" "skopeo skopeo" "setarch util-linux" "chroot coreutils" "gzip gzip" "tar tar")
if [ "$only_images" = 1 ]; then
    TOOLS=("gcc gcc" "readelf binutils" "python3 python3" "file file" "apt-get apt" "dpkg-deb dpkg"
           "${IMAGE_TOOLS[@]}")
    FILES=()
elif [ "$do_images" = 1 ]; then
    TOOLS+=("${IMAGE_TOOLS[@]}")
fi

check_tools() {
    local missing=() t cmd pkg
    for t in "${TOOLS[@]}"; do
        read -r cmd pkg <<<"$t"
        command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
    done
    for t in "${FILES[@]}"; do
        read -r cmd pkg <<<"$t"
        [ -e "$cmd" ] || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local line
    line="apt-get install -y $(printf '%s\n' "${missing[@]}" | sort -u | paste -sd' ')"
    if [ "$install_deps" = 1 ]; then
        log "installing: $line"
        apt-get update && DEBIAN_FRONTEND=noninteractive $line
    else
        echo "build.sh: missing tools; install them with:" >&2
        echo "    $line" >&2
        echo "(or rerun with --install-deps)" >&2
        exit 1
    fi
}

# ---------------------------------------------------------------- apt
# apt_mirror, apt_private_init, apt_private_opts: shared with glibc-db/debian/fetch.sh.
. "$TD/../glibc-db/debian/apt-private.sh"

# ---------------------------------------------------------------- sysroots
# fetch_sysroot ARCH PKG... : download bullseye packages for ARCH with a
# private apt configuration and unpack them into $CACHE/$SUITE-ARCH/root.
# Absolute symlinks are made relative there, so that the linker finds
# e.g. lib64/ld-linux-x86-64.so.2 inside the sysroot. The .debs stay in
# $CACHE/$SUITE-ARCH/debs for the committed sysroot (step 5).
fetch_sysroot() {
    local arch="$1"; shift
    local dir="$CACHE/$SUITE-$arch" want="$*"
    if [ "$refresh" = 0 ] && [ -f "$dir/.complete" ] && [ "$(cat "$dir/.complete")" = "$want" ]; then
        log "sysroot $SUITE-$arch: cached in $dir"
        return
    fi
    local mirror
    mirror="$(apt_first_mirror)"
    log "sysroot $SUITE-$arch: fetching $want from $mirror"
    rm -rf "$dir"
    mkdir -p "$dir/debs"
    apt_private_init "$dir/apt" "$mirror" "$SUITE" unsigned-ok
    apt_private_opts "$dir/apt" "$arch"
    apt-get -q "${APT_O[@]}" update >&2
    (cd "$dir/debs" && apt-get -q "${APT_O[@]}" download "$@" >&2)
    mkdir -p "$dir/root"
    local deb
    for deb in "$dir"/debs/*.deb; do
        dpkg-deb -x "$deb" "$dir/root"
        dpkg-deb --show --showformat='${Package} ${Version} ${Architecture}\n' "$deb" >>"$dir/versions.txt"
    done
    local link target
    while IFS= read -r -d '' link; do
        target="$(readlink "$link")"
        ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$dir/root$target")" "$link"
    done < <(find "$dir/root" -type l -lname '/*' -print0)
    sort -o "$dir/versions.txt" "$dir/versions.txt"
    echo "$want" >"$dir/.complete"
}

# ---------------------------------------------------------------- checks
# expect FILE DESCRIPTION COMMAND... : fail the build if COMMAND (run with the
# file's readelf output on stdin) fails.
expect() {
    local f="$1" what="$2"; shift 2
    local out
    out="$(readelf -W -h -l -d -V -S -n --dyn-syms "$f" 2>/dev/null || true)"
    # a here-string, not a pipe: grep -q exiting early must not fail pipefail
    if ! "$@" <<<"$out" >/dev/null; then
        die "$f: expected $what"
    fi
}
needs() {  # needs FILE VERSION [FLAGS]: the version need exists (with flags)
    local flags="${3:-none}"
    expect "$1" "version need $2 (flags $flags)" grep -Eq "Name: $2  Flags: $flags "
}
lacks() {  # lacks FILE REGEX: no line of readelf's output matches
    local out
    out="$(readelf -W -h -l -d -V -S "$1" 2>/dev/null || true)"
    if grep -Eq "$2" <<<"$out"; then
        die "$1: expected no match for /$2/"
    fi
}

# ---------------------------------------------------------------- manifest
write_manifest() {
    log "writing MANIFEST.md"
    "$TD/manifest.sh" >"$TD/MANIFEST.md.tmp"
    mv "$TD/MANIFEST.md.tmp" "$TD/MANIFEST.md"
}

# ---------------------------------------------------------------- step 6
# Container images (issue 11), for the image reader: real OCI and
# docker-archive images made with umoci and skopeo, without a daemon or a
# registry. One OCI layout, images/oci/, holds three tags that share blobs;
# all are FROM scratch, linux/amd64, entrypoint /app/zapp:
#   complete  layers glibc, zlib, app: self-contained
#   lacking   layers glibc, app: nothing provides libz.so.1
#   whiteout  complete plus a layer that deletes libz.so.1 and its file
# images/whiteout.docker.tar.gz is skopeo's docker-archive of `whiteout`,
# gzipped as `docker save | gzip` would be (docker load reads it): plain, its
# uncompressed layers alone take 2.2 MB. zlib has its own layer so that
# `lacking` can share the glibc layer; both savings keep images/ small.
# The library files are those of sysroot/bullseye-amd64 (step 5), byte for
# byte. Every layer is an `umoci repack` of an unpacked bundle, the whiteout
# layer included (repack turns a plain rm into .wh. entries); umoci 0.4.7's
# `insert` wrote a layer tar that ends inside the file's data. The loader of
# each image, asked in a chroot in list and trace mode, is the judge;
# build_images writes its words to images/README.md.
IMG="$TD/images"
OCI="$IMG/oci"
IMG_SYSROOT="$TD/sysroot/$SUITE-amd64"

# img_layer FROM TO CREATED_BY FUNC: unpack tag FROM, call FUNC ROOTFS, and
# repack the change as one new layer under tag TO. Owner, mode and mtime are
# normalised first (root, 0755/0644 keeping the x bit, SOURCE_DATE_EPOCH), so
# only real changes become layer entries and a checkout's umask does not
# leak into the bytes.
img_layer() {
    local from="$1" to="$2" by="$3" fn="$4" b="$WORK/images/bundle"
    rm -rf "$b"
    umoci unpack --image "$OCI:$from" "$b" >/dev/null
    "$fn" "$b/rootfs"
    chown -hR 0:0 "$b/rootfs"
    find "$b/rootfs" -type d -exec chmod 0755 {} +
    find "$b/rootfs" -type f -exec chmod u=rwX,go=rX {} +
    find "$b/rootfs" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
    umoci repack --image "$OCI:$to" --history.created "$IMG_CREATED" --history.created_by "$by" "$b"
    rm -rf "$b"
}
img_glibc() {
    (cd "$IMG_SYSROOT" && cp -a --parents etc/ld.so.conf etc/ld.so.conf.d/x86_64-linux-gnu.conf \
        lib/x86_64-linux-gnu/{ld-2.31.so,ld-linux-x86-64.so.2,libc-2.31.so,libc.so.6} \
        lib64/ld-linux-x86-64.so.2 "$1/")
}
img_zlib() { (cd "$IMG_SYSROOT" && cp -a --parents lib/x86_64-linux-gnu/{libz.so.1,libz.so.1.2.11} "$1/"); }
img_app() { install -D -m 0755 "$WORK/images/zapp" "$1/app/zapp"; }
img_rm_zlib() { rm "$1"/lib/x86_64-linux-gnu/{libz.so.1,libz.so.1.2.11}; }

# img_loader TAG list|trace: what the image's own loader says about
# /app/zapp in a chroot of the unpacked image, as "STATUS<tab>OUTPUT" (stdout
# and stderr). list: `ld.so --list`, the verdict; glibc stops at the first
# missing library with status 127. trace: LD_TRACE_LOADED_OBJECTS=1, what
# ldd runs, the whole map with "NAME => not found"; its chroot is made by
# python between fork and exec, because chroot(8) would itself be traced.
# As in tests/loader_oracle.rs the environment is empty but PATH, and
# setarch -R turns address randomisation off so that the addresses stay the
# same from run to run on one kernel.
img_loader() {
    local root="$WORK/images/unpacked-$1/rootfs" out rc=0 chroot py
    [ -d "$root" ] || umoci unpack --image "$OCI:$1" "$WORK/images/unpacked-$1" >/dev/null
    chroot="$(command -v chroot)"
    py="$(python3 -c 'import sys; print(sys.executable)')"  # not a pyenv shim, which needs HOME
    case "$2" in
        list) out="$(cd / && env -i PATH=/usr/bin:/bin setarch x86_64 -R \
                  "$chroot" "$root" /lib64/ld-linux-x86-64.so.2 --list /app/zapp 2>&1)" || rc=$? ;;
        trace) out="$(cd / && env -i PATH=/usr/bin:/bin setarch x86_64 -R "$py" -c '
import os, sys
os.chroot(sys.argv[1]); os.chdir("/")
ld = "/lib64/ld-linux-x86-64.so.2"
os.execve(ld, [ld, "/app/zapp"], {"PATH": "/usr/bin:/bin", "LD_TRACE_LOADED_OBJECTS": "1"})' "$root" 2>&1)" || rc=$? ;;
    esac
    printf '%s\t%s' "$rc" "$out"
}

build_images() {
    log "images/: complete, lacking, whiteout (OCI layout) and whiteout.docker.tar.gz"
    IMG_CREATED="$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)"
    mkdir -p "$WORK/images"
    local zapp="$WORK/images/zapp"
    gcc "${BULLSEYE_X64[@]}" "${CF[@]}" -s src/zapp.c -l:libz.so.1 -o "$zapp"
    expect "$zapp" "NEEDED libz.so.1" grep -qF 'Shared library: [libz.so.1]'
    expect "$zapp" "NEEDED libc.so.6" grep -qF 'Shared library: [libc.so.6]'
    lacks "$zapp" 'Name: GLIBC_2\.(3[2-9]|[4-9][0-9])'

    rm -rf "$IMG"
    mkdir -p "$IMG"
    umoci init --layout "$OCI"
    umoci new --image "$OCI:glibc"
    umoci config --image "$OCI:glibc" --no-history --created "$IMG_CREATED" \
        --os linux --architecture amd64 --config.entrypoint /app/zapp
    img_layer glibc glibc "glibc 2.31 of Debian 11 (libc6): the loader, libc.so.6, ld.so.conf" img_glibc
    img_layer glibc lacking "/app/zapp" img_app
    img_layer glibc zlib "zlib 1.2.11 of Debian 11 (zlib1g): libz.so.1" img_zlib
    img_layer zlib complete "/app/zapp" img_app
    img_layer complete whiteout "rm /lib/x86_64-linux-gnu/libz.so.1 /lib/x86_64-linux-gnu/libz.so.1.2.11" img_rm_zlib
    umoci rm --image "$OCI:glibc"
    umoci rm --image "$OCI:zlib"
    umoci gc --layout "$OCI"

    # No reference after the path: skopeo would write the name as
    # docker.io/..., a registry host, into RepoTags; `docker save IMAGE-ID`
    # leaves RepoTags empty the same way.
    local dtar="$WORK/images/whiteout.docker.tar"
    skopeo copy --quiet "oci:$OCI:whiteout" "docker-archive:$dtar"
    gzip -n -9 <"$dtar" >"$IMG/whiteout.docker.tar.gz"
    find "$IMG" -type d -exec chmod 0755 {} +
    find "$IMG" -type f -exec chmod 0644 {} +

    # Structure: shared blobs, platform, whiteout entries, the docker
    # archive's layers equal to the OCI ones. Writes the README's tables
    # (tables.md), the distinct layer digests (layers.txt) and the docker
    # archive's manifest.json (docker-manifest.json) to $WORK/images.
    python3 - "$OCI" "$dtar" "$WORK/images" <<'PY' || die "images: structure check failed"
import gzip, hashlib, io, json, sys, tarfile
oci, dtar, out = sys.argv[1], sys.argv[2], sys.argv[3]
def blob(d): return open(f"{oci}/blobs/sha256/{d.split(':')[1]}", "rb").read()
def fail(msg): sys.exit(f"build.sh: error: images: {msg}")
index = json.load(open(f"{oci}/index.json"))
tags = {m["annotations"]["org.opencontainers.image.ref.name"]: m for m in index["manifests"]}
if sorted(tags) != ["complete", "lacking", "whiteout"]: fail(f"tags {sorted(tags)}")
img = {}
for t, desc in tags.items():
    man = json.loads(blob(desc["digest"]))
    cfg = json.loads(blob(man["config"]["digest"]))
    if (cfg["os"], cfg["architecture"]) != ("linux", "amd64"): fail(f"{t}: platform")
    if cfg["config"].get("Entrypoint") != ["/app/zapp"]: fail(f"{t}: entrypoint")
    img[t] = (desc, man, cfg)
L = {t: [l["digest"] for l in img[t][1]["layers"]] for t in img}
if not (len(L["complete"]) == 3 and L["lacking"] == [L["complete"][0], L["complete"][2]]
        and L["whiteout"][:3] == L["complete"] and len(L["whiteout"]) == 4):
    fail(f"layers are not shared as planned: {L}")
names = tarfile.open(fileobj=io.BytesIO(gzip.decompress(blob(L["whiteout"][3])))).getnames()
for wh in ["lib/x86_64-linux-gnu/.wh.libz.so.1", "lib/x86_64-linux-gnu/.wh.libz.so.1.2.11"]:
    if wh not in names: fail(f"whiteout layer lacks {wh}: {names}")
with tarfile.open(dtar) as d:
    dman = json.load(d.extractfile("manifest.json"))
    wcfg = img["whiteout"][1]["config"]["digest"].split(":")[1]
    if len(dman) != 1 or dman[0]["Config"] != f"{wcfg}.json": fail(f"docker archive config {dman}")
    want = [x.split(":")[1] + ".tar" for x in img["whiteout"][2]["rootfs"]["diff_ids"]]
    if dman[0]["Layers"] != want: fail(f"docker archive layers {dman[0]['Layers']} != {want}")
    for name in want:
        if hashlib.sha256(d.extractfile(name).read()).hexdigest() + ".tar" != name: fail(f"{name}: digest")
    dmanifest = d.extractfile("manifest.json").read().decode()
purpose = {"complete": "self-contained", "lacking": "lacks libz.so.1",
           "whiteout": "libz.so.1 deleted by an upper layer (whiteout)"}
open(f"{out}/docker-manifest.json", "w").write(dmanifest)
open(f"{out}/layers.txt", "w").write("".join(d + "\n" for d in dict.fromkeys(L["complete"] + L["lacking"] + L["whiteout"])))
sys.stdout = open(f"{out}/tables.md", "w")
print("| tag | purpose | manifest (index.json) | config |")
print("| --- | --- | --- | --- |")
for t in ["complete", "lacking", "whiteout"]:
    desc, man, cfg = img[t]
    print(f"| `{t}` | {purpose[t]} | `{desc['digest']}` ({desc['size']} bytes) | `{man['config']['digest']}` ({man['config']['size']} bytes) |")
print()
print("Layers, bottom first (digest of the gzipped blob; diff_id of the tar inside; history `created_by`):")
for t in ["complete", "lacking", "whiteout"]:
    desc, man, cfg = img[t]
    hist = [h for h in cfg["history"] if not h.get("empty_layer")]
    print()
    print(f"`{t}`:")
    print()
    print("| # | blob | bytes | diff_id | created_by |")
    print("| ---: | --- | ---: | --- | --- |")
    for i, (l, diff, h) in enumerate(zip(man["layers"], cfg["rootfs"]["diff_ids"], hist), 1):
        print(f"| {i} | `{l['digest']}` | {l['size']} | `{diff}` | {h['created_by']} |")
PY

    # The judge: each image's own loader, in both modes.
    local tag mode res
    declare -A lrc lout
    for tag in complete lacking whiteout; do
        for mode in list trace; do
            res="$(img_loader "$tag" "$mode")"
            lrc[$tag.$mode]="${res%%$'\t'*}"
            lout[$tag.$mode]="${res#*$'\t'}"
        done
        grep -Eq $'^\tlibc\\.so\\.6 => /lib/x86_64-linux-gnu/libc\\.so\\.6 \\(0x' <<<"${lout[$tag.trace]}" ||
            die "images: $tag: the loader did not find libc.so.6: ${lout[$tag.trace]}"
    done
    for mode in list trace; do
        [ "${lrc[complete.$mode]}" = 0 ] &&
            grep -Eq $'^\tlibz\\.so\\.1 => /lib/x86_64-linux-gnu/libz\\.so\\.1 \\(0x' <<<"${lout[complete.$mode]}" ||
            die "images: complete: the loader ($mode) did not find libz.so.1: ${lout[complete.$mode]}"
    done
    for tag in lacking whiteout; do
        [ "${lrc[$tag.list]}" = 127 ] &&
            grep -qxF '/app/zapp: error while loading shared libraries: libz.so.1: cannot open shared object file: No such file or directory' <<<"${lout[$tag.list]}" ||
            die "images: $tag: ld.so --list did not fail on libz.so.1: ${lout[$tag.list]}"
        grep -qxF $'\tlibz.so.1 => not found' <<<"${lout[$tag.trace]}" ||
            die "images: $tag: the trace did not say libz.so.1 => not found: ${lout[$tag.trace]}"
    done

    local total
    total="$(du -sb "$IMG" | cut -f1)"

    {
        echo "# testdata/images/"
        echo
        echo "<!-- generated by testdata/build.sh (step 6); edit the script, not this file -->"
        echo
        echo "Real container images for the image reader, built without a daemon or a registry by"
        echo "\`build.sh\` with $(umoci --version) and $(skopeo --version) (Debian 12 packages). All"
        echo "three are FROM scratch, \`linux/amd64\`, entrypoint \`/app/zapp\`, created \`$IMG_CREATED\`"
        echo "(SOURCE_DATE_EPOCH); every layer entry is owned by root (0:0) with that mtime, so the"
        echo "layout and the archive rebuild byte for byte. The loader of each image is the judge: see the"
        echo "end of this file."
        echo
        echo "| image | layers, bottom first | the image's loader on \`/app/zapp\` (\`--list\`; trace mode) |"
        echo "| --- | --- | --- |"
        echo "| \`complete\` | glibc, zlib, app | status 0; \`libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1\` |"
        echo "| \`lacking\` | glibc, app | status 127, \`libz.so.1: cannot open shared object file\`; \`libz.so.1 => not found\` |"
        echo "| \`whiteout\` | glibc, zlib, app, whiteout of libz | the same as \`lacking\` |"
        echo
        echo "## Files"
        echo
        echo "- \`oci/\`: one OCI image layout (\`oci-layout\`, \`index.json\`, \`blobs/sha256/\`) holding the"
        echo "  three tags (annotation \`org.opencontainers.image.ref.name\` in \`index.json\`). They share"
        echo "  blobs: \`lacking\` has the glibc and app layers of \`complete\`; \`whiteout\` has all three"
        echo "  layers of \`complete\` and one more. Layers are \`application/vnd.oci.image.layer.v1.tar+gzip\`."
        echo "- \`whiteout.docker.tar.gz\`: the \`whiteout\` image as a docker-archive (the \`docker save\`"
        echo "  format: \`manifest.json\`, \`repositories\`, the config as \`<digest>.json\`, uncompressed"
        echo "  layers as \`<diff_id>.tar\`, legacy \`<id>/layer.tar\` symlinks), made by"
        echo "  \`skopeo copy oci:oci:whiteout docker-archive:whiteout.docker.tar\` and compressed with"
        echo "  \`gzip -n -9\`, as \`docker save | gzip\` would be; \`docker load\` reads it as it is,"
        echo "  skopeo $(skopeo --version | awk '{print $3}') only after \`gunzip\`. No tag: given one, skopeo writes its fully"
        echo "  qualified name, registry host included, into \`RepoTags\`; so \`RepoTags\` is \`[]\` and"
        echo "  \`repositories\` is \`{}\`, as for \`docker save\` of an image ID."
        echo
        echo "| file | bytes | sha256 |"
        echo "| --- | ---: | --- |"
        (cd "$IMG" && find . -type f ! -name README.md -print | sed 's|^\./||' | sort | while read -r f; do
            printf '| `%s` | %d | `%s` |\n' "$f" "$(stat -c %s "$f")" "$(sha256sum <"$f" | cut -d' ' -f1)"
        done)
        printf '| `whiteout.docker.tar` (gunzipped, not committed) | %d | `%s` |\n' \
            "$(stat -c %s "$dtar")" "$(sha256sum <"$dtar" | cut -d' ' -f1)"
        echo
        echo "Total: $total bytes (\`du -sb\` before this README was written)."
        echo
        echo "## Images"
        echo
        cat "$WORK/images/tables.md"
        echo
        echo "## Where the files come from"
        echo
        echo "The glibc and zlib layers hold files of \`testdata/sysroot/$SUITE-amd64/\`, byte for byte"
        echo "(owner, mode and mtime normalised as above): Debian 11 packages, from \`sysroot/README.md\`:"
        echo
        echo "| package | version | architecture |"
        echo "| --- | --- | --- |"
        grep -E '^\| (libc6|zlib1g) \|' "$TD/sysroot/README.md"
        echo
        echo "\`lib64/ld-linux-x86-64.so.2\` is an *absolute* symlink (\`-> /lib/x86_64-linux-gnu/ld-2.31.so\`),"
        echo "as in the package: resolve it inside the image. The image has no \`/etc/ld.so.cache\`, so"
        echo "the loader searches its built-in directories (\`/lib/x86_64-linux-gnu\` first); it does not"
        echo "read \`/etc/ld.so.conf\`, which is there as in any Debian root filesystem."
        echo
        echo "\`/app/zapp\` is \`src/zapp.c\`, compiled by host gcc $(gcc -dumpfullversion) against the bullseye sysroot as the"
        echo "\`*-bullseye-x86_64\` binaries of \`bin/\` are (\`-l:libz.so.1\`, stripped); $(stat -c %s "$zapp") bytes, sha256"
        echo "\`$(sha256sum <"$zapp" | cut -d' ' -f1)\`. It is never run. From \`readelf -d -V\`:"
        echo
        echo '```'
        readelf -d -W "$zapp" | grep -E '\((NEEDED|RUNPATH|RPATH)\)' | sed 's/^ *//'
        readelf -V -W "$zapp" | sed -n '/^Version needs section/,$p' | sed -n '/File:\|Name:/p' | sed 's/^ *//'
        echo '```'
        echo
        echo "## How each image was built"
        echo
        echo "\`umoci init\`, then \`umoci new --image oci:glibc\` and \`umoci config --no-history --created"
        echo "$IMG_CREATED --os linux --architecture amd64 --config.entrypoint /app/zapp\`. Each layer is"
        echo "then \`umoci unpack --image oci:FROM bundle\`, a change in \`bundle/rootfs\`, owner/mode/mtime"
        echo "normalised, and \`umoci repack --image oci:TO --history.created $IMG_CREATED"
        echo "--history.created_by ... bundle\`:"
        echo
        echo "| FROM | change | TO |"
        echo "| --- | --- | --- |"
        echo "| \`glibc\` (empty) | copy \`etc/ld.so.conf\`, \`etc/ld.so.conf.d/x86_64-linux-gnu.conf\`, \`lib/x86_64-linux-gnu/{ld-2.31.so,ld-linux-x86-64.so.2,libc-2.31.so,libc.so.6}\`, \`lib64/ld-linux-x86-64.so.2\` | \`glibc\` |"
        echo "| \`glibc\` | add \`/app/zapp\` | \`lacking\` |"
        echo "| \`glibc\` | copy \`lib/x86_64-linux-gnu/{libz.so.1,libz.so.1.2.11}\` | \`zlib\` |"
        echo "| \`zlib\` | add \`/app/zapp\` | \`complete\` |"
        echo "| \`complete\` | \`rm lib/x86_64-linux-gnu/libz.so.1 lib/x86_64-linux-gnu/libz.so.1.2.11\` | \`whiteout\` |"
        echo
        echo "then \`umoci rm\` of the helper tags \`glibc\` and \`zlib\` and \`umoci gc\`. Because the"
        echo "directory mtimes are reset, a layer that adds or deletes files has no entry for their"
        echo "directory; the whiteout layer is two \`.wh.\` files and nothing else."
        echo
        echo "## Layer contents"
        echo
        echo "\`tar -tvzf\` of each layer blob (TZ=UTC):"
        local d
        while read -r d; do
            [ -n "$d" ] || continue
            echo
            echo "\`$d\`:"
            echo
            echo '```'
            tar -tvzf "$OCI/blobs/sha256/${d#sha256:}"
            echo '```'
        done <"$WORK/images/layers.txt"
        echo
        echo "\`whiteout.docker.tar.gz\`: \`tar -tvzf\`, then its \`manifest.json\`:"
        echo
        echo '```'
        tar -tvzf "$IMG/whiteout.docker.tar.gz"
        echo '```'
        echo
        echo '```json'
        cat "$WORK/images/docker-manifest.json"
        echo
        echo '```'
        echo
        echo "## The loader's verdict"
        echo
        echo "Each image unpacked with \`umoci unpack --image oci:TAG DIR\` and its own loader (glibc 2.31)"
        echo "asked twice about \`/app/zapp\`, in a chroot of \`DIR/rootfs\`, with an environment empty"
        echo "but PATH and without address randomisation (\`setarch x86_64 -R\`; the addresses are this"
        echo "kernel's), as \`tests/loader_oracle.rs\` asks it; /app/zapp itself never runs:"
        echo
        echo "- \`--list\`: \`chroot DIR/rootfs /lib64/ld-linux-x86-64.so.2 --list /app/zapp\`, the verdict."
        echo "  glibc stops at the first missing library with status 127 and says only which."
        echo "- trace: \`LD_TRACE_LOADED_OBJECTS=1 /lib64/ld-linux-x86-64.so.2 /app/zapp\` (what \`ldd\`"
        echo "  runs), the whole map with \`NAME => not found\`. Its chroot is made by python between fork"
        echo "  and exec: chroot(8) would itself be traced."
        echo
        echo "Output (stdout and stderr) verbatim:"
        for tag in complete lacking whiteout; do
            for mode in list trace; do
                echo
                echo "\`$tag\`, $( [ "$mode" = list ] && echo '`--list`' || echo 'trace') (exit status ${lrc[$tag.$mode]}):"
                echo
                echo '```'
                echo "${lout[$tag.$mode]}"
                echo '```'
            done
        done
    } >"$WORK/images/README.md"
    mv "$WORK/images/README.md" "$IMG/README.md"
    chmod 0644 "$IMG/README.md"
    total="$(du -sb "$IMG" | cut -f1)"
    [ "$total" -le 2500000 ] || die "images/ is $total bytes, over the 2.5 MB budget"
    log "images/: $total bytes"
}

# ================================================================ main
check_tools
if [ "$do_images" = 1 ] && [ "$(id -u)" != 0 ]; then
    die "step 6 (testdata/images/) needs root for chroot and umoci unpack; run as root or pass --no-images"
fi

export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C TZ=UTC
umask 022
WORK="$(mktemp -d "${TMPDIR:-/tmp}/shipcheck-testdata.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

fetch_sysroot amd64 libc6 libc6-dev linux-libc-dev libgcc-s1 libstdc++6 \
    libgcc-10-dev libstdc++-10-dev zlib1g libc-bin
[ "$only_images" = 1 ] || fetch_sysroot arm64 libc6 libc6-dev linux-libc-dev libgcc-s1
S64="$CACHE/$SUITE-amd64/root"
SA64="$CACHE/$SUITE-arm64/root"

# Every compile runs in testdata/ with relative source paths, and the prefix
# maps keep absolute paths out of the outputs, so two checkouts build the
# same bytes.
cd "$TD"
BIN="$TD/bin"
REPRO=(-ffile-prefix-map="$TD"=. -ffile-prefix-map="$WORK"=/tmp -Wl,--build-id=sha1)
CF=(-O2 "${REPRO[@]}")

# Host gcc 12 against the bullseye sysroot: -B and the first -L make the
# sysroot's crt*.o and libc win over the host's multiarch directories,
# which Debian's gcc searches even with --sysroot.
BULLSEYE_X64=(--sysroot="$S64" -B"$S64/usr/lib/x86_64-linux-gnu"
    -L"$S64/usr/lib/x86_64-linux-gnu" -L"$S64/lib/x86_64-linux-gnu")
BULLSEYE_A64=(--sysroot="$SA64" -B"$SA64/usr/lib/aarch64-linux-gnu"
    -L"$SA64/usr/lib/aarch64-linux-gnu" -L"$SA64/lib/aarch64-linux-gnu")

if [ "$only_images" = 1 ]; then
    build_images
    write_manifest
    exit 0
fi
rm -rf "$BIN"
mkdir -p "$BIN"

log "hello, one per architecture (distro cross compilers, glibc 2.36)"
gcc "${CF[@]}" -s src/hello.c -o "$BIN/hello-x86_64"
for pair in aarch64:aarch64-linux-gnu armhf:arm-linux-gnueabihf armel:arm-linux-gnueabi \
            i686:i686-linux-gnu riscv64:riscv64-linux-gnu ppc64le:powerpc64le-linux-gnu \
            s390x:s390x-linux-gnu; do
    "${pair#*:}-gcc" "${CF[@]}" -s src/hello.c -o "$BIN/hello-${pair%%:*}"
done
for a in x86_64 aarch64 armhf armel i686 riscv64 ppc64le s390x; do
    needs "$BIN/hello-$a" GLIBC_2.34
done

log "musl and static variants"
musl-gcc "${CF[@]}" -s src/hello.c -o "$BIN/hello-x86_64-musl"
musl-gcc "${CF[@]}" -s -static src/hello.c -o "$BIN/hello-x86_64-musl-static"
# Debian's musl-gcc.specs ignores -static-pie (the result would be a dynamic
# PIE needing libc.so), so link by hand with musl's rcrt1.o.
MUSL=/usr/lib/x86_64-linux-musl
musl-gcc -O2 -ffile-prefix-map="$TD"=. -fPIE -c src/hello.c -o "$WORK/hello-musl.o"
gcc -nostdlib -static-pie -s -Wl,--build-id=sha1 -o "$BIN/hello-x86_64-musl-static-pie" \
    "$MUSL/rcrt1.o" "$MUSL/crti.o" "$(gcc -print-file-name=crtbeginS.o)" \
    "$WORK/hello-musl.o" -L"$MUSL" -lc "$(gcc -print-libgcc-file-name)" \
    "$(gcc -print-file-name=crtendS.o)" "$MUSL/crtn.o"
gcc "${CF[@]}" -s -static src/hello.c -o "$BIN/hello-x86_64-static"
gcc "${CF[@]}" -s -static-pie src/hello.c -o "$BIN/hello-x86_64-static-pie"
expect "$BIN/hello-x86_64-musl" "musl interpreter" grep -q 'interpreter: /lib/ld-musl-x86_64.so.1'
for f in hello-x86_64-musl-static hello-x86_64-static; do
    expect "$BIN/$f" "type EXEC" grep -q 'Type: *EXEC'
    lacks "$BIN/$f" 'INTERP|\(NEEDED\)'
done
for f in hello-x86_64-static-pie hello-x86_64-musl-static-pie; do
    expect "$BIN/$f" "type DYN" grep -q 'Type: *DYN'
    lacks "$BIN/$f" 'INTERP|\(NEEDED\)'
done

log "bullseye (glibc 2.31) builds"
gcc "${BULLSEYE_X64[@]}" "${CF[@]}" -s src/hello.c -o "$BIN/hello-bullseye-x86_64"
aarch64-linux-gnu-gcc "${BULLSEYE_A64[@]}" "${CF[@]}" -s src/hello.c -o "$BIN/hello-bullseye-aarch64"
gcc "${BULLSEYE_X64[@]}" "${CF[@]}" -s src/getrandom.c -o "$BIN/getrandom-bullseye-x86_64"
gcc "${BULLSEYE_X64[@]}" "${CF[@]}" -s src/fcntl64.c -o "$BIN/fcntl64-bullseye-x86_64"
needs "$BIN/hello-bullseye-x86_64" 'GLIBC_2\.2\.5'
needs "$BIN/hello-bullseye-aarch64" 'GLIBC_2\.17'
needs "$BIN/getrandom-bullseye-x86_64" 'GLIBC_2\.25'
needs "$BIN/fcntl64-bullseye-x86_64" 'GLIBC_2\.28'
for f in hello-bullseye-x86_64 hello-bullseye-aarch64 getrandom-bullseye-x86_64 fcntl64-bullseye-x86_64; do
    lacks "$BIN/$f" 'Name: GLIBC_2\.(29|[3-9][0-9])'
done

log "DT_RELR"
gcc "${CF[@]}" -s -fPIE -pie -Wl,-z,pack-relative-relocs src/relr.c -o "$BIN/relr-x86_64"
needs "$BIN/relr-x86_64" GLIBC_ABI_DT_RELR
expect "$BIN/relr-x86_64" "DT_RELR" grep -q '(RELR) '

log "C++"
g++ "${CF[@]}" -s src/cxx.cc -o "$BIN/cxx-x86_64"
needs "$BIN/cxx-x86_64" 'GLIBCXX_3\.4\.30'
needs "$BIN/cxx-x86_64" 'CXXABI_1\.3\.9'
# Bullseye's libstdc++ (GCC 10) headers and library with the host g++ 12:
# compile with g++, link with gcc so g++ 12's own libstdc++ stays out.
g++ --sysroot="$S64" -nostdinc++ -isystem "$S64/usr/include/c++/10" \
    -isystem "$S64/usr/include/x86_64-linux-gnu/c++/10" -O2 -ffile-prefix-map="$TD"=. \
    -c src/cxx.cc -o "$WORK/cxx-bullseye.o"
gcc "${BULLSEYE_X64[@]}" -L"$S64/usr/lib/gcc/x86_64-linux-gnu/10" -Wl,--build-id=sha1 -s \
    "$WORK/cxx-bullseye.o" -o "$BIN/cxx-bullseye-x86_64" -lstdc++ -lm
needs "$BIN/cxx-bullseye-x86_64" 'GLIBCXX_3\.4\.21'
lacks "$BIN/cxx-bullseye-x86_64" 'Name: (GLIBCXX_3\.4\.(2[2-9]|3[0-9])|GLIBC_2\.(29|3[0-9]))'

log "debug-info variants"
DBG=(-g -gno-record-gcc-switches)
gcc "${CF[@]}" "${DBG[@]}" src/debug.c -o "$BIN/debug-unstripped-x86_64"
strip --strip-all -o "$BIN/debug-stripped-x86_64" "$BIN/debug-unstripped-x86_64"
(
    cd "$BIN"
    objcopy --only-keep-debug debug-unstripped-x86_64 debug-split-x86_64.debug
    strip --strip-debug --strip-unneeded -o debug-split-x86_64 debug-unstripped-x86_64
    objcopy --add-gnu-debuglink=debug-split-x86_64.debug debug-split-x86_64
)
gcc "${CF[@]}" "${DBG[@]}" -gz=zlib src/debug.c -o "$BIN/debug-compressed-x86_64"
gcc "${CF[@]}" src/debug.c -o "$BIN/symtab-only-x86_64"
expect "$BIN/debug-unstripped-x86_64" ".debug_info" grep -q ' \.debug_info '
lacks "$BIN/debug-stripped-x86_64" '\.debug_|\.symtab'
lacks "$BIN/debug-split-x86_64" '\.debug_(info|line|str|abbrev)'
expect "$BIN/debug-split-x86_64" ".gnu_debuglink" grep -q ' \.gnu_debuglink '
expect "$BIN/debug-compressed-x86_64" "compressed .debug_info" grep -Eq ' \.debug_info .* [A-Z]*C[A-Z]* '
expect "$BIN/symtab-only-x86_64" ".symtab" grep -q ' \.symtab '
lacks "$BIN/symtab-only-x86_64" '\.debug_'

log "weak version need"
# See src/set_verdef_weak.py for why the throw-away libc copy is needed.
mkdir -p "$WORK/weaklibc"
python3 src/set_verdef_weak.py "$S64/lib/x86_64-linux-gnu/libc.so.6" "$WORK/weaklibc/libc.so.6" GLIBC_2.25
printf 'GROUP ( %s %s AS_NEEDED ( %s ) )\n' "$WORK/weaklibc/libc.so.6" \
    "$S64/usr/lib/x86_64-linux-gnu/libc_nonshared.a" "$S64/lib64/ld-linux-x86-64.so.2" \
    >"$WORK/weaklibc/libc.so"
gcc "${BULLSEYE_X64[@]:0:2}" -L"$WORK/weaklibc" "${BULLSEYE_X64[@]:2}" "${CF[@]}" -s \
    src/weak.c -o "$BIN/weak-x86_64"
needs "$BIN/weak-x86_64" 'GLIBC_2\.25' WEAK
needs "$BIN/weak-x86_64" 'GLIBC_2\.2\.5' none

log "GLIBC_PRIVATE"
gcc "${CF[@]}" -s src/privat.c -o "$BIN/privat-x86_64"
needs "$BIN/privat-x86_64" GLIBC_PRIVATE

log "bundled-library trees"
LIBCF=("${CF[@]}" -s -shared -fPIC -Wl,-soname,libbundled.so.1)
mkdir -p "$WORK/v2" "$BIN"/app-runpath/{bin,lib} "$BIN"/app-rpath/{bin,lib} "$BIN"/app-oldlib/{bin,lib}
gcc "${LIBCF[@]}" -DBUNDLED_API=2 -Wl,--version-script=src/bundled/bundled-2.map \
    src/bundled/libbundled.c -o "$WORK/v2/libbundled.so.1"
cp "$WORK/v2/libbundled.so.1" "$BIN/app-runpath/lib/"
cp "$WORK/v2/libbundled.so.1" "$BIN/app-rpath/lib/"
gcc "${LIBCF[@]}" -DBUNDLED_API=1 -Wl,--version-script=src/bundled/bundled-1.map \
    src/bundled/libbundled.c -o "$BIN/app-oldlib/lib/libbundled.so.1"
gcc "${CF[@]}" -s src/bundled/app.c -L"$WORK/v2" -l:libbundled.so.1 \
    -Wl,--enable-new-dtags -Wl,-rpath,'$ORIGIN/../lib' -o "$BIN/app-runpath/bin/app"
gcc "${CF[@]}" -s src/bundled/app.c -L"$WORK/v2" -l:libbundled.so.1 \
    -Wl,--disable-new-dtags -Wl,-rpath,'${ORIGIN}/../lib' -o "$BIN/app-rpath/bin/app"
# Linked against the new library, shipped with the old one.
cp "$BIN/app-runpath/bin/app" "$BIN/app-oldlib/bin/app"
expect "$BIN/app-runpath/bin/app" 'RUNPATH $ORIGIN/../lib' grep -qF '(RUNPATH)            Library runpath: [$ORIGIN/../lib]'
expect "$BIN/app-rpath/bin/app" 'RPATH ${ORIGIN}/../lib' grep -qF '(RPATH)              Library rpath: [${ORIGIN}/../lib]'
needs "$BIN/app-runpath/bin/app" 'BUNDLED_2\.0'
needs "$BIN/app-runpath/bin/app" 'BUNDLED_1\.0'
lacks "$BIN/app-oldlib/lib/libbundled.so.1" 'BUNDLED_2\.0'

log "missing soname, leaked build dir, versioned library"
mkdir -p "$WORK/nowhere"
gcc "${CF[@]}" -s -shared -fPIC -Wl,-soname,libnowhere.so.1 src/nowhere.c -o "$WORK/nowhere/libnowhere.so.1"
gcc "${CF[@]}" -s src/needs-nowhere.c -L"$WORK/nowhere" -l:libnowhere.so.1 -o "$BIN/needs-nowhere-x86_64"
gcc "${CF[@]}" -s src/hello.c -Wl,--enable-new-dtags -Wl,-rpath,/home/builder/work/build/out/lib \
    -o "$BIN/rpath-absolute-x86_64"
gcc "${CF[@]}" -s -shared -fPIC -Wl,-soname,libversioned.so.1 -Wl,--version-script=src/versioned.map \
    src/versioned.c -o "$BIN/libversioned.so.1"
expect "$BIN/needs-nowhere-x86_64" "NEEDED libnowhere.so.1" grep -qF 'Shared library: [libnowhere.so.1]'
expect "$BIN/libversioned.so.1" "VERS_1.1 definition" grep -q 'Name: VERS_1\.1'

log "non-ELF and broken inputs"
x86_64-w64-mingw32-gcc -O2 -ffile-prefix-map="$TD"=. -s -Wl,--no-insert-timestamp src/win64.c -o "$BIN/hello-win64.exe"
python3 src/make_macho.py "$BIN/macho-arm64.bin"
cp src/not-a-binary.txt "$BIN/not-a-binary.txt"
head -c 40 "$BIN/hello-x86_64" >"$BIN/truncated-elf"
file -b "$BIN/hello-win64.exe" | grep -q 'PE32+ executable' || die "hello-win64.exe is not PE32+"
file -b "$BIN/macho-arm64.bin" | grep -q 'Mach-O 64-bit arm64 executable' || die "macho-arm64.bin not recognised"

log ".NET assemblies (real ones, from PyPI wheels: no .NET SDK reaches this machine)"
# Python.Runtime.dll (pythonnet, MIT): IL-only AnyCPU. ClrLoader.dll (clr_loader, MIT, its
# amd64 build): mixed-mode, native Windows exports beside its IL. The x86-only variant is the
# AnyCPU file with COMIMAGE_FLAGS_32BITREQUIRED set, the field `PlatformTarget=x86` writes.
mkdir -p "$BIN/dotnet" "$WORK/wheels"
python3 -m pip download -q --no-deps --only-binary=:all: -d "$WORK/wheels" \
    pythonnet==3.2.1 clr_loader==0.3.1 || die "pip download of the .NET test wheels failed"
python3 - "$WORK/wheels" "$BIN/dotnet" <<'PY'
import glob, sys, zipfile
wheels, out = sys.argv[1], sys.argv[2]
for pattern, member, name in [
    ("pythonnet-*.whl", "pythonnet/runtime/Python.Runtime.dll", "Python.Runtime.dll"),
    ("clr_loader-*.whl", "clr_loader/ffi/dlls/amd64/ClrLoader.dll", "ClrLoader-amd64.dll"),
]:
    with zipfile.ZipFile(glob.glob(f"{wheels}/{pattern}")[0]) as wheel:
        open(f"{out}/{name}", "wb").write(wheel.read(member))
PY
python3 src/set_cor_flags.py "$BIN/dotnet/Python.Runtime.dll" "$BIN/dotnet/Python.Runtime-x86.dll" 0x2
file -b "$BIN/dotnet/Python.Runtime.dll" | grep -q 'Mono/.Net assembly' || die "Python.Runtime.dll is no .NET assembly"

log "beyond symbol versions: stack, kernel note, ISA level, page size, static TLS, hardening"
# Each file has exactly the property its name says; readelf confirms it below.
gcc "${CF[@]}" -s -shared -fPIC -Wl,-soname,libexecstack.so.1 -Wl,-z,execstack \
    src/nowhere.c -o "$BIN/libexecstack.so.1"
gcc "${CF[@]}" -s -Wl,-z,execstack src/hello.c -o "$BIN/execstack-x86_64"
gcc "${CF[@]}" -s -march=x86-64-v3 -Wl,-z,x86-64-v3 src/hello.c -o "$BIN/isa-v3-x86_64"
aarch64-linux-gnu-gcc "${CF[@]}" -s -Wl,-z,max-page-size=4096 src/hello.c -o "$BIN/pagesize-4k-aarch64"
gcc "${CF[@]}" -s -shared -fPIC -Wl,-soname,libstatictls.so.1 src/static_tls.c -o "$BIN/libstatictls.so.1"
gcc "${CF[@]}" -s -fno-pie -no-pie -fno-stack-protector -U_FORTIFY_SOURCE -fcf-protection=none \
    -Wl,-z,norelro -Wl,-z,lazy src/hardened.c -o "$BIN/unhardened-x86_64"
# Debian's crt*.o carry no CET property, so the linker is told to mark the file (-z ibt -z shstk).
gcc "${CF[@]}" -s -fPIE -pie -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fcf-protection=full \
    -Wl,-z,relro -Wl,-z,now -Wl,-z,ibt -Wl,-z,shstk src/hardened.c -o "$BIN/hardened-x86_64"
# The ABI note crt1.o carries says "for GNU/Linux 3.2.0"; this copy says 6.8.0, as a glibc
# configured with --enable-kernel=6.8 would write it.
python3 - "$WORK/abi-tag-6.8" <<'PY'
import struct, sys
open(sys.argv[1], "wb").write(struct.pack("<III4sIIII", 4, 16, 1, b"GNU\0", 0, 6, 8, 0))
PY
objcopy --update-section .note.ABI-tag="$WORK/abi-tag-6.8" "$BIN/hello-x86_64" "$BIN/kernel-6.8-x86_64"
expect "$BIN/libexecstack.so.1" "GNU_STACK RWE" grep -qE 'GNU_STACK .* RWE '
expect "$BIN/execstack-x86_64" "GNU_STACK RWE" grep -qE 'GNU_STACK .* RWE '
expect "$BIN/isa-v3-x86_64" "ISA needed v3" grep -q 'x86 ISA needed: .*x86-64-v3'
expect "$BIN/pagesize-4k-aarch64" "LOAD align 0x1000" grep -qE 'LOAD .* 0x1000$'
expect "$BIN/libstatictls.so.1" "STATIC_TLS" grep -q 'STATIC_TLS'
lacks "$BIN/unhardened-x86_64" 'GNU_RELRO|__stack_chk_fail|_chk@'
expect "$BIN/unhardened-x86_64" "type EXEC" grep -q 'Type: *EXEC'
expect "$BIN/hardened-x86_64" "BIND_NOW" grep -qE 'FLAGS_1\).*NOW'
expect "$BIN/hardened-x86_64" "IBT, SHSTK" grep -q 'x86 feature: IBT, SHSTK'
expect "$BIN/hardened-x86_64" "__printf_chk, __stack_chk_fail" grep -q '__printf_chk'
expect "$BIN/hardened-x86_64" "__stack_chk_fail" grep -q '__stack_chk_fail'
expect "$BIN/kernel-6.8-x86_64" "ABI tag 6.8.0" grep -q 'OS: Linux, ABI: 6.8.0'

# ---------------------------------------------------------------- step 5
# A tiny real root filesystem: the library files a loader-style baseline
# reads, exactly as bullseye's packages ship them (absolute symlinks
# included), plus the two ld.so.conf files.
if [ "$do_sysroot" = 1 ]; then
    log "sysroot/bullseye-amd64"
    RAW="$WORK/raw-amd64"
    mkdir -p "$RAW"
    VERS=()
    for p in libc6 libc-bin libgcc-s1 libstdc++6 zlib1g; do
        deb=$(ls "$CACHE/$SUITE-amd64/debs/${p}_"*_amd64.deb)
        dpkg-deb -x "$deb" "$RAW"
        VERS+=("$(dpkg-deb --show --showformat='${Package} ${Version} ${Architecture}' "$deb")")
    done
    SR="$TD/sysroot/$SUITE-amd64"
    rm -rf "$SR"
    mkdir -p "$SR"
    (
        cd "$RAW"
        # each library: the soname link and the file it points to
        paths=(etc/ld.so.conf etc/ld.so.conf.d/x86_64-linux-gnu.conf lib64/ld-linux-x86-64.so.2)
        for l in lib/x86_64-linux-gnu/{ld-linux-x86-64.so.2,libc.so.6,libm.so.6,libpthread.so.0,libdl.so.2,libgcc_s.so.1,libz.so.1} \
                 usr/lib/x86_64-linux-gnu/libstdc++.so.6; do
            paths+=("$l")
            if [ -L "$l" ]; then paths+=("$(dirname "$l")/$(readlink "$l")"); fi
        done
        cp -a --parents "${paths[@]}" "$SR/"
    )
    {
        echo "# testdata/sysroot/"
        echo
        echo "## $SUITE-amd64"
        echo
        echo "<!-- generated by testdata/build.sh; edit the script, not this file -->"
        echo
        echo "A tiny real root filesystem of Debian 11 ($SUITE) amd64 for \`--sysroot\` and loader-style"
        echo "baseline tests: only the shared libraries such a baseline reads (each soname link and the"
        echo "file it points to) and the ld.so configuration, copied byte for byte from the packages below."
        echo "Nothing was stripped or edited. \`lib64/ld-linux-x86-64.so.2\` is an *absolute* symlink, as in"
        echo "the package (\`-> /lib/x86_64-linux-gnu/ld-2.31.so\`): resolve it inside the sysroot, not on"
        echo "the host. The other links are relative."
        echo
        echo "| package | version | architecture |"
        echo "| --- | --- | --- |"
        printf '%s\n' "${VERS[@]}" | sort | awk '{printf "| %s | %s | %s |\n", $1, $2, $3}'
        echo
        echo "Files:"
        echo
        echo '```'
        (cd "$SR" && find . \( -type f -o -type l \) -print | sort | while read -r p; do
            if [ -L "$p" ]; then printf '%s -> %s\n' "${p#./}" "$(readlink "$p")"
            else printf '%s  %s bytes  sha256 %s\n' "${p#./}" "$(stat -c %s "$p")" "$(sha256sum <"$p" | cut -c1-16)…"; fi
        done)
        echo '```'
    } >"$TD/sysroot/README.md.tmp"
    mv "$TD/sysroot/README.md.tmp" "$TD/sysroot/README.md"
fi

# ---------------------------------------------------------------- step 6
[ "$do_images" = 0 ] || build_images

# Bullseye package versions used for the builds above, for the manifest.
{
    echo "# generated by testdata/build.sh: bullseye packages the sysroot builds used"
    for a in amd64 arm64; do sed "s/^/$a: /" "$CACHE/$SUITE-$a/versions.txt"; done
} >"$TD/bullseye-packages.txt"

write_manifest
log "done: $(du -sh --apparent-size "$TD" | cut -f1) in $TD"
