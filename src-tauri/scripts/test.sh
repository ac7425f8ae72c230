#!/usr/bin/env bash
# The desktop smoke test: builds the debug app (the tray app and the window program, and the
# `postroom` engine it starts) and drives it under Xvfb: the tray app starts its engine and
# opens its window process; closing it ends the webview's processes; a killed engine is
# started again; a window driven through tauri-driver (WebDriver for WebKitGTK) shows the
# dashboard with the engine's data; the tray's Open and a second launch show the window
# again; the tray pauses receiving and sets the start-up options; Quit ends it all.
# Idempotent; everything it starts (Xvfb, D-Bus, tauri-driver, the app) it ends by PID.
set -euo pipefail
tauri_dir=$(cd "$(dirname "$0")/.." && pwd)
scripts="$tauri_dir/scripts"

"$scripts/deps.sh"
"$scripts/ui.sh"
(cd "$tauri_dir" && cargo build --quiet)
app="$tauri_dir/target/debug/postroom-desktop"
window="$tauri_dir/target/debug/postroom-window"
# The engine the tray app runs as its child: the server's own program, from the root workspace
# (installed next to the tray app by the .deb and the Windows installers).
root=$(dirname "$tauri_dir")
(cd "$root" && cargo build --quiet -p cli)
POSTROOM_ENGINE="$(cd "$root" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/postroom"
export POSTROOM_ENGINE

source "$scripts/xsession.sh"

postroom_data
# The setup wizard has run (crates/engine/src/api/setup.rs): the window shows the dashboard.
touch "$POSTROOM_DATA/setup-done"

# tauri-driver on free loopback ports (for it and WebKitWebDriver); another process may take
# a port between the choice and the bind: then choose again.
for _ in 1 2 3; do
    read -r wd native < <(/usr/bin/python3 "$scripts/free_ports.py" 2)
    tauri-driver --port "$wd" --native-port "$native" >"$work/driver.log" 2>&1 &
    driver=$!
    until curl -fs -o /dev/null "http://127.0.0.1:$wd/status" || ! kill -0 "$driver" 2>/dev/null; do
        sleep 0.1
    done
    kill -0 "$driver" 2>/dev/null && break
done
pids+=("$driver")

status=0
/usr/bin/python3 "$scripts/desktop_test.py" --app "$app" --window "$window" --driver "http://127.0.0.1:$wd" \
    --smtp "127.0.0.1:$smtp" --admin "127.0.0.1:$admin" \
    --out "${DESKTOP_TEST_OUT:-$tauri_dir/target/desktop-test}" || status=$?
if [ "$status" -ne 0 ]; then
    echo "--- tauri-driver log"; tail -n 50 "$work/driver.log"
fi
exit "$status"
