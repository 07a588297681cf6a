#!/usr/bin/env bash
# Headless Chromium from the Debian packages, for the browser tests of `cdp report` and `cdp inspect --html`
# (test/report/). puppeteer-core drives this system browser; nothing is downloaded by npm.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "chromium: $(chromium --version 2>/dev/null || echo present)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core
chromium --version
