# syntax=docker/dockerfile:1.7
# Fishlens container: the Hono server plus the built PWA, on a Node LTS slim image, non-root.
#
# Build:  docker build -t registry.example.com/fishlens:0.1.0 .
# Run:    docker run --read-only --tmpfs /tmp -v fishlens-data:/var/lib/fishlens -p 8080:8080 \
#           registry.example.com/fishlens:0.1.0      (add -p 127.0.0.1:9464:9464 for /metrics)
#
# The server runs TypeScript through tsx (a production dependency) instead of a compiled copy:
# `npm start`, `npm run migrate` and the container then execute the very same entry points, and
# there is no second module layout to keep in step. tsx compiles each file once per process
# (milliseconds) and keeps its cache under the OS temp folder, which is the writable /tmp volume.

# Node 24 is an LTS line supported until April 2028 (https://nodejs.org/en/about/previous-releases);
# the code also runs on Node 20.19+ and 22.12+ (package.json `engines`, which Vite sets).
ARG NODE_IMAGE=node:24.22.0-bookworm-slim

# ---- build: install everything, build the PWA, then drop dev dependencies -------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY . .
# models/demo holds the demo packs `npm start` publishes when run with the embedded defaults;
# it may be absent in a checkout, and the runtime stage copies the folder either way.
RUN npm run build \
 && test -f dist/client/index.html \
 && mkdir -p models/demo \
 && npm prune --omit=dev

# ---- runtime: production dependencies, server sources and the built PWA only ----------------
FROM ${NODE_IMAGE} AS runtime
# HOME and npm's cache point into /tmp: npm (the migration Job runs `npm run migrate`) must not
# write under the read-only root file system.
# /metrics has its own port (METRICS_PORT), never the published HTTP one; publish it only to
# the scraper. TRUST_PROXY stays unset: behind a proxy, set it to the proxy hops or ranges.
ENV NODE_ENV=production \
    PORT=8080 \
    METRICS_PORT=9464 \
    HOST=0.0.0.0 \
    DATA_DIR=/var/lib/fishlens \
    NPM_CONFIG_CACHE=/tmp/.npm \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    HOME=/tmp
WORKDIR /app
# The image's `node` user (uid 1000) owns nothing in /app: the code is read-only to the process.
COPY --from=build --chown=root:root /app/package.json /app/package-lock.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist/client ./dist/client
COPY --from=build --chown=root:root /app/server ./server
COPY --from=build --chown=root:root /app/shared ./shared
COPY --from=build --chown=root:root /app/public ./public
COPY --from=build --chown=root:root /app/models/demo ./models/demo
COPY --from=build --chown=root:root /app/tsconfig.base.json /app/tsconfig.json ./
RUN mkdir -p /var/lib/fishlens && chown 1000:1000 /var/lib/fishlens
USER 1000:1000
VOLUME ["/var/lib/fishlens"]
EXPOSE 8080 9464
# For `docker run` and Compose; Kubernetes ignores it and uses the Deployment's probes. Ready
# means the database answers, so "healthy" is a server that can keep what it acknowledges.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Started with node itself (not npm) so SIGTERM reaches the server, which then drains and exits.
CMD ["node", "--import", "tsx", "server/main.ts"]
