// check_lease_history: judges a "store-lease" run from its observations (the lease workload's
// and the key probe's, sim/lease_workload.hpp). Pure, so tests can fabricate histories.
//
// Safety (a lease kept alive never expires): a replica may drop a lease's key at time x only
// if, for every renewal the leader acknowledged whose keep-alive was sent at s <= x (and for
// the grant, sent at g), x + probe_ms >= s + TTL. The leader renews at or after the send, and
// a new leader extends rather than shortens, so an earlier drop means a lease expired early.
//
// Liveness (an abandoned lease's keys disappear): for a lease abandoned at a, its key must be
// gone from every replica that was up throughout by max(a, settle) + TTL + slack_ms, where the
// slack covers the expiry check period, a leader election (which extends the lease by an
// election timeout plus its TTL) and replication. Replicas still up at the end must not hold
// it then. Also demanded: at least one lease was granted and put after the settle point.
#pragma once

#include <cstdint>

#include "sim/run_history.hpp"

namespace craton::sim {

struct LeaseCheckOptions {
  std::int64_t probe_ms = 100;
  std::int64_t slack_ms = 5000;
  bool require_progress = true;
};

CheckResult check_lease_history(const RunHistory& history, LeaseCheckOptions options = {});

}  // namespace craton::sim
