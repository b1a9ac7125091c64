#!/usr/bin/env bash
# The store's command line as a new user meets it, against one real replica:
# - `kv txn` refuses unknown or misspelled fields at every level of its JSON (naming the field
#   and where it is), and fields of the wrong type, with exit 2 and nothing written;
# - `kv put KEY` without VALUE reads the value from stdin: 1 MiB round-trips byte for byte, more
#   than the store's 1.5 MiB value limit is refused before anything is sent (exit 2);
# - lease ids are hex everywhere: 16 digits are accepted (7fffffffffffffff, the largest id),
#   17 refused, ffffffffffffffff (-1 as the wire's int64) refused as no lease id; errors about
#   a lease name it in hex.
#
#   store_cli_process_test.sh CRATON
#
# Every wait is bounded; all children are killed on exit.
set -u
CRATON=$1
WORK=$(mktemp -d /tmp/craton-store-cli.XXXXXX)
PIDS=()

# shellcheck source=process_lib.sh
source "$(dirname "$0")/process_lib.sh"
pick_ports 1
EP="127.0.0.1:$BASE"

revision() {
  "$CRATON" store status --endpoints "$EP" --timeout-ms 1000 --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["revision"])'
}

# expect_exit CODE STDERR_SUBSTRING COMMAND...: runs it (stdin inherited), checks both.
expect_exit() {
  local want=$1 text=$2 code
  shift 2
  "$@" >"$WORK/out" 2>"$WORK/err"
  code=$?
  [ "$code" = "$want" ] || fail "$*: exit $code, want $want: $(cat "$WORK/err")"
  grep -qF -- "$text" "$WORK/err" || fail "$*: stderr lacks '$text': $(cat "$WORK/err")"
  [ "$(wc -l <"$WORK/err")" = 1 ] || fail "$*: more than one error line: $(cat "$WORK/err")"
}

"$CRATON" store --data "$WORK/d1" --listen "$EP" --tick-ms 50 >>"$WORK/r1.log" 2>&1 &
PIDS+=($!)
wait_leader "$EP" >/dev/null || fail "no leader"

# ---- txn: unknown fields at every level, wrong types; exit 2 and nothing written ----
txn_refused() {  # JSON EXPECTED_STDERR
  local before
  before=$(revision)
  expect_exit 2 "$2" "$CRATON" kv txn --endpoints "$EP" <<<"$1"
  grep -q SUCCESS "$WORK/out" && fail "txn $1 printed SUCCESS"
  [ "$(revision)" = "$before" ] || fail "txn $1 changed the revision"
}
txn_refused '{"sucess": [{"put": {"key": "a", "value": "b"}}]}' \
  'txn: unknown field "sucess" (known: "compare", "success", "failure")'
txn_refused '{"success": [{"put": {"key": "a", "valeu": "b"}}]}' \
  'success[0].put: unknown field "valeu"'
txn_refused '{"success": [{"get": {"key": "a"}}], "failure": [{"del": {"key": "a", "prefx": true}}]}' \
  'failure[0].del: unknown field "prefx"'
txn_refused '{"compare": [{"key": "a", "target": "version", "reslt": "=", "number": 0}]}' \
  'compare[0]: unknown field "reslt"'
txn_refused '{"success": [{"get": {"key": "a"}}, {"put": {"key": "a"}, "gte": {"key": "a"}}]}' \
  'success[1]: unknown field "gte"'
txn_refused '{"success": [{"put": {"key": "a", "value": 5}}]}' \
  'success[0].put.value: must be a string, not number'
txn_refused '{"success": [{"put": {"value": "v"}}]}' 'success[0].put: "key" is required'
txn_refused '{"success": {"put": {"key": "a"}}}' 'success: must be a JSON array, not object'
txn_refused '{"compare": [{"key": "a", "target": "value", "number": 1}]}' \
  'compare[0]: a "value" compare takes "value", not "number"'
txn_refused '[1]' 'txn: must be a JSON object, not array'
# A well-formed txn still works, and "lease" takes the hex id `lease grant` prints.
out=$("$CRATON" kv txn --endpoints "$EP" <<<'{"compare": [{"key": "t", "target": "version",
  "result": "=", "number": 0}], "success": [{"put": {"key": "t", "value": "v", "prev_kv": false}},
  {"get": {"key": "t", "prefix": true}}], "failure": []}') || fail "good txn: $out"
[ "$out" = "$(printf 'SUCCESS\nOK\nt\nv')" ] || fail "good txn printed '$out'"
echo "txn: unknown fields refused at every level, nothing written"

# ---- put: the value from stdin ----
head -c 1048576 /dev/urandom >"$WORK/value"
"$CRATON" kv put --endpoints "$EP" big <"$WORK/value" >"$WORK/out" 2>"$WORK/err" ||
  fail "put of 1 MiB from stdin: $(cat "$WORK/err")"
# `get` prints the key line, then the value and a newline.
"$CRATON" kv get --endpoints "$EP" big >"$WORK/got" || fail "get big"
tail -c +5 "$WORK/got" | head -c -1 | cmp -s - "$WORK/value" ||
  fail "the 1 MiB value read back differs from what stdin gave"
printf '' | "$CRATON" kv put --endpoints "$EP" empty >/dev/null || fail "put of an empty stdin"
[ "$("$CRATON" kv get --endpoints "$EP" empty --count-only)" = 1 ] || fail "empty value not put"
"$CRATON" kv put --endpoints "$EP" arg "" >/dev/null || fail "an empty VALUE argument"
before=$(revision)
head -c 1572865 /dev/zero >"$WORK/toolarge"
expect_exit 2 "larger than the store's value limit of 1572864 bytes" \
  "$CRATON" kv put --endpoints "$EP" huge <"$WORK/toolarge"
[ "$(revision)" = "$before" ] || fail "a refused stdin value changed the revision"
echo "put: 1 MiB from stdin round-trips; 1.5 MiB + 1 refused before sending"

# ---- lease ids: hex in, hex out, the 16-digit boundary ----
expect_exit 2 "cannot be a lease id: ids are int64 on the wire and positive, at most 7fffffffffffffff (this one would be -1)" \
  "$CRATON" lease revoke --endpoints "$EP" ffffffffffffffff
expect_exit 2 "(this one would be -9223372036854775808)" \
  "$CRATON" lease ttl --endpoints "$EP" 8000000000000000
expect_exit 2 "has 17 hex digits; a lease id has at most 16" \
  "$CRATON" lease revoke --endpoints "$EP" 10000000000000000
expect_exit 2 "--lease has 17 hex digits" "$CRATON" kv put --endpoints "$EP" --lease 00000000000000001 k v
expect_exit 2 "ID 0 is not a lease id" "$CRATON" lease keepalive --once --endpoints "$EP" 0
expect_exit 2 "must be a lease id in hex" "$CRATON" lease revoke --endpoints "$EP" 12g4
# 16 digits reach the store (INT64_MAX), named in hex in its answer.
expect_exit 1 "lease 7fffffffffffffff not found" "$CRATON" lease revoke --endpoints "$EP" 7fffffffffffffff
expect_exit 1 "lease 7fffffffffffffff not found" \
  "$CRATON" lease keepalive --once --endpoints "$EP" 0x7FFFFFFFFFFFFFFF
expect_exit 1 "lease 00000000000004d2 not found" "$CRATON" kv put --endpoints "$EP" --lease 4d2 k v
expect_exit 1 "lease 00000000000004d2 not found" "$CRATON" kv txn --endpoints "$EP" \
  <<<'{"success": [{"put": {"key": "k", "value": "v", "lease": "4d2"}}]}'
grant=$("$CRATON" lease grant --endpoints "$EP" 60) || fail "grant: $grant"
id=$(echo "$grant" | awk '{print $2}')
[ ${#id} = 16 ] || fail "grant printed '$grant'"
"$CRATON" kv put --endpoints "$EP" --lease "$id" leased v >/dev/null || fail "put --lease $id"
"$CRATON" lease revoke --endpoints "$EP" "$id" >/dev/null || fail "revoke $id"
expect_exit 1 "lease $id not found" "$CRATON" lease revoke --endpoints "$EP" "$id"
expect_exit 1 "lease $id not found" "$CRATON" kv put --endpoints "$EP" --lease "$id" leased v
grep -qF " $((16#$id)) " "$WORK/err" && fail "the lease id in decimal: $(cat "$WORK/err")"
echo "lease ids: hex everywhere, 16 digits accepted, 17 and above INT64_MAX refused"
echo "cli process: ok"
