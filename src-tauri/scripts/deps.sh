#!/usr/bin/env bash
# Installs what building and testing the desktop app needs on Debian 12, when missing
# (/work/shared/DESKTOP-BUILD.md): WebKitGTK and GTK headers, the tray library, Xvfb, D-Bus,
# the WebDriver for WebKitGTK, python3-xlib; then tauri-driver.
set -euo pipefail
packages=(libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev
    libssl-dev build-essential pkg-config file xvfb xauth dbus-x11 at-spi2-core
    fonts-dejavu-core fonts-noto-cjk imagemagick webkit2gtk-driver python3-xlib)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
command -v tauri-driver >/dev/null || cargo install tauri-driver --locked --version ^2
