#!/usr/bin/env bash
# The control panel's checks: install (chromium via apt if missing, npm ci), build, unit tests
# (vitest), then the end-to-end tests in Debian's chromium against a real `postroom serve`.
# The caller builds the server first: `cargo build -p cli` (target/debug/postroom; override
# with POSTROOM_BIN). Safe to run again and again. SKIP_E2E=1 stops after the unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${SKIP_E2E:-}" ] && ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
fi

npm ci --no-audit --no-fund
npm run build
npm test

if [ -n "${SKIP_E2E:-}" ]; then
    exit 0
fi
bin="${POSTROOM_BIN:-../target/debug/postroom}"
if [ ! -x "$bin" ]; then
    echo "ui/scripts/test.sh: $bin is missing; run \`cargo build -p cli\` first" >&2
    exit 1
fi
npm run e2e
