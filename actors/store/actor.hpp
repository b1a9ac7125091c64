// The store replica's CAF shell around actors/store/replica/replica.hpp.
//
// spawn_store registers as "store" with the node's router. It turns envelopes into Replica
// inputs (storeRaft from other replicas, storeRequest from clients, answered with a
// storeResponse carrying the request's correlation id to the sender's address), ticks the
// replica every tick_ms on CAF's actor clock (delayed_send: simulated under the simulator),
// and sends Raft messages to "store-<id>/store" through the router. Each tick and each client
// request also gives the replica the time (ActorEnv::now_ms) for lease expiry and keep-alives.
//
// Group commit: inputs do not flush the replica one by one. The first input after a flush
// sends the actor a flush message, which queues behind everything already in the mailbox;
// when it runs, one Replica::flush() persists (one fsync), sends and applies the whole burst.
// In the simulator the flush message may be delayed by the simulated disk's commit time
// (StoreActorConfig::flush_delay_ms).
//
// Watches: watch requests go to Replica::watch() with the sender's address as the stream
// (WatchRoutes); each watch response is sent to that address as a storeResponse carrying the
// correlation id of the watch's create request, stream-wide progress with correlation id 0.
// The replica closes streams that stay silent (watch_idle_ticks); their routes go with them.
//
// Bounds: at most pending_clients_max client requests waiting for an answer (beyond: "busy",
// also enforced by the core); malformed envelopes are counted and dropped, a malformed request
// is answered with its error. If the replica fails (disk), the actor logs it, answers every
// later request "failed" and calls on_failure once (the process decides: `craton store` exits).
//
// Metrics: the replica's etcd-named metrics (store_metrics.hpp) are brought up to date on every
// tick, in the node's Metrics registry; the process serves them.
//
// Membership: with manage_links the shell keeps a link to every member the replicated log
// names (member_links.hpp); a replica removed from the cluster calls on_removed once. The
// leave_atom request below hands leadership over before a graceful shutdown.
#pragma once

#include <caf/all.hpp>

#include <functional>
#include <memory>
#include <string>

#include "actors/store/replica/replica.hpp"
#include "actors/store/store_metrics.hpp"
#include "runtime/environment.hpp"

namespace craton::store {

struct StoreActorConfig {
  int tick_ms = 100;  ///< one Raft tick; election timeout = election_tick..2x ticks
  std::function<void(const Error&)> on_failure;
  /// Real processes: open and close links to members as the membership changes (see
  /// member_links.hpp). Off under the simulator, whose network carries every message.
  bool manage_links = false;
  /// Called once, a few ticks after a change removed this replica (`craton store` exits).
  std::function<void()> on_removed;
  /// A monotonic clock (ns) for the disk histograms of StoreMetrics (store_metrics.hpp).
  /// Processes give one; the simulator gives none, so replicas there read no clock.
  std::function<std::int64_t()> disk_clock_ns;
  /// Simulator only (processes: 0). The simulated disk's commit time: a flush runs this long
  /// after the first input that needs it, and the inputs that arrive meanwhile join it, as
  /// they join a real disk's fsync (group commit). With 0 the simulated store is infinitely
  /// fast: each flush holds what arrived in the same instant, often a single write, and a
  /// whole cluster's writes cost a commit each.
  std::int64_t flush_delay_ms = 0;
};

/// Graceful shutdown: (leave_atom) -> raft::NodeId. A leader hands leadership to its most
/// up-to-date voter and answers once that voter leads; others answer 0 at once. The caller
/// bounds the wait (its request timeout) and then stops the node.
using leave_atom = caf::atom_constant<caf::atom("leave")>;

/// Spawns the shell around an opened replica. `replica` is owned by the actor from then on.
caf::actor spawn_store(caf::actor_system& sys, const NodeContext& node,
                       std::shared_ptr<Replica> replica, StoreActorConfig config);

}  // namespace craton::store
