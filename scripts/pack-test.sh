#!/usr/bin/env bash
# Packaging test: what a user gets from `npm install @sluice/core` must work on its own.
#
# Builds, packs @sluice/core, installs the tarball (and nothing else) into a fresh project outside the
# workspace, then runs a TypeScript DAG through the packaged CLI:
#   npx sluice dags test hello --dags dags --date 2026-01-02 --json
# and checks the run and both tasks succeeded. No TypeScript is installed in that project: DAG files
# are loaded through tsx, which strips types.
#
# Usage: bash scripts/pack-test.sh   (or `pnpm run test:pack`)
# KEEP_PACK_TEST=1 keeps the temp folders even on success; on failure they are always kept.
set -euo pipefail

PNPM_VERSION=10.34.8
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# Behave like a user's shell, not like a child of `pnpm run`: pnpm exports these pnpm-only settings
# and npm (used below, also through npx) warns about each one.
unset npm_config_npm_globalconfig npm_config_verify_deps_before_run npm_config__jsr_registry

pnpm() { npx -y "pnpm@${PNPM_VERSION}" "$@"; }
say() { printf '\n\033[1m[pack-test] %s\033[0m\n' "$*"; }
fail() { printf '\n\033[31m[pack-test] FAIL: %s\033[0m\n' "$*" >&2; exit 1; }

PACK_DIR="$(mktemp -d /tmp/sluice-pack.XXXXXX)"
PROJECT="$(mktemp -d /tmp/sluice-pack-project.XXXXXX)"
cleanup() {
  local rc=$?
  if [[ $rc -eq 0 && -z "${KEEP_PACK_TEST:-}" ]]; then
    rm -rf "$PACK_DIR" "$PROJECT"
  else
    echo "[pack-test] kept for inspection: $PACK_DIR $PROJECT" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT

say "node $(node --version), npm $(npm --version)"

say "build"
pnpm run build

say "pack @sluice/core"
# pnpm pack rewrites workspace:* ranges (core has none today, plugins will).
(cd packages/core && pnpm pack --pack-destination "$PACK_DIR")
shopt -s nullglob
tarballs=("$PACK_DIR"/*.tgz)
shopt -u nullglob
[[ ${#tarballs[@]} -eq 1 ]] || fail "expected one tarball in $PACK_DIR, found ${#tarballs[@]}"
TARBALL="${tarballs[0]}"
echo "tarball: $TARBALL ($(du -h "$TARBALL" | cut -f1))"

contents="$(tar -tzf "$TARBALL")"
for required in package/package.json package/bin/sluice.js package/dist/index.js package/dist/index.d.ts package/ui/index.html package/ui/app.js; do
  grep -qx "$required" <<<"$contents" || fail "tarball is missing $required"
done
if grep -q 'tsbuildinfo$' <<<"$contents"; then echo "note: tarball contains a .tsbuildinfo file"; fi
echo "tarball has $(wc -l <<<"$contents") files"

say "fresh project in $PROJECT"
cd "$PROJECT"
printf '{ "name": "sluice-pack-test", "private": true, "type": "module" }\n' >package.json
npm install --no-audit --no-fund "$TARBALL"
if [[ -d node_modules/typescript ]]; then
  echo "note: typescript was installed as a dependency of @sluice/core"
else
  echo "typescript is not installed here (as intended)"
fi

say "import @sluice/core"
kind="$(node -e "import('@sluice/core').then(m => console.log(typeof m.dag))")"
[[ "$kind" == "function" ]] || fail "import('@sluice/core').dag is '$kind', expected 'function'"
echo "typeof dag: $kind"

say "sluice dags test hello"
mkdir -p dags
cat >dags/hello.ts <<'EOF'
import { dag } from '@sluice/core';
const d = dag({ id: 'hello', schedule: '@daily', start: '2026-01-01' });
const a = d.task('extract', async () => [1, 2, 3]);
d.task('load', { inputs: { rows: a } }, async (ctx, { rows }) => { ctx.log.info('loaded', { n: rows.length }); return rows.length; });
export default d;
EOF
# --no: use the packaged bin only; never fetch some other "sluice" from the registry.
set +e
npx --no sluice dags test hello --dags dags --date 2026-01-02 --json >out.json 2>err.log
rc=$?
set -e
echo "exit code: $rc"
echo "--- stdout"; cat out.json
echo "--- stderr"; cat err.log
echo "---"
[[ $rc -eq 0 ]] || fail "sluice dags test exited with $rc"

node - out.json <<'EOF' || fail "the --json result does not show a successful run of extract and load"
const fs = require('node:fs');
const text = fs.readFileSync(process.argv[2], 'utf8').trim();
let result;
try {
  result = JSON.parse(text);
} catch {
  // Tolerate log lines before the result; the result is the last line.
  const last = text.split('\n').filter((l) => l.trim()).pop() ?? '';
  try {
    result = JSON.parse(last);
    console.log('note: stdout had more than the JSON result; parsed its last line');
  } catch {
    console.error('stdout is not JSON');
    process.exit(1);
  }
}
const problems = [];
if (result.dagId !== 'hello') problems.push(`dagId is ${JSON.stringify(result.dagId)}, expected "hello"`);
if (result.state !== 'success') problems.push(`run state is ${JSON.stringify(result.state)}, expected "success"`);
const tasks = Array.isArray(result.tasks) ? result.tasks : [];
for (const id of ['extract', 'load']) {
  const t = tasks.find((x) => x.taskId === id);
  if (!t) problems.push(`task ${id} missing from result.tasks`);
  else if (t.state !== 'success') problems.push(`task ${id} state is ${JSON.stringify(t.state)}, expected "success"`);
}
if (problems.length) {
  console.error(problems.map((p) => `  - ${p}`).join('\n'));
  process.exit(1);
}
console.log(`run ${result.runId}: ${result.state}; tasks: ${tasks.map((t) => `${t.taskId}=${t.state}`).join(', ')}`);
EOF

say "OK: packaged @sluice/core runs a TypeScript DAG"
