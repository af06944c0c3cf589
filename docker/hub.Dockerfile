# Thresh Hub: REST API, dashboard and the /midtier gateway. Build from the repository root:
#   docker build -f docker/hub.Dockerfile -t thresh/hub .
FROM node:20-bookworm-slim AS build
WORKDIR /workspace
COPY package.json package-lock.json .npmrc ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npx nx run-many -t build -p hub dashboard --output-style=static

FROM node:20-bookworm-slim
ENV NODE_ENV=production HUB_PORT=7200 HUB_DASHBOARD_DIR=/app/dashboard
WORKDIR /app
# The hub's build writes a package.json and lock file with just its runtime dependencies.
COPY --from=build /workspace/dist/apps/hub/ ./
RUN npm install --omit=dev --no-audit --no-fund
COPY --from=build /workspace/dist/apps/dashboard/browser/ ./dashboard/
USER node
EXPOSE 7200
HEALTHCHECK --interval=15s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.HUB_PORT+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "main.js"]
