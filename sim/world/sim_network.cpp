#include "sim/world/sim_network.hpp"

#include <capnp/schema.h>

#include <chrono>
#include <vector>

#include "runtime/envelope_codec.hpp"
#include "runtime/wire.hpp"

namespace craton::sim {
namespace {

using deliver_atom = caf::atom_constant<caf::atom("deliver")>;

// Body member names from the compiled schema, so new members need no edit here.
std::string body_kind(schema::Envelope::Body::Which which) {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (auto field : capnp::Schema::from<schema::Envelope::Body>().getUnionFields())
      out.push_back(field.getProto().getName());
    return out;
  }();
  auto i = static_cast<std::size_t>(which);
  return i < names.size() ? names[i] : "body" + std::to_string(i);
}

struct SimNetworkState {
  NetworkHost* host = nullptr;
  static inline const char* name = "craton.sim_network";
};

using SimNetworkActor = caf::stateful_actor<SimNetworkState>;

void drop(NetworkHost* host, const std::string& what, std::string_view reason) {
  host->record("drop", what + " " + std::string(reason));
  host->count_message(false);
}

void on_send(SimNetworkActor* self, WireEnvelope& wire) {
  auto* host = self->state.host;
  auto decoded = open_envelope(wire.bytes);
  if (!decoded) return drop(host, "?->? ?", "malformed");
  auto from = decoded->from().node;
  auto to = decoded->to().node;
  std::string what = from + "->" + to + " " + body_kind(decoded->root().getBody().which());
  if (!host->node_up(from)) return drop(host, what, "sender_down");
  if (!host->node_known(to)) return drop(host, what, "unknown_node");
  // The clock's own precision, not whole milliseconds: the link's order holds between messages
  // sent within one millisecond too.
  auto now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(self->clock().now().time_since_epoch());
  auto decision = host->model().decide(from, to, now);
  if (!decision.delivered()) return drop(host, what, decision.drop_reason);
  if (decision.delays.size() > 1) host->record("duplicate", what);
  for (auto delay : decision.delays)
    self->delayed_send(self, delay, deliver_atom::value, to, what, wire);
}

void on_deliver(SimNetworkActor* self, const std::string& to, const std::string& what,
                WireEnvelope& wire) {
  auto* host = self->state.host;
  auto router = host->router_of(to);
  if (!host->node_up(to) || !router) return drop(host, what, "crashed");
  host->record("deliver", what);
  host->count_message(true);
  self->send(router, std::move(wire));
}

caf::behavior sim_network(SimNetworkActor* self, NetworkHost* host) {
  self->state.host = host;
  return {
      [self](WireEnvelope& wire) { on_send(self, wire); },
      [self](deliver_atom, const std::string& to, const std::string& what, WireEnvelope& wire) {
        on_deliver(self, to, what, wire);
      },
  };
}

}  // namespace

caf::actor spawn_sim_network(caf::actor_system& sys, NetworkHost* host) {
  return sys.spawn(sim_network, host);
}

}  // namespace craton::sim
