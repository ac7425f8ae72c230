#!/usr/bin/env bash
# IMAP side by side, on loopback: Postroom (`postroom serve`, SQLite) and Dovecot 2.3 (a
# private dovecot-imapd instance, Maildir, plain auth, no TLS).
#
# Throughput, each timed with the same Python client from command to tagged OK, login and
# SELECT not timed, one warm-up per target and workload, RUNS (3) interleaved rounds, medians:
#   append:   APPEND_COUNT (2000) messages of about SIZE (5000) bytes over one connection,
#             LITERAL+ (`{n+}`), pipelined (a writer thread sends, the reader counts OKs), into
#             a fresh mailbox per run (CREATE not timed). Both store durably (Postroom commits
#             before its OK; Dovecot's mail_fsync = optimized, the default).
#   body:     `FETCH 1:* (BODY.PEEK[])` of a BIG (10000)-message INBOX (PEEK: no \Seen writes)
#   envelope: `FETCH 1:* (ENVELOPE BODYSTRUCTURE)` of it
#   cold:     the same right after both servers are restarted (Postroom's in-memory summary
#             cache is empty: it has what its store kept; Dovecot has its on-disk index cache).
#             The OS page cache is not dropped. Each warm-up's time is logged: the envelope
#             warm-up is each server's first FETCH of those messages ever.
#   search:   `SEARCH TEXT "needle"` over it (1 message in 100 has the word in its body)
# Round trips, one command at a time, each waiting for its tagged OK (what a client that does
# not pipeline feels):
#   append-sync: SYNC_APPEND_COUNT (300) messages of about SIZE bytes APPENDed through
#             Python's imaplib: a synchronizing literal `{n}`, the `+`, the message, then the
#             CRLF as a second small write (Nagle on, as imaplib leaves it); fresh mailbox.
#   uid-fetch: ROUNDTRIPS (1000) `UID FETCH uid (FLAGS BODY.PEEK[])`, one message each, UIDs
#             spread over the big INBOX.
#   uid-store: ROUNDTRIPS `UID STORE uid FLAGS.SILENT (\Flagged)` then `... ()`, alternately
#             on the same UID: every command changes a flag (durable in both).
# The big INBOX is filled over SMTP into Postroom, then every stored message is copied out of
# postroom.db into Dovecot's Maildir (same bytes, CRLF kept). The warm-up builds Dovecot's
# index and cache (what a real Dovecot has after its first client).
#
# Idle memory: IDLE_COUNTS ("1000 10000") clients each connect, LOGIN, SELECT INBOX (of an
# account with IDLE_MESSAGES (100) messages) and IDLE. Postroom: growth of the server's RSS
# per connection. Dovecot (one imap process per client, its default): growth of the summed
# PSS (proportional set size: shared pages split between their users) of all its processes per
# connection; summed RSS is printed too. Dovecot's 10,000 run is skipped when the 1,000 run
# predicts more memory than MemAvailable / 2.
#
# Results: stdout and bench/out/imap-<timestamp>.md.
#
# Environment:
#   APPEND_COUNT=2000 SIZE=5000 BIG=10000 RUNS=3 IDLE_COUNTS="1000 10000" IDLE_MESSAGES=100
#   SYNC_APPEND_COUNT=300 ROUNDTRIPS=1000
#   WORKLOADS="append append-sync body envelope cold search uid-fetch uid-store" (a subset, in this order)
#   SMTP_PORT=2725 POSTROOM_PORT=2743 DOVECOT_PORT=2744
#   SKIP_BUILD=1      use the existing target/release/postroom (or POSTROOM_BIN=path)
#   SKIP_IDLE=1       no idle-memory measurement; SKIP_THROUGHPUT=1 only idle memory
#   KEEP_TMP=1        keep the temp dir (configs, logs)
# Needs root (Dovecot's private instance switches users; ulimit -n is raised to the hard
# limit, fs.inotify.max_user_instances for the idle run and restored after); installs
# dovecot-imapd if missing.
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # sets ROOT, the working directory

defaults APPEND_COUNT=2000 SIZE=5000 BIG=10000 RUNS=3 SYNC_APPEND_COUNT=300 ROUNDTRIPS=1000 \
  "WORKLOADS=append append-sync body envelope cold search uid-fetch uid-store" \
  "IDLE_COUNTS=1000 10000" IDLE_MESSAGES=100 \
  SMTP_PORT=2725 POSTROOM_PORT=2743 DOVECOT_PORT=2744
HOST="127.0.0.1"
PASS="Bench-pass-1234"

# ---------------------------------------------------------------- cleanup, install, build, limits
bench_setup imap
INOTIFY_FILE=/proc/sys/fs/inotify/max_user_instances
INOTIFY_WAS="$(cat "$INOTIFY_FILE" 2>/dev/null || echo)"
# Called by bench_cleanup after the processes are stopped.
on_exit() {
  [ -n "$INOTIFY_WAS" ] && echo "$INOTIFY_WAS" >"$INOTIFY_FILE" 2>/dev/null
}
need_dovecot dovecot-imapd
ports_free "$SMTP_PORT" "$POSTROOM_PORT" "$DOVECOT_PORT"
build_postroom
# Both servers and the client inherit this: 10,000 connections need more than 10,000 fds
# in Postroom and in the client. The hard limit is as far as it goes (raising it needs
# CAP_SYS_RESOURCE).
ulimit -n "$(ulimit -Hn)" || die "cannot raise ulimit -n"
for n in $IDLE_COUNTS; do
  [ "$n" -lt "$(ulimit -n)" ] || die "ulimit -n is $(ulimit -n): too low for $n connections"
done
# Each Dovecot imap process in IDLE wants an inotify instance (else it polls every 30 s).
echo 30000 >"$INOTIFY_FILE" || log "could not raise $INOTIFY_FILE"

# ---------------------------------------------------------------- Postroom, filled over SMTP
PR="$TMP/postroom"
postroom_conf "$PR" "$SMTP_PORT" imap "$POSTROOM_PORT" <<EOF
[limits]
max_connections = 30000
max_connections_per_ip = 30000
EOF
postroom_accounts "$PR" append@bench.test big@bench.test idle@bench.test
serve_postroom PR_PID "$PR"

log "filling Postroom over SMTP: $BIG x ~$SIZE bytes (big), $IDLE_MESSAGES (idle)"
PYTHONPATH="$ROOT/bench" python3 - "$HOST" "$SMTP_PORT" "$BIG" "$SIZE" "$IDLE_MESSAGES" <<'PY'
import smtplib, sys, threading
from mail import message
host, port, n, size, idle = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
def send(ids, rcpt):
    s = smtplib.SMTP(host, port, timeout=120)
    for i in ids:
        s.sendmail("sender@remote.test", [rcpt], message(i, size, needle_every=100))
    s.quit()
threads = [threading.Thread(target=send, args=(range(t, n, 4), "big@bench.test")) for t in range(4)]
threads.append(threading.Thread(target=send, args=(range(idle), "idle@bench.test")))
for t in threads: t.start()
for t in threads: t.join()
PY

# ---------------------------------------------------------------- Dovecot, same bytes in Maildir
DV="$TMP/dovecot"
mkdir -p "$DV/run" "$DV/state" "$DV/home"
MAIL_UID="$(id -u nobody)"; MAIL_GID="$(id -g nobody)"
log "copying the stored messages into Dovecot's Maildir"
python3 "$ROOT/bench/mail.py" maildir "$PR/postroom.db" "$DV/home" append big idle
chown -R "$MAIL_UID:$MAIL_GID" "$DV/home"
: >"$DV/users"
for user in append big idle; do
  echo "$user:{PLAIN}$PASS:$MAIL_UID:$MAIL_GID::$DV/home/$user::" >>"$DV/users"
done
dovecot_conf imap <<EOF
# Many clients of one user from one address, and room for 10,000 imap processes.
mail_max_userip_connections = 30000
default_process_limit = 11000
default_client_limit = 12000
default_vsz_limit = 1G
# Dovecot's "high-performance" login mode: a few login processes for all connections.
service imap-login {
  service_count = 0
  process_min_avail = 2
}
service imap {
  process_limit = 11000
}
EOF
start_dovecot

# restart TARGET: a clean stop (SIGTERM) and a new process on the same data.
restart() {
  case "$1" in
    postroom) stop_started "$PR_PID"; serve_postroom PR_PID "$PR" ;;
    dovecot) stop_started "$DV_PID"; start_dovecot ;;
  esac
}
DOVECOT_VERSION="$(/usr/sbin/dovecot --version | cut -d' ' -f1)"

# ---------------------------------------------------------------- the throughput client
cat >"$TMP/client.py" <<'PY'
# One IMAP session: LOGIN and SELECT (not timed), then one workload, timed from the command to
# its tagged OK; prints "seconds bytes_received".
import socket, sys, threading, time
from mail import message
host, port, user, password, workload, count, size = sys.argv[1:8]
port, count, size = int(port), int(count), int(size)
if workload == "append-sync":
    # imaplib's APPEND: `{n}`, wait for `+`, the message, then CRLF in a second write.
    import imaplib
    c = imaplib.IMAP4(host, port)
    c.login(user, password)
    box = "sync-%d" % time.time_ns()
    c.create(box)
    bodies = [message(i, size, needle_every=100) for i in range(count)]
    t0 = time.perf_counter()
    for body in bodies:
        typ, data = c.append(box, None, None, body)
        if typ != "OK":
            raise SystemExit("APPEND: %r" % data)
    t1 = time.perf_counter()
    c.logout()
    print("%.6f %d" % (t1 - t0, 0))
    sys.exit(0)
s = socket.create_connection((host, port), timeout=600)
buf = bytearray()
def until(tag):
    """Reads up to and including the line `tag ...`; returns the bytes read. Only the tail of
    a large response is kept while looking for it."""
    global buf
    mark = b"\r\n" + tag + b" "
    got, line_start = 0, True
    while True:
        if line_start and buf.startswith(tag + b" "):
            i = 0
        else:
            i = buf.find(mark)
            i = -1 if i == -1 else i + 2
        if i != -1:
            end = buf.find(b"\r\n", i)
            if end != -1:
                line = bytes(buf[i:end])
                if not line.startswith(tag + b" OK"):
                    raise SystemExit("%s: %r" % (tag.decode(), line[:200]))
                got += end + 2
                del buf[:end + 2]
                return got
        elif len(buf) > len(mark):
            cut = len(buf) - len(mark)
            got += cut
            del buf[:cut]
            line_start = False
        d = s.recv(1 << 20)
        if not d:
            raise SystemExit("connection closed")
        buf += d
def cmd(tag, text):
    s.sendall(tag + b" " + text + b"\r\n")
    return until(tag)
# Greeting.
while b"\r\n" not in buf:
    buf += s.recv(4096)
del buf[:buf.find(b"\r\n") + 2]
cmd(b"L", b"LOGIN %s %s" % (user.encode(), password.encode()))
if workload == "append":
    box = b"run-%d" % time.time_ns()
    cmd(b"C", b"CREATE " + box)
    bodies = [message(i, size, needle_every=100) for i in range(count)]
    def writer():
        for i, body in enumerate(bodies):
            s.sendall(b"ZQA%d APPEND %s {%d+}\r\n%s\r\n" % (i, box, len(body), body))
    t0 = time.perf_counter()
    w = threading.Thread(target=writer)
    w.start()
    got = 0
    for i in range(count):
        got += until(b"ZQA%d" % i)
    t1 = time.perf_counter()
    w.join()
elif workload in ("uid-fetch", "uid-store"):
    # One command at a time; UIDs 1..BIG exist in both (fresh INBOX, numbered in order).
    big = int(sys.argv[8])
    cmd(b"S", b"SELECT INBOX")
    got = 0
    t0 = time.perf_counter()
    for i in range(count):
        if workload == "uid-fetch":
            uid = 1 + (i * 7919) % big
            got += cmd(b"ZQF%d" % i, b"UID FETCH %d (FLAGS BODY.PEEK[])" % uid)
        else:
            uid = 1 + ((i // 2) * 7919) % big
            flags = b"(\\Flagged)" if i % 2 == 0 else b"()"
            got += cmd(b"ZQS%d" % i, b"UID STORE %d FLAGS.SILENT %s" % (uid, flags))
    t1 = time.perf_counter()
else:
    cmd(b"S", b"SELECT INBOX")
    command = {
        "body": b"FETCH 1:* (BODY.PEEK[])",
        "envelope": b"FETCH 1:* (ENVELOPE BODYSTRUCTURE)",
        "cold": b"FETCH 1:* (ENVELOPE BODYSTRUCTURE)",
        "search": b"SEARCH TEXT needle",
    }[workload]
    t0 = time.perf_counter()
    got = cmd(b"ZQW", command)
    t1 = time.perf_counter()
s.sendall(b"Z LOGOUT\r\n")
print("%.6f %d" % (t1 - t0, got))
PY

# ---------------------------------------------------------------- the idle client
cat >"$TMP/idle.py" <<'PY'
# N connections: LOGIN, SELECT INBOX, IDLE (at most 100 logging in at once), each from one of
# 50 loopback source addresses (so 10,000 connections do not use up one address's ports).
# Prints "ready N" when all are idling, then waits for a line on stdin and closes them.
import asyncio, sys
host, port, user, password, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
async def expect(reader, tag):
    while True:
        line = await reader.readline()
        if not line:
            raise SystemExit("closed")
        if line.startswith(tag):
            if not line.startswith(tag + b" OK") and not line.startswith(b"+"):
                raise SystemExit("%r" % line)
            return
async def one(i, gate, conns):
    async with gate:
        for attempt in range(5):
            try:
                r, w = await asyncio.open_connection(host, port, local_addr=("127.0.0.%d" % (2 + i % 50), 0), limit=1 << 16)
                break
            except OSError:
                await asyncio.sleep(0.5)
        else:
            raise SystemExit("cannot connect")
        await r.readline()
        w.write(b"a LOGIN %s %s\r\n" % (user.encode(), password.encode()))
        await expect(r, b"a")
        w.write(b"b SELECT INBOX\r\n")
        await expect(r, b"b")
        w.write(b"c IDLE\r\n")
        await expect(r, b"+")
        conns.append((r, w))
async def main():
    gate = asyncio.Semaphore(100)
    conns = []
    await asyncio.gather(*(one(i, gate, conns) for i in range(n)))
    print("ready %d" % len(conns), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    for r, w in conns:
        w.write(b"DONE\r\nz LOGOUT\r\n")
    await asyncio.sleep(1)
    for r, w in conns:
        w.close()
asyncio.run(main())
PY

# run TARGET WORKLOAD -> "seconds bytes"
run_client() {
  local port user count="$BIG"
  case "$1" in dovecot) port="$DOVECOT_PORT" ;; postroom) port="$POSTROOM_PORT" ;; esac
  case "$2" in
    append) user="append"; count="$APPEND_COUNT" ;;
    append-sync) user="append"; count="$SYNC_APPEND_COUNT" ;;
    uid-fetch | uid-store) user="big"; count="$ROUNDTRIPS" ;;
    *) user="big" ;;
  esac
  [ "$1" = postroom ] && user="$user@bench.test"
  PYTHONPATH="$ROOT/bench" python3 "$TMP/client.py" "$HOST" "$port" "$user" "$PASS" "$2" "$count" "$SIZE" "$BIG"
}

# before_run TARGET WORKLOAD: the cold workload starts from a freshly started server.
before_run() { if [ "$2" = cold ]; then restart "$1"; fi; }

declare -A SECS BYTES
# shellcheck disable=SC2086 # WORKLOADS is a list
[ "${SKIP_THROUGHPUT:-0}" = 1 ] || bench_rounds $WORKLOADS

# ---------------------------------------------------------------- idle memory
cat >"$TMP/mem.py" <<'PY'
# "pss rss" in KiB, summed over a process and all its descendants.
import os, sys
def children(pid):
    out = []
    for t in os.listdir("/proc/%d/task" % pid):
        try:
            out += [int(c) for c in open("/proc/%d/task/%s/children" % (pid, t)).read().split()]
        except OSError:
            pass
    return out
def field(path, name):
    try:
        for line in open(path):
            if line.startswith(name):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
todo, pss, rss = [int(sys.argv[1])], 0, 0
while todo:
    pid = todo.pop()
    pss += field("/proc/%d/smaps_rollup" % pid, "Pss:")
    rss += field("/proc/%d/status" % pid, "VmRSS:")
    try:
        todo += children(pid)
    except OSError:
        pass
print(pss, rss)
PY
target_mem() { # TARGET -> "pss rss" KiB
  case "$1" in
    postroom) python3 "$TMP/mem.py" "$PR_PID" ;;
    dovecot) python3 "$TMP/mem.py" "$DV_PID" ;;
  esac
}
declare -A IDLE_KIB IDLE_RSS_KIB IDLE_NOTE
measure_idle() { # TARGET N
  local target="$1" n="$2" port user before after fifo pid line
  case "$target" in dovecot) port="$DOVECOT_PORT"; user=idle ;; postroom) port="$POSTROOM_PORT"; user=idle@bench.test ;; esac
  sleep 2
  read -r b_pss b_rss < <(target_mem "$target")
  fifo="$TMP/idle-$target-$n.in"
  mkfifo "$fifo"
  python3 "$TMP/idle.py" "$HOST" "$port" "$user" "$PASS" "$n" <"$fifo" >"$TMP/idle-$target-$n.out" 2>&1 &
  pid=$!
  exec 7>"$fifo"
  local t0=$SECONDS
  until grep -q '^ready' "$TMP/idle-$target-$n.out" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { exec 7>&-; cat "$TMP/idle-$target-$n.out" >&2; IDLE_NOTE[$target.$n]="client failed"; return 1; }
    sleep 1
  done
  sleep 3
  read -r a_pss a_rss < <(target_mem "$target")
  echo >&7; exec 7>&-
  wait "$pid" 2>/dev/null || true
  if [ "$target" = postroom ]; then
    IDLE_KIB[$target.$n]=$(awk -v a="$a_rss" -v b="$b_rss" -v n="$n" 'BEGIN { printf "%.1f", (a - b) / n }')
  else
    IDLE_KIB[$target.$n]=$(awk -v a="$a_pss" -v b="$b_pss" -v n="$n" 'BEGIN { printf "%.1f", (a - b) / n }')
  fi
  IDLE_RSS_KIB[$target.$n]=$(awk -v a="$a_rss" -v b="$b_rss" -v n="$n" 'BEGIN { printf "%.1f", (a - b) / n }')
  IDLE_NOTE[$target.$n]="$n idle in $((SECONDS - t0)) s; PSS $b_pss -> $a_pss KiB, RSS $b_rss -> $a_rss KiB"
  log "idle $target $n: ${IDLE_NOTE[$target.$n]}"
  sleep 5    # let the sessions end before the next run
}
if [ "${SKIP_IDLE:-0}" != 1 ]; then
  for n in $IDLE_COUNTS; do
    for target in postroom dovecot; do
      if [ "$target" = dovecot ] && [ -n "${IDLE_KIB[dovecot.1000]:-}" ] && [ "$n" -gt 1000 ]; then
        avail=$(awk '/MemAvailable/ { print $2 }' /proc/meminfo)
        need=$(awk -v k="${IDLE_KIB[dovecot.1000]}" -v n="$n" 'BEGIN { printf "%d", k * n * 1.3 }')
        if [ "$need" -gt $((avail / 2)) ]; then
          IDLE_NOTE[dovecot.$n]="skipped: ~$((need / 1024)) MiB predicted, $((avail / 1024)) MiB available"
          log "idle dovecot $n: ${IDLE_NOTE[dovecot.$n]}"
          continue
        fi
      fi
      measure_idle "$target" "$n" || log "idle $target $n failed"
    done
  done
fi

# ---------------------------------------------------------------- report
label() {
  case "$1" in
    append) echo "APPEND $APPEND_COUNT × ~$SIZE B, LITERAL+, one connection" ;;
    append-sync) echo "APPEND $SYNC_APPEND_COUNT × ~$SIZE B one at a time, imaplib (synchronizing literal)" ;;
    uid-fetch) echo "UID FETCH n (FLAGS BODY.PEEK[]) × $ROUNDTRIPS, one at a time" ;;
    uid-store) echo "UID STORE n FLAGS.SILENT × $ROUNDTRIPS, one at a time" ;;
    body) echo "FETCH 1:* BODY.PEEK[] ($BIG msgs)" ;;
    envelope) echo "FETCH 1:* (ENVELOPE BODYSTRUCTURE) ($BIG msgs)" ;;
    cold) echo "FETCH 1:* (ENVELOPE BODYSTRUCTURE) ($BIG msgs), cold: after a restart" ;;
    search) echo "SEARCH TEXT ($BIG msgs)" ;;
  esac
}

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$ROOT/bench/out/imap-$STAMP.md"
mkdir -p "$ROOT/bench/out"
{
  echo "## IMAP vs Dovecot ($STAMP)"
  echo
  echo "- Machine: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(uname -sr); client and servers share them."
  echo "- Postroom: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (dirty tree)'), release build, SQLite."
  echo "- Dovecot $DOVECOT_VERSION: private instance, Maildir holding the same bytes, no TLS, \`mail_fsync = optimized\` (default), login in high-performance mode, one imap process per client (default)."
  echo "- Client: Python, one session per run, timed from the command to its tagged OK (login and SELECT not timed); one warm-up per target and workload (builds Dovecot's index and cache), then $RUNS interleaved rounds; medians."
  if [ "${SKIP_THROUGHPUT:-0}" != 1 ]; then
    echo
    echo "| Workload | Server | Median s | msgs/s | MB/s received | Runs (s) |"
    echo "|---|---|---:|---:|---:|---|"
    for workload in $WORKLOADS; do
      case "$workload" in
        append) n="$APPEND_COUNT" ;;
        append-sync) n="$SYNC_APPEND_COUNT" ;;
        uid-fetch | uid-store) n="$ROUNDTRIPS" ;;
        *) n="$BIG" ;;
      esac
      for target in dovecot postroom; do
        s=$(median "${SECS[$target.$workload]}")
        echo "| $(label "$workload") | $target | $(printf '%.3f' "$s") | $(per_sec "$n" "$s") | $(mb_per_sec "${BYTES[$target.$workload]}" "$s") | $(runs "${SECS[$target.$workload]}") |"
      done
    done
    echo
    echo "| Throughput ratio (Postroom / Dovecot, by median time) | Value | Target |"
    echo "|---|---:|---:|"
    for workload in $WORKLOADS; do
      r=$(ratio "$(median "${SECS[dovecot.$workload]}")" "$(median "${SECS[postroom.$workload]}")")
      echo "| $(label "$workload") | ${r}× | ≥ 1× |"
    done
  fi
  if [ "${SKIP_IDLE:-0}" != 1 ]; then
    echo
    echo "Idle clients (LOGIN, SELECT INBOX of $IDLE_MESSAGES messages, IDLE). Postroom: RSS growth of its one process per connection. Dovecot: growth of the PSS summed over all its processes per connection (its RSS sum counts shared pages once per process)."
    echo
    echo "| Idle clients | Server | KiB per connection | RSS-sum KiB per connection | Target | Notes |"
    echo "|---:|---|---:|---:|---:|---|"
    for n in $IDLE_COUNTS; do
      for target in postroom dovecot; do
        echo "| $n | $target | ${IDLE_KIB[$target.$n]:-n/a} | ${IDLE_RSS_KIB[$target.$n]:-n/a} | $([ "$target" = postroom ] && echo '≤ 64' || echo '') | ${IDLE_NOTE[$target.$n]:-} |"
      done
    done
  fi
} >"$OUT"

echo
cat "$OUT"
echo
log "written to ${OUT#"$ROOT"/}"
