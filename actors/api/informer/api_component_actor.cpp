// The ApiComponent's actor shell: envelopes in and out, the timer, leader election (see the
// header).
#include "actors/api/informer/api_component_actor.hpp"

#include <kj/exception.h>

#include <cstdio>
#include <optional>

#include "actors/api/client/api_protocol.hpp"
#include "actors/api/informer/api_endpoints.hpp"
#include "runtime/correlation.hpp"
#include "runtime/wire.hpp"

namespace craton::api {
namespace {

using tick_atom = caf::atom_constant<caf::atom("ac_tick")>;
using act_atom = caf::atom_constant<caf::atom("ac_act")>;

struct ComponentState {
  std::unique_ptr<ActorEnv> env;
  ApiComponentActorConfig config;
  std::unique_ptr<ApiComponent> component;
  std::optional<LeaderElection> election;
  std::optional<ApiEndpoints> api;  ///< where calls go, when to give up on it
  bool act_scheduled = false;       ///< an act message is in the mailbox
  static inline const char* name = "craton.api-component";
};
using ComponentActor = caf::stateful_actor<ComponentState>;

void send_all(ComponentActor* self, const ApiComponent::Sends& sends) {
  auto& st = self->state;
  Address api{st.api->current(), "api"};
  for (const auto& send : sends) {
    EnvelopeBuilder b(st.env->address(), api, send.correlation);
    write_api_call(b.body().initApiRequest(), send.call);
    st.env->send(self, b);
  }
}

// Group processing (api_component.hpp): the component acts behind what is in the mailbox now.
void schedule_act(ComponentActor* self) {
  auto& st = self->state;
  if (st.act_scheduled || !st.component->wants_act()) return;
  st.act_scheduled = true;
  self->send(self, act_atom::value);
}

// Leader election: its one call at a time goes out with the component's calls; the component
// acts while the lease is held.
void elect(ComponentActor* self, std::int64_t now) {
  auto& st = self->state;
  if (!st.config.elect) return st.component->set_acting(true);
  if (auto call = st.election->next(now)) {
    auto id = call->id;
    st.component->call(
        std::move(call->call),
        [self, id](const ApiReply& reply) {
          auto& st = self->state;
          st.election->on_reply(id, reply, st.env->now_ms(self));
        },
        now);
  }
  bool was = st.component->acting();
  st.component->set_acting(st.election->leading());
  if (was != st.component->acting()) {
    std::string what = st.component->acting() ? "leading: acts" : "not leading: waits";
    st.env->log(self, LogLevel::info, what);
    st.env->observe(st.config.role + " " + what);  // the simulator's trace
  }
}

// The API stopped answering or its link went down (ApiEndpoints): calls fail now, watches start
// again at the API now current.
void api_lost(ComponentActor* self, std::int64_t now) {
  auto& st = self->state;
  st.env->log(self, LogLevel::info, "the API is unreachable: now " + st.api->current());
  st.component->api_changed(now);
  send_all(self, st.component->tick(now));
}

caf::behavior component(ComponentActor* self, NodeContext node, ApiComponentActorConfig config,
                        ApiComponentFactory make) {
  auto& st = self->state;
  auto first_correlation = first_correlation_id(node.incarnation);
  st.env = std::make_unique<ActorEnv>(std::move(node), config.role);
  st.config = config;
  st.component = make(first_correlation, *st.env);
  CRATON_ASSERT(st.component != nullptr, "an API component factory made nothing");
  LeaderElectionConfig election = config.election;
  if (election.identity.empty()) {
    char suffix[20];
    std::snprintf(suffix, sizeof suffix, "_%016llx",
                  static_cast<unsigned long long>(st.env->rng().next()));
    election.identity = st.env->address().node + suffix;
  }
  auto made = LeaderElection::make(election);
  CRATON_ASSERT(made.ok(), "an API component's leader election settings are invalid");
  st.election.emplace(std::move(*made));
  st.api.emplace(config.api_nodes, st.env->address().node, config.api_switch_ms);
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  self->send(st.env->router(), subscribe_atom::value, st.env->address().actor);  // link downs
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
            st.api->heard(now);
            send_all(self, st.component->on_reply(correlation,
                                                  read_api_reply(body.getApiResponse()), now));
          } else if (body.isApiWatchEvent()) {
            st.api->heard(now);
            if (auto event = read_api_event(body.getApiWatchEvent()))
              send_all(self, st.component->on_event(correlation, *event, now));
          } else if (body.isPeerStatus()) {
            auto peer = body.getPeerStatus();
            if (st.api->peer(peer.getNode().cStr(), peer.getUp(), now)) api_lost(self, now);
          }
        } catch (const kj::Exception& e) {
          st.env->log(self, LogLevel::warn,
                      std::string("a malformed API answer: ") + e.getDescription().cStr());
        }
        schedule_act(self);
      },
      [self](act_atom) {
        auto& st = self->state;
        st.act_scheduled = false;
        send_all(self, st.component->act(st.env->now_ms(self)));
        schedule_act(self);  // stopped at a bound with more to do
      },
      [self](tick_atom) {
        auto& st = self->state;
        auto now = st.env->now_ms(self);
        if (st.api->silent(now, st.component->calls_in_flight() > 0)) api_lost(self, now);
        elect(self, now);
        send_all(self, st.component->tick(now));
        schedule_act(self);
        self->delayed_send(self, st.env->timer(std::chrono::milliseconds(st.config.tick_ms)),
                           tick_atom::value);
      },
  };
}

}  // namespace

caf::actor spawn_api_component(caf::actor_system& sys, const NodeContext& node,
                               ApiComponentActorConfig config, ApiComponentFactory make) {
  return sys.spawn(component, node, std::move(config), std::move(make));
}

}  // namespace craton::api
