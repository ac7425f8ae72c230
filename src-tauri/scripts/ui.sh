#!/usr/bin/env bash
# Builds ui/dist, which the app embeds. Before ui/ exists, a placeholder page lets the app
# compile (ui/dist is not committed).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ -f "$root/ui/package.json" ]; then
    cd "$root/ui"
    [ -d node_modules ] || npm ci --no-audit --no-fund
    npm run build
elif [ ! -f "$root/ui/dist/index.html" ]; then
    mkdir -p "$root/ui/dist"
    echo '<!doctype html><meta charset="utf-8"><title>Postroom</title><p>Postroom</p>' \
        > "$root/ui/dist/index.html"
fi
