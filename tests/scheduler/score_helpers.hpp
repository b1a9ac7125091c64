// A helper for the scheduler's plugin tests: one Score plugin's scores over a list of nodes, as
// the framework computes them (Score per node in order, then NormalizeScore when it has one),
// each call required to succeed.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <vector>

#include "actors/scheduler/framework/plugin.hpp"

namespace craton::scheduler::testing {

inline std::vector<std::int64_t> normalized_scores(const ScorePlugin& plugin,
                                                   const CycleState& state, const PodInfo& pod,
                                                   const std::vector<NodeInfo>& nodes) {
  std::vector<NodeScore> scores;
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    std::int64_t score = -1;
    Status s = plugin.score(state, pod, nodes[i], score);
    BOOST_REQUIRE_MESSAGE(s.is_success(), s.message());
    scores.push_back({i, score});
  }
  if (plugin.has_normalize_score())
    BOOST_REQUIRE(plugin.normalize_score(state, pod, scores).is_success());
  std::vector<std::int64_t> out;
  for (const auto& s : scores) out.push_back(s.score);
  return out;
}

}  // namespace craton::scheduler::testing
