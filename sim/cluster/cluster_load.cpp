// A cluster run's load counts (see the header).
#include "sim/cluster/cluster_load.hpp"

#include <unordered_set>

namespace craton::sim {

void add_load_counts(const RunHistory& history, int replicas, CheckResult& result) {
  std::int64_t submitted_ms = 0, all_started_ms = 0;
  std::unordered_set<std::string> started;
  const PodsView* latest = nullptr;
  for (const auto& o : history.observations) {
    if (const auto* t = std::get_if<TextEvent>(&o.event)) {
      if (submitted_ms == 0 && t->text.rfind("deployer ", 0) == 0 &&
          (t->text.find(" create 201") != std::string::npos ||
           t->text.find(" create 409") != std::string::npos))
        submitted_ms = o.time_ms;
    } else if (const auto* c = std::get_if<ContainerEvent>(&o.event)) {
      if (c->kind == ContainerEvent::Kind::start && started.insert(c->pod_uid).second &&
          started.size() == std::size_t(replicas))
        all_started_ms = o.time_ms;
    } else if (const auto* v = std::get_if<PodsView>(&o.event)) {
      latest = v;  // observations are in time order
    }
  }
  std::uint64_t bound = 0, running = 0;
  if (latest)
    for (const auto& [uid, p] : latest->pods) {
      if (p.node.empty() || p.terminating) continue;
      ++bound;
      if (p.phase == "Running" && p.ready) ++running;
    }
  result.counts["submitted_ms"] = std::uint64_t(submitted_ms);
  result.counts["pods_started"] = started.size();
  result.counts["all_started_ms"] = std::uint64_t(all_started_ms);
  if (submitted_ms > 0 && all_started_ms >= submitted_ms)
    result.counts["submit_to_running_ms"] = std::uint64_t(all_started_ms - submitted_ms);
  result.counts["pods_bound_end"] = bound;
  result.counts["pods_running_end"] = running;
}

}  // namespace craton::sim
