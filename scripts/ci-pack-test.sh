#!/usr/bin/env bash
# The package as users get it: pack the tarball, install it into an empty folder, and run the README's
# "Your own project" block there, word for word. Called from .ci/run before `npm test`.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$repo"
tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "packed $tarball"
# What a user's install needs must be in the tarball; what only development needs must not.
listing="$(tar -tzf "$work/$tarball")"
for f in package/LICENSE package/bin/cdp.js package/dist/cli/main.js package/cdp.config.yaml package/models/identity.yaml package/connectors/hubspot_contacts.yaml package/schemas/cdp.config.schema.json package/node_modules/@cdp-oss/crm-sandbox/dist/index.js; do
  grep -qx "$f" <<<"$listing" || { echo "ci-pack-test: $f is missing from the tarball" >&2; exit 1; }
done
# The CRM sandboxes (packages/crm-sandbox) travel bundled; their own dependencies are cdp's, not copies.
if grep -q '^package/node_modules/' <<<"$listing" && grep -v '^package/node_modules/@cdp-oss/crm-sandbox/' <<<"$listing" | grep -q '^package/node_modules/'; then
  echo "ci-pack-test: the tarball bundles more than @cdp-oss/crm-sandbox:" >&2
  grep '^package/node_modules/' <<<"$listing" | grep -v '/@cdp-oss/crm-sandbox/' | head >&2
  exit 1
fi
if grep -q '^package/\(src\|test\|data\|\.cdp\)/' <<<"$listing"; then
  echo "ci-pack-test: the tarball holds development files:" >&2
  grep '^package/\(src\|test\|data\|\.cdp\)/' <<<"$listing" | head >&2
  exit 1
fi

mkdir "$work/app"
cd "$work/app"
# No CRM secrets: validate and build must not need them.
unset HUBSPOT_ACCESS_TOKEN SF_CLIENT_ID SF_USERNAME SF_PRIVATE_KEY CDP_TARGET || true
npm install --no-audit --no-fund --loglevel=error "$work/$tarball"
# The warehouse SDKs are optional peers: not installed unless asked for.
for sdk in @google-cloud/bigquery snowflake-sdk; do
  if [ -d "node_modules/$sdk" ]; then echo "ci-pack-test: $sdk was installed, but it is optional" >&2; exit 1; fi
done
npx cdp --version
# The README's "Your own project" block, word for word, as a user of the installed package runs it.
block="$(awk '/^Your own project/{found=1} found && /^```sh$/{inside=1; next} inside && /^```$/{exit} inside{print}' "$repo/README.md")"
[ -n "$block" ] || { echo "ci-pack-test: no \"Your own project\" block in README.md" >&2; exit 1; }
printf '%s\n' "$block"
out="$(bash -euo pipefail -c "$block")"
printf '%s\n' "$out"
grep -q '^profile p_' <<<"$out" || { echo "ci-pack-test: the README's cdp inspect found no profile" >&2; exit 1; }
cd my-project
npx cdp ls --select 'segment:*'

# `cdp sandbox` runs from the installed package (the bundled @cdp-oss/crm-sandbox), answers, and stops on SIGTERM.
: > "$work/sandbox.out"  # created before the background start, so the first read below never races it
./../node_modules/.bin/cdp sandbox --port-hubspot 0 --port-salesforce 0 > "$work/sandbox.out" 2>&1 &
sandbox_pid=$!
hubspot_url=""
for _ in $(seq 1 100); do
  hubspot_url="$(sed -n 's/^HubSpot sandbox *\(http[^ ]*\).*/\1/p' "$work/sandbox.out")"
  [ -n "$hubspot_url" ] && break
  kill -0 "$sandbox_pid" 2>/dev/null || break
  sleep 0.2
done
[ -n "$hubspot_url" ] || { cat "$work/sandbox.out" >&2; echo "ci-pack-test: cdp sandbox did not start" >&2; kill "$sandbox_pid" 2>/dev/null || true; exit 1; }
node -e 'fetch(process.argv[1] + "/__sandbox/state").then(async (r) => { if (r.status !== 200 || !("objects" in await r.json())) process.exit(1); })' "$hubspot_url" \
  || { echo "ci-pack-test: the HubSpot sandbox at $hubspot_url did not answer /__sandbox/state" >&2; kill "$sandbox_pid"; exit 1; }
kill -TERM "$sandbox_pid"
wait "$sandbox_pid" || { cat "$work/sandbox.out" >&2; echo "ci-pack-test: cdp sandbox did not stop cleanly" >&2; exit 1; }
echo "cdp sandbox: ok ($hubspot_url)"

# A BigQuery warehouse without its SDK installed says what to install: debug's warehouse check fails (exit 1).
mkdir ../bqproj
cd ../bqproj
printf 'project: p\nwarehouse: { type: bigquery, projectId: p }\n' > cdp.config.yaml
set +e
out="$(npx cdp debug 2>&1)"
code=$?
set -e
echo "$out"
if [ "$code" -ne 1 ] || ! grep -q 'missing-driver.*(npm install @google-cloud/bigquery)' <<<"$out"; then
  echo "ci-pack-test: expected cdp debug on BigQuery to exit 1 and name the package to install (exit $code)" >&2
  exit 1
fi
echo "ci-pack-test: ok"
