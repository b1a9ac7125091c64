// check_lease_history: judges a "store-lease" run from its observations (the lease workload's
// and the key probe's, sim/lease/lease_workload.hpp). Pure, so tests can fabricate histories.
//
// Both judge in true (simulated) time the bound the store states in docs/store.md ("Leases:
// the expiry bound"), with every node clock's rate within 1 +- clock_drift_max:
//
// Safety (a lease kept alive never expires): a replica may drop a lease's key at time x only
// if, for every renewal the leader acknowledged whose keep-alive was sent at s <= x (and for
// the grant, sent at g), x >= s + TTL / (1 + drift). The leader renews at or after the send by
// its own clock, which runs at most 1 + drift fast, and a new leader extends rather than
// shortens; the probe sees a drop at or after it happened, so an earlier x is a violation.
//
// Liveness (an abandoned lease's keys disappear, once a leader holds): for a lease abandoned
// at a, let start = max(a, settle) (before the settle point faults may delay anything), D the
// run's largest message delay (RunHistory::delay_max_ms), slow(d) = d / (1 - drift) the true
// time a node clock needs for d, and P the promotion of the leader that holds: the last one
// promoted before start, or a later one elected while the key was still held (after the
// settle point a holding leader is never replaced, so a later election means none held).
// The key must be gone by
//   max(start + D + slow(TTL), P + slow(election + TTL), [P < settle] settle + slow(retry))
//     + slow(check + tick) + 3 D + 2 tick
// from every replica up at the end that keeps up with the log. One still behind the revoke
// then (its RaftEvents show it had not applied the log position where the first replica
// dropped the key: it is restarting or catching up through snapshots) serves its older state,
// as any lagging replica does; it must have dropped the key by the end of the run.
// (its last keep-alive reaches the leader by start + D; a new leader extends every lease by an
// election timeout plus its TTL; a revoke lost before the settle point is offered again after
// revoke_retry_ms; the leader looks for expired leases every lease_check_ms at a tick; the
// revoke entry reaches every replica within three message delays and two ticks). Also
// demanded: at least one lease was granted and put after the settle point.
#pragma once

#include <cstdint>

#include "sim/world/clock_faults.hpp"
#include "sim/world/run_history.hpp"

namespace craton::sim {

/// The store's lease parameters the bound is stated in (the scenario copies them from its
/// replicas' configuration) and how often the probes look.
struct LeaseCheckOptions {
  std::int64_t probe_ms = 100;
  std::int64_t tick_ms = 100;               ///< ReplicaConfig::tick_ms
  std::int64_t election_timeout_ms = 1000;  ///< election_tick x tick_ms: a new leader's extension
  std::int64_t lease_check_ms = 500;        ///< ReplicaConfig::lease_check_ms
  std::int64_t revoke_retry_ms = 3000;      ///< LeaseKeeperOptions::revoke_retry_ms
  double clock_drift_max = kClockDriftMax;  ///< the drift the bound is stated for
  bool require_progress = true;
};

CheckResult check_lease_history(const RunHistory& history, LeaseCheckOptions options = {});

}  // namespace craton::sim
