#include "sim/scenario.hpp"

#include "sim/heartbeat_scenario.hpp"

namespace craton::sim {

std::vector<std::string> scenario_names() {
  return {"heartbeat"};
}

Result<std::unique_ptr<Scenario>> make_scenario(std::string_view name,
                                                const std::vector<std::string>& nodes) {
  if (name == "heartbeat")
    return std::unique_ptr<Scenario>(std::make_unique<HeartbeatScenario>(nodes));
  std::string known;
  for (const auto& n : scenario_names()) known += (known.empty() ? "" : ", ") + n;
  return Error{"unknown_scenario",
               "unknown scenario '" + std::string(name) + "' (known: " + known + ")"};
}

}  // namespace craton::sim
