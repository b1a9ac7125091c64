#!/usr/bin/env bash
# A full disk under one replica: its data directory is an 8 MiB tmpfs and its write quota far
# above that (--quota-backend-bytes 1 GB), so 1 MiB puts fill the filesystem before the quota.
# The replica then stops (exit 1) saying "no space left on device" and naming the data
# directory (LMDB itself only says "Input/output error" for the short write), and `craton kv
# put` says the outcome of its write is unknown (it may be applied after a restart). After the
# filesystem grows, the replica restarts on the same directory and takes writes again.
#
#   store_disk_full_process_test.sh CRATON        (as root: it mounts a tmpfs)
#
# Every wait is bounded; all children are killed and the tmpfs unmounted on exit.
set -u
CRATON=$1
WORK=$(mktemp -d /tmp/craton-store-full.XXXXXX)
PIDS=()

# shellcheck source=process_lib.sh
source "$(dirname "$0")/process_lib.sh"
DISK="$WORK/disk"
mkdir -p "$DISK"
unmount_disk() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  wait 2>/dev/null
  umount "$DISK" 2>/dev/null
  cleanup
}
trap unmount_disk EXIT
mount -t tmpfs -o size=8m tmpfs "$DISK" || fail "cannot mount a tmpfs (this test needs root)"
pick_ports 1
EP="127.0.0.1:$BASE"
DATA="$DISK/d1"

start_replica() {  # log
  "$CRATON" store --data "$DATA" --listen "$EP" --tick-ms 50 --quota-backend-bytes 1000000000 \
    >>"$WORK/$1" 2>&1 &
  REPLICA=$!
  PIDS+=("$REPLICA")
  wait_leader "$EP" >/dev/null || fail "no leader"
}
start_replica r1.log

head -c 1048576 /dev/urandom >"$WORK/value"
failed=""
for i in $(seq 1 16); do
  if ! "$CRATON" kv put --endpoints "$EP" --timeout-ms 1000 "k$i" <"$WORK/value" \
    >/dev/null 2>"$WORK/put.err"; then
    failed=$i
    break
  fi
done
[ -n "$failed" ] || fail "16 puts of 1 MiB fit on an 8 MiB tmpfs"
echo "put $failed failed: $(cat "$WORK/put.err")"
grep -q "the outcome of this write is unknown" "$WORK/put.err" ||
  fail "kv put on a full disk does not say its outcome is unknown: $(cat "$WORK/put.err")"
grep -q "may be applied when the store restarts" "$WORK/put.err" ||
  fail "kv put on a full disk does not mention the restart: $(cat "$WORK/put.err")"

# The replica stops by itself, exit 1, with the reason and the directory.
for _ in $(seq 1 100); do kill -0 "$REPLICA" 2>/dev/null || break; sleep 0.1; done
kill -0 "$REPLICA" 2>/dev/null && fail "the replica still runs on a full disk"
wait "$REPLICA"
code=$?
[ "$code" = 1 ] || fail "the replica exited $code on a full disk, want 1"
grep "craton store: replica failed" "$WORK/r1.log" || fail "no failure line from craton store"
grep -q "no space left on device: the filesystem of data directory $DATA has" "$WORK/r1.log" ||
  fail "the failure does not say no space left and name $DATA"

# Room again: the same directory opens and takes writes; the write that failed is there or not.
mount -o remount,size=32m "$DISK" || fail "cannot grow the tmpfs"
start_replica r2.log
"$CRATON" kv put --endpoints "$EP" after-restart v >/dev/null || fail "put after the restart"
n=$("$CRATON" kv get --endpoints "$EP" k --prefix --count-only) || fail "get after the restart"
[ "$n" -ge $((failed - 1)) ] && [ "$n" -le "$failed" ] ||
  fail "$n keys after the restart; $((failed - 1)) were acknowledged, 1 unknown"
echo "after the restart: $n of $failed puts present (the last one's outcome was unknown)"
echo "disk full process: ok"
