// World: the deterministic simulator. Runs a whole cluster of simulated nodes in one process,
// on one thread, under CAF's `testing` scheduler.
//
// How a run goes: the world creates an actor_system whose scheduler is CAF's
// test_coordinator (no middleman), starts SimNetwork and, per node, a router (default route:
// SimNetwork) plus the scenario's actors. Then, until the run's duration: apply the faults due
// now; if some actor is runnable (and its node not paused), pick one with the world's seeded
// Rng and let it handle one message; otherwise end the run early if the scenario says it is
// done (Scenario::done; RunReport::simulated_ms is then that instant), else jump simulated time
// to the next timer or fault.
// At the settle point (a fraction of the duration) the world heals the network, clears loss
// and duplication and resumes paused nodes; crashed nodes stay down unless the schedule
// restarts them. Finally every actor is killed, the scheduler drained and the system destroyed
// (an actor alive at destruction would hang the process), and the scenario's checker judges
// the history.
//
// Promise: the same config (seed, nodes, duration, faults) on the same build yields the same
// trace, byte for byte, and so the same trace hash.
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "sim/scenario.hpp"
#include "sim/world/fault_schedule.hpp"
#include "sim/world/network_model.hpp"
#include "sim/world/run_history.hpp"

namespace craton::sim {

struct WorldConfig {
  std::uint64_t seed = 1;
  std::size_t nodes = 5;
  std::int64_t duration_ms = 60000;
  /// Faults stop at duration_ms * settle_fraction; the rest of the run is for convergence.
  double settle_fraction = 0.6;
  std::vector<Fault> faults;  ///< sorted by time, validated with validate_schedule
  NetworkConfig network;
  std::ostream* trace_out = nullptr;  ///< optional: receives every trace line
  /// Parent of the nodes' data directories. Empty: a fresh directory under the system temp
  /// directory, removed after the run.
  std::filesystem::path scratch_dir;
  /// Bound on messages handled, against actors that keep each other busy forever.
  std::uint64_t steps_max = 2'000'000'000;
};

struct RunReport {
  std::string scenario;
  std::string trace_hash;    ///< 16 hex digits
  std::uint64_t events = 0;  ///< trace lines
  std::uint64_t steps = 0;   ///< messages handled by actors
  std::int64_t simulated_ms = 0;
  std::uint64_t messages_delivered = 0;
  std::uint64_t messages_dropped = 0;
  std::vector<std::string> nodes_down;  ///< crashed and not restarted at the end
  RunHistory history;
  CheckResult check;
};

/// Node ids of a cluster of n nodes: n1 .. nN (ring order).
std::vector<std::string> node_ids(std::size_t n);

/// Where faults stop, in simulated ms.
std::int64_t settle_ms(const WorldConfig& config);

/// The run's largest message latency plus its slowest disk sync (RunHistory::delay_max_ms).
std::int64_t delay_max_ms(const WorldConfig& config);

/// Runs one simulation. The scenario must have been made for node_ids(config.nodes).
RunReport run_world(const WorldConfig& config, Scenario& scenario);

}  // namespace craton::sim
