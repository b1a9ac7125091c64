// The node lifecycle controller (Kubernetes' pkg/controller/nodelifecycle, with its taint
// manager) as a pure reconcile core. Its keys are node names.
//
// One sync of a node:
//   1. health: a node agent proves it is alive by renewing the Lease named after its node in
//      kube-node-lease. The controller remembers WHEN IT SAW spec.renewTime change, by its own
//      clock (never comparing the node's clock with its own); a node first seen counts as just
//      renewed. A node silent for node_monitor_grace_period_ms (node_startup_grace_period_ms
//      while it never posted a Ready condition) gets Ready, MemoryPressure, DiskPressure and
//      PIDPressure set to Unknown (reason NodeStatusUnknown, "Kubelet stopped posting node
//      status.", or NodeStatusNeverUpdated for conditions never posted), written to
//      nodes/<n>/status. A node that renews again is left alone: Ready is its agent's to set.
//   2. taints: a silent node gets node.kubernetes.io/unreachable, one whose Ready is False
//      node.kubernetes.io/not-ready, each NoSchedule and NoExecute (timeAdded set on the NoExecute
//      one); any other node neither, including one that renews again while its Ready still reads
//      Unknown (kube keeps the taints until the kubelet posts Ready; issue 12 wants them gone on
//      renewal, and Ready is left for the node agent to set). Swapping one NoExecute taint for the
//      other is immediate; a NoExecute taint on a node that had none takes a token of its zone
//      (topology.kubernetes.io/zone label) first: evictions_per_second per zone, burst 1, as
//      kube's --node-eviction-rate limits the nodes whose pods get evicted. A node waiting for a
//      token gets its NoSchedule taint at once and is looked at again when the token is due.
//   3. eviction (the taint manager): a pod bound to the node (spec.nodeName) that does not
//      tolerate every NoExecute taint is deleted at once; one that tolerates them all is deleted
//      at the earliest taint's timeAdded plus its smallest tolerationSeconds (never, when no
//      matching toleration bounds it). Deletions are expectations: a pod asked to go is not asked
//      again until its deletion was seen (or the record lapsed).
//
// A status write and a taint write of one node never go out in the same sync (the second would
// conflict): the taints follow in the sync the status write's watch event brings.
//
// What it leaves out (as of this commit): the secondary eviction rate and the stop of evictions
// when a zone is mostly or fully unhealthy (kube's PartialDisruption/FullDisruption states), the
// NoSchedule taints of the pressure conditions and of spec.unschedulable, node status heartbeats
// (lastHeartbeatTime) as a liveness signal besides the Lease, the region in the zone key (kube
// keys zones by region and zone; here the zone label alone), and Events.
#pragma once

#include <cstdint>
#include <string>

#include "actors/controllers/controller.hpp"

namespace craton::controllers {

struct NodeLifecycleConfig {
  /// A node whose Lease was not seen renewed for this long is Unknown (kube's
  /// --node-monitor-grace-period).
  std::int64_t node_monitor_grace_period_ms = 40'000;
  /// The same, while the node never posted a Ready condition (--node-startup-grace-period).
  std::int64_t node_startup_grace_period_ms = 60'000;
  /// Per zone: nodes newly given a NoExecute taint (so whose pods get evicted) per second
  /// (--node-eviction-rate). <= 0: no node is ever tainted NoExecute.
  double evictions_per_second = 0.1;
  /// Where node agents keep their Leases; Leases elsewhere are not heartbeats.
  std::string lease_namespace = "kube-node-lease";
  /// Seconds since the epoch at the manager's clock zero (timeAdded and conditions' times are
  /// wall-clock).
  std::int64_t wall_clock_base_s = 0;
};

ControllerFactory node_lifecycle_controller(NodeLifecycleConfig config = {});

}  // namespace craton::controllers
