#!/usr/bin/env bash
# Installs Postroom's MSI and checks what a Windows user gets: under Wine on Linux (CI, after
# build.sh), or on real Windows with Git Bash (the release workflow's windows-latest job). The
# platform differences are all in the "platform layer" below; the test steps after it are the
# same on both.
#
#   bash installers/windows/wine_test.sh [MSI] [UPGRADE_MSI]
# MSI defaults to dist/windows/Postroom-<version>-x64-en-US.msi; UPGRADE_MSI (a higher
# version of the same product) to one made with `VERSION=<patch+1> build.sh --package-only`
# on Linux, or found beside MSI.
#
# Steps: MSI tables (msiinfo, Linux only) -> msiexec /i /qn -> files, shortcut, registry ->
# domain and accounts with the installed postroom.exe -> the engine (the "Postroom" service
# when `postroom.exe service status` says it is installed, else `postroom.exe serve`) on free
# loopback ports -> 500 messages over SMTP with a forced kill of the engine mid-load ->
# restart -> every acknowledged Message-ID byte-exact over IMAP and POP3 -> the tray app as
# the service's client (its sign-in link to the service's engine; under Xvfb its icon
# following the service's pause and resume) -> the tray app with its own engine (its
# /api/status; under Xvfb its icon in Wine's system tray on a screenshot) -> upgrade to
# UPGRADE_MSI keeps the data -> uninstall removes Program Files\Postroom, keeps ProgramData ->
# REMOVEDATA=1 removes it -> setup.exe (NSIS, beside MSI; SETUP_EXE overrides) /S installs the
# same, its uninstaller keeps the data.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
log() { printf '[wine_test %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }
passed=0
ok() { passed=$((passed + 1)); log "ok: $*"; }
source "$root/scripts/sandbox.sh" # loopback_toml, start_xvfb

work=$(mktemp -d "${TMPDIR:-/tmp}/postroom-wine.XXXXXX")
pids=()

# ======================= platform layer =======================================================
case "$(uname -s)" in
    MINGW* | MSYS* | CYGWIN*) platform=windows ;;
    *) platform=wine ;;
esac

if [ "$platform" = wine ]; then
    # ---------------- Wine specifics (test set-up only) ----------------
    source "$here/wine-prefix.sh"  # wine_prefix_init, winpath, $wine, $wineserver
    export WINEPREFIX="$work/prefix"  # from here on, wineserver -k means this prefix only
    PY=python3
    for p in wine64 xvfb imagemagick msitools; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
            || fail "$p is not installed (scripts/test installs it)"
    done
    # A persistent wineserver: a plain one exits a few seconds after its last client and
    # takes Wine's services (the installed "Postroom" service) with it, as if Windows shut
    # down between two commands. kill_all still ends it (the forced kill of step 4).
    win() { "$wineserver" -p 2>/dev/null || true; "$wine" "$@"; }
    c_drive="$work/prefix/drive_c"
    # Ends every process of this prefix (the engine, the tray app, services.exe...).
    kill_all() { "$wineserver" -k 2>/dev/null || true; }
    platform_setup() {
        start_xvfb 1024x768x24 "$work/xvfb.log"
        log "wineboot --init (WINEPREFIX=$work/prefix, DISPLAY=$DISPLAY)"
        wine_prefix_init "$work/prefix"
    }
    platform_teardown() { kill_all; }
    msiexec() { win msiexec "$@"; }
    reg_query() { win reg query "$@" 2>/dev/null | tr -d '\r'; }
    screenshots=1
    # Wine 8's msi puts ProgramMenuFolder under the user's profile even for ALLUSERS=1
    # (Windows uses the common Start menu): accept either.
    shortcuts=("$c_drive/ProgramData/Microsoft/Windows/Start Menu/Programs/Postroom.lnk"
               "$c_drive/users/$(id -un)/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Postroom.lnk")
else
    # ---------------- real Windows (Git Bash on windows-latest) ----------------
    export MSYS_NO_PATHCONV=1 MSYS2_ARG_CONV_EXCL='*'
    PY=$(command -v python3 || command -v python)
    win() { "$@"; }
    winpath() { cygpath -w "$1"; }
    c_drive=$(cygpath -u 'C:\')
    kill_all() { taskkill /F /IM postroom.exe >/dev/null 2>&1 || true; taskkill /F /IM postroom-desktop.exe >/dev/null 2>&1 || true; }
    platform_setup() { :; }
    platform_teardown() { kill_all; }
    msiexec() { msiexec.exe "$@"; }
    reg_query() { reg.exe query "$@" 2>/dev/null | tr -d '\r'; }
    screenshots=0  # no desktop session on the runner for a tray
    shortcuts=("$c_drive/ProgramData/Microsoft/Windows/Start Menu/Programs/Postroom.lnk")
fi
shortcut_exists() { local f; for f in "${shortcuts[@]}"; do [ -f "$f" ] && return 0; done; return 1; }
# ==============================================================================================

cleanup() {
    local rc=$?
    set +e
    platform_teardown
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
    if [ "$rc" -ne 0 ] && [ -f "$work/engine.log" ]; then
        log "engine log (last lines):"; tail -20 "$work/engine.log" >&2
    fi
    if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mail() { "$PY" "$here/wine_mail.py" "$@"; }

version=$(awk '/^\[workspace\.package\]/{p=1; next} /^\[/{p=0} p && /^version *=/{gsub(/[" ]/,""); split($0,a,"="); print a[2]; exit}' "$root/Cargo.toml")
msi=${1:-$root/dist/windows/Postroom-$version-x64-en-US.msi}
[ -f "$msi" ] || fail "$msi not found: run installers/windows/build.sh first"
upgrade_msi=${2:-}
if [ -z "$upgrade_msi" ]; then
    next=$(printf '%s' "$version" | awk -F. '{printf "%d.%d.%d", $1, $2, $3 + 1}')
    upgrade_msi="$(dirname "$msi")/Postroom-$next-x64-en-US.msi"
    if [ ! -f "$upgrade_msi" ] && [ "$platform" = wine ]; then
        log "making the upgrade's MSI ($next) from the same programs"
        VERSION=$next LANGS=en-US SETUP=0 bash "$here/build.sh" --package-only >"$work/repack.log" 2>&1 \
            || { cat "$work/repack.log" >&2; fail "build.sh --package-only"; }
    fi
fi
[ -f "$upgrade_msi" ] || fail "$upgrade_msi not found"

platform_setup
install_dir="$c_drive/Program Files/Postroom"
data_dir="$c_drive/ProgramData/Postroom"
data_win='C:\ProgramData\Postroom'
postroom="$install_dir/postroom.exe"

# ---- 1. the MSI's tables (msitools; the Windows job checks the installed result instead) ----
if command -v msiinfo >/dev/null; then
    # msiinfo export writes CRLF lines.
    table() { msiinfo export "$msi" "$1" | tr -d '\r'; }
    tables=$(msiinfo tables "$msi" | tr -d '\r')
    files=$(table File)
    for f in postroom.exe postroom-desktop.exe postroom-window.exe LICENSE.txt; do
        grep -q "	$f	" <<<"$files" || fail "File table has no $f"
    done
    grep -q '^PostroomShortcut	ProgramMenuFolder	Postroom	StartMenu	\[INSTALLDIR\]postroom-desktop.exe' \
        <<<"$(table Shortcut)" || fail "no Start-menu shortcut to postroom-desktop.exe"
    registry=$(table Registry)
    for v in InstallDir Version DataDir; do
        grep -q "	2	Software\\\\Postroom	$v	" <<<"$registry" || fail "Registry table has no HKLM\\Software\\Postroom $v"
    done
    grep -q '^ARPPRODUCTICON	postroom.ico' <<<"$(table Property)" || fail "no ARPPRODUCTICON"
    actions=$(table CustomAction)
    # The service and the firewall rules come from `postroom.exe service install|uninstall`
    # (3154 = 18 exe-from-installed-file + deferred + no impersonation + ignore failure);
    # wixl has no firewall table, and the ServiceInstall table stays empty on purpose.
    grep -q '^PostroomServiceInstall	3154	postroom.exe	service install' <<<"$actions" || fail "no service install action"
    grep -q '^PostroomServiceUninstall	3154	postroom.exe	service uninstall' <<<"$actions" || fail "no service uninstall action"
    grep -q '^PostroomRemoveData	' <<<"$actions" || fail "no remove-data action"
    sequence=$(table InstallExecuteSequence)
    seq_of() { awk -F'\t' -v a="$1" '$1 == a {print $3}' <<<"$sequence"; }
    [ "$(seq_of InstallFiles)" -lt "$(seq_of PostroomServiceInstall)" ] \
        && [ "$(seq_of PostroomServiceInstall)" -lt "$(seq_of InstallFinalize)" ] || fail "service install not between InstallFiles and InstallFinalize"
    [ "$(seq_of PostroomServiceUninstall)" -lt "$(seq_of RemoveFiles)" ] || fail "service uninstall not before RemoveFiles"
    [ -z "$(table ServiceInstall | sed 1,3d)" ] || fail "unexpected ServiceInstall rows"
    grep -q '^Upgrade$' <<<"$tables" && [ -n "$(table Upgrade | sed 1,3d)" ] || fail "no MajorUpgrade"
    ok "MSI tables: files, shortcut, registry, ARP icon, service/firewall custom actions, upgrade"
fi

# ---- 2. silent install ----
log "msiexec /i $(basename "$msi") /qn"
msiexec /i "$(winpath "$msi")" /qn || fail "msiexec /i exited $?"
for f in postroom.exe postroom-desktop.exe postroom-window.exe LICENSE.txt; do
    [ -f "$install_dir/$f" ] || fail "$install_dir/$f not installed"
done
shortcut_exists || fail "no Start-menu shortcut"
reg_query 'HKLM\Software\Postroom' /v Version | grep -q "$version" || fail "HKLM\\Software\\Postroom Version is not $version"
arp_entries() { reg_query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall' /s | grep -c 'DisplayName.*REG_SZ.*Postroom$' || true; }
[ "$(arp_entries)" = 1 ] || fail "no Add/Remove Programs entry"
ok "installed: $install_dir, Start-menu shortcut, registry, Add/Remove Programs entry"

# ---- 3. the engine's data: ports, a domain and accounts ----
read -r smtp imap pop3 admin < <(mail free-ports 4)
# detect_service: service=1 when the installer's `postroom.exe service install` left a
# "Postroom" service (`service status` prints running, stopped or not-installed, and exits 0
# for each); asked again after each install, since an upgrade's install action makes it anew.
service=0
detect_service() {
    win "$postroom" service status >"$work/service-status.log" 2>&1 || true
    if grep -qE '^(running|stopped)' <(tr -d '\r' <"$work/service-status.log"); then
        service=1
    else
        service=0
    fi
}
detect_service
if [ "$service" = 1 ]; then
    log "the Postroom service is installed: stopping it to put it on the test's ports"
    win net stop Postroom >/dev/null 2>&1 || true
else
    log "no Postroom service here ($(tr -d '\r' <"$work/service-status.log" | head -1)): postroom.exe serve"
fi
loopback_toml "$data_dir" mx.example.test "$smtp" "$admin" "$pop3" "$imap"
cli() { win "$postroom" --data-dir "$data_win" "$@"; }
cli domain add example.test >/dev/null
for account in $(mail accounts); do
    mail password | cli account add "$account" --password-stdin >/dev/null
done
[ "$(cli account list | tr -d '\r' | grep -c '@example.test')" = 2 ] || fail "accounts not added"
ok "the installed postroom.exe added a domain and 2 accounts"

# start_engine / stop_engine: the installed service when there is one, else `serve`.
engine_pid=""
start_engine() {
    local started; started=$(date +%s.%N)
    if [ "$service" = 1 ]; then
        win net start Postroom >"$work/net-start.log" 2>&1 || true
        mail wait-port "$smtp"
    else
        win "$postroom" --data-dir "$data_win" serve >"$work/engine.log" 2>&1 &
        engine_pid=$!
        pids+=("$engine_pid")
        local i
        for i in $(seq 900); do
            grep -q '^ready' <(tr -d '\r' <"$work/engine.log") && break
            kill -0 "$engine_pid" 2>/dev/null || fail "the engine exited: $(cat "$work/engine.log")"
            sleep 0.1
        done
        grep -q '^ready' <(tr -d '\r' <"$work/engine.log") || fail "no 'ready' from the engine in 90 s"
    fi
    ready_seconds=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
}
stop_engine() {
    if [ "$service" = 1 ]; then
        win net stop Postroom >/dev/null 2>&1 || true
    else
        kill_engine
    fi
}
# A forced kill: no shutdown code runs (wineserver -k ends the prefix's processes, taskkill /F).
kill_engine() {
    kill_all
    if [ -n "$engine_pid" ]; then wait "$engine_pid" 2>/dev/null || true; engine_pid=""; fi
}

start_engine
ok "engine up (service=$service): ready after ${ready_seconds}s"

# ---- 4. 500 messages with a forced kill mid-load ----
acked="$work/acked"
: >"$acked"
total=500
mail deliver "$smtp" 0 "$total" "$acked" >"$work/deliver1.log" 2>&1 &
deliver_pid=$!
pids+=("$deliver_pid")
until [ "$(wc -l <"$acked")" -ge 150 ] || ! kill -0 "$deliver_pid" 2>/dev/null; do sleep 0.05; done
kill_engine
wait "$deliver_pid" || fail "deliver: $(cat "$work/deliver1.log")"
first=$(wc -l <"$acked")
[ "$first" -lt "$total" ] || fail "the kill came after all $total messages: nothing was killed mid-load"
log "killed the engine after $first acknowledged messages ($(tail -1 "$work/deliver1.log"))"
start_engine
next=$(($(tail -1 "$acked") + 1))
mail deliver "$smtp" "$next" $((total - next)) "$acked" >"$work/deliver2.log" 2>&1
[ "$(wc -l <"$acked")" -ge $((total - 1)) ] || fail "second delivery: $(cat "$work/deliver2.log")"
mail verify "$imap" "$pop3" "$acked" | tee "$work/verify.log" >&2
ok "$(wc -l <"$acked") messages acknowledged ($first before a forced kill), every one byte-exact over IMAP and POP3 after the restart"
stop_engine

# ---- 5a. the tray app as the service's client ----
# With the engine installed as the service, the tray app starts no engine: it reads the
# service's engine-control (ProgramData\Postroom), hands out sign-in links to its admin
# listener, and shows its /api/status. Under Wine without a working service manager the
# engine runs as `postroom.exe serve` on the same data directory and POSTROOM_SERVICE_DATA
# names it (src-tauri/src/service.rs): everything but the SCM query is the same path.
client_data="$work/client-data"
mkdir -p "$client_data"
[ "$screenshots" = 1 ] && import -window root "$work/before-client.png"
start_engine
if [ "$service" = 1 ]; then service_data=""; else service_data=$data_win; fi
POSTROOM_DATA=$(winpath "$client_data") POSTROOM_SERVICE_DATA=$service_data \
    win "$install_dir/postroom-desktop.exe" --minimized >"$work/tray-client.log" 2>&1 &
client_pid=$!
pids+=("$client_pid")
for i in $(seq 900); do
    [ -s "$client_data/desktop-control" ] && break
    kill -0 "$client_pid" 2>/dev/null || fail "the tray app exited: $(cat "$work/tray-client.log")"
    sleep 0.1
done
mail tray-link "$client_data" "$data_dir" >"$work/tray-link.log" 2>&1 \
    || fail "the tray app's sign-in link: $(cat "$work/tray-link.log"; tail -5 "$work/tray-client.log")"
[ ! -e "$client_data/engine-control" ] && [ ! -e "$client_data/postroom.toml" ] \
    || fail "the tray app started an engine of its own beside the service"
ok "the tray app is the service's client: $(cat "$work/tray-link.log")"
if [ "$screenshots" = 1 ]; then
    # The icon follows the service's /api/status: paused through the API -> stopped dot,
    # resumed -> running dot (the tray checks every 5 s).
    tray_state_is() {
        local i
        for i in $(seq 60); do
            import -window root "$work/client.png"
            [ "$(mail tray-state "$work/before-client.png" "$work/client.png" 2>/dev/null)" = "$1" ] && return 0
            sleep 1
        done
        return 1
    }
    tray_state_is running || fail "the tray icon does not show the service running"
    mail receiving "$admin" "$data_dir/admin-token" off >/dev/null
    tray_state_is stopped || fail "the tray icon does not show the service's pause"
    mail receiving "$admin" "$data_dir/admin-token" on >/dev/null
    tray_state_is running || fail "the tray icon does not show the service receiving again"
    ok "the tray icon shows the service's state from /api/status: running, paused, running"
fi
kill_all
wait "$client_pid" 2>/dev/null || true
if [ -n "$engine_pid" ]; then wait "$engine_pid" 2>/dev/null || true; engine_pid=""; fi

# ---- 5. the tray app ----
# The tray app runs its own engine (the installed postroom.exe as its child) only where no
# service is installed (a per-user install); with the service it is that engine's client
# (5a). This step checks its own engine, so the service goes first (the upgrade below
# installs it again).
if [ "$service" = 1 ]; then
    win "$postroom" service uninstall >"$work/service-uninstall.log" 2>&1 \
        || fail "service uninstall: $(cat "$work/service-uninstall.log")"
    detect_service
    [ "$service" = 0 ] || fail "the service is still there after service uninstall"
    ok "postroom.exe service uninstall removed the service and kept the data"
fi
tray_data="$work/tray-data"
read -r tray_smtp tray_admin < <(mail free-ports 2)
loopback_toml "$tray_data" mx.example.test "$tray_smtp" "$tray_admin"
[ "$screenshots" = 1 ] && import -window root "$work/before.png"
POSTROOM_DATA=$(winpath "$tray_data") win "$install_dir/postroom-desktop.exe" --minimized >"$work/tray.log" 2>&1 &
tray_pid=$!
pids+=("$tray_pid")
mail wait-port "$tray_admin"
until [ -f "$tray_data/admin-token" ]; do sleep 0.1; done
mail status "$tray_admin" "$tray_data/admin-token" >"$work/tray-status.json"
grep -q '"listeners"' "$work/tray-status.json" || fail "tray app /api/status: $(cat "$work/tray-status.json")"
# Its engine is the installed postroom.exe, started by the tray app: it wrote engine-control.
until [ -s "$tray_data/engine-control" ]; do sleep 0.1; done
mail tray-link "$tray_data" "$tray_data" >"$work/tray-link2.log" 2>&1 \
    || fail "the tray app's sign-in link: $(cat "$work/tray-link2.log")"
ok "the tray app's engine (postroom.exe serve, its child) answers /api/status"
if [ "$screenshots" = 1 ]; then
    # Wine draws its system tray as a window of its own; the icon appears once the app set it.
    found=0
    for i in $(seq 60); do
        import -window root "$work/after.png"
        if mail tray-icon "$work/before.png" "$work/after.png" "$root/icons/tray/running.png" >"$work/tray-icon.log" 2>&1; then
            found=1; break
        fi
        sleep 1
    done
    [ "$found" = 1 ] || fail "no tray icon on screen: $(cat "$work/tray-icon.log")"
    ok "the tray icon is in Wine's system tray ($(cat "$work/tray-icon.log"))"
fi
kill_all
wait "$tray_pid" 2>/dev/null || true

# ---- 6. upgrade to a higher version keeps the data (and the service) ----
log "msiexec /i $(basename "$upgrade_msi") /qn (upgrade)"
msiexec /i "$(winpath "$upgrade_msi")" /qn || fail "upgrade msiexec exited $?"
new_version=$(basename "$upgrade_msi" | sed 's/^Postroom-\([0-9.]*\)-.*/\1/')
reg_query 'HKLM\Software\Postroom' /v Version | grep -q "$new_version" || fail "registry still says the old version"
[ "$(arp_entries)" = 1 ] || fail "two Add/Remove Programs entries after the upgrade"
detect_service
log "after the upgrade: $(tr -d '\r' <"$work/service-status.log" | head -1)"
start_engine
mail verify "$imap" "$pop3" "$acked" >"$work/verify2.log"
stop_engine
ok "upgrade $version -> $new_version: one product, all $(wc -l <"$acked") messages still there"

# ---- 7. uninstall keeps ProgramData ----
msiexec /x "$(winpath "$upgrade_msi")" /qn || fail "msiexec /x exited $?"
[ ! -e "$install_dir/postroom.exe" ] && [ ! -e "$install_dir" ] || fail "$install_dir still there: $(ls "$install_dir")"
! shortcut_exists || fail "shortcut left behind"
ls "$data_dir"/postroom.toml >/dev/null || fail "uninstall removed the data"
[ -n "$(ls -A "$data_dir")" ] || fail "the data directory is empty"
ok "uninstall removed Program Files\\Postroom and kept ProgramData\\Postroom"

# ---- 8. uninstall with REMOVEDATA=1 removes the data ----
msiexec /i "$(winpath "$msi")" /qn || fail "reinstall exited $?"
msiexec /x "$(winpath "$msi")" /qn REMOVEDATA=1 || fail "msiexec /x REMOVEDATA=1 exited $?"
[ ! -e "$data_dir" ] || fail "REMOVEDATA=1 left $data_dir"
ok "uninstall with REMOVEDATA=1 removed ProgramData\\Postroom"

log "platform: $platform"
# ---- 9. setup.exe (NSIS): silent install, the same files and entries, uninstall keeps data ----
setup=${SETUP_EXE:-$(dirname "$msi")/Postroom-$version-x64-setup.exe}
if [ -f "$setup" ]; then
    mkdir -p "$data_dir" && echo kept >"$data_dir/marker"
    win "$setup" /S || fail "setup.exe /S exited $?"
    for f in postroom.exe postroom-desktop.exe postroom-window.exe LICENSE.txt uninstall.exe; do
        [ -f "$install_dir/$f" ] || fail "setup.exe did not install $f"
    done
    shortcut_exists || fail "setup.exe made no Start-menu shortcut"
    [ "$(arp_entries)" = 1 ] || fail "setup.exe made no Add/Remove Programs entry"
    reg_query 'HKLM\Software\Postroom' /v Version | grep -q "$version" || fail "setup.exe wrote no version"
    # The uninstaller copies itself to %TEMP% and returns at once: wait for the files to go.
    win "$install_dir/uninstall.exe" /S
    for i in $(seq 300); do [ -e "$install_dir" ] || break; sleep 0.2; done
    [ ! -e "$install_dir" ] || fail "uninstall.exe left $install_dir"
    [ "$(cat "$data_dir/marker")" = kept ] || fail "uninstall.exe removed the data"
    ok "setup.exe /S installed the programs, shortcut and entries; its uninstaller kept the data"
else
    log "no $setup: setup.exe not tested"
fi

echo "wine_test: $passed passed, 0 failed"
