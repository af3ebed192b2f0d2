#!/usr/bin/env bash
# Debian packages the test suite needs beyond Node: Chromium, for the web UI's browser tests, and
# PgBouncer, for the transaction-pooling tests (packages/core/test/distributed/pgbouncer.test.ts).
#
# Installs them with apt-get when they are missing and this shell may (root, or passwordless sudo).
# Otherwise it prints what to install and returns 0: the browser test then fails with the same advice
# (it never skips silently). Point SLUICE_CHROMIUM at another Chromium/Chrome binary to use that one.
set -euo pipefail

missing=()
if [[ -n "${SLUICE_CHROMIUM:-}" ]]; then
  [[ -x "$SLUICE_CHROMIUM" ]] || echo "SLUICE_CHROMIUM=$SLUICE_CHROMIUM is not an executable file" >&2
else
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fi
[[ -x /usr/sbin/pgbouncer ]] || command -v pgbouncer >/dev/null 2>&1 || missing+=(pgbouncer)
[[ ${#missing[@]} -eq 0 ]] && exit 0

as_root=()
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root=(sudo -n); else as_root=(); fi
fi
if command -v apt-get >/dev/null 2>&1 && { [[ "$(id -u)" == 0 ]] || [[ ${#as_root[@]} -gt 0 ]]; }; then
  echo "Installing Debian packages for the tests (apt-get): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 ||
    { "${as_root[@]}" apt-get update -qq && "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null; } && exit 0
fi
echo "WARNING: not installed: ${missing[*]}; the tests that need them will fail." >&2
echo "         Install them (Debian: apt-get install ${missing[*]}); SLUICE_CHROMIUM may name another Chromium binary." >&2
exit 0
