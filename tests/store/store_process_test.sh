#!/usr/bin/env bash
# Real-process tests of the store through the craton binary.
#
#   store_process_test.sh CRATON single    one replica: kv put/get, status shows a leader,
#                                          restart recovers the data, bad flags exit 2
#   store_process_test.sh CRATON cluster   three replicas on loopback, a client writing; the
#                                          leader is SIGKILLed and restarted; every
#                                          acknowledged write must be present afterwards
#   store_process_test.sh CRATON snapshot  three replicas with a small --snapshot-count; one is
#                                          stopped while 12,000 keys of 200-byte values go
#                                          in (120 txns of 100 puts, about 3 MB: several
#                                          snapshot chunks), restarted, and must catch up
#                                          through a snapshot: status applied index and
#                                          a serializable read from it
#
# Every wait is bounded; all children are killed on exit.
set -u
CRATON=$1
MODE=${2:-single}
WORK=$(mktemp -d /tmp/craton-store-proc.XXXXXX)
PIDS=()
WRITERS=()
SNAPSHOT_FLAGS=""

# shellcheck source=process_lib.sh
source "$(dirname "$0")/process_lib.sh"
pick_ports 3

start_replica() {  # id peers-or-empty
  local id=$1 peers=$2
  if [ -n "$peers" ]; then
    "$CRATON" store --id "$id" --peers "$peers" --data "$WORK/d$id" --tick-ms 50 $SNAPSHOT_FLAGS \
      >>"$WORK/r$id.log" 2>&1 &
  else
    "$CRATON" store --id "$id" --listen "127.0.0.1:$BASE" --data "$WORK/d$id" --tick-ms 50 \
      >>"$WORK/r$id.log" 2>&1 &
  fi
  PIDS+=($!)
  eval "PID_$id=$!"
}

single() {
  local ep="127.0.0.1:$BASE"
  start_replica 1 ""
  wait_leader "$ep" >/dev/null || fail "no leader in a one-replica cluster"
  out=$("$CRATON" kv put --endpoints "$ep" greeting hello) || fail "put failed: $out"
  [ "$out" = "OK" ] || fail "put printed '$out'"
  out=$("$CRATON" kv get --endpoints "$ep" greeting) || fail "get failed"
  [ "$out" = $'greeting\nhello' ] || fail "get printed '$out'"
  "$CRATON" kv put --endpoints "$ep" greet2 hi >/dev/null || fail "put 2"
  out=$("$CRATON" kv get --endpoints "$ep" gree --prefix --count-only) || fail "count"
  [ "$out" = "2" ] || fail "prefix count '$out'"
  out=$("$CRATON" kv get --endpoints "$ep" greeting --json) || fail "get json"
  echo "$out" | grep -q '"value":"hello"' || fail "json get '$out'"
  out=$("$CRATON" store status --endpoints "$ep") || fail "status"
  echo "$out" | grep -q leader || fail "status shows no leader: $out"
  echo "$out"
  # Limits come back as one clear line and exit 1.
  "$CRATON" kv put --endpoints "$ep" "$(head -c 5000 /dev/zero | tr '\0' k)" v 2>"$WORK/err" &&
    fail "oversized key accepted"
  [ "$(wc -l <"$WORK/err")" = "1" ] || fail "error not one line: $(cat "$WORK/err")"
  # Bad flags exit 2.
  "$CRATON" kv get --endpoints "nonsense" k 2>/dev/null
  [ $? = 2 ] || fail "bad --endpoints did not exit 2"
  # Clean shutdown on SIGTERM, then recovery from the data directory.
  kill -TERM "$PID_1"
  for _ in $(seq 1 50); do kill -0 "$PID_1" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$PID_1" 2>/dev/null && fail "replica did not stop on SIGTERM"
  wait "$PID_1"; [ $? = 0 ] || fail "replica exited non-zero after SIGTERM"
  # Nobody answers now: every attempt of the read ends by the client's own timeout (a sweep
  # of its pending calls), about 10 x 200 ms; without it each would wait 2 s more.
  local t0=$SECONDS
  "$CRATON" kv get --endpoints "1=$ep" --timeout-ms 200 greeting 2>"$WORK/err" &&
    fail "get from a stopped replica succeeded"
  grep -q "timeout" "$WORK/err" || fail "no timeout error: $(cat "$WORK/err")"
  [ $((SECONDS - t0)) -lt 12 ] || fail "the timed-out get took $((SECONDS - t0)) s"
  start_replica 1 ""
  wait_leader "$ep" >/dev/null || fail "no leader after restart"
  out=$("$CRATON" kv get --endpoints "$ep" greeting) || fail "get after restart"
  [ "$out" = $'greeting\nhello' ] || fail "after restart get printed '$out'"
  echo "single: ok"
}

cluster() {
  local peers="1=127.0.0.1:$BASE,2=127.0.0.1:$((BASE + 1)),3=127.0.0.1:$((BASE + 2))"
  for id in 1 2 3; do start_replica "$id" "$peers"; done
  read -r lead _ < <(wait_leader "$peers") || fail "no leader among three replicas"
  echo "leader: $lead"
  start_writer "$peers"
  for _ in $(seq 1 100); do [ "$(acked_count)" -ge 20 ] && break; sleep 0.1; done
  [ "$(acked_count)" -ge 20 ] || fail "writer made no progress"
  eval "victim=\$PID_$lead"
  kill -9 "$victim"
  before=$(acked_count)
  for _ in $(seq 1 150); do [ "$(acked_count)" -ge $((before + 20)) ] && break; sleep 0.1; done
  [ "$(acked_count)" -ge $((before + 20)) ] || fail "no writes after killing the leader"
  start_replica "$lead" "$peers"
  sleep 2
  stop_writer
  wait_leader "$peers" >/dev/null || fail "no leader at the end"
  acked=$(acked_count)
  echo "acknowledged writes: $acked"
  check_acked_present "$peers"
  # The restarted replica caught up too (serializable read of its own state).
  for _ in $(seq 1 50); do
    n=$("$CRATON" kv get --endpoints "$lead=127.0.0.1:$((BASE + lead - 1))" key --prefix \
      --count-only --serializable 2>/dev/null)
    [ -n "$n" ] && [ "$n" -ge "$acked" ] && break
    sleep 0.2
  done
  [ -n "$n" ] && [ "$n" -ge "$acked" ] || fail "restarted replica has $n keys, expected >= $acked"
  echo "cluster: ok ($acked acknowledged writes present)"
}

applied_of() {  # endpoint -> applied index printed by craton store status
  "$CRATON" store status --endpoints "$1" --timeout-ms 1000 --json 2>/dev/null |
    python3 -c 'import json,sys
try: print(json.load(sys.stdin)[0]["applied_index"])
except Exception: print(0)'
}

snapshot() {
  local peers="1=127.0.0.1:$BASE,2=127.0.0.1:$((BASE + 1)),3=127.0.0.1:$((BASE + 2))"
  SNAPSHOT_FLAGS="--snapshot-count 50 --snapshot-catchup-entries 10"
  for id in 1 2 3; do start_replica "$id" "$peers"; done
  read -r lead _ < <(wait_leader "$peers") || fail "no leader among three replicas"
  victim=$(( lead % 3 + 1 ))
  eval "kill -9 \$PID_$victim"
  echo "leader $lead; stopped replica $victim"
  # 120 txns of 100 puts each, four writers in parallel: 12,000 keys. Each txn is one craton
  # process; the count is kept small because process start-up dominates on a loaded machine
  # (300 txns took 236 s there). Values are padded so that the snapshot still takes chunks.
  for w in 0 1 2 3; do
    (
      for t in $(seq "$w" 4 119); do
        python3 -c "import json,sys; t=int(sys.argv[1]); print(json.dumps({'success': [{'put': {'key': 'key%06d' % (t*100+i), 'value': ('v%d' % (t*100+i)).ljust(200, '.')}} for i in range(100)]}))" "$t" |
          "$CRATON" kv txn --endpoints "$peers" --timeout-ms 5000 >/dev/null 2>&1 ||
          echo "$t" >>"$WORK/failed_txns"
      done
    ) &
    WRITERS+=($!)
  done
  for pid in "${WRITERS[@]}"; do wait "$pid"; done
  [ -f "$WORK/failed_txns" ] && fail "txns failed: $(tr '\n' ' ' <"$WORK/failed_txns")"
  count=$("$CRATON" kv get --endpoints "$peers" key --prefix --count-only) || fail "count"
  [ "$count" = 12000 ] || fail "cluster holds $count keys, expected 12000"
  target=$(applied_of "$lead=127.0.0.1:$((BASE + lead - 1))")
  echo "leader applied index: $target"
  start_replica "$victim" "$peers"
  local ep="$victim=127.0.0.1:$((BASE + victim - 1))"
  for _ in $(seq 1 150); do
    applied=$(applied_of "$ep")
    [ "$applied" -ge "$target" ] && break
    sleep 0.2
  done
  [ "$applied" -ge "$target" ] || fail "restarted replica applied $applied < $target"
  n=$("$CRATON" kv get --endpoints "$ep" key --prefix --count-only --serializable) ||
    fail "serializable read from the restarted replica"
  [ "$n" = 12000 ] || fail "restarted replica serves $n keys, expected 12000"
  grep -q "installed snapshot" "$WORK/r$victim.log" ||
    fail "restarted replica caught up without a snapshot (log not compacted?)"
  echo "snapshot: ok (replica $victim applied $applied >= $target, serves $n keys)"
}

"$MODE"
