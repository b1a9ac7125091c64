// NodeHost: one Craton node process's substrate, started from a node id and a peer list.
//
// It owns the actor system (work-stealing scheduler with short idle polling, middleman
// loaded, Craton's types registered), the node's router, published on the node's listen
// address so that peers' links reach it, and one Link per peer. Components (echo, store,
// ...) are spawned by the caller from context() and handed to adopt() so that stop() ends
// them too. `craton node` runs this way, and so will `craton store` and the link benchmark.
//
// Lifetime: stop() (also run by the destructor) sends every adopted actor, link and the
// router an exit and then waits for the actor system to drain, so the process ends cleanly.
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

struct NodeOptions {
  std::string node_id;
  /// Where to publish the router. If the port is 0 the system picks one (see listen_port()).
  /// If the host is empty, the node's own entry in `peers` is used.
  Endpoint listen;
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
  /// `actor` is told to exit by stop().
  void adopt(caf::actor actor);
  /// Ends every actor of the node and waits for them. Idempotent.
  void stop();

 private:
  class SystemConfig;
  explicit NodeHost(NodeOptions options);
  Status publish_router();

  NodeOptions options_;
  std::unique_ptr<SystemConfig> config_;
  std::unique_ptr<caf::actor_system> system_;
  NodeContext context_;
  std::uint16_t listen_port_ = 0;
  std::vector<caf::actor> actors_;  // links and adopted components; the router is in context_
};

}  // namespace craton
