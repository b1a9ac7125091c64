// The controller manager as an actor (issue 12): ControllerManager (controller_manager.hpp) with
// every controller, in the API component shell (actors/api/informer/api_component_actor.hpp):
// envelopes to and from the API actor, the timer, and the leader Lease
// (kube-system/craton-controller-manager) that decides which instance acts.
//
// It runs inside `craton server` (the API actor of its own node) and alone as
// `craton controller-manager --join` (the API actor of a server node it links to). Several
// instances may run; exactly one acts: the holder of the Lease, once its informers have listed.
//
// Time: the node's clock plus wall_clock_base_s for the wall-clock times objects carry; so it is
// deterministic under the simulator.
#pragma once

#include <caf/all.hpp>

#include <string>
#include <vector>

#include "actors/api/client/leader_election.hpp"
#include "actors/controllers/manager/controller_manager.hpp"
#include "runtime/environment.hpp"

namespace craton::controllers {

struct ControllerManagerActorConfig {
  ControllerManagerConfig manager;  ///< first_correlation: set by the actor
  /// Which instance acts: the holder of a Lease (kube-system/craton-controller-manager);
  /// identity: "<node>_<random hex>" when empty.
  api::LeaderElectionConfig election;
  std::vector<std::string> api_nodes;  ///< empty: its own node's API actor
  std::int64_t tick_ms = 100;
  std::int64_t api_switch_ms = 20000;
  /// Seconds since the epoch at the node clock's zero.
  std::int64_t wall_clock_base_s = 1'800'000'000;
};

caf::actor spawn_controller_manager(caf::actor_system& sys, const NodeContext& node,
                                    ControllerManagerActorConfig config);

}  // namespace craton::controllers
