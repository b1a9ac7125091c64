#!/usr/bin/env bash
# `craton sim --scenario cluster` from the command line: a seed's run passes its checks, runs
# the same way twice (same trace hash: the replay line reproduces it), draws its faults from
# the seed (a worker crash or partition, and control-plane faults) and refuses a cluster too
# small for workers.
set -euo pipefail
craton="$1"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for seed in 1 2 3; do
  "$craton" sim --scenario cluster --seed "$seed" --nodes 4 --duration 150s \
    --trace "$out/trace-$seed.txt" >"$out/a-$seed.txt" || {
    cat "$out/a-$seed.txt"
    echo "FAIL: seed $seed did not pass"
    exit 1
  }
  grep -q '^check: ok$' "$out/a-$seed.txt"
  # A worker (n2-n4) crashed, or cut off alone (the last group of a partition line); the
  # control-plane faults come on top (sim/cluster/cluster_faults.hpp).
  grep -Eq 'fault (crash n[234]|partition .* \| n[234])$' "$out/trace-$seed.txt" || {
    echo "FAIL: seed $seed injected no worker fault"
    exit 1
  }
  "$craton" sim --scenario cluster --seed "$seed" --nodes 4 --duration 150s >"$out/b-$seed.txt"
  a=$(tail -1 "$out/a-$seed.txt")
  b=$(tail -1 "$out/b-$seed.txt")
  [[ "$a" == "$b" && "$a" == trace-hash:* ]] || {
    echo "FAIL: seed $seed: '$a' then '$b'"
    exit 1
  }
done

set +e
"$craton" sim --scenario cluster --seed 1 --nodes 2 2>"$out/err.txt"
rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q 'at least 3 nodes' "$out/err.txt" || {
  echo "FAIL: 2 nodes: exit $rc, $(cat "$out/err.txt")"
  exit 1
}
echo "cluster_cli: ok"
