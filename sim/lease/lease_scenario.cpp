#include "sim/lease/lease_scenario.hpp"

#include "actors/store/replica/replica.hpp"

namespace craton::sim {

StoreScenarioOptions LeaseScenario::with_probe(StoreScenarioOptions store, std::int64_t probe_ms) {
  // The watch checker expects every revision to touch its prefix ("k"); lease keys ("lk.")
  // take revisions outside it. Watches are checked in the store scenario.
  store.watchers = false;
  store.replica_watchers = [probe_ms](caf::actor_system& sys, const NodeContext& node,
                                      const ObservationSink& observe,
                                      std::weak_ptr<store::Replica> replica) {
    return std::vector<caf::actor>{
        spawn_lease_key_probe(sys, node, observe, std::move(replica), probe_ms)};
  };
  return store;
}

// The lease bound is stated in the replicas' parameters: the checker takes the ones the store
// scenario's replicas run with (their defaults, and the scenario's tick).
LeaseScenarioOptions LeaseScenario::with_store_parameters(LeaseScenarioOptions options) {
  const store::ReplicaConfig replica;
  auto& check = options.check;
  check.tick_ms = options.store.tick_ms;
  check.election_timeout_ms = std::int64_t{replica.election_tick} * options.store.tick_ms;
  check.lease_check_ms = replica.lease_check_ms;
  check.revoke_retry_ms = replica.leases.revoke_retry_ms;
  return options;
}

LeaseScenario::LeaseScenario(std::vector<std::string> nodes, LeaseScenarioOptions options)
    : nodes_(nodes),
      options_(with_store_parameters(std::move(options))),
      store_(std::move(nodes), with_probe(options_.store, options_.check.probe_ms)) {}

std::vector<caf::actor> LeaseScenario::spawn_node(caf::actor_system& sys, const NodeContext& node,
                                                  const ObservationSink& observe) {
  auto actors = store_.spawn_node(sys, node, observe);
  auto config = options_.lease;
  config.nodes = nodes_.size();
  actors.push_back(spawn_lease_workload(sys, node, observe, config));
  return actors;
}

CheckResult LeaseScenario::check(const RunHistory& history) const {
  auto result = store_.check(history);
  auto leases = check_lease_history(history, options_.check);
  for (auto& f : leases.failures) result.fail(std::move(f));
  for (const auto& [name, count] : leases.counts) result.counts[name] = count;
  return result;
}

}  // namespace craton::sim
