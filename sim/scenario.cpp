#include "sim/scenario.hpp"

#include "sim/api/api_scenario.hpp"
#include "sim/cluster/cluster_scenario.hpp"
#include "sim/controllers/controllers_scenario.hpp"
#include "sim/heartbeat/heartbeat_scenario.hpp"
#include "sim/lease/lease_scenario.hpp"
#include "sim/scheduler/scheduler_scenario.hpp"
#include "sim/store/store_scenario.hpp"

namespace craton::sim {

std::vector<std::string> scenario_names() {
  return {"heartbeat", "store",       "store-remote", "store-lease",
          "api",       "controllers", "scheduler",    "cluster"};
}

Result<std::unique_ptr<Scenario>> make_scenario(std::string_view name,
                                                const std::vector<std::string>& nodes,
                                                const ScenarioLoad& load) {
  if (name != "cluster" && !load.empty())
    return Error{"bad_load",
                 "--pods, --audit-every, --agent-tick, --stop-when-running, --control-plane, "
                 "--deployments and --disk-commit apply to scenario 'cluster' only"};
  if (name == "heartbeat")
    return std::unique_ptr<Scenario>(std::make_unique<HeartbeatScenario>(nodes));
  if (name == "store") return std::unique_ptr<Scenario>(std::make_unique<StoreScenario>(nodes));
  if (name == "store-remote") {
    StoreScenarioOptions remote;
    remote.clients_local = false;
    return std::unique_ptr<Scenario>(std::make_unique<StoreScenario>(nodes, remote));
  }
  if (name == "store-lease")
    return std::unique_ptr<Scenario>(std::make_unique<LeaseScenario>(nodes));
  if (name == "api") return std::unique_ptr<Scenario>(std::make_unique<ApiScenario>(nodes));
  if (name == "controllers")
    return std::unique_ptr<Scenario>(std::make_unique<ControllersScenario>(nodes));
  if (name == "scheduler")
    return std::unique_ptr<Scenario>(std::make_unique<SchedulerScenario>(nodes));
  if (name == "cluster") {
    if (nodes.size() < 3)
      return Error{"bad_nodes",
                   "scenario 'cluster' needs at least 3 nodes (a control-plane "
                   "node and two workers)"};
    ClusterScenarioOptions options;
    if (load.pods > 0) {
      if (load.pods > kClusterPodsMax)
        return Error{"bad_load", "--pods: at most " + std::to_string(kClusterPodsMax)};
      options.deployment.replicas = int(load.pods);
    }
    if (load.deployments > 0) {
      if (load.deployments > std::size_t(options.deployment.replicas))
        return Error{"bad_load", "--deployments: at most one per pod (" +
                                     std::to_string(options.deployment.replicas) + ")"};
      options.deployment.deployments = int(load.deployments);
    }
    options.audit_every_ms = load.audit_every_ms;
    options.agent_tick_ms = load.agent_tick_ms;
    options.store.flush_delay_ms = load.disk_commit_ms;
    options.stop_when_running = load.stop_when_running;
    if (load.control_plane_nodes != 0) {
      if (load.control_plane_nodes != 1 && load.control_plane_nodes != 3)
        return Error{"bad_load", "--control-plane: 1 or 3 nodes"};
      if (load.control_plane_nodes + 2 > nodes.size())
        return Error{"bad_load", "--control-plane " + std::to_string(load.control_plane_nodes) +
                                     " leaves fewer than two workers"};
      options.control_plane_nodes = load.control_plane_nodes;
    }
    return std::unique_ptr<Scenario>(std::make_unique<ClusterScenario>(nodes, options));
  }
  std::string known;
  for (const auto& n : scenario_names()) known += (known.empty() ? "" : ", ") + n;
  return Error{"unknown_scenario",
               "unknown scenario '" + std::string(name) + "' (known: " + known + ")"};
}

}  // namespace craton::sim
