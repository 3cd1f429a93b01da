# syntax=docker/dockerfile:1
# shipcheck as a `FROM scratch` image: one statically linked binary, nothing else.
#
#   docker build -t shipcheck .
#   docker run --rm -v "$PWD:/work" shipcheck check dist/ --baseline ubuntu-20.04
#   docker save shipcheck -o shipcheck.tar && shipcheck check shipcheck.tar
#
# This file is also the pattern to follow for your own static programs: the build stage
# assembles the image's root filesystem in a folder with one script (release/image-rootfs.sh)
# and checks that folder as a root filesystem before anything is copied into the final image.
# tests/container_image.rs assembles the same tree at test time and checks it the same way.
#
# The binary links glibc statically (release/build.sh --static) for the architecture the build
# stage runs on: `docker buildx build --platform linux/arm64 .` builds an arm64 image.
ARG RUST_IMAGE=rust:1-bookworm

FROM ${RUST_IMAGE} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    bin=$(release/build.sh --static --out /dist) \
    && release/image-rootfs.sh /rootfs "$bin" \
    && "$bin" check /rootfs --layout rootfs \
    && "$bin" --version

FROM scratch
COPY --from=build /rootfs/ /
WORKDIR /work
USER 65534:65534
ENTRYPOINT ["/usr/local/bin/shipcheck"]
CMD ["--help"]
