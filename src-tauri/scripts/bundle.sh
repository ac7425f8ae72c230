#!/usr/bin/env bash
# Builds the desktop app's Debian package (the `make bundle` of the desktop app): the control
# panel (ui/), then the release programs and src-tauri/target/release/bundle/deb/*.deb.
# `--debug`: a debug build in target/debug/bundle/deb instead (fast; CI installs it with
# deb_test.sh --debug). Windows and macOS installers are built by .github/workflows/release.yml.
set -euo pipefail
tauri_dir=$(cd "$(dirname "$0")/.." && pwd)
root=$(dirname "$tauri_dir")

"$tauri_dir/scripts/ui.sh"
cd "$tauri_dir"
[ -x node_modules/.bin/tauri ] || npm ci --no-audit --no-fund
profile=release
[ "${1:-}" = "--debug" ] && profile=debug
rm -f "$tauri_dir/target/$profile/bundle/deb/"*.deb
npx tauri build ${1:+"$1"} --bundles deb
ls -l "$tauri_dir/target/$profile/bundle/deb/"*.deb
