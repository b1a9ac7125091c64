// InterPodAffinity: required and preferred pod (anti-)affinity.
#include "actors/scheduler/plugins/inter_pod_affinity.hpp"

#include <algorithm>
#include <any>
#include <limits>
#include <set>

#include "actors/scheduler/plugins/topology_counts.hpp"

namespace craton::scheduler {

namespace {

struct AffinityFilterState {
  TopologyCounts existing_anti;  ///< existing pods' required anti-affinity selecting the pod
  TopologyCounts affinity;       ///< existing pods matching all the pod's required affinity
  TopologyCounts anti;           ///< existing pods the pod's required anti-affinity selects
};

struct AffinityScoreState {
  TopologyCounts scores;
  std::vector<std::string> keys;  ///< distinct topology keys in `scores`
};

bool selected_by_all(const std::vector<PodAffinityTerm>& terms, const PodInfo& pod) {
  if (terms.empty()) return false;
  for (const auto& t : terms)
    if (!t.selects(pod)) return false;
  return true;
}

bool has_affinity_terms(const PodInfo& p) {
  return !p.pod_affinity_required.empty() || !p.pod_affinity_preferred.empty() ||
         !p.pod_anti_affinity_preferred.empty();
}

void count_existing(const PodInfo& pod, const PodInfo& existing, const NodeInfo& node,
                    AffinityFilterState& s) {
  for (const auto& t : existing.pod_anti_affinity_required)
    if (t.selects(pod)) s.existing_anti.add_for_node(node, t.topology_key, 1);
  if (selected_by_all(pod.pod_affinity_required, existing))
    for (const auto& t : pod.pod_affinity_required)
      s.affinity.add_for_node(node, t.topology_key, 1);
  for (const auto& t : pod.pod_anti_affinity_required)
    if (t.selects(existing)) s.anti.add_for_node(node, t.topology_key, 1);
}

/// Adds `sign * weight` to the node's domain when `term` selects `target`.
void score_term(const PodAffinityTerm& term, std::int64_t weight, std::int64_t sign,
                const PodInfo& target, const NodeInfo& node, AffinityScoreState& s) {
  if (weight == 0 || !term.selects(target)) return;
  if (s.scores.add_for_node(node, term.topology_key, sign * weight) &&
      std::find(s.keys.begin(), s.keys.end(), term.topology_key) == s.keys.end())
    s.keys.push_back(term.topology_key);
}

}  // namespace

Status InterPodAffinity::pre_filter(CycleState& state, const PodInfo& pod,
                                    std::span<const NodeInfo* const>) {
  AffinityFilterState s;
  // Without required terms of its own, only existing pods' required anti-affinity matters.
  bool own_terms = !pod.pod_affinity_required.empty() || !pod.pod_anti_affinity_required.empty();
  for (const NodeInfo* node : state.all_nodes()) {
    if (own_terms) {
      for (const auto& existing : node->pods()) count_existing(pod, *existing, *node, s);
    } else {
      for (const auto* existing : node->pods_with_required_anti_affinity())
        count_existing(pod, *existing, *node, s);
    }
  }
  if (s.existing_anti.empty() && pod.pod_affinity_required.empty() &&
      pod.pod_anti_affinity_required.empty())
    return Status::skip();
  state.write(std::move(s));
  return {};
}

Status InterPodAffinity::filter(const CycleState& state, const PodInfo& pod,
                                const NodeInfo& node) const {
  const auto* s = state.read<AffinityFilterState>();
  if (!s) return Status::error("InterPodAffinity: PreFilter state missing");
  bool pods_exist = true;
  for (const auto& t : pod.pod_affinity_required) {
    auto count = s->affinity.get_for_node(node, t.topology_key);
    if (!count) return Status::unresolvable(kAffinityReason);  // every topology key must exist
    if (*count <= 0) pods_exist = false;
  }
  // The first pod of a group that selects itself may go anywhere the topology keys exist.
  if (!pods_exist && !(s->affinity.empty() && selected_by_all(pod.pod_affinity_required, pod)))
    return Status::unresolvable(kAffinityReason);
  if (!s->anti.empty())
    for (const auto& t : pod.pod_anti_affinity_required)
      if (s->anti.get_for_node(node, t.topology_key).value_or(0) > 0)
        return Status::unschedulable(kAntiAffinityReason);
  if (!s->existing_anti.empty())
    for (const auto& [key, value] : node.labels())
      if (s->existing_anti.get(key, value) > 0)
        return Status::unschedulable(kExistingAntiAffinityReason);
  return {};
}

Status InterPodAffinity::pre_score(CycleState& state, const PodInfo& pod,
                                   std::span<const NodeInfo* const>) {
  bool preferred = !pod.pod_affinity_preferred.empty() || !pod.pod_anti_affinity_preferred.empty();
  AffinityScoreState s;
  bool any_existing_terms = false;
  auto add_existing = [&](const PodInfo& existing, const NodeInfo& node) {
    for (const auto& t : pod.pod_affinity_preferred) score_term(t, t.weight, 1, existing, node, s);
    for (const auto& t : pod.pod_anti_affinity_preferred)
      score_term(t, t.weight, -1, existing, node, s);
    if (!has_affinity_terms(existing)) return;
    any_existing_terms = true;
    for (const auto& t : existing.pod_affinity_required)
      score_term(t, args_.hard_pod_affinity_weight, 1, pod, node, s);
    for (const auto& t : existing.pod_affinity_preferred) score_term(t, t.weight, 1, pod, node, s);
    for (const auto& t : existing.pod_anti_affinity_preferred)
      score_term(t, t.weight, -1, pod, node, s);
  };
  // Without preferred terms of its own, only existing pods with terms can score the pod.
  for (const NodeInfo* node : state.all_nodes()) {
    if (preferred) {
      for (const auto& existing : node->pods()) add_existing(*existing, *node);
    } else {
      for (const auto* existing : node->pods_with_affinity()) add_existing(*existing, *node);
    }
  }
  if (!preferred && !any_existing_terms) return Status::skip();
  state.write(std::move(s));
  return {};
}

Status InterPodAffinity::score(const CycleState& state, const PodInfo&, const NodeInfo& node,
                               std::int64_t& score) const {
  const auto* s = state.read<AffinityScoreState>();
  if (!s) return Status::error("InterPodAffinity: PreScore state missing");
  score = 0;
  for (const auto& key : s->keys) score += s->scores.get_for_node(node, key).value_or(0);
  return {};
}

Status InterPodAffinity::normalize_score(const CycleState&, const PodInfo&,
                                         std::span<NodeScore> scores) const {
  std::int64_t lowest = std::numeric_limits<std::int64_t>::max();
  std::int64_t highest = std::numeric_limits<std::int64_t>::min();
  for (const auto& s : scores) {
    lowest = std::min(lowest, s.score);
    highest = std::max(highest, s.score);
  }
  std::int64_t spread = highest - lowest;
  for (auto& s : scores) {
    double f = spread > 0
                   ? static_cast<double>(kMaxNodeScore) *
                         (static_cast<double>(s.score - lowest) / static_cast<double>(spread))
                   : 0.0;
    s.score = static_cast<std::int64_t>(f);
  }
  return {};
}

Result<std::unique_ptr<Plugin>> make_inter_pod_affinity(const PluginContext& context) {
  InterPodAffinityArgs args;
  if (context.args) {
    const auto* given = std::any_cast<InterPodAffinityArgs>(context.args);
    if (!given) return Error{"bad_args", "arguments are not InterPodAffinityArgs"};
    args = *given;
  }
  if (args.hard_pod_affinity_weight < 0 || args.hard_pod_affinity_weight > 100)
    return Error{"bad_args", "hardPodAffinityWeight must be in 0..100, got " +
                                 std::to_string(args.hard_pod_affinity_weight)};
  return std::unique_ptr<Plugin>(new InterPodAffinity(args));
}

}  // namespace craton::scheduler
