// The controllers scenario's deletion clients (sim/controllers/controllers_scenario.hpp), actors on
// every node talking to its node's API actor in envelopes, for the garbage collector and the
// namespace deletion to be judged under faults:
//
// Deleter: in the node's first incarnation (a later one would start deletions the run may
// have no time left to finish), creates the namespace "ns-<node>" holding a Deployment "w",
// and in "default" three Deployments "g-<node>-background|foreground|orphan"; waits
// delete_after_ms (their ReplicaSets and pods appear meanwhile, or not: faults); then deletes
// each Deployment with the propagationPolicy its name says, and the namespace. One call at a
// time, each retried until the API answers it (a create's 409 and a delete's 404 after an
// earlier try count as done); every deletion the API accepted is reported (DeletionEvent).
// A refusal other than those stops the deleter (reported as text): nothing it did is judged.
//
// OwnershipAuditor: informers on namespaces, Deployments, ReplicaSets and pods in every
// namespace; whenever all are synced and its view changed, it reports an OwnershipSample
// (which namespaces exist, objects per namespace and per app label, dangling owner
// references) for the ownership checker (sim/controllers/ownership_checker.hpp).
#pragma once

#include <caf/all.hpp>

#include <cstdint>

#include "runtime/environment.hpp"
#include "sim/world/observation.hpp"

namespace craton::sim {

struct DeleterConfig {
  int replicas = 2;
  std::int64_t delete_after_ms = 6000;  ///< after its first tick, by its clock
  std::int64_t call_timeout_ms = 10000;
};

caf::actor spawn_deleter(caf::actor_system& sys, const NodeContext& node, ObservationSink observe,
                         DeleterConfig config);
caf::actor spawn_ownership_auditor(caf::actor_system& sys, const NodeContext& node,
                                   ObservationSink observe);

}  // namespace craton::sim
