#!/bin/sh
# Runs `craton check linearizable` on the fixture files and checks exit codes (0 linearizable,
# 1 not linearizable, 2 bad input) and the first line of output.
# Usage: cli_test.sh CRATON_BINARY FIXTURE_DIR
set -u
craton=$1
dir=$2
failures=0

# expect CODE FIRST_LINE_OR_STDERR_SUBSTRING ARGS...
expect() {
  want_code=$1
  want_text=$2
  shift 2
  out=$("$craton" check linearizable "$@" 2>&1)
  code=$?
  if [ "$code" -ne "$want_code" ]; then
    echo "FAIL: craton check linearizable $*: exit $code, want $want_code"
    echo "$out" | sed 's/^/    /'
    failures=$((failures + 1))
  elif ! printf '%s\n' "$out" | grep -qF -- "$want_text"; then
    echo "FAIL: craton check linearizable $*: output lacks '$want_text'"
    echo "$out" | sed 's/^/    /'
    failures=$((failures + 1))
  else
    echo "ok: $* -> $code"
  fi
}

expect 0 "linearizable" --model register "$dir/register_ok.jsonl"
expect 1 "not linearizable" --model register "$dir/register_stale_read.jsonl"
expect 1 "p2 read -> 1 (lines 5-6)" --model register "$dir/register_stale_read.jsonl"
expect 0 "linearizable" --model kv "$dir/kv_ok.jsonl"
expect 1 'key "log": not linearizable' --model kv "$dir/kv_lost_append.jsonl"
expect 1 '"linearizable": false' --json --model kv "$dir/kv_lost_append.jsonl"
expect 0 '"verdict": "linearizable"' --json --model kv "$dir/kv_ok.jsonl"
# A violation on key "a" decides the history: key "b" (12 concurrent puts, then a read of a value
# nobody wrote; proving that takes more than 1000 search steps) is not searched unless
# --all-keys asks for it.
two="$dir/kv_violation_then_expensive_key.jsonl"
expect 1 '1 key(s) not checked (--all-keys checks them): "b"' --model kv "$two"
expect 1 '3 operations on 1 key(s) checked' --model kv --search-limit 1000 "$two"
expect 1 '"unchecked_keys": [' --json --model kv "$two"
expect 1 '"stopped_early": true' --json --model kv "$two"
expect 1 'key "b": unknown (search limit reached after 1001 steps)' --model kv --all-keys \
  --search-limit 1000 "$two"
expect 1 '16 operations on 2 key(s) checked; not linearizable: 2 key(s)' --model kv --all-keys "$two"
expect 1 '"stopped_early": false' --json --all-keys --model kv "$two"
if "$craton" check linearizable --model kv --search-limit 1000 "$two" 2>&1 | grep -q undecided; then
  echo "FAIL: key b was searched without --all-keys"
  failures=$((failures + 1))
fi
expect 2 "--search-limit must be a number of steps" --model kv --search-limit 0 "$two"
expect 2 "--search-limit must be a number of steps" --model kv --search-limit 12x "$two"
"$craton" check linearizable --help | grep -q "search steps allowed per key.*default 200000000" ||
  { echo "FAIL: --help does not explain --search-limit and its default"; failures=$((failures + 1)); }

expect 2 "line 2: not valid JSON" --model register "$dir/bad_json.jsonl"
expect 2 "line 2: ok from process 1 without a matching invoke" --model register \
  "$dir/bad_unmatched.jsonl"
expect 2 "line 2: the register model has no append" --model register "$dir/kv_ok.jsonl"
expect 2 "unknown model" --model queue "$dir/register_ok.jsonl"
expect 2 "--model register|kv is required" "$dir/register_ok.jsonl"
expect 2 "cannot open" --model register "$dir/does_not_exist.jsonl"

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
