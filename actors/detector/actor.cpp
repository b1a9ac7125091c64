#include "actors/detector/actor.hpp"

#include <chrono>
#include <optional>

namespace craton::detector {
namespace {

struct DetectorState {
  std::optional<ActorEnv> env;
  std::optional<FailureDetector> core;
  std::uint64_t seq = 0;
  prometheus::Counter* sent = nullptr;
  prometheus::Counter* dropped = nullptr;
  static inline const char* name = "craton.detector";
};

using DetectorActor = caf::stateful_actor<DetectorState>;

void report(DetectorActor* self, const Transition& t) {
  auto& env = *self->state.env;
  std::string event = (t.suspected ? "suspect " : "trust ") + t.peer;
  env.log(self, t.suspected ? LogLevel::warn : LogLevel::info, event);
  env.observe(event);
}

void schedule_tick(DetectorActor* self, std::int64_t delay_ms) {
  self->delayed_send(self, self->state.env->timer(std::chrono::milliseconds(delay_ms)),
                     tick_atom::value);
}

void on_tick(DetectorActor* self) {
  auto& st = self->state;
  auto out = st.core->tick(st.env->now_ms(self));
  ++st.seq;
  for (const auto& peer : out.heartbeats_to) {
    EnvelopeBuilder b(st.env->address(), Address{peer, kActorName});
    auto hb = b.body().initHeartbeat();
    hb.setIncarnation(st.env->node().incarnation);
    hb.setSeq(st.seq);
    st.env->send(self, b);
    st.sent->Increment();
  }
  for (const auto& t : out.transitions) report(self, t);
  schedule_tick(self, st.core->config().heartbeat_interval_ms);
}

void on_envelope(DetectorActor* self, const WireEnvelope& wire) {
  auto& st = self->state;
  auto decoded = open_envelope(wire.bytes);
  if (!decoded || decoded->root().getBody().which() != schema::Envelope::Body::HEARTBEAT) {
    st.dropped->Increment();  // the router validated it; anything else is not for us
    return;
  }
  auto hb = decoded->root().getBody().getHeartbeat();
  auto t = st.core->on_heartbeat(decoded->from().node, hb.getIncarnation(), st.env->now_ms(self));
  if (t) report(self, *t);
}

caf::behavior detector(DetectorActor* self, NodeContext node, DetectorActorConfig config) {
  auto& st = self->state;
  st.env.emplace(std::move(node), kActorName);
  auto& env = *st.env;
  std::size_t k = config.watchers ? config.watchers : default_watchers(config.cluster.size());
  st.core.emplace(ring_plan(config.cluster, env.address().node, k), config.timing,
                  st.env->now_ms(self));
  prometheus::Labels labels{{"node", env.address().node}};
  st.sent = &env.metrics().counter("craton_detector_heartbeats_sent_total",
                                   "Heartbeats sent by the failure detector", labels);
  st.dropped = &env.metrics().counter("craton_detector_dropped_total",
                                      "Envelopes the detector could not use", labels);
  env.register_with_router(self, caf::actor_cast<caf::actor>(self));
  // A random first delay keeps the nodes' ticks apart; it comes from the seeded env Rng.
  auto interval = config.timing.heartbeat_interval_ms;
  schedule_tick(self, 1 + static_cast<std::int64_t>(env.rng().uniform(0, interval - 1)));
  return {
      [self](tick_atom) { on_tick(self); },
      [self](const WireEnvelope& wire) { on_envelope(self, wire); },
  };
}

}  // namespace

caf::actor spawn_detector(caf::actor_system& sys, NodeContext node, DetectorActorConfig config) {
  return sys.spawn(detector, std::move(node), std::move(config));
}

}  // namespace craton::detector
