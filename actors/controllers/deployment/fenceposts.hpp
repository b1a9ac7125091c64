// A rolling update's bounds, as Kubernetes resolves them (resolveFenceposts in
// pkg/controller/deployment/util): maxSurge and maxUnavailable are counts or percentages of
// spec.replicas; a percentage of surge rounds UP, of unavailability DOWN; when both come out
// 0, maxUnavailable is 1 (a rollout must be able to move). Pure.
#pragma once

#include <cstdint>

#include "runtime/result.hpp"
#include "schemas/api_meta.capnp.h"

namespace craton::controllers {

/// intstr.GetScaledValueFromIntOrPercent: the count, or `percent`% of `total` rounded up or
/// down. Errors: "invalid" for text that is not "<integer>%".
Result<std::int32_t> scaled_value(schema::k8s::IntOrString::Reader value, std::int32_t total,
                                  bool round_up);

struct Fenceposts {
  std::int32_t max_surge = 0;
  std::int32_t max_unavailable = 0;
};

Result<Fenceposts> resolve_fenceposts(schema::k8s::IntOrString::Reader max_surge,
                                      schema::k8s::IntOrString::Reader max_unavailable,
                                      std::int32_t replicas);

}  // namespace craton::controllers
