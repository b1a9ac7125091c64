// PodTopologySpread: hard and soft topology spread constraints of the pod, or the defaults.
#include "actors/scheduler/plugins/pod_topology_spread.hpp"

#include <algorithm>
#include <any>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "actors/scheduler/plugins/node_affinity.hpp"

namespace craton::scheduler {

namespace {

constexpr std::string_view kHostnameKey = "kubernetes.io/hostname";
constexpr std::string_view kZoneKey = "topology.kubernetes.io/zone";

struct SpreadFilterState {
  std::vector<TopologySpreadConstraint> constraints;
  /// Per constraint, matching pods per domain: the index's table (shared, never changed once
  /// taken) or the walk's own.
  std::vector<std::shared_ptr<const DomainTable>> counts;
  /// Per constraint, every domain it counts in (the keys; the walk's table holds them at 0 too,
  /// the index's holds only domains with pods, so its domains are the index's node table).
  std::vector<std::shared_ptr<const DomainTable>> domains;
  std::vector<std::int64_t> min_counts;
  /// A dry run's changes (PreFilterExtensions), per constraint, added to `counts`; empty
  /// outside dry runs, so the shared tables are never copied per victim.
  std::vector<DomainCounts> deltas;

  template <class Domain>
  std::int64_t count(std::size_t i, const Domain& domain) const {
    return count_in(counts[i]->counts, domain) + (deltas.empty() ? 0 : count_in(deltas[i], domain));
  }
  /// min_counts[i] from the counts (and deltas) over every domain, 0 below minDomains domains.
  void recompute_min(std::size_t i) {
    std::int64_t lowest = std::numeric_limits<std::int64_t>::max();
    for (const auto& [domain, unused] : domains[i]->counts)
      lowest = std::min(lowest, count(i, std::string_view(domain)));
    const auto& all = domains[i]->counts;
    if (all.empty() ||
        static_cast<std::int64_t>(all.size()) < constraints[i].min_domains.value_or(1))
      lowest = 0;
    min_counts[i] = lowest;
  }
};

struct SpreadScoreState {
  std::vector<TopologySpreadConstraint> constraints;
  std::vector<LabelKey> keys;  ///< per constraint, its topology key hashed
  /// False under System defaults: a node missing a key is scored by the constraints it has.
  bool require_all_keys = true;
  /// Per constraint, matching pods per domain (domains with no pod kept at 0); empty for the
  /// hostname key (counted per node).
  std::vector<DomainCounts> counts;
  std::vector<double> weights;  ///< ln(domains + 2)
  std::vector<bool> ignored;    ///< by index of the feasible list
  /// Per constraint, its Selection (null: walk).
  std::vector<std::shared_ptr<const Selection>> selections;
};

/// Per constraint, whether a domain's count is read by score(): only the domains of scored
/// nodes that carry the key (score skips a key a node lacks). Under System defaults a node
/// without the key still makes a domain "" (it counts in the weights, as in kube), but its
/// count is read only if a scored node carries the key with the value "".
struct ReadDomains {
  std::vector<bool> empty_value_read;
  std::vector<bool> labelled;  ///< some scored node carries the key
};

/// Kube's filterTopologySpreadConstraints: the constraints of `kind`, each selector narrowed
/// by matchLabelKeys (key=value for each listed key the pod carries). An absent selector with
/// such labels becomes just those labels (kube merges into labels.Nothing(), which has no
/// requirements to keep).
std::vector<TopologySpreadConstraint> of_kind(std::span<const TopologySpreadConstraint> all,
                                              const api::Labels& pod_labels,
                                              WhenUnsatisfiable kind) {
  std::vector<TopologySpreadConstraint> out;
  for (const auto& c : all) {
    if (c.when_unsatisfiable != kind) continue;
    out.push_back(c);
    std::vector<api::Requirement> keys;
    for (const auto& key : c.match_label_keys)
      if (auto label = pod_labels.find(key); label != pod_labels.end())
        keys.push_back({key, api::SelectorOp::equals, {label->second}});
    if (keys.empty()) continue;
    if (out.back().selector)
      for (const auto& r : out.back().selector->requirements()) keys.push_back(r);
    out.back().selector = api::LabelSelector::from_requirements(std::move(keys));
  }
  return out;
}

bool has_kind(std::span<const TopologySpreadConstraint> all, WhenUnsatisfiable kind) {
  return std::any_of(all.begin(), all.end(),
                     [&](const auto& c) { return c.when_unsatisfiable == kind; });
}

bool has_all_keys(const NodeInfo& node, const std::vector<LabelKey>& keys) {
  for (const auto& key : keys)
    if (!node.label(key)) return false;
  return true;
}

std::vector<LabelKey> keys_of(const std::vector<TopologySpreadConstraint>& cs) {
  std::vector<LabelKey> keys;
  keys.reserve(cs.size());
  for (const auto& c : cs) keys.emplace_back(c.topology_key);
  return keys;
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

/// The constraint's selection (null when it has no selector or there are no ids: walk).
std::shared_ptr<const Selection> selection_of(const TopologySpreadConstraint& c, const PodInfo& pod,
                                              SelectionIds* ids) {
  if (!c.selector || ids == nullptr) return nullptr;
  return ids->selection_of(pod.namespace_, *c.selector);
}

/// The node's pods the constraint selects in the pod's namespace: remembered by the node under
/// `selection`, or walked when it is null (PodCounting::every_pod, the reference).
std::int64_t matching_pods(const TopologySpreadConstraint& c, const PodInfo& pod,
                           const NodeInfo& node,
                           const std::shared_ptr<const Selection>& selection) {
  if (!c.selector) return 0;
  return selection != nullptr ? node.count_selected(selection)
                              : node.walk_selected(pod.namespace_, *c.selector);
}

/// Counts by a walk over every pod of the nodes every constraint includes.
void walk_filter_counts(const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                        SpreadFilterState& s, SelectionIds* ids) {
  std::vector<LabelKey> keys = keys_of(s.constraints);
  std::vector<DomainTable> owned(s.constraints.size());
  std::vector<std::shared_ptr<const Selection>> selections;
  for (const auto& c : s.constraints) selections.push_back(selection_of(c, pod, ids));
  for (const NodeInfo* node : nodes) {
    if (!has_all_keys(*node, keys)) continue;
    for (std::size_t i = 0; i < s.constraints.size(); ++i) {
      const auto& c = s.constraints[i];
      if (!included(c, pod, *node)) continue;
      owned[i].counts[std::string(node->label(keys[i])->text)] +=
          matching_pods(c, pod, *node, selections[i]);
    }
  }
  s.min_counts.resize(s.constraints.size());
  for (std::size_t i = 0; i < s.constraints.size(); ++i) {
    owned[i].topology_key = keys[i];
    s.counts.push_back(std::make_shared<const DomainTable>(std::move(owned[i])));
    s.domains.push_back(s.counts.back());  // every domain counted is in the table, 0 or not
    s.recompute_min(i);
  }
}

/// The index answers for one constraint whose node inclusion policies hold on every node.
bool index_answers(const SpreadFilterState& s, const PodInfo& pod) {
  if (s.constraints.size() != 1) return false;  // a node must carry every key: walk
  const auto& c = s.constraints.front();
  bool affinity_trivial =
      !c.node_affinity_policy_honor || (pod.node_selector.empty() && !pod.required_node_affinity);
  return affinity_trivial && !c.node_taints_policy_honor;
}

void index_filter_counts(const PodInfo& pod, TopologyIndex& index, SpreadFilterState& s) {
  const auto& c = s.constraints.front();
  PodAffinityTerm matcher;  // the constraint's selector in the pod's namespace
  matcher.selector = c.selector;
  matcher.namespaces = {pod.namespace_};
  auto pods = index.count_selected(std::span(&matcher, 1), c.topology_key);
  s.counts.push_back(std::move(pods.table));
  s.domains.push_back(index.nodes_per_domain(c.topology_key));
  s.min_counts.resize(1);
  s.recompute_min(0);
}

Result<Ok> bad_args(std::string message) {
  return Error{"bad_args", "PodTopologySpreadArgs: " + std::move(message)};
}

}  // namespace

std::vector<TopologySpreadConstraint> system_default_constraints() {
  std::vector<TopologySpreadConstraint> out(2);
  out[0].topology_key = std::string(kHostnameKey);
  out[0].max_skew = 3;
  out[1].topology_key = std::string(kZoneKey);
  out[1].max_skew = 5;
  for (auto& c : out) c.when_unsatisfiable = WhenUnsatisfiable::schedule_anyway;
  return out;
}

Result<Ok> validate(const PodTopologySpreadArgs& args) {
  if (args.defaulting_type == SpreadDefaulting::system && !args.default_constraints.empty())
    return bad_args(
        "defaultingType: Invalid value: \"System\": when .defaultConstraints are "
        "not empty");
  std::set<std::pair<std::string, WhenUnsatisfiable>> seen;
  for (std::size_t i = 0; i < args.default_constraints.size(); ++i) {
    const auto& c = args.default_constraints[i];
    std::string at = "defaultConstraints[" + std::to_string(i) + "].";
    if (c.max_skew <= 0) return bad_args(at + "maxSkew: not in valid range (0, inf)");
    if (c.topology_key.empty()) return bad_args(at + "topologyKey: Required value");
    if (c.selector)
      return bad_args(at +
                      "labelSelector: Forbidden: constraint must not define a selector, "
                      "as they deduced for each pod");
    if (!seen.emplace(c.topology_key, c.when_unsatisfiable).second)
      return bad_args(at + "{topologyKey, whenUnsatisfiable}: Duplicate value");
  }
  return Ok{};
}

std::optional<api::LabelSelector> default_spread_selector(const PodInfo& pod,
                                                          const FrameworkHandle* handle) {
  if (!handle) return std::nullopt;
  api::Labels merged;  // services selecting the pod cannot conflict: merging is safe
  for (const auto& service : handle->services()) {
    if (service.namespace_ != pod.namespace_ || !service.selector) continue;
    bool selects =
        std::all_of(service.selector->begin(), service.selector->end(), [&](const auto& kv) {
          auto label = pod.labels.find(kv.first);
          return label != pod.labels.end() && label->second == kv.second;
        });
    if (!selects) continue;
    for (const auto& [k, v] : *service.selector) merged[k] = v;
  }
  std::vector<api::Requirement> requirements;
  for (const auto& [k, v] : merged) requirements.push_back({k, api::SelectorOp::equals, {v}});
  if (pod.controller)
    if (auto selector = handle->controller_selector(pod.namespace_, *pod.controller))
      for (const auto& r : selector->requirements()) requirements.push_back(r);
  if (requirements.empty()) return std::nullopt;
  return api::LabelSelector::from_requirements(std::move(requirements));
}

std::vector<TopologySpreadConstraint> PodTopologySpread::constraints_for(
    const PodInfo& pod, WhenUnsatisfiable kind) const {
  if (!pod.topology_spread_constraints.empty())
    return of_kind(pod.topology_spread_constraints, pod.labels, kind);
  static const std::vector<TopologySpreadConstraint> kSystem = system_default_constraints();
  std::span<const TopologySpreadConstraint> defaults =
      args_.defaulting_type == SpreadDefaulting::system ? kSystem : args_.default_constraints;
  if (!has_kind(defaults, kind)) return {};
  auto selector = default_spread_selector(pod, handle_);
  if (!selector) return {};
  auto out = of_kind(defaults, pod.labels, kind);
  for (auto& c : out) c.selector = *selector;
  return out;
}

Status PodTopologySpread::pre_filter(CycleState& state, const PodInfo& pod,
                                     std::span<const NodeInfo* const>) {
  SpreadFilterState s;
  s.constraints = constraints_for(pod, WhenUnsatisfiable::do_not_schedule);
  if (s.constraints.empty()) return Status::skip();
  if (counting_ == PodCounting::indexed && index_answers(s, pod)) {
    index_.sync(state.all_nodes(), state.node_changes());
    index_filter_counts(pod, index_, s);
  } else {
    walk_filter_counts(pod, state.all_nodes(), s, selection_ids());
  }
  state.write(std::move(s));
  return {};
}

Status PodTopologySpread::filter(const CycleState& state, const PodInfo& pod,
                                 const NodeInfo& node) const {
  const auto* s = state.read<SpreadFilterState>();
  if (!s) return Status::error("PodTopologySpread: PreFilter state missing");
  for (std::size_t i = 0; i < s->constraints.size(); ++i) {
    const auto& c = s->constraints[i];
    auto domain = node.label(s->counts[i]->topology_key);
    if (!domain) return Status::unresolvable(kMissingLabelReason);
    std::int64_t self = c.selector && c.selector->matches(pod.labels) ? 1 : 0;
    std::int64_t here = s->count(i, *domain);
    if (here + self - s->min_counts[i] > c.max_skew) return Status::unschedulable(kReason);
  }
  return {};
}

// kube's updateWithPod: one pod added to or removed from `node` (sign +1 or -1) changes the
// counts of the constraints that select it, when the node carries every key and passes the
// constraint's inclusion policies; written as deltas into a copy of the state (a clone's
// original keeps its counts), the minimum recomputed over the constraint's domains.
Status PodTopologySpread::update_with_pod(CycleState& state, const PodInfo& pod,
                                          const PodInfo& changed, const NodeInfo& node,
                                          std::int64_t sign) const {
  const auto* before = state.read<SpreadFilterState>();
  if (!before || changed.namespace_ != pod.namespace_) return {};
  for (const auto& table : before->counts)
    if (!node.label(table->topology_key)) return {};
  SpreadFilterState s = *before;
  s.deltas.resize(s.constraints.size());
  for (std::size_t i = 0; i < s.constraints.size(); ++i) {
    const auto& c = s.constraints[i];
    if (!c.selector || !c.selector->matches(changed.labels) || !included(c, pod, node)) continue;
    auto domain = node.label(s.counts[i]->topology_key);
    s.deltas[i][std::string(domain->text)] += sign;
    s.recompute_min(i);
  }
  state.write(std::move(s));
  return {};
}

Status PodTopologySpread::pre_score(CycleState& state, const PodInfo& pod,
                                    std::span<const NodeInfo* const> feasible) {
  SpreadScoreState s;
  s.constraints = constraints_for(pod, WhenUnsatisfiable::schedule_anyway);
  if (s.constraints.empty() || feasible.empty()) return Status::skip();
  // Kube: only a pod's own constraints, or configured defaults, require every key.
  s.require_all_keys =
      !pod.topology_spread_constraints.empty() || args_.defaulting_type != SpreadDefaulting::system;
  s.keys = keys_of(s.constraints);
  s.counts.resize(s.constraints.size());
  s.ignored.assign(feasible.size(), false);
  for (const auto& c : s.constraints) s.selections.push_back(selection_of(c, pod, selection_ids()));
  std::size_t scored_nodes = 0;
  ReadDomains read{std::vector<bool>(s.constraints.size(), false),
                   std::vector<bool>(s.constraints.size(), false)};
  for (std::size_t n = 0; n < feasible.size(); ++n) {
    if (s.require_all_keys && !has_all_keys(*feasible[n], s.keys)) {
      s.ignored[n] = true;
      continue;
    }
    ++scored_nodes;
    for (std::size_t i = 0; i < s.constraints.size(); ++i) {
      if (s.constraints[i].topology_key == kHostnameKey) continue;
      auto label = feasible[n]->label(s.keys[i]);
      s.counts[i].emplace(label ? label->text : std::string_view(), 0);
      if (!label) continue;
      read.labelled[i] = true;
      if (label->text.empty()) read.empty_value_read[i] = true;
    }
  }
  for (std::size_t i = 0; i < s.constraints.size(); ++i) {
    bool per_node = s.constraints[i].topology_key == kHostnameKey;
    auto size = per_node ? scored_nodes : s.counts[i].size();
    s.weights.push_back(std::log(static_cast<double>(size + 2)));
  }
  // Count matching pods over every node, in the domains the feasible nodes belong to and
  // score() reads: without zone labels (System defaults' zone constraint) that is none, and
  // counting every node's pods per pod would be O(all pods) a cycle for scores never read.
  bool any_read = false;
  for (std::size_t i = 0; i < s.constraints.size(); ++i) any_read = any_read || read.labelled[i];
  for (const NodeInfo* node : any_read ? state.all_nodes() : std::span<const NodeInfo* const>{}) {
    if (s.require_all_keys && !has_all_keys(*node, s.keys)) continue;
    for (std::size_t i = 0; i < s.constraints.size(); ++i) {
      const auto& c = s.constraints[i];
      if (c.topology_key == kHostnameKey || !read.labelled[i]) continue;
      auto label = node->label(s.keys[i]);
      if (!label && !read.empty_value_read[i]) continue;  // domain "" is never read
      if (!included(c, pod, *node)) continue;
      auto domain = s.counts[i].find(label ? label->text : std::string_view());
      if (domain != s.counts[i].end())
        domain->second += matching_pods(c, pod, *node, s.selections[i]);
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
  if (s->require_all_keys && !has_all_keys(node, s->keys)) return {};  // ignored node
  double total = 0;
  for (std::size_t i = 0; i < s->constraints.size(); ++i) {
    const auto& c = s->constraints[i];
    auto label = node.label(s->keys[i]);
    if (!label) continue;  // System defaults: this key does not score
    std::int64_t count = 0;
    if (c.topology_key == kHostnameKey) {
      count = matching_pods(c, pod, node, s->selections[i]);
    } else {
      auto domain = s->counts[i].find(*label);
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

namespace {

Result<std::unique_ptr<Plugin>> make_spread(const PluginContext& context, PodCounting counting) {
  PodTopologySpreadArgs args;
  if (context.args) {
    const auto* given = std::any_cast<PodTopologySpreadArgs>(context.args);
    if (!given) return Error{"bad_args", "arguments are not PodTopologySpreadArgs"};
    args = *given;
  }
  if (auto valid = validate(args); !valid) return valid.error();
  return std::unique_ptr<Plugin>(new PodTopologySpread(std::move(args), context.handle, counting));
}

}  // namespace

Result<std::unique_ptr<Plugin>> make_pod_topology_spread(const PluginContext& context) {
  return make_spread(context, PodCounting::indexed);
}

Result<std::unique_ptr<Plugin>> make_pod_topology_spread_every_pod(const PluginContext& context) {
  return make_spread(context, PodCounting::every_pod);
}

}  // namespace craton::scheduler
