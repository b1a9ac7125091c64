// ActorInformer (see the header).
#include "sim/api/actor_informer.hpp"

#include <kj/exception.h>

#include "runtime/flat_message.hpp"
#include "sim/api/api_clients.hpp"

namespace craton::sim {

api::ApiCall api_call_on(const char* group, const char* resource, api::ApiVerb verb,
                         std::string namespace_, std::string name) {
  api::ApiCall c;
  c.verb = verb;
  c.group = group;
  c.resource = resource;
  c.namespace_ = std::move(namespace_);
  c.name = std::move(name);
  return c;
}

ActorInformer::ActorInformer(const char* group, const char* resource, capnp::StructSchema schema) {
  api::EnvelopeSessionOptions options;
  options.collection = api_call_on(group, resource, api::ApiVerb::list, "");
  options.schema = schema;
  options.watch_timeout_s = 30;
  session_ = std::make_unique<api::EnvelopeSession>(options);
}

void ActorInformer::carry_out(caf::event_based_actor* self, ActorEnv& env,
                              std::uint64_t& next_correlation, std::uint64_t previous,
                              const api::EnvelopeSession::Output& out) {
  if (out.stop_previous_watch && previous != 0) {
    auto stop = out.call ? *out.call : api::ApiCall{};  // a delayed step has no call
    stop.verb = api::ApiVerb::stop_watch;
    send_api_call(self, env, previous, stop);
  }
  if (out.probe) send_api_call(self, env, session_->current(), *out.probe);
  if (!out.call) return;
  auto correlation = next_correlation++;
  send_api_call(self, env, correlation, *out.call);
  session_->sent(correlation, env.now_ms(self));
}

bool ActorInformer::take(caf::event_based_actor* self, ActorEnv& env,
                         std::uint64_t& next_correlation, std::uint64_t correlation,
                         schema::Envelope::Body::Reader body) {
  if (correlation != session_->current()) return false;
  auto now = env.now_ms(self);
  if (body.isApiResponse())
    carry_out(self, env, next_correlation, correlation,
              session_->on_reply(correlation, api::read_api_reply(body.getApiResponse()), now));
  else if (body.isApiWatchEvent())
    if (auto event = api::read_api_event(body.getApiWatchEvent()))
      carry_out(self, env, next_correlation, correlation,
                session_->on_event(correlation, *event, now));
  return true;
}

void ActorInformer::tick(caf::event_based_actor* self, ActorEnv& env,
                         std::uint64_t& next_correlation) {
  auto previous = session_->current();
  carry_out(self, env, next_correlation, previous, session_->tick(env.now_ms(self)));
}

void for_each_envelope(
    const WireEnvelope& wire,
    const std::function<void(std::uint64_t, schema::Envelope::Body::Reader)>& f) {
  auto in = decode_envelope(wire.bytes, CodecLimits{}, Validation::opened);
  if (!in) return;
  try {
    f(in->root().getCorrelationId(), in->root().getBody());
  } catch (const kj::Exception&) {
  }
}

}  // namespace craton::sim
