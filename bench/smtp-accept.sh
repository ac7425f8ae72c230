#!/usr/bin/env bash
# Durable SMTP accept, side by side, on loopback:
#   a) smtp-sink  - accepts and discards: the SMTP protocol ceiling (no storage)
#   b) Postfix    - a private instance delivering via virtual(8) into Maildir
#   c) Postroom   - `postroom serve` storing into its SQLite INBOX
# Each target gets the same load from Postfix's smtp-source, RUNS times; the median counts.
# See bench/README.md. Results: stdout and bench/out/smtp-accept-<timestamp>.md.
#
# Environment:
#   SESSIONS=20 MESSAGES=20000 SIZE=5000 RUNS=3
#   SINK_PORT=2526 POSTFIX_PORT=2525 POSTROOM_PORT=2527
#   SKIP_SINK=1 SKIP_POSTFIX=1 SKIP_POSTROOM=1   skip a target
#   SKIP_BUILD=1                                 use the existing target/release/postroom
#   POSTROOM_BIN=PATH                            another postroom binary (e.g. a before/after)
#   DELIVERY_TIMEOUT=600                         seconds to wait for Postfix to fill the Maildir
#   KEEP_TMP=1                                   keep the temp dir (configs, logs) for inspection
set -euo pipefail

# defaults, log, die, start_sink, serve_postroom, stop_started, wait_count, med, per_sec,
# ratio, ports_free, build_postroom, need_postfix, postfix_conf, start_postfix, stop_postfix,
# postroom_conf, postroom_accounts, postroom_count, smtp_load, now, elapsed, settle
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # sets ROOT, the working directory

defaults SESSIONS=20 MESSAGES=20000 SIZE=5000 RUNS=3 \
  SINK_PORT=2526 POSTFIX_PORT=2525 POSTROOM_PORT=2527 DELIVERY_TIMEOUT=600
FROM="bench@bench.test"
TO="user@bench.test"
HOST="127.0.0.1"
PASS="Bench-pass-1234"

# ---------------------------------------------------------------- cleanup
POSTFIX_CONF=""         # set while a private Postfix instance may be running
bench_setup smtp-accept # PIDS, $TMP (Postfix's unprivileged daemons can traverse it), traps
on_exit() { stop_postfix; }

# ---------------------------------------------------------------- install
need_postfix
command -v python3 >/dev/null || die "python3 missing (it counts the stored messages)"
if [ "${SKIP_POSTROOM:-0}" != 1 ]; then
  if [ "${SKIP_BUILD:-0}" != 1 ] && ! command -v cargo >/dev/null; then
    [ -f "$HOME/.cargo/env" ] || { log "installing Rust (rustup)"; curl https://sh.rustup.rs -sSf | sh -s -- -y; }
    # shellcheck disable=SC1091
    . "$HOME/.cargo/env"
  fi
  build_postroom
fi

# ---------------------------------------------------------------- helpers
# rate SECONDS -> messages per second (integer)
rate() { per_sec "$MESSAGES" "$1"; }

# Results: per target, a space-separated list of per-run seconds.
POSTFIX_VERSION=""
SINK_SECS=(); POSTFIX_SECS=(); POSTFIX_DELIV_SECS=(); POSTROOM_SECS=()

# ---------------------------------------------------------------- a) smtp-sink
sink_once() {
  local i="$1" t0 t1
    start_sink
    settle
    t0=$(now); smtp_load "$SINK_PORT" || die "smtp-source against smtp-sink failed"; t1=$(now)
    stop_started "$SINK_PID"
    SINK_SECS+=("$(elapsed "$t0" "$t1")")
    log "smtp-sink run $i: ${SINK_SECS[-1]} s = $(rate "${SINK_SECS[-1]}") msg/s"
}

# ---------------------------------------------------------------- b) Postfix
setup_postfix() {
  local d="$TMP/postfix" vuid vgid
  vuid="$(id -u postfix)"; vgid="$(id -g postfix)"
  postfix_conf "$d" <<EOF
virtual_mailbox_domains = bench.test
virtual_mailbox_base = $d/vmail
virtual_mailbox_maps = texthash:$d/conf/vmailbox
virtual_uid_maps = static:$vuid
virtual_gid_maps = static:$vgid
virtual_minimum_uid = 1
virtual_mailbox_limit = 0
EOF
  printf '%s bench.test/user/\n' "$TO" >"$d/conf/vmailbox"
  mkdir -p "$d/vmail"
  chown -R "$vuid:$vgid" "$d/vmail"
  start_postfix "$d"
  POSTFIX_MAILDIR="$d/vmail/bench.test/user"
}

maildir_count() {
  if [ -d "$POSTFIX_MAILDIR/new" ]; then
    find "$POSTFIX_MAILDIR/new" -type f | wc -l
  else
    echo 0
  fi
}

postfix_once() {
  local i="$1" t0 t1 t2 n
    # Start each run with a fresh Maildir (virtual(8) recreates it) and an empty queue.
    rm -rf "$POSTFIX_MAILDIR"
    settle
    t0=$(now)
    smtp_load "$POSTFIX_PORT" || { tail -n 30 "$TMP/postfix/maillog" >&2 || true; die "smtp-source against Postfix failed"; }
    t1=$(now)
    if ! wait_count "$DELIVERY_TIMEOUT" maildir_count; then
      tail -n 30 "$TMP/postfix/maillog" >&2 || true
      die "Postfix delivered $(maildir_count) of $MESSAGES messages within ${DELIVERY_TIMEOUT}s"
    fi
    t2=$(now)
    n=$(maildir_count)
    [ "$n" -eq "$MESSAGES" ] || die "Maildir holds $n messages, expected $MESSAGES"
    POSTFIX_SECS+=("$(elapsed "$t0" "$t1")")
    POSTFIX_DELIV_SECS+=("$(elapsed "$t0" "$t2")")
    log "Postfix run $i: accepted in ${POSTFIX_SECS[-1]} s = $(rate "${POSTFIX_SECS[-1]}") msg/s;" \
        "all in Maildir after ${POSTFIX_DELIV_SECS[-1]} s = $(rate "${POSTFIX_DELIV_SECS[-1]}") msg/s"
}

# ---------------------------------------------------------------- c) Postroom
postroom_once() {
  local i="$1" t0 t1 dir pid n rc
    dir="$TMP/postroom-$i"       # fresh data dir per run
    postroom_conf "$dir" "$POSTROOM_PORT" </dev/null
    postroom_accounts "$dir" "$TO"
    serve_postroom pid "$dir"
    settle
    t0=$(now)
    if ! smtp_load "$POSTROOM_PORT"; then
      tail -n 30 "$dir/serve.log" >&2 || true
      die "smtp-source against Postroom failed (run $i)"
    fi
    t1=$(now)
    stop_started "$pid"
    n="$(postroom_count "$dir/postroom.db" "SELECT count(*) FROM messages")" \
      || die "could not count messages in $dir/postroom.db"
    [ "$n" -eq "$MESSAGES" ] || { tail -n 30 "$dir/serve.log" >&2 || true; die "Postroom stored $n messages, expected $MESSAGES (run $i)"; }
    POSTROOM_SECS+=("$(elapsed "$t0" "$t1")")
    log "Postroom run $i: ${POSTROOM_SECS[-1]} s = $(rate "${POSTROOM_SECS[-1]}") msg/s; $n messages in postroom.db"
    [ "${KEEP_TMP:-0}" = 1 ] || rm -rf "$dir"
}

# ---------------------------------------------------------------- run
# How busy the CPUs were with other work just before we start (the load average is no guide
# here: it counts processes waiting on the disk, and our own fsyncs raise it).
cpu_busy() {
  local a b
  a=$(awk '/^cpu / { print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9 }' /proc/stat)
  sleep 1
  b=$(awk '/^cpu / { print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9 }' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
    t = y[2] - x[2]; printf "%.0f%%", (t > 0 ? 100 * (y[1] - x[1]) / t : 0) }'
}
CPU_BUSY_START="$(cpu_busy)"
log "load: smtp-source -s $SESSIONS -m $MESSAGES -l $SIZE, $RUNS runs per target, on $HOST"
DO_SINK=1; DO_POSTFIX=1; DO_POSTROOM=1
[ "${SKIP_SINK:-0}" != 1 ] || DO_SINK=0
[ "${SKIP_POSTFIX:-0}" != 1 ] || DO_POSTFIX=0
[ "${SKIP_POSTROOM:-0}" != 1 ] || DO_POSTROOM=0
[ "$DO_SINK" = 0 ] || ports_free "$SINK_PORT"
[ "$DO_POSTFIX" = 0 ] || ports_free "$POSTFIX_PORT"
[ "$DO_POSTROOM" = 0 ] || ports_free "$POSTROOM_PORT"
if [ "$DO_POSTFIX" = 1 ]; then
  setup_postfix
  POSTFIX_VERSION="$(postconf -c "$POSTFIX_CONF" -h mail_version)"
  log "Postfix $POSTFIX_VERSION, in_flow_delay = $(postconf -c "$POSTFIX_CONF" -h in_flow_delay) (default)"
fi
# Rounds: each round runs every target once, one after the other. The machine's background load
# drifts over minutes; interleaving spreads that drift over all targets instead of one.
for round in $(seq "$RUNS"); do
  [ "$DO_SINK" = 0 ] || sink_once "$round"
  [ "$DO_POSTFIX" = 0 ] || postfix_once "$round"
  [ "$DO_POSTROOM" = 0 ] || postroom_once "$round"
done
stop_postfix

# ---------------------------------------------------------------- report
runs_col() { # seconds... -> "r1 / r2 / r3" msg/s
  local out="" s
  for s in "$@"; do out+="${out:+ / }$(rate "$s")"; done
  printf '%s' "$out"
}

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT_DIR="$ROOT/bench/out"
OUT="$OUT_DIR/smtp-accept-$STAMP.md"
mkdir -p "$OUT_DIR"

sink_med=""; pf_med=""; pfd_med=""; pr_med=""
sink_rate=0; pf_rate=0; pfd_rate=0; pr_rate=0
if [ "${#SINK_SECS[@]}" -gt 0 ]; then sink_med=$(med "${SINK_SECS[@]}"); sink_rate=$(rate "$sink_med"); fi
if [ "${#POSTFIX_SECS[@]}" -gt 0 ]; then
  pf_med=$(med "${POSTFIX_SECS[@]}"); pf_rate=$(rate "$pf_med")
  pfd_med=$(med "${POSTFIX_DELIV_SECS[@]}"); pfd_rate=$(rate "$pfd_med")
fi
if [ "${#POSTROOM_SECS[@]}" -gt 0 ]; then pr_med=$(med "${POSTROOM_SECS[@]}"); pr_rate=$(rate "$pr_med"); fi

verdict() { # value threshold -> pass/FAIL
  awk -v v="$1" -v t="$2" 'BEGIN { print (v >= t ? "pass" : "FAIL") }'
}

{
  echo "## Durable SMTP accept ($STAMP)"
  echo
  echo "- Machine: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(uname -sr); load generator and servers share them. CPU busy with other work just before the start: $CPU_BUSY_START (anything else running skews the figures)."
  echo "- Load: \`smtp-source -s $SESSIONS -m $MESSAGES -l $SIZE -f $FROM -t $TO $HOST:PORT\` (a new connection per message), $RUNS rounds of one run per target (interleaved), median shown."
  [ -z "$pr_med" ] || echo "- Postroom: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (dirty tree)'), release build."
  [ -z "$pf_med" ] || echo "- Postfix ${POSTFIX_VERSION:-?}: private instance, virtual(8) into Maildir, \`in_flow_delay = 1s\` (the default, kept). Its msg/s is until smtp-source exits (queued durably); \"delivered\" is until all $MESSAGES files are in Maildir/new."
  [ -z "$sink_med" ] || echo "- smtp-sink: \`smtp-sink -u postfix $HOST:PORT 1024\`, accepts and discards (no storage): the protocol ceiling."
  echo
  echo "| Target | Median msg/s | Median s | Runs (msg/s) |"
  echo "|---|---:|---:|---|"
  [ -z "$sink_med" ] || echo "| smtp-sink (no storage) | $sink_rate | $sink_med | $(runs_col "${SINK_SECS[@]}") |"
  if [ -n "$pf_med" ]; then
    echo "| Postfix → Maildir, accepted | $pf_rate | $pf_med | $(runs_col "${POSTFIX_SECS[@]}") |"
    echo "| Postfix → Maildir, delivered | $pfd_rate | $pfd_med | $(runs_col "${POSTFIX_DELIV_SECS[@]}") |"
  fi
  [ -z "$pr_med" ] || echo "| Postroom (SQLite INBOX) | $pr_rate | $pr_med | $(runs_col "${POSTROOM_SECS[@]}") |"
  echo
  if [ -n "$pr_med" ] && [ -z "$pf_med$sink_med" ]; then
    echo "Postfix and smtp-sink skipped: no ratios."
  elif [ -n "$pr_med" ]; then
    echo "| Ratio | Value | Target | |"
    echo "|---|---:|---:|---|"
    if [ -n "$pf_med" ]; then
      r=$(ratio "$pr_rate" "$pf_rate")
      echo "| Postroom / Postfix (accepted) | ${r}× | ≥ 6× | $(verdict "$r" 6) |"
      echo "| Postroom / Postfix (delivered, for reference) | $(ratio "$pr_rate" "$pfd_rate")× | | |"
    fi
    if [ -n "$sink_med" ]; then
      r=$(ratio "$pr_rate" "$sink_rate")
      pct=$(awk -v r="$r" 'BEGIN { printf "%.0f", r * 100 }')
      echo "| Postroom / smtp-sink | ${pct}% | ≥ 60% | $(verdict "$r" 0.6) |"
    fi
  else
    echo "Postroom skipped: no ratios. Targets: Postroom ≥ 6× Postfix (accepted), ≥ 60% of smtp-sink."
    if [ -n "$pf_med" ] && [ -n "$sink_med" ]; then
      echo "For reference, Postfix (accepted) / smtp-sink = $(ratio "$pf_rate" "$sink_rate"); the 6× target means ≥ $(( pf_rate * 6 )) msg/s, the 60% target ≥ $(awk -v s="$sink_rate" 'BEGIN { printf "%.0f", s * 0.6 }') msg/s."
    fi
  fi
} >"$OUT"

echo
cat "$OUT"
echo
log "written to ${OUT#"$ROOT"/}"
