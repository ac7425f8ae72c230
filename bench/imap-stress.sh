#!/usr/bin/env bash
# IMAP mixed load, side by side: Dovecot's imaptest in stress mode (random LOGIN, SELECT,
# FETCH, STORE, APPEND, EXPUNGE, LOGOUT ... with state tracking) against Postroom (`postroom
# serve`, SQLite, argon2id passwords) and Dovecot 2.3 (a private dovecot-imapd instance,
# Maildir, plaintext passwords), CLIENTS (10) clients over USERS (20) users for SECS (20) s,
# RUNS (3) interleaved rounds, fresh mailboxes per run; operations/s = the sum of imaptest's
# "Totals" row / SECS; medians.
#
# imaptest is a development tool, not part of the repository: build it from
# github.com/dovecot/imaptest against Debian's dovecot-dev and point IMAPTEST at the binary
# (default /work/tools/imaptest/bin/imaptest); its `default.mbox` (next to its tests, or
# MBOX=path) supplies the messages it APPENDs.
#
# Environment:
#   CLIENTS=10 USERS=20 SECS=20 RUNS=3 POSTROOM_PORT=2753 DOVECOT_PORT=2754 SMTP_PORT=2755
#   IMAPTEST=path MBOX=path SKIP_BUILD=1 (use target/release/postroom, or POSTROOM_BIN=path)
#   KEEP_TMP=1 keeps the temp dir (configs, logs, each run's imaptest output)
# Needs root (Dovecot's private instance switches users); installs dovecot-imapd if missing.
# Results: stdout and bench/out/imap-stress-<timestamp>.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

defaults CLIENTS=10 USERS=20 SECS=20 RUNS=3 POSTROOM_PORT=2753 DOVECOT_PORT=2754 SMTP_PORT=2755 \
  IMAPTEST=/work/tools/imaptest/bin/imaptest
defaults "MBOX=$(dirname "$(dirname "$IMAPTEST")")/tests/default.mbox"
HOST="127.0.0.1"
PASS="Bench-pass-1234"

[ -x "$IMAPTEST" ] || die "imaptest not found at $IMAPTEST (set IMAPTEST=)"
[ -f "$MBOX" ] || die "imaptest's default.mbox not found at $MBOX (set MBOX=)"
bench_setup imap-stress
need_dovecot dovecot-imapd
ports_free "$POSTROOM_PORT" "$DOVECOT_PORT" "$SMTP_PORT"
build_postroom

# fresh TARGET: a new, empty data set for TARGET, its server started (PR_PID / DV_PID).
fresh() {
  local i
  case "$1" in
    postroom)
      [ -n "${PR_PID:-}" ] && stop_started "$PR_PID"
      PR="$TMP/postroom"; rm -rf "$PR"
      postroom_conf "$PR" "$SMTP_PORT" imap "$POSTROOM_PORT" </dev/null
      local users=()
      for i in $(seq "$USERS"); do users+=("testuser$i@bench.test"); done
      postroom_accounts "$PR" "${users[@]}"
      serve_postroom PR_PID "$PR"
      ;;
    dovecot)
      [ -n "${DV_PID:-}" ] && stop_started "$DV_PID"
      DV="$TMP/dovecot"; rm -rf "$DV"
      mkdir -p "$DV/run" "$DV/state" "$DV/home"
      MAIL_UID="$(id -u nobody)"; MAIL_GID="$(id -g nobody)"
      : >"$DV/users"
      for i in $(seq "$USERS"); do
        echo "testuser$i:{PLAIN}$PASS:$MAIL_UID:$MAIL_GID::$DV/home/testuser$i::" >>"$DV/users"
        mkdir -p "$DV/home/testuser$i"
      done
      chown -R "$MAIL_UID:$MAIL_GID" "$DV/home"
      dovecot_conf imap <<EOF
mail_max_userip_connections = 1000
service imap-login {
  service_count = 0
  process_min_avail = 2
}
EOF
      start_dovecot
      ;;
  esac
}

# stress TARGET ROUND -> operations/s; imaptest's output kept in $TMP (run in a subshell:
# it sets nothing).
stress() {
  local port user out
  case "$1" in
    postroom) port="$POSTROOM_PORT"; user='testuser%d@bench.test' ;;
    dovecot) port="$DOVECOT_PORT"; user='testuser%d' ;;
  esac
  out="$TMP/imaptest-$1-$2.txt"
  "$IMAPTEST" host="$HOST" port="$port" user="$user" pass="$PASS" users="$USERS" \
    clients="$CLIENTS" secs="$SECS" mbox="$MBOX" >"$out" 2>&1 || true
  grep -q '^Totals:' "$out" || { tail -n 20 "$out" >&2; die "imaptest against $1 printed no totals"; }
  counts "$out" | awk -v secs="$SECS" '{ s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%.0f", s / secs }'
}

# counts FILE: imaptest's totals per command: after "Totals:", the names, percentage rows,
# then the row of counts.
counts() {
  awk '/^Totals:/ { t = 1; next } t && !/%/ && $1 ~ /^[0-9]+$/ { row = $0 } END { print row }' "$1"
}

declare -A OPS ERRORS TOTALS
for round in $(seq "$RUNS"); do
  for target in dovecot postroom; do
    fresh "$target"
    sync; sleep 0.5
    busy="$(cut -d' ' -f1-3 /proc/loadavg)"
    ops="$(stress "$target" "$round")"
    OPS[$target]+="$ops "
    TOTALS[$target]="$(counts "$TMP/imaptest-$target-$round.txt")"
    ERRORS[$target.$round]="$(grep -c '^Error:' "$TMP/imaptest-$target-$round.txt" || true)"
    log "round $round: $target $ops ops/s (load $busy, imaptest errors ${ERRORS[$target.$round]})"
  done
done
HEADER="$(awk '/^Totals:/ { print; exit }' "$TMP/imaptest-postroom-1.txt")"

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$ROOT/bench/out/imap-stress-$STAMP.md"
mkdir -p "$ROOT/bench/out"
{
  echo "## IMAP stress: imaptest vs Dovecot ($STAMP)"
  echo
  echo "- Machine: $(nproc) CPUs, $(uname -sr); load average at the end $(cut -d' ' -f1-3 /proc/loadavg); imaptest and both servers share the CPUs."
  echo "- Postroom: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (dirty tree)'), release build, argon2id passwords."
  echo "- Dovecot $(/usr/sbin/dovecot --version | cut -d' ' -f1): Maildir, plaintext passwords (passwd-file), login in high-performance mode."
  echo "- imaptest: clients=$CLIENTS users=$USERS secs=$SECS, its default.mbox; fresh accounts per run; $RUNS interleaved rounds."
  echo
  echo "| Server | Median ops/s | Runs (ops/s) | imaptest errors per run |"
  echo "|---|---:|---|---|"
  for target in dovecot postroom; do
    errs=""; for round in $(seq "$RUNS"); do errs+="${errs:+ }${ERRORS[$target.$round]}"; done
    echo "| $target | $(printf '%.0f' "$(median "${OPS[$target]}")") | ${OPS[$target]% } | $errs |"
  done
  echo
  echo "Postroom / Dovecot: $(ratio "$(median "${OPS[postroom]}")" "$(median "${OPS[dovecot]}")")× (target ≥ 1×)."
  echo
  echo "Last run's totals per command ($HEADER):"
  echo
  for target in dovecot postroom; do echo "- $target: ${TOTALS[$target]}"; done
} >"$OUT"

echo
cat "$OUT"
echo
log "written to ${OUT#"$ROOT"/}"
