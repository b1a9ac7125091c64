// The store scenario: a Raft-replicated store cluster under the simulator's faults, judged by
// the linearizability checker and by Raft's safety invariants.
//
// Every simulated node nK runs:
// - the store replica (actors/store/actor.hpp) with Raft id K, opened from the node's data
//   directory, so a restart recovers from what the replica made durable;
// - a relay that lets the replica's "store-<id>/store" peer addresses reach node n<id> (the
//   world names nodes n1..nN; the relay rewrites the envelope's destination node);
// - `clients_per_node` workload clients (StoreWorkloadClient, sim/store/store_workload.hpp) that
//   issue linearizable reads, puts, deletes and compare-and-swap txns on a few keys and record
//   each operation's invocation and completion as observations ("op ..."). In "store" they
//   talk to their own node's replica in-process; in "store-remote" over SimNetwork, following
//   redirects, where SimNetwork also duplicates client requests: client sessions (writes carry
//   client id and sequence) make the store apply each write once;
// - the replica records a RaftEvent after every input it handles (what it persisted, committed
//   and applied, and its elections; actors/store/raft/raft_event.hpp), which the store actor
//   reports as observations ("raft ...").
//
// The checker (check_store_history, pure) turns the "op" observations into a history for the
// linearizability checker (kv model; a delete is a write of "", a txn a cas) and checks every
// "raft" observation, as it comes, for election safety, log matching, leader completeness and
// state machine safety (sim/store/raft_invariants.hpp); it also demands progress after the settle
// point and no failed replica.
// linearizability checker (kv model; a delete is a write of "", a txn a cas) and checks the
// "raft" observations for election safety, log matching, leader completeness and state
// machine safety; it also demands progress after the settle point and no failed replica.
//
// With `watchers`, every node also runs a StoreWatcher on its replica (prefix "k", from
// revision 1, resuming after crashes from the revision it persisted), and check_watch_history
// judges what they saw: ordered, no duplicates, no gaps, atomic per revision, resumable.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/store/replica/auto_compactor.hpp"
#include "sim/scenario.hpp"

namespace craton::store {
class Replica;
}

namespace craton::sim {

/// Spawns extra actors on a node that look at its replica (e.g. the lease scenario's probe).
using ReplicaWatchers = std::function<std::vector<caf::actor>(
    caf::actor_system&, const NodeContext&, const ObservationSink&, std::weak_ptr<store::Replica>)>;

struct StoreScenarioOptions {
  std::size_t clients_per_node = 2;
  std::size_t keys = 3;               ///< keys k0 .. k(keys-1)
  std::int64_t think_ms_max = 100;    ///< pause between a client's operations: 0..this
  std::int64_t op_timeout_ms = 3000;  ///< a client gives up on an answer (outcome: info)
  int redirects_max = 3;              ///< not_leader hints a client follows per operation
  /// Clients talk only to their own node's replica, in-process (see StoreWorkloadConfig).
  bool clients_local = true;
  int tick_ms = 100;  ///< replica tick
  /// The simulated disk's commit time (StoreActorConfig::flush_delay_ms; 0: instant).
  std::int64_t flush_delay_ms = 0;
  /// Demand an ok operation invoked after settle + progress_grace_ms (liveness); remote
  /// clients get at least 2 x op_timeout_ms (see StoreScenario::check).
  bool require_progress = true;
  std::int64_t progress_grace_ms = 0;
  ReplicaWatchers replica_watchers;  ///< unset: none
  /// Small on purpose: replicas compact their logs every few seconds and a follower that
  /// misses a few seconds (crash, partition) catches up through a snapshot transfer.
  std::uint64_t snapshot_entries = 16;
  std::uint64_t snapshot_catchup_entries = 4;
  std::size_t snapshot_chunk_bytes = 512;  ///< several chunks per transfer even for small state
  /// Small on purpose too: a workload of a few keys never comes near them.
  std::size_t map_size_bytes = std::size_t{256} << 20;
  std::int64_t mvcc_quota_bytes = std::int64_t{128} << 20;
  store::AutoCompactionConfig auto_compaction;  ///< off: the checkers read the whole history
  /// One StoreWatcher per node (sim/store/store_watcher.hpp), judged by
  /// sim/store/watch_checker.hpp.
  bool watchers = true;
  /// Test only: every node's simulated disk acknowledges syncs it never makes durable
  /// (SimDisk::set_sync_lies), so crashes lose acknowledged writes.
  bool disk_sync_lies = false;
};

class StoreScenario : public Scenario {
 public:
  explicit StoreScenario(std::vector<std::string> nodes, StoreScenarioOptions options = {});

  /// "store" (clients_local) or "store-remote" (clients over SimNetwork).
  std::string name() const override { return options_.clients_local ? "store" : "store-remote"; }
  std::vector<caf::actor> spawn_node(caf::actor_system& sys, const NodeContext& node,
                                     const ObservationSink& observe) override;
  CheckResult check(const RunHistory& history) const override;
  void use_disks(std::shared_ptr<SimDisks> disks) override { disks_ = std::move(disks); }

 private:
  std::vector<std::string> nodes_;
  StoreScenarioOptions options_;
  std::shared_ptr<SimDisks> disks_;  ///< the replicas' environments sit on these
};

}  // namespace craton::sim
