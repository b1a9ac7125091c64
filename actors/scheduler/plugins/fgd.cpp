// FGD: the fragmentation measure and the score (definitions in fgd.hpp).
#include "actors/scheduler/plugins/fgd.hpp"

#include <algorithm>
#include <any>
#include <cmath>
#include <map>
#include <tuple>

namespace craton::scheduler {

namespace {

constexpr std::int64_t kCpuMilliMax = 1'000'000'000;  // a million cores: beyond any node
constexpr double kRawScale = 1000;                    // raw score: milli-GPU * 1000

// Sum over one group's types of p_m * F_n(m): types whose CPU fits and whose GPU request fits
// get the GPUs below their per-GPU need; the others (and GPU-less types) all free GPU.
double group_fragment(const NodeGpus& node, std::int64_t free_total,
                      const FgdWorkload::Group& group) {
  double all = group.probability_upto.back();
  if (group.request.none() || !choose_gpus(node, group.request))
    return all * static_cast<double>(free_total);
  auto fitting =
      std::upper_bound(group.cpu_milli.begin(), group.cpu_milli.end(), node.free_milli_cpu) -
      group.cpu_milli.begin();
  double fit = fitting == 0 ? 0 : group.probability_upto[static_cast<std::size_t>(fitting - 1)];
  std::int64_t fragment = 0;
  for (std::int32_t g = 0; g < node.count; ++g)
    if (node.free_of(g) < group.request.milli_per_gpu()) fragment += node.free_of(g);
  return fit * static_cast<double>(fragment) + (all - fit) * static_cast<double>(free_total);
}

}  // namespace

std::optional<GpuRequest> fgd_type_request(const FgdPodType& type) {
  if (type.cpu_milli < 0 || type.cpu_milli > kCpuMilliMax) return std::nullopt;
  if (!(type.weight > 0) || !std::isfinite(type.weight)) return std::nullopt;
  GpuRequest r;
  if (type.num_gpu == 0 && type.gpu_milli == 0) return r;
  if (type.num_gpu == 1 && type.gpu_milli > 0 && type.gpu_milli < kMilliPerGpu) {
    r.milli = type.gpu_milli;
    return r;
  }
  if (type.num_gpu >= 1 && type.num_gpu <= static_cast<std::int32_t>(kGpusPerNodeMax) &&
      type.gpu_milli == kMilliPerGpu) {
    r.whole = type.num_gpu;
    return r;
  }
  return std::nullopt;
}

Result<std::vector<FgdPodType>> pod_types_from_pods(std::span<const FgdPodType> pods) {
  std::map<std::tuple<std::int64_t, std::int32_t, std::int32_t>, double> counts;
  for (std::size_t i = 0; i < pods.size(); ++i) {
    FgdPodType shape = pods[i];
    shape.weight = 1;
    if (!fgd_type_request(shape))
      return Error{"bad_args", "pod " + std::to_string(i) + ": cpu_milli " +
                                   std::to_string(shape.cpu_milli) + ", num_gpu " +
                                   std::to_string(shape.num_gpu) + ", gpu_milli " +
                                   std::to_string(shape.gpu_milli) +
                                   " is no CPU-only, GPU-share or whole-GPU shape"};
    counts[{shape.cpu_milli, shape.num_gpu, shape.gpu_milli}] += 1;
  }
  std::vector<FgdPodType> out;
  for (const auto& [key, count] : counts)
    out.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), count});
  // Most frequent first; the map's field order breaks ties (stable sort keeps it).
  std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.weight > b.weight; });
  if (out.size() > kFgdPodTypesMax) out.resize(kFgdPodTypesMax);
  return out;
}

Result<FgdWorkload> fgd_workload(const FgdArgs& args) {
  if (args.pod_types.empty() || args.pod_types.size() > kFgdPodTypesMax)
    return Error{"bad_args", "FGD: podTypes must list 1.." + std::to_string(kFgdPodTypesMax) +
                                 " pod types, got " + std::to_string(args.pod_types.size())};
  struct Type {
    GpuRequest request;
    std::int64_t cpu_milli;
    double weight;
  };
  std::vector<Type> types;
  double total = 0;
  for (std::size_t i = 0; i < args.pod_types.size(); ++i) {
    const auto& t = args.pod_types[i];
    auto request = fgd_type_request(t);
    if (!request)
      return Error{"bad_args",
                   "FGD: podTypes[" + std::to_string(i) +
                       "]: want cpuMilli >= 0, weight > 0 and numGpu 0 with gpuMilli 0, numGpu 1 "
                       "with gpuMilli 1..999, or numGpu 1..16 with gpuMilli 1000"};
    types.push_back({*request, t.cpu_milli, t.weight});
    total += t.weight;
  }
  // Grouped by GPU request, each group's types by CPU demand: a deterministic order.
  std::sort(types.begin(), types.end(), [](const Type& a, const Type& b) {
    return std::tie(a.request.whole, a.request.milli, a.cpu_milli) <
           std::tie(b.request.whole, b.request.milli, b.cpu_milli);
  });
  FgdWorkload out;
  for (const auto& t : types) {
    if (out.groups.empty() || !(out.groups.back().request == t.request))
      out.groups.push_back({t.request, {}, {}});
    auto& group = out.groups.back();
    double before = group.probability_upto.empty() ? 0 : group.probability_upto.back();
    group.cpu_milli.push_back(t.cpu_milli);
    group.probability_upto.push_back(before + t.weight / total);
  }
  return out;
}

double node_fragmentation(const NodeGpus& node, const FgdWorkload& workload) {
  if (node.count == 0) return 0;
  std::int64_t free_total = node.free_milli_total();
  double sum = 0;
  for (const auto& group : workload.groups) sum += group_fragment(node, free_total, group);
  return sum;
}

Status Fgd::score(const CycleState& state, const PodInfo& pod, const NodeInfo& node,
                  std::int64_t& score) const {
  GpuScoreInput in;
  if (Status s = gpu_score_input(state, node, kNeedsGpuShare, in); !s.is_success()) return s;
  const GpuChooserRef* chooser = state.read<GpuChooserRef>();
  if (!chooser || chooser->chooser != this) return Status::error(kNeedsPreScore);
  const NodeGpus& before = in.gpus;
  score = 0;
  if (before.count == 0) return {};  // no GPUs, no fragments
  auto mask = choose(before, in.data->request, pod.requests.milli_cpu);
  if (!mask) return Status::error(kNoRoom);
  NodeGpus after = before;
  after.take(in.data->request, *mask, pod.requests.milli_cpu);
  double delta = node_fragmentation(after, workload_) - node_fragmentation(before, workload_);
  score = std::llround(-delta * kRawScale);
  return {};
}

Status Fgd::pre_score(CycleState& state, const PodInfo&, std::span<const NodeInfo* const>) {
  state.write(GpuChooserRef{this});
  return {};
}

std::optional<GpuMask> Fgd::choose(const NodeGpus& gpus, const GpuRequest& request,
                                   std::int64_t milli_cpu) const {
  if (!request.share()) return choose_gpus(gpus, request);
  std::optional<GpuMask> best;
  double best_fragmentation = 0;
  for (std::int32_t g = 0; g < gpus.count; ++g) {
    if (gpus.free_of(g) < request.milli) continue;
    NodeGpus after = gpus;
    after.take(request, GpuMask{1} << g, milli_cpu);
    double f = node_fragmentation(after, workload_);
    if (!best || f < best_fragmentation) {
      best = GpuMask{1} << g;
      best_fragmentation = f;
    }
  }
  return best;
}

Result<std::unique_ptr<Plugin>> make_fgd(const PluginContext& context) {
  if (!context.args) return Error{"bad_args", "FGD needs FgdArgs (the target workload's podTypes)"};
  const auto* args = std::any_cast<FgdArgs>(context.args);
  if (!args) return Error{"bad_args", "arguments are not FgdArgs"};
  auto workload = fgd_workload(*args);
  if (!workload) return workload.error();
  return std::unique_ptr<Plugin>(new Fgd(std::move(*workload)));
}

}  // namespace craton::scheduler
