# Sourced by installers/windows/wine_test.sh, bench/wine-accept.sh and
# src-tauri/scripts/xsession.sh: the throwaway Postroom data directory and X display their
# tests run on. Test and benchmark set-up only: nothing here is shipped.
#
#   loopback_toml DIR HOSTNAME SMTP ADMIN [POP3 IMAP]
#                         DIR/postroom.toml (DIR created) for a Postroom that listens on
#                         127.0.0.1 only: SMTP and the admin API on the given ports, POP3 and
#                         IMAP when given, no TLS listener.
#   start_xvfb GEOMETRY LOG
#                         Xvfb on the first free display number (from :99), its output in
#                         LOG, its PID appended to the caller's `pids`; returns once it accepts
#                         clients, with DISPLAY exported.

loopback_toml() {
    local pop3="" imap=""
    [ -z "${5:-}" ] || pop3="\"127.0.0.1:$5\""
    [ -z "${6:-}" ] || imap="\"127.0.0.1:$6\""
    mkdir -p "$1"
    cat >"$1/postroom.toml" <<TOML
hostname = "$2"
[listen]
smtp = ["127.0.0.1:$3"]
submission = []
submissions = []
pop3 = [$pop3]
pop3s = []
imap = [$imap]
imaps = []
admin = ["127.0.0.1:$4"]
TOML
}

start_xvfb() {
    local display=99
    while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do
        display=$((display + 1))
    done
    Xvfb ":$display" -screen 0 "$1" -nolisten tcp >"$2" 2>&1 &
    pids+=($!)
    export DISPLAY=":$display"
    until [ -e "/tmp/.X11-unix/X$display" ]; do sleep 0.1; done
}
