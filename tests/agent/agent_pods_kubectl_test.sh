#!/usr/bin/env bash
# Pods run for real, seen through kubectl: a `craton server` and a `craton agent --driver
# linux` (namespaces, cgroups, overlayfs over the busybox:craton image, a bridge and a veth per
# pod). A Deployment of two busybox HTTP servers gets Running and Ready pods with addresses from
# the node's podCIDR that answer HTTP from the host; `kubectl logs` reads a container's log
# through the API and the agent; a container that exits is restarted (restartCount); deleting
# the Deployment removes the pods and leaves nothing on the host (no shim, no veth, no mount,
# no cgroup). Needs root.
#
#   agent_pods_kubectl_test.sh CRATON
set -u
CRATON=$1
WORK=$(mktemp -d /tmp/craton-pods.XXXXXX)
PIDS=()
BRIDGE=crp$(printf '%x' $$ | tail -c 8)
CGROUP_ROOT=craton-test-$$
CIDR=172.31.$(($$ % 200 + 20)).0/24

# shellcheck source=../store/process_lib.sh
source "$(dirname "$0")/../store/process_lib.sh"
command -v kubectl >/dev/null || { echo "SKIP: no kubectl"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 0; }

# Whatever a failed run leaves: the pods' processes (by cgroup), mounts under WORK, the veths
# and the bridge. Then the usual cleanup.
# shellcheck source=pod_host_lib.sh
source "$(dirname "$0")/pod_host_lib.sh"
host_cleanup() {
  pod_host_cleanup "$WORK" "$BRIDGE" "$CGROUP_ROOT"
  cleanup
}
trap host_cleanup EXIT

# The body of GET / from IP:PORT, through bash's /dev/tcp (no HTTP client needed on the host).
http_get() {  # IP PORT
  timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf "GET / HTTP/1.0\r\nHost: %s\r\n\r\n" "$0" >&3 && cat <&3' "$1" "$2" |
    sed '1,/^\r$/d'
}

pick_ports 2
API="http://127.0.0.1:$((BASE + 1))"
"$CRATON" server --data "$WORK/d1" --listen "127.0.0.1:$BASE" --http "127.0.0.1:$((BASE + 1))" \
  --insecure-loopback >"$WORK/server.log" 2>&1 &
PIDS+=($!)
"$CRATON" kubeconfig --server "$API" >"$WORK/kubeconfig" || fail kubeconfig
export KUBECONFIG=$WORK/kubeconfig
until_ok 30 kubectl get ns kube-node-lease || fail "the API never came up"

# The image, built offline from Debian's busybox-static and imported into the agent's store.
"$(dirname "$0")/../images/build-busybox-image.sh" "$WORK/image" >"$WORK/image.out" 2>&1 ||
  fail "building the test image"
"$CRATON" image import "$WORK/image/oci" --root "$WORK/agent/images" >"$WORK/import.out" 2>&1 ||
  fail "image import"

"$CRATON" agent --join "1=127.0.0.1:$BASE" --insecure-loopback --node-name pods-1 \
  --data "$WORK/agent" --driver linux --pod-cidr "$CIDR" --bridge "$BRIDGE" \
  --cgroup-root "$CGROUP_ROOT" --port 0 --node-ip 127.0.0.1 >"$WORK/agent.log" 2>&1 &
PIDS+=($!)
ready() { [ "$(kubectl get node pods-1 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]; }
until_ok 60 ready || fail "the node never got Ready"

kubectl apply -f - >"$WORK/apply.out" 2>&1 <<'EOF' || fail "apply"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: web
        image: busybox:craton
        command: ["sh", "-c"]
        args: ["mkdir -p /www && echo hello from $(hostname) > /www/index.html && echo serving && exec httpd -f -p 8080 -h /www"]
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
EOF
all_ready() {
  [ "$(kubectl get pods -l app=web -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{" "}{end}')" = "True True " ]
}
until_ok 90 all_ready || fail "the pods never got Ready: $(kubectl get pods -o wide 2>&1)"
kubectl get pods -o wide

for pod in $(kubectl get pods -l app=web -o jsonpath='{.items[*].metadata.name}'); do
  ip=$(kubectl get pod "$pod" -o jsonpath='{.status.podIP}')
  [ "$(kubectl get pod "$pod" -o jsonpath='{.status.phase}')" = Running ] || fail "$pod not Running"
  answer=$(http_get "$ip" 8080) || fail "$pod at $ip does not answer: $answer"
  [ "$answer" = "hello from $pod" ] || fail "$pod answered '$answer'"
  logs=$(kubectl logs "$pod" 2>&1) || fail "kubectl logs $pod: $logs"
  [ "$logs" = serving ] || fail "kubectl logs $pod gave '$logs'"
done

# A container that exits is started again; its restart shows in restartCount and --previous.
kubectl run once --image=busybox:craton --restart=Always -- sh -c 'echo run; sleep 1; exit 3' \
  >"$WORK/run.out" 2>&1 || fail "kubectl run"
restarted() { [ "$(kubectl get pod once -o jsonpath='{.status.containerStatuses[0].restartCount}')" -ge 1 ] 2>/dev/null; }
until_ok 60 restarted || fail "no restart: $(kubectl get pod once -o yaml 2>&1 | tail -30)"
[ "$(kubectl get pod once -o jsonpath='{.status.containerStatuses[0].lastState.terminated.exitCode}')" = 3 ] ||
  fail "lastState: $(kubectl get pod once -o jsonpath='{.status.containerStatuses[0].lastState}')"
[ "$(kubectl logs once --previous 2>&1)" = run ] || fail "logs --previous: $(kubectl logs once --previous 2>&1)"

# Deleting removes everything the pods had on the host.
kubectl delete pod once --wait=false >/dev/null 2>&1
kubectl delete deployment web >/dev/null 2>&1 || fail "delete"
gone() { [ -z "$(kubectl get pods -o name 2>/dev/null)" ]; }
until_ok 60 gone || fail "pods left: $(kubectl get pods 2>&1)"
empty_host() {
  [ -z "$(ip -o link show master "$BRIDGE" 2>/dev/null)" ] &&
    ! grep -q " $WORK/agent/pods/" /proc/self/mountinfo &&
    [ -z "$(find /sys/fs/cgroup/*/"$CGROUP_ROOT" /sys/fs/cgroup/"$CGROUP_ROOT" -mindepth 1 -type d 2>/dev/null)" ] &&
    [ -z "$(ls "$WORK/agent/pods/pods" 2>/dev/null)" ]
}
until_ok 60 empty_host || fail "left on the host: veths $(ip -o link show master "$BRIDGE" 2>&1 | wc -l),
mounts $(grep -c " $WORK/agent/pods/" /proc/self/mountinfo), pods $(ls "$WORK/agent/pods/pods" 2>&1)"
echo "PASS"
