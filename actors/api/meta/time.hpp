// Kubernetes' times: metav1.Time as RFC 3339 text, and HumanDuration, how kubectl's tables
// print ages and durations.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace craton::api {

/// Kubernetes' HumanDuration: 45s, 5m30s, 42m, 3h10m, 26h, 4d2h, 60d, 2y30d, 9y.
std::string human_duration(std::int64_t seconds);
/// Seconds since the epoch of an RFC 3339 time ("2026-12-05T07:00:00Z"), or nullopt.
std::optional<std::int64_t> parse_rfc3339(const std::string& time);
/// RFC 3339 in UTC to the second, as Kubernetes writes metav1.Time.
std::string format_rfc3339(std::int64_t seconds);

}  // namespace craton::api
