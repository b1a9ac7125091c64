#include "sim/heartbeat/heartbeat_scenario.hpp"

#include "sim/heartbeat/heartbeat_checker.hpp"

namespace craton::sim {

HeartbeatScenario::HeartbeatScenario(std::vector<std::string> nodes,
                                     detector::DetectorConfig timing) {
  config_.watchers = detector::default_watchers(nodes.size());
  config_.cluster = std::move(nodes);
  config_.timing = timing;
}

std::vector<caf::actor> HeartbeatScenario::spawn_node(caf::actor_system& sys,
                                                      const NodeContext& node,
                                                      const ObservationSink&) {
  return {detector::spawn_detector(sys, node, config_)};
}

CheckResult HeartbeatScenario::check(const RunHistory& history) const {
  return check_heartbeat_history(history, config_.watchers);
}

}  // namespace craton::sim
