// Kubernetes' times as they travel in objects: metav1.Time (RFC 3339 in UTC to the second) and
// metav1.MicroTime (to the microsecond, what Leases and Events carry). Part of the API's client
// library, so the server and every component that reads or writes timestamps agree on them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace craton::api {

/// Seconds since the epoch of an RFC 3339 time ("2026-12-05T07:00:00Z"), or nullopt.
/// Fractions do not change the second.
std::optional<std::int64_t> parse_rfc3339(const std::string& time);
/// RFC 3339 in UTC to the second, as Kubernetes writes metav1.Time.
std::string format_rfc3339(std::int64_t seconds);
/// metav1.Time from a millisecond clock: "2026-12-05T07:00:00Z", the milliseconds dropped
/// (rounded down, also before 1970: a skewed simulated clock may read negative).
std::string kube_time(std::int64_t unix_ms);
/// metav1.MicroTime: "2026-12-05T07:00:00.123000Z", six fraction digits.
std::string kube_micro_time(std::int64_t unix_ms);

}  // namespace craton::api
