# Thresh midtier: the /agents gateway between nodes and the hub. Build from the repository root:
#   docker build -f docker/midtier.Dockerfile -t thresh/midtier .
FROM node:20-bookworm-slim AS build
WORKDIR /workspace
COPY package.json package-lock.json .npmrc ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npx nx build midtier --output-style=static

FROM node:20-bookworm-slim
ENV NODE_ENV=production MIDTIER_PORT=5000
WORKDIR /app
COPY --from=build /workspace/dist/apps/midtier/ ./
RUN npm install --omit=dev --no-audit --no-fund
USER node
EXPOSE 5000
HEALTHCHECK --interval=15s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.MIDTIER_PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "main.js"]
