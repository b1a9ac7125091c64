// Kubernetes' DefaultNormalizeScore (pkg/scheduler/framework/plugins/helper): scales a plugin's
// raw scores so the highest becomes `max_score` (score * max / highest, integer division), and
// with `reverse` turns them around (max - scaled) so that the lowest raw score wins. All zero:
// every score stays 0, or becomes max_score when reversed.
#pragma once

#include <cstdint>
#include <span>

#include "actors/scheduler/framework/plugin.hpp"

namespace craton::scheduler {

void default_normalize_score(std::int64_t max_score, bool reverse, std::span<NodeScore> scores);

}  // namespace craton::scheduler
