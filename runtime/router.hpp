// The router: one per node (per process in production, per simulated node in the simulator).
//
// It delivers envelopes addressed to this node to local actors by name and hands everything
// else to the link for the destination node (or the default route: the simulator's network).
// A node with no link (a client process that listens nowhere) is answered through a return
// route: the channel its last envelope came in on. Envelopes are validated by the codec here,
// on entry (in full if they came from another process); malformed ones are counted, logged
// at most once per sender per second, and dropped. An envelope from another process whose
// sender is not the node its link authenticated is dropped and counted as an impostor.
// Envelopes with no route, or refused by a full link, are counted and dropped: callers own
// retries, so nothing queues without bound.
//
// Control messages (see runtime/wire.hpp):
//   (register_atom, name, actor)    a local actor; forgotten when it terminates
//   WireEnvelope                    from a local actor (or the simulated network)
//   (WireEnvelope, channel)         from another process, over `channel` (link_channel.hpp)
//   (route_atom, node, link)        the link actor that reaches `node` (while it is down)
//   (route_atom, node, channel)     from that link: it is up, send over `channel`
//   (closed_atom, channel)          a link ended: forget return routes over it
//   (unroute_atom, node)            from the link of `node` as it exits: forget the route
//                                   (ignored from anyone but the link that owns the route)
//   (default_route_atom, actor)     where envelopes for nodes without a link go
//   (subscribe_atom, name)          local actor `name` wants PeerStatus envelopes: one "up"
//                                   per peer already up, then every change
//   (peer_atom, node, up)           from a link: the peer went up or down
//
// Nodes named "via-..." (is_via_node): an envelope from another process addressed to such a
// node is delivered to the local actor it names, whatever this node's id. A client that knows
// a peer only by address opens a link named "via-<something>" to it and asks, for example, a
// store replica for its id (see actors/store/client/client.hpp).
#pragma once

#include <caf/all.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "runtime/envelope_codec.hpp"
#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"

namespace craton {

struct RouterConfig {
  std::string node_id;
  std::shared_ptr<LogSink> log;
  std::shared_ptr<Metrics> metrics;
  CodecLimits limits;
};

caf::actor spawn_router(caf::actor_system& sys, RouterConfig config);

/// True for node names of the form "via-...": "whichever node receives this" (see above).
inline bool is_via_node(std::string_view node) {
  return node.substr(0, 4) == "via-";
}

}  // namespace craton
