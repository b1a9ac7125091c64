# Shared by the `craton research` shell tests (source it): a scratch folder $tmp removed on exit,
# fail() counting failures, and run WANT_EXIT ARGS... running `$craton research ARGS...` with
# stdout in $tmp/out and stderr in $tmp/err and failing when the exit code is not WANT_EXIT.
# The caller sets $craton first and ends with `finish NAME`.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

run() {
  local want="$1"; shift
  "$craton" research "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [[ $got == "$want" ]] || fail "craton research $* exited $got, want $want: $(cat "$tmp/err")"
}

finish() {
  [[ $failures == 0 ]] && echo "$1: all passed"
  exit $((failures > 0))
}
