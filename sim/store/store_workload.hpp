// StoreWorkloadClient: a simulated store client that records what it saw, for the
// linearizability checker.
//
// One client is one process of the history: it runs one operation at a time on keys
// k0..k(keys-1), chosen with its seeded Rng: a linearizable read, a put of a value no one else
// writes ("<process>.<seq>"), a delete, a cas by value (txn: value == expected, or version == 0
// for a missing key, then put) or a cas by mod revision (a read, then txn: mod_revision == the
// revision read, then put). Because values are unique per key, "mod revision r" and "the value
// written at r" name the same state, so both cas forms are cas(expected, new) in the kv model.
//
// It talks the store protocol (schemas/store.capnp) directly to a replica ("n<id>/store"):
// with local_only, always its own node's; otherwise starting with its own node's, following
// not_leader hints (at most redirects_max per operation) and trying the next replica after a
// timeout. Every operation is reported as a StoreOpEvent (sim/world/observation.hpp), at invocation
// and completion; the trace prints them as
//   op <process> invoke read|write|cas <key> [=<expected>] [=<value>]
//   op <process> ok|fail|info read|write|cas [=<value read>] [<error code>]
// `ok`: applied (a read's value follows); `fail`: certainly not applied (not_leader, no_leader,
// busy, proposal_dropped, a failed compare, ...); `info`: unknown (timeout, or an error that
// does not prove the write was not applied). A delete is recorded as a write of "".
//
// Writes carry a client session (storage/session_table.hpp): a client id hashed from the
// process name (so one per client incarnation) and a sequence per write, kept across redirects, so
// that a request SimNetwork duplicates is applied once. An answer "duplicate" (a copy's answer
// arrived first) completes a put or delete as ok and a cas as info (its outcome was in the other
// answer).
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <string>

#include "runtime/environment.hpp"
#include "sim/world/observation.hpp"

namespace craton::sim {

struct StoreWorkloadConfig {
  std::string name = "client0";  ///< actor name on the node, also part of the process id
  std::size_t nodes = 3;         ///< replicas n1..nN
  std::size_t keys = 3;
  std::int64_t think_ms_max = 200;
  std::int64_t op_timeout_ms = 3000;
  int redirects_max = 3;
  /// true: talk only to the own node's replica, through the node's router (no SimNetwork, so
  /// no loss, delay or duplication on that hop; no redirects: a write to a follower fails).
  /// false: reach any replica over SimNetwork and follow not_leader hints.
  bool local_only = true;
};

/// Spawns one client; it reports every operation to `observe` (StoreOpEvent).
caf::actor spawn_store_workload(caf::actor_system& sys, const NodeContext& node,
                                ObservationSink observe, StoreWorkloadConfig config);

}  // namespace craton::sim
