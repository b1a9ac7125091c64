// NodeHost: one Craton node process's substrate, started from a node id and a peer list.
//
// It owns the actor system (work-stealing scheduler with short idle polling, Craton's types
// registered), the node's router, the link transport (runtime/tls/link_transport.hpp: mutual
// TLS by default, accepting on the node's listen address; every envelope that arrives goes to
// the router, tagged with its session), and one Link per peer. Components (echo, store, ...)
// are spawned by the caller from context() and handed to adopt() so that stop() ends them
// too. `craton node`, `craton store`, the store client and the benchmarks run this way.
//
// Lifetime: stop() (also run by the destructor) stops the transport (no more arrivals), sends
// every adopted actor, link and the router an exit and then waits for the actor system to
// drain, so the process ends cleanly.
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/backoff.hpp"
#include "runtime/environment.hpp"
#include "runtime/peer_list.hpp"

namespace craton {

namespace tls {
class LinkTransport;
}

/// How a process's links are secured (docs/tls.md). One of the two must be chosen: there is
/// no silent default.
struct LinkSecurity {
  /// The cluster's certificate directory (`craton certs init`): mutual TLS.
  std::string certs_dir;
  /// Which certificate of certs_dir is this process's; empty: its node id's (for a session
  /// NAME@hex: NAME).
  std::string cert_name;
  /// Plain TCP, loopback addresses only, peers unauthenticated: development and tests.
  bool insecure_loopback = false;
};

/// Checks that exactly one mode is chosen; a clear error naming both flags otherwise.
Status validate_link_security(const LinkSecurity& security);

struct NodeOptions {
  std::string node_id;
  /// Where peers' links reach this node. If the port is 0 the system picks one (see
  /// listen_port()). If the host is empty, the node's own entry in `peers` is used.
  Endpoint listen;
  /// A client listens nowhere: replies come back over the links it opened.
  bool listens = true;
  LinkSecurity security;
  /// The other nodes; an entry for node_id itself is taken as its listen address.
  std::vector<PeerSpec> peers;
  BackoffPolicy backoff;
  std::uint64_t seed = 0;  ///< 0: draw one from the OS (the process, not an actor, does this)
  std::string data_dir = ".";
  /// CAF scheduler worker threads; 0: CAF's default (one per core). A node whose work is one
  /// busy actor (a store replica, a benchmark client) runs best on 1: every extra worker adds
  /// thread hand-offs and idle polling, which on a loaded machine cost more than they give.
  std::size_t worker_threads = 0;
  /// Extra message types for the actor system (benchmarks add theirs here).
  std::function<void(caf::actor_system_config&)> add_types;
};

/// Checks a node id, resolves the listen address, drops self from the peers; clear errors.
Result<NodeOptions> resolve_node_options(NodeOptions options);

class NodeHost {
 public:
  /// Starts the actor system, router and links. Fails (cleanly, nothing left running) if the
  /// options are invalid or the listen address cannot be bound.
  static Result<std::unique_ptr<NodeHost>> start(NodeOptions options, std::shared_ptr<LogSink> log);
  ~NodeHost();
  NodeHost(const NodeHost&) = delete;
  NodeHost& operator=(const NodeHost&) = delete;

  caf::actor_system& system() { return *system_; }
  const NodeContext& context() const { return context_; }
  std::uint16_t listen_port() const { return listen_port_; }
  const NodeOptions& options() const { return options_; }

  /// Spawns a link to one more peer (known only after start, e.g. a benchmark's peer).
  void add_peer(const PeerSpec& peer);
  /// The transport's one-line description: mode, certificate, listen address.
  std::string link_mode() const;
  /// Reads the certificates again (SIGHUP); new links use them. Errors change nothing.
  Status reload_certificates();
  /// `actor` is told to exit by stop().
  void adopt(caf::actor actor);
  /// Ends every actor of the node and waits for them. Idempotent.
  void stop();

 private:
  class SystemConfig;
  explicit NodeHost(NodeOptions options);
  Status start_transport();
  caf::actor open_link(const std::string& node, const std::string& host, std::uint16_t port);

  NodeOptions options_;
  std::unique_ptr<SystemConfig> config_;
  std::unique_ptr<caf::actor_system> system_;
  NodeContext context_;
  std::unique_ptr<tls::LinkTransport> transport_;
  std::uint16_t listen_port_ = 0;
  std::vector<caf::actor> actors_;  // links and adopted components; the router is in context_
};

}  // namespace craton
