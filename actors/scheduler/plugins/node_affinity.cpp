// NodeAffinity: nodeSelector, required and preferred node affinity.
#include "actors/scheduler/plugins/node_affinity.hpp"

#include "actors/scheduler/plugins/score_normalization.hpp"

namespace craton::scheduler {

bool required_node_affinity_matches(const PodInfo& pod, const NodeInfo& node) {
  const auto& labels = node.labels();
  for (const auto& [key, value] : pod.node_selector) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  if (!pod.required_node_affinity) return true;
  for (const auto& term : *pod.required_node_affinity)
    if (term.matches(labels, node.name())) return true;
  return false;
}

Status NodeAffinity::pre_filter(CycleState&, const PodInfo& pod, std::span<const NodeInfo* const>) {
  if (pod.node_selector.empty() && !pod.required_node_affinity) return Status::skip();
  return {};
}

Status NodeAffinity::filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  if (required_node_affinity_matches(pod, node)) return {};
  return Status::unresolvable(kReason);
}

Status NodeAffinity::pre_score(CycleState&, const PodInfo& pod, std::span<const NodeInfo* const>) {
  return pod.preferred_node_affinity.empty() ? Status::skip() : Status::success();
}

Status NodeAffinity::score(const CycleState&, const PodInfo& pod, const NodeInfo& node,
                           std::int64_t& score) const {
  score = 0;
  for (const auto& p : pod.preferred_node_affinity)
    if (p.term.matches(node.labels(), node.name())) score += p.weight;
  return {};
}

Status NodeAffinity::normalize_score(const CycleState&, const PodInfo&,
                                     std::span<NodeScore> scores) const {
  default_normalize_score(kMaxNodeScore, false, scores);
  return {};
}

Result<std::unique_ptr<Plugin>> make_node_affinity(const PluginContext&) {
  return std::unique_ptr<Plugin>(new NodeAffinity());
}

}  // namespace craton::scheduler
