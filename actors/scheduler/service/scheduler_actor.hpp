// The scheduler as an actor (issue 13): SchedulerService (scheduler_service.hpp) in the API
// component shell (actors/api/informer/api_component_actor.hpp): envelopes to and from the API
// actor, the timer, and the leader Lease (kube-system/kube-scheduler by default, as the
// configuration's leaderElection says) that decides which instance schedules.
//
// It runs inside `craton server` (the API actor of its own node) and alone as
// `craton scheduler --join` (the API actor of a server node it links to). Several instances may
// run; exactly one binds: the holder of the Lease, once its informers have listed.
#pragma once

#include <caf/all.hpp>

#include <string>
#include <vector>

#include "actors/scheduler/service/scheduler_service.hpp"
#include "runtime/environment.hpp"

namespace craton::scheduler {

struct SchedulerActorConfig {
  SchedulerServiceConfig service;      ///< first_correlation, host, seed: set by the actor
  std::vector<std::string> api_nodes;  ///< empty: its own node's API actor
  std::int64_t tick_ms = 20;
  std::int64_t api_switch_ms = 20000;
  std::string identity;  ///< the Lease holder's name; "<node>_<random hex>" when empty
  /// Seconds since the epoch at the node clock's zero.
  std::int64_t wall_clock_base_s = 1'800'000'000;
};

/// Precondition: the profiles build (check with SchedulerService::create first: the command
/// line does, so a bad --config is an error message, not a crash).
caf::actor spawn_scheduler(caf::actor_system& sys, const NodeContext& node,
                           SchedulerActorConfig config);

}  // namespace craton::scheduler
