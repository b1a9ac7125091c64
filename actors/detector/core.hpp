// FailureDetector: the pure logic of heartbeat-based failure detection (no CAF, no I/O).
//
// A node sends heartbeats to a few peers and watches a few others. The caller drives it:
// `tick(now_ms)` returns the heartbeats to send now and the peers whose silence has just
// exceeded the timeout; `on_heartbeat(...)` records a heartbeat and may trust a suspected peer
// again. The detector starts by trusting every watched peer (as if each had just been heard
// from at construction time), so a checker that reads its transitions must assume "trusted"
// at the start of every incarnation.
//
// For large clusters heartbeats are not all-to-all: `ring_plan` makes node i watch its K ring
// successors and send to its K ring predecessors, so every node is watched by K peers and the
// message rate grows linearly with the cluster size.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace craton::detector {

struct DetectorConfig {
  std::int64_t heartbeat_interval_ms = 200;
  /// Silence longer than this makes a watched peer suspected. Several intervals, so that one
  /// or two lost heartbeats do not cause a false suspicion.
  std::int64_t suspect_timeout_ms = 1000;
};

/// Who a node sends heartbeats to and who it watches.
struct WatchPlan {
  std::vector<std::string> send_to;
  std::vector<std::string> watch;
};

/// Ring plan over `nodes` (in ring order): `self` watches its `k` successors and sends to its
/// `k` predecessors; k is clamped to nodes.size() - 1. Empty plan if `self` is not a member.
WatchPlan ring_plan(const std::vector<std::string>& nodes, const std::string& self, std::size_t k);

/// The default number of watchers per node: min(n - 1, 4).
std::size_t default_watchers(std::size_t nodes);

/// A change in the detector's opinion of one peer.
struct Transition {
  std::string peer;
  bool suspected = false;  ///< true: now suspected; false: trusted again
  bool operator==(const Transition&) const = default;
};

struct TickOutput {
  std::vector<std::string> heartbeats_to;  ///< send one Heartbeat to each of these now
  std::vector<Transition> transitions;     ///< peers that just became suspected
};

class FailureDetector {
 public:
  /// Preconditions: interval and timeout positive; `plan.watch` holds distinct peers.
  FailureDetector(WatchPlan plan, DetectorConfig config, std::int64_t start_ms);

  /// Called every heartbeat interval (the caller owns the timer).
  TickOutput tick(std::int64_t now_ms);

  /// A heartbeat from `from` in its life `incarnation`. Returns a transition when a suspected
  /// peer is trusted again. Heartbeats from peers we do not watch, or from an older
  /// incarnation than one already seen (a delayed message from a previous life), are ignored.
  std::optional<Transition> on_heartbeat(const std::string& from, std::uint64_t incarnation,
                                         std::int64_t now_ms);

  bool suspects(const std::string& peer) const;
  const WatchPlan& plan() const { return plan_; }
  const DetectorConfig& config() const { return config_; }
  std::uint64_t ignored_heartbeats() const { return ignored_; }

 private:
  struct PeerState {
    std::int64_t last_heard_ms = 0;
    std::uint64_t incarnation = 0;
    bool suspected = false;
  };

  WatchPlan plan_;
  DetectorConfig config_;
  std::map<std::string, PeerState> peers_;  // ordered: transitions come out in a stable order
  std::uint64_t ignored_ = 0;
};

}  // namespace craton::detector
