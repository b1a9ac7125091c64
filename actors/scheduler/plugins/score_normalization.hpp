// Kubernetes' DefaultNormalizeScore (pkg/scheduler/framework/plugins/helper): scales a plugin's
// raw scores so the highest becomes `max_score` (score * max / highest, integer division), and
// with `reverse` turns them around (max - scaled) so that the lowest raw score wins. All zero:
// every score stays 0, or becomes max_score when reversed.
// Also min_max_normalize_score, for raw scores of any sign (FGD's minus fragmentation increase,
// DotProduct's alignment): the lowest becomes 0, the highest max_score, linearly between.
#pragma once

#include <cstdint>
#include <span>

#include "actors/scheduler/framework/plugin.hpp"

namespace craton::scheduler {

void default_normalize_score(std::int64_t max_score, bool reverse, std::span<NodeScore> scores);

/// (score - lowest) * max_score / (highest - lowest), integer division; all equal: max_score.
void min_max_normalize_score(std::int64_t max_score, std::span<NodeScore> scores);

/// A Score plugin whose raw scores (any sign, higher is better) are normalised min..max to
/// 0..100 by min_max_normalize_score.
class MinMaxNormalizedScore : public ScorePlugin {
 public:
  bool has_normalize_score() const final { return true; }
  Status normalize_score(const CycleState&, const PodInfo&,
                         std::span<NodeScore> scores) const final {
    min_max_normalize_score(kMaxNodeScore, scores);
    return {};
  }
};

}  // namespace craton::scheduler
