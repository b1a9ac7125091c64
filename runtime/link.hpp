// Link: this node's connection to one remote node, over the process's LinkTransport (mutual
// TLS, runtime/tls/link_transport.hpp).
//
// A link reaches the remote node on the address its node id has in the peer list. It asks
// the transport to connect (asynchronously: no actor blocks) and, when the session ends (the
// peer died, the connection broke, or it went silent past the idle timeout), reports the
// peer down and reconnects with bounded exponential backoff on CAF's actor clock.
//
// At spawn the link tells the router `(route_atom, remote_node, link)`; on every change it
// reports `(peer_atom, remote_node, up)` so that subscribers get PeerStatus envelopes.
// While the peer is up the link gives the router the session itself
// (`(route_atom, remote_node, channel)`), so the router's envelopes go straight to its send
// queue (see `craton bench link`); when the session ends the route points back at the link.
// Envelopes refused by a closed or full session are counted by the router; callers own
// retries either way.
//
// Envelopes (WireEnvelope) that reach the link are sent while the peer is up. While a
// connect attempt is in flight, at most `pending_max` of them wait; everything else that
// arrives while the peer is unreachable is dropped and counted (craton_link_dropped_total):
// nothing queues without bound.
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "runtime/backoff.hpp"
#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"

namespace craton {

namespace tls {
class LinkTransport;
}

struct LinkConfig {
  std::string local_node;
  std::string remote_node;
  std::string host;  ///< where the remote router is published
  std::uint16_t port = 0;
  caf::actor router;  ///< the local router: gets route and peer messages
  /// The process's transport; outlives the link (NodeHost stops actors first).
  tls::LinkTransport* transport = nullptr;
  BackoffPolicy backoff;
  /// Bound on one connect attempt; a silent host is treated like a refused connection.
  std::chrono::milliseconds connect_timeout{10000};
  std::size_t pending_max = 64;  ///< envelopes held while a connect attempt is in flight
  std::uint64_t seed = 0;        ///< for the backoff jitter
  std::shared_ptr<LogSink> log;
  std::shared_ptr<Metrics> metrics;
};

/// Spawns the link and registers it with the router: envelopes the caller sends to the router
/// after this returns are routed to the link. Sending the
/// link an exit closes it: it takes its route out of the router first (unroute_atom), so later
/// envelopes for the node are counted as unroutable instead of reaching a peer that left.
caf::actor spawn_link(caf::actor_system& sys, LinkConfig config);

}  // namespace craton
