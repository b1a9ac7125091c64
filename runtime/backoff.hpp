// Backoff: how long to wait before the next reconnect attempt.
//
// Bounded exponential backoff with jitter. The first delay is about `initial_ms`; each failed
// attempt multiplies the base by `multiplier` up to `max_ms`; success calls reset(). Jitter
// spreads reconnecting peers apart so that a restarted node is not hit by every link at once:
// each delay is drawn uniformly from [base * (1 - jitter), base]. The randomness comes from
// the caller's Rng (seeded, so the simulator replays it). Pure: no clock, no CAF.
//
// Promise: every delay lies in [max(1, initial_ms * (1 - jitter)), max_ms], whatever the
// number of attempts (no overflow: the base stops growing at max_ms).
#pragma once

#include <cstdint>

#include "runtime/result.hpp"
#include "runtime/rng.hpp"

namespace craton {

struct BackoffPolicy {
  std::int64_t initial_ms = 100;
  std::int64_t max_ms = 5000;
  double multiplier = 2.0;
  double jitter = 0.2;  ///< fraction of the base that may be taken off, in [0, 1]
};

/// Checks a policy given from outside (flags, config): initial_ms >= 1, max_ms >= initial_ms,
/// max_ms <= one hour, multiplier in [1, 16], jitter in [0, 1].
Status validate_backoff_policy(const BackoffPolicy& policy);

class Backoff {
 public:
  /// Precondition: validate_backoff_policy(policy) is ok (throws std::invalid_argument if not:
  /// a bad policy is a programming error once input has been validated).
  explicit Backoff(BackoffPolicy policy);

  /// The delay before the next attempt; the base grows for the attempt after.
  std::int64_t next_delay_ms(Rng& rng);

  /// Call on success: the next delay starts again from initial_ms.
  void reset();

  /// Delays handed out since the last reset.
  std::uint32_t attempts() const { return attempts_; }

 private:
  BackoffPolicy policy_;
  double base_ms_;
  std::uint32_t attempts_ = 0;
};

}  // namespace craton
