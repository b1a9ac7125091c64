#!/usr/bin/env bash
# kubectl, unchanged, against a real `craton server` (a store replica over mutual TLS and the
# API server in one process), with every kubectl version this machine has: the one on PATH
# (1.32 here), the side-by-side 1.27 next to it, and Debian's kubernetes-client 1.20, unpacked
# by .ci/install-deps into /opt/craton/kubectl-1.20 (or on PATH on a bare Debian machine).
# kubectl 1.28 and newer read /openapi/v3, older ones /openapi/v2 in gnostic's protobuf form.
# For each version, in a namespace of its own, with kubectl's validation on:
# apply of a multi-document YAML of every served kind (the workload kinds in a second one),
# get as table / -o yaml|json|wide / -l /
# --field-selector, -w printing a change, describe, edit via KUBE_EDITOR, patch (merge and
# JSON), label, annotate, explain, api-resources, the errors kubectl prints for what it can
# provoke (an unknown field: refused by the server for 1.27 and newer, which ask for strict
# field validation, and by kubectl's own validator for 1.20), and delete (a namespace takes its
# contents with it), kubectl create's generators (protobuf bodies from 1.32); YAML bodies by curl.
#
#   server_kubectl_test.sh CRATON
set -u
CRATON=$1
WORK=$(mktemp -d /tmp/craton-kubectl.XXXXXX)
PIDS=()

# shellcheck source=../store/process_lib.sh
source "$(dirname "$0")/../store/process_lib.sh"
# shellcheck source=kubectl_versions.sh
source "$(dirname "$0")/kubectl_versions.sh"
command -v kubectl >/dev/null || { echo "SKIP: no kubectl"; exit 0; }
pick_ports 2
"$CRATON" server --data "$WORK/d1" --listen "127.0.0.1:$BASE" --http "127.0.0.1:$((BASE + 1))" \
  >"$WORK/server.log" 2>&1 &
PIDS+=($!)
"$CRATON" kubeconfig --server "http://127.0.0.1:$((BASE + 1))" >"$WORK/kubeconfig" || fail kubeconfig
export KUBECONFIG=$WORK/kubeconfig

# The default namespaces appear once the replica leads and the API has listed the store.
for _ in $(seq 1 100); do
  kubectl get ns kube-node-lease >/dev/null 2>&1 && break
  sleep 0.1
done
kubectl get ns kube-node-lease >/dev/null 2>&1 || fail "the default namespaces never appeared"
[ "$(kubectl get --raw /readyz)" = "ok" ] || fail "/readyz is not ok once the caches are filled"

# expect OUTPUT_SUBSTRING COMMAND...: runs it (stdout and stderr together) and checks.
expect() {
  local want=$1
  shift
  local out
  out=$("$@" 2>&1)
  [[ "$out" == *"$want"* ]] || fail "$* printed '$out', expected '$want'"
}

suite() {  # kubectl-binary namespace minor-version
  local k=$1 ns=$2 minor=$3
  expect "NAME" "$k" get ns
  [[ $("$k" get ns default --no-headers) =~ ^default\ +Active ]] || fail "$k get ns default"
  cat >"$WORK/all-$ns.yaml" <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: $ns
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: game
  namespace: $ns
  labels: {app: web}
data:
  a: "1"
  b: "2"
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: $ns
stringData:
  password: hunter2
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: robot
  namespace: $ns
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: leader
  namespace: $ns
spec:
  holderIdentity: node-1
  leaseDurationSeconds: 15
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: high-$ns
value: 1000
description: for the tests
YAML
  local out
  out=$("$k" apply -f "$WORK/all-$ns.yaml" 2>&1) || fail "$k apply: $out"
  for created in "namespace/$ns created" "configmap/game created" "secret/creds created" \
    "serviceaccount/robot created" "lease.coordination.k8s.io/leader created" \
    "priorityclass.scheduling.k8s.io/high-$ns created"; do
    [[ "$out" == *"$created"* ]] || fail "$k apply printed '$out', missing '$created'"
  done
  expect "configmap/game unchanged" "$k" apply -f "$WORK/all-$ns.yaml"

  # Tables with kube-apiserver's columns.
  out=$("$k" get cm -n "$ns")
  [[ "$(head -1 <<<"$out")" =~ ^NAME\ +DATA\ +AGE$ ]] || fail "configmap columns: $out"
  [[ "$out" =~ game\ +2\  ]] || fail "configmap row: $out"
  [[ "$("$k" get secret creds -n "$ns" | head -1)" =~ ^NAME\ +TYPE\ +DATA\ +AGE$ ]] ||
    fail "secret columns"
  expect "node-1" "$k" get lease leader -n "$ns"
  [[ "$("$k" get priorityclass "high-$ns" -o wide | head -1)" =~ PREEMPTIONPOLICY ]] ||
    fail "-o wide shows no PREEMPTIONPOLICY"
  # -o json and -o yaml are the objects, with the store's revision as resourceVersion.
  "$k" get secret creds -n "$ns" -o json >"$WORK/secret.json" || fail "get -o json"
  python3 - "$WORK/secret.json" <<'PY' || fail "secret as JSON"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["data"] == {"password": "aHVudGVyMg=="}, s
assert s["type"] == "Opaque" and int(s["metadata"]["resourceVersion"]) > 0, s
assert "stringData" not in s, s
PY
  expect "resourceVersion:" "$k" get cm game -n "$ns" -o yaml

  # The workload kinds: apply, kube's columns, defaults read back with jsonpath.
  cat >"$WORK/workloads-$ns.yaml" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
  namespace: $ns
spec:
  replicas: 3
  selector:
    matchLabels: {app: nginx}
  template:
    metadata:
      labels: {app: nginx}
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
  namespace: $ns
spec:
  replicas: 2
  selector:
    matchLabels: {tier: frontend}
  template:
    metadata:
      labels: {tier: frontend}
    spec:
      containers:
      - name: php-redis
        image: us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: fluentd
  namespace: $ns
spec:
  selector:
    matchLabels: {name: fluentd}
  template:
    metadata:
      labels: {name: fluentd}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      containers:
      - name: fluentd
        image: quay.io/fluentd_elasticsearch/fluentd:v2.5.2
---
apiVersion: batch/v1
kind: Job
metadata:
  name: pi
  namespace: $ns
spec:
  backoffLimit: 4
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: pi
        image: perl:5.34.0
        command: ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: zk-pdb
  namespace: $ns
spec:
  minAvailable: 2
  selector:
    matchLabels: {app: zookeeper}
YAML
  out=$("$k" apply -f "$WORK/workloads-$ns.yaml" 2>&1) || fail "$k apply workloads: $out"
  for created in "deployment.apps/nginx created" "replicaset.apps/frontend created" \
    "daemonset.apps/fluentd created" "job.batch/pi created" \
    "poddisruptionbudget.policy/zk-pdb created"; do
    [[ "$out" == *"$created"* ]] || fail "$k apply printed '$out', missing '$created'"
  done
  expect "job.batch/pi unchanged" "$k" apply -f "$WORK/workloads-$ns.yaml"
  out=$("$k" get deploy,rs,ds,job,pdb -n "$ns" 2>&1) || fail "get workloads: $out"
  for header in "NAME +READY +UP-TO-DATE +AVAILABLE +AGE" "NAME +DESIRED +CURRENT +READY +AGE" \
    "NAME +DESIRED +CURRENT +READY +UP-TO-DATE +AVAILABLE +NODE SELECTOR +AGE" \
    "NAME +STATUS +COMPLETIONS +DURATION +AGE" \
    "NAME +MIN AVAILABLE +MAX UNAVAILABLE +ALLOWED DISRUPTIONS +AGE"; do
    grep -Eq "^$header\$" <<<"$out" || fail "no '$header' in: $out"
  done
  [[ "$out" =~ deployment.apps/nginx\ +0/3\  ]] || fail "deployment row: $out"
  [[ "$out" =~ job.batch/pi\ +Running\ +0/1\  ]] || fail "job row: $out"
  [[ "$out" =~ poddisruptionbudget.policy/zk-pdb\ +2\ +N/A\ +0\  ]] || fail "pdb row: $out"
  [[ "$out" =~ kubernetes.io/os=linux ]] || fail "daemonset node selector: $out"
  [[ "$("$k" get deploy nginx -n "$ns" -o wide | head -1)" =~ CONTAINERS\ +IMAGES\ +SELECTOR$ ]] ||
    fail "deploy -o wide: $("$k" get deploy nginx -n "$ns" -o wide)"
  [ "$("$k" get deploy nginx -n "$ns" -o jsonpath='{.spec.strategy.rollingUpdate.maxSurge}')" = "25%" ] ||
    fail "maxSurge: $("$k" get deploy nginx -n "$ns" -o yaml)"
  [[ "$("$k" get job pi -n "$ns" -o jsonpath='{.spec.selector.matchLabels}')" == *batch.kubernetes.io/controller-uid* ]] ||
    fail "job selector: $("$k" get job pi -n "$ns" -o yaml)"
  expect "field is immutable" "$k" patch deploy nginx -n "$ns" \
    -p '{"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}}}}}'
  # scale goes through the /scale subresource (autoscaling/v1 Scale); 0 is a replica count.
  expect "deployment.apps/nginx scaled" "$k" scale deploy nginx -n "$ns" --replicas=5
  [ "$("$k" get deploy nginx -n "$ns" -o jsonpath='{.spec.replicas}')" = 5 ] || fail "scale to 5"
  expect "replicaset.apps/frontend scaled" "$k" scale rs frontend -n "$ns" --replicas=0
  [ "$("$k" get rs frontend -n "$ns" -o jsonpath='{.spec.replicas}')" = 0 ] || fail "scale to 0"
  expect "Expected replicas to be 3, was 5" "$k" scale deploy nginx -n "$ns" --current-replicas=3 --replicas=1

  # label, annotate, selectors.
  expect "configmap/game labeled" "$k" label cm game -n "$ns" tier=front
  expect "configmap/game annotate" "$k" annotate cm game -n "$ns" note=hello
  expect "game" "$k" get cm -n "$ns" -l 'tier in (front),app=web'
  expect "No resources found" "$k" get cm -n "$ns" -l 'tier!=front'
  expect "game" "$k" get cm -n "$ns" --field-selector metadata.name=game
  expect "No resources found" "$k" get cm -n "$ns" --field-selector metadata.name!=game

  # patch (merge, JSON) and edit.
  expect "configmap/game patched" "$k" patch cm game -n "$ns" -p '{"data":{"c":"3"}}'
  expect "configmap/game patched" "$k" patch cm game -n "$ns" --type json \
    -p '[{"op":"remove","path":"/data/b"}]'
  printf '#!/bin/sh\nsed -i -e "s/^  a: .*/  a: edited/" "$1"\n' >"$WORK/editor"
  chmod +x "$WORK/editor"
  KUBE_EDITOR="$WORK/editor" "$k" edit cm game -n "$ns" >"$WORK/edit.out" 2>&1 ||
    fail "edit: $(cat "$WORK/edit.out")"
  [[ "$("$k" get cm game -n "$ns" -o jsonpath='{.data}')" == '{"a":"edited","c":"3"}' ]] ||
    fail "data after patch and edit: $("$k" get cm game -n "$ns" -o jsonpath='{.data}')"

  # describe, explain, api-resources.
  out=$("$k" describe cm game -n "$ns" 2>&1) || fail "describe: $out"
  [[ "$out" == *"Name:"*"game"* && "$out" == *"tier=front"* ]] || fail "describe printed '$out'"
  expect "configmaps" "$k" api-resources
  expect "FIELD" "$k" explain configmap.data
  out=$("$k" explain namespace.spec 2>&1) || fail "explain namespace.spec: $out"
  [[ "$out" == *"KIND:"*"Namespace"* && "$out" == *"finalizers"*"<[]string>"* ]] ||
    fail "explain namespace.spec printed '$out'"

  # get -w prints the change it sees.
  timeout 5 "$k" get cm game -n "$ns" -w --no-headers >"$WORK/watch.out" 2>&1 &
  local watcher=$!
  sleep 1.5
  "$k" label cm game -n "$ns" seen=yes >/dev/null || fail "label during watch"
  wait "$watcher"
  [ "$(grep -c '^game' "$WORK/watch.out")" -ge 2 ] || fail "get -w printed: $(cat "$WORK/watch.out")"

  # Errors kubectl provokes are Statuses it prints.
  expect 'Error from server (NotFound): configmaps "nope" not found' "$k" get cm nope -n "$ns"
  expect 'Error from server (AlreadyExists)' "$k" create -f "$WORK/all-$ns.yaml"
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: %s\n' "$ns" >"$WORK/bad.yaml"
  expect 'is invalid' "$k" apply -f "$WORK/bad.yaml"
  # A misspelled field fails: kubectl 1.27 and newer ask the server for strict decoding,
  # older ones validate against /openapi/v2 themselves and send nothing.
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\n  namespace: %s\ndta:\n  a: "1"\n' "$ns" >"$WORK/typo.yaml"
  if [ "$minor" -ge 27 ]; then
    expect 'strict decoding error: unknown field "dta"' "$k" apply -f "$WORK/typo.yaml"
  else
    expect 'error validating data: ValidationError(ConfigMap): unknown field "dta"' \
      "$k" apply -f "$WORK/typo.yaml"
  fi
  expect 'NotFound' "$k" get cm typo -n "$ns"
  if [ "$minor" -ge 27 ]; then  # --validate=warn: stored, and the server's warning printed
    expect 'Warning: unknown field "dta"' "$k" apply --validate=warn -f "$WORK/typo.yaml"
    expect 'deleted' "$k" delete cm typo -n "$ns"
  fi
  "$k" get cm game -n "$ns" -o json | python3 -c '
import json, sys
o = json.load(sys.stdin); o["metadata"]["resourceVersion"] = "1"; o["data"]["a"] = "stale"
print(json.dumps(o))' >"$WORK/stale.json"
  expect 'Error from server (Conflict)' "$k" replace -f "$WORK/stale.json"
  expect 'not found' "$k" get cm -n no-such-namespace game

  pods_nodes_services "$k" "$ns"
  kubectl_creates "$k" "$ns" "$minor"

  # delete: one object, then the namespace with what is in it.
  expect 'configmap "game" deleted' "$k" delete cm game -n "$ns"
  expect "priorityclass.scheduling.k8s.io \"high-$ns\" deleted" "$k" delete priorityclass "high-$ns"
  expect "namespace \"$ns\" deleted" "$k" delete ns "$ns"
  expect 'NotFound' "$k" get secret creds -n "$ns"
}

# kubectl's create generators: kubectl 1.32 sends these bodies in Kubernetes' protobuf
# (application/vnd.kubernetes.protobuf), older versions in JSON; either way kubectl get shows
# what was asked for.
kubectl_creates() {  # kubectl-binary namespace minor-version
  local k=$1 ns=$2 minor=$3
  expect "namespace/$ns-made created" "$k" create namespace "$ns-made"
  expect "configmap/made created" "$k" create configmap made -n "$ns" --from-literal=a=b --from-literal=empty=
  [ "$("$k" get cm made -n "$ns" -o jsonpath='{.data}')" = '{"a":"b","empty":""}' ] ||
    fail "configmap data: $("$k" get cm made -n "$ns" -o yaml)"
  expect "secret/made created" "$k" create secret generic made -n "$ns" --from-literal=password=hunter2
  [ "$("$k" get secret made -n "$ns" -o jsonpath='{.data.password}' | base64 -d)" = hunter2 ] ||
    fail "secret data: $("$k" get secret made -n "$ns" -o yaml)"
  expect "service/made created" "$k" create service clusterip made -n "$ns" --tcp=80:8080
  [[ "$("$k" get svc made -n "$ns")" =~ made\ +ClusterIP\ +10\.9[6-9]\.[0-9.]+\ +\<none\>\ +80/TCP ]] ||
    fail "get svc made: $("$k" get svc made -n "$ns" -o yaml)"
  [ "$("$k" get svc made -n "$ns" -o jsonpath='{.spec.ports[0].targetPort}')" = 8080 ] ||
    fail "targetPort: $("$k" get svc made -n "$ns" -o yaml)"
  expect "serviceaccount/made created" "$k" create serviceaccount made -n "$ns"
  expect "deployment.apps/made created" "$k" create deployment made -n "$ns" --image=nginx:1.25 --replicas=0
  [ "$("$k" get deploy made -n "$ns" -o jsonpath='{.spec.replicas} {.spec.template.spec.containers[0].image}')" = "0 nginx:1.25" ] ||
    fail "deployment: $("$k" get deploy made -n "$ns" -o yaml)"
  expect "job.batch/made created" "$k" create job made -n "$ns" --image=busybox -- echo hi
  [ "$("$k" get job made -n "$ns" -o jsonpath='{.spec.template.spec.containers[0].command}')" = '["echo","hi"]' ] ||
    fail "job: $("$k" get job made -n "$ns" -o yaml)"
  expect "priorityclass.scheduling.k8s.io/made-$ns created" "$k" create priorityclass "made-$ns" --value=1000 --description=none
  [ "$("$k" get pc "made-$ns" -o jsonpath='{.value} {.description}')" = "1000 none" ] ||
    fail "priorityclass: $("$k" get pc "made-$ns" -o yaml)"
  # kubectl 1.20 creates policy/v1beta1 budgets, which craton does not serve.
  if [ "$minor" -ge 21 ]; then
    expect "poddisruptionbudget.policy/made created" "$k" create poddisruptionbudget made -n "$ns" --selector=app=made --max-unavailable=50%
    [ "$("$k" get pdb made -n "$ns" -o jsonpath='{.spec.maxUnavailable}')" = "50%" ] ||
      fail "pdb: $("$k" get pdb made -n "$ns" -o yaml)"
  fi
  expect "deleted" "$k" delete priorityclass "made-$ns"
  expect "deleted" "$k" delete namespace "$ns-made"
}

# Request bodies in YAML (Content-Type application/yaml), as curl users send them: one object
# is created; malformed YAML and several documents are 400 Status answers that store nothing.
# A protobuf body whose kind is not the URL's is a 400 too.
yaml_bodies() {
  local url="http://127.0.0.1:$((BASE + 1))/api/v1/namespaces/default/configmaps" out
  out=$(curl -s -w ' %{http_code}' -XPOST -H 'Content-Type: application/yaml' "$url" \
    --data-binary $'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  n: "1"\n  flag: "yes"\n')
  [[ "$out" == *' 201' ]] || fail "YAML create answered '$out'"
  [ "$(kubectl get cm from-yaml -o jsonpath='{.data}')" = '{"flag":"yes","n":"1"}' ] ||
    fail "YAML create stored $(kubectl get cm from-yaml -o yaml)"
  out=$(curl -s -w ' %{http_code}' -XPOST -H 'Content-Type: application/yaml' "$url" \
    --data-binary $'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken\n')
  [[ "$out" == *'"kind":"Status"'*'not valid YAML'*' 400' ]] || fail "malformed YAML answered '$out'"
  out=$(curl -s -w ' %{http_code}' -XPOST -H 'Content-Type: application/yaml' "$url" \
    --data-binary $'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: two}\n---\nb: 2\n')
  [[ "$out" == *'"kind":"Status"'*'2 YAML documents'*' 400' ]] || fail "two documents answered '$out'"
  expect 'NotFound' kubectl get cm two
  expect 'NotFound' kubectl get cm broken
  # kubectl 1.32's protobuf body of `create namespace x1`, posted where a ConfigMap belongs.
  printf 'k8s\0\n\x0f\n\x02v1\x12\tNamespace\x12\x1a\n\x12\n\x02x1\x12\0\x1a\0"\0*\x002\x008\0B\0\x12\0\x1a\x02\n\0\x1a\0"\0' \
    >"$WORK/namespace.pb"
  out=$(curl -s -w ' %{http_code}' -XPOST -H 'Content-Type: application/vnd.kubernetes.protobuf' \
    "$url" --data-binary @"$WORK/namespace.pb")
  [[ "$out" == *'the kind in the data (Namespace) does not match'*' 400' ]] ||
    fail "a Namespace posted as a ConfigMap answered '$out'"
  expect 'NotFound' kubectl get ns x1
}

# Pods, a node, a service and endpoints as kubectl shows them, and a node drained (cordon,
# then pods/eviction) and uncordoned.
pods_nodes_services() {  # kubectl-binary namespace
  local k=$1 ns=$2 node="node-$2" out
  cat >"$WORK/pods-$ns.yaml" <<YAML
apiVersion: v1
kind: Node
metadata:
  name: $node
  labels: {node-role.kubernetes.io/worker: ""}
status:
  capacity: {cpu: "4", memory: 8Gi, pods: "110"}
  allocatable: {cpu: 3800m, memory: 7.5Gi, pods: "110"}
  conditions: [{type: Ready, status: "True"}]
  addresses: [{type: InternalIP, address: 192.168.7.10}]
  nodeInfo: {kubeletVersion: v1.32.0}
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: $ns
  labels: {app: web}
spec:
  containers:
  - name: nginx
    image: nginx:1.14.2
    ports: [{containerPort: 80, name: http}]
    env: [{name: MODE, value: prod}]
    resources:
      requests: {cpu: 250m}
      limits: {cpu: 1, memory: 128Mi}
    readinessProbe: {httpGet: {port: http}}
    volumeMounts: [{name: conf, mountPath: /etc/nginx/conf.d}]
  volumes: [{name: conf, configMap: {name: game}}]
  tolerations: [{key: dedicated, operator: Equal, value: web, effect: NoSchedule}]
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/os, operator: In, values: [linux]}]}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: $ns
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http, name: http}]
---
apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: $ns
spec:
  ports: [{port: 80, name: http}]
---
apiVersion: v1
kind: Endpoints
metadata:
  name: db
  namespace: $ns
subsets: [{addresses: [{ip: 10.244.1.5}], ports: [{port: 80, name: http}]}]
YAML
  "$k" apply -f "$WORK/pods-$ns.yaml" >"$WORK/apply.out" 2>&1 || fail "apply pods: $(cat "$WORK/apply.out")"
  out=$("$k" get pods -n "$ns")
  [[ "$out" == *"NAME"*"READY"*"STATUS"*"RESTARTS"*"AGE"* && "$out" =~ web\ +0/1\ +Pending\ +0 ]] ||
    fail "get pods printed '$out'"
  out=$("$k" get node "$node" -o wide)
  [[ "$out" =~ $node\ +Ready\ +worker\ +.*v1\.32\.0\ +192\.168\.7\.10 ]] || fail "get node printed '$out'"
  out=$("$k" get svc web -n "$ns")
  [[ "$out" =~ web\ +ClusterIP\ +10\.9[6-9]\.[0-9.]+\ +\<none\>\ +80/TCP ]] || fail "get svc printed '$out'"
  # A Service without a selector keeps the Endpoints its user wrote (the endpoints controller
  # owns those of Services with a selector, such as web's).
  expect "10.244.1.5:80" "$k" get endpoints db -n "$ns"
  # The cluster's own service, as on Kubernetes: the first cluster IP, https to this server.
  out=$("$k" get svc kubernetes -n default)
  [[ "$out" =~ kubernetes\ +ClusterIP\ +10\.96\.0\.1\ +\<none\>\ +443/TCP ]] ||
    fail "get svc kubernetes printed '$out'"
  expect "127.0.0.1:$((BASE + 1))" "$k" get endpoints kubernetes -n default
  expect "Burstable" "$k" get pod web -n "$ns" -o jsonpath='{.status.qosClass}'
  [ "$("$k" get pod web -n "$ns" -o jsonpath='{.spec.containers[0].resources.requests.cpu}')" = 250m ] ||
    fail "requests.cpu"
  out=$("$k" describe pod web -n "$ns")
  [[ "$out" == *"QoS Class:"*"Burstable"* ]] ||
    fail "describe pod printed '$out'"
  [[ "$out" == *"node.kubernetes.io/not-ready:NoExecute op=Exists for 300s"* ]] ||
    fail "describe pod lacks the default tolerations: '$out'"
  # A pod's spec is immutable but for its image.
  expect 'pod updates may not change fields' "$k" patch pod web -n "$ns" -p '{"spec":{"containers":[{"name":"nginx","workingDir":"/tmp"}]}}'
  expect 'image updated' "$k" set image pod/web -n "$ns" nginx=nginx:1.16.1
  [ "$("$k" get pod web -n "$ns" -o jsonpath='{.spec.containers[0].image}')" = nginx:1.16.1 ] ||
    fail "the image did not change"
  printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\n  namespace: %s\nspec:\n  containers: [{name: c}]\n' "$ns" >"$WORK/badpod.yaml"
  expect 'spec.containers[0].image: Required value' "$k" apply -f "$WORK/badpod.yaml"
  # Bind the pod as a scheduler would, then drain the node: cordon, then evict.
  curl -sf -XPOST -H 'Content-Type: application/json' \
    "http://127.0.0.1:$((BASE + 1))/api/v1/namespaces/$ns/pods/web/binding" \
    -d "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"web\"},\"target\":{\"kind\":\"Node\",\"name\":\"$node\"}}" \
    >/dev/null || fail "binding"
  expect "web" "$k" get pods -n "$ns" --field-selector "spec.nodeName=$node"
  expect "evicted" timeout 60 "$k" drain "$node" --force --grace-period=0
  expect "SchedulingDisabled" "$k" get node "$node"
  expect 'NotFound' "$k" get pod web -n "$ns"
  expect "uncordoned" "$k" uncordon "$node"
  expect "deleted" "$k" delete node "$node"
}

for_each_kubectl suite
yaml_bodies
# /metrics counts what kubectl did, with kube-apiserver's names.
python3 - "http://127.0.0.1:$((BASE + 1))/metrics" <<'PY' || fail "/metrics"
import re, sys, urllib.request
text = urllib.request.urlopen(sys.argv[1], timeout=10).read().decode()
def count(verb, resource, code):
    m = re.search(r'apiserver_request_total\{[^}]*code="%s"[^}]*resource="%s"[^}]*verb="%s"[^}]*\} (\d+)' % (code, resource, verb), text)
    return int(m.group(1)) if m else 0
assert count("POST", "configmaps", "201") >= 1, text
assert count("GET", "configmaps", "404") >= 1, text
assert count("WATCH", "configmaps", "200") >= 1, text
assert "apiserver_request_duration_seconds_bucket" in text and "apiserver_registered_watchers" in text
PY
# /openapi/v2 as kube-apiserver answers it: protobuf for gnostic's Accept (with the dotted
# content type Go's mime parser accepts), JSON otherwise, 304 for a matching If-None-Match.
python3 - "http://127.0.0.1:$((BASE + 1))/openapi/v2" <<'PY' || fail "/openapi/v2"
import json, sys, urllib.error, urllib.request
url = sys.argv[1]
def get(headers):
    try:
        r = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10)
        return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()
code, headers, body = get({"Accept": "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"})
assert code == 200 and headers["Content-Type"] == "application/com.github.proto-openapi.spec.v2.v1.0+protobuf", headers
assert body[:5] == b"\x0a\x032.0", body[:5]  # field 1 (swagger) = "2.0"
etag = headers["ETag"]
code, headers, body = get({})
assert code == 200 and headers["Content-Type"] == "application/json" and headers["ETag"] == etag
assert "io.k8s.craton.ConfigMap" in json.loads(body)["definitions"]
code, _, body = get({"If-None-Match": etag})
assert code == 304 and body == b"", code
PY
echo "PASS"
