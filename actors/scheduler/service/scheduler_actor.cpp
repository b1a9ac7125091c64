// The scheduler's actor: SchedulerService in the API component shell (see the header).
#include "actors/scheduler/service/scheduler_actor.hpp"

#include "actors/api/informer/api_component_actor.hpp"
#include "runtime/assert.hpp"

namespace craton::scheduler {

caf::actor spawn_scheduler(caf::actor_system& sys, const NodeContext& node,
                           SchedulerActorConfig config) {
  const auto& election = config.service.scheduler.leader_election;
  api::ApiComponentActorConfig shell;
  shell.role = "scheduler";
  shell.elect = election.leader_elect;
  shell.election.identity = config.identity;
  shell.election.lease_namespace = election.resource_namespace;
  shell.election.lease_name = election.resource_name;
  shell.election.lease_duration_ms = election.lease_duration_ms;
  shell.election.renew_deadline_ms = election.renew_deadline_ms;
  shell.election.retry_period_ms = election.retry_period_ms;
  shell.api_nodes = config.api_nodes;
  shell.tick_ms = config.tick_ms;
  shell.api_switch_ms = config.api_switch_ms;
  return api::spawn_api_component(
      sys, node, shell,
      [service = config.service, base = config.wall_clock_base_s](std::uint64_t first_correlation,
                                                                  ActorEnv& env) {
        auto c = service;
        c.first_correlation = first_correlation;
        c.wall_clock_base_s = base;
        c.host = env.address().node;
        c.seed = env.rng().next();
        // env outlives the component: both are the shell's state.
        c.observe = [&env](const std::string& text) { env.observe(text); };
        auto made = SchedulerService::create(std::move(c));
        CRATON_ASSERT(made.ok(), "the scheduler's profiles do not build");
        return std::unique_ptr<api::ApiComponent>(std::move(*made));
      });
}

}  // namespace craton::scheduler
