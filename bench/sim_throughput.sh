#!/usr/bin/env bash
# Simulator throughput: simulated events per wall-clock second of `craton sim` (heartbeat
# scenario, random faults) at 100 and 1000 nodes. An "event" is one trace line (deliveries,
# drops, timers, faults, observations); "steps" are messages handled by actors.
#
#   bench/sim_throughput.sh [CRATON_BINARY] [SEED]
#
# Wall time is measured by `craton sim` around the run (not inside the simulation); on a
# shared machine it depends on load, so the script also prints the CPU seconds the process
# used. Not a test: it never fails on a slow figure.
set -euo pipefail

craton="${1:-./build/craton}"
seed="${2:-1}"
if [[ ! -x "$craton" ]]; then
  echo "sim_throughput: no craton binary at '$craton' (build first, or pass its path)" >&2
  exit 2
fi

field() {  # field NAME JSON -> the number after "NAME":
  sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$2"
}

run() {
  local nodes="$1" duration="$2" out cpu_file json wall events steps
  cpu_file="$(mktemp)"
  # The `time` keyword (GNU time is not always installed) reports the child's CPU seconds.
  TIMEFORMAT='%U %S'
  { time "$craton" sim --seed "$seed" --nodes "$nodes" --duration "$duration" --faults random \
      --json >"$cpu_file.json" ; } 2>"$cpu_file"
  json="$(cat "$cpu_file.json")"
  read -r user sys <"$cpu_file"
  rm -f "$cpu_file" "$cpu_file.json"
  wall="$(field wall_ms "$json")"
  events="$(field events "$json")"
  steps="$(field steps "$json")"
  awk -v n="$nodes" -v d="$duration" -v w="$wall" -v e="$events" -v s="$steps" \
      -v u="$user" -v k="$sys" 'BEGIN {
    w = (w > 0 ? w : 1); c = u + k; c = (c > 0 ? c : 0.001);
    printf "nodes=%-5d simulated=%-4s events=%-8d steps=%-8d wall_ms=%-6d events_per_wall_s=%.0f steps_per_wall_s=%.0f cpu_s=%.2f events_per_cpu_s=%.0f\n",
      n, d, e, s, w, e * 1000 / w, s * 1000 / w, c, e / c }'
}

run 100 60s
run 1000 20s
