// The rollout checker (see the header).
#include "sim/controllers/rollout_checker.hpp"

#include <optional>
#include <set>
#include <tuple>

namespace craton::sim {
namespace {

std::string where(const Observation& o, const WorkloadSample& s) {
  return "t=" + std::to_string(o.time_ms) + " " + o.node + " " + s.workload + " @" +
         std::to_string(s.revision);
}

// One ReplicaSet's spec.replicas as the auditors saw it. Informers skip versions (a relist
// shows only the latest), so the most seen is the most it asked for only when no generation
// (bumped by every spec change) is missing from 1 to the newest seen, and only for pods that
// views at the same revision or later could account for.
struct AskedFor {
  int most = 0;
  std::set<std::int64_t> generations;
  std::int64_t newest_revision = 0;

  std::optional<int> bound_at(std::int64_t revision) const {
    bool every_generation = !generations.empty() && *generations.begin() == 1 &&
                            *generations.rbegin() == std::int64_t(generations.size());
    if (!every_generation || revision > newest_revision) return std::nullopt;
    return most;
  }
};

}  // namespace

CheckResult check_rollouts(const RunHistory& history, const RolloutBounds& bounds) {
  CheckResult result;
  // What every auditor's views show of each ReplicaSet's spec.replicas: the most it asked
  // for at the generations seen, which generations those were, and the newest revision.
  std::map<std::string, AskedFor> asked;
  for (const auto& o : history.observations)
    if (const auto* s = std::get_if<WorkloadSample>(&o.event))
      if (s->kind == WorkloadSample::Kind::replica_sets)
        for (const auto& [name, replicas] : s->counts) {
          auto& a = asked[name];
          a.most = std::max(a.most, replicas);
          auto generation = s->generations.find(name);
          if (generation != s->generations.end()) a.generations.insert(generation->second);
          a.newest_revision = std::max(a.newest_revision, s->revision);
        }

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
      auto it = asked.find(name);
      if (it == asked.end()) continue;
      if (auto most = it->second.bound_at(s->revision); most && pods > *most)
        result.fail(where(o, *s) + ": ReplicaSet " + name + " has " + std::to_string(pods) +
                    " active pods, but never asked for more than " + std::to_string(*most));
      else if (pods > bounds.replicas + bounds.max_surge)
        result.fail(where(o, *s) + ": ReplicaSet " + name + " has " + std::to_string(pods) +
                    " active pods, more than replicas + maxSurge = " +
                    std::to_string(bounds.replicas + bounds.max_surge));
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
