# cdp in a container: `docker build -t cdp .`, then run it on a project mounted at /project, e.g.
#   docker run --rm -v "$PWD:/project" -e HUBSPOT_ACCESS_TOKEN cdp run --json
# The image holds the package as `npm pack` makes it (what `npm install @cdp-oss/cdp` installs).
# BigQuery / Snowflake clients are optional: --build-arg WAREHOUSE_SDKS="@google-cloud/bigquery snowflake-sdk".

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# the workspace package of the CRM sandboxes (bundled into the tarball for `cdp sandbox`): npm ci links it
COPY packages/crm-sandbox/package.json ./packages/crm-sandbox/
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json cdp.config.yaml LICENSE README.md ./
COPY bin ./bin
COPY src ./src
COPY packages/crm-sandbox ./packages/crm-sandbox
COPY schemas ./schemas
COPY models ./models
COPY connectors ./connectors
COPY docs ./docs
RUN npm run build \
 && npm pack --ignore-scripts --pack-destination /tmp \
 && mv /tmp/cdp-oss-cdp-*.tgz /tmp/cdp.tgz

FROM node:20-bookworm-slim
ARG WAREHOUSE_SDKS=""
COPY --from=build /tmp/cdp.tgz /tmp/cdp.tgz
# hadolint ignore=DL3016
RUN npm install --global --no-audit --no-fund /tmp/cdp.tgz ${WAREHOUSE_SDKS} \
 && rm /tmp/cdp.tgz \
 && npm cache clean --force
# the base image's `node` user
USER 1000:1000
WORKDIR /project
ENTRYPOINT ["cdp"]
CMD ["--help"]
