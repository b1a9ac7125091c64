// The scheduler benchmark: workloads, the measured loop, and the reference check.
#include "bench/scheduler_bench.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "actors/scheduler/cache/scheduler_cache.hpp"
#include "actors/scheduler/cache/snapshot.hpp"
#include "actors/scheduler/plugins/default_plugins.hpp"
#include "actors/scheduler/plugins/inter_pod_affinity.hpp"
#include "actors/scheduler/plugins/pod_topology_spread.hpp"
#include "actors/scheduler/queue/scheduling_queue.hpp"
#include "bench/latency_stats.hpp"
#include "bench/scheduler_api_binder.hpp"
#include "runtime/assert.hpp"

namespace craton::bench {

using namespace craton::scheduler;
using scheduler::Status;

namespace {

constexpr std::string_view kHostnameKey = "kubernetes.io/hostname";
constexpr std::string_view kZoneKey = "topology.kubernetes.io/zone";
constexpr std::string_view kGpu = "nvidia.com/gpu";
constexpr std::int64_t kMi = 1024 * 1024;

// ---- workloads -------------------------------------------------------------------------------

/// Kubernetes' scheduler_perf node template: 4 CPU, 32Gi, 110 pods.
NodeInfo template_node(std::uint32_t i, std::string zone) {
  char name[32];
  std::snprintf(name, sizeof name, "node-%05u", i);
  Resources allocatable;
  allocatable.milli_cpu = 4000;
  allocatable.memory_bytes = 32 * 1024 * kMi;
  allocatable.pods = 110;
  api::Labels labels{{std::string(kHostnameKey), name}, {std::string(kZoneKey), std::move(zone)}};
  return NodeInfo(name, std::move(labels), {}, false, allocatable);
}

/// The pod template: one container asking `milli_cpu` and 500Mi.
PodInfo template_pod(std::string ns, std::string name, std::int64_t milli_cpu = 100) {
  PodInfo p;
  p.namespace_ = std::move(ns);
  p.name = std::move(name);
  p.uid = p.namespace_ + "-" + p.name;
  p.scheduler_name = "default-scheduler";
  p.requests.milli_cpu = milli_cpu;
  p.requests.memory_bytes = 500 * kMi;
  p.requests.pods = 1;
  p.non_zero_milli_cpu = milli_cpu;
  p.non_zero_memory_bytes = 500 * kMi;
  return p;
}

/// A required term selecting pods labelled color=<color> in the pod's own namespace (what the
/// converter gives a term without namespaces).
PodAffinityTerm color_term(const std::string& color, const std::string& ns, std::string_view key) {
  PodAffinityTerm t;
  t.selector = api::LabelSelector::from_requirements({{"color", api::SelectorOp::equals, {color}}});
  t.namespaces = {ns};
  t.topology_key = std::string(key);
  return t;
}

std::uint32_t zones_of(SchedulerWorkload w) {
  return w == SchedulerWorkload::spread ? 3 : 10;
}

std::string zone_name(SchedulerWorkload w, std::uint32_t i) {
  auto zones = zones_of(w);
  return (w == SchedulerWorkload::spread ? "moon-" : "zone-") + std::to_string(i % zones + 1);
}

std::uint32_t default_init_pods(const SchedulerBenchOptions& o) {
  switch (o.workload) {
    case SchedulerWorkload::preemption:
      return 4 * o.nodes;  // 4 x 900m fills a 4 CPU node
    case SchedulerWorkload::spread:
    case SchedulerWorkload::affinity:
      return o.nodes;  // kube: 5000 init pods at 5000 nodes
    default:
      return o.nodes / 5;  // kube: 1000 init pods at 5000 nodes
  }
}

/// Pods `count` of a workload in namespace `ns`, named <prefix>-<i>.
std::vector<std::shared_ptr<const PodInfo>> make_pods(const SchedulerBenchOptions& o,
                                                      std::uint32_t count, const std::string& ns,
                                                      bool measured, ResourceId gpu) {
  std::vector<std::shared_ptr<const PodInfo>> out;
  out.reserve(count);
  // Anti-affinity groups hold at most nodes/2 pods, so every pod has a node; affinity has one
  // group per zone.
  std::uint32_t anti_group = std::max<std::uint32_t>(1, o.nodes / 2);
  std::uint32_t anti_groups = (count + anti_group - 1) / anti_group;
  for (std::uint32_t i = 0; i < count; ++i) {
    PodInfo p = template_pod(ns, (measured ? "pod-" : "init-") + std::to_string(i));
    switch (o.workload) {
      case SchedulerWorkload::basic:
        break;
      case SchedulerWorkload::anti_affinity: {
        std::string color = "green-" + std::to_string(i % std::max<std::uint32_t>(1, anti_groups));
        p.labels["color"] = color;
        p.pod_anti_affinity_required.push_back(color_term(color, ns, kHostnameKey));
        break;
      }
      case SchedulerWorkload::affinity: {
        std::string color = "blue-" + std::to_string(i % zones_of(o.workload));
        p.labels["color"] = color;
        p.pod_affinity_required.push_back(color_term(color, ns, kZoneKey));
        break;
      }
      case SchedulerWorkload::spread:
        if (!measured) break;  // kube: init pods are default pods
        {
          p.labels["color"] = "blue";
          TopologySpreadConstraint c;
          c.max_skew = 5;
          c.topology_key = std::string(kZoneKey);
          c.selector =
              api::LabelSelector::from_requirements({{"color", api::SelectorOp::equals, {"blue"}}});
          p.topology_spread_constraints.push_back(std::move(c));
        }
        break;
      case SchedulerWorkload::preemption:
        p = template_pod(ns, p.name, measured ? 3000 : 900);
        p.priority = measured ? 10 : 0;
        break;
      case SchedulerWorkload::gpu:
        if (i % 8 == 0) {
          p.requests.set(gpu, 1);
          p.tolerations.push_back(
              {std::string(kGpu), TolerationOperator::exists, "", TaintEffect::no_schedule, {}});
        }
        break;
    }
    out.push_back(std::make_shared<const PodInfo>(std::move(p)));
  }
  return out;
}

// ---- measuring ---------------------------------------------------------------------------------

/// A field of /proc/self/status in bytes ("VmRSS", "VmHWM"); 0 when unreadable.
std::uint64_t proc_status_bytes(std::string_view field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.compare(0, field.size(), field) == 0 && line.size() > field.size() &&
        line[field.size()] == ':')
      return std::strtoull(line.c_str() + field.size() + 1, nullptr, 10) * 1024;  // kB
  return 0;
}

double rss_growth(std::uint64_t before, std::uint64_t after, std::uint64_t count) {
  if (count == 0 || after < before) return 0;
  return double(after - before) / double(count);
}

std::uint64_t mix(std::uint64_t x) {  // SplitMix64's finaliser: per-pod tie seeds
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// The bench's FrameworkHandle for DefaultPreemption: no PodDisruptionBudgets; the pods the
/// bench nominated and has not placed yet, by node.
class BenchHandle final : public FrameworkHandle {
 public:
  std::span<const PodDisruptionBudget> pod_disruption_budgets() const override { return {}; }
  std::vector<std::shared_ptr<const PodInfo>> nominated_pods(std::string_view node) const override {
    auto it = nominated_.find(node);
    return it == nominated_.end() ? std::vector<std::shared_ptr<const PodInfo>>{} : it->second;
  }
  void nominate(std::shared_ptr<const PodInfo> pod, const std::string& node) {
    nominated_[node].push_back(std::move(pod));
  }
  void clear(const std::string& node, const std::string& uid) {
    auto it = nominated_.find(node);
    if (it == nominated_.end()) return;
    std::erase_if(it->second, [&](const auto& p) { return p->uid == uid; });
    if (it->second.empty()) nominated_.erase(it);
  }

 private:
  std::map<std::string, std::vector<std::shared_ptr<const PodInfo>>, std::less<>> nominated_;
};

// ---- the reference check
// -------------------------------------------------------------------------

std::int32_t score_weight(const Profile& profile, std::string_view name) {
  for (const auto& r : profile.enabled[static_cast<std::size_t>(ExtensionPoint::score)])
    if (r.name == name) return r.weight == 0 ? 1 : r.weight;
  for (const auto& r : profile.multi_point)
    if (r.name == name) return r.weight == 0 ? 1 : r.weight;
  return 1;
}

/// The profile's Filter and Score plugins, built from the reference registry, run by hand.
struct NaivePlugins {
  std::vector<std::unique_ptr<Plugin>> owned;
  std::vector<PreFilterPlugin*> pre_filter;
  std::vector<FilterPlugin*> filter;
  std::vector<PreScorePlugin*> pre_score;
  std::vector<std::pair<ScorePlugin*, std::int64_t>> score;
};

Result<NaivePlugins> naive_plugins(const Framework& framework, const Registry& registry,
                                   const Profile& profile, ResourceNames& resources) {
  NaivePlugins out;
  auto get = [&](std::string_view name) -> Result<Plugin*> {
    for (const auto& p : out.owned)
      if (p->name() == name) return p.get();
    const auto* factory = registry.find(name);
    if (!factory) return Error{"unknown_plugin", std::string(name)};
    auto args = profile.plugin_args.find(name);
    PluginContext context{args == profile.plugin_args.end() ? nullptr : &args->second, resources};
    auto plugin = (*factory)(context);
    if (!plugin) return plugin.error();
    out.owned.push_back(std::move(plugin.value()));
    return out.owned.back().get();
  };
  auto fill = [&]<class Interface>(ExtensionPoint point,
                                   std::vector<Interface*>& into) -> Result<Ok> {
    for (auto name : framework.plugin_names(point)) {
      auto p = get(name);
      if (!p) return p.error();
      into.push_back(dynamic_cast<Interface*>(p.value()));
    }
    return Ok{};
  };
  if (auto r = fill(ExtensionPoint::pre_filter, out.pre_filter); !r) return r.error();
  if (auto r = fill(ExtensionPoint::filter, out.filter); !r) return r.error();
  if (auto r = fill(ExtensionPoint::pre_score, out.pre_score); !r) return r.error();
  std::vector<ScorePlugin*> scores;
  if (auto r = fill(ExtensionPoint::score, scores); !r) return r.error();
  for (auto* s : scores) out.score.emplace_back(s, score_weight(profile, s->name()));
  return out;
}

/// (1) The profile with the every-pod plugins, on a copy, from the same start, decides alike.
std::string replay_differs(const Profile& profile, const Registry& registry,
                           ResourceNames& resources, const PodInfo& pod,
                           std::span<const NodeInfo* const> nodes, std::uint32_t start,
                           const CycleOptions& options, const ScheduleResult& result) {
  auto framework = Framework::create(registry, profile, resources);
  if (!framework) return "reference framework: " + framework.error().message;
  auto n = static_cast<std::uint32_t>(nodes.size());
  std::vector<NodeInfo> copy;
  copy.reserve(n);
  for (std::uint32_t j = 0; j < n; ++j) copy.push_back(*nodes[(start + j) % n]);
  std::vector<const NodeInfo*> rotated;  // a fresh framework starts at 0: rotate instead
  for (const auto& node : copy) rotated.push_back(&node);
  CycleState state;
  CycleOptions replay = options;
  replay.node_changes = nullptr;  // the snapshot's changes do not describe this copy
  auto ref = framework.value()->schedule(state, pod, rotated, replay);
  auto back = [&](std::uint32_t j) { return (start + j) % n; };
  if (ref.code != result.code)
    return "reference code " + std::string(code_name(ref.code)) + ", measured " +
           std::string(code_name(result.code)) + ": " + ref.message + " / " + result.message;
  if (result.code == Code::success && back(ref.suggested_node) != result.suggested_node)
    return "reference chose " + ref.suggested_host + ", measured " + result.suggested_host;
  if (ref.evaluated_nodes != result.evaluated_nodes || ref.feasible_nodes != result.feasible_nodes)
    return "reference evaluated/feasible " + std::to_string(ref.evaluated_nodes) + "/" +
           std::to_string(ref.feasible_nodes) + ", measured " +
           std::to_string(result.evaluated_nodes) + "/" + std::to_string(result.feasible_nodes);
  if (ref.scores.size() != result.scores.size() || ref.rejected.size() != result.rejected.size())
    return "reference scored/rejected a different number of nodes";
  for (std::size_t k = 0; k < ref.scores.size(); ++k)
    if (back(ref.scores[k].node) != result.scores[k].node ||
        ref.scores[k].total != result.scores[k].total)
      return "node " + nodes[result.scores[k].node]->name() + " scores " +
             std::to_string(result.scores[k].total) + ", reference " +
             std::to_string(ref.scores[k].total);
  for (std::size_t k = 0; k < ref.rejected.size(); ++k)
    if (back(ref.rejected[k].node) != result.rejected[k].node ||
        ref.rejected[k].status.plugin() != result.rejected[k].status.plugin() ||
        ref.rejected[k].status.message() != result.rejected[k].status.message())
      return "node " + nodes[result.rejected[k].node]->name() + " rejected by " +
             std::string(result.rejected[k].status.plugin()) + " (" +
             result.rejected[k].status.message() + "), reference " +
             std::string(ref.rejected[k].status.plugin()) + " (" +
             ref.rejected[k].status.message() + ")";
  return "";
}

/// Every Filter plugin on every node: which nodes fit (PreFilter Skip: that Filter passes).
Result<std::vector<bool>> naive_feasible(NaivePlugins& plugins, const PodInfo& pod,
                                         std::span<const NodeInfo* const> nodes) {
  CycleState state;
  state.set_all_nodes(nodes);
  std::vector<const Plugin*> skipped;
  for (auto* p : plugins.pre_filter) {
    Status s = p->pre_filter(state, pod, nodes);
    if (s.is_skip())
      skipped.push_back(p);
    else if (s.code() == Code::error)
      return Error{"plugin_error", s.message()};
    else if (!s.is_success())
      return std::vector<bool>(nodes.size(), false);
  }
  std::vector<bool> fits(nodes.size(), true);
  for (auto* p : plugins.filter) {
    if (std::find(skipped.begin(), skipped.end(), static_cast<const Plugin*>(p)) != skipped.end())
      continue;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      Status s = p->filter(state, pod, *nodes[i]);
      if (s.code() == Code::error) return Error{"plugin_error", s.message()};
      if (!s.is_success()) fits[i] = false;
    }
  }
  return fits;
}

/// Weighted totals of `feasible`, plugin by plugin (PreScore Skip: that plugin adds 0).
Result<std::vector<std::int64_t>> naive_totals(NaivePlugins& plugins, const PodInfo& pod,
                                               std::span<const NodeInfo* const> all,
                                               std::span<const NodeInfo* const> feasible) {
  CycleState state;
  state.set_all_nodes(all);
  std::vector<const Plugin*> skipped;
  for (auto* p : plugins.pre_score) {
    Status s = p->pre_score(state, pod, feasible);
    if (s.is_skip())
      skipped.push_back(p);
    else if (!s.is_success())
      return Error{"plugin_error", s.message()};
  }
  std::vector<std::int64_t> totals(feasible.size(), 0);
  for (auto [p, weight] : plugins.score) {
    if (std::find(skipped.begin(), skipped.end(), static_cast<const Plugin*>(p)) != skipped.end())
      continue;
    std::vector<NodeScore> scores(feasible.size());
    for (std::uint32_t n = 0; n < feasible.size(); ++n) {
      scores[n].node = n;
      if (Status s = p->score(state, pod, *feasible[n], scores[n].score); !s.is_success())
        return Error{"plugin_error", s.message()};
    }
    if (p->has_normalize_score()) p->normalize_score(state, pod, scores);
    for (std::uint32_t n = 0; n < feasible.size(); ++n) totals[n] += scores[n].score * weight;
  }
  return totals;
}

/// (2) The naive evaluation agrees with the cycle's verdicts, sample and scores.
std::string naive_differs(NaivePlugins& plugins, const Profile& profile, const PodInfo& pod,
                          std::span<const NodeInfo* const> nodes, std::uint32_t start,
                          const ScheduleResult& result) {
  auto fits = naive_feasible(plugins, pod, nodes);
  if (!fits) return "naive filter: " + fits.error().message;
  auto n = static_cast<std::uint32_t>(nodes.size());
  for (const auto& r : result.rejected)
    if (fits.value()[r.node])
      return "node " + nodes[r.node]->name() + " rejected by " + std::string(r.status.plugin()) +
             " fits by every Filter";
  std::vector<std::uint32_t> chosen_feasible;  // what the cycle found feasible, in its order
  if (result.code == Code::success) {
    if (result.scores.empty()) chosen_feasible.push_back(result.suggested_node);
    for (const auto& s : result.scores) chosen_feasible.push_back(s.node);
  }
  for (auto i : chosen_feasible)
    if (!fits.value()[i]) return "node " + nodes[i]->name() + " passed but a Filter rejects it";
  // The cycle walks from `start` and stops at the wanted number of feasible nodes.
  auto wanted = num_feasible_nodes_to_find(n, profile.percentage_of_nodes_to_score.value_or(0));
  std::uint32_t found = 0, processed = 0;
  std::vector<std::uint32_t> expected;
  for (; processed < n && found < wanted; ++processed) {
    auto i = (start + processed) % n;
    if (fits.value()[i]) {
      ++found;
      expected.push_back(i);
    }
  }
  if (result.code == Code::unschedulable && found > 0)
    return "unschedulable, but " + nodes[expected.front()]->name() + " fits by every Filter";
  if (result.code == Code::success && (expected != chosen_feasible))
    return "the cycle's feasible nodes are not the first " + std::to_string(wanted) +
           " from the start";
  if (result.scores.empty()) return "";
  std::vector<const NodeInfo*> feasible;
  for (auto i : chosen_feasible) feasible.push_back(nodes[i]);
  auto totals = naive_totals(plugins, pod, nodes, feasible);
  if (!totals) return "naive score: " + totals.error().message;
  std::int64_t best = *std::max_element(totals.value().begin(), totals.value().end());
  for (std::size_t k = 0; k < feasible.size(); ++k) {
    if (totals.value()[k] != result.scores[k].total)
      return "node " + feasible[k]->name() + " totals " + std::to_string(result.scores[k].total) +
             ", naive " + std::to_string(totals.value()[k]);
    if (chosen_feasible[k] == result.suggested_node && totals.value()[k] != best)
      return "chosen node " + result.suggested_host + " totals " +
             std::to_string(totals.value()[k]) + ", best " + std::to_string(best);
  }
  return "";
}

}  // namespace

// ---- public
// --------------------------------------------------------------------------------------

std::string_view scheduler_workload_name(SchedulerWorkload workload) {
  switch (workload) {
    case SchedulerWorkload::basic:
      return "basic";
    case SchedulerWorkload::spread:
      return "spread";
    case SchedulerWorkload::affinity:
      return "affinity";
    case SchedulerWorkload::anti_affinity:
      return "anti-affinity";
    case SchedulerWorkload::preemption:
      return "preemption";
    case SchedulerWorkload::gpu:
      return "gpu";
  }
  return "?";
}

Result<SchedulerWorkload> parse_scheduler_workload(std::string_view name) {
  for (auto w :
       {SchedulerWorkload::basic, SchedulerWorkload::spread, SchedulerWorkload::affinity,
        SchedulerWorkload::anti_affinity, SchedulerWorkload::preemption, SchedulerWorkload::gpu})
    if (scheduler_workload_name(w) == name) return w;
  return Error{"bad_workload", "unknown workload '" + std::string(name) +
                                   "' (basic, spread, affinity, anti-affinity, preemption, gpu)"};
}

std::string_view scheduler_bench_path_name(SchedulerBenchPath path) {
  switch (path) {
    case SchedulerBenchPath::direct:
      return "direct";
    case SchedulerBenchPath::queue:
      return "queue";
    case SchedulerBenchPath::api:
      return "api";
  }
  return "?";
}

Result<SchedulerBenchPath> parse_scheduler_bench_path(std::string_view name) {
  for (auto p : {SchedulerBenchPath::direct, SchedulerBenchPath::queue, SchedulerBenchPath::api})
    if (scheduler_bench_path_name(p) == name) return p;
  return Error{"bad_path", "unknown path '" + std::string(name) + "' (direct, queue, api)"};
}

Result<Ok> validate_scheduler_bench_options(const SchedulerBenchOptions& o) {
  if (o.nodes == 0 || o.nodes > kBenchNodesMax)
    return Error{"bad_options", "--nodes must be in 1.." + std::to_string(kBenchNodesMax)};
  if (o.pods == 0 || o.pods > kBenchPodsMax)
    return Error{"bad_options", "--pods must be in 1.." + std::to_string(kBenchPodsMax)};
  if (o.init_pods && *o.init_pods > kBenchPodsMax)
    return Error{"bad_options", "--init-pods must be at most " + std::to_string(kBenchPodsMax)};
  return Ok{};
}

std::vector<NodeInfo> make_scheduler_nodes(const SchedulerBenchOptions& o,
                                           ResourceNames& resources) {
  std::vector<NodeInfo> nodes;
  ResourceId gpu = resources.intern(kGpu);
  nodes.reserve(o.nodes);
  for (std::uint32_t i = 0; i < o.nodes; ++i) {
    nodes.push_back(template_node(i, zone_name(o.workload, i)));
    if (o.workload == SchedulerWorkload::gpu && i % 4 == 0) {
      NodeInfo& node = nodes.back();
      Resources allocatable = node.allocatable();
      allocatable.set(gpu, 8);
      api::Labels labels = node.labels();
      labels["nvidia.com/gpu.present"] = "true";
      node.set_node(std::move(labels),
                    {make_taint(std::string(kGpu), "present", TaintEffect::no_schedule)}, false,
                    std::move(allocatable));
    }
  }
  return nodes;
}

void make_scheduler_pods(const SchedulerBenchOptions& o, ResourceNames& resources,
                         SchedulerWorkloadModel& into) {
  ResourceId gpu = resources.intern(kGpu);
  // kube: the affinity workloads put init and measured pods in two namespaces.
  bool two_namespaces =
      o.workload == SchedulerWorkload::affinity || o.workload == SchedulerWorkload::anti_affinity;
  into.init_pods = make_pods(o, o.init_pods.value_or(default_init_pods(o)),
                             two_namespaces ? "sched-0" : "default", false, gpu);
  into.measured_pods = make_pods(o, o.pods, two_namespaces ? "sched-1" : "default", true, gpu);
}

SchedulerWorkloadModel make_scheduler_workload(const SchedulerBenchOptions& o,
                                               ResourceNames& resources) {
  SchedulerWorkloadModel m;
  m.nodes = make_scheduler_nodes(o, resources);
  make_scheduler_pods(o, resources, m);
  return m;
}

BenchCluster::BenchCluster(std::vector<NodeInfo> nodes) : nodes_(std::move(nodes)) {
  for (const auto& n : nodes_) pointers_.push_back(&n);
}

std::optional<std::uint32_t> BenchCluster::find(std::string_view name) const {
  for (std::uint32_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].name() == name) return i;
  return std::nullopt;
}

std::shared_ptr<const PodInfo> BenchCluster::evict(const std::string& uid, std::uint32_t node) {
  CRATON_ASSERT(node < nodes_.size(), "a pod is evicted from a known node");
  for (const auto& p : nodes_[node].pods())
    if (p->uid == uid) {
      auto pod = p;  // remove_pod drops the node's reference
      nodes_[node].remove_pod(uid);
      return pod;
    }
  return nullptr;
}

void BenchCluster::assume(std::shared_ptr<const PodInfo> pod, std::uint32_t node) {
  CRATON_ASSERT(node < nodes_.size(), "a pod is assumed onto a known node");
  nodes_[node].add_pod(std::move(pod));
}

Registry reference_registry(const Profile& profile) {
  Registry defaults = default_registry();
  Registry out;
  std::vector<std::string> names;
  for (const auto& r : profile.multi_point) names.push_back(r.name);
  for (const auto& point : profile.enabled)
    for (const auto& r : point) names.push_back(r.name);
  for (const auto& name : names) {
    if (out.find(name)) continue;
    if (name == InterPodAffinity::kName) {
      (void)out.add(name, make_inter_pod_affinity_every_pod);
    } else if (name == PodTopologySpread::kName) {
      (void)out.add(name, make_pod_topology_spread_every_pod);
    } else if (const auto* factory = defaults.find(name)) {
      (void)out.add(name, *factory);
    }
  }
  return out;
}

std::string check_preemption(const Profile& profile, ResourceNames& resources, const PodInfo& pod,
                             std::span<const NodeInfo* const> nodes, std::uint32_t node,
                             std::span<const std::shared_ptr<const PodInfo>> victims) {
  for (const auto& v : victims)
    if (v->priority >= pod.priority)
      return "victim " + v->key() + " has priority " + std::to_string(v->priority) +
             " >= " + std::to_string(pod.priority);
  Registry registry = reference_registry(profile);
  auto framework = Framework::create(registry, profile, resources);
  if (!framework) return "reference framework: " + framework.error().message;
  auto plugins = naive_plugins(*framework.value(), registry, profile, resources);
  if (!plugins) return "naive plugins: " + plugins.error().message;
  NodeInfo without = *nodes[node];
  for (const auto& v : victims)
    if (!without.remove_pod(v->uid)) return "victim " + v->key() + " is not on the node";
  std::vector<const NodeInfo*> list(nodes.begin(), nodes.end());
  auto fits_with = [&](const NodeInfo& version) -> Result<bool> {
    list[node] = &version;
    auto fits = naive_feasible(plugins.value(), pod, list);
    if (!fits) return fits.error();
    return bool(fits.value()[node]);
  };
  auto fits = fits_with(without);
  if (!fits) return "naive filter: " + fits.error().message;
  if (!fits.value()) return "the pod does not fit " + without.name() + " without its victims";
  for (const auto& v : victims) {
    NodeInfo back = without;
    back.add_pod(v);
    auto still = fits_with(back);
    if (!still) return "naive filter: " + still.error().message;
    if (still.value()) return "victim " + v->key() + " was not needed";
  }
  return "";
}

std::string check_against_reference(const Profile& profile, ResourceNames& resources,
                                    const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                                    std::uint32_t start, const CycleOptions& options,
                                    const ScheduleResult& result) {
  if (result.code == Code::error) return "the cycle failed: " + result.message;
  Registry registry = reference_registry(profile);
  if (auto d = replay_differs(profile, registry, resources, pod, nodes, start, options, result);
      !d.empty())
    return "replay: " + d;
  auto framework = Framework::create(registry, profile, resources);
  if (!framework) return "reference framework: " + framework.error().message;
  auto plugins = naive_plugins(*framework.value(), registry, profile, resources);
  if (!plugins) return "naive plugins: " + plugins.error().message;
  if (auto d = naive_differs(plugins.value(), profile, pod, nodes, start, result); !d.empty())
    return "naive: " + d;
  return "";
}

namespace {

using Clock = std::chrono::steady_clock;

/// This thread's CPU time in seconds: the figure other processes' load does not inflate.
double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

/// A moment on the wall clock and on this thread's CPU clock.
struct Instant {
  Clock::time_point wall = Clock::now();
  double cpu_s = thread_cpu_seconds();
};

/// Wall and CPU time spent since a moment, summed over intervals.
struct Spent {
  Clock::duration wall{};
  double cpu_s = 0;
  void add_since(const Instant& from) {
    Instant now;
    wall += now.wall - from.wall;
    cpu_s += now.cpu_s - from.cpu_s;
  }
};

/// The measured loop's seconds (wall, and this thread's CPU), the checks' time taken out.
void set_seconds(SchedulerBenchReport& report, const Instant& begin, const Spent& checking) {
  Spent loop;
  loop.add_since(begin);
  report.seconds = std::chrono::duration<double>(loop.wall - checking.wall).count();
  report.cpu_seconds = loop.cpu_s - checking.cpu_s;
}

/// Throughput, latency percentiles and memory, once report.seconds, scheduled, nodes and the
/// pod counts are set; RSS read at the start and after building the nodes.
void summarize(SchedulerBenchReport& report, std::vector<double> latencies_us,
               std::uint64_t rss_start, std::uint64_t rss_nodes) {
  auto stats = summarize_latencies(std::move(latencies_us), report.seconds, {});
  report.attempts_per_second = stats.per_second;
  report.pods_per_second = report.seconds > 0 ? report.scheduled / report.seconds : 0;
  report.pods_per_cpu_second = report.cpu_seconds > 0 ? report.scheduled / report.cpu_seconds : 0;
  report.p50_ms = stats.p50_us / 1000;
  report.p90_ms = stats.p90_us / 1000;
  report.p99_ms = stats.p99_us / 1000;
  report.max_ms = stats.max_us / 1000;
  std::uint64_t rss_end = proc_status_bytes("VmRSS");
  report.peak_rss_bytes = proc_status_bytes("VmHWM");
  report.bytes_per_node = rss_growth(rss_start, rss_nodes, report.nodes);
  report.bytes_per_pod =
      rss_growth(rss_nodes, rss_end, std::uint64_t{report.init_pods} + report.pods);
}

/// What both paths build first: the report named after the options, the default profile (or
/// the slow reference's plugins), the framework running it, and what the framework points to
/// (declared first: destroyed last).
struct BenchFramework {
  SchedulerBenchReport report;
  ResourceNames resources;
  Profile profile = default_profile();
  BenchHandle handle;
  std::unique_ptr<Framework> framework;
};

Result<std::unique_ptr<BenchFramework>> bench_framework(const SchedulerBenchOptions& o) {
  auto out = std::make_unique<BenchFramework>();
  out->report.workload = std::string(scheduler_workload_name(o.workload));
  out->report.path = std::string(scheduler_bench_path_name(o.path));
  auto framework =
      Framework::create(o.every_pod ? reference_registry(out->profile) : default_registry(),
                        out->profile, out->resources, &out->handle);
  if (!framework) return framework.error();
  out->framework = std::move(framework.value());
  return out;
}

/// SchedulerBenchPath::queue and ::api (see the header): the scheduler's cache, snapshot and
/// queue around the same framework; on the api path each placed pod is bound through the API
/// before its binding finishes. Init pods go the same way first, not measured.
Result<SchedulerBenchReport> run_through_queue(const SchedulerBenchOptions& o) {
  if (o.workload == SchedulerWorkload::preemption)
    return Error{"bad_options",
                 "the queue and api paths run no preemption workload (use --path "
                 "direct)"};
  auto made_framework = bench_framework(o);
  if (!made_framework) return made_framework.error();
  auto& [report, resources, profile, handle, framework] = *made_framework.value();
  Framework& f = *framework;

  std::uint64_t rss_start = proc_status_bytes("VmRSS");
  SchedulerCache cache(0);  // kube 1.32: assumed pods never expire
  for (auto& node : make_scheduler_nodes(o, resources)) cache.add_node(std::move(node));
  std::uint64_t rss_nodes = proc_status_bytes("VmRSS");
  SchedulerWorkloadModel model;
  make_scheduler_pods(o, resources, model);
  report.nodes = o.nodes;
  report.init_pods = static_cast<std::uint32_t>(model.init_pods.size());
  report.pods = static_cast<std::uint32_t>(model.measured_pods.size());
  std::unique_ptr<SchedulerApiBinder> binder;
  if (o.path == SchedulerBenchPath::api) {  // every pod pending in the API first, not measured
    auto made_binder = SchedulerApiBinder::create();
    if (!made_binder) return made_binder.error();
    binder = std::move(made_binder.value());
    for (const auto* pods : {&model.init_pods, &model.measured_pods})
      for (const auto& pod : *pods)
        if (auto created = binder->create_pod(*pod); !created) return created.error();
  }
  SchedulingQueueOptions queue_options;
  queue_options.pods_max = model.init_pods.size() + model.measured_pods.size() + 1;
  auto made = SchedulingQueue::create(
      [&f](const QueuedPodInfo& a, const QueuedPodInfo& b) { return f.queue_less(a, b); },
      f.events_to_register(), queue_options);
  if (!made) return made.error();
  SchedulingQueue& queue = *made.value();
  Snapshot snapshot;
  std::uint64_t index = 0;
  std::vector<double> latencies_us;
  Spent checking;
  std::uint64_t attempts = 0;  // measured ones: every check_every-th is checked

  // Pops until the queue has nothing active; answers how many pods were placed.
  auto drain = [&](bool measured) -> Result<std::uint32_t> {
    std::uint32_t placed = 0;
    while (auto popped = queue.pop(0)) {
      const PodInfo& pod = *popped->pod;
      cache.update_snapshot(snapshot);
      CycleState state;
      CycleOptions options{mix(o.seed ^ index++), false, &snapshot};  // as SchedulerService
      std::uint32_t start = f.next_start_node_index();
      auto t0 = Clock::now();
      auto r = f.schedule(state, pod, snapshot.nodes(), options);
      if (measured)
        latencies_us.push_back(
            std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      if (r.code == Code::error)
        return Error{"plugin_error", "pod " + pod.key() + ": " + r.message};
      if (measured && o.check_every && attempts++ % o.check_every == 0) {
        Instant t;
        auto failure =
            check_against_reference(profile, resources, pod, snapshot.nodes(), start, options, r);
        ++report.checked_pods;
        if (!failure.empty() && report.check_failures.size() < kCheckFailuresMax)
          report.check_failures.push_back(pod.key() + ": " + failure);
        checking.add_since(t);
      }
      if (r.code != Code::success) {
        (void)queue.add_unschedulable(popped->info, r.unschedulable_plugins, 0);
        continue;
      }
      auto assumed = std::make_shared<PodInfo>(pod);
      assumed->node_name = r.suggested_host;
      if (auto ok = cache.assume_pod(assumed, r.suggested_host); !ok) return ok.error();
      if (binder)
        if (auto bound = binder->bind(pod, r.suggested_host); !bound) return bound.error();
      cache.finish_binding(pod.uid, 0);  // the binder's answer
      queue.done(pod.uid);
      // The informer's copy of the bound pod confirms the assumed one; its add is an event.
      if (auto ok = cache.add_pod(std::make_shared<const PodInfo>(*assumed)); !ok)
        return ok.error();
      queue.on_event(ClusterEvent{EventResource::pod, action::add}, 0);
      ++placed;
    }
    return placed;
  };

  for (const auto& pod : model.init_pods)
    if (auto added = queue.add(pod, 0); !added) return added.error();
  auto init = drain(false);
  if (!init) return init.error();
  report.init_scheduled = init.value();
  Instant begin;
  for (const auto& pod : model.measured_pods)
    if (auto added = queue.add(pod, 0); !added) return added.error();
  auto placed = drain(true);
  if (!placed) return placed.error();
  report.scheduled = placed.value();
  report.unschedulable = report.pods - report.scheduled;
  set_seconds(report, begin, checking);
  summarize(report, std::move(latencies_us), rss_start, rss_nodes);
  if (binder) {  // the binds were written: the API lists every placed pod bound
    auto bound = binder->bound_pods();
    if (!bound) return bound.error();
    if (bound.value() != std::size_t{report.init_scheduled} + report.scheduled)
      return Error{"bind", "the API lists " + std::to_string(bound.value()) +
                               " pods bound; the scheduler placed " +
                               std::to_string(report.init_scheduled + report.scheduled)};
  }
  return report;
}

}  // namespace

Result<SchedulerBenchReport> run_scheduler_bench(const SchedulerBenchOptions& o) {
  if (auto valid = validate_scheduler_bench_options(o); !valid) return valid.error();
  if (o.path != SchedulerBenchPath::direct) return run_through_queue(o);
  auto made_framework = bench_framework(o);
  if (!made_framework) return made_framework.error();
  auto& [report, resources, profile, handle, framework] = *made_framework.value();
  Framework& f = *framework;

  std::uint64_t rss_start = proc_status_bytes("VmRSS");
  BenchCluster cluster(make_scheduler_nodes(o, resources));
  std::uint64_t rss_nodes = proc_status_bytes("VmRSS");
  SchedulerWorkloadModel model;
  make_scheduler_pods(o, resources, model);
  std::vector<std::shared_ptr<const PodInfo>> init = std::move(model.init_pods);
  std::vector<std::shared_ptr<const PodInfo>> measured = std::move(model.measured_pods);
  report.nodes = o.nodes;
  report.init_pods = static_cast<std::uint32_t>(init.size());
  report.pods = static_cast<std::uint32_t>(measured.size());
  bool post_filter = !f.plugin_names(ExtensionPoint::post_filter).empty();

  std::uint64_t index = 0;
  for (const auto& pod : init) {  // kube schedules init pods too; not measured
    CycleState state;
    auto r = f.schedule(state, *pod, cluster.nodes(), {mix(o.seed ^ index++), false});
    if (r.code == Code::success) {
      cluster.assume(pod, r.suggested_node);
      ++report.init_scheduled;
    }
  }

  std::vector<double> latencies_us, preemption_us;
  latencies_us.reserve(measured.size());
  Spent checking;
  Clock::duration post_filtering{};
  std::uint32_t post_filter_runs = 0;
  auto check = [&](const PodInfo& pod, std::uint32_t start, const CycleOptions& options,
                   const ScheduleResult& r) {
    Instant t;
    auto failure =
        check_against_reference(profile, resources, pod, cluster.nodes(), start, options, r);
    ++report.checked_pods;
    if (!failure.empty() && report.check_failures.size() < kCheckFailuresMax)
      report.check_failures.push_back(pod.key() + ": " + failure);
    checking.add_since(t);
  };
  // One cycle for `pod`: measured, checked when `checked`, assumed when it fits.
  auto attempt = [&](const std::shared_ptr<const PodInfo>& pod, CycleState& state,
                     bool checked) -> Result<ScheduleResult> {
    CycleOptions options{mix(o.seed ^ index++), false};
    std::uint32_t start = f.next_start_node_index();
    auto t0 = Clock::now();
    auto r = f.schedule(state, *pod, cluster.nodes(), options);
    latencies_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (r.code == Code::error) return Error{"plugin_error", "pod " + pod->key() + ": " + r.message};
    if (checked) check(*pod, start, options, r);
    if (r.code == Code::success) cluster.assume(pod, r.suggested_node);
    return r;
  };
  // DefaultPreemption for a pod no node fits: nominate, evict the victims, schedule it again.
  auto preempt = [&](const std::shared_ptr<const PodInfo>& pod, CycleState& state,
                     const ScheduleResult& r, bool checked) -> Result<bool> {
    std::vector<Status> statuses(cluster.nodes().size());
    for (const auto& rejected : r.rejected) statuses[rejected.node] = rejected.status;
    auto t0 = Clock::now();
    auto result = f.run_post_filter(state, *pod,
                                    NodeStatuses{cluster.nodes(), statuses, mix(o.seed ^ index)});
    auto spent = Clock::now() - t0;
    post_filtering += spent;
    ++post_filter_runs;
    if (!result.status.is_success()) return false;
    ++report.nominated;
    auto node = cluster.find(result.nominated_node_name);
    if (!node || result.victims.empty()) return false;
    preemption_us.push_back(std::chrono::duration<double, std::micro>(spent).count());
    ++report.preemptions;
    std::vector<std::shared_ptr<const PodInfo>> victims;
    for (const auto& v : result.victims)
      for (const auto& p : cluster.nodes()[*node]->pods())
        if (p->uid == v.uid) victims.push_back(p);
    if (checked && o.check_every) {
      Instant t;
      auto failure = check_preemption(profile, resources, *pod, cluster.nodes(), *node, victims);
      ++report.checked_preemptions;
      if (!failure.empty() && report.check_failures.size() < kCheckFailuresMax)
        report.check_failures.push_back(pod->key() + ": preemption: " + failure);
      checking.add_since(t);
    }
    for (const auto& v : victims) report.victims += cluster.evict(v->uid, *node) ? 1 : 0;
    handle.nominate(pod, result.nominated_node_name);
    CycleState retry_state;
    auto retry = attempt(pod, retry_state, checked);
    if (!retry) return retry.error();
    if (retry.value().code != Code::success) return false;  // stays nominated, as in kube
    handle.clear(result.nominated_node_name, pod->uid);
    ++report.preempted_placed;
    return true;
  };
  Instant begin;
  for (std::uint32_t i = 0; i < measured.size(); ++i) {
    const auto& pod = measured[i];
    bool checked = o.check_every && i % o.check_every == 0;
    CycleState state;
    auto r = attempt(pod, state, checked);
    if (!r) return r.error();
    if (r.value().code == Code::success) {
      ++report.scheduled;
      continue;
    }
    if (post_filter) {
      auto placed = preempt(pod, state, r.value(), checked);
      if (!placed) return placed.error();
      if (placed.value()) {
        ++report.scheduled;
        continue;
      }
    }
    ++report.unschedulable;
  }
  if (o.workload == SchedulerWorkload::preemption)
    report.preemption = post_filter
                            ? "DefaultPreemption with a FrameworkHandle (no PDBs, the bench's "
                              "nominations): victims evicted at once, the pod scheduled again"
                            : "not run: the profile has no PostFilter plugin (DefaultPreemption)";
  if (post_filter_runs > 0)
    report.post_filter_ms_mean =
        std::chrono::duration<double, std::milli>(post_filtering).count() / post_filter_runs;
  if (!preemption_us.empty()) {
    auto p = summarize_latencies(preemption_us, 1, {});
    report.preemption_ms_p50 = p.p50_us / 1000;
    report.preemption_ms_p99 = p.p99_us / 1000;
  }
  set_seconds(report, begin, checking);
  summarize(report, std::move(latencies_us), rss_start, rss_nodes);
  return report;
}

std::string scheduler_bench_json(const SchedulerBenchReport& r) {
  nlohmann::json j{{"workload", r.workload},
                   {"path", r.path},
                   {"nodes", r.nodes},
                   {"init_pods", r.init_pods},
                   {"init_scheduled", r.init_scheduled},
                   {"pods", r.pods},
                   {"scheduled", r.scheduled},
                   {"unschedulable", r.unschedulable},
                   {"seconds", r.seconds},
                   {"pods_per_second", r.pods_per_second},
                   {"cpu_seconds", r.cpu_seconds},
                   {"pods_per_cpu_second", r.pods_per_cpu_second},
                   {"attempts_per_second", r.attempts_per_second},
                   {"p50_ms", r.p50_ms},
                   {"p90_ms", r.p90_ms},
                   {"p99_ms", r.p99_ms},
                   {"max_ms", r.max_ms},
                   {"peak_rss_bytes", r.peak_rss_bytes},
                   {"bytes_per_node", r.bytes_per_node},
                   {"bytes_per_pod", r.bytes_per_pod},
                   {"checked_pods", r.checked_pods},
                   {"check_failures", r.check_failures},
                   {"nominated", r.nominated},
                   {"preemption", r.preemption},
                   {"preemptions", r.preemptions},
                   {"victims", r.victims},
                   {"preempted_placed", r.preempted_placed},
                   {"post_filter_ms_mean", r.post_filter_ms_mean},
                   {"preemption_ms_p50", r.preemption_ms_p50},
                   {"preemption_ms_p99", r.preemption_ms_p99},
                   {"checked_preemptions", r.checked_preemptions}};
  return j.dump();
}

std::string scheduler_bench_text(const SchedulerBenchReport& r) {
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "workload %s (path %s): %u nodes, %u init pods (%u placed), %u measured pods\n"
                "placed %u, unschedulable %u in %.2f s: %.0f pods/s (%.0f attempts/s); "
                "%.2f CPU s: %.0f pods per CPU second\n"
                "attempt latency p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n"
                "peak RSS %.1f MiB; %.0f bytes per node, %.0f bytes per pod\n"
                "reference check: %u pods, %zu differ\n",
                r.workload.c_str(), r.path.c_str(), r.nodes, r.init_pods, r.init_scheduled, r.pods,
                r.scheduled, r.unschedulable, r.seconds, r.pods_per_second, r.attempts_per_second,
                r.cpu_seconds, r.pods_per_cpu_second, r.p50_ms, r.p90_ms, r.p99_ms, r.max_ms,
                double(r.peak_rss_bytes) / (1024.0 * 1024.0), r.bytes_per_node, r.bytes_per_pod,
                r.checked_pods, r.check_failures.size());
  std::string out = buf;
  for (const auto& f : r.check_failures) out += "  " + f + "\n";
  if (!r.preemption.empty()) {
    out += "preemption: " + r.preemption + "\n";
    std::snprintf(buf, sizeof buf,
                  "preemptions %u (%u victims, %u pods placed after), PostFilter %.3f ms mean per "
                  "unschedulable pod, %.3f ms p50 / %.3f ms p99 per preemption; %u checked\n",
                  r.preemptions, r.victims, r.preempted_placed, r.post_filter_ms_mean,
                  r.preemption_ms_p50, r.preemption_ms_p99, r.checked_preemptions);
    out += buf;
  }
  return out;
}

}  // namespace craton::bench
