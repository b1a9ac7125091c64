#!/usr/bin/env bash
# A small scale run of the cluster scenario (bench/sim_scale.sh's path at a size CI affords):
# NODES nodes, 30 pods per worker in one Deployment, the auditors' cheaper interval, no
# faults, ending once every pod runs (--stop-when-running). It must pass its checks with every
# pod bound and Running at the end, end before its 150 s duration because of the stop, and
# report the load counts the bench reads. No wall duration is asserted.
set -euo pipefail
craton="$1"
nodes="${2:-10}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

workers=$((nodes - 3))
pods=$((workers * 30))
"$craton" sim --scenario cluster --seed 1 --nodes "$nodes" --pods "$pods" --audit-every 10s --agent-tick 1s \
  --duration 150s --stop-when-running --faults none --json >"$out/run.json" || {
  cat "$out/run.json"
  echo "FAIL: the scale run did not pass its checks"
  exit 1
}
field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$out/run.json"; }
for name in pods_bound_end pods_running_end pods_started; do
  [[ "$(field "$name")" == "$pods" ]] || {
    cat "$out/run.json"
    echo "FAIL: $name is '$(field "$name")', want $pods"
    exit 1
  }
done
[[ -n "$(field submit_to_running_ms)" ]] || {
  echo "FAIL: no submit_to_running_ms"
  exit 1
}
[[ "$(field stopped_when_running)" == 1 && "$(field simulated_ms)" -lt 150000 ]] || {
  cat "$out/run.json"
  echo "FAIL: the run did not end when every pod ran"
  exit 1
}

# One control-plane node (--control-plane 1): one auditor (it runs beside the only API), every
# pod running on the extra two workers' share too; the pods in 9 Deployments (--deployments),
# each created once.
pods1=$(((nodes - 1) * 30))
"$craton" sim --scenario cluster --seed 1 --nodes "$nodes" --pods "$pods1" --audit-every 10s \
  --agent-tick 1s --duration 150s --stop-when-running --faults none --control-plane 1 \
  --deployments 9 --trace "$out/trace.txt" --json >"$out/run.json" || {
  cat "$out/run.json"
  echo "FAIL: the one-control-plane-node run did not pass its checks"
  exit 1
}
[[ "$(field pods_running_end)" == "$pods1" && "$(field auditors_at_end)" == 1 ]] || {
  cat "$out/run.json"
  echo "FAIL: --control-plane 1: want $pods1 pods running and 1 auditor"
  exit 1
}
for d in 0 8; do
  [[ "$(grep -c "deployer web-$d create 201" "$out/trace.txt")" == 1 ]] || {
    grep "deployer" "$out/trace.txt" | head
    echo "FAIL: --deployments 9: web-$d not created exactly once"
    exit 1
  }
done
set +e
"$craton" sim --scenario cluster --seed 1 --nodes 5 --pods 4 --deployments 5 2>"$out/err.txt"
rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q "at most one per pod" "$out/err.txt" || {
  echo "FAIL: --deployments 5 for 4 pods: exit $rc, $(cat "$out/err.txt")"
  exit 1
}
set +e
"$craton" sim --scenario cluster --seed 1 --nodes 5 --control-plane 2 2>"$out/err.txt"
rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q "control-plane: 1 or 3" "$out/err.txt" || {
  echo "FAIL: --control-plane 2: exit $rc, $(cat "$out/err.txt")"
  exit 1
}

# --pods, --deployments and --control-plane belong to the cluster scenario only.
for flag in "--pods 10" "--deployments 2" "--control-plane 1" "--disk-commit 1ms"; do
  set +e
  # shellcheck disable=SC2086 # the flag and its value are two words
  "$craton" sim --scenario store --seed 1 $flag 2>"$out/err.txt"
  rc=$?
  set -e
  [[ $rc -eq 2 ]] && grep -q "scenario 'cluster' only" "$out/err.txt" || {
    echo "FAIL: $flag on the store scenario: exit $rc, $(cat "$out/err.txt")"
    exit 1
  }
done
# --disk-commit: a replica's commit takes that long and the writes meanwhile join it, so the same
# load persists in fewer flushes (each flush is one "raft persisted" trace line) and still
# passes its checks. Out of range: refused.
"$craton" sim --scenario cluster --seed 1 --nodes "$nodes" --pods "$pods1" --audit-every 10s \
  --agent-tick 1s --duration 150s --stop-when-running --faults none --control-plane 1 \
  --deployments 9 --disk-commit 1ms --trace "$out/commit.txt" --json >"$out/run.json" || {
  cat "$out/run.json"
  echo "FAIL: the --disk-commit 1ms run did not pass its checks"
  exit 1
}
instant=$(grep -c " raft persisted " "$out/trace.txt")
batched=$(grep -c " raft persisted " "$out/commit.txt")
[[ "$(field pods_running_end)" == "$pods1" && $batched -lt $instant ]] || {
  echo "FAIL: --disk-commit 1ms: $(field pods_running_end) pods running, $batched flushes against $instant"
  exit 1
}
set +e
"$craton" sim --scenario cluster --seed 1 --nodes 5 --disk-commit 200ms 2>"$out/err.txt"
rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q "between 0ms and 100ms" "$out/err.txt" || {
  echo "FAIL: --disk-commit 200ms: exit $rc, $(cat "$out/err.txt")"
  exit 1
}
# The stop skips faults still to come: refused with any.
set +e
"$craton" sim --scenario cluster --seed 1 --nodes 5 --stop-when-running 2>"$out/err.txt"
rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q "needs --faults none" "$out/err.txt" || {
  echo "FAIL: --stop-when-running with random faults: exit $rc, $(cat "$out/err.txt")"
  exit 1
}
echo "cluster_scale: ok ($nodes nodes, $pods pods)"
