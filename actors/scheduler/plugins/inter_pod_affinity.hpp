// InterPodAffinity, as Kubernetes' plugin of that name (required and preferred, affinity and
// anti-affinity). Counts are per topology domain (the node label named by the term's
// topologyKey) over every node of the cycle (CycleState::all_nodes()):
// - PreFilter: existing pods whose required anti-affinity selects the pod; existing pods that
//   match ALL the pod's required affinity terms; existing pods each of the pod's required
//   anti-affinity terms selects. Skip when all three are empty and the pod has no required
//   terms.
// - Filter, in kube's order:
//   affinity: the node must have every term's topology key, and each term's domain must hold a
//     matching pod, except for the first pod of a group (no pod matches anywhere and the pod
//     matches its own terms): UnschedulableAndUnresolvable "node(s) didn't match pod affinity
//     rules";
//   anti-affinity: no term's domain on this node holds a selected pod: Unschedulable
//     "node(s) didn't match pod anti-affinity rules";
//   existing pods' anti-affinity: no domain of this node holds a pod whose required
//     anti-affinity selects this pod: Unschedulable
//     "node(s) didn't satisfy existing pods anti-affinity rules".
// - Score: per domain, + weight for each existing pod the pod's preferred affinity selects,
//   - weight for its preferred anti-affinity; symmetrically + hard_pod_affinity_weight for each
//   existing pod whose required affinity selects this pod, +/- weight for existing pods'
//   preferred (anti-)affinity selecting it. A node scores the sum over its domains;
//   NormalizeScore maps min..max to 0..100.
// - PreFilterExtensions (kube's AddPod/RemovePod): a dry run adding or removing one pod on a
//   node changes the counts PreFilter took by that pod (as deltas beside the shared tables),
//   instead of PreFilter running again over every node; Filter then reads tables + deltas.
//   As in kube, a plugin whose PreFilter answered Skip is not told of changes.
// Namespace selectors, as kube's: an empty one means every namespace. A non-empty one in the
// pod's own terms is resolved once per PreFilter/PreScore into the namespaces it selects
// (kube's mergeAffinityTermNamespacesIfNotEmpty, from FrameworkHandle::namespaces()); one in an
// existing pod's term is matched against the labels of the incoming pod's namespace. Without a
// handle (or an unknown namespace) a non-empty namespace selector selects no namespace.
//
// Speed: PreFilter and PreScore read the counts from a TopologyIndex the plugin keeps between
// cycles (plugins/topology_index.hpp): O(nodes) generation checks, the pods of the nodes that
// changed, and one selector test per distinct term existing pods carry, instead of a walk over
// every pod. PodCounting::every_pod keeps that walk, as the slow reference the benchmark checks
// the index against (bench/scheduler_bench.hpp); both give the same counts. Filter and Score
// read tables the state points to: valid until the next PreFilter or PreScore.
#pragma once

#include <memory>

#include "actors/scheduler/framework/registry.hpp"
#include "actors/scheduler/plugins/topology_index.hpp"

namespace craton::scheduler {

struct InterPodAffinityArgs {
  std::int32_t hard_pod_affinity_weight = 1;  ///< 0..100
};

class InterPodAffinity final : public PreFilterPlugin,
                               public UpdateWithPodExtensions,
                               public FilterPlugin,
                               public PreScorePlugin,
                               public ScorePlugin,
                               public EnqueueExtensions {
 public:
  static constexpr std::string_view kName = "InterPodAffinity";
  static constexpr std::string_view kAffinityReason = "node(s) didn't match pod affinity rules";
  static constexpr std::string_view kAntiAffinityReason =
      "node(s) didn't match pod anti-affinity rules";
  static constexpr std::string_view kExistingAntiAffinityReason =
      "node(s) didn't satisfy existing pods anti-affinity rules";

  /// `handle` (may be nullptr: no namespace labels) must outlive the plugin.
  explicit InterPodAffinity(InterPodAffinityArgs args, PodCounting counting = PodCounting::indexed,
                            const FrameworkHandle* handle = nullptr)
      : args_(args), counting_(counting), handle_(handle) {}
  std::string_view name() const override { return kName; }
  const InterPodAffinityArgs& args() const { return args_; }
  Status pre_filter(CycleState& state, const PodInfo& pod,
                    std::span<const NodeInfo* const> nodes) override;
  /// kube's AddPod/RemovePod: a dry run (preemption, nominated pods) changes PreFilter's counts
  /// by the one pod instead of running PreFilter again over every node.
  const PreFilterExtensions* pre_filter_extensions() const override { return this; }
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  Status pre_score(CycleState& state, const PodInfo& pod,
                   std::span<const NodeInfo* const> feasible) override;
  Status score(const CycleState& state, const PodInfo& pod, const NodeInfo& node,
               std::int64_t& score) const override;
  bool has_normalize_score() const override { return true; }
  Status normalize_score(const CycleState& state, const PodInfo& pod,
                         std::span<NodeScore> scores) const override;
  /// Kube 1.32 (queueing hints on): an assigned pod added, relabelled or deleted may satisfy
  /// an affinity term or stop violating an anti-affinity one; a node added or relabelled may
  /// join a topology domain.
  std::vector<ClusterEvent> events_to_register() const override {
    return {{EventResource::pod, action::add | action::update_pod_label | action::remove},
            {EventResource::node, action::add | action::update_node_label}};
  }

 private:
  Status update_with_pod(CycleState& state, const PodInfo& pod, const PodInfo& changed,
                         const NodeInfo& node, std::int64_t sign) const override;

  InterPodAffinityArgs args_;
  PodCounting counting_;
  const FrameworkHandle* handle_ = nullptr;
  TopologyIndex index_;
};

/// Arguments: an InterPodAffinityArgs in the profile, or none for the defaults.
Result<std::unique_ptr<Plugin>> make_inter_pod_affinity(const PluginContext& context);
/// The same plugin counting by a walk over every pod each cycle (the slow reference).
Result<std::unique_ptr<Plugin>> make_inter_pod_affinity_every_pod(const PluginContext& context);

}  // namespace craton::scheduler
