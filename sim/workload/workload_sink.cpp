// WorkloadOrder: the file order's rules (workload_sink.hpp).
#include "sim/workload/workload_sink.hpp"

namespace craton::workload {
namespace {

Error out_of_order(const std::string& what) {
  return Error{"out_of_order", what};
}

}  // namespace

Status WorkloadOrder::check(const WorkloadRecord& record) {
  if (const auto* node = std::get_if<Node>(&record)) {
    if (past_nodes_)
      return out_of_order("Node " + node->name + " after the first Pod or NodeEvent");
    if (!node_names_.insert(node->name).second)
      return out_of_order("Node " + node->name + " appears twice");
    ++counts_.nodes;
    return Ok{};
  }
  past_nodes_ = true;
  const auto* pod = std::get_if<Pod>(&record);
  const auto* event = std::get_if<NodeEvent>(&record);
  std::int64_t time_ms = pod ? pod->submit_ms : event->time_ms;
  std::string what = pod ? "Pod " + pod->name : "NodeEvent for " + event->node;
  if (time_ms < last_time_ms_)
    return out_of_order(what + " at " + std::to_string(time_ms) + " ms comes after " +
                        std::to_string(last_time_ms_) + " ms");
  if (event && !node_names_.contains(event->node)) return out_of_order(what + ": no such Node");
  last_time_ms_ = time_ms;
  ++(pod ? counts_.pods : counts_.node_events);
  return Ok{};
}

}  // namespace craton::workload
