#!/usr/bin/env bash
# Wall time, peak RSS and output size of each trace import and of `craton research check`
# on the shipped samples (docs/research.md). Figures go to the note, not to a test.
#
#   bench/research_import.sh [CRATON] [TRACES_DIR]
set -euo pipefail
craton="${1:-build/craton}"
traces="${2:-../shared/data/traces}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

measure() {  # measure NAME ARGS...: one line of figures
  local name="$1"; shift
  /usr/bin/time -f "%e %M" -o "$out/time" "$craton" research "$@" >"$out/stdout" 2>/dev/null
  read -r wall_s rss_kib <"$out/time"
  local file="$out/$name.jsonl" size="-"
  [[ -f "$file" ]] && size="$(du -m "$file" | cut -f1) MiB"
  printf '%-28s %7ss %6s MiB RSS  output %s  | %s\n' "$name" "$wall_s" "$((rss_kib / 1024))" \
    "$size" "$(cat "$out/stdout")"
}

g="$traces/google-2011"
a="$traces/alibaba-v2017"
p="$traces/alibaba-gpu-v2023"
measure google-2011 import --format google-2011 --out "$out/google-2011.jsonl" \
  "$g/task_events/part-00000-of-00500.csv.gz" "$g/job_events/part-00000-of-00500.csv.gz"
measure alibaba-gpu-2023 import --format alibaba-gpu-2023 --out "$out/alibaba-gpu-2023.jsonl" \
  "$p/openb_node_list_gpu_node.csv" "$p/openb_pod_list_default.csv"
measure alibaba-2017-150k import --format alibaba-2017 --max-pods 150000 \
  --out "$out/alibaba-2017-150k.jsonl" "$a/batch_task.csv" "$a/server_event.csv"
measure alibaba-2017-all import --format alibaba-2017 --out "$out/alibaba-2017-all.jsonl" \
  "$a/batch_task.csv" "$a/server_event.csv"
measure check-alibaba-2017-all check "$out/alibaba-2017-all.jsonl"
rm -f "$out/alibaba-2017-all.jsonl"
measure synth-5000x150000 synth --nodes 5000 --pods 150000 --seed 1 --rate 100 \
  --out "$out/synth-5000x150000.jsonl"
