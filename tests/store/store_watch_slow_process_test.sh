#!/usr/bin/env bash
# Real-process test of a slow watcher: `craton kv watch --prefix --json` writes into a pipe
# nobody reads (it blocks after 64 KiB) while N puts of 64 KiB values go in (N=1000: 64 MiB).
# The watch process must stay small (its client holds at most 16 MiB of responses the caller
# has not taken, then pauses the watch: actors/store/client/client.hpp, "Watches"), and once the pipe
# is read it must still deliver all N events exactly once, in order.
#
#   store_watch_slow_process_test.sh CRATON [N]
#
# Every wait is bounded; all children are killed on exit.
set -u
CRATON=$1
N=${2:-1000}
WORK=$(mktemp -d /tmp/craton-store-slow.XXXXXX)
PIDS=()

# shellcheck source=process_lib.sh
source "$(dirname "$0")/process_lib.sh"
pick_ports 1

EP="127.0.0.1:$BASE"
"$CRATON" store --listen "$EP" --id 1 --data "$WORK/d1" --tick-ms 50 >>"$WORK/r1.log" 2>&1 &
PIDS+=($!)
wait_leader "$EP" >/dev/null || fail "no leader"

# The pipe's reader waits for $WORK/go before it reads anything.
( "$CRATON" kv watch --endpoints "$EP" /slow/ --prefix --count "$N" --json 2>"$WORK/watch.log" &
  echo $! >"$WORK/watcher.pid"
  wait $!
  echo $? >"$WORK/watch.rc" ) |
  (while [ ! -e "$WORK/go" ]; do sleep 0.2; done; cat >"$WORK/watch.out") &
PIDS+=($!)
for _ in $(seq 1 50); do [ -s "$WORK/watcher.pid" ] && break; sleep 0.1; done
WATCHER=$(cat "$WORK/watcher.pid")
PIDS+=($WATCHER)
sleep 1

"$CRATON" bench store put --endpoints "$EP" --key-prefix /slow/ --key-bytes 8 \
  --value-bytes 65536 --total "$N" --clients 8 --conns 1 >"$WORK/bench.out" 2>&1 ||
  fail "puts failed: $(cat "$WORK/bench.out")"
sleep 2  # whatever is still under way reaches the watcher
rss_kib=$(awk '/^VmRSS/{print $2}' "/proc/$WATCHER/status")
echo "blocked watcher after $N puts of 64 KiB: RSS $((rss_kib / 1024)) MiB"
# 64 MiB of events went by; the bound is 16 MiB plus one response and the process itself.
[ "$rss_kib" -lt $((48 * 1024)) ] || fail "blocked watcher holds $((rss_kib / 1024)) MiB"

touch "$WORK/go"
for _ in $(seq 1 600); do kill -0 "$WATCHER" 2>/dev/null || break; sleep 0.1; done
kill -0 "$WATCHER" 2>/dev/null && fail "watcher did not see $N events within 60 s of reading"
for _ in $(seq 1 50); do [ -s "$WORK/watch.rc" ] && break; sleep 0.1; done
[ "$(cat "$WORK/watch.rc")" = 0 ] || fail "watcher exited non-zero: $(cat "$WORK/watch.log")"
sleep 0.5  # the reader's cat finishes the file

python3 - "$WORK/watch.out" "$N" <<'PY' || fail "watch output wrong"
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
revs = []
for line in open(path):
    r = json.loads(line)
    for e in r["events"]:
        if not e["kv"]["key"].startswith("/slow/") or e["type"] != "PUT":
            print("unexpected event", e["kv"]["key"], e["type"], file=sys.stderr)
            sys.exit(1)
        revs.append(e["kv"]["mod_revision"])
if len(revs) != n:
    print("%d events, want %d" % (len(revs), n), file=sys.stderr)
    sys.exit(1)
if any(b <= a for a, b in zip(revs, revs[1:])):
    print("revisions not strictly increasing (a duplicate or reordering)", file=sys.stderr)
    sys.exit(1)
print("slow watch: %d events in order, revisions %d..%d" % (n, revs[0], revs[-1]))
PY
echo "slow watch process: ok"
