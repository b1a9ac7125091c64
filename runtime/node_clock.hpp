// NodeClock: how one node's clock reads against the actor clock (true time).
//
// Every node reads time through its clock (ActorEnv::now_ms) and sets timers through it
// (ActorEnv::timer): local time = anchor_local + rate * (true time - anchor_true). Production
// keeps the identity (rate 1, no offset). The simulator gives each node its own offset (skew,
// which may jump) and rate (drift), so that lease and timeout logic meets the clocks real
// machines have: a fast clock (rate > 1) reads later and fires its timers early.
//
// Plain data, no CAF: the world mutates it between actor steps; the node's actors only read.
#pragma once

#include <chrono>
#include <cstdint>

namespace craton {

class NodeClock {
 public:
  /// Rates outside this range are refused by the callers that set them (they are no clock).
  static constexpr double kRateMin = 0.5;
  static constexpr double kRateMax = 2.0;

  /// The node's time at true time `true_ms`.
  std::int64_t local_ms(std::int64_t true_ms) const;

  /// How long a timer of `local` node time lasts in true time (scaled by the current rate).
  std::chrono::nanoseconds true_duration(std::chrono::nanoseconds local) const;

  /// From `true_ms` on, the clock reads `delta_ms` later (earlier if negative): a step.
  void jump(std::int64_t true_ms, std::int64_t delta_ms);

  /// From `true_ms` on, the clock runs at `rate` (continuous: no step at `true_ms`).
  /// Precondition: kRateMin <= rate <= kRateMax.
  void set_rate(std::int64_t true_ms, double rate);

  double rate() const { return rate_; }

 private:
  std::int64_t anchor_true_ms_ = 0;
  std::int64_t anchor_local_ms_ = 0;
  double rate_ = 1.0;
};

}  // namespace craton
