// The cluster scenario: control-plane nodes, worker nodes running the node agent over a fake
// driver, and their faults.
#include "sim/cluster/cluster_scenario.hpp"

#include <algorithm>

#include "actors/agent/fake/fake_driver.hpp"
#include "actors/agent/service/agent_actor.hpp"
#include "actors/api/actor/api_actor.hpp"
#include "actors/controllers/manager/controller_manager_actor.hpp"
#include "actors/scheduler/service/scheduler_actor.hpp"
#include "actors/store/replica/replica.hpp"
#include "runtime/rng.hpp"
#include "sim/cluster/cluster_load.hpp"
#include "sim/cluster/worker_ip.hpp"

namespace craton::sim {

namespace {
constexpr std::int64_t kClusterLatencyMs = 5;
}  // namespace

Fault cluster_latency_fault() {
  Fault latency;
  latency.at_ms = 0;
  latency.kind = Fault::Kind::latency;
  latency.latency.min_ms = latency.latency.max_ms = kClusterLatencyMs;
  return latency;
}

// As the controllers scenario's store (sim/controllers/controllers_scenario.cpp says why), sized
// as `craton server`'s: a whole cluster writes every pod's create, binding, statuses and Events
// (600 nodes filled the store scenario's 256 MiB map in a simulated minute), and the server
// compacts history older than 5 minutes. Snapshots as production's too: with the store
// scenario's (every 16 entries, 4 kept for followers) a follower a moment behind at a few
// thousand writes per second would fetch the whole key space again and again.
StoreScenarioOptions cluster_store_options(StoreScenarioOptions store) {
  store.watchers = false;
  store.clients_per_node = 1;
  store.progress_grace_ms = std::max<std::int64_t>(store.progress_grace_ms, 8000);
  store.snapshot_chunk_bytes = std::max<std::size_t>(store.snapshot_chunk_bytes, 64 << 10);
  store::ReplicaConfig production;
  store.map_size_bytes = production.map_size_bytes;
  store.mvcc_quota_bytes = production.mvcc.quota_bytes;
  store.snapshot_entries = production.snapshot_entries;
  store.snapshot_catchup_entries = production.snapshot_catchup_entries;
  store.auto_compaction = {store::AutoCompactionMode::periodic, 5 * 60 * 1000};
  return store;
}

namespace {

std::vector<std::string> first(const std::vector<std::string>& nodes, std::size_t n) {
  return {nodes.begin(), nodes.begin() + std::ptrdiff_t(std::min(n, nodes.size()))};
}

ClusterBounds bounds_of(const std::vector<std::string>& nodes,
                        const ClusterScenarioOptions& options) {
  ClusterBounds b;
  b.control_plane =
      first(nodes, options.control_plane_nodes != 0 ? options.control_plane_nodes
                                                    : control_plane_size(nodes.size()));
  b.workers.assign(nodes.begin() + std::ptrdiff_t(b.control_plane.size()), nodes.end());
  b.replicas = options.deployment.replicas;
  b.toleration_ms = options.deployment.toleration_s * 1000;
  b.grace_period_ms = options.deployment.grace_period_s * 1000;
  b.eviction_slack_ms = options.eviction_slack_ms;
  b.stop_slack_ms = options.stop_slack_ms;
  return b;  // node_monitor_grace_ms: the controller manager's default (40 s)
}

}  // namespace

ClusterScenario::ClusterScenario(std::vector<std::string> nodes, ClusterScenarioOptions options)
    : nodes_(std::move(nodes)),
      options_(std::move(options)),
      bounds_(bounds_of(nodes_, options_)),
      store_(bounds_.control_plane, cluster_store_options(options_.store)) {
  if (options_.stop_when_running)
    stop_ = std::make_shared<AllRunningStop>(std::size_t(options_.deployment.replicas));
}

bool ClusterScenario::done(std::int64_t now_ms) const {
  (void)now_ms;
  return stop_ && stop_->done();
}

std::optional<std::vector<Fault>> ClusterScenario::random_faults(std::uint64_t seed,
                                                                 std::int64_t settle_ms) const {
  Rng rng(seed);
  auto kind = static_cast<ClusterFaultKind>(rng.uniform(0, 2));
  return cluster_faults(rng.next(), kind, nodes_, settle_ms, bounds_.evict_bound_ms(), true,
                        bounds_.control_plane.size());
}

std::vector<caf::actor> ClusterScenario::spawn_node(caf::actor_system& sys, const NodeContext& node,
                                                    const ObservationSink& observe) {
  const auto& cp = bounds_.control_plane;
  if (std::find(cp.begin(), cp.end(), node.node_id) == cp.end())
    return spawn_worker(sys, node, observe);
  auto actors = store_.spawn_node(sys, node, observe);
  for (auto& a : spawn_control_services(sys, node, options_.wall_clock_base_s,
                                        scheduler::default_scheduler_config()))
    actors.push_back(std::move(a));
  actors.push_back(spawn_cluster_deployer(sys, node, observe, options_.deployment));
  auto sink = observe;
  if (stop_)
    sink = [stop = stop_, observe](ObservedEvent e) {
      if (const auto* view = std::get_if<PodsView>(&e)) stop->on_view(*view);
      observe(std::move(e));
    };
  actors.push_back(spawn_pods_auditor(sys, node, std::move(sink), options_.audit_every_ms));
  return actors;
}

std::vector<caf::actor> spawn_control_services(caf::actor_system& sys, const NodeContext& node,
                                               std::int64_t wall_clock_base_s,
                                               scheduler::SchedulerConfig scheduler) {
  std::vector<caf::actor> actors;
  actors.push_back(api::spawn_api(sys, node, api::ApiActorConfig{}));
  controllers::ControllerManagerActorConfig manager;
  manager.wall_clock_base_s = wall_clock_base_s;
  actors.push_back(controllers::spawn_controller_manager(sys, node, manager));
  scheduler::SchedulerActorConfig config;
  config.wall_clock_base_s = wall_clock_base_s;
  config.service.scheduler = std::move(scheduler);
  actors.push_back(scheduler::spawn_scheduler(sys, node, std::move(config)));
  return actors;
}

caf::actor spawn_worker_agent(caf::actor_system& sys, const NodeContext& node,
                              const ObservationSink& observe, WorkerAgentSpec spec) {
  agent::AgentActorConfig config;
  config.service.node = std::move(spec.node_config);
  config.service.wall_clock_base_s = spec.wall_clock_base_s;
  config.api_nodes = std::move(spec.api_nodes);
  config.jobs.workers = 0;  // driver calls inline: deterministic
  if (spec.tick_ms > 0) config.tick_ms = spec.tick_ms;
  auto ip = spec.facts.internal_ip;
  config.read_facts = [facts = std::move(spec.facts)]() -> Result<agent::HostFacts> {
    return facts;
  };
  // The fake containers' clock: the simulated time, as wall-clock milliseconds.
  auto now = [&sys, base = spec.wall_clock_base_s] {
    return base * 1000 + std::chrono::duration_cast<std::chrono::milliseconds>(
                             sys.clock().now().time_since_epoch())
                             .count();
  };
  auto fake = std::make_shared<agent::FakeDriver>(now, ip);
  config.driver = std::make_shared<ObservingDriver>(
      fake, [observe](ContainerEvent e) { observe(std::move(e)); }, spec.driver);
  return agent::spawn_agent(sys, node, std::move(config));
}

std::vector<caf::actor> ClusterScenario::spawn_worker(caf::actor_system& sys,
                                                      const NodeContext& node,
                                                      const ObservationSink& observe) {
  const auto& workers = bounds_.workers;
  auto index =
      std::size_t(std::find(workers.begin(), workers.end(), node.node_id) - workers.begin());
  WorkerAgentSpec spec;
  spec.node_config.name = node.node_id;
  spec.wall_clock_base_s = options_.wall_clock_base_s;
  spec.driver = options_.driver;
  // Each worker starts with another control-plane node's API; it moves on when that one is
  // silent (api_switch_ms).
  const auto& cp = bounds_.control_plane;
  for (std::size_t i = 0; i < cp.size(); ++i) spec.api_nodes.push_back(cp[(index + i) % cp.size()]);
  auto& facts = spec.facts;
  facts.cpu_cores = 4;
  facts.memory_bytes = std::int64_t{8} << 30;
  facts.memory_available_bytes = std::int64_t{6} << 30;
  facts.storage_bytes = std::int64_t{100} << 30;
  facts.storage_available_bytes = std::int64_t{80} << 30;
  facts.kernel_version = "6.1.0-sim";
  facts.os_image = "craton simulator";
  facts.architecture = "amd64";
  facts.hostname = node.node_id;
  facts.internal_ip = worker_internal_ip(index);
  spec.tick_ms = options_.agent_tick_ms;
  return {spawn_worker_agent(sys, node, observe, std::move(spec))};
}

CheckResult ClusterScenario::check(const RunHistory& history) const {
  auto result = store_.check(history);
  auto cluster = check_cluster(history, bounds_);
  for (auto& f : cluster.failures) result.fail(std::move(f));
  for (const auto& [name, count] : cluster.counts) result.counts[name] = count;
  add_load_counts(history, options_.deployment.replicas, result);
  if (stop_) result.counts["stopped_when_running"] = stop_->done() ? 1 : 0;
  return result;
}

}  // namespace craton::sim
