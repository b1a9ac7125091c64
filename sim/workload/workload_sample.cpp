// Sampling, inflating and pacing a workload (sim/workload/workload_sample.hpp).
#include "sim/workload/workload_sample.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "runtime/rng.hpp"
#include "sim/workload/import_report.hpp"
#include "sim/workload/workload_stream.hpp"

namespace craton::workload {
namespace {

Error usage(std::string message) {
  return Error{"usage", std::move(message)};
}

// `count` of `total` indexes drawn without replacement, ascending (a partial Fisher-Yates).
std::vector<std::size_t> draw(std::size_t total, std::size_t count, Rng& rng) {
  std::vector<std::size_t> all(total);
  for (std::size_t i = 0; i < total; ++i) all[i] = i;
  count = std::min(count, total);
  for (std::size_t i = 0; i < count; ++i) std::swap(all[i], all[rng.uniform(i, total - 1)]);
  all.resize(count);
  std::sort(all.begin(), all.end());
  return all;
}

std::size_t share(double fraction, std::size_t total) {
  if (total == 0) return 0;
  return std::clamp<std::size_t>(std::size_t(std::llround(fraction * double(total))), 1, total);
}

std::string number_text(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", x);
  return buffer;
}

}  // namespace

Status sample_workload(const WorkloadHeader& header, const std::vector<Node>& nodes,
                       const std::vector<Pod>& pods, const std::vector<NodeEvent>& events,
                       const SampleOptions& o, WorkloadSink& sink) {
  if (!(o.node_fraction > 0 && o.node_fraction <= 1) ||
      !(o.pod_fraction > 0 && o.pod_fraction <= 1))
    return usage("sample fractions must be in (0, 1]");
  if (o.pace_ms && *o.pace_ms < 0) return usage("--pace-ms must not be negative");
  if (o.inflate_gpu_demand && !(*o.inflate_gpu_demand > 0))
    return usage("--inflate-gpu-demand must be positive");
  Rng rng(derive_seed(o.seed, "workload-sample"));
  std::vector<Node> kept_nodes;
  std::set<std::string> kept_names;
  for (auto i : draw(nodes.size(), share(o.node_fraction, nodes.size()), rng)) {
    kept_nodes.push_back(nodes[i]);
    kept_names.insert(nodes[i].name);
  }
  std::vector<Pod> kept_pods;
  for (auto i : draw(pods.size(), share(o.pod_fraction, pods.size()), rng))
    kept_pods.push_back(pods[i]);

  if (o.inflate_gpu_demand) {
    std::int64_t capacity = 0, demand = 0;
    for (const auto& n : kept_nodes) capacity += std::int64_t{n.gpu_count} * 1000;
    std::vector<std::size_t> gpu_pods;
    for (std::size_t i = 0; i < kept_pods.size(); ++i) {
      demand += std::int64_t{kept_pods[i].num_gpu} * kept_pods[i].gpu_milli;
      if (kept_pods[i].num_gpu > 0) gpu_pods.push_back(i);
    }
    if (capacity <= 0 || gpu_pods.empty())
      return usage("--inflate-gpu-demand needs sampled nodes with GPUs and pods asking for them");
    auto target = std::int64_t(std::ceil(double(capacity) * *o.inflate_gpu_demand));
    auto originals = kept_pods.size();
    auto last_ms = originals > 0 ? kept_pods.back().submit_ms : 0;
    for (std::size_t k = 1; demand < target; ++k) {
      if (kept_pods.size() >= kSampleInflatedPodsMax)
        return usage("inflation would pass " + std::to_string(kSampleInflatedPodsMax) + " pods");
      // Drawn among all sampled pods (CPU-only ones too), as the trace's mix arrives.
      Pod copy = kept_pods[rng.uniform(0, originals - 1)];
      copy.name += "-i" + std::to_string(k);
      copy.submit_ms = last_ms;
      demand += std::int64_t{copy.num_gpu} * copy.gpu_milli;
      kept_pods.push_back(std::move(copy));
    }
  }
  std::vector<NodeEvent> kept_events;
  if (!o.pace_ms)
    for (const auto& e : events)
      if (kept_names.count(e.node)) kept_events.push_back(e);
  if (o.pace_ms)
    for (std::size_t i = 0; i < kept_pods.size(); ++i) {
      kept_pods[i].submit_ms = std::int64_t(i) * *o.pace_ms;
      kept_pods[i].duration_ms.reset();
    }

  WorkloadHeader h = header;
  h.generator = "craton research sample";
  h.parameters["sample_node_fraction"] = number_text(o.node_fraction);
  h.parameters["sample_pod_fraction"] = number_text(o.pod_fraction);
  h.parameters["sample_seed"] = std::to_string(o.seed);
  if (o.inflate_gpu_demand)
    h.parameters["sample_inflate_gpu_demand"] = number_text(*o.inflate_gpu_demand);
  if (o.pace_ms) h.parameters["sample_pace_ms"] = std::to_string(*o.pace_ms);
  ImportReport report;
  return stream_workload(sink, h, kept_nodes, kept_events, pods_from(kept_pods), ImportOptions{},
                         report);
}

}  // namespace craton::workload
