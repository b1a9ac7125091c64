// NodeInfo: what the scheduler knows of a node and of the pods placed on it: name, labels,
// taints, unschedulable, allocatable, the sum of its pods' requests (actual and with non-zero
// defaults), the pods (and which of them have pod affinity terms), the host ports they use, and a
// generation that grows on every change so a snapshot can copy only nodes that changed.
// Built once from the API object by the converter; pods are added and removed by the cache.
// Promises: requested always equals the sum of its pods' requests; the generation is strictly
// larger after every mutation and unique in the process (a copy keeps its source's), so a
// plugin may cache what it derived from a node under (address, generation); count_selected()
// equals the walk over pods() it replaces.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/api/meta/label_selector.hpp"
#include "actors/scheduler/framework/label_key.hpp"
#include "actors/scheduler/framework/pod_info.hpp"
#include "actors/scheduler/framework/resources.hpp"
#include "actors/scheduler/framework/selection_ids.hpp"

namespace craton::scheduler {

class NodeInfo {
 public:
  NodeInfo() = default;
  NodeInfo(std::string name, api::Labels labels, std::vector<Taint> taints, bool unschedulable,
           Resources allocatable);

  const std::string& name() const { return name_; }
  const api::Labels& labels() const { return labels_; }
  /// The value of label `key` (hashed lookup: for loops over many nodes); nullopt if absent.
  std::optional<LabelValue> label(const LabelKey& key) const { return hashed_labels_.find(key); }
  const std::vector<Taint>& taints() const { return taints_; }
  bool unschedulable() const { return unschedulable_; }
  const Resources& allocatable() const { return allocatable_; }
  const Resources& requested() const { return requested_; }
  std::int64_t non_zero_milli_cpu() const { return non_zero_milli_cpu_; }
  std::int64_t non_zero_memory_bytes() const { return non_zero_memory_bytes_; }
  const std::vector<std::shared_ptr<const PodInfo>>& pods() const { return pods_; }
  const std::vector<HostPort>& used_ports() const { return used_ports_; }
  /// The pods with any pod affinity or anti-affinity term (what InterPodAffinity must look at
  /// for a pod that has no terms of its own), and those with required anti-affinity.
  const std::vector<const PodInfo*>& pods_with_affinity() const { return pods_with_affinity_; }
  const std::vector<const PodInfo*>& pods_with_required_anti_affinity() const {
    return pods_with_required_anti_affinity_;
  }
  std::uint64_t generation() const { return generation_; }

  /// How many of the pods `selection` matches. PodTopologySpread asks it of every node it
  /// scores for every pod, so the answer is remembered (at most kSelectionsRemembered
  /// selections, the oldest forgotten) and kept up to date: add_pod and remove_pod adjust each
  /// remembered count by whether the pod matches. A hit is a scan of a few ids; a walk is every
  /// pod's labels.
  ///
  /// The memory is shared by the node's copies (a snapshot's copy asks, the cache's node learns
  /// it too), each count stamped with the generation it is true for: a copy whose pods differ
  /// has another generation and walks. Forgetting the counts on every change instead, with the
  /// snapshot copying the cache's forgetful node, made nearly every lookup a walk while a
  /// burst of pods was being placed (6% of a 1,000-node simulated run). Not thread-safe (the
  /// scheduler reads a snapshot from one thread).
  static constexpr std::size_t kSelectionsRemembered = 16;
  std::int64_t count_selected(const std::shared_ptr<const Selection>& selection) const;
  /// The same count walked over every pod, remembering nothing (what count_selected remembers;
  /// the reference PodCounting::every_pod uses).
  std::int64_t walk_selected(const std::string& namespace_,
                             const api::LabelSelector& selector) const;

  void add_pod(std::shared_ptr<const PodInfo> pod);
  /// Removes the pod with that uid; false when it is not here.
  bool remove_pod(const std::string& uid);
  /// New node object, same pods.
  void set_node(api::Labels labels, std::vector<Taint> taints, bool unschedulable,
                Resources allocatable);

 private:
  std::string name_;
  api::Labels labels_;
  NodeLabels hashed_labels_;  ///< labels_ again, hashed once (label_key.hpp)
  std::vector<Taint> taints_;
  bool unschedulable_ = false;
  Resources allocatable_;
  Resources requested_;
  std::int64_t non_zero_milli_cpu_ = 0;
  std::int64_t non_zero_memory_bytes_ = 0;
  std::vector<std::shared_ptr<const PodInfo>> pods_;
  std::vector<HostPort> used_ports_;
  std::vector<const PodInfo*> pods_with_affinity_;
  std::vector<const PodInfo*> pods_with_required_anti_affinity_;
  std::uint64_t generation_ = 0;
  struct SelectedCount {
    std::shared_ptr<const Selection> selection;  ///< null: empty slot
    std::uint64_t generation = 0;                ///< of the pods `count` is true for
    std::int64_t count = 0;
  };
  struct SelectedCounts {
    std::array<SelectedCount, kSelectionsRemembered> slots;
    std::size_t next = 0;  ///< the slot the next new selection takes
  };
  /// Shared by copies (see count_selected); made on first use.
  mutable std::shared_ptr<SelectedCounts> selected_;
  /// How many pods carry each label (label_hash -> count, sorted by hash): a selection that
  /// requires a label no pod here carries counts 0 without a walk. Most of the nodes a pod's
  /// scoring visits hold none of its Deployment's pods; walking each of them once per
  /// Deployment was quadratic (15% of a 3,000-node simulated run).
  std::vector<std::pair<std::uint64_t, std::uint32_t>> label_counts_;
  void count_labels(const PodInfo& pod, int delta);
  bool holds_none(const Selection& selection) const;
  /// The pods changed from generation `before` to generation_ by `pod` (+1 added, -1 removed;
  /// null: no pod, e.g. set_node): counts true for `before` follow.
  void follow_selected(std::uint64_t before, const PodInfo* pod, std::int64_t delta);
};

/// The next process-wide node generation (Kubernetes' nextGeneration); thread-safe.
std::uint64_t next_node_generation();

/// The reason TaintToleration gives for a taint: "node(s) had untolerated taint {key: value}".
std::string untolerated_taint_reason(const std::string& key, const std::string& value);

/// A taint as Kubernetes' constructor would make it (reason text filled in).
Taint make_taint(std::string key, std::string value, TaintEffect effect);

}  // namespace craton::scheduler
