# syntax=docker/dockerfile:1
# bigpicture-auth-proxy: a small non-root image on Node.js 24 LTS.
#   docker build -t bigpicture-auth-proxy .
#   docker run --rm -p 127.0.0.1:8080:8080 -e JIRA_URL=https://jira.example.com/jira bigpicture-auth-proxy
#   docker run --rm -e JIRA_URL=... bigpicture-auth-proxy doctor
# Secrets come from files (JIRA_PASSWORD_FILE, JIRA_PAT_FILE, PROXY_API_KEYS_FILE, STORE_SECRET_FILE),
# never from build arguments or ENV lines. See docker-compose.yml for a sidecar and a gateway.
# The Node version is pinned exactly (one image per tag, rebuilt on purpose); every stage uses it.

# No dependency has an install script; --ignore-scripts also keeps the package's own lifecycle
# scripts (which build from sources) out of the installs.

# --- build: compile TypeScript with the dev dependencies ------------------------------------
FROM node:24.22.3-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- deps: the production dependencies alone, installed where npm exists ---------------------
FROM node:24.22.3-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

# --- runtime: node, the production dependencies and the compiled code; no package manager -----
FROM node:24.22.3-alpine AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="bigpicture-auth-proxy" \
      org.opencontainers.image.description="Gives cookie-, password- and PAT-based clients working access to the JWT-protected BigPicture, BigGantt and BigTemplate REST APIs on Jira Server/Data Center." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="docker.io/library/node:24.22.3-alpine"
# npm, npx, corepack and yarn are not needed to run the proxy: removed, they cannot be run or
# flagged by an image scanner.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn* \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY config.example.env ./
# The image's own unprivileged user (uid 1000); the app needs no write access anywhere.
USER node
EXPOSE 8080
# No curl in the image: node asks /_proxy/healthz itself (the proxy's probes need no Host match).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/_proxy/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/src/cli.js"]
