// AllRunningStop: when a fault-free scale run of the cluster scenario may end (`craton sim
// --scenario cluster --stop-when-running`, bench/sim_scale.sh): as soon as a pods auditor's
// view shows every replica of the run's Deployment bound to a node, not marked for deletion,
// Running and Ready. The run then measures submission -> all running instead of simulating
// idle time up to --duration; the checker judges the history as at any end.
//
// Pure: no CAF, no clock. The cluster scenario feeds it the auditors' views (any auditor: they
// all read the API) and asks it from Scenario::done. A view older than one it already took is
// ignored (views carry the informer's resourceVersion), so a lagging auditor cannot undo a
// decision; once done it stays done.
#pragma once

#include <cstdint>

#include "sim/world/observation.hpp"

namespace craton::sim {

class AllRunningStop {
 public:
  /// `replicas`: the Deployment's pod count (at least 1).
  explicit AllRunningStop(std::size_t replicas) : replicas_(replicas) {}

  void on_view(const PodsView& view);
  bool done() const { return done_; }
  /// Pods bound, Running and Ready in the newest view taken (for reports and tests).
  std::size_t running() const { return running_; }

 private:
  std::size_t replicas_;
  std::int64_t revision_ = -1;
  std::size_t running_ = 0;
  bool done_ = false;
};

}  // namespace craton::sim
