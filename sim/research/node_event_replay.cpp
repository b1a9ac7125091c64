// A workload's NodeEvents as world faults and Node deletions (sim/research/node_event_replay.hpp).
#include "sim/research/node_event_replay.hpp"

#include <map>

namespace craton::research {

Result<NodeEventPlan> plan_node_events(const std::vector<workload::NodeEvent>& events,
                                       const std::vector<workload::Node>& nodes,
                                       const std::vector<std::string>& worker_ids,
                                       std::int64_t start_ms, std::int64_t end_ms) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < nodes.size() && i < worker_ids.size(); ++i) index[nodes[i].name] = i;
  // A node whose first event is an add after t = 0 joins later: down from the start.
  std::map<std::string, bool> up;
  NodeEventPlan plan;
  auto fault = [&](std::int64_t at_ms, sim::Fault::Kind kind, std::size_t node) {
    sim::Fault f;
    f.at_ms = at_ms;
    f.kind = kind;
    f.nodes = {worker_ids[node]};
    plan.faults.push_back(std::move(f));
  };
  for (const auto& e : events) {
    auto it = index.find(e.node);
    if (it == index.end())
      return Error{"invalid", "node event at " + std::to_string(e.time_ms) + " ms names node " +
                                  e.node + ", not in the workload"};
    if (!up.count(e.node)) {
      bool joins = e.type == workload::NodeEventType::add && e.time_ms > 0;
      up[e.node] = !joins;
      if (joins) fault(0, sim::Fault::Kind::crash, it->second);
    }
  }
  for (const auto& e : events) {
    auto at = start_ms + e.time_ms;
    auto node = index.at(e.node);
    bool& is_up = up[e.node];
    bool stops =
        e.type == workload::NodeEventType::remove || e.type == workload::NodeEventType::hard_error;
    bool starts = e.type == workload::NodeEventType::add;
    if (starts && e.time_ms <= 0) {  // there from the start
      ++plan.initial;
      continue;
    }
    if (at >= end_ms || (!stops && !starts) || (starts && is_up) || (stops && !is_up)) {
      ++plan.ignored;
      continue;
    }
    fault(at, starts ? sim::Fault::Kind::restart : sim::Fault::Kind::crash, node);
    if (e.type == workload::NodeEventType::remove) plan.deletions.push_back({at, e.node});
    is_up = starts;
    ++plan.replayed;
    plan.last_ms = at;
  }
  return plan;
}

}  // namespace craton::research
