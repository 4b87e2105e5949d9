# The service image: one image for both roles (APP_ROLE=api or worker).
#   docker build -t vpppd-contact-centre .
#   docker run --env-file .env -e APP_ROLE=api -p 3000:3000 vpppd-contact-centre

# --- build: all dependencies, compile, then drop the development dependencies ----------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY console/package.json ./console/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY libs ./libs
COPY migrations ./migrations
COPY widget ./widget
COPY console ./console
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# --- runtime: compiled code and production dependencies only, run as the unprivileged user "node" ---
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only for the service: it never writes to its own code.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/widget/dist ./widget/dist
USER node
EXPOSE 3000
# Node handles SIGTERM itself (graceful shutdown); run with an init (compose: init: true) to reap zombies.
CMD ["node", "dist/src/main.js"]
