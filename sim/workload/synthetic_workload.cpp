// generate_synthetic_workload (synthetic_workload.hpp). Draws use only Rng's integers and
// unit(), and std::log, so they do not depend on a standard library's distributions.
#include "sim/workload/synthetic_workload.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "runtime/rng.hpp"
#include "sim/workload/import_report.hpp"
#include "sim/workload/workload_stream.hpp"

namespace craton::workload {
namespace {

constexpr std::int64_t kCpuMenuMilli[] = {100, 250, 500, 1000, 2000, 4000, 8000};
constexpr std::int32_t kGpuShareMenuMilli[] = {250, 500, 1000};

double exponential(Rng& rng, double mean) {
  return -std::log(1.0 - rng.unit()) * mean;
}

Status check(const SyntheticOptions& o) {
  if (o.nodes < 1 || o.nodes > o.nodes_max)
    return Error{"usage", "--nodes must be 1.." + std::to_string(o.nodes_max)};
  if (o.pods < 0 || o.pods > o.pods_max)
    return Error{"usage", "--pods must be 0.." + std::to_string(o.pods_max)};
  if (!(o.arrivals_per_s > 0) || !(o.duration_mean_s > 0))
    return Error{"usage", "--rate and --duration-mean must be positive"};
  if (o.node_cpu_milli < 1 || o.node_memory_bytes < 1 || o.node_gpus < 0 || o.node_gpus > 64)
    return Error{"usage", "node CPU and memory must be positive and GPUs 0..64"};
  if (!(o.gpu_pod_fraction >= 0 && o.gpu_pod_fraction <= 1))
    return Error{"usage", "--gpu-pod-fraction must be within [0, 1]"};
  return Ok{};
}

Pod synthetic_pod(const SyntheticOptions& o, Rng& rng, std::int64_t index, std::int64_t now_ms) {
  Pod pod;
  char name[32];
  std::snprintf(name, sizeof name, "pod-%07lld", static_cast<long long>(index));
  pod.name = name;
  pod.submit_ms = now_ms;
  pod.duration_ms =
      std::max<std::int64_t>(1, std::llround(exponential(rng, o.duration_mean_s) * 1000));
  auto cpu = kCpuMenuMilli[rng.uniform(0, std::size(kCpuMenuMilli) - 1)];
  pod.requests.cpu_milli = std::min(cpu, o.node_cpu_milli);
  // 1 to 4 GiB of memory per core, capped by the node.
  auto memory =
      pod.requests.cpu_milli * (static_cast<std::int64_t>(rng.uniform(1, 4)) << 30) / 1000;
  pod.requests.memory_bytes = std::min(memory, o.node_memory_bytes);
  if (o.node_gpus > 0 && rng.chance(o.gpu_pod_fraction)) {
    pod.num_gpu = 1;
    pod.gpu_milli = kGpuShareMenuMilli[rng.uniform(0, std::size(kGpuShareMenuMilli) - 1)];
    pod.gpu_models = {o.gpu_model};
  }
  pod.priority = static_cast<std::int32_t>(rng.uniform(0, 1)) * 1000;
  return pod;
}

}  // namespace

Status generate_synthetic_workload(const SyntheticOptions& o, WorkloadSink& sink) {
  if (auto s = check(o); !s) return s;
  WorkloadHeader header;
  header.source = "synthetic";
  header.generator = "craton research synth";
  header.parameters = {{"nodes", std::to_string(o.nodes)},
                       {"pods", std::to_string(o.pods)},
                       {"seed", std::to_string(o.seed)},
                       {"arrivals_per_s", std::to_string(o.arrivals_per_s)},
                       {"duration_mean_s", std::to_string(o.duration_mean_s)},
                       {"node_cpu_milli", std::to_string(o.node_cpu_milli)},
                       {"node_memory_bytes", std::to_string(o.node_memory_bytes)},
                       {"node_gpus", std::to_string(o.node_gpus)},
                       {"gpu_model", o.gpu_model},
                       {"gpu_pod_fraction", std::to_string(o.gpu_pod_fraction)}};
  auto nodes = uniform_nodes(o.nodes, MachineSize{o.node_cpu_milli, o.node_memory_bytes, 0});
  for (auto& n : nodes) {
    n.gpu_count = o.node_gpus;
    if (o.node_gpus > 0) n.gpu_model = o.gpu_model;
  }
  Rng rng(derive_seed(o.seed, "synthetic-workload"));
  std::int64_t index = 0;
  double now_s = 0;
  PodSource pods = [&]() -> std::optional<Pod> {
    if (index == o.pods) return std::nullopt;
    now_s += exponential(rng, 1.0 / o.arrivals_per_s);
    return synthetic_pod(o, rng, index++, std::llround(now_s * 1000));
  };
  ImportReport unused;
  return stream_workload(sink, header, nodes, {}, pods, ImportOptions{}, unused);
}

}  // namespace craton::workload
