// InterPodAffinity: required and preferred pod (anti-)affinity.
#include "actors/scheduler/plugins/inter_pod_affinity.hpp"

#include <algorithm>
#include <any>
#include <limits>
#include <span>

namespace craton::scheduler {

namespace {

/// Counts a dry run's added and removed pods changed (PreFilterExtensions), per domain of one
/// topology key: added to the counts of the tables PreFilter took, which stay shared and
/// unchanged (copying a table per victim would cost O(domains)).
struct DomainDelta {
  LabelKey topology_key;
  DomainCounts counts;
  std::int64_t total = 0;

  /// Adds `amount` to the node's domain; nothing when the node lacks the key (as kube counts).
  void add(const NodeInfo& node, std::int64_t amount) {
    auto domain = node.label(topology_key);
    if (!domain) return;
    counts[std::string(domain->text)] += amount;
    total += amount;
  }
  std::int64_t for_node(const NodeInfo& node) const {
    auto domain = node.label(topology_key);
    return domain ? count_in(counts, *domain) : 0;
  }
};

/// What Filter reads: per domain counts, as tables (see DomainLookup).
struct AffinityFilterState {
  std::vector<DomainLookup> affinity;       ///< per required affinity term, in the pod's order
  std::vector<DomainLookup> anti;           ///< per required anti-affinity term, in order
  std::vector<DomainLookup> existing_anti;  ///< existing pods' anti-affinity selecting the pod
  /// The pod with its terms' namespace selectors resolved, when it had any (else the pod).
  std::shared_ptr<const PodInfo> resolved;
  // A dry run's changes (empty outside dry runs): one delta per entry of `affinity` and of
  // `anti` (or none), and one per topology key of existing pods' anti-affinity.
  std::vector<DomainDelta> affinity_delta;
  std::vector<DomainDelta> anti_delta;
  std::vector<DomainDelta> existing_anti_delta;
};

/// The delta of `key` in `deltas`, added when new.
DomainDelta& delta_of(std::vector<DomainDelta>& deltas, const std::string& key) {
  for (auto& d : deltas)
    if (d.topology_key.name() == key) return d;
  deltas.push_back({LabelKey(key), {}, 0});
  return deltas.back();
}

/// One delta per table, each of the table's topology key (made on the first change).
void init_deltas(std::vector<DomainDelta>& deltas, const std::vector<DomainLookup>& tables) {
  if (!deltas.empty()) return;
  for (const auto& t : tables) deltas.push_back({t.table->topology_key, {}, 0});
}

std::int64_t delta_total(const std::vector<DomainDelta>& deltas) {
  std::int64_t total = 0;
  for (const auto& d : deltas) total += d.total;
  return total;
}

/// Written by PreFilter once it synced the index: PreScore of the same cycle need not again
/// (nothing changes the nodes between the two; a sync is O(nodes)).
struct AffinityIndexSynced {};

struct AffinityScoreState {
  std::vector<DomainLookup> lookups;  ///< a node scores the sum of its domains' counts
};

bool selected_by_all(std::span<const PodAffinityTerm> terms, const PodInfo& pod) {
  if (terms.empty()) return false;
  for (const auto& t : terms)
    if (!t.selects(pod)) return false;
  return true;
}

/// Labels of namespace `name`, nullptr when unknown (or no handle).
const api::Labels* namespace_labels(const FrameworkHandle* handle, const std::string& name) {
  if (!handle) return nullptr;
  for (const auto& ns : handle->namespaces())
    if (ns.name == name) return &ns.labels;
  return nullptr;
}

bool has_namespace_selector(const std::vector<PodAffinityTerm>& terms) {
  return std::any_of(terms.begin(), terms.end(),
                     [](const auto& t) { return t.namespace_selector.has_value(); });
}

/// Kube's mergeAffinityTermNamespacesIfNotEmpty: each non-empty namespace selector becomes the
/// namespaces it selects now, added to the term's list.
void resolve_namespaces(std::vector<PodAffinityTerm>& terms, const FrameworkHandle* handle) {
  for (auto& t : terms) {
    if (!t.namespace_selector) continue;
    if (handle)
      for (const auto& ns : handle->namespaces())
        if (t.namespace_selector->matches(ns.labels)) t.namespaces.push_back(ns.name);
    t.namespace_selector.reset();
  }
}

/// The pod with its own terms' namespace selectors resolved; nullptr when it has none (use the
/// pod itself). A copy, made only for pods whose terms have namespace selectors.
std::shared_ptr<const PodInfo> with_namespaces_resolved(const PodInfo& pod,
                                                        const FrameworkHandle* handle) {
  if (!has_namespace_selector(pod.pod_affinity_required) &&
      !has_namespace_selector(pod.pod_affinity_preferred) &&
      !has_namespace_selector(pod.pod_anti_affinity_required) &&
      !has_namespace_selector(pod.pod_anti_affinity_preferred))
    return nullptr;
  auto copy = std::make_shared<PodInfo>(pod);
  resolve_namespaces(copy->pod_affinity_required, handle);
  resolve_namespaces(copy->pod_affinity_preferred, handle);
  resolve_namespaces(copy->pod_anti_affinity_required, handle);
  resolve_namespaces(copy->pod_anti_affinity_preferred, handle);
  return copy;
}

bool has_affinity_terms(const PodInfo& p) {
  return !p.pod_affinity_required.empty() || !p.pod_affinity_preferred.empty() ||
         !p.pod_anti_affinity_preferred.empty();
}

/// Tables built by walking every pod (PodCounting::every_pod), held by the cycle's state.
class WalkTables {
 public:
  /// Gives `table` an empty table of `key` when it has none.
  void init(DomainLookup& table, const std::string& key) {
    if (table.table) return;
    table.table = std::make_shared<const DomainTable>(DomainTable{LabelKey(key), {}});
  }
  /// Adds `amount` to the node's domain of the table's key; nothing when the node has no such
  /// label (as Kubernetes counts).
  void add(DomainLookup& table, const NodeInfo& node, std::int64_t amount) {
    auto domain = node.label(table.table->topology_key);
    if (!domain) return;
    // A table this walk made (init), nobody else holds it: written only here, before the state
    // is stored.
    const_cast<DomainTable&>(*table.table).counts[std::string(domain->text)] += amount;
    table.total += amount;
  }
  /// The table of `key` in `tables`, added when new.
  DomainLookup& by_key(std::vector<DomainLookup>& tables, const std::string& key) {
    for (auto& t : tables)
      if (t.topology_key() == key) return t;
    tables.emplace_back();
    init(tables.back(), key);
    return tables.back();
  }
};

void walk_filter_counts(const PodInfo& pod, const api::Labels* pod_ns_labels,
                        std::span<const NodeInfo* const> nodes, AffinityFilterState& s) {
  WalkTables tables;
  s.affinity.resize(pod.pod_affinity_required.size());
  s.anti.resize(pod.pod_anti_affinity_required.size());
  for (std::size_t i = 0; i < s.affinity.size(); ++i)
    tables.init(s.affinity[i], pod.pod_affinity_required[i].topology_key);
  for (std::size_t i = 0; i < s.anti.size(); ++i)
    tables.init(s.anti[i], pod.pod_anti_affinity_required[i].topology_key);
  // Without required terms of its own, only existing pods' required anti-affinity matters.
  bool own_terms = !pod.pod_affinity_required.empty() || !pod.pod_anti_affinity_required.empty();
  auto count = [&](const PodInfo& existing, const NodeInfo& node) {
    for (const auto& t : existing.pod_anti_affinity_required)
      if (t.selects(pod, pod_ns_labels))
        tables.add(tables.by_key(s.existing_anti, t.topology_key), node, 1);
    if (selected_by_all(pod.pod_affinity_required, existing))
      for (std::size_t i = 0; i < s.affinity.size(); ++i) tables.add(s.affinity[i], node, 1);
    for (std::size_t i = 0; i < s.anti.size(); ++i)
      if (pod.pod_anti_affinity_required[i].selects(existing)) tables.add(s.anti[i], node, 1);
  };
  for (const NodeInfo* node : nodes) {
    if (own_terms) {
      for (const auto& existing : node->pods()) count(*existing, *node);
    } else {
      for (const auto* existing : node->pods_with_required_anti_affinity()) count(*existing, *node);
    }
  }
}

void index_filter_counts(const PodInfo& pod, const api::Labels* pod_ns_labels, TopologyIndex& index,
                         AffinityFilterState& s) {
  for (const auto& t : pod.pod_affinity_required)
    s.affinity.push_back(index.count_selected(pod.pod_affinity_required, t.topology_key));
  for (const auto& t : pod.pod_anti_affinity_required)
    s.anti.push_back(index.count_selected(std::span(&t, 1), t.topology_key));
  for (const auto& e : index.existing_terms()) {
    if (e->kind != TermKind::required_anti_affinity || e->in_domains == 0) continue;
    if (e->term.selects(pod, pod_ns_labels))
      s.existing_anti.push_back({e->pods.share(), 1, e->in_domains});
  }
}

std::int64_t total_of(const std::vector<DomainLookup>& tables) {
  std::int64_t total = 0;
  for (const auto& t : tables) total += t.total;
  return total;
}

/// Adds `sign * weight` to the node's domain when `term` selects `target` (whose namespace has
/// the labels `target_ns_labels`).
void score_term(const PodAffinityTerm& term, std::int64_t weight, std::int64_t sign,
                const PodInfo& target, const api::Labels* target_ns_labels, const NodeInfo& node,
                WalkTables& tables, std::vector<DomainLookup>& lookups) {
  if (weight == 0 || !term.selects(target, target_ns_labels)) return;
  tables.add(tables.by_key(lookups, term.topology_key), node, sign * weight);
}

/// PreScore's walk over every pod; false when nothing can score the pod.
bool walk_score_counts(const PodInfo& pod, const api::Labels* pod_ns_labels,
                       std::span<const NodeInfo* const> nodes, std::int32_t hard_weight,
                       AffinityScoreState& s) {
  bool preferred = !pod.pod_affinity_preferred.empty() || !pod.pod_anti_affinity_preferred.empty();
  WalkTables tables;
  bool any_existing_terms = false;
  auto add_existing = [&](const PodInfo& existing, const NodeInfo& node) {
    // The pod's own terms are resolved: no namespace selector left to match.
    for (const auto& t : pod.pod_affinity_preferred)
      score_term(t, t.weight, 1, existing, nullptr, node, tables, s.lookups);
    for (const auto& t : pod.pod_anti_affinity_preferred)
      score_term(t, t.weight, -1, existing, nullptr, node, tables, s.lookups);
    if (!has_affinity_terms(existing)) return;
    any_existing_terms = true;
    for (const auto& t : existing.pod_affinity_required)
      score_term(t, hard_weight, 1, pod, pod_ns_labels, node, tables, s.lookups);
    for (const auto& t : existing.pod_affinity_preferred)
      score_term(t, t.weight, 1, pod, pod_ns_labels, node, tables, s.lookups);
    for (const auto& t : existing.pod_anti_affinity_preferred)
      score_term(t, t.weight, -1, pod, pod_ns_labels, node, tables, s.lookups);
  };
  // Without preferred terms of its own, only existing pods with terms can score the pod.
  for (const NodeInfo* node : nodes) {
    if (preferred) {
      for (const auto& existing : node->pods()) add_existing(*existing, *node);
    } else {
      for (const auto* existing : node->pods_with_affinity()) add_existing(*existing, *node);
    }
  }
  return preferred || any_existing_terms;
}

bool index_score_counts(const PodInfo& pod, const api::Labels* pod_ns_labels, TopologyIndex& index,
                        std::int32_t hard_weight, AffinityScoreState& s) {
  bool preferred = !pod.pod_affinity_preferred.empty() || !pod.pod_anti_affinity_preferred.empty();
  auto own = [&](const std::vector<PodAffinityTerm>& terms, std::int64_t sign) {
    for (const auto& t : terms) {
      if (t.weight == 0) continue;
      auto lookup = index.count_selected(std::span(&t, 1), t.topology_key);
      lookup.multiplier = sign * t.weight;
      s.lookups.push_back(lookup);
    }
  };
  own(pod.pod_affinity_preferred, 1);
  own(pod.pod_anti_affinity_preferred, -1);
  bool any_existing_terms = false;
  for (const auto& e : index.existing_terms()) {
    if (e->kind == TermKind::required_anti_affinity || e->carriers == 0) continue;
    any_existing_terms = true;
    std::int64_t weight = e->kind == TermKind::required_affinity ? hard_weight : e->term.weight;
    std::int64_t sign = e->kind == TermKind::preferred_anti_affinity ? -1 : 1;
    if (weight == 0 || e->in_domains == 0 || !e->term.selects(pod, pod_ns_labels)) continue;
    s.lookups.push_back({e->pods.share(), sign * weight, e->in_domains});
  }
  return preferred || any_existing_terms;
}

}  // namespace

Status InterPodAffinity::pre_filter(CycleState& state, const PodInfo& given,
                                    std::span<const NodeInfo* const>) {
  AffinityFilterState s;
  s.resolved = with_namespaces_resolved(given, handle_);
  const PodInfo& pod = s.resolved ? *s.resolved : given;
  const api::Labels* ns_labels = namespace_labels(handle_, pod.namespace_);
  auto nodes = state.all_nodes();
  if (counting_ == PodCounting::every_pod) {
    walk_filter_counts(pod, ns_labels, nodes, s);
  } else {
    index_.sync(nodes, state.node_changes());
    state.write(AffinityIndexSynced{});
    index_filter_counts(pod, ns_labels, index_, s);
  }
  if (total_of(s.existing_anti) == 0 && pod.pod_affinity_required.empty() &&
      pod.pod_anti_affinity_required.empty())
    return Status::skip();
  state.write(std::move(s));
  return {};
}

namespace {

/// Whether existing pods' required anti-affinity keeps the pod off `node`: some domain of the
/// node holds a pod whose term selects it (tables of one key summed with the key's delta).
bool existing_anti_affinity_rejects(const AffinityFilterState& s, const NodeInfo& node) {
  auto has_delta = [&](const LabelKey& key) {
    return std::any_of(s.existing_anti_delta.begin(), s.existing_anti_delta.end(),
                       [&](const DomainDelta& d) { return d.topology_key == key; });
  };
  for (const auto& table : s.existing_anti)
    if ((s.existing_anti_delta.empty() || !has_delta(table.table->topology_key)) &&
        table.for_node(node).value_or(0) > 0)
      return true;
  for (const auto& delta : s.existing_anti_delta) {
    std::int64_t sum = delta.for_node(node);
    for (const auto& table : s.existing_anti)
      if (table.table->topology_key == delta.topology_key) sum += table.for_node(node).value_or(0);
    if (sum > 0) return true;
  }
  return false;
}

}  // namespace

Status InterPodAffinity::filter(const CycleState& state, const PodInfo& given,
                                const NodeInfo& node) const {
  const auto* s = state.read<AffinityFilterState>();
  if (!s) return Status::error("InterPodAffinity: PreFilter state missing");
  const PodInfo& pod = s->resolved ? *s->resolved : given;
  bool pods_exist = true;
  for (std::size_t i = 0; i < s->affinity.size(); ++i) {
    auto count = s->affinity[i].for_node(node);
    if (!count) return Status::unresolvable(kAffinityReason);  // every topology key must exist
    if (!s->affinity_delta.empty()) *count += s->affinity_delta[i].for_node(node);
    if (*count <= 0) pods_exist = false;
  }
  // The first pod of a group that selects itself may go anywhere the topology keys exist.
  std::int64_t affinity_total = total_of(s->affinity) + delta_total(s->affinity_delta);
  if (!pods_exist && !(affinity_total == 0 && selected_by_all(pod.pod_affinity_required, pod)))
    return Status::unresolvable(kAffinityReason);
  for (std::size_t i = 0; i < s->anti.size(); ++i) {
    const auto& table = s->anti[i];
    std::int64_t total = table.total, count = table.for_node(node).value_or(0);
    if (!s->anti_delta.empty()) {
      total += s->anti_delta[i].total;
      count += s->anti_delta[i].for_node(node);
    }
    if (total > 0 && count > 0) return Status::unschedulable(kAntiAffinityReason);
  }
  if (existing_anti_affinity_rejects(*s, node))
    return Status::unschedulable(kExistingAntiAffinityReason);
  return {};
}

// kube's updateWithPod: the counts PreFilter took, changed by one pod added to or removed from
// `node` (sign +1 or -1), written as deltas into a copy of the state (a clone's original keeps
// its counts).
Status InterPodAffinity::update_with_pod(CycleState& state, const PodInfo& given,
                                         const PodInfo& changed, const NodeInfo& node,
                                         std::int64_t sign) const {
  const auto* before = state.read<AffinityFilterState>();
  if (!before) return {};  // PreFilter kept nothing: nothing to keep up to date
  AffinityFilterState s = *before;
  const PodInfo& pod = s.resolved ? *s.resolved : given;
  const api::Labels* ns_labels = namespace_labels(handle_, pod.namespace_);
  for (const auto& t : changed.pod_anti_affinity_required)
    if (t.selects(pod, ns_labels)) delta_of(s.existing_anti_delta, t.topology_key).add(node, sign);
  if (selected_by_all(pod.pod_affinity_required, changed)) {
    init_deltas(s.affinity_delta, s.affinity);
    for (auto& d : s.affinity_delta) d.add(node, sign);
  }
  // The pod's own terms are resolved: no namespace selector left to match.
  for (std::size_t i = 0; i < s.anti.size(); ++i) {
    if (!pod.pod_anti_affinity_required[i].selects(changed)) continue;
    init_deltas(s.anti_delta, s.anti);
    s.anti_delta[i].add(node, sign);
  }
  state.write(std::move(s));
  return {};
}

Status InterPodAffinity::pre_score(CycleState& state, const PodInfo& given,
                                   std::span<const NodeInfo* const>) {
  AffinityScoreState s;
  auto resolved = with_namespaces_resolved(given, handle_);
  const PodInfo& pod = resolved ? *resolved : given;
  const api::Labels* ns_labels = namespace_labels(handle_, pod.namespace_);
  bool scores;
  if (counting_ == PodCounting::every_pod) {
    scores =
        walk_score_counts(pod, ns_labels, state.all_nodes(), args_.hard_pod_affinity_weight, s);
  } else {
    if (!state.read<AffinityIndexSynced>()) index_.sync(state.all_nodes(), state.node_changes());
    scores = index_score_counts(pod, ns_labels, index_, args_.hard_pod_affinity_weight, s);
  }
  if (!scores) return Status::skip();
  state.write(std::move(s));
  return {};
}

Status InterPodAffinity::score(const CycleState& state, const PodInfo&, const NodeInfo& node,
                               std::int64_t& score) const {
  const auto* s = state.read<AffinityScoreState>();
  if (!s) return Status::error("InterPodAffinity: PreScore state missing");
  score = 0;
  for (const auto& table : s->lookups) score += table.for_node(node).value_or(0);
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
  return std::unique_ptr<Plugin>(new InterPodAffinity(args, PodCounting::indexed, context.handle));
}

Result<std::unique_ptr<Plugin>> make_inter_pod_affinity_every_pod(const PluginContext& context) {
  auto plugin = make_inter_pod_affinity(context);
  if (!plugin) return plugin;
  const auto& indexed = dynamic_cast<const InterPodAffinity&>(*plugin.value());
  return std::unique_ptr<Plugin>(
      new InterPodAffinity(indexed.args(), PodCounting::every_pod, context.handle));
}

}  // namespace craton::scheduler
