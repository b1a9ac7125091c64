// The controller manager's actor shell: envelopes in and out, the timer (see the header).
#include "actors/controllers/manager/controller_manager_actor.hpp"

#include <kj/exception.h>

#include <cstdio>

#include "actors/api/client/api_protocol.hpp"
#include "actors/controllers/daemon/daemonset_controller.hpp"
#include "actors/controllers/deployment/deployment_controller.hpp"
#include "actors/controllers/disruption/disruption_controller.hpp"
#include "actors/controllers/endpoints/endpoints_controller.hpp"
#include "actors/controllers/garbage/garbage_collector.hpp"
#include "actors/controllers/job/job_controller.hpp"
#include "actors/controllers/leader/leader_election.hpp"
#include "actors/controllers/namespace/namespace_controller.hpp"
#include "actors/controllers/nodelifecycle/node_lifecycle_controller.hpp"
#include "actors/controllers/replicaset/replicaset_controller.hpp"
#include "runtime/correlation.hpp"

namespace craton::controllers {
namespace {

using tick_atom = caf::atom_constant<caf::atom("cm_tick")>;

struct ManagerState {
  std::unique_ptr<ActorEnv> env;
  ControllerManagerActorConfig config;
  std::unique_ptr<ControllerManager> manager;
  std::optional<LeaderElection> election;
  std::size_t api_index = 0;
  std::int64_t heard_ms = 0;  ///< the last answer from the API actor
  static inline const char* name = "craton.controller-manager";
};
using ManagerActor = caf::stateful_actor<ManagerState>;

void send_all(ManagerActor* self, const std::vector<ControllerManager::Send>& sends) {
  auto& st = self->state;
  std::string node =
      st.config.api_nodes.empty() ? st.env->address().node : st.config.api_nodes[st.api_index];
  for (const auto& send : sends) {
    EnvelopeBuilder b(st.env->address(), Address{node, "api"}, send.correlation);
    api::write_api_call(b.body().initApiRequest(), send.call);
    st.env->send(self, b);
  }
}

// Leader election: its one call at a time goes out with the manager's calls; the manager acts
// while the lease is held.
void elect(ManagerActor* self, std::int64_t now) {
  auto& st = self->state;
  if (auto call = st.election->next(now)) {
    auto id = call->id;
    st.manager->call(
        std::move(call->call),
        [self, id](const api::ApiReply& reply) {
          auto& st = self->state;
          st.election->on_reply(id, reply, st.env->now_ms(self));
        },
        now);
  }
  bool was = st.manager->acting();
  st.manager->set_acting(st.election->leading());
  if (was != st.manager->acting()) {
    std::string what =
        st.manager->acting() ? "leading: the controllers act" : "not leading: the controllers wait";
    st.env->log(self, LogLevel::info, what);
    st.env->observe("controller-manager " + what);  // the simulator's trace
  }
}

caf::behavior manager(ManagerActor* self, NodeContext node, ControllerManagerActorConfig config) {
  auto& st = self->state;
  config.manager.first_correlation = first_correlation_id(node.incarnation);
  config.manager.wall_clock_base_s = config.wall_clock_base_s;
  st.env = std::make_unique<ActorEnv>(std::move(node), "controller-manager");
  st.config = config;
  st.manager = std::make_unique<ControllerManager>(config.manager);
  ReplicaSetConfig replicasets;
  replicasets.wall_clock_base_s = config.wall_clock_base_s;
  st.manager->add(replicaset_controller(replicasets));
  DeploymentConfig deployments;
  deployments.wall_clock_base_s = config.wall_clock_base_s;
  st.manager->add(deployment_controller(deployments));
  DaemonSetConfig daemons;
  daemons.wall_clock_base_s = config.wall_clock_base_s;
  st.manager->add(daemonset_controller(daemons));
  JobConfig jobs;
  jobs.wall_clock_base_s = config.wall_clock_base_s;
  st.manager->add(job_controller(jobs));
  st.manager->add(endpoints_controller());
  NodeLifecycleConfig nodes;
  nodes.wall_clock_base_s = config.wall_clock_base_s;
  st.manager->add(node_lifecycle_controller(nodes));
  st.manager->add(namespace_controller());
  DisruptionConfig disruption;
  disruption.wall_clock_base_s = config.wall_clock_base_s;
  st.manager->add(disruption_controller(disruption));
  st.manager->add(garbage_collector());
  LeaderElectionConfig election = config.election;
  if (election.identity.empty()) {
    char suffix[20];
    std::snprintf(suffix, sizeof suffix, "_%016llx",
                  static_cast<unsigned long long>(st.env->rng().next()));
    election.identity = st.env->address().node + suffix;
  }
  auto made = LeaderElection::make(election);
  CRATON_ASSERT(made.ok(), "the controller manager's leader election settings are invalid");
  st.election.emplace(std::move(*made));
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(config.tick_ms)),
                     tick_atom::value);
  return {
      [self](const WireEnvelope& wire) {
        auto& st = self->state;
        auto in = decode_envelope(wire.bytes, CodecLimits{}, Validation::opened);
        if (!in) return;
        auto correlation = in->root().getCorrelationId();
        auto body = in->root().getBody();
        auto now = st.env->now_ms(self);
        try {
          if (body.isApiResponse()) {
            st.heard_ms = now;
            send_all(self, st.manager->on_reply(correlation,
                                                api::read_api_reply(body.getApiResponse()), now));
          } else if (body.isApiWatchEvent()) {
            st.heard_ms = now;
            if (auto event = api::read_api_event(body.getApiWatchEvent()))
              send_all(self, st.manager->on_event(correlation, *event, now));
          }
        } catch (const kj::Exception& e) {
          st.env->log(self, LogLevel::warn,
                      std::string("a malformed API answer: ") + e.getDescription().cStr());
        }
      },
      [self](tick_atom) {
        auto& st = self->state;
        auto now = st.env->now_ms(self);
        if (st.config.api_nodes.size() > 1 && st.manager->calls_in_flight() > 0 &&
            now - st.heard_ms >= st.config.api_switch_ms) {
          st.api_index = (st.api_index + 1) % st.config.api_nodes.size();
          st.heard_ms = now;
          st.env->log(self, LogLevel::info,
                      "no answer from the API: now " + st.config.api_nodes[st.api_index]);
        }
        elect(self, now);
        send_all(self, st.manager->tick(now));
        self->delayed_send(self, st.env->timer(std::chrono::milliseconds(st.config.tick_ms)),
                           tick_atom::value);
      },
  };
}

}  // namespace

caf::actor spawn_controller_manager(caf::actor_system& sys, const NodeContext& node,
                                    ControllerManagerActorConfig config) {
  return sys.spawn(manager, node, std::move(config));
}

}  // namespace craton::controllers
