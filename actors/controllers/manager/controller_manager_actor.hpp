// The controller manager as an actor (issue 12): the CAF shell of ControllerManager
// (controller_manager.hpp). It registers as "controller-manager" with its node's router, sends
// the manager's calls to the API actor ("<api node>/api") in apiRequest envelopes, hands the
// apiResponses and apiWatchEvents back by correlation id, and ticks the manager on its timer.
//
// It runs inside `craton server` (the API actor of its own node) and alone as
// `craton controller-manager --join` (the API actor of a server node it links to). The API
// node is the first of api_nodes; when no answer came for api_switch_ms while calls were
// pending, it moves to the next one (another control-plane process).
//
// Several instances may run (one in each `craton server`, more joined); exactly one acts: the
// holder of the leader Lease (leader_election.hpp), once its informers have listed.
//
// Time: the node's clock (ActorEnv::now_ms) plus wall_clock_base_s for the wall-clock times
// objects carry; so it is deterministic under the simulator.
#pragma once

#include <caf/all.hpp>

#include <string>
#include <vector>

#include "actors/controllers/leader/leader_election.hpp"
#include "actors/controllers/manager/controller_manager.hpp"
#include "runtime/environment.hpp"

namespace craton::controllers {

struct ControllerManagerActorConfig {
  ControllerManagerConfig manager;  ///< first_correlation: set by the actor
  /// Which instance acts: the holder of a Lease (kube-system/craton-controller-manager);
  /// identity: "<node>_<random hex>" when empty.
  LeaderElectionConfig election;
  std::vector<std::string> api_nodes;  ///< empty: its own node's API actor
  std::int64_t tick_ms = 100;
  std::int64_t api_switch_ms = 20000;
  /// Seconds since the epoch at the node clock's zero.
  std::int64_t wall_clock_base_s = 1'800'000'000;
};

caf::actor spawn_controller_manager(caf::actor_system& sys, const NodeContext& node,
                                    ControllerManagerActorConfig config);

}  // namespace craton::controllers
