// NodeInfo: what the scheduler knows of a node and of the pods placed on it: name, labels,
// taints, unschedulable, allocatable, the sum of its pods' requests (actual and with non-zero
// defaults), the pods (and which of them have pod affinity terms), the host ports they use, and a
// generation that grows on every change so a snapshot can copy only nodes that changed.
// Built once from the API object by the converter; pods are added and removed by the cache.
// Promises: requested always equals the sum of its pods' requests; the generation is strictly
// larger after every mutation and unique in the process (a copy keeps its source's), so a
// plugin may cache what it derived from a node under (address, generation); count_selected()
// equals the walk over pods() it replaces (its memory is emptied whenever the pods change).
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

  /// How many of the pods are in `namespace_` and match `selector`; `selection` is
  /// SelectionIds::id_of() of both (non-zero). PodTopologySpread asks it of every node it
  /// scores for every pod, so the answer is remembered here until the pods change (at most
  /// kSelectionsRemembered selections, the oldest forgotten): a hit is a scan of a few ids in
  /// the node itself, where a walk is every pod's labels. Not thread-safe (the scheduler reads a
  /// snapshot from one thread).
  static constexpr std::size_t kSelectionsRemembered = 16;
  std::int64_t count_selected(std::uint64_t selection, const std::string& namespace_,
                              const api::LabelSelector& selector) const;
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
    std::uint64_t selection = 0;  ///< 0: empty slot
    std::int64_t count = 0;
  };
  mutable std::array<SelectedCount, kSelectionsRemembered> selected_{};
  mutable std::size_t selected_next_ = 0;  ///< the slot the next new selection takes
  void forget_selected();
};

/// The next process-wide node generation (Kubernetes' nextGeneration); thread-safe.
std::uint64_t next_node_generation();

/// The reason TaintToleration gives for a taint: "node(s) had untolerated taint {key: value}".
std::string untolerated_taint_reason(const std::string& key, const std::string& value);

/// A taint as Kubernetes' constructor would make it (reason text filled in).
Taint make_taint(std::string key, std::string value, TaintEffect effect);

}  // namespace craton::scheduler
