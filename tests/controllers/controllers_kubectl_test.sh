#!/usr/bin/env bash
# The controller manager in real processes, driven with kubectl: a `craton server` (store
# replica, API, controller manager) and a second manager joined with `craton controller-manager
# --join`. Exactly one of them holds the leader Lease (kube-system/craton-controller-manager)
# and acts. A ReplicaSet applied with kubectl gets its pods (owned by it, named by
# generateName), follows `kubectl scale` up and down with no duplicate pod, releases a pod
# relabelled out of its selector and replaces it, adopts an orphan that matches, and reports
# status (replicas, fullyLabeledReplicas, observedGeneration) that `kubectl get rs` prints;
# `kubectl delete` cascades as kubectl's --cascade asks (garbage collector); a Deployment
# rolls out (`rollout status|history|undo|pause|resume`, `scale`, `set image`) with a fake
# kubelet marking pods ready; a Job completes (`kubectl wait`); a Service gets its Endpoints
# (`kubectl expose`); a DaemonSet puts one pod on each node. The workload part runs once per
# kubectl version present (tests/api/kubectl_versions.sh: 1.32, 1.27, 1.20), each in a
# namespace of its own against the same server.
#
#   controllers_kubectl_test.sh CRATON
set -u
CRATON=$1
WORK=$(mktemp -d /tmp/craton-controllers.XXXXXX)
PIDS=()

# shellcheck source=../store/process_lib.sh
source "$(dirname "$0")/../store/process_lib.sh"
# shellcheck source=../api/kubectl_versions.sh
source "$(dirname "$0")/../api/kubectl_versions.sh"
command -v kubectl >/dev/null || { echo "SKIP: no kubectl"; exit 0; }
pick_ports 2
"$CRATON" server --data "$WORK/d1" --listen "127.0.0.1:$BASE" --http "127.0.0.1:$((BASE + 1))" \
  --insecure-loopback >"$WORK/server.log" 2>&1 &
PIDS+=($!)
"$CRATON" controller-manager --join "1=127.0.0.1:$BASE" --insecure-loopback \
  >"$WORK/manager.log" 2>&1 &
PIDS+=($!)
"$CRATON" kubeconfig --server "http://127.0.0.1:$((BASE + 1))" >"$WORK/kubeconfig" || fail kubeconfig
export KUBECONFIG=$WORK/kubeconfig

pods_of() {  # the number of pods with app=$1 in the namespace of the version under test
  "$K" get pods -l "app=$1" --no-headers 2>/dev/null | wc -l
}
has_pods() { [ "$(pods_of "$1")" = "$2" ]; }

until_ok 20 kubectl get ns kube-node-lease || fail "the default namespaces never appeared"

# One leader, one lease.
until_ok 20 kubectl -n kube-system get lease craton-controller-manager ||
  fail "no leader lease: $(tail -5 "$WORK/server.log" "$WORK/manager.log")"
holder=$(kubectl -n kube-system get lease craton-controller-manager -o jsonpath='{.spec.holderIdentity}')
[[ $holder == store-1_* || $holder == controller-manager@*_* ]] || fail "lease holder '$holder'"
echo "leader: $holder"

# A fake kubelet marks every pod Running and Ready and finishes pods deleted gracefully, in
# every namespace (no node agent runs here), from a suite's Deployments on (its ReplicaSet
# part has no kubelet). It is the kubectl on PATH whatever version is under test:
# --subresource needs 1.24.
fake_kubelet() {
  local p now
  while true; do
    # A Job's pods run to completion at once.
    for p in $(kubectl get pods -A -l job-name -o jsonpath='{range .items[?(@.status.phase!="Succeeded")]}{.metadata.namespace}{"/"}{.metadata.name}{" "}{end}' 2>/dev/null); do
      kubectl patch pod -n "${p%%/*}" "${p#*/}" --subresource=status --type=merge \
        -p '{"status":{"phase":"Succeeded"}}' >/dev/null 2>&1
    done
    for p in $(kubectl get pods -A -l '!job-name' -o jsonpath='{range .items[?(@.status.phase!="Running")]}{.metadata.namespace}{"/"}{.metadata.name}{" "}{end}' 2>/dev/null); do
      now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
      kubectl patch pod -n "${p%%/*}" "${p#*/}" --subresource=status --type=merge -p \
        "{\"status\":{\"phase\":\"Running\",\"podIP\":\"10.244.$((RANDOM % 250)).$((RANDOM % 250 + 2))\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":\"$now\"}]}}" \
        >/dev/null 2>&1
    done
    # A pod deleted gracefully (bound by the scheduler, so Terminating until its agent is done)
    # is finished as an agent would once its processes are gone: deleted with grace 0.
    for p in $(kubectl get pods -A -o jsonpath='{range .items[?(@.metadata.deletionTimestamp)]}{.metadata.namespace}{"/"}{.metadata.name}{" "}{end}' 2>/dev/null); do
      kubectl delete pod -n "${p%%/*}" "${p#*/}" --grace-period=0 --force --wait=false >/dev/null 2>&1
    done
    sleep 0.3
  done
}

expect_out() {  # WANT COMMAND...: the command succeeds and prints WANT
  local want=$1 out
  shift
  out=$("$@" 2>&1) || fail "$* failed: $out"
  [[ $out == *"$want"* ]] || fail "$* printed '$out', expected '$want'"
}

# The workloads, driven by one kubectl version in its own namespace (the namespace of its
# kubeconfig's context, so every command below is the one a user types). Cluster-scoped
# objects (the DaemonSet's nodes) carry the namespace in their names.
suite() {  # kubectl-binary namespace minor-version
  K=$1 NS=$2
  "$K" create namespace "$NS" >/dev/null || fail "create namespace $NS"
  cp "$WORK/kubeconfig" "$WORK/kubeconfig-$NS"
  KUBECONFIG=$WORK/kubeconfig-$NS "$K" config set-context --current --namespace="$NS" >/dev/null ||
    fail "namespace $NS in the kubeconfig"
  export KUBECONFIG=$WORK/kubeconfig-$NS
  local started=$SECONDS

  cat >"$WORK/rs.yaml" <<'YAML'
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web, tier: front}
    spec:
      containers:
      - name: c
        image: nginx
YAML
  "$K" apply -f "$WORK/rs.yaml" >/dev/null || fail "apply"
  until_ok 20 has_pods web 3 || fail "3 pods expected, $(pods_of web) seen"
  uid=$("$K" get rs web -o jsonpath='{.metadata.uid}')
  owners=$("$K" get pods -l app=web -o jsonpath='{range .items[*]}{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}/{.metadata.ownerReferences[0].uid}/{.metadata.ownerReferences[0].controller} {end}')
  [ "$owners" = "$(printf 'ReplicaSet/web/%s/true ' "$uid" "$uid" "$uid")" ] || fail "owners: $owners"
  for name in $("$K" get pods -l app=web -o name); do
    [[ $name == pod/web-????? ]] || fail "pod name $name (generateName web-)"
  done
  status() { "$K" get rs web -o jsonpath='{.status.replicas}/{.status.fullyLabeledReplicas}/{.status.observedGeneration}'; }
  rs_status_is() { [ "$(status)" = "$1" ]; }
  until_ok 10 rs_status_is 3/3/1 || fail "status $(status), expected 3/3/1"
  [[ $("$K" get rs web --no-headers) =~ ^web\ +3\ +3\ +0 ]] || fail "get rs: $("$K" get rs web)"

  # Scale up and down; the newest pods go first on the way down (timestamps are whole seconds:
  # the first three are older than the next four).
  first=$("$K" get pods -l app=web -o name)
  sleep 1.1
  "$K" scale rs web --replicas=7 >/dev/null || fail "scale up"
  until_ok 20 has_pods web 7 || fail "7 pods expected, $(pods_of web) seen"
  "$K" scale rs web --replicas=1 >/dev/null || fail "scale down"
  until_ok 20 has_pods web 1 || fail "1 pod expected, $(pods_of web) seen"
  sleep 1
  has_pods web 1 || fail "after settling: $(pods_of web) pods, expected 1 (a duplicate creation?)"
  oldest=$("$K" get pods -l app=web -o name)
  [[ $first == *"$oldest"* ]] || fail "scale-down kept $oldest, not one of the first: $first"

  # Release: a pod relabelled out of the selector loses its owner and is replaced.
  kept=${oldest#pod/}
  "$K" label pod "$kept" app=moved --overwrite >/dev/null || fail "label"
  until_ok 20 has_pods web 1 || fail "no replacement for the released pod"
  released() { [ -z "$("$K" get pod "$kept" -o jsonpath='{.metadata.ownerReferences}')" ]; }
  until_ok 10 released || fail "the relabelled pod still has an owner"
  # Adoption: it comes back into the selector; the ReplicaSet adopts it and deletes one.
  "$K" label pod "$kept" app=web --overwrite >/dev/null || fail "label back"
  adopted() {
    [ "$("$K" get pod "$kept" -o jsonpath='{.metadata.ownerReferences[0].uid}')" = "$uid" ]
  }
  until_ok 20 adopted || fail "the orphan was not adopted"
  until_ok 20 has_pods web 1 || fail "after adoption: $(pods_of web) pods, expected 1"
  until_ok 10 rs_status_is 1/1/3 || fail "status $(status), expected 1/1/3"

  # Deletion, as kubectl asks for it: background (the default: the garbage collector deletes the
  # pods after the ReplicaSet), orphan (the pods stay, without their owner), foreground (the
  # pods go first, then the ReplicaSet).
  "$K" delete rs web >/dev/null || fail "delete"
  until_ok 20 has_pods web 0 || fail "background deletion left $(pods_of web) pods"
  "$K" apply -f "$WORK/rs.yaml" >/dev/null || fail "apply again"
  until_ok 20 has_pods web 3 || fail "3 pods expected again, $(pods_of web) seen"
  "$K" delete rs web --cascade=orphan >/dev/null || fail "delete --cascade=orphan"
  no_rs() { ! "$K" get rs web >/dev/null 2>&1; }
  until_ok 20 no_rs || fail "the orphaning deletion never finished"
  sleep 1
  has_pods web 3 || fail "orphaning deletion: $(pods_of web) pods left, expected 3"
  refs=$("$K" get pods -l app=web -o jsonpath='{.items[*].metadata.ownerReferences}')
  [ -z "$refs" ] || fail "orphans still name an owner: $refs"
  "$K" delete pods -l app=web >/dev/null || fail "delete pods"
  "$K" apply -f "$WORK/rs.yaml" >/dev/null || fail "apply a third time"
  until_ok 20 has_pods web 3 || fail "3 pods expected a third time, $(pods_of web) seen"
  "$K" delete rs web --cascade=foreground --timeout=20s >/dev/null || fail "delete --cascade=foreground"
  has_pods web 0 || fail "foreground deletion returned with $(pods_of web) pods left"

  cat >"$WORK/deploy.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  replicas: 3
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      containers:
      - name: c
        image: nginx:1.0
YAML
  fake_kubelet &
  local kubelet=$!
  PIDS+=("$kubelet")
  "$K" apply -f "$WORK/deploy.yaml" >/dev/null || fail "apply deployment"
  expect_out "successfully rolled out" "$K" rollout status deploy/app --timeout=60s
  rs1=$("$K" get rs -l app=app -o name)
  [[ $rs1 =~ ^replicaset.apps/app-[a-z0-9]+$ ]] || fail "the first ReplicaSet: '$rs1'"
  "$K" set image deploy/app c=nginx:2.0 >/dev/null || fail "set image"
  expect_out "successfully rolled out" "$K" rollout status deploy/app --timeout=60s
  history=$("$K" rollout history deploy/app)
  [[ $history == *$'\n1 '*$'\n2 '* ]] || fail "rollout history: $history"
  has_pods app 3 || fail "after the rollout: $(pods_of app) pods"
  image() { "$K" get deploy app -o jsonpath='{.spec.template.spec.containers[0].image}'; }
  "$K" rollout undo deploy/app >/dev/null || fail "rollout undo"
  expect_out "successfully rolled out" "$K" rollout status deploy/app --timeout=60s
  [ "$(image)" = "nginx:1.0" ] || fail "undo left image $(image)"
  [ "$("$K" get rs -l app=app -o name | wc -l)" = 2 ] || fail "undo made a new ReplicaSet: $("$K" get rs)"
  [ "$("$K" get "$rs1" -o jsonpath='{.spec.replicas}')" = 3 ] || fail "undo did not reuse $rs1"
  [ "$("$K" get "$rs1" -o jsonpath='{.metadata.annotations.deployment\.kubernetes\.io/revision}')" = 3 ] ||
    fail "the reused ReplicaSet is not revision 3"
  "$K" rollout pause deploy/app >/dev/null || fail "pause"
  "$K" set image deploy/app c=nginx:3.0 >/dev/null || fail "set image while paused"
  sleep 1
  [ "$("$K" get rs -l app=app -o name | wc -l)" = 2 ] || fail "a paused rollout progressed"
  "$K" rollout resume deploy/app >/dev/null || fail "resume"
  expect_out "successfully rolled out" "$K" rollout status deploy/app --timeout=60s
  "$K" scale deploy/app --replicas=5 >/dev/null || fail "scale deployment"
  expect_out "successfully rolled out" "$K" rollout status deploy/app --timeout=60s
  until_ok 20 has_pods app 5 || fail "after scaling the deployment: $(pods_of app) pods"
  # The controllers' Events, as `kubectl describe` lists them.
  expect_out "Scaled up replica set app-" "$K" describe deploy app
  expect_out "Created pod: app-" "$K" describe rs -l app=app
  expect_out "SuccessfulCreate" "$K" get events
  [[ $("$K" get deploy app --no-headers) =~ ^app\ +5/5\ +5\ +5 ]] || fail "get deploy: $("$K" get deploy app)"
  # A Service over the Deployment's pods gets their addresses as Endpoints.
  "$K" expose deploy app --port 80 >/dev/null || fail "expose"
  endpoints() { "$K" get endpoints app -o jsonpath='{.subsets[*].addresses[*].ip}' 2>/dev/null | wc -w; }
  five_endpoints() { [ "$(endpoints)" = 5 ]; }
  until_ok 20 five_endpoints || fail "endpoints of svc/app: $("$K" get endpoints app -o yaml)"
  "$K" delete svc app >/dev/null || fail "delete svc"
  no_endpoints() { ! "$K" get endpoints app >/dev/null 2>&1; }
  until_ok 20 no_endpoints || fail "the endpoints outlived their service"
  "$K" delete deploy app >/dev/null || fail "delete deployment"
  no_app_rs() { [ -z "$("$K" get rs -l app=app -o name 2>/dev/null)" ]; }
  until_ok 20 no_app_rs || fail "the deployment's ReplicaSets outlived it"
  until_ok 20 has_pods app 0 || fail "the deployment's pods outlived it"

  # A Job runs its pods to completion (the fake kubelet makes them succeed); `kubectl wait`
  # sees it Complete.
  "$K" create job batch --image=busybox -- true >/dev/null || fail "create job"
  expect_out "condition met" "$K" wait --for=condition=complete job/batch --timeout=60s
  [ "$("$K" get job batch -o jsonpath='{.status.succeeded}')" -ge 1 ] || fail "job status"
  "$K" delete job batch >/dev/null || fail "delete job"

  # A DaemonSet: one pod per node, pinned by node affinity; a node that goes gets its pod deleted.
  for n in "$NS-a" "$NS-b"; do
    "$K" apply -f - >/dev/null <<YAML || fail "node $n"
apiVersion: v1
kind: Node
metadata:
  name: $n
  labels: {kubernetes.io/hostname: $n}
YAML
  done
  cat >"$WORK/ds.yaml" <<'YAML'
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: c
        image: busybox
YAML
  "$K" apply -f "$WORK/ds.yaml" >/dev/null || fail "apply daemonset"
  until_ok 20 has_pods agent 2 || fail "2 daemon pods expected, $(pods_of agent) seen"
  targets=$("$K" get pods -l app=agent -o jsonpath='{range .items[*]}{.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0]}{" "}{end}')
  [[ $targets == *"$NS-a"* && $targets == *"$NS-b"* ]] || fail "daemon pods pinned to: $targets"
  ds_ready() { [ "$("$K" get ds agent -o jsonpath='{.status.numberReady}')" = 2 ]; }
  until_ok 20 ds_ready || fail "daemonset status: $("$K" get ds agent -o jsonpath='{.status}')"
  "$K" delete node "$NS-b" >/dev/null || fail "delete node"
  until_ok 20 has_pods agent 1 || fail "the deleted node's daemon pod stayed"
  "$K" delete ds agent >/dev/null || fail "delete daemonset"
  until_ok 20 has_pods agent 0 || fail "the daemonset's pods outlived it"
  # The next version's DaemonSet is to see its own nodes only.
  "$K" delete node "$NS-a" >/dev/null || fail "delete node $NS-a"

  kill "$kubelet"
  wait "$kubelet" 2>/dev/null
  export KUBECONFIG=$WORK/kubeconfig
  echo "kubectl 1.$3: $((SECONDS - started)) s"
}
for_each_kubectl suite

# The API server's own Endpoints (a Service without a selector) is left alone.
kubectl get endpoints kubernetes >/dev/null || fail "the kubernetes Endpoints went"

# Only the leader acted: every call of the other one would be in its log as acting.
leaders=$(grep -l "actor=controller-manager msg=\"leading: acts\"" "$WORK/server.log" "$WORK/manager.log" | wc -l)
[ "$leaders" = 1 ] || fail "$leaders processes say they lead"
echo "PASS"
