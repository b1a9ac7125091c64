// Scenario: what a simulated run runs and how it is judged.
//
// A scenario names itself, spawns the actors of one node (the world has already started the
// node's router and passes it in the NodeContext), and checks the finished run's history.
// The world calls spawn_node at start and again on every restart (with incarnation + 1), so a
// scenario must rebuild all in-memory state from its data directory. Add a scenario by
// implementing this interface and listing it in make_scenario (sim/scenario.cpp).
#pragma once

#include <caf/all.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/environment.hpp"
#include "runtime/result.hpp"
#include "sim/world/fault_schedule.hpp"
#include "sim/world/observation.hpp"
#include "sim/world/run_history.hpp"

namespace craton::sim {

class SimDisks;

class Scenario {
 public:
  virtual ~Scenario() = default;
  virtual std::string name() const = 0;
  /// Spawns the node's actors and returns every one of them, so that the world can pause
  /// and crash them. Actors must reach the world only through `node` (see ActorEnv); the
  /// simulator's own actors report what they see to `observe` (typed records).
  virtual std::vector<caf::actor> spawn_node(caf::actor_system& sys, const NodeContext& node,
                                             const ObservationSink& observe) = 0;
  /// Judges a finished run.
  virtual CheckResult check(const RunHistory& history) const = 0;
  /// Whether the run may end now, before its duration (asked whenever no actor is runnable at
  /// the current instant; the run's end is then `now_ms`). Deterministic scenarios answer from
  /// what their actors reported, never from the host.
  virtual bool done(std::int64_t now_ms) const {
    (void)now_ms;
    return false;
  }
  /// The run's simulated disks (sim/world/sim_disk.hpp), given before the first node starts and
  /// taken back (null) after the run. A scenario that stores data opens its environments on
  /// `disks->disk(node)`; the others ignore disk faults.
  virtual void use_disks(std::shared_ptr<SimDisks> disks) { (void)disks; }
  /// The faults of `--faults random` for `seed` (already derived for faults): nullopt for the
  /// simulator's general schedule (random_faults, sim/world/fault_schedule.hpp); a scenario whose
  /// checker judges particular faults draws its own.
  virtual std::optional<std::vector<Fault>> random_faults(std::uint64_t seed,
                                                          std::int64_t settle_ms) const {
    (void)seed;
    (void)settle_ms;
    return std::nullopt;
  }
};

/// The scenarios this build knows: "heartbeat", "store", "store-remote", "store-lease", "api",
/// "controllers", "scheduler", "cluster".
std::vector<std::string> scenario_names();

/// The load of a scale run (`craton sim --pods P --audit-every D --agent-tick T
/// --stop-when-running --control-plane C --deployments K --disk-commit D`); only the cluster
/// scenario takes one (docs/simulator.md, bench/sim_scale.sh).
struct ScenarioLoad {
  std::size_t pods = 0;             ///< the Deployment's replicas (0: the scenario's default)
  std::int64_t audit_every_ms = 0;  ///< pods auditors' view interval (0: after every change)
  std::int64_t agent_tick_ms = 0;   ///< the node agents' tick (0: the agent's default, 100 ms)
  bool stop_when_running = false;   ///< end once every pod is bound, Running and Ready
  /// The control-plane nodes, 1 or 3 (0: control_plane_size's rule, 3 from 5 nodes on).
  std::size_t control_plane_nodes = 0;
  std::size_t deployments = 0;  ///< Deployments sharing the pods (0: one)
  /// The simulated disk's commit time on store replicas (0: instant; `--disk-commit`).
  std::int64_t disk_commit_ms = 0;
  bool empty() const {
    return pods == 0 && audit_every_ms == 0 && agent_tick_ms == 0 && !stop_when_running &&
           control_plane_nodes == 0 && deployments == 0 && disk_commit_ms == 0;
  }
};

/// The scenario called `name` for a cluster of `nodes` (ring order), with `load` (an error for
/// a scenario that takes none).
Result<std::unique_ptr<Scenario>> make_scenario(std::string_view name,
                                                const std::vector<std::string>& nodes,
                                                const ScenarioLoad& load = {});

}  // namespace craton::sim
