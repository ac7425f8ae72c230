#!/usr/bin/env bash
# Postroom for Windows under Wine against the native Linux build, on the same machine:
#   - engine start to `ready` (postroom serve, a fresh data directory), RUNS times
#   - durable SMTP accept: Postfix's smtp-source against each, RUNS times (msg/s, median)
# Informative only: Wine's cost (syscall translation, its file I/O) is what the ratio shows,
# not Windows' speed. Results: stdout and bench/out/wine-accept-<timestamp>.md.
#
# Needs dist/windows/stage/postroom.exe (bash installers/windows/build.sh) and the native
# release build (built here unless SKIP_BUILD=1).
# Environment: SESSIONS=10 MESSAGES=3000 SIZE=5000 RUNS=3 KEEP_TMP=1 SKIP_BUILD=1 POSTROOM_BIN=PATH
set -euo pipefail

SESSIONS="${SESSIONS:-10}"
MESSAGES="${MESSAGES:-3000}"
SIZE="${SIZE:-5000}"
RUNS="${RUNS:-3}"
FROM="bench@bench.test"
TO="user@bench.test"
HOST="127.0.0.1"

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # sets ROOT, the working directory
# wine_prefix_init, winpath, $wine, $wineserver
source "$ROOT/installers/windows/wine-prefix.sh"
source "$ROOT/scripts/sandbox.sh" # loopback_toml

bench_setup wine-accept
on_exit() { [ -z "${WINEPREFIX:-}" ] || "$wineserver" -k 2>/dev/null || true; }

need_postfix # smtp-source
exe="$ROOT/dist/windows/stage/postroom.exe"
[ -f "$exe" ] || die "$exe missing: bash installers/windows/build.sh"
build_postroom # sets POSTROOM (native)

log "Wine prefix in $TMP/prefix"
wine_prefix_init "$TMP/prefix"

# run_native ARGS... / run_wine ARGS...: postroom with --data-dir $data
run_native() { "$POSTROOM" --data-dir "$data" "$@"; }
run_wine() { "$wine" "$exe" --data-dir "$(winpath "$data")" "$@"; }
# stop_native PID / stop_wine PID: a clean stop (SIGTERM; Wine has no signals to forward:
# wineserver -k for the prefix).
stop_native() { stop_started "$1"; }
stop_wine() { "$wineserver" -k 2>/dev/null || true; wait "$1" 2>/dev/null || true; forget_pid "$1"; }

# bench KIND: sets READY (median seconds to `ready`) and RATE (median msg/s)
bench() {
  local kind=$1 run ready=() rates=() start pid
  for run in $(seq "$RUNS"); do
    data="$TMP/$kind-$run"
    read -r port admin < <(python3 "$ROOT/src-tauri/scripts/free_ports.py" 2)
    loopback_toml "$data" mx.bench.test "$port" "$admin"
    "run_$kind" domain add bench.test >/dev/null
    echo bench-password | "run_$kind" account add "$TO" --password-stdin >/dev/null
    : >"$data.log" # exists before the background job opens it, for the loop below
    start=$(now)
    # The program itself in the background (not a function's subshell), so that the PID
    # stop_native signals is the engine's.
    if [ "$kind" = native ]; then
      "$POSTROOM" --data-dir "$data" serve >"$data.log" 2>&1 &
    else
      "$wine" "$exe" --data-dir "$(winpath "$data")" serve >"$data.log" 2>&1 &
    fi
    pid=$!
    PIDS+=("$pid")
    until tr -d '\r' <"$data.log" | grep -q '^ready'; do
      kill -0 "$pid" 2>/dev/null || die "$kind engine exited: $(cat "$data.log")"
      sleep 0.02
    done
    ready+=("$(elapsed "$start" "$(now)")")
    settle
    start=$(now)
    smtp_load "$port" || die "smtp-source against $kind failed"
    local secs; secs=$(elapsed "$start" "$(now)")
    rates+=("$(per_sec "$MESSAGES" "$secs")")
    log "$kind run $run: ready after ${ready[-1]} s, $MESSAGES messages in $secs s"
    "stop_$kind" "$pid"
  done
  READY=$(med "${ready[*]}")
  RATE=$(median "${rates[*]}" | cut -d. -f1)
}

bench native
native_ready=$READY native_rate=$RATE
bench wine
wine_ready=$READY wine_rate=$RATE

mkdir -p "$ROOT/bench/out"
out="$ROOT/bench/out/wine-accept-$(date +%Y%m%d-%H%M%S).md"
{
  echo "| Postroom $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') | start to \`ready\` (s, median) | SMTP accept (msg/s, median) |"
  echo "|---|---|---|"
  echo "| native Linux (release) | $native_ready | $native_rate |"
  echo "| Windows build under Wine $("$wine" --version 2>/dev/null | sed 's/wine-//') | $wine_ready | $wine_rate |"
  echo "| Wine / native | $(ratio "$wine_ready" "$native_ready") | $(ratio "$wine_rate" "$native_rate") |"
  echo
  echo "smtp-source -s $SESSIONS -m $MESSAGES -l $SIZE, $RUNS runs each, $(nproc) cores."
} | tee "$out"
