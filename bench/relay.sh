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
set -euo pipefail

SESSIONS="${SESSIONS:-20}"
MESSAGES="${MESSAGES:-20000}"
SIZE="${SIZE:-5000}"
RUNS="${RUNS:-3}"
CONCURRENCY="${CONCURRENCY:-20}"
SINK_PORT="${SINK_PORT:-2536}"
POSTFIX_PORT="${POSTFIX_PORT:-2535}"
POSTROOM_PORT="${POSTROOM_PORT:-2537}"
RELAY_TIMEOUT="${RELAY_TIMEOUT:-600}"
FROM="bench@bench.test"
TO="user@relay.test"
HOST="127.0.0.1"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '[relay %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# ---------------------------------------------------------------- cleanup
PIDS=()
POSTFIX_CONF=""
TMP="$(mktemp -d /tmp/postroom-relay.XXXXXX)"
chmod 755 "$TMP"

stop_postfix() {
  [ -n "$POSTFIX_CONF" ] || return 0
  postfix -c "$POSTFIX_CONF" stop >/dev/null 2>&1 || true
  local mpid_file="$TMP/postfix/queue/pid/master.pid" mpid
  if [ -f "$mpid_file" ]; then
    mpid="$(tr -dc 0-9 <"$mpid_file")"
    for _ in $(seq 50); do
      [ -n "$mpid" ] && kill -0 "$mpid" 2>/dev/null || break
      sleep 0.1
    done
    [ -n "$mpid" ] && kill -0 "$mpid" 2>/dev/null && kill -TERM "$mpid" 2>/dev/null
  fi
  POSTFIX_CONF=""
}

stop_pid() {
  local pid="$1"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
  local keep=() p
  for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
  PIDS=("${keep[@]+"${keep[@]}"}")
}

cleanup() {
  local rc=$?
  set +e
  stop_postfix
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- install and build
if ! dpkg-query -W -f='${Status}' postfix 2>/dev/null | grep -q 'ok installed'; then
  log "installing postfix"
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postfix
fi
export PATH="$PATH:/usr/sbin:/sbin"
[ "$(id -u)" -eq 0 ] || die "run as root: the private Postfix instance needs it"
POSTROOM="$ROOT/target/release/postroom"
if [ "${SKIP_POSTROOM:-0}" != 1 ] && [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "cargo build --release -p cli"
  cargo build --release -p cli
fi

# ---------------------------------------------------------------- helpers
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
rate() { awk -v n="$MESSAGES" -v s="$1" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
wait_port() {
  local deadline=$(( $(date +%s) + $2 ))
  until port_open "$1"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}
settle() { sync; sleep 1; }

load() {
  /usr/sbin/smtp-source -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -f "$FROM" -t "$TO" "$HOST:$1" &
  local pid=$! rc=0
  PIDS+=("$pid")
  wait "$pid" || rc=$?
  local keep=() p
  for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
  PIDS=("${keep[@]+"${keep[@]}"}")
  return "$rc"
}

# wait_count COMMAND: until COMMAND prints MESSAGES (or more), within RELAY_TIMEOUT.
wait_count() {
  local deadline=$(( $(date +%s) + RELAY_TIMEOUT )) n
  while :; do
    n="$("$@")"
    [ "${n:-0}" -lt "$MESSAGES" ] || return 0
    [ "$(date +%s)" -lt "$deadline" ] || { log "relayed $n of $MESSAGES"; return 1; }
    sleep 0.1
  done
}

SINK_PID=""
start_sink() {
  /usr/sbin/smtp-sink -u postfix "$HOST:$SINK_PORT" 1024 &
  SINK_PID=$!
  PIDS+=("$SINK_PID")
  wait_port "$SINK_PORT" 10 || die "smtp-sink did not start on $SINK_PORT"
}

PF_ACCEPT=(); PF_RELAY=(); PR_ACCEPT=(); PR_RELAY=()

# ---------------------------------------------------------------- Postfix
setup_postfix() {
  local d="$TMP/postfix" conf="$TMP/postfix/conf"
  mkdir -p "$conf" "$d/queue" "$d/data"
  cat >"$conf/main.cf" <<EOF
compatibility_level = 3.6
myhostname = bench.test
mydomain = bench.test
myorigin = bench.test
mydestination =
inet_interfaces = $HOST
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
queue_directory = $d/queue
data_directory = $d/data
maillog_file = $d/maillog
maillog_file_prefixes = /var, /dev/stdout, $d
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
relayhost = [$HOST]:$SINK_PORT
default_destination_concurrency_limit = $CONCURRENCY
smtpd_peername_lookup = no
message_size_limit = 0
biff = no
alias_maps =
alias_database =
EOF
  cat >"$conf/master.cf" <<EOF
$HOST:$POSTFIX_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
  chown postfix "$d/data"
  script -eqc "postfix -c $conf check" /dev/null >"$d/check.out" 2>&1 || { cat "$d/check.out" >&2; die "postfix check"; }
  POSTFIX_CONF="$conf"
  script -eqc "postfix -c $conf start" /dev/null >"$d/start.out" 2>&1 || { cat "$d/start.out" >&2; die "postfix start"; }
  wait_port "$POSTFIX_PORT" 30 || die "Postfix did not listen on $POSTFIX_PORT"
}

postfix_sent() { grep -c 'status=sent' "$TMP/postfix/maillog" 2>/dev/null || echo 0; }

postfix_once() {
  local t0 t1 t2
  : >"$TMP/postfix/maillog"
  start_sink
  settle
  t0=$(now)
  load "$POSTFIX_PORT" || die "smtp-source against Postfix failed"
  t1=$(now)
  wait_count postfix_sent || { tail -n 20 "$TMP/postfix/maillog" >&2; die "Postfix did not relay everything"; }
  t2=$(now)
  stop_pid "$SINK_PID"
  PF_ACCEPT+=("$(elapsed "$t0" "$t1")"); PF_RELAY+=("$(elapsed "$t0" "$t2")")
  log "Postfix run $1: accepted in ${PF_ACCEPT[-1]} s, all relayed after ${PF_RELAY[-1]} s = $(rate "${PF_RELAY[-1]}") msg/s"
}

# ---------------------------------------------------------------- Postroom
postroom_delivered() {
  python3 -c 'import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(db.execute("SELECT count(*) FROM queue WHERE state = '"'"'delivered'"'"'").fetchone()[0])' "$1"
}

postroom_once() {
  local dir="$TMP/postroom-$1" pid t0 t1 t2
  mkdir -p "$dir"
  cat >"$dir/postroom.toml" <<EOF
hostname = "bench.test"
[listen]
smtp = ["$HOST:$POSTROOM_PORT"]
submission = []
submissions = []
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
  POSTROOM_LOG=warn "$POSTROOM" --data-dir "$dir" serve >"$dir/serve.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait_port "$POSTROOM_PORT" 30 || { tail -n 20 "$dir/serve.log" >&2; die "postroom did not listen"; }
  settle
  t0=$(now)
  load "$POSTROOM_PORT" || die "smtp-source against Postroom failed"
  t1=$(now)
  wait_count postroom_delivered "$dir/postroom.db" || { tail -n 20 "$dir/serve.log" >&2; die "Postroom did not relay everything"; }
  t2=$(now)
  stop_pid "$pid"
  stop_pid "$SINK_PID"
  PR_ACCEPT+=("$(elapsed "$t0" "$t1")"); PR_RELAY+=("$(elapsed "$t0" "$t2")")
  log "Postroom run $1: accepted in ${PR_ACCEPT[-1]} s, all relayed after ${PR_RELAY[-1]} s = $(rate "${PR_RELAY[-1]}") msg/s"
  [ "${KEEP_TMP:-0}" = 1 ] || rm -rf "$dir"
}

# ---------------------------------------------------------------- run
for port in "$SINK_PORT" "$POSTFIX_PORT" "$POSTROOM_PORT"; do
  ! port_open "$port" || die "port $port on $HOST is in use"
done
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
[ "${#PF_RELAY[@]}" -eq 0 ] || pf=$(median "${PF_RELAY[@]}")
[ "${#PR_RELAY[@]}" -eq 0 ] || pr=$(median "${PR_RELAY[@]}")
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
  [ -z "$pf" ] || echo "| Postfix | $(rate "$pf") | $pf | $(runs_col "${PF_RELAY[@]}") | $(rate "$(median "${PF_ACCEPT[@]}")") |"
  [ -z "$pr" ] || echo "| Postroom | $(rate "$pr") | $pr | $(runs_col "${PR_RELAY[@]}") | $(rate "$(median "${PR_ACCEPT[@]}")") |"
  if [ -n "$pf" ] && [ -n "$pr" ]; then
    r=$(ratio "$(rate "$pr")" "$(rate "$pf")")
    echo
    echo "Postroom / Postfix (relayed): **${r}×** (target ≥ 2×: $(awk -v r="$r" 'BEGIN { print (r >= 2 ? "pass" : "FAIL") }'))."
  fi
} | tee "$OUT"
log "written $OUT"
