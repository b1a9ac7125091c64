// AllRunningStop (see the header).
#include "sim/cluster/all_running_stop.hpp"

namespace craton::sim {

void AllRunningStop::on_view(const PodsView& view) {
  if (done_ || view.revision < revision_) return;
  revision_ = view.revision;
  std::size_t running = 0, live = 0;
  for (const auto& [uid, pod] : view.pods) {
    if (pod.terminating) continue;
    ++live;
    if (!pod.node.empty() && pod.phase == "Running" && pod.ready) ++running;
  }
  running_ = running;
  // Exactly the replicas: a surplus pod (a ReplicaSet overshoot) is not a settled rollout.
  done_ = running == replicas_ && live == replicas_;
}

}  // namespace craton::sim
