#!/usr/bin/env bash
# Installs the .deb that bundle.sh built (dpkg -i; `--debug`: the one `bundle.sh --debug`
# built), starts the installed app under Xvfb on a throwaway data directory, checks that its
# engine answers and its window shows, then ends it by PID and removes the package (dpkg -r).
set -euo pipefail
tauri_dir=$(cd "$(dirname "$0")/.." && pwd)
scripts="$tauri_dir/scripts"
profile=release
[ "${1:-}" = "--debug" ] && profile=debug
deb=$(ls "$tauri_dir/target/$profile/bundle/deb/"*.deb | head -n 1)
package=$(dpkg-deb -f "$deb" Package)

source "$scripts/xsession.sh"
trap 'cleanup; dpkg -r "$package" >/dev/null' EXIT
dpkg -i "$deb" >/dev/null
app=/usr/bin/postroom-desktop
for program in "$app" /usr/bin/postroom-window; do
    dpkg -L "$package" | grep -qx "$program" || { echo "the package has no $program"; exit 1; }
done
echo "ok: dpkg -i installed $package: $app and its window program"

postroom_data
"$app" >"$work/app.log" 2>&1 &
app_pid=$!
pids+=("$app_pid")
/usr/bin/python3 - "$scripts" "127.0.0.1:$admin" "127.0.0.1:$smtp" "$app_pid" <<'PY'
import os, sys
sys.path.insert(0, sys.argv[1])
import desktop_test as t

def status():
    try:
        return t.engine_status(sys.argv[2], os.environ["POSTROOM_DATA"])
    except OSError:
        return None

s = t.wait_for("the installed app's engine", status)
up = {(l["service"], l["address"]) for l in s["listeners"] if l["up"]}
assert ("smtp", sys.argv[3]) in up, s["listeners"]
t.wait_for("the installed app's window", t.Screen().windows)
windows = [p for p, name in t.descendants(int(sys.argv[4])) if name == "postroom-window"]
assert windows, "the window is not the installed app's child"
exe = os.path.realpath(f"/proc/{windows[0]}/exe")
assert exe == "/usr/bin/postroom-window", exe
engine = t.engines(int(sys.argv[4]))
assert engine, "the installed app's engine is not its child"
engine_exe = os.path.realpath(f"/proc/{engine[0]}/exe")
assert engine_exe == "/usr/bin/postroom", engine_exe
print(f"ok: the installed app runs its engine ({engine_exe}): version {s['version']}, its window ({exe}) shows")
PY

# ---- the system service: postroom.service as installed by the package ----
unit=/lib/systemd/system/postroom.service
for file in /usr/bin/postroom "$unit"; do
    dpkg -L "$package" | grep -qx "$file" || { echo "the package has no $file"; exit 1; }
done
getent passwd postroom >/dev/null || { echo "postinst did not create the postroom user"; exit 1; }
if command -v systemd-analyze >/dev/null; then
    # Checks the unit's syntax, its User=, its capability names and that ExecStart's program
    # exists and is executable (a systemd-less container runs it offline too).
    systemd-analyze verify "$unit"
    echo "ok: systemd-analyze verify $unit"
fi
# Starts the unit's ExecStart command line exactly as written, the way systemd would: as its
# User= with the AmbientCapabilities= it grants, in its StateDirectory= (made here as systemd
# makes it, owned by that user, and removed afterwards if the test made it). Only the data
# directory's postroom.toml is the test's: SMTP on a free port below 1024 (what
# CAP_NET_BIND_SERVICE is for) and the admin API on a free high port, loopback only.
/usr/bin/python3 "$scripts/unit_test.py" "$unit" "$work"
