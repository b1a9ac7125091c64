#include "actors/detector/core.hpp"
#include "runtime/assert.hpp"

#include <algorithm>

namespace craton::detector {

WatchPlan ring_plan(const std::vector<std::string>& nodes, const std::string& self, std::size_t k) {
  WatchPlan plan;
  auto it = std::find(nodes.begin(), nodes.end(), self);
  if (it == nodes.end() || nodes.size() < 2) return plan;
  const std::size_t n = nodes.size();
  const std::size_t i = static_cast<std::size_t>(it - nodes.begin());
  k = std::min(k, n - 1);
  for (std::size_t d = 1; d <= k; ++d) {
    plan.watch.push_back(nodes[(i + d) % n]);
    plan.send_to.push_back(nodes[(i + n - d) % n]);
  }
  return plan;
}

std::size_t default_watchers(std::size_t nodes) {
  return nodes == 0 ? 0 : std::min<std::size_t>(nodes - 1, 4);
}

FailureDetector::FailureDetector(WatchPlan plan, DetectorConfig config, std::int64_t start_ms)
    : plan_(std::move(plan)), config_(config) {
  CRATON_ASSERT(config_.heartbeat_interval_ms > 0 && config_.suspect_timeout_ms > 0,
                "intervals are positive");
  for (const auto& peer : plan_.watch) peers_[peer] = PeerState{start_ms, 0, false};
  CRATON_ASSERT(peers_.size() == plan_.watch.size(), "one watch entry per peer");
}

TickOutput FailureDetector::tick(std::int64_t now_ms) {
  TickOutput out;
  out.heartbeats_to = plan_.send_to;
  for (auto& [peer, st] : peers_) {
    if (!st.suspected && now_ms - st.last_heard_ms > config_.suspect_timeout_ms) {
      st.suspected = true;
      out.transitions.push_back(Transition{peer, true});
    }
  }
  return out;
}

std::optional<Transition> FailureDetector::on_heartbeat(const std::string& from,
                                                        std::uint64_t incarnation,
                                                        std::int64_t now_ms) {
  auto it = peers_.find(from);
  if (it == peers_.end() || incarnation < it->second.incarnation) {
    ++ignored_;
    return std::nullopt;
  }
  auto& st = it->second;
  st.incarnation = incarnation;
  st.last_heard_ms = std::max(st.last_heard_ms, now_ms);
  if (!st.suspected) return std::nullopt;
  st.suspected = false;
  return Transition{from, false};
}

bool FailureDetector::suspects(const std::string& peer) const {
  auto it = peers_.find(peer);
  return it != peers_.end() && it->second.suspected;
}

}  // namespace craton::detector
