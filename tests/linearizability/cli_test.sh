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
