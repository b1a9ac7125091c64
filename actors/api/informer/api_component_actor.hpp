// The actor shell of an ApiComponent (api_component.hpp), shared by the controller manager and
// the scheduler. It registers as `role` with its node's router, sends the component's calls to
// the API actor ("<api node>/api") in apiRequest envelopes, hands the apiResponses and
// apiWatchEvents back by correlation id, asks the component to act() behind each burst of them
// (a message to itself, queued behind its mailbox), ticks it on its timer, and runs the leader
// election (actors/api/client/leader_election.hpp): the component acts while its instance holds
// the Lease.
//
// The API node is the first of api_nodes (empty: its own node's); the shell gives up on it when
// its link goes down or no answer came for api_switch_ms while calls were pending, and moves to
// the next one (another control-plane process): the calls in flight fail at once and every
// informer lists and watches again there (api_endpoints.hpp).
//
// Time: the node's clock (ActorEnv::now_ms), so it is deterministic under the simulator.
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/api/client/leader_election.hpp"
#include "actors/api/informer/api_component.hpp"
#include "runtime/environment.hpp"

namespace craton::api {

struct ApiComponentActorConfig {
  std::string role;  ///< its name at the router and in logs ("scheduler")
  /// Which instance acts: the holder of this Lease; identity "<node>_<random hex>" when empty.
  LeaderElectionConfig election;
  /// False: this instance acts from the start, with no Lease (kube's leaderElect: false).
  bool elect = true;
  std::vector<std::string> api_nodes;  ///< empty: its own node's API actor
  std::int64_t tick_ms = 100;
  std::int64_t api_switch_ms = 20000;
};

/// Makes the component once the shell knows its first correlation id (runtime/correlation.hpp)
/// and its environment.
using ApiComponentFactory =
    std::function<std::unique_ptr<ApiComponent>(std::uint64_t first_correlation, ActorEnv& env)>;

caf::actor spawn_api_component(caf::actor_system& sys, const NodeContext& node,
                               ApiComponentActorConfig config, ApiComponentFactory make);

}  // namespace craton::api
