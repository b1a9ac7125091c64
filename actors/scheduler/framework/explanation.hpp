// Explanation: one scheduling cycle's result as text a person reads (what `craton scheduler
// explain POD` will print): where the pod went or kube's FailedScheduling message, which plugin
// rejected which nodes and why, and every score plugin's weighted score for the best nodes.
// Bounded: at most `rejected_lines_max` rejected nodes and `top_nodes_max` scored nodes are
// listed, the rest counted. Scores per plugin need the cycle to have run with
// CycleOptions::explain.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "actors/scheduler/framework/framework.hpp"

namespace craton::scheduler {

struct ExplanationLimits {
  std::size_t rejected_lines_max = 20;
  std::size_t top_nodes_max = 5;
};

std::string explain_cycle(const PodInfo& pod, const ScheduleResult& result,
                          std::span<const NodeInfo* const> nodes, const Framework& framework,
                          const ExplanationLimits& limits = {});

}  // namespace craton::scheduler
