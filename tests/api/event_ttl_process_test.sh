#!/usr/bin/env bash
# Events expire (issue 12): a real `craton server --event-ttl 3s`, an Event created with
# `kubectl create -f`, seen by `kubectl get events`, and gone after the TTL and the store's
# lease checks (the store deletes it with its lease); a ConfigMap written at the same time
# stays. Also: a bad --event-ttl is a usage error.
#
#   event_ttl_process_test.sh CRATON
set -u
CRATON=$1
WORK=$(mktemp -d /tmp/craton-eventttl.XXXXXX)
PIDS=()

# shellcheck source=../store/process_lib.sh
source "$(dirname "$0")/../store/process_lib.sh"
command -v kubectl >/dev/null || { echo "SKIP: no kubectl"; exit 0; }

timeout 20 "$CRATON" server --data "$WORK/bad" --event-ttl 5ms >"$WORK/bad.out" 2>&1
[ $? -eq 2 ] || fail "--event-ttl 5ms was not refused as a usage error"
grep -q "event-ttl" "$WORK/bad.out" || fail "the refusal does not name --event-ttl"

pick_ports 2
"$CRATON" server --data "$WORK/d1" --listen "127.0.0.1:$BASE" --http "127.0.0.1:$((BASE + 1))" \
  --event-ttl 3s >"$WORK/server.log" 2>&1 &
PIDS+=($!)
"$CRATON" kubeconfig --server "http://127.0.0.1:$((BASE + 1))" >"$WORK/kubeconfig" || fail kubeconfig
export KUBECONFIG=$WORK/kubeconfig
until_ok 10 kubectl get ns default || fail "the default namespace never appeared"

cat >"$WORK/event.yaml" <<'YAML'
apiVersion: v1
kind: Event
metadata:
  name: web.pulled
  namespace: default
involvedObject:
  kind: Pod
  name: web
  namespace: default
reason: Pulled
message: Successfully pulled image "nginx"
type: Normal
count: 1
source:
  component: kubelet
YAML
kubectl create -f "$WORK/event.yaml" >"$WORK/create.out" 2>&1 || fail "kubectl create -f event"
kubectl create configmap kept --from-literal=a=1 >/dev/null 2>&1 || fail "kubectl create configmap"
created=$(date +%s%N)
out=$(kubectl get events --no-headers 2>&1)
[[ "$out" == *Pulled* ]] || fail "kubectl get events right after create printed '$out'"

# Gone within TTL (3 s) + the leader's lease check (0.5 s) + slack; never before 3 s.
gone_ms=""
for _ in $(seq 1 100); do
  out=$(kubectl get events --no-headers 2>&1)
  if [[ "$out" != *Pulled* ]]; then
    gone_ms=$((($(date +%s%N) - created) / 1000000))
    break
  fi
  sleep 0.1
done
[ -n "$gone_ms" ] || fail "the event was still there 10 s after its 3 s TTL: '$out'"
[ "$gone_ms" -ge 2900 ] || fail "the event went after ${gone_ms} ms, before its 3 s TTL"
[[ "$out" == *"No resources found"* ]] || fail "kubectl get events printed '$out'"
kubectl get configmap kept >/dev/null 2>&1 || fail "the configmap went with the event's lease"
echo "event gone ${gone_ms} ms after it was created (TTL 3 s)"
echo PASS
