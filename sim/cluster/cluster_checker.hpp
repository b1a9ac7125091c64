// The cluster checker: judges a cluster scenario run (sim/cluster/cluster_scenario.hpp) from
// what the pods auditors saw of the API (PodsView) and what each worker's driver ran
// (ContainerEvent), with the fault schedule's crashes, restarts and partitions. Pure.
//
// A pod counts as gone from the API at the first time any auditor saw it marked for deletion
// (deletionTimestamp) or no longer listed after having listed it: Kubernetes' graceful deletion
// (a Terminating pod, its replacement already running) and an immediate one both count. A
// worker is cut off from a partition that puts it outside control_plane[0]'s group until the
// next heal or partition, or the settle point.
//
//   1. eviction: a worker that crashed at C and stays down until at least the deadline (or
//      the end): every pod some auditor last saw bound to it (and not terminating) before C is
//      gone by the deadline, and by then some view shows `replicas` pods Running and Ready,
//      not terminating, on other nodes. The deadline is C + evict_bound, evict_bound =
//      node_monitor_grace_ms (the node lifecycle controller marks the silent node Unknown and
//      taints it) + toleration_ms (the taint manager deletes the pods at timeAdded +
//      tolerationSeconds) + eviction_slack_ms (lease renewal period, taint writes, the
//      replacement's scheduling and start). A control-plane disturbance overlapping the window
//      that may move the controller manager's leader (a control-plane node down, cut off from
//      the other control-plane nodes, or restarting after a failed sync) moves the deadline
//      to its end + leader_lease_ms + evict_bound: a new node lifecycle leader gives every
//      node a fresh grace, as Kubernetes' does; the other disturbances (agents or a worker cut
//      off, a control-plane disk full) push it back by their length.
//   2. stops: a container of a pod gone at D stops by R + grace_period_ms + stop_slack_ms,
//      where R is D, or the heal that reconnects its node if the node was cut off from
//      control_plane[0] at D, or, if some control-plane node was down or unreachable from the
//      node at D (its agent may be talking to that one), when it is back or api_switch_ms
//      later (the agent moves to another); and no container of a gone pod starts after
//      R + stop_slack_ms.
//   3. one node: no pod's containers run on two nodes at once, nor on a node other than the one
//      the API bound it to.
//   4. at the end: every up auditor's last view shows `replicas` pods Running and Ready (not
//      terminating), each with a container running at the end on its node.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/world/run_history.hpp"

namespace craton::sim {

struct ClusterBounds {
  std::vector<std::string> control_plane;  ///< sim node ids (the auditors run here)
  std::vector<std::string> workers;        ///< sim node ids; Node objects carry the same names
  int replicas = 4;
  std::int64_t node_monitor_grace_ms = 40'000;
  std::int64_t toleration_ms = 5'000;
  std::int64_t grace_period_ms = 3'000;
  std::int64_t eviction_slack_ms = 25'000;
  std::int64_t stop_slack_ms = 15'000;
  /// An agent moves to another API after this long without answers (AgentActorConfig).
  std::int64_t api_switch_ms = 20'000;
  /// Leader election's lease (LeaderElectionConfig): a crashed leader's successor acts by then.
  std::int64_t leader_lease_ms = 15'000;

  std::int64_t evict_bound_ms() const {
    return node_monitor_grace_ms + toleration_ms + eviction_slack_ms;
  }
};

CheckResult check_cluster(const RunHistory& history, const ClusterBounds& bounds);

}  // namespace craton::sim
