#!/usr/bin/env bash
# What `make run` does after building: starts a single-host cluster (`craton up`), imports the
# busybox image (built offline from Debian's busybox-static), applies hello-web.yaml (three
# busybox HTTP servers and a Service), waits until the pods are Running and Ready and answer
# HTTP, prints `kubectl get pods -o wide`, and keeps the cluster up until Ctrl-C. With
# RUN_ONCE=1 it stops after the check (the newcomer test). Either way the example is deleted
# and the cluster stopped at the end, so no container is left behind. As root.
#
#   CRATON=build/craton [DATA=craton-data] [RUN_ONCE=1] docs/examples/run-hello.sh
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CRATON=${CRATON:-$ROOT/build/craton}
DATA=${DATA:-craton-data}
RUN_ONCE=${RUN_ONCE:-0}
export KUBECONFIG=$DATA/kubeconfig
UP=""

# The body of GET / from IP:PORT, through bash's /dev/tcp (no HTTP client needed on the host).
http_get() {  # IP PORT
  timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf "GET / HTTP/1.0\r\nHost: %s\r\n\r\n" "$0" >&3 && cat <&3' "$1" "$2" |
    sed '1,/^\r$/d'
}

say() { echo "== $*"; }
fail() {
  echo "run: $*" >&2
  [ -f "$DATA/up.log" ] && tail -20 "$DATA/up.log" >&2
  exit 1
}
stop() {
  trap - EXIT INT TERM
  if [ -n "$UP" ] && kill -0 "$UP" 2>/dev/null; then
    say "deleting the example and stopping the cluster"
    kubectl delete -f "$HERE/hello-web.yaml" --ignore-not-found --wait=false >/dev/null 2>&1
    # Gone from the API at once; the agent then stops the containers (SIGTERM, SIGKILL after
    # the grace period) and removes their sandboxes: wait for the host to be empty.
    for _ in $(seq 1 60); do
      [ -z "$(kubectl get pods -l app=hello-web -o name 2>/dev/null)" ] &&
        [ -z "$(ls "$DATA/agent/pods/pods" 2>/dev/null)" ] && break
      sleep 1
    done
    kill -TERM "$UP" 2>/dev/null
    wait "$UP" 2>/dev/null
  fi
}
trap stop EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || fail "craton up runs pods in namespaces and cgroups: run as root"
command -v kubectl >/dev/null || fail "kubectl is not installed (.ci/install-deps installs it)"
mkdir -p "$DATA"

say "building the busybox:craton image from /bin/busybox"
IMAGE=$(mktemp -d)
"$ROOT/tests/images/build-busybox-image.sh" "$IMAGE" >"$DATA/image.log" 2>&1 || fail "image build"
"$CRATON" image import "$IMAGE/oci" --root "$DATA/agent/images" >>"$DATA/image.log" 2>&1 ||
  fail "image import: $(tail -3 "$DATA/image.log")"
rm -rf "$IMAGE"

say "craton up (log: $DATA/up.log)"
"$CRATON" up --data "$DATA" >"$DATA/up.log" 2>&1 &
UP=$!
ready() {
  kubectl get nodes -o jsonpath='{.items[*].status.conditions[?(@.type=="Ready")].status}' 2>/dev/null |
    grep -q True
}
for _ in $(seq 1 120); do
  ready && break
  kill -0 "$UP" 2>/dev/null || fail "craton up exited"
  sleep 0.5
done
ready || fail "the node never got Ready"
kubectl get nodes -o wide

say "kubectl apply -f docs/examples/hello-web.yaml"
kubectl apply -f "$HERE/hello-web.yaml" || fail "apply"
kubectl wait --for=condition=Ready pod -l app=hello-web --timeout=180s >/dev/null ||
  fail "the pods did not get Ready: $(kubectl get pods -o wide 2>&1)"
[ "$(kubectl get pods -l app=hello-web -o name | wc -l)" = 3 ] || fail "not three pods"

say "each pod answers HTTP"
for ip in $(kubectl get pods -l app=hello-web -o jsonpath='{.items[*].status.podIP}'); do
  answer=$(http_get "$ip" 8080) || fail "no answer from $ip: $answer"
  echo "  http://$ip:8080/ -> $answer"
  [[ "$answer" == "hello from hello-web-"* ]] || fail "unexpected answer from $ip"
done
kubectl get pods -o wide

if [ "$RUN_ONCE" = 1 ]; then
  say "RUN_ONCE=1: done"
  exit 0
fi
say "the cluster is up: KUBECONFIG=$KUBECONFIG kubectl get pods; Ctrl-C stops it"
wait "$UP"
