#!/usr/bin/env bash
# Install sqlglot (PyPI), which test/compile/compiled-sql-parses.test.ts uses to parse every file
# `cdp compile` writes, in its own dialect.
#
#   bash scripts/install-sqlglot.sh                       # into <repo>/.venv/sqlglot
#   CDP_SQLGLOT_VENV=/some/dir bash scripts/install-sqlglot.sh
#
# The test looks for $CDP_SQLGLOT_VENV/bin/python, else <repo>/.venv/sqlglot/bin/python. Its own
# venv, because the emulators pin other sqlglot versions. Idempotent; needs Python >= 3.9.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CDP_SQLGLOT_VENV:-$ROOT/.venv/sqlglot}"
PYTHON_BIN="${PYTHON:-python3}"
VERSION="30.30.0"

if [[ -x "$VENV/bin/python" ]] && [[ "$("$VENV/bin/python" -c 'import sqlglot; print(sqlglot.__version__)' 2>/dev/null)" == "$VERSION" ]]; then
  echo "install-sqlglot: sqlglot $VERSION already installed in $VENV"
  exit 0
fi
if [[ ! -x "$VENV/bin/python" ]]; then
  mkdir -p "$(dirname "$VENV")"
  "$PYTHON_BIN" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --disable-pip-version-check --quiet "sqlglot==$VERSION"
echo "install-sqlglot: sqlglot $VERSION installed in $VENV"
