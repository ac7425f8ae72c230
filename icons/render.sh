#!/usr/bin/env bash
# Renders the app and tray icons from their SVG sources (needs librsvg2-bin, imagemagick,
# icnsutils). The PNG, ICO and ICNS files are committed; run this after editing an SVG.
set -euo pipefail
cd "$(dirname "$0")"
rsvg-convert -w 512 -h 512 icon.svg -o icon.png
rsvg-convert -w 32 -h 32 icon.svg -o 32x32.png
rsvg-convert -w 128 -h 128 icon.svg -o 128x128.png
rsvg-convert -w 256 -h 256 icon.svg -o 128x128@2x.png
convert icon.png -define icon:auto-resize=256,128,64,48,32,16 icon.ico
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for size in 16 32 48 128 256 512; do
    rsvg-convert -w "$size" -h "$size" icon.svg -o "$tmp/$size.png"
done
png2icns icon.icns "$tmp"/{16,32,48,128,256,512}.png >/dev/null
for state in running warning stopped; do
    rsvg-convert -w 64 -h 64 "tray/$state.svg" -o "tray/$state.png"
done
