#!/usr/bin/env bash
# Keeps `craton bench pods` working (no timing is checked): 5 pods through the whole stack in
# one process with the fake driver, then with the Linux driver (root: a bridge, veths, cgroups
# and overlay mounts of its own, all removed by the bench and, if it failed, by the trap).
#
#   bench_pods_test.sh CRATON
set -u
CRATON=$1
WORK=$(mktemp -d /tmp/craton-bench-pods.XXXXXX)
BRIDGE=crbt$(printf '%x' $$ | tail -c 8)
CGROUP_ROOT=craton-bench-test-$$
CIDR=10.254.$(($$ % 200 + 20)).0/24
PIDS=()

# pick_ports: two ports reserved for this script below the ephemeral range (a pid-derived port
# once collided with another test's connection under ctest -j2: "Address already in use").
# shellcheck source=../store/process_lib.sh
source "$(dirname "$0")/../store/process_lib.sh"
# shellcheck source=pod_host_lib.sh
source "$(dirname "$0")/pod_host_lib.sh"
host_cleanup() {
  pod_host_cleanup "$WORK" "$BRIDGE" "$CGROUP_ROOT"
  rm -rf "$WORK"
}
trap host_cleanup EXIT

fail() { echo "FAIL: $*"; exit 1; }
pick_ports 2
PORT=$BASE

# Runs the bench with DRIVER and checks that every pod ran and nothing was left.
run_bench() {
  local driver=$1
  shift
  "$CRATON" bench pods --pods 5 --rate all --driver "$driver" --json --dir "$WORK" \
    --http 127.0.0.1:$PORT --listen 127.0.0.1:$((PORT + 1)) --bridge "$BRIDGE" \
    --pod-cidr "$CIDR" --cgroup-root "$CGROUP_ROOT" "$@" >"$WORK/$driver.json" \
    2>"$WORK/$driver.log" || { tail -30 "$WORK/$driver.log"; fail "bench pods --driver $driver"; }
  cat "$WORK/$driver.json"
  grep -q '"running":5' "$WORK/$driver.json" || fail "not every pod ran with $driver"
  grep -q '"problems":\[\]' "$WORK/$driver.json" || fail "problems with $driver"
  grep -q '"per_pod_ms":' "$WORK/$driver.json" || fail "no CPU cost per pod with $driver"
  # Each pod is written at least three times before it runs: created, bound, a status.
  grep -Eq '"writes_per_pod":([3-9]|[1-9][0-9])' "$WORK/$driver.json" ||
    fail "no count (or fewer than 3) of each pod's writes with $driver"
  [ -z "$(ls -A "$WORK" | grep craton-podstart)" ] || fail "the bench left its data directory"
}

run_bench fake

[ "$(id -u)" = 0 ] || { echo "SKIP: the Linux driver needs root"; exit 0; }
command -v skopeo >/dev/null || { echo "SKIP: no skopeo"; exit 0; }
"$(dirname "$0")/../images/build-busybox-image.sh" "$WORK/image" >/dev/null 2>&1 ||
  fail "build the busybox image"
run_bench linux --image-dir "$WORK/image/oci"
ip link show "$BRIDGE" >/dev/null 2>&1 && fail "the bench left its bridge"
for dir in /sys/fs/cgroup/*/"$CGROUP_ROOT"; do
  [ -d "$dir" ] && fail "the bench left cgroup $dir"
done
echo PASS
