// Kubernetes' times: HumanDuration, how kubectl's tables print ages and durations; Go's
// durations as kube-apiserver's flags take them (--event-ttl=1h); metav1.Time
// (parse_rfc3339, format_rfc3339) lives in the API's client library (client/kube_time.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "actors/api/client/kube_time.hpp"
#include "runtime/result.hpp"

namespace craton::api {

/// Kubernetes' HumanDuration: 45s, 5m30s, 42m, 3h10m, 26h, 4d2h, 60d, 2y30d, 9y.
std::string human_duration(std::int64_t seconds);

/// Durations are bounded (ten years) so that no TTL overflows a clock reading.
inline constexpr std::int64_t kDurationSecondsMax = 10LL * 366 * 24 * 3600;
/// A Go duration in whole seconds, as kube-apiserver's --event-ttl takes it: "1h", "90s",
/// "1h30m", "2h0m0s", or "0". Error "bad_duration" (a message naming the text) for anything
/// else: other units, fractions, signs, or more than kDurationSecondsMax.
Result<std::int64_t> parse_duration_seconds(std::string_view text);

}  // namespace craton::api
