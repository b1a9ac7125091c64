#!/usr/bin/env bash
# Whole-cluster scale: `craton sim --scenario cluster` with N nodes (3 control-plane nodes with
# the store replicas, API, controller manager and scheduler; N-3 workers running the real node
# agent over the fake driver) and 30 pods per worker in one Deployment whose containers run
# until the end, no faults. By default the run ends as soon as every pod is bound, Running and
# Ready (--stop-when-running; DURATION is then only the upper bound; STOP_WHEN_RUNNING=0 runs
# the whole DURATION). Prints per size: wall time, simulated time, simulated-to-wall
# ratio, events/s, peak RSS, pods bound/running at the end, and the simulated time from the
# Deployment's submission to its last pod's container started.
#
#   bench/sim_scale.sh [NODES...]          (default: 1000 5000)
#   CRATON=./build/craton DURATION=300s PODS_PER_WORKER=30 AUDIT_EVERY=10s AGENT_TICK=1s SEED=1 \
#     STOP_WHEN_RUNNING=1 DISK_COMMIT=1ms bench/sim_scale.sh 100
#
# Simulator-only options in force (docs/simulator.md; production is unchanged):
#   --audit-every AUDIT_EVERY: the pods auditors (the checker's eyes) list every pod once per
#   AUDIT_EVERY of simulated time instead of after every change (a list per change is
#   quadratic in pods). The checks stay on.
#   --agent-tick AGENT_TICK (default 1s): the fake nodes' agents tick every AGENT_TICK instead
#   of 100 ms (a tick is a step on every worker; the agent's periodic work is due in seconds).
#   --control-plane CONTROL_PLANE (when set, 1 or 3): how many nodes are the control plane;
#   unset, the scenario's rule (3). 1 is one craton server without --peers: one store replica,
#   API, scheduler and controller manager instead of three of each.
#   --disk-commit DISK_COMMIT (default 1ms; 0ms: an instant disk): each store replica's commit
#   takes that long and the writes arriving meanwhile join it, as a real fsync batches them.
#   An instant disk commits each write alone: a whole cluster's writes cost a commit each.
#   --deployments DEPLOYMENTS (when set): the pods in that many Deployments instead of one (a
#   ReplicaSet's sync reads all its pods: one of 150,000 is quadratic over a run).
# Wall time and peak RSS come from /usr/bin/time (outside the simulated world). Not a test: it
# never fails on a slow figure; a run whose checks fail is reported as such.
set -euo pipefail

craton="${CRATON:-./build/craton}"
duration="${DURATION:-300s}"
per_worker="${PODS_PER_WORKER:-30}"
audit_every="${AUDIT_EVERY:-10s}"
agent_tick="${AGENT_TICK:-1s}"
disk_commit="${DISK_COMMIT:-1ms}"
seed="${SEED:-1}"
control_plane="${CONTROL_PLANE:-}"
cp_flag=()
[[ -z "$control_plane" ]] || cp_flag=(--control-plane "$control_plane")
[[ -z "${DEPLOYMENTS:-}" ]] || cp_flag+=(--deployments "$DEPLOYMENTS")
stop_flag=()
[[ "${STOP_WHEN_RUNNING:-1}" == 0 ]] || stop_flag=(--stop-when-running)
if [[ ! -x "$craton" ]]; then
  echo "sim_scale: no craton binary at '$craton' (build first, or set CRATON)" >&2
  exit 2
fi
[[ -x /usr/bin/time ]] || { echo "sim_scale: needs GNU time at /usr/bin/time" >&2; exit 2; }
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(1000 5000)

field() {  # field NAME JSON -> the number after "NAME":
  sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$2"
}

echo "sim_scale: simulator-only options in force: --audit-every $audit_every --agent-tick $agent_tick --disk-commit $disk_commit ${stop_flag[*]} ${cp_flag[*]}; faults none, seed $seed"
for nodes in "${sizes[@]}"; do
  if [[ -n "$control_plane" ]]; then
    workers=$((nodes - control_plane))
  else
    workers=$((nodes > 4 ? nodes - 3 : nodes - 1))
  fi
  pods=$((workers * per_worker))
  tmp="$(mktemp -d)"
  set +e
  /usr/bin/time -f '%M %e %U %S' -o "$tmp/time" "$craton" sim --scenario cluster --seed "$seed" \
    --nodes "$nodes" --pods "$pods" --audit-every "$audit_every" --agent-tick "$agent_tick" \
    --disk-commit "$disk_commit" --duration "$duration" "${stop_flag[@]}" "${cp_flag[@]}" \
    --faults none --json >"$tmp/out.json" 2>"$tmp/err"
  rc=$?
  set -e
  json="$(tail -1 "$tmp/out.json")"
  # GNU time puts "Command exited with non-zero status N" first when the run fails.
  read -r rss_kb wall_s user_s sys_s < <(tail -1 "$tmp/time") || true
  rm -rf "$tmp"
  check=$([[ $rc -eq 0 ]] && echo ok || echo "FAILED(rc=$rc)")
  awk -v n="$nodes" -v p="$pods" -v w="$(field wall_ms "$json")" -v sim="$(field simulated_ms "$json")" \
      -v e="$(field events "$json")" -v rss="${rss_kb:-0}" -v u="${user_s:-0}" -v k="${sys_s:-0}" \
      -v b="$(field pods_bound_end "$json")" -v r="$(field pods_running_end "$json")" \
      -v st="$(field pods_started "$json")" -v t="$(field submit_to_running_ms "$json")" \
      -v stopped="$(field stopped_when_running "$json")" \
      -v c="$check" 'BEGIN {
    w = (w > 0 ? w : 1);
    printf "nodes=%-5d pods=%-6d wall_s=%.1f simulated_s=%.0f sim_per_wall=%.2f events=%d events_per_wall_s=%.0f cpu_s=%.1f peak_rss_mib=%.0f bound_end=%d running_end=%d started=%d submit_to_all_running_s=%s stopped_when_running=%s check=%s\n",
      n, p, w / 1000, sim / 1000, sim / w, e, e * 1000 / w, u + k, rss / 1024, b, r, st,
      (t == "" ? "never" : sprintf("%.1f", t / 1000)), (stopped == "" ? "-" : stopped), c }'
done
