#!/usr/bin/env bash
# The write quota through the craton binary: one replica started with a 64 KiB
# --quota-backend-bytes fills up; `craton kv put` then fails with one "no_space" line and a
# non-zero exit while `kv get` and `kv del` still work; deleting alone frees nothing (tombstones
# are data too), `kv compact` at the current revision does, and puts work again. `craton store
# status` shows the quota (text and --json); bad quota flags exit 2.
#
#   store_quota_process_test.sh CRATON
#
# Every wait is bounded; all children are killed on exit.
set -u
CRATON=$1
WORK=$(mktemp -d /tmp/craton-store-quota.XXXXXX)
PIDS=()

# shellcheck source=process_lib.sh
source "$(dirname "$0")/process_lib.sh"
pick_ports 1

EP="127.0.0.1:$BASE"
QUOTA=65536
VALUE=$(head -c 4000 /dev/zero | tr '\0' v)

status_json() {  # field -> its value in this replica's status
  "$CRATON" store status --endpoints "$EP" --timeout-ms 1000 --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[0][sys.argv[1]])' "$1"
}

# Flags: above half the map size (8 GiB map) and not a number are usage errors (exit 2).
"$CRATON" store --data "$WORK/bad" --listen "$EP" --quota-backend-bytes 5000000000 2>"$WORK/err"
[ $? = 2 ] || fail "a quota above half the map size did not exit 2"
[ "$(wc -l <"$WORK/err")" = 1 ] && grep -q 'half the LMDB map size' "$WORK/err" ||
  fail "quota above the map: $(cat "$WORK/err")"
"$CRATON" store --data "$WORK/bad" --listen "$EP" --quota-backend-bytes 64k 2>/dev/null
[ $? = 2 ] || fail "a quota that is not a number did not exit 2"

"$CRATON" store --data "$WORK/d1" --listen "$EP" --tick-ms 50 --quota-backend-bytes "$QUOTA" \
  >>"$WORK/r1.log" 2>&1 &
PIDS+=($!)
wait_leader "$EP" >/dev/null || fail "no leader"
[ "$(status_json quota_bytes)" = "$QUOTA" ] || fail "status --json quota_bytes is not $QUOTA"
"$CRATON" store status --endpoints "$EP" | grep -q "QUOTA" || fail "status table has no QUOTA"
"$CRATON" store status --endpoints "$EP" | grep -Eq " $QUOTA\$" || fail "status table lacks $QUOTA"

# Fill: 4,000-byte values, so about 16 fit.
full=""
for i in $(seq 1 40); do
  if ! "$CRATON" kv put --endpoints "$EP" "k$i" "$VALUE" >/dev/null 2>"$WORK/err"; then
    full=$i
    break
  fi
done
[ -n "$full" ] || fail "40 puts of 4,000 bytes fit in a $QUOTA-byte quota"
[ "$full" -gt 5 ] || fail "the quota refused put $full already"
[ "$(wc -l <"$WORK/err")" = 1 ] && grep -q 'no_space' "$WORK/err" ||
  fail "put past the quota: $(cat "$WORK/err")"
echo "put $full refused: $(cat "$WORK/err")"
data=$(status_json data_bytes)
[ "$data" -le "$QUOTA" ] || fail "data_bytes $data above the quota $QUOTA"

out=$("$CRATON" kv get --endpoints "$EP" k1) || fail "get while full"
[ "$(echo "$out" | sed -n 1p)" = k1 ] || fail "get while full printed '$out'"
out=$("$CRATON" kv del --endpoints "$EP" k --prefix) || fail "del while full: $out"
[ "$out" = $((full - 1)) ] || fail "del while full deleted '$out', expected $((full - 1))"
# The deletes wrote tombstones: still full until a compaction drops the history.
"$CRATON" kv put --endpoints "$EP" again "$VALUE" 2>/dev/null && fail "put after delete fit"
rev=$(status_json revision)
"$CRATON" kv compact --endpoints "$EP" "$rev" >/dev/null || fail "compact $rev while full"
echo "after compact at $rev: data_bytes $(status_json data_bytes)"
"$CRATON" kv put --endpoints "$EP" again "$VALUE" >/dev/null || fail "put after compaction"
out=$("$CRATON" kv get --endpoints "$EP" again --count-only) || fail "get after compaction"
[ "$out" = 1 ] || fail "the put after compaction is not there ('$out')"
echo "quota process: ok"
