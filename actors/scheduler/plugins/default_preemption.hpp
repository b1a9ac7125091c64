// DefaultPreemption, as Kubernetes' PostFilter plugin of that name (plugins/defaultpreemption
// and framework/preemption): when no node fits a pod, find a node where deleting pods of lower
// priority makes room, at the least cost, and answer that node and the victims. It changes
// nothing: the caller deletes the victims gracefully and sets status.nominatedNodeName.
//
// In Kubernetes' order:
// 1. Eligibility. A pod with preemptionPolicy Never is not eligible; nor is a pod whose
//    nominated node still holds lower-priority pods terminating by preemption (its earlier
//    preemption is under way), unless the cycle found that node unresolvable.
// 2. Potential nodes: the ones the cycle rejected as Unschedulable. UnschedulableAndUnresolvable
//    nodes (taints, node affinity ...) cannot be helped by removing pods.
// 3. Dry run, round robin from an offset (the caller's seed modulo the potential nodes), until
//    enough candidates: max(potential * min_candidate_nodes_percentage / 100,
//    min_candidate_nodes_absolute), at most all, and at least one that violates no PDB.
//    Per node (select_victims), on copies of the node and of the CycleState: remove every pod of
//    lower priority; if the pod still does not fit, the node is no candidate; else give pods
//    back (reprieve) from the most important down, PDB-violating ones first, keeping each one
//    with which the pod still fits. Filters see the nominated pods of equal or higher priority.
// 4. Pick one candidate: fewest PDB violations, then the lowest highest victim priority, the
//    smallest sum of priorities, the fewest victims, the latest start among the highest-priority
//    victims, then the first found.
// Messages are Kubernetes': "preemption: not eligible due to preemptionPolicy=Never." and
// "preemption: 0/5 nodes are available: 5 No preemption victims found for incoming pod."
// Without a FrameworkHandle (no PodDisruptionBudgets, no nominated pods) it does not preempt.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "actors/scheduler/framework/framework.hpp"
#include "actors/scheduler/framework/registry.hpp"

namespace craton::scheduler {

/// Kubernetes' DefaultPreemptionArgs with its defaults.
struct DefaultPreemptionArgs {
  std::int32_t min_candidate_nodes_percentage = 10;  ///< 0..100
  std::int32_t min_candidate_nodes_absolute = 100;   ///< >= 0; not both zero
};

/// Kubernetes' ValidateDefaultPreemptionArgs: an Error "bad_args" naming the field and the rule.
Result<Ok> validate(const DefaultPreemptionArgs& args);

/// A node where preemption makes room for the pod, and at what cost.
struct PreemptionCandidate {
  const NodeInfo* node = nullptr;  ///< the cycle's node (not the dry run's copy)
  std::vector<std::shared_ptr<const PodInfo>> victims;  ///< most important first
  std::int64_t pdb_violations = 0;
};

class DefaultPreemption final : public PostFilterPlugin {
 public:
  static constexpr std::string_view kName = "DefaultPreemption";
  static constexpr std::string_view kNoVictims = "No preemption victims found for incoming pod";
  static constexpr std::string_view kNotHelpful = "Preemption is not helpful for scheduling";

  /// `framework` runs the dry runs; `handle` gives PDBs and nominated pods. Either may be
  /// nullptr: the plugin then answers every pod "not eligible" (it cannot dry-run, or cannot
  /// know which deletions a PodDisruptionBudget forbids).
  static Result<std::unique_ptr<DefaultPreemption>> create(const DefaultPreemptionArgs& args,
                                                           Framework* framework,
                                                           FrameworkHandle* handle);
  std::string_view name() const override { return kName; }
  /// Success: nominated_node_name and victims are set. Unschedulable: not eligible (nomination
  /// left alone) or no candidate (nomination cleared). Error: a dry run failed.
  PostFilterResult post_filter(CycleState& state, const PodInfo& pod,
                               const NodeStatuses& filtered) override;

  /// Kubernetes' calculateNumCandidates: how many candidates the dry run looks for.
  std::int32_t candidate_count(std::int32_t potential_nodes) const;
  /// "" when `pod` may preempt, else Kubernetes' reason ("not eligible due to ...").
  std::string_view ineligibility(const PodInfo& pod, const NodeStatuses& filtered) const;
  /// Kubernetes' SelectVictimsOnNode. `state` and `node` are the dry run's copies and are
  /// changed by the call; state.all_nodes() must list `node` in place of the node it copies.
  /// Success: `out` holds the victims (most important first) and the PDB violations; a
  /// rejection says why the node is no candidate (its reasons kept by `state`).
  Status select_victims(CycleState& state, const PodInfo& pod, NodeInfo& node,
                        std::span<const PodDisruptionBudget> pdbs, PreemptionCandidate& out) const;

 private:
  DefaultPreemption(const DefaultPreemptionArgs& args, Framework* framework,
                    FrameworkHandle* handle)
      : args_(args), framework_(framework), handle_(handle) {}
  /// What the dry run found: candidates (those breaking no budget first) and, for each node
  /// that is none, why (reasons owned by `reasons`; a deque keeps them in place when moved).
  struct DryRunOutcome {
    std::vector<PreemptionCandidate> candidates;
    std::vector<RejectedNode> failures;
    std::deque<std::string> reasons;
    std::string first_error;
  };
  DryRunOutcome dry_run(const CycleState& state, const PodInfo& pod,
                        std::span<const NodeInfo* const> potential, std::uint64_t seed) const;
  /// Adds `pods` to the dry run's node (or removes them) and updates PreFilter's data; an Error
  /// when a PreFilter refuses the change.
  Status change_node(CycleState& state, const PodInfo& pod, NodeInfo& node,
                     std::span<const std::shared_ptr<const PodInfo>> pods, bool add) const;
  /// Gives `victim` back to the node: success when the pod still fits (spared), Unschedulable
  /// when it does not (then it is removed again and added to out.victims), or an Error.
  Status reprieve(CycleState& state, const PodInfo& pod, NodeInfo& node,
                  const std::shared_ptr<const PodInfo>& victim, PreemptionCandidate& out) const;
  Status filters_with_nominated_pods(CycleState& state, const PodInfo& pod,
                                     const NodeInfo& node) const;
  PostFilterResult nominate(CycleState& state, const PodInfo& pod,
                            const PreemptionCandidate& chosen) const;
  PostFilterResult no_candidate(CycleState& state, const NodeStatuses& filtered,
                                const std::vector<RejectedNode>& dry_run_failures) const;

  DefaultPreemptionArgs args_;
  Framework* framework_;
  FrameworkHandle* handle_;
};

/// Kubernetes' MoreImportantPod: higher priority, then the earlier start (a pod not started
/// counts as starting now, i.e. after every started pod).
bool more_important(const PodInfo& a, const PodInfo& b);

/// Kubernetes' pickOneNodeForPreemption over candidates whose victims are ordered most important
/// first: the index of the chosen one. `candidates` must not be empty.
std::size_t pick_one_node_for_preemption(std::span<const PreemptionCandidate> candidates);

/// Arguments: a DefaultPreemptionArgs in the profile, or none for the defaults.
Result<std::unique_ptr<Plugin>> make_default_preemption(const PluginContext& context);

}  // namespace craton::scheduler
