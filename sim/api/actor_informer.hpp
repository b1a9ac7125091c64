// ActorInformer: an Informer over envelopes (actors/api/informer/envelope_session.hpp) that a
// simulated client actor drives: it sends the list and watch calls the session asks for to the
// API actor of the actor's node and feeds the replies and watch events back. The controllers
// scenario's clients (sim/controllers/workload_clients.hpp, sim/controllers/cleanup_clients.hpp)
// each keep a few.
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "actors/api/client/api_protocol.hpp"
#include "actors/api/informer/envelope_session.hpp"
#include "runtime/environment.hpp"
#include "schemas/envelope.capnp.h"

namespace craton::sim {

/// A call on `resource` of `group` in `namespace_` ("" for cluster-scoped ones or every
/// namespace), on the object `name` when given.
api::ApiCall api_call_on(const char* group, const char* resource, api::ApiVerb verb,
                         std::string namespace_, std::string name = "");

class ActorInformer {
 public:
  /// An informer on `resource` in every namespace, decoding objects as `schema`.
  ActorInformer(const char* group, const char* resource, capnp::StructSchema schema);

  /// Sends what the session asks for now (a list after a failure, a watch again ...).
  void tick(caf::event_based_actor* self, ActorEnv& env, std::uint64_t& next_correlation);
  /// True when the envelope answered this informer's call (and was taken).
  bool take(caf::event_based_actor* self, ActorEnv& env, std::uint64_t& next_correlation,
            std::uint64_t correlation, schema::Envelope::Body::Reader body);
  const api::Informer& informer() const { return session_->informer(); }

 private:
  void carry_out(caf::event_based_actor* self, ActorEnv& env, std::uint64_t& next_correlation,
                 std::uint64_t previous, const api::EnvelopeSession::Output& out);
  std::unique_ptr<api::EnvelopeSession> session_;
};

/// Decodes an envelope from the network and hands its correlation id and body to `f`; a
/// malformed envelope, or a Cap'n Proto error while `f` reads it, is dropped.
void for_each_envelope(const WireEnvelope& wire,
                       const std::function<void(std::uint64_t, schema::Envelope::Body::Reader)>& f);

}  // namespace craton::sim
