# syntax=docker/dockerfile:1
# bigpicture-auth-proxy: a small non-root image.
#   docker build -t bigpicture-auth-proxy .
#   docker run --rm -p 127.0.0.1:8080:8080 -e JIRA_URL=https://jira.example.com/jira bigpicture-auth-proxy
#   docker run --rm -e JIRA_URL=... bigpicture-auth-proxy doctor
# Secrets come from files (JIRA_PASSWORD_FILE, JIRA_PAT_FILE, PROXY_API_KEYS_FILE), never from
# build arguments or ENV lines. See docker-compose.yml for a sidecar with secrets.

# --- build: compile TypeScript with the dev dependencies ------------------------------------
FROM node:20-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies and the compiled code only --------------------------------
FROM node:20-alpine AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
COPY config.example.env ./
# The image's own unprivileged user (uid 1000); the app needs no write access anywhere.
USER node
EXPOSE 8080
# No curl in the image: node asks /_proxy/healthz itself (the proxy's probes need no Host match).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/_proxy/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/src/cli.js"]
