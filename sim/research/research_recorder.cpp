// The research run's recorder (sim/research/research_recorder.hpp).
#include "sim/research/research_recorder.hpp"

#include <map>
#include <optional>
#include <variant>

#include "actors/scheduler/plugins/fgd.hpp"
#include "actors/scheduler/plugins/gpu_model.hpp"
#include "actors/scheduler/plugins/gpu_share.hpp"

namespace craton::research {

namespace {

namespace sched = craton::scheduler;

// A workload pod's GPU request as the GPU plugins read its resources (workload_objects.hpp
// writes them from these fields).
sched::GpuRequest gpu_request(const workload::Pod& pod) {
  sched::GpuRequest r;
  if (pod.num_gpu <= 0) return r;
  if (pod.num_gpu == 1 && pod.gpu_milli > 0 && pod.gpu_milli < 1000)
    r.milli = pod.gpu_milli;
  else
    r.whole = pod.num_gpu;
  return r;
}

// A pod on a node at a sample instant: its workload index and the GPUs the scheduler wrote.
struct OnNode {
  std::size_t pod = 0;
  std::string_view gpu_index;
};

double seconds(std::int64_t ms, std::int64_t start_ms) {
  return double(ms - start_ms) / 1000.0;
}

}  // namespace

Result<RunResult> record_run(const sim::RunHistory& history, const RecorderInput& input) {
  const auto& nodes = *input.nodes;
  const auto& pods = *input.pods;
  std::vector<sched::FgdPodType> shapes;
  shapes.reserve(pods.size());
  for (const auto& p : pods) {
    sched::FgdPodType t;
    t.cpu_milli = p.requests.cpu_milli;
    t.num_gpu = p.num_gpu;
    t.gpu_milli = p.num_gpu > 0 ? (p.num_gpu == 1 && p.gpu_milli < 1000 ? p.gpu_milli : 1000) : 0;
    shapes.push_back(t);
  }
  sched::FgdWorkload target;
  if (!shapes.empty()) {
    auto types = sched::pod_types_from_pods(shapes);
    if (!types) return types.error();
    auto prepared = sched::fgd_workload(sched::FgdArgs{std::move(*types)});
    if (!prepared) return prepared.error();
    target = std::move(*prepared);
  }

  std::map<std::string, std::size_t> pod_index;  // "ns/name" -> workload index
  for (std::size_t i = 0; i < pods.size(); ++i)
    pod_index[input.namespace_ + "/" + pods[i].name] = i;
  std::map<std::string, std::size_t> node_index;
  double cpu_total = 0, memory_total = 0, gpu_total = 0;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    node_index[nodes[i].name] = i;
    cpu_total += double(nodes[i].capacity.cpu_milli);
    memory_total += double(nodes[i].capacity.memory_bytes);
    gpu_total += double(nodes[i].gpu_count);
  }

  RunResult result;
  result.end_s = seconds(input.end_ms, input.start_ms);
  result.pods.resize(pods.size());
  for (std::size_t i = 0; i < pods.size(); ++i) {
    result.pods[i].name = pods[i].name;
    result.pods[i].submit_s = double(pods[i].submit_ms) / 1000.0;
  }
  std::vector<bool> seen(pods.size(), false), gone(pods.size(), false);
  std::vector<bool> marked(pods.size(), false);  ///< the scheduler's victim mark, last seen
  std::vector<std::int64_t> bound_order(pods.size(), 0);
  std::int64_t next_order = 0;

  // The view in force and what it counts, re-derived at each sample instant.
  const sim::PodsView* current = nullptr;
  auto sample_at = [&](std::int64_t t_ms) {
    UsageSample s;
    s.t_s = seconds(t_ms, input.start_ms);
    double cpu = 0, memory = 0, gpu_milli = 0;
    std::vector<std::vector<OnNode>> on_node(nodes.size());
    std::int64_t submitted = 0;
    double demand_milli = 0;
    for (std::size_t i = 0; i < pods.size(); ++i)
      if (input.start_ms + pods[i].submit_ms <= t_ms) {
        ++submitted;
        demand_milli += double(gpu_request(pods[i]).total_milli());
      }
    s.gpu_demand_arrived = gpu_total > 0 ? demand_milli / 1000.0 / gpu_total : 0;
    std::int64_t bound_or_done = 0;
    if (current != nullptr) {
      for (const auto& [uid, p] : current->pods) {
        auto it = pod_index.find(p.name);
        if (it == pod_index.end()) continue;
        const auto& w = pods[it->second];
        bool finished = p.phase == "Succeeded" || p.phase == "Failed";
        if (finished) {
          ++s.pods_finished;
          ++bound_or_done;
          continue;
        }
        if (p.node.empty()) continue;
        ++bound_or_done;
        ++s.pods_running;
        cpu += double(w.requests.cpu_milli);
        memory += double(w.requests.memory_bytes);
        gpu_milli += double(gpu_request(w).total_milli());
        if (auto n = node_index.find(p.node); n != node_index.end())
          on_node[n->second].push_back({it->second, p.gpu_index});
      }
    }
    s.pods_pending = std::max<std::int64_t>(0, submitted - bound_or_done);
    s.cpu_allocation = cpu_total > 0 ? cpu / cpu_total : 0;
    s.memory_allocation = memory_total > 0 ? memory / memory_total : 0;
    s.gpu_allocation = gpu_total > 0 ? gpu_milli / 1000.0 / gpu_total : 0;
    double fragmentation_milli = 0;
    for (std::size_t n = 0; n < nodes.size(); ++n) {
      if (nodes[n].gpu_count <= 0) continue;
      sched::NodeGpus g;
      g.count = std::min<std::int32_t>(nodes[n].gpu_count, std::int32_t(sched::kGpusPerNodeMax));
      g.free_milli_cpu = nodes[n].capacity.cpu_milli;
      auto& list = on_node[n];
      std::sort(list.begin(), list.end(), [&](const OnNode& a, const OnNode& b) {
        return bound_order[a.pod] != bound_order[b.pod] ? bound_order[a.pod] < bound_order[b.pod]
                                                        : a.pod < b.pod;
      });
      // The GPUs the scheduler wrote on the pod first (GpuShare's rule for a known placement),
      // then the others in bound order by choose_gpus.
      std::vector<bool> placed(list.size(), false);
      for (std::size_t k = 0; k < list.size(); ++k) {
        auto request = gpu_request(pods[list[k].pod]);
        auto mask = sched::parse_gpu_index(list[k].gpu_index);
        if (request.none() || !mask || !sched::mask_has_room(g, request, *mask)) continue;
        g.take(request, *mask, pods[list[k].pod].requests.cpu_milli);
        placed[k] = true;
      }
      for (std::size_t k = 0; k < list.size(); ++k) {
        if (placed[k]) continue;
        auto request = gpu_request(pods[list[k].pod]);
        auto mask = sched::choose_gpus(g, request);
        g.take(request, mask.value_or(0), pods[list[k].pod].requests.cpu_milli);
      }
      fragmentation_milli += sched::node_fragmentation(g, target);
    }
    s.gpu_fragmentation = fragmentation_milli / 1000.0;
    result.samples.push_back(s);
  };

  std::int64_t next_sample = input.start_ms;
  for (const auto& o : history.observations) {
    const auto* view = std::get_if<sim::PodsView>(&o.event);
    if (view == nullptr) continue;
    while (next_sample < o.time_ms && next_sample <= input.end_ms) {
      sample_at(next_sample);
      next_sample += input.sample_period_ms;
    }
    std::vector<bool> present(pods.size(), false);
    for (const auto& [uid, p] : view->pods) {
      auto it = pod_index.find(p.name);
      if (it == pod_index.end()) continue;
      auto i = it->second;
      auto& out = result.pods[i];
      present[i] = true;
      seen[i] = true;
      marked[i] = p.preempted;
      double t = seconds(o.time_ms, input.start_ms);
      if (!p.node.empty()) {
        if (!out.bound_s) {
          out.bound_s = t;
          bound_order[i] = next_order++;
        }
        out.node = p.node;
      }
      if (p.phase == "Running" && !out.running_s) out.running_s = t;
      if ((p.phase == "Succeeded" || p.phase == "Failed") && !out.finished_s) out.finished_s = t;
    }
    for (std::size_t i = 0; i < pods.size(); ++i)
      if (seen[i] && !present[i] && !result.pods[i].finished_s) gone[i] = true;
    current = view;
  }
  while (next_sample <= input.end_ms) {
    sample_at(next_sample);
    next_sample += input.sample_period_ms;
  }
  for (std::size_t i = 0; i < pods.size(); ++i) {
    result.pods[i].preempted = gone[i] && marked[i];
    result.pods[i].evicted = gone[i] && !marked[i];
    result.pods[i].unschedulable = !result.pods[i].bound_s;
  }
  return result;
}

}  // namespace craton::research
