#!/usr/bin/env bash
# Builds the inputs of bench/archives.sh: a real Debian root filesystem and the same tree as
# a tarball, compressed tarballs and container images.
#
#   bench/make-rootfs-image.sh DIR [--source debs|usr]
#
# --source debs (the default): `apt-get download` of the packages below and everything they
# depend on (apt-cache depends --recurse, no recommends), each unpacked with `dpkg-deb -x`
# into DIR/tree, then /bin, /sbin, /lib* moved under /usr and replaced by symlinks as on a
# merged-/usr Debian 12 system. No maintainer script runs, so there are no alternatives
# symlinks and no ld.so.cache: the files are the packages' files. Needs `apt-get update` to
# have been run once; about 160 MB of downloads, 620 MB unpacked.
# --source usr: a copy of this machine's /usr as DIR/tree/usr (not a root filesystem: no
# loader under lib*/ beside usr/, no etc/ld.so.conf).
#
# Writes to DIR (which it creates; existing outputs are kept, so delete DIR to rebuild):
#   debs/                  the downloaded packages          packages.txt  name, version, size
#   tree/                  the root filesystem
#   image.tar              tar --sort=name --numeric-owner of tree/
#   image.tar.gz           gzip -6 (gzip's default level) of image.tar
#   image.tar.zst          zstd -3 (zstd's default level) of image.tar
#   oci/                   OCI image layout, tag rootfs, one gzip layer (umoci; if installed)
#   image.docker.tar       `docker save` form of the same image (skopeo; if installed)
set -euo pipefail

dir=${1:?usage: make-rootfs-image.sh DIR [--source debs|usr]}
source=debs
[ "${2:-}" = --source ] && source=${3:?--source needs debs or usr}

# A server-ish base system with big shared objects in it: glibc, the C++ runtime, Python,
# Perl, OpenSSL, systemd, LLVM 14, GCC 12 and binutils, git and curl.
packages=(
    libc6 libc-bin libstdc++6 libgcc-s1 python3.11-minimal python3.11 libpython3.11
    perl-base perl libssl3 openssl coreutils bash systemd libsystemd0 util-linux findutils
    grep sed tar gzip dpkg apt libllvm14 gcc-12 binutils git curl openssh-client vim-tiny
    zstd xz-utils
)

log() { echo "make-rootfs-image: $*" >&2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
tree=$dir/tree

if [ ! -d "$tree" ]; then
    rm -rf "$tree.partial"
    mkdir -p "$tree.partial"
    case $source in
        debs)
            mkdir -p "$dir/debs"
            # The dependency closure, real packages only: "<virtual>" names and other
            # architectures (name:arch) are left out; both sides of an "a | b" are in.
            apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
                --no-replaces --no-enhances "${packages[@]}" |
                grep -v '^ ' | grep -v '[<:]' | sort -u > "$dir/closure.txt"
            [ -s "$dir/closure.txt" ] || { log "apt-cache knows none of the packages: run apt-get update"; exit 1; }
            log "downloading $(wc -l < "$dir/closure.txt") packages into $dir/debs"
            # shellcheck disable=SC2046
            (cd "$dir/debs" && apt-get download -q $(cat "$dir/closure.txt") >/dev/null)
            log "unpacking into $tree"
            for deb in "$dir"/debs/*.deb; do
                dpkg-deb -x "$deb" "$tree.partial"
                printf '%s\t%s\t%s\n' "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)" "$(stat -c %s "$deb")"
            done | sort > "$dir/packages.txt"
            # Merged /usr, as debootstrap makes Debian 12: /lib64/ld-linux-x86-64.so.2 and
            # /lib/x86_64-linux-gnu/libc.so.6 reach their files through directory symlinks.
            for d in bin sbin lib lib32 lib64 libx32; do
                if [ -d "$tree.partial/$d" ] && [ ! -L "$tree.partial/$d" ]; then
                    mkdir -p "$tree.partial/usr/$d"
                    cp -a "$tree.partial/$d/." "$tree.partial/usr/$d/"
                    rm -rf "${tree:?}.partial/$d"
                    ln -s "usr/$d" "$tree.partial/$d"
                fi
            done
            ;;
        usr)
            log "copying /usr into $tree/usr"
            cp -a /usr "$tree.partial/usr"
            : > "$dir/packages.txt"
            ;;
        *) log "unknown --source $source (debs or usr)"; exit 2 ;;
    esac
    mv "$tree.partial" "$tree"
fi

if [ ! -f "$dir/image.tar" ]; then
    log "image.tar"
    tar --sort=name --numeric-owner -cf "$dir/image.tar.partial" -C "$tree" .
    mv "$dir/image.tar.partial" "$dir/image.tar"
fi
if [ ! -f "$dir/image.tar.gz" ]; then
    log "image.tar.gz (gzip -6)"
    gzip -6 -n -c "$dir/image.tar" > "$dir/image.tar.gz.partial"
    mv "$dir/image.tar.gz.partial" "$dir/image.tar.gz"
fi
if [ ! -f "$dir/image.tar.zst" ]; then
    log "image.tar.zst (zstd -3)"
    zstd -q -3 -T0 -c "$dir/image.tar" > "$dir/image.tar.zst.partial"
    mv "$dir/image.tar.zst.partial" "$dir/image.tar.zst"
fi

if command -v umoci >/dev/null 2>&1 && [ ! -f "$dir/oci/index.json" ]; then
    log "oci/ (umoci: one layer holding tree/)"
    rm -rf "$dir/oci" "$dir/bundle"
    umoci init --layout "$dir/oci"
    umoci new --image "$dir/oci:rootfs"
    umoci config --image "$dir/oci:rootfs" --no-history --os linux --architecture amd64 \
        --config.cmd /bin/bash
    umoci unpack --image "$dir/oci:rootfs" "$dir/bundle" >/dev/null
    cp -a "$tree/." "$dir/bundle/rootfs/"
    umoci repack --image "$dir/oci:rootfs" --history.created_by "bench/make-rootfs-image.sh" "$dir/bundle"
    umoci gc --layout "$dir/oci"
    rm -rf "$dir/bundle"
fi
if command -v skopeo >/dev/null 2>&1 && [ -f "$dir/oci/index.json" ] && [ ! -f "$dir/image.docker.tar" ]; then
    log "image.docker.tar (skopeo copy oci: docker-archive:)"
    # No reference after the path: with one, skopeo writes a registry's name into RepoTags.
    skopeo copy --quiet "oci:$dir/oci:rootfs" "docker-archive:$dir/image.docker.tar.partial"
    mv "$dir/image.docker.tar.partial" "$dir/image.docker.tar"
fi

log "$dir: tree $(du -sh --apparent-size "$tree" | cut -f1) ($(find "$tree" -type f | wc -l) files)," \
    "image.tar $(du -h --apparent-size "$dir/image.tar" | cut -f1), .gz $(du -h --apparent-size "$dir/image.tar.gz" | cut -f1)," \
    ".zst $(du -h --apparent-size "$dir/image.tar.zst" | cut -f1)"
