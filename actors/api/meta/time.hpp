// Kubernetes' times: HumanDuration, how kubectl's tables print ages and durations; metav1.Time
// (parse_rfc3339, format_rfc3339) lives in the API's client library (client/kube_time.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "actors/api/client/kube_time.hpp"

namespace craton::api {

/// Kubernetes' HumanDuration: 45s, 5m30s, 42m, 3h10m, 26h, 4d2h, 60d, 2y30d, 9y.
std::string human_duration(std::int64_t seconds);

}  // namespace craton::api
