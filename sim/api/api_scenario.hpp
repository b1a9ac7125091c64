// The API scenario: the store cluster of the store scenario, and on every node the API actor
// (actors/api/actor/api_actor.hpp) with an ApiWriter and an ApiWatcher talking to it
// (sim/api/api_clients.hpp), under the simulator's faults (partitions, crashes and restarts of
// whole nodes, message loss, disk and clock faults).
//
// Judged by the store scenario's checker (linearizability of every operation, the API
// writers' included, and Raft's invariants) and by the watch checker on what the API watchers
// saw: ordered, no duplicates, no gaps, atomic, real values, and resumed from the revision
// after the last one delivered, across restarts of the node and of its API actor; and by the
// cache checker on the ApiInformers' snapshots (consistent with the history at their
// revision; caught up after the faults).
#pragma once

#include "sim/api/api_clients.hpp"
#include "sim/store/store_scenario.hpp"

namespace craton::sim {

struct ApiScenarioOptions {
  StoreScenarioOptions store;  ///< watchers and replica_watchers are set by the scenario
  ApiWriterConfig writer;
  ApiWatcherConfig watcher;
  ApiInformerConfig informer;
};

class ApiScenario : public Scenario {
 public:
  explicit ApiScenario(std::vector<std::string> nodes, ApiScenarioOptions options = {});

  std::string name() const override { return "api"; }
  std::vector<caf::actor> spawn_node(caf::actor_system& sys, const NodeContext& node,
                                     const ObservationSink& observe) override;
  CheckResult check(const RunHistory& history) const override;
  void use_disks(std::shared_ptr<SimDisks> disks) override { store_.use_disks(std::move(disks)); }

 private:
  static StoreScenarioOptions store_options(StoreScenarioOptions store);

  ApiScenarioOptions options_;
  StoreScenario store_;
};

}  // namespace craton::sim
