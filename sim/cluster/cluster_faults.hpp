// The cluster scenario's faults (sim/cluster/cluster_scenario.hpp), drawn from a seed: what
// production's control plane and workers live through, each with what the cluster checker
// (sim/cluster/cluster_checker.hpp) expects after it. Pure: no CAF.
//
// Every schedule has, at time 0, a random latency (uniform 1 ms to 5-50 ms; SimNetwork keeps each
// link's messages in send order, as TCP does) and the clock faults of random_clock_faults
// (constant offsets within +-60 s and drift within the store's bound), then:
//   - one worker fault of the case's kind: a crash (staying down, or restarted just before the
//     settle point) or a partition cutting the worker off from every other node, healed
//     0-5 s before the settle point;
//   - with control_plane, 2-5 control-plane faults one after the other, 2-12 s apart, each over
//     before the next (so a majority of store replicas stays up and connected):
//       * a control-plane node crashes and restarts 3-20 s later: its store replica restarts
//         from its disk (losing the unsynced writes, sim/world/sim_disk.hpp), its API actor,
//         controller manager and scheduler start anew (if it led, the Lease moves), and the
//         agents talking to its API move to another (or reconnect);
//       * the agents are cut off from the control plane (every worker in one group, the
//         control plane in another: workers still reach each other) for 1-10 s;
//       * one control-plane node is cut off from every other node for 2-15 s;
//       * a link break: one worker cut off from every other node for 0.2-2 s. Production links
//         are TCP: a lost message breaks the connection and the peer sees it down, so loss is
//         modelled as these short partitions, never as silent drops;
//   - with control_plane, random_disk_faults on the control-plane nodes (disk full for 0.2-3 s,
//     slow syncs, at most two failed syncs: each restarts the node, as a process that cannot
//     trust its disk).
// Overlapping cuts combine: the partition at each moment groups nodes by which side of every
// active cut they are on.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/world/fault_schedule.hpp"

namespace craton::sim {

/// How many of `nodes` nodes are the control plane: 1 below 5 nodes, else 3.
std::size_t control_plane_size(std::size_t nodes);

enum class ClusterFaultKind { worker_crash, worker_crash_restart, worker_partition };

/// The schedule above for `nodes` (the first `control_plane_nodes` are the control plane; 0:
/// control_plane_size's rule), all
/// faults before `settle_ms`; the worker fault starts at 5-15 s, a restart comes 1 s before
/// the settle point, but not before `evict_bound_ms` after its crash. Without a worker, only
/// the latency, clocks and control-plane faults.
std::vector<Fault> cluster_faults(std::uint64_t seed, ClusterFaultKind kind,
                                  const std::vector<std::string>& nodes, std::int64_t settle_ms,
                                  std::int64_t evict_bound_ms, bool control_plane,
                                  std::size_t control_plane_nodes = 0);

}  // namespace craton::sim
