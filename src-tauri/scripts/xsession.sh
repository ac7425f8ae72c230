# Sourced by test.sh and bench/desktop-memory.sh: a temporary directory `$work`, a throwaway
# X display (Xvfb) and D-Bus session. On exit, what was started (listed in `pids`, and what
# the D-Bus session activated, such as the accessibility bus WebKit asks for) is ended by PID.
xsession_scripts=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d /tmp/postroom-desktop.XXXXXX)
pids=()
cleanup() {
    if [ -n "${DBUS_SESSION_BUS_PID:-}" ]; then
        for pid in $(/usr/bin/python3 "$xsession_scripts/bus_peers.py"); do
            kill "$pid" 2>/dev/null || true
        done
    fi
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

source "$xsession_scripts/../../scripts/sandbox.sh" # loopback_toml, start_xvfb
start_xvfb 1280x800x24 "$work/xvfb.log"
eval "$(dbus-launch --sh-syntax)"
pids+=("$DBUS_SESSION_BUS_PID")
export NO_AT_BRIDGE=1 POSTROOM_LOG=warn

# A data directory `$work/data`, exported as POSTROOM_DATA, whose postroom.toml listens on
# loopback only: SMTP and the admin API on free ports, set as `$smtp` and `$admin`; and a
# throwaway HOME `$work/home` for the app's own files (WebKit's, the autostart entry).
postroom_data() {
    read -r smtp admin < <(/usr/bin/python3 "$xsession_scripts/free_ports.py" 2)
    export POSTROOM_DATA="$work/data"
    loopback_toml "$POSTROOM_DATA" mx.example.test "$smtp" "$admin"
    export HOME="$work/home"
    mkdir -p "$HOME"
}
