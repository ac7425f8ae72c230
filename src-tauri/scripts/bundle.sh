#!/usr/bin/env bash
# Builds the desktop app's Debian package (the `make bundle` of the desktop app): the control
# panel (ui/), then the release app and src-tauri/target/release/bundle/deb/*.deb.
# Windows and macOS installers are built by .github/workflows/release.yml.
set -euo pipefail
tauri_dir=$(cd "$(dirname "$0")/.." && pwd)
root=$(dirname "$tauri_dir")

"$tauri_dir/scripts/ui.sh"
cd "$tauri_dir"
[ -x node_modules/.bin/tauri ] || npm ci --no-audit --no-fund
npx tauri build --bundles deb
ls -l "$tauri_dir"/target/release/bundle/deb/*.deb
