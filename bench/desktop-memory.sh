#!/usr/bin/env bash
# Desktop app footprint: the .deb's size, and the proportional set size (PSS, from
# /proc/*/smaps_rollup) summed over the app's processes (the tray app, its engine process
# `postroom serve`, its window process and WebKit's web and network processes) under Xvfb: with the control panel open, then with the
# window closed (the app in the tray: the window's processes have ended), then started in the
# tray and never opened; side by side with an empty Tauri window (src-tauri/examples/
# empty.rs), as it comes and with the window's WebKit settings (no compositing).
# Targets: installer <= 15 MB; open <= empty + 40 MB; hidden <= 60 MB.
#
# Needs the release build: src-tauri/scripts/bundle.sh (run here when the .deb is missing).
# Everything it starts (Xvfb, D-Bus, the apps) it ends by PID.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tauri_dir="$root/src-tauri"
settle=${SETTLE_SECS:-8}

"$tauri_dir/scripts/deps.sh" >/dev/null
deb=$(ls "$tauri_dir"/target/release/bundle/deb/*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
    "$tauri_dir/scripts/bundle.sh"
    deb=$(ls "$tauri_dir"/target/release/bundle/deb/*.deb | head -n 1)
fi
(cd "$tauri_dir" && cargo build --quiet --release --example empty)
app="$tauri_dir/target/release/postroom-desktop"
# The engine the tray app starts as its child (`postroom serve`; /usr/bin/postroom from the
# .deb): the stripped release build bundle.sh packed. Its PSS is counted with the app's.
export POSTROOM_ENGINE="$tauri_dir/target/release/postroom-cli"
empty="$tauri_dir/target/release/examples/empty"

source "$tauri_dir/scripts/xsession.sh"

# PSS in KiB summed over PID and its descendants.
pss_tree() {
    /usr/bin/python3 - "$1" <<'PY'
import os, sys
root = int(sys.argv[1])
children = {}
for p in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open(f"/proc/{p}/stat") as f:
            ppid = int(f.read().rsplit(") ", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(p))
    except OSError:
        pass
total, todo, names = 0, [root], []
while todo:
    pid = todo.pop()
    todo += children.get(pid, [])
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            total += next(int(l.split()[1]) for l in f if l.startswith("Pss:"))
        with open(f"/proc/{pid}/comm") as f:
            names.append(f.read().strip())
    except (OSError, StopIteration):
        pass
print(total, "+".join(sorted(names)))
PY
}

# Sends WM_DELETE_WINDOW (ICCCM §4.2.8.1) to every top-level window titled Postroom.
close_window() {
    /usr/bin/python3 - <<'PY'
from Xlib import X, display, protocol
d = display.Display()
protocols, delete = d.intern_atom("WM_PROTOCOLS"), d.intern_atom("WM_DELETE_WINDOW")
for w in d.screen().root.query_tree().children:
    if w.get_attributes().map_state == X.IsViewable and w.get_wm_name() == "Postroom":
        w.send_event(protocol.event.ClientMessage(
            window=w, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])))
d.flush()
PY
}

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# The app, on a data directory (and a throwaway HOME) with a domain (so the dashboard
# shows, not the wizard).
postroom_data
"$app" >"$work/app.log" 2>&1 &
app_pid=$!
pids+=("$app_pid")
for _ in $(seq 300); do
    curl -fs -o /dev/null "http://127.0.0.1:$admin/api/status" \
        -H "Authorization: Bearer $(cat "$POSTROOM_DATA/admin-token" 2>/dev/null)" && break
    sleep 0.2
done
curl -fs -o /dev/null -X POST "http://127.0.0.1:$admin/api/domains" \
    -H "Authorization: Bearer $(cat "$POSTROOM_DATA/admin-token")" \
    -H "Content-Type: application/json" -d '{"name":"example.test","dkim":"none"}'
# The window opened before the domain existed: close it and open it again (a second launch).
sleep "$settle"; close_window; sleep 2
"$app" >/dev/null 2>&1 || true
sleep "$settle"
read -r open_kib open_procs < <(pss_tree "$app_pid")
close_window
sleep "$settle"
read -r hidden_kib hidden_procs < <(pss_tree "$app_pid")
kill "$app_pid"; wait "$app_pid" 2>/dev/null || true

"$app" --minimized >"$work/app.log" 2>&1 &
app_pid=$!
pids+=("$app_pid")
sleep "$settle"
read -r minimized_kib minimized_procs < <(pss_tree "$app_pid")
kill "$app_pid"; wait "$app_pid" 2>/dev/null || true

"$empty" >/dev/null 2>&1 &
empty_pid=$!
pids+=("$empty_pid")
sleep "$settle"
read -r empty_kib empty_procs < <(pss_tree "$empty_pid")
kill "$empty_pid"; wait "$empty_pid" 2>/dev/null || true

WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1 "$empty" >/dev/null 2>&1 &
empty_pid=$!
pids+=("$empty_pid")
sleep "$settle"
read -r same_kib same_procs < <(pss_tree "$empty_pid")
kill "$empty_pid"; wait "$empty_pid" 2>/dev/null || true

deb_bytes=$(stat -c %s "$deb")
echo "desktop app footprint (PSS summed over the app's processes, Xvfb 1280x800)"
printf '%-34s %10s  %s\n' "what" "MiB" "processes"
printf '%-34s %10s  %s\n' ".deb ($(basename "$deb"))" "$(mib $((deb_bytes / 1024)))" "target <= 15 MB"
printf '%-34s %10s  %s\n' "empty Tauri window" "$(mib "$empty_kib")" "$empty_procs"
printf '%-34s %10s  %s\n' "empty, no compositing" "$(mib "$same_kib")" "$same_procs"
printf '%-34s %10s  %s\n' "Postroom, window open (dashboard)" "$(mib "$open_kib")" "$open_procs"
printf '%-34s %10s  %s\n' "Postroom, in the tray (no window)" "$(mib "$hidden_kib")" "$hidden_procs"
printf '%-34s %10s  %s\n' "Postroom, started in the tray" "$(mib "$minimized_kib")" "$minimized_procs"
printf 'open - empty = %s MiB (target <= 40; %s MiB against the same WebKit settings);\n' \
    "$(mib $((open_kib - empty_kib)))" "$(mib $((open_kib - same_kib)))"
printf 'hidden = %s MiB, started in the tray = %s MiB (target <= 60)\n' \
    "$(mib "$hidden_kib")" "$(mib "$minimized_kib")"
