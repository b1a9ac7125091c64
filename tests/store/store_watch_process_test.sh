#!/usr/bin/env bash
# Real-process test of watches through the craton binary: three replicas on loopback,
# `craton kv watch --prefix --count N --json` in the background, N puts by separate processes;
# halfway through, the replica serving the watch (the first endpoint) is SIGKILLed. Every put
# must arrive exactly once, in order, with strictly increasing revisions (the watch resumes on
# another replica from its last revision + 1).
#
#   store_watch_process_test.sh CRATON
#
# Every wait is bounded; all children are killed on exit.
set -u
CRATON=$1
N=${2:-30}
WORK=$(mktemp -d /tmp/craton-store-watch.XXXXXX)
PIDS=()

# shellcheck source=process_lib.sh
source "$(dirname "$0")/process_lib.sh"
pick_ports 3

PEERS="1=127.0.0.1:$BASE,2=127.0.0.1:$((BASE + 1)),3=127.0.0.1:$((BASE + 2))"
for id in 1 2 3; do
  "$CRATON" store --id "$id" --peers "$PEERS" --data "$WORK/d$id" --tick-ms 50 \
    >>"$WORK/r$id.log" 2>&1 &
  PIDS+=($!)
  eval "PID_$id=$!"
done

put() {  # key value: retried, since an election may be running
  for _ in $(seq 1 20); do
    "$CRATON" kv put --endpoints "$PEERS" --timeout-ms 2000 "$1" "$2" >/dev/null 2>>"$WORK/put.log" &&
      return 0
    sleep 0.3
  done
  fail "put $1 never succeeded"
}

# A leader first, so that the watcher's replica has applied state to serve.
put warmup 1

"$CRATON" kv watch --endpoints "$PEERS" w/ --prefix --count "$N" --json \
  >"$WORK/watch.out" 2>"$WORK/watch.log" &
WATCHER=$!
PIDS+=($WATCHER)
sleep 1

for i in $(seq 1 "$N"); do
  put "w/$i" "v$i"
  if [ "$i" = $((N / 2)) ]; then
    kill -9 "$PID_1"  # the watch's replica (the first endpoint)
    echo "killed replica 1 after $i puts"
  fi
done

for _ in $(seq 1 300); do kill -0 "$WATCHER" 2>/dev/null || break; sleep 0.1; done
kill -0 "$WATCHER" 2>/dev/null && fail "watcher did not see $N events within 30 s"
wait "$WATCHER" || fail "watcher exited non-zero: $(cat "$WORK/watch.log")"

python3 - "$WORK/watch.out" "$N" <<'PY' || fail "watch output wrong"
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
events = []
for line in open(path):
    r = json.loads(line)
    events += [(e["kv"]["key"], e["kv"]["mod_revision"], e["type"]) for e in r["events"]]
keys = [k for k, _, _ in events]
want = ["w/%d" % i for i in range(1, n + 1)]
if keys != want:
    print("keys out of order, missing or duplicated:", keys, file=sys.stderr)
    sys.exit(1)
revs = [r for _, r, _ in events]
if any(b <= a for a, b in zip(revs, revs[1:])):
    print("revisions not increasing:", revs, file=sys.stderr)
    sys.exit(1)
print("watch: %d events in order, revisions %d..%d" % (len(events), revs[0], revs[-1]))
PY
echo "watch process: ok"
