#!/usr/bin/env bash
# Issue 10's attacks against the leader of a running three-replica store (mutual TLS, the
# default), with tests/store/link_attack.py as the attacker:
#   - unauthenticated byte sequences: issue 10's 32-byte BASP packet, every frame header field
#     extreme, truncated headers, TLS records claiming huge lengths, slow bytes: each
#     connection closed (slow bytes by the 5 s handshake timeout);
#   - 1,000 silent connections from 200 loopback sources: all closed within 8 s (the 128
#     allowed to wait by the handshake timeout, the rest at once);
#   - a peer with a valid certificate sending a 4 GiB and a 5 MiB frame claim, an unknown kind
#     and a second hello: each link closed;
#   - certificates: another CA's, an expired one, one for another node name, none, and a
#     revoked one after SIGHUP: each refused with a clear log line (and the revoked one
#     accepted before the reload);
# and then: the leader's RSS grew by at most 16 MiB, the same leader in the same term still
# leads, a put succeeds, the refusals are counted on /metrics and each reason is logged once
# per source, not once per connection. Last, the modes: none given, plain TCP on 0.0.0.0, and
# a plain TCP client against TLS replicas are all refused.
#
#   store_link_attack_process_test.sh CRATON SOURCE_DIR
#
# Every wait is bounded; all children are killed on exit.
set -u
CRATON=$1
SRC=$2
WORK=$(mktemp -d /tmp/craton-link-attack.XXXXXX)
PIDS=()
ATTACK="python3 $SRC/tests/store/link_attack.py"

# shellcheck source=process_lib.sh
source "$(dirname "$0")/process_lib.sh"

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

pick_ports 6
PEERS="1=127.0.0.1:$BASE,2=127.0.0.1:$((BASE + 1)),3=127.0.0.1:$((BASE + 2))"
for id in 1 2 3; do
  "$CRATON" store --id "$id" --peers "$PEERS" --data "$WORK/d$id" --tick-ms 50 \
    --metrics-listen "127.0.0.1:$((BASE + 2 + id))" >>"$WORK/r$id.log" 2>&1 &
  PIDS+=($!)
done
read -r lead term < <(wait_leader "$PEERS") || fail "no leader"
PORT=$((BASE + lead - 1))
PID=${PIDS[$((lead - 1))]}
LOG="$WORK/r$lead.log"
grep -q "links: mutual TLS as store-$lead" "$LOG" || fail "the replica did not say it runs mutual TLS"
"$CRATON" kv put --endpoints "$PEERS" warm up >/dev/null || fail "first put"
rss_before=$(rss_kib "$PID")
echo "leader $lead (term $term) on port $PORT, RSS ${rss_before} KiB"

# 1. Strangers: every connection closed.
$ATTACK strangers 127.0.0.1 "$PORT" >"$WORK/strangers.out" 2>&1 || fail "attacker (strangers) failed"
cat "$WORK/strangers.out"
[ "$(grep -c ' closed' "$WORK/strangers.out")" = 14 ] || fail "a stranger's connection stayed open"

# 2. 1,000 idle connections: closed by the handshake timeout (5 s) or the caps.
$ATTACK idle 127.0.0.1 "$PORT" 1000 8 >"$WORK/idle.out" 2>&1 || fail "attacker (idle) failed"
cat "$WORK/idle.out"
grep -q "^closed 1000 of 1000 " "$WORK/idle.out" || fail "idle connections were held"

# 3. An insider (the admin certificate) sending frames the link must refuse.
$ATTACK insider 127.0.0.1 "$PORT" "$WORK/pki" admin >"$WORK/insider.out" 2>&1 ||
  fail "attacker (insider) failed"
cat "$WORK/insider.out"
[ "$(grep -c ' closed' "$WORK/insider.out")" = 4 ] || fail "a bad frame did not close the link"

# 4. Certificates the link must refuse, each with its log line.
"$CRATON" certs init --dir "$WORK/other" >/dev/null && \
  "$CRATON" certs issue --dir "$WORK/other" --name store-9 >/dev/null || fail "other CA"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/O=craton/CN=store-8" \
  -keyout "$WORK/expired.key" -out "$WORK/expired.csr" 2>/dev/null &&
  openssl x509 -req -in "$WORK/expired.csr" -CA "$WORK/pki/ca.crt" -CAkey "$WORK/pki/ca.key" \
    -days 0 -out "$WORK/expired.crt" 2>/dev/null || fail "cannot make an expired certificate"
sleep 1.1  # notAfter is now: a second later it has expired
try_cert() {  # what cert key hello expected-log
  out=$($ATTACK cert 127.0.0.1 "$PORT" "$WORK/pki/ca.crt" "$2" "$3" "$4" 2>&1)
  case "$out" in closed*) ;; *) fail "$1: the link was not refused ($out)" ;; esac
  for _ in $(seq 1 20); do grep -q "$5" "$LOG" && break; sleep 0.1; done
  grep -q "$5" "$LOG" || fail "$1: no log line matching '$5'"
  echo "$1: refused, logged: $(grep -m1 "$5" "$LOG" | sed 's/.*msg=//')"
}
try_cert "another CA" "$WORK/other/store-9.crt" "$WORK/other/store-9.key" store-9 \
  "TLS handshake failed: .*certificate"
try_cert "expired" "$WORK/expired.crt" "$WORK/expired.key" store-8 "certificate has expired"
try_cert "another node's name" "$WORK/pki/store-2.crt" "$WORK/pki/store-2.key" store-3 \
  "hello names store-3, not the node of its certificate (store-2)"
try_cert "no certificate" - - store-7 "peer did not return a certificate"
out=$($ATTACK cert 127.0.0.1 "$PORT" "$WORK/pki/ca.crt" "$WORK/pki/store-6.crt" \
  "$WORK/pki/store-6.key" store-6 2>&1)
[ "$out" = open ] || fail "store-6's valid certificate was refused before its revocation ($out)"
"$CRATON" certs revoke --dir "$WORK/pki" --name store-6 >/dev/null || fail "certs revoke"
kill -HUP "$PID"
for _ in $(seq 1 50); do grep -q "certificates reloaded" "$LOG" && break; sleep 0.1; done
grep -q "certificates reloaded" "$LOG" || fail "no reload after SIGHUP"
try_cert "revoked" "$WORK/pki/store-6.crt" "$WORK/pki/store-6.key" store-6 "certificate revoked"

# After all of it: bounded memory, the same leader, still serving.
rss_after=$(rss_kib "$PID")
echo "RSS ${rss_before} -> ${rss_after} KiB"
[ $((rss_after - rss_before)) -le $((16 * 1024)) ] || fail "RSS grew by more than 16 MiB"
read -r lead2 term2 < <(wait_leader "$PEERS") || fail "no leader after the attacks"
[ "$lead2 $term2" = "$lead $term" ] || fail "leadership changed: $lead/$term -> $lead2/$term2"
"$CRATON" kv put --endpoints "$PEERS" after attacks >/dev/null || fail "put after the attacks"
metrics=$(python3 -c 'import sys, urllib.request
print(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode())' \
  "$((BASE + 2 + lead))") || fail "no /metrics"
for outcome in over_cap timed_out tls_failed hello_refused; do
  n=$(echo "$metrics" | sed -n "s/^craton_link_accepts_total{.*outcome=\"$outcome\"} //p")
  [ -n "$n" ] && [ "${n%.*}" -gt 0 ] || fail "craton_link_accepts_total{outcome=$outcome} is '$n'"
done
# Once per source and reason: 1,000 idle connections from 200 sources gave at most two lines
# per source (over the cap, timed out), and no line twice.
lines=$(grep -c "actor=links msg=\"link from" "$LOG")
[ "$lines" -le 420 ] || fail "$lines refusal lines: not once per source and reason"
twice=$(grep "actor=links msg=\"link from" "$LOG" | sed 's/.*msg=//' | sort | uniq -d | head -3)
[ -z "$twice" ] || fail "logged more than once: $twice"
echo "refusal log lines: $lines; put after the attacks: ok"

# The modes: plain TCP only when asked for, and only on loopback; no silent default.
out=$(env -u CRATON_CERTS "$CRATON" store --id 5 --listen "127.0.0.1:$((BASE + 6))" \
  --data "$WORK/d5" 2>&1) && fail "a replica started with neither --certs nor --insecure-loopback"
echo "$out" | grep -q -- "--insecure-loopback" || fail "unclear error without a mode: $out"
out=$("$CRATON" store --id 5 --listen "0.0.0.0:$((BASE + 6))" --data "$WORK/d5" \
  --insecure-loopback 2>&1) && fail "plain TCP started on 0.0.0.0"
echo "$out" | grep -q "loopback only" || fail "unclear error for plain TCP on 0.0.0.0: $out"
out=$(env -u CRATON_CERTS "$CRATON" kv get --endpoints "$PEERS" --insecure-loopback warm 2>&1) &&
  fail "a plain TCP client got an answer from TLS replicas: $out"
echo "modes: refused without one, plain TCP refused on 0.0.0.0 and by TLS replicas"
echo "PASS"
