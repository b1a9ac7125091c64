#!/usr/bin/env bash
# The scheduler in real processes, driven with kubectl: a `craton server` (store replica, API,
# controller manager, scheduler) and a second scheduler joined with `craton scheduler --join`.
# Exactly one of them holds the Lease kube-system/kube-scheduler and binds. Pods land where
# Kubernetes would put them: required node affinity picks the zone, required anti-affinity by
# hostname spreads two replicas over two nodes, a NoSchedule taint keeps pods without the
# toleration away, a pod of a higher PriorityClass preempts a lower one on a full node; a pod
# that fits nowhere shows kube's FailedScheduling Event in `kubectl describe pod` (each kubectl
# version present) and PodScheduled=False, `craton scheduler explain` says which plugin refused
# which node, and it is bound as soon as a node it fits on arrives. Nodes are API objects
# here (node agents come with issue 14): their allocatable is set with kubectl.
#
#   scheduler_kubectl_test.sh CRATON
set -u
CRATON=$1
WORK=$(mktemp -d /tmp/craton-scheduler.XXXXXX)
PIDS=()

# shellcheck source=../store/process_lib.sh
source "$(dirname "$0")/../store/process_lib.sh"
# shellcheck source=../api/kubectl_versions.sh
source "$(dirname "$0")/../api/kubectl_versions.sh"
command -v kubectl >/dev/null || { echo "SKIP: no kubectl"; exit 0; }
pick_ports 2
API="http://127.0.0.1:$((BASE + 1))"
"$CRATON" server --data "$WORK/d1" --listen "127.0.0.1:$BASE" --http "127.0.0.1:$((BASE + 1))" \
  --insecure-loopback >"$WORK/server.log" 2>&1 &
PIDS+=($!)
"$CRATON" scheduler --join "1=127.0.0.1:$BASE" --insecure-loopback >"$WORK/scheduler.log" 2>&1 &
PIDS+=($!)
"$CRATON" kubeconfig --server "$API" >"$WORK/kubeconfig" || fail kubeconfig
export KUBECONFIG=$WORK/kubeconfig

until_ok 20 kubectl get ns kube-system || fail "the API never came up"
until_ok 30 kubectl -n kube-system get lease kube-scheduler ||
  fail "no scheduler lease: $(tail -5 "$WORK/server.log" "$WORK/scheduler.log")"
holder=$(kubectl -n kube-system get lease kube-scheduler -o jsonpath='{.spec.holderIdentity}')
[[ $holder == store-1_* || $holder == scheduler@*_* ]] || fail "lease holder '$holder'"
echo "scheduler leader: $holder"

# node NAME ZONE CPU [TAINT]: a Node with a hostname and zone label, allocatable CPU, 8Gi, 110
# pods (status written as a kubelet would, through the status subresource).
node() {
  local name=$1 zone=$2 cpu=$3 taint=${4:-}
  local taints=""
  [ -n "$taint" ] && taints=", \"taints\": [{\"key\": \"$taint\", \"value\": \"true\", \"effect\": \"NoSchedule\"}]"
  kubectl apply -f - >/dev/null <<EOF_NODE || fail "node $name"
{"apiVersion": "v1", "kind": "Node",
 "metadata": {"name": "$name", "labels": {"kubernetes.io/hostname": "$name",
                                          "topology.kubernetes.io/zone": "$zone"}},
 "spec": {"unschedulable": false$taints}}
EOF_NODE
  kubectl patch node "$name" --subresource=status --type=merge -p \
    "{\"status\":{\"capacity\":{\"cpu\":\"$cpu\",\"memory\":\"8Gi\",\"pods\":\"110\"},\"allocatable\":{\"cpu\":\"$cpu\",\"memory\":\"8Gi\",\"pods\":\"110\"},\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}" \
    >/dev/null || fail "node $name status"
}

node_of() { kubectl get pod "$1" -o jsonpath='{.spec.nodeName}' 2>/dev/null; }
bound() { [ -n "$(node_of "$1")" ]; }
terminating() { [ -n "$(kubectl get pod "$1" -o jsonpath='{.metadata.deletionTimestamp}' 2>/dev/null)" ]; }

node n1 a 2
node n2 b 2
node n3 b 2 dedicated

# pod NAME CPU [EXTRA-SPEC-JSON]
pod() {
  local extra=${3:-}
  [ -n "$extra" ] && extra=", $extra"
  kubectl apply -f - >/dev/null <<EOF_POD || fail "pod $1"
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "$1", "labels": {"app": "$1"}},
 "spec": {"containers": [{"name": "c", "image": "app:1",
                          "resources": {"requests": {"cpu": "$2", "memory": "100Mi"}}}]$extra}}
EOF_POD
}

# Required node affinity: zone b, and the only untainted zone-b node is n2.
pod zoned 100m '"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["b"]}]}]}}}'
until_ok 20 bound zoned || fail "zoned never bound"
[ "$(node_of zoned)" = n2 ] || fail "zoned on $(node_of zoned), expected n2 (zone b, untainted)"

# A toleration opens n3: a pod that must be in zone b and away from the zoned pod goes there.
pod tolerant 100m '"tolerations": [{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}], "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["b"]}]}]}}, "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"labelSelector": {"matchLabels": {"app": "zoned"}}, "topologyKey": "kubernetes.io/hostname"}]}}'
until_ok 20 bound tolerant || fail "tolerant never bound"
[ "$(node_of tolerant)" = n3 ] || fail "tolerant on $(node_of tolerant), expected n3"

# Required anti-affinity by hostname: two replicas of "spread" never share a node, and neither
# can use the tainted n3.
for i in 1 2; do
  kubectl apply -f - >/dev/null <<EOF_SPREAD || fail "spread-$i"
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "spread-$i", "labels": {"app": "spread"}},
 "spec": {"containers": [{"name": "c", "image": "app:1", "resources": {"requests": {"cpu": "100m"}}}],
          "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": "spread"}}, "topologyKey": "kubernetes.io/hostname"}]}}}}
EOF_SPREAD
done
until_ok 20 bound spread-1 || fail "spread-1 never bound"
until_ok 20 bound spread-2 || fail "spread-2 never bound"
s1=$(node_of spread-1) s2=$(node_of spread-2)
[ "$s1" != "$s2" ] || fail "both spread pods on $s1"
[[ $s1 != n3 && $s2 != n3 ]] || fail "a spread pod on the tainted n3 ($s1, $s2)"

# A third replica has no node left: FailedScheduling, explained.
kubectl apply -f - >/dev/null <<'EOF_SPREAD3' || fail "spread-3"
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "spread-3", "labels": {"app": "spread"}},
 "spec": {"containers": [{"name": "c", "image": "app:1", "resources": {"requests": {"cpu": "100m"}}}],
          "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": "spread"}}, "topologyKey": "kubernetes.io/hostname"}]}}}}
EOF_SPREAD3
failed_event() {
  kubectl get events --field-selector involvedObject.name=spread-3,reason=FailedScheduling \
    -o jsonpath='{.items[0].message}' 2>/dev/null | grep -q "0/3 nodes are available"
}
until_ok 20 failed_event || fail "no FailedScheduling event for spread-3: $(kubectl get events 2>&1 | tail -5)"
msg=$(kubectl get events --field-selector involvedObject.name=spread-3,reason=FailedScheduling -o jsonpath='{.items[0].message}')
echo "spread-3: $msg"
[[ $msg == *"2 node(s) didn't match pod anti-affinity rules"* ]] || fail "message: $msg"
[[ $msg == *"1 node(s) had untolerated taint {dedicated: true}"* ]] || fail "message: $msg"
[ "$(kubectl get pod spread-3 -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].reason}')" = Unschedulable ] ||
  fail "spread-3 has no PodScheduled=False condition"

describe_shows() {  # K TAG MINOR: kubectl describe of that version shows the event
  local out
  out=$("$1" describe pod spread-3 2>&1) || fail "$1 describe pod: $out"
  [[ $out == *FailedScheduling*"0/3 nodes are available"* ]] ||
    fail "kubectl $3 describe pod spread-3 shows no FailedScheduling: $out"
  echo "kubectl 1.$3 describe pod: FailedScheduling shown"
}
for_each_kubectl describe_shows

out=$("$CRATON" scheduler explain default/spread-3 --server "$API" 2>&1) || fail "explain: $out"
echo "$out" | head -20
[[ $out == *InterPodAffinity* && $out == *TaintToleration* ]] || fail "explain: $out"

# A node it fits on arrives: it is bound there, at once.
node n4 c 2
until_ok 20 bound spread-3 || fail "spread-3 not bound after n4 arrived"
[ "$(node_of spread-3)" = n4 ] || fail "spread-3 on $(node_of spread-3), expected n4"

# Priorities: n4 is nearly full with a low-priority pod; a high-priority pod that fits only
# there (zone c) preempts it.
kubectl apply -f - >/dev/null <<'EOF_PC' || fail "priority classes"
{"apiVersion": "v1", "kind": "List", "items": [
 {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "low"}, "value": 10},
 {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "high"}, "value": 100000}]}
EOF_PC
zone_c='"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["c"]}]}]}}}'
pod low 1500m "\"priorityClassName\": \"low\", $zone_c"
until_ok 20 bound low || fail "low never bound"
pod high 1500m "\"priorityClassName\": \"high\", $zone_c"
# The victim is deleted gracefully (Terminating until its agent is done); no agent runs here,
# so it is finished as its agent would, with grace 0. Then high lands where low was.
until_ok 30 terminating low || fail "preemption did not delete low: $(kubectl get events 2>&1 | tail -5)"
bound high && fail "high bound while its victim low still terminates"
kubectl delete pod low --grace-period=0 --force --wait=false >/dev/null 2>&1
until_ok 30 bound high || fail "high never bound: $(kubectl get events 2>&1 | tail -5)"
[ "$(node_of high)" = n4 ] || fail "high on $(node_of high)"
kubectl get pod low >/dev/null 2>&1 && fail "the low-priority pod survived its preemption"
kubectl get events --field-selector involvedObject.name=low,reason=Preempted -o name | grep -q . ||
  fail "no Preempted event for low"

# Exactly one of the two schedulers bound every pod (the Scheduled Events name the instance).
binders=$(kubectl get events --field-selector reason=Scheduled \
  -o jsonpath='{range .items[*]}{.reportingInstance}{"\n"}{end}' | sort -u)
[ "$(echo "$binders" | wc -l)" = 1 ] || fail "several schedulers bound pods: $binders"
echo "bound by: $binders"
echo "OK"
