// LeaseWorkloadClient: a simulated lease user for the "store-lease" scenario, and the probe
// that reports which lease keys each replica holds. Both report typed records (LeaseEvent,
// LeaseKeyEvent in sim/world/observation.hpp); the checker (sim/lease/lease_checker.hpp) judges the
// run from those observations alone.
//
// The client (one per node, over SimNetwork, following not_leader hints like the store
// workload) repeats: grant a lease of ttl_s, put a key "lk.<process>.<n>" with it, then either
// keep it alive (renew every renew_ms, for a seeded number of renewals) or not at all, and
// abandon it. Observations, as the trace prints them, all "lease <process> ...":
//   granting                    a grant is sent (the lease cannot expire before this + TTL)
//   granted <id> <ttl_s>        the grant was applied
//   put <key> <id>              the key is attached to the lease
//   renewing <id>               a keep-alive is sent (first attempt of the renewal)
//   renewed <id>                the leader renewed it (so it lives until the send + TTL)
//   lost <id>                   the leader answered lease_not_found
//   abandoned <id>              the client stops renewing; nothing is in flight
// The probe samples its replica every probe_ms and reports changes of the "lk." keys:
//   leasekey start              this incarnation's probe began (a restart, for the checker)
//   leasekey add <key> / leasekey del <key>
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <memory>
#include <string>

#include "runtime/environment.hpp"
#include "sim/world/observation.hpp"

namespace craton::store {
class Replica;
}

namespace craton::sim {

struct LeaseWorkloadConfig {
  std::string name = "lease-client";
  std::size_t nodes = 3;
  std::int64_t ttl_s = 2;
  std::int64_t renew_ms = 600;      ///< under a third of the TTL, like etcd's client
  std::uint64_t renewals_max = 12;  ///< a kept lease is renewed 1..this times, then abandoned
  std::int64_t op_timeout_ms = 1000;
  std::int64_t think_ms_max = 500;
  int redirects_max = 3;
};

/// Spawns one lease client; it reports its steps to `observe` (LeaseEvent).
caf::actor spawn_lease_workload(caf::actor_system& sys, const NodeContext& node,
                                ObservationSink observe, LeaseWorkloadConfig config);

/// Spawns the probe of one replica's lease keys; it reports to `observe` (LeaseKeyEvent).
caf::actor spawn_lease_key_probe(caf::actor_system& sys, const NodeContext& node,
                                 ObservationSink observe, std::weak_ptr<store::Replica> replica,
                                 std::int64_t probe_ms);

}  // namespace craton::sim
