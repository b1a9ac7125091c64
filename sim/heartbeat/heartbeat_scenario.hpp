// The heartbeat scenario: every node runs a failure detector (actors/detector) that
// heartbeats its ring neighbours; the checker (sim/heartbeat/heartbeat_checker.hpp) demands that
// after the network heals, crashed nodes are suspected and live ones trusted by their watchers. It
// exercises timers, loss, duplication, partitions, pauses and crash/restart.
#pragma once

#include "actors/detector/actor.hpp"
#include "sim/scenario.hpp"

namespace craton::sim {

class HeartbeatScenario : public Scenario {
 public:
  explicit HeartbeatScenario(std::vector<std::string> nodes, detector::DetectorConfig timing = {});

  std::string name() const override { return "heartbeat"; }
  std::vector<caf::actor> spawn_node(caf::actor_system& sys, const NodeContext& node,
                                     const ObservationSink& observe) override;
  CheckResult check(const RunHistory& history) const override;

 private:
  detector::DetectorActorConfig config_;
};

}  // namespace craton::sim
