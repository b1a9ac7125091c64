// DefaultNormalizeScore.
#include "actors/scheduler/plugins/score_normalization.hpp"

#include <algorithm>

namespace craton::scheduler {

void default_normalize_score(std::int64_t max_score, bool reverse, std::span<NodeScore> scores) {
  std::int64_t highest = 0;
  for (const auto& s : scores) highest = std::max(highest, s.score);
  if (highest == 0) {
    if (reverse)
      for (auto& s : scores) s.score = max_score;
    return;
  }
  for (auto& s : scores) {
    s.score = max_score * s.score / highest;
    if (reverse) s.score = max_score - s.score;
  }
}

}  // namespace craton::scheduler
