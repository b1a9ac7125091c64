// The scheduler scenario's simulated clients (sim/scheduler/scheduler_scenario.hpp), each an actor
// on every node talking to its node's API actor in envelopes:
//
// NodeRegistrar: what a kubelet does when it registers: creates the Node "node-<sim node>"
// (labels kubernetes.io/hostname and topology.kubernetes.io/zone, status.capacity and
// allocatable as configured, a Ready condition), retried until the API answers (409: it exists
// from an earlier incarnation, done). Every incarnation registers again.
//
// PodCreator: every period_ms creates a pod "p-<node>-<incarnation>-<k>" in "default" (names
// never collide across nodes and incarnations) whose one container requests a CPU amount
// drawn from cpu_choices and a memory amount from memory_choices (some choices fit no node:
// the scheduler must leave those pending). One call at a time, each retried until answered
// (409 after an earlier try: done); pods_max pods per incarnation, then it stops.
//
// SchedulerAuditor: informers on pods and nodes; once both have listed, after every change of
// what it sees it reports a SchedulerView (per node allocatable and the summed requests of
// the pods bound to it; per pod uid its name, requests and nodeName) for the scheduler
// checker (sim/scheduler/scheduler_checker.hpp).
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/environment.hpp"
#include "sim/world/observation.hpp"

namespace craton::sim {

struct NodeRegistrarConfig {
  std::string cpu = "4";
  std::string memory = "8Gi";
  std::string pods = "110";
  std::size_t zones = 2;  ///< node i (in ring order of its name's digits) is in zone-(i % zones)
  std::int64_t call_timeout_ms = 5000;
};

struct PodCreatorConfig {
  std::size_t pods_max = 12;  ///< per incarnation
  std::int64_t period_ms = 1000;
  std::int64_t call_timeout_ms = 5000;
  std::vector<std::string> cpu_choices = {"100m", "250m", "500m", "1", "1500m", "2", "3", "64"};
  std::vector<std::string> memory_choices = {"64Mi", "256Mi", "512Mi", "1Gi"};
};

/// The Node object's name for a simulated node.
std::string sim_node_name(const std::string& sim_node);

caf::actor spawn_node_registrar(caf::actor_system& sys, const NodeContext& node,
                                ObservationSink observe, NodeRegistrarConfig config);
caf::actor spawn_pod_creator(caf::actor_system& sys, const NodeContext& node,
                             ObservationSink observe, PodCreatorConfig config);
caf::actor spawn_scheduler_auditor(caf::actor_system& sys, const NodeContext& node,
                                   ObservationSink observe);

}  // namespace craton::sim
