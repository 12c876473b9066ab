# One image for both roles: WHIRL_ROLE=api or WHIRL_ROLE=invoker (see docker-compose.yml).
# The action runtime image (whirl/runtime-nodejs:20) is a separate image: build it with runtimes/nodejs/build.sh.
FROM node:20-slim
WORKDIR /app
# Dependencies first, so source edits do not reinstall them. tsx runs the TypeScript sources directly.
COPY package.json package-lock.json ./
RUN npm ci && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
ENV NODE_ENV=production \
    WHIRL_HOST=0.0.0.0 \
    WHIRL_PORT=3233
EXPOSE 3233
CMD ["npx", "tsx", "src/main.ts"]
