// What a cluster run did with its load, for scale reports (bench/sim_scale.sh): counts added to
// the check result (they judge nothing). Pure: a function of the RunHistory.
//
//   submitted_ms           when the deployer's create of the Deployment was answered (201 or
//                          409), 0 if never
//   pods_started           distinct pods whose container some worker's driver started
//   all_started_ms         when the replicas-th distinct pod's container started (0: never)
//   submit_to_running_ms   all_started_ms - submitted_ms (absent if either is missing)
//   pods_bound_end         in the latest pods-auditor view: pods bound to a node, not terminating
//   pods_running_end       ... of those, Running and Ready
#pragma once

#include "sim/world/run_history.hpp"

namespace craton::sim {

void add_load_counts(const RunHistory& history, int replicas, CheckResult& result);

}  // namespace craton::sim
