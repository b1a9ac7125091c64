#!/usr/bin/env bash
# The node agent in real processes, seen through kubectl: a `craton server` and a
# `craton agent --join ... --driver fake`. The agent registers its Node Ready with this host's
# capacity (cores, MemTotal, pods 110) and allocatable after --system-reserved, its labels,
# podCIDR and InternalIP; it renews kube-node-lease/<node>; restarted after a SIGKILL it keeps
# what kubectl set on the Node (a label, a cordon); killed for good, the node lifecycle
# controller of the server marks the Node Unknown after its grace period (40 s).
#
#   node_agent_kubectl_test.sh CRATON
set -u
CRATON=$1
WORK=$(mktemp -d /tmp/craton-agent.XXXXXX)
PIDS=()

# shellcheck source=../store/process_lib.sh
source "$(dirname "$0")/../store/process_lib.sh"
command -v kubectl >/dev/null || { echo "SKIP: no kubectl"; exit 0; }
pick_ports 2
API="http://127.0.0.1:$((BASE + 1))"
"$CRATON" server --data "$WORK/d1" --listen "127.0.0.1:$BASE" --http "127.0.0.1:$((BASE + 1))" \
  --insecure-loopback >"$WORK/server.log" 2>&1 &
PIDS+=($!)
"$CRATON" kubeconfig --server "$API" >"$WORK/kubeconfig" || fail kubeconfig
export KUBECONFIG=$WORK/kubeconfig
until_ok 20 kubectl get ns kube-node-lease || fail "the API never came up"

start_agent() {  # LOG
  "$CRATON" agent --join "1=127.0.0.1:$BASE" --insecure-loopback --node-name agent-1 \
    --data "$WORK/agent" --driver fake --port 0 --labels example.com/rack=r1 \
    --system-reserved cpu=100m,memory=256Mi --pod-cidr 10.244.1.0/24 --node-ip 127.0.0.1 \
    >"$WORK/$1.log" 2>&1 &
  AGENT=$!
  PIDS+=($AGENT)
}

jp() { kubectl get node agent-1 -o jsonpath="$1" 2>/dev/null; }
ready() { [ "$(jp '{.status.conditions[?(@.type=="Ready")].status}')" = "$1" ]; }

# Bad flags are refused before anything starts.
"$CRATON" agent --join "1=127.0.0.1:$BASE" --node-name agent-1 --data "$WORK/x" \
  --labels node-role.kubernetes.io/master= >"$WORK/refused.out" 2>&1 && fail "a forbidden label was accepted"
grep -q "node-role.kubernetes.io/master" "$WORK/refused.out" || fail "no clear refusal: $(cat "$WORK/refused.out")"

start_agent agent
until_ok 30 ready True || fail "agent-1 never Ready: $(kubectl get nodes 2>&1)"
kubectl get nodes -o wide

# Capacity is this host's; allocatable holds back --system-reserved and the 100Mi threshold.
cores=$(nproc)
mem_kib=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
canonical_kib() {  # kube's canonical binary quantity of N KiB
  local k=$1
  if [ $((k % 1048576)) = 0 ]; then echo "$((k / 1048576))Gi"
  elif [ $((k % 1024)) = 0 ]; then echo "$((k / 1024))Mi"
  else echo "${k}Ki"; fi
}
[ "$(jp '{.status.capacity.cpu}')" = "$cores" ] || fail "capacity cpu $(jp '{.status.capacity.cpu}') != $cores"
[ "$(jp '{.status.capacity.memory}')" = "$(canonical_kib "$mem_kib")" ] ||
  fail "capacity memory $(jp '{.status.capacity.memory}') != $(canonical_kib "$mem_kib")"
[ "$(jp '{.status.capacity.pods}')" = 110 ] || fail "capacity pods"
[ "$(jp '{.status.allocatable.cpu}')" = "$((cores * 1000 - 100))m" ] ||
  fail "allocatable cpu $(jp '{.status.allocatable.cpu}')"
[ "$(jp '{.status.allocatable.memory}')" = "$(canonical_kib $((mem_kib - 262144 - 102400)))" ] ||
  fail "allocatable memory $(jp '{.status.allocatable.memory}')"
[ "$(jp '{.metadata.labels.kubernetes\.io/hostname}')" = agent-1 ] || fail "hostname label"
[ "$(jp '{.metadata.labels.kubernetes\.io/os}')" = linux ] || fail "os label"
[ "$(jp '{.metadata.labels.example\.com/rack}')" = r1 ] || fail "--labels"
[ "$(jp '{.spec.podCIDR}')" = 10.244.1.0/24 ] || fail "podCIDR"
[ "$(jp '{.status.addresses[?(@.type=="InternalIP")].address}')" = 127.0.0.1 ] || fail "InternalIP"
[[ "$(jp '{.status.nodeInfo.containerRuntimeVersion}')" == craton://* ]] || fail "runtime version"

# The Lease: held by the node, renewed every 10 s.
lease() { kubectl -n kube-node-lease get lease agent-1 -o jsonpath="$1" 2>/dev/null; }
until_ok 20 lease '{.spec.holderIdentity}' || fail "no lease"
[ "$(lease '{.spec.holderIdentity}')" = agent-1 ] || fail "lease holder $(lease '{.spec.holderIdentity}')"
first=$(lease '{.spec.renewTime}')
renewed() { [ "$(lease '{.spec.renewTime}')" != "$first" ]; }
until_ok 30 renewed || fail "the lease was not renewed"

# What kubectl sets survives the agent's restart (a SIGKILL).
kubectl label node agent-1 example.com/team=a >/dev/null || fail "kubectl label"
kubectl cordon agent-1 >/dev/null || fail "kubectl cordon"
kill -9 "$AGENT"
start_agent agent-again
until_ok 30 grep -q "registered node agent-1" "$WORK/agent-again.log" || fail "no re-registration"
sleep 2
[ "$(jp '{.metadata.labels.example\.com/team}')" = a ] || fail "the restart lost kubectl's label"
[ "$(jp '{.spec.unschedulable}')" = true ] || fail "the restart uncordoned the node"
ready True || fail "not Ready after the restart"

# Killed for good: the node lifecycle controller marks it Unknown after the grace period.
kill -9 "$AGENT"
until_ok 120 ready Unknown || fail "agent-1 still $(jp '{.status.conditions[?(@.type=="Ready")].status}') after the agent died"
kubectl get nodes
echo "OK"
