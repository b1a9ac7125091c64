// The cluster scenario's simulated clients (sim/cluster/cluster_scenario.hpp), actors on the
// control-plane nodes talking to their node's API actor in envelopes:
//
// ClusterDeployer: creates the Deployments the run is about, each once (409: another
// control-plane node's deployer, or an earlier incarnation, made it; done): one "web" by
// default, or `deployments` of them ("web-0", "web-1", ...) sharing the replicas, at most
// kDeployerCreatesMax creates in flight. Its pods tolerate the node
// lifecycle controller's NoExecute taints (node.kubernetes.io/unreachable and not-ready) for
// only toleration_s, so that the pods of a crashed or cut-off node are evicted within the run
// (Kubernetes' default is 300 s); their one container runs until signalled and has
// terminationGracePeriodSeconds = grace_period_s.
//
// PodsAuditor: an informer on every pod; after each change of what it sees it reports a
// PodsView (per pod uid: name, node, phase, Ready, marked for deletion) for the cluster
// checker (sim/cluster/cluster_checker.hpp). With audit_every_ms > 0 (scale runs: a view lists
// every pod, so one per change is quadratic in pods) it reports at most one view per
// audit_every_ms of simulated time, on its 200 ms tick, the last change included.
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/environment.hpp"
#include "sim/world/observation.hpp"

namespace craton::sim {

struct ClusterDeploymentConfig {
  std::string namespace_ = "default";
  std::string name = "web";
  int replicas = 4;  ///< in all the Deployments
  /// How many Deployments share the replicas (`craton sim --deployments`): 1 is one "web"; K
  /// are web-0..web-(K-1), the first replicas % K with one more. A scale run's load as
  /// Kubernetes' own density tests shape it: a ReplicaSet's sync reads all its pods, so one
  /// Deployment of 150,000 replicas costs O(replicas) per sync (as in kube-controller-manager).
  int deployments = 1;
  std::int64_t toleration_s = 5;
  std::int64_t grace_period_s = 3;
  std::int64_t call_timeout_ms = 10000;
  /// The first create waits this long (simulated, on the node's timer), so that the workers
  /// have registered their Nodes and the scheduler spreads the pods over them: with random
  /// latency the first Ready worker would otherwise get every pod, and a crash of another
  /// worker would evict nothing.
  std::int64_t create_after_ms = 5000;
};

/// The Deployments of `config`, one config each (deployments = 1), in creation order.
std::vector<ClusterDeploymentConfig> cluster_deployments(const ClusterDeploymentConfig& config);

/// The Deployment of `config` (deployments = 1), encoded (the controllers scenario's, plus
/// tolerations and the grace period).
std::string cluster_deployment_bytes(const ClusterDeploymentConfig& config);

caf::actor spawn_cluster_deployer(caf::actor_system& sys, const NodeContext& node,
                                  ObservationSink observe, ClusterDeploymentConfig config);
caf::actor spawn_pods_auditor(caf::actor_system& sys, const NodeContext& node,
                              ObservationSink observe, std::int64_t audit_every_ms = 0);

}  // namespace craton::sim
