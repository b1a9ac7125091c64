// The default registry and profile.
#include "actors/scheduler/plugins/default_plugins.hpp"

#include "actors/scheduler/plugins/balanced_allocation.hpp"
#include "actors/scheduler/plugins/default_binder.hpp"
#include "actors/scheduler/plugins/default_preemption.hpp"
#include "actors/scheduler/plugins/dot_product.hpp"
#include "actors/scheduler/plugins/fgd.hpp"
#include "actors/scheduler/plugins/gpu_clustering.hpp"
#include "actors/scheduler/plugins/gpu_packing.hpp"
#include "actors/scheduler/plugins/gpu_share.hpp"
#include "actors/scheduler/plugins/inter_pod_affinity.hpp"
#include "actors/scheduler/plugins/node_affinity.hpp"
#include "actors/scheduler/plugins/node_name.hpp"
#include "actors/scheduler/plugins/node_ports.hpp"
#include "actors/scheduler/plugins/node_resources_fit.hpp"
#include "actors/scheduler/plugins/node_unschedulable.hpp"
#include "actors/scheduler/plugins/pod_topology_spread.hpp"
#include "actors/scheduler/plugins/priority_sort.hpp"
#include "actors/scheduler/plugins/random_score.hpp"
#include "actors/scheduler/plugins/taint_toleration.hpp"
#include "runtime/assert.hpp"

namespace craton::scheduler {

Registry default_registry() {
  Registry r;
  bool ok = r.add(std::string(PrioritySort::kName), make_priority_sort).ok() &&
            r.add(std::string(NodeUnschedulable::kName), make_node_unschedulable).ok() &&
            r.add(std::string(NodeName::kName), make_node_name).ok() &&
            r.add(std::string(TaintToleration::kName), make_taint_toleration).ok() &&
            r.add(std::string(NodeAffinity::kName), make_node_affinity).ok() &&
            r.add(std::string(NodePorts::kName), make_node_ports).ok() &&
            r.add(std::string(NodeResourcesFit::kName), make_node_resources_fit).ok() &&
            r.add(std::string(BalancedAllocation::kName), make_balanced_allocation).ok() &&
            r.add(std::string(InterPodAffinity::kName), make_inter_pod_affinity).ok() &&
            r.add(std::string(PodTopologySpread::kName), make_pod_topology_spread).ok() &&
            r.add(std::string(DefaultPreemption::kName), make_default_preemption).ok() &&
            r.add(std::string(DefaultBinder::kName), make_default_binder).ok() &&
            // Research policies (docs/research.md), in no default profile: GPU sharing, FGD and
            // the baselines sim/policies/ enables.
            r.add(std::string(GpuShare::kName), make_gpu_share).ok() &&
            r.add(std::string(Fgd::kName), make_fgd).ok() &&
            r.add(std::string(RandomScore::kName), make_random_score).ok() &&
            r.add(std::string(DotProduct::kName), make_dot_product).ok() &&
            r.add(std::string(GpuPacking::kName), make_gpu_packing).ok() &&
            r.add(std::string(GpuClustering::kName), make_gpu_clustering).ok();
  CRATON_ASSERT(ok, "default plugin names are unique");
  return r;
}

Profile default_profile() {
  Profile p;
  // Kubernetes' default multi-point list, in its order, without the plugins not written yet.
  p.multi_point = {
      {std::string(PrioritySort::kName), 0},        // queue order
      {std::string(NodeUnschedulable::kName), 0},   // cordoned nodes
      {std::string(NodeName::kName), 0},            // spec.nodeName
      {std::string(TaintToleration::kName), 3},     // taints; kube's score weight 3
      {std::string(NodeAffinity::kName), 2},        // node selector and affinity; weight 2
      {std::string(NodePorts::kName), 0},           // host ports
      {std::string(NodeResourcesFit::kName), 1},    // requests; LeastAllocated, weight 1
      {std::string(PodTopologySpread::kName), 2},   // spread constraints; weight 2
      {std::string(InterPodAffinity::kName), 2},    // pod (anti-)affinity; weight 2
      {std::string(DefaultPreemption::kName), 0},   // PostFilter: preemption
      {std::string(BalancedAllocation::kName), 1},  // balanced use; weight 1
      {std::string(DefaultBinder::kName), 0},       // Bind, last as in kube
  };
  return p;
}

}  // namespace craton::scheduler
