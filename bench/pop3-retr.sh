#!/usr/bin/env bash
# POP3 RETR throughput, side by side, on loopback:
#   a) Dovecot   - a private dovecot-pop3d instance reading Maildir (plain auth, no TLS)
#   b) Postroom  - `postroom serve` reading its SQLite INBOX
# Both serve byte-identical messages: Postroom is filled over SMTP, then every stored message
# is copied out of postroom.db into Dovecot's Maildir (CRLF kept, so sizes match).
# Workloads, each timed with the same Python client (one session, one RETR at a time, large
# reads, counting bytes up to CRLF.CRLF; login not timed):
#   small: RETR of MESSAGES (2000) messages of about SIZE (5000) bytes, PASSES (5) times over
#          in the session (one pass takes a fraction of a second: too short to time alone)
#   large: RETR of one message of LARGE_MB (20) MB
# RUNS (3) rounds, Dovecot then Postroom in each, after one untimed warm-up each; medians.
# Results: stdout and bench/out/pop3-retr-<timestamp>.md.
#
# Environment:
#   MESSAGES=2000 SIZE=5000 PASSES=5 LARGE_MB=20 RUNS=3
#   SMTP_PORT=2625 POSTROOM_PORT=2610 DOVECOT_PORT=2611
#   SKIP_BUILD=1     use the existing target/release/postroom
#   KEEP_TMP=1       keep the temp dir (configs, logs)
# Needs root (Dovecot's private instance switches users); installs dovecot-pop3d if missing.
set -euo pipefail

# defaults, log, die, serve_postroom, start_dovecot, postroom_conf, postroom_accounts,
# dovecot_conf, median, per_sec, mb_per_sec, ratio, runs
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # sets ROOT, the working directory

defaults MESSAGES=2000 SIZE=5000 PASSES=5 LARGE_MB=20 RUNS=3 \
  SMTP_PORT=2625 POSTROOM_PORT=2610 DOVECOT_PORT=2611
HOST="127.0.0.1"
PASS="Bench-pass-1234"

bench_setup pop3
need_dovecot dovecot-pop3d
ports_free "$SMTP_PORT" "$POSTROOM_PORT" "$DOVECOT_PORT"
build_postroom

# ---------------------------------------------------------------- Postroom, filled over SMTP
PR="$TMP/postroom"
postroom_conf "$PR" "$SMTP_PORT" pop3 "$POSTROOM_PORT" </dev/null
postroom_accounts "$PR" small@bench.test large@bench.test
serve_postroom PR_PID "$PR"

log "filling Postroom over SMTP: $MESSAGES x ~$SIZE bytes, 1 x $LARGE_MB MB"
PYTHONPATH="$ROOT/bench" python3 - "$HOST" "$SMTP_PORT" "$MESSAGES" "$SIZE" "$LARGE_MB" <<'PY'
import smtplib, sys, threading
from mail import message
host, port, n, size, large_mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
def send(ids, rcpt, target):
    s = smtplib.SMTP(host, port, timeout=120)
    for i in ids:
        s.sendmail("sender@remote.test", [rcpt], message(i, target))
    s.quit()
threads = [threading.Thread(target=send, args=(range(t, n, 4), "small@bench.test", size)) for t in range(4)]
for t in threads: t.start()
for t in threads: t.join()
send([0], "large@bench.test", large_mb * 1024 * 1024)
PY

# ---------------------------------------------------------------- Dovecot, same bytes in Maildir
DV="$TMP/dovecot"
mkdir -p "$DV/run" "$DV/state" "$DV/home"
MAIL_UID="$(id -u nobody)"; MAIL_GID="$(id -g nobody)"
log "copying the stored messages into Dovecot's Maildir"
python3 "$ROOT/bench/mail.py" maildir "$PR/postroom.db" "$DV/home" small large
chown -R "$MAIL_UID:$MAIL_GID" "$DV/home"
cat >"$DV/users" <<EOF
small:{PLAIN}$PASS:$MAIL_UID:$MAIL_GID::$DV/home/small::
large:{PLAIN}$PASS:$MAIL_UID:$MAIL_GID::$DV/home/large::
EOF
dovecot_conf pop3 <<EOF
mail_max_userip_connections = 100
# Reading only: do not move messages from new/ to cur/ or set \\Seen at QUIT.
pop3_no_flag_updates = yes
EOF
start_dovecot
DOVECOT_VERSION="$(/usr/sbin/dovecot --version | cut -d' ' -f1)"

# ---------------------------------------------------------------- the client
cat >"$TMP/client.py" <<'PY'
# POP3 RETR client: USER/PASS (not timed), then RETR 1..N one at a time, PASSES times over,
# reading with large recv calls until CRLF.CRLF; prints "seconds messages bytes".
import socket, sys, time
host, port, user, password, count, passes = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
s = socket.create_connection((host, port), timeout=120)
f = s.makefile("rb")
def line():
    l = f.readline()
    if not l.startswith(b"+OK"):
        raise SystemExit("unexpected: %r" % l)
    return l
line()
s.sendall(b"USER %s\r\n" % user.encode()); line()
s.sendall(b"PASS %s\r\n" % password.encode()); line()
s.sendall(b"STAT\r\n")
n = int(line().split()[1])
if n < count:
    raise SystemExit("only %d messages" % n)
# From here on, read the socket directly (the file's buffer is empty after each line).
total = 0
t0 = time.perf_counter()
for i in [i for _ in range(passes) for i in range(1, count + 1)]:
    s.sendall(b"RETR %d\r\n" % i)
    tail, first = b"", True
    while True:
        d = s.recv(1 << 18)
        if not d:
            raise SystemExit("connection closed")
        if first and not d.startswith(b"+OK"):
            raise SystemExit("RETR %d: %r" % (i, d[:80]))
        first = False
        total += len(d)
        tail = (tail + d[-5:])[-5:]
        if tail == b"\r\n.\r\n":
            break
t1 = time.perf_counter()
s.sendall(b"QUIT\r\n")
s.recv(1024)
print("%.6f %d %d" % (t1 - t0, count * passes, total))
PY

# run TARGET WORKLOAD -> "seconds messages bytes"
run_client() {
  local port user count passes=1
  case "$1" in dovecot) port="$DOVECOT_PORT" ;; postroom) port="$POSTROOM_PORT" ;; esac
  case "$2" in
    small) user="small"; count="$MESSAGES"; passes="$PASSES" ;;
    large) user="large"; count=1 ;;
  esac
  [ "$1" = postroom ] && user="$user@bench.test"
  python3 "$TMP/client.py" "$HOST" "$port" "$user" "$PASS" "$count" "$passes"
}

declare -A SECS BYTES
bench_rounds small large

# ---------------------------------------------------------------- report

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$ROOT/bench/out/pop3-retr-$STAMP.md"
mkdir -p "$ROOT/bench/out"
{
  echo "## POP3 RETR ($STAMP)"
  echo
  echo "- Machine: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(uname -sr); client and servers share them."
  echo "- Client: one Python session per run, \`RETR i\` one at a time (the small messages $PASSES times over), 256 KiB reads until CRLF.CRLF; login not timed. One warm-up run per target and workload, then $RUNS interleaved rounds; medians."
  echo "- Postroom: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (dirty tree)'), release build, SQLite INBOX filled over SMTP."
  echo "- Dovecot $DOVECOT_VERSION: private instance, Maildir holding the same bytes (copied from postroom.db), \`pop3_no_flag_updates = yes\`, no TLS."
  echo
  echo "| Workload | Target | Median s | msgs/s | MB/s | Bytes on the wire | Runs (s) |"
  echo "|---|---|---:|---:|---:|---:|---|"
  for workload in small large; do
    for target in dovecot postroom; do
      s=$(median "${SECS[$target.$workload]}")
      n=$((MESSAGES * PASSES)); [ "$workload" = large ] && n=1
      label="$MESSAGES × ~$SIZE B, $PASSES passes"; [ "$workload" = large ] && label="1 × $LARGE_MB MB"
      echo "| $label | $target | $(printf '%.3f' "$s") | $(per_sec "$n" "$s") | $(mb_per_sec "${BYTES[$target.$workload]}" "$s") | ${BYTES[$target.$workload]} | $(runs "${SECS[$target.$workload]}") |"
    done
  done
  echo
  echo "| Ratio (Postroom / Dovecot, by median time) | Value | Target |"
  echo "|---|---:|---:|"
  for workload in small large; do
    label="RETR $MESSAGES × ~$SIZE B"; [ "$workload" = large ] && label="RETR 1 × $LARGE_MB MB"
    r=$(ratio "$(median "${SECS[dovecot.$workload]}")" "$(median "${SECS[postroom.$workload]}")")
    echo "| $label | ${r}× | ≥ 1× |"
  done
  if [ "${BYTES[dovecot.small]}" != "${BYTES[postroom.small]}" ] || [ "${BYTES[dovecot.large]}" != "${BYTES[postroom.large]}" ]; then
    echo
    echo "Note: the two servers sent different byte counts (their +OK lines differ in length)."
  fi
} >"$OUT"

echo
cat "$OUT"
echo
log "written to ${OUT#"$ROOT"/}"
