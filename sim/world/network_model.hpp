// NetworkModel: the pure decision-maker behind SimNetwork (no CAF).
//
// For each message from one node to another it decides, from its own seeded Rng and the
// current fault state, whether the message is dropped (and why) or delivered, after which
// latency, and whether it is duplicated. Each copy draws its own latency, but the messages of
// one link (from, to) arrive in send order, as over production's TCP connections: a copy is
// delivered at max(now + drawn latency, the link's previous delivery), so it never overtakes
// an earlier message of its link (messages of different links still interleave freely). Times
// are kept at the simulated clock's precision (nanoseconds): node clocks drift, so messages are
// sent between whole milliseconds, and a clamp in whole milliseconds let a message sent later
// in the same millisecond overtake an earlier one (seed 57 of the cluster scenario). Loss
// drops a message silently, which TCP never does: scenarios that model production (the cluster
// scenario) break links with short partitions instead (the peer sees the link down).
// Faults: loss and duplication probabilities, latency distribution, symmetric partitions
// (groups that cannot reach each other) and one-way blocks; heal() clears partitions and
// blocks. Same seed and same sequence of calls: same decisions.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "runtime/rng.hpp"

namespace craton::sim {

struct LatencyDistribution {
  enum class Kind { uniform, exponential };
  Kind kind = Kind::uniform;
  std::int64_t min_ms = 1;    ///< uniform: lower bound; exponential: added offset
  std::int64_t max_ms = 50;   ///< upper bound for both kinds (the exponential is capped)
  std::int64_t mean_ms = 10;  ///< exponential only: mean of the random part
};

struct NetworkConfig {
  LatencyDistribution latency;
  double loss = 0.0;       ///< probability that a message is lost
  double duplicate = 0.0;  ///< probability that a delivered message arrives twice
};

/// What happens to one message.
struct NetworkDecision {
  std::string drop_reason;  ///< empty if delivered: "partition", "oneway", "loss"
  /// One entry per copy delivered (2 when duplicated), from the send.
  std::vector<std::chrono::nanoseconds> delays;
  bool delivered() const { return drop_reason.empty(); }
};

class NetworkModel {
 public:
  NetworkModel(NetworkConfig config, std::uint64_t seed);

  /// What happens to a message sent from `from` to `to` at `now` (simulated time, at the
  /// clock's full precision); the delays are relative to now and keep the link's send order.
  NetworkDecision decide(const std::string& from, const std::string& to,
                         std::chrono::nanoseconds now);

  /// Replaces any previous partition. Nodes in different groups cannot reach each other;
  /// nodes listed in no group form one more group together.
  void partition(const std::vector<std::vector<std::string>>& groups);
  /// Messages from `from` to `to` are dropped (the other direction is unaffected).
  void block_oneway(const std::string& from, const std::string& to);
  /// Clears partitions and one-way blocks (loss, duplication and latency stay as set).
  void heal();
  void set_loss(double p) { config_.loss = p; }
  void set_duplicate(double p) { config_.duplicate = p; }
  void set_latency(const LatencyDistribution& d) { config_.latency = d; }

  /// Why a message from `from` to `to` would be blocked now ("" if it would not).
  std::string blocked(const std::string& from, const std::string& to) const;
  const NetworkConfig& config() const { return config_; }

 private:
  std::int64_t draw_latency();
  int group_of(const std::string& node) const;

  NetworkConfig config_;
  Rng rng_;
  std::map<std::string, int> group_;  // empty: no partition
  std::set<std::pair<std::string, std::string>> oneway_;
  /// Per link: when its latest delivered copy arrives (links that never carried a message
  /// have no entry).
  std::map<std::pair<std::string, std::string>, std::chrono::nanoseconds> link_delivery_;
};

}  // namespace craton::sim
