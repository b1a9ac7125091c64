// The CAF side of the envelope: WireEnvelope is the one registered message type that carries
// encoded envelope bytes between actors and processes, plus the atoms of the runtime's own
// control messages. Include this only from actor shells, never from logic cores.
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/link_channel.hpp"

// Channels cross only between actors of one process (a link's session, to the router).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(craton::ChannelPtr)

namespace craton {

/// One encoded Envelope (see runtime/envelope_codec.hpp). Flat bytes so that CAF serializes
/// it with a single memcpy.
struct WireEnvelope {
  std::vector<std::uint8_t> bytes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, WireEnvelope& x) {
  return f(caf::meta::type_name("craton.envelope"), x.bytes);
}

// Runtime control atoms (CAF 0.17 atoms hold at most 10 characters).
using register_atom = caf::atom_constant<caf::atom("register")>;       // name, actor
using route_atom = caf::atom_constant<caf::atom("route")>;             // node, link actor
using default_route_atom = caf::atom_constant<caf::atom("defroute")>;  // actor
using peer_atom = caf::atom_constant<caf::atom("peer")>;               // node, up?
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;     // actor name
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using connect_atom_ = caf::atom_constant<caf::atom("reconnect")>;
using unroute_atom = caf::atom_constant<caf::atom("unroute")>;  // node (from its link)
using closed_atom = caf::atom_constant<caf::atom("closed")>;    // channel: a link ended

/// Registers Craton's message types with a CAF configuration. Every process and the
/// simulator call this before creating their actor_system.
void add_craton_types(caf::actor_system_config& cfg);

}  // namespace craton
