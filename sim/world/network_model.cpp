#include "sim/world/network_model.hpp"

#include <algorithm>
#include <cmath>

namespace craton::sim {

NetworkModel::NetworkModel(NetworkConfig config, std::uint64_t seed)
    : config_(config), rng_(seed) {}

NetworkDecision NetworkModel::decide(const std::string& from, const std::string& to,
                                     std::chrono::nanoseconds now) {
  NetworkDecision d;
  d.drop_reason = blocked(from, to);
  if (!d.delivered()) return d;
  if (rng_.chance(config_.loss)) {
    d.drop_reason = "loss";
    return d;
  }
  // In send order on the link: a later message may arrive with an earlier one, never before
  // it. The clamped delay stays within the distribution's bound, since the previous delivery
  // was at most that bound after an earlier (or the same) now.
  auto& previous = link_delivery_[{from, to}];
  auto in_order = [&](std::int64_t delay_ms) {
    previous = std::max(previous, now + std::chrono::milliseconds(delay_ms));
    return previous - now;
  };
  d.delays.push_back(in_order(draw_latency()));
  if (rng_.chance(config_.duplicate)) d.delays.push_back(in_order(draw_latency()));
  return d;
}

void NetworkModel::partition(const std::vector<std::vector<std::string>>& groups) {
  group_.clear();
  for (std::size_t g = 0; g < groups.size(); ++g)
    for (const auto& node : groups[g]) group_[node] = static_cast<int>(g);
}

void NetworkModel::block_oneway(const std::string& from, const std::string& to) {
  oneway_.insert({from, to});
}

void NetworkModel::heal() {
  group_.clear();
  oneway_.clear();
}

std::string NetworkModel::blocked(const std::string& from, const std::string& to) const {
  if (!group_.empty() && group_of(from) != group_of(to)) return "partition";
  if (oneway_.count({from, to})) return "oneway";
  return "";
}

int NetworkModel::group_of(const std::string& node) const {
  auto it = group_.find(node);
  return it == group_.end() ? -1 : it->second;
}

std::int64_t NetworkModel::draw_latency() {
  const auto& l = config_.latency;
  const std::int64_t lo = std::max<std::int64_t>(0, l.min_ms);
  const std::int64_t hi = std::max(lo, l.max_ms);
  if (l.kind == LatencyDistribution::Kind::uniform)
    return static_cast<std::int64_t>(rng_.uniform(lo, hi));
  // Exponential by inversion; 1 - unit() lies in (0, 1], so the log is finite.
  double x =
      -std::log(1.0 - rng_.unit()) * static_cast<double>(std::max<std::int64_t>(1, l.mean_ms));
  return std::min(hi, lo + static_cast<std::int64_t>(x));
}

}  // namespace craton::sim
