#!/usr/bin/env bash
# `craton sim` end to end: the `make run` command line succeeds and ends with the trace hash,
# the same seed gives the same hash in a new process, --json is one object, a failing check
# exits 1 with a replay line, and bad flags or fault files exit 2 with one error line.
set -uo pipefail
craton="$1"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

expect_exit() {  # expect_exit CODE ARGS...
  local want="$1"; shift
  "$craton" sim "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [[ $got == "$want" ]] || fail "craton sim $* exited $got, want $want"
}

expect_exit 0 --seed 1 --nodes 7 --duration 60s --faults random
last="$(tail -n 1 "$tmp/out")"
[[ "$last" =~ ^trace-hash:\ [0-9a-f]{16}$ ]] || fail "last line is '$last'"
expect_exit 0 --seed 1 --nodes 7 --duration 60s --faults random --trace "$tmp/trace"
[[ "$(tail -n 1 "$tmp/out")" == "$last" ]] || fail "same seed, different hash in a new process"
[[ -s "$tmp/trace" ]] || fail "--trace wrote nothing"

expect_exit 0 --seed 2 --nodes 4 --duration 5s --json
[[ "$(wc -l <"$tmp/out")" == 1 ]] || fail "--json printed more than one line"
for key in seed trace_hash events simulated_ms wall_ms messages_delivered messages_dropped check; do
  grep -q "\"$key\":" "$tmp/out" || fail "--json lacks $key"
done

# A crash just before a very short run's settle point cannot be detected in time: check fails.
printf 'at 500ms crash n2\n' >"$tmp/late.faults"
expect_exit 1 --seed 3 --nodes 5 --duration 1s --faults "$tmp/late.faults"
grep -q '^replay: craton sim --seed 3 ' "$tmp/out" || fail "no replay line on failure"

printf 'at 1s crash n2\nat 2s explode\n' >"$tmp/bad.faults"
for args in "--nodes 3" "--seed x" "--seed 1 --bogus" "--seed 1 --duration 5h" "--seed 1 --nodes 0" \
    "--seed" "--seed 1 --faults $tmp/missing" "--seed 1 --faults $tmp/bad.faults" \
    "--seed 1 --scenario nope"; do
  # shellcheck disable=SC2086
  expect_exit 2 $args
  [[ "$(wc -l <"$tmp/err")" == 1 ]] || fail "'$args': error is not one line: $(cat "$tmp/err")"
done
grep -q 'line 2: unknown fault' <("$craton" sim --seed 1 --faults "$tmp/bad.faults" 2>&1) ||
  fail "fault file error does not name the line"

[[ $failures == 0 ]] && echo "sim_cli: all checks passed"
exit $((failures > 0))
