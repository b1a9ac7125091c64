// PrioritySort: the queue's order.
#include "actors/scheduler/plugins/priority_sort.hpp"

namespace craton::scheduler {

bool PrioritySort::less(const QueuedPodInfo& a, const QueuedPodInfo& b) const {
  if (a.pod->priority != b.pod->priority) return a.pod->priority > b.pod->priority;
  return a.timestamp_ms < b.timestamp_ms;
}

Result<std::unique_ptr<Plugin>> make_priority_sort(const PluginContext&) {
  return std::unique_ptr<Plugin>(new PrioritySort());
}

}  // namespace craton::scheduler
