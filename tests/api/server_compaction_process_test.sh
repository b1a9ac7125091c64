#!/usr/bin/env bash
# `craton server` compacts the store's history by itself (periodic auto-compaction is its
# default, as kube-apiserver compacts etcd every 5 minutes): a real server started with only
# --auto-compaction-retention 1s (the mode left to the server's default), a ConfigMap created
# and updated with kubectl; once the retention has passed, a read of the store at the
# ConfigMap's first revision is refused as compacted, and the API still serves the ConfigMap
# and a watch from its newest version.
#
#   server_compaction_process_test.sh CRATON
set -u
CRATON=$1
WORK=$(mktemp -d /tmp/craton-compaction.XXXXXX)
PIDS=()

# shellcheck source=../store/process_lib.sh
source "$(dirname "$0")/../store/process_lib.sh"
command -v kubectl >/dev/null || { echo "SKIP: no kubectl"; exit 0; }

pick_ports 2
EP="127.0.0.1:$BASE"
"$CRATON" server --data "$WORK/d1" --listen "$EP" --http "127.0.0.1:$((BASE + 1))" \
  --auto-compaction-retention 1s >"$WORK/server.log" 2>&1 &
PIDS+=($!)
"$CRATON" kubeconfig --server "http://127.0.0.1:$((BASE + 1))" >"$WORK/kubeconfig" || fail kubeconfig
export KUBECONFIG=$WORK/kubeconfig
until_ok 10 kubectl get ns default || fail "the default namespace never appeared"

kubectl create configmap kept --from-literal=a=1 >/dev/null 2>&1 || fail "kubectl create configmap"
first=$(kubectl get configmap kept -o jsonpath='{.metadata.resourceVersion}') || fail "get rv"
KEY=/registry/configmaps/default/kept
"$CRATON" kv get --endpoints "$EP" --rev "$first" "$KEY" --count-only >"$WORK/early.out" 2>&1 ||
  fail "the store could not read revision $first right after the create: $(cat "$WORK/early.out")"
kubectl patch configmap kept --type merge -p '{"data":{"a":"2"}}' >/dev/null 2>&1 ||
  fail "kubectl patch configmap"

# Compacted within the retention (1 s) + its sampling (0.1 s) + slack; the node lease and
# status writes keep the revision moving.
compacted() { ! "$CRATON" kv get --endpoints "$EP" --rev "$first" "$KEY" --count-only >"$WORK/late.out" 2>&1; }
until_ok 10 compacted || fail "revision $first was still readable 10 s after a 1 s retention"
grep -qi "compacted" "$WORK/late.out" || fail "the refused read does not say compacted: $(cat "$WORK/late.out")"
out=$(kubectl get configmap kept -o jsonpath='{.data.a}' 2>&1)
[ "$out" = 2 ] || fail "kubectl get configmap after the compaction printed '$out'"
rv=$(kubectl get configmap kept -o jsonpath='{.metadata.resourceVersion}') || fail "get rv again"
code=$(curl -s -o "$WORK/watch.out" -w '%{http_code}' --max-time 2 \
  "http://127.0.0.1:$((BASE + 1))/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=$rv&timeoutSeconds=1")
[ "$code" = 200 ] || fail "a watch from the newest version answered $code: $(cat "$WORK/watch.out")"
echo "revision $first compacted; the ConfigMap is served at $rv"
echo PASS
