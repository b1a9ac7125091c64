// The figures of a research run and their mean over seeds (run_figures.hpp).
#include "sim/research/run_figures.hpp"

#include <algorithm>
#include <cmath>

namespace craton::research {
namespace {

// The last sample at or before `t_s` (samples are in time order), or nullptr.
const UsageSample* sample_at(const std::vector<UsageSample>& samples, double t_s) {
  auto after = std::upper_bound(samples.begin(), samples.end(), t_s,
                                [](double t, const UsageSample& s) { return t < s.t_s; });
  return after == samples.begin() ? nullptr : &*(after - 1);
}

void add_pod_counts(const RunResult& run, RunFigures& f) {
  double first_submit = run.pods.empty() ? 0 : run.pods.front().submit_s, last_bound = 0;
  for (const auto& pod : run.pods) {
    f.pods_total += 1;
    f.pods_bound += pod.bound_s ? 1 : 0;
    f.pods_unschedulable += pod.unschedulable ? 1 : 0;
    f.pods_preempted += pod.preempted ? 1 : 0;
    f.pods_evicted += pod.evicted ? 1 : 0;
    first_submit = std::min(first_submit, pod.submit_s);
    if (pod.bound_s) last_bound = std::max(last_bound, *pod.bound_s);
    f.makespan_s = std::max({f.makespan_s, pod.bound_s.value_or(0), pod.finished_s.value_or(0)});
  }
  double span = last_bound - first_submit;
  f.throughput_pods_per_s = span > 0 ? f.pods_bound / span : 0;
}

void add_end_ratios(const RunResult& run, RunFigures& f) {
  double last_submit = 0;
  for (const auto& pod : run.pods) last_submit = std::max(last_submit, pod.submit_s);
  const UsageSample* end = sample_at(run.samples, last_submit);
  if (!end) return;
  f.end_s = end->t_s;
  f.cpu_allocation_ratio = end->cpu_allocation;
  f.memory_allocation_ratio = end->memory_allocation;
  f.gpu_allocation_ratio = end->gpu_allocation;
  f.gpu_fragmentation = end->gpu_fragmentation;
}

}  // namespace

const std::vector<FigureField>& figure_fields() {
  static const std::vector<FigureField> fields = {
      {"pods_total", &RunFigures::pods_total},
      {"pods_bound", &RunFigures::pods_bound},
      {"pods_unschedulable", &RunFigures::pods_unschedulable},
      {"pods_preempted", &RunFigures::pods_preempted},
      {"pods_evicted", &RunFigures::pods_evicted},
      {"end_s", &RunFigures::end_s},
      {"cpu_allocation_ratio", &RunFigures::cpu_allocation_ratio},
      {"memory_allocation_ratio", &RunFigures::memory_allocation_ratio},
      {"gpu_allocation_ratio", &RunFigures::gpu_allocation_ratio},
      {"gpu_fragmentation", &RunFigures::gpu_fragmentation},
      {"pending_p50_s", &RunFigures::pending_p50_s},
      {"pending_p90_s", &RunFigures::pending_p90_s},
      {"pending_p99_s", &RunFigures::pending_p99_s},
      {"pending_max_s", &RunFigures::pending_max_s},
      {"makespan_s", &RunFigures::makespan_s},
      {"throughput_pods_per_s", &RunFigures::throughput_pods_per_s},
      {"run_end_s", &RunFigures::run_end_s},
  };
  return fields;
}

double nearest_rank(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * double(values.size())));
  rank = std::clamp<std::size_t>(rank, 1, values.size());
  std::nth_element(values.begin(), values.begin() + long(rank - 1), values.end());
  return values[rank - 1];
}

std::vector<double> pending_times_s(const RunResult& run) {
  std::vector<double> out;
  for (const auto& pod : run.pods)
    if (pod.bound_s) out.push_back(*pod.bound_s - pod.submit_s);
  return out;
}

RunFigures figures_of(const RunResult& run) {
  RunFigures f;
  f.seed = run.run.seed;
  f.run_end_s = run.end_s;
  add_pod_counts(run, f);
  add_end_ratios(run, f);
  auto pending = pending_times_s(run);
  f.pending_p50_s = nearest_rank(pending, 50);
  f.pending_p90_s = nearest_rank(pending, 90);
  f.pending_p99_s = nearest_rank(pending, 99);
  f.pending_max_s = nearest_rank(pending, 100);
  return f;
}

std::vector<PolicySummary> summarize_policies(const std::vector<RunResult>& runs) {
  std::vector<PolicySummary> out;
  for (const auto& run : runs) {
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const PolicySummary& s) { return s.policy == run.run.policy; });
    if (it == out.end()) it = out.insert(out.end(), PolicySummary{run.run.policy, {}, {}});
    it->per_seed.push_back(figures_of(run));
  }
  for (auto& summary : out) {
    summary.mean.seed = summary.per_seed.front().seed;
    double n = double(summary.per_seed.size());
    for (const auto& field : figure_fields()) {
      double sum = 0;
      for (const auto& f : summary.per_seed) sum += f.*field.field;
      summary.mean.*field.field = sum / n;
    }
  }
  return out;
}

}  // namespace craton::research
