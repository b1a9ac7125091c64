// PrioritySort (QueueSort): higher spec.priority first; equal priorities in the order they
// entered the queue (earlier timestamp first), as Kubernetes' queuesort plugin.
#pragma once

#include <memory>

#include "actors/scheduler/framework/registry.hpp"

namespace craton::scheduler {

class PrioritySort final : public QueueSortPlugin {
 public:
  static constexpr std::string_view kName = "PrioritySort";
  std::string_view name() const override { return kName; }
  bool less(const QueuedPodInfo& a, const QueuedPodInfo& b) const override;
};

Result<std::unique_ptr<Plugin>> make_priority_sort(const PluginContext& context);

}  // namespace craton::scheduler
