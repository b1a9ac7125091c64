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
#include "actors/api/meta/time.hpp"

namespace craton::api {

/// The Table's columnDefinitions for `kind`.
nlohmann::json table_columns(const Kind& kind);
/// One row: `object` is the stored object, `metadata` its metadata as JSON (resourceVersion set).
nlohmann::json table_row(const Kind& kind, ObjectReader object, nlohmann::json metadata,
                         std::int64_t now_seconds);

}  // namespace craton::api
