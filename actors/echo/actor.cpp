#include "actors/echo/actor.hpp"

#include <memory>

#include "actors/echo/core.hpp"

namespace craton::echo {
namespace {

struct EchoState {
  std::unique_ptr<ActorEnv> env;
  prometheus::Counter* answered = nullptr;
  prometheus::Counter* ignored = nullptr;
  static inline const char* name = "craton.echo";
};

caf::behavior echo(caf::stateful_actor<EchoState>* self, NodeContext node) {
  auto& st = self->state;
  st.env = std::make_unique<ActorEnv>(std::move(node), "echo");
  prometheus::Labels labels{{"node", st.env->address().node}};
  st.answered = &st.env->metrics().counter("craton_echo_pings_answered_total",
                                           "Pings answered with a Pong", labels);
  st.ignored = &st.env->metrics().counter("craton_echo_ignored_total",
                                          "Envelopes the echo actor could not use", labels);
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  return {
      [self](WireEnvelope& wire) {
        auto& st = self->state;
        auto in = open_envelope(wire.bytes);  // the router checked it; this only opens it
        auto reply = in ? answer_ping(*in) : std::nullopt;
        if (!reply) {
          st.ignored->Increment();
          return;
        }
        st.answered->Increment();
        self->send(st.env->router(), WireEnvelope{std::move(*reply)});
      },
  };
}

struct PingerState {
  std::unique_ptr<ActorEnv> env;
  std::unique_ptr<PingerCore> core;
  std::int64_t interval_ms = 1000;
  static inline const char* name = "craton.pinger";
};

using PingerActor = caf::stateful_actor<PingerState>;

void on_envelope(PingerActor* self, const WireEnvelope& wire) {
  auto& st = self->state;
  auto in = open_envelope(wire.bytes);  // from our router: already checked
  if (!in) return;
  auto body = in->root().getBody();
  if (body.isPeerStatus()) {
    auto status = body.getPeerStatus();
    st.env->log(
        self, LogLevel::info,
        std::string("peer ") + status.getNode().cStr() + (status.getUp() ? " up" : " down"));
    return;
  }
  auto seen = st.core->on_pong(*in, st.env->now_ms(self));
  if (!seen) return;
  st.env->metrics()
      .counter("craton_echo_pongs_total", "Pongs received by the pinger",
               {{"node", st.env->address().node}, {"peer", seen->peer}})
      .Increment();
  st.env->log(self, LogLevel::info,
              "pong from " + seen->peer + " seq=" + std::to_string(seen->seq) +
                  " rtt_ms=" + std::to_string(seen->rtt_ms));
}

caf::behavior pinger(PingerActor* self, NodeContext node, PingerOptions options) {
  auto& st = self->state;
  st.env = std::make_unique<ActorEnv>(std::move(node), "pinger");
  st.interval_ms = options.interval_ms;
  st.core = std::make_unique<PingerCore>(
      PingerConfig{st.env->address(), options.peers, options.payload_bytes});
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  self->send(st.env->router(), subscribe_atom::value, st.env->address().actor);
  self->send(self, tick_atom::value);
  return {
      [self](tick_atom) {
        auto& st = self->state;
        for (auto& ping : st.core->tick(st.env->now_ms(self)))
          self->send(st.env->router(), WireEnvelope{std::move(ping)});
        self->delayed_send(self, st.env->timer(std::chrono::milliseconds(st.interval_ms)),
                           tick_atom::value);
      },
      [self](const WireEnvelope& wire) { on_envelope(self, wire); },
  };
}

}  // namespace

caf::actor spawn_echo(caf::actor_system& sys, const NodeContext& node) {
  return sys.spawn(echo, node);
}

caf::actor spawn_pinger(caf::actor_system& sys, const NodeContext& node, PingerOptions options) {
  return sys.spawn(pinger, node, std::move(options));
}

}  // namespace craton::echo
