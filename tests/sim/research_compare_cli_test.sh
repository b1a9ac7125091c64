#!/usr/bin/env bash
# `craton research compare` end to end: bad inputs are refused before anything runs or is
# written (missing workload: exit 1; a bad policy file or an unknown plugin in one, two policies of one name, --seeds out of
# range, a bad --duration, a non-empty --out without --force: exit 2), each with one clear line.
# Then two policies on a tiny synthetic workload with two seeds: every report file is written,
# summary.json has both policies and both seeds, and a second run (--force into the same
# folder) gives byte-identical files but cost.json. While the research run is the stand-in
# (sim/research/research_run_pending.cpp) that second part checks the stand-in's message only.
# Usage: research_compare_cli_test.sh CRATON POLICIES_DIR
set -uo pipefail
craton="$1"
policies="$2"
source "$(dirname "$0")/research_cli_checks.sh"
expect_err() { grep -q -- "$1" "$tmp/err" || fail "stderr lacks '$1': $(cat "$tmp/err")"; }

"$craton" research synth --nodes 4 --pods 24 --seed 3 --rate 1 --duration-mean 30 \
  --node-gpus 2 --gpu-pod-fraction 0.5 --out "$tmp/w.jsonl" >/dev/null || fail "synth failed"
two="$policies/fgd.yaml,$policies/most-allocated.yaml"

run 1 compare --workload "$tmp/missing.jsonl" --policies "$two" --out "$tmp/r0"
expect_err "workload $tmp/missing.jsonl"
printf 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nbogus: 1\n' \
  >"$tmp/bad.yaml"
run 2 compare --workload "$tmp/w.jsonl" --policies "$policies/fgd.yaml,$tmp/bad.yaml" --out "$tmp/r0"
expect_err "policy $tmp/bad.yaml: "
run 2 compare --workload "$tmp/w.jsonl" --policies "$policies/fgd.yaml,$tmp/absent.yaml" --out "$tmp/r0"
expect_err "policy $tmp/absent.yaml"
printf '%s\n' 'apiVersion: kubescheduler.config.k8s.io/v1' 'kind: KubeSchedulerConfiguration' \
  'profiles:' '  - schedulerName: default-scheduler' '    plugins:' '      score:' \
  '        enabled:' '          - name: NoSuchPlugin' >"$tmp/typo.yaml"
run 2 compare --workload "$tmp/w.jsonl" --policies "$tmp/typo.yaml" --out "$tmp/r0"
expect_err "policy $tmp/typo.yaml: .*no plugin named NoSuchPlugin"
mkdir -p "$tmp/other" && cp "$policies/fgd.yaml" "$tmp/other/fgd.yaml"
run 2 compare --workload "$tmp/w.jsonl" --policies "$policies/fgd.yaml,$tmp/other/fgd.yaml" --out "$tmp/r0"
expect_err "two files are named fgd"
run 2 compare --workload "$tmp/w.jsonl" --policies "$two" --out "$tmp/r0" --seeds 0
expect_err "--seeds must be 1..100"
run 2 compare --workload "$tmp/w.jsonl" --policies "$two" --out "$tmp/r0" --seeds 101
run 2 compare --workload "$tmp/w.jsonl" --policies "$two" --out "$tmp/r0" --duration soon
expect_err "--duration"
[[ -e "$tmp/r0" ]] && fail "a refused compare created its --out folder"
mkdir -p "$tmp/busy" && touch "$tmp/busy/keep"
run 2 compare --workload "$tmp/w.jsonl" --policies "$two" --out "$tmp/busy"
expect_err "is not empty (use --force"

"$craton" research compare --workload "$tmp/w.jsonl" --policies "$two" --out "$tmp/r1" \
  --seeds 2 --duration 300s >"$tmp/out" 2>"$tmp/err"
got=$?
if grep -q "research runs are not in this build yet" "$tmp/err"; then
  [[ $got == 1 ]] || fail "the stand-in run exited $got, want 1"
  echo "compare's runs are the stand-in: end-to-end part not run"
else
  [[ $got == 0 ]] || fail "compare exited $got: $(cat "$tmp/err")"
  for f in summary.json summary.csv run.json cost.json index.html charts/allocation_gpu.svg \
    charts/pending_cdf.svg charts/summary.svg charts/unallocated_gpu_vs_demand.svg \
    fgd/timeseries.csv fgd/pods.csv \
    most-allocated/timeseries.csv most-allocated/pods.csv; do
    [[ -s "$tmp/r1/$f" ]] || fail "missing or empty $f"
  done
  python3 - "$tmp/r1/summary.json" <<'PY' || fail "summary.json: wrong policies or seeds"
import json, sys
doc = json.load(open(sys.argv[1]))
names = [p["policy"] for p in doc["policies"]]
assert names == ["fgd", "most-allocated"], names
for p in doc["policies"]:
    assert p["seeds"] == [1, 2], p["seeds"]
    assert p["pods_bound"] + 0 >= 0 and "pending_p99_s" in p and "gpu_allocation_ratio" in p
PY
  cp -r "$tmp/r1" "$tmp/first"
  "$craton" research compare --workload "$tmp/w.jsonl" --policies "$two" --out "$tmp/r1" \
    --seeds 2 --duration 300s --force >/dev/null 2>"$tmp/err" || fail "second compare failed"
  diff -r -x cost.json "$tmp/first" "$tmp/r1" >/dev/null || fail "same inputs, different files"
fi

finish research_compare_cli
