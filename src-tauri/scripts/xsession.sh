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

display=99
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do
    display=$((display + 1))
done
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
export DISPLAY=":$display"
until [ -e "/tmp/.X11-unix/X$display" ]; do sleep 0.1; done
eval "$(dbus-launch --sh-syntax)"
pids+=("$DBUS_SESSION_BUS_PID")
export NO_AT_BRIDGE=1 POSTROOM_LOG=warn

# A data directory `$work/data`, exported as POSTROOM_DATA, whose postroom.toml listens on
# loopback only: SMTP and the admin API on free ports, set as `$smtp` and `$admin`.
postroom_data() {
    read -r smtp admin < <(/usr/bin/python3 "$xsession_scripts/free_ports.py" 2)
    export POSTROOM_DATA="$work/data"
    mkdir -p "$POSTROOM_DATA"
    cat > "$POSTROOM_DATA/postroom.toml" <<TOML
hostname = "mx.example.test"
[listen]
smtp = ["127.0.0.1:$smtp"]
submission = []
submissions = []
pop3 = []
pop3s = []
imap = []
imaps = []
admin = ["127.0.0.1:$admin"]
TOML
}
