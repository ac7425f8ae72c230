#!/usr/bin/env bash
# Builds the desktop app's Debian package (the `make bundle` of the desktop app): the control
# panel (ui/), then the release programs and src-tauri/target/release/bundle/deb/*.deb.
# `--debug`: a debug build in target/debug/bundle/deb instead (fast; CI installs it with
# deb_test.sh --debug). The package also carries the server's own program, /usr/bin/postroom
# (built here from the root workspace), and the systemd unit installers/linux/postroom.service
# with its maintainer scripts (tauri.conf.json, bundle.linux.deb). Windows installers:
# installers/windows/build.sh; macOS: .github/workflows/release.yml.
set -euo pipefail
tauri_dir=$(cd "$(dirname "$0")/.." && pwd)
root=$(dirname "$tauri_dir")

"$tauri_dir/scripts/ui.sh"
cd "$tauri_dir"
[ -x node_modules/.bin/tauri ] || npm ci --no-audit --no-fund
profile=release
[ "${1:-}" = "--debug" ] && profile=debug
rm -f "$tauri_dir/target/$profile/bundle/deb/"*.deb
# /usr/bin/postroom, the program postroom.service starts.
cli_flags=()
cli_env=()
cli_target=$(cd "$root" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
if [ "$profile" = release ]; then
    # Sized for the package (≤ 15 MB, bench/RESULTS.md) as installers/windows/build.sh sizes
    # postroom.exe: whole-program LTO in one codegen unit, optimised for size except where
    # time goes (password hashing, digests, SQLite's C, ring). Its own target directory, so
    # the benchmarks' default release build is not rebuilt each time.
    cli_flags=(--release)
    for package in argon2 blake2 sha2 libsqlite3-sys ring; do
        cli_flags+=(--config "profile.release.package.$package.opt-level=3")
    done
    cli_target="$cli_target/package"
    cli_env=(CARGO_TARGET_DIR="$cli_target" CARGO_PROFILE_RELEASE_DEBUG=false
        CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
        CARGO_PROFILE_RELEASE_OPT_LEVEL=s)
fi
(cd "$root" && env "${cli_env[@]}" cargo build "${cli_flags[@]}" -p cli)
# Without debug info (a debug build's is about 300 MB of it).
mkdir -p "$tauri_dir/target/$profile"
strip -o "$tauri_dir/target/$profile/postroom-cli" "$cli_target/$profile/postroom"
cli_files=$(printf '{"bundle":{"linux":{"deb":{"files":{"/usr/bin/postroom":"%s"}}}}}' "$tauri_dir/target/$profile/postroom-cli")
npx tauri build ${1:+"$1"} --bundles deb --config "$cli_files"
ls -l "$tauri_dir/target/$profile/bundle/deb/"*.deb
