# TaskOverflow (the logjam sample app) for ECS/Fargate.
# Build: docker build -t taskoverflow .    Run: docker run -e DATABASE_URL=postgres://… -p 3000:3000 taskoverflow
#   (or -e PGHOST=… -e PGPORT=… -e PGDATABASE=… -e PGUSER=… -e PGPASSWORD=…, as terraform/ecs.tf does)
# The image never starts an embedded PostgreSQL: NODE_ENV=production makes DATABASE_URL or PGHOST required (exit 2
# without either).

# ---- build: all dependencies + TypeScript -> dist/ ----
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY sample-app/package.json sample-app/
# --ignore-scripts: the "prepare" script would run tsc before the sources are copied
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npx tsc -p tsconfig.build.json

# ---- runtime: production dependencies + compiled JavaScript, non-root ----
FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
COPY sample-app/package.json sample-app/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# the official image's unprivileged user
USER node
EXPOSE 3000
# ECS uses the task definition's healthCheck; this one serves `docker run` and local compose.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/v1/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# exec form: node is PID 1 and receives ECS's SIGTERM itself (graceful drain, SHUTDOWN_TIMEOUT_MS < ECS stopTimeout 30 s).
# The app's own entry, not `logjam app`: the CLI loads every analyzer command, and those may import packages that
# `npm ci --omit=dev` left out. Same environment variables and exit codes (sample-app/main.ts).
CMD ["node", "dist/sample-app/main.js"]
