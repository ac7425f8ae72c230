# Shared by the benchmark scripts: logging, stopping processes by PID, waiting for ports,
# medians and ratios for the reports. Source it after setting HOST. Sets ROOT (the
# repository) and makes it the working directory.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# defaults NAME=VALUE...: each NAME keeps a non-empty value it has (from the environment),
# else gets VALUE: the scripts' tunables, listed once at their top.
defaults() {
  local _kv _name
  for _kv; do
    _name="${_kv%%=*}"
    [ -n "${!_name:-}" ] || printf -v "$_name" '%s' "${_kv#*=}"
  done
}

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

stop_pid() {
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "PID $pid ignored SIGTERM for 30 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
wait_port() { # PORT [PID]: up to 30 s; fails at once if PID (when given) is gone
  local i
  for i in $(seq 300); do
    port_open "$1" && return 0
    [ -z "${2:-}" ] || kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# start_bg VAR PORT LOG COMMAND...: COMMAND in the background, its output appended to LOG,
# its PID in VAR and in PIDS (for the exit trap); waits for PORT on $HOST. Returns 1 after
# showing LOG's tail and saying why when the port does not open.
start_bg() {
  # Underscored locals: VAR names a variable of the caller's, which these must not shadow.
  local _var="$1" _port="$2" _out="$3" _pid
  shift 3
  "$@" >>"$_out" 2>&1 &
  _pid=$!
  PIDS+=("$_pid")
  printf -v "$_var" '%s' "$_pid"
  wait_port "$_port" "$_pid" && return 0
  tail -n 30 "$_out" >&2 2>/dev/null || true
  if kill -0 "$_pid" 2>/dev/null; then
    log "${1##*/} did not listen on $_port within 30 s"
  else
    log "${1##*/} exited before listening on $_port"
  fi
  return 1
}

# serve_postroom VAR DIR: `postroom serve` on DIR (log DIR/serve.log), its PID in VAR, up once
# $POSTROOM_PORT listens.
serve_postroom() {
  start_bg "$1" "$POSTROOM_PORT" "$2/serve.log" "$POSTROOM" --data-dir "$2" serve \
    || die "postroom serve did not listen on $POSTROOM_PORT"
}

# start_sink: smtp-sink (accepts and discards) on $HOST:$SINK_PORT, its PID in SINK_PID.
start_sink() {
  start_bg SINK_PID "$SINK_PORT" "$TMP/sink.log" /usr/sbin/smtp-sink -u postfix "$HOST:$SINK_PORT" 1024 \
    || die "smtp-sink did not start on $SINK_PORT"
}

# stop_started PID: stop_pid, then drop it from PIDS (so the exit trap never sees it again).
stop_started() { stop_pid "$1"; forget_pid "$1"; }

# forget_pid PID: drops a PID the script stopped itself from PIDS.
forget_pid() {
  local keep=() p
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  PIDS=("${keep[@]+"${keep[@]}"}")
}

median() {
  printf '%s\n' $1 | sort -g | awk '{ v[NR] = $1 }
    END { if (NR % 2) printf "%.6f", v[(NR + 1) / 2]; else printf "%.6f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
med() { printf '%.3f' "$(median "$*")"; } # SECONDS... -> their median, 3 decimals
per_sec() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
mb_per_sec() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0 ? b / s / 1048576 : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
runs() { local out="" s; for s in $1; do out+="${out:+ / }$(printf '%.3f' "$s")"; done; printf '%s' "$out"; }

# bench_setup NAME: PIDS (what the script starts), a temp dir $TMP that the peers'
# unprivileged processes can traverse, and traps: on exit every PID still in PIDS is stopped,
# the script's own `on_exit` runs if it defines one, and $TMP goes (KEEP_TMP=1 keeps it).
bench_setup() {
  PIDS=()
  TMP="$(mktemp -d "/tmp/postroom-$1-bench.XXXXXX")"
  chmod 755 "$TMP"
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
bench_cleanup() {
  local rc=$? pid
  set +e
  for pid in "${PIDS[@]+"${PIDS[@]}"}"; do
    kill -0 "$pid" 2>/dev/null && stop_pid "$pid"
  done
  if declare -F on_exit >/dev/null; then on_exit; fi
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}

# need_dovecot PACKAGE: root (a private Dovecot instance switches users) and the package.
need_dovecot() {
  [ "$(id -u)" -eq 0 ] || die "run as root: the private Dovecot instance needs it (sudo $0)"
  if ! [ -x /usr/sbin/dovecot ] || ! dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; then
    log "installing $1"
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$1"
  fi
}

# bench_rounds WORKLOAD...: Dovecot and Postroom take turns: each runs every workload once as
# a warm-up, then RUNS rounds of them. Runs the caller's `run_client TARGET WORKLOAD` (it
# prints "SECONDS [COUNT] BYTES"), after `before_run TARGET WORKLOAD` where the caller defines
# one; fills the caller's associative arrays SECS[TARGET.WORKLOAD] (the rounds' seconds,
# space-separated) and BYTES[TARGET.WORKLOAD].
bench_rounds() {
  local target workload round out
  for target in dovecot postroom; do
    for workload; do
      if declare -F before_run >/dev/null; then before_run "$target" "$workload"; fi
      out=$(run_client "$target" "$workload") || die "$target $workload warm-up failed"
      log "warm-up: $target $workload: $out (seconds [messages] bytes)"
    done
  done
  for round in $(seq "$RUNS"); do
    for workload; do
      for target in dovecot postroom; do
        if declare -F before_run >/dev/null; then before_run "$target" "$workload"; fi
        sync; sleep 0.5
        out=$(run_client "$target" "$workload") || die "$target $workload failed"
        SECS[$target.$workload]+="${out%% *} "
        BYTES[$target.$workload]="${out##* }"
        log "round $round: $target $workload: $out (seconds [messages] bytes)"
      done
    done
  done
}

# postroom_conf DIR SMTP_PORT [SERVICE PORT]: creates DIR and writes DIR/postroom.toml for
# Postroom taking SMTP on $HOST:SMTP_PORT and, when given, serving SERVICE (imap or pop3) on
# $HOST:PORT, no TLS listeners; then appends standard input (the caller's [limits], say).
postroom_conf() {
  local dir="$1"
  mkdir -p "$dir"
  {
    printf 'hostname = "bench.test"\n[listen]\nsmtp = ["%s:%s"]\nsubmission = []\nsubmissions = []\n' "$HOST" "$2"
    [ -z "${3:-}" ] || printf '%s = ["%s:%s"]\n%ss = []\n' "$3" "$HOST" "$4" "$3"
    cat
  } >"$dir/postroom.toml"
}

# postroom_accounts DIR ADDRESS...: the domain bench.test and an account (password $PASS) per
# ADDRESS in Postroom's DIR; its output in DIR/setup.log, shown when a step fails.
postroom_accounts() {
  local dir="$1" address
  shift
  {
    "$POSTROOM" --data-dir "$dir" domain add bench.test
    for address; do
      echo "$PASS" | "$POSTROOM" --data-dir "$dir" account add "$address" --password-stdin
    done
  } >>"$dir/setup.log" 2>&1 || { cat "$dir/setup.log" >&2; die "postroom setup in $dir"; }
}

# postroom_count DB SQL: what a `SELECT count(*) ...` prints over Postroom's DB, read-only.
postroom_count() {
  python3 -c 'import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(db.execute(sys.argv[2]).fetchone()[0])' "$1" "$2"
}

# wait_count SECONDS COMMAND...: until COMMAND prints $MESSAGES (or more); 1 after SECONDS.
wait_count() {
  local deadline=$(($(date +%s) + $1)) n
  shift
  while :; do
    n="$("$@")"
    [ "${n:-0}" -lt "$MESSAGES" ] || return 0
    [ "$(date +%s)" -lt "$deadline" ] || { log "$1: $n of $MESSAGES"; return 1; }
    sleep 0.1
  done
}

# dovecot_conf PROTOCOL: writes $DV/dovecot.conf for a private plain-text instance on
# $HOST:$DOVECOT_PORT serving PROTOCOL (imap or pop3) from Maildirs of the users in $DV/users
# (uid $MAIL_UID), then appends standard input: the caller's limits and tuning.
dovecot_conf() {
  local proto="$1"
  cat >"$DV/dovecot.conf" <<EOF
base_dir = $DV/run
state_dir = $DV/state
log_path = $DV/dovecot.log
listen = $HOST
protocols = $proto
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = $MAIL_UID
last_valid_uid = $MAIL_UID
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN $DV/users
}
userdb {
  driver = passwd-file
  args = $DV/users
}
service $proto-login {
  inet_listener $proto {
    address = $HOST
    port = $DOVECOT_PORT
  }
  inet_listener ${proto}s {
    port = 0
  }
}
EOF
  cat >>"$DV/dovecot.conf"
}

# start_dovecot: the private instance dovecot_conf wrote, in the foreground of its own
# background job (PID in DV_PID), up once $DOVECOT_PORT listens.
start_dovecot() {
  start_bg DV_PID "$DOVECOT_PORT" "$DV/stdout.log" /usr/sbin/dovecot -F -c "$DV/dovecot.conf" \
    || { cat "$DV/dovecot.log" >&2 2>/dev/null; die "dovecot did not listen on $DOVECOT_PORT"; }
}

# ports_free PORT...: dies when one is taken on $HOST.
ports_free() {
  local port
  for port; do
    port_open "$port" && die "port $port on $HOST is already in use"
  done
  return 0
}

# build_postroom: sets POSTROOM to the release binary (POSTROOM_BIN overrides), built unless
# SKIP_BUILD=1.
build_postroom() {
  POSTROOM="${POSTROOM_BIN:-$ROOT/target/release/postroom}"
  if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "cargo build --release -p cli"
    cargo build --release -p cli
  fi
  [ -x "$POSTROOM" ] || die "$POSTROOM missing (cargo build --release -p cli)"
}

# ---------------------------------------------------------------- Postfix (SMTP benches)
# need_postfix: root (the private instance) and the postfix package with smtp-source/-sink.
need_postfix() {
  [ "$(id -u)" -eq 0 ] || die "run as root: the private Postfix instance needs it (sudo $0)"
  if ! dpkg-query -W -f='${Status}' postfix 2>/dev/null | grep -q 'ok installed'; then
    log "installing postfix"
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postfix
  fi
  export PATH="$PATH:/usr/sbin:/sbin"
  local tool
  for tool in /usr/sbin/smtp-source /usr/sbin/smtp-sink /usr/sbin/postfix; do
    [ -x "$tool" ] || die "$tool missing after install"
  done
}

# postfix_conf DIR: writes DIR/conf/main.cf and master.cf for a private instance listening on
# $HOST:$POSTFIX_PORT with its queue, data and maillog under DIR, trusting 127.0.0.0/8 and no
# local domain; then appends standard input to main.cf (the caller's delivery: a relayhost,
# virtual mailboxes). master.cf has Debian's usual unix services, all chroot n.
postfix_conf() {
  local d="$1" conf="$1/conf"
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
message_size_limit = 0
# in_flow_delay stays at its default (1s): it slows smtpd down to the delivery speed.
biff = no
# No local domain here: no aliases (the defaults point at /etc/aliases.db and NIS).
alias_maps =
alias_database =
EOF
  cat >>"$conf/main.cf"
  cat >"$conf/master.cf" <<EOF
$HOST:$POSTFIX_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
  chown postfix "$d/data"
}

# start_postfix DIR: checks and starts the instance postfix_conf wrote (POSTFIX_CONF is set
# from then on, for stop_postfix) and waits for its port.
start_postfix() {
  local d="$1" conf="$1/conf"
  if ! script -eqc "postfix -c $conf check" /dev/null >"$d/check.out" 2>&1; then
    cat "$d/check.out" >&2
    die "postfix -c $conf check"
  fi
  POSTFIX_CONF="$conf"
  if ! script -eqc "postfix -c $conf start" /dev/null >"$d/start.out" 2>&1; then
    cat "$d/start.out" >&2
    die "postfix -c $conf start"
  fi
  wait_port "$POSTFIX_PORT" || { cat "$d/maillog" >&2 2>/dev/null || true; die "Postfix did not listen on $POSTFIX_PORT"; }
}

# stop_postfix: stops the private instance of $POSTFIX_CONF (queue in $TMP/postfix/queue),
# if one was started; its master by the PID it recorded if `postfix stop` could not.
stop_postfix() {
  [ -n "${POSTFIX_CONF:-}" ] || return 0
  log "stopping private Postfix ($POSTFIX_CONF)"
  postfix -c "$POSTFIX_CONF" stop >/dev/null 2>&1 || true
  local mpid_file="$TMP/postfix/queue/pid/master.pid" mpid
  if [ -f "$mpid_file" ]; then
    mpid="$(tr -dc 0-9 <"$mpid_file")"
    for _ in $(seq 50); do
      [ -n "$mpid" ] && kill -0 "$mpid" 2>/dev/null || break
      sleep 0.1
    done
    if [ -n "$mpid" ] && kill -0 "$mpid" 2>/dev/null; then kill -TERM "$mpid" 2>/dev/null || true; fi
  fi
  POSTFIX_CONF=""
}

# smtp_load PORT: smtp-source with $SESSIONS $MESSAGES $SIZE $FROM $TO against $HOST:PORT, in
# the background and waited for, so a signal runs the cleanup at once (which ends it by PID).
smtp_load() {
  /usr/sbin/smtp-source -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -f "$FROM" -t "$TO" "$HOST:$1" &
  local pid=$! rc=0
  PIDS+=("$pid")
  wait "$pid" || rc=$?
  forget_pid "$pid"
  return "$rc"
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; } # START END -> seconds
# Before each timed run: write back what earlier runs left dirty, so no run pays for another.
settle() { sync; sleep 1; }
