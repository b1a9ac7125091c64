// The numbers a container's resources become in its cgroup, as the kubelet and runc compute
// them: cpu.shares from the request (v1), cpu.weight converted from shares (v2, runc's
// formula), a CFS quota from the limit over a 100 ms period. Pure functions.
#pragma once

#include <cstdint>

namespace craton::agent::linux_driver {

inline constexpr std::int64_t kCpuPeriodUs = 100'000;   ///< kubelet's CFS period
inline constexpr std::int64_t kCpuSharesMin = 2;        ///< kernel minimum, kubelet's floor
inline constexpr std::int64_t kCpuSharesMax = 262'144;  ///< kernel maximum
inline constexpr std::int64_t kCpuQuotaUsMin = 1'000;   ///< kernel minimum quota (1 ms)

/// max(2, milli * 1024 / 1000), capped at the kernel's maximum; 0 (unset) gives the floor 2.
std::int64_t cpu_shares_for(std::int64_t cpu_request_milli);
/// milli * 100 us per 100 ms period, at least 1 ms; 0 (unset) gives -1 (no quota).
std::int64_t cpu_quota_us_for(std::int64_t cpu_limit_milli);
/// runc's conversion of v1 shares [2, 262144] to v2 weight [1, 10000].
std::int64_t cpu_weight_for_shares(std::int64_t shares);

}  // namespace craton::agent::linux_driver
