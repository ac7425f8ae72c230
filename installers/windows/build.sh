#!/usr/bin/env bash
# Builds Postroom's Windows installers on Debian (the same script runs in CI and in the
# release workflow, see installers/README.md):
#   dist/windows/Postroom-<version>-x64-en-US.msi   (wixl, from postroom.wxs)
#   dist/windows/Postroom-<version>-x64-zh-CN.msi
#   dist/windows/Postroom-<version>-x64-setup.exe   (makensis, from postroom.nsi)
# It installs what it needs when missing (rustup target, MinGW-w64, wixl, NSIS), builds ui/dist,
# cross-builds postroom.exe (the workspace) and postroom-desktop.exe / postroom-window.exe
# (src-tauri) for x86_64-pc-windows-gnu in release mode into ONE target directory, strips them
# and packs them.
#
#   --package-only   reuse the programs staged by an earlier run, only repack (seconds);
#                    wine_test.sh uses it with VERSION=... to make the upgrade's second version.
# Environment:
#   VERSION            the product version (default: [workspace.package] version in Cargo.toml)
#   CARGO_TARGET_DIR   default target/windows (shared by both cargo workspaces)
#   UI=1               rebuild ui/dist even if it exists
#   LANGS="en-US zh-CN"  the MSIs to make; SETUP=0 skips setup.exe (the upgrade test needs
#                      one MSI only, and makensis's LZMA takes minutes)
#   WEBVIEW2_BOOTSTRAPPER  path of MicrosoftEdgeWebview2Setup.exe to bundle into setup.exe;
#                    the release workflow downloads it; a local build goes without (the
#                    installed postroom-window.exe then opens the panel in the browser when
#                    WebView2 is missing).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/installers/windows"
triple=x86_64-pc-windows-gnu
log() { printf '[windows/build] %s\n' "$*" >&2; }

package_only=0
for arg in "$@"; do
    case "$arg" in
        --package-only) package_only=1 ;;
        *) echo "usage: $0 [--package-only]" >&2; exit 2 ;;
    esac
done

workspace_version() {
    # The first `version = "..."` after [workspace.package].
    awk '/^\[workspace\.package\]/{p=1; next} /^\[/{p=0} p && /^version *=/{gsub(/[" ]/,""); split($0,a,"="); print a[2]; exit}' \
        "$root/Cargo.toml"
}
version=${VERSION:-$(workspace_version)}
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "bad version '$version'" >&2; exit 2; }

# ---- tools (installed once; every later run finds them) ----
need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for p in gcc-mingw-w64-x86-64 wixl msitools nsis imagemagick; do have "$p" || need+=("$p"); done
if [ "${#need[@]}" -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    log "installing: ${need[*]}"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi
if [ "$package_only" = 0 ] && ! rustup target list --installed | grep -qx "$triple"; then
    log "rustup target add $triple"
    rustup target add "$triple"
fi

out="$root/dist/windows"
stage="$out/stage"
mkdir -p "$stage"
exes=(postroom.exe postroom-desktop.exe postroom-window.exe)

if [ "$package_only" = 0 ]; then
    export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target/windows}
    export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
    # One release profile for both workspaces (theirs differ: debug line tables in the root,
    # thin LTO in src-tauri), sized for the installers (≤ 15 MB each, bench/RESULTS.md):
    # no debug info, whole-program LTO in one codegen unit (drops what no program calls),
    # optimised for size except where time goes (password hashing, digests, SQLite's C,
    # ring). Panics still unwind: a panicking session must not end the server.
    export CARGO_PROFILE_RELEASE_DEBUG=false
    export CARGO_PROFILE_RELEASE_STRIP=true
    export CARGO_PROFILE_RELEASE_LTO=fat
    export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
    export CARGO_PROFILE_RELEASE_OPT_LEVEL=s
    fast=()
    for package in argon2 blake2 sha2 libsqlite3-sys ring; do
        fast+=(--config "profile.release.package.$package.opt-level=3")
    done
    # The engine embeds ui/dist: rebuilding it (new mtimes) recompiles the engine twice over,
    # so an existing ui/dist is used as it is (scripts/test and a fresh checkout build it
    # first; UI=1 forces a rebuild).
    if [ ! -f "$root/ui/dist/index.html" ] || [ "${UI:-0}" = 1 ]; then
        log "ui/dist"
        "$root/src-tauri/scripts/ui.sh" >/dev/null
    fi
    log "cargo build --release --target $triple -p cli (target dir $CARGO_TARGET_DIR)"
    (cd "$root" && cargo build --release --target "$triple" "${fast[@]}" -p cli)
    # tauri/custom-protocol: what `tauri build` adds for a release (assets served from the
    # binary, not from a dev server).
    log "cargo build --release --target $triple (src-tauri)"
    (cd "$root/src-tauri" && cargo build --release --target "$triple" "${fast[@]}" --bins --features tauri/custom-protocol)
    for exe in "${exes[@]}"; do
        x86_64-w64-mingw32-strip -o "$stage/$exe" "$CARGO_TARGET_DIR/$triple/release/$exe"
    done
fi
for exe in "${exes[@]}"; do
    [ -f "$stage/$exe" ] || { echo "$stage/$exe missing: run without --package-only first" >&2; exit 1; }
done
cp "$root/LICENSE" "$stage/LICENSE.txt"
[ -f "$root/icons/icon.ico" ] || (cd "$root/icons" && convert icon.png -define icon:auto-resize=256,128,64,48,32,16 icon.ico)
cp "$root/icons/icon.ico" "$stage/postroom.ico"

# ---- MSI, one per language (wixl has no .wxl localisation: postroom.wxs branches on Lang) ----
for lang in ${LANGS:-en-US zh-CN}; do
    msi="$out/Postroom-$version-x64-$lang.msi"
    log "wixl -> $(basename "$msi")"
    rm -f "$msi"
    # wixl 0.101 finds File/@Source relative to the working directory only.
    (cd "$stage" && wixl -a x64 -D Version="$version" -D Lang="$lang" -o "$msi" "$here/postroom.wxs" 2>&1 \
        | { grep -v 'builder.vala:[0-9]*: unimplemented' || true; })
    [ -s "$msi" ] || { echo "wixl failed for $lang" >&2; exit 1; }
    # wixl writes the summary's Template as "x64;1033" whatever the language: the package's
    # language (what Windows Installer shows its own texts in) is set here.
    if [ "$lang" = zh-CN ]; then
        revision=$(msiinfo suminfo "$msi" | sed -n 's/^Revision number (UUID): //p')
        msibuild "$msi" -s "Postroom 邮件服务器" Postroom "x64;2052" "$revision"
    fi
done

# ---- NSIS setup.exe (asks for the language) ----
if [ "${SETUP:-1}" = 0 ]; then ls -l "$out"/Postroom-"$version"-x64-*; exit 0; fi
setup="$out/Postroom-$version-x64-setup.exe"
nsis_defs=(-DVERSION="$version" -DSTAGE="$stage" -DOUTFILE="$setup")
if [ -n "${WEBVIEW2_BOOTSTRAPPER:-}" ]; then
    nsis_defs+=(-DWEBVIEW2_BOOTSTRAPPER="$WEBVIEW2_BOOTSTRAPPER")
else
    log "WEBVIEW2_BOOTSTRAPPER unset: setup.exe is built without the WebView2 bootstrapper (the release workflow bundles it)"
fi
log "makensis -> $(basename "$setup")"
makensis -V2 -INPUTCHARSET UTF8 "${nsis_defs[@]}" "$here/postroom.nsi"

ls -l "$out"/Postroom-"$version"-x64-*
