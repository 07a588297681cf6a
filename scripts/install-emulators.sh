#!/usr/bin/env bash
# Install the local BigQuery / Snowflake emulators used by test/conformance.
#
#   bash scripts/install-emulators.sh            # both, into <repo>/.venv/emulators/{bigquery,snowflake}
#   bash scripts/install-emulators.sh bigquery   # just one
#   CDP_EMULATOR_VENV_ROOT=/some/dir bash scripts/install-emulators.sh
#
# Idempotent: a run with nothing changed only verifies the install (~3 s).
# A fresh install downloads ~100 wheels from PyPI: ~110 s for both on a 2-core
# machine with an empty pip cache (~70 s BigQuery, ~40 s Snowflake), ~95 s warm.
# Needs Python >= 3.11 (`python3`, or $PYTHON). .venv/ is gitignored.
#
# One venv per emulator, because they pin incompatible sqlglot versions:
#   bigquery:  bqemulator 1.4.0 (needs sqlglot <30.12) + numpy (used by its
#              UDFs, not declared). bqemulator 1.3.0 accepts newer sqlglot but
#              then breaks on DROP VIEW.
#   snowflake: fakesnow[server] 0.12.1 (needs sqlglot ~=30.22)
#              + snowflake-connector-python 4.8.1 (fakesnow breaks with 5.x).
# Every transitive version is pinned in scripts/emulators/<kind>-constraints.txt.
#
# Tests start the emulators through test/conformance/emulator_launcher.py,
# which also patches what they would otherwise fetch from the network.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_ROOT="${CDP_EMULATOR_VENV_ROOT:-$ROOT/.venv/emulators}"
PYTHON_BIN="${PYTHON:-python3}"
LAUNCHER="$ROOT/test/conformance/emulator_launcher.py"

packages_for() {
  case "$1" in
    bigquery) echo "bqemulator==1.4.0 numpy==2.4.6" ;;
    snowflake) echo "fakesnow[server]==0.12.1 snowflake-connector-python==4.8.1" ;;
    *) echo "install-emulators: unknown emulator '$1' (bigquery|snowflake)" >&2; exit 2 ;;
  esac
}

install_one() {
  local kind="$1"
  local venv="$VENV_ROOT/$kind"
  local constraints="$ROOT/scripts/emulators/$kind-constraints.txt"
  local stamp="$venv/.cdp-emulator.stamp"
  local want
  want="$(cat "${BASH_SOURCE[0]}" "$constraints" | sha256sum | cut -d' ' -f1)"

  if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]] &&
    "$venv/bin/python" "$LAUNCHER" check "$kind" >/dev/null 2>&1; then
    echo "install-emulators: $kind already installed in $venv"
    return 0
  fi

  local start
  start=$(date +%s)
  if [[ ! -x "$venv/bin/python" ]]; then
    "$PYTHON_BIN" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "install-emulators: Python >= 3.11 required, found " + sys.version.split()[0])'
    mkdir -p "$VENV_ROOT"
    "$PYTHON_BIN" -m venv "$venv"
  fi
  # shellcheck disable=SC2046 # word splitting of the package list is intended
  "$venv/bin/python" -m pip install --disable-pip-version-check --quiet \
    --constraint "$constraints" $(packages_for "$kind")
  if ! "$venv/bin/python" "$LAUNCHER" check "$kind"; then
    echo "install-emulators: $kind emulator installed but not importable" >&2
    return 1
  fi
  echo "$want" >"$stamp"
  echo "install-emulators: $kind installed in $(($(date +%s) - start)) s"
}

kinds=("$@")
[[ ${#kinds[@]} -gt 0 ]] || kinds=(bigquery snowflake)
for kind in "${kinds[@]}"; do
  packages_for "$kind" >/dev/null
  install_one "$kind"
done
