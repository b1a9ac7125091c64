// Explanation: a scheduling cycle's result as text.
#include "actors/scheduler/framework/explanation.hpp"

#include <algorithm>
#include <vector>

namespace craton::scheduler {

namespace {

void explain_rejections(const ScheduleResult& result, std::span<const NodeInfo* const> nodes,
                        std::size_t lines_max, std::string& out) {
  if (result.rejected.empty()) return;
  out += "rejected:\n";
  std::size_t shown = std::min(lines_max, result.rejected.size());
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& r = result.rejected[i];
    out += "  " + nodes[r.node]->name() + ": " + std::string(r.status.plugin()) + ": " +
           r.status.message() + "\n";
  }
  if (shown < result.rejected.size())
    out += "  ... and " + std::to_string(result.rejected.size() - shown) + " more nodes\n";
}

void explain_scores(const ScheduleResult& result, std::span<const NodeInfo* const> nodes,
                    const Framework& framework, std::size_t top_max, std::string& out) {
  if (result.scores.empty()) return;
  std::vector<const ScoredNode*> order;
  for (const auto& s : result.scores) order.push_back(&s);
  std::stable_sort(order.begin(), order.end(),
                   [](const ScoredNode* a, const ScoredNode* b) { return a->total > b->total; });
  auto plugins = framework.plugin_names(ExtensionPoint::score);
  std::size_t shown = std::min(top_max, order.size());
  out += "scores (best " + std::to_string(shown) + " of " + std::to_string(order.size()) +
         " feasible nodes, weighted):\n";
  for (std::size_t i = 0; i < shown; ++i) {
    const ScoredNode& s = *order[i];
    out += "  " + nodes[s.node]->name() + " total " + std::to_string(s.total);
    for (std::size_t k = 0; k < s.by_plugin.size() && k < plugins.size(); ++k)
      out += ", " + std::string(plugins[k]) + " " + std::to_string(s.by_plugin[k]);
    out += "\n";
  }
}

}  // namespace

std::string explain_cycle(const PodInfo& pod, const ScheduleResult& result,
                          std::span<const NodeInfo* const> nodes, const Framework& framework,
                          const ExplanationLimits& limits) {
  std::string out = "pod " + pod.namespace_ + "/" + pod.name + ": ";
  if (result.code == Code::success) {
    out += "scheduled to " + result.suggested_host + " (" + std::to_string(result.feasible_nodes) +
           " feasible of " + std::to_string(result.evaluated_nodes) + " evaluated, " +
           std::to_string(nodes.size()) + " nodes)\n";
  } else {
    out += result.message + "\n";
  }
  explain_rejections(result, nodes, limits.rejected_lines_max, out);
  explain_scores(result, nodes, framework, limits.top_nodes_max, out);
  return out;
}

}  // namespace craton::scheduler
