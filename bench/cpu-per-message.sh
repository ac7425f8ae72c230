#!/usr/bin/env bash
# CPU time of the `postroom serve` process per message / per command, for two builds side by
# side (a change and the code before it). On a busy machine wall-clock throughput is noise;
# the CPU time the server itself consumes (utime + stime from /proc/PID/stat) moves much less
# with other load, so it tells whether a change made each message or command cheaper or dearer.
#
# Workloads (the same clients' commands as the throughput scripts):
#   smtp-conn      smtp-source -s SESSIONS -m MESSAGES -l SIZE: one message per connection
#                  (smtp-accept.sh's load); per message, connect to QUIT included
#   smtp-session   the same with smtp-source -d: all messages over SESSIONS connections
#   smtp-pipelined SESSIONS Python connections, MAIL FROM + RCPT TO + DATA sent in one write
#                  (RFC 2920; smtp-source cannot pipeline), then the message
#   pop3-retr      one session, RETR 1..READ_MESSAGES one at a time, PASSES times over
#                  (pop3-retr.sh's client); login not counted
#   imap-body      one session, `FETCH 1:* (BODY.PEEK[])` of READ_MESSAGES, PASSES times
#   imap-envelope  one session, `FETCH 1:* (ENVELOPE BODYSTRUCTURE)`, PASSES times (imap.sh's)
#   imap-commands  one session, IMAP_COMMANDS pipelined `UID FETCH n (FLAGS)`: per command
# CPU: the sum over the server's threads of /proc/PID/task/TID/schedstat's time on CPU (ns),
# and utime + stime from /proc/PID/stat (1/100 s ticks, but it keeps ended threads) as a check.
# (`perf stat -p` was tried: on a machine at load 20 it did not always attach within a second.)
# SMTP runs get a fresh data directory; the read workloads use one data directory per build,
# filled over SMTP (smtp-source -d) once and served by a fresh `postroom serve` for each run.
# For SMTP the CPU is counted from after the server listens until smtp-source exits; for
# POP3/IMAP the client counts it itself from after LOGIN (and SELECT) to the last reply.
# RUNS rounds; each round runs every build once per workload, alternating (old, new, old, new
# ...): background drift hits both alike. The report gives per build and workload the median
# CPU per unit, min–max over the runs, and the 1-minute load average during the runs.
#
# Environment:
#   OLD_BIN=PATH NEW_BIN=PATH   the two release binaries (required)
#   OLD_LABEL=old NEW_LABEL=new
#   RUNS=3 SESSIONS=20 MESSAGES=5000 SIZE=5000 READ_MESSAGES=2000 PASSES=5 IMAP_COMMANDS=20000
#   WORKLOADS="smtp-conn smtp-session smtp-pipelined pop3-retr imap-body imap-envelope imap-commands"
#   SMTP_PORT=2825 POP3_PORT=2810 IMAP_PORT=2843
#   KEEP_TMP=1   keep the temp dir (configs, serve logs)
# Needs smtp-source (the postfix package) and python3; not root. Results: stdout and
# bench/out/cpu-per-message-<timestamp>.md.
set -euo pipefail

OLD_BIN="${OLD_BIN:?OLD_BIN=path to the postroom binary before the change}"
NEW_BIN="${NEW_BIN:?NEW_BIN=path to the postroom binary after the change}"
OLD_LABEL="${OLD_LABEL:-old}"
NEW_LABEL="${NEW_LABEL:-new}"
RUNS="${RUNS:-3}"
SESSIONS="${SESSIONS:-20}"
MESSAGES="${MESSAGES:-5000}"
SIZE="${SIZE:-5000}"
READ_MESSAGES="${READ_MESSAGES:-2000}"
PASSES="${PASSES:-5}"
IMAP_COMMANDS="${IMAP_COMMANDS:-20000}"
WORKLOADS="${WORKLOADS:-smtp-conn smtp-session smtp-pipelined pop3-retr imap-body imap-envelope imap-commands}"
SMTP_PORT="${SMTP_PORT:-2825}"
POP3_PORT="${POP3_PORT:-2810}"
IMAP_PORT="${IMAP_PORT:-2843}"
POSTROOM_PORT="$IMAP_PORT" # postroom_conf's name for the imap listener
HOST="127.0.0.1"
PASS="Bench-pass-1234"
FROM="bench@bench.test"

# log, die, stop_started, wait_port, median, ports_free, bench_setup, postroom_conf, now, elapsed
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # sets ROOT, the working directory

bench_setup cpu
for b in "$OLD_BIN" "$NEW_BIN"; do [ -x "$b" ] || die "$b is not an executable"; done
[ -x /usr/sbin/smtp-source ] || die "/usr/sbin/smtp-source missing (apt-get install postfix)"
command -v python3 >/dev/null || die "python3 missing"
ports_free "$SMTP_PORT" "$POP3_PORT" "$IMAP_PORT"
TICK="$(getconf CLK_TCK)"
# cpu_ticks PID: utime + stime of the whole process (live and ended threads), in clock ticks.
# Fields after the ")" closing comm: state is 1, utime 12, stime 13 (proc(5): 14 and 15).
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
# cpu_ns PID: time on CPU summed over the threads alive now (a thread ending in between would be
# missed: the ticks check above would then disagree).
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%d", s }'; }
load1() { cut -d' ' -f1 /proc/loadavg; }

# new_datadir DIR BIN: config with smtp, imap and pop3 on loopback, one domain, two accounts.
new_datadir() {
  local dir="$1" bin="$2"
  mkdir -p "$dir"
  postroom_conf "$dir" imap <<EOF
pop3 = ["$HOST:$POP3_PORT"]
pop3s = []
EOF
  {
    "$bin" --data-dir "$dir" domain add bench.test
    echo "$PASS" | "$bin" --data-dir "$dir" account add user@bench.test --password-stdin
    echo "$PASS" | "$bin" --data-dir "$dir" account add reader@bench.test --password-stdin
  } >"$dir/setup.log" 2>&1 || { cat "$dir/setup.log" >&2; die "postroom setup in $dir"; }
}

# serve DIR BIN: starts `postroom serve`, sets SERVER_PID once all three listeners answer.
serve() {
  "$2" --data-dir "$1" serve >>"$1/serve.out" 2>>"$1/serve.log" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  local port
  for port in "$SMTP_PORT" "$POP3_PORT" "$IMAP_PORT"; do
    wait_port "$port" "$SERVER_PID" || { tail -n 20 "$1/serve.log" >&2; die "postroom serve ($2) did not listen on $port"; }
  done
}

stored() { # DIR ADDRESS -> messages in that account's INBOX (after the server stopped)
  python3 -c 'import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(db.execute("""SELECT count(*) FROM messages m JOIN mailboxes x ON x.id = m.mailbox_id
  JOIN accounts a ON a.id = x.account_id WHERE a.address = ? AND x.name = ?""",
  (sys.argv[2], "INBOX")).fetchone()[0])' "$1/postroom.db" "$2"
}

# ---------------------------------------------------------------- clients
cat >"$TMP/smtp_pipelined.py" <<'PY'
# SESSIONS connections in threads, MESSAGES in all: EHLO once, then per message MAIL FROM,
# RCPT TO and DATA in one write (RFC 2920 §3.1: DATA ends the group), the three replies, the
# message (dot-stuffed already) and its 250.
import socket, sys, threading
host, port, sessions, n, size, sender, rcpt = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7]
line = b".dot-stuffed line of about seventy characters, the rest is plain text ......\r\n"
body = b"Subject: pipelined\r\nFrom: <%s>\r\nTo: <%s>\r\n\r\n" % (sender.encode(), rcpt.encode())
body += line * max(1, (size - len(body)) // len(line))
body = body.replace(b"\r\n.", b"\r\n..") + b".\r\n"
envelope = b"MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\n" % (sender.encode(), rcpt.encode())
failed = []
def replies(f, count):
    for _ in range(count):
        while True:
            l = f.readline()
            if not l or l[:1] not in b"23":
                raise SystemExit("unexpected reply %r" % l)
            if l[3:4] != b"-":
                break
def session(count):
    try:
        s = socket.create_connection((host, port), timeout=300)
        f = s.makefile("rb")
        replies(f, 1)
        s.sendall(b"EHLO client.bench.test\r\n"); replies(f, 1)
        for _ in range(count):
            s.sendall(envelope); replies(f, 3)
            s.sendall(body); replies(f, 1)
        s.sendall(b"QUIT\r\n"); replies(f, 1)
    except BaseException as e:
        failed.append(repr(e))
threads = [threading.Thread(target=session, args=(n // sessions + (i < n % sessions),)) for i in range(sessions)]
for t in threads: t.start()
for t in threads: t.join()
if failed:
    raise SystemExit("; ".join(failed[:3]))
PY

cat >"$TMP/read.py" <<'PY'
# POP3 or IMAP: log in (and SELECT), read the server's CPU ticks, run the workload, read them
# again; prints "ticks units ms" (ticks from /proc/PID/stat, ms from the threads' schedstat).
# The CPU is read only between complete replies, so it covers exactly the workload.
import os, socket, sys, threading
host, port, user, password, workload, pid, count, passes, commands = sys.argv[1:10]
port, count, passes, commands = int(port), int(count), int(passes), int(commands)
def ns():
    total = 0
    for tid in os.listdir("/proc/%s/task" % pid):
        try:
            with open("/proc/%s/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total
def ticks():
    with open("/proc/%s/stat" % pid) as f:
        v = f.read().rsplit(")", 1)[1].split()
    return int(v[11]) + int(v[12])
s = socket.create_connection((host, port), timeout=600)
buf = bytearray()
def fill():
    d = s.recv(1 << 20)
    if not d:
        raise SystemExit("connection closed")
    buf.extend(d)
def until(mark):
    """Drops the input up to and including `mark` (kept short: only a tail is searched)."""
    while True:
        i = buf.find(mark)
        if i != -1:
            del buf[:i + len(mark)]
            return
        keep = len(mark)
        if len(buf) > keep:
            del buf[:len(buf) - keep]
        fill()
def line():
    while b"\r\n" not in buf:
        fill()
    i = buf.find(b"\r\n")
    l = bytes(buf[:i])
    del buf[:i + 2]
    return l
def tagged(tag):
    """IMAP: reads up to the tagged reply line `tag ...`, which must be OK."""
    until(b"\r\n" + tag + b" ") if not buf.startswith(tag + b" ") else until(tag + b" ")
    l = line()
    if not l.startswith(b"OK"):
        raise SystemExit("%s: %r" % (tag.decode(), l[:200]))
line()  # greeting
if workload == "pop3-retr":
    def ok(l):
        if not l.startswith(b"+OK"):
            raise SystemExit("unexpected: %r" % l)
    s.sendall(b"USER %s\r\n" % user.encode()); ok(line())
    s.sendall(b"PASS %s\r\n" % password.encode()); ok(line())
    n0, t0 = ns(), ticks()
    for _ in range(passes):
        for i in range(1, count + 1):
            s.sendall(b"RETR %d\r\n" % i)
            ok(line())
            until(b"\r\n.\r\n")
    t1, n1 = ticks(), ns()
    ms = "%.3f" % ((n1 - n0) / 1e6)
    units = count * passes
    s.sendall(b"QUIT\r\n")
else:
    buf.extend(b"\r\n")  # so the first tagged reply is found after a line start
    s.sendall(b"L LOGIN %s %s\r\n" % (user.encode(), password.encode())); tagged(b"L")
    s.sendall(b"S SELECT INBOX\r\n"); tagged(b"S")
    n0, t0 = ns(), ticks()
    if workload == "imap-commands":
        def writer():
            for i in range(commands):
                s.sendall(b"F%d UID FETCH %d (FLAGS)\r\n" % (i, 1 + i % count))
        w = threading.Thread(target=writer)
        w.start()
        for i in range(commands):
            tagged(b"F%d" % i)
        w.join()
        units = commands
    else:
        item = {"imap-body": b"BODY.PEEK[]", "imap-envelope": b"ENVELOPE BODYSTRUCTURE"}[workload]
        for p in range(passes):
            s.sendall(b"P%d FETCH 1:* (%s)\r\n" % (p, item)); tagged(b"P%d" % p)
        units = count * passes
    t1, n1 = ticks(), ns()
    ms = "%.3f" % ((n1 - n0) / 1e6)
    s.sendall(b"Z LOGOUT\r\n")
print(t1 - t0, units, ms)
PY

# ---------------------------------------------------------------- the runs
# One data directory per build for the read workloads, filled once.
fill_reader() { # DIR BIN
  new_datadir "$1" "$2"
  serve "$1" "$2"
  /usr/sbin/smtp-source -d -s 4 -m "$READ_MESSAGES" -l "$SIZE" -f "$FROM" -t reader@bench.test "$HOST:$SMTP_PORT" \
    || die "filling $1 failed"
  stop_started "$SERVER_PID"
  [ "$(stored "$1" reader@bench.test)" -eq "$READ_MESSAGES" ] || die "$1: reader@bench.test does not hold $READ_MESSAGES messages"
}

# once LABEL BIN WORKLOAD ROUND: one measured run; appends "label workload round ticks units
# wall load1 ms" to $TMP/runs.
once() {
  local label="$1" bin="$2" workload="$3" round="$4" dir t0 t1 c0 c1 n0 n1 l0 l1 units ticks ms
  case "$workload" in
    smtp-*)
      dir="$TMP/smtp-$label-$workload-$round"
      new_datadir "$dir" "$bin"
      serve "$dir" "$bin"
      sync
      l0=$(load1); t0=$(now); c0=$(cpu_ticks "$SERVER_PID"); n0=$(cpu_ns "$SERVER_PID")
      case "$workload" in
        smtp-conn) /usr/sbin/smtp-source -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -f "$FROM" -t user@bench.test "$HOST:$SMTP_PORT" ;;
        smtp-session) /usr/sbin/smtp-source -d -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -f "$FROM" -t user@bench.test "$HOST:$SMTP_PORT" ;;
        smtp-pipelined) python3 "$TMP/smtp_pipelined.py" "$HOST" "$SMTP_PORT" "$SESSIONS" "$MESSAGES" "$SIZE" "$FROM" user@bench.test ;;
      esac || { tail -n 20 "$dir/serve.log" >&2; die "$label $workload: client failed"; }
      sleep 0.5 # sessions ending after the client's last QUIT
      n1=$(cpu_ns "$SERVER_PID"); c1=$(cpu_ticks "$SERVER_PID"); t1=$(now); l1=$(load1)
      ms=$(awk -v a="$n0" -v b="$n1" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')
      stop_started "$SERVER_PID"
      [ "$(stored "$dir" user@bench.test)" -eq "$MESSAGES" ] || die "$label $workload: not all $MESSAGES messages stored"
      ticks=$((c1 - c0)); units="$MESSAGES"
      [ "${KEEP_TMP:-0}" = 1 ] || rm -rf "$dir"
      ;;
    *)
      dir="$TMP/read-$label"
      serve "$dir" "$bin"
      local port="$IMAP_PORT"; [ "$workload" = pop3-retr ] && port="$POP3_PORT"
      l0=$(load1); t0=$(now)
      read -r ticks units ms < <(python3 "$TMP/read.py" "$HOST" "$port" reader@bench.test "$PASS" "$workload" \
        "$SERVER_PID" "$READ_MESSAGES" "$PASSES" "$IMAP_COMMANDS") || die "$label $workload: client failed"
      t1=$(now); l1=$(load1)
      stop_started "$SERVER_PID"
      ;;
  esac
  local load
  load=$(awk -v a="$l0" -v b="$l1" 'BEGIN { printf "%.1f", (a + b) / 2 }')
  echo "$label $workload $round $ticks $units $(elapsed "$t0" "$t1") $load $ms" >>"$TMP/runs"
  log "$label $workload round $round: $ms ms on CPU, /proc $ticks ticks for $units units ($(elapsed "$t0" "$t1") s, load $load)"
}

: >"$TMP/runs"
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
log "builds: $OLD_LABEL=$OLD_BIN $NEW_LABEL=$NEW_BIN; workloads: $WORKLOADS; $RUNS rounds; load $LOAD_START"
case " $WORKLOADS " in
  *" pop3-"* | *" imap-"*)
    log "filling one reader INBOX per build: $READ_MESSAGES × $SIZE B"
    fill_reader "$TMP/read-$OLD_LABEL" "$OLD_BIN"
    fill_reader "$TMP/read-$NEW_LABEL" "$NEW_BIN"
    ;;
esac
for round in $(seq "$RUNS"); do
  for workload in $WORKLOADS; do
    # Alternate which build goes first, so neither always runs right after the other's fsyncs.
    if [ $((round % 2)) = 1 ]; then
      once "$OLD_LABEL" "$OLD_BIN" "$workload" "$round"; once "$NEW_LABEL" "$NEW_BIN" "$workload" "$round"
    else
      once "$NEW_LABEL" "$NEW_BIN" "$workload" "$round"; once "$OLD_LABEL" "$OLD_BIN" "$workload" "$round"
    fi
  done
done
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- report
unit() {
  case "$1" in
    smtp-conn) echo "message (1 per connection, $SESSIONS sessions)" ;;
    smtp-session) echo "message ($SESSIONS connections, -d)" ;;
    smtp-pipelined) echo "message ($SESSIONS connections, pipelined)" ;;
    pop3-retr) echo "RETR of ~$SIZE B" ;;
    imap-body) echo "message in FETCH 1:* BODY.PEEK[]" ;;
    imap-envelope) echo "message in FETCH 1:* (ENVELOPE BODYSTRUCTURE)" ;;
    imap-commands) echo "UID FETCH n (FLAGS), pipelined" ;;
  esac
}
per_unit_runs() { # LABEL WORKLOAD [ticks] -> µs per unit of each run (schedstat, or ticks)
  awk -v l="$1" -v w="$2" -v hz="$TICK" -v src="${3:-}" '$1 == l && $2 == w {
    printf "%.1f ", (src != "ticks" ? $8 * 1000 / $5 : $4 / hz * 1e6 / $5) }' "$TMP/runs"
}
loads() { awk -v w="$1" '$2 == w { print $7 }' "$TMP/runs" | sort -g | awk '{ v[NR] = $1 } END { printf "%s–%s", v[1], v[NR] }'; }
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$ROOT/bench/out/cpu-per-message-$STAMP.md"
mkdir -p "$ROOT/bench/out"
{
  echo "## CPU per message: $OLD_LABEL vs $NEW_LABEL ($STAMP)"
  echo
  echo "- Machine: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(uname -sr). Load average at the start $LOAD_START, at the end $LOAD_END."
  echo "- $OLD_LABEL: \`$OLD_BIN\`; $NEW_LABEL: \`$NEW_BIN\`. $RUNS rounds, builds alternating within each round."
  echo "- SMTP: $MESSAGES messages of $SIZE B per run into a fresh data directory; reads: $READ_MESSAGES messages of $SIZE B, $PASSES passes."
  echo
  echo "- CPU: time on CPU summed over the server's threads (/proc/PID/task/*/schedstat, ns); the last column is the check from /proc/PID/stat utime + stime (10 ms ticks), median $OLD_LABEL → $NEW_LABEL."
  echo
  echo "| Workload | CPU per | $OLD_LABEL median µs | $OLD_LABEL runs | $NEW_LABEL median µs | $NEW_LABEL runs | Change | Load (1 min) | /proc check |"
  echo "|---|---|---:|---|---:|---|---:|---|---|"
  for workload in $WORKLOADS; do
    o=$(per_unit_runs "$OLD_LABEL" "$workload"); n=$(per_unit_runs "$NEW_LABEL" "$workload")
    om=$(median "$o"); nm=$(median "$n")
    change=$(awk -v a="$om" -v b="$nm" 'BEGIN { if (a > 0) printf "%+.1f%%", (b - a) / a * 100; else printf "n/a" }')
    check="$(printf '%.1f → %.1f' "$(median "$(per_unit_runs "$OLD_LABEL" "$workload" ticks)")" "$(median "$(per_unit_runs "$NEW_LABEL" "$workload" ticks)")")"
    echo "| $workload | $(unit "$workload") | $(printf '%.1f' "$om") | ${o% } | $(printf '%.1f' "$nm") | ${n% } | $change | $(loads "$workload") | $check |"
  done
  echo
  echo "Raw runs (label workload round proc-ticks units wall-s load schedstat-ms):"
  echo
  echo '```'
  cat "$TMP/runs"
  echo '```'
} >"$OUT"
echo
cat "$OUT"
echo
log "written to ${OUT#"$ROOT"/}"
