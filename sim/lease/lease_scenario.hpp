// The "store-lease" scenario: the store scenario's cluster and key-value clients under random
// faults, plus one lease client per node (sim/lease/lease_workload.hpp) that grants 2 s leases,
// attaches a key, keeps some alive for a while and abandons them, and a probe per replica that
// reports which lease keys it holds. Judged by the store checker (linearizability, Raft safety,
// progress) and by check_lease_history (sim/lease/lease_checker.hpp): a lease kept alive never
// expires, an abandoned lease's key is gone from every replica within the bound the store
// states (docs/store.md, "Leases: the expiry bound"), under clock drift.
// Runs must last at least ~18 s for the liveness bound to be checked after the settle point.
#pragma once

#include "sim/lease/lease_checker.hpp"
#include "sim/lease/lease_workload.hpp"
#include "sim/store/store_scenario.hpp"

namespace craton::sim {

struct LeaseScenarioOptions {
  StoreScenarioOptions store;  ///< replica_watchers is set by the scenario
  LeaseWorkloadConfig lease;
  LeaseCheckOptions check;
};

class LeaseScenario : public Scenario {
 public:
  explicit LeaseScenario(std::vector<std::string> nodes, LeaseScenarioOptions options = {});

  std::string name() const override { return "store-lease"; }
  std::vector<caf::actor> spawn_node(caf::actor_system& sys, const NodeContext& node,
                                     const ObservationSink& observe) override;
  CheckResult check(const RunHistory& history) const override;
  void use_disks(std::shared_ptr<SimDisks> disks) override { store_.use_disks(std::move(disks)); }

 private:
  static StoreScenarioOptions with_probe(StoreScenarioOptions store, std::int64_t probe_ms);
  static LeaseScenarioOptions with_store_parameters(LeaseScenarioOptions options);

  std::vector<std::string> nodes_;
  LeaseScenarioOptions options_;
  StoreScenario store_;
};

}  // namespace craton::sim
