// The scheduler scenario: the store cluster plus API actors, schedulers and simulated clients.
#include "sim/scheduler/scheduler_scenario.hpp"

#include <algorithm>

#include "actors/api/actor/api_actor.hpp"
#include "sim/scheduler/scheduler_checker.hpp"

namespace craton::sim {

// As the controllers scenario's store (sim/controllers/controllers_scenario.cpp says why): no store
// watchers, one store client per node, a progress grace of 8 s, 64 KiB snapshot chunks.
StoreScenarioOptions SchedulerScenario::store_options(StoreScenarioOptions store) {
  store.watchers = false;
  store.clients_per_node = 1;
  store.progress_grace_ms = std::max<std::int64_t>(store.progress_grace_ms, 8000);
  store.snapshot_chunk_bytes = std::max<std::size_t>(store.snapshot_chunk_bytes, 64 << 10);
  return store;
}

SchedulerScenario::SchedulerScenario(std::vector<std::string> nodes,
                                     SchedulerScenarioOptions options)
    : options_(std::move(options)), store_(std::move(nodes), store_options(options_.store)) {}

std::vector<caf::actor> SchedulerScenario::spawn_node(caf::actor_system& sys,
                                                      const NodeContext& node,
                                                      const ObservationSink& observe) {
  auto actors = store_.spawn_node(sys, node, observe);
  actors.push_back(api::spawn_api(sys, node, api::ApiActorConfig{}));
  actors.push_back(scheduler::spawn_scheduler(sys, node, options_.scheduler));
  actors.push_back(spawn_node_registrar(sys, node, observe, options_.registrar));
  actors.push_back(spawn_pod_creator(sys, node, observe, options_.creator));
  actors.push_back(spawn_scheduler_auditor(sys, node, observe));
  return actors;
}

CheckResult SchedulerScenario::check(const RunHistory& history) const {
  auto result = store_.check(history);
  auto scheduling = check_scheduling(history);
  for (auto& f : scheduling.failures) result.fail(std::move(f));
  for (const auto& [name, count] : scheduling.counts) result.counts[name] = count;
  return result;
}

}  // namespace craton::sim
