// NodeClock: a node's local time as an affine function of true time.
#include "runtime/node_clock.hpp"

#include <cmath>

#include "runtime/assert.hpp"

namespace craton {

std::int64_t NodeClock::local_ms(std::int64_t true_ms) const {
  if (rate_ == 1.0) return anchor_local_ms_ + (true_ms - anchor_true_ms_);  // production: exact
  return anchor_local_ms_ + std::llround(rate_ * static_cast<double>(true_ms - anchor_true_ms_));
}

std::chrono::nanoseconds NodeClock::true_duration(std::chrono::nanoseconds local) const {
  if (rate_ == 1.0) return local;
  return std::chrono::nanoseconds(std::llround(static_cast<double>(local.count()) / rate_));
}

void NodeClock::jump(std::int64_t true_ms, std::int64_t delta_ms) {
  anchor_local_ms_ = local_ms(true_ms) + delta_ms;
  anchor_true_ms_ = true_ms;
}

void NodeClock::set_rate(std::int64_t true_ms, double rate) {
  CRATON_ASSERT(rate >= kRateMin && rate <= kRateMax, "clock rate out of range");
  anchor_local_ms_ = local_ms(true_ms);
  anchor_true_ms_ = true_ms;
  rate_ = rate;
}

}  // namespace craton
