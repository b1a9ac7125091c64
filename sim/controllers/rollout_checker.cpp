// The rollout checker (see the header).
#include "sim/controllers/rollout_checker.hpp"

#include <set>
#include <tuple>

namespace craton::sim {
namespace {

std::string where(const Observation& o, const WorkloadSample& s) {
  return "t=" + std::to_string(o.time_ms) + " " + o.node + " " + s.workload + " @" +
         std::to_string(s.revision);
}

}  // namespace

CheckResult check_rollouts(const RunHistory& history, const RolloutBounds& bounds) {
  CheckResult result;
  // The most each ReplicaSet ever asked for, over every auditor's view.
  std::map<std::string, int> most;
  for (const auto& o : history.observations)
    if (const auto* s = std::get_if<WorkloadSample>(&o.event))
      if (s->kind == WorkloadSample::Kind::replica_sets)
        for (const auto& [name, replicas] : s->counts) most[name] = std::max(most[name], replicas);

  using Stream =
      std::tuple<std::string, std::uint64_t, std::string>;  // node, incarnation, workload
  std::set<Stream> armed;
  std::map<Stream, std::pair<const Observation*, const WorkloadSample*>> last;
  std::map<std::string, std::set<std::string>> replica_sets;  // by workload
  std::uint64_t samples = 0;
  for (const auto& o : history.observations) {
    const auto* s = std::get_if<WorkloadSample>(&o.event);
    if (s == nullptr) continue;
    ++samples;
    if (s->kind == WorkloadSample::Kind::replica_sets) {
      int total = 0;
      for (const auto& [name, replicas] : s->counts) {
        total += replicas;
        replica_sets[s->workload].insert(name);
      }
      if (total > bounds.replicas + bounds.max_surge)
        result.fail(where(o, *s) + ": its ReplicaSets ask for " + std::to_string(total) +
                    " pods, more than replicas + maxSurge = " +
                    std::to_string(bounds.replicas + bounds.max_surge));
      continue;
    }
    for (const auto& [name, pods] : s->counts) {
      auto it = most.find(name);
      if (it != most.end() && pods > it->second)
        result.fail(where(o, *s) + ": ReplicaSet " + name + " has " + std::to_string(pods) +
                    " active pods, but never asked for more than " + std::to_string(it->second));
    }
    Stream stream{o.node, o.incarnation, s->workload};
    if (armed.count(stream) && s->ready < bounds.replicas - bounds.max_unavailable)
      result.fail(where(o, *s) + ": " + std::to_string(s->ready) +
                  " pods Ready, fewer than replicas - maxUnavailable = " +
                  std::to_string(bounds.replicas - bounds.max_unavailable));
    if (s->ready >= bounds.replicas) armed.insert(stream);
    last[stream] = {&o, s};
  }
  std::uint64_t converged = 0;
  for (const auto& [stream, seen] : last) {
    const auto& [node, incarnation, workload] = stream;
    auto state = history.final_state.find(node);
    if (state == history.final_state.end() || !state->second.up ||
        state->second.incarnation != incarnation)
      continue;  // that auditor is gone: its last view is not the end's
    const auto& s = *seen.second;
    int active = 0;
    for (const auto& [name, pods] : s.counts) active += pods;
    if (s.counts.size() != 1 || active != bounds.replicas || s.ready != bounds.replicas) {
      result.fail(where(*seen.first, s) + ": the rollout never completed: last seen " +
                  format_event(s));
      continue;
    }
    ++converged;
  }
  std::uint64_t rollouts = 0;
  for (const auto& [workload, names] : replica_sets) rollouts += names.size() - 1;
  result.counts["workload_samples"] = samples;
  result.counts["rollouts"] = rollouts;
  result.counts["converged_views"] = converged;
  return result;
}

}  // namespace craton::sim
