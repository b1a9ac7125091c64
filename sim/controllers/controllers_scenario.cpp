// The controllers scenario: the store cluster plus the control plane and simulated workloads.
#include "sim/controllers/controllers_scenario.hpp"

#include <algorithm>

#include "actors/api/actor/api_actor.hpp"
#include "actors/controllers/manager/controller_manager_actor.hpp"

namespace craton::sim {

StoreScenarioOptions ControllersScenario::store_options(StoreScenarioOptions store) {
  store.watchers = false;  // the registry's revisions are not the store watchers' keys
  store.clients_per_node = 1;
  store.progress_grace_ms = std::max<std::int64_t>(store.progress_grace_ms, 8000);
  // The store scenario's 512-byte chunks hold one object each here (pods, ReplicaSets and Events
  // are 1-2 KiB of JSON), four per round trip: a follower catching up on this scenario's ~1 MiB
  // of history took ~50 s at the simulator's latencies, and when the only quorum left after the
  // faults needs such a follower the store stood still for longer than a run has after its
  // settle point (seed 1015, 5 nodes, 120 s). 64 KiB chunks still make a transfer of this
  // state several windows long.
  store.snapshot_chunk_bytes = std::max<std::size_t>(store.snapshot_chunk_bytes, 64 << 10);
  return store;
}

ControllersScenario::ControllersScenario(std::vector<std::string> nodes,
                                         ControllersScenarioOptions options)
    : options_(std::move(options)), store_(std::move(nodes), store_options(options_.store)) {}

std::vector<caf::actor> ControllersScenario::spawn_node(caf::actor_system& sys,
                                                        const NodeContext& node,
                                                        const ObservationSink& observe) {
  auto actors = store_.spawn_node(sys, node, observe);
  actors.push_back(api::spawn_api(sys, node, api::ApiActorConfig{}));
  actors.push_back(controllers::spawn_controller_manager(
      sys, node, controllers::ControllerManagerActorConfig{}));
  actors.push_back(spawn_fake_kubelet(sys, node, options_.kubelet));
  actors.push_back(spawn_deployer(sys, node, observe, options_.deployer));
  actors.push_back(spawn_auditor(sys, node, observe));
  actors.push_back(spawn_deleter(sys, node, observe, options_.deleter));
  actors.push_back(spawn_ownership_auditor(sys, node, observe));
  return actors;
}

CheckResult ControllersScenario::check(const RunHistory& history) const {
  auto result = store_.check(history);
  RolloutBounds bounds{options_.deployer.replicas, options_.deployer.max_surge,
                       options_.deployer.max_unavailable};
  auto rollouts = check_rollouts(history, bounds);
  for (auto& f : rollouts.failures) result.fail(std::move(f));
  for (const auto& [name, count] : rollouts.counts) result.counts[name] = count;
  auto ownership = check_ownership(history);
  for (auto& f : ownership.failures) result.fail(std::move(f));
  for (const auto& [name, count] : ownership.counts) result.counts[name] = count;
  return result;
}

}  // namespace craton::sim
