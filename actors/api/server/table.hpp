// Table responses (meta.k8s.io/v1 Table), what `kubectl get` asks for with
// `Accept: application/json;as=Table;g=meta.k8s.io;v=v1`: NAME, the kind's columns, AGE, then
// the `-o wide` columns (priority 1; kubectl hides them unless asked). Each row carries the
// object's metadata as a PartialObjectMetadata, as kube-apiserver sends by default.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "actors/api/kinds/kinds.hpp"

namespace craton::api {

/// Kubernetes' HumanDuration: 45s, 5m30s, 42m, 3h10m, 26h, 4d2h, 60d, 2y30d, 9y.
std::string human_duration(std::int64_t seconds);
/// Seconds since the epoch of an RFC 3339 time ("2026-12-05T07:00:00Z"), or nullopt.
std::optional<std::int64_t> parse_rfc3339(const std::string& time);
/// RFC 3339 in UTC to the second, as Kubernetes writes metav1.Time.
std::string format_rfc3339(std::int64_t seconds);

/// The Table's columnDefinitions for `kind`.
nlohmann::json table_columns(const Kind& kind);
/// One row: `object` is the stored object, `metadata` its metadata as JSON (resourceVersion set).
nlohmann::json table_row(const Kind& kind, ObjectReader object, nlohmann::json metadata,
                         std::int64_t now_seconds);

}  // namespace craton::api
