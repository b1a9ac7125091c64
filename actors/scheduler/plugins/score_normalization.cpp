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

void min_max_normalize_score(std::int64_t max_score, std::span<NodeScore> scores) {
  if (scores.empty()) return;
  auto [lo, hi] = std::minmax_element(scores.begin(), scores.end(),
                                      [](auto& a, auto& b) { return a.score < b.score; });
  std::int64_t lowest = lo->score, range = hi->score - lo->score;
  for (auto& s : scores) {
    // In 128 bits: raw scores may be large (FGD's are milli-GPU * 1000).
    s.score = range == 0 ? max_score
                         : static_cast<std::int64_t>(static_cast<__int128>(s.score - lowest) *
                                                     max_score / range);
  }
}

}  // namespace craton::scheduler
