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
host_cleanup() {
  for dir in /sys/fs/cgroup/*/"$CGROUP_ROOT" /sys/fs/cgroup/"$CGROUP_ROOT"; do
    [ -d "$dir" ] || continue
    find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -9 2>/dev/null
  done
  sleep 0.5
  grep " $WORK" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
  for dir in /sys/fs/cgroup/*/"$CGROUP_ROOT" /sys/fs/cgroup/"$CGROUP_ROOT"; do
    [ -d "$dir" ] && find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 |
    xargs -r -n1 ip link del 2>/dev/null
  ip link del "$BRIDGE" 2>/dev/null
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

# Graceful deletion: `kubectl delete pod` marks the pod (STATUS Terminating) while its
# container, which traps SIGTERM, is still stopping; the pod object goes only after the
# process is gone (the agent deletes it with grace 0 then). After SIGTERM the container holds
# on until the test drops a file into its hostPath volume (so no timing decides what is seen),
# then sleeps 3 s more and exits.
mkdir -p "$WORK/hold"
TOKEN=graceful-$$
kubectl apply -f - >"$WORK/slow.out" 2>&1 <<YAML || fail "apply slow"
apiVersion: v1
kind: Pod
metadata: {name: slow}
spec:
  terminationGracePeriodSeconds: 60
  volumes: [{name: hold, hostPath: {path: "$WORK/hold"}}]
  containers:
  - name: c
    image: busybox:craton
    volumeMounts: [{name: hold, mountPath: /hold}]
    command: ["sh", "-c"]
    args: ["trap 'echo got TERM; until [ -f /hold/release ]; do sleep 0.2; done; sleep 3; exit 0' TERM; echo $TOKEN; while true; do sleep 0.2; done"]
YAML
slow_running() {
  [ "$(kubectl get pod slow -o jsonpath='{.status.phase}')" = Running ] &&
    [ "$(kubectl logs slow 2>/dev/null)" = "$TOKEN" ]
}
until_ok 60 slow_running || fail "slow never ran: $(kubectl get pod slow -o yaml 2>&1 | tail -30)"
pgrep -f "echo $TOKEN" >/dev/null || fail "the container's process is not on the host"
kubectl delete pod slow --wait=false >"$WORK/delete-slow.out" 2>&1 || fail "delete slow"
got_term() { kubectl logs slow 2>/dev/null | grep -q "got TERM"; }
until_ok 30 got_term || fail "no SIGTERM reached the container: $(kubectl logs slow 2>&1)"
shown=$(kubectl get pod slow --no-headers 2>&1)
echo "$shown"
[ "$(echo "$shown" | awk '{print $3}')" = Terminating ] || fail "not shown Terminating: $shown"
[ "$(kubectl get pod slow -o jsonpath='{.metadata.deletionGracePeriodSeconds}')" = 60 ] ||
  fail "deletionGracePeriodSeconds: $(kubectl get pod slow -o jsonpath='{.metadata}')"
pgrep -f "echo $TOKEN" >/dev/null || fail "the process was gone before its grace period"
touch "$WORK/hold/release"
# Until the pod object is gone its process may run; once the object is gone, so must it be.
early=0
slow_deleted() {
  kubectl get pod slow >/dev/null 2>&1 && return 1
  pgrep -f "echo $TOKEN" >/dev/null && early=1
  return 0
}
until_ok 60 slow_deleted || fail "slow was never deleted: $(kubectl get pod slow -o yaml 2>&1 | tail -20)"
[ "$early" = 0 ] || fail "the pod object was gone while its process still ran"
echo "graceful deletion: Terminating while the process ran, deleted after it exited"

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
