// The scheduler scenario (issue 13): the controllers scenario's store cluster, and on every
// node the API actor, a scheduler (spawn_scheduler: every node runs one, so several instances
// compete for the Lease kube-system/kube-scheduler under the faults), a node registrar that
// makes the node a Node object, a pod creator that creates pods with varied CPU requests (some
// fit no node) and a scheduler auditor reporting what it sees of nodes and pods
// (sim/scheduler/scheduler_clients.hpp), under the simulator's faults (partitions, crashes and
// restarts, pauses, message loss, disk and clock faults).
//
// Judged by the store checker (Raft's invariants, progress) and the scheduler checker
// (sim/scheduler/scheduler_checker.hpp): no node's bound requests above its allocatable in any
// view, no pod bound to two nodes, no two instances binding within one leadership term, and every
// pod that fits the room left bound at the end.
#pragma once

#include "actors/scheduler/service/scheduler_actor.hpp"
#include "sim/scheduler/scheduler_clients.hpp"
#include "sim/store/store_scenario.hpp"

namespace craton::sim {

struct SchedulerScenarioOptions {
  StoreScenarioOptions store;
  NodeRegistrarConfig registrar;
  PodCreatorConfig creator;
  scheduler::SchedulerActorConfig scheduler;
};

class SchedulerScenario : public Scenario {
 public:
  explicit SchedulerScenario(std::vector<std::string> nodes, SchedulerScenarioOptions options = {});

  std::string name() const override { return "scheduler"; }
  std::vector<caf::actor> spawn_node(caf::actor_system& sys, const NodeContext& node,
                                     const ObservationSink& observe) override;
  CheckResult check(const RunHistory& history) const override;
  void use_disks(std::shared_ptr<SimDisks> disks) override { store_.use_disks(std::move(disks)); }

 private:
  static StoreScenarioOptions store_options(StoreScenarioOptions store);

  SchedulerScenarioOptions options_;
  StoreScenario store_;
};

}  // namespace craton::sim
