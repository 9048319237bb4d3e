# syntax=docker/dockerfile:1
# kprofefe image: the npm package (as `npm pack` makes it) with its production dependencies only,
# on a distroless Node 20 base: no shell, no package manager, runs as the non-root user 65532.
# test/package/packed-cli.test.ts proves what this image runs: it packs the package, installs the
# tarball with production dependencies only into an empty directory and runs kprofefe from there.
#
#   docker build -t kube-profefe .
#   docker run --rm kube-profefe --version

ARG NODE_IMAGE=node:20-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs20-debian12:nonroot

# 1. Build and pack: `npm pack` runs the `prepare` script (tsc), so dist/ is built from src/ here.
FROM ${NODE_IMAGE} AS pack
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm pack --pack-destination /tmp && mv /tmp/kube-profefe-*.tgz /tmp/kube-profefe.tgz

# 2. The packed files plus the locked production dependencies, nothing else.
FROM ${NODE_IMAGE} AS install
WORKDIR /app
COPY --from=pack /tmp/kube-profefe.tgz /tmp/kube-profefe.tgz
COPY package-lock.json /tmp/package-lock.json
RUN tar -xzf /tmp/kube-profefe.tgz --strip-components=1 -C /app \
 && cp /tmp/package-lock.json /app/package-lock.json \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm /app/package-lock.json

# 3. Runtime: no shell needed; the entrypoint is exec form.
FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="kube-profefe" \
      org.opencontainers.image.description="kprofefe: scrapes Go pprof profiles from annotated Kubernetes pods into profefe" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
COPY --from=install --chown=0:0 /app /app
ENV NODE_ENV=production
# Memory (BENCHMARKS.md, W1 at 1,000 pods: peak RSS 164-199 MiB with the settings below,
# 255-268 MiB without): glibc gives each thread its own malloc arena (zlib inflates on libuv's
# thread pool) and keeps freed profile buffers in it; two arenas keep less.
ENV MALLOC_ARENA_MAX=2
# Numeric, so Kubernetes can check runAsNonRoot without reading /etc/passwd.
USER 65532:65532
# V8 heap sizing for a short job that streams profiles: a 4 MiB young generation and an old
# generation collected when it grows by half (V8 otherwise lets it reach ~4x its live size
# first), so garbage and the profile buffers it holds are freed within the run.
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=4", "--heap-growing-percent=50", "/app/bin/kprofefe.js"]
