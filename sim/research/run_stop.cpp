// When a research run may end early (sim/research/run_stop.hpp).
#include "sim/research/run_stop.hpp"

#include <cmath>

namespace craton::research {

std::int64_t gpu_demand_milli(const workload::Pod& pod) {
  return std::int64_t{pod.num_gpu} * pod.gpu_milli;
}

std::int64_t gpu_capacity_milli(const std::vector<workload::Node>& nodes) {
  std::int64_t total = 0;
  for (const auto& n : nodes) total += std::int64_t{n.gpu_count} * 1000;
  return total;
}

std::optional<std::size_t> demand_cut(const std::vector<workload::Pod>& pods,
                                      std::int64_t capacity_milli, double fraction) {
  // Whole milli, rounded up: "reaches 100%" means the demand covers every GPU.
  auto target = std::int64_t(std::ceil(double(capacity_milli) * fraction));
  std::int64_t arrived = 0;
  for (std::size_t i = 0; i < pods.size(); ++i) {
    arrived += gpu_demand_milli(pods[i]);
    if (arrived >= target) return i + 1;
  }
  return std::nullopt;
}

RunStop::RunStop(RunStopConfig config) : config_(std::move(config)) {
  for (const auto& name : config_.pods) seen_[name] = false;
}

void RunStop::on_view(const sim::PodsView& view) {
  new_view_ = true;
  bool open = false;  // a pod bound and unfinished, under the normal stop
  any_pending_ = false;
  for (const auto& [uid, p] : view.pods) {
    auto it = seen_.find(p.name);
    if (it == seen_.end()) continue;  // not the workload's
    if (!it->second) {
      it->second = true;
      ++seen_count_;
    }
    bool finished = p.phase == "Succeeded" || p.phase == "Failed";
    if (finished) continue;
    if (p.node.empty())
      any_pending_ = true;
    else if (!config_.bound_pods_settle)
      open = true;
  }
  open_ = open;
  settled_ = !open && seen_count_ == seen_.size();
}

void RunStop::give_up(const std::string& pod) {
  auto it = seen_.find(pod);
  if (it == seen_.end() || it->second) return;  // not the workload's, or created after all
  seen_.erase(it);
  settled_ = !open_ && seen_count_ == seen_.size();
}

bool RunStop::done(std::int64_t now_ms) {
  if (!reason_.empty()) return true;
  if (new_view_) {
    new_view_ = false;
    last_view_ms_ = now_ms;
  }
  if (!settled_ || now_ms < config_.last_arrival_ms) return false;
  if (any_pending_ && now_ms - last_view_ms_ < config_.quiet_ms) return false;
  reason_ = config_.bound_pods_settle ? "gpu-demand" : any_pending_ ? "unschedulable" : "finished";
  return true;
}

}  // namespace craton::research
