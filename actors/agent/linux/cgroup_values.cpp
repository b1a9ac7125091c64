// cgroup_values.hpp: cpu shares, quota and weight.
#include "actors/agent/linux/cgroup_values.hpp"

#include <algorithm>

namespace craton::agent::linux_driver {

std::int64_t cpu_shares_for(std::int64_t cpu_request_milli) {
  if (cpu_request_milli <= 0) return kCpuSharesMin;
  return std::clamp(cpu_request_milli * 1024 / 1000, kCpuSharesMin, kCpuSharesMax);
}

std::int64_t cpu_quota_us_for(std::int64_t cpu_limit_milli) {
  if (cpu_limit_milli <= 0) return -1;
  return std::max(cpu_limit_milli * kCpuPeriodUs / 1000, kCpuQuotaUsMin);
}

std::int64_t cpu_weight_for_shares(std::int64_t shares) {
  shares = std::clamp(shares, kCpuSharesMin, kCpuSharesMax);
  return 1 + ((shares - 2) * 9999) / 262142;
}

}  // namespace craton::agent::linux_driver
