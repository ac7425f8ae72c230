#!/usr/bin/env bash
# Relay throughput, side by side, on loopback:
#   smtp-source -> Postfix  (private instance, relayhost = the sink)   -> smtp-sink
#   smtp-source -> Postroom (trusted [relay] network, a [[route]] to the sink) -> smtp-sink
# Time measured: from the start of smtp-source until the sink has every message (Postfix:
# "status=sent" for all in its maillog; Postroom: every queue row `delivered`). Both accept
# durably (fsync) before answering 250. RUNS rounds, interleaved; the median counts.
# See bench/README.md. Results: stdout and bench/out/relay-<timestamp>.md.
#
# Environment:
#   SESSIONS=20 MESSAGES=20000 SIZE=5000 RUNS=3 CONCURRENCY=20 (outbound connections, both)
#   SINK_PORT=2536 POSTFIX_PORT=2535 POSTROOM_PORT=2537
#   SKIP_POSTFIX=1 SKIP_POSTROOM=1 SKIP_BUILD=1 KEEP_TMP=1 RELAY_TIMEOUT=600
#   POSTROOM_BIN=PATH   another postroom binary
set -euo pipefail

# defaults, log, die, start_sink, serve_postroom, stop_started, wait_count, med, per_sec,
# ratio, ports_free, build_postroom, need_postfix, postfix_conf, start_postfix, stop_postfix,
# postroom_conf, postroom_count, smtp_load, now, elapsed, settle
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # sets ROOT, the working directory

defaults SESSIONS=20 MESSAGES=20000 SIZE=5000 RUNS=3 CONCURRENCY=20 \
  SINK_PORT=2536 POSTFIX_PORT=2535 POSTROOM_PORT=2537 RELAY_TIMEOUT=600
FROM="bench@bench.test"
TO="user@relay.test"
HOST="127.0.0.1"

# ---------------------------------------------------------------- cleanup
POSTFIX_CONF=""
bench_setup relay
on_exit() { stop_postfix; }

# ---------------------------------------------------------------- install and build
need_postfix
[ "${SKIP_POSTROOM:-0}" = 1 ] || build_postroom

# ---------------------------------------------------------------- helpers
rate() { per_sec "$MESSAGES" "$1"; }
SINK_PID=""

PF_ACCEPT=(); PF_RELAY=(); PR_ACCEPT=(); PR_RELAY=()

# ---------------------------------------------------------------- Postfix
setup_postfix() {
  postfix_conf "$TMP/postfix" <<EOF
relayhost = [$HOST]:$SINK_PORT
default_destination_concurrency_limit = $CONCURRENCY
smtpd_peername_lookup = no
EOF
  start_postfix "$TMP/postfix"
}

postfix_sent() { grep -c 'status=sent' "$TMP/postfix/maillog" 2>/dev/null || echo 0; }

postfix_once() {
  local t0 t1 t2
  : >"$TMP/postfix/maillog"
  start_sink
  settle
  t0=$(now)
  smtp_load "$POSTFIX_PORT" || die "smtp-source against Postfix failed"
  t1=$(now)
  wait_count "$RELAY_TIMEOUT" postfix_sent || { tail -n 20 "$TMP/postfix/maillog" >&2; die "Postfix did not relay everything"; }
  t2=$(now)
  stop_started "$SINK_PID"
  PF_ACCEPT+=("$(elapsed "$t0" "$t1")"); PF_RELAY+=("$(elapsed "$t0" "$t2")")
  log "Postfix run $1: accepted in ${PF_ACCEPT[-1]} s, all relayed after ${PF_RELAY[-1]} s = $(rate "${PF_RELAY[-1]}") msg/s"
}

# ---------------------------------------------------------------- Postroom
postroom_delivered() { postroom_count "$1" "SELECT count(*) FROM queue WHERE state = 'delivered'"; }

postroom_once() {
  local dir="$TMP/postroom-$1" pid t0 t1 t2
  postroom_conf "$dir" "$POSTROOM_PORT" <<EOF
[queue]
max_connections_per_destination = $CONCURRENCY
[relay]
networks = ["127.0.0.0/8"]
[[route]]
domains = ["*"]
relay = ["$HOST:$SINK_PORT"]
tls = "none"
EOF
  start_sink
  POSTROOM_LOG=warn serve_postroom pid "$dir"
  settle
  t0=$(now)
  smtp_load "$POSTROOM_PORT" || die "smtp-source against Postroom failed"
  t1=$(now)
  wait_count "$RELAY_TIMEOUT" postroom_delivered "$dir/postroom.db" || { tail -n 20 "$dir/serve.log" >&2; die "Postroom did not relay everything"; }
  t2=$(now)
  stop_started "$pid"
  stop_started "$SINK_PID"
  PR_ACCEPT+=("$(elapsed "$t0" "$t1")"); PR_RELAY+=("$(elapsed "$t0" "$t2")")
  log "Postroom run $1: accepted in ${PR_ACCEPT[-1]} s, all relayed after ${PR_RELAY[-1]} s = $(rate "${PR_RELAY[-1]}") msg/s"
  [ "${KEEP_TMP:-0}" = 1 ] || rm -rf "$dir"
}

# ---------------------------------------------------------------- run
ports_free "$SINK_PORT" "$POSTFIX_PORT" "$POSTROOM_PORT"
DO_PF=1; DO_PR=1
[ "${SKIP_POSTFIX:-0}" != 1 ] || DO_PF=0
[ "${SKIP_POSTROOM:-0}" != 1 ] || DO_PR=0
[ "$DO_PF" = 0 ] || setup_postfix
log "load: smtp-source -s $SESSIONS -m $MESSAGES -l $SIZE; $RUNS interleaved rounds"
for round in $(seq "$RUNS"); do
  [ "$DO_PF" = 0 ] || postfix_once "$round"
  [ "$DO_PR" = 0 ] || postroom_once "$round"
done
PF_VERSION=""
[ "$DO_PF" = 0 ] || PF_VERSION="$(postconf -c "$POSTFIX_CONF" -h mail_version)"
stop_postfix

# ---------------------------------------------------------------- report
runs_col() { local out="" s; for s in "$@"; do out+="${out:+ / }$(rate "$s")"; done; printf '%s' "$out"; }
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$ROOT/bench/out"
OUT="$ROOT/bench/out/relay-$STAMP.md"
pf=""; pr=""
[ "${#PF_RELAY[@]}" -eq 0 ] || pf=$(med "${PF_RELAY[@]}")
[ "${#PR_RELAY[@]}" -eq 0 ] || pr=$(med "${PR_RELAY[@]}")
{
  echo "## Relay: smtp-source → server → smtp-sink ($STAMP)"
  echo
  echo "- Machine: $(nproc) CPUs, $(uname -sr); load generator, servers and sink share them."
  echo "- Load: \`smtp-source -s $SESSIONS -m $MESSAGES -l $SIZE -f $FROM -t $TO\`, a new connection per message; $RUNS interleaved rounds, median shown."
  echo "- Time: from the start of smtp-source until the last message is handed to \`smtp-sink\` (Postfix: \`status=sent\` lines in its maillog; Postroom: queue rows \`delivered\`). Both fsync before the 250."
  [ -z "$pf" ] || echo "- Postfix $PF_VERSION: private instance, \`relayhost = [$HOST]:sink\`, \`default_destination_concurrency_limit = $CONCURRENCY\`, \`in_flow_delay = 1s\` (default)."
  [ -z "$pr" ] || echo "- Postroom $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (dirty tree)'), release build: \`[relay] networks = [\"127.0.0.0/8\"]\` (smtp-source has no AUTH), one \`[[route]]\` for \"*\" to the sink, \`tls = \"none\"\`, \`max_connections_per_destination = $CONCURRENCY\`."
  echo
  echo "| Target | Relayed msg/s (median) | Median s | Runs (msg/s) | Accepted msg/s (median) |"
  echo "|---|---:|---:|---|---:|"
  [ -z "$pf" ] || echo "| Postfix | $(rate "$pf") | $pf | $(runs_col "${PF_RELAY[@]}") | $(rate "$(med "${PF_ACCEPT[@]}")") |"
  [ -z "$pr" ] || echo "| Postroom | $(rate "$pr") | $pr | $(runs_col "${PR_RELAY[@]}") | $(rate "$(med "${PR_ACCEPT[@]}")") |"
  if [ -n "$pf" ] && [ -n "$pr" ]; then
    r=$(ratio "$(rate "$pr")" "$(rate "$pf")")
    echo
    echo "Postroom / Postfix (relayed): **${r}×** (target ≥ 2×: $(awk -v r="$r" 'BEGIN { print (r >= 2 ? "pass" : "FAIL") }'))."
  fi
} | tee "$OUT"
log "written $OUT"
