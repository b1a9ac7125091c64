// PodTopologySpread: hard and soft topology spread constraints of the pod.
#include "actors/scheduler/plugins/pod_topology_spread.hpp"

#include <cmath>
#include <limits>
#include <map>

#include "actors/scheduler/plugins/node_affinity.hpp"

namespace craton::scheduler {

namespace {

constexpr std::string_view kHostnameKey = "kubernetes.io/hostname";

struct SpreadFilterState {
  std::vector<const TopologySpreadConstraint*> constraints;
  std::vector<const DomainCounts*> counts;  ///< the index's, or `owned`
  std::vector<std::int64_t> min_counts;
  std::vector<std::unique_ptr<DomainCounts>> owned;
};

struct SpreadScoreState {
  std::vector<const TopologySpreadConstraint*> constraints;
  /// Per constraint, matching pods per domain (domains with no pod kept at 0); empty for the
  /// hostname key (counted per node).
  std::vector<DomainCounts> counts;
  std::vector<double> weights;  ///< ln(domains + 2)
  std::vector<bool> ignored;    ///< by index of the feasible list
};

std::vector<const TopologySpreadConstraint*> constraints_of(const PodInfo& pod,
                                                            WhenUnsatisfiable kind) {
  std::vector<const TopologySpreadConstraint*> out;
  for (const auto& c : pod.topology_spread_constraints)
    if (c.when_unsatisfiable == kind) out.push_back(&c);
  return out;
}

bool has_all_keys(const NodeInfo& node, const std::vector<const TopologySpreadConstraint*>& cs) {
  for (const auto* c : cs)
    if (!node.labels().count(c->topology_key)) return false;
  return true;
}

bool taints_tolerated(const PodInfo& pod, const NodeInfo& node) {
  for (const auto& taint : node.taints()) {
    if (taint.effect != TaintEffect::no_schedule && taint.effect != TaintEffect::no_execute)
      continue;
    bool tolerated = false;
    for (const auto& t : pod.tolerations) tolerated = tolerated || t.tolerates(taint);
    if (!tolerated) return false;
  }
  return true;
}

bool included(const TopologySpreadConstraint& c, const PodInfo& pod, const NodeInfo& node) {
  if (c.node_affinity_policy_honor && !required_node_affinity_matches(pod, node)) return false;
  if (c.node_taints_policy_honor && !taints_tolerated(pod, node)) return false;
  return true;
}

std::int64_t matching_pods(const TopologySpreadConstraint& c, const PodInfo& pod,
                           const NodeInfo& node) {
  if (!c.selector) return 0;
  std::int64_t n = 0;
  for (const auto& p : node.pods())
    if (p->namespace_ == pod.namespace_ && c.selector->matches(p->labels)) ++n;
  return n;
}

/// Counts by a walk over every pod of the nodes every constraint includes.
void walk_filter_counts(const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                        SpreadFilterState& s) {
  for (std::size_t i = 0; i < s.constraints.size(); ++i) {
    s.owned.push_back(std::make_unique<DomainCounts>());
    s.counts.push_back(s.owned.back().get());
  }
  for (const NodeInfo* node : nodes) {
    if (!has_all_keys(*node, s.constraints)) continue;
    for (std::size_t i = 0; i < s.constraints.size(); ++i) {
      const auto& c = *s.constraints[i];
      if (!included(c, pod, *node)) continue;
      (*s.owned[i])[node->labels().at(c.topology_key)] += matching_pods(c, pod, *node);
    }
  }
  for (std::size_t i = 0; i < s.constraints.size(); ++i) {
    std::int64_t lowest = std::numeric_limits<std::int64_t>::max();
    for (const auto& [domain, count] : *s.owned[i]) lowest = std::min(lowest, count);
    auto min_domains = s.constraints[i]->min_domains.value_or(1);
    if (s.owned[i]->empty() || static_cast<std::int64_t>(s.owned[i]->size()) < min_domains)
      lowest = 0;
    s.min_counts.push_back(lowest);
  }
}

/// The index answers for one constraint whose node inclusion policies hold on every node.
bool index_answers(const SpreadFilterState& s, const PodInfo& pod) {
  if (s.constraints.size() != 1) return false;  // a node must carry every key: walk
  const auto& c = *s.constraints.front();
  bool affinity_trivial =
      !c.node_affinity_policy_honor || (pod.node_selector.empty() && !pod.required_node_affinity);
  return affinity_trivial && !c.node_taints_policy_honor;
}

void index_filter_counts(const PodInfo& pod, TopologyIndex& index, SpreadFilterState& s) {
  const auto& c = *s.constraints.front();
  PodAffinityTerm matcher;  // the constraint's selector in the pod's namespace
  matcher.selector = c.selector;
  matcher.namespaces = {pod.namespace_};
  auto pods = index.count_selected(std::span(&matcher, 1), c.topology_key);
  const auto& domains = index.nodes_per_domain(c.topology_key);
  std::int64_t lowest = std::numeric_limits<std::int64_t>::max();
  for (const auto& [domain, nodes] : domains)
    lowest = std::min(lowest, count_in(*pods.counts, domain));
  if (domains.empty() || static_cast<std::int64_t>(domains.size()) < c.min_domains.value_or(1))
    lowest = 0;
  s.counts.push_back(pods.counts);
  s.min_counts.push_back(lowest);
}

}  // namespace

Status PodTopologySpread::pre_filter(CycleState& state, const PodInfo& pod,
                                     std::span<const NodeInfo* const>) {
  SpreadFilterState s;
  s.constraints = constraints_of(pod, WhenUnsatisfiable::do_not_schedule);
  if (s.constraints.empty()) return Status::skip();
  if (counting_ == PodCounting::indexed && index_answers(s, pod)) {
    index_.sync(state.all_nodes());
    index_filter_counts(pod, index_, s);
  } else {
    walk_filter_counts(pod, state.all_nodes(), s);
  }
  state.write(std::move(s));
  return {};
}

Status PodTopologySpread::filter(const CycleState& state, const PodInfo& pod,
                                 const NodeInfo& node) const {
  const auto* s = state.read<SpreadFilterState>();
  if (!s) return Status::error("PodTopologySpread: PreFilter state missing");
  for (std::size_t i = 0; i < s->constraints.size(); ++i) {
    const auto& c = *s->constraints[i];
    auto label = node.labels().find(c.topology_key);
    if (label == node.labels().end()) return Status::unresolvable(kMissingLabelReason);
    std::int64_t self = c.selector && c.selector->matches(pod.labels) ? 1 : 0;
    std::int64_t here = count_in(*s->counts[i], label->second);
    if (here + self - s->min_counts[i] > c.max_skew) return Status::unschedulable(kReason);
  }
  return {};
}

Status PodTopologySpread::pre_score(CycleState& state, const PodInfo& pod,
                                    std::span<const NodeInfo* const> feasible) {
  SpreadScoreState s;
  s.constraints = constraints_of(pod, WhenUnsatisfiable::schedule_anyway);
  if (s.constraints.empty() || feasible.empty()) return Status::skip();
  s.counts.resize(s.constraints.size());
  s.ignored.assign(feasible.size(), false);
  std::size_t scored_nodes = 0;
  for (std::size_t n = 0; n < feasible.size(); ++n) {
    if (!has_all_keys(*feasible[n], s.constraints)) {
      s.ignored[n] = true;
      continue;
    }
    ++scored_nodes;
    for (std::size_t i = 0; i < s.constraints.size(); ++i)
      if (s.constraints[i]->topology_key != kHostnameKey)
        s.counts[i].emplace(feasible[n]->labels().at(s.constraints[i]->topology_key), 0);
  }
  for (std::size_t i = 0; i < s.constraints.size(); ++i) {
    bool per_node = s.constraints[i]->topology_key == kHostnameKey;
    auto size = per_node ? scored_nodes : s.counts[i].size();
    s.weights.push_back(std::log(static_cast<double>(size + 2)));
  }
  // Count matching pods over every node, in the domains the feasible nodes belong to.
  for (const NodeInfo* node : state.all_nodes()) {
    if (!has_all_keys(*node, s.constraints)) continue;
    for (std::size_t i = 0; i < s.constraints.size(); ++i) {
      const auto& c = *s.constraints[i];
      if (c.topology_key == kHostnameKey || !included(c, pod, *node)) continue;
      auto domain = s.counts[i].find(std::string_view(node->labels().at(c.topology_key)));
      if (domain != s.counts[i].end()) domain->second += matching_pods(c, pod, *node);
    }
  }
  state.write(std::move(s));
  return {};
}

Status PodTopologySpread::score(const CycleState& state, const PodInfo& pod, const NodeInfo& node,
                                std::int64_t& score) const {
  const auto* s = state.read<SpreadScoreState>();
  if (!s) return Status::error("PodTopologySpread: PreScore state missing");
  score = 0;
  if (!has_all_keys(node, s->constraints)) return {};  // ignored node
  double total = 0;
  for (std::size_t i = 0; i < s->constraints.size(); ++i) {
    const auto& c = *s->constraints[i];
    std::int64_t count = 0;
    if (c.topology_key == kHostnameKey) {
      count = matching_pods(c, pod, node);
    } else {
      auto domain = s->counts[i].find(std::string_view(node.labels().at(c.topology_key)));
      if (domain != s->counts[i].end()) count = domain->second;
    }
    total += static_cast<double>(count) * s->weights[i] + static_cast<double>(c.max_skew - 1);
  }
  score = static_cast<std::int64_t>(std::llround(total));
  return {};
}

Status PodTopologySpread::normalize_score(const CycleState& state, const PodInfo&,
                                          std::span<NodeScore> scores) const {
  const auto* s = state.read<SpreadScoreState>();
  if (!s) return Status::error("PodTopologySpread: PreScore state missing");
  std::int64_t lowest = std::numeric_limits<std::int64_t>::max(), highest = 0;
  for (const auto& sc : scores) {
    if (s->ignored[sc.node]) continue;
    lowest = std::min(lowest, sc.score);
    highest = std::max(highest, sc.score);
  }
  for (auto& sc : scores) {
    if (s->ignored[sc.node])
      sc.score = 0;
    else if (highest == 0)
      sc.score = kMaxNodeScore;
    else
      sc.score = kMaxNodeScore * (highest + lowest - sc.score) / highest;
  }
  return {};
}

Result<std::unique_ptr<Plugin>> make_pod_topology_spread(const PluginContext&) {
  return std::unique_ptr<Plugin>(new PodTopologySpread());
}

Result<std::unique_ptr<Plugin>> make_pod_topology_spread_every_pod(const PluginContext&) {
  return std::unique_ptr<Plugin>(new PodTopologySpread(PodCounting::every_pod));
}

}  // namespace craton::scheduler
