# until_ok, the one polling helper of the shell tests (sourced, not run): the store's process
# tests (tests/store/process_lib.sh, sourced by most kubectl tests) and tests/ci/multihost_test.sh.
# It counts rounds rather than reading a clock, so a slow command (kubectl on a loaded machine)
# stretches the wait instead of cutting the number of tries: deadlines only grow under load.

until_ok() {  # SECONDS COMMAND...: runs it (quietly) every 0.2 s until it succeeds; 1 if never
  local seconds=$1
  shift
  for _ in $(seq 1 $((seconds * 5))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}
