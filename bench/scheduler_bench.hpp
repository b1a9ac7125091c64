// The scheduler benchmark (`craton bench scheduler`, issue 13): Kubernetes' scheduler_perf
// workloads run in-process against the scheduling framework (actors/scheduler/framework/),
// one thread, no API server: nodes and pods are built as the informer caches would hold them
// (NodeInfo, PodInfo), init pods are scheduled first (not measured), then each measured pod
// gets one Framework::schedule over every node and, when placed, is bound into the chosen
// NodeInfo (BenchCluster::assume, what the scheduler cache's assume does).
//
// Workloads, after test/integration/scheduler_perf/config/performance-config.yaml (node
// template: 4 CPU, 32Gi, 110 pods; pod template: 100m CPU, 500Mi):
//   basic          SchedulingBasic: default pods.
//   anti-affinity  SchedulingPodAntiAffinity: required anti-affinity by hostname to pods of
//                  the same group label (groups of at most nodes/2 pods so all can fit).
//   affinity       SchedulingPodAffinity: required affinity by zone to pods of the same group
//                  label (one group per zone, 10 zones).
//   spread         TopologySpreading: 3 zones, default init pods, measured pods with a zone
//                  constraint maxSkew 5, DoNotSchedule.
//   preemption     PreemptionBasic: init pods of 900m fill every node (4 each), measured
//                  pods of priority 10 ask 3000m. None fits; DefaultPreemption runs with a
//                  real FrameworkHandle (BenchHandle: no PodDisruptionBudgets, the pods the
//                  bench nominated), its victims are evicted from their node at once (what
//                  their graceful deletion ends in) and the pod is scheduled again, as the
//                  queue would retry it once the victims are gone. A node holds one measured
//                  pod after preemption, so use --pods <= --nodes (later pods find no victims
//                  and every one of them dry-runs every node).
//   gpu            basic pods; every 4th node has 8 nvidia.com/gpu and a NoSchedule taint,
//                  every 8th pod asks 1 GPU and tolerates it.
//
// Measured: scheduled pods per second (wall time of the measured loop, reference checks
// excluded), attempt latency percentiles (Framework::schedule alone), peak RSS (VmHWM), memory
// per node and per pod (VmRSS deltas). The reference check (check_every) is described at
// SchedulerBenchReport::checked_pods. Process code: reads /proc and the clock; no CAF.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "actors/scheduler/framework/framework.hpp"
#include "runtime/result.hpp"

namespace craton::bench {

enum class SchedulerWorkload : std::uint8_t {
  basic,
  spread,
  affinity,
  anti_affinity,
  preemption,
  gpu
};

/// "basic", "spread", "affinity", "anti-affinity", "preemption", "gpu".
std::string_view scheduler_workload_name(SchedulerWorkload workload);
Result<SchedulerWorkload> parse_scheduler_workload(std::string_view name);

inline constexpr std::uint32_t kBenchNodesMax = 100'000;
inline constexpr std::uint32_t kBenchPodsMax = 2'000'000;

/// How measured pods reach the framework.
///   direct  each pod gets Framework::schedule over BenchCluster's nodes and is bound into its
///           NodeInfo (the figures since the first diary entry).
///   queue   the scheduler's own path without the API: pods arrive in the SchedulingQueue and
///           are popped in its order; nodes and pods live in a SchedulerCache; each cycle
///           updates a Snapshot from the cache (SchedulerCache::update_snapshot, O(changed))
///           and schedules over it; a placed pod is assumed in the cache, its binding finishes
///           at once (the binder's answer), the informer's confirmation (a new PodInfo of the
///           bound pod) is added to the cache and its pod-add event given to the queue, as
///           SchedulerService does. Not in it: ObjectConverter (API objects -> PodInfo), the API
///           call, the informers' watch decoding. No preemption workload (an unschedulable pod
///           would be moved back by every confirmation: the service's behaviour, not a bench).
///   api     the queue path whose binder writes: every pod is created pending in an in-process
///           ApiService over a map-backed store first (not measured), and each placed pod is
///           bound by SchedulerService's pods/binding call through that service before its
///           binding finishes (SchedulerApiBinder, bench/scheduler_api_binder.hpp). At the end
///           the API must list every placed pod bound. Not in it: Raft, the network, the
///           informers' watch decoding (the confirmation is still the bound PodInfo's copy).
enum class SchedulerBenchPath : std::uint8_t { direct, queue, api };

/// "direct", "queue", "api".
std::string_view scheduler_bench_path_name(SchedulerBenchPath path);
Result<SchedulerBenchPath> parse_scheduler_bench_path(std::string_view name);

struct SchedulerBenchOptions {
  SchedulerWorkload workload = SchedulerWorkload::basic;
  SchedulerBenchPath path = SchedulerBenchPath::direct;
  std::uint32_t nodes = 5000;
  std::uint32_t pods = 50000;              ///< measured pods
  std::optional<std::uint32_t> init_pods;  ///< nullopt: the workload's default (see .cpp)
  std::uint64_t seed = 1;                  ///< tie breaking
  std::uint32_t check_every = 100;         ///< reference-check every Nth measured pod; 0: none
  bool every_pod = false;  ///< measure the slow reference plugins instead (the speed-up's base)
};

/// The options checked: sizes within bounds. An Error names the first bad one.
Result<Ok> validate_scheduler_bench_options(const SchedulerBenchOptions& options);

/// A workload's objects: the nodes, then the init pods and the measured pods, in order.
struct SchedulerWorkloadModel {
  std::vector<scheduler::NodeInfo> nodes;
  std::vector<std::shared_ptr<const scheduler::PodInfo>> init_pods;
  std::vector<std::shared_ptr<const scheduler::PodInfo>> measured_pods;
};

/// Builds a workload (deterministic; extended resources interned into `resources`).
SchedulerWorkloadModel make_scheduler_workload(const SchedulerBenchOptions& options,
                                               scheduler::ResourceNames& resources);
/// Its two halves: the nodes, and the pods (init_pods and measured_pods).
std::vector<scheduler::NodeInfo> make_scheduler_nodes(const SchedulerBenchOptions& options,
                                                      scheduler::ResourceNames& resources);
void make_scheduler_pods(const SchedulerBenchOptions& options, scheduler::ResourceNames& resources,
                         SchedulerWorkloadModel& into);

/// The nodes the benchmark schedules onto, and how a placed pod lands there. The lead swaps
/// this for SchedulerCache::assume_pod + a snapshot update: nodes() is the cycle's node list.
class BenchCluster {
 public:
  explicit BenchCluster(std::vector<scheduler::NodeInfo> nodes);
  std::span<const scheduler::NodeInfo* const> nodes() const { return pointers_; }
  /// What assume does: the pod is added to the node at `node` (an index into nodes()).
  void assume(std::shared_ptr<const scheduler::PodInfo> pod, std::uint32_t node);
  /// The node named `name`; nullopt when there is none.
  std::optional<std::uint32_t> find(std::string_view name) const;
  /// An evicted pod leaves its node: the pod with `uid` at `node`, or nullptr when not there.
  std::shared_ptr<const scheduler::PodInfo> evict(const std::string& uid, std::uint32_t node);

 private:
  std::vector<scheduler::NodeInfo> nodes_;
  std::vector<const scheduler::NodeInfo*> pointers_;
};

struct SchedulerBenchReport {
  std::string workload;
  std::string path;  ///< scheduler_bench_path_name
  std::uint32_t nodes = 0;
  std::uint32_t init_pods = 0;
  std::uint32_t init_scheduled = 0;
  std::uint32_t pods = 0;  ///< measured pods
  std::uint32_t scheduled = 0;
  std::uint32_t unschedulable = 0;
  double seconds = 0;
  double pods_per_second = 0;  ///< scheduled measured pods / seconds (kube's throughput)
  /// The measured loop's CPU time on its thread (checks excluded), and scheduled pods per CPU
  /// second: what the figure would be on an idle core, whatever else the machine runs.
  double cpu_seconds = 0;
  double pods_per_cpu_second = 0;
  double attempts_per_second = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;  ///< Framework::schedule, per attempt
  std::uint64_t peak_rss_bytes = 0;
  double bytes_per_node = 0;  ///< RSS growth building the nodes, per node
  double bytes_per_pod = 0;   ///< RSS growth building and binding the pods, per pod
  /// Measured pods checked against the slow reference: (1) the same profile built with the
  /// every-pod counting plugins (PodCounting::every_pod), on a copy of the nodes, from the same
  /// round-robin start, decides the same node with the same scores and rejections; (2) a naive
  /// evaluation that runs every Filter plugin on every node (no feasible-node limit) agrees on
  /// each evaluated node's verdict, shows the cycle stopped exactly at the wanted number of
  /// feasible nodes and skipped none, finds no node for an unschedulable pod, and, scoring the
  /// same feasible nodes plugin by plugin, gives the same totals with the chosen node's total
  /// the best. (Kubernetes samples nodes, so "identical" means identical given that sample.)
  std::uint32_t checked_pods = 0;
  std::vector<std::string> check_failures;  ///< at most kCheckFailuresMax, first ones
  std::uint32_t nominated = 0;              ///< measured pods a PostFilter plugin nominated
  std::string preemption;  ///< preemption workload: what ran ("not run: ..." without PostFilter)
  std::uint32_t preemptions = 0;       ///< nominations with victims, victims evicted
  std::uint32_t victims = 0;           ///< pods evicted by them
  std::uint32_t preempted_placed = 0;  ///< pods placed on retry after their preemption
  double post_filter_ms_mean = 0;      ///< PostFilter (the dry runs) per unschedulable pod
  double preemption_ms_p50 = 0, preemption_ms_p99 = 0;  ///< PostFilter that nominated
  std::uint32_t checked_preemptions = 0;                ///< of them, checked by check_preemption
};

inline constexpr std::size_t kCheckFailuresMax = 10;

Result<SchedulerBenchReport> run_scheduler_bench(const SchedulerBenchOptions& options);

/// One JSON object: workload, nodes, pods, pods_per_second, p50_ms, p99_ms, peak_rss_bytes, ...
std::string scheduler_bench_json(const SchedulerBenchReport& report);
/// A few lines for people.
std::string scheduler_bench_text(const SchedulerBenchReport& report);

/// The default registry with InterPodAffinity and PodTopologySpread walking every pod (the
/// slow reference), for `profile`'s plugins.
scheduler::Registry reference_registry(const scheduler::Profile& profile);

/// The reference check of one cycle (see SchedulerBenchReport::checked_pods): `result` is what
/// a framework running `profile` decided for `pod` over `nodes`, starting at `start`; nothing
/// has changed since; `resources` is the table the pods and nodes were built with. Answers ""
/// when it holds, else what differs.
/// The brute-force check of one preemption: every victim has a lower priority than `pod`;
/// on a copy of nodes[node] without the victims the pod passes every Filter of `profile`'s
/// reference plugins (evaluated over all nodes, as the naive check does); and giving back any
/// one victim makes it fail (no victim was needless). "" when it holds, else what differs.
std::string check_preemption(const scheduler::Profile& profile, scheduler::ResourceNames& resources,
                             const scheduler::PodInfo& pod,
                             std::span<const scheduler::NodeInfo* const> nodes, std::uint32_t node,
                             std::span<const std::shared_ptr<const scheduler::PodInfo>> victims);

std::string check_against_reference(const scheduler::Profile& profile,
                                    scheduler::ResourceNames& resources,
                                    const scheduler::PodInfo& pod,
                                    std::span<const scheduler::NodeInfo* const> nodes,
                                    std::uint32_t start, const scheduler::CycleOptions& options,
                                    const scheduler::ScheduleResult& result);

}  // namespace craton::bench
