// DefaultPreemption: eligibility, the dry run over candidate nodes, victim selection, the choice.
#include "actors/scheduler/plugins/default_preemption.hpp"

#include <algorithm>
#include <any>
#include <limits>

#include "runtime/assert.hpp"

namespace craton::scheduler {

namespace {

constexpr std::int64_t kNotStarted = std::numeric_limits<std::int64_t>::max();

std::int64_t start_time_of(const PodInfo& pod) {
  return pod.start_time_s.value_or(kNotStarted);
}

/// `nodes` with `copy` in place of `original` (the dry run's view of the cluster).
std::vector<const NodeInfo*> with_replaced(std::span<const NodeInfo* const> nodes,
                                           const NodeInfo* original, const NodeInfo* copy) {
  std::vector<const NodeInfo*> out(nodes.begin(), nodes.end());
  auto it = std::find(out.begin(), out.end(), original);
  if (it == out.end())
    it = std::find_if(out.begin(), out.end(),
                      [&](const NodeInfo* n) { return n->name() == copy->name(); });
  if (it == out.end())
    out.push_back(copy);
  else
    *it = copy;
  return out;
}

/// Kubernetes' filterPodsWithPDBViolation: splits `pods` (order kept) into those whose deletion
/// would take a budget below zero and the others; pods a budget already counts as disrupted
/// take nothing from it.
void split_by_pdb_violation(const std::vector<std::shared_ptr<const PodInfo>>& pods,
                            std::span<const PodDisruptionBudget> pdbs,
                            std::vector<std::shared_ptr<const PodInfo>>& violating,
                            std::vector<std::shared_ptr<const PodInfo>>& non_violating) {
  std::vector<std::int64_t> allowed;
  for (const auto& pdb : pdbs) allowed.push_back(pdb.disruptions_allowed);
  for (const auto& pod : pods) {
    bool violates = false;
    for (std::size_t i = 0; i < pdbs.size(); ++i) {
      if (!pdbs[i].covers(*pod)) continue;
      const auto& disrupted = pdbs[i].disrupted_pods;
      if (std::find(disrupted.begin(), disrupted.end(), pod->name) != disrupted.end()) continue;
      if (--allowed[i] < 0) violates = true;
    }
    (violates ? violating : non_violating).push_back(pod);
  }
}

/// Kubernetes' GetEarliestPodStartTime: the earliest start among the highest-priority victims.
std::int64_t earliest_start_of_most_important(const PreemptionCandidate& c) {
  std::int32_t highest = c.victims.front()->priority;
  std::int64_t earliest = start_time_of(*c.victims.front());
  for (const auto& v : c.victims) {
    if (v->priority > highest) {
      highest = v->priority;
      earliest = start_time_of(*v);
    } else if (v->priority == highest) {
      earliest = std::min(earliest, start_time_of(*v));
    }
  }
  return earliest;
}

PostFilterResult answer(Status status) {
  PostFilterResult out;
  out.status = status;
  return out;
}

PodRef ref_of(const PodInfo& pod) {
  return {pod.namespace_, pod.name, pod.uid};
}

/// A dry run's copies of one node and of the cycle's state, the state seeing the copy.
struct DryRun {
  DryRun(const CycleState& cycle, const NodeInfo& original) : node(original), state(cycle.clone()) {
    nodes = with_replaced(cycle.all_nodes(), &original, &node);
    state.set_all_nodes(nodes);
  }
  DryRun(const DryRun&) = delete;
  DryRun& operator=(const DryRun&) = delete;

  NodeInfo node;
  CycleState state;
  std::vector<const NodeInfo*> nodes;
};

}  // namespace

Result<Ok> validate(const DefaultPreemptionArgs& args) {
  if (args.min_candidate_nodes_percentage < 0 || args.min_candidate_nodes_percentage > 100)
    return Error{"bad_args", "minCandidateNodesPercentage: " +
                                 std::to_string(args.min_candidate_nodes_percentage) +
                                 ": not in valid range [0, 100]"};
  if (args.min_candidate_nodes_absolute < 0)
    return Error{"bad_args",
                 "minCandidateNodesAbsolute: " + std::to_string(args.min_candidate_nodes_absolute) +
                     ": not in valid range [0, inf)"};
  if (args.min_candidate_nodes_percentage == 0 && args.min_candidate_nodes_absolute == 0)
    return Error{"bad_args",
                 "minCandidateNodesPercentage: 0: cannot be zero at the same time as "
                 "minCandidateNodesAbsolute"};
  return Ok{};
}

bool more_important(const PodInfo& a, const PodInfo& b) {
  if (a.priority != b.priority) return a.priority > b.priority;
  return start_time_of(a) < start_time_of(b);
}

std::size_t pick_one_node_for_preemption(std::span<const PreemptionCandidate> candidates) {
  CRATON_ASSERT(!candidates.empty(), "a node is picked among candidates");
  // Each criterion keeps the candidates scoring highest; the next one only breaks their tie.
  using Score = std::int64_t (*)(const PreemptionCandidate&);
  static constexpr Score criteria[] = {
      [](const PreemptionCandidate& c) { return -c.pdb_violations; },
      [](const PreemptionCandidate& c) { return -std::int64_t{c.victims.front()->priority}; },
      [](const PreemptionCandidate& c) {
        std::int64_t sum = 0;  // shifted so negative priorities cannot make more victims cheaper
        for (const auto& v : c.victims)
          sum += std::int64_t{v->priority} +
                 std::int64_t{std::numeric_limits<std::int32_t>::max()} + 1;
        return -sum;
      },
      [](const PreemptionCandidate& c) { return -static_cast<std::int64_t>(c.victims.size()); },
      [](const PreemptionCandidate& c) { return earliest_start_of_most_important(c); },
  };
  std::vector<std::size_t> left(candidates.size());
  for (std::size_t i = 0; i < left.size(); ++i) left[i] = i;
  for (Score score : criteria) {
    std::int64_t best = std::numeric_limits<std::int64_t>::min();
    std::vector<std::size_t> kept;
    for (std::size_t i : left) {
      std::int64_t s = score(candidates[i]);
      if (s > best) {
        best = s;
        kept.clear();
      }
      if (s == best) kept.push_back(i);
    }
    if (kept.size() == 1) return kept.front();
    left = std::move(kept);
  }
  return left.front();
}

Result<std::unique_ptr<DefaultPreemption>> DefaultPreemption::create(
    const DefaultPreemptionArgs& args, Framework* framework, FrameworkHandle* handle) {
  auto valid = validate(args);
  if (!valid) return valid.error();
  return std::unique_ptr<DefaultPreemption>(new DefaultPreemption(args, framework, handle));
}

std::int32_t DefaultPreemption::candidate_count(std::int32_t potential_nodes) const {
  std::int64_t n = std::int64_t{potential_nodes} * args_.min_candidate_nodes_percentage / 100;
  n = std::max<std::int64_t>(n, args_.min_candidate_nodes_absolute);
  return static_cast<std::int32_t>(std::min<std::int64_t>(n, potential_nodes));
}

std::string_view DefaultPreemption::ineligibility(const PodInfo& pod,
                                                  const NodeStatuses& filtered) const {
  if (pod.preemption_never) return "not eligible due to preemptionPolicy=Never.";
  if (pod.nominated_node_name.empty()) return {};
  for (std::size_t i = 0; i < filtered.nodes.size(); ++i) {
    const NodeInfo& node = *filtered.nodes[i];
    if (node.name() != pod.nominated_node_name) continue;
    // Found unresolvable this time: the earlier nomination is moot, preempt again.
    if (i < filtered.statuses.size() &&
        filtered.statuses[i].code() == Code::unschedulable_and_unresolvable)
      return {};
    for (const auto& p : node.pods())
      if (p->priority < pod.priority && p->terminating && p->preempted_by_scheduler)
        return "not eligible due to a terminating pod on the nominated node.";
    return {};
  }
  return {};
}

Status DefaultPreemption::filters_with_nominated_pods(CycleState& state, const PodInfo& pod,
                                                      const NodeInfo& node) const {
  // As kube's SelectVictimsOnNode: the dry run filters as the cycle does, nominated pods of
  // equal or higher priority included (their room is theirs), and without them.
  return framework_->run_filters_with_nominated_pods(state, pod, node);
}

Status DefaultPreemption::change_node(CycleState& state, const PodInfo& pod, NodeInfo& node,
                                      std::span<const std::shared_ptr<const PodInfo>> pods,
                                      bool add) const {
  std::vector<PodChange> changes;
  for (const auto& p : pods) {
    if (add)
      node.add_pod(p);
    else
      node.remove_pod(p->uid);
    changes.push_back({add, p.get()});
  }
  Status s = framework_->run_pre_filter_changes(state, pod, node, changes);
  if (s.is_success()) return s;
  // kube answers an Error when a PreFilter extension fails: the dry run cannot go on.
  return Status::error(state.keep_text("dry run on node " + node.name() + ": PreFilter of " +
                                       std::string(s.plugin()) + ": " + s.message()));
}

Status DefaultPreemption::reprieve(CycleState& state, const PodInfo& pod, NodeInfo& node,
                                   const std::shared_ptr<const PodInfo>& victim,
                                   PreemptionCandidate& out) const {
  std::span<const std::shared_ptr<const PodInfo>> one{&victim, 1};
  Status s = change_node(state, pod, node, one, true);
  if (!s.is_success()) return s;
  if (filters_with_nominated_pods(state, pod, node).is_success()) return {};  // spared
  out.victims.push_back(victim);
  s = change_node(state, pod, node, one, false);
  return s.is_success() ? Status::unschedulable("victim") : s;
}

Status DefaultPreemption::select_victims(CycleState& state, const PodInfo& pod, NodeInfo& node,
                                         std::span<const PodDisruptionBudget> pdbs,
                                         PreemptionCandidate& out) const {
  std::vector<std::shared_ptr<const PodInfo>> potential;
  for (const auto& p : node.pods())
    if (p->priority < pod.priority) potential.push_back(p);
  if (potential.empty()) return Status::unresolvable(kNoVictims);
  Status s = change_node(state, pod, node, potential, false);
  if (!s.is_success()) return s;
  // Without every lower-priority pod the pod still does not fit: no candidate. (Affinity of the
  // pod to its own victims is not looked for, as in Kubernetes.)
  s = filters_with_nominated_pods(state, pod, node);
  if (!s.is_success()) return s;

  std::stable_sort(potential.begin(), potential.end(),
                   [](const auto& a, const auto& b) { return more_important(*a, *b); });
  std::vector<std::shared_ptr<const PodInfo>> violating, non_violating;
  split_by_pdb_violation(potential, pdbs, violating, non_violating);
  // Give back as many pods as still let the pod fit: budget-violating ones first, so that the
  // victims break as few budgets as possible; the most important first within each group.
  out.victims.clear();
  out.pdb_violations = 0;
  for (const auto& p : violating) {
    s = reprieve(state, pod, node, p, out);
    if (s.code() == Code::error) return s;
    if (!s.is_success()) ++out.pdb_violations;
  }
  for (const auto& p : non_violating) {
    s = reprieve(state, pod, node, p, out);
    if (s.code() == Code::error) return s;
  }
  if (!violating.empty() && !non_violating.empty())
    std::stable_sort(out.victims.begin(), out.victims.end(),
                     [](const auto& a, const auto& b) { return more_important(*a, *b); });
  return {};
}

PostFilterResult DefaultPreemption::post_filter(CycleState& state, const PodInfo& pod,
                                                const NodeStatuses& filtered) {
  auto refuse = [&](std::string_view why) {
    return answer(Status::unschedulable(state.keep_text("preemption: " + std::string(why))));
  };
  if (!framework_ || !handle_)
    return refuse("not eligible: the scheduler gave no FrameworkHandle (budgets unknown).");
  if (auto why = ineligibility(pod, filtered); !why.empty()) return refuse(why);

  std::vector<const NodeInfo*> potential;
  for (std::size_t i = 0; i < filtered.nodes.size() && i < filtered.statuses.size(); ++i)
    if (filtered.statuses[i].code() == Code::unschedulable) potential.push_back(filtered.nodes[i]);
  DryRunOutcome found = dry_run(state, pod, potential, filtered.seed);
  auto& candidates = found.candidates;
  if (candidates.empty() && !found.first_error.empty())
    return answer(Status::error(state.keep_text("preemption: " + found.first_error)));
  if (candidates.empty()) return no_candidate(state, filtered, found.failures);
  return nominate(state, pod, candidates[pick_one_node_for_preemption(candidates)]);
}

DefaultPreemption::DryRunOutcome DefaultPreemption::dry_run(
    const CycleState& state, const PodInfo& pod, std::span<const NodeInfo* const> potential,
    std::uint64_t seed) const {
  DryRunOutcome out;
  auto pdbs = handle_->pod_disruption_budgets();
  auto wanted =
      static_cast<std::size_t>(candidate_count(static_cast<std::int32_t>(potential.size())));
  std::vector<PreemptionCandidate> violating;
  auto& non_violating = out.candidates;
  std::size_t offset = potential.empty() ? 0 : seed % potential.size();
  for (std::size_t i = 0; i < potential.size(); ++i) {
    if (!non_violating.empty() && non_violating.size() + violating.size() >= wanted) break;
    const NodeInfo& original = *potential[(offset + i) % potential.size()];
    DryRun run(state, original);
    PreemptionCandidate c;
    Status s = select_victims(run.state, pod, run.node, pdbs, c);
    if (s.is_success() && c.victims.empty())
      s = Status::error(
          run.state.keep_text("expected at least one victim pod on node " + original.name()));
    if (s.is_success()) {
      c.node = &original;
      auto& list = c.pdb_violations == 0 ? non_violating : violating;
      if (list.size() < wanted) list.push_back(std::move(c));  // kube's list is that long
      continue;
    }
    if (s.code() == Code::error && out.first_error.empty()) out.first_error = s.message();
    Status owned(s.code(), {});  // `run` dies here, and the reasons may point into it
    for (auto r : s.reasons()) owned.add_reason(out.reasons.emplace_back(r));
    out.failures.push_back({static_cast<std::uint32_t>(i), owned});
  }
  // Candidates that break no budget first, as kube returns them.
  std::move(violating.begin(), violating.end(), std::back_inserter(non_violating));
  return out;
}

PostFilterResult DefaultPreemption::no_candidate(
    CycleState& state, const NodeStatuses& filtered,
    const std::vector<RejectedNode>& dry_run_failures) const {
  // Kubernetes' FitError over the dry run: every node not dry-run counts as "not helpful".
  std::vector<RejectedNode> all = dry_run_failures;
  for (std::size_t n = dry_run_failures.size(); n < filtered.nodes.size(); ++n)
    all.push_back({static_cast<std::uint32_t>(n), Status::unresolvable(kNotHelpful)});
  std::string message =
      "preemption: " + failed_scheduling_message(filtered.nodes.size(), "", all, "");
  PostFilterResult out = answer(Status::unschedulable(state.keep_text(std::move(message))));
  out.override_nomination = true;  // clears a nomination that no longer helps
  return out;
}

PostFilterResult DefaultPreemption::nominate(CycleState&, const PodInfo& pod,
                                             const PreemptionCandidate& chosen) const {
  PostFilterResult out;
  out.nominated_node_name = chosen.node->name();
  out.override_nomination = true;
  for (const auto& v : chosen.victims)
    if (!v->terminating) out.victims.push_back(ref_of(*v));  // deletion already under way
  for (const auto& p : handle_->nominated_pods(chosen.node->name()))
    if (p->priority < pod.priority && p->uid != pod.uid)
      out.nominations_to_clear.push_back(ref_of(*p));
  return out;
}

Result<std::unique_ptr<Plugin>> make_default_preemption(const PluginContext& context) {
  DefaultPreemptionArgs defaults;
  const DefaultPreemptionArgs* args = &defaults;
  if (context.args) {
    args = std::any_cast<DefaultPreemptionArgs>(context.args);
    if (!args) return Error{"bad_args", "arguments are not DefaultPreemptionArgs"};
  }
  auto p = DefaultPreemption::create(*args, context.framework, context.handle);
  if (!p) return p.error();
  return std::unique_ptr<Plugin>(std::move(*p));
}

}  // namespace craton::scheduler
