# Shared by the store's real-process tests (sourced, not run). The caller sets WORK (its temp
# directory) and PIDS (an array of child pids) first. On exit every child is killed and WORK
# removed; fail prints the message and the tail of every log and output file, then exits 1.

cleanup() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for f in "$WORK"/*.log "$WORK"/*.out; do
    [ -f "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }
  done
  exit 1
}
