// The cluster scenario (issue 14's simulator tests, the first version of issue 15's whole
// cluster in one process): control-plane nodes and worker nodes.
//
// The first control_plane_size(N) nodes (1 for fewer than 5 nodes, else 3; or
// ClusterScenarioOptions::control_plane_nodes) are the control plane: each runs a store replica
// (the store scenario's cluster of these nodes only, with one store client), the API actor, the
// controller manager and the scheduler (leader-elected, as in the controllers and scheduler
// scenarios), a ClusterDeployer creating the Deployment "default/web" once, and a PodsAuditor
// reporting what the API shows of the pods. The other nodes are workers: each runs the real node
// agent (actors/agent/service/agent_actor.hpp, its driver calls inline: JobRunner workers = 0) with
// simulated host facts (4 CPUs, 8 GiB) over a FakeDriver wrapped in an ObservingDriver that reports
// every container it starts and stops. A worker's Node is named after the simulated node ("n4");
// its agent talks to the control plane's API actors (its first choice spread over them by the
// worker's index). A worker's crash takes its agent and its fake containers with it; a restart
// starts a new agent over an empty FakeDriver.
//
// The Deployment's pods tolerate node.kubernetes.io/unreachable and not-ready for only
// toleration_s (5 s; Kubernetes' default is 300 s) so that the node lifecycle controller's
// eviction (40 s node monitor grace + the toleration) happens within a run.
//
// Faults (sim/cluster/cluster_faults.hpp, drawn from the seed, or `craton sim --scenario
// cluster --faults random`, which draws the worker fault's kind from the seed too): random
// latency (each link in send order), clock offsets and drift, one worker fault (crash, crash
// and restart, or partition) and several control-plane faults (node crash and restart, agents
// cut off from the control plane, a control-plane node cut off, store disk faults, short link
// breaks). The eviction needs about a minute: runs of 200 s (settle point at 120 s) leave room
// for it after the control-plane faults.
//
// Judged by the store checker (Raft's invariants, progress) and the cluster checker
// (sim/cluster/cluster_checker.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "actors/agent/core/node_status.hpp"
#include "actors/scheduler/config/scheduler_config.hpp"
#include "sim/cluster/all_running_stop.hpp"
#include "sim/cluster/cluster_checker.hpp"
#include "sim/cluster/cluster_clients.hpp"
#include "sim/cluster/cluster_faults.hpp"
#include "sim/cluster/observing_driver.hpp"
#include "sim/store/store_scenario.hpp"
#include "sim/world/fault_schedule.hpp"

namespace craton::sim {

/// The most pods a cluster run takes (`craton sim --pods`): Kubernetes' published limit of
/// 150,000 with room.
constexpr std::size_t kClusterPodsMax = 1'000'000;

struct ClusterScenarioOptions {
  StoreScenarioOptions store;
  ClusterDeploymentConfig deployment;
  /// The pods auditors' view interval (spawn_pods_auditor): 0 after every change; a scale run
  /// sets seconds (the checker's eviction and stop bounds then see changes that late).
  std::int64_t audit_every_ms = 0;
  /// The workers' agents' tick (AgentActorConfig::tick_ms; 0: its default, 100 ms). A scale run
  /// sets a coarser one: each tick is a simulated step on every worker, and the agent's
  /// periodic work (lease renewals every 10 s, status, retries) is due in seconds anyway.
  std::int64_t agent_tick_ms = 0;
  /// End the run once an auditor's view shows every replica bound, Running and Ready
  /// (AllRunningStop; `--stop-when-running`): a fault-free scale run then measures submission ->
  /// all running instead of idle time up to its duration.
  bool stop_when_running = false;
  /// The control-plane nodes (`--control-plane`, 1 or 3; 0: control_plane_size's rule). One is
  /// a single `craton server` without --peers: one store replica, one API, one scheduler and
  /// one controller manager, which a scale run affords at 5,000 nodes (docs/simulator.md).
  std::size_t control_plane_nodes = 0;
  /// Test only: what every worker's driver does with stops (ObservingDriver's seam).
  ObservingDriverConfig driver;
  /// Slack of the checker's bounds (ClusterBounds says what each covers).
  std::int64_t eviction_slack_ms = 25'000;
  std::int64_t stop_slack_ms = 15'000;
  std::int64_t wall_clock_base_s = 1'800'000'000;
};

/// A fixed message latency at 0 s (5 ms), for whole-cluster runs that want no random latency
/// (research runs; the cluster scenario draws its own, cluster_faults.hpp).
Fault cluster_latency_fault();

/// The store options of a whole-cluster run's control plane (the controllers scenario's).
StoreScenarioOptions cluster_store_options(StoreScenarioOptions store);

/// The control plane's services on one node: the API actor, the controller manager and the
/// scheduler configured by `scheduler` (leader-elected among the control-plane nodes).
std::vector<caf::actor> spawn_control_services(caf::actor_system& sys, const NodeContext& node,
                                               std::int64_t wall_clock_base_s,
                                               scheduler::SchedulerConfig scheduler);

/// One worker: the real node agent (driver calls inline) over a FakeDriver wrapped in an
/// ObservingDriver, registering `node_config` with the host figures `facts`, talking to
/// `api_nodes` (first choice first).
struct WorkerAgentSpec {
  agent::NodeConfig node_config;
  agent::HostFacts facts;
  std::vector<std::string> api_nodes;
  std::int64_t wall_clock_base_s = 1'800'000'000;
  ObservingDriverConfig driver;
  std::int64_t tick_ms = 0;  ///< the agent's tick; 0: its default (--agent-tick)
};
caf::actor spawn_worker_agent(caf::actor_system& sys, const NodeContext& node,
                              const ObservationSink& observe, WorkerAgentSpec spec);

class ClusterScenario : public Scenario {
 public:
  /// Precondition: at least 3 nodes (make_scenario checks).
  explicit ClusterScenario(std::vector<std::string> nodes, ClusterScenarioOptions options = {});

  std::string name() const override { return "cluster"; }
  std::vector<caf::actor> spawn_node(caf::actor_system& sys, const NodeContext& node,
                                     const ObservationSink& observe) override;
  CheckResult check(const RunHistory& history) const override;
  void use_disks(std::shared_ptr<SimDisks> disks) override { store_.use_disks(std::move(disks)); }
  /// cluster_faults with control-plane faults, the worker fault's kind drawn from the seed.
  std::optional<std::vector<Fault>> random_faults(std::uint64_t seed,
                                                  std::int64_t settle_ms) const override;
  /// With stop_when_running: every replica is bound, Running and Ready (AllRunningStop).
  bool done(std::int64_t now_ms) const override;

  const ClusterBounds& bounds() const { return bounds_; }

 private:
  std::vector<caf::actor> spawn_worker(caf::actor_system& sys, const NodeContext& node,
                                       const ObservationSink& observe);

  std::vector<std::string> nodes_;
  ClusterScenarioOptions options_;
  ClusterBounds bounds_;
  StoreScenario store_;
  std::shared_ptr<AllRunningStop> stop_;  ///< null without stop_when_running
};

}  // namespace craton::sim
