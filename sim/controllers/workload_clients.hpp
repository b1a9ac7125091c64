// The controllers scenario's simulated clients (sim/controllers/controllers_scenario.hpp), each an
// actor on every node talking to its node's API actor in envelopes:
//
// Deployer: owns the Deployment "d-<node>" in "default" (replicas, maxSurge, maxUnavailable
// as configured): creates it (409: it exists from an earlier incarnation, fine), then every
// period_ms changes its image (a rolling update), until stop_after_ms after it started (by
// its clock; clocks start at any offset). Only the node's first incarnation rolls: a
// deployer restarted late would start rollouts the run has no time left to finish.
//
// FakeKubelet: what node agents will do (issue 14), reduced to two things: every pod that is
// not Running and Ready gets that status (PUT /status at the pod's resourceVersion; conflicts
// and other kubelets' writes are fine), and every pod deleted gracefully (deletionTimestamp
// set) is deleted at once with grace 0 and its uid as precondition, as an agent does once the
// pod's processes are gone. It never makes a pod unready.
//
// Auditor: informers on pods and ReplicaSets; after each change it reports, per Deployment
// d-*, its ReplicaSets' spec.replicas and its active pods by owner with the number Ready
// (WorkloadSample), for the rollout checker (sim/controllers/rollout_checker.hpp).
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <string>

#include "runtime/environment.hpp"
#include "sim/world/observation.hpp"

namespace craton::sim {

struct DeployerConfig {
  int replicas = 4;
  int max_surge = 1;
  int max_unavailable = 1;
  std::int64_t period_ms = 4000;
  std::int64_t stop_after_ms = 12000;
  std::int64_t call_timeout_ms = 10000;
};

struct FakeKubeletConfig {
  std::int64_t tick_ms = 200;
  std::int64_t call_timeout_ms = 5000;
  std::int64_t wall_clock_base_s = 1'800'000'000;
};

/// The Deployment the simulated clients create: `replicas` pods labelled app=<name> of one
/// container "c" (image img:0), rolled out with maxSurge and maxUnavailable; encoded.
std::string sim_deployment_bytes(const std::string& namespace_, const std::string& name,
                                 int replicas, int max_surge, int max_unavailable);

caf::actor spawn_deployer(caf::actor_system& sys, const NodeContext& node, ObservationSink observe,
                          DeployerConfig config);
caf::actor spawn_fake_kubelet(caf::actor_system& sys, const NodeContext& node,
                              FakeKubeletConfig config);
caf::actor spawn_auditor(caf::actor_system& sys, const NodeContext& node, ObservationSink observe);

}  // namespace craton::sim
