// The controllers scenario: the API scenario's store cluster, and on every node the API actor,
// the controller manager (leader-elected: one acts; a crash or partition moves the lease), a
// fake kubelet that makes pods Running and Ready, a deployer rolling its Deployment out again
// and again, a deleter deleting Deployments (every propagationPolicy) and a namespace, and
// auditors reporting what they see of every Deployment and of who owns what, under the
// simulator's faults (partitions, crashes and restarts of whole nodes, message loss, disk and
// clock faults).
//
// Judged by the store checker (Raft's invariants, progress), the rollout checker
// (sim/controllers/rollout_checker.hpp: the surge and availability bounds of every rolling update,
// no ReplicaSet with more pods than it ever asked for, every rollout complete at the end) and the
// ownership checker (sim/controllers/ownership_checker.hpp: no dangling owner reference at the end,
// deleted Deployments' dependents and deleted namespaces' contents gone).
#pragma once

#include "sim/controllers/cleanup_clients.hpp"
#include "sim/controllers/ownership_checker.hpp"
#include "sim/controllers/rollout_checker.hpp"
#include "sim/controllers/workload_clients.hpp"
#include "sim/store/store_scenario.hpp"

namespace craton::sim {

struct ControllersScenarioOptions {
  StoreScenarioOptions store;
  DeployerConfig deployer;
  FakeKubeletConfig kubelet;
  DeleterConfig deleter;
};

class ControllersScenario : public Scenario {
 public:
  explicit ControllersScenario(std::vector<std::string> nodes,
                               ControllersScenarioOptions options = {});

  std::string name() const override { return "controllers"; }
  std::vector<caf::actor> spawn_node(caf::actor_system& sys, const NodeContext& node,
                                     const ObservationSink& observe) override;
  CheckResult check(const RunHistory& history) const override;
  void use_disks(std::shared_ptr<SimDisks> disks) override { store_.use_disks(std::move(disks)); }

 private:
  static StoreScenarioOptions store_options(StoreScenarioOptions store);

  ControllersScenarioOptions options_;
  StoreScenario store_;
};

}  // namespace craton::sim
