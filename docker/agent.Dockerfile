# The thresh CLI and agent. Build from the repository root:
#   docker build -f docker/agent.Dockerfile -t thresh/agent .
# Run with the settings mounted or set at start:
#   docker run -v thresh-home:/home/node/.thresh thresh/agent agent config set midtier-url http://midtier:5000
FROM node:20-bookworm-slim AS build
WORKDIR /workspace
COPY package.json package-lock.json .npmrc ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npx nx build agent --output-style=static

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /opt/thresh
# dist/apps/agent holds the bundle, bin/thresh and a package.json with the runtime dependencies.
COPY --from=build /workspace/dist/apps/agent/ ./
RUN npm install --omit=dev --no-audit --no-fund && ln -s /opt/thresh/bin/thresh /usr/local/bin/thresh \
  && mkdir -p /home/node/.thresh && chown node:node /home/node/.thresh
USER node
ENTRYPOINT ["thresh"]
CMD ["agent", "run"]
