// The API scenario: the store scenario's cluster plus an API actor and its clients per node.
#include "sim/api/api_scenario.hpp"

#include "actors/api/actor/api_actor.hpp"
#include "sim/api/cache_checker.hpp"
#include "sim/store/watch_checker.hpp"

namespace craton::sim {

StoreScenarioOptions ApiScenario::store_options(StoreScenarioOptions store) {
  // The store watchers expect every revision to touch their prefix ("k"); the API's keys
  // (/registry/...) take revisions outside it. The API watchers are checked instead.
  store.watchers = false;
  store.clients_per_node = 1;
  // After the faults an API actor may need a feed restart and a cache wait before its
  // writers' operations succeed again.
  store.progress_grace_ms = std::max<std::int64_t>(store.progress_grace_ms, 8000);
  // Registry objects fill the store scenario's 512-byte snapshot chunks one each: a replica
  // catching up by snapshot after the faults held its API's feed (and so its informers) back
  // for the rest of the run (seed 24, 7 nodes). As in the controllers scenario, 64 KiB.
  store.snapshot_chunk_bytes = std::max<std::size_t>(store.snapshot_chunk_bytes, 64 << 10);
  return store;
}

ApiScenario::ApiScenario(std::vector<std::string> nodes, ApiScenarioOptions options)
    : options_(std::move(options)), store_(std::move(nodes), store_options(options_.store)) {}

std::vector<caf::actor> ApiScenario::spawn_node(caf::actor_system& sys, const NodeContext& node,
                                                const ObservationSink& observe) {
  auto actors = store_.spawn_node(sys, node, observe);
  actors.push_back(api::spawn_api(sys, node, api::ApiActorConfig{}));
  actors.push_back(spawn_api_writer(sys, node, observe, options_.writer));
  actors.push_back(spawn_api_watcher(sys, node, observe, options_.watcher));
  actors.push_back(spawn_api_informer(sys, node, observe, options_.informer));
  return actors;
}

CheckResult ApiScenario::check(const RunHistory& history) const {
  auto result = store_.check(history);
  WatchCheckOptions watch;
  watch.every_revision_watched = false;  // other keys (the store clients', namespaces) too
  auto watched = check_watch_history(history, watch);
  for (auto& f : watched.failures) result.fail(std::move(f));
  auto cached = check_cache_snapshots(history);
  for (auto& f : cached.failures) result.fail(std::move(f));
  for (const auto& [name, count] : cached.counts) result.counts[name] = count;
  return result;
}

}  // namespace craton::sim
