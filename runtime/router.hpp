// The router: one per node (per process in production, per simulated node in the simulator).
//
// It delivers envelopes addressed to this node to local actors by name and hands everything
// else to the link for the destination node (or the default route: the simulator's network).
// A node with no link (a client process that listens nowhere) is answered through a return
// route: the remote router its last envelope came from. Envelopes are validated by the codec
// here, on entry; malformed ones are counted, logged at
// most once per sender per second, and dropped. Envelopes with no route are counted and
// dropped: callers own retries, so nothing queues without bound.
//
// Control messages (see runtime/wire.hpp):
//   (register_atom, name, actor)    a local actor; forgotten when it terminates
//   (route_atom, node, link)        the link that reaches `node`
//   (default_route_atom, actor)     where envelopes for nodes without a link go
//   (subscribe_atom, name)          local actor `name` wants PeerStatus envelopes
//   (peer_atom, node, up)           from a link: the peer went up or down
#pragma once

#include <caf/all.hpp>

#include <memory>
#include <string>

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

}  // namespace craton
