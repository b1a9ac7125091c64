#!/usr/bin/env bash
# Leases on a real three-replica cluster through the craton binary:
#
#   lease_process_test.sh CRATON
#
# grant a 2 s lease, put a key with it, keep it alive with `craton lease keepalive`, SIGKILL
# the leader: the key must survive (the new leader extends the lease and the keeper follows
# it). Then stop the keeper: the key must be gone a few seconds later, on every replica (the
# restarted old leader included). Also: the CLI's ttl/list/keepalive --once forms and errors.
# Every wait is bounded; all children are killed on exit.
set -u
CRATON=$1
WORK=$(mktemp -d /tmp/craton-lease-proc.XXXXXX)
PIDS=()

# shellcheck source=process_lib.sh
source "$(dirname "$0")/process_lib.sh"
pick_ports 3

PEERS="1=127.0.0.1:$BASE,2=127.0.0.1:$((BASE + 1)),3=127.0.0.1:$((BASE + 2))"

start_replica() {  # id
  local id=$1
  "$CRATON" store --id "$id" --peers "$PEERS" --data "$WORK/d$id" --tick-ms 50 \
    >>"$WORK/r$id.log" 2>&1 &
  PIDS+=($!)
  eval "PID_$id=$!"
}

# Prints the key's value, "<missing>", or "<error>" when no answer came.
value_of() {  # key [endpoints] [--serializable]
  local out
  out=$("$CRATON" kv get --endpoints "${2:-$PEERS}" --timeout-ms 1000 "$1" ${3:-} 2>/dev/null) ||
    { echo "<error>"; return; }
  [ -z "$out" ] && { echo "<missing>"; return; }
  echo "$out" | sed -n 2p
}

for id in 1 2 3; do start_replica "$id"; done
read -r lead _ < <(wait_leader "$PEERS") || fail "no leader among three replicas"
echo "leader: $lead"

out=$("$CRATON" lease grant 2 --endpoints "$PEERS") || fail "grant failed: $out"
echo "$out"
echo "$out" | grep -Eq '^lease [0-9a-f]{16} granted with TTL\(2s\)$' || fail "grant printed '$out'"
ID=$(echo "$out" | awk '{print $2}')
# The keeper starts at once: each CLI process takes a while to start on a loaded machine.
"$CRATON" lease keepalive "$ID" --endpoints "$PEERS" --timeout-ms 300 >"$WORK/keeper.out" \
  2>"$WORK/keeper.log" &
KEEPER=$!
PIDS+=($KEEPER)
for _ in $(seq 1 100); do [ -s "$WORK/keeper.out" ] && break; sleep 0.1; done
grep -q "^lease $ID keepalived with TTL(2)$" "$WORK/keeper.out" ||
  fail "keepalive printed '$(cat "$WORK/keeper.out")' $(cat "$WORK/keeper.log")"
"$CRATON" kv put --endpoints "$PEERS" --lease "$ID" leased v >/dev/null || fail "put with lease"
"$CRATON" kv put --endpoints "$PEERS" plain v >/dev/null || fail "plain put"
out=$("$CRATON" lease ttl "$ID" --keys --endpoints "$PEERS") || fail "ttl: $out"
echo "$out" | grep -Eq "^lease $ID granted with TTL\(2s\), remaining\([12]s\), attached keys\(\[leased\]\)$" ||
  fail "ttl --keys printed '$out'"
out=$("$CRATON" lease list --endpoints "$PEERS") || fail "list"
[ "$out" = "found 1 leases"$'\n'"$ID" ] || fail "list printed '$out'"
out=$("$CRATON" lease keepalive "$ID" --once --json --endpoints "$PEERS") || fail "keepalive --once"
echo "$out" | grep -q '"TTL":2' || fail "keepalive --once --json printed '$out'"

# Errors: one line, non-zero exit; a bad id is a usage error (2).
"$CRATON" kv put --endpoints "$PEERS" --lease 123abc orphan v 2>"$WORK/err" &&
  fail "put with an unknown lease succeeded"
[ "$(wc -l <"$WORK/err")" = 1 ] && grep -q lease_not_found "$WORK/err" ||
  fail "unknown lease error: $(cat "$WORK/err")"
"$CRATON" lease revoke zz --endpoints "$PEERS" 2>/dev/null
[ $? = 2 ] || fail "bad lease id did not exit 2"

sleep 1
eval "victim=\$PID_$lead"
kill -9 "$victim"
echo "killed leader $lead"
killed_at=$(wc -l <"$WORK/keeper.out")
# 6 s = 3 TTLs: every answer must still show the key.
answers=0
for _ in $(seq 1 12); do
  v=$(value_of leased)
  [ "$v" = "<missing>" ] && fail "the kept-alive key vanished after the leader was killed"
  [ "$v" = v ] && answers=$((answers + 1))
  sleep 0.5
done
[ "$answers" -ge 3 ] || fail "only $answers reads answered after the leader was killed"
kill -0 "$KEEPER" 2>/dev/null || fail "keepalive exited: $(cat "$WORK/keeper.log")"
[ "$(wc -l <"$WORK/keeper.out")" -gt "$killed_at" ] || fail "no renewal after the kill"
echo "key survived the leader's SIGKILL; renewals: $(wc -l <"$WORK/keeper.out")"
start_replica "$lead"

kill -TERM "$KEEPER"
wait "$KEEPER"; [ $? = 0 ] || fail "keepalive exited non-zero on SIGTERM"
stopped=$(date +%s%N)
gone=""
for _ in $(seq 1 100); do
  if [ "$(value_of leased)" = "<missing>" ]; then gone=$(date +%s%N); break; fi
  sleep 0.1
done
[ -n "$gone" ] || fail "the abandoned lease's key is still there 10 s after keep-alives stopped"
echo "key gone $(((gone - stopped) / 1000000)) ms after keep-alives stopped (TTL 2000 ms)"
[ "$(value_of plain)" = v ] || fail "a key without lease went away"
for id in 1 2 3; do
  for _ in $(seq 1 50); do
    [ "$(value_of leased "$id=127.0.0.1:$((BASE + id - 1))" --serializable)" = "<missing>" ] &&
      break
    sleep 0.2
  done
  [ "$(value_of leased "$id=127.0.0.1:$((BASE + id - 1))" --serializable)" = "<missing>" ] ||
    fail "replica $id still has the expired key"
done
out=$("$CRATON" lease ttl "$ID" --endpoints "$PEERS") || fail "ttl after expiry"
[ "$out" = "lease $ID already expired" ] || fail "ttl after expiry printed '$out'"
"$CRATON" lease keepalive "$ID" --once --endpoints "$PEERS" 2>"$WORK/err" &&
  fail "keepalive of an expired lease succeeded"
grep -q lease_not_found "$WORK/err" || fail "expired keepalive error: $(cat "$WORK/err")"
out=$("$CRATON" lease list --endpoints "$PEERS") || fail "list at the end"
[ "$out" = "found 0 leases" ] || fail "list at the end printed '$out'"
echo "lease: ok"
