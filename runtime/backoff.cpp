#include "runtime/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace craton {

namespace {
constexpr std::int64_t kBackoffMsMax = 3600 * 1000;  // an hour: longer is surely a typo
}

Status validate_backoff_policy(const BackoffPolicy& p) {
  if (p.initial_ms < 1) return Error{"bad_backoff", "backoff initial delay must be >= 1 ms"};
  if (p.max_ms < p.initial_ms)
    return Error{"bad_backoff", "backoff maximum must be >= its initial delay"};
  if (p.max_ms > kBackoffMsMax) return Error{"bad_backoff", "backoff maximum must be <= 1 hour"};
  if (!(p.multiplier >= 1.0 && p.multiplier <= 16.0))
    return Error{"bad_backoff", "backoff multiplier must be in [1, 16]"};
  if (!(p.jitter >= 0.0 && p.jitter <= 1.0))
    return Error{"bad_backoff", "backoff jitter must be in [0, 1]"};
  return Ok{};
}

Backoff::Backoff(BackoffPolicy policy) : policy_(policy), base_ms_(double(policy.initial_ms)) {
  if (auto s = validate_backoff_policy(policy_); !s) throw std::invalid_argument(s.error().message);
}

std::int64_t Backoff::next_delay_ms(Rng& rng) {
  double taken_off = base_ms_ * policy_.jitter * rng.unit();
  auto delay = static_cast<std::int64_t>(std::llround(base_ms_ - taken_off));
  base_ms_ = std::min(base_ms_ * policy_.multiplier, double(policy_.max_ms));
  if (attempts_ < UINT32_MAX) ++attempts_;
  return std::clamp<std::int64_t>(delay, 1, policy_.max_ms);
}

void Backoff::reset() {
  base_ms_ = double(policy_.initial_ms);
  attempts_ = 0;
}

}  // namespace craton
