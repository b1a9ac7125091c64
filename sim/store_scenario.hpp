// The store scenario: a Raft-replicated store cluster under the simulator's faults, judged by
// the linearizability checker and by Raft's safety invariants.
//
// Every simulated node nK runs:
// - the store replica (actors/store/actor.hpp) with Raft id K, opened from the node's data
//   directory, so a restart recovers from what the replica made durable;
// - a relay that lets the replica's "store-<id>/store" peer addresses reach node n<id> (the
//   world names nodes n1..nN; the relay rewrites the envelope's destination node);
// - `clients_per_node` workload clients (StoreWorkloadClient, sim/store_workload.hpp) that
//   issue linearizable reads, puts, deletes and compare-and-swap txns on a few keys and record
//   each operation's invocation and completion as observations ("op ..."). In "store" they
//   talk to their own node's replica in-process; in "store-remote" over SimNetwork, following
//   redirects. The store has no request de-duplication, so a client request that SimNetwork
//   duplicates may be applied twice (which the checker then reports): "store-remote" shows it;
//   "store" keeps duplication for Raft's traffic only, as TCP links would;
// - a Raft probe that samples the replica every probe_ms and reports leadership, newly
//   committed entries and the shape of its log as observations ("raft ...").
//
// The checker (check_store_history, pure) turns the "op" observations into a history for the
// linearizability checker (kv model; a delete is a write of "", a txn a cas) and checks the
// "raft" observations for election safety, log matching, leader completeness and state
// machine safety; it also demands progress after the settle point and no failed replica.
//
// With `watchers`, every node also runs a StoreWatcher on its replica (prefix "k", from
// revision 1, resuming after crashes from the revision it persisted), and check_watch_history
// judges what they saw: ordered, no duplicates, no gaps, atomic per revision, resumable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario.hpp"

namespace craton::sim {

struct StoreScenarioOptions {
  std::size_t clients_per_node = 2;
  std::size_t keys = 3;               ///< keys k0 .. k(keys-1)
  std::int64_t think_ms_max = 100;    ///< pause between a client's operations: 0..this
  std::int64_t op_timeout_ms = 3000;  ///< a client gives up on an answer (outcome: info)
  int redirects_max = 3;              ///< not_leader hints a client follows per operation
  /// Clients talk only to their own node's replica, in-process (see StoreWorkloadConfig).
  bool clients_local = true;
  int tick_ms = 100;           ///< replica tick
  std::int64_t probe_ms = 50;  ///< Raft probe period
  /// Demand an ok operation invoked after settle + progress_grace_ms (liveness).
  bool require_progress = true;
  std::int64_t progress_grace_ms = 0;
  /// One StoreWatcher per node (sim/store_watcher.hpp), judged by sim/watch_checker.hpp.
  bool watchers = true;
};

class StoreScenario : public Scenario {
 public:
  explicit StoreScenario(std::vector<std::string> nodes, StoreScenarioOptions options = {});

  /// "store" (clients_local) or "store-remote" (clients over SimNetwork).
  std::string name() const override { return options_.clients_local ? "store" : "store-remote"; }
  std::vector<caf::actor> spawn_node(caf::actor_system& sys, const NodeContext& node) override;
  CheckResult check(const RunHistory& history) const override;

 private:
  std::vector<std::string> nodes_;
  StoreScenarioOptions options_;
};

}  // namespace craton::sim
