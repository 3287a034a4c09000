# syntax=docker/dockerfile:1.7
# tools/simulator: the traffic generator, a job rather than a server (sends traffic to ingest until
# stopped, or for --duration). Build from the repository root:
#   docker build -f docker/simulator.Dockerfile -t clickstream/simulator .

# ---- build: the whole workspace's dependencies, then the Nx build of the tool and the libs it uses
FROM node:20-slim AS build
WORKDIR /repo
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true
# README: Node.js 20.19+ and npm 11
RUN npm install -g npm@11
COPY . .
RUN --mount=type=cache,target=/root/.npm npm ci
RUN npx nx run simulator:build --output-style=stream
# Production dependencies only. Every workspace's package.json is copied so that npm ci matches the lockfile.
RUN mkdir -p /prod && cp package.json package-lock.json /prod/ \
 && for d in libs/* apps/* tools/*; do mkdir -p "/prod/$d" && cp "$d/package.json" "/prod/$d/"; done \
 && cd /prod && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
      --workspace @clickstream/simulator

# ---- runtime: node, production node_modules and the built files; nothing else
FROM node:20-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /prod/ ./
COPY --from=build /repo/libs/event-schema/dist libs/event-schema/dist
COPY --from=build /repo/tools/simulator/dist tools/simulator/dist
# the image's unprivileged user; the files above stay owned by root (read-only to the tool)
USER node
# A job, not a server: nothing to probe, so the health check only says the process runs.
HEALTHCHECK NONE
CMD ["node", "tools/simulator/dist/main.js", "--ingest-url", "http://ingest:8000"]
