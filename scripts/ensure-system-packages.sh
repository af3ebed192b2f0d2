#!/usr/bin/env bash
# Debian packages the test suite needs beyond Node: Chromium, for the web UI's browser tests.
#
# Installs them with apt-get when they are missing and this shell may (root, or passwordless sudo).
# Otherwise it prints what to install and returns 0: the browser test then fails with the same advice
# (it never skips silently). Point SLUICE_CHROMIUM at another Chromium/Chrome binary to use that one.
set -euo pipefail

if [[ -n "${SLUICE_CHROMIUM:-}" ]]; then
  [[ -x "$SLUICE_CHROMIUM" ]] && exit 0
  echo "SLUICE_CHROMIUM=$SLUICE_CHROMIUM is not an executable file" >&2
  exit 0
fi
command -v chromium >/dev/null 2>&1 && exit 0

as_root=()
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root=(sudo -n); else as_root=(); fi
fi
if command -v apt-get >/dev/null 2>&1 && { [[ "$(id -u)" == 0 ]] || [[ ${#as_root[@]} -gt 0 ]]; }; then
  echo "Installing Debian's chromium for the web UI browser tests (apt-get)…"
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get install -y -qq chromium >/dev/null 2>&1 ||
    { "${as_root[@]}" apt-get update -qq && "${as_root[@]}" apt-get install -y -qq chromium >/dev/null; }
  command -v chromium >/dev/null 2>&1 && { echo "chromium: $(chromium --version 2>/dev/null || echo installed)"; exit 0; }
fi
echo "WARNING: chromium is not installed; the web UI browser tests will fail." >&2
echo "         Install it (Debian: apt-get install chromium) or set SLUICE_CHROMIUM to a Chromium binary." >&2
exit 0
