#!/usr/bin/env bash
# `craton up` with a busybox Deployment of many replicas (issue 14: "craton up with a 100-pod
# Deployment"): the time from `kubectl apply` until every replica is Running, as a user of
# `craton up` sees it. The cluster runs in a network namespace of its own (so its 127.0.0.1:6443
# and its craton0 bridge are not the host's, where another `craton up` may be running), with a
# cgroup root and a data directory of its own. Each replica is `sleep 3600` in busybox:craton
# (built from Debian's busybox-static, no download), no resource requests (2 cores could not
# hold 100 of hello-web's 50m), grace period 0.
#
# Measured by polling kubectl once a second (so each figure is up to ~1 s late), printed at the
# end: seconds from apply to the first, half and all replicas Running, and the CPU the craton
# process used meanwhile (utime+stime from /proc; the pods' shims and containers are not in
# it). Then the Deployment is deleted, the run waits until the agent has removed every pod,
# and stops the cluster.
#
# Cleanup (trap, also on failure): the cluster's processes and every process in its cgroups
# are killed, its mounts, cgroups and namespace removed with its data. Needs root.
#
#   up_deployment.sh CRATON [REPLICAS=100]
set -u
CRATON=$1
REPLICAS=${2:-100}
SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/craton-upbench.XXXXXX)
NS=crtn-upbench-$$
CGROUP_ROOT=craton-upbench-$$
UP=""

[ "$(id -u)" = 0 ] || { echo "needs root"; rm -rf "$WORK"; exit 2; }
command -v kubectl >/dev/null || { echo "needs kubectl"; rm -rf "$WORK"; exit 2; }

kc() { ip netns exec "$NS" kubectl --kubeconfig "$WORK/data/kubeconfig" --request-timeout=20s "$@"; }
now() { date +%s.%N; }
since() { echo "$(now) $1" | awk '{printf "%.1f", $1 - $2}'; }
cpu_ms() {  # PID: utime + stime in ms
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) * 1000 / hz}' "/proc/$1/stat" 2>/dev/null
}
our_cgroups() { find /sys/fs/cgroup/*/"$CGROUP_ROOT" /sys/fs/cgroup/"$CGROUP_ROOT" -maxdepth 0 -type d 2>/dev/null; }
cleanup() {
  local status=$? dir
  trap - EXIT
  [ -n "$UP" ] && kill -9 "$UP" 2>/dev/null
  for _ in 1 2 3; do
    for dir in $(our_cgroups); do
      find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -9 2>/dev/null
    done
    sleep 0.5
    grep -F " $WORK" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
    for dir in $(our_cgroups); do find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null; done
    [ -z "$(our_cgroups)" ] && break
  done
  ip netns del "$NS" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() {
  echo "FAIL: $*" >&2
  [ -f "$WORK/up.log" ] && tail -20 "$WORK/up.log" >&2
  exit 1
}

ip netns add "$NS" || fail "netns $NS"
ip -n "$NS" link set lo up || fail "lo up in $NS"
"$SRC/tests/images/build-busybox-image.sh" "$WORK/image" >"$WORK/image.log" 2>&1 || fail "image build"
"$CRATON" image import "$WORK/image/oci" --root "$WORK/data/agent/images" >>"$WORK/image.log" 2>&1 ||
  fail "image import: $(tail -3 "$WORK/image.log")"
# Only the network namespace changes (`ip netns exec` would also remount /sys, hiding the
# cgroup hierarchies from the agent).
nsenter --net="/run/netns/$NS" "$CRATON" up --data "$WORK/data" --cgroup-root "$CGROUP_ROOT" \
  --port 0 >"$WORK/up.log" 2>&1 &
UP=$!
node_ready() { [ "$(kc get nodes -o jsonpath='{.items[0].status.conditions[?(@.type=="Ready")].status}')" = True ]; }
for _ in $(seq 1 120); do node_ready 2>/dev/null && break; sleep 1; done
node_ready || fail "the node never got Ready"

cat >"$WORK/deployment.yaml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: upbench, labels: {app: upbench}}
spec:
  replicas: $REPLICAS
  selector: {matchLabels: {app: upbench}}
  template:
    metadata: {labels: {app: upbench}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
        - {name: main, image: "busybox:craton", command: [sleep, "3600"]}
EOF
phases() {  # one line per pod of the Deployment: "NAME PHASE"
  kc get pods -l app=upbench -o jsonpath='{range .items[*]}{.metadata.name} {.status.phase}{"\n"}{end}' 2>/dev/null
}
running() { phases | grep -c ' Running$'; }
CPU0=$(cpu_ms "$UP")
T0=$(now)
kc apply -f "$WORK/deployment.yaml" >"$WORK/apply.out" 2>&1 || fail "apply: $(cat "$WORK/apply.out")"
FIRST="" HALF="" ALL="" CREATED=""
for _ in $(seq 1 600); do
  p=$(phases)
  n=$(echo "$p" | grep -c ' Running$')
  [ -z "$CREATED" ] && [ "$(echo "$p" | grep -c .)" -ge "$REPLICAS" ] && CREATED=$(since "$T0")
  [ -z "$FIRST" ] && [ "${n:-0}" -ge 1 ] && FIRST=$(since "$T0")
  [ -z "$HALF" ] && [ "${n:-0}" -ge $((REPLICAS / 2)) ] && HALF=$(since "$T0")
  if [ "${n:-0}" -ge "$REPLICAS" ]; then ALL=$(since "$T0"); break; fi
  sleep 1
done
CPU1=$(cpu_ms "$UP")
[ -n "$ALL" ] || fail "only $(running) of $REPLICAS Running after 600 polls"
echo "craton up, Deployment of $REPLICAS busybox replicas: first Running after ${FIRST} s, half after ${HALF} s, all after ${ALL} s (polled each second; all $REPLICAS pods existed after ${CREATED:-?} s)"
echo "  craton process CPU meanwhile: $(echo "$CPU0 $CPU1 $REPLICAS" | awk '{printf "%.0f ms, %.1f ms per pod", $2 - $1, ($2 - $1) / $3}')"
echo "  load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

T1=$(now)
kc delete deployment upbench --wait=false >/dev/null 2>&1 || fail "delete"
for _ in $(seq 1 300); do
  [ -z "$(kc get pods -l app=upbench -o name 2>/dev/null)" ] &&
    [ -z "$(ls "$WORK/data/agent/pods/pods" 2>/dev/null)" ] && break
  sleep 1
done
[ -z "$(ls "$WORK/data/agent/pods/pods" 2>/dev/null)" ] || fail "pods left on the host after the delete"
echo "  deleted: every pod gone from the API and the host after $(since "$T1") s"
kill -TERM "$UP"
wait "$UP" 2>/dev/null
UP=""
