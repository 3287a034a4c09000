# syntax=docker/dockerfile:1.7
# apps/ingest: the HTTP collector (port 8000). Build from the repository root:
#   docker build -f docker/ingest.Dockerfile -t clickstream/ingest .

# ---- build: the whole workspace's dependencies, then the Nx build of the app and the libs it uses
FROM node:20-slim AS build
WORKDIR /repo
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true
# README: Node.js 20.19+ and npm 11
RUN npm install -g npm@11
COPY . .
RUN --mount=type=cache,target=/root/.npm npm ci
RUN npx nx run ingest:build --output-style=stream
# Production dependencies only, for this app and the workspace libs it loads at run time. Every
# workspace's package.json is copied so that npm ci matches the lockfile.
RUN mkdir -p /prod && cp package.json package-lock.json /prod/ \
 && for d in libs/* apps/* tools/*; do mkdir -p "/prod/$d" && cp "$d/package.json" "/prod/$d/"; done \
 && cd /prod && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
      --workspace @clickstream/ingest

# ---- runtime: node, production node_modules and the built files; nothing else
FROM node:20-slim AS runtime
ENV NODE_ENV=production INGEST_PORT=8000 INGEST_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /prod/ ./
COPY --from=build /repo/libs/event-schema/dist libs/event-schema/dist
COPY --from=build /repo/libs/runtime/dist libs/runtime/dist
COPY --from=build /repo/libs/kafka/dist libs/kafka/dist
COPY --from=build /repo/apps/ingest/dist apps/ingest/dist
# the image's unprivileged user; the files above stay owned by root (read-only to the app)
USER node
EXPOSE 8000
# /ready: 200 once Kafka is connected (no curl in slim images: node's fetch)
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.INGEST_PORT||8000)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "apps/ingest/dist/main.js"]
