#!/usr/bin/env bash
# A read whose answer would not fit in one message (4 MiB) through the craton binary: five
# 1 MiB values under one prefix; `craton kv get PREFIX --prefix` must fail at once with one
# "too_large" line and a non-zero exit (before, the router dropped the reply and the client
# waited for its timeout), while `--limit 2` and `--keys-only` still answer.
#
#   store_large_reply_process_test.sh CRATON
#
# Every wait is bounded; all children are killed on exit.
set -u
CRATON=$1
WORK=$(mktemp -d /tmp/craton-store-large.XXXXXX)
PIDS=()

# shellcheck source=process_lib.sh
source "$(dirname "$0")/process_lib.sh"
pick_ports 1

EP="127.0.0.1:$BASE"
"$CRATON" store --data "$WORK/d1" --listen "$EP" --tick-ms 50 >>"$WORK/r1.log" 2>&1 &
PIDS+=($!)
wait_leader "$EP" >/dev/null || fail "no leader"

# Through kv txn (JSON on stdin): a 1 MB value is too long for one command-line argument.
for i in 1 2 3 4 5; do
  python3 -c 'import json,sys; print(json.dumps({"success": [{"put": {"key": "/r/" + sys.argv[1], "value": "v" * 1000000}}]}))' "$i" |
    "$CRATON" kv txn --endpoints "$EP" >/dev/null || fail "put /r/$i"
done
start=$(date +%s)
"$CRATON" kv get --endpoints "$EP" --timeout-ms 20000 /r/ --prefix >/dev/null 2>"$WORK/err" &&
  fail "a 5 MB range answered although it exceeds the message limit"
took=$(( $(date +%s) - start ))
[ "$(wc -l <"$WORK/err")" = 1 ] && grep -q 'too_large' "$WORK/err" ||
  fail "oversized range: $(cat "$WORK/err")"
[ "$took" -lt 15 ] || fail "the oversized range took $took s to fail (waited for a timeout?)"
echo "oversized range refused in ${took}s: $(cat "$WORK/err")"

n=$("$CRATON" kv get --endpoints "$EP" /r/ --prefix --limit 2 | grep -c '^/r/') ||
  fail "range with --limit 2"
[ "$n" = 2 ] || fail "--limit 2 printed $n keys"
n=$("$CRATON" kv get --endpoints "$EP" /r/ --prefix --keys-only | grep -c '^/r/') ||
  fail "range with --keys-only"
[ "$n" = 5 ] || fail "--keys-only printed $n keys"
echo "large reply: ok"
