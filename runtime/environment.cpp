#include "runtime/environment.hpp"

#include <chrono>

namespace craton {

ActorEnv::ActorEnv(NodeContext node, std::string actor_name)
    : node_(std::move(node)),
      address_{node_.node_id, std::move(actor_name)},
      rng_(derive_seed(derive_seed(node_.seed, address_.to_string()),
                       std::to_string(node_.incarnation))) {}

std::int64_t actor_clock_ms(caf::local_actor* self) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             self->clock().now().time_since_epoch())
      .count();
}

std::int64_t ActorEnv::now_ms(caf::local_actor* self) const {
  auto true_ms = actor_clock_ms(self);
  return node_.clock ? node_.clock->local_ms(true_ms) : true_ms;
}

caf::timespan ActorEnv::timer(std::chrono::nanoseconds local) const {
  return node_.clock ? node_.clock->true_duration(local) : local;
}

void ActorEnv::send(caf::event_based_actor* self, EnvelopeBuilder& envelope) {
  self->send(node_.router, WireEnvelope{envelope.encode()});
}

void ActorEnv::log(caf::local_actor* self, LogLevel level, std::string_view message) {
  if (!node_.log || !node_.log->enabled(level)) return;
  node_.log->write(LogRecord{level, now_ms(self), address_.node, address_.actor, message});
}

void ActorEnv::register_with_router(caf::event_based_actor* self, const caf::actor& me) {
  self->send(node_.router, register_atom::value, address_.actor, me);
}

}  // namespace craton
