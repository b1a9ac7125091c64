// The controller manager's actor: every controller in a ControllerManager, in the API
// component shell (see the header).
#include "actors/controllers/manager/controller_manager_actor.hpp"

#include "actors/api/informer/api_component_actor.hpp"
#include "actors/controllers/daemon/daemonset_controller.hpp"
#include "actors/controllers/deployment/deployment_controller.hpp"
#include "actors/controllers/disruption/disruption_controller.hpp"
#include "actors/controllers/endpoints/endpoints_controller.hpp"
#include "actors/controllers/garbage/garbage_collector.hpp"
#include "actors/controllers/job/job_controller.hpp"
#include "actors/controllers/namespace/namespace_controller.hpp"
#include "actors/controllers/nodelifecycle/node_lifecycle_controller.hpp"
#include "actors/controllers/podgc/pod_gc_controller.hpp"
#include "actors/controllers/replicaset/replicaset_controller.hpp"

namespace craton::controllers {
namespace {

std::unique_ptr<ControllerManager> make_manager(ControllerManagerConfig config,
                                                std::int64_t wall_clock_base_s) {
  config.wall_clock_base_s = wall_clock_base_s;
  auto manager = std::make_unique<ControllerManager>(config);
  ReplicaSetConfig replicasets;
  replicasets.wall_clock_base_s = wall_clock_base_s;
  manager->add(replicaset_controller(replicasets));
  DeploymentConfig deployments;
  deployments.wall_clock_base_s = wall_clock_base_s;
  manager->add(deployment_controller(deployments));
  DaemonSetConfig daemons;
  daemons.wall_clock_base_s = wall_clock_base_s;
  manager->add(daemonset_controller(daemons));
  JobConfig jobs;
  jobs.wall_clock_base_s = wall_clock_base_s;
  manager->add(job_controller(jobs));
  manager->add(endpoints_controller());
  NodeLifecycleConfig nodes;
  nodes.wall_clock_base_s = wall_clock_base_s;
  manager->add(node_lifecycle_controller(nodes));
  manager->add(namespace_controller());
  DisruptionConfig disruption;
  disruption.wall_clock_base_s = wall_clock_base_s;
  manager->add(disruption_controller(disruption));
  manager->add(garbage_collector());
  manager->add(pod_gc_controller());
  return manager;
}

}  // namespace

caf::actor spawn_controller_manager(caf::actor_system& sys, const NodeContext& node,
                                    ControllerManagerActorConfig config) {
  api::ApiComponentActorConfig shell;
  shell.role = "controller-manager";
  shell.election = config.election;
  shell.api_nodes = config.api_nodes;
  shell.tick_ms = config.tick_ms;
  shell.api_switch_ms = config.api_switch_ms;
  return api::spawn_api_component(
      sys, node, shell,
      [manager = config.manager, base = config.wall_clock_base_s](std::uint64_t first_correlation,
                                                                  ActorEnv&) {
        auto c = manager;
        c.first_correlation = first_correlation;
        return std::unique_ptr<api::ApiComponent>(make_manager(c, base));
      });
}

}  // namespace craton::controllers
