#!/usr/bin/env bash
# kubectl cordon / uncordon / drain against a `craton server`: cordon sets the node's
# spec.unschedulable and uncordon clears it; drain evicts the node's pods through
# pods/<name>/eviction, and the API refuses (429) the eviction that would break the
# PodDisruptionBudget selecting the pods, so drain does not finish. The budget's status is the
# disruption controller's (run by the server's controller manager). Runs once per kubectl
# version present (tests/api/kubectl_versions.sh: 1.32, 1.27, 1.20), each with its own node
# and its pods and budget in a namespace of its own, against the same server.
#
#   drain_kubectl_test.sh CRATON
set -u
CRATON=$1
WORK=$(mktemp -d /tmp/craton-drain.XXXXXX)
PIDS=()

# shellcheck source=../store/process_lib.sh
source "$(dirname "$0")/../store/process_lib.sh"
# shellcheck source=../api/kubectl_versions.sh
source "$(dirname "$0")/../api/kubectl_versions.sh"
command -v kubectl >/dev/null || { echo "SKIP: no kubectl"; exit 0; }
command -v curl >/dev/null || { echo "SKIP: no curl"; exit 0; }
pick_ports 2
"$CRATON" server --data "$WORK/d1" --listen "127.0.0.1:$BASE" --http "127.0.0.1:$((BASE + 1))" \
  --insecure-loopback >"$WORK/server.log" 2>&1 &
PIDS+=($!)
API="http://127.0.0.1:$((BASE + 1))"
"$CRATON" kubeconfig --server "$API" >"$WORK/kubeconfig" || fail kubeconfig
export KUBECONFIG=$WORK/kubeconfig
until_ok 20 kubectl get ns default || fail "the API never answered: $(tail -5 "$WORK/server.log")"

# One kubectl version: its node, and its pods and budget in its namespace (the namespace of
# its kubeconfig's context, so the commands are the ones a user types).
suite() {  # kubectl-binary namespace minor-version
  local k=$1 ns=$2 node=$2-n1 p started=$SECONDS
  "$k" create namespace "$ns" >/dev/null || fail "create namespace $ns"
  cp "$WORK/kubeconfig" "$WORK/kubeconfig-$ns"
  KUBECONFIG=$WORK/kubeconfig-$ns "$k" config set-context --current --namespace="$ns" >/dev/null ||
    fail "namespace $ns in the kubeconfig"
  export KUBECONFIG=$WORK/kubeconfig-$ns

  "$k" apply -f - <<YAML >/dev/null || fail "node"
apiVersion: v1
kind: Node
metadata:
  name: $node
YAML
  for p in a b; do
    "$k" apply -f - <<YAML >/dev/null || fail "pod $p"
apiVersion: v1
kind: Pod
metadata:
  name: $p
  labels: {app: web}
spec:
  nodeName: $node
  containers: [{name: c, image: nginx}]
YAML
    # Running and Ready, as a kubelet would say (a Pending pod needs no budget).
    "$k" get pod "$p" -o json |
      python3 -c 'import json,sys; p=json.load(sys.stdin); p["status"]={"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}; print(json.dumps(p))' \
        >"$WORK/$p.json"
    curl -sf -X PUT -H 'Content-Type: application/json' --data @"$WORK/$p.json" \
      "$API/api/v1/namespaces/$ns/pods/$p/status" >/dev/null || fail "status of $p"
  done
  "$k" apply -f - <<'YAML' >/dev/null || fail "pdb"
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
YAML
  # The disruption controller's status: 2 healthy, 1 needed, 1 disruption allowed.
  allowed() { [ "$("$k" get pdb web -o jsonpath='{.status.disruptionsAllowed}')" = 1 ]; }
  for _ in $(seq 1 100); do allowed && break; sleep 0.2; done
  allowed || fail "the disruption controller never allowed one disruption: $("$k" get pdb web -o yaml)"

  "$k" cordon "$node" || fail cordon
  [ "$("$k" get node "$node" -o jsonpath='{.spec.unschedulable}')" = true ] || fail "not unschedulable"
  "$k" drain "$node" --ignore-daemonsets --force --timeout=12s >"$WORK/drain-$ns.out" 2>&1 &&
    fail "drain finished although the budget allows one eviction: $(cat "$WORK/drain-$ns.out")"
  echo "--- $k drain:"
  cat "$WORK/drain-$ns.out"
  grep -q "Cannot evict pod as it would violate the pod's disruption budget" "$WORK/drain-$ns.out" ||
    fail "drain did not report the budget"
  local left
  left=$("$k" get pods -l app=web -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.metadata.deletionTimestamp}{"\n"}{end}')
  echo "--- pods after drain:"
  echo "$left"
  [ "$("$k" get pdb web -o jsonpath='{.status.disruptionsAllowed}')" = 0 ] ||
    fail "the eviction did not spend the budget"
  "$k" uncordon "$node" || fail uncordon
  [ -z "$("$k" get node "$node" -o jsonpath='{.spec.unschedulable}')" ] || fail "still unschedulable"

  export KUBECONFIG=$WORK/kubeconfig
  echo "kubectl 1.$3: $((SECONDS - started)) s"
}
for_each_kubectl suite
echo PASS
