// The default plugins: a Registry holding every plugin this folder implements, and the default
// profile in Kubernetes' shape (its multi-point list in its order, with its score weights:
// TaintToleration 3, NodeAffinity 2, NodeResourcesFit 1, PodTopologySpread 2, InterPodAffinity 2,
// NodeResourcesBalancedAllocation 1), DefaultPreemption as its PostFilter and DefaultBinder last.
// The volume plugins and ImageLocality are not written yet and so not in the profile. The
// registry also holds the research policies (GpuShare, FGD, RandomScore, DotProduct,
// GpuPacking, GpuClustering: docs/research.md), which no default profile enables.
#pragma once

#include "actors/scheduler/framework/registry.hpp"

namespace craton::scheduler {

Registry default_registry();
Profile default_profile();

}  // namespace craton::scheduler
