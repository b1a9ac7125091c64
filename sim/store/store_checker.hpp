// The store scenario's checker (pure): judges a RunHistory from the observations that the
// store scenario's actors emit (formats in sim/store/store_workload.hpp and
// sim/store/store_scenario.cpp).
//
// - Linearizability: the "op" observations, in the order they were recorded (simulated real
//   time), form a history for the linearizability checker's kv model; every key must be
//   linearizable (an undecided key fails too).
// - Raft safety: every "raft" observation (a RaftEvent the replicas record after each input,
//   actors/store/raft/raft_event.hpp) is checked as it comes by RaftInvariants
//   (sim/store/raft_invariants.hpp): election safety, log matching, leader completeness, state
//   machine safety, and that a restarted replica finds the log it persisted. The first line
//   of each violation says when and on which node; CheckResult::counts says how much was
//   checked (elections, entries committed and applied, invariant checks).
// - No replica failed or could not open its data; and, unless disabled, some operation that
//   was invoked at least progress_grace_ms after the settle point completed ok (liveness).
// Failures are one line each, bounded (CheckResult keeps at most 100).
#pragma once

#include <cstdint>

#include "runtime/result.hpp"
#include "sim/linearizability/history.hpp"
#include "sim/world/run_history.hpp"

namespace craton::sim {

struct StoreCheckOptions {
  bool require_progress = true;
  std::int64_t progress_grace_ms = 0;  ///< after the settle point
};

/// The "op" observations as a linearizability history (errors name the observation).
Result<linearizability::History> store_ops_history(const RunHistory& history);

CheckResult check_store_history(const RunHistory& history, const StoreCheckOptions& options = {});

}  // namespace craton::sim
