# Staffroom node image: build with the Rust toolchain, run on a small Debian base as a
# non-root user. Configure with STAFFROOM_* environment variables; data lives in /data.
#
#   docker build -t staffroom .
#   docker run -p 8080:8080 -v staffroom-data:/data -e STAFFROOM_DOMAIN=staffroom.example.org staffroom

FROM rust:1.95-bookworm AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends libssl-dev pkg-config && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cargo build --release --locked --bin staffroom && strip target/release/staffroom

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin staffroom \
 && mkdir -p /data /etc/staffroom && chown staffroom /data
COPY --from=build /src/target/release/staffroom /usr/local/bin/staffroom
COPY config/staffroom.toml /etc/staffroom/staffroom.toml
ENV STAFFROOM_CONFIG=/etc/staffroom/staffroom.toml \
    STAFFROOM_LISTEN=0.0.0.0:8080 \
    STAFFROOM_DATA_DIR=/data
USER staffroom
WORKDIR /data
VOLUME ["/data"]
# Orchestrators probe GET /health (alive) and GET /ready (database reachable).
EXPOSE 8080
ENTRYPOINT ["staffroom"]
CMD ["serve"]
