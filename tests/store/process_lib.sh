# Shared by the store's real-process tests (sourced, not run). The caller sets CRATON (the
# binary), WORK (its temp directory) and PIDS (an array of child pids) first. On exit every
# child is killed and WORK removed; fail prints the message and the tail of every log and
# output file, then exits 1. pick_ports COUNT sets BASE, the first of COUNT consecutive
# loopback ports for the replicas; wait_leader, start_writer/stop_writer and
# check_acked_present are the steps several tests share.

# Every process of these tests links with mutual TLS, as in production: a cluster CA in
# $WORK/pki with certificates for store-1 .. store-7 and admin (the tools' default), handed to
# every craton command through CRATON_CERTS (the --certs flag's environment variable).
make_pki() {
  "$CRATON" certs init --dir "$WORK/pki" >/dev/null || fail "certs init"
  local name
  for name in admin store-1 store-2 store-3 store-4 store-5 store-6 store-7; do
    "$CRATON" certs issue --dir "$WORK/pki" --name "$name" >/dev/null || fail "certs issue $name"
  done
  export CRATON_CERTS="$WORK/pki"
}

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

# Bases are PORT_STRIDE apart from PORT_LOW up to the kernel's ephemeral range. Below that
# range no outgoing connection (of this test or of any process) is handed one of our ports by
# the kernel; the old pid-derived bases reached 43,990, well inside 32768-60999.
PORT_LOW=20000
PORT_STRIDE=10
PORT_TRIES=50
PORT_LOCK_DIR=${TMPDIR:-/tmp}/craton-test-ports

# pick_ports COUNT: sets BASE so that BASE .. BASE+COUNT-1 are
#  - below the ephemeral range (ip_local_port_range);
#  - reserved for this script: an flock on $PORT_LOCK_DIR/BASE.lock, which scripts running
#    side by side (ctest -j2) respect. The lock's descriptor stays open in this shell and is
#    inherited by its children, so the kernel releases it when the last of them exits: no
#    stale reservation survives a SIGKILL of the script;
#  - free now: `ss` shows no TCP socket (any state, TIME-WAIT included) bound to any of them.
# Tries PORT_TRIES random bases, then fails the test with a clear message.
pick_ports() {  # count
  local count=$1 ephemeral_low slots base fd try
  [ "$count" -ge 1 ] && [ "$count" -le "$PORT_STRIDE" ] || fail "pick_ports: count $count"
  read -r ephemeral_low _ </proc/sys/net/ipv4/ip_local_port_range ||
    fail "pick_ports: cannot read ip_local_port_range"
  slots=$(((ephemeral_low - PORT_LOW) / PORT_STRIDE))
  [ "$slots" -ge 1 ] || fail "pick_ports: no ports below the ephemeral range ($ephemeral_low)"
  mkdir -p "$PORT_LOCK_DIR" || fail "pick_ports: cannot create $PORT_LOCK_DIR"
  for try in $(seq 1 "$PORT_TRIES"); do
    base=$((PORT_LOW + ((RANDOM * 32768 + RANDOM) % slots) * PORT_STRIDE))
    exec {fd}>>"$PORT_LOCK_DIR/$base.lock" || continue
    if flock -n "$fd" &&
      [ -z "$(ss -Htan "sport >= :$base and sport <= :$((base + count - 1))")" ]; then
      BASE=$base
      PORT_LOCK_FD=$fd
      return 0
    fi
    exec {fd}>&-
  done
  fail "pick_ports: no free base for $count ports in $PORT_TRIES tries"
}

# wait_leader ENDPOINTS: prints "ID TERM" of the member that reports itself leader, polling
# `craton store status` for at most 300 rounds (30 s and more); prints nothing and returns 1
# if none does. Callers: `read -r lead term < <(wait_leader "$PEERS") || fail ...`.
wait_leader() {  # endpoints
  local out
  for _ in $(seq 1 300); do
    out=$("$CRATON" store status --endpoints "$1" --timeout-ms 500 --json 2>/dev/null |
      python3 -c 'import json,sys
try:
  m=[x for x in json.load(sys.stdin) if x.get("role")=="leader"]
  print("%d %d" % (m[0]["id"], m[0]["term"]) if m else "")
except Exception: print("")')
    if [ -n "$out" ]; then echo "$out"; return 0; fi
    sleep 0.1
  done
  return 1
}

# start_writer ENDPOINTS: a background client puts key1, key2, ... (one craton process each, a
# 2 s timeout) and appends each acknowledged key to $WORK/acked; failures (unknown outcomes)
# are not recorded. It runs until stop_writer; WRITER is its pid.
start_writer() {  # endpoints
  : >"$WORK/acked"
  (
    for i in $(seq 1 100000); do
      if "$CRATON" kv put --endpoints "$1" --timeout-ms 2000 "key$i" "value$i" >/dev/null 2>&1; then
        echo "key$i" >>"$WORK/acked"
      fi
      [ -f "$WORK/stop" ] && break
    done
  ) &
  WRITER=$!
  PIDS+=($WRITER)
}

acked_count() { wc -l <"$WORK/acked"; }

# stop_writer: the writer stops after its current put (waited for 10 s at most, then killed).
stop_writer() {
  touch "$WORK/stop"
  for _ in $(seq 1 100); do kill -0 "$WRITER" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$WRITER" 2>/dev/null
}

# check_acked_present ENDPOINTS: fails the test unless every acknowledged key is in the store
# (one linearizable read of the prefix "key").
check_acked_present() {  # endpoints
  local got missing
  got=$("$CRATON" kv get --endpoints "$1" key --prefix --keys-only) || fail "final get"
  echo "$got" | sort >"$WORK/present"
  sort "$WORK/acked" >"$WORK/acked.sorted"
  missing=$(comm -23 "$WORK/acked.sorted" "$WORK/present" | wc -l)
  [ "$missing" = 0 ] || fail "$missing of $(acked_count) acknowledged writes missing"
}

make_pki

# shellcheck source=../lib/until_ok.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/until_ok.sh"
