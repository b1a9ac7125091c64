#!/usr/bin/env bash
# `craton research import|synth` end to end: synth is deterministic across processes (same
# bytes, same hash), an import prints its one-line summary and writes a workload whose header
# names the trace, a malformed row is reported with file and line and skipped (or, with
# --strict, exit 1 and no file), and bad usage exits 2 writing nothing.
set -uo pipefail
craton="$1"
traces="$2"
source "$(dirname "$0")/research_cli_checks.sh"

run 0 synth --nodes 10 --pods 500 --seed 9 --node-gpus 4 --out "$tmp/a.jsonl"
summary_a="$(cat "$tmp/out")"
[[ "$summary_a" =~ ^wrote\ .*a.jsonl:\ nodes\ 10,\ pods\ 500,\ events\ 0,\ skipped\ rows\ 0,\ hash\ sha256:[0-9a-f]{64}$ ]] ||
  fail "synth summary is '$summary_a'"
run 0 synth --nodes 10 --pods 500 --seed 9 --node-gpus 4 --out "$tmp/b.jsonl"
cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl" || fail "same seed, different bytes"
[[ "${summary_a##* hash }" == "$(sed 's/.* hash //' "$tmp/out")" ]] || fail "same seed, other hash"
run 0 synth --nodes 10 --pods 500 --seed 10 --node-gpus 4 --out "$tmp/c.jsonl"
cmp -s "$tmp/a.jsonl" "$tmp/c.jsonl" && fail "another seed, same bytes"
[[ "$(wc -l <"$tmp/a.jsonl")" == 511 ]] || fail "synth wrote $(wc -l <"$tmp/a.jsonl") lines, want 511"

# check reads a workload back: the same counts and hash as the writer printed.
run 0 check "$tmp/a.jsonl"
[[ "$(sed 's/.* hash //' "$tmp/out")" == "${summary_a##* hash }" ]] || fail "check's hash differs"
grep -q 'nodes 10, pods 500, events 0' "$tmp/out" || fail "check: $(cat "$tmp/out")"
sed '13s/"submit_ms"/"submitted"/' "$tmp/a.jsonl" >"$tmp/bad.jsonl"
run 1 check "$tmp/bad.jsonl"
grep -q 'bad.jsonl:13: Pod: missing field submit_ms' "$tmp/err" || fail "check did not name line 13: $(cat "$tmp/err")"
gpu="$traces/alibaba-gpu-v2023"
run 0 import --format alibaba-gpu-2023 --out "$tmp/gpu.jsonl" \
  "$gpu/openb_node_list_gpu_node.csv" "$gpu/openb_pod_list_default.csv"
grep -q '^wrote .*gpu.jsonl: nodes 1213, pods 8152, events 0, skipped rows 0, hash sha256:' \
  "$tmp/out" || fail "gpu import summary: $(cat "$tmp/out")"
head -n 1 "$tmp/gpu.jsonl" | grep -q '"source":"alibaba-gpu-2023"' || fail "header lacks source"
head -n 1 "$tmp/gpu.jsonl" | grep -q '"version":1' || fail "header lacks version"
grep -q '"name":"openb-pod-0001"' "$tmp/gpu.jsonl" || fail "pod openb-pod-0001 missing"

# A malformed row (line 4 of a copy): skipped and named, or refused with --strict.
sed '4s/.*/bad,row/' "$gpu/openb_pod_list_default.csv" >"$tmp/openb_pod_list_bad.csv"
run 0 import --format alibaba-gpu-2023 --out "$tmp/skip.jsonl" \
  "$gpu/openb_node_list_gpu_node.csv" "$tmp/openb_pod_list_bad.csv"
grep -q 'pods 8151, events 0, skipped rows 1' "$tmp/out" || fail "skip summary: $(cat "$tmp/out")"
grep -q 'openb_pod_list_bad.csv:4: 2 fields, want 11' "$tmp/err" || fail "no line 4 report"
run 1 import --format alibaba-gpu-2023 --strict --out "$tmp/strict.jsonl" \
  "$gpu/openb_node_list_gpu_node.csv" "$tmp/openb_pod_list_bad.csv"
grep -q 'openb_pod_list_bad.csv:4:' "$tmp/err" || fail "--strict did not name line 4"
[[ -e "$tmp/strict.jsonl" || -e "$tmp/strict.jsonl.tmp" ]] && fail "--strict left a file"

# The gzip Google sample with a small generated cluster and the first 1,000 pods.
run 0 import --format google-2011 --nodes 5 --machine-cpu 16000 --max-pods 1000 \
  --out "$tmp/g.jsonl" "$traces/google-2011/task_events/part-00000-of-00500.csv.gz"
grep -q 'nodes 5, pods 1000, events 0, skipped rows 0' "$tmp/out" || fail "google: $(cat "$tmp/out")"
grep -q '"cpu_milli":16000' "$tmp/g.jsonl" || fail "google nodes ignore --machine-cpu"

for args in "import --format nope --out $tmp/x.jsonl $gpu/openb_node_list_gpu_node.csv" \
    "import --format google-2011 --out $tmp/x.jsonl $gpu/openb_node_list_gpu_node.csv" \
    "import --format google-2011 --out $tmp/x.jsonl $tmp/missing.csv" \
    "synth --nodes 0 --pods 1 --seed 1 --out $tmp/x.jsonl" \
    "synth --nodes 1 --pods 1 --out $tmp/x.jsonl"; do
  run 2 $args
  [[ -e "$tmp/x.jsonl" ]] && fail "craton research $args wrote a file"
done

finish research_cli
