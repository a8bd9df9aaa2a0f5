# The image of Argo CD's Config Management Plugin sidecar (deploy/argocd/): rollwright alone,
# statically linked (musl), on an empty base, running as Argo CD's user 999. The sidecar's
# command, argocd-cmp-server, comes from the repo-server's shared /var/run/argocd volume and
# runs the plugin's commands without a shell, so the image needs none.
#
#   docker build -t rollwright .
#   docker run --rm rollwright render --help
FROM rust:1.95-alpine3.22 AS build
# The C toolchain's headers for ring and mimalloc; the version is the one of the base image's Alpine branch.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
ENV CARGO_TERM_COLOR=never
RUN cargo build --release --locked \
    && install -D -m 0755 target/release/rollwright /out/usr/local/bin/rollwright

FROM scratch
LABEL org.opencontainers.image.title="rollwright" \
      org.opencontainers.image.description="Render, validate and diff Argo Rollouts blue-green releases" \
      org.opencontainers.image.source="https://github.com/rollwright/rollwright"
COPY --from=build /out/ /
ENV PATH=/usr/local/bin
USER 999:999
WORKDIR /tmp
ENTRYPOINT ["/usr/local/bin/rollwright"]
